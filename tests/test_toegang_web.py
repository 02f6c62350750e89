"""Who sees what in the web UI: every URL of the web interface, found in the URL
configuration, asked by every role for the objects of programme P and organisation A,
with the answer each role must get.

The world: programmes P and Q, each with one intervention whose lead organisation is A
(in P) or B (in Q), with an indicator, a grant, a locked period, submissions of every
kind, an API key per organisation, and in P a published and an unpublished report. The
roles: anonymous, a partner of A and of B, the programme manager of P and of Q, ministry
staff of P and of Q, an administrator, and someone logged in without any role. Every
request runs inside a transaction that is rolled back afterwards, so one answer never
changes the next; the row counts of every table are compared inside it, so a refused
write that changed anything fails.

A new URL without an entry in ``VERWACHT`` fails ``test_elke_url_staat_in_de_matrix``.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

ROLLEN = (
    "anoniem",
    "partner_a",
    "partner_b",
    "manager_p",
    "manager_q",
    "ministerie_p",
    "ministerie_q",
    "beheerder",
    "zonder_rol",
)
# Outside this matrix: the partner API (tests/api/test_autorisatiematrix.py), the
# language switch, static files, and Django's admin (tested as a whole below).
BUITEN = ("api/", "i18n/", "static/", "beheer/")


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
    return [u for u in _urls(get_resolver().url_patterns) if not u.route.startswith(BUITEN)]


# --- the world --------------------------------------------------------------------------------


@dataclass
class Wereld:
    mensen: dict[str, Any]
    waarden: dict[str, Any]
    varianten: dict[str, list[dict[str, Any]]]
    concept: int
    eigen: dict[str, Any]


def _kant(programma: Any, organisatie: Any, manager: Any, code: str, titel: str) -> dict[str, Any]:
    """One programme's side of the world: an intervention led by ``organisatie`` with what
    hangs under it."""
    from programma.audit import Actor
    from programma.models import ApiSleutel
    from programma.services import api_sleutel_aanmaken
    from projecten.models import Periodevergrendeling, Streefwaarde
    from tests.programma.factories import BudgetenvelopFactory, FocusgebiedFactory, ThemaFactory
    from tests.projecten.factories import (
        BeschikkingFactory,
        BestedingFactory,
        IndicatorFactory,
        MetingFactory,
        ProjectFactory,
        TrancheFactory,
        VoortgangsverslagFactory,
    )

    thema = ThemaFactory(programma=programma)
    BudgetenvelopFactory(programma=programma, thema=thema)
    gebied = FocusgebiedFactory(programma=programma)
    project: Any = ProjectFactory(
        programma=programma, penvoerder=organisatie, code=code, titel=titel
    )
    project.themas.add(thema)
    project.focusgebieden.add(gebied)
    indicator: Any = IndicatorFactory(doel__project=project)
    Streefwaarde.objects.create(indicator=indicator, periode="2025", waarde=Decimal("40"))
    beschikking = BeschikkingFactory(project=project, thema=thema)
    TrancheFactory(beschikking=beschikking, volgnummer=1)
    door = {"ingediend_door_organisatie": organisatie, "periode": "2025-K2"}
    inzendingen = {
        "meting": MetingFactory(indicator=indicator, **door),
        "besteding": BestedingFactory(project=project, beschikking=beschikking, **door),
        "verslag": VoortgangsverslagFactory(project=project, **door),
    }
    slot = Periodevergrendeling.objects.create(
        programma=programma, periode="2024-K4", vergrendeld_door=manager
    )
    sleutel, _plat = api_sleutel_aanmaken(
        actor=Actor(gebruiker=manager),
        organisatie=organisatie,
        naam=f"Koppeling {organisatie.naam}",
        scopes=[ApiSleutel.Scope.METINGEN_SCHRIJVEN],
    )
    return {
        "programma": programma,
        "project": project,
        "indicator": indicator,
        "beschikking": beschikking,
        "focusgebied": gebied,
        "inzendingen": inzendingen,
        "slot": slot,
        "sleutel": sleutel,
    }


@pytest.fixture
def wereld(db: None, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Wereld:
    from django_q.models import Task

    from programma.audit import Actor
    from programma.models import Organisatie, Rol
    from rapportage import rapporten
    from rapportage.models import Rapport
    from rapportage.pdf import Uitkomst
    from tests.programma.factories import (
        GebruikerFactory,
        OrganisatieFactory,
        ProgrammaFactory,
        RolFactory,
    )

    # Who may download a report does not depend on what WeasyPrint makes of it: a stand-in
    # PDF keeps this world quick (tests/test_ontsnappen.py renders real ones).
    nep = b"%PDF-1.7\n% Ontschot toegangsmatrix\n%%EOF\n"
    monkeypatch.setattr(
        "rapportage.pdf.pdf_maken",
        lambda gegevens, **_: Uitkomst(
            pdf=nep, paginas=1, sha256=hashlib.sha256(nep).hexdigest(), html=""
        ),
    )
    p: Any = ProgrammaFactory(code="nplv", naam="Programma Leefbaar Zuid")
    q: Any = ProgrammaFactory(code="wijkaanpak", naam="Wijkaanpak Overvecht")
    a = OrganisatieFactory(naam="Gemeente Rotterdam", soort=Organisatie.Soort.GEMEENTE)
    b = OrganisatieFactory(naam="Stichting Overvecht", soort=Organisatie.Soort.WELZIJN)
    mensen: dict[str, Any] = {"anoniem": None}
    for naam, soort, waar in (
        ("partner_a", Rol.Soort.PARTNER, {"organisatie": a}),
        ("partner_b", Rol.Soort.PARTNER, {"organisatie": b}),
        ("manager_p", Rol.Soort.PROGRAMMAMANAGER, {"programma": p}),
        ("manager_q", Rol.Soort.PROGRAMMAMANAGER, {"programma": q}),
        ("ministerie_p", Rol.Soort.MINISTERIE, {"programma": p}),
        ("ministerie_q", Rol.Soort.MINISTERIE, {"programma": q}),
    ):
        mensen[naam] = RolFactory(gebruiker__username=naam, soort=soort, **waar).gebruiker
    mensen["beheerder"] = GebruikerFactory(username="beheerder", is_superuser=True, is_staff=True)
    mensen["zonder_rol"] = GebruikerFactory(username="zonder_rol")

    eigen = _kant(p, a, mensen["manager_p"], "pa-keukentafel", "Keukentafel Rotterdam-Zuid")
    ander = _kant(q, b, mensen["manager_q"], "qb-huiskamer", "Huiskamer Overvecht")

    actor = Actor(gebruiker=mensen["manager_p"])
    gevraagd = rapporten.rapport_aanvragen(
        actor=actor, soort=Rapport.Soort.JAARVERANTWOORDING, programma=p, jaar=2025
    )
    gepubliceerd = rapporten.rapport_maken(rapport_id=gevraagd.pk)
    assert gepubliceerd is not None and gepubliceerd.status == Rapport.Status.KLAAR
    # An unpublished finished report: the programme office's alone.
    concept = Rapport.objects.create(
        soort=Rapport.Soort.JAARVERANTWOORDING,
        programma=p,
        periode="2024",
        status=Rapport.Status.KLAAR,
        momentopname=gepubliceerd.momentopname,
        pdf=gepubliceerd.pdf.name,
        sha256=gepubliceerd.sha256,
        gevraagd_door=mensen["manager_p"],
    )
    rapporten.rapport_publiceren(actor=actor, rapport=gepubliceerd)
    nu = timezone.now()
    Task.objects.create(
        id="mislukt",
        name="mislukt",
        func="programma.wachtrij.uitvoeren",
        args=("rapportage.rapporten.rapport_maken", gepubliceerd.pk),
        started=nu - timedelta(minutes=5),
        stopped=nu - timedelta(minutes=4),
        success=False,
        result="ConnectionError",
        attempt_count=1,
    )
    waarden = {
        "code": p.code,
        "project_id": eigen["project"].pk,
        "indicator_id": eigen["indicator"].pk,
        "beschikking_id": eigen["beschikking"].pk,
        "focusgebied_id": eigen["focusgebied"].pk,
        "rapport_id": gepubliceerd.pk,
        "taak_id": "mislukt",
        "formaat": "pdf",
    }
    per_soort = [{"soort": s, "pk": o.pk} for s, o in eigen["inzendingen"].items()]
    varianten = {
        "projecten:inzending": per_soort,
        "partner:corrigeren": per_soort,
        "partner:sleutel_intrekken": [{"pk": eigen["sleutel"].pk}],
        "projecten:ontgrendelen": [{"pk": eigen["slot"].pk}],
        "rapportage:rapport": [{"rapport_id": gepubliceerd.pk}, {"rapport_id": concept.pk}],
        "rapportage:publiceren": [{"rapport_id": concept.pk}],
        "rapportage:downloaden": [
            *({"rapport_id": gepubliceerd.pk, "formaat": f} for f in rapporten.FORMATEN),
            {"rapport_id": concept.pk, "formaat": "pdf"},
        ],
    }
    eigen["gepubliceerd"] = gepubliceerd
    eigen["ander_project"] = ander["project"]
    return Wereld(
        mensen=mensen, waarden=waarden, varianten=varianten, concept=concept.pk, eigen=eigen
    )


def _paden(wereld: Wereld, url: Url) -> list[tuple[str, bool]]:
    """The paths to ask for a URL, each with whether it is about the unpublished report."""
    return [
        (
            reverse(url.naam, kwargs={a: (wereld.waarden | keuze)[a] for a in url.argumenten}),
            keuze.get("rapport_id") == wereld.concept,
        )
        for keuze in wereld.varianten.get(url.naam, [{}])
    ]


def _vragen(client: Client, methode: str, pad: str) -> tuple[int, str, bool]:
    """(status, Location, whether any row count changed), with everything rolled back."""
    with transaction.atomic():
        voor = _tellingen()
        antwoord = client.get(pad) if methode == "GET" else client.post(pad, {})
        veranderd = _tellingen() != voor
        transaction.set_rollback(True)
    return antwoord.status_code, antwoord.get("Location", ""), veranderd


def _tellingen() -> tuple[int, ...]:
    """Rows of every table of Ontschot, the queue, the sessions' users and the audit
    trail, in one query."""
    from django.db import connection

    modellen = [
        m
        for label in ("programma", "projecten", "rapportage", "django_q", "auth")
        for m in apps.get_app_config(label).get_models()
        if m._meta.managed and not m._meta.proxy
    ]
    tabellen = sorted({m._meta.db_table for m in modellen})
    naam = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {naam(t)})" for t in tabellen)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


# --- what each role must get ------------------------------------------------------------------

INGELOGD = ROLLEN[1:]
Antwoord = int | tuple[int, ...]


def wie(anders: Antwoord, **rollen: Antwoord) -> dict[str, Antwoord]:
    """The answer per logged-in role: ``anders`` unless named."""
    return {rol: rollen.get(rol, anders) for rol in INGELOGD}


@dataclass(frozen=True)
class Regel:
    """What a URL answers to GET and to an empty POST, per role. ``None``: the method is not
    allowed (405 for everyone logged in). Anonymous visitors are sent to the login page,
    unless the URL is ``openbaar`` (then ``get``/``post`` name "anoniem" too). ``schrijft``:
    roles for whom the empty POST is the action itself (unlock, publish, revoke), so rows
    change; for everyone else a POST must leave every table as it was. ``registreert``: a
    GET that succeeds leaves a row in the audit trail (a report download)."""

    get: dict[str, Antwoord] | None
    post: dict[str, Antwoord] | None = None
    schrijft: frozenset[str] = frozenset()
    openbaar: bool = False
    registreert: bool = False


# Registration pages of programme P: its managers and administrators; for anyone else the
# programme or project does not exist.
BEHEER_P = wie(404, manager_p=200, beheerder=200)
# Read pages of intervention PA: everyone who may see it (its partner, P's office and
# ministry staff, administrators); for the rest it does not exist.
LEZEN_PA = wie(404, partner_a=200, manager_p=200, ministerie_p=200, beheerder=200)
# The programme office's pages: 403 for people who review nothing.
KANTOOR = wie(403, manager_p=200, manager_q=200, beheerder=200)
# Partner pages: 403 for people of no partner organisation; another organisation's
# objects do not exist.
PARTNER = wie(403, partner_a=200, partner_b=200)
PARTNER_A = wie(403, partner_a=200, partner_b=404)
BESTAND_PA = wie(404, partner_a=200, manager_p=200, ministerie_p=200, beheerder=200)

VERWACHT: dict[str, Regel] = {
    # "/" sends everyone with a role on to their dashboard or project list.
    "overzicht": Regel(get=wie(302, zonder_rol=200)),
    # A partner of A is sent to the projects of P it takes part in; B does not know P.
    "programma": Regel(get=wie(404, partner_a=302, manager_p=200, ministerie_p=200, beheerder=200)),
    # Everyone who sees PA reads its measurements; only who may submit may post.
    "projecten:metingen": Regel(
        get=LEZEN_PA,
        post=wie(404, partner_a=200, manager_p=200, ministerie_p=403, beheerder=200),
    ),
    "projecten:sjabloon_xlsx": Regel(get=LEZEN_PA),
    "projecten:sjabloon_csv": Regel(get=LEZEN_PA),
    "projecten:beoordelen": Regel(get=KANTOOR, post=KANTOOR),
    "projecten:inzending": Regel(
        get=wie(403, manager_p=200, manager_q=404, beheerder=200),
        post=wie(403, manager_p=200, manager_q=404, beheerder=200),
    ),
    "projecten:vergrendelingen": Regel(get=KANTOOR, post=KANTOOR),
    "projecten:ontgrendelen": Regel(
        get=None,
        post=wie(403, manager_p=302, manager_q=404, beheerder=302),
        schrijft=frozenset({"manager_p", "beheerder"}),
    ),
    "programmabeheer:programma_nieuw": Regel(get=KANTOOR, post=KANTOOR),
    "programmabeheer:programma_wijzigen": Regel(get=BEHEER_P, post=BEHEER_P),
    "programmabeheer:themas": Regel(get=BEHEER_P, post=BEHEER_P),
    "programmabeheer:budget": Regel(get=BEHEER_P, post=BEHEER_P),
    "programmabeheer:focusgebied_nieuw": Regel(get=BEHEER_P, post=BEHEER_P),
    "programmabeheer:focusgebied_wijzigen": Regel(get=BEHEER_P, post=BEHEER_P),
    "projectbeheer:project_nieuw": Regel(get=BEHEER_P, post=BEHEER_P),
    "projectbeheer:project_wijzigen": Regel(get=BEHEER_P, post=BEHEER_P),
    "projectbeheer:partners": Regel(get=BEHEER_P, post=BEHEER_P),
    "projectbeheer:status": Regel(get=BEHEER_P, post=BEHEER_P),
    "projectbeheer:doel_nieuw": Regel(get=BEHEER_P, post=BEHEER_P),
    "projectbeheer:indicator_nieuw": Regel(get=BEHEER_P, post=BEHEER_P),
    "projectbeheer:streefwaarden": Regel(get=BEHEER_P, post=BEHEER_P),
    "projectbeheer:beschikking_nieuw": Regel(get=BEHEER_P, post=BEHEER_P),
    "projectbeheer:tranches": Regel(get=BEHEER_P, post=BEHEER_P),
    "projectbeheer:begroting": Regel(get=BEHEER_P, post=BEHEER_P),
    "partner:inzendingen": Regel(get=PARTNER),
    "partner:meting_nieuw": Regel(get=PARTNER_A, post=PARTNER_A),
    "partner:besteding_nieuw": Regel(get=PARTNER_A, post=PARTNER_A),
    "partner:verslag_nieuw": Regel(get=PARTNER_A, post=PARTNER_A),
    "partner:corrigeren": Regel(get=PARTNER_A, post=PARTNER_A),
    "partner:sleutels": Regel(get=PARTNER),
    "partner:sleutel_nieuw": Regel(get=PARTNER, post=PARTNER),
    "partner:sleutel_intrekken": Regel(
        get=PARTNER_A,
        post=wie(403, partner_a=302, partner_b=404),
        schrijft=frozenset({"partner_a"}),
    ),
    # Everyone logged in has a project list and a reports page, scoped to them
    # (what they list is checked in test_lijsten_tonen_niets_van_een_ander).
    "rapportage:projecten": Regel(get=wie(200)),
    "rapportage:project": Regel(get=LEZEN_PA),
    # The background tasks are the whole installation's: every programme office sees them.
    "rapportage:taken": Regel(get=KANTOOR, post=KANTOOR),
    "rapportage:taak_opnieuw": Regel(
        get=None,
        post=wie(403, manager_p=302, manager_q=302, beheerder=302),
        schrijft=frozenset({"manager_p", "manager_q", "beheerder"}),
    ),
    "rapportage:rapporten": Regel(
        get=wie(200), post=wie(403, manager_p=400, manager_q=400, beheerder=400)
    ),
    # Variants: the published report, then the unpublished one (P's office only).
    "rapportage:rapport": Regel(get=LEZEN_PA),
    "rapportage:publiceren": Regel(
        get=None,
        post=wie(404, manager_p=302, beheerder=302),
        schrijft=frozenset({"manager_p", "beheerder"}),
    ),
    "rapportage:downloaden": Regel(get=BESTAND_PA, registreert=True),
    "login": Regel(
        get={"anoniem": 200, **wie(200)}, post={"anoniem": 200, **wie(200)}, openbaar=True
    ),
    "logout": Regel(get=None, post={"anoniem": 302, **wie(302)}, openbaar=True),
    "toegankelijkheid": Regel(get={"anoniem": 200, **wie(200)}, openbaar=True),
    "gezondheid": Regel(get={"anoniem": 200, **wie(200)}, openbaar=True),
    # Ready only with a running worker, which the tests do not start.
    "gezondheid-gereed": Regel(get={"anoniem": (200, 503), **wie((200, 503))}, openbaar=True),
}
# The unpublished report and its PDF: P's office and administrators only.
ONGEPUBLICEERD = wie(404, manager_p=200, beheerder=200)


def _clients(wereld: Wereld) -> dict[str, Client]:
    clients = {}
    for rol in ROLLEN:
        clients[rol] = Client()
        if wereld.mensen[rol] is not None:
            clients[rol].force_login(wereld.mensen[rol])
    return clients


def test_elke_url_staat_in_de_matrix() -> None:
    """A new page needs an expected answer for every role before it can be merged."""
    urls = webinterface()
    namen = {u.naam for u in urls}
    assert {"rapportage:project", "partner:corrigeren", "projectbeheer:tranches"} <= namen
    assert not namen - set(VERWACHT), f"Geef in VERWACHT de antwoorden voor {namen - set(VERWACHT)}"
    argumenten = {"code", "project_id", "indicator_id", "beschikking_id", "focusgebied_id"}
    argumenten |= {"rapport_id", "taak_id", "formaat", "soort", "pk"}
    onbekend = {(u.naam, a) for u in urls for a in u.argumenten if a not in argumenten}
    assert not onbekend, f"Geef in de wereld een waarde voor {sorted(onbekend)}"
    # ``pk`` and ``soort`` mean a different object per URL: each such URL names its own.
    eigen_object = {u.naam for u in urls if {"pk", "soort"} & set(u.argumenten)}
    met_variant = {"projecten:inzending", "partner:corrigeren", "partner:sleutel_intrekken"}
    met_variant |= {"projecten:ontgrendelen"}
    assert eigen_object == met_variant, f"Geef in de wereld de varianten van {eigen_object}"


def test_wie_wat_ziet(wereld: Wereld) -> None:
    """Every URL × every role × GET and an empty POST: the expected answer, and a refused
    POST changes nothing."""
    clients = _clients(wereld)
    login = resolve_url(settings.LOGIN_URL)
    afwijkingen = []
    for url in webinterface():
        regel = VERWACHT[url.naam]
        for pad, ongepubliceerd in _paden(wereld, url):
            for methode, verwacht in (("GET", regel.get), ("POST", regel.post)):
                if verwacht is not None and ongepubliceerd and methode == "GET":
                    verwacht = ONGEPUBLICEERD | {"anoniem": 302}
                for rol in ROLLEN:
                    status, locatie, veranderd = _vragen(clients[rol], methode, pad)
                    if rol == "anoniem" and not regel.openbaar:
                        goed = status == 302 and locatie.startswith(f"{login}?next=")
                        moet: Antwoord = 302
                    else:
                        moet = 405 if verwacht is None else verwacht[rol]
                        goed = status in (moet if isinstance(moet, tuple) else (moet,))
                    schrijft = (methode == "POST" and rol in regel.schrijft and status == 302) or (
                        methode == "GET" and regel.registreert and status == 200
                    )
                    if not goed or veranderd != schrijft:
                        afwijkingen.append(
                            f"{methode} {pad} als {rol}: {status} {locatie} (verwacht {moet})"
                            + (" en er veranderde iets" if veranderd else "")
                            + (" en er veranderde niets" if schrijft and not veranderd else "")
                        )
    assert not afwijkingen, "\n".join(afwijkingen)


# --- what the lists show ----------------------------------------------------------------------

# Pages that answer everyone of a kind, with what of P and A they may not show to whom:
# (page, roles that see P's data there, roles that must not).
LIJSTEN = [
    ("/projecten", {"partner_a", "manager_p", "ministerie_p", "beheerder"}, "projecten"),
    ("/inzendingen", {"partner_a"}, "meting"),
    ("/api-sleutels", {"partner_a"}, "sleutels"),
    ("/beoordelen", {"manager_p", "beheerder"}, "wachtrij"),
    ("/vergrendelingen", {"manager_p", "beheerder"}, "vergrendelingen"),
    ("/rapporten", {"partner_a", "manager_p", "ministerie_p", "beheerder"}, "rapporten"),
]


def _kenmerken(wereld: Wereld, pad: str) -> list[str]:
    """What of programme P and organisation A a page would show if it leaked."""
    eigen = wereld.eigen
    return {
        "/projecten": [eigen["project"].code, eigen["project"].titel],
        "/inzendingen": [eigen["project"].code],
        "/api-sleutels": [eigen["sleutel"].naam, eigen["sleutel"].prefix],
        "/beoordelen": [eigen["project"].code],
        "/vergrendelingen": [eigen["programma"].naam],
        "/rapporten": [eigen["programma"].naam],
    }[pad]


def test_lijsten_tonen_niets_van_een_ander(wereld: Wereld) -> None:
    """Lists open to everyone of a kind show, on the page and in its CSV, only what the
    person may see; the roles that may see P's data do find it (so the check can fail)."""
    clients = _clients(wereld)
    gelekt, gemist = [], []
    for pad, zien, tabel in LIJSTEN:
        for rol in INGELOGD:
            antwoorden = [clients[rol].get(pad)]
            if antwoorden[0].status_code == 200:
                antwoorden.append(clients[rol].get(pad, {"download": tabel, "formaat": "csv"}))
            for antwoord in antwoorden:
                tekst = antwoord.content.decode("utf-8-sig")
                for kenmerk in _kenmerken(wereld, pad):
                    if rol in zien and kenmerk not in tekst:
                        gemist.append(f"{pad} {antwoord.get('Content-Type')} als {rol}: {kenmerk}")
                    if rol not in zien and kenmerk in tekst:
                        gelekt.append(f"{pad} {antwoord.get('Content-Type')} als {rol}: {kenmerk}")
    assert not gelekt, "Getoond aan wie het niet mag zien:\n" + "\n".join(gelekt)
    assert not gemist, "Niet getoond aan wie het mag zien:\n" + "\n".join(gemist)


def test_het_portaal_toont_geen_ongepubliceerd_rapport(wereld: Wereld) -> None:
    clients = _clients(wereld)
    link = f'href="/rapporten/{wereld.concept}"'
    for rol in INGELOGD:
        tekst = clients[rol].get("/rapporten").content.decode()
        assert (link in tekst) == (rol in {"manager_p", "beheerder"}), rol


# --- private files ----------------------------------------------------------------------------


def test_rapportbestanden_staan_buiten_elke_openbare_map() -> None:
    """The production defaults: report files are kept apart from uploads and static files,
    which are served without asking who you are."""
    from ontschot import settings as instellingen

    prive = Path(instellingen.PRIVE_MEDIA_ROOT).resolve()
    openbaar = [
        Path(instellingen.MEDIA_ROOT),
        Path(instellingen.STATIC_ROOT),
        *map(Path, instellingen.STATICFILES_DIRS),
    ]
    for map_ in openbaar:
        map_ = map_.resolve()
        assert not prive.is_relative_to(map_) and not map_.is_relative_to(prive), map_


def test_een_rapportbestand_komt_alleen_via_de_downloadpagina(wereld: Wereld) -> None:
    """The PDF lies under PRIVE_MEDIA_ROOT; no static or media URL serves it, to nobody,
    and the page that does serves it uncached."""
    from django.contrib.staticfiles import finders

    rapport = wereld.eigen["gepubliceerd"]
    pdf = Path(rapport.pdf.path)
    assert pdf.is_file() and pdf.is_relative_to(Path(settings.PRIVE_MEDIA_ROOT))
    naam = rapport.pdf.name
    assert finders.find(naam) is None
    clients = _clients(wereld)
    statisch = "/" + settings.STATIC_URL.strip("/") + "/"
    media = "/" + (settings.MEDIA_URL or "media/").strip("/") + "/"
    # The static files are served in the tests, so their 404 below means something.
    assert clients["anoniem"].get(f"{statisch}css/ontschot.css").status_code == 200
    for rol in ("anoniem", "beheerder", "manager_p"):
        for voor in (statisch, media, "/prive/", "/"):
            assert clients[rol].get(voor + naam).status_code == 404, (rol, voor + naam)
    antwoord = clients["manager_p"].get(f"/rapporten/{rapport.pk}/pdf")
    assert antwoord.status_code == 200
    assert b"".join(antwoord) == pdf.read_bytes()
    assert antwoord["Content-Disposition"].startswith("attachment")
    assert "no-store" in antwoord["Cache-Control"]


def _bestanden(*mappen: Path) -> set[Path]:
    return {p for m in mappen if m.exists() for p in m.rglob("*") if p.is_file()}


def test_een_geupload_sjabloon_wordt_nergens_bewaard_en_telt_alleen_voor_eigen_projecten(
    wereld: Wereld, settings: Any, tmp_path: Path
) -> None:
    """An uploaded spreadsheet is read and forgotten: no file under the media or private
    directories. It counts only for the organisation's own project: the same file sent to
    another organisation's project, or naming its indicator from a project of one's own,
    saves nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projecten.models import Meting

    settings.MEDIA_ROOT = tmp_path / "media"
    mappen = (Path(settings.MEDIA_ROOT), Path(settings.PRIVE_MEDIA_ROOT))
    voor = _bestanden(*mappen)
    indicator = wereld.eigen["indicator"]
    kop = "indicator_id;indicator;eenheid;periode;waarde;toelichting;bron\r\n"
    regel = f"{indicator.pk};{indicator.naam};aantal;2025-K3;17;;\r\n"

    def sjabloon() -> SimpleUploadedFile:
        return SimpleUploadedFile("metingen.csv", (kop + regel).encode(), "text/csv")

    clients = _clients(wereld)
    eigen = reverse("projecten:metingen", args=[wereld.eigen["project"].pk])
    ander = reverse("projecten:metingen", args=[wereld.eigen["ander_project"].pk])
    aantal = Meting.objects.count()
    assert clients["partner_b"].post(eigen, {"bestand": sjabloon()}).status_code == 404
    antwoord = clients["partner_b"].post(ander, {"bestand": sjabloon()})
    assert antwoord.status_code == 200 and Meting.objects.count() == aantal
    antwoord = clients["partner_a"].post(eigen, {"bestand": sjabloon()})
    assert antwoord.status_code == 302
    assert Meting.objects.filter(indicator=indicator, periode="2025-K3").count() == 1
    assert _bestanden(*mappen) == voor


# --- the admin ----------------------------------------------------------------------------------


def test_het_beheer_is_alleen_voor_beheerders(wereld: Wereld) -> None:
    """The admin's start page and every model's list: administrators only; anyone else is
    sent to the admin's login."""
    from django.contrib import admin

    clients = _clients(wereld)
    lijsten = [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in admin.site._registry
    ]
    assert len(lijsten) > 5
    for rol in ROLLEN:
        for pad in [reverse("admin:index"), *lijsten]:
            antwoord = clients[rol].get(pad)
            if rol == "beheerder":
                assert antwoord.status_code == 200, (rol, pad)
            else:
                assert antwoord.status_code == 302, (rol, pad, antwoord.status_code)
                assert antwoord["Location"].startswith(reverse("admin:login")), (rol, pad)
