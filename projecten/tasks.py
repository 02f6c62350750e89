"""Background tasks of the projecten app. They take ids, call a service and are safe to
run twice; the services queue them on commit through ``programma.wachtrij.na_commit``."""

from programma.audit import Actor
from projecten import services
from projecten.models import Project


def beoordeling_melden(soort: str, ids: list[int]) -> int:
    """E-mail the partners the outcome of reviewed submissions of ``soort``; each review
    is reported once. Returns the number of e-mails sent."""
    return services.beoordeling_melden(
        actor=Actor.systeem("taak beoordeling_melden"), soort=soort, ids=ids
    )


def tranches_controleren(project_id: int) -> int:
    """Release the project's planned tranches whose condition is now met. Returns how
    many were released by this run."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    return len(
        services.tranches_controleren(
            actor=Actor.systeem("taak tranches_controleren"), project=project
        )
    )


def tranchevrijgave_melden(ids: list[int]) -> int:
    """E-mail the programme managers about released tranches; each tranche once."""
    return services.tranchevrijgave_melden(
        actor=Actor.systeem("taak tranchevrijgave_melden"), ids=ids
    )
