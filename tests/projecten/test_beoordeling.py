"""The programme office reviews what partners submit: a queue of measurements,
expenditures and narratives waiting for review, filtered and paged; approve or return
with a comment, one by one or many at once (all or none); nothing in a locked period;
locking and unlocking periods from the web UI. Every step leaves an audit row."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programma import services as programma_services
from programma import wachtrij
from programma.audit import Actor
from programma.fouten import Bulkfouten, Conflict
from programma.models import ApiSleutel, Auditregel, Rol
from projecten import services
from projecten.models import Beoordeling, Besteding, Meting, Periodevergrendeling, Voortgangsverslag
from tests.programma.factories import (
    FocusgebiedFactory,
    GebruikerFactory,
    ProgrammaFactory,
    RolFactory,
)
from tests.projecten.factories import (
    BestedingFactory,
    IndicatorFactory,
    MetingFactory,
    ProjectFactory,
    ProjectpartnerFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db

WACHTRIJ = reverse("projecten:beoordelen")
VERGRENDELINGEN = reverse("projecten:vergrendelingen")


@pytest.fixture
def van_partner(penvoerder, partner_medewerker):
    """What every submission of the fixture partner carries."""
    return {"ingediend_door_organisatie": penvoerder, "ingediend_door": partner_medewerker}


@pytest.fixture
def meting(indicator, van_partner) -> Meting:
    return MetingFactory(indicator=indicator, periode="2025-K2", **van_partner)


@pytest.fixture
def besteding(project, van_partner) -> Besteding:
    return BestedingFactory(project=project, periode="2025-K2", **van_partner)


@pytest.fixture
def verslag(project, van_partner) -> Voortgangsverslag:
    return VoortgangsverslagFactory(project=project, periode="2025-K2", **van_partner)


@pytest.fixture
def andere_manager(manager):
    """A second programme manager of the same programme."""
    rol = Rol.objects.get(gebruiker=manager)
    return RolFactory(
        soort=Rol.Soort.PROGRAMMAMANAGER,
        programma=rol.programma,
        gebruiker__first_name="Fatima",
        gebruiker__last_name="El Amrani",
    ).gebruiker


@pytest.fixture
def vreemde_manager(db):
    """A programme manager of another programme."""
    return RolFactory(soort=Rol.Soort.PROGRAMMAMANAGER, programma=ProgrammaFactory()).gebruiker


@pytest.fixture
def ministerie(programma):
    return RolFactory(soort=Rol.Soort.MINISTERIE, programma=programma).gebruiker


@pytest.fixture
def taken(monkeypatch):
    """The background tasks queued after commit, by task path and arguments, not run."""
    gequeued: list[tuple[object, ...]] = []
    monkeypatch.setattr(wachtrij, "in_wachtrij", lambda pad, *args: gequeued.append((pad, *args)))
    return gequeued


def status(obj) -> str:
    return type(obj).objects.get(pk=obj.pk).status


def sleutel(obj) -> str:
    soort = {"Meting": "meting", "Besteding": "besteding", "Voortgangsverslag": "verslag"}
    return f"{soort[type(obj).__name__]}:{obj.pk}"


def besluit(*objecten, besluit="goedgekeurd", toelichting="") -> dict[str, object]:
    return {
        "inzendingen": [sleutel(o) for o in objecten],
        "besluit": besluit,
        "toelichting": toelichting,
    }


# --- the services ------------------------------------------------------------------------------


def test_bulk_review_goes_through_the_single_services_with_an_audit_row_each(
    actor, meting, besteding, verslag
):
    tweede = MetingFactory(indicator=meting.indicator, periode="2025-K3")
    beoordeeld = services.inzendingen_beoordelen(
        actor=actor,
        metingen=[meting, tweede],
        bestedingen=[besteding],
        verslagen=[verslag],
        besluit="goedgekeurd",
    )
    assert len(beoordeeld) == 4
    assert {status(o) for o in (meting, tweede, besteding, verslag)} == {"goedgekeurd"}
    acties = list(Auditregel.objects.order_by("id").values_list("actie", "object_id", "gebruiker"))
    assert acties == [
        ("meting_beoordelen", str(meting.pk), actor.gebruiker.pk),
        ("meting_beoordelen", str(tweede.pk), actor.gebruiker.pk),
        ("besteding_beoordelen", str(besteding.pk), actor.gebruiker.pk),
        ("voortgangsverslag_beoordelen", str(verslag.pk), actor.gebruiker.pk),
    ]


def test_bulk_review_is_all_or_nothing_and_names_who_reviewed_first(
    actor, andere_manager, meting, besteding, niets_opgeslagen
):
    services.meting_beoordelen(
        actor=Actor(gebruiker=andere_manager), meting=meting, besluit="goedgekeurd"
    )
    with niets_opgeslagen(Meting, Besteding), pytest.raises(Bulkfouten) as fout:
        services.inzendingen_beoordelen(
            actor=actor,
            metingen=[meting],
            bestedingen=[besteding],
            besluit="teruggestuurd",
            toelichting="Factuur ontbreekt.",
        )
    assert str(fout.value) == "1 fout(en) in de batch; er is niets opgeslagen."
    [melding] = fout.value.fouten
    assert melding["soort"] == "meting" and melding["id"] == meting.pk
    assert str(melding["melding"]).startswith(
        f"Meting '{meting.indicator.naam}' over 2025-K2 (project keukentafel) is intussen al "
        "goedgekeurd door Fatima El Amrani op "
    )
    assert status(besteding) == "ingediend"


def test_returning_in_bulk_needs_a_comment(actor, meting, besteding, niets_opgeslagen):
    with niets_opgeslagen(Meting, Besteding), pytest.raises(ValidationError) as fout:
        services.inzendingen_beoordelen(
            actor=actor, metingen=[meting], bestedingen=[besteding], besluit="teruggestuurd"
        )
    assert fout.value.message_dict == {
        "beoordeling_toelichting": ["Geef bij terugsturen aan wat er moet veranderen."]
    }


def test_reviewing_in_a_locked_period_is_refused_one_by_one_and_in_bulk(
    actor, project, meting, verslag, niets_opgeslagen
):
    services.periode_vergrendelen(actor=actor, programma=project.programma, periode="2025-H1")
    with niets_opgeslagen(Meting), pytest.raises(Conflict) as fout:
        services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")
    assert str(fout.value) == (
        "Periode 2025-H1 is vergrendeld: er kan niets meer worden ingediend of gewijzigd."
    )
    with niets_opgeslagen(Meting, Voortgangsverslag), pytest.raises(Bulkfouten) as bulk:
        services.inzendingen_beoordelen(
            actor=actor, metingen=[meting], verslagen=[verslag], besluit="goedgekeurd"
        )
    assert [f["melding"] for f in bulk.value.fouten] == [
        f"Meting '{meting.indicator.naam}' over 2025-K2 (project keukentafel): "
        "Periode 2025-H1 is vergrendeld: er kan niets meer worden ingediend of gewijzigd.",
        "Voortgangsverslag over 2025-K2 (project keukentafel): "
        "Periode 2025-H1 is vergrendeld: er kan niets meer worden ingediend of gewijzigd.",
    ]


def test_after_commit_the_partner_is_told_and_approvals_check_the_tranches(
    actor, meting, besteding, verslag, taken, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")
    project_id = meting.indicator.doel.project_id
    assert taken == [
        ("projecten.tasks.beoordeling_melden", "meting", [meting.pk]),
        ("projecten.verplichtingen.verplichtingen_bijwerken", project_id),
        ("rapportage.tasks.standen_bijwerken", [meting.pk]),
        ("projecten.tasks.tranches_controleren", project_id),
    ]
    taken.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.inzendingen_beoordelen(
            actor=actor,
            bestedingen=[besteding],
            verslagen=[verslag],
            besluit="teruggestuurd",
            toelichting="Graag aanvullen.",
        )
    # one e-mail task per kind; nothing returned can release a tranche
    assert taken == [
        ("projecten.tasks.beoordeling_melden", "besteding", [besteding.pk]),
        ("projecten.tasks.beoordeling_melden", "verslag", [verslag.pk]),
    ]


def test_nothing_is_queued_when_the_review_is_rolled_back(
    actor, meting, taken, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.meting_beoordelen(actor=actor, meting=meting, besluit="teruggestuurd")
    assert taken == []


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_lists_what_waits_in_the_managers_programmes_only(
    client, manager, project, meting, besteding, verslag, indicator
):
    MetingFactory(indicator=indicator, periode="2025-K3", status=Beoordeling.GOEDGEKEURD)
    elders = MetingFactory(indicator=IndicatorFactory(naam="Elders gemeten"), periode="2025-K2")
    client.force_login(manager)
    response = client.get(WACHTRIJ)
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 inzendingen wachten op beoordeling." in html
    for obj in (meting, besteding, verslag):
        assert f'value="{sleutel(obj)}"' in html
        assert reverse("projecten:inzending", args=sleutel(obj).split(":")) in html
    assert elders.indicator.naam not in html
    assert '<th scope="row"' in html and "<caption" in html
    assert 'aria-current="page">Beoordelen</a>' in html


@pytest.mark.parametrize(
    ("filter", "verwacht"),
    [
        ({"soort": "besteding"}, {"besteding"}),
        ({"periode": "2025-K3"}, {"meting-k3"}),
        ({"organisatie": "ander"}, {"verslag-ander"}),
        ({"project": "ander"}, {"verslag-ander"}),
        ({"focusgebied": "eigen"}, {"meting", "meting-k3", "besteding"}),
        ({"programma": "eigen", "soort": "meting"}, {"meting", "meting-k3"}),
    ],
    ids=["soort", "periode", "partner", "project", "focusgebied", "programma-en-soort"],
)
def test_the_queue_filters_by_kind_period_partner_project_focus_area_and_programme(
    client, manager, project, focusgebied, meting, besteding, filter, verwacht
):
    ander_project = ProjectFactory(programma=project.programma, code="ander")
    ander = ProjectpartnerFactory(project=ander_project).organisatie
    inzendingen = {
        "meting": meting,
        "meting-k3": MetingFactory(indicator=meting.indicator, periode="2025-K3"),
        "besteding": besteding,
        "verslag-ander": VoortgangsverslagFactory(
            project=ander_project, ingediend_door_organisatie=ander
        ),
    }
    waarden = {
        "ander": {"organisatie": ander.pk, "project": ander_project.pk},
        "eigen": {"focusgebied": focusgebied.pk, "programma": project.programma_id},
    }
    query = {k: waarden[v][k] if v in waarden else v for k, v in filter.items()}
    client.force_login(manager)
    html = client.get(WACHTRIJ, query).content.decode()
    getoond = {naam for naam, obj in inzendingen.items() if f'value="{sleutel(obj)}"' in html}
    assert getoond == verwacht
    assert "Alle filters wissen" in html


@pytest.mark.parametrize("aantal", [3, 45])
def test_the_queue_takes_the_same_number_of_queries_for_3_or_45_submissions(
    client, manager, project, indicator, focusgebied, django_assert_max_num_queries, aantal
):
    """Every row of another organisation, submitter, indicator and kind."""
    for n in range(aantal):
        organisatie = ProjectpartnerFactory(project=project).organisatie
        herkomst = {"ingediend_door_organisatie": organisatie, "ingediend_door": GebruikerFactory()}
        if n % 3 == 0:
            MetingFactory(indicator=IndicatorFactory(doel__project=project), **herkomst)
        elif n % 3 == 1:
            BestedingFactory(project=project, **herkomst)
        else:
            VoortgangsverslagFactory(
                project=project, periode=f"{2025 + n // 12}-K{n % 4 + 1}", **herkomst
            )
        FocusgebiedFactory(programma=project.programma)
    client.force_login(manager)
    # session, user, menu (2), who reviews (3), filter options (5), count, page and
    # one query per kind on the page: none per row, per submitter or per filter option
    with django_assert_max_num_queries(18):
        response = client.get(WACHTRIJ, {"programma": project.programma_id})
    assert response.status_code == 200
    assert response.content.decode().count('name="inzendingen" value=') == aantal


def test_the_queue_pages_and_keeps_its_filters(client, manager, indicator):
    for _ in range(55):
        MetingFactory(indicator=IndicatorFactory(doel=indicator.doel), periode="2025-K4")
    client.force_login(manager)
    eerste = client.get(WACHTRIJ, {"periode": "2025-K4"}).content.decode()
    assert eerste.count('name="inzendingen" value=') == 50
    assert "Pagina 1 van 2" in eerste
    assert 'href="?periode=2025-K4&amp;pagina=2"' in eerste
    tweede = client.get(WACHTRIJ, {"periode": "2025-K4", "pagina": 2}).content.decode()
    assert tweede.count('name="inzendingen" value=') == 5


# --- reviewing in the web UI ---------------------------------------------------------------------


def test_a_manager_approves_several_at_once(client, manager, meting, besteding, verslag):
    client.force_login(manager)
    response = client.post(f"{WACHTRIJ}?soort=", besluit(meting, besteding, verslag), follow=True)
    assert response.redirect_chain == [(f"{WACHTRIJ}?soort=", 302)]
    assert {status(o) for o in (meting, besteding, verslag)} == {"goedgekeurd"}
    assert (
        "3 inzendingen beoordeeld (3 goedgekeurd, 0 teruggestuurd); "
        "de partners krijgen bericht per e-mail." in response.content.decode()
    )
    assert Auditregel.objects.filter(gebruiker=manager).count() == 3


def test_returning_without_a_comment_is_refused_with_a_message(
    client, manager, meting, besteding, niets_opgeslagen
):
    client.force_login(manager)
    with niets_opgeslagen(Meting, Besteding):
        response = client.post(WACHTRIJ, besluit(meting, besteding, besluit="teruggestuurd"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html
    assert "Geef bij terugsturen aan wat er moet veranderen." in html
    # the choice survives the refusal
    assert f'value="{sleutel(meting)}" id="kies-meting-{meting.pk}" checked' in html


def test_bulk_in_the_web_ui_refuses_all_when_one_was_reviewed_meanwhile(
    client, manager, andere_manager, meting, besteding, niets_opgeslagen
):
    services.besteding_beoordelen(
        actor=Actor(gebruiker=andere_manager),
        besteding=besteding,
        besluit="teruggestuurd",
        toelichting="Factuur ontbreekt.",
    )
    client.force_login(manager)
    with niets_opgeslagen(Meting, Besteding):
        response = client.post(WACHTRIJ, besluit(meting, besteding))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Er is niets beoordeeld: 1 inzending kan niet worden beoordeeld." in html
    assert "is intussen al teruggestuurd door Fatima El Amrani op" in html
    assert status(meting) == "ingediend"


def test_reviewing_in_a_locked_period_is_refused_in_the_web_ui(
    client, manager, actor, project, meting, niets_opgeslagen
):
    services.periode_vergrendelen(
        actor=actor, programma=project.programma, project=project, periode="2025-K2"
    )
    client.force_login(manager)
    with niets_opgeslagen(Meting):
        response = client.post(WACHTRIJ, besluit(meting))
    assert response.status_code == 409
    assert "Periode 2025-K2 is vergrendeld" in response.content.decode()
    pagina = client.get(reverse("projecten:inzending", args=["meting", meting.pk]))
    html = pagina.content.decode()
    assert "kan pas worden beoordeeld als de periode weer open is" in html
    assert 'name="besluit"' not in html


def test_one_submission_is_read_and_returned_with_a_comment_on_its_own_page(
    client, manager, verslag
):
    Voortgangsverslag.objects.filter(pk=verslag.pk).update(
        risicos="Vrijwilligers <b>haken af</b>.",
        versie=2,
        beoordeling_toelichting="Eerder: te kort.",
    )
    adres = reverse("projecten:inzending", args=["verslag", verslag.pk])
    client.force_login(manager)
    html = client.get(adres).content.decode()
    assert verslag.samenvatting in html
    assert "Vrijwilligers &lt;b&gt;haken af&lt;/b&gt;." in html
    assert "Eerdere toelichting van de beoordelaar" in html and "Eerder: te kort." in html
    assert "Uw besluit over deze inzending</legend>" in html
    response = client.post(
        adres, besluit(verslag, besluit="teruggestuurd", toelichting="Noem de risico's per buurt.")
    )
    assert response.status_code == 302 and response["Location"] == WACHTRIJ
    verslag.refresh_from_db()
    assert (verslag.status, verslag.beoordeling_toelichting, verslag.beoordeeld_door) == (
        "teruggestuurd",
        "Noem de risico's per buurt.",
        manager,
    )
    assert "Deze inzending is al teruggestuurd" in client.get(adres).content.decode()


@pytest.mark.parametrize("wie", ["partner_medewerker", "ministerie", "anoniem"])
def test_partners_and_ministry_cannot_review_or_lock(
    client, request, wie, meting, actor, project, niets_opgeslagen
):
    slot = services.periode_vergrendelen(actor=actor, programma=project.programma, periode="2030")
    if wie != "anoniem":
        client.force_login(request.getfixturevalue(wie))
    adressen = [
        ("get", WACHTRIJ, {}),
        ("post", WACHTRIJ, besluit(meting)),
        ("get", reverse("projecten:inzending", args=["meting", meting.pk]), {}),
        ("post", reverse("projecten:inzending", args=["meting", meting.pk]), besluit(meting)),
        ("get", VERGRENDELINGEN, {}),
        ("post", VERGRENDELINGEN, {"programma": project.programma_id, "periode": "2025"}),
        ("post", reverse("projecten:ontgrendelen", args=[slot.pk]), {}),
    ]
    with niets_opgeslagen(Meting, Periodevergrendeling):
        for methode, adres, data in adressen:
            response = getattr(client, methode)(adres, data)
            assert response.status_code == (302 if wie == "anoniem" else 403), adres
    assert status(meting) == "ingediend"
    if wie != "anoniem":
        assert "Beoordelen" not in client.get(reverse("rapportage:projecten")).content.decode()


def test_a_manager_of_another_programme_cannot_reach_these_submissions(
    client, vreemde_manager, meting, niets_opgeslagen
):
    client.force_login(vreemde_manager)
    assert client.get(reverse("projecten:inzending", args=["meting", meting.pk])).status_code == 404
    assert client.get(reverse("projecten:inzending", args=["onzin", meting.pk])).status_code == 404
    assert f'value="{sleutel(meting)}"' not in client.get(WACHTRIJ).content.decode()
    with niets_opgeslagen(Meting):
        response = client.post(WACHTRIJ, besluit(meting))
    assert response.status_code == 400
    assert "1 gekozen inzending bestaat niet of u mag haar niet beoordelen." in (
        response.content.decode()
    )


def test_the_partner_sees_the_outcome_of_expenditures_and_narratives(
    client, actor, partner_medewerker, project, besteding, verslag
):
    services.besteding_beoordelen(actor=actor, besteding=besteding, besluit="goedgekeurd")
    services.voortgangsverslag_beoordelen(
        actor=actor, verslag=verslag, besluit="teruggestuurd", toelichting="Wat ging er mis?"
    )
    client.force_login(partner_medewerker)
    html = client.get(reverse("projecten:metingen", args=[project.pk])).content.decode()
    assert "Ingediende bestedingen" in html and "Voortgangsverslagen" in html
    assert 'ontschot-status--goedgekeurd">Goedgekeurd</span>' in html
    assert 'ontschot-status--teruggestuurd">Teruggestuurd</span>' in html
    assert "Wat ging er mis?" in html


# --- locking periods in the web UI ----------------------------------------------------------------


def test_a_manager_locks_a_period_for_a_project_and_for_the_whole_programme(
    client, manager, project
):
    client.force_login(manager)
    for data in (
        {"programma": project.programma_id, "project": project.pk, "periode": "2025-K2"},
        {"programma": project.programma_id, "project": "", "periode": "2025"},
    ):
        response = client.post(VERGRENDELINGEN, data, follow=True)
        assert response.redirect_chain == [(VERGRENDELINGEN, 302)]
    html = response.content.decode()
    assert "Periode 2025 is vergrendeld voor het hele programma" in html
    assert set(Periodevergrendeling.objects.values_list("project", "periode")) == {
        (project.pk, "2025-K2"),
        (None, "2025"),
    }
    regels = Auditregel.objects.filter(actie="periode_vergrendelen")
    assert regels.count() == 2 and {r.gebruiker for r in regels} == {manager}
    assert "Het hele programma" in html and "keukentafel" in html


def test_locking_refuses_a_bad_period_or_a_project_of_another_programme(
    client, manager, project, niets_opgeslagen
):
    elders = ProjectFactory()
    client.force_login(manager)
    with niets_opgeslagen(Periodevergrendeling):
        fout = client.post(
            VERGRENDELINGEN, {"programma": project.programma_id, "periode": "2025-K5"}
        )
        vreemd = client.post(
            VERGRENDELINGEN,
            {"programma": project.programma_id, "project": elders.pk, "periode": "2025"},
        )
    assert fout.status_code == 400 and vreemd.status_code == 400
    assert "Ongeldige periode &#x27;2025-K5&#x27;" in fout.content.decode()
    assert 'role="alert"' in fout.content.decode()
    # a project of a programme the manager does not manage is not even a choice
    assert "Selecteer een geldige keuze" in vreemd.content.decode()


def test_a_manager_unlocks_a_period_and_it_is_audited(client, manager, actor, project, indicator):
    slot = services.periode_vergrendelen(
        actor=actor, programma=project.programma, project=project, periode="2025-K2"
    )
    client.force_login(manager)
    assert f'action="{reverse("projecten:ontgrendelen", args=[slot.pk])}"' in (
        client.get(VERGRENDELINGEN).content.decode()
    )
    response = client.post(reverse("projecten:ontgrendelen", args=[slot.pk]), follow=True)
    assert "Periode 2025-K2 is weer open voor keukentafel" in response.content.decode()
    assert not Periodevergrendeling.objects.exists()
    regel = Auditregel.objects.get(actie="periode_ontgrendelen")
    assert (regel.gebruiker, regel.voor["periode"]) == (manager, "2025-K2")
    assert client.get(reverse("projecten:ontgrendelen", args=[slot.pk])).status_code == 405


def test_a_manager_of_another_programme_cannot_unlock(client, vreemde_manager, actor, project):
    slot = services.periode_vergrendelen(actor=actor, programma=project.programma, periode="2025")
    client.force_login(vreemde_manager)
    assert "2025" not in client.get(VERGRENDELINGEN).content.decode().split("Vergrendeld</h2>")[1]
    assert client.post(reverse("projecten:ontgrendelen", args=[slot.pk])).status_code == 404
    assert Periodevergrendeling.objects.filter(pk=slot.pk).exists()


def test_the_api_answers_409_for_a_measurement_in_a_period_locked_in_the_web_ui(
    client, manager, project, indicator, penvoerder
):
    _sleutel, tekst = programma_services.api_sleutel_aanmaken(
        actor=Actor.systeem("tests"),
        organisatie=penvoerder,
        naam="koppeling",
        scopes=[ApiSleutel.Scope.METINGEN_SCHRIJVEN],
    )
    client.force_login(manager)
    client.post(VERGRENDELINGEN, {"programma": project.programma_id, "periode": "2025-K2"})
    client.logout()
    response = client.post(
        "/api/v1/metingen",
        json.dumps({"indicator": indicator.pk, "periode": "2025-05", "waarde": "3"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tekst}",
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "Periode 2025-K2 is vergrendeld" in response.json()["detail"]
    assert not Meting.objects.exists()
    # the same measurement in an open period goes through
    response = client.post(
        "/api/v1/metingen",
        json.dumps(
            {"indicator": indicator.pk, "periode": "2025-K3", "waarde": Decimal("3")}, default=str
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tekst}",
    )
    assert response.status_code == 201
