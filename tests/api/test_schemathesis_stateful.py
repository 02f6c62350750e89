"""Schemathesis in its stateful mode against the partner API, in process through Django's
WSGI app, with every check on.

The state machine chains operations along the links between them: the published spec
has none of its own, so schemathesis infers them from the responses (an ``id`` in the
answer of POST /metingen is the ``meting_id`` of GET and PUT /metingen/{meting_id}, the
``id``s of a list page are those of the detail pages, a report's id is its PDF's). A
scenario therefore submits a measurement, an expenditure or a narrative, reads it back,
corrects it, lists it, requests a report and fetches it, in random orders and with
random (valid and invalid) data; besides the per-response checks of the stateless run,
the stateful checks hold: a created resource is available where its link says, and
nothing answers for what was never made.

What the spec cannot say, the machine is told as in test_schemathesis.py: parts
generated as valid name real objects of the key's organisation (unless a link supplied
them), a correction names the current ETag, and an Idempotency-Key is used for one body.
"""

from collections import Counter
from contextlib import suppress
from typing import Any, ClassVar

import pytest
import schemathesis
from django.core.exceptions import ObjectDoesNotExist
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput

from programma import services as programma_services
from programma.audit import Actor
from tests.api.conftest import ALLE_SCOPES, Wereld
from tests.api.test_schemathesis import SLEUTEL, Echt

SCENARIOS = 50  # hypothesis examples: each a scenario of up to STAPPEN calls
STAPPEN = 8

CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            # A missing If-Match is 428 Precondition Required (RFC 6585); see the stateless run.
            "missing_required_header": {
                "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
            }
        },
        "phases": {"stateful": {"max-steps": STAPPEN}},
    }
)
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", get_wsgi_application(), config=CONFIG
)


@schema.auth()
class Bearer:
    def get(self, case: Any, context: Any) -> str:
        return SLEUTEL

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


class Scenario(schema.as_state_machine()):  # type: ignore[misc]
    """One scenario of calls; what a link supplied is kept, the rest made real."""

    echt: ClassVar[Echt]
    # What the scenarios did, over the whole run: (method, path, status) of every call,
    # and the calls whose path parameters came from an earlier answer through a link.
    gezien: ClassVar[Counter[tuple[str, str, int]]] = Counter()
    gelinkt: ClassVar[Counter[str]] = Counter()

    def setup(self) -> None:
        """Every scenario starts from the same database: hypothesis replays a scenario
        (to shrink a failure) and expects the same answers, so what one scenario wrote
        is rolled back before the next."""
        self.bewaarpunt = transaction.savepoint()
        self.sleutels = dict(self.echt.gebruikte_sleutels)
        self.uit_link: set[str | None] = set()

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.bewaarpunt)
        self.echt.gebruikte_sleutels = self.sleutels
        super().teardown()

    def step(self, input: StepInput) -> StepOutput:
        self.uit_link = {
            naam for plek, naam in input.applied_parameters if plek == ParameterLocation.PATH
        }
        uitkomst = super().step(input)
        operatie = input.case.operation
        Scenario.gezien[
            (operatie.method.upper(), operatie.path, uitkomst.response.status_code)
        ] += 1
        if self.uit_link:
            Scenario.gelinkt[f"{operatie.method.upper()} {operatie.path}"] += 1
        return uitkomst

    def before_call(self, case: Any) -> None:
        meta = case.meta
        if case.path_parameters and not meta.is_negative_at(ParameterLocation.PATH):
            for naam in case.path_parameters:
                if naam not in self.uit_link:
                    case.path_parameters[naam] = self.echt.ids[naam]
        if case.body is not None and not meta.is_negative_at(ParameterLocation.BODY):
            case.body = self.echt.body(case.operation.path, case.body)
        if case.headers and not meta.is_negative_at(ParameterLocation.HEADER):
            if "Idempotency-Key" in case.headers:
                case.headers["Idempotency-Key"] = self.echt.idempotentiesleutel(
                    case.headers["Idempotency-Key"], case.body
                )
            if "If-Match" in case.headers and not meta.is_negative_at(ParameterLocation.PATH):
                # A linked id of an object that is gone: no ETag, and the API says 404.
                with suppress(ObjectDoesNotExist):
                    case.headers["If-Match"] = self.echt.etag(
                        case.operation.path, case.path_parameters
                    )


@pytest.fixture
def echt(wereld: Wereld, settings: Any, verbinding_blijft_open: None) -> Echt:
    settings.API_LIMIET_PER_MINUUT = 1_000_000
    programma_services.api_sleutel_aanmaken(
        actor=Actor.systeem("tests"),
        organisatie=wereld.wij.organisatie,
        naam="schemathesis stateful",
        scopes=ALLE_SCOPES,
        platte_sleutel=SLEUTEL,
    )
    return Echt(wereld)


@pytest.fixture
def verbinding_blijft_open() -> Any:
    from tests.api.test_schemathesis import verbinding_blijft_open as fixture

    yield from fixture.__wrapped__()  # type: ignore[attr-defined]


def test_the_api_has_links_for_stateful_testing() -> None:
    """Without links there are no scenarios, only single calls: the inferred links cover
    every resource that is created, read back and corrected."""
    Scenario.schema.as_state_machine()
    overgangen = Scenario.schema.statistic.transitions
    assert overgangen.total >= 20, overgangen.total
    links = {
        (methode.upper(), pad, naam)
        for pad, operaties in schema.raw_schema["paths"].items()
        for methode, operatie in operaties.items()
        if isinstance(operatie, dict)
        for antwoord in operatie.get("responses", {}).values()
        for naam in antwoord.get("links", {})
    }
    for verwacht in (
        ("POST", "/metingen", "GetMetingUit"),
        ("POST", "/metingen", "PutMetingUit"),
        ("POST", "/bestedingen", "PutBestedingUit"),
        ("POST", "/voortgangsverslagen", "GetVerslagUit"),
        ("POST", "/rapporten", "GetRapportUit"),
    ):
        assert verwacht in links, sorted(links)


@pytest.mark.django_db
def test_api_holds_up_in_random_scenarios(echt: Echt, settings: Any) -> None:
    Scenario.echt = echt
    Scenario.gezien.clear()
    Scenario.gelinkt.clear()
    Scenario.run(
        settings=hypothesis_settings(
            max_examples=SCENARIOS,
            stateful_step_count=STAPPEN,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate],
            database=None,
        )
    )
    # The scenarios did write (submissions accepted, not only refused) and did follow
    # links: a created or listed resource was read back or corrected by its id.
    aangemaakt = sum(n for (methode, _, status), n in Scenario.gezien.items() if status == 201)
    assert aangemaakt > 0, Scenario.gezien
    assert sum(Scenario.gelinkt.values()) > 0, Scenario.gezien
