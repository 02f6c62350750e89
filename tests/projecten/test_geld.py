"""Money: grants, tranches, budgets, expenditure and carry-over. Euros with cents, never a float."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programma.fouten import Conflict
from programma.models import Auditregel, Budgetenvelop
from projecten import services
from projecten.models import Begrotingsregel, Beschikking, Besteding, Tranche
from projecten.selectors import begroot_totaal, geldende_begroting, verleend_totaal
from tests.programma.factories import BudgetenvelopFactory, ProgrammaFactory, ThemaFactory
from tests.projecten.factories import (
    BegrotingsregelFactory,
    BeschikkingFactory,
    BestedingFactory,
    TrancheFactory,
)

pytestmark = pytest.mark.django_db

ONGELDIGE_BEDRAGEN = [
    pytest.param(Decimal("-0.01"), "Een bedrag mag niet negatief zijn.", id="negatief"),
    pytest.param(
        Decimal("10.005"),
        "Een bedrag heeft hoogstens twee decimalen (centen).",
        id="drie-decimalen",
    ),
    pytest.param(Decimal("NaN"), "Waarde van ‘NaN’ moet een decimaal getal zijn.", id="nan"),
    pytest.param(
        Decimal("-Infinity"), "Waarde van ‘-Infinity’ moet een decimaal getal zijn.", id="oneindig"
    ),
    pytest.param(250.0, "Een bedrag moet een decimaal getal zijn, geen float.", id="float"),
]


def laatste_audit(actie: str) -> Auditregel:
    return Auditregel.objects.filter(actie=actie).latest("id")


# --- grants (beschikkingen) -------------------------------------------------------------------


def nieuwe_beschikking(actor, project, **anders):
    velden = {
        "actor": actor,
        "project": project,
        "financier": project.programma.opdrachtgever,
        "regeling": "SPUK Leefbaarheid en Veiligheid",
        "kenmerk": "VRO-2025-0001",
        "bedrag": Decimal("250000.00"),
    }
    return services.beschikking_aanmaken(**(velden | anders))


def test_grant_is_registered_with_its_amount_exactly_in_the_audit(actor, project, thema):
    beschikking = nieuwe_beschikking(
        actor, project, thema=thema, status="verleend", datum=date(2025, 2, 1)
    )
    assert Beschikking.objects.get(pk=beschikking.pk).bedrag == Decimal("250000.00")
    regel = laatste_audit("beschikking_aanmaken")
    assert (regel.gebruiker, regel.object_id, regel.na["bedrag"]) == (
        actor.gebruiker,
        str(beschikking.pk),
        "250000.00",
    )
    assert regel.na["datum"] == "2025-02-01"


@pytest.mark.parametrize(("bedrag", "melding"), ONGELDIGE_BEDRAGEN)
def test_grant_amount_is_euros_and_cents(actor, project, niets_opgeslagen, bedrag, melding):
    with niets_opgeslagen(Beschikking), pytest.raises(ValidationError) as fout:
        nieuwe_beschikking(actor, project, bedrag=bedrag)
    assert melding in fout.value.message_dict["bedrag"]


def test_granted_decision_has_a_date(actor, project, niets_opgeslagen):
    with niets_opgeslagen(Beschikking), pytest.raises(ValidationError) as fout:
        nieuwe_beschikking(actor, project, status="verleend")
    assert fout.value.message_dict["datum"] == ["Een verleende beschikking heeft een datum."]


def test_new_grant_cannot_start_settled(actor, project, niets_opgeslagen):
    with niets_opgeslagen(Beschikking), pytest.raises(ValidationError) as fout:
        nieuwe_beschikking(actor, project, status="vastgesteld", datum=date(2025, 1, 1))
    assert fout.value.message_dict["status"] == [
        "Een nieuwe beschikking is aangevraagd of verleend."
    ]


def test_grant_theme_belongs_to_the_projects_programme(actor, project, niets_opgeslagen):
    with niets_opgeslagen(Beschikking), pytest.raises(ValidationError) as fout:
        nieuwe_beschikking(actor, project, thema=ThemaFactory())
    assert fout.value.message_dict["thema"] == ["Het thema hoort bij een ander programma."]


def test_grant_moves_from_requested_to_granted_to_settled(actor, project):
    beschikking = nieuwe_beschikking(actor, project)
    services.beschikking_status_wijzigen(
        actor=actor, beschikking=beschikking, status="verleend", datum=date(2025, 2, 1)
    )
    services.beschikking_status_wijzigen(
        actor=actor,
        beschikking=beschikking,
        status="vastgesteld",
        bedrag_vastgesteld=Decimal("249999.99"),
        datum=date(2027, 1, 10),
    )
    beschikking.refresh_from_db()
    assert (
        beschikking.status,
        beschikking.datum,
        beschikking.bedrag_vastgesteld,
        beschikking.vastgesteld_op,
    ) == (
        "vastgesteld",
        date(2025, 2, 1),
        Decimal("249999.99"),
        date(2027, 1, 10),
    )
    regel = laatste_audit("beschikking_status_wijzigen")
    assert (regel.voor["bedrag_vastgesteld"], regel.na["bedrag_vastgesteld"]) == (None, "249999.99")


@pytest.mark.parametrize(
    ("van", "naar", "melding"),
    [
        ("aangevraagd", "vastgesteld", "De status kan niet van 'Aangevraagd' naar 'Vastgesteld'."),
        ("vastgesteld", "ingetrokken", "De status kan niet van 'Vastgesteld' naar 'Ingetrokken'."),
        ("ingetrokken", "verleend", "De status kan niet van 'Ingetrokken' naar 'Verleend'."),
        ("verleend", "aangevraagd", "De status kan niet van 'Verleend' naar 'Aangevraagd'."),
    ],
)
def test_grant_status_only_follows_the_lifecycle(actor, niets_opgeslagen, van, naar, melding):
    beschikking = BeschikkingFactory(
        status=van, bedrag_vastgesteld=Decimal("1.00") if van == "vastgesteld" else None
    )
    with niets_opgeslagen(), pytest.raises(ValidationError) as fout:
        services.beschikking_status_wijzigen(
            actor=actor,
            beschikking=beschikking,
            status=naar,
            datum=date(2025, 5, 1),
            bedrag_vastgesteld=Decimal("1.00"),
        )
    assert fout.value.message_dict["status"] == [melding]
    assert Beschikking.objects.get(pk=beschikking.pk).status == van


def test_settled_amount_is_not_above_the_granted_amount(actor, niets_opgeslagen):
    beschikking = BeschikkingFactory(bedrag=Decimal("100000.00"))
    with niets_opgeslagen(), pytest.raises(ValidationError) as fout:
        services.beschikking_status_wijzigen(
            actor=actor,
            beschikking=beschikking,
            status="vastgesteld",
            bedrag_vastgesteld=Decimal("100000.01"),
        )
    assert fout.value.message_dict["bedrag_vastgesteld"] == [
        "Het vastgestelde bedrag is niet hoger dan het verleende bedrag."
    ]


def test_settling_needs_the_settled_amount(actor, niets_opgeslagen):
    beschikking = BeschikkingFactory()
    with niets_opgeslagen(), pytest.raises(ValidationError) as fout:
        services.beschikking_status_wijzigen(
            actor=actor, beschikking=beschikking, status="vastgesteld"
        )
    assert fout.value.message_dict["bedrag_vastgesteld"] == [
        "Bij vaststelling hoort een vastgesteld bedrag."
    ]


def test_granted_total_counts_granted_and_settled_decisions_only(project):
    BeschikkingFactory(project=project, status="verleend", bedrag=Decimal("1000.10"))
    BeschikkingFactory(
        project=project,
        status="vastgesteld",
        bedrag=Decimal("2000.20"),
        bedrag_vastgesteld=Decimal("1"),
    )
    BeschikkingFactory(project=project, status="aangevraagd", bedrag=Decimal("5000.00"))
    BeschikkingFactory(project=project, status="ingetrokken", bedrag=Decimal("7000.00"))
    assert verleend_totaal(project) == Decimal("3000.30")


# --- tranches ---------------------------------------------------------------------------------


@pytest.fixture
def beschikking(project) -> Beschikking:
    return BeschikkingFactory(project=project, bedrag=Decimal("100000.00"))


def tranche(actor, beschikking, bedrag, **anders):
    return services.tranche_aanmaken(
        actor=actor,
        beschikking=beschikking,
        geplande_datum=date(2025, 4, 1),
        bedrag=bedrag,
        **anders,
    )


def test_tranches_up_to_the_granted_amount_are_numbered_in_order(actor, beschikking):
    for bedrag in ["40000.00", "35000.00", "25000.00"]:
        tranche(actor, beschikking, Decimal(bedrag))
    assert list(beschikking.tranches.values_list("volgnummer", "bedrag")) == [
        (1, Decimal("40000.00")),
        (2, Decimal("35000.00")),
        (3, Decimal("25000.00")),
    ]
    assert [
        r.na["bedrag"] for r in Auditregel.objects.filter(actie="tranche_aanmaken").order_by("id")
    ] == [
        "40000.00",
        "35000.00",
        "25000.00",
    ]


def test_tranches_cannot_exceed_the_grant_by_a_cent(actor, beschikking, niets_opgeslagen):
    tranche(actor, beschikking, Decimal("60000.00"))
    with niets_opgeslagen(Tranche), pytest.raises(ValidationError) as fout:
        tranche(actor, beschikking, Decimal("40000.01"))
    assert fout.value.message_dict["bedrag"] == [
        "De tranches samen (€ 100000.01) overschrijden de beschikking (€ 100000.00)."
    ]


def test_tranche_with_a_condition_names_its_period(actor, beschikking, niets_opgeslagen):
    with niets_opgeslagen(Tranche), pytest.raises(ValidationError) as fout:
        tranche(actor, beschikking, Decimal("1.00"), voorwaarde="verslag_goedgekeurd")
    assert fout.value.message_dict["voorwaarde_periode"] == [
        "Een voorwaarde hoort bij een periode."
    ]


def test_tranche_is_released_then_paid(actor, beschikking):
    t = tranche(
        actor,
        beschikking,
        Decimal("25000.00"),
        voorwaarde="verslag_goedgekeurd",
        voorwaarde_periode="2025-K2",
    )
    services.tranche_vrijgeven(actor=actor, tranche=t, reden="Verslag K2 goedgekeurd")
    services.tranche_vrijgeven(actor=actor, tranche=t, reden="nog eens")  # no second release
    services.tranche_betalen(actor=actor, tranche=t, betaald_op=date(2025, 9, 1))
    t.refresh_from_db()
    assert (t.status, t.vrijgave_reden, t.betaald_op) == (
        "betaald",
        "Verslag K2 goedgekeurd",
        date(2025, 9, 1),
    )
    assert list(
        Auditregel.objects.filter(objecttype="projecten.tranche")
        .order_by("id")
        .values_list("actie", flat=True)
    ) == ["tranche_aanmaken", "tranche_vrijgeven", "tranche_betalen"]


def test_planned_tranche_cannot_be_paid_before_release(actor, beschikking, niets_opgeslagen):
    t = TrancheFactory(beschikking=beschikking)
    with niets_opgeslagen(), pytest.raises(ValidationError) as fout:
        services.tranche_betalen(actor=actor, tranche=t, betaald_op=date(2025, 9, 1))
    assert fout.value.message_dict["status"] == ["De status kan niet van 'Gepland' naar 'Betaald'."]


def test_paid_tranche_cannot_be_paid_again(actor, beschikking, niets_opgeslagen):
    t = TrancheFactory(beschikking=beschikking, status="betaald", betaald_op=date(2025, 5, 1))
    with niets_opgeslagen(), pytest.raises(ValidationError, match="van 'Betaald' naar 'Betaald'"):
        services.tranche_betalen(actor=actor, tranche=t, betaald_op=date(2025, 9, 1))
    assert Tranche.objects.get(pk=t.pk).betaald_op == date(2025, 5, 1)


def test_tranche_of_a_grant_not_yet_granted_is_not_paid(actor, project, niets_opgeslagen):
    t = TrancheFactory(
        beschikking=BeschikkingFactory(project=project, status="aangevraagd"), status="vrijgegeven"
    )
    with niets_opgeslagen(), pytest.raises(ValidationError) as fout:
        services.tranche_betalen(actor=actor, tranche=t, betaald_op=date(2025, 9, 1))
    assert fout.value.message_dict["status"] == [
        "Alleen tranches van een verleende of vastgestelde beschikking worden betaald."
    ]


def test_last_tranche_of_a_settled_grant_is_paid(actor, project):
    beschikking = BeschikkingFactory(
        project=project, status="vastgesteld", bedrag_vastgesteld=Decimal("100000.00")
    )
    t = TrancheFactory(beschikking=beschikking, status="vrijgegeven")
    services.tranche_betalen(actor=actor, tranche=t, betaald_op=date(2026, 9, 1))
    assert Tranche.objects.get(pk=t.pk).status == "betaald"


# --- budget lines and their versions ----------------------------------------------------------


def begroot(actor, project, jaar, kostensoort, bedrag):
    return services.begrotingsregel_vastleggen(
        actor=actor, project=project, jaar=jaar, kostensoort=kostensoort, bedrag=Decimal(bedrag)
    )


def test_budget_revision_is_a_new_version_and_only_the_latest_counts(actor, project):
    origineel = begroot(actor, project, 2025, "personeel", "10000.10")
    herzien = begroot(actor, project, 2025, "personeel", "9999.99")
    assert (origineel.versie, origineel.is_origineel, herzien.versie) == (1, True, 2)
    assert Begrotingsregel.objects.filter(project=project).count() == 2
    assert [(r.jaar, r.kostensoort, r.versie, r.bedrag) for r in geldende_begroting(project)] == [
        (2025, "personeel", 2, Decimal("9999.99")),
    ]
    assert laatste_audit("begroting_vastleggen").na["bedrag"] == "10000.10"
    herziening = laatste_audit("begroting_herzien")
    assert (herziening.na["versie"], herziening.na["bedrag"]) == (2, "9999.99")


def test_budget_total_is_the_sum_of_the_latest_versions_to_the_cent(actor, project):
    begroot(actor, project, 2025, "personeel", "10000.10")
    begroot(actor, project, 2025, "personeel", "9999.99")
    begroot(actor, project, 2025, "activiteiten", "0.01")
    begroot(actor, project, 2026, "personeel", "1234.56")
    begroot(actor, project, 2026, "personeel", "1234.57")
    begroot(actor, project, 2026, "personeel", "1000.00")
    BegrotingsregelFactory(jaar=2025, bedrag=Decimal("555.55"))  # another project's budget

    assert [(r.jaar, r.kostensoort, r.versie) for r in geldende_begroting(project)] == [
        (2025, "activiteiten", 1),
        (2025, "personeel", 2),
        (2026, "personeel", 3),
    ]
    assert begroot_totaal(project) == Decimal("11000.00")


def test_budget_total_is_in_euros_and_cents_on_every_database(actor, project):
    """Summed in the database, the total comes back as cents: 0.10 + 0.20 is 0.30, not a
    float's 0.300000000000000 nor a bare 11000 that a report would print without cents."""
    begroot(actor, project, 2025, "personeel", "0.10")
    begroot(actor, project, 2025, "activiteiten", "0.20")
    assert str(begroot_totaal(project)) == "0.30"


def test_project_without_budget_totals_zero(project):
    assert begroot_totaal(project) == Decimal("0.00")


def test_budget_year_lies_within_the_project(actor, project, niets_opgeslagen):
    with niets_opgeslagen(Begrotingsregel), pytest.raises(ValidationError) as fout:
        begroot(actor, project, 2027, "personeel", "1.00")
    assert fout.value.message_dict["jaar"] == ["Jaar 2027 ligt buiten de projectperiode 2025–2026."]


@pytest.mark.parametrize(("bedrag", "melding"), ONGELDIGE_BEDRAGEN)
def test_budget_amount_is_euros_and_cents(actor, project, niets_opgeslagen, bedrag, melding):
    with niets_opgeslagen(Begrotingsregel), pytest.raises(ValidationError) as fout:
        services.begrotingsregel_vastleggen(
            actor=actor, project=project, jaar=2025, kostensoort="overig", bedrag=bedrag
        )
    assert melding in fout.value.message_dict["bedrag"]


# --- expenditure ------------------------------------------------------------------------------


def test_partner_reports_expenditure_against_a_grant(
    partner_actor, penvoerder, project, beschikking
):
    besteding = services.besteding_indienen(
        actor=partner_actor,
        project=project,
        periode="2025-K2",
        kostensoort="personeel",
        bedrag=Decimal("4312.50"),
        beschikking=beschikking,
        organisatie=penvoerder,
    )
    assert Besteding.objects.get(pk=besteding.pk).bedrag == Decimal("4312.50")
    assert laatste_audit("besteding_indienen").na["bedrag"] == "4312.50"


@pytest.mark.parametrize(("bedrag", "melding"), ONGELDIGE_BEDRAGEN)
def test_expenditure_amount_is_euros_and_cents(actor, project, niets_opgeslagen, bedrag, melding):
    with niets_opgeslagen(Besteding), pytest.raises(ValidationError) as fout:
        services.besteding_indienen(
            actor=actor, project=project, periode="2025-K2", kostensoort="overig", bedrag=bedrag
        )
    assert melding in fout.value.message_dict["bedrag"]


def test_expenditure_outside_the_project_period_is_refused(actor, project, niets_opgeslagen):
    with niets_opgeslagen(Besteding), pytest.raises(ValidationError) as fout:
        services.besteding_indienen(
            actor=actor,
            project=project,
            periode="2026-H2",
            kostensoort="overig",
            bedrag=Decimal("1.00"),
        )
    assert fout.value.message_dict["periode"] == [
        "Periode 2026-H2 valt buiten de projectperiode 15-03-2025 – 30-06-2026."
    ]


def test_expenditure_against_another_projects_grant_is_refused(actor, project, niets_opgeslagen):
    elders = BeschikkingFactory()
    with niets_opgeslagen(Besteding), pytest.raises(ValidationError) as fout:
        services.besteding_indienen(
            actor=actor,
            project=project,
            periode="2025-K2",
            kostensoort="overig",
            bedrag=Decimal("1.00"),
            beschikking=elders,
        )
    assert fout.value.message_dict["beschikking"] == ["De beschikking hoort bij een ander project."]


def test_returned_expenditure_is_corrected_to_a_new_version(actor, partner_actor, project):
    besteding = BestedingFactory(project=project, bedrag=Decimal("1500.00"))
    services.besteding_beoordelen(
        actor=actor, besteding=besteding, besluit="teruggestuurd", toelichting="Factuur mist."
    )
    services.besteding_corrigeren(
        actor=partner_actor, besteding=besteding, versie=1, bedrag=Decimal("1450.25")
    )
    besteding.refresh_from_db()
    assert (besteding.status, besteding.versie, besteding.bedrag) == (
        "ingediend",
        2,
        Decimal("1450.25"),
    )
    regel = laatste_audit("besteding_corrigeren")
    assert (regel.voor["bedrag"], regel.na["bedrag"]) == ("1500.00", "1450.25")
    with pytest.raises(Conflict, match="Versie 1 is verouderd"):
        services.besteding_corrigeren(
            actor=partner_actor, besteding=besteding, versie=1, bedrag=Decimal("1.00")
        )


def test_expenditure_is_approved_once(actor, project, niets_opgeslagen):
    besteding = BestedingFactory(project=project)
    services.besteding_beoordelen(actor=actor, besteding=besteding, besluit="goedgekeurd")
    with (
        niets_opgeslagen(),
        pytest.raises(ValidationError, match="van 'Goedgekeurd' naar 'Goedgekeurd'"),
    ):
        services.besteding_beoordelen(actor=actor, besteding=besteding, besluit="goedgekeurd")


# --- carrying unspent budget into the next year -----------------------------------------------


@pytest.fixture
def envelop(project, thema) -> Budgetenvelop:
    """2025 budget of 1000.00 with 400.00 approved spending charged to the theme, and
    100.00 still awaiting review; the programme allows carrying half of what is left."""
    programma = project.programma
    programma.max_overheveling_percentage = Decimal("50")
    programma.save()
    beschikking = BeschikkingFactory(project=project, thema=thema)
    BestedingFactory(
        project=project,
        beschikking=beschikking,
        periode="2025-K2",
        bedrag=Decimal("400.00"),
        status="goedgekeurd",
    )
    BestedingFactory(
        project=project, beschikking=beschikking, periode="2025-K3", bedrag=Decimal("100.00")
    )
    BestedingFactory(
        project=project,
        beschikking=beschikking,
        periode="2026-K1",
        bedrag=Decimal("900.00"),
        status="goedgekeurd",
    )
    return BudgetenvelopFactory(
        programma=programma, thema=thema, jaar=2025, bedrag=Decimal("1000.00")
    )


def test_carry_over_above_the_programmes_share_of_unspent_budget_is_refused(
    actor, envelop, niets_opgeslagen
):
    with niets_opgeslagen(Budgetenvelop), pytest.raises(ValidationError) as fout:
        services.budget_overhevelen(actor=actor, envelop=envelop, bedrag=Decimal("300.01"))
    assert fout.value.message_dict["bedrag"] == [
        "Er kan hoogstens € 300.00 worden overgeheveld (50.00% van € 600.00 onbesteed)."
    ]


def test_carry_over_within_the_share_lands_in_next_years_envelope(actor, envelop, thema):
    volgende = services.budget_overhevelen(actor=actor, envelop=envelop, bedrag=Decimal("300.00"))
    volgende.refresh_from_db()
    assert (volgende.jaar, volgende.thema, volgende.bedrag, volgende.overheveling_in) == (
        2026,
        thema,
        Decimal("0.00"),
        Decimal("300.00"),
    )
    assert volgende.beschikbaar == Decimal("300.00")
    regel = laatste_audit("budget_overhevelen")
    assert (regel.object_id, regel.voor["overheveling_in"], regel.na["overheveling_in"]) == (
        str(volgende.pk),
        "0.00",
        "300.00",
    )


def test_carry_over_keeps_next_years_own_budget(actor, envelop, thema):
    BudgetenvelopFactory(
        programma=envelop.programma, thema=thema, jaar=2026, bedrag=Decimal("800.00")
    )
    volgende = services.budget_overhevelen(actor=actor, envelop=envelop, bedrag=Decimal("0.50"))
    assert Budgetenvelop.objects.get(pk=volgende.pk).beschikbaar == Decimal("800.50")


def test_full_carry_over_when_the_programme_allows_all(actor, thema):
    programma = thema.programma
    envelop = BudgetenvelopFactory(
        programma=programma, thema=thema, jaar=2030, bedrag=Decimal("123.45")
    )
    volgende = services.budget_overhevelen(actor=actor, envelop=envelop, bedrag=Decimal("123.45"))
    assert volgende.overheveling_in == Decimal("123.45")


def test_no_carry_over_beyond_the_last_programme_year(actor, niets_opgeslagen):
    programma = ProgrammaFactory(startjaar=2022, eindjaar=2025)
    envelop = BudgetenvelopFactory(programma=programma, jaar=2025)
    with niets_opgeslagen(Budgetenvelop), pytest.raises(ValidationError) as fout:
        services.budget_overhevelen(actor=actor, envelop=envelop, bedrag=Decimal("1.00"))
    assert fout.value.message_dict["jaar"] == [
        "Jaar 2026 ligt buiten de programmaperiode 2022–2025."
    ]


def test_negative_carry_over_is_refused_and_creates_no_envelope(actor, envelop, niets_opgeslagen):
    with niets_opgeslagen(Budgetenvelop), pytest.raises(ValidationError) as fout:
        services.budget_overhevelen(actor=actor, envelop=envelop, bedrag=Decimal("-1.00"))
    assert fout.value.message_dict["overheveling_in"] == ["Een bedrag mag niet negatief zijn."]
