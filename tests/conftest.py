"""Shared fixtures: one programme with a theme, a focus area and a running project, the
people who work in it, and a guard that proves a refused write left nothing behind."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from typing import Any

import pytest
from django.db import models
from django.utils import timezone

from programma.audit import Actor
from programma.models import Auditregel, Focusgebied, Organisatie, Programma, Rol, Thema
from projecten.models import Indicator, Project
from tests.programma.factories import (
    FocusgebiedFactory,
    GebruikerFactory,
    OrganisatieFactory,
    ProgrammaFactory,
    RolFactory,
    ThemaFactory,
)
from tests.projecten.factories import IndicatorFactory, ProjectFactory

NietsOpgeslagen = Callable[..., AbstractContextManager[None]]


@pytest.fixture(autouse=True)
def prive_bestanden(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Report PDFs of a test go to a directory of its own, never into the checkout."""
    settings.PRIVE_MEDIA_ROOT = tmp_path_factory.mktemp("prive")


@pytest.fixture
def niets_opgeslagen() -> NietsOpgeslagen:
    """``with niets_opgeslagen(Project, Projectpartner), pytest.raises(...)``: the row counts
    of the given models and of the audit trail are the same after the refused write."""

    @contextmanager
    def controle(*modellen: type[models.Model]) -> Iterator[None]:
        alle = (*modellen, Auditregel)
        voor = {m.__name__: m.objects.count() for m in alle}
        yield
        assert {m.__name__: m.objects.count() for m in alle} == voor

    return controle


@pytest.fixture
def vandaag(monkeypatch: pytest.MonkeyPatch) -> Callable[[date], None]:
    """Pin the local date the services see, so deadlines are judged against a known day."""

    def zet(dag: date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dag)

    return zet


@pytest.fixture
def programma(db: None) -> Programma:
    return ProgrammaFactory(code="nplv", naam="Nationaal Programma Leefbaarheid en Veiligheid")


@pytest.fixture
def thema(programma: Programma) -> Thema:
    return ThemaFactory(programma=programma, code="armoede", naam="Armoede en schulden")


@pytest.fixture
def focusgebied(programma: Programma) -> Focusgebied:
    return FocusgebiedFactory(programma=programma, code="nieuw-west", naam="Nieuw-West")


@pytest.fixture
def penvoerder(db: None) -> Organisatie:
    return OrganisatieFactory(naam="Stichting Doras", soort=Organisatie.Soort.WELZIJN)


@pytest.fixture
def project(programma: Programma, thema: Thema, focusgebied: Focusgebied, penvoerder) -> Project:
    project = ProjectFactory(
        programma=programma,
        code="keukentafel",
        penvoerder=penvoerder,
        startdatum=date(2025, 3, 15),
        einddatum=date(2026, 6, 30),
    )
    project.themas.add(thema)
    project.focusgebieden.add(focusgebied)
    return project


@pytest.fixture
def indicator(project: Project) -> Indicator:
    return IndicatorFactory(doel__project=project, naam="Huishoudens met een betalingsregeling")


@pytest.fixture
def manager(programma: Programma):
    rol = RolFactory(soort=Rol.Soort.PROGRAMMAMANAGER, programma=programma)
    return rol.gebruiker


@pytest.fixture
def actor(manager) -> Actor:
    return Actor(gebruiker=manager)


@pytest.fixture
def partner_medewerker(penvoerder: Organisatie):
    return RolFactory(soort=Rol.Soort.PARTNER, organisatie=penvoerder).gebruiker


@pytest.fixture
def partner_actor(partner_medewerker) -> Actor:
    return Actor(gebruiker=partner_medewerker)


@pytest.fixture
def beheerder(db: None):
    return GebruikerFactory(username="beheer", is_superuser=True, is_staff=True)
