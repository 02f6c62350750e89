"""The start page and the programme dashboard, scoped to the logged-in user.

The dashboard is for programme managers, administrators and (read only) ministry staff.
Partners have no dashboard: it shows other organisations' money and obligations; they
are sent to their projects."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from ontschot.tabeldownload import downloaden
from programma.selectors import beheerde_programmas, programmas_voor
from rapportage import paginas
from rapportage.dashboard import dashboard_programmas


@login_required
@require_GET
def overzicht(request: HttpRequest) -> HttpResponse:
    eerste = dashboard_programmas(request.user).order_by("code").first()
    if eerste is not None:
        return redirect("programma", code=eerste.code)
    if programmas_voor(request.user).exists():
        return redirect("projecten:lijst")
    return render(request, "programma/overzicht.html", {"programma": None})


@login_required
@require_GET
def programma(request: HttpRequest, code: str) -> HttpResponse:
    programmas = list(dashboard_programmas(request.user).select_related("opdrachtgever"))
    gekozen = next((p for p in programmas if p.code == code), None)
    if gekozen is None:
        if programmas_voor(request.user).filter(code=code).exists():
            return redirect(reverse("projecten:lijst") + f"?programma={code}")
        raise Http404("Programma niet gevonden.")
    dashboard = paginas.programmadashboard(gekozen)
    if antwoord := downloaden(request, dashboard.tabellen):
        return antwoord
    return render(
        request,
        "programma/overzicht.html",
        {
            "programma": gekozen,
            "programmas": sorted(programmas, key=lambda p: p.code),
            "dashboard": dashboard,
            "grafieken": dashboard.grafieken(),
            "beheert": beheerde_programmas(request.user).filter(pk=gekozen.pk).exists(),
            "tabellen": _weergaven(dashboard),
        },
    )


def _weergaven(dashboard: paginas.Programmadashboard) -> dict[str, paginas.Weergave]:
    koppelingen = {
        "vroegsignalen": [
            reverse("projecten:project", args=[p.project_id]) for p in dashboard.gesignaleerd
        ],
        "achterstallige_verplichtingen": [
            reverse("projecten:project", args=[v.project_id]) for v in dashboard.achterstallig
        ],
    }
    return {
        t["naam"]: paginas.weergave(
            t, koppelingen=koppelingen.get(t["naam"]), getoond=paginas.ZICHTBARE_RIJEN
        )
        for t in dashboard.tabellen()
    }
