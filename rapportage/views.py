"""Pages of the rapportage app: the tasks page for managers and administrators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_q.models import Task

from programma.audit import Actor
from programma.selectors import is_programmabeheer
from rapportage.taken import taak_opnieuw, takenoverzicht


@login_required
def taken(request: HttpRequest) -> HttpResponse:
    if not is_programmabeheer(request.user):
        raise PermissionDenied
    return render(request, "rapportage/taken.html", takenoverzicht())


@login_required
@require_POST
def taak_herhalen(request: HttpRequest, taak_id: str) -> HttpResponse:
    if not is_programmabeheer(request.user):
        raise PermissionDenied
    get_object_or_404(Task, id=taak_id, success=False)
    pad = taak_opnieuw(actor=Actor.van(request.user), taak_id=taak_id)
    messages.success(request, _("Taak %(taak)s staat opnieuw in de wachtrij.") % {"taak": pad})
    return redirect("rapportage:taken")
