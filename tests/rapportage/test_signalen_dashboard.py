"""The manager's dashboard data: overdue obligations with days overdue and lead
organisation, counts per status, and flagged projects with their reasons; scoped to the
programmes a user manages or follows, in a fixed number of queries."""

from datetime import date

import pytest

from programma.audit import Actor
from programma.models import Rol
from projecten import services
from projecten.models import Project, Rapportageverplichting
from projecten.verplichtingen import verplichtingen_bijwerken
from rapportage.dashboard import (
    Statustelling,
    achterstallige_verplichtingen,
    achterstand_per_programma,
    dashboard,
    gesignaleerde_projecten,
    verplichtingen_per_status,
)
from rapportage.models import Signaal
from tests.programma.factories import OrganisatieFactory, ProgrammaFactory, RolFactory
from tests.projecten.factories import IndicatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

VANDAAG = date(2025, 8, 20)


@pytest.fixture
def stand(actor, project, vandaag):
    """The shared project (keukentafel, lead Stichting Doras) on 20-08-2025: 2025-K1 was
    marked overdue by the nightly task, 2025-K2 passed its deadline (11-08) since, and
    2025-K3 is fulfilled."""
    vandaag(date(2025, 3, 15))
    services.verplichtingen_afleiden(actor=actor, project=project)
    vandaag(date(2025, 8, 1))
    verplichtingen_bijwerken()
    Rapportageverplichting.objects.filter(project=project, periode="2025-K3").update(
        status="voldaan"
    )
    vandaag(VANDAAG)
    return project


@pytest.fixture
def signalen(stand):
    indicator = IndicatorFactory(doel__project=stand, naam="Huishoudens geholpen")
    Signaal.objects.create(
        project=stand,
        soort="bestedingstempo",
        ernst=1,
        reden="Besteed 20% van de begroting bij 45% van de looptijd (€ 2.000,00 van € 10.000,00).",
    )
    Signaal.objects.create(
        project=stand,
        indicator=indicator,
        soort="indicator_achter",
        ernst=2,
        reden="Huishoudens geholpen: 4 in 2025-K2 bij een streefwaarde van 25; 16% van de streefwaarde gehaald.",
    )
    return stand


@pytest.fixture
def andere_manager(db, vandaag):
    """The manager of another programme, whose own project is overdue too."""
    ander = ProgrammaFactory(code="ander")
    project = ProjectFactory(programma=ander, code="elders", startdatum=date(2025, 1, 1))
    vandaag(VANDAAG)
    services.verplichtingen_afleiden(actor=Actor.systeem("test"), project=project)
    Signaal.objects.create(project=project, soort="bestedingstempo", ernst=2, reden="Elders.")
    return RolFactory(soort=Rol.Soort.PROGRAMMAMANAGER, programma=ander).gebruiker


def test_the_manager_sees_the_overdue_obligations_longest_overdue_first(manager, programma, stand):
    rijen = achterstallige_verplichtingen(manager, programma)
    assert [
        (r.project_code, r.soort_label, r.periode, r.deadline, r.dagen_te_laat, r.penvoerder)
        for r in rijen
    ] == [
        (
            "keukentafel",
            "Voortgangsrapportage",
            "2025-K1",
            date(2025, 5, 12),
            100,
            "Stichting Doras",
        ),
        ("keukentafel", "Voortgangsrapportage", "2025-K2", date(2025, 8, 11), 9, "Stichting Doras"),
    ]
    assert rijen[0].project_id == stand.pk


def test_counts_per_status_treat_a_passed_open_deadline_as_overdue(manager, programma, stand):
    assert verplichtingen_per_status(manager, programma) == Statustelling(
        open=6, te_laat=2, voldaan=1
    )


def test_flagged_projects_come_with_their_reasons_most_serious_first(manager, programma, signalen):
    (gesignaleerd,) = gesignaleerde_projecten(manager, programma)
    assert (gesignaleerd.project_code, gesignaleerd.penvoerder, gesignaleerd.ernst) == (
        "keukentafel",
        "Stichting Doras",
        2,
    )
    assert [(s.soort_label, s.indicator, s.ernst) for s in gesignaleerd.signalen] == [
        ("Indicator loopt achter op de streefwaarde", "Huishoudens geholpen", 2),
        ("Bestedingstempo wijkt af van de verstreken tijd", None, 1),
    ]
    assert gesignaleerd.signalen[1].reden.startswith("Besteed 20% van de begroting")


def test_projects_are_ordered_by_their_most_serious_signal(manager, programma, signalen):
    licht = ProjectFactory(programma=programma, code="aa-licht")
    Signaal.objects.create(project=licht, soort="bestedingstempo", ernst=1, reden="Licht.")
    ernstig = ProjectFactory(programma=programma, code="zz-ernstig")
    Signaal.objects.create(project=ernstig, soort="bestedingstempo", ernst=2, reden="Ernstig.")
    assert [p.project_code for p in gesignaleerde_projecten(manager, programma)] == [
        "keukentafel",
        "zz-ernstig",
        "aa-licht",
    ]


def test_a_manager_of_another_programme_sees_nothing_of_this_one(
    andere_manager, programma, signalen
):
    assert achterstallige_verplichtingen(andere_manager, programma) == []
    assert verplichtingen_per_status(andere_manager, programma) == Statustelling()
    assert gesignaleerde_projecten(andere_manager, programma) == []
    leeg = dashboard(andere_manager, programma)
    assert (leeg.per_status, leeg.achterstallig, leeg.gesignaleerd) == (Statustelling(), [], [])


def test_a_manager_does_not_see_another_programmes_obligations_in_their_own(
    manager, programma, stand, andere_manager
):
    assert {r.project_code for r in achterstallige_verplichtingen(manager, programma)} == {
        "keukentafel"
    }
    assert achterstand_per_programma(manager) == [(programma, 2)]


def test_a_partner_sees_no_dashboard_even_of_a_programme_it_works_in(
    partner_medewerker, programma, signalen
):
    assert dashboard(partner_medewerker, programma).achterstallig == []
    assert gesignaleerde_projecten(partner_medewerker, programma) == []
    assert achterstand_per_programma(partner_medewerker) == []


def test_ministry_staff_and_administrators_see_it(programma, signalen, beheerder, andere_manager):
    ministerie = RolFactory(soort=Rol.Soort.MINISTERIE, programma=programma).gebruiker
    assert len(dashboard(ministerie, programma).achterstallig) == 2
    assert len(dashboard(beheerder, programma).gesignaleerd) == 1
    assert [(p.code, n) for p, n in achterstand_per_programma(beheerder)] == [
        ("ander", 2),
        ("nplv", 2),
    ]


def test_projects_that_owe_no_reports_are_left_out(manager, programma, signalen):
    Project.objects.filter(pk=signalen.pk).update(status=Project.Status.GESTOPT)
    overzicht = dashboard(manager, programma)
    assert (overzicht.per_status, overzicht.achterstallig, overzicht.gesignaleerd) == (
        Statustelling(),
        [],
        [],
    )


def test_the_dashboard_costs_the_same_few_queries_however_many_projects(
    manager, programma, signalen, actor, vandaag, django_assert_num_queries
):
    with django_assert_num_queries(5):
        klein = dashboard(manager, programma)

    vandaag(date(2025, 3, 15))
    for i in range(8):
        extra = ProjectFactory(
            programma=programma,
            code=f"extra-{i}",
            penvoerder=OrganisatieFactory(),
            startdatum=date(2025, 1, 1),
        )
        services.verplichtingen_afleiden(actor=actor, project=extra)
        IndicatorFactory(doel__project=extra)
        Signaal.objects.create(project=extra, soort="bestedingstempo", ernst=1, reden="Extra.")
    vandaag(VANDAAG)
    with django_assert_num_queries(5):
        groot = dashboard(manager, programma)
    assert len(groot.achterstallig) == len(klein.achterstallig) + 16
    assert len(groot.gesignaleerd) == 9


@pytest.mark.parametrize(
    "selector",
    [achterstallige_verplichtingen, verplichtingen_per_status, gesignaleerde_projecten],
)
def test_each_selector_costs_two_queries(
    manager, programma, signalen, selector, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the administrator check, then the data
        selector(manager, programma)
