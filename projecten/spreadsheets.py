"""Spreadsheets for partners without a system of their own: a template of the
measurements a project still expects, and reading a filled-in template back.

Pure functions: plain values and bytes in, plain values and bytes out. Nothing here
touches the database. The caller looks up what the rows refer to and submits them
through ``services.metingen_indienen``, so an upload passes the same validation as the
API. Numbers become ``Decimal`` exactly and never pass through a float of our making.
"""

import csv
import io
import math
import re
import zipfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Final, Generic, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from programma.perioden import Periode, parse_periode

# The header row of the template, in this order; a file may reorder columns or add its
# own, it is read by these names.
KOLOMMEN: Final = (
    "indicator_id",
    "indicator",
    "eenheid",
    "periode",
    "waarde",
    "toelichting",
    "bron",
)
VOORINGEVULD: Final = ("indicator_id", "indicator", "eenheid", "periode")
VERPLICHT: Final = ("indicator_id", "periode", "waarde")

MAX_BYTES: Final = 5 * 1024 * 1024
MAX_REGELS: Final = 10_000  # filled-in rows per upload, as many as one API batch
MAX_RIJEN: Final = 100_000  # rows read at all, empty ones included
MAX_UITGEPAKT: Final = 100 * 1024 * 1024  # an XLSX is a zip: refuse a bomb before reading it

XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE: Final = "text/csv; charset=utf-8"
BLAD: Final = "Metingen"

Ind = TypeVar("Ind")


class OngeldigBestand(Exception):
    """The upload is not a readable XLSX or CSV file, or lacks the template's header.
    The message says so in Dutch and tells what to do instead."""


class Onleesbaar(ValueError):
    """One cell could not be read; the message is meant for the partner."""


# --- the template -------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicatorkop:
    """What the template says about an indicator."""

    id: int
    naam: str
    eenheid: str


@dataclass(frozen=True)
class Sjabloonregel:
    indicator_id: int
    indicator: str
    eenheid: str
    periode: str


def sjabloonregels(
    indicatoren: Iterable[Indicatorkop],
    perioden: Sequence[Periode],
    *,
    bezet: Collection[tuple[int, str]] = (),
    vergrendeld: Sequence[Periode] = (),
) -> list[Sjabloonregel]:
    """One row per reporting period × indicator that can still be submitted: no
    measurement exists for it yet (``bezet``: pairs of indicator id and period code, any
    review status, since a second submission is refused) and it does not overlap a
    locked period. Ordered by period first, so one reporting round stays together."""
    indicatoren = list(indicatoren)
    open_perioden = [
        p
        for p in perioden
        if not any(s.start <= p.einde and s.einde >= p.start for s in vergrendeld)
    ]
    return [
        Sjabloonregel(indicator_id=i.id, indicator=i.naam, eenheid=i.eenheid, periode=p.code)
        for p in open_perioden
        for i in indicatoren
        if (i.id, p.code) not in bezet
    ]


def _veilig(tekst: str) -> str:
    """Text a spreadsheet must not run as a formula (CSV injection)."""
    return f"'{tekst}" if tekst[:1] in ("=", "+", "-", "@", "\t", "\r") else tekst


def sjabloon_csv(regels: Sequence[Sjabloonregel]) -> bytes:
    """UTF-8 with a byte order mark and ``;`` between fields: what Excel in Dutch opens
    into columns at a double click, and saves back the same way."""
    buffer = io.StringIO()
    schrijver = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    schrijver.writerow(KOLOMMEN)
    for r in regels:
        schrijver.writerow([r.indicator_id, _veilig(r.indicator), r.eenheid, r.periode, "", "", ""])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_BREEDTES: Final = {
    "indicator_id": 13,
    "indicator": 48,
    "eenheid": 12,
    "periode": 10,
    "waarde": 14,
    "toelichting": 50,
    "bron": 30,
}
# What Excel accepts in the 'waarde' column, per unit; the server checks again on upload.
_Operator = Literal["between", "greaterThanOrEqual"]
_Grens = tuple[_Operator, str, str | None, str]
_GRENZEN: Final[dict[str, _Grens]] = {
    "percentage": ("between", "0", "100", "een getal van 0 tot en met 100"),
    "aantal": ("greaterThanOrEqual", "0", None, "een getal van 0 of meer"),
    "uren": ("greaterThanOrEqual", "0", None, "een getal van 0 of meer"),
    "euro": ("greaterThanOrEqual", "0", None, "een bedrag van 0 of meer"),
}
_ONBEGRENSD: Final[_Grens] = ("between", "-999999999999", "999999999999", "een getal")
_KOP_INFO = PatternFill("solid", fgColor="D9D9D9")
_KOP_INVOER = PatternFill("solid", fgColor="154273")
_INFO = PatternFill("solid", fgColor="F2F2F2")


def _tekstcel(ws: Worksheet, rij: int, kolom: int, waarde: str) -> Cell:
    cel = ws.cell(row=rij, column=kolom, value=waarde)
    cel.data_type = "s"  # openpyxl takes a leading '=' for a formula; this is text
    cel.number_format = "@"
    return cel


def _reeksen(rijen: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) runs: short data-validation ranges."""
    reeksen: list[tuple[int, int]] = []
    for rij in rijen:
        if reeksen and reeksen[-1][1] == rij - 1:
            reeksen[-1] = (reeksen[-1][0], rij)
        else:
            reeksen.append((rij, rij))
    return reeksen


def sjabloon_xlsx(regels: Sequence[Sjabloonregel], *, project: str) -> bytes:
    """The template as a workbook: sheet 'Metingen' with a frozen header, the pre-filled
    columns grey and marked as information, a decimal check on 'waarde' per unit, and a
    sheet 'Uitleg' that says how to fill it in."""
    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = BLAD
    wb.properties.title = f"Metingen {project}"
    wb.properties.creator = "Ontschot"

    waardekolom = KOLOMMEN.index("waarde") + 1
    for k, naam in enumerate(KOLOMMEN, start=1):
        kop = _tekstcel(ws, 1, k, naam)
        info = naam in VOORINGEVULD
        kop.font = Font(bold=True, color="1B1B1B" if info else "FFFFFF")
        kop.fill = _KOP_INFO if info else _KOP_INVOER
        if info:
            kop.comment = Comment(_("Vooringevuld door Ontschot: niet wijzigen."), "Ontschot")
        ws.column_dimensions[get_column_letter(k)].width = _BREEDTES[naam]

    per_eenheid: dict[str, list[int]] = {}
    for rij, r in enumerate(regels, start=2):
        ws.cell(row=rij, column=1, value=r.indicator_id)
        _tekstcel(ws, rij, 2, r.indicator)
        _tekstcel(ws, rij, 3, r.eenheid)
        _tekstcel(ws, rij, 4, r.periode)
        for k in range(1, len(VOORINGEVULD) + 1):
            ws.cell(row=rij, column=k).fill = _INFO
            ws.cell(row=rij, column=k).font = Font(color="404040")
        for k in range(waardekolom + 1, len(KOLOMMEN) + 1):
            ws.cell(row=rij, column=k).number_format = "@"
            ws.cell(row=rij, column=k).alignment = Alignment(wrap_text=True, vertical="top")
        per_eenheid.setdefault(r.eenheid, []).append(rij)

    letter = get_column_letter(waardekolom)
    for eenheid, rijen in sorted(per_eenheid.items()):
        operator, onder, boven, omschrijving = _GRENZEN.get(eenheid, _ONBEGRENSD)
        controle = DataValidation(
            type="decimal",
            operator=operator,
            formula1=onder,
            formula2=boven,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Ongeldige waarde"),
            error=_("Vul %(wat)s in, of laat de cel leeg.") % {"wat": omschrijving},
            showInputMessage=True,
            promptTitle=_("Waarde (%(eenheid)s)") % {"eenheid": eenheid},
            prompt=_("Laat leeg om deze periode over te slaan."),
        )
        for eerste, laatste in _reeksen(rijen):
            controle.add(f"{letter}{eerste}:{letter}{laatste}")
        ws.add_data_validation(controle)

    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(KOLOMMEN))}{len(regels) + 1}"
    _uitleg(wb.create_sheet(_("Uitleg")), project)
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _uitleg(ws: Worksheet, project: str) -> None:
    regels = [
        _("Metingen indienen: %(project)s") % {"project": project},
        "",
        _(
            "1. Vul op het blad 'Metingen' per regel de waarde in (kolom waarde). Laat de "
            "waarde leeg voor een periode waarover u nog niets meldt: die regel wordt overgeslagen."
        ),
        _(
            "2. Licht verschillen met de streefwaarde toe in de kolom toelichting en noem de "
            "bron van het cijfer in de kolom bron."
        ),
        _(
            "3. Wijzig de grijze kolommen niet: ze zeggen over welke indicator en periode de "
            "regel gaat."
        ),
        _(
            "4. Sla het bestand op als Excel-werkmap (.xlsx) of als CSV UTF-8 en upload het op "
            "de projectpagina in Ontschot."
        ),
        "",
        _(
            "Getallen: een komma of een punt als decimaalteken (12,5 of 12.5), zonder "
            "scheidingsteken voor duizendtallen."
        ),
        _(
            "Alles of niets: bevat één regel een fout, dan wordt niets opgeslagen en ziet u per "
            "rij en kolom wat er mis is."
        ),
    ]
    for rij, tekst in enumerate(regels, start=1):
        _tekstcel(ws, rij, 1, tekst).alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110


# --- reading numbers, periods and ids ----------------------------------------------------

_GROEPTEKENS: Final = ".,' \u00a0\u202f"
_ENKEL = re.compile(r"(?P<heel>\d*)(?:(?P<sep>[.,])(?P<frac>\d+))?")
_GEGROEPEERD = re.compile(
    r"(?P<heel>\d{1,3}(?P<groep>[.,' \u00a0\u202f])\d{3}(?:(?P=groep)\d{3})*)"
    r"(?:(?P<sep>[.,])(?P<frac>\d+))?"
)
# DOTALL: a cell may hold a line break (Alt+Enter in Excel, a quoted newline in CSV).
_OMHULSEL = re.compile(r"([+-]?)\s*€?\s*([+-]?)\s*(.*?)\s*%?", re.DOTALL)


def _kort(tekst: str) -> str:
    return tekst if len(tekst) <= 40 else tekst[:39] + "…"


def parse_getal(tekst: str) -> Decimal:
    """Read a number as a partner types it, exactly: ``12,5`` and ``12.5`` alike, a sign,
    an optional ``€`` before or ``%`` after. Thousands may be grouped only where that is
    unambiguous: with both separators (``1.234,5``, ``1,234.5``) or several groups
    (``1.234.567``); a single ``.`` or ``,`` is always the decimal separator, so ``1.234``
    is one point two three four. Raise ``Onleesbaar`` otherwise."""
    omhulsel = _OMHULSEL.fullmatch(tekst.strip().replace("\u2212", "-"))
    assert omhulsel is not None  # the pattern matches any text
    teken1, teken2, kern = omhulsel.groups()
    if teken1 and teken2:
        raise Onleesbaar(_("'%(tekst)s' is geen getal.") % {"tekst": _kort(tekst)})
    teken = "-" if "-" in (teken1, teken2) else ""
    match = _ENKEL.fullmatch(kern)
    if match and (match["heel"] or match["frac"]):
        heel = match["heel"] or "0"
    else:
        match = _GEGROEPEERD.fullmatch(kern)
        if not match or match["groep"] == match["sep"]:
            raise Onleesbaar(
                _(
                    "'%(tekst)s' is geen getal. Gebruik cijfers met een komma of punt als "
                    "decimaalteken, bijvoorbeeld 12,5."
                )
                % {"tekst": _kort(tekst)}
            )
        heel = re.sub(r"\D", "", match["heel"])
    getal = f"{teken}{heel}.{match['frac']}" if match["frac"] else f"{teken}{heel}"
    try:
        return Decimal(getal)
    except InvalidOperation as fout:  # pragma: no cover - the patterns admit digits only
        raise Onleesbaar(_("'%(tekst)s' is geen getal.") % {"tekst": _kort(tekst)}) from fout


def _leeg(waarde: object) -> bool:
    return waarde is None or (isinstance(waarde, str) and not waarde.strip())


def getal_uit_cel(waarde: object) -> Decimal | None:
    """The number in a cell, or None for an empty cell. A spreadsheet number becomes
    ``Decimal(str(value))``: the shortest text that is that float, which is what was typed."""
    if _leeg(waarde):
        return None
    if isinstance(waarde, bool):
        raise Onleesbaar(_("Een waar/onwaar-waarde is geen getal."))
    if isinstance(waarde, int):
        return Decimal(waarde)
    if isinstance(waarde, float):
        if not math.isfinite(waarde):
            raise Onleesbaar(_("De waarde moet een eindig getal zijn."))
        return Decimal(str(waarde))
    if isinstance(waarde, Decimal):
        if not waarde.is_finite():
            raise Onleesbaar(_("De waarde moet een eindig getal zijn."))
        return waarde
    if isinstance(waarde, str):
        return parse_getal(waarde)
    if isinstance(waarde, datetime | date | time | timedelta):
        raise Onleesbaar(_("De cel bevat een datum of tijd, geen getal; maak de cel op als getal."))
    raise Onleesbaar(_("De cel bevat geen getal."))


def periode_uit_cel(waarde: object) -> str:
    if isinstance(waarde, datetime | date):
        raise Onleesbaar(
            _(
                "Excel heeft de periode in een datum veranderd; typ de periode als tekst, "
                "bijvoorbeeld 2025-K3."
            )
        )
    if isinstance(waarde, float) and waarde.is_integer():
        waarde = int(waarde)
    code = "" if waarde is None else str(waarde).strip().upper()
    if not code:
        raise Onleesbaar(_("Vul de periode in, bijvoorbeeld 2025-K3."))
    try:
        parse_periode(code)
    except ValidationError as fout:
        raise Onleesbaar(" ".join(fout.messages)) from fout
    return code


def id_uit_cel(waarde: object) -> int:
    if isinstance(waarde, float) and math.isfinite(waarde) and waarde.is_integer():
        waarde = int(waarde)
    if isinstance(waarde, int) and not isinstance(waarde, bool) and waarde > 0:
        return waarde
    if isinstance(waarde, str) and re.fullmatch(r"\s*\d{1,18}\s*", waarde) and int(waarde) > 0:
        return int(waarde)
    if waarde is None or waarde == "":
        raise Onleesbaar(_("Vul het indicator_id in: het nummer uit het sjabloon."))
    raise Onleesbaar(
        _("'%(tekst)s' is geen indicator_id: gebruik het nummer uit het sjabloon.")
        % {"tekst": _kort(str(waarde))}
    )


def tekst_uit_cel(waarde: object) -> str:
    if waarde is None:
        return ""
    if isinstance(waarde, float) and math.isfinite(waarde):
        return str(Decimal(str(waarde)))
    return str(waarde).strip()


# --- reading a file -----------------------------------------------------------------------


def _zonder_aanhalingen(opmaak: str) -> str:
    return re.sub(r'"[^"]*"|\\.', "", opmaak)


def _xlsx_waarde(cel: object) -> object:
    """A cell's value. A number shown as a percentage is what the partner sees, not what
    Excel stores: 12,5% is stored as 0.125 and read here as 12.5 (scaled exactly)."""
    waarde = getattr(cel, "value", None)
    opmaak = getattr(cel, "number_format", None) or ""
    if (
        isinstance(waarde, int | float)
        and not isinstance(waarde, bool)
        and "%" in _zonder_aanhalingen(opmaak)
        and math.isfinite(waarde)
    ):
        return Decimal(str(waarde)) * 100
    return waarde


def _lees_xlsx(inhoud: bytes) -> list[list[object]]:
    kapot = _(
        "Het XLSX-bestand is beschadigd of onleesbaar. Sla het opnieuw op en probeer het nog eens."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(inhoud)) as archief:
            onderdelen = archief.infolist()
            namen = {i.filename for i in onderdelen}
            if sum(i.file_size for i in onderdelen) > MAX_UITGEPAKT:
                raise OngeldigBestand(_("Het XLSX-bestand is uitgepakt te groot om te lezen."))
            opendocument = "mimetype" in namen and b"opendocument" in archief.read("mimetype")
    except (zipfile.BadZipFile, OSError, EOFError) as fout:
        raise OngeldigBestand(kapot) from fout
    if opendocument:
        raise OngeldigBestand(
            _(
                "Dit is een OpenDocument-bestand (.ods). Sla het op als Excel-werkmap (.xlsx) "
                "of als CSV en upload het opnieuw."
            )
        )
    if "xl/workbook.xml" not in namen:
        raise OngeldigBestand(
            _("Dit bestand is geen spreadsheet. Upload het ingevulde sjabloon als .xlsx of .csv.")
        )
    try:
        wb = load_workbook(io.BytesIO(inhoud), read_only=True, data_only=True)
    except Exception as fout:  # openpyxl raises many kinds on a damaged file
        raise OngeldigBestand(kapot) from fout
    try:
        ws = wb[BLAD] if BLAD in wb.sheetnames else wb.worksheets[0]
        ws.reset_dimensions()  # some writers record a wrong used range: read every row
        rijen: list[list[object]] = []
        for rij in ws.iter_rows():
            rijen.append([_xlsx_waarde(cel) for cel in rij])
            if len(rijen) > MAX_RIJEN:
                raise OngeldigBestand(_te_veel_rijen())
        return rijen
    except OngeldigBestand:
        raise
    except Exception as fout:
        raise OngeldigBestand(kapot) from fout
    finally:
        wb.close()


def _te_veel_rijen() -> str:
    return _("Het bestand heeft meer dan %(n)d rijen; verdeel het over meerdere bestanden.") % {
        "n": MAX_RIJEN
    }


def _lees_csv(inhoud: bytes) -> list[list[object]]:
    if b"\x00" in inhoud[:4096]:
        raise OngeldigBestand(_geen_utf8())
    try:
        tekst = inhoud.decode("utf-8-sig")
    except UnicodeDecodeError as fout:
        raise OngeldigBestand(_geen_utf8()) from fout
    kop = tekst.split("\n", 1)[0]
    scheidingsteken = ";" if kop.count(";") > kop.count(",") else ","
    rijen: list[list[object]] = []
    try:
        for rij in csv.reader(io.StringIO(tekst, newline=""), delimiter=scheidingsteken):
            rijen.append(list(rij))
            if len(rijen) > MAX_RIJEN:
                raise OngeldigBestand(_te_veel_rijen())
    except csv.Error as fout:
        raise OngeldigBestand(
            _("Het CSV-bestand is onleesbaar (%(fout)s).") % {"fout": fout}
        ) from fout
    return rijen


def _geen_utf8() -> str:
    return _(
        "Dit bestand is geen XLSX-bestand en geen CSV-bestand in UTF-8. Sla het in Excel op als "
        "'Excel-werkmap (.xlsx)' of als 'CSV UTF-8 (door komma's gescheiden)'."
    )


def lees_tabel(inhoud: bytes) -> list[list[object]]:
    """The rows of the first sheet (or the sheet 'Metingen') of an XLSX file, or of a CSV
    file with ``;`` or ``,`` between fields, in UTF-8 with or without a byte order mark.
    What the file is follows from its content, not its name."""
    if not inhoud.strip():
        raise OngeldigBestand(_("Het bestand is leeg."))
    if inhoud.startswith(b"PK\x03\x04"):
        return _lees_xlsx(inhoud)
    if inhoud.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise OngeldigBestand(
            _(
                "Dit is een oud Excel-bestand (.xls). Sla het op als Excel-werkmap (.xlsx) of "
                "als CSV UTF-8 en upload het opnieuw."
            )
        )
    return _lees_csv(inhoud)


@dataclass(frozen=True)
class Celfout:
    """What is wrong where: ``rij`` as the spreadsheet numbers it (the header is row 1),
    ``kolom`` a header name ('' for the row as a whole), ``cel`` such as 'E5'."""

    rij: int
    kolom: str
    melding: str
    cel: str = ""


@dataclass(frozen=True)
class Ingelezenregel(Generic[Ind]):
    rij: int
    indicator: Ind
    periode: str
    waarde: Decimal
    toelichting: str
    bron: str


@dataclass
class Ingelezen(Generic[Ind]):
    """The filled-in rows that could be read, and an error for every cell that could not."""

    regels: list[Ingelezenregel[Ind]] = field(default_factory=list)
    fouten: list[Celfout] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)

    def fout(self, rij: int, kolom: str, melding: str) -> Celfout:
        letter = self.letters.get(kolom, "")
        return Celfout(
            rij=rij, kolom=kolom, melding=melding, cel=f"{letter}{rij}" if letter else ""
        )


# Fields the submission service names in its errors, and the column that holds each.
_VELD_KOLOM: Final = {
    "indicator": "indicator_id",
    "periode": "periode",
    "waarde": "waarde",
    "toelichting": "toelichting",
    "bron": "bron",
}


def kolom_van_veld(veld: str) -> str:
    """The template column of a field the service reports on; '' for the whole row."""
    return _VELD_KOLOM.get(veld, "")


def lees_metingen(
    inhoud: bytes, indicatoren: Mapping[int, Ind], *, max_regels: int = MAX_REGELS
) -> Ingelezen[Ind]:
    """Read a filled-in template. ``indicatoren`` holds the project's indicators by id;
    another id is an error in that row. Rows with an empty 'waarde' are skipped. Raise
    ``OngeldigBestand`` for a file that is not a readable spreadsheet with the template's
    header; every other problem is a ``Celfout`` naming its row and column."""
    rijen = lees_tabel(inhoud)
    if not rijen:  # an empty sheet, or a CSV of nothing but a byte order mark
        raise OngeldigBestand(_("Het bestand is leeg."))
    kop = [str(k).strip().lower() if k is not None else "" for k in rijen[0]]
    positie: dict[str, int] = {}
    for index, naam in enumerate(kop):
        positie.setdefault(naam, index)
    if ontbrekend := [k for k in VERPLICHT if k not in positie]:
        raise OngeldigBestand(
            _(
                "De kopregel (rij 1) mist de kolom(men) %(kolommen)s. Gebruik het sjabloon "
                "van deze pagina."
            )
            % {"kolommen": ", ".join(ontbrekend)}
        )
    uitslag: Ingelezen[Ind] = Ingelezen(
        letters={naam: get_column_letter(i + 1) for naam, i in positie.items() if naam in KOLOMMEN}
    )

    def cel(rij: list[object], kolom: str) -> object:
        i = positie.get(kolom)
        return rij[i] if i is not None and i < len(rij) else None

    ingevuld = 0
    for nummer, rij in enumerate(rijen[1:], start=2):
        if _leeg(cel(rij, "waarde")):
            continue
        ingevuld += 1
        if ingevuld > max_regels:
            raise OngeldigBestand(
                _(
                    "Het bestand heeft meer dan %(n)d ingevulde regels; verdeel het over meerdere bestanden."
                )
                % {"n": max_regels}
            )
        fouten: list[Celfout] = []
        indicator: Ind | None = None
        periode, waarde = "", Decimal(0)
        try:
            indicator_id = id_uit_cel(cel(rij, "indicator_id"))
            indicator = indicatoren.get(indicator_id)
            if indicator is None:
                fouten.append(
                    uitslag.fout(
                        nummer,
                        "indicator_id",
                        _("Indicator %(id)d hoort niet bij dit project.") % {"id": indicator_id},
                    )
                )
        except Onleesbaar as fout:
            fouten.append(uitslag.fout(nummer, "indicator_id", str(fout)))
        try:
            periode = periode_uit_cel(cel(rij, "periode"))
        except Onleesbaar as fout:
            fouten.append(uitslag.fout(nummer, "periode", str(fout)))
        try:
            gelezen = getal_uit_cel(cel(rij, "waarde"))
            waarde = gelezen if gelezen is not None else waarde
        except Onleesbaar as fout:
            fouten.append(uitslag.fout(nummer, "waarde", str(fout)))
        if fouten or indicator is None:
            uitslag.fouten.extend(fouten)
            continue
        uitslag.regels.append(
            Ingelezenregel(
                rij=nummer,
                indicator=indicator,
                periode=periode,
                waarde=waarde,
                toelichting=tekst_uit_cel(cel(rij, "toelichting")),
                bron=tekst_uit_cel(cel(rij, "bron")),
            )
        )
    return uitslag
