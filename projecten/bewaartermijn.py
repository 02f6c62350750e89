"""How long the records of a project are kept: seven years after its grants were finally
settled, as article 4:69 of the Awb asks of the administration behind a grant.

Ontschot applies the term per project, because a project's measurements, budget lines,
narratives and expenditures together account for the money of all its grants:

- a project that never had a grant (beschikking) has no term: its records may go;
- while any of its grants is applied for or granted but not settled (vastgesteld), its
  records are kept without an end date;
- otherwise they are kept until seven years after the latest settlement (``vastgesteld_op``)
  or withdrawal (the moment the audit trail recorded ``ingetrokken``; a withdrawal the trail
  does not show keeps the records without an end date).

The Django admin offers no delete for a record within its term (projecten/admin.py), and
``python manage.py bewaartermijn`` lists the projects whose term has passed. The audit trail
is never deleted by the application at all (programma/models.py)."""

from datetime import date
from typing import Any

from django.db.models import Model
from django.utils import timezone

from programma.models import Auditregel
from projecten.models import Beschikking, Project

BEWAARTERMIJN_JAREN = 7
#: The records are kept until seven years after a settlement that has not happened yet.
ONBEPAALD = date.max


def jaren_later(dag: date, jaren: int) -> date:
    """The same day ``jaren`` years later; 29 February becomes 28 February."""
    try:
        return dag.replace(year=dag.year + jaren)
    except ValueError:
        return dag.replace(year=dag.year + jaren, day=28)


def _ingetrokken_op(beschikking_id: int) -> date | None:
    regel = (
        Auditregel.objects.filter(
            objecttype=Beschikking._meta.label_lower,
            object_id=str(beschikking_id),
            na__status=Beschikking.Status.INGETROKKEN,
        )
        .order_by("tijdstip")
        .values_list("tijdstip", flat=True)
        .first()
    )
    return timezone.localdate(regel) if regel is not None else None


def bewaren_tot(project_id: int) -> date | None:
    """The first day the records of the project may be deleted: ``None`` when no term
    applies (it never had a grant), :data:`ONBEPAALD` while a grant is still open."""
    einden: list[date] = []
    for pk, status, vastgesteld_op in Beschikking.objects.filter(project_id=project_id).values_list(
        "pk", "status", "vastgesteld_op"
    ):
        if status == Beschikking.Status.VASTGESTELD and vastgesteld_op is not None:
            einden.append(vastgesteld_op)
        elif status == Beschikking.Status.INGETROKKEN and (ingetrokken := _ingetrokken_op(pk)):
            einden.append(ingetrokken)
        else:
            return ONBEPAALD
    if not einden:
        return None
    return jaren_later(max(einden), BEWAARTERMIJN_JAREN)


def project_van(obj: Model) -> int | None:
    """The project a record belongs to, for the records that account for a grant."""
    if isinstance(obj, Project):
        return obj.pk
    for pad in (
        "project_id",
        "beschikking.project_id",
        "doel.project_id",
        "indicator.doel.project_id",
    ):
        waarde: Any = obj
        try:
            for deel in pad.split("."):
                waarde = getattr(waarde, deel)
        except AttributeError:
            continue
        return int(waarde) if waarde is not None else None
    return None


def weigering(obj: Model, vandaag: date | None = None) -> str | None:
    """Why ``obj`` may not be deleted yet, in Dutch; ``None`` when it may."""
    project_id = project_van(obj)
    if project_id is None:
        return None
    tot = bewaren_tot(project_id)
    vandaag = vandaag or timezone.localdate()
    if tot is None or tot <= vandaag:
        return None
    if tot == ONBEPAALD:
        return (
            "Dit hoort bij een project met een beschikking die nog niet is vastgesteld; het "
            f"wordt bewaard tot {BEWAARTERMIJN_JAREN} jaar na de vaststelling (Awb 4:69)."
        )
    return f"Dit wordt bewaard tot {tot:%d-%m-%Y}: {BEWAARTERMIJN_JAREN} jaar na de vaststelling van de beschikkingen (Awb 4:69)."


def verlopen(vandaag: date | None = None) -> list[tuple[Project, date]]:
    """The projects with grants whose retention term has passed, with the day it ended."""
    vandaag = vandaag or timezone.localdate()
    uitkomst = []
    for project in (
        Project.objects.filter(beschikkingen__isnull=False)
        .distinct()
        .select_related("programma")
        .order_by("programma__code", "code")
    ):
        tot = bewaren_tot(project.pk)
        if tot is not None and tot <= vandaag:
            uitkomst.append((project, tot))
    return uitkomst
