"""Early warnings: spending out of step with the time that has passed, and indicators
behind their target, stated in Dutch with the figures; recomputed per running project
and safe to recompute."""

from datetime import date
from decimal import Decimal

import pytest

from programma.perioden import parse_periode
from projecten.models import Beoordeling, Indicator, Project, Streefwaarde
from rapportage.models import Signaal
from rapportage.signalen import (
    Streef,
    bestedingstempo,
    indicatortraject,
    signalen_berekenen,
    streefwaarde_voor,
)
from tests.projecten.factories import (
    BegrotingsregelFactory,
    BestedingFactory,
    IndicatorFactory,
    MetingFactory,
    ProjectFactory,
)

START, EINDE = date(2025, 1, 1), date(2026, 12, 31)
# 437 of 729 days: 59.9% of the project period has passed.
ZESTIG_PROCENT = date(2026, 3, 14)


# --- spending pace, without a database -------------------------------------------------------


def tempo(besteed: str, begroot: str = "100000.00", vandaag: date = ZESTIG_PROCENT):
    return bestedingstempo(
        besteed=Decimal(besteed),
        begroot=Decimal(begroot),
        startdatum=START,
        einddatum=EINDE,
        vandaag=vandaag,
    )


def test_spending_far_behind_the_time_passed_is_a_serious_warning_with_the_figures():
    bevinding = tempo("12000.00")
    assert bevinding is not None
    assert (bevinding.soort, bevinding.ernst, bevinding.indicator_id) == (
        "bestedingstempo",
        2,
        None,
    )
    assert bevinding.reden == (
        "Besteed 12% van de begroting bij 60% van de looptijd (€ 12.000,00 van € 100.000,00)."
    )


def test_spending_far_ahead_of_the_time_passed_is_a_warning_too():
    bevinding = tempo("95000.00")
    assert bevinding is not None and bevinding.ernst == 1
    assert bevinding.reden.startswith("Besteed 95% van de begroting bij 60% van de looptijd")


@pytest.mark.parametrize(
    ("besteed", "ernst"),
    [
        ("55000.00", None),
        ("36000.00", None),  # 24 points behind
        ("35000.00", 1),  # 25 points
        ("21000.00", 1),  # 39 points
        ("20000.00", 2),  # 40 points
        ("84000.00", None),  # 24 points ahead
        ("85000.00", 1),
    ],
)
def test_warnings_start_at_25_and_turn_serious_at_40_percentage_points(besteed, ernst):
    bevinding = tempo(besteed)
    assert (bevinding.ernst if bevinding else None) == ernst


def test_thresholds_are_configurable():
    bevinding = bestedingstempo(
        besteed=Decimal("50000"),
        begroot=Decimal("100000"),
        startdatum=START,
        einddatum=EINDE,
        vandaag=ZESTIG_PROCENT,
        drempels=(5, 10),
    )
    assert bevinding is not None and bevinding.ernst == 2


@pytest.mark.parametrize(
    ("begroot", "vandaag"),
    [("0.00", ZESTIG_PROCENT), ("100000.00", date(2024, 12, 31))],
    ids=["no budget", "before the start"],
)
def test_no_judgement_without_a_budget_or_before_the_start(begroot, vandaag):
    assert tempo("0.00", begroot=begroot, vandaag=vandaag) is None


def test_after_the_end_all_the_time_has_passed():
    bevinding = tempo("50000.00", vandaag=date(2027, 3, 1))
    assert bevinding is not None
    assert "bij 100% van de looptijd" in bevinding.reden


# --- targets and trajectories, without a database --------------------------------------------


def streef(code, streefwaarden, *, opgeteld, basis=None) -> Streef | None:
    return streefwaarde_voor(
        parse_periode(code),
        {k: Decimal(v) for k, v in streefwaarden.items()},
        per_periode_opgeteld=opgeteld,
        basis=basis,
    )


def test_a_target_for_exactly_the_period_counts_as_is():
    assert streef("2025-K3", {"2025-K3": "30", "2025": "100"}, opgeteld=True) == Streef(
        Decimal("30")
    )


def test_a_flow_takes_its_share_of_a_longer_periods_target():
    assert streef("2025-K3", {"2025": "100"}, opgeteld=True) == Streef(
        Decimal("25"), "naar rato van 100 in 2025"
    )
    assert streef("2025-11", {"2025-H2": "60"}, opgeteld=True) == Streef(
        Decimal("10"), "naar rato van 60 in 2025-H2"
    )
    assert streef("2025", {"2025-K1": "25"}, opgeteld=True) is None


def test_a_level_is_interpolated_between_targets_and_from_the_baseline():
    tussen = streef("2026-K2", {"2025": "100", "2026": "200"}, opgeteld=False)
    assert tussen is not None and tussen.toelichting == "geïnterpoleerd"
    assert tussen.waarde.quantize(Decimal("0.01")) == Decimal("149.59")  # 181 of 365 days
    vanaf_basis = streef(
        "2025-K2", {"2025": "100"}, opgeteld=False, basis=(date(2025, 1, 1), Decimal("20"))
    )
    assert vanaf_basis is not None
    assert vanaf_basis.waarde.quantize(Decimal("0.01")) == Decimal("59.56")  # 180 of 364 days


def test_after_the_last_target_it_still_holds_and_before_the_first_there_is_none():
    assert streef("2027", {"2025": "100", "2026": "200"}, opgeteld=False) == Streef(
        Decimal("200"), "gesteld voor 2026"
    )
    assert streef("2025-K1", {"2025": "100"}, opgeteld=False) is None
    assert streef("2025-K1", {}, opgeteld=False, basis=(date(2025, 1, 1), Decimal("5"))) is None


def traject(metingen, streefwaarden, *, lager=False, opgeteld=True):
    return indicatortraject(
        indicator_id=7,
        naam="Huishoudens geholpen",
        lager_is_beter=lager,
        per_periode_opgeteld=opgeteld,
        metingen=[(p, Decimal(w)) for p, w in metingen],
        streefwaarden={k: Decimal(v) for k, v in streefwaarden.items()},
    )


def test_an_indicator_far_behind_its_target_is_a_serious_warning_on_its_latest_measurement():
    bevinding = traject([("2025-K3", "10"), ("2025-K2", "30")], {"2025": "100"})
    assert bevinding is not None
    assert (bevinding.soort, bevinding.ernst, bevinding.indicator_id) == (
        "indicator_achter",
        2,
        7,
    )
    assert bevinding.reden == (
        "Huishoudens geholpen: 10 in 2025-K3 bij een streefwaarde van 25, "
        "naar rato van 100 in 2025; 40% van de streefwaarde gehaald."
    )


@pytest.mark.parametrize(
    ("waarde", "ernst"),
    [("19", None), ("18.74", None), ("18.6", 1), ("12.38", 1), ("12.37", 2)],
)
def test_below_75_percent_as_shown_is_a_warning_below_50_a_serious_one(waarde, ernst):
    # 18.74 of 25 is 74.96%, shown as 75%; 12.38 is 49.52%, shown as 50%.
    bevinding = traject([("2025-K1", waarde)], {"2025-K1": "25"})
    assert (bevinding.ernst if bevinding else None) == ernst


def test_when_lower_is_better_the_ratio_is_inverted():
    bevinding = traject([("2025", "24")], {"2025": "15"}, lager=True, opgeteld=False)
    assert bevinding is not None and bevinding.ernst == 1
    assert bevinding.reden == (
        "Huishoudens geholpen: 24 in 2025 bij een streefwaarde van hoogstens 15; "
        "63% van de streefwaarde gehaald."
    )
    assert traject([("2025", "14")], {"2025": "15"}, lager=True, opgeteld=False) is None
    assert traject([("2025", "0")], {"2025": "15"}, lager=True, opgeteld=False) is None


def test_no_judgement_without_a_measurement_or_a_target():
    assert traject([], {"2025": "100"}) is None
    assert traject([("2025-K1", "3")], {}) is None
    assert traject([("2025-K1", "3")], {"2025-K1": "0"}) is None


# --- into the database -----------------------------------------------------------------------


@pytest.fixture
def lopend(db):
    """A running project of 2025–2026 with a current budget of € 100.000: the 2025
    personnel line was revised from 60.000 to 70.000, and versions are never summed."""
    project = ProjectFactory(code="buurtcoach", startdatum=START, einddatum=EINDE)
    BegrotingsregelFactory(project=project, jaar=2025, versie=1, bedrag=Decimal("60000.00"))
    BegrotingsregelFactory(project=project, jaar=2025, versie=2, bedrag=Decimal("70000.00"))
    BegrotingsregelFactory(
        project=project, jaar=2026, kostensoort="activiteiten", bedrag=Decimal("30000.00")
    )
    return project


def besteed(project, bedrag: str, status=Beoordeling.GOEDGEKEURD, periode="2025-K2"):
    BestedingFactory(project=project, periode=periode, bedrag=Decimal(bedrag), status=status)


@pytest.fixture
def huishoudens(lopend):
    indicator = IndicatorFactory(
        doel__project=lopend, naam="Huishoudens geholpen", aggregatie=Indicator.Aggregatie.SOM
    )
    Streefwaarde.objects.create(indicator=indicator, periode="2025", waarde=Decimal("100"))
    return indicator


def signalen(project) -> list[tuple[str, int, str]]:
    return list(
        Signaal.objects.filter(project=project)
        .order_by("soort")
        .values_list("soort", "ernst", "reden")
    )


def test_an_underspending_project_is_flagged_from_approved_spending_only(lopend, vandaag):
    besteed(lopend, "7000.50")
    besteed(lopend, "4999.50", periode="2025-K3")
    besteed(lopend, "50000.00", status=Beoordeling.INGEDIEND)
    besteed(lopend, "9000.00", status=Beoordeling.TERUGGESTUURD)
    vandaag(ZESTIG_PROCENT)
    assert signalen_berekenen() == {"nieuw": 1, "gewijzigd": 0, "verwijderd": 0}
    assert signalen(lopend) == [
        (
            "bestedingstempo",
            2,
            "Besteed 12% van de begroting bij 60% van de looptijd (€ 12.000,00 van € 100.000,00).",
        )
    ]


def test_a_project_on_track_is_not_flagged(lopend, huishoudens, vandaag):
    besteed(lopend, "55000.00")
    MetingFactory(
        indicator=huishoudens, periode="2025-K4", waarde=Decimal("24"), status="goedgekeurd"
    )
    vandaag(ZESTIG_PROCENT)
    signalen_berekenen()
    assert signalen(lopend) == []


def test_an_indicator_behind_is_flagged_on_its_latest_approved_measurement(
    lopend, huishoudens, vandaag
):
    besteed(lopend, "55000.00")
    MetingFactory(
        indicator=huishoudens, periode="2025-K2", waarde=Decimal("30"), status="goedgekeurd"
    )
    MetingFactory(
        indicator=huishoudens, periode="2025-K3", waarde=Decimal("10"), status="goedgekeurd"
    )
    MetingFactory(
        indicator=huishoudens, periode="2025-K4", waarde=Decimal("90"), status="ingediend"
    )
    vandaag(ZESTIG_PROCENT)
    signalen_berekenen()
    (signaal,) = Signaal.objects.filter(project=lopend)
    assert (signaal.soort, signaal.indicator_id, signaal.ernst) == (
        "indicator_achter",
        huishoudens.pk,
        2,
    )
    assert signaal.reden == (
        "Huishoudens geholpen: 10 in 2025-K3 bij een streefwaarde van 25, "
        "naar rato van 100 in 2025; 40% van de streefwaarde gehaald."
    )


def test_running_twice_changes_nothing(lopend, huishoudens, vandaag):
    besteed(lopend, "12000.00")
    MetingFactory(
        indicator=huishoudens, periode="2025-K3", waarde=Decimal("10"), status="goedgekeurd"
    )
    vandaag(ZESTIG_PROCENT)
    signalen_berekenen()
    voor = list(Signaal.objects.order_by("pk").values_list("pk", "reden", "ernst", "berekend_op"))
    assert signalen_berekenen() == {"nieuw": 0, "gewijzigd": 0, "verwijderd": 0}
    assert (
        list(Signaal.objects.order_by("pk").values_list("pk", "reden", "ernst", "berekend_op"))
        == voor
    )
    assert len(voor) == 2


def test_a_changed_signal_is_updated_in_place_and_a_resolved_one_removed(
    lopend, huishoudens, vandaag
):
    besteed(lopend, "12000.00")
    MetingFactory(
        indicator=huishoudens, periode="2025-K3", waarde=Decimal("10"), status="goedgekeurd"
    )
    vandaag(ZESTIG_PROCENT)
    signalen_berekenen()
    tempo_pk = Signaal.objects.get(soort="bestedingstempo").pk

    besteed(lopend, "10000.00")  # 22%: still behind, less so
    MetingFactory(
        indicator=huishoudens, periode="2025-K4", waarde=Decimal("25"), status="goedgekeurd"
    )
    assert signalen_berekenen() == {"nieuw": 0, "gewijzigd": 1, "verwijderd": 1}
    signaal = Signaal.objects.get()
    assert signaal.pk == tempo_pk
    assert (signaal.ernst, signaal.reden) == (
        1,
        "Besteed 22% van de begroting bij 60% van de looptijd (€ 22.000,00 van € 100.000,00).",
    )


def test_signals_of_a_project_that_no_longer_runs_are_dropped(lopend, vandaag):
    besteed(lopend, "12000.00")
    vandaag(ZESTIG_PROCENT)
    signalen_berekenen()
    Project.objects.filter(pk=lopend.pk).update(status=Project.Status.AFGEROND)
    assert signalen_berekenen()["verwijderd"] == 1
    assert signalen(lopend) == []


def test_only_running_projects_are_judged(lopend, vandaag):
    Project.objects.filter(pk=lopend.pk).update(status=Project.Status.TOEGEKEND)
    vandaag(ZESTIG_PROCENT)
    signalen_berekenen()
    assert signalen(lopend) == []


def test_the_task_for_one_project_leaves_the_others_alone(lopend, vandaag):
    ander = ProjectFactory(startdatum=START, einddatum=EINDE)
    BegrotingsregelFactory(project=ander, bedrag=Decimal("1000.00"))
    besteed(lopend, "12000.00")
    vandaag(ZESTIG_PROCENT)
    signalen_berekenen(ander.pk)
    assert signalen(lopend) == []
    assert [s[0] for s in signalen(ander)] == ["bestedingstempo"]
