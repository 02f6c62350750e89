"""Retention (Awb 4:69): the records of a project with grants are kept until seven years after
the last of its grants was settled, and the admin will not delete them (not directly, not
in bulk, not through a cascade) before then; ``manage.py bewaartermijn`` lists what has
passed its term. The audit trail cannot be deleted from the admin at all."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from programma.audit import Actor
from programma.models import Auditregel
from projecten import services
from projecten.bewaartermijn import ONBEPAALD, bewaren_tot, jaren_later, weigering
from projecten.models import Beschikking, Besteding, Meting, Project
from tests.projecten.factories import (
    BeschikkingFactory,
    BestedingFactory,
    MetingFactory,
    ProjectFactory,
    TrancheFactory,
)

pytestmark = pytest.mark.django_db

SYSTEEM = Actor.systeem("tests")


def vaststellen(beschikking: Beschikking, op: date) -> None:
    services.beschikking_status_wijzigen(
        actor=SYSTEEM,
        beschikking=beschikking,
        status=Beschikking.Status.VASTGESTELD,
        datum=op,
        bedrag_vastgesteld=Decimal("90000.00"),
    )


@pytest.fixture
def beheer(beheerder) -> Client:
    client = Client()
    client.force_login(beheerder)
    return client


def test_a_project_without_grants_has_no_term(project: Project) -> None:
    assert bewaren_tot(project.pk) is None
    assert weigering(project) is None


def test_an_open_grant_keeps_everything_without_an_end_date(project: Project) -> None:
    BeschikkingFactory(project=project, status=Beschikking.Status.AANGEVRAAGD)
    assert bewaren_tot(project.pk) == ONBEPAALD
    meting = MetingFactory(indicator__doel__project=project)
    assert "nog niet is vastgesteld" in str(weigering(meting))


def test_the_term_ends_seven_years_after_the_latest_settlement(project: Project) -> None:
    vaststellen(BeschikkingFactory(project=project), date(2026, 3, 31))
    laatste = BeschikkingFactory(project=project)
    assert bewaren_tot(project.pk) == ONBEPAALD  # the second is still open
    vaststellen(laatste, date(2027, 1, 15))
    assert bewaren_tot(project.pk) == date(2034, 1, 15)
    tranche = TrancheFactory(beschikking=laatste)
    assert weigering(tranche, vandaag=date(2034, 1, 14)) == (
        "Dit wordt bewaard tot 15-01-2034: 7 jaar na de vaststelling van de beschikkingen (Awb 4:69)."
    )
    assert weigering(tranche, vandaag=date(2034, 1, 15)) is None


def test_a_withdrawn_grant_counts_from_its_withdrawal_in_the_audit_trail(
    project: Project, vandaag
) -> None:
    beschikking = BeschikkingFactory(project=project)
    services.beschikking_status_wijzigen(
        actor=SYSTEEM, beschikking=beschikking, status=Beschikking.Status.INGETROKKEN
    )
    regel = Auditregel.objects.get(actie="beschikking_status_wijzigen")
    assert bewaren_tot(project.pk) == jaren_later(regel.tijdstip.date(), 7)


def test_a_withdrawal_the_audit_trail_does_not_show_keeps_the_records(project: Project) -> None:
    BeschikkingFactory(project=project, status=Beschikking.Status.INGETROKKEN)
    assert bewaren_tot(project.pk) == ONBEPAALD


def test_29_february_ends_on_28_february() -> None:
    assert jaren_later(date(2028, 2, 29), 7) == date(2035, 2, 28)


# --- the admin ------------------------------------------------------------------------------


def test_the_admin_refuses_to_delete_an_expenditure_within_its_term(
    beheer: Client, project: Project, vandaag
) -> None:
    beschikking = BeschikkingFactory(project=project)
    besteding = BestedingFactory(project=project, beschikking=beschikking)
    url = reverse("admin:projecten_besteding_delete", args=[besteding.pk])
    assert beheer.get(url).status_code == 403
    assert beheer.post(url, {"post": "yes"}).status_code == 403

    vaststellen(beschikking, date(2026, 12, 1))
    vandaag(date(2033, 11, 30))
    assert beheer.post(url, {"post": "yes"}).status_code == 403
    assert Besteding.objects.filter(pk=besteding.pk).exists()

    vandaag(date(2033, 12, 1))
    assert beheer.get(url).status_code == 200
    assert beheer.post(url, {"post": "yes"}).status_code == 302
    assert not Besteding.objects.filter(pk=besteding.pk).exists()


def test_the_admin_refuses_a_bulk_delete_of_measurements_within_their_term(
    beheer: Client, project: Project
) -> None:
    BeschikkingFactory(project=project)
    metingen = [
        MetingFactory(indicator__doel__project=project, periode=p) for p in ("2025-K1", "2025-K2")
    ]
    antwoord = beheer.post(
        reverse("admin:projecten_meting_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [m.pk for m in metingen],
            "post": "yes",
        },
    )
    assert antwoord.status_code == 403
    assert Meting.objects.count() == 2


def test_the_admin_refuses_to_delete_a_project_or_its_goal_within_its_term(
    beheer: Client, project: Project, indicator
) -> None:
    BeschikkingFactory(project=project)
    for url in (
        reverse("admin:projecten_project_delete", args=[project.pk]),
        reverse("admin:projecten_doel_delete", args=[indicator.doel.pk]),
        reverse("admin:projecten_indicator_delete", args=[indicator.pk]),
    ):
        assert beheer.post(url, {"post": "yes"}).status_code == 403, url
    assert Project.objects.filter(pk=project.pk).exists()
    assert indicator.__class__.objects.filter(pk=indicator.pk).exists()


def test_the_admin_still_deletes_what_no_grant_needs(beheer: Client) -> None:
    zonder = ProjectFactory(status=Project.Status.CONCEPT)
    url = reverse("admin:projecten_project_delete", args=[zonder.pk])
    assert beheer.get(url).status_code == 200


def test_the_audit_trail_cannot_be_deleted_from_the_admin(beheer: Client, project: Project) -> None:
    services.project_status_wijzigen(actor=SYSTEEM, project=project, status=Project.Status.AFGEROND)
    regel = Auditregel.objects.get()
    assert (
        beheer.post(
            reverse("admin:programma_auditregel_delete", args=[regel.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    lijst = beheer.get(reverse("admin:programma_auditregel_changelist"))
    assert lijst.status_code == 200
    assert b"delete_selected" not in lijst.content
    antwoord = beheer.post(
        reverse("admin:programma_auditregel_changelist"),
        {"action": "delete_selected", "_selected_action": [regel.pk], "post": "yes"},
    )
    assert antwoord.status_code == 200  # no such action here: the list again
    assert Auditregel.objects.filter(pk=regel.pk).exists()


# --- the command ----------------------------------------------------------------------------


def test_the_command_lists_only_projects_whose_term_has_passed(project: Project) -> None:
    vaststellen(BeschikkingFactory(project=project), date(2025, 12, 31))
    ander = ProjectFactory(programma=project.programma, code="open")
    BeschikkingFactory(project=ander)
    ProjectFactory(programma=project.programma, code="zonder-beschikking")

    uit = StringIO()
    call_command("bewaartermijn", "--peildatum", "2032-12-30", stdout=uit)
    assert "Geen projecten" in uit.getvalue()

    uit = StringIO()
    call_command("bewaartermijn", "--peildatum", "2032-12-31", stdout=uit)
    regels = uit.getvalue().splitlines()
    assert regels[0].split("\t")[:2] == [project.programma.code, "keukentafel"]
    assert regels[0].endswith("sinds 2032-12-31")
    assert regels[-1] == "1 project(en) waarvan de bewaartermijn voorbij is."
    assert Project.objects.count() == 3  # nothing deleted


def test_the_grant_page_in_the_admin_offers_no_delete_for_its_tranches_within_the_term(
    beheer: Client, project: Project, vandaag
) -> None:
    beschikking = BeschikkingFactory(project=project)
    TrancheFactory(beschikking=beschikking, volgnummer=1)
    url = reverse("admin:projecten_beschikking_change", args=[beschikking.pk])
    pagina = beheer.get(url)
    assert pagina.status_code == 200
    assert b"-0-DELETE" not in pagina.content

    vaststellen(beschikking, date(2026, 12, 1))
    vandaag(date(2033, 12, 1))
    assert b"-0-DELETE" in beheer.get(url).content
