"""Programme managers register interventions: projects, goals, indicators with their
targets, grants with tranches and the budget, all through the services, all or nothing."""

from decimal import Decimal

import pytest

from programma.models import Auditregel, Rol
from projecten.models import (
    Begrotingsregel,
    Beschikking,
    Doel,
    Indicator,
    Project,
    Projectpartner,
    Streefwaarde,
    Tranche,
)
from tests.programma.factories import OrganisatieFactory, ProgrammaFactory, RolFactory
from tests.projecten.factories import BeschikkingFactory, DoelFactory, TrancheFactory

pytestmark = pytest.mark.django_db


def _project_gegevens(**extra):
    return {
        "titel": "Schuldhulp aan de keukentafel",
        "startdatum": "2025-01-01",
        "einddatum": "2026-12-31",
        "rapportagefrequentie": "kwartaal",
        "rapportagetermijn_dagen": "42",
    } | extra


def test_a_manager_registers_a_project_with_partners(
    client, manager, programma, thema, focusgebied, penvoerder
):
    uitvoerder = OrganisatieFactory()
    client.force_login(manager)
    antwoord = client.post(
        f"/programmas/{programma.code}/projecten/nieuw",
        _project_gegevens(
            code="keuken",
            penvoerder=penvoerder.pk,
            partners=[uitvoerder.pk],
            themas=[thema.pk],
            focusgebieden=[focusgebied.pk],
        ),
    )
    assert antwoord.status_code == 302
    project = Project.objects.get(code="keuken")
    assert list(project.themas.all()) == [thema]
    assert dict(project.partners.values_list("organisatie_id", "rol")) == {
        penvoerder.pk: "penvoerder",
        uitvoerder.pk: "uitvoerder",
    }
    assert Auditregel.objects.filter(actie="project_aanmaken").count() == 1


def test_a_project_outside_the_programme_period_is_refused(
    client, manager, programma, penvoerder, niets_opgeslagen
):
    client.force_login(manager)
    with niets_opgeslagen(Project, Projectpartner):
        antwoord = client.post(
            f"/programmas/{programma.code}/projecten/nieuw",
            _project_gegevens(
                code="te-laat",
                penvoerder=penvoerder.pk,
                startdatum="2041-01-01",
                einddatum="2042-01-01",
            ),
        )
    assert antwoord.status_code == 200
    assert "buiten de programmaperiode" in antwoord.content.decode()
    assert 'href="#id_startdatum"' in antwoord.content.decode()


def test_editing_a_project_changes_its_themes_and_dates(client, manager, project, thema):
    client.force_login(manager)
    antwoord = client.post(
        f"/projecten/{project.pk}/wijzigen", _project_gegevens(titel="Nieuw", themas=[])
    )
    assert antwoord.status_code == 302
    project.refresh_from_db()
    assert project.titel == "Nieuw" and not project.themas.exists()
    assert Auditregel.objects.filter(actie="project_indeling_wijzigen").count() == 1


def test_partners_and_status_follow_the_lifecycle(client, manager, project, niets_opgeslagen):
    client.force_login(manager)
    organisatie = OrganisatieFactory()
    assert (
        client.post(
            f"/projecten/{project.pk}/partners",
            {"organisatie": organisatie.pk, "rol": "kennispartner"},
        ).status_code
        == 302
    )
    with niets_opgeslagen(Projectpartner):
        dubbel = client.post(
            f"/projecten/{project.pk}/partners",
            {"organisatie": organisatie.pk, "rol": "uitvoerder"},
        )
    assert "is al partner in dit project" in dubbel.content.decode()
    with niets_opgeslagen(Project):
        terug = client.post(f"/projecten/{project.pk}/status", {"status": "concept"})
    assert terug.status_code == 200  # lopend cannot go back to concept: not offered
    assert client.post(f"/projecten/{project.pk}/status", {"status": "afgerond"}).status_code == 302
    project.refresh_from_db()
    assert project.status == "afgerond"


def test_goal_then_indicator_then_targets(client, manager, project):
    client.force_login(manager)
    assert (
        client.post(
            f"/projecten/{project.pk}/doelen/nieuw", {"titel": "Minder schulden"}
        ).status_code
        == 302
    )
    doel = Doel.objects.get(titel="Minder schulden")
    antwoord = client.post(
        f"/projecten/{project.pk}/indicatoren/nieuw",
        {
            "doel": doel.pk,
            "naam": "Huishoudens geholpen",
            "eenheid": "aantal",
            "richting": "hoger",
            "aggregatie": "som",
            "basiswaarde": "1.200,5",
        },
    )
    indicator = Indicator.objects.get(naam="Huishoudens geholpen")
    assert antwoord.url == f"/indicatoren/{indicator.pk}/streefwaarden"
    assert indicator.basiswaarde == Decimal("1200.5")
    antwoord = client.post(antwoord.url, {"p_2025": "12,5", "p_2026": "1.000"})
    assert antwoord.status_code == 302
    assert dict(indicator.streefwaarden.values_list("periode", "waarde")) == {
        "2025": Decimal("12.5"),
        "2026": Decimal("1000"),
    }


def test_the_target_grid_is_all_or_nothing(client, manager, indicator, niets_opgeslagen):
    indicator.eenheid = Indicator.Eenheid.PERCENTAGE
    indicator.save()
    client.force_login(manager)
    with niets_opgeslagen(Streefwaarde):
        antwoord = client.post(
            f"/indicatoren/{indicator.pk}/streefwaarden", {"p_2025": "40,5", "p_2026": "140"}
        )
    tekst = antwoord.content.decode()
    assert antwoord.status_code == 200
    assert "Een percentage ligt tussen 0 en 100." in tekst
    assert 'href="#id_p_2026"' in tekst and 'id="id_p_2026_fout"' in tekst
    assert 'value="40,5"' in tekst  # what was typed stays


def test_targets_per_quarter(client, manager, indicator):
    client.force_login(manager)
    pagina = client.get(f"/indicatoren/{indicator.pk}/streefwaarden?per=kwartaal").content.decode()
    assert (
        'name="p_2025-K1"' in pagina
        and 'name="p_2026-K2"' in pagina
        and 'name="p_2026-K3"' not in pagina
    )
    assert (
        client.post(
            f"/indicatoren/{indicator.pk}/streefwaarden?per=kwartaal", {"p_2025-K3": "3"}
        ).status_code
        == 302
    )
    assert indicator.streefwaarden.get().periode == "2025-K3"


def test_a_grant_with_its_tranches_in_one_form(client, manager, project, thema):
    client.force_login(manager)
    financier = OrganisatieFactory()
    antwoord = client.post(
        f"/projecten/{project.pk}/beschikkingen/nieuw",
        {
            "kenmerk": "BZK-2025-001",
            "financier": financier.pk,
            "regeling": "SPUK",
            "bedrag": "125.000,00",
            "status": "verleend",
            "datum": "2025-02-01",
            "thema": thema.pk,
            "t1_bedrag": "62.500",
            "t1_geplande_datum": "2025-03-01",
            "t1_voorwaarde": "geen",
            "t2_bedrag": "62500,00",
            "t2_geplande_datum": "2025-09-01",
            "t2_voorwaarde": "verslag_goedgekeurd",
            "t2_voorwaarde_periode": "2025-K2",
            "t3_voorwaarde": "geen",
            "t4_voorwaarde": "geen",
        },
    )
    assert antwoord.status_code == 302
    beschikking = Beschikking.objects.get(kenmerk="BZK-2025-001")
    assert beschikking.bedrag == Decimal("125000.00")
    assert [t.bedrag for t in beschikking.tranches.all()] == [Decimal("62500.00")] * 2
    assert Auditregel.objects.filter(actie="tranche_aanmaken").count() == 2


def test_tranches_above_the_grant_are_refused(client, manager, project, niets_opgeslagen):
    client.force_login(manager)
    with niets_opgeslagen(Beschikking, Tranche):
        antwoord = client.post(
            f"/projecten/{project.pk}/beschikkingen/nieuw",
            {
                "kenmerk": "K-1",
                "financier": OrganisatieFactory().pk,
                "regeling": "SPUK",
                "bedrag": "1.000,00",
                "status": "aangevraagd",
                "t1_bedrag": "600",
                "t1_geplande_datum": "2025-03-01",
                "t1_voorwaarde": "geen",
                "t2_bedrag": "600",
                "t2_geplande_datum": "2025-06-01",
                "t2_voorwaarde": "geen",
                "t3_voorwaarde": "geen",
                "t4_voorwaarde": "geen",
            },
        )
    assert (
        "De tranches samen (€ 1.200,00) zijn meer dan de beschikking (€ 1.000,00)."
        in antwoord.content.decode()
    )
    beschikking = BeschikkingFactory(project=project, bedrag=Decimal("1000.00"))
    TrancheFactory(beschikking=beschikking, volgnummer=1, bedrag=Decimal("800.00"))
    with niets_opgeslagen(Tranche):
        antwoord = client.post(
            f"/beschikkingen/{beschikking.pk}/tranches",
            {
                "t1_bedrag": "100",
                "t1_geplande_datum": "2025-04-01",
                "t1_voorwaarde": "geen",
                "t2_bedrag": "200,01",
                "t2_geplande_datum": "2025-05-01",
                "t2_voorwaarde": "geen",
                "t3_voorwaarde": "geen",
            },
        )
    assert "overschrijden de beschikking" in antwoord.content.decode()
    assert 'href="#id_t2_bedrag"' in antwoord.content.decode()


def test_amounts_with_too_many_decimals_are_refused(client, manager, project, niets_opgeslagen):
    client.force_login(manager)
    with niets_opgeslagen(Beschikking):
        antwoord = client.post(
            f"/projecten/{project.pk}/beschikkingen/nieuw",
            {
                "kenmerk": "K-2",
                "financier": OrganisatieFactory().pk,
                "regeling": "S",
                "bedrag": "1000,001",
                "status": "aangevraagd",
                "t1_voorwaarde": "geen",
                "t2_voorwaarde": "geen",
                "t3_voorwaarde": "geen",
                "t4_voorwaarde": "geen",
            },
        )
    assert "Een bedrag heeft hoogstens twee decimalen (centen)." in antwoord.content.decode()


def test_a_budget_revision_adds_a_version_and_totals_reconcile(
    client, manager, project, niets_opgeslagen
):
    client.force_login(manager)
    assert (
        client.post(
            f"/projecten/{project.pk}/begroting",
            {"b_2025_personeel": "10.000,10", "b_2026_personeel": "0,20"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/projecten/{project.pk}/begroting",
            {
                "b_2025_personeel": "12.000,00",
                "b_2026_personeel": "0,20",
                "toelichting": "Extra uren",
            },
        ).status_code
        == 302
    )
    versies = list(Begrotingsregel.objects.filter(jaar=2025).values_list("versie", "bedrag"))
    assert versies == [(1, Decimal("10000.10")), (2, Decimal("12000.00"))]
    pagina = client.get(f"/projecten/{project.pk}/begroting").content.decode()
    assert "€ 12.000,20" in pagina  # the current versions only, to the cent
    with niets_opgeslagen(Begrotingsregel):
        leeg = client.post(
            f"/projecten/{project.pk}/begroting", {"b_2025_personeel": "", "b_2025_overig": "5"}
        )
    assert "kan niet leeg worden" in leeg.content.decode()


def test_only_managers_of_the_programme_reach_the_forms(
    client, project, indicator, partner_medewerker
):
    beschikking = BeschikkingFactory(project=project)
    ministerie = RolFactory(soort=Rol.Soort.MINISTERIE, programma=project.programma).gebruiker
    ander = RolFactory(soort=Rol.Soort.PROGRAMMAMANAGER, programma=ProgrammaFactory()).gebruiker
    urls = [
        f"/programmas/{project.programma.code}/projecten/nieuw",
        f"/projecten/{project.pk}/wijzigen",
        f"/projecten/{project.pk}/doelen/nieuw",
        f"/projecten/{project.pk}/indicatoren/nieuw",
        f"/indicatoren/{indicator.pk}/streefwaarden",
        f"/projecten/{project.pk}/beschikkingen/nieuw",
        f"/beschikkingen/{beschikking.pk}/tranches",
        f"/projecten/{project.pk}/begroting",
        f"/projecten/{project.pk}/partners",
        f"/projecten/{project.pk}/status",
    ]
    for gebruiker in (partner_medewerker, ministerie, ander):
        client.force_login(gebruiker)
        for url in urls:
            assert client.get(url).status_code == 404, (gebruiker, url)
            assert client.post(url, {}).status_code == 404, (gebruiker, url)
    assert not Auditregel.objects.exists()


def test_a_closed_project_takes_no_new_goals(client, manager, project, niets_opgeslagen):
    project.status = Project.Status.AFGEROND
    project.save()
    DoelFactory(project=project)
    client.force_login(manager)
    with niets_opgeslagen(Doel):
        antwoord = client.post(f"/projecten/{project.pk}/doelen/nieuw", {"titel": "Nog een"})
    assert "er kan niets meer bij" in antwoord.content.decode()


def test_every_form_page_opens_for_the_manager_with_its_table_downloads(
    client, manager, project, indicator
):
    beschikking = BeschikkingFactory(project=project)
    client.force_login(manager)
    for url in [
        f"/programmas/{project.programma.code}/projecten/nieuw",
        f"/projecten/{project.pk}/wijzigen",
        f"/projecten/{project.pk}/doelen/nieuw",
        f"/projecten/{project.pk}/indicatoren/nieuw",
        f"/indicatoren/{indicator.pk}/streefwaarden",
        f"/projecten/{project.pk}/beschikkingen/nieuw",
        f"/beschikkingen/{beschikking.pk}/tranches",
        f"/projecten/{project.pk}/begroting",
        f"/projecten/{project.pk}/partners",
        f"/projecten/{project.pk}/status",
    ]:
        pagina = client.get(url)
        assert pagina.status_code == 200, url
        assert pagina.content.decode().count("<h1") == 1, url
    for url, naam in [
        (f"/beschikkingen/{beschikking.pk}/tranches", "tranches"),
        (f"/projecten/{project.pk}/begroting", "begroting"),
        (f"/projecten/{project.pk}/partners", "partners"),
        (f"/indicatoren/{indicator.pk}/streefwaarden", "streefwaarden"),
    ]:
        assert client.get(f"{url}?download={naam}&formaat=xlsx").status_code == 200
