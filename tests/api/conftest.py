"""Fixtures for the partner API tests: two organisations in two programmes, each with a
project, indicators, grants, submissions in every review status and a published report,
API keys in every state, and a small client that speaks JSON to /api/v1."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from programma import services as programma_services
from programma.audit import Actor
from programma.models import ApiSleutel, Organisatie
from projecten.models import (
    Beoordeling,
    Beschikking,
    Besteding,
    Indicator,
    Meting,
    Project,
    Voortgangsverslag,
)
from rapportage.models import Rapport
from tests.programma.factories import OrganisatieFactory, ProgrammaFactory, ThemaFactory
from tests.projecten.factories import (
    BeschikkingFactory,
    BestedingFactory,
    IndicatorFactory,
    MetingFactory,
    ProjectFactory,
    VoortgangsverslagFactory,
)

API = "/api/v1"
ALLE_SCOPES = tuple(ApiSleutel.Scope.values)
PROBLEEM = "application/problem+json"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgresql: needs PostgreSQL (real concurrency); skipped on SQLite"
    )


@pytest.fixture(autouse=True)
def lege_cache() -> Iterator[None]:
    """The rate limit counts in the cache: every test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()


# --- API keys -------------------------------------------------------------------------------

SleutelMaker = Callable[..., str]


@pytest.fixture
def sleutel_maken(db: None) -> SleutelMaker:
    """``sleutel_maken(organisatie, scopes=..., verlopen=False, ingetrokken=False)`` returns
    the plain text of a new key."""
    actor = Actor.systeem("tests")

    def maak(
        organisatie: Organisatie,
        scopes: tuple[str, ...] | list[str] = ALLE_SCOPES,
        *,
        verlopen: bool = False,
        ingetrokken: bool = False,
    ) -> str:
        sleutel, tekst = programma_services.api_sleutel_aanmaken(
            actor=actor,
            organisatie=organisatie,
            naam=f"sleutel {ApiSleutel.objects.count() + 1}",
            scopes=list(scopes),
            verloopt_op=timezone.now() - timedelta(minutes=1) if verlopen else None,
        )
        if ingetrokken:
            programma_services.api_sleutel_intrekken(actor=actor, sleutel=sleutel)
        return tekst

    return maak


# --- a JSON client for /api/v1 ----------------------------------------------------------------


class ApiClient:
    """``django.test.Client`` with the key as bearer token, JSON bodies and paths relative
    to /api/v1. ``body`` may be raw text (sent as is) or anything JSON-serialisable."""

    def __init__(self, client: Client, sleutel: str | None = None) -> None:
        self.client = client
        self.sleutel = sleutel

    def met(self, sleutel: str | None) -> "ApiClient":
        return ApiClient(self.client, sleutel)

    def _headers(self, sleutel: str | None, headers: dict[str, str] | None) -> dict[str, str]:
        alle = dict(headers or {})
        if sleutel is not None:
            alle.setdefault("Authorization", f"Bearer {sleutel}")
        return alle

    def request(
        self,
        methode: str,
        pad: str,
        body: Any = None,
        *,
        sleutel: str | None = "standaard",
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Any:
        sleutel = self.sleutel if sleutel == "standaard" else sleutel
        url = pad if pad.startswith("/api/") else API + pad
        kop = self._headers(sleutel, headers)
        if methode == "GET":
            return self.client.get(url, data=query, headers=kop)
        if query:
            url += "?" + urlencode(query)
        data = body if isinstance(body, str | bytes) else json.dumps(body, default=str)
        return self.client.generic(
            methode, url, data=data, content_type="application/json", headers=kop
        )

    def get(self, pad: str, **kwargs: Any) -> Any:
        return self.request("GET", pad, **kwargs)

    def post(self, pad: str, body: Any, **kwargs: Any) -> Any:
        return self.request("POST", pad, body, **kwargs)

    def put(self, pad: str, body: Any, **kwargs: Any) -> Any:
        return self.request("PUT", pad, body, **kwargs)


@pytest.fixture
def api(client: Client) -> ApiClient:
    return ApiClient(client)


def is_probleem(response: Any, status: int) -> dict[str, Any]:
    """Assert ``response`` is problem details with ``status`` and the API-Version header;
    return the body."""
    assert response.status_code == status, (response.status_code, response.content[:2000])
    assert response["Content-Type"].startswith(PROBLEEM), response["Content-Type"]
    assert response.has_header("API-Version")
    body = json.loads(response.content)
    for veld in ("type", "title", "status", "detail"):
        assert body.get(veld), f"{veld} ontbreekt in {body}"
    assert body["status"] == status
    return body


def namen(body: dict[str, Any]) -> list[str]:
    return [p["name"] for p in body.get("invalidParams", [])]


# --- the world: two organisations in two programmes -----------------------------------------


@dataclass
class Partij:
    """One organisation with a project and something in every resource."""

    organisatie: Organisatie
    project: Project
    indicator: Indicator
    percentage: Indicator
    beschikking: Beschikking
    meting: Meting  # teruggestuurd, so it may be corrected
    goedgekeurde_meting: Meting
    besteding: Besteding  # teruggestuurd
    verslag: Voortgangsverslag  # teruggestuurd
    rapport: Rapport  # published, with a PDF

    def ids(self) -> dict[str, int]:
        return {
            "project_id": self.project.pk,
            "meting_id": self.meting.pk,
            "besteding_id": self.besteding.pk,
            "verslag_id": self.verslag.pk,
            "rapport_id": self.rapport.pk,
        }


def partij_maken(
    organisatie: Organisatie, project: Project, indicator: Indicator | None = None
) -> Partij:
    indicator = indicator or IndicatorFactory(doel__project=project)
    percentage = IndicatorFactory(
        doel=indicator.doel,
        naam=f"Tevreden deelnemers {project.code}",
        eenheid=Indicator.Eenheid.PERCENTAGE,
        aggregatie=Indicator.Aggregatie.GEMIDDELDE,
    )
    terug = {
        "status": Beoordeling.TERUGGESTUURD,
        "beoordeling_toelichting": "Graag de bron vermelden.",
        "beoordeeld_op": timezone.now(),
    }
    rapport = Rapport.objects.create(
        soort=Rapport.Soort.JAARVERANTWOORDING,
        programma=project.programma,
        periode="2025",
        status=Rapport.Status.KLAAR,
        sha256="0" * 64,
        gemaakt_op=timezone.now(),
        gepubliceerd_op=timezone.now(),
    )
    rapport.pdf.save(f"jaarverantwoording-{project.programma.code}.pdf", ContentFile(PDF))
    return Partij(
        organisatie=organisatie,
        project=project,
        indicator=indicator,
        percentage=percentage,
        beschikking=BeschikkingFactory(project=project),
        meting=MetingFactory(indicator=indicator, periode="2025-K2", **terug),
        goedgekeurde_meting=MetingFactory(
            indicator=indicator, periode="2025-K3", status=Beoordeling.GOEDGEKEURD
        ),
        besteding=BestedingFactory(project=project, periode="2025-K2", **terug),
        verslag=VoortgangsverslagFactory(project=project, periode="2025-K2", **terug),
        rapport=rapport,
    )


@dataclass
class Wereld:
    wij: Partij
    zij: Partij


@pytest.fixture
def wereld(
    project: Project, indicator: Indicator, penvoerder: Organisatie, settings, tmp_path
) -> Wereld:
    """Our organisation (the shared ``project`` fixture: 15-03-2025 – 30-06-2026, quarterly)
    and another organisation with a project of its own in another programme."""
    settings.MEDIA_ROOT = tmp_path
    andere = OrganisatieFactory(naam="Woonstichting De Key")
    ander_programma = ProgrammaFactory(code="wijkaanpak", naam="Wijkaanpak Zuid")
    ander_project = ProjectFactory(
        programma=ander_programma,
        code="buurtbudget",
        penvoerder=andere,
        startdatum=date(2025, 1, 1),
        einddatum=date(2026, 12, 31),
    )
    ander_project.themas.add(ThemaFactory(programma=ander_programma))
    return Wereld(
        wij=partij_maken(penvoerder, project, indicator),
        zij=partij_maken(andere, ander_project),
    )


@pytest.fixture
def onze_sleutel(wereld: Wereld, sleutel_maken: SleutelMaker) -> str:
    return sleutel_maken(wereld.wij.organisatie)


@pytest.fixture
def hun_sleutel(wereld: Wereld, sleutel_maken: SleutelMaker) -> str:
    return sleutel_maken(wereld.zij.organisatie)


@pytest.fixture
def wij(api: ApiClient, onze_sleutel: str) -> ApiClient:
    """The API as our organisation sees it, with a key holding every scope."""
    return api.met(onze_sleutel)
