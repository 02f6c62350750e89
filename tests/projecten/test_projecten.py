"""Registering an intervention, moving it through its lifecycle, and closing it."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programma.fouten import Conflict
from programma.models import Auditregel
from projecten import services
from projecten.models import (
    Begrotingsregel,
    Beschikking,
    Besteding,
    Doel,
    Indicator,
    Meting,
    Project,
    Projectpartner,
    Rapportageverplichting,
    Streefwaarde,
    Voortgangsverslag,
)
from tests.programma.factories import FocusgebiedFactory, OrganisatieFactory, ThemaFactory
from tests.projecten.factories import (
    BeschikkingFactory,
    BestedingFactory,
    DoelFactory,
    IndicatorFactory,
    MetingFactory,
    ProjectFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db

PROJECTRIJEN = (Project, Projectpartner, Rapportageverplichting)


def nieuw_project(actor, programma, penvoerder, **anders):
    velden = {
        "actor": actor,
        "programma": programma,
        "code": "buurtcoach",
        "titel": "Buurtcoaches in Nieuw-West",
        "penvoerder": penvoerder,
        "startdatum": date(2025, 3, 15),
        "einddatum": date(2026, 6, 30),
    }
    return services.project_aanmaken(**(velden | anders))


# --- registering ------------------------------------------------------------------------


def test_project_is_registered_with_partners_themes_and_focus_areas(
    actor, programma, thema, focusgebied, penvoerder
):
    gemeente = OrganisatieFactory(
        naam="Gemeente Amsterdam", soort="gemeente", gemeentecode="GM0363"
    )
    corporatie = OrganisatieFactory(naam="Woonstichting De Key", soort="woningcorporatie")
    project = nieuw_project(
        actor,
        programma,
        penvoerder,
        themas=[thema],
        focusgebieden=[focusgebied],
        partners=[
            (gemeente, "medefinancier"),
            (corporatie, "uitvoerder"),
            (penvoerder, "uitvoerder"),
        ],
    )
    assert project.status == Project.Status.CONCEPT
    assert list(project.themas.all()) == [thema]
    assert list(project.focusgebieden.all()) == [focusgebied]
    # The lead organisation is always a partner, as penvoerder, even when also listed otherwise.
    assert dict(project.partners.values_list("organisatie__naam", "rol")) == {
        "Stichting Doras": "penvoerder",
        "Gemeente Amsterdam": "medefinancier",
        "Woonstichting De Key": "uitvoerder",
    }
    assert (
        Auditregel.objects.filter(actie="project_aanmaken", object_id=str(project.pk)).count() == 1
    )
    assert Auditregel.objects.filter(actie="projectpartner_toevoegen").count() == 3
    assert project.verplichtingen.exists()


@pytest.mark.parametrize("wat", ["thema", "focusgebied"])
def test_project_with_a_theme_or_focus_area_of_another_programme_leaves_nothing(
    actor, programma, penvoerder, niets_opgeslagen, wat
):
    anders = (
        {"themas": [ThemaFactory()]}
        if wat == "thema"
        else {"focusgebieden": [FocusgebiedFactory()]}
    )
    with niets_opgeslagen(*PROJECTRIJEN), pytest.raises(ValidationError) as fout:
        nieuw_project(
            actor, programma, penvoerder, partners=[(OrganisatieFactory(), "uitvoerder")], **anders
        )
    veld = "themas" if wat == "thema" else "focusgebieden"
    assert fout.value.message_dict[veld] == [f"Een {wat} hoort bij een ander programma."]


def test_project_with_an_invalid_partner_role_leaves_nothing(
    actor, programma, penvoerder, niets_opgeslagen
):
    with niets_opgeslagen(*PROJECTRIJEN), pytest.raises(ValidationError) as fout:
        nieuw_project(actor, programma, penvoerder, partners=[(OrganisatieFactory(), "baas")])
    assert "rol" in fout.value.message_dict


@pytest.mark.parametrize(
    ("start", "einde", "veld", "melding"),
    [
        (
            date(2025, 6, 1),
            date(2025, 5, 31),
            "einddatum",
            "De einddatum ligt niet voor de startdatum.",
        ),
        (
            date(2021, 12, 31),
            date(2025, 1, 1),
            "startdatum",
            "De startdatum ligt buiten de programmaperiode 2022–2040.",
        ),
        (
            date(2039, 1, 1),
            date(2041, 1, 1),
            "einddatum",
            "De einddatum ligt na het einde van het programma (2040).",
        ),
    ],
)
def test_project_dates_lie_within_the_programme(
    actor, programma, penvoerder, niets_opgeslagen, start, einde, veld, melding
):
    with niets_opgeslagen(*PROJECTRIJEN), pytest.raises(ValidationError) as fout:
        nieuw_project(actor, programma, penvoerder, startdatum=start, einddatum=einde)
    assert fout.value.message_dict[veld] == [melding]


def test_project_code_is_unique_within_its_programme(
    actor, programma, penvoerder, niets_opgeslagen
):
    nieuw_project(actor, programma, penvoerder)
    with niets_opgeslagen(*PROJECTRIJEN), pytest.raises(ValidationError):
        nieuw_project(actor, programma, penvoerder, titel="Nog eens")


def test_adding_the_same_partner_twice_is_refused(actor, project, penvoerder, niets_opgeslagen):
    with niets_opgeslagen(Projectpartner), pytest.raises(ValidationError) as fout:
        services.projectpartner_toevoegen(
            actor=actor, project=project, organisatie=penvoerder, rol="uitvoerder"
        )
    assert fout.value.message_dict["organisatie"] == [
        "Stichting Doras is al partner in dit project."
    ]


def test_changing_an_unknown_project_field_is_refused(actor, project, niets_opgeslagen):
    with (
        niets_opgeslagen(Project),
        pytest.raises(ValidationError, match=r"Onbekende velden: programma\."),
    ):
        services.project_wijzigen(actor=actor, project=project, programma=None)


# --- lifecycle ----------------------------------------------------------------------------


def test_project_moves_from_concept_to_completed_with_an_audit_row_per_step(
    actor, programma, penvoerder
):
    project = nieuw_project(actor, programma, penvoerder)
    for status in ["ingediend", "toegekend", "lopend", "afgerond"]:
        project = services.project_status_wijzigen(actor=actor, project=project, status=status)
    assert Project.objects.get(pk=project.pk).status == "afgerond"
    stappen = Auditregel.objects.filter(actie="project_status_wijzigen").order_by("id")
    assert [(r.voor["status"], r.na["status"]) for r in stappen] == [
        ("concept", "ingediend"),
        ("ingediend", "toegekend"),
        ("toegekend", "lopend"),
        ("lopend", "afgerond"),
    ]


@pytest.mark.parametrize(
    ("van", "naar", "melding"),
    [
        ("concept", "lopend", "De status kan niet van 'Concept' naar 'Lopend'."),
        ("concept", "afgerond", "De status kan niet van 'Concept' naar 'Afgerond'."),
        ("toegekend", "ingediend", "De status kan niet van 'Toegekend' naar 'Ingediend'."),
        ("lopend", "concept", "De status kan niet van 'Lopend' naar 'Concept'."),
        ("afgerond", "lopend", "De status kan niet van 'Afgerond' naar 'Lopend'."),
        ("gestopt", "lopend", "De status kan niet van 'Gestopt' naar 'Lopend'."),
        ("afgerond", "gestopt", "De status kan niet van 'Afgerond' naar 'Gestopt'."),
    ],
)
def test_project_status_only_follows_the_lifecycle(actor, niets_opgeslagen, van, naar, melding):
    project = ProjectFactory(status=van)
    with niets_opgeslagen(), pytest.raises(ValidationError) as fout:
        services.project_status_wijzigen(actor=actor, project=project, status=naar)
    assert fout.value.message_dict["status"] == [melding]
    assert Project.objects.get(pk=project.pk).status == van


@pytest.mark.parametrize("van", ["concept", "ingediend", "toegekend", "lopend"])
def test_project_can_be_stopped_from_any_open_status(actor, van):
    project = ProjectFactory(status=van)
    assert (
        services.project_status_wijzigen(actor=actor, project=project, status="gestopt").status
        == "gestopt"
    )


# --- a closed project -------------------------------------------------------------------------

GESLOTEN = ["afgerond", "gestopt"]


@pytest.fixture(params=GESLOTEN)
def gesloten_project(request, penvoerder):
    return ProjectFactory(status=request.param, penvoerder=penvoerder)


def test_no_measurement_for_a_closed_project(actor, gesloten_project, niets_opgeslagen):
    indicator = IndicatorFactory(doel__project=gesloten_project)
    with niets_opgeslagen(Meting), pytest.raises(Conflict) as fout:
        services.meting_indienen(
            actor=actor, indicator=indicator, periode="2025-K2", waarde=Decimal("3")
        )
    assert str(fout.value) == (
        f"Project {gesloten_project.code} is {gesloten_project.status}: er kan niets meer bij."
    )


def test_no_expenditure_for_a_closed_project(actor, gesloten_project, niets_opgeslagen):
    with niets_opgeslagen(Besteding), pytest.raises(Conflict, match="er kan niets meer bij"):
        services.besteding_indienen(
            actor=actor,
            project=gesloten_project,
            periode="2025-K2",
            kostensoort="personeel",
            bedrag=Decimal("10.00"),
        )


def test_no_progress_report_for_a_closed_project(actor, gesloten_project, niets_opgeslagen):
    with (
        niets_opgeslagen(Voortgangsverslag),
        pytest.raises(Conflict, match="er kan niets meer bij"),
    ):
        services.voortgangsverslag_indienen(
            actor=actor, project=gesloten_project, periode="2025-K2", samenvatting="Gaat goed."
        )


def test_no_corrections_for_a_closed_project(actor, gesloten_project, niets_opgeslagen):
    meting = MetingFactory(indicator__doel__project=gesloten_project, status="teruggestuurd")
    besteding = BestedingFactory(project=gesloten_project, status="teruggestuurd")
    verslag = VoortgangsverslagFactory(project=gesloten_project, status="teruggestuurd")
    with niets_opgeslagen(Meting, Besteding, Voortgangsverslag):
        with pytest.raises(Conflict):
            services.meting_corrigeren(actor=actor, meting=meting, waarde=Decimal("4"))
        with pytest.raises(Conflict):
            services.besteding_corrigeren(actor=actor, besteding=besteding, bedrag=Decimal("4.00"))
        with pytest.raises(Conflict):
            services.voortgangsverslag_corrigeren(
                actor=actor, verslag=verslag, samenvatting="Beter."
            )
    assert Meting.objects.get(pk=meting.pk).versie == 1


@pytest.mark.parametrize(
    "schrijf",
    [
        pytest.param(
            lambda a, p, d, i, o: services.doel_aanmaken(actor=a, project=p, titel="Nieuw doel"),
            id="doel",
        ),
        pytest.param(
            lambda a, p, d, i, o: services.indicator_aanmaken(actor=a, doel=d, naam="Nieuw"),
            id="indicator",
        ),
        pytest.param(
            lambda a, p, d, i, o: services.streefwaarden_vastleggen(
                actor=a, indicator=i, waarden={"2026": Decimal("5")}
            ),
            id="streefwaarden",
        ),
        pytest.param(
            lambda a, p, d, i, o: services.begrotingsregel_vastleggen(
                actor=a, project=p, jaar=2025, kostensoort="personeel", bedrag=Decimal("1.00")
            ),
            id="begroting",
        ),
        pytest.param(
            lambda a, p, d, i, o: services.projectpartner_toevoegen(
                actor=a, project=p, organisatie=o, rol="uitvoerder"
            ),
            id="partner",
        ),
        pytest.param(
            lambda a, p, d, i, o: services.project_wijzigen(actor=a, project=p, titel="Anders"),
            id="wijzigen",
        ),
    ],
)
def test_results_framework_budget_and_partners_of_a_completed_project_are_frozen(
    actor, niets_opgeslagen, schrijf
):
    """What a completed project planned is what its final account is judged against."""
    project = ProjectFactory(status="afgerond", titel="Buurtcoaches")
    doel = DoelFactory(project=project)
    indicator = IndicatorFactory(doel=doel)
    organisatie = OrganisatieFactory()
    bevroren = (
        Doel,
        Indicator,
        Streefwaarde,
        Begrotingsregel,
        Projectpartner,
        Rapportageverplichting,
    )
    with niets_opgeslagen(*bevroren), pytest.raises(Conflict, match="er kan niets meer bij"):
        schrijf(actor, project, doel, indicator, organisatie)
    assert Project.objects.get(pk=project.pk).titel == "Buurtcoaches"


def test_grant_of_a_completed_project_can_still_be_settled(actor):
    """Vaststelling follows the end of a project: closing it must not block that."""
    beschikking = BeschikkingFactory(
        project=ProjectFactory(status="afgerond"), bedrag=Decimal("50000.00")
    )
    services.beschikking_status_wijzigen(
        actor=actor,
        beschikking=beschikking,
        status="vastgesteld",
        bedrag_vastgesteld=Decimal("48250.10"),
        datum=date(2027, 3, 1),
    )
    beschikking.refresh_from_db()
    assert (beschikking.status, beschikking.bedrag_vastgesteld, beschikking.vastgesteld_op) == (
        Beschikking.Status.VASTGESTELD,
        Decimal("48250.10"),
        date(2027, 3, 1),
    )


def test_shortening_a_project_past_its_budget_is_refused(actor, project, niets_opgeslagen):
    from tests.projecten.factories import BegrotingsregelFactory

    BegrotingsregelFactory(project=project, jaar=2026)
    with niets_opgeslagen(), pytest.raises(ValidationError) as fout:
        services.project_wijzigen(actor=actor, project=project, einddatum=date(2025, 12, 31))
    assert "begrotingsregels voor jaren buiten" in str(fout.value)
    project.refresh_from_db()
    assert project.einddatum == date(2026, 6, 30)


def test_shortening_a_project_past_a_submission_is_refused(
    actor, project, indicator, niets_opgeslagen
):
    from tests.projecten.factories import MetingFactory

    MetingFactory(indicator=indicator, periode="2026-K1")
    with niets_opgeslagen(), pytest.raises(ValidationError, match="2026-K1"):
        services.project_wijzigen(actor=actor, project=project, einddatum=date(2025, 12, 31))
