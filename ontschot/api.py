"""The partner API root: one NinjaAPI under /api/v1 that mounts each app's router, turns
every error into problem details and documents them in the OpenAPI spec."""

import json
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

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
        return f"{basis} (grens: {grens})."
    if fout.get("type") == "string_pattern_mismatch" and fout.get("loc", [None])[-1] == "periode":
        return "Ongeldige periode: gebruik JJJJ, JJJJ-H1/H2, JJJJ-K1..K4 of JJJJ-MM."
    return basis or str(fout.get("msg", "Ongeldige waarde."))


def ongeldig(request: HttpRequest, detail: str, params: list[dict[str, Any]]) -> HttpResponse:
    return probleem(request, 400, detail, soort="ongeldige-invoer", invalid_params=params)


@api.exception_handler(NinjaValidationError)
def _ninja_validatie(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    params = [
        {
            "name": _veldnaam(f.get("loc", ())),
            "code": f.get("type", "ongeldig"),
            "reason": _reden(f),
        }
        for f in exc.errors
    ]
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
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "code": {"type": "string"},
                    "reason": {"type": "string"},
                    "index": {"type": "integer"},
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
API_VERSIE_HEADER = {
    "description": "De versie van de API",
    "schema": {"type": "string", "example": API_VERSIE},
}


def documenteer_problemen(spec: dict[str, Any]) -> dict[str, Any]:
    spec.setdefault("components", {}).setdefault("schemas", {})["Probleem"] = PROBLEEM_SCHEMA
    headers = spec["components"].setdefault("headers", {})
    headers["API-Version"] = API_VERSIE_HEADER
    # Paths are relative to the server URL, which carries the major version.
    spec["paths"] = {pad.removeprefix("/api/v1"): ops for pad, ops in spec.get("paths", {}).items()}
    for operaties in spec["paths"].values():
        for methode, operatie in operaties.items():
            codes = ["400", "401", "403", "404", "429"]
            if methode in {"post", "put", "patch"}:
                codes += ["409", "413"]
            if methode == "post":
                codes += ["422"]
                operatie.setdefault("parameters", []).append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "description": "Een herhaling binnen 24 uur met dezelfde sleutel geeft hetzelfde antwoord en maakt niets nieuws aan.",
                        "schema": {"type": "string", "maxLength": 255},
                    }
                )
            if methode == "put":
                codes += ["412", "428"]
                operatie.setdefault("parameters", []).append(
                    {
                        "name": "If-Match",
                        "in": "header",
                        "required": True,
                        "description": "De ETag van de versie die u corrigeert.",
                        "schema": {"type": "string"},
                    }
                )
            antwoorden = operatie.setdefault("responses", {})
            for antwoord in antwoorden.values():
                antwoord.setdefault("headers", {})["API-Version"] = {
                    "$ref": "#/components/headers/API-Version"
                }
            for code in codes:
                antwoorden[code] = {
                    "description": BESCHRIJVING[code],
                    "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
                    "content": {
                        PROBLEEM_MEDIATYPE: {"schema": {"$ref": "#/components/schemas/Probleem"}}
                    },
                }
    return spec
