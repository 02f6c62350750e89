"""Idempotent POSTs for the partner API.

A POST with an ``Idempotency-Key`` runs in one transaction together with the record of
its key. A retry within 24 hours gets the stored response and changes nothing; the same
key with another body is refused. Two identical requests at the same moment cannot both
act: the unique key makes the second wait for the first and then replay its answer.
"""

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ontschot.problemen import probleem
from programma.models import Idempotentieverzoek
from programma.services import hash_sleutel

BEWAARTERMIJN = timedelta(hours=24)
#: Visible ASCII, as the spec says: what every HTTP client sends unchanged.
GELDIGE_SLEUTEL = re.compile(r"[\x21-\x7E]{1,255}")
BEWAARDE_HEADERS = ("Content-Type", "Location", "ETag")


def _sleutel_hash(request: HttpRequest) -> str | None:
    autorisatie = request.headers.get("Authorization", "")
    soort, _, token = autorisatie.partition(" ")
    if soort.lower() != "bearer" or not token.strip():
        return None
    return hash_sleutel(token.strip())


def _claim(sleutel_hash: str, sleutel: str, verzoek_hash: str) -> Idempotentieverzoek | None:
    try:
        with transaction.atomic():
            return Idempotentieverzoek.objects.create(
                sleutel_hash=sleutel_hash, idempotentiesleutel=sleutel, verzoek_hash=verzoek_hash
            )
    except IntegrityError:
        return None


def _herhaal(verzoek: Idempotentieverzoek) -> HttpResponse:
    response = HttpResponse(verzoek.inhoud, status=verzoek.status_code)
    for naam, waarde in verzoek.headers.items():
        response[naam] = waarde
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotentieMiddleware:
    @staticmethod
    def _vastleggen(
        request: HttpRequest, sleutel_hash: str, sleutel: str, verzoek_hash: str
    ) -> Idempotentieverzoek | HttpResponse:
        """Claim the key for this request, or answer with what an earlier one got. A key
        older than 24 hours is forgotten and claimed anew."""
        verzoek = _claim(sleutel_hash, sleutel, verzoek_hash)
        if verzoek is not None:
            return verzoek
        bestaand = Idempotentieverzoek.objects.get(
            sleutel_hash=sleutel_hash, idempotentiesleutel=sleutel
        )
        if bestaand.aangemaakt_op < timezone.now() - BEWAARTERMIJN:
            bestaand.delete()
            verzoek = _claim(sleutel_hash, sleutel, verzoek_hash)
            if verzoek is not None:
                return verzoek
            bestaand = Idempotentieverzoek.objects.get(
                sleutel_hash=sleutel_hash, idempotentiesleutel=sleutel
            )
        if bestaand.verzoek_hash != verzoek_hash:
            return probleem(
                request,
                422,
                "Deze Idempotency-Key is al gebruikt voor een ander verzoek; kies een nieuwe sleutel.",
                soort="idempotentiesleutel-hergebruikt",
            )
        return _herhaal(bestaand)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sleutel = request.headers.get("Idempotency-Key")
        if request.method != "POST" or sleutel is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        sleutel_hash = _sleutel_hash(request)
        if sleutel_hash is None:
            return self.get_response(request)  # the API answers 401 itself
        if not GELDIGE_SLEUTEL.fullmatch(sleutel):
            return probleem(
                request,
                400,
                "Idempotency-Key heeft 1 tot 255 leesbare tekens.",
                soort="ongeldige-invoer",
                invalid_params=[
                    {
                        "name": "Idempotency-Key",
                        "code": "ongeldig",
                        "reason": "1 tot 255 leesbare tekens.",
                    }
                ],
            )
        verzoek_hash = hashlib.sha256(
            b"\n".join([request.method.encode(), request.path.encode(), request.body])
        ).hexdigest()
        with transaction.atomic():
            verzoek = self._vastleggen(request, sleutel_hash, sleutel, verzoek_hash)
            if isinstance(verzoek, HttpResponse):
                return verzoek
            response = self.get_response(request)
            if response.status_code >= 400:
                # A refused request did not happen: nothing is kept, so a corrected retry
                # with the same key is accepted.
                transaction.set_rollback(True)
                return response
            verzoek.status_code = response.status_code
            verzoek.inhoud = response.content.decode()
            verzoek.headers = {h: response[h] for h in BEWAARDE_HEADERS if h in response}
            verzoek.save(update_fields=["status_code", "inhoud", "headers"])
            return response
