"""Fuzzing the open-data importer (rapportage/contextcijfers.py) with hypothesis, end to
end: the CSV import through ``manage.py contextcijfers --bestand`` with random bytes and
random CBS and Leefbaarometer files, and the CBS OData fetch with random answers from
the server (random bytes, truncated or deeply nested JSON, OData pages with random
rows, values and nextLinks).

Whatever arrives: no exception other than the module's own (``OngeldigBestand`` for a
file, ``OphaalFout`` for a fetch, shown by the command as ``CommandError``), every
message and every rejected row a readable Dutch sentence, and nothing half-imported:
a refused file or a failed fetch leaves the figures and the audit trail as they were,
and an accepted one adds exactly the figures it reports as new, with one audit row.
"""

import io
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from programma.models import Auditregel, Focusgebied
from programma.validators import GEBIEDSCODE_PATROON
from rapportage import contextcijfers as cc
from rapportage.models import Contextcijfer
from tests.programma.factories import GebiedscodeFactory
from tests.rapportage.test_contextcijfers_eigenschappen import bestanden

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
FIXTURES = Path(__file__).parent / "fixtures" / "odata4"
BASIS = "http://cbs.test/odata/v1/CBS"
GEBIEDEN = ("WK036301", "BU0363AA06")

LEK = re.compile(r"Traceback|Error\b|Exception|object at 0x|NoneType")
NEDERLANDS = re.compile(
    r"\b(het|de|een|geen|is|niet|bestand|regel|getal|jaar|ligt|buiten|ontbreekt|gaf|staat|"
    r"heeft|naar|kies|geef|velden)\b",
    re.I,
)


def duidelijk(melding: str) -> None:
    assert melding.strip(), "lege melding"
    assert not LEK.search(melding), melding
    assert NEDERLANDS.search(melding), f"geen Nederlandse zin: {melding!r}"


@pytest.fixture
def gebieden(focusgebied: Focusgebied) -> Focusgebied:
    for code in GEBIEDEN:
        GebiedscodeFactory(focusgebied=focusgebied, code=code, peiljaar=2024)
    return focusgebied


def stand() -> tuple[int, int, list[tuple[Any, ...]]]:
    """The figures and the import audit rows, to compare before and after."""
    return (
        Contextcijfer.objects.count(),
        Auditregel.objects.filter(actie="contextcijfers_importeren").count(),
        list(
            Contextcijfer.objects.order_by("pk").values_list(
                "gebiedscode", "jaar", "kenmerk", "bron", "waarde"
            )
        ),
    )


def geldig(cijfer: Contextcijfer) -> None:
    assert GEBIEDSCODE_PATROON.fullmatch(cijfer.gebiedscode)
    assert cc.EERSTE_JAAR <= cijfer.jaar <= timezone.localdate().year
    assert cijfer.kenmerk in cc.KENMERKEN
    assert isinstance(cijfer.waarde, Decimal) and cijfer.waarde.is_finite()


def importeer(voer_uit: Callable[[io.StringIO], object], voor: tuple[int, int, list[Any]]) -> None:
    """Run the command; check the result is all or nothing, and every message clear."""
    uit = io.StringIO()
    try:
        voer_uit(uit)
    except CommandError as fout:
        event("geweigerd")
        duidelijk(str(fout))
        assert "Er is niets geïmporteerd." in str(fout) or "--jaar" in str(fout), str(fout)
        assert stand() == voor, "een geweigerde import heeft toch iets geschreven"
        return
    aantal, audit, _ = stand()
    regels = uit.getvalue().split("\n")  # not splitlines(): a reason may quote a \x1c
    # "<herkomst> (<bron>): N nieuw, M gewijzigd, K ongewijzigd."
    treffer = re.search(r": (\d+) nieuw, (\d+) gewijzigd, (\d+) ongewijzigd\.", regels[0])
    assert treffer, regels
    nieuw, gewijzigd, ongewijzigd = (int(g) for g in treffer.groups())
    # Examples share the test's database, so a figure may be new, changed or the same.
    event("geïmporteerd, met cijfers" if nieuw + gewijzigd + ongewijzigd else "geen cijfers")
    assert aantal == voor[0] + nieuw
    assert audit == voor[1] + (1 if nieuw + gewijzigd + ongewijzigd else 0)
    for regel in regels[2:]:
        if regel.startswith("  ") and ":" in regel:
            duidelijk(regel.split(":", 1)[1])  # '  regel 7: <reden>'
    for cijfer in Contextcijfer.objects.all():
        geldig(cijfer)


# --- the CSV import -----------------------------------------------------------------------


@FUZZ
@given(
    bestand=st.one_of(
        bestanden().map(lambda b: b[0]),
        st.binary(max_size=400),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", errors="surrogatepass")),
    ),
    jaar=st.sampled_from([None, None, 2024, 2024, 1999]),
    bron=st.sampled_from([None, None, None, "cbs", "leefbaarometer"]),
)
@example(bestand=b"\xff\xfe\x00\x00", jaar=None, bron=None)
@example(bestand=b'"Codering_3";"AantalInwoners_5"\n"WK036301  ";"12"\n', jaar=2024, bron=None)
def test_a_fuzzed_csv_is_imported_whole_or_refused_with_nothing_written(
    gebieden, tmp_path, bestand, jaar, bron
):
    pad = tmp_path / "cijfers.csv"
    pad.write_bytes(bestand)
    opties = {k: v for k, v in {"jaar": jaar, "bron": bron}.items() if v is not None}
    importeer(
        lambda uit: call_command("contextcijfers", bestand=pad, stdout=uit, **opties), stand()
    )


# --- the CBS OData fetch ------------------------------------------------------------------


class Antwoord:
    """What ``urllib.request.urlopen`` returns, holding the fuzzed page."""

    def __init__(self, inhoud: bytes) -> None:
        self.inhoud = io.BytesIO(inhoud)

    def read(self, n: int = -1) -> bytes:
        return self.inhoud.read(n)

    def __enter__(self) -> "Antwoord":
        return self

    def __exit__(self, *args: object) -> None:
        pass


json_waarden = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: float(d) if d else 0)
    | st.text(max_size=12),
    lambda binnen: (
        st.lists(binnen, max_size=3) | st.dictionaries(st.text(max_size=6), binnen, max_size=3)
    ),
    max_leaves=8,
)
MATEN = ["T001036", "M000100", "M000224", "M000226", "T001038"]
waarden = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from([12.5, 0.1, 931298.0, 39.7]),
    st.sampled_from([None, "", ".", "x", "12", "-", "1e3", "12,5", True]),
    st.integers(min_value=-(10**25), max_value=10**25),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([10**30, 0.1, 931298.0, 1e-7, 123456789012345678]),
    json_waarden,
)
codes = st.one_of(
    st.sampled_from(GEBIEDEN),
    st.sampled_from([*GEBIEDEN, "GM0363", "WK036301  ", "BU0363AA0", "NL01", "", "GM0599"]),
    json_waarden,
)
observaties = st.fixed_dictionaries(
    {
        "Id": st.integers(0, 10**6) | json_waarden,
        "Measure": st.sampled_from(MATEN) | st.sampled_from(MATEN) | json_waarden,
        "Value": waarden,
        "WijkenEnBuurten": codes,
    },
    optional={
        "Perioden": st.sampled_from(["2024JJ00", "2024", "1999JJ00", "2024MM01"]) | json_waarden,
        "ValueAttribute": st.sampled_from(["None", "Missing"]),
    },
)
volgende_links = st.one_of(
    st.none(),
    st.none(),
    st.none(),
    st.sampled_from(
        [
            "?$skip=1",
            "Observations?$skip=2",
            f"{BASIS}/85984NED/Observations?$skip=3",
            "http://elders.test/odata?$skip=1",
            "",
            "//cbs.test:99/x",
        ]
    ),
    json_waarden,
)


@st.composite
def paginas(draw: st.DrawFn) -> bytes:
    """One answer of the server to an Observations request."""
    soort = draw(st.sampled_from(["odata"] * 6 + ["bytes", "json", "afgekapt", "diep"]))
    if soort == "bytes":
        return draw(st.binary(max_size=200))
    if soort == "json":
        return json.dumps(draw(json_waarden)).encode()
    if soort == "diep":
        diepte = draw(st.integers(500, 100_000))
        return b'{"value": ' + b"[" * diepte + b"]" * diepte + b"}"
    document: dict[str, Any] = {"value": draw(st.lists(observaties, max_size=6))}
    if draw(st.integers(0, 4)) == 0:
        document["value"].append(draw(json_waarden))
    link = draw(volgende_links)
    if link is not None:
        document[draw(st.sampled_from(["@odata.nextLink", "odata.nextLink"]))] = link
    inhoud = json.dumps(document).encode()
    if soort == "afgekapt":
        return inhoud[: draw(st.integers(0, max(0, len(inhoud) - 1)))]
    return inhoud


@pytest.fixture
def cbs(settings: Any) -> None:
    settings.CBS_ODATA_URL = BASIS
    settings.CBS_ODATA_TABEL = "85984NED:2024"
    settings.CBS_ODATA_TIMEOUT = 5
    settings.CBS_ODATA_MAX_PAGINAS = 5
    settings.CBS_ODATA_MAX_DUUR = 60


@FUZZ
@given(
    pagina_s=st.lists(paginas(), min_size=1, max_size=4),
    maten=st.one_of(
        st.just((FIXTURES / "MeasureCodes.json").read_bytes()),
        paginas(),
    ),
)
@example(pagina_s=[b'{"value": [], "@odata.nextLink": "http://elders.test/x"}'], maten=b"")
@example(pagina_s=[b'{"value": [{"Measure": "T001036", "Value": NaN}]}'], maten=b"")
def test_a_fuzzed_odata_answer_is_imported_whole_or_not_at_all(
    gebieden, cbs, monkeypatch, pagina_s, maten
):
    """The first request (MeasureCodes) gets ``maten`` (the real fixture, or fuzz), every
    Observations request the next fuzzed page, and then the last one again."""
    if not maten:
        maten = (FIXTURES / "MeasureCodes.json").read_bytes()
    gevraagd: list[str] = []

    def urlopen(verzoek: Any, timeout: float) -> Antwoord:
        url = verzoek.full_url
        assert urlsplit(url).netloc == "cbs.test", f"een andere server gevraagd: {url}"
        gevraagd.append(url)
        if urlsplit(url).path.endswith("/MeasureCodes"):
            return Antwoord(maten)
        return Antwoord(pagina_s[min(len(gevraagd) - 2, len(pagina_s) - 1)])

    monkeypatch.setattr(cc.urllib.request, "urlopen", urlopen)
    importeer(lambda uit: call_command("contextcijfers", odata=True, stdout=uit), stand())
    # At most CBS_ODATA_MAX_PAGINAS pages for MeasureCodes and for the one block of codes.
    assert len(gevraagd) <= 2 * 5


@FUZZ
@given(pagina=paginas())
def test_the_odata_page_reader_returns_rows_or_a_dutch_fetch_error(cbs, monkeypatch, pagina):
    monkeypatch.setattr(cc.urllib.request, "urlopen", lambda verzoek, timeout: Antwoord(pagina))
    instelling = cc.odata_instelling()
    assert instelling is not None
    try:
        rijen = cc.odata_rijen(f"{BASIS}/85984NED/Observations", instelling=instelling, einde=1e12)
    except cc.OphaalFout as fout:
        duidelijk(str(fout))
        return
    assert all(isinstance(r, dict) for r in rijen)
    for rij in rijen:
        for waarde in rij.values():
            # Numbers arrive as Decimal; only JSON's NaN and Infinity tokens are floats.
            assert not isinstance(waarde, float) or not math.isfinite(waarde)
