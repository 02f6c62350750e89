"""Indicators, targets and the measurements partners submit against them, and their review."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programma.fouten import Bulkfouten, Conflict, NietGevonden, VersieVerouderd
from programma.models import Auditregel
from projecten import services
from projecten.models import Beoordeling, Indicator, Meting, Streefwaarde
from tests.programma.factories import OrganisatieFactory
from tests.projecten.factories import IndicatorFactory, MetingFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def percentage(project) -> Indicator:
    return IndicatorFactory(
        doel__project=project,
        naam="Deelnemers die zich gesteund voelen",
        eenheid="percentage",
        aggregatie="gemiddelde",
    )


# --- indicators and targets ----------------------------------------------------------------


def test_cumulative_indicator_cannot_aggregate_by_sum(actor, project, niets_opgeslagen):
    doel = IndicatorFactory(doel__project=project).doel
    with niets_opgeslagen(Indicator), pytest.raises(ValidationError) as fout:
        services.indicator_aanmaken(
            actor=actor, doel=doel, naam="Totaal bereikt", cumulatief=True, aggregatie="som"
        )
    assert fout.value.message_dict["aggregatie"] == [
        "Een cumulatieve indicator wordt niet over perioden opgeteld: kies 'laatste waarde'."
    ]


def test_cumulative_indicator_with_last_value_is_accepted(actor, project):
    doel = IndicatorFactory(doel__project=project).doel
    indicator = services.indicator_aanmaken(
        actor=actor,
        doel=doel,
        naam="Totaal bereikt",
        cumulatief=True,
        aggregatie="laatste",
        streefwaarden={"2025": Decimal("40"), "2026": Decimal("90")},
    )
    assert dict(indicator.streefwaarden.values_list("periode", "waarde")) == {
        "2025": Decimal("40"),
        "2026": Decimal("90"),
    }


def test_indicator_with_a_target_outside_the_programme_years_is_not_saved(
    actor, project, niets_opgeslagen
):
    doel = IndicatorFactory(doel__project=project).doel
    with niets_opgeslagen(Indicator, Streefwaarde), pytest.raises(ValidationError) as fout:
        services.indicator_aanmaken(
            actor=actor,
            doel=doel,
            naam="Huishoudens",
            streefwaarden={"2025-K4": Decimal("10"), "2041-K1": Decimal("5")},
        )
    assert fout.value.message_dict["periode"] == [
        "Jaar 2041 ligt buiten de programmaperiode 2022–2040."
    ]


def test_targets_are_all_saved_or_none(actor, percentage, niets_opgeslagen):
    with niets_opgeslagen(Streefwaarde), pytest.raises(ValidationError) as fout:
        services.streefwaarden_vastleggen(
            actor=actor,
            indicator=percentage,
            waarden={"2025": Decimal("50"), "2026": Decimal("101")},
        )
    assert fout.value.message_dict["waarde"] == ["Een percentage ligt tussen 0 en 100."]


def test_changing_a_target_records_old_and_new_value(actor, indicator):
    services.streefwaarden_vastleggen(
        actor=actor, indicator=indicator, waarden={"2025": Decimal("40")}
    )
    services.streefwaarden_vastleggen(
        actor=actor, indicator=indicator, waarden={"2025": Decimal("45.5")}
    )
    assert indicator.streefwaarden.get().waarde == Decimal("45.5")
    regel = Auditregel.objects.get(actie="streefwaarde_wijzigen")
    assert (regel.voor["waarde"], regel.na["waarde"]) == ("40.0000", "45.5")


def test_indicator_cannot_count_for_a_programme_indicator_of_another_programme(
    actor, project, niets_opgeslagen
):
    from programma.models import Programmaindicator
    from tests.programma.factories import ProgrammaFactory

    ander = Programmaindicator.objects.create(programma=ProgrammaFactory(), code="x", naam="Elders")
    doel = IndicatorFactory(doel__project=project).doel
    with niets_opgeslagen(Indicator), pytest.raises(ValidationError) as fout:
        services.indicator_aanmaken(
            actor=actor, doel=doel, naam="Bereik", programma_indicator=ander
        )
    assert fout.value.message_dict["programma_indicator"] == [
        "De programma-indicator hoort bij een ander programma."
    ]


# --- one measurement -------------------------------------------------------------------------


def test_partner_submits_a_measurement_that_awaits_review(partner_actor, indicator, penvoerder):
    meting = services.meting_indienen(
        actor=partner_actor,
        indicator=indicator,
        periode="2025-K2",
        waarde=Decimal("17"),
        toelichting="Na de zomer meer.",
        organisatie=penvoerder,
    )
    meting.refresh_from_db()
    assert (meting.status, meting.versie, meting.waarde) == (
        Beoordeling.INGEDIEND,
        1,
        Decimal("17"),
    )
    assert (meting.ingediend_door, meting.ingediend_door_organisatie) == (
        partner_actor.gebruiker,
        penvoerder,
    )
    regel = Auditregel.objects.get(actie="meting_indienen")
    assert (regel.gebruiker, regel.object_id, regel.na["waarde"]) == (
        partner_actor.gebruiker,
        str(meting.pk),
        "17",
    )


def test_measurement_for_a_period_that_only_partly_overlaps_the_project_is_accepted(
    actor, indicator
):
    # The project starts on 15 March 2025: the first quarter is partly inside it.
    assert services.meting_indienen(
        actor=actor, indicator=indicator, periode="2025-K1", waarde=Decimal("2")
    ).pk


@pytest.mark.parametrize("periode", ["2024-K4", "2026-K3", "2027", "2025-02"])
def test_measurement_outside_the_project_period_is_refused(
    actor, indicator, niets_opgeslagen, periode
):
    with niets_opgeslagen(Meting), pytest.raises(ValidationError) as fout:
        services.meting_indienen(
            actor=actor, indicator=indicator, periode=periode, waarde=Decimal("2")
        )
    assert fout.value.message_dict["periode"] == [
        f"Periode {periode} valt buiten de projectperiode 15-03-2025 – 30-06-2026."
    ]


@pytest.mark.parametrize(
    ("waarde", "melding"),
    [
        (Decimal("100.01"), "Een percentage ligt tussen 0 en 100."),
        (Decimal("-1"), "Een percentage ligt tussen 0 en 100."),
    ],
)
def test_percentage_measurement_lies_between_0_and_100(
    actor, percentage, niets_opgeslagen, waarde, melding
):
    with niets_opgeslagen(Meting), pytest.raises(ValidationError) as fout:
        services.meting_indienen(
            actor=actor, indicator=percentage, periode="2025-K2", waarde=waarde
        )
    assert fout.value.message_dict["waarde"] == [melding]


@pytest.mark.parametrize("waarde", ["0", "100", "63.5"])
def test_percentage_measurement_on_the_bounds_is_accepted(actor, percentage, waarde):
    meting = services.meting_indienen(
        actor=actor, indicator=percentage, periode="2025-K2", waarde=Decimal(waarde)
    )
    assert Meting.objects.get(pk=meting.pk).waarde == Decimal(waarde)


def test_count_cannot_be_negative(actor, indicator, niets_opgeslagen):
    with niets_opgeslagen(Meting), pytest.raises(ValidationError) as fout:
        services.meting_indienen(
            actor=actor, indicator=indicator, periode="2025-K2", waarde=Decimal("-3")
        )
    assert fout.value.message_dict["waarde"] == ["Een aantal kan niet negatief zijn."]


def test_second_measurement_for_the_same_period_is_a_conflict(actor, indicator, niets_opgeslagen):
    services.meting_indienen(
        actor=actor, indicator=indicator, periode="2025-K2", waarde=Decimal("2")
    )
    with (
        niets_opgeslagen(Meting),
        pytest.raises(Conflict, match="al een meting ingediend; corrigeer die"),
    ):
        services.meting_indienen(
            actor=actor, indicator=indicator, periode="2025-K2", waarde=Decimal("3")
        )


def test_same_period_written_with_other_digits_is_not_a_second_period(
    actor, indicator, niets_opgeslagen
):
    """Fullwidth digits (as some keyboards and PDFs produce) name no other quarter: the
    code is refused rather than stored beside 2025-K2."""
    services.meting_indienen(
        actor=actor, indicator=indicator, periode="2025-K2", waarde=Decimal("2")
    )
    with niets_opgeslagen(Meting), pytest.raises((ValidationError, Conflict)):
        services.meting_indienen(
            actor=actor,
            indicator=indicator,
            periode="\uff12\uff10\uff12\uff15-K2",
            waarde=Decimal("3"),
        )


def test_organisation_outside_the_project_cannot_submit_and_learns_nothing(
    actor, indicator, niets_opgeslagen
):
    buitenstaander = OrganisatieFactory(naam="Andere stichting")
    with niets_opgeslagen(Meting), pytest.raises(NietGevonden, match=r"Project niet gevonden\."):
        services.meting_indienen(
            actor=actor,
            indicator=indicator,
            periode="2025-K2",
            waarde=Decimal("2"),
            organisatie=buitenstaander,
        )


# --- a batch of measurements ------------------------------------------------------------------


def batch(indicator, percentage):
    return [
        {
            "indicator": indicator,
            "periode": "2025-K2",
            "waarde": Decimal("10"),
            "bron": "registratie",
        },
        {"indicator": percentage, "periode": "2025-K2", "waarde": Decimal("64.5")},
        {
            "indicator": indicator,
            "periode": "2025-K3",
            "waarde": Decimal("12"),
            "uitsplitsing": {"18-27": 5},
        },
    ]


def test_batch_is_stored_with_one_audit_row_per_measurement(
    partner_actor, penvoerder, indicator, percentage
):
    metingen = services.metingen_indienen(
        actor=partner_actor, items=batch(indicator, percentage), organisatie=penvoerder
    )
    opgeslagen = Meting.objects.order_by("pk")
    assert [(m.indicator_id, m.periode, m.waarde) for m in opgeslagen] == [
        (indicator.pk, "2025-K2", Decimal("10")),
        (percentage.pk, "2025-K2", Decimal("64.5")),
        (indicator.pk, "2025-K3", Decimal("12")),
    ]
    assert all(m.ingediend_door_organisatie == penvoerder and m.versie == 1 for m in opgeslagen)
    regels = Auditregel.objects.filter(actie="meting_indienen")
    assert sorted(regels.values_list("object_id", flat=True)) == sorted(str(m.pk) for m in metingen)
    assert {r.na["waarde"] for r in regels} == {"10", "64.5", "12"}
    assert all(r.gebruiker == partner_actor.gebruiker for r in regels)


def test_batch_with_a_bad_item_in_the_middle_stores_nothing(
    actor, indicator, percentage, niets_opgeslagen
):
    items = batch(indicator, percentage)
    items[1]["waarde"] = Decimal("120")
    with niets_opgeslagen(Meting), pytest.raises(Bulkfouten) as fout:
        services.metingen_indienen(actor=actor, items=items)
    assert fout.value.fouten == [
        {"index": 1, "veld": "waarde", "melding": "Een percentage ligt tussen 0 en 100."}
    ]
    assert str(fout.value) == "1 fout(en) in de batch; er is niets opgeslagen."


def test_batch_names_every_bad_item_at_once(actor, indicator, percentage, niets_opgeslagen):
    MetingFactory(indicator=indicator, periode="2025-K4")
    items = [
        *batch(indicator, percentage),
        {
            "indicator": indicator,
            "periode": "2024-K4",
            "waarde": Decimal("1"),
        },  # before the project
        {
            "indicator": indicator,
            "periode": "2025-K2",
            "waarde": Decimal("1"),
        },  # twice in this batch
        {"indicator": indicator, "periode": "2025-K4", "waarde": Decimal("1")},  # already submitted
        {"indicator": indicator, "periode": "2026-K1", "waarde": Decimal("-1")},
    ]
    with niets_opgeslagen(Meting), pytest.raises(Bulkfouten) as fout:
        services.metingen_indienen(actor=actor, items=items)
    assert [(f["index"], f["veld"]) for f in fout.value.fouten] == [
        (3, "periode"),
        (4, "periode"),
        (5, "periode"),
        (6, "waarde"),
    ]
    assert (
        fout.value.fouten[0]["melding"]
        == "Periode 2024-K4 valt buiten de projectperiode 15-03-2025 – 30-06-2026."
    )
    assert fout.value.fouten[3]["melding"] == "Een aantal kan niet negatief zijn."


def test_batch_error_for_a_malformed_period_names_the_period_field_once(
    actor, indicator, percentage, niets_opgeslagen
):
    items = batch(indicator, percentage)
    items[2]["periode"] = "2025-K5"
    with niets_opgeslagen(Meting), pytest.raises(Bulkfouten) as fout:
        services.metingen_indienen(actor=actor, items=items)
    assert fout.value.fouten == [
        {
            "index": 2,
            "veld": "periode",
            "melding": "Ongeldige periode '2025-K5': gebruik JJJJ, JJJJ-H1/H2, JJJJ-K1..K4 of JJJJ-MM.",
        }
    ]


def test_batch_with_a_value_that_is_not_a_number_is_refused_item_by_item(
    actor, indicator, percentage, niets_opgeslagen
):
    items = batch(indicator, percentage)
    items[1]["waarde"] = "veel"
    with niets_opgeslagen(Meting), pytest.raises(Bulkfouten) as fout:
        services.metingen_indienen(actor=actor, items=items)
    assert [(f["index"], f["veld"]) for f in fout.value.fouten] == [(1, "waarde")]


def test_batch_for_another_organisations_project_reveals_nothing(
    actor, indicator, percentage, niets_opgeslagen
):
    eigen = IndicatorFactory(
        doel__project=ProjectFactory(penvoerder=OrganisatieFactory(naam="Eigen org"))
    )
    items = [
        {"indicator": eigen, "periode": "2025-K2", "waarde": Decimal("1")},
        *batch(indicator, percentage),
    ]
    with niets_opgeslagen(Meting), pytest.raises(Bulkfouten) as fout:
        services.metingen_indienen(
            actor=actor, items=items, organisatie=eigen.doel.project.penvoerder
        )
    assert fout.value.fouten == [
        {"index": i, "veld": "indicator", "melding": "Indicator niet gevonden."} for i in (1, 2, 3)
    ]


def test_batch_for_a_closed_project_is_refused(actor, niets_opgeslagen):
    indicator = IndicatorFactory(doel__project=ProjectFactory(status="gestopt", code="gestopt-1"))
    with niets_opgeslagen(Meting), pytest.raises(Bulkfouten) as fout:
        services.metingen_indienen(
            actor=actor,
            items=[{"indicator": indicator, "periode": "2025-K2", "waarde": Decimal("1")}],
        )
    assert fout.value.fouten == [
        {"index": 0, "veld": "indicator", "melding": "Project gestopt-1 is gesloten."}
    ]


# --- review and correction --------------------------------------------------------------------


@pytest.fixture
def meting(indicator) -> Meting:
    return MetingFactory(indicator=indicator, periode="2025-K2", waarde=Decimal("10"))


def test_manager_approves_a_measurement(actor, meting):
    services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")
    meting.refresh_from_db()
    assert (meting.status, meting.beoordeeld_door) == (Beoordeling.GOEDGEKEURD, actor.gebruiker)
    assert meting.beoordeeld_op is not None
    regel = Auditregel.objects.get(actie="meting_beoordelen")
    assert (regel.voor["status"], regel.na["status"]) == ("ingediend", "goedgekeurd")


def test_approving_twice_is_refused(actor, meting, niets_opgeslagen):
    services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")
    with niets_opgeslagen(), pytest.raises(ValidationError) as fout:
        services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")
    assert fout.value.message_dict["status"] == [
        "De status kan niet van 'Goedgekeurd' naar 'Goedgekeurd'."
    ]


def test_returning_needs_an_explanation(actor, meting, niets_opgeslagen):
    with niets_opgeslagen(), pytest.raises(ValidationError) as fout:
        services.meting_beoordelen(
            actor=actor, meting=meting, besluit="teruggestuurd", toelichting="  "
        )
    assert fout.value.message_dict["beoordeling_toelichting"] == [
        "Geef bij terugsturen aan wat er moet veranderen."
    ]
    assert Meting.objects.get(pk=meting.pk).status == Beoordeling.INGEDIEND


def test_returned_measurement_must_be_corrected_before_approval(actor, meting):
    services.meting_beoordelen(
        actor=actor, meting=meting, besluit="teruggestuurd", toelichting="Bron ontbreekt."
    )
    with pytest.raises(ValidationError, match="van 'Teruggestuurd' naar 'Goedgekeurd'"):
        services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")


def test_correcting_a_returned_measurement_bumps_its_version_and_sends_it_back_for_review(
    actor, partner_actor, meting
):
    services.meting_beoordelen(
        actor=actor, meting=meting, besluit="teruggestuurd", toelichting="Bron ontbreekt."
    )
    services.meting_corrigeren(
        actor=partner_actor, meting=meting, versie=1, waarde=Decimal("11"), bron="CRM"
    )
    meting.refresh_from_db()
    assert (meting.status, meting.versie, meting.waarde, meting.bron) == (
        Beoordeling.INGEDIEND,
        2,
        Decimal("11"),
        "CRM",
    )
    assert (meting.beoordeeld_door, meting.beoordeeld_op) == (None, None)
    regel = Auditregel.objects.get(actie="meting_corrigeren")
    assert (regel.voor["versie"], regel.na["versie"]) == (1, 2)
    assert (regel.voor["waarde"], regel.na["waarde"]) == ("10.0000", "11")
    # and it can now be approved
    services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")


def test_correction_with_a_stale_version_is_a_conflict(actor, meting, niets_opgeslagen):
    services.meting_corrigeren(actor=actor, meting=meting, versie=1, waarde=Decimal("11"))
    with niets_opgeslagen(), pytest.raises(VersieVerouderd) as fout:
        services.meting_corrigeren(actor=actor, meting=meting, versie=1, waarde=Decimal("12"))
    assert str(fout.value) == "Versie 1 is verouderd; de huidige versie is 2."
    assert Meting.objects.get(pk=meting.pk).waarde == Decimal("11")


def test_approved_measurement_cannot_be_corrected(actor, meting, niets_opgeslagen):
    services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")
    with niets_opgeslagen(), pytest.raises(Conflict, match="goedgekeurde inzending kan niet meer"):
        services.meting_corrigeren(actor=actor, meting=meting, waarde=Decimal("99"))


def test_correction_is_validated_like_a_submission(actor, meting, niets_opgeslagen):
    with niets_opgeslagen(), pytest.raises(ValidationError) as fout:
        services.meting_corrigeren(actor=actor, meting=meting, waarde=Decimal("-1"))
    assert fout.value.message_dict["waarde"] == ["Een aantal kan niet negatief zijn."]
    assert Meting.objects.get(pk=meting.pk).versie == 1


def test_another_organisation_cannot_correct_a_measurement(actor, meting, niets_opgeslagen):
    with niets_opgeslagen(), pytest.raises(NietGevonden):
        services.meting_corrigeren(
            actor=actor, meting=meting, organisatie=OrganisatieFactory(), waarde=Decimal("1")
        )


def test_only_value_explanation_source_and_breakdown_can_be_corrected(
    actor, meting, niets_opgeslagen
):
    with niets_opgeslagen(), pytest.raises(ValidationError, match=r"Onbekende velden: periode\."):
        services.meting_corrigeren(actor=actor, meting=meting, periode="2025-K3")
