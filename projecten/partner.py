"""Pages for small partners without a system of their own: submitting one measurement,
expenditure or progress narrative, following and correcting what was submitted, and
managing the organisation's API keys."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


@login_required
def inzendingen(request: HttpRequest) -> HttpResponse:
    raise Http404


@login_required
def meting_nieuw(request: HttpRequest, project_id: int) -> HttpResponse:
    raise Http404


@login_required
def besteding_nieuw(request: HttpRequest, project_id: int) -> HttpResponse:
    raise Http404


@login_required
def verslag_nieuw(request: HttpRequest, project_id: int) -> HttpResponse:
    raise Http404


@login_required
def corrigeren(request: HttpRequest, soort: str, pk: int) -> HttpResponse:
    raise Http404


@login_required
def sleutels(request: HttpRequest) -> HttpResponse:
    raise Http404


@login_required
def sleutel_nieuw(request: HttpRequest) -> HttpResponse:
    raise Http404


@login_required
def sleutel_intrekken(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
