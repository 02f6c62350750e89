"""Which programmes a person sees: by role in a programme, or through their organisation."""

import pytest
from django.contrib.auth.models import AnonymousUser

from programma.models import Rol
from programma.selectors import beheerde_programmas, is_beheerder, organisaties_van, programmas_voor
from tests.programma.factories import (
    GebruikerFactory,
    OrganisatieFactory,
    ProgrammaFactory,
    RolFactory,
)
from tests.projecten.factories import ProjectFactory, ProjectpartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twee_programmas():
    return ProgrammaFactory(code="nplv"), ProgrammaFactory(code="wijkaanpak")


def met_rol(soort, **waar):
    return RolFactory(soort=soort, **waar).gebruiker


def test_anonymous_visitor_sees_no_programme(twee_programmas):
    assert not programmas_voor(AnonymousUser()).exists()
    assert not beheerde_programmas(AnonymousUser()).exists()
    assert not is_beheerder(AnonymousUser())


def test_user_without_a_role_sees_no_programme(twee_programmas):
    assert not programmas_voor(GebruikerFactory()).exists()


def test_programme_manager_sees_and_manages_only_their_programme(twee_programmas):
    nplv, _ = twee_programmas
    manager = met_rol(Rol.Soort.PROGRAMMAMANAGER, programma=nplv)
    assert list(programmas_voor(manager)) == [nplv]
    assert list(beheerde_programmas(manager)) == [nplv]


def test_ministry_viewer_sees_its_programmes_but_manages_none(twee_programmas):
    _, wijkaanpak = twee_programmas
    ambtenaar = met_rol(Rol.Soort.MINISTERIE, programma=wijkaanpak)
    assert list(programmas_voor(ambtenaar)) == [wijkaanpak]
    assert not beheerde_programmas(ambtenaar).exists()


def test_partner_sees_the_programmes_its_organisation_has_projects_in(twee_programmas):
    nplv, wijkaanpak = twee_programmas
    org = OrganisatieFactory()
    ProjectpartnerFactory(project=ProjectFactory(programma=nplv), organisatie=org)
    ProjectpartnerFactory(project=ProjectFactory(programma=nplv), organisatie=org)
    ProjectFactory(programma=wijkaanpak)
    partner = met_rol(Rol.Soort.PARTNER, organisatie=org)
    assert list(programmas_voor(partner)) == [nplv]
    assert not beheerde_programmas(partner).exists()
    assert list(organisaties_van(partner)) == [org]


@pytest.mark.parametrize("hoe", ["superuser", "rol"])
def test_administrator_sees_and_manages_all_programmes(twee_programmas, hoe):
    if hoe == "superuser":
        beheerder = GebruikerFactory(is_superuser=True)
    else:
        beheerder = met_rol(Rol.Soort.BEHEERDER)
    assert is_beheerder(beheerder)
    assert set(programmas_voor(beheerder)) == set(twee_programmas)
    assert set(beheerde_programmas(beheerder)) == set(twee_programmas)


def test_someone_with_two_roles_sees_both_programmes_once(twee_programmas):
    nplv, wijkaanpak = twee_programmas
    persoon = met_rol(Rol.Soort.PROGRAMMAMANAGER, programma=nplv)
    RolFactory(gebruiker=persoon, soort=Rol.Soort.MINISTERIE, programma=wijkaanpak)
    assert sorted(p.code for p in programmas_voor(persoon)) == ["nplv", "wijkaanpak"]
    assert list(beheerde_programmas(persoon)) == [nplv]
