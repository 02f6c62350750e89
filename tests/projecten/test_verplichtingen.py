"""Reporting obligations follow from the project period and frequency; a progress report
fulfils the obligation for its period."""

from datetime import date

import pytest

from programma.models import Auditregel
from projecten import services
from projecten.models import Rapportageverplichting, Voortgangsverslag

pytestmark = pytest.mark.django_db

# The project runs 15-03-2025 .. 30-06-2026, reports per quarter, 42 days after each quarter.
VERWACHT = [
    ("voortgang", "2025-K1", date(2025, 5, 12), "te_laat"),
    ("voortgang", "2025-K2", date(2025, 8, 11), "te_laat"),
    ("voortgang", "2025-K3", date(2025, 11, 11), "te_laat"),
    ("voortgang", "2025-K4", date(2026, 2, 11), "open"),
    ("financieel", "2025", date(2026, 4, 1), "open"),
    ("voortgang", "2026-K1", date(2026, 5, 12), "open"),
    ("voortgang", "2026-K2", date(2026, 8, 11), "open"),
    ("eind", "2026", date(2026, 9, 28), "open"),
    ("financieel", "2026", date(2027, 4, 1), "open"),
]


def rijen(project):
    return list(
        Rapportageverplichting.objects.filter(project=project)
        .order_by("deadline", "soort")
        .values_list("soort", "periode", "deadline", "status")
    )


@pytest.fixture
def afgeleid(actor, project, vandaag):
    vandaag(date(2025, 12, 1))
    services.verplichtingen_afleiden(actor=actor, project=project)
    return project


def test_quarterly_project_owes_progress_per_quarter_finances_per_year_and_one_final_report(
    afgeleid,
):
    assert rijen(afgeleid) == VERWACHT


def test_deriving_obligations_is_audited_per_obligation(afgeleid):
    assert Auditregel.objects.filter(actie="verplichting_afleiden").count() == len(VERWACHT)


def test_deriving_twice_gives_the_same_rows_and_writes_nothing(actor, afgeleid):
    ids = set(Rapportageverplichting.objects.values_list("pk", flat=True))
    audit = Auditregel.objects.count()
    services.verplichtingen_afleiden(actor=actor, project=afgeleid)
    assert set(Rapportageverplichting.objects.values_list("pk", flat=True)) == ids
    assert rijen(afgeleid) == VERWACHT
    assert Auditregel.objects.count() == audit


def test_registering_a_project_derives_its_obligations(actor, programma, penvoerder, vandaag):
    vandaag(date(2025, 1, 1))
    project = services.project_aanmaken(
        actor=actor,
        programma=programma,
        code="halfjaar",
        titel="Halfjaarlijks",
        penvoerder=penvoerder,
        startdatum=date(2025, 1, 1),
        einddatum=date(2026, 12, 31),
        rapportagefrequentie="halfjaar",
        rapportagetermijn_dagen=30,
    )
    assert rijen(project) == [
        ("voortgang", "2025-H1", date(2025, 7, 30), "open"),
        ("voortgang", "2025-H2", date(2026, 1, 30), "open"),
        ("financieel", "2025", date(2026, 4, 1), "open"),
        ("voortgang", "2026-H1", date(2026, 7, 30), "open"),
        ("voortgang", "2026-H2", date(2027, 1, 30), "open"),
        ("eind", "2026", date(2027, 3, 31), "open"),
        ("financieel", "2026", date(2027, 4, 1), "open"),
    ]


def test_shortening_a_project_drops_open_obligations_but_keeps_fulfilled_ones(actor, afgeleid):
    Rapportageverplichting.objects.filter(project=afgeleid, periode="2026-K1").update(
        status="voldaan"
    )
    services.project_wijzigen(actor=actor, project=afgeleid, einddatum=date(2025, 12, 31))
    assert rijen(afgeleid) == [
        ("voortgang", "2025-K1", date(2025, 5, 12), "te_laat"),
        ("voortgang", "2025-K2", date(2025, 8, 11), "te_laat"),
        ("voortgang", "2025-K3", date(2025, 11, 11), "te_laat"),
        ("voortgang", "2025-K4", date(2026, 2, 11), "open"),
        ("eind", "2025", date(2026, 3, 31), "open"),
        ("financieel", "2025", date(2026, 4, 1), "open"),
        ("voortgang", "2026-K1", date(2026, 5, 12), "voldaan"),
    ]
    vervallen = Auditregel.objects.filter(actie="verplichting_vervallen")
    assert sorted(r.voor["periode"] for r in vervallen) == ["2026", "2026", "2026-K2"]


def test_a_longer_reporting_term_reopens_an_overdue_obligation(actor, afgeleid):
    services.project_wijzigen(actor=actor, project=afgeleid, rapportagetermijn_dagen=300)
    k1 = Rapportageverplichting.objects.get(project=afgeleid, soort="voortgang", periode="2025-K1")
    assert (k1.deadline, k1.status) == (date(2026, 1, 25), "open")


def test_progress_report_fulfils_the_obligation_for_its_quarter(
    partner_actor, penvoerder, afgeleid
):
    services.voortgangsverslag_indienen(
        actor=partner_actor,
        project=afgeleid,
        periode="2025-K2",
        samenvatting="Dertig huishoudens geholpen.",
        risicos="Personeelstekort",
        organisatie=penvoerder,
    )
    k2 = Rapportageverplichting.objects.get(project=afgeleid, soort="voortgang", periode="2025-K2")
    assert k2.status == "voldaan" and k2.voldaan_op is not None
    # Nothing else is fulfilled by it: not the other quarters, not the financial report.
    assert Rapportageverplichting.objects.filter(project=afgeleid, status="voldaan").count() == 1
    regel = Auditregel.objects.get(actie="verplichting_voldaan")
    assert (regel.object_id, regel.voor["status"], regel.na["status"]) == (
        str(k2.pk),
        "te_laat",
        "voldaan",
    )
    assert Voortgangsverslag.objects.get(project=afgeleid).versie == 1


def test_second_progress_report_for_a_quarter_is_a_conflict(partner_actor, afgeleid):
    from programma.fouten import Conflict

    services.voortgangsverslag_indienen(
        actor=partner_actor, project=afgeleid, periode="2025-K3", samenvatting="Eerste."
    )
    with pytest.raises(Conflict, match="al een voortgangsverslag ingediend; corrigeer dat"):
        services.voortgangsverslag_indienen(
            actor=partner_actor, project=afgeleid, periode="2025-K3", samenvatting="Twee."
        )
    assert Voortgangsverslag.objects.filter(project=afgeleid).count() == 1


def test_deriving_again_after_a_deadline_passed_marks_it_overdue(afgeleid, actor, vandaag):
    vandaag(date(2026, 3, 1))
    services.verplichtingen_afleiden(actor=actor, project=afgeleid)
    status = {(soort, periode): st for soort, periode, _, st in rijen(afgeleid)}
    assert status[("voortgang", "2025-K4")] == "te_laat"
    assert status[("financieel", "2025")] == "open"
