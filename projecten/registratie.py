"""Forms and pages with which programme managers register interventions: the project with
its partners and status, goals, indicators with a grid of targets, grants with their
tranches, and the budget per year and cost category.

Every change goes through ``projecten.services``; a refused change shows its errors on
the form (see ``programma.registratie``) and saves nothing.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from programma.audit import Actor
from programma.models import Focusgebied, Organisatie, Programma, Programmaindicator, Thema
from programma.opmaak import cel, nl_bedrag
from programma.perioden import parse_periode, perioden_tussen
from programma.registratie import (
    BedragVeld,
    GetalVeld,
    Registratieformulier,
    formulierpagina,
)
from programma.selectors import beheerde_programmas
from programma.tabeldownload import downloaden
from programma.tabellen import Kolom, bedrag, getal, tabel
from projecten import selectors, services
from projecten.models import (
    Begrotingsregel,
    Beschikking,
    Doel,
    Indicator,
    Kostensoort,
    Project,
    Projectpartner,
    Tranche,
)

DATUM = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _beheerd_project(request: HttpRequest, project_id: int) -> Project:
    """A project of a programme the user manages; any other is not found."""
    return get_object_or_404(
        selectors.projecten_beheerd_door(request.user).select_related("programma", "penvoerder"),
        pk=project_id,
    )


def _periodevolgorde(code: str) -> tuple[int, int, date]:
    periode = parse_periode(code)
    return periode.jaar, -(periode.einde - periode.start).days, periode.start


def _naar_project(project: Project) -> HttpResponse:
    return redirect("rapportage:project", project_id=project.pk)


def _project_url(project: Project) -> tuple[str, list[Any]]:
    return ("rapportage:project", [project.pk])


def _weergave(tabeldata: dict[str, Any]) -> dict[str, Any]:
    """A snapshot table with its cells formatted for the page."""
    soorten = [k["soort"] for k in tabeldata["kolommen"]]
    return tabeldata | {
        "weergave": [
            [cel(w, s) for w, s in zip(r, soorten, strict=True)] for r in tabeldata["rijen"]
        ]
    }


# --- projects -----------------------------------------------------------------------------


class ProjectForm(Registratieformulier):
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=40,
        help_text=gettext_lazy(
            "Kort en zonder spaties, uniek in het programma, bijvoorbeeld keukentafel."
        ),
    )
    titel = forms.CharField(label=gettext_lazy("Titel"), max_length=200)
    omschrijving = forms.CharField(
        label=gettext_lazy("Omschrijving"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    penvoerder = forms.ModelChoiceField(
        label=gettext_lazy("Penvoerder"),
        queryset=Organisatie.objects.all(),
        empty_label=gettext_lazy("Kies een organisatie"),
        help_text=gettext_lazy("De organisatie die de subsidie ontvangt en verantwoordt."),
    )
    partners = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Uitvoerende partners"),
        queryset=Organisatie.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Andere rollen (medefinancier, kennispartner) kiest u daarna bij Partners."
        ),
    )
    themas = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Thema's"),
        queryset=Thema.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    focusgebieden = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Focusgebieden"),
        queryset=Focusgebied.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    startdatum = forms.DateField(label=gettext_lazy("Startdatum"), widget=DATUM)
    einddatum = forms.DateField(label=gettext_lazy("Einddatum"), widget=DATUM)
    rapportagefrequentie = forms.ChoiceField(
        label=gettext_lazy("Rapportagefrequentie"),
        choices=Project.Frequentie.choices,
        initial=Project.Frequentie.KWARTAAL,
    )
    rapportagetermijn_dagen = forms.IntegerField(
        label=gettext_lazy("Termijn na de periode (dagen)"),
        min_value=0,
        max_value=365,
        initial=42,
        help_text=gettext_lazy(
            "Zoveel dagen na het einde van een periode is de rapportage verschuldigd."
        ),
    )

    def __init__(
        self, *args: Any, programma: Programma, project: Project | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themas"].queryset = programma.themas.all()  # type: ignore[attr-defined]
        self.fields["focusgebieden"].queryset = programma.focusgebieden.all()  # type: ignore[attr-defined]
        if project is not None:
            for naam in ("code", "penvoerder", "partners"):
                del self.fields[naam]

    def velden(self) -> dict[str, Any]:
        """What ``project_wijzigen`` changes."""
        weg = {"code", "penvoerder", "partners", "themas", "focusgebieden"}
        return {k: v for k, v in self.cleaned_data.items() if k not in weg}


@login_required
@require_http_methods(["GET", "POST"])
def project_nieuw(request: HttpRequest, code: str) -> HttpResponse:
    programma = get_object_or_404(beheerde_programmas(request.user), code=code)
    form = ProjectForm(request.POST or None, programma=programma)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        data = dict(form.cleaned_data)
        data["partners"] = [(o, Projectpartner.Rol.UITVOERDER) for o in data["partners"]]
        if project := form.bewaren(
            lambda: services.project_aanmaken(actor=actor, programma=programma, **data)
        ):
            messages.success(
                request, _("Project %(code)s is geregistreerd.") % {"code": project.code}
            )
            return _naar_project(project)
    return formulierpagina(
        request,
        {
            "titel": _("Nieuw project"),
            "ondertitel": programma.naam,
            "intro": _(
                "Na het opslaan voegt u doelen, indicatoren, beschikkingen en de begroting toe."
            ),
            "form": form,
            "knop": _("Project registreren"),
            "terug": ("programma", [programma.code]),
        },
    )


def _project_wijzigen(actor: Actor, project: Project, form: ProjectForm) -> Project:
    services.project_wijzigen(actor=actor, project=project, **form.velden())
    return services.project_indeling_wijzigen(
        actor=actor,
        project=project,
        themas=form.cleaned_data["themas"],
        focusgebieden=form.cleaned_data["focusgebieden"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_wijzigen(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _beheerd_project(request, project_id)
    initieel = {
        n: getattr(project, n)
        for n in ProjectForm.base_fields
        if n not in ("themas", "focusgebieden", "partners")
    }
    initieel |= {
        "themas": list(project.themas.all()),
        "focusgebieden": list(project.focusgebieden.all()),
    }
    form = ProjectForm(
        request.POST or None, initial=initieel, programma=project.programma, project=project
    )
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        if form.bewaren(lambda: _project_wijzigen(actor, project, form)):
            messages.success(request, _("Project %(code)s is opgeslagen.") % {"code": project.code})
            return _naar_project(project)
    return render(
        request,
        "registratie/project.html",
        {"project": project, "form": form, "terug": _terug(project)},
    )


def _terug(project: Project) -> str:
    naam, argumenten = _project_url(project)
    return reverse(naam, args=argumenten)


class PartnerForm(Registratieformulier):
    organisatie = forms.ModelChoiceField(
        label=gettext_lazy("Organisatie"),
        queryset=Organisatie.objects.all(),
        empty_label=gettext_lazy("Kies een organisatie"),
    )
    rol = forms.ChoiceField(
        label=gettext_lazy("Rol"),
        choices=[c for c in Projectpartner.Rol.choices if c[0] != Projectpartner.Rol.PENVOERDER],
        initial=Projectpartner.Rol.UITVOERDER,
    )


def _partnertabel(project: Project) -> dict[str, Any]:
    return tabel(
        "partners",
        _("Partners van het project"),
        [Kolom("organisatie", _("Organisatie")), Kolom("rol", _("Rol"))],
        [
            [p.organisatie.naam, p.get_rol_display()]
            for p in project.partners.select_related("organisatie")
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def partners(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _beheerd_project(request, project_id)
    if bestand := downloaden(request, lambda: [_partnertabel(project)]):
        return bestand
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        if partner := form.bewaren(
            lambda: services.projectpartner_toevoegen(
                actor=actor, project=project, **form.cleaned_data
            )
        ):
            messages.success(
                request, _("%(org)s is partner geworden.") % {"org": partner.organisatie}
            )
            return redirect("projectbeheer:partners", project_id=project.pk)
    return _tabelformulier(
        request,
        project,
        titel=_("Partners"),
        tabeldata=_partnertabel(project),
        form=form,
        kop=_("Partner toevoegen"),
        knop=_("Partner toevoegen"),
    )


def _tabelformulier(
    request: HttpRequest, project: Project, *, titel: str, tabeldata: dict[str, Any], **context: Any
) -> HttpResponse:
    return render(
        request,
        "registratie/tabelformulier.html",
        {
            "project": project,
            "titel": titel,
            "tabel": _weergave(tabeldata),
            "terug": _terug(project),
        }
        | context,
    )


class StatusForm(Registratieformulier):
    status = forms.ChoiceField(label=gettext_lazy("Nieuwe status"))

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        volgende = Project.OVERGANGEN[project.status]
        self.fields["status"].choices = [c for c in Project.Status.choices if c[0] in volgende]  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _beheerd_project(request, project_id)
    form = StatusForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        if gewijzigd := form.bewaren(
            lambda: services.project_status_wijzigen(
                actor=actor, project=project, **form.cleaned_data
            )
        ):
            messages.success(
                request,
                _("De status is nu %(status)s.")
                % {"status": gewijzigd.get_status_display().lower()},
            )
            return _naar_project(project)
    return formulierpagina(
        request,
        {
            "titel": _("Status wijzigen"),
            "ondertitel": f"{project.code} {project.titel}",
            "intro": _("De huidige status is %(status)s. Afgerond en gestopt zijn definitief.")
            % {"status": project.get_status_display().lower()},
            "form": form,
            "knop": _("Status wijzigen"),
            "terug": _project_url(project),
        },
    )


# --- goals and indicators -----------------------------------------------------------------


class DoelForm(Registratieformulier):
    titel = forms.CharField(label=gettext_lazy("Titel"), max_length=200)
    omschrijving = forms.CharField(
        label=gettext_lazy("Omschrijving"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


@login_required
@require_http_methods(["GET", "POST"])
def doel_nieuw(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _beheerd_project(request, project_id)
    form = DoelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        if doel := form.bewaren(
            lambda: services.doel_aanmaken(actor=actor, project=project, **form.cleaned_data)
        ):
            messages.success(request, _("Doel %(titel)s is toegevoegd.") % {"titel": doel.titel})
            return _naar_project(project)
    return formulierpagina(
        request,
        {
            "titel": _("Nieuw doel"),
            "ondertitel": f"{project.code} {project.titel}",
            "form": form,
            "knop": _("Doel toevoegen"),
            "terug": _project_url(project),
        },
    )


class IndicatorForm(Registratieformulier):
    doel = forms.ModelChoiceField(
        label=gettext_lazy("Doel"), queryset=Doel.objects.none(), empty_label=None
    )
    naam = forms.CharField(label=gettext_lazy("Naam"), max_length=200)
    eenheid = forms.ChoiceField(label=gettext_lazy("Eenheid"), choices=Indicator.Eenheid.choices)
    richting = forms.ChoiceField(label=gettext_lazy("Richting"), choices=Indicator.Richting.choices)
    cumulatief = forms.BooleanField(
        label=gettext_lazy("Cumulatief: elke meting is de stand tot dan toe"), required=False
    )
    aggregatie = forms.ChoiceField(
        label=gettext_lazy("Hoe perioden samen tellen"),
        choices=Indicator.Aggregatie.choices,
        help_text=gettext_lazy("Een cumulatieve indicator telt met de laatste waarde."),
    )
    basiswaarde = GetalVeld(
        label=gettext_lazy("Basiswaarde"),
        required=False,
        help_text=gettext_lazy("Met een komma voor decimalen, bijvoorbeeld 12,5."),
    )
    basisjaar = forms.IntegerField(
        label=gettext_lazy("Basisjaar"), required=False, min_value=1900, max_value=2100
    )
    programma_indicator = forms.ModelChoiceField(
        label=gettext_lazy("Telt mee voor programma-indicator"),
        queryset=Programmaindicator.objects.none(),
        required=False,
        empty_label=gettext_lazy("Geen"),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["doel"].queryset = project.doelen.all()  # type: ignore[attr-defined]
        self.fields["programma_indicator"].queryset = Programmaindicator.objects.filter(  # type: ignore[attr-defined]
            programma_id=project.programma_id
        )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_nieuw(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _beheerd_project(request, project_id)
    if not project.doelen.exists():
        messages.info(request, _("Een indicator hoort bij een doel: voeg eerst een doel toe."))
        return redirect("projectbeheer:doel_nieuw", project_id=project.pk)
    form = IndicatorForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        if indicator := form.bewaren(
            lambda: services.indicator_aanmaken(actor=actor, **form.cleaned_data)
        ):
            messages.success(
                request,
                _("Indicator %(naam)s is toegevoegd; vul nu de streefwaarden in.")
                % {"naam": indicator.naam},
            )
            return redirect("projectbeheer:streefwaarden", indicator_id=indicator.pk)
    return formulierpagina(
        request,
        {
            "titel": _("Nieuwe indicator"),
            "ondertitel": f"{project.code} {project.titel}",
            "form": form,
            "knop": _("Indicator toevoegen"),
            "terug": _project_url(project),
        },
    )


PERIODICITEIT = {
    "jaar": gettext_lazy("Per jaar"),
    "halfjaar": gettext_lazy("Per halfjaar"),
    "kwartaal": gettext_lazy("Per kwartaal"),
}


class StreefwaardenForm(Registratieformulier):
    """One target per period of the project, all saved together or none at all."""

    def __init__(self, *args: Any, indicator: Indicator, per: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        project = indicator.doel.project
        self.huidig = {s.periode: s.waarde for s in indicator.streefwaarden.all()}
        codes = {p.code for p in perioden_tussen(project.startdatum, project.einddatum, per)}
        # A year first, then its halves, quarters and months, each in calendar order.
        self.perioden = sorted(codes | set(self.huidig), key=_periodevolgorde)
        for code in self.perioden:
            self.fields[f"p_{code}"] = GetalVeld(
                label=code, required=False, initial=self.huidig.get(code)
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for code in self.huidig:
            if f"p_{code}" in data and data[f"p_{code}"] is None:
                self.add_error(f"p_{code}", _("Een vastgelegde streefwaarde kan niet leeg worden."))
        return data

    def opslaan(self, actor: Actor) -> int:
        """Save every changed target; the first refused cell undoes all, and every refused
        cell gets its own error."""
        gewijzigd = {
            code: self.cleaned_data[f"p_{code}"]
            for code in self.perioden
            if self.cleaned_data[f"p_{code}"] is not None
            and self.cleaned_data[f"p_{code}"] != self.huidig.get(code)
        }
        fouten: dict[str, list[str]] = {}
        with transaction.atomic():
            for code, waarde in gewijzigd.items():
                try:
                    with transaction.atomic():
                        services.streefwaarden_vastleggen(
                            actor=actor, indicator=self.indicator, waarden={code: waarde}
                        )
                except ValidationError as fout:
                    fouten[f"p_{code}"] = fout.messages
            if fouten:
                raise ValidationError(fouten)
        return len(gewijzigd)


def _streefwaardentabel(indicator: Indicator) -> dict[str, Any]:
    return tabel(
        "streefwaarden",
        _("Streefwaarden van %(naam)s") % {"naam": indicator.naam},
        [Kolom("periode", _("Periode")), Kolom("streefwaarde", _("Streefwaarde"), "getal")],
        [[s.periode, getal(s.waarde)] for s in indicator.streefwaarden.all()],
    )


@login_required
@require_http_methods(["GET", "POST"])
def streefwaarden(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = get_object_or_404(
        Indicator.objects.select_related("doel__project__programma").filter(
            doel__project__in=selectors.projecten_beheerd_door(request.user)
        ),
        pk=indicator_id,
    )
    if bestand := downloaden(request, lambda: [_streefwaardentabel(indicator)]):
        return bestand
    per = request.GET.get("per", "jaar")
    per = per if per in PERIODICITEIT else "jaar"
    form = StreefwaardenForm(request.POST or None, indicator=indicator, per=per)
    project = indicator.doel.project
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        aantal = form.bewaren(lambda: form.opslaan(actor))
        if aantal is not None:
            messages.success(
                request, _("De streefwaarden zijn opgeslagen (%(n)d gewijzigd).") % {"n": aantal}
            )
            return _naar_project(project)
    return render(
        request,
        "registratie/streefwaarden.html",
        {
            "indicator": indicator,
            "project": project,
            "form": form,
            "per": per,
            "perioden": PERIODICITEIT,
            "terug": _terug(project),
        },
    )


# --- grants and tranches ------------------------------------------------------------------

TRANCHEREGELS = 4


class TranchesForm(Registratieformulier):
    """Rows of new tranches (amount, planned date, release condition); an empty row is
    skipped. Their total, with the tranches the grant has, may not exceed its amount."""

    def __init__(self, *args: Any, regels: int = TRANCHEREGELS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regelnummers = list(range(1, regels + 1))
        for i in self.regelnummers:
            self.fields[f"t{i}_bedrag"] = BedragVeld(
                label=_("Tranche %(i)d: bedrag (€)") % {"i": i}, required=False
            )
            self.fields[f"t{i}_geplande_datum"] = forms.DateField(
                label=_("Tranche %(i)d: geplande datum") % {"i": i}, required=False, widget=DATUM
            )
            self.fields[f"t{i}_voorwaarde"] = forms.ChoiceField(
                label=_("Tranche %(i)d: voorwaarde voor vrijgave") % {"i": i},
                choices=Tranche.Voorwaarde.choices,
                initial=Tranche.Voorwaarde.GEEN,
            )
            self.fields[f"t{i}_voorwaarde_periode"] = forms.CharField(
                label=_("Tranche %(i)d: periode van de voorwaarde") % {"i": i},
                required=False,
                max_length=7,
                help_text=_("Bijvoorbeeld 2025-K2; alleen bij een voorwaarde."),
            )

    def regels(self) -> list[tuple[int, dict[str, Any]]]:
        gevuld = []
        for i in self.regelnummers:
            regel = {
                k: self.cleaned_data.get(f"t{i}_{k}")
                for k in ("bedrag", "geplande_datum", "voorwaarde", "voorwaarde_periode")
            }
            if regel["bedrag"] is not None or regel["geplande_datum"] is not None:
                gevuld.append((i, regel))
        return gevuld

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i, regel in self.regels():
            if regel["bedrag"] is None:
                self.add_error(f"t{i}_bedrag", _("Vul het bedrag van deze tranche in."))
            if regel["geplande_datum"] is None:
                self.add_error(
                    f"t{i}_geplande_datum", _("Vul de geplande datum van deze tranche in.")
                )
        return data

    def tranches_aanmaken(self, actor: Actor, beschikking: Beschikking) -> list[Tranche]:
        tranches = []
        for i, regel in self.regels():
            try:
                tranches.append(
                    services.tranche_aanmaken(actor=actor, beschikking=beschikking, **regel)
                )
            except ValidationError as fout:
                if hasattr(fout, "error_dict"):
                    raise ValidationError(
                        {f"t{i}_{k}": v for k, v in fout.error_dict.items()}
                    ) from fout
                raise
        return tranches


class BeschikkingForm(TranchesForm):
    kenmerk = forms.CharField(
        label=gettext_lazy("Kenmerk"),
        max_length=60,
        help_text=gettext_lazy("Het nummer van de beschikking."),
    )
    financier = forms.ModelChoiceField(
        label=gettext_lazy("Financier"),
        queryset=Organisatie.objects.all(),
        empty_label=gettext_lazy("Kies een organisatie"),
    )
    regeling = forms.CharField(label=gettext_lazy("Regeling"), max_length=200)
    bedrag = BedragVeld(
        label=gettext_lazy("Bedrag (€)"),
        help_text=gettext_lazy(
            "Met een komma voor de centen; punten voor duizendtallen mogen: 125.000,00."
        ),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[
            (s, lbl) for s, lbl in Beschikking.Status.choices if s in ("aangevraagd", "verleend")
        ],
    )
    datum = forms.DateField(
        label=gettext_lazy("Datum beschikking"),
        required=False,
        widget=DATUM,
        help_text=gettext_lazy("Verplicht als de beschikking verleend is."),
    )
    thema = forms.ModelChoiceField(
        label=gettext_lazy("Thema"),
        queryset=Thema.objects.none(),
        required=False,
        empty_label=gettext_lazy("Geen thema"),
        help_text=gettext_lazy(
            "Het thema van het programmabudget waaruit de beschikking wordt betaald."
        ),
    )
    field_order = ["kenmerk", "financier", "regeling", "bedrag", "status", "datum", "thema"]

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["thema"].queryset = project.programma.themas.all()  # type: ignore[attr-defined]
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        totaal = sum(
            (r["bedrag"] for _i, r in self.regels() if r["bedrag"] is not None), Decimal(0)
        )
        if data.get("bedrag") is not None and totaal > data["bedrag"]:
            laatste = self.regels()[-1][0]
            self.add_error(
                f"t{laatste}_bedrag",
                _("De tranches samen (%(totaal)s) zijn meer dan de beschikking (%(bedrag)s).")
                % {"totaal": nl_bedrag(totaal), "bedrag": nl_bedrag(data["bedrag"])},
            )
        return data

    def opslaan(self, actor: Actor, project: Project) -> Beschikking:
        velden = {
            k: self.cleaned_data[k]
            for k in ("kenmerk", "financier", "regeling", "bedrag", "status", "datum", "thema")
        }
        beschikking = services.beschikking_aanmaken(actor=actor, project=project, **velden)
        self.tranches_aanmaken(actor, beschikking)
        return beschikking


@login_required
@require_http_methods(["GET", "POST"])
def beschikking_nieuw(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _beheerd_project(request, project_id)
    form = BeschikkingForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        if beschikking := form.bewaren(lambda: form.opslaan(actor, project)):
            messages.success(
                request,
                _("Beschikking %(kenmerk)s is vastgelegd.") % {"kenmerk": beschikking.kenmerk},
            )
            return _naar_project(project)
    return formulierpagina(
        request,
        {
            "titel": _("Nieuwe beschikking"),
            "ondertitel": f"{project.code} {project.titel}",
            "intro": _(
                "Leg de beschikking vast met haar tranches; lege trancheregels worden overgeslagen. De tranches samen zijn niet meer dan het bedrag."
            ),
            "form": form,
            "knop": _("Beschikking vastleggen"),
            "terug": _project_url(project),
        },
    )


def _tranchetabel(beschikking: Beschikking) -> dict[str, Any]:
    tranches = list(beschikking.tranches.all())
    return tabel(
        "tranches",
        _("Tranches van beschikking %(kenmerk)s") % {"kenmerk": beschikking.kenmerk},
        [
            Kolom("volgnummer", _("Nr."), "jaar"),
            Kolom("geplande_datum", _("Gepland"), "datum"),
            Kolom("bedrag", _("Bedrag"), "bedrag"),
            Kolom("voorwaarde", _("Voorwaarde")),
            Kolom("status", _("Status")),
        ],
        [
            [
                t.volgnummer,
                t.geplande_datum.isoformat(),
                bedrag(t.bedrag),
                f"{t.get_voorwaarde_display()} {t.voorwaarde_periode}".strip(),
                t.get_status_display(),
            ]
            for t in tranches
        ],
        totaal=[None, None, bedrag(sum((t.bedrag for t in tranches), Decimal(0))), "", ""],
    )


@login_required
@require_http_methods(["GET", "POST"])
def tranches(request: HttpRequest, beschikking_id: int) -> HttpResponse:
    beschikking = get_object_or_404(
        Beschikking.objects.select_related("project__programma").filter(
            project__in=selectors.projecten_beheerd_door(request.user)
        ),
        pk=beschikking_id,
    )
    if bestand := downloaden(request, lambda: [_tranchetabel(beschikking)]):
        return bestand
    form = TranchesForm(request.POST or None, regels=3)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        nieuw = form.bewaren(lambda: form.tranches_aanmaken(actor, beschikking))
        if nieuw is not None:
            messages.success(request, _("%(n)d tranche(s) toegevoegd.") % {"n": len(nieuw)})
            return redirect("projectbeheer:tranches", beschikking_id=beschikking.pk)
    toegekend = beschikking.tranches.aggregate(s=Sum("bedrag"))["s"] or Decimal(0)
    return _tabelformulier(
        request,
        beschikking.project,
        titel=_("Tranches van beschikking %(kenmerk)s") % {"kenmerk": beschikking.kenmerk},
        tabeldata=_tranchetabel(beschikking),
        form=form,
        kop=_("Tranches toevoegen"),
        knop=_("Tranches toevoegen"),
        intro=_(
            "Beschikking %(bedrag)s, waarvan %(verdeeld)s in tranches. Lege regels worden overgeslagen."
        )
        % {"bedrag": nl_bedrag(beschikking.bedrag), "verdeeld": nl_bedrag(toegekend)},
    )


# --- the budget: years x cost categories --------------------------------------------------


class BegrotingForm(Registratieformulier):
    """The current budget per year and cost category; a changed amount is saved as a new
    version of that line, all together or none."""

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.jaren = list(range(project.startdatum.year, project.einddatum.year + 1))
        self.soorten = list(Kostensoort)
        self.huidig: dict[tuple[int, str], Begrotingsregel] = {
            (r.jaar, r.kostensoort): r for r in selectors.geldende_begroting(project)
        }
        for soort in self.soorten:
            for jaar in self.jaren:
                regel = self.huidig.get((jaar, soort.value))
                self.fields[self.naam(jaar, soort)] = BedragVeld(
                    label=f"{soort.label} {jaar}",
                    required=False,
                    initial=regel.bedrag if regel else None,
                )
        self.fields["toelichting"] = forms.CharField(
            label=_("Toelichting bij de wijziging"),
            required=False,
            max_length=300,
            help_text=_("Waarom de begroting verandert; komt bij elke gewijzigde regel."),
        )

    @staticmethod
    def naam(jaar: int, soort: str) -> str:
        return f"b_{jaar}_{soort}"

    def rijen(self) -> list[tuple[str, list[Any], str]]:
        rijen = []
        for soort in self.soorten:
            bedragen = [r.bedrag for j in self.jaren if (r := self.huidig.get((j, soort.value)))]
            rijen.append(
                (
                    str(soort.label),
                    [self[self.naam(j, soort)] for j in self.jaren],
                    nl_bedrag(sum(bedragen, Decimal(0))),
                )  # type: ignore[misc]
            )
        return rijen

    def totalen(self) -> tuple[list[str], str]:
        per_jaar = [
            sum((r.bedrag for (j, _s), r in self.huidig.items() if j == jaar), Decimal(0))
            for jaar in self.jaren
        ]
        return [nl_bedrag(t) for t in per_jaar], nl_bedrag(sum(per_jaar, Decimal(0)))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for jaar, soort in self.huidig:
            veld = self.naam(jaar, soort)
            if veld in data and data[veld] is None:
                self.add_error(veld, _("Een begrote regel kan niet leeg worden; vul 0 in."))
        return data

    def opslaan(self, actor: Actor) -> int:
        aantal = 0
        for soort in self.soorten:
            for jaar in self.jaren:
                waarde = self.cleaned_data[self.naam(jaar, soort)]
                regel = self.huidig.get((jaar, soort.value))
                if waarde is None or (regel is not None and regel.bedrag == waarde):
                    continue
                try:
                    services.begrotingsregel_vastleggen(
                        actor=actor,
                        project=self.project,
                        jaar=jaar,
                        kostensoort=soort.value,
                        bedrag=waarde,
                        toelichting=self.cleaned_data["toelichting"],
                    )
                except ValidationError as fout:
                    raise ValidationError({self.naam(jaar, soort): fout.messages}) from fout
                aantal += 1
        return aantal


def _begrotingstabel(form: BegrotingForm) -> dict[str, Any]:
    kolommen = [Kolom("kostensoort", _("Kostensoort"))] + [
        Kolom(str(j), str(j), "bedrag") for j in form.jaren
    ]
    rijen: list[list[Any]] = []
    for soort in form.soorten:
        rijen.append(
            [str(soort.label)]
            + [
                bedrag(r.bedrag) if (r := form.huidig.get((j, soort.value))) else None
                for j in form.jaren
            ]
        )
    return tabel("begroting", _("Geldende begroting per jaar en kostensoort"), kolommen, rijen)


@login_required
@require_http_methods(["GET", "POST"])
def begroting(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _beheerd_project(request, project_id)
    form = BegrotingForm(request.POST or None, project=project)
    if bestand := downloaden(request, lambda: [_begrotingstabel(form)]):
        return bestand
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        aantal = form.bewaren(lambda: form.opslaan(actor))
        if aantal is not None:
            messages.success(
                request, _("De begroting is opgeslagen (%(n)d regels gewijzigd).") % {"n": aantal}
            )
            return _naar_project(project)
    per_jaar, totaal = form.totalen()
    versies = (
        Begrotingsregel.objects.filter(project=project)
        .order_by()
        .values("versie")
        .distinct()
        .count()
    )
    return render(
        request,
        "registratie/begroting.html",
        {
            "project": project,
            "form": form,
            "per_jaar": per_jaar,
            "totaal": totaal,
            "herzien": versies > 1,
            "terug": _terug(project),
        },
    )
