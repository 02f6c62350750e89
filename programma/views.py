"""The first pages: the programme overview, scoped to the logged-in user."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from programma.selectors import programmas_voor
from projecten.selectors import programma_overzicht

PROJECTEN_PER_PAGINA = 50


@login_required
def overzicht(request: HttpRequest) -> HttpResponse:
    eerste = programmas_voor(request.user).order_by("code").first()
    if eerste is None:
        return render(request, "programma/overzicht.html", {"programma": None})
    return redirect("programma", code=eerste.code)


@login_required
def programma(request: HttpRequest, code: str) -> HttpResponse:
    programmas = list(
        programmas_voor(request.user).select_related("opdrachtgever").order_by("code")
    )
    gekozen = next((p for p in programmas if p.code == code), None)
    if gekozen is None:
        raise Http404("Programma niet gevonden.")
    pagina = Paginator(programma_overzicht(request.user, gekozen), PROJECTEN_PER_PAGINA).get_page(
        request.GET.get("pagina")
    )
    return render(
        request,
        "programma/overzicht.html",
        {"programma": gekozen, "programmas": programmas, "pagina": pagina},
    )
