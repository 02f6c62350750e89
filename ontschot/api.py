"""The partner API root: one NinjaAPI under /api/v1 that mounts each app's router, turns
every error into problem details and documents them in the OpenAPI spec."""

import json
import logging
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic.alias_generators import to_camel

from ontschot.problemen import PROBLEEM_MEDIATYPE, probleem
from programma.api import ApiSleutelAuth, SleutelLimiet
from programma.api import router as programma_router
from programma.fouten import (
    Bulkfouten,
    Conflict,
    NietGevonden,
    VersieVerouderd,
    VoorwaardeOntbreekt,
)
from projecten.api import router as projecten_router
from rapportage.api import router as rapportage_router

API_VERSIE = "1.0.0"
logger = logging.getLogger("ontschot.api")


class OngeldigeJson(ValueError):
    pass


def _weiger_constante(naam: str) -> Any:
    raise OngeldigeJson(f"{naam} is geen geldig getal.")


class StrikteParser(Parser):
    """JSON with exact decimals (a number never passes through a float) and without
    NaN or Infinity, which Python's json module would otherwise accept."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return json.loads(request.body, parse_float=Decimal, parse_constant=_weiger_constante)
        except OngeldigeJson:
            raise
        except ValueError as fout:
            raise OngeldigeJson(f"De body is geen geldige JSON: {fout}.") from fout


class Renderer(JSONRenderer):
    class encoder_class(NinjaJSONEncoder):
        def default(self, o: Any) -> Any:
            if isinstance(o, Decimal):
                return str(o)
            return super().default(o)


class OntschotApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """lowerCamelCase from the view's name (``meting_indienen`` → ``metingIndienen``), so
        generated clients get readable method names; the names are unique across the API."""
        return to_camel(operation.view_func.__name__)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return documenteer_problemen(super().get_openapi_schema(*args, **kwargs))


api = OntschotApi(
    title="Ontschot partner-API",
    version=API_VERSIE,
    description=(
        "Partners van meerjarige wijkprogramma's leveren via deze API metingen, bestedingen en "
        "voortgangsverslagen aan en halen gepubliceerde rapporten op. Authenticatie met "
        "`Authorization: Bearer <API-sleutel>`; schrijfverzoeken accepteren een `Idempotency-Key`."
    ),
    urls_namespace="api-v1",
    auth=ApiSleutelAuth(),
    throttle=[SleutelLimiet()],
    parser=StrikteParser(),
    renderer=Renderer(),
    servers=[{"url": settings.API_SERVER_URL, "description": "Deze Ontschot-installatie"}],
    openapi_extra={
        "info": {
            "contact": {
                "name": "Ontschot",
                "email": "api@ontschot.nl",
                "url": "https://ontschot.nl",
            },
            "license": {"name": "EUPL-1.2", "url": "https://eupl.eu/1.2/nl/"},
        },
        "tags": [
            {"name": "projecten", "description": "De projecten van uw organisatie"},
            {"name": "metingen", "description": "Waarden van indicatoren per periode"},
            {"name": "bestedingen", "description": "Uitgaven per periode en kostensoort"},
            {
                "name": "voortgangsverslagen",
                "description": "Voortgang, risico's en afwijkingen per periode",
            },
            {"name": "rapporten", "description": "Gepubliceerde verantwoordingsrapporten"},
        ],
    },
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", programma_router)
api.add_router("", projecten_router)
api.add_router("", rapportage_router)


# --- errors as problem details --------------------------------------------------------------

NAAM_VAN_TYPE = {
    "missing": "Dit veld is verplicht.",
    "extra_forbidden": "Onbekend veld.",
    "decimal_max_places": "Te veel decimalen.",
    "decimal_max_digits": "Het getal heeft te veel cijfers.",
    "decimal_whole_digits": "Het getal is te groot.",
    "finite_number": "Het getal moet eindig zijn (geen NaN of Infinity).",
    "decimal_parsing": "Geen geldig decimaal getal.",
    "int_parsing": "Geen geheel getal.",
    "int_type": "Geen geheel getal.",
    "string_type": "Geen tekst.",
    "string_pattern_mismatch": "Ongeldig formaat.",
    "string_too_long": "De tekst is te lang.",
    "string_too_short": "De tekst is te kort.",
    "greater_than_equal": "De waarde is te klein.",
    "less_than_equal": "De waarde is te groot.",
    "too_long": "Te veel elementen.",
    "too_short": "Te weinig elementen.",
    "enum": "Geen toegestane waarde.",
    "dict_type": "Geen object.",
    "list_type": "Geen lijst.",
    "datetime_from_date_parsing": "Geen geldige datum-tijd (ISO 8601).",
    "datetime_parsing": "Geen geldige datum-tijd (ISO 8601).",
    "model_attributes_type": "Geen object.",
    "model_type": "Geen object.",
}


def _veldnaam(loc: tuple[Any, ...] | list[Any]) -> str:
    delen = [str(d) for d in loc]
    if delen and delen[0] in {"body", "query", "path", "header"}:
        delen = delen[1:]
    if delen and delen[0] in {"payload", "filters"}:
        delen = delen[1:]
    return ".".join(delen) or "body"


def _reden(fout: dict[str, Any]) -> str:
    basis = NAAM_VAN_TYPE.get(fout.get("type", ""), "")
    context = fout.get("ctx") or {}
    if fout.get("type") == "decimal_max_places":
        return f"Te veel decimalen: hoogstens {context.get('decimal_places')}."
    if fout.get("type") in {"greater_than_equal", "less_than_equal", "string_too_long", "too_long"}:
        grens = context.get("ge", context.get("le", context.get("max_length")))
        return f"{basis.rstrip('.')} (grens: {grens})."
    if fout.get("type") == "string_pattern_mismatch" and "\\x00" in str(context.get("pattern")):
        return "Tekst mag geen NUL-teken (U+0000) bevatten."
    if fout.get("type") == "string_pattern_mismatch" and fout.get("loc", [None])[-1] == "periode":
        return "Ongeldige periode: gebruik JJJJ, JJJJ-H1/H2, JJJJ-K1..K4 of JJJJ-MM."
    return basis or str(fout.get("msg", "Ongeldige waarde."))


def ongeldig(request: HttpRequest, detail: str, params: list[dict[str, Any]]) -> HttpResponse:
    return probleem(request, 400, detail, soort="ongeldige-invoer", invalid_params=params)


@api.exception_handler(NinjaValidationError)
def _ninja_validatie(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    params = []
    for f in exc.errors:
        loc = list(f.get("loc", ()))
        param: dict[str, Any] = {
            "name": _veldnaam(loc),
            "code": f.get("type", "ongeldig"),
            "reason": _reden(f),
        }
        if "items" in loc and loc.index("items") + 1 < len(loc):
            index = loc[loc.index("items") + 1]
            if isinstance(index, int):
                param["index"] = index
        params.append(param)
    return ongeldig(request, f"{len(params)} veld(en) ongeldig; er is niets opgeslagen.", params)


@api.exception_handler(DjangoValidationError)
def _django_validatie(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    velden = exc.message_dict if hasattr(exc, "error_dict") else {"body": exc.messages}
    params = [
        {"name": "body" if veld == "__all__" else veld, "code": "ongeldig", "reason": m}
        for veld, meldingen in velden.items()
        for m in meldingen
    ]
    return ongeldig(request, "De invoer is ongeldig; er is niets opgeslagen.", params)


@api.exception_handler(Bulkfouten)
def _bulkfouten(request: HttpRequest, exc: Bulkfouten) -> HttpResponse:
    params = [
        {
            "name": f"items.{f['index']}.{f['veld']}",
            "code": "ongeldig",
            "reason": f["melding"],
            "index": f["index"],
        }
        for f in exc.fouten
    ]
    return ongeldig(request, f"{len(params)} fout(en) in de batch; er is niets opgeslagen.", params)


@api.exception_handler(VersieVerouderd)
def _verouderd(request: HttpRequest, exc: VersieVerouderd) -> HttpResponse:
    return probleem(request, 412, str(exc), soort="versie-verouderd")


@api.exception_handler(VoorwaardeOntbreekt)
def _if_match(request: HttpRequest, exc: VoorwaardeOntbreekt) -> HttpResponse:
    return probleem(request, 428, str(exc), soort="if-match-ontbreekt")


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return probleem(request, 409, str(exc), soort="conflict")


@api.exception_handler(NietGevonden)
@api.exception_handler(Http404)
def _niet_gevonden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return probleem(
        request,
        404,
        "Deze resource bestaat niet of u heeft er geen toegang toe.",
        soort="niet-gevonden",
    )


@api.exception_handler(AuthenticationError)
def _niet_ingelogd(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return probleem(
        request,
        401,
        "Geef een geldige, niet-ingetrokken en niet-verlopen API-sleutel mee als "
        "'Authorization: Bearer <sleutel>'.",
        soort="niet-geauthenticeerd",
        headers={"WWW-Authenticate": 'Bearer realm="ontschot"'},
    )


@api.exception_handler(AuthorizationError)
def _geen_toegang(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return probleem(request, 403, exc.message, soort="geen-toegang")


@api.exception_handler(Throttled)
def _te_veel(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return probleem(
        request,
        429,
        f"Meer dan {settings.API_LIMIET_PER_MINUUT} verzoeken per minuut met deze sleutel.",
        soort="te-veel-verzoeken",
    )


@api.exception_handler(HttpError)
def _http_fout(request: HttpRequest, exc: HttpError) -> HttpResponse:
    oorzaak = exc.__cause__
    if isinstance(oorzaak, OngeldigeJson):
        return ongeldig(
            request, str(oorzaak), [{"name": "body", "code": "json", "reason": str(oorzaak)}]
        )
    return probleem(request, exc.status_code, exc.message, soort="http-fout")


@api.exception_handler(Exception)
def _onverwacht(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Onverwachte fout in de API", exc_info=exc)
    return probleem(
        request,
        500,
        "Er ging iets mis aan onze kant; probeer het later opnieuw.",
        soort="interne-fout",
    )


# --- the spec documents every problem response ---------------------------------------------

PROBLEEM_SCHEMA = {
    "type": "object",
    "description": "Probleemdetails (RFC 9457) zoals de NL API Design Rules ze vragen.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri",
            "description": "Soort probleem",
            "examples": ["urn:ontschot:problemen:ongeldige-invoer"],
        },
        "title": {"type": "string", "examples": ["Ongeldige invoer"]},
        "status": {"type": "integer", "examples": [400]},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "Het pad van het verzoek"},
        "invalidParams": {
            "type": "array",
            "description": "Bij 400: elk ongeldig veld met de reden, alle tegelijk",
            "items": {
                "type": "object",
                "properties": {
                    "name": {
                        "type": "string",
                        "description": "Het veld, met punten genest; in een batch items.<index>.<veld>",
                        "examples": ["waarde"],
                    },
                    "code": {"type": "string", "examples": ["decimal_max_places"]},
                    "reason": {"type": "string", "examples": ["Te veel decimalen: hoogstens 4."]},
                    "index": {
                        "type": "integer",
                        "description": "In een batch: de positie van het item (vanaf 0)",
                    },
                },
            },
        },
    },
}
BESCHRIJVING = {
    "400": "Ongeldige invoer: elke fout met veld en reden in invalidParams",
    "401": "Geen, een onbekende, ingetrokken of verlopen API-sleutel",
    "403": "De sleutel mist de benodigde scope",
    "404": "Bestaat niet of hoort niet bij uw organisatie",
    "409": "Gesloten project, vergrendelde periode of dubbele inzending",
    "412": "If-Match verwijst naar een verouderde versie",
    "413": "De body is te groot",
    "422": "Idempotency-Key eerder gebruikt voor een ander verzoek",
    "428": "If-Match ontbreekt",
    "429": "Te veel verzoeken; zie Retry-After",
}
# Where a read answers differently from a write.
BESCHRIJVING_GET = {"409": "Het rapport is nog niet klaar; volg de status en probeer het daarna"}
HEADERS: dict[str, dict[str, Any]] = {
    "API-Version": {
        "description": "De volledige versie van de API",
        "schema": {"type": "string", "examples": [API_VERSIE]},
    },
    "ETag": {
        "description": "De versie van deze inzending; stuur hem mee in If-Match om te corrigeren",
        "schema": {"type": "string", "examples": ['"42-1"']},
    },
    "Location": {
        "description": "De URL van de aangemaakte inzending",
        "schema": {"type": "string", "format": "uri"},
    },
    "Idempotent-Replayed": {
        "description": "true als dit het bewaarde antwoord op een eerder verzoek met dezelfde "
        "Idempotency-Key is",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Over zoveel seconden mag u het opnieuw proberen",
        "schema": {"type": "integer", "minimum": 0},
    },
    "WWW-Authenticate": {
        "description": "Hoe u zich authenticeert",
        "schema": {"type": "string", "examples": ['Bearer realm="ontschot"']},
    },
}
EXTRA_HEADERS = {"401": ["WWW-Authenticate"], "429": ["Retry-After"]}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Een herhaling binnen 24 uur met dezelfde sleutel (en dezelfde body) geeft "
    "hetzelfde antwoord, met Idempotent-Replayed: true, en maakt niets nieuws aan. Dezelfde "
    "sleutel met een andere body geeft 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]+$"},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "De ETag van de versie die u corrigeert.",
    "schema": {"type": "string"},
}
#: The submissions, whose single-item responses carry an ETag.
MET_VERSIE = ("/metingen/", "/bestedingen/", "/voortgangsverslagen/")
PYTHON_GROEPNAAM = re.compile(r"\(\?P<\w+>")


def _antwoordcodes_als_tekst(antwoorden: dict[Any, Any]) -> dict[str, Any]:
    """Status codes as strings, the way JSON writes them. Ninja keys its own responses by
    int; a response an operation spells out in ``openapi_extra`` arrives beside it under the
    string key and wins, so the spec never holds the same code twice."""
    uit = {str(code): antwoord for code, antwoord in antwoorden.items() if isinstance(code, int)}
    for code, antwoord in antwoorden.items():
        if not isinstance(code, int):
            uit[str(code)] = {**uit.get(str(code), {}), **antwoord}
    return uit


def _ecma_patronen(knoop: Any) -> None:
    """JSON Schema patterns are ECMA-262 regular expressions: Python's named groups
    ``(?P<naam>...)`` become plain groups; what they match does not change."""
    if isinstance(knoop, dict):
        for sleutel, waarde in knoop.items():
            if sleutel == "pattern" and isinstance(waarde, str):
                knoop[sleutel] = PYTHON_GROEPNAAM.sub("(", waarde)
            else:
                _ecma_patronen(waarde)
    elif isinstance(knoop, list):
        for item in knoop:
            _ecma_patronen(item)


def _verwijzingen(knoop: Any) -> set[str]:
    if isinstance(knoop, dict):
        eigen = {knoop["$ref"]} if isinstance(knoop.get("$ref"), str) else set()
        return eigen.union(*(_verwijzingen(v) for v in knoop.values()))
    if isinstance(knoop, list):
        return set().union(*(_verwijzingen(v) for v in knoop))
    return set()


def _zonder_ongebruikte_schemas(spec: dict[str, Any]) -> None:
    """Drop component schemas nothing refers to (ninja lists the query filter schemas,
    whose fields it has already spelled out as parameters)."""
    schemas = spec["components"]["schemas"]
    prefix = "#/components/schemas/"
    open_ = [r for r in _verwijzingen({**spec, "components": {}}) if r.startswith(prefix)]
    gebruikt: set[str] = set()
    while open_:
        naam = open_.pop().removeprefix(prefix)
        if naam not in gebruikt and naam in schemas:
            gebruikt.add(naam)
            open_.extend(r for r in _verwijzingen(schemas[naam]) if r.startswith(prefix))
    for naam in set(schemas) - gebruikt:
        del schemas[naam]


def _headers(*namen: str) -> dict[str, Any]:
    return {naam: {"$ref": f"#/components/headers/{naam}"} for naam in namen}


def documenteer_problemen(spec: dict[str, Any]) -> dict[str, Any]:
    """Complete ninja's spec with what the middleware and the error handlers add: problem
    responses, the API-Version header, ETag/Location/idempotency headers and parameters."""
    componenten = spec.setdefault("components", {})
    componenten.setdefault("schemas", {})["Probleem"] = PROBLEEM_SCHEMA
    componenten.setdefault("headers", {}).update(HEADERS)
    _ecma_patronen(componenten["schemas"])
    # Paths are relative to the server URL, which carries the major version.
    spec["paths"] = {pad.removeprefix("/api/v1"): ops for pad, ops in spec.get("paths", {}).items()}
    for pad, operaties in spec["paths"].items():
        for methode, operatie in operaties.items():
            for parameter in operatie.get("parameters", []):
                _ecma_patronen(parameter)
                # Ninja copies a field's examples list onto the parameter, where OpenAPI
                # wants a map of named examples.
                if isinstance(parameter.get("examples"), list):
                    parameter["examples"] = {
                        f"voorbeeld{i}": {"value": v}
                        for i, v in enumerate(parameter["examples"], start=1)
                    }
            codes = ["400", "401", "403", "404", "429"]
            succes = ["API-Version"]
            if methode in {"post", "put", "patch"}:
                codes += ["409", "413"]
            if methode == "post":
                codes += ["422"]
                succes += ["Idempotent-Replayed"]
                if not pad.endswith("/batch"):
                    succes += ["Location", "ETag"]
                operatie.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            if methode == "put":
                codes += ["412", "428"]
                succes += ["ETag"]
                operatie.setdefault("parameters", []).append(IF_MATCH)
            if methode == "get" and pad.endswith("}") and pad.startswith(MET_VERSIE):
                succes += ["ETag"]
            if methode == "get" and pad.endswith("/pdf"):
                codes += ["409"]  # the report is not ready yet
            antwoorden = operatie["responses"] = _antwoordcodes_als_tekst(
                operatie.get("responses", {})
            )
            for antwoord in antwoorden.values():
                antwoord.setdefault("headers", {}).update(_headers(*succes))
            for code in codes:
                antwoorden[code] = {
                    "description": BESCHRIJVING_GET.get(code, BESCHRIJVING[code])
                    if methode == "get"
                    else BESCHRIJVING[code],
                    "headers": _headers("API-Version", *EXTRA_HEADERS.get(code, [])),
                    "content": {
                        PROBLEEM_MEDIATYPE: {"schema": {"$ref": "#/components/schemas/Probleem"}}
                    },
                }
    _zonder_ongebruikte_schemas(spec)
    return spec


# --- the committed spec ---------------------------------------------------------------------

#: The server the committed spec announces, whatever API_SERVER_URL this process has: the
#: file in the repository must not depend on the machine that wrote it.
VASTGELEGDE_SERVER = {"url": "https://ontschot.example.nl/api/v1", "description": "Voorbeeld"}


def spec_als_tekst() -> str:
    """The spec as ``docs/api/openapi.json`` holds it: JSON as the API serves it (through
    its renderer), keys sorted, two-space indent, a trailing newline."""
    spec = api.get_openapi_schema()
    spec["servers"] = [VASTGELEGDE_SERVER]
    als_json = json.loads(json.dumps(spec, cls=Renderer.encoder_class))
    return json.dumps(als_json, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
