"""Background work through django-q2, the one background engine.

Every task goes through :func:`uitvoeren`: it imports the task function by its dotted
path and runs it with plain ids, never objects. When the function raises, the failure
is recorded by django-q2 (visible on the tasks page with its error) and, below the
attempt limit, the same call is scheduled again after a growing pause; a task is safe
to run twice, so a retry never does harm. Work that follows a change is queued with
:func:`na_commit`, so a worker never sees data that was rolled back.
"""

import importlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

logger = logging.getLogger("ontschot.wachtrij")

UITVOERDER = "programma.wachtrij.uitvoeren"


def max_pogingen() -> int:
    return int(getattr(settings, "TAAK_MAX_POGINGEN", 5))


def wachttijd(poging: int) -> timedelta:
    """Pause before attempt ``poging + 1``: 1, 2, 4, 8 … minutes, at most an hour."""
    basis = int(getattr(settings, "TAAK_HERHAAL_SECONDEN", 60))
    return timedelta(seconds=min(basis * 2 ** (poging - 1), 3600))


def functie(pad: str) -> Callable[..., Any]:
    module, _, naam = pad.rpartition(".")
    if module.split(".")[0] not in {"programma", "projecten", "rapportage"}:
        raise ValueError(f"Geen Ontschot-taak: {pad}")
    gevonden: Callable[..., Any] = getattr(importlib.import_module(module), naam)
    return gevonden


def uitvoeren(pad: str, *args: Any, poging: int = 1) -> Any:
    """Run the task at ``pad``; on failure, schedule a retry until the attempt limit.

    The retry waits in the database as a one-off schedule. When the database itself is
    down (the usual reason a task failed), that write fails too: with the Redis broker
    the retry is handed back to Redis after the same pause (capped at a minute, the worker
    has nothing else it could do meanwhile); with the ORM broker the failure is left
    unacknowledged and django-q2 delivers the task again after ``Q_CLUSTER["retry"]``."""
    try:
        return functie(pad)(*args)
    except Exception:
        if poging < max_pogingen():
            try:
                _herhaling_inplannen(pad, args, poging)
            except DatabaseError:
                if not getattr(settings, "REDIS_URL", ""):
                    logger.warning("Taak %s mislukte en de database is onbereikbaar.", pad)
                    raise
                _herhaling_via_broker(pad, args, poging)
            logger.warning("Taak %s mislukte (poging %s); opnieuw ingepland.", pad, poging)
        else:
            logger.error("Taak %s mislukte ook bij poging %s; opgegeven.", pad, poging)
        raise


def _herhaling_inplannen(pad: str, args: tuple[Any, ...], poging: int) -> None:
    from django_q.models import Schedule

    Schedule.objects.create(
        name=f"herhaling {pad} {timezone.now():%Y%m%d%H%M%S%f} poging {poging + 1}",
        func=UITVOERDER,
        args=repr((pad, *args)),
        kwargs=repr({"poging": poging + 1}),
        schedule_type=Schedule.ONCE,
        repeats=-1,
        next_run=timezone.now() + wachttijd(poging),
    )


def _herhaling_via_broker(pad: str, args: tuple[Any, ...], poging: int) -> None:
    from django_q.tasks import async_task

    time.sleep(min(wachttijd(poging).total_seconds(), 60))
    async_task(
        UITVOERDER,
        pad,
        *args,
        poging=poging + 1,
        task_name=f"{pad}{list(args)}"[:100],
        group=pad,
    )


def in_wachtrij(pad: str, *args: Any) -> str:
    """Queue ``pad(*args)`` now. ``args`` are ids and plain values only.

    When the Redis broker cannot be reached, the call is kept in the database as a
    one-off schedule due now instead: the request that queued it still succeeds (its
    change is committed already), and a cluster's scheduler queues the work as soon as
    Redis is back. Returns the task id, or "" for work kept that way."""
    from django_q.tasks import async_task

    functie(pad)  # fail here, in the caller, when the path is wrong
    try:
        taak_id: str = async_task(
            UITVOERDER, pad, *args, task_name=f"{pad}{list(args)}"[:100], group=pad
        )
    except Exception as fout:
        if not _broker_onbereikbaar(fout):
            raise
        from django_q.models import Schedule

        logger.warning("Takenwachtrij onbereikbaar; %s wacht in de database.", pad)
        Schedule.objects.create(
            name=f"uitgesteld {pad} {timezone.now():%Y%m%d%H%M%S%f}",
            func=UITVOERDER,
            args=repr((pad, *args)),
            schedule_type=Schedule.ONCE,
            repeats=-1,
            next_run=timezone.now(),
        )
        return ""
    return taak_id


def _broker_onbereikbaar(fout: Exception) -> bool:
    if not getattr(settings, "REDIS_URL", ""):
        return False
    import redis

    return isinstance(fout, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError)


def na_commit(pad: str, *args: Any) -> None:
    """Queue ``pad(*args)`` once the current transaction commits (at once outside one)."""
    functie(pad)
    transaction.on_commit(lambda: in_wachtrij(pad, *args))
