"""The dashboard, the project list and the project page cost the same number of queries
for a small portfolio and a large one, for a programme manager and for ministry staff:
nothing is read per project, grant, indicator or submission."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programma.models import Rol
from projecten.models import Beoordeling, Rapportageverplichting, Streefwaarde, Tranche
from rapportage.models import Indicatorstand, Signaal
from tests.programma.factories import (
    BudgetenvelopFactory,
    FocusgebiedFactory,
    ProgrammaFactory,
    RolFactory,
    ThemaFactory,
)
from tests.projecten.factories import (
    BegrotingsregelFactory,
    BeschikkingFactory,
    BestedingFactory,
    DoelFactory,
    IndicatorFactory,
    MetingFactory,
    ProjectFactory,
    ProjectpartnerFactory,
    TrancheFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db


def _vul(project, thema, aantal_indicatoren: int = 1) -> None:
    """Everything a project page and the dashboard show, for one project."""
    doel = DoelFactory(project=project)
    for i in range(aantal_indicatoren):
        indicator = IndicatorFactory(doel=doel)
        Streefwaarde.objects.create(indicator=indicator, periode="2025", waarde=Decimal("10"))
        MetingFactory(
            indicator=indicator, periode="2025", status=Beoordeling.GOEDGEKEURD, waarde=Decimal(i)
        )
        Indicatorstand.objects.create(
            niveau=Indicatorstand.Niveau.PROJECT,
            programma=project.programma,
            indicator=indicator,
            project=project,
            periode="2025",
            waarde=Decimal(i),
            op_koers=i % 2 == 0,
        )
        beschikking = BeschikkingFactory(project=project, thema=thema)
        TrancheFactory(
            beschikking=beschikking,
            volgnummer=1,
            status=Tranche.Status.BETAALD,
            betaald_op=date(2025, 2, 1),
        )
        BestedingFactory(project=project, beschikking=beschikking, status=Beoordeling.GOEDGEKEURD)
    ProjectpartnerFactory(project=project)
    BegrotingsregelFactory(project=project)
    VoortgangsverslagFactory(project=project)
    Rapportageverplichting.objects.create(
        project=project, soort="voortgang", periode="2025-K1", deadline=date(2025, 5, 12)
    )
    Signaal.objects.create(project=project, soort=Signaal.Soort.BESTEDINGSTEMPO, reden="Traag")


def _portefeuille(aantal: int):
    programma = ProgrammaFactory(code=f"p{aantal}")
    thema = ThemaFactory(programma=programma)
    gebied = FocusgebiedFactory(programma=programma)
    BudgetenvelopFactory(programma=programma, thema=thema)
    projecten = []
    for _ in range(aantal):
        project = ProjectFactory(programma=programma)
        project.themas.add(thema)
        project.focusgebieden.add(gebied)
        _vul(project, thema)
        projecten.append(project)
    return programma, projecten


def _gebruiker(programma, soort: str):
    return RolFactory(soort=soort, programma=programma).gebruiker


def _queries(client, gebruiker, url: str) -> int:
    client.force_login(gebruiker)
    with CaptureQueriesContext(connection) as context:
        antwoord = client.get(url)
    assert antwoord.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("soort", [Rol.Soort.PROGRAMMAMANAGER, Rol.Soort.MINISTERIE])
def test_dashboard_and_list_cost_the_same_for_2_and_25_projects(client, soort):
    klein, _ = _portefeuille(2)
    groot, _ = _portefeuille(25)
    for url in (
        lambda p: reverse("programma", args=[p.code]),
        lambda p: reverse("rapportage:projecten"),
        lambda p: reverse("rapportage:projecten") + f"?programma={p.code}&q=p",
    ):
        tellingen = [_queries(client, _gebruiker(p, soort), url(p)) for p in (klein, groot)]
        assert tellingen[0] == tellingen[1], url(klein)
        assert tellingen[0] <= 30


@pytest.mark.parametrize("soort", [Rol.Soort.PROGRAMMAMANAGER, Rol.Soort.MINISTERIE])
def test_project_page_costs_the_same_for_2_and_25_indicators_and_grants(client, soort):
    programma = ProgrammaFactory()
    thema = ThemaFactory(programma=programma)
    klein, groot = ProjectFactory(programma=programma), ProjectFactory(programma=programma)
    _vul(klein, thema, 2)
    _vul(groot, thema, 25)
    gebruiker = _gebruiker(programma, soort)
    tellingen = [
        _queries(client, gebruiker, reverse("rapportage:project", args=[p.pk]))
        for p in (klein, groot)
    ]
    assert tellingen[0] == tellingen[1]
    assert tellingen[0] <= 35
