"""What each person may see of projects and what hangs under them, and what an API key sees.
A partner never sees another organisation's projects."""

import pytest
from django.contrib.auth.models import AnonymousUser

from programma.models import Rol
from programma.selectors import programmas_voor
from projecten.selectors import (
    bestedingen_voor,
    metingen_voor,
    programma_overzicht,
    projecten_beheerd_door,
    projecten_van_organisatie,
    projecten_voor,
    verplichtingen_voor,
    verslagen_voor,
)
from tests.programma.factories import (
    FocusgebiedFactory,
    GebruikerFactory,
    OrganisatieFactory,
    ProgrammaFactory,
    RolFactory,
    ThemaFactory,
)
from tests.projecten.factories import (
    BestedingFactory,
    MetingFactory,
    ProjectFactory,
    ProjectpartnerFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def wereld():
    """Two programmes. Organisation A leads a1 in NPLV; B leads b1 in NPLV and takes part in
    c2 of the other programme; C leads c2. Every project has a measurement, an expenditure
    and a progress report."""
    nplv, ander = ProgrammaFactory(code="nplv"), ProgrammaFactory(code="ander")
    a, b, c = (OrganisatieFactory(naam=f"Organisatie {x}") for x in "ABC")
    projecten = {
        "a1": ProjectFactory(code="a1", programma=nplv, penvoerder=a),
        "b1": ProjectFactory(code="b1", programma=nplv, penvoerder=b),
        "c2": ProjectFactory(code="c2", programma=ander, penvoerder=c),
    }
    ProjectpartnerFactory(project=projecten["c2"], organisatie=b)
    for project in projecten.values():
        MetingFactory(indicator__doel__project=project)
        BestedingFactory(project=project)
        VoortgangsverslagFactory(project=project)
    return {"nplv": nplv, "ander": ander, "a": a, "b": b, "c": c, **projecten}


def codes(qs) -> list[str]:
    return sorted(qs.values_list("code", flat=True))


def partner_van(org):
    return RolFactory(soort=Rol.Soort.PARTNER, organisatie=org).gebruiker


def test_partner_sees_only_its_organisations_projects_and_their_submissions(wereld):
    partner_a = partner_van(wereld["a"])
    assert codes(projecten_voor(partner_a)) == ["a1"]
    assert {m.indicator.doel.project.code for m in metingen_voor(partner_a)} == {"a1"}
    assert {b.project.code for b in bestedingen_voor(partner_a)} == {"a1"}
    assert {v.project.code for v in verslagen_voor(partner_a)} == {"a1"}


def test_partner_in_two_programmes_sees_both_projects_but_not_its_co_programme_peers(wereld):
    partner_b = partner_van(wereld["b"])
    assert codes(projecten_voor(partner_b)) == ["b1", "c2"]
    assert metingen_voor(partner_b).count() == 2
    assert sorted(p.code for p in programmas_voor(partner_b)) == ["ander", "nplv"]


def test_ministry_viewer_sees_only_its_programmes_projects(wereld):
    ambtenaar = RolFactory(soort=Rol.Soort.MINISTERIE, programma=wereld["ander"]).gebruiker
    assert codes(projecten_voor(ambtenaar)) == ["c2"]
    assert [p.code for p in programmas_voor(ambtenaar)] == ["ander"]
    assert {m.indicator.doel.project.code for m in metingen_voor(ambtenaar)} == {"c2"}
    assert not projecten_beheerd_door(ambtenaar).exists()


def test_programme_manager_sees_and_manages_only_their_programme(wereld):
    manager = RolFactory(soort=Rol.Soort.PROGRAMMAMANAGER, programma=wereld["nplv"]).gebruiker
    assert codes(projecten_voor(manager)) == ["a1", "b1"]
    assert codes(projecten_beheerd_door(manager)) == ["a1", "b1"]
    assert metingen_voor(manager).count() == 2


@pytest.mark.parametrize("hoe", ["superuser", "rol"])
def test_administrator_sees_everything(wereld, hoe):
    if hoe == "superuser":
        beheerder = GebruikerFactory(is_superuser=True)
    else:
        beheerder = RolFactory(soort=Rol.Soort.BEHEERDER).gebruiker
    assert codes(projecten_voor(beheerder)) == ["a1", "b1", "c2"]
    assert codes(projecten_beheerd_door(beheerder)) == ["a1", "b1", "c2"]
    assert metingen_voor(beheerder).count() == 3


def test_anonymous_visitor_and_user_without_role_see_nothing(wereld):
    for persoon in (AnonymousUser(), GebruikerFactory()):
        assert not projecten_voor(persoon).exists()
        assert not projecten_beheerd_door(persoon).exists()
        assert not metingen_voor(persoon).exists()
        assert not bestedingen_voor(persoon).exists()
        assert not verslagen_voor(persoon).exists()
        assert not verplichtingen_voor(persoon).exists()


def test_api_key_of_an_organisation_sees_the_projects_it_leads_or_joins(wereld):
    assert codes(projecten_van_organisatie(wereld["a"])) == ["a1"]
    assert codes(projecten_van_organisatie(wereld["b"])) == ["b1", "c2"]
    assert not projecten_van_organisatie(OrganisatieFactory()).exists()


def test_programme_overview_shows_a_partner_only_its_own_projects(wereld):
    assert [p.code for p in programma_overzicht(partner_van(wereld["a"]), wereld["nplv"])] == ["a1"]
    assert not programma_overzicht(partner_van(wereld["c"]), wereld["nplv"]).exists()


def bevolk(programma, aantal: int) -> None:
    themas = [ThemaFactory(programma=programma) for _ in range(2)]
    gebieden = [FocusgebiedFactory(programma=programma) for _ in range(2)]
    for _ in range(aantal):
        project = ProjectFactory(programma=programma)
        project.themas.set(themas)
        project.focusgebieden.set(gebieden)
        ProjectpartnerFactory(project=project)
        ProjectpartnerFactory(project=project)


def overzicht(gebruiker, programma):
    return [
        (
            p.code,
            p.penvoerder.naam,
            sorted(pp.organisatie.naam for pp in p.partners.all()),
            sorted(t.naam for t in p.themas.all()),
            sorted(f.naam for f in p.focusgebieden.all()),
        )
        for p in programma_overzicht(gebruiker, programma)
    ]


def test_programme_overview_takes_the_same_few_queries_for_3_or_40_projects(
    django_assert_max_num_queries,
):
    klein, groot = ProgrammaFactory(), ProgrammaFactory()
    bevolk(klein, 3)
    bevolk(groot, 40)
    manager = RolFactory(soort=Rol.Soort.PROGRAMMAMANAGER, programma=klein).gebruiker
    RolFactory(gebruiker=manager, soort=Rol.Soort.PROGRAMMAMANAGER, programma=groot)

    with django_assert_max_num_queries(5) as klein_queries:
        regels_klein = overzicht(manager, klein)
    with django_assert_max_num_queries(5) as groot_queries:
        regels_groot = overzicht(manager, groot)

    assert (len(regels_klein), len(regels_groot)) == (3, 40)
    assert all(
        len(partners) == 3 and len(themas) == 2 and len(gebieden) == 2
        for _, _, partners, themas, gebieden in regels_groot
    )
    assert len(klein_queries.captured_queries) == len(groot_queries.captured_queries)
