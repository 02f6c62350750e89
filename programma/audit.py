"""The audit trail: every write service records who changed what, inside its own
transaction, so a change and its record land together or not at all."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import models, transaction

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


def _json_waarde(waarde: Any) -> Any:
    if isinstance(waarde, Decimal):
        return str(waarde)
    if isinstance(waarde, datetime | date):
        return waarde.isoformat()
    if isinstance(waarde, dict):
        return {str(k): _json_waarde(v) for k, v in waarde.items()}
    if isinstance(waarde, list | tuple):
        return [_json_waarde(v) for v in waarde]
    return waarde


def momentopname(obj: models.Model) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON: money and values as strings, so the
    trail keeps them exactly."""
    return {
        field.attname: _json_waarde(getattr(obj, field.attname))
        for field in obj._meta.concrete_fields
        if field.attname not in {"sleutel_hash"}
    }


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


def registreer_bulk(*, actor: Actor, actie: str, objecten: Iterable[models.Model]) -> int:
    """Record a bulk creation: one row per object, written in batches."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "Een auditregel wordt in dezelfde transactie als de wijziging geschreven."
        )
    regels = [_regel(actor, actie, obj, None, momentopname(obj)) for obj in objecten]
    Auditregel.objects.bulk_create(regels, batch_size=2000)
    return len(regels)
