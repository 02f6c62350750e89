"""Schemathesis against the published spec, in process through Django's WSGI app, with a
real database holding a project, indicators and submissions of the key's organisation.

Every check schemathesis has is on (status codes, content types, response headers and
bodies against the spec, no 5xx, valid data accepted and invalid data refused, auth
enforced, required headers, unsupported methods). What a spec cannot say, it is told
here: for the parts of a request generated as *valid*, ids point at real objects of the
organisation, periods fall inside the project, a correction names the current ETag and
every Idempotency-Key is used for one body only. Everything else is what the generator
made of the spec, so a valid request the API refuses, or an invalid one it accepts, fails.
"""

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation

from programma import services as programma_services
from programma.audit import Actor
from programma.perioden import perioden_tussen
from projecten.models import (
    Beoordeling,
    Besteding,
    Indicator,
    Meting,
    Project,
    Voortgangsverslag,
)
from tests.api.conftest import ALLE_SCOPES, Wereld
from tests.projecten.factories import IndicatorFactory, MetingFactory, ProjectFactory

SLEUTEL = "ont_schemathesis_" + "s" * 40
VOORBEELDEN = 40

# A missing If-Match is refused with 428 Precondition Required (RFC 6585), the status made
# for exactly that; schemathesis's default list for a missing required header lacks it.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "missing_required_header": {
                "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
            }
        }
    }
)
app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)


@schema.auth()
class Bearer:
    """The key of the organisation the fixture sets up, with every scope."""

    def get(self, case: Any, context: Any) -> str:
        return SLEUTEL

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


class Echt:
    """Real objects of the key's organisation that valid requests refer to."""

    def __init__(self, wereld: Wereld) -> None:
        wij = wereld.wij
        self.project = wij.project
        # A score may be any finite number, so every generated value is a valid one.
        self.score = IndicatorFactory(
            doel=wij.indicator.doel, naam="Buurtscore", eenheid=Indicator.Eenheid.SCORE
        )
        self.meting = MetingFactory(
            indicator=self.score,
            periode="2025-K4",
            status=Beoordeling.TERUGGESTUURD,
            beoordeling_toelichting="Klopt dit?",
        )
        self.perioden = [
            p.code
            for frequentie in ("jaar", "halfjaar", "kwartaal", "maand")
            for p in perioden_tussen(self.project.startdatum, self.project.einddatum, frequentie)
        ]
        self.ids = {**wij.ids(), "meting_id": self.meting.pk}
        self.beschikking = wij.beschikking.pk
        self.gebruikte_sleutels: dict[str, str] = {}

    def periode(self, gegenereerd: Any) -> str:
        """A period inside the project, picked by the generated value so that different
        examples use different periods."""
        index = int(hashlib.sha256(repr(gegenereerd).encode()).hexdigest(), 16)
        return self.perioden[index % len(self.perioden)]

    def vers_project(self) -> Project:
        """A project of our organisation without submissions, for a batch of narratives
        (one per period), so a batch never collides with what an earlier example stored."""
        return ProjectFactory(
            programma=self.project.programma,
            penvoerder=self.project.penvoerder,
            startdatum=self.project.startdatum,
            einddatum=self.project.einddatum,
        )

    def item(self, pad: str, item: Any, index: int, verse: dict[str, Any]) -> Any:
        if not isinstance(item, dict):
            return item
        item = dict(item)
        if "indicator" in item:
            item["indicator"] = verse["indicator"].pk if verse else self.score.pk
        if "project" in item:
            item["project"] = verse["project"].pk if "project" in verse else self.project.pk
        if "beschikking" in item and item["beschikking"] is not None:
            item["beschikking"] = self.beschikking if "project" not in verse else None
        if "periode" in item:
            item["periode"] = self.perioden[index] if verse else self.periode(item["periode"])
        return item

    def body(self, pad: str, body: Any) -> Any:
        if not isinstance(body, dict):
            return body
        if pad.endswith("/batch") and isinstance(body.get("items"), list):
            items = body["items"][: len(self.perioden)]
            verse: dict[str, Any] = {}
            if pad.startswith("/metingen"):
                # One fresh indicator per batch: each item gets a period of its own.
                verse["indicator"] = IndicatorFactory(
                    doel=self.score.doel, naam=f"Batch {uuid.uuid4()}", eenheid="score"
                )
            if pad.startswith("/voortgangsverslagen"):
                verse["project"] = self.vers_project()
            return {
                **body,
                "items": [self.item(pad, item, i, verse) for i, item in enumerate(items)],
            }
        return self.item(pad, body, 0, {})

    def idempotentiesleutel(self, sleutel: str, body: Any) -> str:
        """A key is meant for one request: reuse with another body is refused with 422,
        which is right. The generated key is kept the first time it is seen."""
        inhoud = repr(body)
        if self.gebruikte_sleutels.setdefault(sleutel, inhoud) != inhoud:
            sleutel = str(uuid.uuid4())
            self.gebruikte_sleutels[sleutel] = inhoud
        return sleutel

    def maak_echt(self, case: Any) -> None:
        meta = case.meta
        pad = case.operation.path
        if not meta.is_negative_at(ParameterLocation.PATH) and case.path_parameters:
            for naam in case.path_parameters:
                assert naam in self.ids, f"padparameter {naam}: voeg hem toe aan Partij.ids()"
                case.path_parameters[naam] = self.ids[naam]
        if not meta.is_negative_at(ParameterLocation.BODY) and case.body is not None:
            case.body = self.body(pad, case.body)
        if not meta.is_negative_at(ParameterLocation.HEADER) and case.headers:
            if "Idempotency-Key" in case.headers:
                case.headers["Idempotency-Key"] = self.idempotentiesleutel(
                    case.headers["Idempotency-Key"], case.body
                )
            if "If-Match" in case.headers and not meta.is_negative_at(ParameterLocation.PATH):
                case.headers["If-Match"] = self.etag(pad, case.path_parameters)

    def etag(self, pad: str, parameters: dict[str, Any]) -> str:
        """The current ETag of the submission the (real) path points at."""
        model = {"metingen": Meting, "bestedingen": Besteding}.get(
            pad.split("/")[1], Voortgangsverslag
        )
        obj = model.objects.get(pk=next(iter(parameters.values())))
        return f'"{obj.pk}-{obj.versie}"'


@pytest.fixture
def verbinding_blijft_open() -> Iterator[None]:
    """Schemathesis calls the WSGI app itself, so Django's request signals close the
    database connection after each request, and with it the test's transaction. Django's
    own test client switches that off in the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def echt(wereld: Wereld, settings: Any, verbinding_blijft_open: None) -> Echt:
    settings.API_LIMIET_PER_MINUUT = 1_000_000
    programma_services.api_sleutel_aanmaken(
        actor=Actor.systeem("tests"),
        organisatie=wereld.wij.organisatie,
        naam="schemathesis",
        scopes=ALLE_SCOPES,
        platte_sleutel=SLEUTEL,
    )
    return Echt(wereld)


def test_elke_controle_van_schemathesis_staat_aan() -> None:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    namen = set(CHECKS.get_all_names()) - {"max_response_time"}  # a limit, not a check
    assert len(namen) >= 14
    uit = [n for n in sorted(namen) if not schema.config.checks.get_by_name(name=n).enabled]
    assert uit == []


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(
    max_examples=VOORBEELDEN,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_volgt_de_spec(case: Any, echt: Echt) -> None:
    echt.maak_echt(case)
    case.call_and_validate()
