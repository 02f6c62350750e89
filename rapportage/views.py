"""Pages of the rapportage app: the tasks page for managers and administrators, and the
reports: asking for one, following its progress, publishing it, and the portal where
ministry staff and partners find published reports."""

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_q.models import Schedule, Task

from programma import tabeldownload, tabellen
from programma.audit import Actor
from programma.models import Programma
from programma.selectors import beheerde_programmas, is_programmabeheer
from programma.tabellen import Kolom
from rapportage import rapporten, weergave
from rapportage.models import Rapport
from rapportage.selectors import mag_beheren, rapporten_voor
from rapportage.taken import taak_opnieuw, takenoverzicht

# django-q2 names its schedule types in English only; the tasks page says them in Dutch.
HOE_VAAK = {
    Schedule.ONCE: gettext_lazy("Eenmalig"),
    Schedule.MINUTES: gettext_lazy("Elke paar minuten"),
    Schedule.HOURLY: gettext_lazy("Elk uur"),
    Schedule.DAILY: gettext_lazy("Dagelijks"),
    Schedule.WEEKLY: gettext_lazy("Wekelijks"),
    Schedule.BIWEEKLY: gettext_lazy("Om de week"),
    Schedule.MONTHLY: gettext_lazy("Maandelijks"),
    Schedule.BIMONTHLY: gettext_lazy("Om de maand"),
    Schedule.QUARTERLY: gettext_lazy("Elk kwartaal"),
    Schedule.YEARLY: gettext_lazy("Jaarlijks"),
    Schedule.CRON: gettext_lazy("Volgens een cron-schema"),
}


def _moment(waarde: datetime | None) -> str:
    return f"{timezone.localtime(waarde):%Y-%m-%d %H:%M:%S}" if waarde else ""


def _taaktabellen(overzicht: dict[str, Any]) -> list[dict[str, Any]]:
    def uitkomst(gelukt: bool) -> str:
        return _("gelukt") if gelukt else _("mislukt")

    taak, wanneer = Kolom("taak", _("Taak")), Kolom("wanneer", _("Wanneer"))
    return [
        tabellen.tabel(
            "planning",
            _("Planning"),
            [
                taak,
                Kolom("hoe_vaak", _("Hoe vaak")),
                Kolom("volgende", _("Volgende keer")),
                Kolom("laatste", _("Laatste keer")),
                Kolom("uitkomst", _("Uitkomst")),
            ],
            [
                [
                    p["naam"],
                    str(p["soort"]),
                    _moment(p["volgende"]),
                    _moment(p["laatste"].gestopt) if p["laatste"] else "",
                    uitkomst(p["laatste"].gelukt) if p["laatste"] else _("nog niet"),
                ]
                for p in overzicht["planningen"]
            ],
        ),
        tabellen.tabel(
            "mislukt",
            _("Mislukte taken"),
            [taak, wanneer, Kolom("pogingen", _("Poging"), "getal"), Kolom("fout", _("Fout"))],
            [[r.taak, _moment(r.gestopt), str(r.pogingen), r.fout] for r in overzicht["mislukt"]],
        ),
        tabellen.tabel(
            "recent",
            _("Recent gedraaide taken"),
            [
                taak,
                wanneer,
                Kolom("duur", _("Duur (s)"), "getal"),
                Kolom("resultaat", _("Resultaat")),
            ],
            [
                [r.taak, _moment(r.gestopt), f"{r.duur_seconden:.2f}", uitkomst(r.gelukt)]
                for r in overzicht["runs"]
            ],
        ),
    ]


@login_required
def taken(request: HttpRequest) -> HttpResponse:
    if not is_programmabeheer(request.user):
        raise PermissionDenied
    overzicht = takenoverzicht()
    soorten = dict(Schedule.objects.values_list("name", "schedule_type"))
    for planning in overzicht["planningen"]:
        planning["soort"] = HOE_VAAK.get(soorten.get(planning["naam"], ""), planning["soort"])
    if bestand := tabeldownload.downloaden(request, _taaktabellen(overzicht)):
        return bestand
    return render(request, "rapportage/taken.html", overzicht)


@login_required
@require_POST
def taak_herhalen(request: HttpRequest, taak_id: str) -> HttpResponse:
    if not is_programmabeheer(request.user):
        raise PermissionDenied
    get_object_or_404(Task, id=taak_id, success=False)
    pad = taak_opnieuw(actor=Actor.van(request.user), taak_id=taak_id)
    messages.success(request, _("Taak %(taak)s staat opnieuw in de wachtrij.") % {"taak": pad})
    return redirect("rapportage:taken")


# --- reports: asking, progress, publishing, downloading -----------------------------------

RAPPORTEN_PER_PAGINA = 25


class RapportAanvraag(forms.Form):
    """What a programme manager fills in to ask for a report."""

    soort = forms.ChoiceField(label=gettext_lazy("Soort rapport"), choices=Rapport.Soort.choices)
    programma = forms.ModelChoiceField(
        label=gettext_lazy("Programma"), queryset=Programma.objects.none()
    )
    jaar = forms.IntegerField(
        label=gettext_lazy("Jaar"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=gettext_lazy("Voor de jaarverantwoording en de gebiedsrapportage."),
    )
    focusgebied = forms.CharField(
        label=gettext_lazy("Focusgebied (code)"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("Alleen voor een gebiedsrapportage, bijvoorbeeld rotterdam-zuid."),
    )
    project = forms.CharField(
        label=gettext_lazy("Interventie (code)"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Alleen voor een projectrapportage."),
    )
    periode = forms.CharField(
        label=gettext_lazy("Periode"),
        required=False,
        max_length=7,
        help_text=gettext_lazy(
            "Alleen voor een projectrapportage: 2025, 2025-H1, 2025-K2 of 2025-07."
        ),
    )

    def __init__(self, *args: Any, gebruiker: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programma"].queryset = beheerde_programmas(gebruiker).order_by("code")  # type: ignore[attr-defined]

    def aanvragen(self, *, actor: Actor) -> Rapport | None:
        gegevens = self.cleaned_data
        programma = gegevens["programma"]
        focusgebied = project = None
        if gegevens["soort"] == Rapport.Soort.GEBIEDSRAPPORTAGE and gegevens["focusgebied"]:
            focusgebied = programma.focusgebieden.filter(code=gegevens["focusgebied"]).first()
            if focusgebied is None:
                self.add_error(
                    "focusgebied", _("Dit programma heeft geen focusgebied met die code.")
                )
                return None
        if gegevens["soort"] == Rapport.Soort.PROJECTRAPPORTAGE and gegevens["project"]:
            project = programma.projecten.filter(code=gegevens["project"]).first()
            if project is None:
                self.add_error("project", _("Dit programma heeft geen interventie met die code."))
                return None
        try:
            return rapporten.rapport_aanvragen(
                actor=actor,
                soort=gegevens["soort"],
                programma=programma,
                jaar=gegevens["jaar"],
                focusgebied=focusgebied,
                project=project,
                periode=gegevens["periode"] or None,
            )
        except ValidationError as fout:
            for veld, meldingen in fout.message_dict.items():
                for melding in meldingen:
                    self.add_error(veld if veld in self.fields else None, melding)
            return None


def _rapportentabel(lijst: Any) -> dict[str, Any]:
    return tabellen.tabel(
        "rapporten",
        _("Rapporten"),
        [
            Kolom("rapport", _("Rapport")),
            Kolom("programma", _("Programma")),
            Kolom("periode", _("Periode")),
            Kolom("status", _("Status")),
            Kolom("gevraagd_op", _("Gevraagd op")),
            Kolom("gepubliceerd_op", _("Gepubliceerd op")),
        ],
        [
            [
                " ".join(
                    deel
                    for deel in (
                        r.get_soort_display(),
                        r.focusgebied.naam if r.focusgebied else "",
                        r.project.code if r.project else "",
                    )
                    if deel
                ),
                r.programma.naam,
                r.periode,
                r.get_status_display(),
                _moment(r.gevraagd_op),
                _moment(r.gepubliceerd_op),
            ]
            for r in lijst
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def rapporten_lijst(request: HttpRequest) -> HttpResponse:
    """The reports page: for the programme office the request form and every report of
    its programmes; for ministry staff and partners (the portal) the published ones."""
    if bestand := tabeldownload.downloaden(
        request, lambda: [_rapportentabel(rapporten_voor(request.user))]
    ):
        return bestand
    beheer = beheerde_programmas(request.user).exists()
    form = RapportAanvraag(gebruiker=request.user) if beheer else None
    if request.method == "POST":
        if not beheer:
            raise PermissionDenied
        form = RapportAanvraag(request.POST, gebruiker=request.user)
        if form.is_valid() and (rapport := form.aanvragen(actor=Actor.van(request.user))):
            messages.success(
                request, _("Het rapport wordt gemaakt. Deze pagina toont de voortgang.")
            )
            return redirect("rapportage:rapport", rapport_id=rapport.pk)
    pagina = Paginator(rapporten_voor(request.user), RAPPORTEN_PER_PAGINA).get_page(
        request.GET.get("pagina")
    )
    return render(
        request,
        "rapportage/rapporten.html",
        {"pagina": pagina, "form": form, "beheer": beheer},
        status=400 if form is not None and form.errors else 200,
    )


def _rapport(request: HttpRequest, rapport_id: int) -> Rapport:
    return get_object_or_404(rapporten_voor(request.user), pk=rapport_id)


@login_required
@require_GET
def rapport(request: HttpRequest, rapport_id: int) -> HttpResponse:
    gevonden = _rapport(request, rapport_id)
    grafiek = None
    if gevonden.momentopname and "financien_themas" in gevonden.momentopname["tabellen"]:
        # The same chart as on the report's summary page, from the same snapshot.
        blokken = weergave.samenvatting(gevonden.momentopname).blokken
        grafiek = next((b for b in blokken if b.soort == "grafiek"), None)
    return render(
        request,
        "rapportage/_rapport_inhoud.html"
        if getattr(request, "htmx", False)
        else "rapportage/rapport.html",
        {
            "rapport": gevonden,
            "grafiek": grafiek,
            "beheer": mag_beheren(request.user, gevonden),
            "bezig": gevonden.status in (Rapport.Status.GEVRAAGD, Rapport.Status.BEZIG),
            "formaten": [
                ("pdf", _("PDF")),
                ("xlsx", _("Tabellen als Excel (XLSX)")),
                ("csv", _("Tabellen als CSV (zip)")),
                ("sisa", _("SiSa-bijlage per beschikking (CSV)")),
            ],
        },
    )


@login_required
@require_POST
def rapport_publiceren(request: HttpRequest, rapport_id: int) -> HttpResponse:
    gevonden = _rapport(request, rapport_id)
    if not mag_beheren(request.user, gevonden):
        raise PermissionDenied
    try:
        rapporten.rapport_publiceren(actor=Actor.van(request.user), rapport=gevonden)
    except ValidationError as fout:
        messages.error(request, " ".join(fout.messages))
    else:
        messages.success(
            request, _("Het rapport is gepubliceerd; het ministerie krijgt een e-mail.")
        )
    return redirect("rapportage:rapport", rapport_id=gevonden.pk)


@login_required
@require_GET
def rapport_downloaden(request: HttpRequest, rapport_id: int, formaat: str) -> HttpResponse:
    """A report's PDF or an export of its tables; every download is recorded."""
    gevonden = _rapport(request, rapport_id)
    if formaat not in rapporten.FORMATEN or gevonden.status != Rapport.Status.KLAAR:
        raise Http404
    inhoud, soort, naam = rapporten.bestand(gevonden, formaat)
    rapporten.download_vastleggen(actor=Actor.van(request.user), rapport=gevonden, formaat=formaat)
    response = HttpResponse(inhoud, content_type=soort)
    response["Content-Disposition"] = f'attachment; filename="{naam}"'
    response["Cache-Control"] = "private, no-store"
    return response
