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
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
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
    """Run the task at ``pad``; on failure, schedule a retry until the attempt limit."""
    try:
        return functie(pad)(*args)
    except Exception:
        if poging < max_pogingen():
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
            logger.warning("Taak %s mislukte (poging %s); opnieuw ingepland.", pad, poging)
        else:
            logger.error("Taak %s mislukte ook bij poging %s; opgegeven.", pad, poging)
        raise


def in_wachtrij(pad: str, *args: Any) -> str:
    """Queue ``pad(*args)`` now. ``args`` are ids and plain values only."""
    from django_q.tasks import async_task

    functie(pad)  # fail here, in the caller, when the path is wrong
    taak_id: str = async_task(
        UITVOERDER, pad, *args, task_name=f"{pad}{list(args)}"[:100], group=pad
    )
    return taak_id


def na_commit(pad: str, *args: Any) -> None:
    """Queue ``pad(*args)`` once the current transaction commits (at once outside one)."""
    functie(pad)
    transaction.on_commit(lambda: in_wachtrij(pad, *args))
