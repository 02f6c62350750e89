"""A report's tables as files: CSV, XLSX, a zip of CSVs, and the SiSa annex.

The exports carry the figures of a report's snapshot (see :mod:`programma.tabellen`) in
machine-readable form, exactly: money and numbers as decimal strings with a dot
(``1234.50``) or as spreadsheet numbers written from Decimals, dates in ISO form or as
spreadsheet dates, yes/no as ``ja``/``nee``.

Conventions shared by every CSV (RFC 4180): UTF-8 with a byte order mark so Excel reads
the accents and the euro sign, commas, CRLF line ends, quotes only where needed, the
column titles on the first line and a table's total row last.

Text cells are neutralised against formula injection: a text that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return (possibly after apostrophes) gets an
apostrophe in front, so a spreadsheet shows it as text instead of evaluating it. The
rule is reversible: strip one leading apostrophe from a text that, after it, still
matches. Numeric columns keep their minus sign; their values are checked to be numbers.
In XLSX, text cells are stored as strings, never as formulas.

The same snapshot gives byte-identical files: the workbook's properties and every zip
entry carry the report's moment instead of the time of export.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from programma.opmaak import als_decimal, cel
from programma.tabellen import CENT

TIJDZONE = ZoneInfo("Europe/Amsterdam")
NUMERIEK = frozenset({"bedrag", "getal", "procent"})
NOTATIES = {"bedrag": '"€ "#,##0.00', "procent": '0.00"%"', "jaar": "0", "datum": "dd-mm-yyyy"}
MAX_CELTEKST = 32767

_TE_NEUTRALISEREN = re.compile(r"'*[=+\-@\t\r]")
_VERBODEN_IN_BLADNAAM = re.compile(r"[\[\]:*?/\\]")


def neutraliseer(tekst: str) -> str:
    """Text a spreadsheet shows as text: ``=SOM(A1)`` becomes ``'=SOM(A1)``."""
    return "'" + tekst if _TE_NEUTRALISEREN.match(tekst) else tekst


# --- CSV --------------------------------------------------------------------------------


def _csv_waarde(waarde: Any, soort: str) -> str:
    """A snapshot value as a CSV field."""
    if soort == "tekst":
        return neutraliseer("" if waarde is None else str(waarde))
    if soort == "ja_nee":
        return "" if waarde is None else ("ja" if waarde else "nee")
    if waarde is None:
        return ""
    if soort == "bedrag":
        return format(als_decimal(waarde).quantize(CENT), "f")
    if soort in NUMERIEK:
        return format(als_decimal(waarde), "f")
    if soort == "jaar":
        return str(int(waarde))
    if soort == "datum":
        return _datum(waarde).isoformat()
    raise ValueError(f"Onbekende kolomsoort: {soort!r}.")


def _datum(waarde: date | str) -> date:
    if isinstance(waarde, datetime):
        return waarde.date()
    return date.fromisoformat(waarde) if isinstance(waarde, str) else waarde


def csv_regels(regels: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(regels)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _rijen(tabel: dict[str, Any]) -> list[list[Any]]:
    """The table's rows with its total row, if any, last."""
    totaal = tabel.get("totaal")
    return [*tabel["rijen"], *([totaal] if totaal is not None else [])]


def csv_bytes(tabel: dict[str, Any]) -> bytes:
    """One snapshot table as a CSV file (see the module's conventions)."""
    soorten = [k["soort"] for k in tabel["kolommen"]]
    regels = [[neutraliseer(k["titel"]) for k in tabel["kolommen"]]]
    for rij in _rijen(tabel):
        regels.append([_csv_waarde(w, s) for w, s in zip(rij, soorten, strict=True)])
    return csv_regels(regels)


# --- Zip --------------------------------------------------------------------------------


def _zipmoment(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """The moment as a zip timestamp: Dutch local time, from 1980 on (zip's epoch)."""
    lokaal = moment.astimezone(TIJDZONE) if moment.tzinfo else moment
    lokaal = max(lokaal.replace(tzinfo=None), datetime(1980, 1, 1))
    return (lokaal.year, lokaal.month, lokaal.day, lokaal.hour, lokaal.minute, lokaal.second)


def _zip(bestanden: Iterable[tuple[str, bytes]], moment: datetime) -> bytes:
    """A zip of the files, every entry stamped with the moment and the same attributes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archief:
        for naam, inhoud in bestanden:
            info = zipfile.ZipInfo(naam, date_time=_zipmoment(moment))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archief.writestr(info, inhoud)
    return buffer.getvalue()


def _uniek(naam: str, gebruikt: set[str], maximum: int) -> str:
    """``naam``, or with a number added, so that it differs from all ``gebruikt``."""
    kandidaat, volgnummer = naam[:maximum], 1
    while kandidaat.casefold() in gebruikt:
        volgnummer += 1
        achtervoegsel = f" ({volgnummer})"
        kandidaat = naam[: maximum - len(achtervoegsel)].rstrip() + achtervoegsel
    gebruikt.add(kandidaat.casefold())
    return kandidaat


def zip_csv(tabellen: list[dict[str, Any]], *, moment: datetime) -> bytes:
    """All tables as CSV files in one zip, named after the tables (``financien_themas.csv``)."""
    gebruikt: set[str] = set()
    bestanden = []
    for tabel in tabellen:
        basis = re.sub(r"[^A-Za-z0-9_-]+", "_", str(tabel["naam"])).strip("_")[:100] or "tabel"
        naam, volgnummer = basis, 1
        while naam.casefold() in gebruikt:
            volgnummer += 1
            naam = f"{basis}-{volgnummer}"
        gebruikt.add(naam.casefold())
        bestanden.append((f"{naam}.csv", csv_bytes(tabel)))
    return _zip(bestanden, moment)


# --- XLSX -------------------------------------------------------------------------------


def _bladnaam(titel: str, gebruikt: set[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, no ``[]:*?/\\``, unique."""
    naam = _VERBODEN_IN_BLADNAAM.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", titel))
    naam = " ".join(naam.split()).strip("'") or "Tabel"
    return _uniek(naam, gebruikt, 31)


def _tekstcel(tekst: str) -> str:
    """Text as a cell can hold it: line breaks as LF (a bare CR would not survive the
    XML), no other control characters, within Excel's length."""
    tekst = tekst.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", tekst)[:MAX_CELTEKST]


def _getalnotatie(waarden: Iterable[Any]) -> str:
    """Number format for a ``getal`` column: as many decimals as its values have."""
    decimalen = 0
    for waarde in waarden:
        if waarde is not None:
            exponent = als_decimal(waarde).normalize().as_tuple().exponent
            decimalen = max(decimalen, -exponent if isinstance(exponent, int) else 0)
    return "#,##0" + ("." + "0" * min(decimalen, 10) if decimalen else "")


def _vul_blad(blad: Any, tabel: dict[str, Any]) -> None:
    kolommen = tabel["kolommen"]
    rijen = _rijen(tabel)
    vet = Font(bold=True)
    notaties = [
        _getalnotatie(rij[k] for rij in rijen)
        if kolom["soort"] == "getal"
        else NOTATIES.get(kolom["soort"])
        for k, kolom in enumerate(kolommen)
    ]
    breedtes = [len(k["titel"]) for k in kolommen]
    for k, kolom in enumerate(kolommen, start=1):
        cell = blad.cell(row=1, column=k)
        cell.value = _tekstcel(kolom["titel"])
        cell.data_type = "s"
        cell.quotePrefix = bool(_TE_NEUTRALISEREN.match(cell.value))
        cell.font = vet
    for r, rij in enumerate(rijen, start=2):
        is_totaal = tabel.get("totaal") is not None and r == len(rijen) + 1
        for k, (kolom, waarde) in enumerate(zip(kolommen, rij, strict=True), start=1):
            soort = kolom["soort"]
            cell = blad.cell(row=r, column=k)
            if soort == "tekst":
                if waarde:
                    cell.value = _tekstcel(str(waarde))
                    # Stored as a string whatever it starts with; the quote prefix keeps
                    # Excel from turning it into a formula when the cell is edited.
                    cell.data_type = "s"
                    cell.quotePrefix = bool(_TE_NEUTRALISEREN.match(cell.value))
            elif soort == "ja_nee":
                cell.value = None if waarde is None else ("ja" if waarde else "nee")
            elif waarde is None:
                pass
            elif soort in NUMERIEK:
                getal = als_decimal(waarde)
                getal = getal.quantize(CENT) if soort == "bedrag" else getal
                # openpyxl writes a number as "%.16g" of a float, so 85.65 would be stored
                # as 85.65000000000001: the cell gets the exact, shortest decimal text.
                cell._value = format(getal.normalize(), "f")
                cell.data_type = "n"
            elif soort == "jaar":
                cell.value = int(waarde)
            elif soort == "datum":
                cell.value = _datum(waarde)
            else:
                raise ValueError(f"Onbekende kolomsoort: {soort!r}.")
            if notaties[k - 1]:
                cell.number_format = notaties[k - 1]
            if is_totaal:
                cell.font = vet
            breedtes[k - 1] = max(breedtes[k - 1], len(cel(waarde, soort)))
    for k, breedte in enumerate(breedtes, start=1):
        blad.column_dimensions[get_column_letter(k)].width = min(max(breedte + 2, 8), 60)
    blad.freeze_panes = "A2"
    if tabel["rijen"] and kolommen:
        laatste = get_column_letter(len(kolommen))
        blad.auto_filter.ref = f"A1:{laatste}{len(tabel['rijen']) + 1}"


def xlsx_bytes(tabellen: list[dict[str, Any]], *, titel: str, moment: datetime) -> bytes:
    """The tables as an Excel workbook, one sheet per table, named after its title.

    Money, numbers and percentages are numbers (percentages in percent: 87.25 shows as
    87.25%), dates are dates, the header row is bold and frozen, a total row is bold. The
    workbook is titled ``titel`` and dated ``moment`` (a naive moment is Dutch time).
    Numbers are written from their Decimals; Excel keeps 15 significant digits, so
    amounts below ten trillion euros come back to the cent.
    """
    werkboek = Workbook()
    for leeg in werkboek.worksheets:
        werkboek.remove(leeg)
    gebruikt = {"history"}  # Excel reserves this sheet name.
    for tabel in tabellen:
        blad = werkboek.create_sheet(_bladnaam(tabel.get("titel") or tabel["naam"], gebruikt))
        _vul_blad(blad, tabel)
    if not tabellen:
        blad = werkboek.create_sheet("Rapport")
        blad["A1"] = "Dit rapport heeft geen tabellen."
    utc = (moment if moment.tzinfo else moment.replace(tzinfo=TIJDZONE)).astimezone(UTC)
    eigenschappen = werkboek.properties
    eigenschappen.title = _tekstcel(titel)
    eigenschappen.creator = "Ontschot"
    eigenschappen.lastModifiedBy = "Ontschot"
    eigenschappen.created = eigenschappen.modified = utc.replace(tzinfo=None)

    # ExcelWriter directly, because Workbook.save stamps the time of saving.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archief:
        ExcelWriter(werkboek, archief).save()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as gelezen:
        bestanden = [(info.filename, gelezen.read(info)) for info in gelezen.infolist()]
    return _zip(bestanden, moment)
