"""The project list (filters, pages, downloads, htmx) and the project page (its sections,
its downloads and who may see it)."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from programma.models import Auditregel, Rol
from projecten.models import Beoordeling, Project, Rapportageverplichting, Streefwaarde, Tranche
from rapportage.models import Indicatorstand
from tests.programma.factories import (
    OrganisatieFactory,
    ProgrammaFactory,
    RolFactory,
    ThemaFactory,
)
from tests.projecten.factories import (
    BegrotingsregelFactory,
    BeschikkingFactory,
    BestedingFactory,
    MetingFactory,
    ProjectFactory,
    ProjectpartnerFactory,
    TrancheFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db


def _csv(antwoord):
    return list(csv.reader(io.StringIO(antwoord.content.decode("utf-8-sig"))))


# --- the list ------------------------------------------------------------------------------


@pytest.fixture
def lijst(programma, thema, focusgebied, project):
    wonen = ThemaFactory(programma=programma, code="wonen", naam="Wonen")
    tweede = ProjectFactory(
        programma=programma, code="boven-winkels", titel="Wonen boven winkels", status="concept"
    )
    tweede.themas.add(wonen)
    ProjectpartnerFactory(project=tweede, organisatie=OrganisatieFactory(naam="Woonstad"))
    elders = ProjectFactory(programma=ProgrammaFactory(code="elders"), titel="Elders")
    return {"wonen": wonen, "tweede": tweede, "elders": elders}


def test_manager_lists_the_programme_projects_only(client, manager, lijst, project):
    client.force_login(manager)
    inhoud = client.get(reverse("rapportage:projecten")).content.decode()
    assert project.titel in inhoud and lijst["tweede"].titel in inhoud
    assert "Elders" not in inhoud
    assert reverse("rapportage:project", args=[project.pk]) in inhoud
    assert reverse("projecten:metingen", args=[project.pk]) in inhoud


@pytest.mark.parametrize(
    ("filter_", "verwacht"),
    [
        ({"q": "WINKELS"}, "tweede"),
        ({"q": "keukentafel"}, "project"),
        ({"status": "concept"}, "tweede"),
        ({"programma": "nplv", "status": "lopend"}, "project"),
    ],
)
def test_filters_narrow_the_list(client, manager, lijst, project, filter_, verwacht):
    client.force_login(manager)
    inhoud = client.get(reverse("rapportage:projecten"), filter_).content.decode()
    gevonden = {"project": project, "tweede": lijst["tweede"]}
    assert gevonden[verwacht].titel in inhoud
    for naam, p in gevonden.items():
        if naam != verwacht:
            assert p.titel not in inhoud


def test_filters_by_theme_area_and_organisation(
    client, manager, lijst, project, thema, focusgebied
):
    client.force_login(manager)
    url = reverse("rapportage:projecten")
    woonstad = lijst["tweede"].partners.get(organisatie__naam="Woonstad").organisatie
    for filter_, p, niet in (
        ({"thema": lijst["wonen"].pk}, lijst["tweede"], project),
        ({"focusgebied": focusgebied.pk}, project, lijst["tweede"]),
        ({"organisatie": woonstad.pk}, lijst["tweede"], project),
    ):
        inhoud = client.get(url, filter_).content.decode()
        assert p.titel in inhoud and niet.titel not in inhoud, filter_


def test_an_unknown_filter_value_is_a_form_error_not_a_500(client, manager, lijst):
    client.force_login(manager)
    antwoord = client.get(reverse("rapportage:projecten"), {"programma": "elders", "thema": "x"})
    inhoud = antwoord.content.decode()
    assert antwoord.status_code == 200
    assert 'role="alert"' in inhoud and 'href="#id_programma"' in inhoud
    assert 'aria-invalid="true"' in inhoud
    assert "Elders" not in inhoud


def test_the_list_is_paginated_and_the_download_holds_every_row(client, manager, programma):
    for i in range(30):
        ProjectFactory(programma=programma, code=f"p-{i:02d}", titel=f"Project nummer {i:02d}")
    client.force_login(manager)
    url = reverse("rapportage:projecten")
    eerste = client.get(url).content.decode()
    assert "Project nummer 00" in eerste and "Project nummer 29" not in eerste
    assert "Pagina 1 van 2" in eerste
    tweede = client.get(url, {"pagina": 2}).content.decode()
    assert "Project nummer 29" in tweede
    rijen = _csv(client.get(url, {"download": "projecten", "formaat": "csv", "q": "nummer"}))
    assert len(rijen) == 31 and rijen[0][0] == "Code"
    xlsx = client.get(url, {"download": "projecten", "formaat": "xlsx", "q": "nummer 1"})
    blad = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    codes = [r[0] for r in blad.iter_rows(values_only=True) if r[0] and str(r[0]).startswith("p-1")]
    assert len(codes) == 10


def test_htmx_gets_only_the_results(client, manager, lijst):
    client.force_login(manager)
    antwoord = client.get(reverse("rapportage:projecten"), {"q": "winkels"}, HTTP_HX_REQUEST="true")
    inhoud = antwoord.content.decode()
    assert "Wonen boven winkels" in inhoud
    assert "<html" not in inhoud and "<form" not in inhoud


def test_partner_lists_only_its_organisations_projects(client, partner_medewerker, lijst, project):
    client.force_login(partner_medewerker)
    inhoud = client.get(reverse("rapportage:projecten")).content.decode()
    assert project.titel in inhoud
    assert lijst["tweede"].titel not in inhoud


def test_ministry_lists_the_programmes_it_follows(client, programma, lijst, project):
    gebruiker = RolFactory(soort=Rol.Soort.MINISTERIE, programma=programma).gebruiker
    client.force_login(gebruiker)
    inhoud = client.get(reverse("rapportage:projecten")).content.decode()
    assert project.titel in inhoud and "Elders" not in inhoud


# --- the project page ------------------------------------------------------------------------


@pytest.fixture
def volledig(project, indicator, thema, manager):
    """A project with a target, an approved and a returned measurement, a grant with a
    paid tranche, a budget, an approved expenditure, a narrative and an obligation."""
    Streefwaarde.objects.create(indicator=indicator, periode="2025", waarde=Decimal("40"))
    MetingFactory(
        indicator=indicator,
        periode="2025",
        waarde=Decimal("36"),
        status=Beoordeling.GOEDGEKEURD,
        beoordeeld_door=manager,
        beoordeeld_op=datetime(2026, 1, 10, 9, tzinfo=UTC),
    )
    MetingFactory(
        indicator=indicator,
        periode="2025-K2",
        status=Beoordeling.TERUGGESTUURD,
        beoordeling_toelichting="Bron ontbreekt",
        beoordeeld_op=datetime(2026, 1, 11, 9, tzinfo=UTC),
    )
    Indicatorstand.objects.create(
        niveau=Indicatorstand.Niveau.PROJECT,
        programma=project.programma,
        indicator=indicator,
        project=project,
        periode="2025",
        waarde=Decimal("36"),
        streefwaarde=Decimal("40"),
        percentage_streefwaarde=Decimal("90.00"),
        op_koers=True,
    )
    beschikking = BeschikkingFactory(project=project, thema=thema, kenmerk="VRO-2025-00042")
    TrancheFactory(
        beschikking=beschikking,
        volgnummer=1,
        bedrag=Decimal("25000.00"),
        status=Tranche.Status.BETAALD,
        betaald_op=date(2025, 3, 3),
    )
    BegrotingsregelFactory(project=project, jaar=2025, bedrag=Decimal("10000.00"))
    BegrotingsregelFactory(project=project, jaar=2025, versie=2, bedrag=Decimal("12000.00"))
    BestedingFactory(project=project, bedrag=Decimal("1500.25"), status=Beoordeling.GOEDGEKEURD)
    VoortgangsverslagFactory(project=project)
    Rapportageverplichting.objects.create(
        project=project, soort="voortgang", periode="2025-K1", deadline=date(2025, 5, 12)
    )
    Auditregel.objects.create(
        actie="beschikking.aangemaakt",
        objecttype="projecten.beschikking",
        object_id=str(beschikking.pk),
        omschrijving="Beschikking VRO-2025-00042 geregistreerd",
    )
    Auditregel.objects.create(
        actie="project.elders",
        objecttype="projecten.beschikking",
        object_id="999999",
        omschrijving="Van een ander project",
    )
    return beschikking


def test_project_page_shows_every_section(client, manager, project, volledig, vandaag):
    vandaag(date(2026, 2, 1))
    project.refresh_from_db()
    client.force_login(manager)
    antwoord = client.get(reverse("rapportage:project", args=[project.pk]))
    inhoud = antwoord.content.decode()
    assert antwoord.status_code == 200
    assert inhoud.count("<h1") == 1
    for tekst in (
        project.code,
        "Stichting Doras",  # lead partner
        "Armoede en schulden",
        "Nieuw-West",
        "Huishoudens met een betalingsregeling",
        "90,0%",  # realisation against target
        "VRO-2025-00042",
        "€ 25.000,00",  # the paid tranche
        "€ 12.000,00",  # the current budget version, not 22.000
        "€ 1.500,25",
        "Te laat",
        "Bron ontbreekt",  # reviewer comment in the timeline
        "Beschikking VRO-2025-00042 geregistreerd",
    ):
        assert tekst in inhoud, tekst
    assert "€ 22.000,00" not in inhoud
    assert "Van een ander project" not in inhoud
    assert reverse("projectbeheer:project_wijzigen", args=[project.pk]) in inhoud


def test_project_tables_download(client, manager, project, volledig):
    client.force_login(manager)
    url = reverse("rapportage:project", args=[project.pk])
    rijen = _csv(client.get(url, {"download": "begroting", "formaat": "csv"}))
    assert rijen == [
        ["Jaar", "Begroot", "Besteed", "Nog niet besteed"],
        ["2025", "12000.00", "1500.25", "10499.75"],
        ["Totaal", "12000.00", "1500.25", "10499.75"],
    ]
    for naam in ("partners", "indicatoren", "beschikkingen", "tranches", "verplichtingen",
                 "tijdlijn", "audit"):  # fmt: skip
        antwoord = client.get(url, {"download": naam, "formaat": "xlsx"})
        assert antwoord.status_code == 200, naam
        assert antwoord["Content-Type"].startswith("application/vnd.openxmlformats")


def test_ministry_reads_the_project_page_without_edit_links(client, programma, project, volledig):
    gebruiker = RolFactory(soort=Rol.Soort.MINISTERIE, programma=programma).gebruiker
    client.force_login(gebruiker)
    inhoud = client.get(reverse("rapportage:project", args=[project.pk])).content.decode()
    assert "VRO-2025-00042" in inhoud
    assert reverse("projectbeheer:project_wijzigen", args=[project.pk]) not in inhoud


def test_partner_sees_its_own_project_and_no_other(client, partner_medewerker, programma, project):
    ander = ProjectFactory(programma=programma)
    client.force_login(partner_medewerker)
    assert client.get(reverse("rapportage:project", args=[project.pk])).status_code == 200
    assert client.get(reverse("rapportage:project", args=[ander.pk])).status_code == 404
    assert client.get(reverse("rapportage:project", args=[987654])).status_code == 404


def test_manager_of_another_programme_gets_404(client, project):
    ander = RolFactory(
        soort=Rol.Soort.PROGRAMMAMANAGER, programma=ProgrammaFactory(code="ander")
    ).gebruiker
    client.force_login(ander)
    assert client.get(reverse("rapportage:project", args=[project.pk])).status_code == 404
    assert Project.objects.filter(pk=project.pk).exists()
