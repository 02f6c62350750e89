"""Every page of the web UI, found in the URL configuration, visited by every role in
Chromium: each page that opens passes axe-core (WCAG 2.1 A/AA and best practices).
A new URL without an entry here fails ``test_elke_url_van_de_webinterface_heeft_een_bezoek``,
so no page escapes the check. On a phone (375 px) the main pages never scroll sideways
as a whole: wide tables scroll inside their own region."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.browser.conftest import Bezoek, Wijkprogramma

# Outside the web UI: the partner API, Django's admin (its own accessibility), the
# language switch (a POST from the header of every page), and the health checks for the
# platform's probes (JSON; tests/test_gezondheid.py).
BUITEN_DE_WEBINTERFACE = ("api/", "beheer/", "i18n/", "static/", "media/", "gezondheid")

# URLs that are not pages, and why; each claim is checked in ``test_wat_geen_pagina_is``.
GEEN_PAGINA: dict[str, str] = {
    "logout": "post",
    "projecten:ontgrendelen": "post",
    "rapportage:taak_opnieuw": "post",
    "rapportage:publiceren": "post",
    "projecten:sjabloon_xlsx": "bestand",
    "projecten:sjabloon_csv": "bestand",
    "rapportage:downloaden": "bestand",
}

# The four roles, and someone logged in without any role (the only one "/" does not
# send on to a dashboard or the project list).
ROLLEN = ("manager", "partner", "ministerie", "beheerder", "zonder_rol")


@dataclass(frozen=True)
class Url:
    naam: str
    route: str
    argumenten: tuple[str, ...]


def _urls(patronen: list[Any], route: str = "", namespace: str = "") -> Iterator[Url]:
    for patroon in patronen:
        if isinstance(patroon, URLResolver):
            ns = f"{namespace}{patroon.namespace}:" if patroon.namespace else namespace
            yield from _urls(patroon.url_patterns, route + str(patroon.pattern), ns)
        elif isinstance(patroon, URLPattern):
            yield Url(
                naam=f"{namespace}{patroon.name}",
                route=route + str(patroon.pattern),
                argumenten=tuple(getattr(patroon.pattern, "converters", {})),
            )


def webinterface() -> list[Url]:
    """Every URL of the web UI in the URL configuration, as Django resolves them."""
    return [
        u
        for u in _urls(get_resolver().url_patterns)
        if not u.route.lstrip("^").startswith(BUITEN_DE_WEBINTERFACE)
    ]


def _waarden(w: Wijkprogramma) -> dict[str, Any]:
    """A value for every URL argument, from the test data; ``pk`` and ``soort`` depend on
    the URL and are given per URL in ``_varianten``."""
    from programma.models import Focusgebied

    project = w.projecten[0]
    return {
        "code": w.programma.code,
        "project_id": project.pk,
        "indicator_id": project.doelen.get().indicatoren.get().pk,
        "beschikking_id": project.beschikkingen.get().pk,
        "focusgebied_id": Focusgebied.objects.get(programma=w.programma).pk,
        "rapport_id": w.klaar.pk,
        "soort": "meting",
        "pk": w.inzendingen["meting"].pk,
        "taak_id": "taak2",
        "formaat": "pdf",
    }


def _varianten(w: Wijkprogramma, sleutel: Any) -> dict[str, list[dict[str, Any]]]:
    """Pages worth visiting with more than one set of arguments, or with their own ``pk``."""
    from projecten.models import Periodevergrendeling

    per_soort = [{"soort": s, "pk": obj.pk} for s, obj in w.inzendingen.items()]
    return {
        "projecten:inzending": per_soort,
        "partner:corrigeren": per_soort,
        "partner:sleutel_intrekken": [{"pk": sleutel.pk}],
        "projecten:ontgrendelen": [{"pk": Periodevergrendeling.objects.get().pk}],
        "rapportage:rapport": [{"rapport_id": w.klaar.pk}, {"rapport_id": w.bezig.pk}],
    }


def _adressen(w: Wijkprogramma, sleutel: Any) -> dict[str, list[str]]:
    """Every web UI URL name with the concrete paths to visit."""
    waarden, varianten = _waarden(w), _varianten(w, sleutel)
    adressen = {}
    for url in webinterface():
        keuzes = varianten.get(url.naam, [{}])
        adressen[url.naam] = [
            reverse(url.naam, kwargs={a: (waarden | keuze)[a] for a in url.argumenten})
            for keuze in keuzes
        ]
    return adressen


@pytest.fixture
def sleutel(wijkprogramma: Wijkprogramma) -> Any:
    """An API key of the partner's organisation, for the page that revokes it."""
    from programma import services
    from programma.audit import Actor
    from programma.models import ApiSleutel

    organisatie = wijkprogramma.projecten[0].penvoerder
    return services.api_sleutel_aanmaken(
        actor=Actor(gebruiker=wijkprogramma.partner),
        organisatie=organisatie,
        naam="Koppeling met het registratiesysteem",
        scopes=[ApiSleutel.Scope.METINGEN_SCHRIJVEN],
    )[0]


@pytest.fixture
def mensen(wijkprogramma: Wijkprogramma) -> dict[str, Any]:
    from tests.browser.conftest import met_wachtwoord
    from tests.programma.factories import GebruikerFactory

    w = wijkprogramma
    return {
        "manager": w.manager,
        "partner": w.partner,
        "ministerie": w.ministerie,
        "beheerder": w.beheerder,
        "zonder_rol": met_wachtwoord(GebruikerFactory(username="nieuw")),
    }


def test_elke_url_van_de_webinterface_heeft_een_bezoek() -> None:
    """A new page needs an entry: a value for each of its arguments (or a variant), or a
    reason in GEEN_PAGINA why it is not a page."""
    urls = webinterface()
    namen = {u.naam for u in urls}
    routes = {u.route for u in urls}
    assert {"projecten/<int:project_id>", "rapporten/<int:rapport_id>"} <= routes
    bekende_argumenten = {
        "code",
        "project_id",
        "indicator_id",
        "beschikking_id",
        "focusgebied_id",
        "rapport_id",
        "soort",
        "pk",
        "taak_id",
        "formaat",
    }
    onbekend = {(u.naam, a) for u in urls for a in u.argumenten if a not in bekende_argumenten}
    assert not onbekend, f"Geef in _waarden een waarde voor {sorted(onbekend)}"
    assert set(GEEN_PAGINA) <= namen, set(GEEN_PAGINA) - namen
    met_pk = {u.naam for u in urls if "pk" in u.argumenten}
    eigen_pk = {"projecten:inzending", "partner:corrigeren", "partner:sleutel_intrekken"}
    eigen_pk |= {"projecten:ontgrendelen"}
    assert met_pk == eigen_pk, f"Geef in _varianten de pk van {sorted(met_pk - eigen_pk)}"


@pytest.mark.parametrize("rol", ROLLEN)
def test_elke_pagina_is_voor_elke_rol_toegankelijk(
    pagina: Any,
    wijkprogramma: Wijkprogramma,
    publiceren: None,
    mensen: dict[str, Any],
    sleutel: Any,
    rol: str,
) -> None:
    w = wijkprogramma
    bezoek = Bezoek(pagina, f"alle-{rol}")
    bezoek.inloggen(mensen[rol])
    geopend, statussen = set(), {}
    for naam, paden in _adressen(w, sleutel).items():
        if naam in GEEN_PAGINA:
            continue
        for pad in paden:
            antwoord = pagina.goto(pad)
            assert antwoord is not None
            statussen[pad] = antwoord.status
            if antwoord.status == 200:
                bezoek.controleren(f"{naam}-{pad}")
                geopend.add(pad)
    fouten = {pad: s for pad, s in statussen.items() if s not in (200, 403, 404)}
    assert not fouten, f"Onverwachte antwoorden als {rol}: {fouten}"
    # The test data reach the role's own pages: these must open, not be refused.
    project, meting = w.projecten[0].pk, w.inzendingen["meting"].pk
    eigen = {
        "manager": {
            f"/projecten/{project}/beschikkingen/nieuw",
            f"/beoordelen/meting/{meting}",
            "/taken",
        },
        "partner": {
            f"/projecten/{project}/metingen/nieuw",
            f"/inzendingen/meting/{meting}/corrigeren",
            f"/api-sleutels/{sleutel.pk}/intrekken",
        },
        "ministerie": {
            f"/programmas/{w.programma.code}",
            f"/projecten/{project}",
            f"/rapporten/{w.klaar.pk}",
        },
        "beheerder": {"/programma-nieuw", f"/programmas/{w.programma.code}/budget"},
        "zonder_rol": {"/", "/toegankelijkheid"},
    }[rol]
    assert eigen <= geopend, eigen - geopend
    bezoek.zonder_bevindingen()


def test_elke_pagina_opent_voor_minstens_een_rol(
    pagina: Any,
    wijkprogramma: Wijkprogramma,
    publiceren: None,
    mensen: dict[str, Any],
    sleutel: Any,
) -> None:
    """With the test data, every page answers 200 to someone: a page nobody can open is
    a page the accessibility check above never saw."""
    w = wijkprogramma
    nooit = {
        pad
        for naam, paden in _adressen(w, sleutel).items()
        if naam not in GEEN_PAGINA
        for pad in paden
    }
    for rol in ROLLEN:
        pagina.context.clear_cookies()
        Bezoek(pagina, f"open-{rol}").inloggen(mensen[rol])
        for pad in sorted(nooit):
            if pagina.request.get(pad, max_redirects=0).status == 200:
                nooit.discard(pad)
    assert not nooit, f"Geen rol opent {sorted(nooit)}"


def test_wat_geen_pagina_is(pagina: Any, wijkprogramma: Wijkprogramma, sleutel: Any) -> None:
    """The URLs excluded as posts answer GET with 405; the files are downloads."""
    w = wijkprogramma
    Bezoek(pagina, "geen-pagina").inloggen(w.manager)
    adressen = _adressen(w, sleutel)
    for naam, soort in GEEN_PAGINA.items():
        for pad in adressen[naam]:
            antwoord = pagina.request.get(pad, max_redirects=0)
            if soort == "post":
                assert antwoord.status == 405, (pad, antwoord.status)
            else:
                assert antwoord.status == 200, (pad, antwoord.status)
                assert antwoord.headers["content-disposition"].startswith("attachment"), pad


GEEN_HORIZONTALE_SCROL = """() => {
  const scherm = document.documentElement.clientWidth;
  const beschrijf = (el) => el.tagName.toLowerCase()
    + (el.id ? "#" + el.id : "") + (el.className ? "." + [...el.classList].join(".") : "")
    + " (" + Math.round(el.getBoundingClientRect().width) + " px)";
  // The outermost elements wider than the screen: where the page starts to overflow.
  const uitstekers = [...document.querySelectorAll("body, body *")]
    .filter((el) => el.getBoundingClientRect().right > scherm + 1
      && (!el.parentElement || el.parentElement.getBoundingClientRect().right <= scherm + 1
          || el.parentElement === document.documentElement))
    .slice(0, 5).map(beschrijf);
  // Positioned elements escape a scrolling region that is not their containing block.
  const los = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > scherm + 1
      && ["absolute", "fixed"].includes(getComputedStyle(el).position))
    .slice(0, 5).map((el) => beschrijf(el) + " " + el.outerHTML.slice(0, 100));
  return {breed: document.documentElement.scrollWidth, scherm, uitstekers, los};
}"""


def _smal(pagina: Any, bezoek: Bezoek, paden: list[tuple[str, str]]) -> dict[str, Any]:
    te_breed = {}
    for pad, naam in paden:
        bezoek.bekijken(pad, naam)
        maat = pagina.evaluate(GEEN_HORIZONTALE_SCROL)
        if maat["breed"] > maat["scherm"] + 1:
            te_breed[pad] = maat
    return te_breed


@pytest.mark.parametrize("rol", ["manager", "partner", "ministerie"])
def test_op_een_telefoon_scrolt_geen_pagina_zijwaarts(
    pagina: Any, wijkprogramma: Wijkprogramma, publiceren: None, rol: str
) -> None:
    w = wijkprogramma
    project = w.projecten[0]
    indicator = project.doelen.get().indicatoren.get()
    pagina.set_viewport_size({"width": 375, "height": 812})
    bezoek = Bezoek(pagina, f"telefoon-{rol}")
    bezoek.inloggen(getattr(w, rol))
    paden: dict[str, list[tuple[str, str]]] = {
        "manager": [
            (f"/programmas/{w.programma.code}", "dashboard"),
            ("/projecten", "projecten"),
            (f"/projecten/{project.pk}", "project"),
            (f"/projecten/{project.pk}/metingen", "metingen"),
            ("/beoordelen", "beoordelen"),
            (f"/beoordelen/meting/{w.inzendingen['meting'].pk}", "inzending"),
            ("/vergrendelingen", "vergrendelingen"),
            (f"/programmas/{w.programma.code}/projecten/nieuw", "project-nieuw"),
            (f"/indicatoren/{indicator.pk}/streefwaarden", "streefwaarden"),
            (f"/projecten/{project.pk}/beschikkingen/nieuw", "beschikking-nieuw"),
            (f"/projecten/{project.pk}/begroting", "begroting"),
            (f"/programmas/{w.programma.code}/budget", "budget"),
            ("/taken", "taken"),
            ("/rapporten", "rapporten"),
            (f"/rapporten/{w.klaar.pk}", "rapport"),
        ],
        "partner": [
            ("/projecten", "projecten"),
            ("/inzendingen", "inzendingen"),
            (f"/projecten/{project.pk}/metingen/nieuw", "meting-nieuw"),
            (f"/projecten/{project.pk}/bestedingen/nieuw", "besteding-nieuw"),
            ("/api-sleutels", "sleutels"),
            ("/rapporten", "portaal"),
        ],
        "ministerie": [
            (f"/programmas/{w.programma.code}", "dashboard"),
            ("/projecten", "projecten"),
            (f"/projecten/{project.pk}", "project"),
            ("/rapporten", "portaal"),
            (f"/rapporten/{w.klaar.pk}", "rapport"),
        ],
    }
    te_breed = _smal(pagina, bezoek, paden[rol])
    assert not te_breed, f"Op 375 px scrolt de hele pagina zijwaarts: {te_breed}"
    bezoek.zonder_bevindingen()
