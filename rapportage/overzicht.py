"""The overview pages: the start page, the programme dashboard, the project list and the
project page, scoped to the logged-in user.

The dashboard is for programme managers, administrators and (read only) ministry staff.
Partners have no dashboard: it shows other organisations' money and obligations; they
are sent to their projects. The project list shows programme managers the programme's
projects, partners their own, ministry staff (read only) the programmes they follow.
Every table on these pages downloads as CSV and XLSX."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from programma.selectors import beheerde_programmas, programmas_voor
from programma.tabeldownload import downloaden
from programma.tabellen import Kolom, tabel
from projecten import selectors
from projecten.filters import Projectfilter
from projecten.models import Project
from rapportage import paginas
from rapportage.dashboard import dashboard_programmas

PROJECTEN_PER_PAGINA = 25
PROJECTREGELS_OP_PAGINA = 50


def _alleen_resultaten(request: HttpRequest) -> bool:
    """An htmx request from the filter form wants only the results, not the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted  # type: ignore[union-attr]


def _projecttabel(projecten: Iterable[Project]) -> dict[str, Any]:
    return tabel(
        "projecten",
        _("Projecten"),
        [
            Kolom("code", _("Code")),
            Kolom("titel", _("Project")),
            Kolom("programma", _("Programma")),
            Kolom("penvoerder", _("Penvoerder")),
            Kolom("themas", _("Thema's")),
            Kolom("focusgebieden", _("Focusgebieden")),
            Kolom("start", _("Start"), "datum"),
            Kolom("einde", _("Einde"), "datum"),
            Kolom("status", _("Status")),
        ],
        [
            [
                p.code,
                p.titel,
                p.programma.naam,
                p.penvoerder.naam,
                ", ".join(t.naam for t in p.themas.all()),
                ", ".join(f.naam for f in p.focusgebieden.all()),
                p.startdatum.isoformat(),
                p.einddatum.isoformat(),
                p.get_status_display(),
            ]
            for p in projecten
        ],
    )


@login_required
@require_GET
def lijst(request: HttpRequest) -> HttpResponse:
    """The projects the user may see, filtered, a page at a time; the download holds every
    project that matches. With htmx only the results are sent back."""
    filters = Projectfilter(request.GET, gebruiker=request.user)
    projecten = filters.projecten()
    if antwoord := downloaden(request, lambda: [_projecttabel(projecten)]):
        return antwoord
    pagina = Paginator(projecten, PROJECTEN_PER_PAGINA).get_page(request.GET.get("pagina"))
    context = {"filters": filters, "pagina": pagina, "tabel_titel": _("Projecten")}
    if _alleen_resultaten(request):
        return render(request, "projecten/_lijst_resultaten.html", context)
    return render(request, "projecten/lijst.html", context)


@login_required
@require_GET
def project(request: HttpRequest, project_id: int) -> HttpResponse:
    """Everything about one project, read only; 404 for a project the user may not see."""
    project = get_object_or_404(
        selectors.projecten_voor(request.user)
        .select_related("programma", "penvoerder")
        .prefetch_related("themas", "focusgebieden"),
        pk=project_id,
    )
    gegevens = paginas.projectpagina(project)
    if antwoord := downloaden(request, gegevens.downloads):
        return antwoord
    weergaven = {
        t["naam"]: paginas.weergave(t, getoond=PROJECTREGELS_OP_PAGINA) for t in gegevens.tabellen()
    }
    weergaven["audit"] = paginas.weergave(gegevens.audit(paginas.AUDIT_OP_PAGINA))
    context = {
        "project": project,
        "gegevens": gegevens,
        "tabellen": weergaven,
        "begrotingsgrafiek": gegevens.begrotingsgrafiek(),
        "beheert": selectors.projecten_beheerd_door(request.user).filter(pk=project.pk).exists(),
        "indiener": selectors.indiener_voor(request.user, project),
    }
    return render(request, "projecten/project.html", context)


@login_required
@require_GET
def overzicht(request: HttpRequest) -> HttpResponse:
    eerste = dashboard_programmas(request.user).order_by("code").first()
    if eerste is not None:
        return redirect("programma", code=eerste.code)
    if programmas_voor(request.user).exists():
        return redirect("rapportage:projecten")
    return render(request, "programma/overzicht.html", {"programma": None})


@login_required
@require_GET
def programma(request: HttpRequest, code: str) -> HttpResponse:
    programmas = list(dashboard_programmas(request.user).select_related("opdrachtgever"))
    gekozen = next((p for p in programmas if p.code == code), None)
    if gekozen is None:
        if programmas_voor(request.user).filter(code=code).exists():
            return redirect(reverse("rapportage:projecten") + f"?programma={code}")
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
            reverse("rapportage:project", args=[p.project_id]) for p in dashboard.gesignaleerd
        ],
        "achterstallige_verplichtingen": [
            reverse("rapportage:project", args=[v.project_id]) for v in dashboard.achterstallig
        ],
    }
    return {
        t["naam"]: paginas.weergave(
            t, koppelingen=koppelingen.get(t["naam"]), getoond=paginas.ZICHTBARE_RIJEN
        )
        for t in dashboard.tabellen()
    }
