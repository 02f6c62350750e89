"""Indicator stands in the database: the full recompute, the incremental update after an
approval, their agreement, drift correction, the tasks, the command and the selectors."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from programma.models import (
    Auditregel,
    Focusgebied,
    Programma,
    Programmaindicator,
    Programmastreefwaarde,
    Thema,
)
from projecten.models import Beoordeling, Indicator, Meting, Project, Streefwaarde
from projecten.services import meting_beoordelen
from rapportage import aggregaties as agg
from rapportage import selectors, services, tasks
from rapportage.models import Indicatorstand
from tests.programma.factories import FocusgebiedFactory, ProgrammaFactory, ThemaFactory
from tests.projecten.factories import IndicatorFactory, MetingFactory, ProjectFactory

pytestmark = pytest.mark.django_db

D = Decimal
GOED, INGEDIEND, TERUG = Beoordeling.GOEDGEKEURD, Beoordeling.INGEDIEND, Beoordeling.TERUGGESTUURD
KOLOMMEN = (
    "niveau",
    "programma_id",
    "indicator_id",
    "programma_indicator_id",
    "project_id",
    "focusgebied_id",
    "thema_id",
    "periode",
    "waarde",
    "streefwaarde",
    "percentage_streefwaarde",
    "op_koers",
    "aantal_metingen",
    "vingerafdruk",
)


def momentopname(**filters) -> list[tuple]:
    """Every stand without its id and timestamp, in a fixed order."""
    return list(
        Indicatorstand.objects.filter(**filters).order_by(*KOLOMMEN[:8]).values_list(*KOLOMMEN)
    )


def stand(**waar) -> Indicatorstand:
    return Indicatorstand.objects.get(**waar)


def vanaf_nul() -> list[tuple]:
    """What a recompute on an empty table gives, to compare the others with."""
    Indicatorstand.objects.all().delete()
    services.standen_herberekenen()
    return momentopname()


@dataclass
class Portfolio:
    programma: Programma
    noord: Focusgebied
    zuid: Focusgebied
    armoede: Thema
    veiligheid: Thema
    huishoudens: Programmaindicator  # sum
    bereikt: Programmaindicator  # cumulative
    cijfer: Programmaindicator  # mean score
    a: Project  # in noord and zuid, theme armoede
    b: Project  # in zuid, theme veiligheid
    a_huishoudens: Indicator
    a_bereikt: Indicator
    a_los: Indicator  # not linked to a programme indicator
    b_huishoudens: Indicator
    b_cijfer: Indicator
    maart: Meting  # submitted, not yet approved
    april: Meting  # returned


def programma_indicator(programma: Programma, code: str, **velden) -> Programmaindicator:
    return Programmaindicator.objects.create(programma=programma, code=code, naam=code, **velden)


@pytest.fixture
def portfolio(programma) -> Portfolio:
    noord = FocusgebiedFactory(programma=programma, code="noord")
    zuid = FocusgebiedFactory(programma=programma, code="zuid")
    armoede = ThemaFactory(programma=programma, code="armoede")
    veiligheid = ThemaFactory(programma=programma, code="veiligheid")
    huishoudens = programma_indicator(programma, "huishoudens")
    bereikt = programma_indicator(programma, "bereikt", cumulatief=True, aggregatie="laatste")
    cijfer = programma_indicator(programma, "cijfer", eenheid="score", aggregatie="gemiddelde")
    Programmastreefwaarde.objects.create(indicator=huishoudens, jaar=2025, waarde=D("100"))

    a = ProjectFactory(programma=programma, code="a")
    a.focusgebieden.add(noord, zuid)
    a.themas.add(armoede)
    b = ProjectFactory(programma=programma, code="b")
    b.focusgebieden.add(zuid)
    b.themas.add(veiligheid)

    a_huishoudens = IndicatorFactory(doel__project=a, programma_indicator=huishoudens)
    a_bereikt = IndicatorFactory(
        doel__project=a, programma_indicator=bereikt, cumulatief=True, aggregatie="laatste"
    )
    a_los = IndicatorFactory(doel__project=a)
    b_huishoudens = IndicatorFactory(doel__project=b, programma_indicator=huishoudens)
    b_cijfer = IndicatorFactory(
        doel__project=b, programma_indicator=cijfer, eenheid="score", aggregatie="gemiddelde"
    )
    Streefwaarde.objects.create(indicator=a_huishoudens, periode="2025", waarde=D("40"))
    Streefwaarde.objects.create(indicator=b_huishoudens, periode="2025", waarde=D("50"))

    for indicator, periode, waarde, status in [
        (a_huishoudens, "2025-01", "10", GOED),
        (a_huishoudens, "2025-02", "20", GOED),
        (a_huishoudens, "2025-03", "99", INGEDIEND),
        (a_huishoudens, "2025-04", "77", TERUG),
        (a_huishoudens, "2026-01", "4", GOED),
        (b_huishoudens, "2025-K1", "30", GOED),
        (a_bereikt, "2025-01", "5", GOED),
        (a_bereikt, "2025-02", "12", GOED),
        (b_cijfer, "2025-K1", "6.5", GOED),
        (b_cijfer, "2025-K2", "7.5", GOED),
        (a_los, "2025-01", "3", GOED),
    ]:
        MetingFactory(indicator=indicator, periode=periode, waarde=D(waarde), status=status)
    # As if submitted and reviewed yesterday: the full recompute only catches up with
    # measurements that changed while it ran.
    Meting.objects.update(gewijzigd_op=timezone.now() - timedelta(days=1))
    return Portfolio(
        programma=programma,
        noord=noord,
        zuid=zuid,
        armoede=armoede,
        veiligheid=veiligheid,
        huishoudens=huishoudens,
        bereikt=bereikt,
        cijfer=cijfer,
        a=a,
        b=b,
        a_huishoudens=a_huishoudens,
        a_bereikt=a_bereikt,
        a_los=a_los,
        b_huishoudens=b_huishoudens,
        b_cijfer=b_cijfer,
        maart=Meting.objects.get(indicator=a_huishoudens, periode="2025-03"),
        april=Meting.objects.get(indicator=a_huishoudens, periode="2025-04"),
    )


def goedkeuren(meting: Meting) -> None:
    meting.status = GOED
    meting.save()


# --- the full recompute --------------------------------------------------------------------


def test_full_recompute_gives_every_level_with_targets_and_track(portfolio):
    p = portfolio
    resultaat = services.standen_herberekenen()

    jaar_a = stand(niveau="project", indicator=p.a_huishoudens, periode="2025")
    assert (jaar_a.programma, jaar_a.project, jaar_a.programma_indicator) == (
        p.programma,
        p.a,
        None,
    )
    assert (jaar_a.waarde, jaar_a.streefwaarde, jaar_a.percentage_streefwaarde) == (
        D("30"),
        D("40"),
        D("75"),
    )
    assert (jaar_a.op_koers, jaar_a.aantal_metingen) == (False, 2)
    januari = stand(niveau="project", indicator=p.a_huishoudens, periode="2025-01")
    assert (januari.waarde, januari.streefwaarde, januari.op_koers) == (D("10"), None, None)
    # Project a is in both focus areas: it counts in each, and once in the programme.
    assert stand(
        niveau="focusgebied", focusgebied=p.noord, periode="2025", programma_indicator=p.huishoudens
    ).waarde == D("30")
    zuid = stand(
        niveau="focusgebied", focusgebied=p.zuid, periode="2025", programma_indicator=p.huishoudens
    )
    assert (zuid.waarde, zuid.streefwaarde, zuid.percentage_streefwaarde) == (
        D("60"),
        D("90"),
        D("66.67"),
    )
    assert stand(
        niveau="thema", thema=p.veiligheid, periode="2025", programma_indicator=p.huishoudens
    ).waarde == D("30")
    programma = stand(niveau="programma", programma_indicator=p.huishoudens, periode="2025")
    assert (programma.waarde, programma.streefwaarde, programma.percentage_streefwaarde) == (
        D("60"),
        D("100"),
        D("60"),
    )
    assert (programma.op_koers, programma.aantal_metingen) == (False, 3)
    # A cumulative indicator: the latest stand of the year, not 5 + 12.
    assert stand(niveau="programma", programma_indicator=p.bereikt, periode="2025").waarde == D(
        "12"
    )
    # A mean score over two quarters.
    assert stand(niveau="programma", programma_indicator=p.cijfer, periode="2025").waarde == D("7")
    # An indicator without a programme indicator has project rows only.
    assert set(
        Indicatorstand.objects.filter(indicator=p.a_los).values_list("niveau", "periode")
    ) == {("project", "2025-01"), ("project", "2025")}
    assert resultaat.toegevoegd == resultaat.standen == Indicatorstand.objects.count()
    assert resultaat.metingen == 9


def test_only_approved_measurements_count(portfolio):
    p = portfolio
    services.standen_herberekenen()
    assert not Indicatorstand.objects.filter(periode__in=["2025-03", "2025-04"]).exists()
    assert stand(niveau="project", indicator=p.a_huishoudens, periode="2025").aantal_metingen == 2


def test_full_recompute_twice_changes_nothing_the_second_time(portfolio):
    services.standen_herberekenen()
    voor = list(Indicatorstand.objects.order_by("pk").values_list("pk", *KOLOMMEN, "berekend_op"))
    tweede = services.standen_herberekenen()
    assert (tweede.toegevoegd, tweede.verwijderd, tweede.ongewijzigd) == (0, 0, len(voor))
    assert (
        list(Indicatorstand.objects.order_by("pk").values_list("pk", *KOLOMMEN, "berekend_op"))
        == voor
    )


def test_a_recompute_that_changed_something_is_audited_once(portfolio):
    services.standen_herberekenen()
    services.standen_herberekenen()
    regels = Auditregel.objects.filter(actie="indicatorstanden_herberekenen")
    assert regels.count() == 1
    regel = regels.get()
    assert (regel.namens, regel.object_id) == ("aggregatie", str(portfolio.programma.pk))
    assert regel.na["toegevoegd"] == Indicatorstand.objects.count()


def vervalsen(standen, **waarden) -> None:
    """Write wrong values together with their own fingerprint, as a faulty update of the
    aggregation itself would: the row looks consistent, only not what the measurements
    make."""
    standen.update(**waarden)
    for pk, afdruk in zip(*opgeslagen_afdrukken(standen), strict=True):
        Indicatorstand.objects.filter(pk=pk).update(vingerafdruk=afdruk)


def opgeslagen_afdrukken(standen) -> tuple[list[int], list[int]]:
    """The ids of stands and the fingerprints of their values as stored."""
    rijen = list(standen.order_by("pk").values_list("pk", *agg.STAND_KOLOMMEN))
    frame = pd.DataFrame(rijen, columns=["pk", *agg.STAND_KOLOMMEN], dtype=object)
    return frame["pk"].tolist(), agg.vingerafdrukken(frame).tolist()


def test_every_stand_is_stored_with_the_fingerprint_of_its_stored_values(portfolio, actor):
    p = portfolio
    services.standen_herberekenen()
    meting_beoordelen(actor=actor, meting=p.maart, besluit=GOED)
    services.standen_bijwerken(meting_ids=[p.maart.pk])
    alle = Indicatorstand.objects.all()
    assert alle.filter(vingerafdruk__isnull=True).count() == 0
    assert opgeslagen_afdrukken(alle)[1] == list(
        alle.order_by("pk").values_list("vingerafdruk", flat=True)
    )


def test_drift_is_corrected(portfolio):
    p = portfolio
    services.standen_herberekenen()
    goed = momentopname()
    stand(niveau="programma", programma_indicator=p.huishoudens, periode="2025").delete()
    vervalsen(
        Indicatorstand.objects.filter(indicator=p.a_huishoudens, periode="2025-01"),
        waarde=D("11"),
        op_koers=True,
    )
    # Two rows: the theme's 2025 stands of 'huishoudens' and of 'bereikt'.
    vervalsen(
        Indicatorstand.objects.filter(niveau="thema", thema=p.armoede, periode="2025"),
        streefwaarde=D("1"),
    )
    overbodig = Indicatorstand.objects.create(
        niveau="project",
        programma=p.programma,
        indicator=p.a_huishoudens,
        project=p.a,
        periode="2019-05",
    )
    vervalsen(Indicatorstand.objects.filter(pk=overbodig.pk))
    # Measurements whose incremental update never ran: one no longer approved (say,
    # corrected in the admin) and a missed approval.
    Meting.objects.filter(indicator=p.a_los).update(status=INGEDIEND)
    Meting.objects.filter(pk=p.maart.pk).update(status=GOED)

    resultaat = services.standen_herberekenen()

    # Written: for the missed approval its month at all four levels, the project's year
    # and the year above it in both focus areas, the theme and the programme (deleted
    # before); the month with the wrong value; the theme's year of 'bereikt'. Deleted:
    # the six stored rows with wrong values, the superfluous row and the month and year
    # of the measurement no longer approved.
    assert (resultaat.ingehaald, resultaat.toegevoegd, resultaat.verwijderd) == (0, 12, 9)
    assert stand(niveau="project", indicator=p.a_huishoudens, periode="2025").waarde == D("129")
    assert not Indicatorstand.objects.filter(indicator=p.a_los).exists()
    assert momentopname(periode="2025-01") == [
        r for r in goed if r[7] == "2025-01" and r[2] != p.a_los.pk
    ]
    assert momentopname() == vanaf_nul()


def test_a_stand_changed_behind_the_aggregations_back_is_rewritten_once_its_fingerprint_is_cleared(
    portfolio,
):
    """The trade-off of comparing fingerprints: a value changed in the database without
    its fingerprint is not seen. Clearing fingerprints (as for rows stored before they
    existed) makes the next recompute rewrite those rows."""
    p = portfolio
    services.standen_herberekenen()
    goed = momentopname()
    handwerk = Indicatorstand.objects.filter(indicator=p.a_huishoudens, periode="2025-01")
    handwerk.update(waarde=D("11"))

    assert services.standen_herberekenen().toegevoegd == 0
    assert handwerk.get().waarde == D("11")

    Indicatorstand.objects.update(vingerafdruk=None)
    resultaat = services.standen_herberekenen()

    assert resultaat.toegevoegd == resultaat.verwijderd == len(goed)
    assert momentopname() == goed
    assert services.standen_herberekenen().toegevoegd == 0


def test_recomputing_one_programme_leaves_the_others_alone(portfolio):
    ander = ProgrammaFactory()
    project = ProjectFactory(programma=ander)
    MetingFactory(indicator=IndicatorFactory(doel__project=project), periode="2025-01", status=GOED)
    services.standen_herberekenen()
    elders = momentopname(programma=ander)
    Indicatorstand.objects.filter(programma=ander).update(waarde=D("-1"))

    services.standen_herberekenen(programma=portfolio.programma)

    assert {r[8] for r in momentopname(programma=ander)} == {D("-1")}
    assert len(elders) == 2


# --- the incremental update ------------------------------------------------------------


def test_incremental_update_after_an_approval_equals_a_full_recompute(portfolio, actor):
    p = portfolio
    services.standen_herberekenen()
    meting_beoordelen(actor=actor, meting=p.maart, besluit=GOED)

    resultaat = services.standen_bijwerken(meting_ids=[p.maart.pk])

    na_bijwerken = momentopname()
    assert stand(niveau="project", indicator=p.a_huishoudens, periode="2025").waarde == D("129")
    assert stand(niveau="programma", programma_indicator=p.huishoudens, periode="2025").waarde == D(
        "159"
    )
    assert stand(
        niveau="programma", programma_indicator=p.huishoudens, periode="2025-03"
    ).waarde == D("99")
    assert resultaat.toegevoegd > 0
    volledig = services.standen_herberekenen()
    assert (volledig.toegevoegd, volledig.verwijderd) == (0, 0)
    assert vanaf_nul() == na_bijwerken


def test_incremental_update_of_several_measurements_across_years_and_indicators(portfolio):
    p = portfolio
    services.standen_herberekenen()
    nieuw = [
        MetingFactory(indicator=p.b_cijfer, periode="2025-K3", waarde=D("9"), status=GOED),
        MetingFactory(indicator=p.a_bereikt, periode="2026-02", waarde=D("20"), status=GOED),
        MetingFactory(indicator=p.a_los, periode="2024-12", waarde=D("1"), status=GOED),
    ]
    services.standen_bijwerken(meting_ids=[m.pk for m in nieuw])
    assert momentopname() == vanaf_nul()


def test_a_bulk_approval_is_updated_in_portions_with_the_same_outcome(portfolio, monkeypatch):
    p = portfolio
    services.standen_herberekenen()
    monkeypatch.setattr(services, "IDPORTIE", 2)  # portions of ids, and subqueries
    nieuw = [
        MetingFactory(indicator=indicator, periode=periode, waarde=D("2"), status=GOED)
        for indicator, periode in [
            (p.a_huishoudens, "2025-05"),
            (p.b_huishoudens, "2025-K2"),
            (p.b_cijfer, "2026-K1"),
            (p.a_bereikt, "2025-03"),
            (p.a_los, "2025-02"),
        ]
    ]
    services.standen_bijwerken(meting_ids=[m.pk for m in nieuw])
    assert momentopname() == vanaf_nul()


def test_incremental_update_without_a_previous_full_recompute_writes_only_its_rows(portfolio):
    p = portfolio
    goedkeuren(p.maart)
    services.standen_bijwerken(meting_ids=[p.maart.pk])
    assert set(Indicatorstand.objects.values_list("niveau", "periode")) == {
        (niveau, periode)
        for niveau in ("project", "focusgebied", "thema", "programma")
        for periode in ("2025-03", "2025")
    }
    geschreven = momentopname()
    volledig = vanaf_nul()
    assert all(r in volledig for r in geschreven)


def test_incremental_update_twice_changes_nothing_the_second_time(portfolio):
    p = portfolio
    services.standen_herberekenen()
    goedkeuren(p.maart)
    services.standen_bijwerken(meting_ids=[p.maart.pk])
    voor = list(Indicatorstand.objects.order_by("pk").values_list("pk", *KOLOMMEN))
    tweede = services.standen_bijwerken(meting_ids=[p.maart.pk])
    assert (tweede.toegevoegd, tweede.verwijderd) == (0, 0)
    assert list(Indicatorstand.objects.order_by("pk").values_list("pk", *KOLOMMEN)) == voor


def test_incremental_update_of_a_measurement_no_longer_approved_removes_its_rows(portfolio):
    p = portfolio
    services.standen_herberekenen()
    meting = Meting.objects.get(indicator=p.b_huishoudens)
    meting.status = TERUG
    meting.save()
    services.standen_bijwerken(meting_ids=[meting.pk])
    assert not Indicatorstand.objects.filter(indicator=p.b_huishoudens).exists()
    assert momentopname() == vanaf_nul()


def test_unknown_measurement_ids_are_skipped(portfolio):
    resultaat = services.standen_bijwerken(meting_ids=[987654])
    assert (resultaat.standen, resultaat.toegevoegd) == (0, 0)


def test_an_approval_during_a_full_recompute_is_not_lost(portfolio, monkeypatch):
    """The full recompute reads, then computes, then writes. An approval whose own
    incremental update ran in between must survive the older snapshot."""
    p = portfolio
    berekenen = agg.standen_berekenen

    def tussendoor(**invoer):
        uitkomst = berekenen(**invoer)
        monkeypatch.undo()  # only the full recompute's own computation
        goedkeuren(p.maart)
        services.standen_bijwerken(meting_ids=[p.maart.pk])
        return uitkomst

    monkeypatch.setattr(agg, "standen_berekenen", tussendoor)
    resultaat = services.standen_herberekenen()

    assert resultaat.ingehaald == 1
    assert stand(niveau="project", indicator=p.a_huishoudens, periode="2025").waarde == D("129")
    assert momentopname() == vanaf_nul()


# --- tasks and command -----------------------------------------------------------------


def test_tasks_run_synchronously_and_twice_with_the_same_outcome(portfolio):
    p = portfolio
    eerste = tasks.standen_herberekenen()
    assert eerste["toegevoegd"] == Indicatorstand.objects.count() > 0
    assert tasks.standen_herberekenen()["toegevoegd"] == 0
    goedkeuren(p.maart)
    assert tasks.standen_bijwerken([p.maart.pk])["toegevoegd"] > 0
    na_eerste = momentopname()
    assert tasks.standen_bijwerken([p.maart.pk])["toegevoegd"] == 0
    assert momentopname() == na_eerste


def test_aggregeer_command_prints_counts_and_time(portfolio):
    uit = StringIO()
    call_command("aggregeer", "--programma", portfolio.programma.code, "-v", "2", stdout=uit)
    tekst = uit.getvalue()
    aantal = Indicatorstand.objects.count()
    assert (
        f"1 programma('s), 9 goedgekeurde metingen, {aantal} standen: {aantal} geschreven" in tekst
    )
    assert " s." in tekst and "berekenen" in tekst
    uit = StringIO()
    call_command("aggregeer", stdout=uit)
    assert f"0 geschreven, 0 verwijderd, {aantal} ongewijzigd" in uit.getvalue()


def test_aggregeer_command_rewrites_every_stand_when_asked_after_changes_by_hand(portfolio):
    p = portfolio
    call_command("aggregeer", stdout=StringIO())
    goed = momentopname()
    handwerk = Indicatorstand.objects.filter(indicator=p.a_huishoudens, periode="2025-01")
    handwerk.update(waarde=D("11"))
    uit = StringIO()
    call_command("aggregeer", "--herschrijven", stdout=uit)
    assert f"{len(goed)} geschreven, {len(goed)} verwijderd, 0 ongewijzigd" in uit.getvalue()
    assert momentopname() == goed


def test_aggregeer_command_refuses_an_unknown_programme(db):
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("aggregeer", "--programma", "bestaat-niet")


# --- selectors -------------------------------------------------------------------------


def test_programme_progress_lists_every_programme_indicator_in_two_queries(
    portfolio, django_assert_max_num_queries
):
    p = portfolio
    programma_indicator(p.programma, "zonder-metingen", basiswaarde=D("3"))
    services.standen_herberekenen()
    with django_assert_max_num_queries(2):
        regels = selectors.programmavoortgang(programma=p.programma, jaar=2025)
    assert [(r.indicator.code, r.waarde, r.streefwaarde, r.op_koers) for r in regels] == [
        ("bereikt", D("12"), None, None),
        ("cijfer", D("7"), None, None),
        ("huishoudens", D("60"), D("100"), False),
        ("zonder-metingen", None, None, None),
    ]
    assert regels[-1].basiswaarde == D("3")


def test_stands_come_with_what_they_belong_to_in_one_query(
    portfolio, django_assert_max_num_queries
):
    services.standen_herberekenen()
    with django_assert_max_num_queries(1):
        namen = [
            (
                s.niveau,
                s.indicator and s.indicator.naam,
                s.programma_indicator and s.programma_indicator.code,
                s.focusgebied and s.focusgebied.code,
                s.thema and s.thema.code,
                s.project and s.project.code,
            )
            for s in selectors.standen(programma=portfolio.programma, alleen_jaren=True)
        ]
    assert ("focusgebied", None, "huishoudens", "zuid", None, None) in namen
    assert all(
        len(s.periode) == 4
        for s in selectors.standen(programma=portfolio.programma, alleen_jaren=True)
    )


def test_year_series_project_stands_and_off_track(portfolio):
    p = portfolio
    services.standen_herberekenen()
    assert [
        (s.periode, s.waarde) for s in selectors.jaarreeks(programma_indicator=p.huishoudens)
    ] == [
        ("2025", D("60")),
        ("2026", D("4")),
    ]
    assert [
        s.periode
        for s in selectors.jaarreeks(programma_indicator=p.huishoudens, focusgebied=p.noord)
    ] == ["2025", "2026"]
    assert [
        s.waarde for s in selectors.jaarreeks(programma_indicator=p.huishoudens, thema=p.veiligheid)
    ] == [D("30")]
    assert {s.periode for s in selectors.projectstanden(project=p.b)} == {
        "2025",
        "2025-K1",
        "2025-K2",
    }
    assert {
        (s.niveau, s.indicator_id or s.programma_indicator_id)
        for s in selectors.niet_op_koers(programma=p.programma, periode="2025")
    } == {
        ("project", p.a_huishoudens.pk),
        ("project", p.b_huishoudens.pk),
        ("focusgebied", p.huishoudens.pk),
        ("thema", p.huishoudens.pk),
        ("programma", p.huishoudens.pk),
    }


def test_a_large_rewrite_builds_the_indexes_again_afterwards_with_the_same_outcome(
    portfolio, monkeypatch
):
    monkeypatch.setattr(services, "HERBOUWDREMPEL", 1)
    with transaction.atomic():
        indexen = services._secundaire_indexen()
    assert len(indexen) >= 2  # the unique identity and the programme/level/period index
    services.standen_herberekenen()
    eerste = momentopname()
    with transaction.atomic():
        assert services._secundaire_indexen() == indexen  # dropped and built again
    Indicatorstand.objects.all().delete()
    monkeypatch.setattr(services, "HERBOUWDREMPEL", 10**9)
    services.standen_herberekenen()
    assert momentopname() == eerste


def test_a_failed_large_rewrite_leaves_the_indexes_and_the_stands(portfolio, monkeypatch):
    services.standen_herberekenen()
    voor = momentopname()
    with transaction.atomic():
        indexen = services._secundaire_indexen()
    monkeypatch.setattr(services, "HERBOUWDREMPEL", 1)

    def stuk(*args, **kwargs):
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(services, "_invoegen", stuk)
    Indicatorstand.objects.update(vingerafdruk=None)  # everything must be rewritten
    with pytest.raises(RuntimeError):
        services.standen_herberekenen()
    with transaction.atomic():
        assert services._secundaire_indexen() == indexen
    assert Indicatorstand.objects.count() == len(voor)
