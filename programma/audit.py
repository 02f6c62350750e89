"""The audit trail: every write service records who changed what, inside its own
transaction, so a change and its record land together or not at all."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, models, transaction
from django.utils import timezone

from programma.models import Auditregel


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in person, an API key of an organisation, or the system."""

    gebruiker: User | None = None
    namens: str = ""

    @classmethod
    def systeem(cls, naam: str) -> "Actor":
        return cls(gebruiker=None, namens=naam)

    @classmethod
    def van(cls, gebruiker: User | AnonymousUser | None, namens: str = "") -> "Actor":
        if gebruiker is None or not gebruiker.is_authenticated:
            return cls(gebruiker=None, namens=namens or "anoniem")
        return cls(gebruiker=gebruiker, namens=namens)  # type: ignore[arg-type]


def momentopname_waarde(waarde: Any) -> Any:
    """One value as ``momentopname`` keeps it: JSON, with decimals and moments as text."""
    if waarde is None or type(waarde) in (str, int, bool):
        return waarde
    if isinstance(waarde, Decimal):
        return str(waarde)
    if isinstance(waarde, datetime | date):
        return waarde.isoformat()
    if isinstance(waarde, dict):
        return {str(k): momentopname_waarde(v) for k, v in waarde.items()}
    if isinstance(waarde, list | tuple):
        return [momentopname_waarde(v) for v in waarde]
    return waarde


@cache
def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(
        f.attname for f in model._meta.concrete_fields if f.attname not in {"sleutel_hash"}
    )


def momentopname(obj: models.Model) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON: money and values as strings, so the
    trail keeps them exactly."""
    return {naam: momentopname_waarde(getattr(obj, naam)) for naam in _attnames(type(obj))}


def _regel(
    actor: Actor,
    actie: str,
    obj: models.Model,
    voor: dict[str, Any] | None,
    na: dict[str, Any] | None,
) -> Auditregel:
    return Auditregel(
        gebruiker=actor.gebruiker,
        namens=actor.namens[:200],
        actie=actie,
        objecttype=obj._meta.label_lower,
        object_id=str(obj.pk),
        omschrijving=str(obj)[:300],
        voor=voor,
        na=na,
    )


def registreer(
    *,
    actor: Actor,
    actie: str,
    obj: models.Model,
    voor: dict[str, Any] | None = None,
    na: dict[str, Any] | None = None,
) -> Auditregel:
    """Record one change. Must run inside the transaction that made the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "Een auditregel wordt in dezelfde transactie als de wijziging geschreven."
        )
    regel = _regel(actor, actie, obj, voor, na)
    regel.save()
    return regel


#: Below this many rows PostgreSQL gets ``executemany``; from it on, ``COPY``.
COPY_VANAF = 100


def _in_transactie() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "Een auditregel wordt in dezelfde transactie als de wijziging geschreven."
        )


def registreer_bulk(
    *,
    actor: Actor,
    actie: str,
    objecten: Sequence[models.Model],
    momentopnamen: Sequence[dict[str, Any]] | None = None,
) -> int:
    """Record the creation of ``objecten`` (saved, with their ids): one row per object with
    its snapshot (``momentopnamen``, in the same order, or taken here). Must run inside
    the transaction that created them.

    The rows are written with ``executemany`` (SQLite, and PostgreSQL for a few) or
    ``COPY`` (PostgreSQL) instead of ``bulk_create``, which prepares every field of every
    row in Python. The values are what the fields store: one ``tijdstip`` for the whole
    creation and each column prepared by its own field; the snapshot is JSON as the field
    would write it."""
    _in_transactie()
    if not objecten:
        return 0
    if momentopnamen is None:
        momentopnamen = [momentopname(obj) for obj in objecten]
    meta = Auditregel._meta
    velden = [f for f in meta.concrete_fields if not f.primary_key]
    veld = {f.name: f for f in velden}
    vast = {
        "tijdstip": veld["tijdstip"].get_db_prep_save(timezone.now(), connection),
        "gebruiker": actor.gebruiker.pk if actor.gebruiker else None,
        "namens": actor.namens[:200],
        "actie": actie,
        "objecttype": objecten[0]._meta.label_lower,
        "voor": None,
    }
    na = veld["na"]
    # The JSON as text: what JSONField.get_db_prep_save gives on SQLite, and what COPY
    # (text format) hands PostgreSQL to parse as jsonb; without the field's per-row detour.
    json_als_tekst = getattr(na, "encoder", None) is None and (
        connection.vendor == "sqlite" or len(objecten) >= COPY_VANAF
    )
    rijen = []
    for obj, opname in zip(objecten, momentopnamen, strict=True):
        rij = {
            **vast,
            "object_id": str(obj.pk),
            "omschrijving": str(obj)[:300],
            "na": json.dumps(opname) if json_als_tekst else na.get_db_prep_save(opname, connection),
        }
        rijen.append([rij[f.name] for f in velden])
    schrijf_rijen(meta.db_table, [f.column for f in velden], rijen)
    return len(rijen)


def schrijf_rijen(tabel: str, kolommen: list[str], rijen: list[list[Any]]) -> None:
    """Insert ``rijen`` (values as their fields prepare them) into ``tabel``: ``COPY`` on
    PostgreSQL for many rows, ``executemany`` otherwise."""
    q = connection.ops.quote_name
    namen = ", ".join(q(k) for k in kolommen)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rijen) >= COPY_VANAF:
            with cursor.cursor.copy(f"COPY {q(tabel)} ({namen}) FROM STDIN") as copy:
                for rij in rijen:
                    copy.write_row(rij)
        else:
            plaatsen = ", ".join(["%s"] * len(kolommen))
            sql = f"INSERT INTO {q(tabel)} ({namen}) VALUES ({plaatsen})"
            if len(rijen) == 1:
                cursor.execute(sql, rijen[0])  # psycopg's executemany costs round trips
            else:
                cursor.executemany(sql, rijen)
