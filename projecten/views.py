"""Pages for partners without a system of their own (their projects, submitting
measurements with a spreadsheet, the outcome of review) and for the programme office
(the review queue, locked periods). Thin: look up, call a form or service, answer."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programma import tabeldownload
from programma.audit import Actor
from projecten import forms, inzendingen, paginatabellen, selectors, services, spreadsheets
from projecten.forms import MetingenUpload
from projecten.models import Beoordeling, Periodevergrendeling, Project

INZENDINGEN_PER_PAGINA = 50
VERGRENDELINGEN_PER_PAGINA = 50


def _project(request: HttpRequest, project_id: int) -> Project:
    return get_object_or_404(
        selectors.projecten_voor(request.user).select_related("programma", "penvoerder"),
        pk=project_id,
    )


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
    pagina = {
        "project": project,
        "indiener": indiener,
        "form": form,
        "bestedingen": inzendingen.bestedingen_van(project),
        "verslagen": inzendingen.verslagen_van(project),
    } | selectors.metingenpagina(project)
    if bestand := tabeldownload.downloaden(request, lambda: _metingtabellen(pagina)):
        return bestand
    return render(request, "projecten/metingen.html", pagina)


def _metingtabellen(pagina: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        paginatabellen.indicatoren(pagina["indicatoren"]),
        paginatabellen.metingen(pagina["metingen"]),
        paginatabellen.bestedingen(pagina["bestedingen"]),
        paginatabellen.verslagen(pagina["verslagen"]),
    ]


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


# --- review (programme office) ----------------------------------------------------------------


def _beheerd(request: HttpRequest) -> QuerySet[Project]:
    """The projects whose submissions the user reviews; 403 for anyone who reviews none."""
    if not inzendingen.mag_beoordelen(request.user):
        raise PermissionDenied(_("Alleen programmamanagers beoordelen inzendingen."))
    return inzendingen.beheerde_projecten(request.user)


def _beoordeeld(beoordeeld: list[Any]) -> str:
    terug = sum(obj.status == Beoordeling.TERUGGESTUURD for obj in beoordeeld)
    return ngettext(
        "%(n)d inzending beoordeeld (%(goed)d goedgekeurd, %(terug)d teruggestuurd); "
        "de partner krijgt bericht per e-mail.",
        "%(n)d inzendingen beoordeeld (%(goed)d goedgekeurd, %(terug)d teruggestuurd); "
        "de partners krijgen bericht per e-mail.",
        len(beoordeeld),
    ) % {"n": len(beoordeeld), "goed": len(beoordeeld) - terug, "terug": terug}


def _rij_beoordeeld(request: HttpRequest, besluit: forms.Beoordelingsbesluit) -> HttpResponse:
    """The answer to approving one queue row with htmx: the row, replaced by what happened."""
    sleutel = next(iter(besluit.gekozen), "")
    context: dict[str, Any] = {"rij": sleutel.replace(":", "-")}
    if besluit.is_valid() and (klaar := besluit.beoordelen(actor=Actor.van(request.user))):
        context["melding"] = _beoordeeld(klaar)
    else:
        fouten = [str(fout) for lijst in besluit.errors.values() for fout in lijst]
        context["melding"] = " ".join([*fouten, *besluit.weigeringen])
        context["fout"] = True
    return render(request, "projecten/_wachtrij_rij_klaar.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def beoordelen(request: HttpRequest) -> HttpResponse:
    beheerd = _beheerd(request)
    filters = forms.Wachtrijfilter(request.GET or None, beheerd=beheerd)
    rijen = inzendingen.wachtrij(beheerd, filters.keuze())
    if bestand := tabeldownload.downloaden(request, lambda: [paginatabellen.wachtrij(rijen)]):
        return bestand
    besluit = forms.Beoordelingsbesluit(request.POST or None, beheerd=beheerd)
    if getattr(request, "htmx", False) and request.method == "POST" and "rij" in request.POST:
        return _rij_beoordeeld(request, besluit)
    if besluit.is_valid() and (klaar := besluit.beoordelen(actor=Actor.van(request.user))):
        messages.success(request, _beoordeeld(klaar))
        return redirect(request.get_full_path())
    pagina = Paginator(rijen, INZENDINGEN_PER_PAGINA).get_page(request.GET.get("pagina"))
    context = {"filters": filters, "besluit": besluit, "pagina": pagina}
    context["inzendingen"] = inzendingen.inzendingen(pagina)
    sjabloon = (
        "projecten/_wachtrij.html"
        if getattr(request, "htmx", False)
        else "projecten/beoordelen.html"
    )
    return render(request, sjabloon, context, status=besluit.statuscode)


@login_required
@require_http_methods(["GET", "POST"])
def inzending(request: HttpRequest, soort: str, pk: int) -> HttpResponse:
    beheerd = _beheerd(request)
    if soort not in inzendingen.SOORTEN:
        raise Http404
    obj = get_object_or_404(inzendingen.beoordeelbaar(beheerd, soort), pk=pk)
    besluit = forms.Beoordelingsbesluit(request.POST or None, beheerd=beheerd)
    if besluit.is_valid() and (klaar := besluit.beoordelen(actor=Actor.van(request.user))):
        messages.success(request, _beoordeeld(klaar))
        return redirect("projecten:beoordelen")
    context = inzendingen.beoordelingspagina(inzendingen.Inzending(soort, obj))
    context["besluit"] = besluit
    return render(request, "projecten/inzending.html", context, status=besluit.statuscode)


def _waar(slot: Periodevergrendeling) -> dict[str, str]:
    waar = (
        str(slot.project) if slot.project else _("het hele programma %(p)s") % {"p": slot.programma}
    )
    return {"periode": slot.periode, "waar": waar}


@login_required
@require_http_methods(["GET", "POST"])
def vergrendelingen(request: HttpRequest) -> HttpResponse:
    _beheerd(request)
    form = forms.Vergrendelen(request.POST or None, gebruiker=request.user)
    if form.is_valid() and (slot := form.vergrendelen(actor=Actor.van(request.user))):
        messages.success(
            request, _("Periode %(periode)s is vergrendeld voor %(waar)s.") % _waar(slot)
        )
        return redirect("projecten:vergrendelingen")
    sloten = inzendingen.vergrendelingen_voor(request.user)
    if bestand := tabeldownload.downloaden(
        request, lambda: [paginatabellen.vergrendelingen(sloten)]
    ):
        return bestand
    pagina = Paginator(sloten, VERGRENDELINGEN_PER_PAGINA).get_page(request.GET.get("pagina"))
    status = 400 if form.errors else 200
    return render(
        request, "projecten/vergrendelingen.html", {"form": form, "pagina": pagina}, status=status
    )


@login_required
@require_POST
def ontgrendelen(request: HttpRequest, pk: int) -> HttpResponse:
    _beheerd(request)
    slot = get_object_or_404(inzendingen.vergrendelingen_voor(request.user), pk=pk)
    services.periode_ontgrendelen(actor=Actor.van(request.user), vergrendeling=slot)
    messages.success(request, _("Periode %(periode)s is weer open voor %(waar)s.") % _waar(slot))
    return redirect("projecten:vergrendelingen")
