"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live
server (a real HTTP server in a thread of this process), with an axe-core check and a
screenshot of every page visited.

Without /usr/bin/chromium the tests are skipped with a message saying how to install it;
with ``ONTSCHOT_BROWSERTESTS_VERPLICHT=1`` (CI sets it) they fail instead, so a CI
machine without a browser can never turn the accessibility checks green by skipping.
"""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
VERPLICHT = "ONTSCHOT_BROWSERTESTS_VERPLICHT"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
SCHERMAFDRUKKEN = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# WCAG 2.1 A and AA, plus axe's best practices (landmarks, heading order, one h1).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
WACHTWOORD = "browsertest-wachtwoord-1"
BREEDTE, HOOGTE = 1280, 900


def _is_browsertest(item: pytest.Item | None) -> bool:
    return item is not None and Path(str(item.path)).parent == Path(__file__).parent


class _Chromium:
    """One Chromium for all browser tests in a row. Playwright's synchronous API keeps an
    asyncio loop running in this thread while it is started, which Django's ORM takes
    for an async context: while it runs, the ORM is allowed anyway (the test data, the
    flush after each test), and the browser is stopped as soon as the next test is not a
    browser test, so no other test runs beside that loop."""

    def __init__(self) -> None:
        self.playwright: Any = None
        self.browser: Any = None
        self.async_unsafe: str | None = None

    def starten(self) -> Any:
        if self.browser is None:
            if not CHROMIUM.exists():
                melding = (
                    f"Browsertests overgeslagen: geen Chromium op {CHROMIUM}. "
                    "Installeer Debian's chromium (apt-get install chromium); "
                    f"met {VERPLICHT}=1 faalt dit in plaats van over te slaan."
                )
                if os.environ.get(VERPLICHT) == "1":
                    pytest.fail(melding, pytrace=False)
                pytest.skip(melding)
            from playwright.sync_api import sync_playwright

            self.async_unsafe = os.environ.get(ASYNC_UNSAFE)
            os.environ[ASYNC_UNSAFE] = "true"
            self.playwright = sync_playwright().start()
            # Root in a CI container: Chromium will not start its sandbox there.
            self.browser = self.playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
            )
        return self.browser

    def stoppen(self) -> None:
        if self.browser is not None:
            self.browser.close()
            self.playwright.stop()
            self.browser = self.playwright = None
            if self.async_unsafe is None:
                os.environ.pop(ASYNC_UNSAFE, None)
            else:
                os.environ[ASYNC_UNSAFE] = self.async_unsafe


_chromium = _Chromium()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield
    if _is_browsertest(item) and not _is_browsertest(nextitem):
        _chromium.stoppen()


@pytest.fixture(scope="session")
def chromium() -> Iterator[_Chromium]:
    yield _chromium
    _chromium.stoppen()


@pytest.fixture(autouse=True)
def _browsertest_omgeving(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...]]]:
    """Work queued by a page is recorded instead of sent to the broker: the test runs what
    it needs itself, and no queue, ORM or Redis, keeps work whose database is flushed."""
    wachtrij: list[tuple[str, tuple[Any, ...]]] = []

    def opnemen(pad: str, *args: Any) -> str:
        wachtrij.append((pad, args))
        return f"browsertest-{len(wachtrij)}"

    monkeypatch.setattr("programma.wachtrij.in_wachtrij", opnemen)
    return wachtrij


@pytest.fixture
def wachtrij(_browsertest_omgeving: list[tuple[str, tuple[Any, ...]]]) -> list[Any]:
    return _browsertest_omgeving


@pytest.fixture
def pagina(chromium: _Chromium, live_server: Any) -> Iterator[Any]:
    browser = chromium.starten()
    context = browser.new_context(
        viewport={"width": BREEDTE, "height": HOOGTE}, locale="nl-NL", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@dataclass
class Bezoek:
    """A walk through pages as one person: every page is screenshotted and checked by
    axe; the findings are collected so one run reports every page that fails."""

    page: Any
    rol: str
    overtredingen: dict[str, list[str]] = field(default_factory=dict)
    scriptfouten: list[str] = field(default_factory=list)
    bezocht: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("pageerror", lambda fout: self.scriptfouten.append(str(fout)))

    def inloggen(self, gebruiker: Any) -> None:
        self.bekijken("/inloggen", "inloggen")
        self.page.get_by_label("Gebruikersnaam").fill(gebruiker.username)
        self.page.get_by_label("Wachtwoord").fill(WACHTWOORD)
        self.page.get_by_role("button", name="Inloggen").click()
        self.page.wait_for_url(lambda url: "/inloggen" not in url)

    def bekijken(self, pad: str, naam: str, *, status: int = 200) -> Any:
        antwoord = self.page.goto(pad)
        assert antwoord is not None and antwoord.status == status, (pad, antwoord)
        return self.controleren(naam)

    def controleren(self, naam: str) -> Any:
        """Screenshot and axe-check the page as it is now (after a click or a post)."""
        from axe_playwright_python.sync_playwright import Axe

        self.page.wait_for_load_state("load")
        SCHERMAFDRUKKEN.mkdir(parents=True, exist_ok=True)
        bestand = re.sub(r"[^a-z0-9-]+", "-", f"{self.rol}-{naam}".lower())
        self.page.screenshot(path=SCHERMAFDRUKKEN / f"{bestand}.png", full_page=True)
        resultaat = (
            Axe().run(self.page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}}).response
        )
        gevonden = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"][:5])
            for v in resultaat["violations"]
        ]
        if gevonden:
            self.overtredingen[f"{naam} ({self.page.url})"] = gevonden
        self.bezocht.append(naam)
        return self.page

    def zonder_bevindingen(self) -> None:
        verslag = "\n".join(
            f"{pagina}:\n  " + "\n  ".join(regels) for pagina, regels in self.overtredingen.items()
        )
        assert not self.overtredingen, f"axe vond overtredingen als {self.rol}:\n{verslag}"
        assert not self.scriptfouten, self.scriptfouten


@dataclass
class Wijkprogramma:
    """Everything the pages show: two programmes, interventions with indicators, targets
    and grants, submissions of every kind in every review state, a locked period, task
    runs, and reports finished (with its PDF), in progress and failed."""

    programma: Any
    projecten: list[Any]
    manager: Any
    partner: Any
    ministerie: Any
    beheerder: Any
    klaar: Any
    bezig: Any
    inzendingen: dict[str, Any]


def met_wachtwoord(gebruiker: Any) -> Any:
    gebruiker.set_password(WACHTWOORD)
    gebruiker.save()
    return gebruiker


@pytest.fixture
def wijkprogramma(transactional_db: None, settings: Any) -> Wijkprogramma:
    from datetime import date, timedelta
    from decimal import Decimal

    from django.utils import timezone
    from django_q.models import Schedule, Task

    from programma.audit import Actor
    from programma.models import Organisatie, Rol
    from projecten.models import (
        Beoordeling,
        Periodevergrendeling,
        Projectpartner,
        Streefwaarde,
        Tranche,
    )
    from rapportage import rapporten
    from rapportage.models import Rapport
    from tests.programma.factories import (
        BudgetenvelopFactory,
        FocusgebiedFactory,
        GebruikerFactory,
        OrganisatieFactory,
        ProgrammaFactory,
        RolFactory,
        ThemaFactory,
    )
    from tests.projecten.factories import (
        BeschikkingFactory,
        BestedingFactory,
        DoelFactory,
        IndicatorFactory,
        MetingFactory,
        ProjectFactory,
        TrancheFactory,
        VoortgangsverslagFactory,
    )

    # A fast hasher for the test users; the login itself goes through the real form.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    goed, terug = Beoordeling.GOEDGEKEURD, Beoordeling.TERUGGESTUURD
    programma = ProgrammaFactory(
        code="nplv", naam="Nationaal Programma Leefbaarheid en Veiligheid", startjaar=2022
    )
    ander = ProgrammaFactory(code="wijkaanpak", naam="Wijkaanpak Utrecht Overvecht")
    wonen = ThemaFactory(programma=programma, code="wonen", naam="Wonen en leefomgeving")
    armoede = ThemaFactory(programma=programma, code="armoede", naam="Armoede en schulden")
    for thema, bedrag in ((wonen, "500000.00"), (armoede, "300000.00")):
        BudgetenvelopFactory(programma=programma, thema=thema, bedrag=Decimal(bedrag))
    zuid = FocusgebiedFactory(
        programma=programma, code="rotterdam-zuid", naam="Rotterdam-Zuid", gemeente="Rotterdam"
    )
    gemeente = OrganisatieFactory(naam="Gemeente Rotterdam", soort=Organisatie.Soort.GEMEENTE)
    schuldhulp = OrganisatieFactory(
        naam="Stichting Schuldhulp Zuid", soort=Organisatie.Soort.SCHULDHULPVERLENING
    )
    projecten = []
    for i, (titel, thema, bedrag) in enumerate(
        (
            ("Schuldhulp aan de keukentafel", armoede, "120000.00"),
            ("Buurthuis De Kaap opnieuw open", wonen, "250000.00"),
        )
    ):
        project = ProjectFactory(
            programma=programma,
            code=f"nplv-{i + 1:03d}",
            titel=titel,
            penvoerder=gemeente,
            startdatum=date(2024, 1, 1),
            einddatum=date(2027, 12, 31),
        )
        project.themas.add(thema)
        project.focusgebieden.add(zuid)
        Projectpartner.objects.create(
            project=project, organisatie=schuldhulp, rol=Projectpartner.Rol.UITVOERDER
        )
        beschikking = BeschikkingFactory(project=project, thema=thema, bedrag=Decimal(bedrag))
        TrancheFactory(
            beschikking=beschikking,
            volgnummer=1,
            bedrag=Decimal("40000.00"),
            status=Tranche.Status.BETAALD,
            betaald_op=date(2025, 2, 1),
        )
        TrancheFactory(beschikking=beschikking, volgnummer=2, bedrag=Decimal("20000.00"))
        indicator = IndicatorFactory(
            doel=DoelFactory(project=project, titel="Minder huishoudens met betalingsachterstand"),
            naam=f"Huishoudens met een betalingsregeling ({i + 1})",
        )
        for periode, waarde in (("2025-K1", "20"), ("2025-K2", "25"), ("2025-K3", "30")):
            Streefwaarde.objects.create(indicator=indicator, periode=periode, waarde=waarde)
        MetingFactory(indicator=indicator, periode="2024-K4", waarde=Decimal("14"), status=goed)
        MetingFactory(
            indicator=indicator,
            periode="2025-K1",
            waarde=Decimal("9"),
            status=terug,
            beoordeling_toelichting="Tel alleen huishoudens met een getekende regeling.",
        )
        BestedingFactory(project=project, beschikking=beschikking, periode="2025-K1", status=goed)
        projecten.append(project)
    ProjectFactory(programma=ander, code="ovv-001", titel="Huiskamer van de wijk")
    eerste = projecten[0]
    indicator = eerste.doelen.get().indicatoren.get()
    inzendingen = {
        "meting": MetingFactory(
            indicator=indicator,
            periode="2025-K2",
            waarde=Decimal("23"),
            ingediend_door_organisatie=gemeente,
            toelichting="Twee huishoudens verhuisd.",
        ),
        "besteding": BestedingFactory(
            project=eerste, periode="2025-K2", ingediend_door_organisatie=gemeente
        ),
        "verslag": VoortgangsverslagFactory(
            project=eerste, periode="2025-K2", ingediend_door_organisatie=gemeente
        ),
    }
    VoortgangsverslagFactory(project=projecten[1], periode="2025-K1", status=goed)

    manager = met_wachtwoord(GebruikerFactory(username="manager", first_name="Mira"))
    for p in (programma, ander):
        RolFactory(gebruiker=manager, soort=Rol.Soort.PROGRAMMAMANAGER, programma=p)
    partner = met_wachtwoord(GebruikerFactory(username="partner"))
    RolFactory(gebruiker=partner, soort=Rol.Soort.PARTNER, organisatie=gemeente)
    ministerie = met_wachtwoord(GebruikerFactory(username="ministerie"))
    RolFactory(gebruiker=ministerie, soort=Rol.Soort.MINISTERIE, programma=programma)
    beheerder = met_wachtwoord(
        GebruikerFactory(username="beheerder", is_superuser=True, is_staff=True)
    )
    Periodevergrendeling.objects.create(
        programma=programma, periode="2024-K4", vergrendeld_door=manager
    )

    nu = timezone.now()
    Schedule.objects.create(
        name="herinneringen", func="programma.wachtrij.uitvoeren", next_run=nu + timedelta(hours=3)
    )
    for nummer, gelukt in ((1, True), (2, False)):
        Task.objects.create(
            id=f"taak{nummer}",
            name=f"taak-{nummer}",
            func="programma.wachtrij.uitvoeren",
            args=("rapportage.rapporten.rapport_maken", nummer),
            started=nu - timedelta(minutes=10 * nummer),
            stopped=nu - timedelta(minutes=10 * nummer - 1),
            success=gelukt,
            result=None if gelukt else "ConnectionError: de mailserver antwoordt niet",
            attempt_count=nummer,
        )

    actor = Actor(gebruiker=manager)
    klaar = rapporten.rapport_aanvragen(
        actor=actor, soort=Rapport.Soort.JAARVERANTWOORDING, programma=programma, jaar=2025
    )
    klaar = rapporten.rapport_maken(rapport_id=klaar.pk)
    assert klaar is not None and klaar.status == Rapport.Status.KLAAR
    bezig = Rapport.objects.create(
        soort=Rapport.Soort.GEBIEDSRAPPORTAGE,
        programma=programma,
        focusgebied=zuid,
        periode="2025",
        status=Rapport.Status.BEZIG,
        voortgang=45,
        gevraagd_door=manager,
    )
    Rapport.objects.create(
        soort=Rapport.Soort.PROJECTRAPPORTAGE,
        programma=programma,
        project=projecten[1],
        periode="2025-K1",
        status=Rapport.Status.MISLUKT,
        foutmelding="WeasyPrint: geheugen op",
        gevraagd_door=manager,
    )
    return Wijkprogramma(
        programma=programma,
        projecten=projecten,
        manager=manager,
        partner=partner,
        ministerie=ministerie,
        beheerder=beheerder,
        klaar=klaar,
        bezig=bezig,
        inzendingen=inzendingen,
    )


@pytest.fixture
def publiceren(wijkprogramma: Wijkprogramma) -> None:
    """The finished report is published, so ministry staff and partners see it."""
    from programma.audit import Actor
    from rapportage import rapporten

    rapporten.rapport_publiceren(
        actor=Actor(gebruiker=wijkprogramma.manager), rapport=wijkprogramma.klaar
    )
