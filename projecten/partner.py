"""Pages for small partners without a system of their own: submitting one measurement,
expenditure or progress narrative, following and correcting what their organisation
submitted, and managing the organisation's API keys.

Only people with a partner role see these pages (everyone else gets 403); a project or
submission of another organisation is a 404, so its existence is not revealed. Every
write goes through the services, which validate, audit and refuse locked periods and
closed projects; a refusal becomes a form error and nothing is saved.
"""

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programma import services as programma_services
from programma import tabellen
from programma.audit import Actor
from programma.fouten import Conflict, NietGevonden, VersieVerouderd
from programma.models import ApiSleutel, Organisatie
from programma.perioden import parse_periode, perioden_tussen
from programma.selectors import organisaties_van
from programma.tabeldownload import downloaden
from programma.tabellen import Kolom
from projecten import services
from projecten.inzendingen import PROJECTPAD, SOORTEN, euro, soortnaam
from projecten.models import (
    Beoordeling,
    Beschikking,
    Besteding,
    Indicator,
    Kostensoort,
    Meting,
    Project,
    Voortgangsverslag,
)
from projecten.spreadsheets import Onleesbaar, parse_getal
from projecten.templatetags.getallen import getal

PER_PAGINA = 25
#: The session key that carries a new API key's plain text to the one page that shows it.
NIEUWE_SLEUTEL = "partner_nieuwe_sleutel"

# --- form building blocks ---------------------------------------------------------------------


class Decimaalveld(forms.Field):
    """A number as a partner types it (``12,5``, ``1.250,00``, ``€ 80``), read exactly as a
    Decimal, with the limits the API puts on it: no NaN or infinity, at most ``decimalen``
    decimals and ``heel`` digits before the decimal separator, and (``negatief=False``)
    nothing below zero."""

    widget = forms.TextInput

    def __init__(self, *, decimalen: int, heel: int, negatief: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.decimalen, self.heel, self.negatief = decimalen, heel, negatief
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value: Any) -> Decimal | None:
        tekst = str(value).strip() if value is not None else ""
        if not tekst:
            return None
        if len(tekst) > 40:
            raise ValidationError(_("Dit is geen getal: de invoer is te lang."), code="invalid")
        try:
            waarde = parse_getal(tekst)
        except Onleesbaar as fout:
            raise ValidationError(str(fout), code="invalid") from fout
        if not waarde.is_finite():
            raise ValidationError(_("De waarde moet een eindig getal zijn."), code="invalid")
        if -int(waarde.as_tuple().exponent) > self.decimalen:
            raise ValidationError(
                _("Gebruik hoogstens %(n)d cijfers achter de komma.") % {"n": self.decimalen},
                code="decimalen",
            )
        if len(str(abs(int(waarde)))) > self.heel:
            raise ValidationError(
                _("Het getal is te groot: hoogstens %(n)d cijfers voor de komma.")
                % {"n": self.heel},
                code="te_groot",
            )
        if not self.negatief and waarde < 0:
            raise ValidationError(_("Een bedrag kan niet negatief zijn."), code="negatief")
        return waarde


def als_invoer(waarde: Decimal) -> str:
    """A stored number as the partner would type it back: Dutch decimal comma, no
    trailing zeros, no grouping."""
    kort = waarde.normalize() if waarde != waarde.to_integral() else waarde.quantize(Decimal(1))
    tekst = format(kort, "f")
    return tekst.replace(".", ",")


def _periodeveld(**kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Periode"),
        max_length=7,
        error_messages={"required": gettext_lazy("Kies de periode waarover u rapporteert.")},
        **kwargs,
    )


def _waardeveld() -> Decimaalveld:
    return Decimaalveld(
        label=gettext_lazy("Waarde"),
        help_text=gettext_lazy(
            "Een getal met een komma als decimaalteken, bijvoorbeeld 12,5; hoogstens 4 "
            "cijfers achter de komma. Een percentage ligt tussen 0 en 100."
        ),
        decimalen=4,
        heel=11,
        negatief=True,
        error_messages={"required": gettext_lazy("Vul de gemeten waarde in.")},
    )


def _bedragveld() -> Decimaalveld:
    return Decimaalveld(
        label=gettext_lazy("Bedrag in euro"),
        help_text=gettext_lazy("Bijvoorbeeld 1.250,00: hoogstens 2 cijfers achter de komma."),
        decimalen=2,
        heel=12,
        negatief=False,
        error_messages={"required": gettext_lazy("Vul het bestede bedrag in.")},
    )


def _tekstveld(label: Any, *, verplicht: bool = False, max_length: int = 20_000) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=verplicht,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class Partnerformulier(forms.Form):
    """A form whose write goes through a service: ``opslaan`` maps the service's refusal
    onto the fields (or the form as a whole) and remembers whether it was a conflict with
    the state of things (409) rather than bad input (400)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conflict = False
        for veld in self.fields.values():
            widget = veld.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "utrecht-checkbox utrecht-checkbox--html-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "utrecht-select utrecht-select--html-select")
            elif isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "utrecht-textarea utrecht-textarea--html-textarea")
            elif not widget.is_hidden:
                widget.attrs.setdefault("class", "utrecht-textbox utrecht-textbox--html-input")

    @property
    def statuscode(self) -> int:
        return 409 if self.conflict else 400 if self.errors else 200

    def fout_van_service(self, fout: Exception) -> None:
        """Put a service's refusal where the partner looks for it."""
        if isinstance(fout, NietGevonden):
            raise Http404(str(fout))
        if isinstance(fout, VersieVerouderd):
            self.conflict = True
            self.add_error(
                None,
                _(
                    "Deze inzending is intussen gewijzigd. Hieronder staat de huidige versie; "
                    "bekijk die en sla uw correctie opnieuw op."
                ),
            )
            return
        if isinstance(fout, Conflict):
            self.conflict = True
            self.add_error(fout.veld if fout.veld in self.fields else None, str(fout))
            return
        assert isinstance(fout, ValidationError)
        if hasattr(fout, "error_dict"):
            for veld, meldingen in fout.message_dict.items():
                for melding in meldingen:
                    self.add_error(veld if veld in self.fields else None, melding)
        else:
            for melding in fout.messages:
                self.add_error(None, melding)

    def opslaan(self, schrijf: Callable[[], Any]) -> Any:
        """Run ``schrijf`` (a service call); its result, or None after a refusal."""
        try:
            return schrijf()
        except (ValidationError, Conflict, NietGevonden) as fout:
            self.fout_van_service(fout)
            return None


class _Projectformulier(Partnerformulier):
    """A new submission for one project: the period is one of the project's reporting
    periods, and what falls outside the project is refused with the project's dates."""

    periode = _periodeveld()

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        perioden = perioden_tussen(
            project.startdatum, project.einddatum, project.rapportagefrequentie
        )
        keuzes = [("", _("Kies een periode")), *((p.code, p.code) for p in reversed(perioden))]
        gekozen = self.data.get("periode") if self.is_bound else ""
        if gekozen and gekozen not in {p.code for p in perioden}:
            keuzes.append((str(gekozen), str(gekozen)))
        self.fields["periode"].widget = forms.Select(
            choices=keuzes, attrs={"class": "utrecht-select utrecht-select--html-select"}
        )

    def clean_periode(self) -> str:
        code: str = self.cleaned_data["periode"].strip().upper()
        parse_periode(code)
        try:
            self.project.valideer_periode(code)
        except ValidationError as fout:
            raise ValidationError(fout.message_dict["periode"]) from fout
        return code


class MetingNieuw(_Projectformulier):
    indicator = forms.ModelChoiceField(
        label=gettext_lazy("Indicator"),
        queryset=Indicator.objects.none(),
        empty_label=gettext_lazy("Kies een indicator"),
        error_messages={
            "required": gettext_lazy("Kies de indicator die u meet."),
            "invalid_choice": gettext_lazy("Deze indicator hoort niet bij het project."),
        },
    )
    periode = _periodeveld()
    waarde = _waardeveld()
    toelichting = _tekstveld(gettext_lazy("Toelichting (optioneel)"), max_length=5000)
    bron = forms.CharField(label=gettext_lazy("Bron (optioneel)"), required=False, max_length=200)

    field_order = ["indicator", "periode", "waarde", "toelichting", "bron"]

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        indicator: forms.ModelChoiceField = self.fields["indicator"]  # type: ignore[assignment]
        indicator.queryset = (
            Indicator.objects.filter(doel__project=project)
            .select_related("doel__project")
            .order_by("doel_id", "id")
        )
        indicator.label_from_instance = lambda i: f"{i.naam} ({i.get_eenheid_display().lower()})"  # type: ignore[method-assign, assignment]
        self.fields["toelichting"].help_text = _("Licht verschillen met de streefwaarde toe.")

    def indienen(self, *, actor: Actor, organisatie: Organisatie) -> Meting | None:
        schoon = self.cleaned_data
        return self.opslaan(  # type: ignore[no-any-return]
            lambda: services.meting_indienen(
                actor=actor,
                indicator=schoon["indicator"],
                periode=schoon["periode"],
                waarde=schoon["waarde"],
                toelichting=schoon["toelichting"],
                bron=schoon["bron"],
                organisatie=organisatie,
            )
        )


class BestedingNieuw(_Projectformulier):
    periode = _periodeveld()
    kostensoort = forms.ChoiceField(
        label=gettext_lazy("Kostensoort"),
        choices=[("", gettext_lazy("Kies een kostensoort")), *Kostensoort.choices],
        error_messages={"required": gettext_lazy("Kies de kostensoort.")},
    )
    bedrag = _bedragveld()
    beschikking = forms.ModelChoiceField(
        label=gettext_lazy("Beschikking"),
        queryset=Beschikking.objects.none(),
        required=False,
        empty_label=gettext_lazy("Geen bepaalde beschikking"),
        help_text=gettext_lazy("De subsidiebeschikking waaruit deze uitgave is betaald."),
        error_messages={
            "invalid_choice": gettext_lazy("Deze beschikking hoort niet bij het project.")
        },
    )
    omschrijving = forms.CharField(
        label=gettext_lazy("Omschrijving (optioneel)"), required=False, max_length=300
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, project=project, **kwargs)
        beschikking: forms.ModelChoiceField = self.fields["beschikking"]  # type: ignore[assignment]
        beschikking.queryset = project.beschikkingen.order_by("kenmerk")

    def indienen(self, *, actor: Actor, organisatie: Organisatie) -> Besteding | None:
        schoon = self.cleaned_data
        return self.opslaan(  # type: ignore[no-any-return]
            lambda: services.besteding_indienen(
                actor=actor,
                project=self.project,
                periode=schoon["periode"],
                kostensoort=schoon["kostensoort"],
                bedrag=schoon["bedrag"],
                omschrijving=schoon["omschrijving"],
                beschikking=schoon["beschikking"],
                organisatie=organisatie,
            )
        )


class VerslagNieuw(_Projectformulier):
    periode = _periodeveld()
    samenvatting = forms.CharField(
        label=gettext_lazy("Voortgang"),
        help_text=gettext_lazy("Wat is er in deze periode gedaan en bereikt?"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": gettext_lazy("Beschrijf de voortgang in deze periode.")},
    )
    risicos = _tekstveld(gettext_lazy("Risico's (optioneel)"))
    afwijkingen = _tekstveld(gettext_lazy("Afwijkingen en hun verklaring (optioneel)"))

    def indienen(self, *, actor: Actor, organisatie: Organisatie) -> Voortgangsverslag | None:
        schoon = self.cleaned_data
        return self.opslaan(  # type: ignore[no-any-return]
            lambda: services.voortgangsverslag_indienen(
                actor=actor,
                project=self.project,
                periode=schoon["periode"],
                samenvatting=schoon["samenvatting"],
                risicos=schoon["risicos"],
                afwijkingen=schoon["afwijkingen"],
                organisatie=organisatie,
            )
        )


# --- corrections ------------------------------------------------------------------------------


class _Correctie(Partnerformulier):
    """A correction of one submission. ``versie`` is the version the partner saw: when the
    submission changed in the meantime the service refuses, and the partner sees the
    current version before trying again."""

    versie = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    soort = ""

    def __init__(self, *args: Any, obj: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.obj = obj

    def corrigeren(self, *, actor: Actor) -> Any:
        """Correct the submission through its kind's service; None after a refusal."""
        kw = {
            **self.cleaned_data,
            "actor": actor,
            "organisatie": self.obj.ingediend_door_organisatie,
        }
        if self.soort == "meting":
            return self.opslaan(lambda: services.meting_corrigeren(meting=self.obj, **kw))
        if self.soort == "besteding":
            return self.opslaan(lambda: services.besteding_corrigeren(besteding=self.obj, **kw))
        return self.opslaan(lambda: services.voortgangsverslag_corrigeren(verslag=self.obj, **kw))

    def verouderd(self) -> None:
        """After a refusal for a stale version: keep what the partner typed, but let the
        next save count against the version now shown."""
        if self.conflict and self.is_bound:
            data = self.data.copy()  # type: ignore[attr-defined]
            data["versie"] = str(self.obj.versie)
            self.data = data


class MetingCorrectie(_Correctie):
    soort = "meting"
    waarde = _waardeveld()
    toelichting = _tekstveld(gettext_lazy("Toelichting (optioneel)"), max_length=5000)
    bron = forms.CharField(label=gettext_lazy("Bron (optioneel)"), required=False, max_length=200)


class BestedingCorrectie(_Correctie):
    soort = "besteding"
    kostensoort = forms.ChoiceField(label=gettext_lazy("Kostensoort"), choices=Kostensoort.choices)
    bedrag = _bedragveld()
    omschrijving = forms.CharField(
        label=gettext_lazy("Omschrijving (optioneel)"), required=False, max_length=300
    )


class VerslagCorrectie(_Correctie):
    soort = "verslag"
    samenvatting = VerslagNieuw.base_fields["samenvatting"]
    risicos = _tekstveld(gettext_lazy("Risico's (optioneel)"))
    afwijkingen = _tekstveld(gettext_lazy("Afwijkingen en hun verklaring (optioneel)"))


CORRECTIES: dict[str, type[_Correctie]] = {
    "meting": MetingCorrectie,
    "besteding": BestedingCorrectie,
    "verslag": VerslagCorrectie,
}


def _beginwaarden(soort: str, obj: Any) -> dict[str, Any]:
    if soort == "meting":
        return {
            "waarde": als_invoer(obj.waarde),
            "toelichting": obj.toelichting,
            "bron": obj.bron,
            "versie": obj.versie,
        }
    if soort == "besteding":
        return {
            "kostensoort": obj.kostensoort,
            "bedrag": f"{obj.bedrag:.2f}".replace(".", ","),
            "omschrijving": obj.omschrijving,
            "versie": obj.versie,
        }
    return {
        "samenvatting": obj.samenvatting,
        "risicos": obj.risicos,
        "afwijkingen": obj.afwijkingen,
        "versie": obj.versie,
    }


# --- filters of the submissions list ----------------------------------------------------------


class Inzendingfilter(forms.Form):
    """What a partner narrows the organisation's submissions to (a GET form)."""

    project = forms.ModelChoiceField(
        label=gettext_lazy("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=gettext_lazy("Alle projecten"),
    )
    soort = forms.ChoiceField(label=gettext_lazy("Soort"), required=False)
    periode = forms.ChoiceField(label=gettext_lazy("Periode"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Beoordeling"),
        required=False,
        choices=[("", gettext_lazy("Alle")), *Beoordeling.choices],
    )

    def __init__(
        self, *args: Any, projecten: QuerySet[Project], perioden: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        project: forms.ModelChoiceField = self.fields["project"]  # type: ignore[assignment]
        project.queryset = projecten
        project.label_from_instance = lambda p: f"{p.code} · {p.titel}"  # type: ignore[method-assign, assignment]
        self.fields["soort"].choices = [  # type: ignore[attr-defined]
            ("", _("Alle soorten")),
            *((s, soortnaam(s)) for s in SOORTEN),
        ]
        self.fields["periode"].choices = [("", _("Alle perioden")), *((p, p) for p in perioden)]  # type: ignore[attr-defined]
        for veld in self.fields.values():
            veld.widget.attrs["class"] = "utrecht-select utrecht-select--html-select"

    def keuze(self) -> dict[str, Any]:
        """The valid part of the filter; an invalid value is ignored and shown on its field."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}


# --- API keys ---------------------------------------------------------------------------------


class SleutelNieuw(Partnerformulier):
    organisatie = forms.ModelChoiceField(
        label=gettext_lazy("Organisatie"), queryset=Organisatie.objects.none(), empty_label=None
    )
    naam = forms.CharField(
        label=gettext_lazy("Naam"),
        max_length=100,
        help_text=gettext_lazy("Waarvoor de sleutel is, bijvoorbeeld 'Registratiesysteem'."),
        error_messages={"required": gettext_lazy("Geef de sleutel een naam.")},
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Rechten van de sleutel"),
        choices=ApiSleutel.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Kies minstens één recht voor de sleutel.")},
    )
    verloopt_op = forms.DateField(
        label=gettext_lazy("Verloopt op (optioneel)"),
        required=False,
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        help_text=gettext_lazy(
            "Vanaf deze dag werkt de sleutel niet meer. Leeg: de sleutel verloopt niet."
        ),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Vul een datum in als dd-mm-jjjj.")},
    )

    def __init__(self, *args: Any, organisaties: QuerySet[Organisatie], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisatie: forms.ModelChoiceField = self.fields["organisatie"]  # type: ignore[assignment]
        organisatie.queryset = organisaties.order_by("naam")
        self.enige = organisaties.first() if organisaties.count() == 1 else None
        if self.enige is not None:
            del self.fields["organisatie"]

    def clean_verloopt_op(self) -> date | None:
        dag: date | None = self.cleaned_data["verloopt_op"]
        if dag is not None and dag <= timezone.localdate():
            raise ValidationError(_("Kies een dag na vandaag."))
        return dag

    def aanmaken(self, *, actor: Actor) -> tuple[ApiSleutel, str] | None:
        schoon = self.cleaned_data
        dag = schoon["verloopt_op"]
        verloopt_op = (
            timezone.make_aware(datetime.combine(dag, time.min)) if dag is not None else None
        )
        return self.opslaan(  # type: ignore[no-any-return]
            lambda: programma_services.api_sleutel_aanmaken(
                actor=actor,
                organisatie=self.enige or schoon["organisatie"],
                naam=schoon["naam"],
                scopes=schoon["scopes"],
                verloopt_op=verloopt_op,
            )
        )


# --- access -----------------------------------------------------------------------------------


def _organisaties(request: HttpRequest) -> QuerySet[Organisatie]:
    """The user's partner organisations; 403 for anyone without a partner role."""
    organisaties = organisaties_van(request.user)
    if not organisaties.exists():
        raise PermissionDenied(_("Deze pagina's zijn voor medewerkers van partnerorganisaties."))
    return organisaties


def _projecten(organisaties: QuerySet[Organisatie]) -> QuerySet[Project]:
    return (
        Project.objects.filter(partners__organisatie__in=organisaties)
        .select_related("programma")
        .distinct()
        .order_by("programma__code", "code")
    )


def _project(request: HttpRequest, project_id: int) -> tuple[Project, Organisatie]:
    """The project and the organisation the user submits for; 404 when no organisation of
    the user takes part in it."""
    organisaties = _organisaties(request)
    project = get_object_or_404(_projecten(organisaties), pk=project_id)
    organisatie = organisaties.filter(projectdeelnames__project=project).order_by("naam").first()
    assert organisatie is not None
    return project, organisatie


# --- submitting -------------------------------------------------------------------------------

INDIENEN: dict[str, dict[str, Any]] = {
    "meting": {
        "klasse": MetingNieuw,
        "titel": gettext_lazy("Meting indienen"),
        "knop": gettext_lazy("Meting indienen"),
        "gelukt": gettext_lazy("De meting is ingediend; ze wacht op beoordeling."),
    },
    "besteding": {
        "klasse": BestedingNieuw,
        "titel": gettext_lazy("Besteding indienen"),
        "knop": gettext_lazy("Besteding indienen"),
        "gelukt": gettext_lazy("De besteding is ingediend; ze wacht op beoordeling."),
    },
    "verslag": {
        "klasse": VerslagNieuw,
        "titel": gettext_lazy("Voortgangsverslag indienen"),
        "knop": gettext_lazy("Verslag indienen"),
        "gelukt": gettext_lazy("Het voortgangsverslag is ingediend; het wacht op beoordeling."),
    },
}


def _indienen(request: HttpRequest, project_id: int, soort: str) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    project, organisatie = _project(request, project_id)
    pagina = INDIENEN[soort]
    form = pagina["klasse"](request.POST or None, project=project)
    if (
        form.is_bound
        and form.is_valid()
        and form.indienen(actor=Actor.van(request.user), organisatie=organisatie)
    ):
        messages.success(request, str(pagina["gelukt"]))
        return redirect(f"{reverse('partner:inzendingen')}?project={project.pk}&soort={soort}")
    context = {**pagina, "project": project, "form": form, "soort": soort}
    return render(request, "partner/indienen.html", context, status=form.statuscode)


@login_required
def meting_nieuw(request: HttpRequest, project_id: int) -> HttpResponse:
    return _indienen(request, project_id, "meting")


@login_required
def besteding_nieuw(request: HttpRequest, project_id: int) -> HttpResponse:
    return _indienen(request, project_id, "besteding")


@login_required
def verslag_nieuw(request: HttpRequest, project_id: int) -> HttpResponse:
    return _indienen(request, project_id, "verslag")


# --- the organisation's submissions -----------------------------------------------------------

GERELATEERD = {
    "meting": ("indicator__doel__project", "beoordeeld_door"),
    "besteding": ("project", "beschikking", "beoordeeld_door"),
    "verslag": ("project", "beoordeeld_door"),
}
TABELTITELS = {
    "meting": gettext_lazy("Metingen"),
    "besteding": gettext_lazy("Bestedingen"),
    "verslag": gettext_lazy("Voortgangsverslagen"),
}


def _van_organisatie(organisaties: QuerySet[Organisatie], soort: str) -> QuerySet[Any]:
    return SOORTEN[soort].objects.filter(ingediend_door_organisatie__in=organisaties)


def _gefilterd(
    organisaties: QuerySet[Organisatie], soort: str, keuze: dict[str, Any]
) -> QuerySet[Any]:
    qs = _van_organisatie(organisaties, soort)
    if "project" in keuze:
        qs = qs.filter(**{PROJECTPAD[soort]: keuze["project"]})
    if "periode" in keuze:
        qs = qs.filter(periode=keuze["periode"])
    if "status" in keuze:
        qs = qs.filter(status=keuze["status"])
    return qs.select_related(*GERELATEERD[soort]).order_by("-gewijzigd_op", "-pk")


def _perioden(organisaties: QuerySet[Organisatie]) -> list[str]:
    gezien: set[str] = set()
    for soort in SOORTEN:
        gezien.update(
            _van_organisatie(organisaties, soort)
            .order_by()
            .values_list("periode", flat=True)
            .distinct()
        )
    return sorted(gezien, reverse=True)


def _kolommen(soort: str) -> list[tuple[Kolom, Callable[[Any], Any]]]:
    """The columns of a kind's table, each with how a submission fills it."""
    project = Kolom("project", _("Project"))
    periode = (Kolom("periode", _("Periode")), lambda o: o.periode)
    if soort == "meting":
        eigen: list[tuple[Kolom, Callable[[Any], Any]]] = [
            (project, lambda m: m.indicator.doel.project.code),
            (Kolom("indicator", _("Indicator")), lambda m: m.indicator.naam),
            periode,
            (Kolom("waarde", _("Waarde"), "getal"), lambda m: tabellen.getal(m.waarde)),
        ]
    elif soort == "besteding":
        eigen = [
            (project, lambda b: b.project.code),
            periode,
            (Kolom("kostensoort", _("Kostensoort")), lambda b: b.get_kostensoort_display()),
            (
                Kolom("beschikking", _("Beschikking")),
                lambda b: b.beschikking.kenmerk if b.beschikking else "",
            ),
            (Kolom("omschrijving", _("Omschrijving")), lambda b: b.omschrijving),
            (Kolom("bedrag", _("Bedrag"), "bedrag"), lambda b: tabellen.bedrag(b.bedrag)),
        ]
    else:
        eigen = [
            (project, lambda v: v.project.code),
            periode,
            (Kolom("voortgang", _("Voortgang")), lambda v: v.samenvatting),
            (Kolom("risicos", _("Risico's")), lambda v: v.risicos),
            (Kolom("afwijkingen", _("Afwijkingen")), lambda v: v.afwijkingen),
        ]
    return [
        *eigen,
        (Kolom("status", _("Beoordeling")), lambda o: o.get_status_display()),
        (Kolom("opmerking", _("Opmerking beoordelaar")), lambda o: o.beoordeling_toelichting),
        (Kolom("versie", _("Versie"), "jaar"), lambda o: o.versie),
        (
            Kolom("gewijzigd", _("Gewijzigd op"), "datum"),
            lambda o: timezone.localtime(o.gewijzigd_op).date().isoformat(),
        ),
    ]


def inzendingtabel(soort: str, rijen: QuerySet[Any]) -> dict[str, Any]:
    """The submissions of one kind as a downloadable table, every row."""
    kolommen = _kolommen(soort)
    return tabellen.tabel(
        soort,
        str(TABELTITELS[soort]),
        [k for k, _waarde in kolommen],
        [[waarde(obj) for _kolom, waarde in kolommen] for obj in rijen],
    )


def _bladeren(request: HttpRequest, parameter: str, pagina: Page[Any]) -> dict[str, str]:
    """Links to the previous and next page of one of several paginated tables, the other
    query parameters (filters, the other tables' pages) unchanged."""

    def naar(nummer: int) -> str:
        query = request.GET.copy()
        query[parameter] = str(nummer)
        return f"?{query.urlencode()}"

    return {
        "vorige": naar(pagina.previous_page_number()) if pagina.has_previous() else "",
        "volgende": naar(pagina.next_page_number()) if pagina.has_next() else "",
    }


@login_required
def inzendingen(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    organisaties = _organisaties(request)
    projecten = _projecten(organisaties)
    filters = Inzendingfilter(
        request.GET or None, projecten=projecten, perioden=_perioden(organisaties)
    )
    keuze = filters.keuze()
    soorten = [keuze["soort"]] if "soort" in keuze else list(SOORTEN)
    gefilterd = {soort: _gefilterd(organisaties, soort, keuze) for soort in soorten}
    if bestand := downloaden(
        request, lambda: [inzendingtabel(s, qs) for s, qs in gefilterd.items()]
    ):
        return bestand
    paginas: dict[str, Page[Any]] = {
        soort: Paginator(qs, PER_PAGINA).get_page(request.GET.get(f"pagina_{soort}"))
        for soort, qs in gefilterd.items()
    }
    context = {
        "filters": filters,
        "projecten": projecten,
        "tabellen": [
            {
                "soort": soort,
                "titel": TABELTITELS[soort],
                "pagina": pagina,
                **_bladeren(request, f"pagina_{soort}", pagina),
            }
            for soort, pagina in paginas.items()
        ],
    }
    return render(request, "partner/inzendingen.html", context)


@login_required
def corrigeren(request: HttpRequest, soort: str, pk: int) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    if soort not in CORRECTIES:
        raise Http404
    organisaties = _organisaties(request)
    obj = get_object_or_404(
        _van_organisatie(organisaties, soort).select_related(*GERELATEERD[soort]), pk=pk
    )
    klasse = CORRECTIES[soort]
    form = klasse(request.POST or None, obj=obj, initial=_beginwaarden(soort, obj))
    if form.is_bound and form.is_valid():
        if form.corrigeren(actor=Actor.van(request.user)):
            messages.success(
                request, _("De correctie is opgeslagen; de inzending wacht weer op beoordeling.")
            )
            return redirect(f"{reverse('partner:inzendingen')}?soort={soort}")
        obj.refresh_from_db()
        form.verouderd()
    context = {
        "form": form,
        "obj": obj,
        "soort": soort,
        "soortnaam": soortnaam(soort),
        "project": obj.indicator.doel.project if soort == "meting" else obj.project,
        "bedrag": euro(obj.bedrag) if soort == "besteding" else "",
        "waarde": getal(obj.waarde) if soort == "meting" else "",
        "goedgekeurd": obj.status == Beoordeling.GOEDGEKEURD,
    }
    return render(request, "partner/corrigeren.html", context, status=form.statuscode)


# --- API keys ---------------------------------------------------------------------------------


def _sleutels(organisaties: QuerySet[Organisatie]) -> QuerySet[ApiSleutel]:
    return (
        ApiSleutel.objects.filter(organisatie__in=organisaties)
        .select_related("organisatie")
        .order_by("ingetrokken_op", "-aangemaakt_op", "pk")
    )


def _scopenamen(sleutel: ApiSleutel) -> str:
    labels = dict(ApiSleutel.Scope.choices)
    return ", ".join(str(labels.get(s, s)) for s in sleutel.scopes)


def _moment(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).date().isoformat() if moment else None


def sleuteltabel(sleutels: QuerySet[ApiSleutel]) -> dict[str, Any]:
    return tabellen.tabel(
        "sleutels",
        _("API-sleutels"),
        [
            Kolom("organisatie", _("Organisatie")),
            Kolom("naam", _("Naam")),
            Kolom("begin", _("Begint met")),
            Kolom("rechten", _("Rechten")),
            Kolom("aangemaakt", _("Aangemaakt op"), "datum"),
            Kolom("verloopt", _("Verloopt op"), "datum"),
            Kolom("gebruikt", _("Laatst gebruikt"), "datum"),
            Kolom("ingetrokken", _("Ingetrokken op"), "datum"),
        ],
        [
            [
                s.organisatie.naam,
                s.naam,
                s.prefix,
                _scopenamen(s),
                _moment(s.aangemaakt_op),
                _moment(s.verloopt_op),
                _moment(s.laatst_gebruikt_op),
                _moment(s.ingetrokken_op),
            ]
            for s in sleutels
        ],
    )


@login_required
def sleutels(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    organisaties = _organisaties(request)
    alle = _sleutels(organisaties)
    if bestand := downloaden(request, lambda: [sleuteltabel(alle)]):
        return bestand
    # The plain key of a key just made is shown on this one response and then forgotten.
    nieuw = request.session.pop(NIEUWE_SLEUTEL, None)
    pagina = Paginator(alle, PER_PAGINA).get_page(request.GET.get("pagina"))
    for sleutel in pagina:
        sleutel.rechten = _scopenamen(sleutel)  # type: ignore[attr-defined]
    context = {
        "pagina": pagina,
        "nieuw": nieuw,
        "nu": timezone.now(),
        "meerdere": organisaties.count() > 1,
        **_bladeren(request, "pagina", pagina),
    }
    antwoord = render(request, "partner/sleutels.html", context)
    if nieuw:
        antwoord["Cache-Control"] = "no-store"
    return antwoord


@login_required
def sleutel_nieuw(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    organisaties = _organisaties(request)
    form = SleutelNieuw(request.POST or None, organisaties=organisaties)
    if (
        form.is_bound
        and form.is_valid()
        and (gemaakt := form.aanmaken(actor=Actor.van(request.user)))
    ):
        sleutel, plat = gemaakt
        request.session[NIEUWE_SLEUTEL] = {"id": sleutel.pk, "naam": sleutel.naam, "sleutel": plat}
        messages.success(
            request, _("De API-sleutel '%(naam)s' is aangemaakt.") % {"naam": sleutel.naam}
        )
        return redirect("partner:sleutels")
    return render(request, "partner/sleutel_nieuw.html", {"form": form}, status=form.statuscode)


@login_required
def sleutel_intrekken(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    sleutel = get_object_or_404(_sleutels(_organisaties(request)), pk=pk)
    if request.method == "POST":
        if sleutel.ingetrokken_op:
            messages.info(
                request, _("De API-sleutel '%(naam)s' was al ingetrokken.") % {"naam": sleutel.naam}
            )
        else:
            programma_services.api_sleutel_intrekken(actor=Actor.van(request.user), sleutel=sleutel)
            messages.success(
                request,
                _("De API-sleutel '%(naam)s' is ingetrokken: ze werkt niet meer.")
                % {"naam": sleutel.naam},
            )
        return redirect("partner:sleutels")
    return render(
        request,
        "partner/sleutel_intrekken.html",
        {"sleutel": sleutel, "scopes": _scopenamen(sleutel)},
    )
