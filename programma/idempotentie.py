"""Idempotent POSTs for the partner API.

A POST with an ``Idempotency-Key`` claims its key, runs, and stores its answer with the
claim. A retry within 24 hours gets the stored answer and changes nothing; the same key
with another body is refused with 422. Two identical requests at the same moment cannot
both act: the unique key lets one of them claim it, and the other waits for that answer
and replays it. A request that is refused (4xx) did not happen: nothing of it is kept, so
a corrected retry with the same key is accepted.

How the claim, the work and the answer are committed depends on the database:

- PostgreSQL locks rows, so one transaction from the claim to the answer holds up only
  a duplicate of the same request, and commits (flushes to disk) once. A request that
  fails or dies leaves nothing, not even its claim.
- SQLite has one write lock for the whole database: one such transaction made every
  idempotent POST wait for the one before it. There the claim, the work (the write
  service's own transaction) and the answer are three short transactions. After a 5xx,
  or when the process died between the work and the answer, nobody knows whether the
  work was stored: the claim stays without an answer, a retry gets 409 until the claim
  is ``VERLATEN`` old, and then takes it over and runs again (a measurement's unique
  indicator × period answers that retry with 409).
"""

import hashlib
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ontschot.problemen import probleem
from programma.models import Idempotentieverzoek
from programma.services import hash_sleutel

BEWAARTERMIJN = timedelta(hours=24)
#: A claim without an answer this old belongs to a request that will never answer.
VERLATEN = timedelta(minutes=10)
#: How long a duplicate waits for the answer of the request that holds the claim.
WACHTTIJD = 20.0
#: Visible ASCII, as the spec says: what every HTTP client sends unchanged.
GELDIGE_SLEUTEL = re.compile(r"[\x21-\x7E]{1,255}")
BEWAARDE_HEADERS = ("Content-Type", "Location", "ETag")
ONBEANTWOORD = 0


def _sleutel_hash(request: HttpRequest) -> str | None:
    autorisatie = request.headers.get("Authorization", "")
    soort, _, token = autorisatie.partition(" ")
    if soort.lower() != "bearer" or not token.strip():
        return None
    return hash_sleutel(token.strip())


def _sql(sql: str, parameters: list[Any]) -> Any:
    """One statement on the plain cursor: the claim, the answer and giving back run on every
    idempotent POST, where building ORM queries cost more than running them. On SQLite,
    outside a transaction, it is a transaction of its own, so that it takes its turn on
    the write lock like every other write (ontschot/sqlite/base.py)."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone() if cursor.description else cursor.rowcount


def _kolommen(*namen: str) -> tuple[str, list[Any]]:
    meta = Idempotentieverzoek._meta
    return connection.ops.quote_name(meta.db_table), [meta.get_field(n) for n in namen]


def _claim(sleutel_hash: str, sleutel: str, verzoek_hash: str) -> int | None:
    """The id of a new claim on the key; None if the key is taken. A claim that another
    transaction is still inserting makes this one wait for its outcome."""
    waarden = {
        "sleutel_hash": sleutel_hash,
        "idempotentiesleutel": sleutel,
        "verzoek_hash": verzoek_hash,
        "status_code": ONBEANTWOORD,
        "inhoud": "",
        "headers": {},
        "aangemaakt_op": timezone.now(),
    }
    tabel, velden = _kolommen(*waarden)
    q = connection.ops.quote_name
    rij = _sql(
        f"INSERT INTO {tabel} ({', '.join(q(v.column) for v in velden)}) "
        f"VALUES ({', '.join(['%s'] * len(velden))}) ON CONFLICT DO NOTHING RETURNING {q('id')}",
        [v.get_db_prep_save(waarden[v.name], connection) for v in velden],
    )
    return None if rij is None else int(rij[0])


def _beantwoorden(verzoek_id: int, response: HttpResponse) -> None:
    waarden = {
        "status_code": response.status_code,
        "inhoud": response.content.decode(),
        "headers": {h: response[h] for h in BEWAARDE_HEADERS if h in response},
    }
    tabel, velden = _kolommen(*waarden)
    q = connection.ops.quote_name
    _sql(
        f"UPDATE {tabel} SET {', '.join(f'{q(v.column)} = %s' for v in velden)} "
        f"WHERE {q('id')} = %s AND {q('status_code')} = %s",
        [v.get_db_prep_save(waarden[v.name], connection) for v in velden]
        + [verzoek_id, ONBEANTWOORD],
    )


def _teruggeven(verzoek_id: int) -> None:
    tabel, _ = _kolommen()
    q = connection.ops.quote_name
    _sql(
        f"DELETE FROM {tabel} WHERE {q('id')} = %s AND {q('status_code')} = %s",
        [verzoek_id, ONBEANTWOORD],
    )


def _herhaal(verzoek: Idempotentieverzoek) -> HttpResponse:
    response = HttpResponse(verzoek.inhoud, status=verzoek.status_code)
    for naam, waarde in verzoek.headers.items():
        response[naam] = waarde
    response["Idempotent-Replayed"] = "true"
    return response


def _bezig(request: HttpRequest) -> HttpResponse:
    return probleem(
        request,
        409,
        "Een verzoek met deze Idempotency-Key is nog bezig of gaf geen antwoord; "
        "probeer het over enkele minuten opnieuw.",
        soort="idempotentiesleutel-bezig",
    )


class IdempotentieMiddleware:
    @staticmethod
    def _vastleggen(
        request: HttpRequest,
        sleutel_hash: str,
        sleutel: str,
        verzoek_hash: str,
        wachttijd: float = WACHTTIJD,
    ) -> int | HttpResponse:
        """Claim the key for this request (its claim's id), or answer with what an earlier
        request got. A key older than 24 hours is forgotten and claimed anew; a claim
        without an answer is waited for, and taken over once it is abandoned."""
        tot = time.monotonic() + wachttijd
        pauze = 0.005
        while True:
            verzoek_id = _claim(sleutel_hash, sleutel, verzoek_hash)
            if verzoek_id is not None:
                return verzoek_id
            bestaand = Idempotentieverzoek.objects.filter(
                sleutel_hash=sleutel_hash, idempotentiesleutel=sleutel
            ).first()
            nu = timezone.now()
            if bestaand is None:
                pass  # given back since our attempt: claim it again
            elif bestaand.aangemaakt_op < nu - BEWAARTERMIJN:
                Idempotentieverzoek.objects.filter(
                    pk=bestaand.pk, aangemaakt_op=bestaand.aangemaakt_op
                ).delete()
                continue
            elif bestaand.verzoek_hash != verzoek_hash:
                return probleem(
                    request,
                    422,
                    "Deze Idempotency-Key is al gebruikt voor een ander verzoek; kies een nieuwe sleutel.",
                    soort="idempotentiesleutel-hergebruikt",
                )
            elif bestaand.status_code != ONBEANTWOORD:
                return _herhaal(bestaand)
            elif bestaand.aangemaakt_op < nu - VERLATEN:
                # Whoever claimed it died before answering. The timestamp makes the
                # takeover a compare-and-set: of two retries, one wins.
                if Idempotentieverzoek.objects.filter(
                    pk=bestaand.pk,
                    status_code=ONBEANTWOORD,
                    aangemaakt_op=bestaand.aangemaakt_op,
                ).update(aangemaakt_op=nu):
                    return bestaand.pk
                continue
            if time.monotonic() >= tot:
                return _bezig(request)
            if bestaand is not None:
                time.sleep(pauze)
                pauze = min(pauze * 2, 0.1)

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
        if connection.vendor == "sqlite":
            return self._in_stappen(request, sleutel_hash, sleutel, verzoek_hash)
        with transaction.atomic():
            verzoek = self._vastleggen(request, sleutel_hash, sleutel, verzoek_hash)
            if isinstance(verzoek, HttpResponse):
                return verzoek
            response = self.get_response(request)
            if response.status_code >= 400:
                transaction.set_rollback(True)  # the claim goes with the rest
            else:
                _beantwoorden(verzoek, response)
            return response

    def _in_stappen(
        self, request: HttpRequest, sleutel_hash: str, sleutel: str, verzoek_hash: str
    ) -> HttpResponse:
        """Claim, work and answer as three transactions (SQLite)."""
        verzoek = self._vastleggen(request, sleutel_hash, sleutel, verzoek_hash)
        if isinstance(verzoek, HttpResponse):
            return verzoek
        response = self.get_response(request)
        if 400 <= response.status_code < 500:
            # Refused: the write service stored nothing, so a corrected retry may use the key.
            _teruggeven(verzoek)
        elif response.status_code < 400:
            _beantwoorden(verzoek, response)
        return response
