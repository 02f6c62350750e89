"""Programme managers set up programmes, themes, budgets and focus areas in the web UI."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programma.models import Auditregel, Budgetenvelop, Focusgebied, Gebiedscode, Programma, Rol
from programma.registratie import lees_getal
from tests.programma.factories import MinisterieFactory, ProgrammaFactory, RolFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("tekst", "verwacht"),
    [
        ("12,5", Decimal("12.5")),
        ("12.500,00", Decimal("12500.00")),
        ("12500,00", Decimal("12500.00")),
        ("€ 1.234.567,89", Decimal("1234567.89")),
        ("12500", Decimal("12500")),
        ("12.500", Decimal("12500")),
    ],
)
def test_dutch_numbers_are_read_with_a_comma_for_decimals(tekst, verwacht):
    assert lees_getal(tekst, decimalen=2) == verwacht


@pytest.mark.parametrize(
    ("tekst", "code"),
    [
        ("12500.00", "notatie"),
        ("12.50", "notatie"),
        ("12,505", "decimalen"),
        ("1,2,3", "notatie"),
        ("twaalf", "geen_getal"),
        ("12.50.000", "geen_getal"),
    ],
)
def test_a_dot_is_never_a_decimal_point_and_cents_have_two_digits(tekst, code):
    with pytest.raises(ValidationError) as fout:
        lees_getal(tekst, decimalen=2)
    assert fout.value.code == code


def test_a_manager_creates_a_programme_and_then_manages_it(client, manager):
    ministerie = MinisterieFactory()
    client.force_login(manager)
    antwoord = client.post(
        "/programma-nieuw",
        {
            "code": "kansrijk",
            "naam": "Kansrijke Wijk",
            "opdrachtgever": ministerie.pk,
            "startjaar": "2026",
            "eindjaar": "2040",
            "max_overheveling_percentage": "50,5",
            "rapportontvangers": "a@example.nl\nb@example.nl",
        },
    )
    programma = Programma.objects.get(code="kansrijk")
    assert antwoord.status_code == 302
    assert programma.max_overheveling_percentage == Decimal("50.5")
    assert Rol.objects.filter(gebruiker=manager, programma=programma).exists()
    assert Auditregel.objects.filter(
        actie="programma_aanmaken", object_id=str(programma.pk)
    ).exists()
    assert client.get(f"/programmas/{programma.code}/wijzigen").status_code == 200


def test_a_programme_ending_before_it_starts_is_refused(client, manager, niets_opgeslagen):
    client.force_login(manager)
    with niets_opgeslagen(Programma, Rol):
        antwoord = client.post(
            "/programma-nieuw",
            {
                "code": "x",
                "naam": "X",
                "opdrachtgever": MinisterieFactory().pk,
                "startjaar": "2030",
                "eindjaar": "2026",
                "max_overheveling_percentage": "100",
            },
        )
    assert antwoord.status_code == 200
    tekst = antwoord.content.decode()
    assert "Het eindjaar ligt niet voor het startjaar." in tekst
    assert 'href="#id_eindjaar"' in tekst
    assert 'aria-invalid="true"' in tekst and 'id="id_eindjaar_fout"' in tekst


def test_partners_and_ministry_cannot_set_up_programmes(client, partner_medewerker, programma):
    ministerie = RolFactory(soort=Rol.Soort.MINISTERIE, programma=programma).gebruiker
    for gebruiker in (partner_medewerker, ministerie):
        client.force_login(gebruiker)
        assert client.get("/programma-nieuw").status_code == 403
        assert client.get(f"/programmas/{programma.code}/wijzigen").status_code == 404
        assert client.get(f"/programmas/{programma.code}/budget").status_code == 404


def test_a_manager_of_another_programme_finds_nothing(client, programma, focusgebied):
    ander = RolFactory(soort=Rol.Soort.PROGRAMMAMANAGER, programma=ProgrammaFactory()).gebruiker
    client.force_login(ander)
    assert client.get(f"/programmas/{programma.code}/wijzigen").status_code == 404
    assert client.get(f"/focusgebieden/{focusgebied.pk}/wijzigen").status_code == 404
    assert (
        client.post(f"/programmas/{programma.code}/themas", {"naam": "A", "code": "a"}).status_code
        == 404
    )


def test_editing_a_programme_keeps_its_code(client, manager, programma):
    client.force_login(manager)
    antwoord = client.post(
        f"/programmas/{programma.code}/wijzigen",
        {
            "code": "anders",
            "naam": "Nieuwe naam",
            "opdrachtgever": programma.opdrachtgever_id,
            "startjaar": "2022",
            "eindjaar": "2040",
            "max_overheveling_percentage": "100,00",
        },
    )
    assert antwoord.status_code == 302
    programma.refresh_from_db()
    assert (programma.code, programma.naam) == ("nplv", "Nieuwe naam")
    assert Auditregel.objects.filter(actie="programma_wijzigen").count() == 1


def test_the_budget_grid_saves_every_cell_or_none(
    client, manager, programma, thema, niets_opgeslagen
):
    client.force_login(manager)
    with niets_opgeslagen(Budgetenvelop):
        antwoord = client.post(
            f"/programmas/{programma.code}/budget",
            {f"b_2023_{thema.pk}": "12.500,50", f"b_2024_{thema.pk}": "12500.50"},
        )
    assert antwoord.status_code == 200
    assert "Gebruik een komma voor decimalen" in antwoord.content.decode()
    antwoord = client.post(
        f"/programmas/{programma.code}/budget",
        {f"b_2023_{thema.pk}": "12.500,50", f"b_2024_{thema.pk}": "7500"},
    )
    assert antwoord.status_code == 302
    assert {e.jaar: e.bedrag for e in Budgetenvelop.objects.all()} == {
        2023: Decimal("12500.50"),
        2024: Decimal("7500.00"),
    }
    assert Auditregel.objects.filter(actie="budgetenvelop_aanmaken").count() == 2
    download = client.get(f"/programmas/{programma.code}/budget?download=budget&formaat=csv")
    assert "12500.50" in download.content.decode("utf-8-sig")


def test_a_focus_area_is_registered_with_its_area_codes(client, manager, programma):
    client.force_login(manager)
    antwoord = client.post(
        f"/programmas/{programma.code}/focusgebieden/nieuw",
        {
            "naam": "Rotterdam-Zuid",
            "code": "rotterdam-zuid",
            "gemeente": "Rotterdam",
            "gemeentecode": "gm0599",
            "gebiedscodes": "WK059901 2024\nBU05990101 2024",
        },
    )
    assert antwoord.status_code == 302
    gebied = Focusgebied.objects.get(code="rotterdam-zuid")
    assert sorted(gebied.gebiedscodes.values_list("code", flat=True)) == ["BU05990101", "WK059901"]
    antwoord = client.post(
        f"/focusgebieden/{gebied.pk}/wijzigen",
        {
            "naam": "Rotterdam-Zuid",
            "gemeente": "Rotterdam",
            "gemeentecode": "GM0599",
            "gebiedscodes": "WK059902 2025",
        },
    )
    assert antwoord.status_code == 302
    assert list(gebied.gebiedscodes.values_list("code", "peiljaar")) == [("WK059902", 2025)]
    assert Auditregel.objects.filter(actie="gebiedscode_verwijderen").count() == 2


def test_area_codes_outside_the_municipality_or_reference_list_are_refused(
    client, manager, programma, niets_opgeslagen
):
    client.force_login(manager)
    with niets_opgeslagen(Focusgebied, Gebiedscode):
        buiten = client.post(
            f"/programmas/{programma.code}/focusgebieden/nieuw",
            {
                "naam": "Zuid",
                "code": "zuid",
                "gemeente": "Rotterdam",
                "gemeentecode": "GM0599",
                "gebiedscodes": "WK036301 2024",
            },
        )
        referentie = client.post(
            f"/programmas/{programma.code}/focusgebieden/nieuw",
            {
                "naam": "Leeuwarden-Oost",
                "code": "lwd",
                "gemeente": "Leeuwarden",
                "gemeentecode": "GM0599",
            },
        )
    assert "WK036301 ligt niet in gemeente GM0599." in buiten.content.decode()
    assert 'href="#id_gebiedscodes"' in buiten.content.decode()
    assert (
        "Volgens de NPLV-referentielijst ligt Leeuwarden-Oost in GM0080."
        in referentie.content.decode()
    )
