"""The Django admin for interventions, their results framework and their money.

Saves and deletes are audited by ``programma.admin.AuditAdminMixin``; statuses move only
along the lifecycle their model defines.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programma.admin import AuditAdminMixin, StatusovergangForm, beheer_actor
from programma.models import Programma
from projecten.bewaartermijn import weigering
from projecten.models import (
    Begrotingsregel,
    Beoordeelbaar,
    Beoordeling,
    Beschikking,
    Besteding,
    Doel,
    Indicator,
    Meting,
    Project,
    Projectpartner,
    Rapportageverplichting,
    Streefwaarde,
    Tranche,
    Voortgangsverslag,
)

# Changing any of these moves the reporting periods, so the obligations are derived again.
AFLEIDINGSVELDEN = frozenset(
    {"startdatum", "einddatum", "rapportagefrequentie", "rapportagetermijn_dagen"}
)

BEOORDELING_VELDEN = (
    "status",
    "beoordeling_toelichting",
    "ingediend_door",
    "ingediend_door_organisatie",
    "ingediend_op",
    "gewijzigd_op",
    "beoordeeld_door",
    "beoordeeld_op",
    "versie",
)
BEOORDELING_TITEL = gettext_lazy("Indiening en beoordeling")

if TYPE_CHECKING:
    _Basis = admin.options.BaseModelAdmin[Any]
else:
    _Basis = object


class BewaartermijnMixin(_Basis):
    """No delete, here or through a cascade, of a record a grant must keep for seven years
    after its settlement (Awb 4:69; projecten/bewaartermijn.py). Inlines get the parent."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and weigering(obj) is not None:
            return False
        return super().has_delete_permission(request, obj)


# --- forms -------------------------------------------------------------------------------


class ProjectForm(StatusovergangForm):
    overgangen = Project.OVERGANGEN

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        programma: Programma | None = cleaned.get("programma")
        if programma is None:
            return cleaned
        for veld in ("themas", "focusgebieden"):
            vreemd = [str(o) for o in cleaned.get(veld) or [] if o.programma_id != programma.pk]
            if vreemd:
                self.add_error(
                    veld,
                    _("Hoort niet bij programma %(programma)s: %(namen)s.")
                    % {"programma": programma, "namen": ", ".join(vreemd)},
                )
        return cleaned


class BeschikkingForm(StatusovergangForm):
    overgangen = Beschikking.OVERGANGEN


class TrancheForm(StatusovergangForm):
    overgangen = Tranche.OVERGANGEN

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            "status" in self.changed_data
            and cleaned.get("status") == Tranche.Status.VRIJGEGEVEN
            and "vrijgegeven_op" in self.fields
            and not cleaned.get("vrijgegeven_op")
        ):
            cleaned["vrijgegeven_op"] = timezone.now()
        return cleaned


class TrancheFormSet(forms.BaseInlineFormSet):
    """Checks the tranches together: each row alone cannot see the other new rows."""

    def clean(self) -> None:
        super().clean()
        toegekend = getattr(self.instance, "bedrag", None)
        if toegekend is None:
            return
        totaal = sum(
            (
                f.cleaned_data.get("bedrag") or Decimal("0")
                for f in self.forms
                if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")
            ),
            Decimal("0"),
        )
        if totaal > toegekend:
            raise ValidationError(
                _("De tranches samen (€ %(totaal)s) overschrijden de beschikking (€ %(bedrag)s).")
                % {"totaal": totaal, "bedrag": toegekend}
            )


class BeoordelingForm(StatusovergangForm):
    overgangen = Beoordeelbaar.BEOORDELING_OVERGANGEN


# --- inlines -----------------------------------------------------------------------------


class ProjectpartnerInline(BewaartermijnMixin, admin.TabularInline):
    model = Projectpartner
    extra = 0
    fields = ["organisatie", "rol"]
    autocomplete_fields = ["organisatie"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Projectpartner]:
        return super().get_queryset(request).select_related("organisatie")


class DoelInline(BewaartermijnMixin, admin.StackedInline):
    model = Doel
    extra = 0
    fields = ["titel", "omschrijving"]
    show_change_link = True


class BegrotingsregelInline(BewaartermijnMixin, admin.TabularInline):
    model = Begrotingsregel
    extra = 0
    fields = ["jaar", "kostensoort", "versie", "bedrag", "toelichting"]
    ordering = ["jaar", "kostensoort", "versie"]


class RapportageverplichtingInline(admin.TabularInline):
    """Derived from the project's period and frequency, so shown and never edited here."""

    model = Rapportageverplichting
    extra = 0
    fields = ("soort", "periode", "deadline", "status", "voldaan_op")
    readonly_fields = fields
    ordering = ["deadline", "soort"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class IndicatorInline(BewaartermijnMixin, admin.StackedInline):
    model = Indicator
    extra = 0
    fields = [
        "naam",
        ("eenheid", "richting"),
        ("cumulatief", "aggregatie"),
        ("basiswaarde", "basisjaar"),
        "programma_indicator",
    ]
    autocomplete_fields = ["programma_indicator"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Indicator]:
        return super().get_queryset(request).select_related("programma_indicator")


class StreefwaardeInline(BewaartermijnMixin, admin.TabularInline):
    model = Streefwaarde
    extra = 0
    fields = ["periode", "waarde"]


class TrancheInline(BewaartermijnMixin, admin.TabularInline):
    model = Tranche
    form = TrancheForm
    formset = TrancheFormSet
    extra = 0
    fields = [
        "volgnummer",
        "geplande_datum",
        "bedrag",
        "voorwaarde",
        "voorwaarde_periode",
        "status",
        "vrijgegeven_op",
        "vrijgave_reden",
        "betaald_op",
    ]


# --- projects and results ----------------------------------------------------------------


@admin.register(Project)
class ProjectAdmin(BewaartermijnMixin, AuditAdminMixin, admin.ModelAdmin):
    form = ProjectForm
    list_display = [
        "code",
        "titel",
        "programma",
        "penvoerder",
        "status",
        "startdatum",
        "einddatum",
        "rapportagefrequentie",
    ]
    list_filter = ["status", "programma", "themas", "focusgebieden", "rapportagefrequentie"]
    search_fields = ["code", "titel", "penvoerder__naam"]
    autocomplete_fields = ["programma", "penvoerder", "themas", "focusgebieden"]
    list_select_related = ["programma", "penvoerder"]
    date_hierarchy = "startdatum"
    readonly_fields = ["aangemaakt_op", "gewijzigd_op"]
    fieldsets = [
        (None, {"fields": ["programma", "code", "titel", "omschrijving", "penvoerder", "status"]}),
        (gettext_lazy("Thema's en gebieden"), {"fields": ["themas", "focusgebieden"]}),
        (
            gettext_lazy("Looptijd en rapportage"),
            {
                "fields": [
                    ("startdatum", "einddatum"),
                    ("rapportagefrequentie", "rapportagetermijn_dagen"),
                ]
            },
        ),
        (gettext_lazy("Registratie"), {"fields": ["aangemaakt_op", "gewijzigd_op"]}),
    ]
    inlines = [
        ProjectpartnerInline,
        DoelInline,
        BegrotingsregelInline,
        RapportageverplichtingInline,
    ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: Any) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not change or AFLEIDINGSVELDEN.intersection(form.changed_data):
                from projecten.services import verplichtingen_afleiden

                verplichtingen_afleiden(actor=beheer_actor(request), project=obj)


@admin.register(Projectpartner)
class ProjectpartnerAdmin(BewaartermijnMixin, AuditAdminMixin, admin.ModelAdmin):
    list_display = ["project", "organisatie", "rol"]
    list_filter = ["rol", "project__programma"]
    search_fields = ["project__code", "project__titel", "organisatie__naam"]
    autocomplete_fields = ["project", "organisatie"]
    list_select_related = ["project", "organisatie"]


@admin.register(Doel)
class DoelAdmin(BewaartermijnMixin, AuditAdminMixin, admin.ModelAdmin):
    list_display = ["titel", "project", "programma"]
    list_filter = ["project__programma"]
    search_fields = ["titel", "project__code", "project__titel"]
    autocomplete_fields = ["project"]
    list_select_related = ["project__programma"]
    inlines = [IndicatorInline]

    @admin.display(description=gettext_lazy("programma"), ordering="project__programma__code")
    def programma(self, obj: Doel) -> Programma:
        return obj.project.programma


@admin.register(Indicator)
class IndicatorAdmin(BewaartermijnMixin, AuditAdminMixin, admin.ModelAdmin):
    list_display = [
        "naam",
        "doel",
        "project",
        "eenheid",
        "richting",
        "cumulatief",
        "aggregatie",
        "basiswaarde",
        "programma_indicator",
    ]
    list_filter = ["eenheid", "richting", "cumulatief", "aggregatie", "doel__project__programma"]
    search_fields = ["naam", "doel__titel", "doel__project__code", "doel__project__titel"]
    autocomplete_fields = ["doel", "programma_indicator"]
    list_select_related = ["doel__project", "programma_indicator"]
    inlines = [StreefwaardeInline]

    @admin.display(description=gettext_lazy("project"), ordering="doel__project__code")
    def project(self, obj: Indicator) -> Project:
        return obj.doel.project


@admin.register(Streefwaarde)
class StreefwaardeAdmin(BewaartermijnMixin, AuditAdminMixin, admin.ModelAdmin):
    list_display = ["indicator", "project", "periode", "waarde"]
    list_filter = ["indicator__doel__project__programma"]
    search_fields = ["periode", "indicator__naam", "indicator__doel__project__code"]
    autocomplete_fields = ["indicator"]
    list_select_related = ["indicator__doel__project"]

    @admin.display(description=gettext_lazy("project"), ordering="indicator__doel__project__code")
    def project(self, obj: Streefwaarde) -> Project:
        return obj.indicator.doel.project


# --- what partners submit ----------------------------------------------------------------


class BeoordeelbaarAdmin(BewaartermijnMixin, AuditAdminMixin, admin.ModelAdmin):
    """Shared by measurements, expenditures and progress reports. A review decision made
    here records who made it and when, as the review service would."""

    form = BeoordelingForm
    readonly_fields = ["ingediend_op", "gewijzigd_op", "beoordeeld_door", "beoordeeld_op", "versie"]
    date_hierarchy = "ingediend_op"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: Any) -> None:
        if "status" in form.changed_data and obj.status != Beoordeling.INGEDIEND:
            obj.beoordeeld_door_id = request.user.pk
            obj.beoordeeld_op = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(Meting)
class MetingAdmin(BeoordeelbaarAdmin):
    list_display = [
        "indicator",
        "project",
        "periode",
        "waarde",
        "status",
        "ingediend_door_organisatie",
        "ingediend_op",
    ]
    list_filter = ["status", "indicator__doel__project__programma", "indicator__eenheid"]
    search_fields = [
        "periode",
        "indicator__naam",
        "indicator__doel__project__code",
        "indicator__doel__project__titel",
    ]
    autocomplete_fields = ["indicator", "ingediend_door", "ingediend_door_organisatie"]
    list_select_related = ["indicator__doel__project", "ingediend_door_organisatie"]
    fieldsets = [
        (
            None,
            {"fields": ["indicator", "periode", "waarde", "toelichting", "bron", "uitsplitsing"]},
        ),
        (BEOORDELING_TITEL, {"fields": BEOORDELING_VELDEN}),
    ]

    @admin.display(description=gettext_lazy("project"), ordering="indicator__doel__project__code")
    def project(self, obj: Meting) -> Project:
        return obj.indicator.doel.project


@admin.register(Besteding)
class BestedingAdmin(BeoordeelbaarAdmin):
    list_display = [
        "project",
        "periode",
        "kostensoort",
        "bedrag",
        "beschikking",
        "status",
        "ingediend_door_organisatie",
        "ingediend_op",
    ]
    list_filter = ["status", "kostensoort", "project__programma"]
    search_fields = ["periode", "omschrijving", "project__code", "project__titel"]
    autocomplete_fields = [
        "project",
        "beschikking",
        "ingediend_door",
        "ingediend_door_organisatie",
    ]
    list_select_related = ["project", "beschikking", "ingediend_door_organisatie"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "project",
                    "beschikking",
                    "periode",
                    "kostensoort",
                    "bedrag",
                    "omschrijving",
                ]
            },
        ),
        (BEOORDELING_TITEL, {"fields": BEOORDELING_VELDEN}),
    ]


@admin.register(Voortgangsverslag)
class VoortgangsverslagAdmin(BeoordeelbaarAdmin):
    list_display = ["project", "periode", "status", "ingediend_door_organisatie", "ingediend_op"]
    list_filter = ["status", "project__programma"]
    search_fields = ["periode", "samenvatting", "project__code", "project__titel"]
    autocomplete_fields = ["project", "ingediend_door", "ingediend_door_organisatie"]
    list_select_related = ["project", "ingediend_door_organisatie"]
    fieldsets = [
        (None, {"fields": ["project", "periode", "samenvatting", "risicos", "afwijkingen"]}),
        (BEOORDELING_TITEL, {"fields": BEOORDELING_VELDEN}),
    ]


# --- money and obligations ---------------------------------------------------------------


@admin.register(Beschikking)
class BeschikkingAdmin(BewaartermijnMixin, AuditAdminMixin, admin.ModelAdmin):
    form = BeschikkingForm
    list_display = [
        "kenmerk",
        "project",
        "financier",
        "regeling",
        "datum",
        "bedrag",
        "status",
        "bedrag_vastgesteld",
    ]
    list_filter = ["status", "project__programma", "regeling"]
    search_fields = ["kenmerk", "regeling", "project__code", "project__titel", "financier__naam"]
    autocomplete_fields = ["project", "financier"]
    list_select_related = ["project", "financier"]
    date_hierarchy = "datum"
    inlines = [TrancheInline]


@admin.register(Begrotingsregel)
class BegrotingsregelAdmin(BewaartermijnMixin, AuditAdminMixin, admin.ModelAdmin):
    list_display = ["project", "jaar", "kostensoort", "versie", "bedrag", "toelichting"]
    list_filter = ["jaar", "kostensoort", "project__programma"]
    search_fields = ["toelichting", "project__code", "project__titel"]
    autocomplete_fields = ["project"]
    list_select_related = ["project"]
    readonly_fields = ["aangemaakt_op"]


@admin.register(Tranche)
class TrancheAdmin(BewaartermijnMixin, AuditAdminMixin, admin.ModelAdmin):
    form = TrancheForm
    list_display = [
        "beschikking",
        "project",
        "volgnummer",
        "geplande_datum",
        "bedrag",
        "voorwaarde",
        "voorwaarde_periode",
        "status",
        "betaald_op",
    ]
    list_filter = ["status", "voorwaarde", "beschikking__project__programma"]
    search_fields = ["beschikking__kenmerk", "beschikking__project__code", "vrijgave_reden"]
    autocomplete_fields = ["beschikking"]
    list_select_related = ["beschikking__project"]
    date_hierarchy = "geplande_datum"

    @admin.display(description=gettext_lazy("project"), ordering="beschikking__project__code")
    def project(self, obj: Tranche) -> Project:
        return obj.beschikking.project


@admin.register(Rapportageverplichting)
class RapportageverplichtingAdmin(BewaartermijnMixin, AuditAdminMixin, admin.ModelAdmin):
    list_display = ["project", "soort", "periode", "deadline", "status", "voldaan_op"]
    list_filter = ["status", "soort", "project__programma"]
    search_fields = ["periode", "project__code", "project__titel"]
    autocomplete_fields = ["project"]
    list_select_related = ["project"]
    date_hierarchy = "deadline"
