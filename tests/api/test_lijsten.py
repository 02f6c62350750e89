"""The five lists of the partner API: a fixed number of queries whatever the page size,
filters that filter, bounded pages with working links, and never another organisation's
items."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db.models import Q
from django.utils import timezone

from programma.models import Organisatie
from projecten.models import (
    Beoordeling,
    Besteding,
    Meting,
    Project,
    Projectpartner,
    Voortgangsverslag,
)
from rapportage.models import Rapport
from tests.api.conftest import ApiClient, Partij, SleutelMaker, Wereld, is_probleem, namen
from tests.programma.factories import FocusgebiedFactory, OrganisatieFactory, ThemaFactory
from tests.projecten.factories import (
    BestedingFactory,
    IndicatorFactory,
    MetingFactory,
    ProjectFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db

LIJSTEN = ["/projecten", "/metingen", "/bestedingen", "/voortgangsverslagen", "/rapporten"]
PERIODEN = ["2025-K2", "2025-K3", "2025-K4", "2026-K1", "2026-K2", "2025-06", "2025-H2"]
STATUSSEN = [Beoordeling.INGEDIEND, Beoordeling.GOEDGEKEURD, Beoordeling.TERUGGESTUURD]


def vul(partij: Partij, projecten: int = 4) -> None:
    """Give ``partij`` several projects, each with themes, focus areas, two indicators and
    a measurement, expenditure and narrative per period in every review status, plus
    published reports (and one that is not published)."""
    programma = partij.project.programma
    for n in range(projecten):
        project = ProjectFactory(
            programma=programma,
            penvoerder=partij.organisatie,
            startdatum=partij.project.startdatum,
            einddatum=partij.project.einddatum,
        )
        project.themas.add(ThemaFactory(programma=programma), ThemaFactory(programma=programma))
        project.focusgebieden.add(FocusgebiedFactory(programma=programma))
        indicatoren = [IndicatorFactory(doel__project=project) for _ in range(2)]
        for i, periode in enumerate(PERIODEN):
            status = STATUSSEN[(i + n) % 3]
            for indicator in indicatoren:
                MetingFactory(indicator=indicator, periode=periode, status=status)
            BestedingFactory(project=project, periode=periode, status=status)
            VoortgangsverslagFactory(project=project, periode=periode, status=status)
        for soort in Rapport.Soort.values:
            Rapport.objects.create(
                soort=soort,
                programma=programma,
                project=project if soort == "projectrapportage" else None,
                focusgebied=project.focusgebieden.first() if soort == "gebiedsrapportage" else None,
                periode="2025",
                status=Rapport.Status.KLAAR,
                sha256="1" * 64,
                gemaakt_op=timezone.now(),
                gepubliceerd_op=timezone.now() - timedelta(days=n),
            )
    Rapport.objects.create(
        soort="jaarverantwoording", programma=programma, periode="2026", status="klaar"
    )  # made, not published


@pytest.fixture
def veel(wereld: Wereld) -> Wereld:
    vul(wereld.wij)
    vul(wereld.zij, projecten=2)
    return wereld


def zichtbaar(lijst: str, organisatie: Organisatie) -> set[int]:
    """The ids a list must show to a key of ``organisatie``, straight from the database."""
    projecten = Project.objects.filter(partners__organisatie=organisatie)
    if lijst == "/projecten":
        return set(projecten.values_list("pk", flat=True))
    if lijst == "/metingen":
        qs = Meting.objects.filter(indicator__doel__project__in=projecten)
    elif lijst == "/bestedingen":
        qs = Besteding.objects.filter(project__in=projecten)
    elif lijst == "/voortgangsverslagen":
        qs = Voortgangsverslag.objects.filter(project__in=projecten)
    else:
        # Published reports of its programmes; project reports only of its own projects.
        qs = Rapport.objects.filter(
            programma__projecten__in=projecten, gepubliceerd_op__isnull=False, status="klaar"
        ).exclude(Q(soort="projectrapportage") & ~Q(project__in=projecten))
    return set(qs.values_list("pk", flat=True))


def alle_paginas(api: ApiClient, lijst: str, **query: Any) -> Iterator[dict[str, Any]]:
    """Follow ``volgende`` from the first page to the last."""
    response = api.get(lijst, query=query)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        yield body
        if body["volgende"] is None:
            return
        deel = urlsplit(body["volgende"])
        assert deel.scheme == "http" and deel.netloc == "testserver"
        response = api.get(f"{deel.path}?{deel.query}")


# --- queries --------------------------------------------------------------------------------


@pytest.mark.parametrize("lijst", LIJSTEN)
def test_het_aantal_queries_hangt_niet_af_van_de_paginagrootte(
    wij: ApiClient, veel: Wereld, lijst: str, django_assert_max_num_queries: Any
) -> None:
    verwacht = zichtbaar(lijst, veel.wij.organisatie)
    assert len(verwacht) >= 5
    wij.get(lijst)  # the first use of a key records when it was used: not part of a page

    with django_assert_max_num_queries(20) as klein:
        een = wij.get(lijst, query={"paginaGrootte": 1})
    assert een.status_code == 200 and len(een.json()["resultaten"]) == 1

    with django_assert_max_num_queries(len(klein)) as groot:
        alle = wij.get(lijst, query={"paginaGrootte": 500})
    assert {r["id"] for r in alle.json()["resultaten"]} == verwacht
    assert len(groot) == len(klein), [q["sql"] for q in groot.captured_queries]


# --- filters --------------------------------------------------------------------------------

INZENDINGEN = {
    "/metingen": (Meting, "indicator__doel__project"),
    "/bestedingen": (Besteding, "project"),
    "/voortgangsverslagen": (Voortgangsverslag, "project"),
}


@pytest.mark.parametrize("lijst", INZENDINGEN)
def test_filters_op_project_periode_status_en_gewijzigd_sinds(
    wij: ApiClient, veel: Wereld, lijst: str
) -> None:
    model, projectveld = INZENDINGEN[lijst]
    eigen = model.objects.filter(pk__in=zichtbaar(lijst, veel.wij.organisatie))
    project = Project.objects.filter(partners__organisatie=veel.wij.organisatie).last()
    assert project is not None

    # An hour ago for half the items, a day ago for the rest.
    nu = timezone.now()
    oud = sorted(eigen.values_list("pk", flat=True))[::2]
    model.objects.filter(pk__in=oud).update(gewijzigd_op=nu - timedelta(days=1))
    model.objects.exclude(pk__in=oud).update(gewijzigd_op=nu - timedelta(hours=1))
    sinds = (nu - timedelta(hours=2)).isoformat()
    status_k4 = eigen.filter(**{projectveld: project}, periode="2025-K4").first().status

    gevallen: list[tuple[dict[str, Any], Any]] = [
        ({"project": project.pk}, eigen.filter(**{projectveld: project})),
        ({"periode": "2025-K3"}, eigen.filter(periode="2025-K3")),
        ({"periode": "2025-06"}, eigen.filter(periode="2025-06")),
        ({"status": "teruggestuurd"}, eigen.filter(status="teruggestuurd")),
        ({"status": "goedgekeurd"}, eigen.filter(status="goedgekeurd")),
        ({"gewijzigdSinds": sinds}, eigen.exclude(pk__in=oud)),
        (
            {"project": project.pk, "periode": "2025-K4", "status": status_k4},
            eigen.filter(**{projectveld: project}, periode="2025-K4", status=status_k4),
        ),
    ]
    leeg = [{"project": veel.zij.project.pk}, {"project": 987654321}, {"periode": "2030"}]
    for query, verwacht in [*gevallen, *((q, eigen.none()) for q in leeg)]:
        if query not in leeg:
            assert 0 < verwacht.count() < eigen.count(), f"{query} filtert niets weg"
        pagina_voor_pagina = alle_paginas(wij, lijst, paginaGrootte=7, **query)
        gezien = [r["id"] for body in pagina_voor_pagina for r in body["resultaten"]]
        assert sorted(gezien) == gezien, "op id gesorteerd"
        assert set(gezien) == set(verwacht.values_list("pk", flat=True)), query
        assert len(gezien) == verwacht.count()


@pytest.mark.parametrize("lijst", INZENDINGEN)
@pytest.mark.parametrize("offset", ["+16:25", "-23:59", "Z", "+00:00"])
def test_gewijzigd_sinds_met_elke_geldige_tijdzone(
    wij: ApiClient, veel: Wereld, lijst: str, offset: str
) -> None:
    """ISO 8601 allows offsets up to 23:59; PostgreSQL itself only up to 15:59."""
    model, _ = INZENDINGEN[lijst]
    eigen = model.objects.filter(pk__in=zichtbaar(lijst, veel.wij.organisatie))
    nieuw = eigen.order_by("pk").first()
    model.objects.filter(pk__in=eigen).update(gewijzigd_op=timezone.now() - timedelta(days=30))
    model.objects.filter(pk=nieuw.pk).update(gewijzigd_op=timezone.now())
    uren, minuten = (0, 0) if offset == "Z" else (int(offset[1:3]), int(offset[4:6]))
    teken = -1 if offset.startswith("-") else 1
    moment = datetime.now(UTC) - timedelta(days=1)
    lokaal = (moment + teken * timedelta(hours=uren, minutes=minuten)).replace(tzinfo=None)
    response = wij.get(lijst, query={"gewijzigdSinds": lokaal.isoformat() + offset})
    assert response.status_code == 200, response.content[:300]
    assert [r["id"] for r in response.json()["resultaten"]] == [nieuw.pk]


def test_projecten_en_rapporten_filteren_op_status_en_soort(wij: ApiClient, veel: Wereld) -> None:
    eigen = Project.objects.filter(partners__organisatie=veel.wij.organisatie)
    eigen.filter(pk=eigen.first().pk).update(status=Project.Status.AFGEROND)
    afgerond = [
        r["id"] for r in wij.get("/projecten", query={"status": "afgerond"}).json()["resultaten"]
    ]
    assert afgerond == [eigen.first().pk]
    lopend = {
        r["id"] for r in wij.get("/projecten", query={"status": "lopend"}).json()["resultaten"]
    }
    assert lopend == set(eigen.exclude(status="afgerond").values_list("pk", flat=True))

    zichtbare = zichtbaar("/rapporten", veel.wij.organisatie)
    for soort in Rapport.Soort.values:
        body = wij.get("/rapporten", query={"soort": soort}).json()
        assert {r["id"] for r in body["resultaten"]} == set(
            Rapport.objects.filter(pk__in=zichtbare, soort=soort).values_list("pk", flat=True)
        )
        assert {r["soort"] for r in body["resultaten"]} == {soort}


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lijst", LIJSTEN)
def test_pagina_links_lopen_heen_en_terug_door_alles(
    wij: ApiClient, veel: Wereld, lijst: str
) -> None:
    verwacht = sorted(zichtbaar(lijst, veel.wij.organisatie))
    paginas = list(alle_paginas(wij, lijst, paginaGrootte=2))
    assert len(paginas) == (len(verwacht) + 1) // 2
    assert all(p["aantal"] == len(verwacht) for p in paginas)
    gezien = [r["id"] for p in paginas for r in p["resultaten"]]
    assert sorted(gezien) == verwacht and len(set(gezien)) == len(gezien)
    assert paginas[0]["vorige"] is None and paginas[-1]["volgende"] is None

    # Back again along ``vorige``, from the last page to the first.
    terug: list[list[int]] = []
    body = paginas[-1]
    while True:
        terug.append([r["id"] for r in body["resultaten"]])
        if body["vorige"] is None:
            break
        deel = urlsplit(body["vorige"])
        body = wij.get(f"{deel.path}?{deel.query}").json()
    assert terug[::-1] == [[r["id"] for r in p["resultaten"]] for p in paginas]


def test_links_houden_de_filters_vast(wij: ApiClient, veel: Wereld) -> None:
    body = wij.get("/metingen", query={"status": "ingediend", "paginaGrootte": 3}).json()
    assert "status=ingediend" in body["volgende"] and "pagina=2" in body["volgende"]
    assert "paginaGrootte=3" in body["volgende"]
    alle = [
        r
        for p in alle_paginas(wij, "/metingen", status="ingediend", paginaGrootte=3)
        for r in p["resultaten"]
    ]
    assert {r["status"] for r in alle} == {"ingediend"} and len(alle) == body["aantal"]


def test_een_pagina_voorbij_het_einde_is_leeg(wij: ApiClient, veel: Wereld) -> None:
    body = wij.get("/bestedingen", query={"pagina": 1000, "paginaGrootte": 500}).json()
    assert body["resultaten"] == [] and body["volgende"] is None
    assert body["aantal"] == len(zichtbaar("/bestedingen", veel.wij.organisatie))


@pytest.mark.parametrize("lijst", LIJSTEN)
@pytest.mark.parametrize(
    ("query", "veld"),
    [
        ({"paginaGrootte": 501}, "paginaGrootte"),
        ({"paginaGrootte": 0}, "paginaGrootte"),
        ({"paginaGrootte": "veel"}, "paginaGrootte"),
        ({"pagina": 0}, "pagina"),
        ({"pagina": -1}, "pagina"),
        ({"paginagrootte": 5}, "paginagrootte"),
        ({"pagina_grootte": 5}, "pagina_grootte"),
    ],
    ids=["501", "0", "tekst", "pagina-0", "pagina-min-1", "kleine-letters", "snake-case"],
)
def test_een_ongeldige_of_onbekende_paginaparameter_is_400(
    wij: ApiClient, wereld: Wereld, lijst: str, query: dict[str, Any], veld: str
) -> None:
    assert namen(is_probleem(wij.get(lijst, query=query), 400)) == [veld]


@pytest.mark.parametrize(
    ("lijst", "query", "veld"),
    [
        ("/metingen", {"status": "afgekeurd"}, "status"),
        ("/bestedingen", {"periode": "2025-K5"}, "periode"),
        ("/bestedingen", {"periode": "Q1-2025"}, "periode"),
        ("/voortgangsverslagen", {"project": "een"}, "project"),
        ("/rapporten", {"soort": "kwartaalbericht"}, "soort"),
        ("/projecten", {"status": "lopnd"}, "status"),
        ("/projecten", {"status": "lopend\x00"}, "status"),
        ("/metingen", {"periode": "2025-K1\x00"}, "periode"),
        ("/metingen", {"indicator": 1}, "indicator"),
        ("/voortgangsverslagen", {"gewijzigd_sinds": "2025-01-01T00:00:00Z"}, "gewijzigd_sinds"),
    ],
    ids=[
        "onbekende-status",
        "kwartaal-5",
        "verkeerd-om",
        "project-tekst",
        "onbekende-soort",
        "projectstatus-typfout",
        "projectstatus-nul-teken",
        "periode-nul-teken",
        "onbekend-filter",
        "snake-case-filter",
    ],
)
def test_een_ongeldig_of_onbekend_filter_is_400(
    wij: ApiClient, wereld: Wereld, lijst: str, query: dict[str, Any], veld: str
) -> None:
    """A mistyped filter must not silently return everything."""
    assert namen(is_probleem(wij.get(lijst, query=query), 400)) == [veld]


@pytest.mark.parametrize("lijst", INZENDINGEN)
@pytest.mark.parametrize("project_id", [0, -5, 2**63 - 1, 2**63, 10**40])
def test_een_project_id_buiten_bereik_geeft_niets_of_400_nooit_een_fout(
    wij: ApiClient, wereld: Wereld, lijst: str, project_id: int
) -> None:
    response = wij.get(lijst, query={"project": project_id})
    if response.status_code == 400:
        assert namen(is_probleem(response, 400)) == ["project"]
    else:
        assert response.status_code == 200, response.content[:300]
        assert response.json()["resultaten"] == []


# --- other organisations --------------------------------------------------------------------


@pytest.mark.parametrize("lijst", LIJSTEN)
def test_een_partner_ziet_nooit_de_items_van_een_andere_organisatie(
    api: ApiClient, veel: Wereld, sleutel_maken: SleutelMaker, lijst: str
) -> None:
    wij, zij = veel.wij, veel.zij
    # A third organisation carries out one of our projects (not as lead): it sees that
    # project's items, and nothing else of ours or theirs.
    uitvoerder = OrganisatieFactory(naam="Buurtwerk Noord")
    Projectpartner.objects.create(project=wij.project, organisatie=uitvoerder, rol="uitvoerder")

    for organisatie in (wij.organisatie, zij.organisatie, uitvoerder):
        sleutel = sleutel_maken(organisatie)
        eigen = zichtbaar(lijst, organisatie)
        anderen = (
            set().union(
                *(zichtbaar(lijst, o) for o in (wij.organisatie, zij.organisatie, uitvoerder))
            )
            - eigen
        )
        assert eigen and anderen
        filters: list[dict[str, Any]] = [{}]
        if lijst in INZENDINGEN:
            filters += [{"project": wij.project.pk}, {"project": zij.project.pk}]
        for query in filters:
            gezien = {
                r["id"]
                for body in alle_paginas(api.met(sleutel), lijst, paginaGrootte=500, **query)
                for r in body["resultaten"]
            }
            assert gezien <= eigen, (organisatie, query)
            assert not gezien & anderen
            if not query:
                assert gezien == eigen
