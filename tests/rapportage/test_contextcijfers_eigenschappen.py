"""Properties of the CSV reader: whatever a file holds, reading it never crashes; it is
either refused as a whole with a Dutch reason or read into figures that are all valid
and rejected rows that all say why, with every data row accounted for."""

import csv
import io
from decimal import Decimal

from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from programma.validators import GEBIEDSCODE_PATROON
from rapportage import contextcijfers as cc

CBS_KOP = [
    "ID",
    "WijkenEnBuurten",
    "Codering_3",
    "Perioden",
    "AantalInwoners_5",
    "Bevolkingsdichtheid_33",
    "GemiddeldInkomenPerInwoner_66",
    "HuishoudensMetEenLaagInkomen_72",
    "Mannen_6",
]
LBM_KOP = ["bu_code", "jaar", "lbm", "klasse", "fys", "onv", "soc", "vrz", "won", "bu_naam"]

GOED = ["WK036301", "BU0363AA06", "GM0363"]
codes = st.one_of(
    st.sampled_from(GOED),
    st.sampled_from(["NL00", "WK03X", "", "wk036301", "GM03630", "BU0363AA0", "GM0599"]),
)
getallen = st.one_of(
    st.decimals(min_value=-(10**6), max_value=10**6, places=2).map(str),
    st.integers(min_value=1, max_value=9).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from([".", "       .", "x", "-", "", "1,5", "1.234,5", "1e3", "٣", "4.5", "10"]),
)
jaren = st.one_of(
    st.sampled_from(["2022", "2024", "2024JJ00"]),
    st.integers(min_value=1990, max_value=2040).map(str),
    st.sampled_from(["twintig", "", "2024.0"]),
)
tekst = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)


def cel(kolom: str) -> st.SearchStrategy[str]:
    naam = kolom.casefold()
    if naam in {"wijkenenbuurten", "codering_3", "bu_code"}:
        return st.one_of(codes.map(lambda c: c.ljust(10)), codes, tekst)
    if naam in {"perioden", "jaar"}:
        return st.one_of(jaren, tekst)
    return st.one_of(getallen, tekst)


@st.composite
def bestanden(draw: st.DrawFn) -> tuple[bytes, list[str], int]:
    """A CBS or Leefbaarometer file with some of its columns (mostly with an area code)
    and rows of likely and unlikely cells, some too short or too long; with its header
    and the number of rows that are not blank."""
    kop = draw(st.sampled_from([CBS_KOP, LBM_KOP]))
    kolommen = draw(st.lists(st.sampled_from(kop), min_size=2, max_size=len(kop), unique=True))
    code = "Codering_3" if kop is CBS_KOP else "bu_code"
    if code not in kolommen and draw(st.integers(0, 4)):
        kolommen.insert(draw(st.integers(0, len(kolommen))), code)
    rijen = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        rij = [draw(cel(k)) for k in kolommen]
        vorm = draw(st.sampled_from(["heel"] * 6 + ["kort", "lang"]))
        if vorm == "kort":
            rij = rij[:-1]
        elif vorm == "lang":
            rij = [*rij, draw(tekst)]
        rijen.append(rij)
    buffer = io.StringIO()
    schrijver = csv.writer(buffer, delimiter=draw(st.sampled_from([";", ","])))
    schrijver.writerow(kolommen)
    schrijver.writerows(rijen)
    inhoud = buffer.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig"])))
    return inhoud, kolommen, sum(1 for rij in rijen if any(v.strip() for v in rij))


def controleer(uitslag: cc.Uitslag) -> None:
    for c in uitslag.cijfers:
        assert GEBIEDSCODE_PATROON.fullmatch(c.gebiedscode)
        assert cc.EERSTE_JAAR <= c.jaar <= timezone.localdate().year
        assert c.kenmerk in cc.KENMERKEN
        assert isinstance(c.waarde, Decimal) and c.waarde.is_finite()
        assert abs(c.waarde) < cc.GROOTSTE
        assert c.waarde == c.waarde.quantize(cc.DECIMALEN)
        if cc.KENMERKEN[c.kenmerk].klasse:
            assert int(c.waarde) in cc.leefbaarometer_klassen()
    for a in uitslag.afwijzingen:
        assert a.waar.startswith("regel ") and int(a.waar.split()[1]) >= 2
        assert a.reden.strip()
    sleutels = [c.sleutel for c in uitslag.cijfers]
    assert len(sleutels) == len(set(sleutels)), "een cijfer staat twee keer in de uitslag"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bestanden(), st.sampled_from([None, 2022, 2024]), st.booleans())
@example(
    (
        b'"Codering_3";"AantalInwoners_5"\n"WK036301  ";"       ."\n',
        ["Codering_3", "AantalInwoners_5"],
        1,
    ),
    2024,
    True,
)
def test_any_rows_are_read_or_rejected_with_a_reason(bestand, jaar, alle_gebieden):
    inhoud, kolommen, aantal = bestand
    gebieden = None if alle_gebieden else {"WK036301", "GM0363"}
    try:
        uitslag = cc.lees_csv(inhoud, jaar=jaar, gebieden=gebieden)
    except cc.OngeldigBestand as fout:
        assert str(fout).strip()
        return
    controleer(uitslag)
    # Every data row is counted once: taken, rejected, outside the areas or another year.
    assert uitslag.regels == aantal
    genomen = (
        uitslag.regels
        - len(uitslag.afwijzingen)
        - uitslag.buiten_focusgebieden
        - uitslag.ander_jaar
    )
    assert genomen >= 0
    # A row is taken whole: each of its cells is a figure or a value the source left out.
    kaart = (cc.cbs_kolomkaart if uitslag.bron is cc.CBS else cc.leefbaarometer_kolomkaart)(
        kolommen
    )
    assert len(uitslag.cijfers) + uitslag.ontbrekend == genomen * len(kaart.cellen)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash_the_reader(inhoud):
    try:
        uitslag = cc.lees_csv(inhoud, jaar=2024)
    except cc.OngeldigBestand as fout:
        assert str(fout).strip()
    else:
        controleer(uitslag)


@given(st.text(max_size=30))
def test_a_cell_is_a_number_nothing_or_a_clear_rejection(waarde):
    try:
        getal = cc.lees_getal(waarde)
    except cc.Rijfout as fout:
        assert str(fout).strip()
        return
    if getal is not None and waarde.strip() != "-":
        assert getal == Decimal(waarde.strip().replace(",", "."))
