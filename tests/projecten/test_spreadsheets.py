"""The measurement template and reading it back, without HTTP or a database: what a
partner downloads, and what becomes of what they type into it."""

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet

from programma.perioden import parse_periode, perioden_tussen
from projecten.spreadsheets import (
    KOLOMMEN,
    Celfout,
    Indicatorkop,
    OngeldigBestand,
    Onleesbaar,
    Sjabloonregel,
    getal_uit_cel,
    kolom_van_veld,
    lees_metingen,
    parse_getal,
    sjabloon_csv,
    sjabloon_xlsx,
    sjabloonregels,
)

HUISHOUDENS = Indicatorkop(id=11, naam="Huishoudens met een betalingsregeling", eenheid="aantal")
TEVREDEN = Indicatorkop(id=12, naam="Deelnemers die zich gesteund voelen", eenheid="percentage")
CIJFER = Indicatorkop(id=13, naam="Rapportcijfer veiligheid", eenheid="score")
INDICATOREN = {i.id: i for i in (HUISHOUDENS, TEVREDEN, CIJFER)}


def regels(*paren: tuple[Indicatorkop, str]) -> list[Sjabloonregel]:
    return [Sjabloonregel(i.id, i.naam, i.eenheid, periode) for i, periode in paren]


def werkmap(inhoud: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(inhoud))


def blad(wb: openpyxl.Workbook, naam: str = "Metingen") -> Worksheet:
    ws = wb[naam]
    assert isinstance(ws, Worksheet)
    return ws


def xlsx(rijen: list[list[object]], opmaak: dict[str, str] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    for rij in rijen:
        ws.append(rij)
    for cel, formaat in (opmaak or {}).items():
        ws[cel].number_format = formaat
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rijen: list[list[str]], scheidingsteken: str = ";", bom: bool = True) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=scheidingsteken, lineterminator="\r\n").writerows(rijen)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


KOP = list(KOLOMMEN)


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tekst", "verwacht"),
    [
        ("12,5", "12.5"),
        ("12.5", "12.5"),
        ("  7 ", "7"),
        ("-3,25", "-3.25"),
        ("+4", "4"),
        ("\u22124,5", "-4.5"),  # the minus sign a word processor puts in
        (",5", "0.5"),
        ("0,0001", "0.0001"),
        ("12,50", "12.50"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1.234.567", "1234567"),
        ("1,234,567.5", "1234567.5"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),
        ("€ 1.250,00", "1250.00"),
        ("-€ 5", "-5"),
        ("12,5%", "12.5"),
        ("12,5 %", "12.5"),
        # One separator is always the decimal separator, also before three digits.
        ("1.234", "1.234"),
        ("1,234", "1.234"),
    ],
)
def test_numbers_are_read_as_partners_type_them(tekst, verwacht):
    gelezen = parse_getal(tekst)
    assert gelezen == Decimal(verwacht)
    assert str(gelezen) == verwacht


@pytest.mark.parametrize(
    "tekst",
    [
        "",
        "abc",
        "12 5",
        "1,2,3",
        "1.234.5",
        "1.234,567.8",
        "1e5",
        "NaN",
        "Infinity",
        "--1",
        "+-1",
        "5-",
        "€",
        "%",
    ],
)
def test_what_is_not_a_number_is_refused_in_dutch(tekst):
    with pytest.raises(Onleesbaar, match="geen getal"):
        parse_getal(tekst)


getallen = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-(10**14), max_value=10**14, places=4
) | st.decimals(allow_nan=False, allow_infinity=False)


@given(getallen)
def test_dutch_and_english_decimals_round_trip_exactly(getal):
    engels = f"{getal:f}"
    nederlands = engels.replace(".", ",")
    for tekst in (engels, nederlands):
        gelezen = parse_getal(tekst)
        assert gelezen == getal
        assert f"{gelezen:f}" == engels  # the same digits and decimal places, not just the value


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15, places=2
    )
)
def test_grouped_thousands_round_trip_exactly(getal):
    engels = f"{getal:,f}"
    # "1,234" alone is one point two three four: grouping is read only where unambiguous.
    assume(not (engels.lstrip("-").count(",") == 1 and "." not in engels))
    nederlands = engels.translate(str.maketrans(",.", ".,"))
    assert parse_getal(engels) == getal
    assert parse_getal(nederlands) == getal


def test_spreadsheet_numbers_become_the_decimal_that_was_typed_never_a_binary_float():
    assert getal_uit_cel(0.1) == Decimal("0.1")
    assert str(getal_uit_cel(12.3)) == "12.3"
    assert getal_uit_cel(7) == Decimal(7)
    assert getal_uit_cel(None) is None
    assert getal_uit_cel("  ") is None


@pytest.mark.parametrize(
    ("waarde", "melding"),
    [
        (float("nan"), "eindig getal"),
        (float("inf"), "eindig getal"),
        (Decimal("NaN"), "eindig getal"),
        (Decimal("-Infinity"), "eindig getal"),
        (True, "waar/onwaar"),
        (datetime(2025, 7, 1), "datum"),
        (date(2025, 7, 1), "datum"),
    ],
)
def test_cells_that_hold_no_finite_number_are_refused(waarde, melding):
    with pytest.raises(Onleesbaar, match=melding):
        getal_uit_cel(waarde)


# --- the template ----------------------------------------------------------------------------


def test_template_has_a_row_per_open_period_and_indicator_a_round_at_a_time():
    perioden = perioden_tussen(date(2025, 3, 15), date(2025, 12, 31), "kwartaal")
    uitkomst = sjabloonregels(
        [HUISHOUDENS, TEVREDEN],
        perioden,
        bezet={(11, "2025-K1"), (12, "2025-K3")},
        vergrendeld=[parse_periode("2025-05")],  # a locked month closes its quarter
    )
    assert [(r.indicator_id, r.periode) for r in uitkomst] == [
        (12, "2025-K1"),
        (11, "2025-K3"),
        (11, "2025-K4"),
        (12, "2025-K4"),
    ]
    assert uitkomst[0] == Sjabloonregel(12, TEVREDEN.naam, "percentage", "2025-K1")


def test_csv_template_opens_in_dutch_excel_and_prefills_id_indicator_unit_and_period():
    inhoud = sjabloon_csv(regels((HUISHOUDENS, "2025-K3"), (TEVREDEN, "2025-K3")))
    assert inhoud.startswith("\ufeff".encode())
    tekst = inhoud.decode("utf-8-sig")
    assert tekst.splitlines() == [
        "indicator_id;indicator;eenheid;periode;waarde;toelichting;bron",
        "11;Huishoudens met een betalingsregeling;aantal;2025-K3;;;",
        "12;Deelnemers die zich gesteund voelen;percentage;2025-K3;;;",
    ]


def test_a_name_that_looks_like_a_formula_stays_text_in_both_templates():
    sluw = Indicatorkop(id=5, naam='=HYPERLINK("https://example.org","klik")', eenheid="aantal")
    regel = regels((sluw, "2025"))
    assert "'=HYPERLINK" in sjabloon_csv(regel).decode("utf-8-sig")
    cel = blad(werkmap(sjabloon_xlsx(regel, project="p")))["B2"]
    assert cel.data_type == "s"
    assert cel.value == sluw.naam


def test_xlsx_template_is_laid_out_for_filling_in():
    inhoud = sjabloon_xlsx(
        regels(
            (HUISHOUDENS, "2025-K3"),
            (TEVREDEN, "2025-K3"),
            (CIJFER, "2025-K3"),
            (HUISHOUDENS, "2025-K4"),
        ),
        project="keukentafel Schuldhulp aan de keukentafel",
    )
    wb = werkmap(inhoud)
    assert wb.sheetnames == ["Metingen", "Uitleg"]
    ws = blad(wb)
    assert [c.value for c in ws[1]] == KOP
    assert [[c.value for c in rij] for rij in ws.iter_rows(min_row=2)] == [
        [11, HUISHOUDENS.naam, "aantal", "2025-K3", None, None, None],
        [12, TEVREDEN.naam, "percentage", "2025-K3", None, None, None],
        [13, CIJFER.naam, "score", "2025-K3", None, None, None],
        [11, HUISHOUDENS.naam, "aantal", "2025-K4", None, None, None],
    ]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 48
    assert ws.column_dimensions["F"].width == 50
    # The pre-filled columns are grey and say so; the ones to fill in are not.
    assert ws["A1"].comment is not None and "niet wijzigen" in ws["A1"].comment.text
    assert ws["E1"].comment is None
    assert ws["B2"].fill.fgColor.rgb.endswith("F2F2F2")
    assert ws["E2"].fill.fill_type is None
    assert ws["D2"].number_format == "@"  # Excel must not turn 2025-07 into a date
    controles = {
        (dv.operator, dv.formula1, dv.formula2): str(dv.sqref)
        for dv in ws.data_validations.dataValidation
    }
    assert all(dv.type == "decimal" and dv.allow_blank for dv in ws.data_validations.dataValidation)
    assert controles == {
        ("greaterThanOrEqual", "0", None): "E2 E5",
        ("between", "0", "100"): "E3",
        ("between", "-999999999999", "999999999999"): "E4",
    }
    uitleg = [c.value for c in blad(wb, "Uitleg")["A"] if c.value]
    assert uitleg[0] == "Metingen indienen: keukentafel Schuldhulp aan de keukentafel"
    assert any("overgeslagen" in regel for regel in uitleg)


# --- reading a filled-in template ------------------------------------------------------------


def test_filled_in_xlsx_template_is_read_exactly_and_empty_values_are_skipped():
    sjabloon = sjabloon_xlsx(
        regels(
            (HUISHOUDENS, "2025-K3"),
            (TEVREDEN, "2025-K3"),
            (CIJFER, "2025-K3"),
            (HUISHOUDENS, "2025-K4"),
        ),
        project="p",
    )
    wb = werkmap(sjabloon)
    ws = blad(wb)
    ws["E2"], ws["F2"], ws["G2"] = 0.1, "Via de buurtcoach", "Registratie"
    ws["E3"] = "66,7"
    ws["E5"] = 40
    buffer = io.BytesIO()
    wb.save(buffer)

    uitslag = lees_metingen(buffer.getvalue(), INDICATOREN)

    assert uitslag.fouten == []
    assert [
        (r.rij, r.indicator, r.periode, r.waarde, r.toelichting, r.bron) for r in uitslag.regels
    ] == [
        (2, HUISHOUDENS, "2025-K3", Decimal("0.1"), "Via de buurtcoach", "Registratie"),
        (3, TEVREDEN, "2025-K3", Decimal("66.7"), "", ""),
        (5, HUISHOUDENS, "2025-K4", Decimal("40"), "", ""),
    ]


def test_semicolon_csv_with_bom_and_dutch_decimal_comma():
    inhoud = csv_bytes(
        [KOP, ["11", "x", "aantal", "2025-K3", "12,5", "Toelichting; met puntkomma", "Bron"]]
    )
    [regel] = lees_metingen(inhoud, INDICATOREN).regels
    assert (regel.rij, regel.waarde, regel.toelichting) == (
        2,
        Decimal("12.5"),
        "Toelichting; met puntkomma",
    )


def test_comma_csv_without_bom_with_quoted_decimal_comma_and_a_multiline_explanation():
    inhoud = csv_bytes(
        [
            KOP,
            ["12", "", "", "2025-k3", "7,25", "Eerste regel\nTweede regel", ""],
            ["11", "", "", "2025", "3", "", ""],
        ],
        scheidingsteken=",",
        bom=False,
    )
    uitslag = lees_metingen(inhoud, INDICATOREN)
    assert [
        (r.rij, r.indicator.id, r.periode, r.waarde, r.toelichting) for r in uitslag.regels
    ] == [
        (2, 12, "2025-K3", Decimal("7.25"), "Eerste regel\nTweede regel"),
        (3, 11, "2025", Decimal("3"), ""),
    ]


def test_columns_are_found_by_name_in_any_order():
    inhoud = csv_bytes(
        [["Waarde", "Periode", "Indicator_ID", "extra"], ["5", "2025-K4", "13", "genegeerd"]]
    )
    [regel] = lees_metingen(inhoud, INDICATOREN).regels
    assert (regel.indicator, regel.periode, regel.waarde) == (CIJFER, "2025-K4", Decimal(5))


def test_every_bad_cell_is_named_by_row_and_column():
    inhoud = csv_bytes(
        [
            KOP,
            ["11", "", "", "2025-K3", "12", "", ""],
            ["999", "", "", "2025-K3", "1", "", ""],  # not an indicator of this project
            ["elf", "", "", "2025-K3", "1", "", ""],
            ["12", "", "", "2025-K9", "1", "", ""],
            ["12", "", "", "2025-K4", "twaalf", "", ""],
            ["", "", "", "", "1,2,3", "", ""],  # a row can hold several errors
        ]
    )
    uitslag = lees_metingen(inhoud, INDICATOREN)
    assert [r.rij for r in uitslag.regels] == [2]
    assert [(f.rij, f.kolom, f.cel) for f in uitslag.fouten] == [
        (3, "indicator_id", "A3"),
        (4, "indicator_id", "A4"),
        (5, "periode", "D5"),
        (6, "waarde", "E6"),
        (7, "indicator_id", "A7"),
        (7, "periode", "D7"),
        (7, "waarde", "E7"),
    ]
    meldingen = {f.rij: f.melding for f in uitslag.fouten}
    assert meldingen[3] == "Indicator 999 hoort niet bij dit project."
    assert meldingen[5].startswith("Ongeldige periode '2025-K9'")
    assert meldingen[6].startswith("'twaalf' is geen getal.")


def test_rows_without_a_value_are_skipped_whatever_else_they_hold():
    inhoud = csv_bytes(
        [
            KOP,
            ["rommel", "", "", "geen periode", "", "toelichting", ""],
            ["", "", "", "", "", "", ""],
        ]
    )
    uitslag = lees_metingen(inhoud, INDICATOREN)
    assert (uitslag.regels, uitslag.fouten) == ([], [])


def test_a_cell_formatted_as_percentage_is_read_as_the_partner_sees_it():
    inhoud = xlsx([KOP, [12, None, None, "2025-K3", 0.125]], opmaak={"E2": "0.0%"})
    [regel] = lees_metingen(inhoud, INDICATOREN).regels
    assert regel.waarde == Decimal("12.5")


def test_a_year_typed_as_a_number_is_a_period_but_a_date_is_not():
    inhoud = xlsx([KOP, [11, None, None, 2025, 4], [11, None, None, datetime(2025, 7, 1), 4]])
    uitslag = lees_metingen(inhoud, INDICATOREN)
    assert [(r.rij, r.periode) for r in uitslag.regels] == [(2, "2025")]
    assert uitslag.fouten == [
        Celfout(
            rij=3,
            kolom="periode",
            cel="D3",
            melding="Excel heeft de periode in een datum veranderd; typ de periode als tekst, bijvoorbeeld 2025-K3.",
        )
    ]


def test_a_header_without_the_required_columns_is_refused_as_a_whole():
    with pytest.raises(OngeldigBestand, match="mist de kolom\\(men\\) indicator_id, waarde"):
        lees_metingen(csv_bytes([["periode", "aantal"], ["2025", "3"]]), INDICATOREN)


def test_too_many_filled_in_rows_are_refused():
    rijen = [KOP] + [["11", "", "", "2025", "1", "", ""]] * 4
    with pytest.raises(OngeldigBestand, match="meer dan 3 ingevulde regels"):
        lees_metingen(csv_bytes(rijen), INDICATOREN, max_regels=3)


def zip_met(*namen: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archief:
        for naam in namen:
            archief.writestr(
                naam,
                "application/vnd.oasis.opendocument.spreadsheet" if naam == "mimetype" else "x",
            )
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("inhoud", "melding"),
    [
        (b"", "leeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "geen XLSX-bestand en geen CSV-bestand in UTF-8"),
        ("indicator_id;periode;waarde\r\n11;2025;café".encode("cp1252"), "CSV UTF-8"),
        ("indicator_id;periode;waarde".encode("utf-16"), "CSV UTF-8"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "oud Excel-bestand"),
        (zip_met("mimetype", "content.xml"), "OpenDocument"),
        (zip_met("word/document.xml", "[Content_Types].xml"), "geen spreadsheet"),
        (zip_met("xl/workbook.xml"), "beschadigd"),
        (sjabloon_xlsx([], project="p")[:2000], "beschadigd"),
        (b"%PDF-1.4 indicator", "mist de kolom"),
    ],
)
def test_a_file_that_is_no_readable_spreadsheet_gets_a_clear_dutch_message(inhoud, melding):
    with pytest.raises(OngeldigBestand, match=melding):
        lees_metingen(inhoud, INDICATOREN)


def test_service_fields_map_to_template_columns():
    assert kolom_van_veld("indicator") == "indicator_id"
    assert kolom_van_veld("waarde") == "waarde"
    assert kolom_van_veld("__all__") == ""
