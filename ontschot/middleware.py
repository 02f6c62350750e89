"""HTTP plumbing for the partner API: the API-Version header, the security headers of
the NL API Design Rules (/core/transport/security-headers), the body size limit and problem
details for URLs the API does not know (a trailing slash included)."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from ontschot.problemen import probleem

API_PREFIX = "/api/v1/"
OPENBAAR = {"/api/v1/openapi.json"}
#: On every API response, errors included. Strict-Transport-Security comes from Django's
#: SecurityMiddleware on HTTPS requests (SECURE_HSTS_SECONDS, a year in production).
BEVEILIGINGSHEADERS = {
    # Answers hold a partner's own data: no browser or proxy keeps a copy.
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
#: JSON is never a page: it may load nothing and be framed by no one.
API_CSP = "default-src 'none'; frame-ancestors 'none'"


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        response = self._te_groot(request) or self.get_response(request)
        is_probleem = response.get("Content-Type", "").startswith(
            ("application/problem+json", "application/json")
        )
        if response.status_code == 404 and not is_probleem:
            response = probleem(
                request, 404, "Deze URL bestaat niet in de API.", soort="niet-gevonden"
            )
        elif response.status_code == 405 and not is_probleem:
            toegestaan = response.get("Allow", "")
            response = probleem(
                request,
                405,
                f"Deze methode kan hier niet; wel: {toegestaan}.",
                soort="methode-niet-toegestaan",
                headers={"Allow": toegestaan} if toegestaan else None,
            )
        from ontschot.api import API_VERSIE

        response["API-Version"] = API_VERSIE
        for naam, waarde in BEVEILIGINGSHEADERS.items():
            response[naam] = waarde
        # The interactive docs (Swagger UI) are a page: they keep the site's policy, which
        # forbids framing too (CSPMiddleware sets it on the way out).
        if not response.get("Content-Type", "").startswith("text/html"):
            response["Content-Security-Policy"] = API_CSP
        if request.path in OPENBAAR:
            # The spec is public: any site or tool may read it.
            response["Access-Control-Allow-Origin"] = "*"
        return response

    def _te_groot(self, request: HttpRequest) -> HttpResponse | None:
        limiet = settings.API_MAX_BODY_BYTES
        try:
            lengte = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            lengte = 0
        melding = f"De body is groter dan {limiet} bytes; stuur grote batches in delen."
        if lengte > limiet:
            return probleem(request, 413, melding, soort="te-groot")
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                request.body  # noqa: B018 - read now so an oversized chunked body is caught here
            except RequestDataTooBig:
                return probleem(request, 413, melding, soort="te-groot")
        return None
