"""Locked periods: once the programme office closes a period, nothing is submitted or
corrected for it, for one project or for the whole programme."""

from decimal import Decimal

import pytest

from programma.fouten import Bulkfouten, Conflict
from programma.models import Auditregel
from projecten import services
from projecten.models import Besteding, Meting, Periodevergrendeling, Voortgangsverslag
from tests.projecten.factories import IndicatorFactory, MetingFactory, ProjectFactory

pytestmark = pytest.mark.django_db

VERGRENDELD = "Periode 2025-K2 is vergrendeld: er kan niets meer worden ingediend of gewijzigd."


@pytest.fixture
def k2_dicht(actor, project):
    return services.periode_vergrendelen(
        actor=actor, programma=project.programma, project=project, periode="2025-K2"
    )


def test_locking_is_audited_and_locking_again_changes_nothing(actor, project, k2_dicht):
    opnieuw = services.periode_vergrendelen(
        actor=actor, programma=project.programma, project=project, periode="2025-K2"
    )
    assert opnieuw.pk == k2_dicht.pk
    assert Auditregel.objects.filter(actie="periode_vergrendelen").count() == 1
    assert k2_dicht.vergrendeld_door == actor.gebruiker


def test_no_submissions_for_a_locked_quarter(actor, project, indicator, k2_dicht, niets_opgeslagen):
    with niets_opgeslagen(Meting, Besteding, Voortgangsverslag):
        with pytest.raises(Conflict) as fout:
            services.meting_indienen(
                actor=actor, indicator=indicator, periode="2025-K2", waarde=Decimal("1")
            )
        assert str(fout.value) == VERGRENDELD
        with pytest.raises(Conflict, match="vergrendeld"):
            services.besteding_indienen(
                actor=actor,
                project=project,
                periode="2025-K2",
                kostensoort="overig",
                bedrag=Decimal("1.00"),
            )
        with pytest.raises(Conflict, match="vergrendeld"):
            services.voortgangsverslag_indienen(
                actor=actor, project=project, periode="2025-K2", samenvatting="Te laat."
            )


def test_a_month_or_year_overlapping_a_locked_quarter_is_locked_too(
    actor, indicator, k2_dicht, niets_opgeslagen
):
    for periode in ("2025-05", "2025-H1", "2025"):
        with niets_opgeslagen(Meting), pytest.raises(Conflict, match="2025-K2 is vergrendeld"):
            services.meting_indienen(
                actor=actor, indicator=indicator, periode=periode, waarde=Decimal("1")
            )
    # the next quarter is still open
    assert services.meting_indienen(
        actor=actor, indicator=indicator, periode="2025-K3", waarde=Decimal("1")
    ).pk


def test_no_correction_in_a_locked_quarter(actor, indicator, niets_opgeslagen):
    meting = MetingFactory(indicator=indicator, periode="2025-K2", status="teruggestuurd")
    services.periode_vergrendelen(
        actor=actor, programma=indicator.doel.project.programma, periode="2025-K2"
    )
    with niets_opgeslagen(Meting), pytest.raises(Conflict, match="vergrendeld"):
        services.meting_corrigeren(actor=actor, meting=meting, waarde=Decimal("2"))
    assert Meting.objects.get(pk=meting.pk).versie == 1


def test_programme_wide_lock_applies_to_every_project_of_the_programme(actor, project):
    ander_project = ProjectFactory(programma=project.programma)
    elders = ProjectFactory()  # another programme
    services.periode_vergrendelen(actor=actor, programma=project.programma, periode="2025")
    for p in (project, ander_project):
        with pytest.raises(Conflict, match="Periode 2025 is vergrendeld"):
            services.meting_indienen(
                actor=actor,
                indicator=IndicatorFactory(doel__project=p),
                periode="2025-K4",
                waarde=Decimal("1"),
            )
    assert services.meting_indienen(
        actor=actor,
        indicator=IndicatorFactory(doel__project=elders),
        periode="2025-K4",
        waarde=Decimal("1"),
    ).pk


def test_project_lock_leaves_other_projects_open(actor, project, k2_dicht):
    buur = IndicatorFactory(doel__project=ProjectFactory(programma=project.programma))
    assert services.meting_indienen(
        actor=actor, indicator=buur, periode="2025-K2", waarde=Decimal("1")
    ).pk


def test_batch_names_the_items_in_a_locked_period(actor, indicator, k2_dicht, niets_opgeslagen):
    items = [
        {"indicator": indicator, "periode": "2025-K3", "waarde": Decimal("1")},
        {"indicator": indicator, "periode": "2025-K2", "waarde": Decimal("1")},
    ]
    with niets_opgeslagen(Meting), pytest.raises(Bulkfouten) as fout:
        services.metingen_indienen(actor=actor, items=items)
    assert fout.value.fouten == [{"index": 1, "veld": "periode", "melding": VERGRENDELD}]


def test_unlocking_reopens_the_period_and_is_audited(actor, indicator, k2_dicht):
    services.periode_ontgrendelen(actor=actor, vergrendeling=k2_dicht)
    assert not Periodevergrendeling.objects.exists()
    regel = Auditregel.objects.get(actie="periode_ontgrendelen")
    assert (regel.voor["periode"], regel.na) == ("2025-K2", None)
    assert services.meting_indienen(
        actor=actor, indicator=indicator, periode="2025-K2", waarde=Decimal("1")
    ).pk
