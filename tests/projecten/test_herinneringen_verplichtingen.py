"""Obligations over time: past their deadline they become overdue; financial and final
reports are fulfilled by their rules; nothing fulfilled ever reopens."""

from datetime import date
from decimal import Decimal

import pytest

from programma.models import Auditregel
from projecten import services
from projecten.models import Beoordeling, Project, Rapportageverplichting
from projecten.verplichtingen import verplichtingen_bijwerken
from tests.projecten.factories import (
    BestedingFactory,
    ProjectFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_met_verplichtingen(actor, project, vandaag):
    """The shared project (15-03-2025 .. 30-06-2026, quarterly, 42 days) with its
    obligations derived on its first day, so all are open."""
    vandaag(date(2025, 3, 15))
    services.verplichtingen_afleiden(actor=actor, project=project)
    return project


def statussen(project) -> dict[tuple[str, str], str]:
    return {
        (soort, periode): status
        for soort, periode, status in Rapportageverplichting.objects.filter(
            project=project
        ).values_list("soort", "periode", "status")
    }


def goedgekeurd(project, periode: str, bedrag: str = "1000.00", **velden):
    return BestedingFactory(
        project=project,
        periode=periode,
        bedrag=Decimal(bedrag),
        status=velden.pop("status", Beoordeling.GOEDGEKEURD),
        **velden,
    )


# --- overdue -------------------------------------------------------------------------------


def test_open_obligations_whose_deadline_has_passed_become_overdue(
    project_met_verplichtingen, vandaag
):
    vandaag(date(2025, 8, 12))
    assert verplichtingen_bijwerken() == {"voldaan": 0, "te_laat": 2}
    status = statussen(project_met_verplichtingen)
    assert status[("voortgang", "2025-K1")] == "te_laat"  # deadline 12-05-2025
    assert status[("voortgang", "2025-K2")] == "te_laat"  # deadline 11-08-2025
    assert status[("voortgang", "2025-K3")] == "open"  # deadline 11-11-2025
    assert list(status.values()).count("te_laat") == 2


def test_an_obligation_is_not_overdue_on_its_deadline_day(project_met_verplichtingen, vandaag):
    vandaag(date(2025, 5, 12))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("voortgang", "2025-K1")] == "open"
    vandaag(date(2025, 5, 13))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("voortgang", "2025-K1")] == "te_laat"


def test_each_obligation_turned_overdue_has_one_audit_row_with_before_and_after(
    project_met_verplichtingen, vandaag
):
    vandaag(date(2025, 8, 12))
    verplichtingen_bijwerken()
    regels = Auditregel.objects.filter(actie="verplichting_te_laat").order_by("object_id")
    verwacht = Rapportageverplichting.objects.filter(
        project=project_met_verplichtingen, status="te_laat"
    ).order_by("pk")
    assert [r.object_id for r in regels] == [str(v.pk) for v in verwacht]
    assert {(r.voor["status"], r.na["status"], r.namens) for r in regels} == {
        ("open", "te_laat", "taak verplichtingen_bijwerken")
    }


def test_running_the_task_twice_changes_and_audits_nothing_more(
    project_met_verplichtingen, vandaag
):
    vandaag(date(2025, 8, 12))
    verplichtingen_bijwerken()
    audit = Auditregel.objects.count()
    assert verplichtingen_bijwerken() == {"voldaan": 0, "te_laat": 0}
    assert Auditregel.objects.count() == audit


def test_a_fulfilled_obligation_never_becomes_overdue(
    project_met_verplichtingen, partner_actor, penvoerder, vandaag
):
    vandaag(date(2025, 5, 1))
    services.voortgangsverslag_indienen(
        actor=partner_actor,
        project=project_met_verplichtingen,
        periode="2025-K1",
        samenvatting="Veertig huishoudens bereikt.",
        organisatie=penvoerder,
    )
    vandaag(date(2025, 12, 1))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("voortgang", "2025-K1")] == "voldaan"


def test_the_task_for_one_project_leaves_other_projects_alone(
    actor, project_met_verplichtingen, programma, vandaag
):
    ander = ProjectFactory(programma=programma, startdatum=date(2025, 1, 1))
    services.verplichtingen_afleiden(actor=actor, project=ander)
    vandaag(date(2025, 8, 12))
    assert verplichtingen_bijwerken(ander.pk) == {"voldaan": 0, "te_laat": 2}
    assert "te_laat" not in statussen(project_met_verplichtingen).values()


# --- financial reports -------------------------------------------------------------------


def test_financial_report_is_fulfilled_when_every_quarter_of_the_year_has_approved_spending(
    project_met_verplichtingen, vandaag
):
    for kwartaal in ("2025-K1", "2025-K2", "2025-K3", "2025-K4"):
        goedgekeurd(project_met_verplichtingen, kwartaal)
    vandaag(date(2026, 1, 10))
    assert verplichtingen_bijwerken()["voldaan"] == 1
    verplichting = Rapportageverplichting.objects.get(
        project=project_met_verplichtingen, soort="financieel", periode="2025"
    )
    assert verplichting.status == "voldaan" and verplichting.voldaan_op is not None
    regel = Auditregel.objects.get(actie="verplichting_voldaan")
    assert (regel.object_id, regel.voor["status"], regel.na["status"]) == (
        str(verplichting.pk),
        "open",
        "voldaan",
    )
    assert statussen(project_met_verplichtingen)[("financieel", "2026")] == "open"


@pytest.mark.parametrize(
    "uitgaven",
    [
        pytest.param([("2025", "goedgekeurd")], id="one yearly expenditure covers every quarter"),
        pytest.param(
            [("2025-03", "goedgekeurd"), ("2025-H2", "goedgekeurd"), ("2025-05", "goedgekeurd")],
            id="months and half years cover the quarters they overlap",
        ),
    ],
)
def test_expenditures_over_any_period_cover_the_quarters_they_overlap(
    project_met_verplichtingen, vandaag, uitgaven
):
    for periode, status in uitgaven:
        goedgekeurd(project_met_verplichtingen, periode, status=status)
    vandaag(date(2026, 1, 10))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("financieel", "2025")] == "voldaan"


@pytest.mark.parametrize(
    "uitgaven",
    [
        pytest.param(
            [("2025-K1", "goedgekeurd"), ("2025-K2", "goedgekeurd"), ("2025-K4", "goedgekeurd")],
            id="a quarter without spending",
        ),
        pytest.param(
            [("2025", "goedgekeurd"), ("2025-K3", "ingediend")],
            id="an expenditure still awaiting review",
        ),
        pytest.param(
            [("2025", "goedgekeurd"), ("2025-K2", "teruggestuurd")],
            id="an expenditure returned for correction",
        ),
        pytest.param([("2026", "goedgekeurd")], id="only spending of another year"),
    ],
)
def test_financial_report_stays_open_while_the_year_is_incomplete(
    project_met_verplichtingen, vandaag, uitgaven
):
    for periode, status in uitgaven:
        goedgekeurd(project_met_verplichtingen, periode, status=status)
    vandaag(date(2026, 1, 10))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("financieel", "2025")] == "open"


def test_a_quarter_without_costs_is_declared_with_a_zero_expenditure(
    project_met_verplichtingen, vandaag
):
    for kwartaal in ("2025-K1", "2025-K2", "2025-K4"):
        goedgekeurd(project_met_verplichtingen, kwartaal)
    goedgekeurd(project_met_verplichtingen, "2025-K3", bedrag="0.00")
    vandaag(date(2026, 1, 10))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("financieel", "2025")] == "voldaan"


def test_financial_report_is_not_fulfilled_before_the_year_is_over(
    project_met_verplichtingen, vandaag
):
    goedgekeurd(project_met_verplichtingen, "2025")
    vandaag(date(2025, 12, 31))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("financieel", "2025")] == "open"
    vandaag(date(2026, 1, 1))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("financieel", "2025")] == "voldaan"


def test_in_the_last_year_only_the_quarters_up_to_the_project_end_count(
    project_met_verplichtingen, vandaag
):
    goedgekeurd(project_met_verplichtingen, "2026-K1")
    goedgekeurd(project_met_verplichtingen, "2026-K2")
    vandaag(date(2026, 6, 30))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("financieel", "2026")] == "open"
    vandaag(date(2026, 7, 1))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("financieel", "2026")] == "voldaan"


def test_an_overdue_financial_report_is_fulfilled_late(project_met_verplichtingen, vandaag):
    vandaag(date(2026, 4, 2))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("financieel", "2025")] == "te_laat"
    goedgekeurd(project_met_verplichtingen, "2025")
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("financieel", "2025")] == "voldaan"
    regel = Auditregel.objects.filter(actie="verplichting_voldaan").get()
    assert (regel.voor["status"], regel.na["status"]) == ("te_laat", "voldaan")


def test_a_fulfilled_financial_report_stays_fulfilled_when_new_spending_comes_in(
    project_met_verplichtingen, vandaag
):
    goedgekeurd(project_met_verplichtingen, "2025")
    vandaag(date(2026, 1, 10))
    verplichtingen_bijwerken()
    financieel = Rapportageverplichting.objects.get(
        project=project_met_verplichtingen, soort="financieel", periode="2025"
    )
    sporen = Auditregel.objects.filter(
        objecttype="projecten.rapportageverplichting", object_id=str(financieel.pk)
    )
    assert sporen.count() == 2  # derived, fulfilled

    goedgekeurd(project_met_verplichtingen, "2025-K4", status=Beoordeling.INGEDIEND)
    vandaag(date(2026, 5, 1))  # past its deadline of 01-04-2026
    verplichtingen_bijwerken()
    financieel.refresh_from_db()
    assert financieel.status == "voldaan"
    assert sporen.count() == 2


def test_a_stopped_project_is_not_fulfilled_by_the_task(project_met_verplichtingen, vandaag):
    Project.objects.filter(pk=project_met_verplichtingen.pk).update(status="gestopt")
    goedgekeurd(project_met_verplichtingen, "2025")
    vandaag(date(2026, 1, 10))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("financieel", "2025")] == "open"


# --- final reports -------------------------------------------------------------------------


def eindverslag(project, periode="2026-K2", status=Beoordeling.GOEDGEKEURD):
    return VoortgangsverslagFactory(project=project, periode=periode, status=status)


def afronden(project) -> None:
    Project.objects.filter(pk=project.pk).update(status=Project.Status.AFGEROND)


def test_final_report_is_fulfilled_when_the_project_is_completed_and_its_last_narrative_approved(
    project_met_verplichtingen, vandaag
):
    eindverslag(project_met_verplichtingen)
    afronden(project_met_verplichtingen)
    vandaag(date(2026, 8, 1))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("eind", "2026")] == "voldaan"


@pytest.mark.parametrize(
    ("afgerond", "periode", "status"),
    [
        pytest.param(False, "2026-K2", "goedgekeurd", id="project still running"),
        pytest.param(True, "2026-K2", "ingediend", id="last narrative not yet approved"),
        pytest.param(True, "2026-K1", "goedgekeurd", id="only an earlier narrative approved"),
    ],
)
def test_final_report_stays_open_otherwise(
    project_met_verplichtingen, vandaag, afgerond, periode, status
):
    eindverslag(project_met_verplichtingen, periode=periode, status=status)
    if afgerond:
        afronden(project_met_verplichtingen)
    vandaag(date(2026, 8, 1))
    verplichtingen_bijwerken()
    assert statussen(project_met_verplichtingen)[("eind", "2026")] == "open"
