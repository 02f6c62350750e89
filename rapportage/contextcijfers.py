"""Open-data context figures per CBS area code and year: CBS Kerncijfers wijken en
buurten and Leefbaarometer 3.0, each stored with its source and licence.

Figures come in two ways and reach the database one way:

- a CSV file as CBS or the Leefbaarometer publish it (``manage.py contextcijfers``);
- CBS OData on a schedule: the django-q2 task :func:`contextcijfers_ophalen` pages
  through ``@odata.nextLink`` from the address in the settings.

Both are read into an :class:`Uitslag` (figures plus rejected rows; pure, no database)
and written by :func:`contextcijfers_importeren`: one upsert in one transaction, with
one audit row. Reading never writes and writing never reads a source, so a file or a
fetch is imported whole or not at all, and a bad row is reported and skipped whole.

Which areas: every wijk and buurt code of every focus area (whatever its peiljaar) and
the municipality code of every focus area, so a report can set an area beside its
municipality. Other areas are counted, not stored: a CBS file covers the whole country.
Values are stored exactly as published, in the source's unit (see ``eenheid``).
"""

import csv
import functools
import http.client
import io
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal
from importlib import resources
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from programma.audit import Actor, registreer
from programma.models import Focusgebied, Gebiedscode
from programma.validators import GEBIEDSCODE_PATROON
from rapportage.models import Contextcijfer

logger = logging.getLogger("ontschot.contextcijfers")

EERSTE_JAAR: Final = 2000
MAX_BESTAND_BYTES: Final = 200 * 1024 * 1024
MAX_REGELS: Final = 500_000
MAX_PAGINA_BYTES: Final = 64 * 1024 * 1024
CODES_PER_VERZOEK: Final = 25  # keeps an OData $filter URL well under 4 kB
AUDIT_MAX_FOUTEN: Final = 100
STATLINE_URL: Final = "https://opendata.cbs.nl/statline/#/CBS/nl/dataset/{tabel}/table"
USER_AGENT: Final = "Ontschot contextcijfers (+https://github.com/ontschot)"


class OngeldigBestand(Exception):
    """The file as a whole cannot be read: not a CSV, or without the columns a source
    needs. The message says so in Dutch."""


class OphaalFout(Exception):
    """Fetching from CBS OData failed (HTTP error, time-out, too many pages, an answer
    that is not OData). Nothing has been written."""


class OphaalTijd(OphaalFout):
    """CBS OData did not answer in time."""


class Rijfout(ValueError):
    """One cell or row is unusable; the message names the problem in Dutch."""


# --- sources and what we take from them ---------------------------------------------------


@dataclass(frozen=True)
class Bron:
    sleutel: str
    naam: str  # stored in Contextcijfer.bron: part of the unique key, so never varies per table
    licentie: str
    url: str  # default bron_url when the caller knows nothing more precise


CBS: Final = Bron(
    sleutel="cbs",
    naam="CBS Kerncijfers wijken en buurten",
    licentie="CC BY 4.0",
    url="",
)
# The Rijksoverheid publishes the Leefbaarometer as open data; CC BY 4.0 (attribution to
# the ministry of BZK) is what we record until its publisher states otherwise.
LEEFBAAROMETER: Final = Bron(
    sleutel="leefbaarometer",
    naam="Leefbaarometer 3.0 (BZK)",
    licentie="CC BY 4.0",
    url="https://www.leefbaarometer.nl/",
)
BRONNEN: Final = {b.sleutel: b for b in (CBS, LEEFBAAROMETER)}


@dataclass(frozen=True)
class Kenmerk:
    """One figure we keep, by its stable name (``Contextcijfer.kenmerk``).

    ``kolommen``: for CBS the column names without their numbered suffix (CBS numbers
    columns per year table: ``AantalInwoners_5``); for the Leefbaarometer the column names
    accepted, lower case. ``titels``: the measure titles in CBS OData v4 ``MeasureCodes``.
    """

    naam: str
    omschrijving: str
    eenheid: str
    kolommen: tuple[str, ...]
    titels: tuple[str, ...] = ()
    klasse: bool = False


CBS_KENMERKEN: Final = (
    Kenmerk(
        "aantal_inwoners", "Aantal inwoners", "aantal", ("AantalInwoners",), ("Aantal inwoners",)
    ),
    Kenmerk(
        "bevolkingsdichtheid",
        "Bevolkingsdichtheid",
        "inwoners per km²",
        ("Bevolkingsdichtheid",),
        ("Bevolkingsdichtheid",),
    ),
    Kenmerk(
        "aantal_0_tot_15_jaar",
        "Inwoners van 0 tot 15 jaar",
        "aantal",
        ("k_0Tot15Jaar",),
        ("0 tot 15 jaar",),
    ),
    Kenmerk(
        "aantal_65_jaar_of_ouder",
        "Inwoners van 65 jaar of ouder",
        "aantal",
        ("k_65JaarOfOuder",),
        ("65 jaar of ouder",),
    ),
    Kenmerk(
        "aantal_huishoudens",
        "Huishoudens totaal",
        "aantal",
        ("HuishoudensTotaal",),
        ("Huishoudens totaal",),
    ),
    Kenmerk(
        "gemiddelde_huishoudensgrootte",
        "Gemiddelde huishoudensgrootte",
        "personen",
        ("GemiddeldeHuishoudensgrootte",),
        ("Gemiddelde huishoudensgrootte",),
    ),
    Kenmerk("woningvoorraad", "Woningvoorraad", "aantal", ("Woningvoorraad",), ("Woningvoorraad",)),
    Kenmerk(
        "gemiddelde_woz_waarde",
        "Gemiddelde WOZ-waarde van woningen",
        "x 1 000 euro",
        ("GemiddeldeWOZWaardeVanWoningen", "GemiddeldeWoningwaarde"),
        ("Gemiddelde WOZ-waarde van woningen", "Gemiddelde woningwaarde"),
    ),
    Kenmerk("percentage_koopwoningen", "Koopwoningen", "%", ("Koopwoningen",), ("Koopwoningen",)),
    Kenmerk(
        "percentage_corporatiewoningen",
        "Huurwoningen in bezit van een woningcorporatie",
        "%",
        ("InBezitWoningcorporatie",),
        ("In bezit woningcorporatie",),
    ),
    Kenmerk(
        "gemiddeld_inkomen_per_inwoner",
        "Gemiddeld inkomen per inwoner",
        "x 1 000 euro",
        ("GemiddeldInkomenPerInwoner",),
        ("Gemiddeld inkomen per inwoner",),
    ),
    Kenmerk(
        "percentage_huishoudens_laag_inkomen",
        "Huishoudens met een laag inkomen",
        "%",
        ("HuishoudensMetEenLaagInkomen",),
        ("Huishoudens met een laag inkomen",),
    ),
    Kenmerk(
        "percentage_huishoudens_sociaal_minimum",
        "Huishoudens onder of rond het sociaal minimum",
        "%",
        ("HuishOnderOfRondSociaalMinimum",),
        ("Huishoudens onder of rond sociaal minimum",),
    ),
    Kenmerk(
        "aantal_bijstandsuitkeringen",
        "Personen met een bijstandsuitkering",
        "aantal",
        ("PersonenPerSoortUitkeringBijstand",),
        ("Personen per soort uitkering; Bijstand", "Bijstand"),
    ),
)

LEEFBAAROMETER_KENMERKEN: Final = (
    Kenmerk("lbm_score", "Leefbaarometer: totaalscore", "score", ("lbm", "score", "lbm_score")),
    Kenmerk(
        "lbm_klasse",
        "Leefbaarometer: klasse (1 zeer onvoldoende … 9 uitstekend)",
        "klasse",
        ("klasse", "kscore", "lbm_klasse"),
        klasse=True,
    ),
    Kenmerk(
        "lbm_fysieke_omgeving",
        "Leefbaarometer: fysieke omgeving",
        "score",
        ("fys", "fysieke_omgeving", "lbm_fysieke_omgeving"),
    ),
    Kenmerk(
        "lbm_woningvoorraad",
        "Leefbaarometer: woningvoorraad",
        "score",
        ("won", "woningvoorraad", "lbm_woningvoorraad"),
    ),
    Kenmerk(
        "lbm_voorzieningen",
        "Leefbaarometer: voorzieningen",
        "score",
        ("vrz", "voorzieningen", "lbm_voorzieningen"),
    ),
    Kenmerk(
        "lbm_sociale_samenhang",
        "Leefbaarometer: sociale samenhang",
        "score",
        ("soc", "sociale_samenhang", "lbm_sociale_samenhang"),
    ),
    Kenmerk(
        "lbm_overlast_onveiligheid",
        "Leefbaarometer: overlast en onveiligheid",
        "score",
        ("onv", "overlast_en_onveiligheid", "overlast_onveiligheid", "lbm_overlast_onveiligheid"),
    ),
)
KENMERKEN: Final = {k.naam: k for k in (*CBS_KENMERKEN, *LEEFBAAROMETER_KENMERKEN)}

# Columns that hold the area code, most specific first: a buurt file that also names the
# municipality of each buurt is read by its buurt code.
CBS_CODEKOLOMMEN: Final = ("Codering", "WijkenEnBuurten")
LEEFBAAROMETER_CODEKOLOMMEN: Final = (
    "gebiedscode",
    "code",
    "bu_code",
    "buurtcode",
    "wk_code",
    "wijkcode",
    "gm_code",
    "gemeentecode",
)
LEEFBAAROMETER_JAARKOLOMMEN: Final = ("jaar", "peiljaar", "year")

# CBS symbols: '.' unknown or confidential, 'x' secret, an empty cell: cannot occur.
# '-' is "nihil": zero.
ONTBREKEND: Final = frozenset({"", ".", "x", "X"})
NIHIL: Final = "-"
GROOTSTE: Final = Decimal("1e16")  # Contextcijfer.waarde: 22 digits, 6 of them decimals
DECIMALEN: Final = Decimal("1e-6")
_RUIM: Final = Context(prec=200)
_GETAL = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
_JAAR = re.compile(r"([0-9]{4})(?:JJ00)?")
_LAND = re.compile(r"NL[0-9]{2}")
TABELNUMMER = re.compile(r"[0-9A-Za-z]{5,12}")


@functools.cache
def leefbaarometer_klassen() -> dict[int, str]:
    """The nine Leefbaarometer classes from the reference list in programma."""
    pad = resources.files("programma").joinpath("referentiedata", "leefbaarometer-klassen.csv")
    with pad.open(encoding="utf-8") as bestand:
        return {int(r["klasse"]): r["omschrijving"] for r in csv.DictReader(bestand)}


def _stam(kolom: str) -> str:
    """A CBS column name without the number CBS appends per table: AantalInwoners_5."""
    return re.sub(r"_[0-9]+\Z", "", kolom.strip()).casefold()


def _norm(kolom: str) -> str:
    return re.sub(r"[\s\-]+", "_", kolom.strip().casefold())


def _titel(titel: object) -> str:
    return " ".join(str(titel or "").split()).casefold()


CBS_STAMMEN: Final = {s.casefold(): k for k in CBS_KENMERKEN for s in k.kolommen}
CBS_TITELS: Final = {_titel(t): k for k in CBS_KENMERKEN for t in k.titels}
LEEFBAAROMETER_NAMEN: Final = {n: k for k in LEEFBAAROMETER_KENMERKEN for n in k.kolommen}


# --- reading one cell ---------------------------------------------------------------------


def _kort(tekst: str) -> str:
    tekst = tekst.replace("\n", " ").replace("\r", " ")
    return tekst if len(tekst) <= 40 else tekst[:39] + "…"


def lees_gebiedscode(waarde: object) -> str | None:
    """The CBS code in a cell (CBS pads codes with spaces), or None for the whole country."""
    code = "" if waarde is None else str(waarde).strip()
    if not code:
        raise Rijfout("de gebiedscode ontbreekt")
    if _LAND.fullmatch(code):
        return None
    if not GEBIEDSCODE_PATROON.fullmatch(code):
        raise Rijfout(
            f"'{_kort(code)}' is geen CBS-gebiedscode (GM + 4 cijfers, WK + 6 of BU + 8 tekens)"
        )
    return code


def lees_jaar(waarde: object) -> int:
    """A year as 2024, '2024' or CBS's period code '2024JJ00'; from 2000 to this year."""
    jaar: int | None = None
    if isinstance(waarde, int) and not isinstance(waarde, bool):
        jaar = waarde
    elif (
        isinstance(waarde, Decimal) and waarde.is_finite() and waarde == waarde.to_integral_value()
    ):
        jaar = int(waarde)
    elif isinstance(waarde, str) and (treffer := _JAAR.fullmatch(waarde.strip())):
        jaar = int(treffer[1])
    if jaar is None:
        raise Rijfout(f"'{_kort(str(waarde))}' is geen jaartal")
    laatste = timezone.localdate().year
    if not EERSTE_JAAR <= jaar <= laatste:
        raise Rijfout(f"jaar {jaar} ligt buiten {EERSTE_JAAR}–{laatste}")
    return jaar


def lees_getal(waarde: object) -> Decimal | None:
    """A number exactly as published, or None when the source has none ('.', 'x', empty).
    A decimal point or comma; no thousands separators, no exponent, never a float."""
    if waarde is None:
        return None
    if isinstance(waarde, bool):
        raise Rijfout("waar/onwaar is geen getal")
    if isinstance(waarde, int):
        getal = Decimal(waarde)
    elif isinstance(waarde, Decimal):
        getal = waarde
    elif isinstance(waarde, str):
        tekst = waarde.strip()
        if tekst in ONTBREKEND:
            return None
        if tekst == NIHIL:
            return Decimal(0)
        if not _GETAL.fullmatch(tekst):
            raise Rijfout(f"'{_kort(tekst)}' is geen getal")
        getal = Decimal(tekst.replace(",", "."))
    else:
        raise Rijfout(f"{type(waarde).__name__} is geen getal")
    if not getal.is_finite():
        raise Rijfout("de waarde is geen eindig getal")
    if abs(getal) >= GROOTSTE:
        raise Rijfout(f"{_kort(str(getal))} is te groot (hoogstens 16 cijfers voor de komma)")
    if getal.quantize(DECIMALEN, context=_RUIM) != getal:
        raise Rijfout(f"{_kort(str(getal))} heeft meer dan 6 decimalen")
    return getal


def lees_klasse(waarde: object) -> Decimal | None:
    """A Leefbaarometer class: a whole number from the reference list (1–9)."""
    getal = lees_getal(waarde)
    if getal is None:
        return None
    klassen = leefbaarometer_klassen()
    if getal != getal.to_integral_value() or int(getal) not in klassen:
        raise Rijfout(
            f"{_kort(str(getal))} is geen klasse van de Leefbaarometer "
            f"({min(klassen)}–{max(klassen)})"
        )
    return Decimal(int(getal))


# --- what a source yields -----------------------------------------------------------------


@dataclass(frozen=True)
class Cijfer:
    gebiedscode: str
    jaar: int
    kenmerk: str
    waarde: Decimal
    bron: Bron
    bron_url: str

    @property
    def sleutel(self) -> tuple[str, int, str, str]:
        """The unique key of Contextcijfer."""
        return (self.gebiedscode, self.jaar, self.kenmerk, self.bron.naam)


@dataclass(frozen=True)
class Afwijzing:
    waar: str  # 'regel 7' (the file's row, the header being row 1) or 'observatie 123'
    reden: str

    def __str__(self) -> str:
        return f"{self.waar}: {self.reden}"


@dataclass
class Uitslag:
    """What a file or a fetch yields: good figures, rejected rows with their reason, and
    counts of what was passed over without being wrong."""

    bron: Bron
    cijfers: list[Cijfer] = field(default_factory=list)
    afwijzingen: list[Afwijzing] = field(default_factory=list)
    regels: int = 0  # data rows (or observations) read
    buiten_focusgebieden: int = 0
    ander_jaar: int = 0
    ontbrekend: int = 0  # single figures the source leaves empty ('.', 'x', empty)


class _Lezer:
    """Turns rows into figures. A row is taken whole or not at all: one bad cell rejects
    it, with every bad cell named."""

    def __init__(
        self,
        *,
        bron: Bron,
        bron_url: str,
        gebieden: Collection[str] | None,
        jaar: int | None,
    ) -> None:
        self.uitslag = Uitslag(bron=bron)
        self.bron_url = bron_url
        self.gebieden = gebieden
        self.jaar = jaar
        self._gezien: dict[tuple[str, int, str], str] = {}

    def afwijzen(self, waar: str, reden: str) -> None:
        self.uitslag.afwijzingen.append(Afwijzing(waar, reden))

    def regel(
        self,
        waar: str,
        *,
        code: object,
        jaar: object | None,
        cellen: Sequence[tuple[Kenmerk, str, object]],
    ) -> None:
        """One row: its area code, its year (None: the row has no year of its own) and its
        cells as (kenmerk, column name, value)."""
        self.uitslag.regels += 1
        try:
            self._regel(waar, code=code, jaar=jaar, cellen=cellen)
        except Rijfout as fout:
            self.afwijzen(waar, str(fout))

    def _regel(
        self,
        waar: str,
        *,
        code: object,
        jaar: object | None,
        cellen: Sequence[tuple[Kenmerk, str, object]],
    ) -> None:
        u = self.uitslag
        gebiedscode = lees_gebiedscode(code)
        if gebiedscode is None or (self.gebieden is not None and gebiedscode not in self.gebieden):
            u.buiten_focusgebieden += 1
            return
        if jaar is not None:
            regeljaar = lees_jaar(jaar)
            if self.jaar is not None and regeljaar != self.jaar:
                u.ander_jaar += 1
                return
        elif self.jaar is not None:
            regeljaar = self.jaar
        else:
            raise Rijfout("de regel heeft geen jaar")
        sleutels = [(gebiedscode, regeljaar, k.naam) for k, _, _ in cellen]
        eerder = next((self._gezien[s] for s in sleutels if s in self._gezien), None)
        if eerder is not None:
            raise Rijfout(f"{gebiedscode} {regeljaar} staat al in {eerder}")

        cijfers: list[Cijfer] = []
        fouten: list[str] = []
        ontbrekend = 0
        for kenmerk, kolom, waarde in cellen:
            try:
                getal = lees_klasse(waarde) if kenmerk.klasse else lees_getal(waarde)
            except Rijfout as fout:
                fouten.append(f"{_kort(kolom)}: {fout}")
                continue
            if getal is None:
                ontbrekend += 1
            else:
                cijfers.append(
                    Cijfer(gebiedscode, regeljaar, kenmerk.naam, getal, u.bron, self.bron_url)
                )
        if fouten:
            raise Rijfout("; ".join(fouten))
        self._gezien.update(dict.fromkeys(sleutels, waar))
        u.cijfers.extend(cijfers)
        u.ontbrekend += ontbrekend


# --- reading a table: CSV rows or OData rows ----------------------------------------------


@dataclass(frozen=True)
class Kolomkaart:
    code: int
    jaar: int | None
    cellen: tuple[tuple[Kenmerk, str, int], ...]


def _dubbel(kaart: dict[Kenmerk, str], kenmerk: Kenmerk, kolom: str) -> None:
    if kenmerk in kaart:
        raise OngeldigBestand(
            f"De kolommen {kaart[kenmerk]} en {kolom} betekenen allebei "
            f"'{kenmerk.omschrijving}'; laat er één staan."
        )
    kaart[kenmerk] = kolom


def cbs_kolomkaart(kop: Sequence[str]) -> Kolomkaart:
    """Where a CBS table (CSV or OData TypedDataSet) keeps the code, the year and the
    figures we take, recognised by column name without CBS's numbered suffix."""
    stammen = [_stam(k) for k in kop]
    code = next(
        (stammen.index(s.casefold()) for s in CBS_CODEKOLOMMEN if s.casefold() in stammen), None
    )
    if code is None:
        raise OngeldigBestand(
            "Het CBS-bestand heeft geen kolom met de gebiedscode (Codering_N of WijkenEnBuurten)."
        )
    jaar = stammen.index("perioden") if "perioden" in stammen else None
    gevonden: dict[Kenmerk, str] = {}
    cellen: list[tuple[Kenmerk, str, int]] = []
    for i, stam in enumerate(stammen):
        kenmerk = CBS_STAMMEN.get(stam)
        if kenmerk is not None:
            _dubbel(gevonden, kenmerk, kop[i])
            cellen.append((kenmerk, kop[i].strip(), i))
    if not cellen:
        raise OngeldigBestand(
            "Het CBS-bestand heeft geen van de kenmerken die Ontschot bewaart. Verwacht "
            "kolommen als " + ", ".join(f"{k.kolommen[0]}_N" for k in CBS_KENMERKEN[:4]) + "."
        )
    return Kolomkaart(code=code, jaar=jaar, cellen=tuple(cellen))


def leefbaarometer_kolomkaart(kop: Sequence[str]) -> Kolomkaart:
    namen = [_norm(k) for k in kop]
    code = next((namen.index(n) for n in LEEFBAAROMETER_CODEKOLOMMEN if n in namen), None)
    if code is None:
        raise OngeldigBestand(
            "Het Leefbaarometer-bestand heeft geen kolom met de gebiedscode ("
            + ", ".join(LEEFBAAROMETER_CODEKOLOMMEN)
            + ")."
        )
    jaar = next((namen.index(n) for n in LEEFBAAROMETER_JAARKOLOMMEN if n in namen), None)
    gevonden: dict[Kenmerk, str] = {}
    cellen: list[tuple[Kenmerk, str, int]] = []
    for i, naam in enumerate(namen):
        kenmerk = LEEFBAAROMETER_NAMEN.get(naam)
        if kenmerk is not None:
            _dubbel(gevonden, kenmerk, kop[i])
            cellen.append((kenmerk, kop[i].strip(), i))
    if not cellen:
        raise OngeldigBestand(
            "Het Leefbaarometer-bestand heeft geen score, klasse of dimensie. Verwacht kolommen "
            "als lbm, klasse, fys, won, vrz, soc en onv."
        )
    return Kolomkaart(code=code, jaar=jaar, cellen=tuple(cellen))


def herken_bron(kop: Sequence[str]) -> Bron:
    stammen = {_stam(k) for k in kop}
    if any(s.casefold() in stammen for s in CBS_CODEKOLOMMEN):
        return CBS
    if {_norm(k) for k in kop} & set(LEEFBAAROMETER_CODEKOLOMMEN):
        return LEEFBAAROMETER
    raise OngeldigBestand(
        "Onbekend bestand: een CBS-bestand heeft een kolom Codering_N of WijkenEnBuurten, een "
        "Leefbaarometer-bestand een kolom gebiedscode, bu_code, wk_code of gm_code."
    )


def _kolomkaart(bron: Bron, kop: Sequence[str]) -> Kolomkaart:
    return cbs_kolomkaart(kop) if bron is CBS else leefbaarometer_kolomkaart(kop)


def _tekst(inhoud: bytes) -> str:
    if b"\x00" in inhoud[:4096]:
        raise OngeldigBestand("Dit is geen tekstbestand (CSV); sla het op als CSV in UTF-8.")
    try:
        return inhoud.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # What Excel on Windows writes as "CSV (gescheiden door lijstscheidingsteken)".
        return inhoud.decode("cp1252")
    except UnicodeDecodeError as fout:
        raise OngeldigBestand("Het bestand is geen tekst in UTF-8 of Windows-1252.") from fout


def _scheidingsteken(tekst: str) -> str:
    kop = tekst.lstrip("\r\n").split("\n", 1)[0]
    tellingen = {teken: kop.count(teken) for teken in (";", ",", "\t")}
    return max(tellingen, key=lambda t: tellingen[t])


def _records(tekst: str) -> Iterator[tuple[int, list[str]]]:
    lezer = csv.reader(io.StringIO(tekst, newline=""), delimiter=_scheidingsteken(tekst))
    nummer = 0
    try:
        for nummer, velden in enumerate(lezer, start=1):
            if nummer > MAX_REGELS:
                raise OngeldigBestand(
                    f"Het bestand heeft meer dan {MAX_REGELS} regels; "
                    "verdeel het over meerdere bestanden."
                )
            yield nummer, velden
    except csv.Error as fout:
        raise OngeldigBestand(f"Regel {nummer + 1} is onleesbaar als CSV ({fout}).") from fout


def lees_csv(
    inhoud: bytes,
    *,
    bron: str | None = None,
    jaar: int | None = None,
    gebieden: Collection[str] | None = None,
    bron_url: str = "",
) -> Uitslag:
    """Read a CBS Kerncijfers or Leefbaarometer CSV file (``bron`` 'cbs' or
    'leefbaarometer'; recognised from the header when None). ``jaar``: the year of a file
    without a year column; for a file with one, only rows of that year are taken.
    ``gebieden``: the area codes to keep (None: every valid code). Raises
    ``OngeldigBestand`` when the file as a whole is unusable; bad rows are in the result."""
    if len(inhoud) > MAX_BESTAND_BYTES:
        raise OngeldigBestand("Het bestand is groter dan 200 MB.")
    records = _records(_tekst(inhoud))
    kop: list[str] | None = None
    for _, velden in records:
        if any(v.strip() for v in velden):
            kop = [v.strip().lstrip("\ufeff").strip('"').strip() for v in velden]
            break
    if kop is None:
        raise OngeldigBestand("Het bestand is leeg.")
    if len({k.casefold() for k in kop if k}) != len([k for k in kop if k]):
        raise OngeldigBestand("De kopregel noemt een kolom twee keer.")
    gekozen = BRONNEN.get(bron) if bron else herken_bron(kop)
    if gekozen is None:
        raise OngeldigBestand(f"Onbekende bron '{bron}': kies cbs of leefbaarometer.")
    kaart = _kolomkaart(gekozen, kop)
    if kaart.jaar is None and jaar is None:
        raise OngeldigBestand(
            "Het bestand heeft geen jaarkolom: geef het jaar van de cijfers met --jaar "
            "(bij CBS het jaar van de kerncijfertabel)."
        )
    lezer = _Lezer(bron=gekozen, bron_url=bron_url or gekozen.url, gebieden=gebieden, jaar=jaar)
    for nummer, velden in records:
        if not any(v.strip() for v in velden):
            continue
        waar = f"regel {nummer}"
        if len(velden) < len(kop) or any(v.strip() for v in velden[len(kop) :]):
            lezer.uitslag.regels += 1
            lezer.afwijzen(waar, f"de regel heeft {len(velden)} velden, de kopregel {len(kop)}")
            continue
        lezer.regel(
            waar,
            code=velden[kaart.code],
            jaar=None if kaart.jaar is None else velden[kaart.jaar],
            cellen=[(k, kolom, velden[i]) for k, kolom, i in kaart.cellen],
        )
    return lezer.uitslag


# --- CBS OData ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OdataInstelling:
    """Where and how to fetch. ``tabellen``: (table id, year or None when the table's rows
    carry a Perioden column)."""

    basis: str
    tabellen: tuple[tuple[str, int | None], ...]
    timeout: float = 30.0  # seconds per request
    max_paginas: int = 200  # per request, following nextLink
    max_duur: float = 240.0  # seconds for the whole fetch: below django-q2's task timeout

    @property
    def klassiek(self) -> bool:
        """CBS's classic OData v3 (TypedDataSet) rather than OData v4 (Observations)."""
        pad = urllib.parse.urlsplit(self.basis).path.casefold()
        return "/odataapi/" in pad + "/" or "/odatafeed/" in pad + "/"


def odata_instelling() -> OdataInstelling | None:
    """The configured CBS OData address, or None when the scheduled import is off.

    ``CBS_ODATA_URL``: the service root, e.g. ``https://datasets.cbs.nl/odata/v1/CBS``
    (OData v4) or ``https://opendata.cbs.nl/ODataFeed/odata`` (classic TypedDataSet).
    ``CBS_ODATA_TABEL``: one or more tables, comma-separated, each with its year unless
    its rows have a Perioden column: ``85984NED:2024,85618NED:2023``."""
    basis = str(getattr(settings, "CBS_ODATA_URL", "") or "").strip().rstrip("/")
    if not basis:
        return None
    if urllib.parse.urlsplit(basis).scheme not in {"http", "https"}:
        raise ImproperlyConfigured("CBS_ODATA_URL moet een http(s)-adres zijn.")
    tabellen: list[tuple[str, int | None]] = []
    for deel in str(getattr(settings, "CBS_ODATA_TABEL", "") or "").split(","):
        if not deel.strip():
            continue
        tabel, _, jaartekst = deel.strip().partition(":")
        if not TABELNUMMER.fullmatch(tabel.strip()):
            raise ImproperlyConfigured(f"CBS_ODATA_TABEL: '{tabel}' is geen CBS-tabelnummer.")
        try:
            jaar = lees_jaar(jaartekst.strip()) if jaartekst.strip() else None
        except Rijfout as fout:
            raise ImproperlyConfigured(f"CBS_ODATA_TABEL: {fout}.") from fout
        tabellen.append((tabel.strip(), jaar))
    if not tabellen:
        raise ImproperlyConfigured(
            "CBS_ODATA_URL is ingesteld maar CBS_ODATA_TABEL niet, bijvoorbeeld 85984NED:2024."
        )
    return OdataInstelling(
        basis=basis,
        tabellen=tuple(tabellen),
        timeout=float(getattr(settings, "CBS_ODATA_TIMEOUT", 30)),
        max_paginas=int(getattr(settings, "CBS_ODATA_MAX_PAGINAS", 200)),
        max_duur=float(getattr(settings, "CBS_ODATA_MAX_DUUR", 240)),
    )


def _toon(url: str) -> str:
    """An address for a message, its (long) $filter elided."""
    delen = urllib.parse.urlsplit(url)
    paren = urllib.parse.parse_qsl(delen.query, keep_blank_values=True)
    rest = [f"{k}={v}" for k, v in paren if k != "$filter"]
    if len(rest) < len(paren):
        rest.insert(0, "$filter=…")
    return delen._replace(query="&".join(rest)).geturl()


def _herkomst(url: str) -> tuple[str, str]:
    delen = urllib.parse.urlsplit(url)
    return delen.scheme, delen.netloc


def _pagina(url: str, *, timeout: float) -> dict[str, Any]:
    verzoek = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
    )
    try:
        with urllib.request.urlopen(verzoek, timeout=timeout) as antwoord:
            inhoud = antwoord.read(MAX_PAGINA_BYTES + 1)
    except urllib.error.HTTPError as fout:
        fout.close()
        raise OphaalFout(
            f"CBS OData antwoordde HTTP {fout.code} ({fout.reason}) op {_toon(url)}"
        ) from fout
    except TimeoutError as fout:
        raise OphaalTijd(
            f"CBS OData antwoordde niet binnen {timeout:g} s op {_toon(url)}"
        ) from fout
    except (urllib.error.URLError, OSError, http.client.HTTPException) as fout:
        reden = getattr(fout, "reason", fout)
        if isinstance(reden, TimeoutError):
            raise OphaalTijd(
                f"CBS OData antwoordde niet binnen {timeout:g} s op {_toon(url)}"
            ) from fout
        raise OphaalFout(f"CBS OData is niet bereikbaar ({reden}) op {_toon(url)}") from fout
    if len(inhoud) > MAX_PAGINA_BYTES:
        raise OphaalFout(f"Een pagina van CBS OData is groter dan 64 MB: {_toon(url)}")
    try:
        # parse_float: every number arrives as an exact Decimal, never as a float.
        document = json.loads(inhoud, parse_float=Decimal)
    except (ValueError, RecursionError) as fout:
        raise OphaalFout(f"CBS OData gaf geen JSON op {_toon(url)}") from fout
    if not isinstance(document, dict) or not isinstance(document.get("value"), list):
        raise OphaalFout(f"CBS OData gaf geen OData-antwoord (een 'value'-lijst) op {_toon(url)}")
    return document


def odata_rijen(url: str, *, instelling: OdataInstelling, einde: float) -> list[dict[str, Any]]:
    """Every row behind ``url``, following ``@odata.nextLink`` (v4) or ``odata.nextLink``
    (v3) on the same host: at most ``max_paginas`` pages, each within ``timeout``, and
    all before ``einde`` (a ``time.monotonic()`` moment)."""
    max_paginas = instelling.max_paginas
    te_lang = (
        f"Het ophalen bij CBS OData duurde langer dan {instelling.max_duur:g} s "
        "(CBS_ODATA_MAX_DUUR)"
    )
    rijen: list[dict[str, Any]] = []
    herkomst = _herkomst(url)
    gehaald: set[str] = set()
    volgende: str | None = url
    while volgende is not None:
        if len(gehaald) >= max_paginas:
            raise OphaalFout(
                f"CBS OData gaf meer dan {max_paginas} pagina's voor {_toon(url)}; "
                "verhoog CBS_ODATA_MAX_PAGINAS als dat klopt."
            )
        if volgende in gehaald:
            raise OphaalFout(f"CBS OData verwijst in een kring naar {_toon(volgende)}")
        gehaald.add(volgende)
        rest = einde - time.monotonic()
        if rest <= 0:
            raise OphaalFout(te_lang)
        try:
            document = _pagina(volgende, timeout=min(instelling.timeout, rest))
        except OphaalTijd as fout:
            if rest < instelling.timeout:
                raise OphaalFout(te_lang) from fout
            raise
        for rij in document["value"]:
            if not isinstance(rij, dict):
                raise OphaalFout(f"CBS OData gaf een rij die geen object is op {_toon(volgende)}")
            rijen.append(rij)
        link = document.get("@odata.nextLink", document.get("odata.nextLink"))
        if link is None:
            volgende = None
        elif not isinstance(link, str) or not link:
            raise OphaalFout(f"CBS OData gaf een ongeldige nextLink op {_toon(volgende)}")
        else:
            volgende = urllib.parse.urljoin(volgende, link)
            if _herkomst(volgende) != herkomst:
                raise OphaalFout(
                    f"CBS OData verwijst naar een andere server ({_toon(volgende)}); niet gevolgd."
                )
    return rijen


def _blokken(codes: Sequence[str], grootte: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(codes), grootte):
        yield codes[i : i + grootte]


def _filter(uitdrukking: str) -> str:
    return "$filter=" + urllib.parse.quote(uitdrukking, safe="'()")


def _maten(instelling: OdataInstelling, tabel: str, einde: float) -> dict[str, Kenmerk]:
    """OData v4: which measure identifier of this table is which of our kenmerken, by the
    measure's title (or its identifier when that is a classic column name)."""
    url = f"{instelling.basis}/{tabel}/MeasureCodes"
    kaart: dict[str, Kenmerk] = {}
    for maat in odata_rijen(url, instelling=instelling, einde=einde):
        identifier = str(maat.get("Identifier") or "").strip()
        kenmerk = CBS_TITELS.get(_titel(maat.get("Title"))) or CBS_STAMMEN.get(_stam(identifier))
        if not identifier or kenmerk is None:
            continue
        if kenmerk in kaart.values():
            logger.warning(
                "Tabel %s: meer dan één maat voor %s; %s genegeerd.",
                tabel,
                kenmerk.naam,
                identifier,
            )
            continue
        kaart[identifier] = kenmerk
    if not kaart:
        raise OphaalFout(
            f"Tabel {tabel} heeft geen van de kenmerken die Ontschot bewaart "
            f"(bijvoorbeeld '{CBS_KENMERKEN[0].titels[0]}'); klopt CBS_ODATA_TABEL?"
        )
    return kaart


def _observaties(
    lezer: _Lezer,
    instelling: OdataInstelling,
    tabel: str,
    jaar: int | None,
    codes: Sequence[str],
    einde: float,
) -> None:
    """OData v4: one observation per area × measure, in long form."""
    maten = _maten(instelling, tabel, einde)
    welke = " or ".join(f"Measure eq '{m}'" for m in sorted(maten) if "'" not in m)
    for blok in _blokken(codes, CODES_PER_VERZOEK):
        waar = " or ".join(f"WijkenEnBuurten eq '{c}'" for c in blok)
        url = f"{instelling.basis}/{tabel}/Observations?{_filter(f'({waar}) and ({welke})')}"
        rijen = odata_rijen(url, instelling=instelling, einde=einde)
        for n, rij in enumerate(rijen, start=1):
            kenmerk = maten.get(str(rij.get("Measure")))
            if kenmerk is None:
                continue
            if jaar is None and "Perioden" not in rij:
                raise OphaalFout(
                    f"Tabel {tabel} heeft geen Perioden: geef het jaar in CBS_ODATA_TABEL, "
                    f"bijvoorbeeld {tabel}:2024."
                )
            lezer.regel(
                f"tabel {tabel} observatie {rij.get('Id', n)}",
                code=rij.get("WijkenEnBuurten"),
                jaar=rij.get("Perioden"),
                cellen=[(kenmerk, str(rij.get("Measure")), rij.get("Value"))],
            )


def _typeddataset(
    lezer: _Lezer,
    instelling: OdataInstelling,
    tabel: str,
    jaar: int | None,
    codes: Sequence[str],
    einde: float,
) -> None:
    """Classic OData v3: one wide row per area, columns as in the CSV download. Keys are
    padded with spaces to ten characters."""
    rijen: list[dict[str, Any]] = []
    for blok in _blokken(codes, CODES_PER_VERZOEK):
        waar = " or ".join(f"WijkenEnBuurten eq '{c.ljust(10)}'" for c in blok)
        url = f"{instelling.basis}/{tabel}/TypedDataSet?{_filter(waar)}"
        rijen += odata_rijen(url, instelling=instelling, einde=einde)
    if not rijen:
        return
    kop = list(dict.fromkeys(k for rij in rijen for k in rij))
    try:
        kaart = cbs_kolomkaart(kop)
    except OngeldigBestand as fout:
        raise OphaalFout(f"Tabel {tabel}: {fout}") from fout
    if kaart.jaar is None and jaar is None:
        raise OphaalFout(
            f"Tabel {tabel} heeft geen Perioden: geef het jaar in CBS_ODATA_TABEL, "
            f"bijvoorbeeld {tabel}:2024."
        )
    for n, rij in enumerate(rijen, start=1):
        velden = [rij.get(k) for k in kop]
        lezer.regel(
            f"tabel {tabel} rij {rij.get('ID', n)}",
            code=velden[kaart.code],
            jaar=None if kaart.jaar is None else velden[kaart.jaar],
            cellen=[(k, kolom, velden[i]) for k, kolom, i in kaart.cellen],
        )


def cbs_odata_ophalen(instelling: OdataInstelling, *, gebieden: Collection[str]) -> Uitslag:
    """Fetch every configured table for ``gebieden`` and read it. Nothing is written; an
    HTTP failure on any page of any table raises ``OphaalFout``."""
    codes = sorted(c for c in gebieden if GEBIEDSCODE_PATROON.fullmatch(c))
    lezer = _Lezer(bron=CBS, bron_url="", gebieden=set(codes), jaar=None)
    einde = time.monotonic() + instelling.max_duur
    for tabel, jaar in instelling.tabellen:
        lezer.bron_url = STATLINE_URL.format(tabel=tabel)
        lezer.jaar = jaar
        if instelling.klassiek:
            _typeddataset(lezer, instelling, tabel, jaar, codes, einde)
        else:
            _observaties(lezer, instelling, tabel, jaar, codes, einde)
    return lezer.uitslag


# --- writing ------------------------------------------------------------------------------


def gebieden_van_focusgebieden() -> set[str]:
    """The wijk and buurt codes of all focus areas (any peiljaar) and their municipalities."""
    codes = set(Gebiedscode.objects.values_list("code", flat=True))
    codes |= set(Focusgebied.objects.values_list("gemeentecode", flat=True))
    return {c for c in codes if c}


def _aantal(n: int, enkelvoud: str, meervoud: str) -> str:
    return f"{n} {enkelvoud if n == 1 else meervoud}"


@dataclass(frozen=True)
class Importverslag:
    herkomst: str
    bron: str
    regels: int
    nieuw: int
    gewijzigd: int
    ongewijzigd: int
    ontbrekend: int
    buiten_focusgebieden: int
    ander_jaar: int
    afwijzingen: tuple[Afwijzing, ...]

    @property
    def samenvatting(self) -> list[str]:
        """The import in two Dutch sentences; the rejected rows are in ``afwijzingen``."""
        overgeslagen = [
            f"{_aantal(len(self.afwijzingen), 'regel', 'regels')} overgeslagen wegens een fout",
            f"{self.buiten_focusgebieden} buiten de focusgebieden",
        ]
        if self.ander_jaar:
            overgeslagen.append(f"{self.ander_jaar} van een ander jaar")
        if self.ontbrekend:
            ontbrak = "ontbrak" if self.ontbrekend == 1 else "ontbraken"
            overgeslagen.append(
                f"{_aantal(self.ontbrekend, 'waarde', 'waarden')} {ontbrak} ('.' of leeg)"
            )
        return [
            f"{self.herkomst} ({self.bron}): {self.nieuw} nieuw, {self.gewijzigd} gewijzigd, "
            f"{self.ongewijzigd} ongewijzigd.",
            f"{_aantal(self.regels, 'regel', 'regels')} gelezen; " + "; ".join(overgeslagen) + ".",
        ]

    def als_json(self) -> dict[str, Any]:
        return {
            "herkomst": self.herkomst,
            "bron": self.bron,
            "regels": self.regels,
            "nieuw": self.nieuw,
            "gewijzigd": self.gewijzigd,
            "ongewijzigd": self.ongewijzigd,
            "ontbrekend": self.ontbrekend,
            "buiten_focusgebieden": self.buiten_focusgebieden,
            "ander_jaar": self.ander_jaar,
            "overgeslagen": len(self.afwijzingen),
            "fouten": [str(a) for a in self.afwijzingen[:AUDIT_MAX_FOUTEN]],
        }


def _bestaand(
    sleutels: Iterable[tuple[str, int, str, str]],
) -> dict[tuple[str, int, str, str], tuple[Decimal | None, str, str]]:
    sleutels = list(sleutels)
    gevraagd = set(sleutels)
    jaren = {s[1] for s in sleutels}
    bronnen = {s[3] for s in sleutels}
    gevonden: dict[tuple[str, int, str, str], tuple[Decimal | None, str, str]] = {}
    for blok in _blokken(sorted({s[0] for s in sleutels}), 500):
        for code, jaar, kenmerk, bron, waarde, licentie, url in Contextcijfer.objects.filter(
            gebiedscode__in=blok, jaar__in=jaren, bron__in=bronnen
        ).values_list("gebiedscode", "jaar", "kenmerk", "bron", "waarde", "licentie", "bron_url"):
            if (code, jaar, kenmerk, bron) in gevraagd:
                gevonden[(code, jaar, kenmerk, bron)] = (waarde, licentie, url)
    return gevonden


def contextcijfers_importeren(*, actor: Actor, uitslag: Uitslag, herkomst: str) -> Importverslag:
    """Write the figures of ``uitslag``: insert new ones and update existing ones by
    (gebiedscode, jaar, kenmerk, bron), in one transaction with one audit row that sums
    up the import (none when there was nothing to write). Running it again with the same
    figures changes only ``opgehaald_op``."""
    cijfers = {c.sleutel: c for c in uitslag.cijfers}
    with transaction.atomic():
        bestaand = _bestaand(cijfers)
        nieuw = gewijzigd = 0
        for sleutel, c in cijfers.items():
            oud = bestaand.get(sleutel)
            if oud is None:
                nieuw += 1
            elif oud != (c.waarde, c.bron.licentie, c.bron_url):
                gewijzigd += 1
        # An upsert rather than update_or_create: two runs at once cannot both insert.
        Contextcijfer.objects.bulk_create(
            [
                Contextcijfer(
                    gebiedscode=c.gebiedscode,
                    jaar=c.jaar,
                    kenmerk=c.kenmerk,
                    waarde=c.waarde,
                    bron=c.bron.naam,
                    licentie=c.bron.licentie,
                    bron_url=c.bron_url,
                )
                for c in cijfers.values()
            ],
            batch_size=500,
            update_conflicts=True,
            unique_fields=["gebiedscode", "jaar", "kenmerk", "bron"],
            update_fields=["waarde", "licentie", "bron_url", "opgehaald_op"],
        )
        verslag = Importverslag(
            herkomst=herkomst,
            bron=uitslag.bron.naam,
            regels=uitslag.regels,
            nieuw=nieuw,
            gewijzigd=gewijzigd,
            ongewijzigd=len(cijfers) - nieuw - gewijzigd,
            ontbrekend=uitslag.ontbrekend,
            buiten_focusgebieden=uitslag.buiten_focusgebieden,
            ander_jaar=uitslag.ander_jaar,
            afwijzingen=tuple(uitslag.afwijzingen),
        )
        if cijfers:
            # The trail names one figure of the import (the first by key) and carries the
            # summary; there is no import object to hang it on.
            code, jaar, kenmerk, bron = min(cijfers)
            eerste = Contextcijfer.objects.get(
                gebiedscode=code, jaar=jaar, kenmerk=kenmerk, bron=bron
            )
            registreer(
                actor=actor, actie="contextcijfers_importeren", obj=eerste, na=verslag.als_json()
            )
    return verslag


def contextcijfers_uit_odata(*, actor: Actor) -> Importverslag | str:
    """Fetch from the configured CBS OData address and import. Returns the report, or
    a sentence saying why nothing was fetched. Raises ``OphaalFout`` having written nothing."""
    instelling = odata_instelling()
    if instelling is None:
        return "CBS_ODATA_URL is niet ingesteld: de geplande import van CBS-cijfers staat uit."
    gebieden = gebieden_van_focusgebieden()
    if not gebieden:
        return "Er zijn nog geen focusgebieden met gebiedscodes: niets opgehaald."
    uitslag = cbs_odata_ophalen(instelling, gebieden=gebieden)
    tabellen = ", ".join(t for t, _ in instelling.tabellen)
    return contextcijfers_importeren(actor=actor, uitslag=uitslag, herkomst=f"CBS OData {tabellen}")


def contextcijfers_ophalen() -> str:
    """django-q2 task: fetch CBS figures for the focus areas from ``CBS_ODATA_URL`` and
    import them. Takes nothing and reads its configuration from the settings; safe to
    run twice (an upsert). On failure it raises, having written nothing, so the task is
    recorded as failed and retried."""
    verslag = contextcijfers_uit_odata(actor=Actor.systeem("taak contextcijfers_ophalen"))
    if isinstance(verslag, str):
        logger.info(verslag)
        return verslag
    for afwijzing in verslag.afwijzingen[:AUDIT_MAX_FOUTEN]:
        logger.warning("Contextcijfer overgeslagen, %s", afwijzing)
    samenvatting = " ".join(verslag.samenvatting)
    logger.info(samenvatting)
    return samenvatting
