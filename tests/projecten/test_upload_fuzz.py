"""Fuzzing the partner upload (projecten:metingen and the reader behind it in
projecten/spreadsheets.py) with hypothesis: random bytes, random CSV text, workbooks
with random cells (NaN, infinities, huge numbers, formulas, dates, booleans, empty) and
damaged XLSX files (a zip of garbage, a truncated or bit-flipped workbook, a part
replaced by junk).

Whatever arrives, the reader either returns rows and cell errors that account for
every filled-in row, or refuses the file as a whole with ``OngeldigBestand``: no other
exception escapes, every message is a readable Dutch sentence, and a refused upload
through the page saves nothing (no measurement, no audit row).
"""

import csv
import io
import math
import re
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from programma.models import Auditregel
from projecten import spreadsheets
from projecten.models import Meting
from projecten.spreadsheets import KOLOMMEN, Ingelezen, OngeldigBestand

# Damaged files make openpyxl warn (no stylesheet, a date out of range); that is expected.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:openpyxl")

SNEL = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
TRAAG = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

# The ids the fuzzed files may name: two of the project, the rest unknown.
INDICATOREN = {11: "Huishoudens", 12: "Deelnemers"}

# What a message to a partner must not look like: a Python exception leaking through.
LEK = re.compile(r"Traceback|Error\b|Exception|object at 0x|NoneType|\bFile \"")
NEDERLANDS = re.compile(
    r"\b(het|de|een|geen|is|niet|vul|dit|bestand|cel|getal|periode|waarde|kolom)\b", re.I
)


def duidelijk(melding: str) -> None:
    """A message a partner can act on: Dutch, not empty, no exception text."""
    assert melding.strip(), "lege melding"
    assert not LEK.search(melding), melding
    assert NEDERLANDS.search(melding), f"geen Nederlandse zin: {melding!r}"


def lezen(inhoud: bytes) -> Ingelezen[str] | None:
    """Read ``inhoud`` as the upload page does; None when the file is refused as a whole,
    after checking the refusal is a clear Dutch message."""
    with translation.override("nl"):
        try:
            ingelezen = spreadsheets.lees_metingen(inhoud, INDICATOREN)
        except OngeldigBestand as fout:
            duidelijk(str(fout))
            return None
    for celfout in ingelezen.fouten:
        duidelijk(celfout.melding)
        assert celfout.kolom in ("", *KOLOMMEN)
        assert celfout.rij >= 2
    for regel in ingelezen.regels:
        assert isinstance(regel.waarde, Decimal) and regel.waarde.is_finite()
        assert regel.indicator in INDICATOREN.values()
    return ingelezen


def geldige_werkmap() -> bytes:
    """A small filled-in workbook as the template makes it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = spreadsheets.BLAD
    ws.append(list(KOLOMMEN))
    ws.append([11, "Huishoudens", "aantal", "2025-K2", 12.5, "toelichting", "bron"])
    ws.append([12, "Deelnemers", "aantal", "2025-K3", "7,25", None, None])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


GELDIG = geldige_werkmap()
ONDERDELEN = [i.filename for i in zipfile.ZipFile(io.BytesIO(GELDIG)).infolist()]


# --- cells ------------------------------------------------------------------------------------

celwaarden = st.one_of(
    st.none(),
    st.just(""),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**15, -(10**15), 2**53 + 1, 1e308, -1e308, 5e-324]),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=4, max_value=10**9, min_value=-(10**9)
    ),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.times(),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=1000)),
    st.sampled_from(
        [
            "=1+1",
            "=SUM(A1:A2)",
            "+31 20 123 4567",
            "-",
            '@HYPERLINK("x")',
            "12,5",
            "1.234,5",
            "1,234.5",
            "1.234.567",
            "€ 12",
            "12%",
            "NaN",
            "inf",
            "1e999",
            "2025-K3",
            "2025-k4",
            "2025-13",
            "  ",
            "\u2212 3",
            "1\n2",
            "12,5\r\n",
        ]
    ),
    st.text(max_size=30),
)


@st.composite
def werkmappen(draw: st.DrawFn) -> tuple[bytes, int]:
    """A workbook with the template's header (columns shuffled, some missing or extra)
    and rows of random cells; with the number of rows whose 'waarde' is filled in."""
    kolommen = draw(st.permutations(KOLOMMEN))
    kolommen = [k for k in kolommen if k in spreadsheets.VERPLICHT or draw(st.booleans())]
    if draw(st.integers(0, 9)) == 0:
        kolommen.remove(draw(st.sampled_from(kolommen)))
    if draw(st.booleans()):
        kolommen.insert(draw(st.integers(0, len(kolommen))), draw(st.text(max_size=8)))
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = draw(st.sampled_from([spreadsheets.BLAD, "Blad1"]))
    ws.append([in_cel(k) for k in kolommen])
    for _ in range(draw(st.integers(0, 6))):
        rij = []
        for kolom in kolommen:
            if kolom == "indicator_id" and draw(st.booleans()):
                rij.append(draw(st.sampled_from([11, 12, 11.0, "12", 99])))
            elif kolom == "periode" and draw(st.booleans()):
                rij.append(draw(st.sampled_from(["2025-K2", "2025", "2025-06", 2025])))
            else:
                rij.append(draw(celwaarden))
        ws.append([in_cel(w) for w in rij])
        if draw(st.integers(0, 5)) == 0:
            cel = ws.cell(row=ws.max_row, column=draw(st.integers(1, len(kolommen))))
            cel.number_format = draw(st.sampled_from(["0.0%", "0%", '"%"0', "dd-mm-yyyy", "@"]))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), ws.max_row - 1


def in_cel(waarde: object) -> object:
    """``waarde`` as a workbook can hold it: control characters cannot be stored in XLSX,
    so a writer never produces them."""
    return ILLEGAL_CHARACTERS_RE.sub("", waarde) if isinstance(waarde, str) else waarde


def ingevuld(ingelezen: Ingelezen[str]) -> int:
    """Rows accounted for: read, or with at least one cell error."""
    return len(ingelezen.regels) + len({f.rij for f in ingelezen.fouten})


@SNEL
@given(werkmap=werkmappen())
def test_random_cells_in_a_workbook_are_read_or_named_never_a_crash(werkmap):
    inhoud, rijen = werkmap
    ingelezen = lezen(inhoud)
    if ingelezen is not None:
        assert ingevuld(ingelezen) <= rijen
        assert len({r.rij for r in ingelezen.regels}) == len(ingelezen.regels)
        assert not {r.rij for r in ingelezen.regels} & {f.rij for f in ingelezen.fouten}


@SNEL
@given(waarde=celwaarden)
def test_every_filled_in_cell_value_gives_a_row_or_an_error_in_that_row(waarde):
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(KOLOMMEN))
    waarde = in_cel(waarde)
    ws.append([11, "Huishoudens", "aantal", "2025-K2", waarde, None, None])
    buffer = io.BytesIO()
    wb.save(buffer)
    ingelezen = lezen(buffer.getvalue())
    assert ingelezen is not None
    # openpyxl writes text starting with '=' as a formula without a cached result; a
    # reader that never evaluates formulas sees no value there, so the row is skipped.
    # openpyxl writes a non-finite float as an empty cell (Excel has none); the raw cells
    # of test_raw_cell_xml_is_read_or_named_never_a_crash do reach the reader.
    formule = isinstance(waarde, str) and waarde.startswith("=")
    oneindig = isinstance(waarde, float) and not math.isfinite(waarde)
    leeg = waarde is None or (isinstance(waarde, str) and not waarde.strip())
    leeg = leeg or formule or oneindig
    if leeg:
        assert ingevuld(ingelezen) == 0
    else:
        assert ingevuld(ingelezen) == 1, (waarde, ingelezen)
    if isinstance(waarde, date | time | timedelta | bool):
        assert [f.kolom for f in ingelezen.fouten] == ["waarde"]


def met_cel(soort: str, inhoud: str) -> bytes:
    """The valid workbook with cell E2 ('waarde') replaced by raw XML: a cell of type
    ``soort`` holding ``inhoud`` as written, whatever a spreadsheet program would allow."""
    origineel = zipfile.ZipFile(io.BytesIO(GELDIG))
    onderdelen = {naam: origineel.read(naam) for naam in ONDERDELEN}
    blad = next(n for n in ONDERDELEN if n.startswith("xl/worksheets/sheet"))
    xml = onderdelen[blad].decode()
    begin = xml.index('<c r="E2"')
    einde = xml.index("</c>", begin) + len("</c>")
    tekst = inhoud.replace("&", "&amp;").replace("<", "&lt;")
    if soort == "inlineStr":
        cel = f'<c r="E2" t="inlineStr"><is><t>{tekst}</t></is></c>'
    else:
        cel = f'<c r="E2" t="{soort}"><v>{tekst}</v></c>'
    onderdelen[blad] = (xml[:begin] + cel + xml[einde:]).encode()
    return zip_van(onderdelen)


@SNEL
@given(
    soort=st.sampled_from(["n", "s", "str", "b", "e", "d", "inlineStr", "x"]),
    inhoud=st.one_of(
        st.sampled_from(
            [
                "NaN",
                "INF",
                "-inf",
                "1e999",
                "-1E-999",
                "1e308",
                "99999999999999999999999",
                "0",
                "12.5",
                "1",
                "2",
                "#DIV/0!",
                "2025-06-30T00:00:00",
                "2025-13-45",
                "",
                " ",
                "-0",
            ]
        ),
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
    ),
)
@example(soort="n", inhoud="NaN")
@example(soort="n", inhoud="1e999")
@example(soort="d", inhoud="kapot")
@example(soort="s", inhoud="999")
def test_raw_cell_xml_is_read_or_named_never_a_crash(soort, inhoud):
    ingelezen = lezen(met_cel(soort, inhoud))
    if ingelezen is not None:
        assert ingevuld(ingelezen) <= 2


# --- CSV --------------------------------------------------------------------------------------

csvtekst = st.text(st.characters(codec="utf-8") | st.sampled_from(list(';,"\r\n\t')), max_size=80)


@st.composite
def csv_bestanden(draw: st.DrawFn) -> tuple[bytes, int]:
    scheidingsteken = draw(st.sampled_from([";", ","]))
    kolommen = list(draw(st.permutations(KOLOMMEN)))
    rijen = [
        [draw(celwaarden.map(lambda w: "" if w is None else str(w))) for _ in kolommen]
        for _ in range(draw(st.integers(0, 6)))
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=scheidingsteken).writerows([kolommen, *rijen])
    tekst = draw(st.sampled_from(["", "\ufeff"])) + buffer.getvalue()
    return tekst.encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-16"]))), len(rijen)


@SNEL
@given(bestand=csv_bestanden())
def test_a_csv_with_random_cells_is_read_or_refused_with_a_dutch_reason(bestand):
    inhoud, rijen = bestand
    ingelezen = lezen(inhoud)
    if ingelezen is not None:
        assert ingevuld(ingelezen) <= rijen


@SNEL
@given(tekst=csvtekst, kop=st.sampled_from(["", "indicator_id;periode;waarde\n"]))
@example(tekst='"open aanhalingsteken\n', kop="indicator_id,periode,waarde\n")
@example(tekst="11;2025-K2;" + "9" * 5000 + "\n", kop="indicator_id;periode;waarde\n")
@example(tekst="11;2025-K2;" + "x" * 200_000 + "\n", kop="indicator_id;periode;waarde\n")
def test_random_csv_text_never_crashes_the_reader(tekst, kop):
    lezen((kop + tekst).encode())


@SNEL
@given(inhoud=st.binary(max_size=2000))
@example(inhoud=b"\x00" * 10)
@example(inhoud=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest")
@example(inhoud=b"PK\x03\x04")
@example(inhoud="\ufeff".encode())  # found by the fuzzer: no rows at all crashed the reader
@example(inhoud=b"\xff\xfe" + "indicator_id".encode("utf-16-le"))
def test_random_bytes_never_crash_the_reader(inhoud):
    lezen(inhoud)


# --- damaged XLSX ----------------------------------------------------------------------------


def zip_van(onderdelen: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archief:
        for naam, inhoud in onderdelen.items():
            archief.writestr(naam, inhoud)
    return buffer.getvalue()


@st.composite
def beschadigde_werkmappen(draw: st.DrawFn) -> bytes:
    soort = draw(st.sampled_from(["afgekapt", "bitfout", "onderdeel", "rommelzip", "prefix"]))
    if soort == "afgekapt":
        return GELDIG[: draw(st.integers(4, len(GELDIG) - 1))]
    if soort == "bitfout":
        inhoud = bytearray(GELDIG)
        for _ in range(draw(st.integers(1, 8))):
            inhoud[draw(st.integers(4, len(inhoud) - 1))] ^= draw(st.integers(1, 255))
        return bytes(inhoud)
    if soort == "prefix":
        return b"PK\x03\x04" + draw(st.binary(max_size=500))
    origineel = zipfile.ZipFile(io.BytesIO(GELDIG))
    onderdelen = {naam: origineel.read(naam) for naam in ONDERDELEN}
    rommel = st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(str.encode),
        st.sampled_from(
            [
                b"<?xml version='1.0'?><worksheet/>",
                b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
                b"<workbook xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
                b"<sheets><sheet name='Metingen' sheetId='1' r:id='rId9' "
                b"xmlns:r='http://schemas.openxmlformats.org/officeDocument/2006/relationships'/>"
                b"</sheets></workbook>",
                b"",
            ]
        ),
    )
    if soort == "onderdeel":
        for naam in draw(
            st.lists(st.sampled_from(ONDERDELEN), min_size=1, max_size=3, unique=True)
        ):
            if draw(st.booleans()):
                onderdelen[naam] = draw(rommel)
            else:
                del onderdelen[naam]
        return zip_van(onderdelen)
    namen = draw(
        st.lists(
            st.sampled_from([*ONDERDELEN, "mimetype", "content.xml"])
            | st.from_regex(r"[a-z][a-z0-9_.\[\]]{0,11}(/[a-z0-9_.]{1,8})?", fullmatch=True),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    return zip_van({naam: draw(rommel) for naam in namen})


@SNEL
@given(inhoud=beschadigde_werkmappen())
@example(inhoud=zip_van({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}))
@example(inhoud=zip_van({"xl/workbook.xml": b"kapot"}))
def test_a_damaged_xlsx_is_refused_with_a_dutch_reason_never_a_crash(inhoud):
    lezen(inhoud)


# --- through the page: a refused upload saves nothing ----------------------------------------


@pytest.mark.django_db
@TRAAG
@given(
    inhoud=st.one_of(
        st.binary(max_size=400),
        beschadigde_werkmappen(),
        csv_bestanden().map(lambda b: b[0]),
        werkmappen().map(lambda w: w[0]),
    ),
    naam=st.sampled_from(["metingen.xlsx", "metingen.csv", "foto.png", "zonder-extensie"]),
)
def test_a_fuzzed_upload_through_the_page_is_stored_whole_or_not_at_all(
    client, project, indicator, partner_medewerker, inhoud, naam
):
    client.force_login(partner_medewerker)
    metingen, audit = Meting.objects.count(), Auditregel.objects.count()
    response = client.post(
        reverse("projecten:metingen", args=[project.pk]),
        {"bestand": SimpleUploadedFile(naam, inhoud)},
    )
    if response.status_code == 302:
        # Only a file whose every filled-in row was valid gets through (the fuzzed files
        # name the ids 11 and 12, which the fixture's indicator may have).
        assert Meting.objects.count() > metingen
        assert Auditregel.objects.count() > audit
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert Meting.objects.count() == metingen
    assert Auditregel.objects.count() == audit


@pytest.mark.django_db
def test_a_value_with_a_line_break_is_an_error_in_its_cell_not_a_server_error(
    client, project, indicator, partner_medewerker
):
    """Found by the fuzzer: a quoted line break in the value cell crashed the number
    reader. It is now refused in its cell, with the page's error summary."""
    client.force_login(partner_medewerker)
    inhoud = f'indicator_id;periode;waarde\n{indicator.pk};2025-K2;"1\n2"\n'.encode()
    response = client.post(
        reverse("projecten:metingen", args=[project.pk]),
        {"bestand": SimpleUploadedFile("metingen.csv", inhoud)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is geen getal" in html
    assert not Meting.objects.exists()
