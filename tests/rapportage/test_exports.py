"""Exports of a report's tables: exact figures back out, no formulas smuggled in, same bytes."""

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from programma.tabelbestanden import csv_bytes, xlsx_bytes, zip_csv
from programma.tabellen import Kolom, bedrag, getal, procent, som, tabel
from rapportage.exports import SISA_KOLOMMEN, sisa_csv

MOMENT = datetime(2026, 3, 31, 14, 30, tzinfo=UTC)
BOM = b"\xef\xbb\xbf"
GEVAARLIJK = ("=", "+", "-", "@", "\t", "\r")


def financien(**extra: Any) -> dict[str, Any]:
    """A snapshot table with a column of every kind and a total row."""
    rijen: list[list[Any]] = [
        ["Wonen é", "125000.00", "12.5", "87.25", 2026, "2026-03-31", True],
        ['=HYPERLINK("http://x","klik")', "-250.10", "3", None, 2025, None, False],
        ["Leefbaarheid, ë & €", "0.05", None, "100.00", 2024, "2024-01-01", None],
        ["-Werk\nin de wijk", None, "-0.0001", "-3.50", 2023, "2023-12-31", True],
    ]
    argumenten: dict[str, Any] = {
        "naam": "financien_themas",
        "titel": "Financiën per thema",
        "kolommen": [
            Kolom("thema", "Thema"),
            Kolom("budget", "Budget", "bedrag"),
            Kolom("aantal", "Aantal", "getal"),
            Kolom("aandeel", "Aandeel besteed", "procent"),
            Kolom("jaar", "Jaar", "jaar"),
            Kolom("peildatum", "Peildatum", "datum"),
            Kolom("afgerond", "Afgerond", "ja_nee"),
        ],
        "rijen": rijen,
        "totaal": ["Totaal", som([r[1] for r in rijen]), None, None, None, None, None],
    }
    argumenten.update(extra)
    return tabel(**argumenten)


def lees_csv(inhoud: bytes) -> list[list[str]]:
    assert inhoud.startswith(BOM)
    return list(csv.reader(io.StringIO(inhoud.decode("utf-8-sig"), newline="")))


def herstel(tekst: str) -> str:
    """The inverse of the export's neutralisation: one apostrophe less."""
    if re.match(r"'+[=+\-@\t\r]", tekst):
        return tekst[1:]
    return tekst


def uit_csv(veld: str, soort: str) -> Any:
    """A CSV field read back into its snapshot value."""
    if soort == "tekst":
        return herstel(veld)
    if veld == "":
        return None
    if soort in ("bedrag", "getal", "procent"):
        return Decimal(veld)
    if soort == "jaar":
        return int(veld)
    if soort == "datum":
        return date.fromisoformat(veld)
    return {"ja": True, "nee": False}[veld]


def snapshotwaarde(waarde: Any, soort: str) -> Any:
    """A snapshot value in the same terms as :func:`uit_csv`."""
    if waarde is None:
        return "" if soort == "tekst" else None
    if soort in ("bedrag", "getal", "procent"):
        return Decimal(waarde)
    if soort == "datum":
        return date.fromisoformat(waarde)
    return waarde


def rijen_terug(inhoud: bytes, t: dict[str, Any]) -> list[list[Any]]:
    soorten = [k["soort"] for k in t["kolommen"]]
    return [[uit_csv(v, s) for v, s in zip(r, soorten, strict=True)] for r in lees_csv(inhoud)[1:]]


def verwacht(t: dict[str, Any]) -> list[list[Any]]:
    soorten = [k["soort"] for k in t["kolommen"]]
    alle = [*t["rijen"], *([t["totaal"]] if t["totaal"] is not None else [])]
    return [[snapshotwaarde(v, s) for v, s in zip(r, soorten, strict=True)] for r in alle]


# --- CSV ----------------------------------------------------------------------------------


def test_csv_round_trips_the_snapshot_exactly_with_the_total_last() -> None:
    t = financien()
    inhoud = csv_bytes(t)
    regels = lees_csv(inhoud)
    assert regels[0] == [k["titel"] for k in t["kolommen"]]
    assert rijen_terug(inhoud, t) == verwacht(t)
    assert regels[-1] == ["Totaal", "124749.95", "", "", "", "", ""]


def test_csv_values_are_machine_readable() -> None:
    regels = lees_csv(csv_bytes(financien()))
    assert regels[1][1:] == ["125000.00", "12.5", "87.25", "2026", "2026-03-31", "ja"]
    assert regels[2][1:] == ["-250.10", "3", "", "2025", "", "nee"]
    assert regels[3][-1] == ""  # unknown yes/no


def test_csv_is_rfc4180_utf8_with_bom_for_excel() -> None:
    inhoud = csv_bytes(financien())
    assert inhoud.startswith(BOM + b"Thema,Budget")
    tekst = inhoud.decode("utf-8-sig")
    assert tekst.endswith("\r\n")
    assert '"Leefbaarheid, ë & €"' in tekst
    assert '"\'-Werk\nin de wijk"' in tekst
    assert "é".encode() in inhoud and "€".encode() in inhoud


def test_csv_neutralises_formulas_in_text_but_keeps_minus_signs_of_numbers() -> None:
    regels = lees_csv(csv_bytes(financien()))
    assert regels[2][0] == '\'=HYPERLINK("http://x","klik")'
    assert regels[4][0] == "'-Werk\nin de wijk"
    assert regels[2][1] == "-250.10"
    assert regels[4][2:4] == ["-0.0001", "-3.50"]
    for prefix in GEVAARLIJK:
        t = financien(rijen=[[f"{prefix}1+1", None, None, None, 2026, None, None]], totaal=None)
        assert lees_csv(csv_bytes(t))[1][0] == f"'{prefix}1+1"
    # Apostrophes before a formula get one more, so reading back is unambiguous.
    t = financien(rijen=[["'=1", None, None, None, 2026, None, None]], totaal=None)
    assert lees_csv(csv_bytes(t))[1][0] == "''=1"
    t = financien(rijen=[["'gewoon", None, None, None, 2026, None, None]], totaal=None)
    assert lees_csv(csv_bytes(t))[1][0] == "'gewoon"


def test_csv_neutralises_column_titles_too() -> None:
    t = tabel("t", "T", [Kolom("a", "=kolom")], [["x"]])
    assert lees_csv(csv_bytes(t))[0] == ["'=kolom"]


def test_csv_refuses_a_non_number_in_a_number_column() -> None:
    t = tabel("t", "T", [Kolom("b", "Bedrag", "bedrag")], [["=1+1"]])
    with pytest.raises(ValueError):
        csv_bytes(t)


TEKST = st.one_of(
    st.text(),
    st.builds(
        lambda p, t: p + t,
        st.sampled_from(["=", "+", "-", "@", "'=", "''-", "\t", "\r"]),
        st.text(),
    ),
)
GELD = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)
SOORT_WAARDEN: dict[str, Any] = {
    "tekst": TEKST,
    "bedrag": st.one_of(st.none(), GELD.map(bedrag)),
    "getal": st.one_of(
        st.none(),
        st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False).map(getal),
    ),
    "procent": st.one_of(
        st.none(), st.decimals(min_value=-1000, max_value=1000, places=2).map(procent)
    ),
    "jaar": st.integers(min_value=2000, max_value=2100),
    "datum": st.one_of(st.none(), st.dates().map(date.isoformat)),
    "ja_nee": st.one_of(st.none(), st.booleans()),
}


@st.composite
def tabellen(draw: st.DrawFn) -> dict[str, Any]:
    soorten = draw(st.lists(st.sampled_from(list(SOORT_WAARDEN)), min_size=1, max_size=6))
    kolommen = [Kolom(f"k{i}", draw(TEKST), s) for i, s in enumerate(soorten)]  # type: ignore[arg-type]
    rij = st.tuples(*(SOORT_WAARDEN[s] for s in soorten)).map(list)
    rijen = draw(st.lists(rij, max_size=5))
    totaal = draw(st.one_of(st.none(), rij))
    return tabel(
        draw(st.from_regex(r"[a-z_]{1,20}", fullmatch=True)), draw(TEKST), kolommen, rijen, totaal
    )


@settings(max_examples=150, deadline=None)
@given(t=tabellen())
def test_any_table_round_trips_through_csv(t: dict[str, Any]) -> None:
    inhoud = csv_bytes(t)
    assert [herstel(k) for k in lees_csv(inhoud)[0]] == [k["titel"] for k in t["kolommen"]]
    assert rijen_terug(inhoud, t) == verwacht(t)
    for regel in lees_csv(inhoud):
        for veld, kolom in zip(regel, t["kolommen"], strict=True):
            if kolom["soort"] == "tekst" and veld:
                assert not veld.startswith(GEVAARLIJK)


# --- XLSX ---------------------------------------------------------------------------------


def werkboek(inhoud: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(inhoud))


def uit_xlsx(waarde: Any, soort: str) -> Any:
    if soort == "tekst":
        return "" if waarde is None else waarde
    if waarde is None:
        return None
    if soort in ("bedrag", "getal", "procent"):
        return Decimal(str(waarde))
    if soort == "datum":
        return waarde.date()
    if soort == "ja_nee":
        return {"ja": True, "nee": False}[waarde]
    return waarde


def test_xlsx_round_trips_the_snapshot_to_the_cent() -> None:
    t = financien()
    blad = werkboek(xlsx_bytes([t], titel="Jaarverantwoording 2025", moment=MOMENT)).active
    assert blad is not None
    regels = list(blad.iter_rows(values_only=True))
    assert list(regels[0]) == [k["titel"] for k in t["kolommen"]]
    soorten = [k["soort"] for k in t["kolommen"]]
    terug = [[uit_xlsx(v, s) for v, s in zip(r, soorten, strict=True)] for r in regels[1:]]
    assert terug == verwacht(t)
    assert terug[-1][:2] == ["Totaal", Decimal("124749.95")]


def test_xlsx_writes_the_exact_decimals_into_the_file() -> None:
    inhoud = xlsx_bytes([financien()], titel="J", moment=MOMENT)
    with zipfile.ZipFile(io.BytesIO(inhoud)) as archief:
        blad = archief.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>125000</v>" in blad and "<v>-250.1</v>" in blad and "<v>0.05</v>" in blad
    assert "<v>-0.0001</v>" in blad and "<v>124749.95</v>" in blad


def test_xlsx_layout_bold_frozen_header_formats_and_bold_total() -> None:
    t = financien()
    blad = werkboek(xlsx_bytes([t], titel="J", moment=MOMENT))["Financiën per thema"]
    assert blad.freeze_panes == "A2"
    assert all(c.font.b for c in blad[1])
    laatste = blad.max_row
    assert laatste == 1 + len(t["rijen"]) + 1
    assert all(c.font.b for c in blad[laatste])
    assert not any(c.font.b for c in blad[2])
    assert blad["B2"].number_format == '"€ "#,##0.00'
    assert blad["C2"].number_format == "#,##0.0000"
    assert blad["D2"].number_format == '0.00"%"'
    assert blad["E2"].number_format == "0"
    assert blad["F2"].number_format == "dd-mm-yyyy" and blad["F2"].is_date
    assert blad.auto_filter.ref == "A1:G5"
    assert blad.column_dimensions["A"].width >= len("Leefbaarheid, ë & €")


def test_xlsx_text_never_becomes_a_formula() -> None:
    rijen: list[list[Any]] = [
        [f"{p}SOM(1;2)", None, None, None, 2026, None, None] for p in GEVAARLIJK
    ]
    t = financien(rijen=rijen, totaal=["=Totaal", None, None, None, None, None, None])
    t["kolommen"][0]["titel"] = "=Thema"
    blad = werkboek(xlsx_bytes([t], titel="=titel", moment=MOMENT)).active
    assert blad is not None
    for rij in blad.iter_rows():
        for c in rij:
            assert c.data_type != "f"
    assert blad["A1"].value == "=Thema"
    # A spreadsheet keeps line breaks as LF; a leading CR becomes one.
    assert [blad.cell(row=r, column=1).value for r in range(2, 8)] == [
        r[0].replace("\r", "\n") for r in rijen
    ]
    assert blad["A2"].data_type == "s" and blad["A2"].quotePrefix
    assert blad["A8"].value == "=Totaal"
    inhoud = xlsx_bytes([t], titel="=titel", moment=MOMENT)
    with zipfile.ZipFile(io.BytesIO(inhoud)) as archief:
        assert all(b"<f>" not in archief.read(n) for n in archief.namelist())


def test_xlsx_sheet_names_are_valid_and_unique() -> None:
    titels = [
        "Financiën per thema: [2025/2026]?",
        "Financiën per thema: [2025/2026]?",
        "Een heel lange titel van een tabel die niet in een tabblad past",
        "Een heel lange titel van een tabel die niet in een tabblad past",
        "'History'",
        "",
    ]
    tabellen_ = [financien(titel=x) for x in titels]
    namen = werkboek(xlsx_bytes(tabellen_, titel="J", moment=MOMENT)).sheetnames
    assert len(namen) == len(set(n.casefold() for n in namen)) == len(titels)
    for naam in namen:
        assert 0 < len(naam) <= 31
        assert not re.search(r"[\[\]:*?/\\]", naam) and not naam.startswith("'")
    assert namen[0] == "Financiën per thema 2025 2026"
    assert namen[1] == "Financiën per thema 2025 20 (2)"
    assert namen[3].endswith(" (2)") and len(namen[3]) <= 31
    assert namen[4].casefold() != "history"
    assert namen[5] == "financien_themas"


def test_xlsx_keeps_unicode_and_drops_what_a_worksheet_cannot_hold() -> None:
    t = financien(rijen=[["Café ë € \x00\x1b", None, None, None, 2026, None, None]], totaal=None)
    blad = werkboek(xlsx_bytes([t], titel="J", moment=MOMENT)).active
    assert blad is not None
    assert blad["A2"].value == "Café ë € "


def test_xlsx_is_byte_identical_for_the_same_snapshot_and_dated_by_its_moment() -> None:
    tabellen_ = [financien(), financien(naam="tweede", titel="Tweede")]
    eerste = xlsx_bytes(tabellen_, titel="Jaarverantwoording", moment=MOMENT)
    assert xlsx_bytes(tabellen_, titel="Jaarverantwoording", moment=MOMENT) == eerste
    assert (
        xlsx_bytes(tabellen_, titel="Jaarverantwoording", moment=datetime(2027, 1, 1, tzinfo=UTC))
        != eerste
    )
    boek = werkboek(eerste)
    assert boek.properties.title == "Jaarverantwoording"
    assert boek.properties.created == boek.properties.modified == datetime(2026, 3, 31, 14, 30)
    with zipfile.ZipFile(io.BytesIO(eerste)) as archief:
        # 14:30 UTC is 16:30 in Amsterdam (summer time).
        assert {i.date_time for i in archief.infolist()} == {(2026, 3, 31, 16, 30, 0)}


def test_xlsx_without_tables_is_still_a_workbook() -> None:
    boek = werkboek(xlsx_bytes([], titel="Leeg", moment=MOMENT))
    assert boek.sheetnames == ["Rapport"]


def in_xlsx(tekst: str) -> str:
    """Text as a worksheet keeps it: LF line breaks, no other control characters."""
    return ILLEGAL_CHARACTERS_RE.sub("", tekst.replace("\r\n", "\n").replace("\r", "\n"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(t=tabellen())
def test_any_table_round_trips_through_xlsx(t: dict[str, Any]) -> None:
    blad = werkboek(xlsx_bytes([t], titel="J", moment=MOMENT)).active
    assert blad is not None
    soorten = [k["soort"] for k in t["kolommen"]]
    breedte = len(soorten)
    verwachte_rijen = verwacht(t)
    # A worksheet does not store trailing empty rows or cells; pad them back.
    regels = [list(r) + [None] * (breedte - len(r)) for r in blad.iter_rows(values_only=True)]
    regels += [[None] * breedte] * (1 + len(verwachte_rijen) - len(regels))
    assert [uit_xlsx(v, "tekst") for v in regels[0]] == [in_xlsx(k["titel"]) for k in t["kolommen"]]
    terug = [[uit_xlsx(v, s) for v, s in zip(r, soorten, strict=True)] for r in regels[1:]]
    schoon = [
        [in_xlsx(v) if s == "tekst" else v for v, s in zip(r, soorten, strict=True)]
        for r in verwachte_rijen
    ]
    assert terug == schoon
    assert all(c.data_type != "f" for rij in blad.iter_rows() for c in rij)


# --- SiSa ---------------------------------------------------------------------------------


def beschikking(**extra: Any) -> dict[str, Any]:
    rij = {
        "regeling": "Nationaal Programma Leefbaarheid en Veiligheid",
        "kenmerk": "NPLV-2024-0042",
        "ontvanger": "Gemeente Utrecht",
        "gemeentecode": "GM0344",
        "jaar": 2025,
        "verleend": "1500000.00",
        "ontvangen": "750000.00",
        "besteed_jaar": "310000.55",
        "besteed_cumulatief": "480000.10",
        "overloop": "270000.00",
        "eindverantwoording": False,
    }
    rij.update(extra)
    return rij


def test_sisa_has_the_annex_columns_one_line_per_grant_and_an_exact_total() -> None:
    rijen = [
        beschikking(),
        beschikking(
            kenmerk="NPLV-2024-0043",
            ontvanger="Gemeente 's-Hertogenbosch",
            gemeentecode="796",
            verleend="0.10",
            ontvangen="0.20",
            besteed_jaar="-0.05",
            besteed_cumulatief="0.3",
            overloop="0",
            eindverantwoording=True,
        ),
    ]
    regels = lees_csv(sisa_csv(rijen))
    assert regels[0] == list(SISA_KOLOMMEN)
    assert regels[1] == [
        "Nationaal Programma Leefbaarheid en Veiligheid",
        "NPLV-2024-0042",
        "Gemeente Utrecht",
        "GM0344",
        "2025",
        "1500000.00",
        "750000.00",
        "310000.55",
        "480000.10",
        "270000.00",
        "Nee",
    ]
    assert regels[2][2:5] == ["Gemeente 's-Hertogenbosch", "GM0796", "2025"]
    assert regels[2][5:] == ["0.10", "0.20", "-0.05", "0.30", "0.00", "Ja"]
    assert regels[3] == [
        "Totaal",
        "",
        "",
        "",
        "",
        "1500000.10",
        "750000.20",
        "310000.50",
        "480000.40",
        "270000.00",
        "",
    ]
    assert len(regels) == 4


def test_sisa_takes_several_municipalities_and_leaves_unknown_amounts_empty() -> None:
    rijen = [
        beschikking(gemeentecode="GM0344, 363;gm0796", besteed_jaar=None),
        beschikking(gemeentecode=["GM0599", "14"], overloop=None),
        beschikking(gemeentecode=""),
    ]
    regels = lees_csv(sisa_csv(rijen))
    assert [r[3] for r in regels[1:4]] == ["GM0344, GM0363, GM0796", "GM0599, GM0014", ""]
    assert regels[1][7] == "" and regels[2][9] == ""
    assert regels[4][7] == "620001.10" and regels[4][9] == "540000.00"


def test_sisa_neutralises_text_and_refuses_a_wrong_municipality_code() -> None:
    regels = lees_csv(sisa_csv([beschikking(kenmerk="=1+1", ontvanger="@bad")]))
    assert regels[1][1:3] == ["'=1+1", "'@bad"]
    with pytest.raises(ValueError, match="gemeentecode"):
        sisa_csv([beschikking(gemeentecode="PV26")])
    with pytest.raises(ValueError):
        sisa_csv([beschikking(verleend="veel")])


def test_sisa_without_grants_is_a_header_and_a_zero_total() -> None:
    assert lees_csv(sisa_csv([]))[1] == ["Totaal", "", "", "", "", *["0.00"] * 5, ""]


# --- Zip ----------------------------------------------------------------------------------


def test_zip_holds_every_table_as_csv_and_is_byte_identical() -> None:
    tabellen_ = [financien(), financien(naam="financien_themas"), financien(naam="../gevaar lijk")]
    inhoud = zip_csv(tabellen_, moment=MOMENT)
    assert zip_csv(tabellen_, moment=MOMENT) == inhoud
    with zipfile.ZipFile(io.BytesIO(inhoud)) as archief:
        assert archief.namelist() == [
            "financien_themas.csv",
            "financien_themas-2.csv",
            "gevaar_lijk.csv",
        ]
        assert archief.read("financien_themas.csv") == csv_bytes(tabellen_[0])
        assert {i.date_time for i in archief.infolist()} == {(2026, 3, 31, 16, 30, 0)}
        assert archief.testzip() is None
