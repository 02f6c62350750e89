"""Authentication of partner organisations by API key, scopes and the per-key rate limit."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from programma.models import ApiSleutel, Organisatie
from programma.services import api_sleutel_controleren

logger = logging.getLogger("ontschot.api")

router = Router(tags=["organisatie"])


class ApiSleutelAuth(HttpBearer):
    """``Authorization: Bearer <key>``; the request's ``auth`` becomes the ApiSleutel."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiSleutel | None:
        return api_sleutel_controleren(token.strip())


def sleutel_van(request: HttpRequest) -> ApiSleutel:
    sleutel: ApiSleutel = request.auth  # type: ignore[attr-defined]
    return sleutel


def vereis_scope(request: HttpRequest, scope: str) -> Organisatie:
    """The organisation of the request's key, if the key carries ``scope``; else 403."""
    sleutel = sleutel_van(request)
    if scope not in sleutel.scopes:
        raise AuthorizationError(message=f"Deze API-sleutel mist de scope '{scope}'.")
    return sleutel.organisatie


class SleutelLimiet(BaseThrottle):
    """A fixed one-minute window per key, counted with an atomic increment in the cache,
    so several gunicorn processes share one count when the cache is Redis."""

    venster = 60

    def allow_request(self, request: HttpRequest) -> bool:
        sleutel = getattr(request, "auth", None)
        if not isinstance(sleutel, ApiSleutel):
            return True
        nu = time.time()
        venster = int(nu // self.venster)
        cache_sleutel = f"api-limiet:{sleutel.pk}:{venster}"
        try:
            cache.add(cache_sleutel, 0, timeout=self.venster + 5)
            try:
                aantal = cache.incr(cache_sleutel)
            except ValueError:  # expired between add and incr
                cache.add(cache_sleutel, 1, timeout=self.venster + 5)
                aantal = 1
        except Exception:
            # The cache (Redis) is down: partners keep submitting unthrottled rather
            # than being refused for an outage of ours; the health check reports it.
            logger.warning("API-limiet niet te tellen: de cache is niet bereikbaar.")
            return True
        return aantal <= settings.API_LIMIET_PER_MINUUT

    def wait(self) -> float:
        return self.venster - time.time() % self.venster


class PingUit(Schema):
    organisatie: str
    scopes: list[str]


@router.get("/ping", response=PingUit, summary="Controleer de API-sleutel", operation_id="ping")
def ping(request: HttpRequest) -> dict[str, object]:
    """The organisation and scopes of the key: for partners to check their setup."""
    sleutel = sleutel_van(request)
    return {"organisatie": sleutel.organisatie.naam, "scopes": sleutel.scopes}
