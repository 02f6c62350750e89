"""The scheduled import from CBS OData, run against a real HTTP server on loopback that
serves OData-shaped fixture pages: paging through nextLink, a second run that changes
nothing, HTTP failures and time-outs that import nothing, and the classic v3 shape."""

import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django_q.conf import Conf
from django_q.models import Task

from programma import wachtrij
from programma.models import Auditregel, Focusgebied
from rapportage import contextcijfers as cc
from rapportage.models import Contextcijfer
from tests.programma.factories import GebiedscodeFactory

FIXTURES = Path(__file__).parent / "fixtures"
V4 = "/odata/v1/CBS"
V3 = "/ODataFeed/odata"


class CbsServer(ThreadingHTTPServer):
    """Serves fixture pages by path and paging token ($skip or $skiptoken); a page can be
    made to fail with a status or to answer slowly. Remembers every request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Verzoek)
        self.adres = f"http://127.0.0.1:{self.server_address[1]}"
        self.paginas: dict[tuple[str, str], str] = {}
        self.status: dict[tuple[str, str], int] = {}
        self.vertraging: dict[tuple[str, str], float] = {}
        self.verzoeken: list[str] = []

    def zet(self, pad: str, token: str, fixture: str) -> None:
        tekst = (FIXTURES / fixture).read_text(encoding="utf-8")
        self.paginas[(pad, token)] = tekst.replace("{server}", self.adres)


class _Verzoek(BaseHTTPRequestHandler):
    server: CbsServer

    def do_GET(self) -> None:
        self.server.verzoeken.append(unquote(self.path))
        delen = urlsplit(self.path)
        query = parse_qs(delen.query)
        token = (query.get("$skip") or query.get("$skiptoken") or [""])[0]
        sleutel = (delen.path, token)
        time.sleep(self.server.vertraging.get(sleutel, 0))
        status = self.server.status.get(sleutel, 200 if sleutel in self.server.paginas else 404)
        inhoud = self.server.paginas.get(sleutel, '{"error": "niet gevonden"}').encode()
        if status != 200:
            inhoud = b'{"error": {"message": "Internal Server Error"}}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(inhoud)))
        self.end_headers()
        self.wfile.write(inhoud)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def cbs(monkeypatch, settings) -> Iterator[CbsServer]:
    """CBS OData v4 for table 85984NED (2024): MeasureCodes and three Observations pages."""
    for naam in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(naam, raising=False)
    server = CbsServer()
    tabel = f"{V4}/85984NED"
    server.zet(f"{tabel}/MeasureCodes", "", "odata4/MeasureCodes.json")
    server.zet(f"{tabel}/Observations", "", "odata4/Observations-1.json")
    server.zet(f"{tabel}/Observations", "4", "odata4/Observations-2.json")
    server.zet(f"{tabel}/Observations", "9", "odata4/Observations-3.json")
    draad = threading.Thread(target=server.serve_forever, daemon=True)
    draad.start()
    settings.CBS_ODATA_URL = server.adres + V4
    settings.CBS_ODATA_TABEL = "85984NED:2024"
    settings.CBS_ODATA_TIMEOUT = 5
    settings.CBS_ODATA_MAX_PAGINAS = 10
    yield server
    server.shutdown()
    server.server_close()
    draad.join(timeout=5)


@pytest.fixture
def gebieden(focusgebied: Focusgebied) -> Focusgebied:
    for code in ("WK036301", "BU0363AA06"):
        GebiedscodeFactory(focusgebied=focusgebied, code=code, peiljaar=2024)
    return focusgebied


VERWACHT = {
    ("BU0363AA06", "aantal_inwoners"): Decimal("2030"),
    ("BU0363AA06", "percentage_huishoudens_laag_inkomen"): Decimal("9.8"),
    ("GM0363", "aantal_inwoners"): Decimal("931298"),
    ("GM0363", "bevolkingsdichtheid"): Decimal("5693"),
    ("GM0363", "gemiddeld_inkomen_per_inwoner"): Decimal("39.7"),
    ("WK036301", "aantal_inwoners"): Decimal("12765"),
    ("WK036301", "bevolkingsdichtheid"): Decimal("21046"),
}


def cijfers(jaar: int = 2024) -> dict[tuple[str, str], Decimal | None]:
    return {
        (c.gebiedscode, c.kenmerk): c.waarde
        for c in Contextcijfer.objects.filter(jaar=jaar).order_by("gebiedscode", "kenmerk")
    }


def test_the_task_follows_next_links_through_three_pages(cbs, gebieden):
    uitkomst = cc.contextcijfers_ophalen()

    assert cijfers() == VERWACHT
    figuur = Contextcijfer.objects.get(gebiedscode="GM0363", kenmerk="aantal_inwoners")
    assert (figuur.bron, figuur.licentie, figuur.bron_url) == (
        "CBS Kerncijfers wijken en buurten",
        "CC BY 4.0",
        "https://opendata.cbs.nl/statline/#/CBS/nl/dataset/85984NED/table",
    )
    maten, eerste, tweede, derde = cbs.verzoeken
    assert maten == f"{V4}/85984NED/MeasureCodes"
    # Only the focus areas' codes and the measures we keep are asked for.
    assert eerste.startswith(f"{V4}/85984NED/Observations?$filter=(")
    for deel in (
        "WijkenEnBuurten eq 'BU0363AA06'",
        "WijkenEnBuurten eq 'GM0363'",
        "WijkenEnBuurten eq 'WK036301'",
        "Measure eq 'T001036'",
        "Measure eq 'M000226'",
    ):
        assert deel in eerste
    assert "T001038" not in eerste  # 'Mannen' is not a figure we keep
    assert (tweede, derde) == (
        f"{V4}/85984NED/Observations?$skip=4",
        f"{V4}/85984NED/Observations?$skip=9",
    )
    assert uitkomst == (
        "CBS OData 85984NED (CBS Kerncijfers wijken en buurten): 7 nieuw, 0 gewijzigd, "
        "0 ongewijzigd. 11 regels gelezen; 2 regels overgeslagen wegens een fout; "
        "1 buiten de focusgebieden; 1 waarde ontbrak ('.' of leeg)."
    )
    regel = Auditregel.objects.get()
    assert (regel.actie, regel.namens) == (
        "contextcijfers_importeren",
        "taak contextcijfers_ophalen",
    )
    assert regel.na is not None
    assert regel.na["fouten"] == [
        "tabel 85984NED observatie 12: M000224: 'n.v.t.' is geen getal",
        "tabel 85984NED observatie 13: 'WK03X' is geen CBS-gebiedscode "
        "(GM + 4 cijfers, WK + 6 of BU + 8 tekens)",
    ]


def test_running_twice_changes_nothing_and_a_third_run_updates_changed_values(cbs, gebieden):
    cc.contextcijfers_ophalen()
    tweede = cc.contextcijfers_ophalen()
    assert cijfers() == VERWACHT
    assert Contextcijfer.objects.count() == len(VERWACHT)
    assert "0 nieuw, 0 gewijzigd, 7 ongewijzigd." in tweede

    pad = f"{V4}/85984NED/Observations"
    cbs.paginas[(pad, "9")] = cbs.paginas[(pad, "9")].replace("2030.0", "2045.0")
    derde = cc.contextcijfers_ophalen()
    assert "0 nieuw, 1 gewijzigd, 6 ongewijzigd." in derde
    assert Contextcijfer.objects.count() == len(VERWACHT)
    assert cijfers()[("BU0363AA06", "aantal_inwoners")] == Decimal("2045")
    assert Auditregel.objects.count() == 3


def test_http_500_on_a_later_page_imports_nothing_and_says_why(cbs, gebieden, niets_opgeslagen):
    cc.contextcijfers_ophalen()
    pad = f"{V4}/85984NED/Observations"
    cbs.paginas[(pad, "")] = cbs.paginas[(pad, "")].replace("931298.0", "999999.0")
    cbs.status[(pad, "9")] = 500

    with (
        niets_opgeslagen(Contextcijfer),
        pytest.raises(
            cc.OphaalFout,
            match=r"HTTP 500 \(Internal Server Error\) op http://127\.0\.0\.1:\d+"
            r"/odata/v1/CBS/85984NED/Observations\?\$skip=9$",
        ),
    ):
        cc.contextcijfers_ophalen()
    # Page 1 came back fine with a new value, but nothing of the failed fetch was written.
    assert cijfers() == VERWACHT


def test_the_task_runs_through_the_queue_by_its_planned_name(cbs, gebieden, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)
    wachtrij.in_wachtrij("rapportage.contextcijfers.contextcijfers_ophalen")
    wachtrij.in_wachtrij("rapportage.contextcijfers.contextcijfers_ophalen")
    eerste, tweede = Task.objects.order_by("started")
    assert eerste.success and tweede.success
    assert "7 nieuw" in str(eerste.result)
    assert "0 nieuw, 0 gewijzigd, 7 ongewijzigd" in str(tweede.result)
    assert Contextcijfer.objects.count() == len(VERWACHT)


@pytest.mark.parametrize(
    ("instelling", "melding"),
    [
        ({"CBS_ODATA_MAX_PAGINAS": 2}, "meer dan 2 pagina's"),
        ({"CBS_ODATA_TABEL": "85984NED"}, "geef het jaar in CBS_ODATA_TABEL"),
        ({"CBS_ODATA_TABEL": "99999NED:2024"}, "HTTP 404"),
    ],
)
def test_a_fetch_that_cannot_finish_imports_nothing(
    cbs, gebieden, settings, niets_opgeslagen, instelling, melding
):
    for naam, waarde in instelling.items():
        setattr(settings, naam, waarde)
    with niets_opgeslagen(Contextcijfer), pytest.raises(cc.OphaalFout, match=melding):
        cc.contextcijfers_ophalen()


def test_a_server_that_does_not_answer_in_time_is_an_error(
    cbs, gebieden, settings, niets_opgeslagen
):
    settings.CBS_ODATA_TIMEOUT = 0.3
    cbs.vertraging[(f"{V4}/85984NED/Observations", "4")] = 1.5
    begin = time.monotonic()
    with niets_opgeslagen(Contextcijfer), pytest.raises(cc.OphaalFout, match=r"niet binnen 0\.3 s"):
        cc.contextcijfers_ophalen()
    assert time.monotonic() - begin < 1.5


def test_the_whole_fetch_has_a_time_limit(cbs, gebieden, settings, niets_opgeslagen):
    settings.CBS_ODATA_MAX_DUUR = 0.5
    cbs.vertraging[(f"{V4}/85984NED/Observations", "4")] = 1.0
    with (
        niets_opgeslagen(Contextcijfer),
        pytest.raises(cc.OphaalFout, match=r"duurde langer dan 0\.5 s \(CBS_ODATA_MAX_DUUR\)"),
    ):
        cc.contextcijfers_ophalen()


def test_a_next_link_to_another_server_is_not_followed(cbs, gebieden, niets_opgeslagen):
    pad = f"{V4}/85984NED/Observations"
    cbs.paginas[(pad, "4")] = cbs.paginas[(pad, "4")].replace(cbs.adres, "http://elders.example")
    with niets_opgeslagen(Contextcijfer), pytest.raises(cc.OphaalFout, match="andere server"):
        cc.contextcijfers_ophalen()
    assert not any("elders" in v for v in cbs.verzoeken)


def test_an_answer_that_is_not_odata_is_an_error(cbs, gebieden):
    cbs.paginas[(f"{V4}/85984NED/MeasureCodes", "")] = "<html>onderhoud</html>"
    with pytest.raises(cc.OphaalFout, match="geen JSON"):
        cc.contextcijfers_ophalen()
    cbs.paginas[(f"{V4}/85984NED/MeasureCodes", "")] = '{"waarden": []}'
    with pytest.raises(cc.OphaalFout, match="geen OData-antwoord"):
        cc.contextcijfers_ophalen()


def test_the_classic_typeddataset_shape_with_padded_keys(cbs, gebieden, settings):
    tabel = f"{V3}/85318NED/TypedDataSet"
    cbs.zet(tabel, "", "odata3/TypedDataSet-1.json")
    cbs.zet(tabel, "1", "odata3/TypedDataSet-2.json")
    settings.CBS_ODATA_URL = cbs.adres + V3
    settings.CBS_ODATA_TABEL = "85318NED:2022"

    uitkomst = cc.contextcijfers_ophalen()

    assert cijfers(2022) == {
        ("GM0363", "aantal_inwoners"): Decimal("882633"),
        ("GM0363", "bevolkingsdichtheid"): Decimal("5333"),
        ("GM0363", "gemiddeld_inkomen_per_inwoner"): Decimal("36.2"),
        ("WK036301", "aantal_inwoners"): Decimal("12001"),
        ("WK036301", "bevolkingsdichtheid"): Decimal("20012"),
        ("WK036301", "gemiddeld_inkomen_per_inwoner"): Decimal("30.15"),
        ("WK036301", "percentage_huishoudens_laag_inkomen"): Decimal("10.4"),
    }
    eerste, tweede = cbs.verzoeken
    assert "WijkenEnBuurten eq 'GM0363    '" in eerste
    assert tweede == f"{tabel}?$skiptoken=1"
    assert "7 nieuw" in uitkomst


def test_the_task_is_off_without_an_address(settings, gebieden):
    settings.CBS_ODATA_URL = ""
    assert cc.contextcijfers_ophalen() == (
        "CBS_ODATA_URL is niet ingesteld: de geplande import van CBS-cijfers staat uit."
    )
    assert not Contextcijfer.objects.exists()


@pytest.mark.parametrize(
    ("url", "tabel", "melding"),
    [
        ("ftp://cbs.example/odata", "85984NED:2024", "http"),
        ("https://datasets.cbs.nl/odata/v1/CBS", "", "CBS_ODATA_TABEL niet"),
        ("https://datasets.cbs.nl/odata/v1/CBS", "85984NED;DROP", "geen CBS-tabelnummer"),
        ("https://datasets.cbs.nl/odata/v1/CBS", "85984NED:1899", "jaar 1899 ligt buiten"),
    ],
)
def test_a_wrong_configuration_says_what_to_set(settings, url, tabel, melding):
    settings.CBS_ODATA_URL = url
    settings.CBS_ODATA_TABEL = tabel
    with pytest.raises(ImproperlyConfigured, match=melding):
        cc.odata_instelling()


def test_several_tables_are_read_from_one_setting(settings):
    settings.CBS_ODATA_URL = "https://datasets.cbs.nl/odata/v1/CBS/"
    settings.CBS_ODATA_TABEL = "85984NED:2024, 85618NED:2023"
    instelling = cc.odata_instelling()
    assert instelling is not None
    assert instelling.basis == "https://datasets.cbs.nl/odata/v1/CBS"
    assert instelling.tabellen == (("85984NED", 2024), ("85618NED", 2023))
    assert not instelling.klassiek
    settings.CBS_ODATA_URL = "https://opendata.cbs.nl/ODataFeed/odata"
    assert cc.odata_instelling().klassiek


def test_the_task_fetches_nothing_without_focus_area_codes(cbs, db):
    assert "niets opgehaald" in cc.contextcijfers_ophalen()
    assert cbs.verzoeken == []


def test_the_command_fetches_now_and_reports(cbs, gebieden):
    uit = StringIO()
    call_command("contextcijfers", odata=True, stdout=uit)
    assert uit.getvalue().splitlines()[0].startswith("CBS OData 85984NED")
    assert "  tabel 85984NED observatie 12: M000224: 'n.v.t.' is geen getal" in uit.getvalue()

    cbs.status[(f"{V4}/85984NED/Observations", "4")] = 502
    with pytest.raises(CommandError, match=r"HTTP 502.*Er is niets geïmporteerd"):
        call_command("contextcijfers", odata=True, stdout=StringIO())
