"""Pages for partners without a system of their own: their projects, and submitting
measurements with a spreadsheet. Thin: look up, call a form or service, answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from programma.audit import Actor
from projecten import selectors, spreadsheets
from projecten.forms import MetingenUpload
from projecten.models import Project

PROJECTEN_PER_PAGINA = 50


def _project(request: HttpRequest, project_id: int) -> Project:
    return get_object_or_404(
        selectors.projecten_voor(request.user).select_related("programma", "penvoerder"),
        pk=project_id,
    )


@login_required
@require_GET
def lijst(request: HttpRequest) -> HttpResponse:
    pagina = Paginator(selectors.mijn_projecten(request.user), PROJECTEN_PER_PAGINA).get_page(
        request.GET.get("pagina")
    )
    return render(request, "projecten/lijst.html", {"pagina": pagina})


@login_required
@require_http_methods(["GET", "POST"])
def metingen(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project(request, project_id)
    indiener = selectors.indiener_voor(request.user, project)
    form = MetingenUpload(project=project)
    if request.method == "POST":
        if indiener is None:
            raise PermissionDenied("U mag voor dit project niets indienen.")
        form = MetingenUpload(request.POST, request.FILES, project=project)
        actor = Actor.van(request.user)
        if form.is_valid() and (
            nieuw := form.indienen(actor=actor, organisatie=indiener.organisatie)
        ):
            messages.success(request, _ingediend(len(nieuw)))
            return redirect("projecten:metingen", project_id=project.pk)
    pagina = {"project": project, "indiener": indiener, "form": form}
    return render(request, "projecten/metingen.html", pagina | selectors.metingenpagina(project))


def _ingediend(aantal: int) -> str:
    return ngettext(
        "%(n)d meting ingediend; ze wacht op beoordeling.",
        "%(n)d metingen ingediend; ze wachten op beoordeling.",
        aantal,
    ) % {"n": aantal}


@login_required
@require_GET
def sjabloon(request: HttpRequest, project_id: int, formaat: str) -> HttpResponse:
    project = _project(request, project_id)
    regels = selectors.sjabloon_voor(project)
    if formaat == "xlsx":
        inhoud, soort = (
            spreadsheets.sjabloon_xlsx(regels, project=str(project)),
            spreadsheets.XLSX_TYPE,
        )
    else:
        inhoud, soort = spreadsheets.sjabloon_csv(regels), spreadsheets.CSV_TYPE
    response = HttpResponse(inhoud, content_type=soort)
    response["Content-Disposition"] = f'attachment; filename="metingen-{project.code}.{formaat}"'
    return response
