"""Tranches that release themselves: when the condition of a planned tranche is met (an
approved narrative over its period, or approved measurements for every indicator over
it), it is released with the condition as reason and the moment recorded, and the
programme managers are e-mailed. Never before, never twice, never for a tranche
without a condition."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf

from programma.audit import Actor
from programma.models import Auditregel, Rol
from projecten import services, tasks
from projecten.models import Beschikking, Project, Tranche
from tests.programma.factories import RolFactory
from tests.projecten.factories import (
    BeschikkingFactory,
    IndicatorFactory,
    MetingFactory,
    TrancheFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db

SYSTEEM = Actor.systeem("tests")
VERSLAG = Tranche.Voorwaarde.VERSLAG_GOEDGEKEURD
METINGEN = Tranche.Voorwaarde.METINGEN_GOEDGEKEURD


@pytest.fixture
def beschikking(project) -> Beschikking:
    return BeschikkingFactory(project=project, kenmerk="VRO-2025-00042")


@pytest.fixture
def tranche(beschikking) -> Tranche:
    """The second tranche waits for an approved narrative over 2025-K2."""
    return TrancheFactory(
        beschikking=beschikking, volgnummer=2, voorwaarde=VERSLAG, voorwaarde_periode="2025-K2"
    )


@pytest.fixture
def taken_synchroon(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)


def vrijgegeven(tranche: Tranche) -> bool:
    return Tranche.objects.get(pk=tranche.pk).status == Tranche.Status.VRIJGEGEVEN


def goedgekeurd(**velden):
    return {"status": "goedgekeurd", "beoordeeld_op": timezone.now(), **velden}


def test_an_approved_narrative_releases_its_tranche_with_the_condition_as_reason(
    actor, project, tranche
):
    verslag = VoortgangsverslagFactory(project=project, periode="2025-K2")
    assert services.tranches_controleren(actor=SYSTEEM, project=project) == []
    assert not vrijgegeven(tranche)

    services.voortgangsverslag_beoordelen(actor=actor, verslag=verslag, besluit="goedgekeurd")
    voor = timezone.now()
    [vrij] = services.tranches_controleren(actor=SYSTEEM, project=project)

    tranche.refresh_from_db()
    assert vrij.pk == tranche.pk and tranche.status == Tranche.Status.VRIJGEGEVEN
    assert tranche.vrijgave_reden == (
        "Voorwaarde vervuld: goedgekeurd voortgangsverslag over de periode 2025-K2."
    )
    assert voor <= tranche.vrijgegeven_op <= timezone.now()
    regel = Auditregel.objects.get(actie="tranche_vrijgeven")
    assert (regel.namens, regel.voor["status"], regel.na["status"]) == (
        "tests",
        "gepland",
        "vrijgegeven",
    )


def test_a_returned_narrative_or_one_over_another_period_releases_nothing(project, tranche):
    VoortgangsverslagFactory(project=project, periode="2025-K2", status="teruggestuurd")
    VoortgangsverslagFactory(project=project, periode="2025-K3", **goedgekeurd())
    assert services.tranches_controleren(actor=SYSTEEM, project=project) == []
    assert not vrijgegeven(tranche)


def test_measurements_release_a_tranche_only_when_every_indicator_is_approved(
    project, indicator, beschikking
):
    tweede = IndicatorFactory(doel=indicator.doel)
    tranche = TrancheFactory(
        beschikking=beschikking, voorwaarde=METINGEN, voorwaarde_periode="2025-K3"
    )
    MetingFactory(indicator=indicator, periode="2025-K3", **goedgekeurd())
    MetingFactory(indicator=tweede, periode="2025-K3")  # submitted, not yet approved
    assert services.tranches_controleren(actor=SYSTEEM, project=project) == []

    MetingFactory._meta.model.objects.filter(indicator=tweede).update(**goedgekeurd())
    assert len(services.tranches_controleren(actor=SYSTEEM, project=project)) == 1
    tranche.refresh_from_db()
    assert tranche.vrijgave_reden == (
        "Voorwaarde vervuld: goedgekeurde metingen voor alle indicatoren over de periode 2025-K3."
    )


def test_for_a_year_condition_finer_measurements_must_cover_every_part_of_it(
    project, indicator, beschikking
):
    """The project runs from 15 March 2025: for 2025 each indicator needs approved
    figures over all of 15 March–31 December, by quarter, by month or for the year."""
    per_maand = IndicatorFactory(doel=indicator.doel)
    per_jaar = IndicatorFactory(doel=indicator.doel)
    tranche = TrancheFactory(
        beschikking=beschikking, voorwaarde=METINGEN, voorwaarde_periode="2025"
    )
    for kwartaal in ("2025-K1", "2025-K2", "2025-K4"):
        MetingFactory(indicator=indicator, periode=kwartaal, **goedgekeurd())
    for maand in range(3, 13):
        MetingFactory(indicator=per_maand, periode=f"2025-{maand:02d}", **goedgekeurd())
    MetingFactory(indicator=per_jaar, periode="2025", **goedgekeurd())
    assert services.tranches_controleren(actor=SYSTEEM, project=project) == []  # K3 missing

    MetingFactory(indicator=indicator, periode="2025-K3", **goedgekeurd())
    assert [t.pk for t in services.tranches_controleren(actor=SYSTEEM, project=project)] == [
        tranche.pk
    ]


def test_a_coarser_measurement_does_not_count_for_a_finer_period(project, indicator, beschikking):
    tranche = TrancheFactory(
        beschikking=beschikking, voorwaarde=METINGEN, voorwaarde_periode="2025-K2"
    )
    MetingFactory(indicator=indicator, periode="2025", **goedgekeurd())
    MetingFactory(indicator=indicator, periode="2025-H1", **goedgekeurd())
    assert services.tranches_controleren(actor=SYSTEEM, project=project) == []
    assert not vrijgegeven(tranche)


def test_a_project_without_indicators_meets_no_measurement_condition(project, beschikking):
    TrancheFactory(beschikking=beschikking, voorwaarde=METINGEN, voorwaarde_periode="2025-K2")
    assert services.tranches_controleren(actor=SYSTEEM, project=project) == []


@pytest.mark.parametrize(
    "geval", ["zonder-voorwaarde", "beschikking-aangevraagd", "project-gestopt", "al-betaald"]
)
def test_what_is_never_released_automatically(project, beschikking, geval):
    VoortgangsverslagFactory(project=project, periode="2025-K2", **goedgekeurd())
    tranche = TrancheFactory(
        beschikking=beschikking,
        voorwaarde=Tranche.Voorwaarde.GEEN if geval == "zonder-voorwaarde" else VERSLAG,
        voorwaarde_periode="" if geval == "zonder-voorwaarde" else "2025-K2",
    )
    if geval == "beschikking-aangevraagd":
        Beschikking.objects.filter(pk=beschikking.pk).update(status="aangevraagd")
    if geval == "project-gestopt":
        Project.objects.filter(pk=project.pk).update(status="gestopt")
    if geval == "al-betaald":
        Tranche.objects.filter(pk=tranche.pk).update(status="betaald", betaald_op=date(2025, 7, 1))
    voor = Tranche.objects.get(pk=tranche.pk).status
    assert services.tranches_controleren(actor=SYSTEEM, project=project) == []
    assert Tranche.objects.get(pk=tranche.pk).status == voor
    assert not Auditregel.objects.exists()


def test_checking_twice_releases_once_and_the_managers_are_emailed_once(
    project, tranche, manager, django_capture_on_commit_callbacks, taken_synchroon
):
    tweede_manager = RolFactory(
        soort=Rol.Soort.PROGRAMMAMANAGER, programma=project.programma
    ).gebruiker
    RolFactory(soort=Rol.Soort.PROGRAMMAMANAGER)  # of another programme: hears nothing
    VoortgangsverslagFactory(project=project, periode="2025-K2", **goedgekeurd())

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.tranches_controleren(project.pk) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.tranches_controleren(project.pk) == 0
    assert tasks.tranchevrijgave_melden([tranche.pk]) == 0  # the queue delivers twice

    assert Auditregel.objects.filter(actie="tranche_vrijgeven").count() == 1
    assert Auditregel.objects.filter(actie="tranchevrijgave_gemeld").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([manager.email, tweede_manager.email])
    bericht = mail.outbox[0]
    assert bericht.subject == "Ontschot: tranche 2 van VRO-2025-00042 is vrijgegeven"
    assert "Tranche 2 van beschikking VRO-2025-00042: € 25.000,00" in bericht.body
    assert "goedgekeurd voortgangsverslag over de periode 2025-K2" in bericht.body
    assert "<caption" in bericht.alternatives[0][0]


def test_approving_in_the_web_ui_releases_the_tranche_and_tells_partner_and_managers(
    client,
    manager,
    project,
    tranche,
    penvoerder,
    partner_medewerker,
    django_capture_on_commit_callbacks,
    taken_synchroon,
):
    verslag = VoortgangsverslagFactory(
        project=project,
        periode="2025-K2",
        ingediend_door_organisatie=penvoerder,
        ingediend_door=partner_medewerker,
    )
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projecten:beoordelen"),
            {"inzendingen": [f"verslag:{verslag.pk}"], "besluit": "goedgekeurd"},
        )
    assert response.status_code == 302
    assert vrijgegeven(tranche)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([partner_medewerker.email, manager.email])
    assert Tranche.objects.get(pk=tranche.pk).vrijgave_reden.startswith("Voorwaarde vervuld")


def test_the_task_for_a_vanished_project_does_nothing():
    assert tasks.tranches_controleren(987654) == 0


@pytest.mark.django_db(transaction=True)
def test_two_checks_at_the_same_moment_release_once(project, tranche):
    """Two workers run the check for the same project at once: the planned tranches are
    locked, so one releases and the other finds nothing planned."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; row locks need PostgreSQL")
    VoortgangsverslagFactory(project=project, periode="2025-K2", **goedgekeurd())
    start = threading.Barrier(2)
    uitkomsten: list[int] = []

    def controleer() -> None:
        try:
            start.wait()
            uitkomsten.append(len(services.tranches_controleren(actor=SYSTEEM, project=project)))
        finally:
            connection.close()

    draden = [threading.Thread(target=controleer) for _ in range(2)]
    for draad in draden:
        draad.start()
    for draad in draden:
        draad.join()
    assert sorted(uitkomsten) == [0, 1]
    assert Auditregel.objects.filter(actie="tranche_vrijgeven").count() == 1
    assert Tranche.objects.get(pk=tranche.pk).bedrag == Decimal("25000.00")
