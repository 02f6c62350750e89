"""Reads and the one write behind the tasks page: schedules, recent runs, failures, retry."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django_q.models import Schedule, Task

from programma.audit import Actor, registreer
from programma.wachtrij import UITVOERDER, in_wachtrij
from rapportage.planning import PLANNINGEN

RECENT = 50


@dataclass(frozen=True)
class Run:
    id: str
    taak: str
    gestart: datetime
    gestopt: datetime
    gelukt: bool
    pogingen: int
    fout: str

    @property
    def duur_seconden(self) -> float:
        return (self.gestopt - self.gestart).total_seconds()


def _taakpad(task: Task) -> str:
    if task.func == UITVOERDER and task.args:
        return str(task.args[0])
    return str(task.func)


def _run(task: Task) -> Run:
    return Run(
        id=task.id,
        taak=_taakpad(task),
        gestart=task.started,
        gestopt=task.stopped,
        gelukt=task.success,
        pogingen=task.attempt_count,
        fout="" if task.success else str(task.result or ""),
    )


def takenoverzicht() -> dict[str, Any]:
    omschrijving = {p.naam: p.omschrijving for p in PLANNINGEN}
    schemas = list(Schedule.objects.order_by("next_run"))
    laatste = {t.id: t for t in Task.objects.filter(id__in=[s.task for s in schemas if s.task])}
    return {
        "planningen": [
            {
                "naam": s.name,
                "omschrijving": omschrijving.get(s.name or "", ""),
                "volgende": s.next_run,
                "soort": s.get_schedule_type_display(),
                "laatste": _run(laatste[s.task]) if s.task in laatste else None,
            }
            for s in schemas
        ],
        "runs": [_run(t) for t in Task.objects.order_by("-stopped")[:RECENT]],
        "mislukt": [
            _run(t) for t in Task.objects.filter(success=False).order_by("-stopped")[:RECENT]
        ],
    }


@transaction.atomic
def taak_opnieuw(*, actor: Actor, taak_id: str) -> str:
    """Queue a failed task again with the same arguments; returns the new task's id."""
    task = Task.objects.get(id=taak_id, success=False)
    args = tuple(task.args or ())
    if task.func == UITVOERDER and args:
        pad, rest = str(args[0]), args[1:]
    else:
        pad, rest = str(task.func), args
    registreer(actor=actor, actie="taak_opnieuw", obj=task, na={"taak": pad, "args": repr(rest)})
    transaction.on_commit(lambda: in_wachtrij(pad, *rest))
    return pad
