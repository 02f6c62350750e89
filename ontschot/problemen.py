"""Problem details (RFC 9457) for every API error, in the shape of the NL API Design
Rules: ``type``, ``title``, ``status``, ``detail``, ``instance`` and, for invalid input,
``invalidParams`` listing every field with its reason at once."""

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

PROBLEEM_MEDIATYPE = "application/problem+json"
TYPE_BASIS = "urn:ontschot:problemen:"

TITELS = {
    400: "Ongeldige invoer",
    401: "Niet geauthenticeerd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    409: "Conflict",
    412: "Versie verouderd",
    413: "Verzoek te groot",
    415: "Mediatype niet ondersteund",
    422: "Idempotency-Key hergebruikt",
    428: "If-Match ontbreekt",
    429: "Te veel verzoeken",
    500: "Interne fout",
}


def probleem(
    request: HttpRequest | None,
    status: int,
    detail: str,
    *,
    soort: str,
    titel: str | None = None,
    invalid_params: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASIS + soort,
        "title": titel or TITELS.get(status, "Fout"),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.path
    if invalid_params is not None:
        body["invalidParams"] = invalid_params
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEEM_MEDIATYPE
    )
    for naam, waarde in (headers or {}).items():
        response[naam] = waarde
    return response
