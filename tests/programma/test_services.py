"""Programme set-up: organisations, programmes, focus areas, budget envelopes and indicators.
A refused write explains itself in Dutch and leaves no row and no audit record behind."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programma import services
from programma.models import (
    Auditregel,
    Budgetenvelop,
    Focusgebied,
    Gebiedscode,
    Organisatie,
    Programma,
    Programmaindicator,
    Programmastreefwaarde,
    Rol,
)
from tests.programma.factories import (
    BudgetenvelopFactory,
    GebruikerFactory,
    MinisterieFactory,
    OrganisatieFactory,
    ThemaFactory,
)

pytestmark = pytest.mark.django_db


def laatste_audit(actie: str) -> Auditregel:
    return Auditregel.objects.filter(actie=actie).latest("id")


# --- organisations ----------------------------------------------------------------------


def test_organisation_is_created_with_its_kvk_number_and_audited(actor):
    org = services.organisatie_aanmaken(
        actor=actor,
        naam="Wijkonderneming Oost",
        soort=Organisatie.Soort.WIJKINNOVATIEBEDRIJF,
        kvk_nummer="41216593",
    )
    regel = laatste_audit("organisatie_aanmaken")
    assert (regel.gebruiker, regel.objecttype, regel.object_id) == (
        actor.gebruiker,
        "programma.organisatie",
        str(org.pk),
    )
    assert regel.voor is None
    assert regel.na["kvk_nummer"] == "41216593" and regel.na["naam"] == "Wijkonderneming Oost"


@pytest.mark.parametrize(
    "kvk", ["4121659", "4121659a", "\u0664\u0661\u0662\u0661\u0666\u0665\u0669\u0663"]
)
def test_organisation_with_a_kvk_number_that_is_not_eight_digits_is_not_saved(
    actor, niets_opgeslagen, kvk
):
    with niets_opgeslagen(Organisatie), pytest.raises(ValidationError) as fout:
        services.organisatie_aanmaken(
            actor=actor, naam="Buurtwerk", soort="welzijn", kvk_nummer=kvk
        )
    assert fout.value.message_dict["kvk_nummer"] == [
        "Een KvK-nummer bestaat uit precies 8 cijfers."
    ]


def test_municipality_needs_its_cbs_code(actor, niets_opgeslagen):
    with niets_opgeslagen(Organisatie), pytest.raises(ValidationError) as fout:
        services.organisatie_aanmaken(actor=actor, naam="Gemeente Utrecht", soort="gemeente")
    assert fout.value.message_dict["gemeentecode"] == [
        "Een gemeente heeft een CBS-gemeentecode (GM + 4 cijfers)."
    ]


def test_municipality_with_a_three_digit_code_is_refused(actor, niets_opgeslagen):
    with niets_opgeslagen(Organisatie), pytest.raises(ValidationError) as fout:
        services.organisatie_aanmaken(
            actor=actor, naam="Gemeente Utrecht", soort="gemeente", gemeentecode="GM344"
        )
    assert fout.value.message_dict["gemeentecode"] == [
        "Een CBS-gemeentecode is 'GM' gevolgd door 4 cijfers, bijvoorbeeld GM0363."
    ]


def test_changing_an_organisation_records_before_and_after(actor):
    org = OrganisatieFactory(naam="Buurtteam Zuid", kvk_nummer="")
    services.organisatie_wijzigen(actor=actor, organisatie=org, kvk_nummer="12345678")
    regel = laatste_audit("organisatie_wijzigen")
    assert (regel.voor["kvk_nummer"], regel.na["kvk_nummer"]) == ("", "12345678")
    org.refresh_from_db()
    assert org.kvk_nummer == "12345678"


def test_changing_an_unknown_organisation_field_is_refused(actor, niets_opgeslagen):
    org = OrganisatieFactory()
    with (
        niets_opgeslagen(Organisatie),
        pytest.raises(ValidationError, match=r"Onbekende velden: id\."),
    ):
        services.organisatie_wijzigen(actor=actor, organisatie=org, id=999)


# --- programmes -----------------------------------------------------------------------


def test_programme_is_commissioned_by_a_ministry(actor, niets_opgeslagen):
    with niets_opgeslagen(Programma), pytest.raises(ValidationError) as fout:
        services.programma_aanmaken(
            actor=actor,
            code="nplv",
            naam="NPLV",
            opdrachtgever=OrganisatieFactory(),
            startjaar=2022,
            eindjaar=2040,
        )
    assert fout.value.message_dict["opdrachtgever"] == ["De opdrachtgever is een ministerie."]


def test_programme_does_not_end_before_it_starts(actor, niets_opgeslagen):
    with niets_opgeslagen(Programma), pytest.raises(ValidationError) as fout:
        services.programma_aanmaken(
            actor=actor,
            code="nplv",
            naam="NPLV",
            opdrachtgever=MinisterieFactory(),
            startjaar=2030,
            eindjaar=2029,
        )
    assert fout.value.message_dict["eindjaar"] == ["Het eindjaar ligt niet voor het startjaar."]


def test_programme_carry_over_share_is_a_percentage(actor, niets_opgeslagen):
    with niets_opgeslagen(Programma), pytest.raises(ValidationError) as fout:
        services.programma_aanmaken(
            actor=actor,
            code="nplv",
            naam="NPLV",
            opdrachtgever=MinisterieFactory(),
            startjaar=2022,
            eindjaar=2040,
            max_overheveling_percentage=Decimal("120"),
        )
    assert (
        "Een percentage ligt tussen 0 en 100."
        in fout.value.message_dict["max_overheveling_percentage"]
    )


def test_programme_of_twenty_years_is_created_and_audited(actor):
    programma = services.programma_aanmaken(
        actor=actor,
        code="nplv-2",
        naam="NPLV",
        opdrachtgever=MinisterieFactory(),
        startjaar=2022,
        eindjaar=2041,
        max_overheveling_percentage=Decimal("50.00"),
    )
    regel = laatste_audit("programma_aanmaken")
    assert regel.object_id == str(programma.pk)
    assert regel.na["max_overheveling_percentage"] == "50.00"


# --- focus areas and their CBS codes ---------------------------------------------------------


def test_focus_area_is_stored_with_its_wijk_and_buurt_codes_and_reference_year(actor, programma):
    gebied = services.focusgebied_aanmaken(
        actor=actor,
        programma=programma,
        code="nieuw-west",
        naam="Nieuw-West",
        gemeente="Amsterdam",
        gemeentecode="GM0363",
        gebiedscodes=[("WK036301", 2024), ("BU0363AA06", 2024)],
    )
    assert list(gebied.gebiedscodes.values_list("code", "peiljaar")) == [
        ("BU0363AA06", 2024),
        ("WK036301", 2024),
    ]
    # One audit row for the area and one per code.
    assert Auditregel.objects.filter(actie="focusgebied_aanmaken").count() == 1
    assert Auditregel.objects.filter(actie="gebiedscode_toevoegen").count() == 2


@pytest.mark.parametrize("slechte_code", ["BU0363aa06", "WK03630", "GM363", "WK036301\n"])
def test_focus_area_with_one_malformed_code_is_not_saved_at_all(
    actor, programma, niets_opgeslagen, slechte_code
):
    with niets_opgeslagen(Focusgebied, Gebiedscode), pytest.raises(ValidationError) as fout:
        services.focusgebied_aanmaken(
            actor=actor,
            programma=programma,
            code="nieuw-west",
            naam="Nieuw-West",
            gemeente="Amsterdam",
            gemeentecode="GM0363",
            gebiedscodes=[("WK036301", 2024), (slechte_code, 2024)],
        )
    assert any("Ongeldige CBS-gebiedscode" in m for m in fout.value.message_dict["code"])


def test_focus_area_code_must_lie_in_its_municipality(actor, programma, niets_opgeslagen):
    with niets_opgeslagen(Focusgebied, Gebiedscode), pytest.raises(ValidationError) as fout:
        services.focusgebied_aanmaken(
            actor=actor,
            programma=programma,
            code="zuidoost",
            naam="Zuidoost",
            gemeente="Amsterdam",
            gemeentecode="GM0363",
            gebiedscodes=[("WK059901", 2024)],
        )
    assert fout.value.message_dict["code"] == ["WK059901 ligt niet in gemeente GM0363."]


# --- budget envelopes --------------------------------------------------------------------


def test_budget_envelope_is_created_then_changed_with_amounts_kept_exactly_in_the_audit(
    actor, programma, thema
):
    envelop = services.budgetenvelop_vastleggen(
        actor=actor, programma=programma, thema=thema, jaar=2025, bedrag=Decimal("1000.00")
    )
    services.budgetenvelop_vastleggen(
        actor=actor, programma=programma, thema=thema, jaar=2025, bedrag=Decimal("2500.75")
    )

    assert Budgetenvelop.objects.get(pk=envelop.pk).bedrag == Decimal("2500.75")
    assert laatste_audit("budgetenvelop_aanmaken").na["bedrag"] == "1000.00"
    wijziging = laatste_audit("budgetenvelop_wijzigen")
    assert (wijziging.voor["bedrag"], wijziging.na["bedrag"]) == ("1000.00", "2500.75")
    assert wijziging.gebruiker == actor.gebruiker


@pytest.mark.parametrize(
    ("bedrag", "melding"),
    [
        (Decimal("-0.01"), "Een bedrag mag niet negatief zijn."),
        (Decimal("100.005"), "Een bedrag heeft hoogstens twee decimalen (centen)."),
        (1000.0, "Een bedrag moet een decimaal getal zijn, geen float."),
        (1000.5, "Een bedrag moet een decimaal getal zijn, geen float."),
        (Decimal("NaN"), "Waarde van ‘NaN’ moet een decimaal getal zijn."),
        (Decimal("Infinity"), "Waarde van ‘Infinity’ moet een decimaal getal zijn."),
    ],
)
def test_budget_envelope_amount_is_euros_and_cents_never_negative_or_float(
    actor, programma, thema, niets_opgeslagen, bedrag, melding
):
    with niets_opgeslagen(Budgetenvelop), pytest.raises(ValidationError) as fout:
        services.budgetenvelop_vastleggen(
            actor=actor, programma=programma, thema=thema, jaar=2025, bedrag=bedrag
        )
    assert melding in fout.value.message_dict["bedrag"]


def test_budget_envelope_year_lies_in_the_programme(actor, programma, thema, niets_opgeslagen):
    with niets_opgeslagen(Budgetenvelop), pytest.raises(ValidationError) as fout:
        services.budgetenvelop_vastleggen(
            actor=actor, programma=programma, thema=thema, jaar=2041, bedrag=Decimal("1.00")
        )
    assert fout.value.message_dict["jaar"] == [
        "Jaar 2041 ligt buiten de programmaperiode 2022–2040."
    ]


def test_budget_envelope_theme_belongs_to_the_programme(actor, programma, niets_opgeslagen):
    ander_thema = ThemaFactory()
    with niets_opgeslagen(Budgetenvelop), pytest.raises(ValidationError) as fout:
        services.budgetenvelop_vastleggen(
            actor=actor, programma=programma, thema=ander_thema, jaar=2025, bedrag=Decimal("1.00")
        )
    assert fout.value.message_dict["thema"] == ["Het thema hoort niet bij dit programma."]


def test_changing_an_existing_envelope_to_a_negative_amount_keeps_the_old_amount(
    actor, programma, thema, niets_opgeslagen
):
    envelop = BudgetenvelopFactory(
        programma=programma, thema=thema, jaar=2025, bedrag=Decimal("700.00")
    )
    with niets_opgeslagen(Budgetenvelop), pytest.raises(ValidationError):
        services.budgetenvelop_vastleggen(
            actor=actor, programma=programma, thema=thema, jaar=2025, bedrag=Decimal("-1")
        )
    envelop.refresh_from_db()
    assert envelop.bedrag == Decimal("700.00")


# --- programme indicators -------------------------------------------------------------------


def test_cumulative_programme_indicator_cannot_be_summed_over_periods(
    actor, programma, niets_opgeslagen
):
    with niets_opgeslagen(Programmaindicator), pytest.raises(ValidationError) as fout:
        services.programmaindicator_aanmaken(
            actor=actor,
            programma=programma,
            code="bereikt",
            naam="Bereikte huishoudens",
            cumulatief=True,
            aggregatie="som",
        )
    assert fout.value.message_dict["aggregatie"] == [
        "Een cumulatieve indicator wordt niet over perioden opgeteld: kies 'laatste waarde'."
    ]


def test_programme_indicator_targets_lie_in_the_programme_years(actor, programma, niets_opgeslagen):
    with (
        niets_opgeslagen(Programmaindicator, Programmastreefwaarde),
        pytest.raises(ValidationError) as fout,
    ):
        services.programmaindicator_aanmaken(
            actor=actor,
            programma=programma,
            code="veilig",
            naam="Voelt zich veilig",
            eenheid="percentage",
            streefwaarden={2030: Decimal("60"), 2045: Decimal("70")},
        )
    assert fout.value.message_dict["jaar"] == [
        "Jaar 2045 ligt buiten de programmaperiode 2022–2040."
    ]


def test_percentage_programme_indicator_targets_lie_between_0_and_100(
    actor, programma, niets_opgeslagen
):
    with (
        niets_opgeslagen(Programmaindicator, Programmastreefwaarde),
        pytest.raises(ValidationError) as fout,
    ):
        services.programmaindicator_aanmaken(
            actor=actor,
            programma=programma,
            code="veilig",
            naam="Voelt zich veilig",
            eenheid="percentage",
            streefwaarden={2030: Decimal("100.5")},
        )
    assert fout.value.message_dict["waarde"] == ["Een percentage ligt tussen 0 en 100."]


def test_programme_indicator_with_targets_is_stored_and_each_target_audited(actor, programma):
    indicator = services.programmaindicator_aanmaken(
        actor=actor,
        programma=programma,
        code="veilig",
        naam="Voelt zich veilig",
        eenheid="percentage",
        cumulatief=False,
        aggregatie="gemiddelde",
        basiswaarde=Decimal("48.5"),
        basisjaar=2022,
        streefwaarden={2026: Decimal("52"), 2030: Decimal("60")},
    )
    assert dict(indicator.streefwaarden.values_list("jaar", "waarde")) == {
        2026: Decimal("52"),
        2030: Decimal("60"),
    }
    assert Auditregel.objects.filter(actie="programmastreefwaarde_vastleggen").count() == 2


# --- roles ------------------------------------------------------------------------------------


def test_partner_role_belongs_to_an_organisation(actor, niets_opgeslagen):
    with niets_opgeslagen(Rol), pytest.raises(ValidationError) as fout:
        services.rol_toekennen(actor=actor, gebruiker=GebruikerFactory(), soort=Rol.Soort.PARTNER)
    assert fout.value.message_dict["organisatie"] == ["Een partnerrol hoort bij een organisatie."]


def test_manager_role_belongs_to_a_programme(actor, niets_opgeslagen):
    with niets_opgeslagen(Rol), pytest.raises(ValidationError) as fout:
        services.rol_toekennen(
            actor=actor, gebruiker=GebruikerFactory(), soort=Rol.Soort.PROGRAMMAMANAGER
        )
    assert fout.value.message_dict["programma"] == ["Deze rol hoort bij een programma."]


def test_granting_the_same_role_twice_keeps_one_role_and_one_audit_row(actor, programma):
    persoon = GebruikerFactory()
    eerste = services.rol_toekennen(
        actor=actor, gebruiker=persoon, soort=Rol.Soort.MINISTERIE, programma=programma
    )
    tweede = services.rol_toekennen(
        actor=actor, gebruiker=persoon, soort=Rol.Soort.MINISTERIE, programma=programma
    )
    assert eerste.pk == tweede.pk
    assert Rol.objects.filter(gebruiker=persoon).count() == 1
    assert Auditregel.objects.filter(actie="rol_toekennen").count() == 1
