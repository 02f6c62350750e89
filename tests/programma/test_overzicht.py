"""The first page: login, and a programme overview of the projects the user may see."""

import pytest
from django.urls import reverse

from programma.models import Rol
from tests.programma.factories import OrganisatieFactory, ProgrammaFactory, RolFactory
from tests.projecten.factories import ProjectFactory, ProjectpartnerFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("overzicht"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_renders_in_dutch_and_login_works(client, manager):
    manager.set_password("geheim-wachtwoord-1")
    manager.save()
    pagina = client.get(reverse("login"))
    assert "Inloggen" in pagina.content.decode()
    assert '<html lang="nl"' in pagina.content.decode()
    response = client.post(
        reverse("login"), {"username": manager.username, "password": "geheim-wachtwoord-1"}
    )
    assert response.status_code == 302
    assert client.get(reverse("overzicht")).status_code == 302  # on to the programme


def test_wrong_password_gives_a_dutch_message(client, manager):
    response = client.post(reverse("login"), {"username": manager.username, "password": "fout"})
    assert response.status_code == 200
    assert "juiste gebruikersnaam en wachtwoord" in response.content.decode()


def test_manager_sees_the_programme_projects_with_partners_themes_and_areas(
    client, manager, project, thema, focusgebied
):
    ProjectpartnerFactory(project=project, organisatie=OrganisatieFactory(naam="Woonstad"))
    client.force_login(manager)
    response = client.get(reverse("rapportage:projecten"), {"programma": project.programma.code})
    inhoud = response.content.decode()
    assert response.status_code == 200
    for tekst in (project.titel, project.penvoerder.naam, "Woonstad", thema.naam, focusgebied.naam):
        assert tekst in inhoud


def test_partner_sees_only_its_own_projects(client, programma, penvoerder, project):
    ander = ProjectFactory(programma=programma, titel="Jongerenwerk in de Schilderswijk")
    gebruiker = RolFactory(soort=Rol.Soort.PARTNER, organisatie=penvoerder).gebruiker
    client.force_login(gebruiker)
    # Partners have no dashboard: they are sent on to their own projects.
    response = client.get(reverse("programma", args=[programma.code]), follow=True)
    inhoud = response.content.decode()
    assert project.titel in inhoud
    assert ander.titel not in inhoud


def test_ministry_viewer_cannot_open_another_programme(client, programma):
    ander = ProgrammaFactory(code="ander-programma")
    gebruiker = RolFactory(soort=Rol.Soort.MINISTERIE, programma=programma).gebruiker
    client.force_login(gebruiker)
    assert client.get(reverse("programma", args=[programma.code])).status_code == 200
    assert client.get(reverse("programma", args=[ander.code])).status_code == 404


def test_user_without_roles_sees_no_programme(client, db):
    from tests.programma.factories import GebruikerFactory

    client.force_login(GebruikerFactory())
    response = client.get(reverse("overzicht"))
    assert response.status_code == 200
    assert "geen programma's die u mag inzien" in response.content.decode()


@pytest.mark.parametrize("aantal", [3, 40])
def test_overview_query_count_does_not_grow_with_the_portfolio(
    client, manager, programma, django_assert_max_num_queries, aantal
):
    for _ in range(aantal):
        project = ProjectFactory(programma=programma)
        ProjectpartnerFactory(project=project)
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("programma", args=[programma.code]))
    assert response.status_code == 200
    with django_assert_max_num_queries(20):
        response = client.get(reverse("rapportage:projecten"), {"programma": programma.code})
    assert response.content.decode().count("/metingen") == min(aantal, 25)
