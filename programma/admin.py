"""The Django admin for the programme office and the administrator.

Every save and delete through the admin, inline rows included, writes an audit record
in the same transaction as the change (``AuditAdminMixin``). Status fields may only
move along their lifecycle (``StatusovergangForm``).
"""

import json
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from programma.audit import Actor, momentopname, registreer
from programma.models import (
    ApiSleutel,
    Auditregel,
    Budgetenvelop,
    Focusgebied,
    Gebiedscode,
    Organisatie,
    Programma,
    Programmadoel,
    Programmaindicator,
    Programmastreefwaarde,
    Rol,
    Thema,
)

if TYPE_CHECKING:
    _AdminBasis = admin.ModelAdmin[Any]
else:
    _AdminBasis = object

AANMAKEN = "beheer_aanmaken"
WIJZIGEN = "beheer_wijzigen"
VERWIJDEREN = "beheer_verwijderen"


def beheer_actor(request: HttpRequest) -> Actor:
    return Actor.van(request.user, "beheer")


def _stand_in_database(obj: models.Model) -> dict[str, Any] | None:
    """The stored values of ``obj``; the instance itself already holds the form's input."""
    if obj.pk is None:
        return None
    opgeslagen = type(obj)._default_manager.filter(pk=obj.pk).first()
    return momentopname(opgeslagen) if opgeslagen is not None else None


class AuditFormsetMixin(_AdminBasis):
    """Audits every inline row that a save creates, changes or deletes."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: Any) -> None:
        actor = beheer_actor(request)
        verwijderd = set(map(id, formset.deleted_forms))
        geraakt = [
            f.instance.pk
            for f in formset.initial_forms
            if f.instance.pk is not None and (f.has_changed() or id(f) in verwijderd)
        ]
        with transaction.atomic():
            voor = {
                pk: momentopname(obj)
                for pk, obj in formset.model._default_manager.in_bulk(geraakt).items()
            }
            formset.save(commit=False)
            for obj in formset.deleted_objects:
                registreer(actor=actor, actie=VERWIJDEREN, obj=obj, voor=voor.get(obj.pk), na=None)
                obj.delete()
            for obj, _velden in formset.changed_objects:
                obj.save()
                registreer(
                    actor=actor,
                    actie=WIJZIGEN,
                    obj=obj,
                    voor=voor.get(obj.pk),
                    na=momentopname(obj),
                )
            for obj in formset.new_objects:
                obj.save()
                registreer(actor=actor, actie=AANMAKEN, obj=obj, voor=None, na=momentopname(obj))
            formset.save_m2m()


class AuditAdminMixin(AuditFormsetMixin):
    """Audits saves and deletes of the object itself, and of its inline rows."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: Any) -> None:
        with transaction.atomic():
            voor = _stand_in_database(obj)
            super().save_model(request, obj, form, change)
            registreer(
                actor=beheer_actor(request),
                actie=WIJZIGEN if voor is not None else AANMAKEN,
                obj=obj,
                voor=voor,
                na=momentopname(obj),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            registreer(
                actor=beheer_actor(request),
                actie=VERWIJDEREN,
                obj=obj,
                voor=momentopname(obj),
                na=None,
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        actor = beheer_actor(request)
        with transaction.atomic():
            for obj in queryset:
                registreer(actor=actor, actie=VERWIJDEREN, obj=obj, voor=momentopname(obj), na=None)
            super().delete_queryset(request, queryset)


class StatusovergangForm(forms.ModelForm):
    """A model form whose ``status`` may change only along ``overgangen``.

    The check runs on existing objects only: a new one may be registered in the state it
    is already in (e.g. a beschikking that was granted before it was entered)."""

    overgangen: ClassVar[Mapping[str, AbstractSet[str]]] = {}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.instance.pk is None or "status" not in self.changed_data:
            return cleaned
        oud, nieuw = self.initial.get("status"), cleaned.get("status")
        if nieuw is not None and nieuw not in self.overgangen.get(str(oud), set()):
            labels = dict(self._meta.model._meta.get_field("status").choices or [])
            raise ValidationError(
                {
                    "status": _("Status kan niet van '%(oud)s' naar '%(nieuw)s'.")
                    % {"oud": labels.get(oud, oud), "nieuw": labels.get(nieuw, nieuw)}
                }
            )
        return cleaned


# --- inlines ---------------------------------------------------------------------------


class ThemaInline(admin.TabularInline):
    model = Thema
    extra = 0
    fields = ["code", "naam"]
    show_change_link = True


class FocusgebiedInline(admin.TabularInline):
    model = Focusgebied
    extra = 0
    fields = ["code", "naam", "gemeente", "gemeentecode"]
    show_change_link = True


class BudgetenvelopInline(admin.TabularInline):
    model = Budgetenvelop
    extra = 0
    fields = ["jaar", "thema", "bedrag", "overheveling_in"]
    ordering = ["jaar", "thema__naam"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        # Only this programme's themes: names such as "Armoede en schulden" recur in
        # every programme and could not be told apart in the list.
        formset.form.base_fields["thema"].queryset = Thema.objects.filter(  # type: ignore[attr-defined]
            programma=obj.pk if obj is not None else None
        )
        return formset

    def get_queryset(self, request: HttpRequest) -> QuerySet[Budgetenvelop]:
        return super().get_queryset(request).select_related("thema")


class GebiedscodeInline(admin.TabularInline):
    model = Gebiedscode
    extra = 0
    fields = ["code", "peiljaar"]


class ProgrammastreefwaardeInline(admin.TabularInline):
    model = Programmastreefwaarde
    extra = 0
    fields = ["jaar", "waarde"]


class RolInline(admin.TabularInline):
    model = Rol
    fk_name = "gebruiker"
    extra = 0
    fields = ["soort", "programma", "organisatie"]
    autocomplete_fields = ["programma", "organisatie"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rol]:
        return super().get_queryset(request).select_related("programma", "organisatie")


# --- programme ----------------------------------------------------------------------------


@admin.register(Organisatie)
class OrganisatieAdmin(AuditAdminMixin, admin.ModelAdmin):
    list_display = ["naam", "soort", "kvk_nummer", "gemeentecode", "email"]
    list_filter = ["soort"]
    search_fields = ["naam", "kvk_nummer", "gemeentecode", "email"]


@admin.register(Programma)
class ProgrammaAdmin(AuditAdminMixin, admin.ModelAdmin):
    list_display = ["code", "naam", "regeling", "opdrachtgever", "startjaar", "eindjaar"]
    list_filter = ["startjaar", "eindjaar"]
    search_fields = ["code", "naam", "regeling"]
    autocomplete_fields = ["opdrachtgever"]
    list_select_related = ["opdrachtgever"]
    inlines = [ThemaInline, FocusgebiedInline, BudgetenvelopInline]


@admin.register(Thema)
class ThemaAdmin(AuditAdminMixin, admin.ModelAdmin):
    list_display = ["naam", "code", "programma"]
    list_filter = ["programma"]
    search_fields = ["naam", "code", "programma__code"]
    autocomplete_fields = ["programma"]
    list_select_related = ["programma"]


@admin.register(Focusgebied)
class FocusgebiedAdmin(AuditAdminMixin, admin.ModelAdmin):
    list_display = ["naam", "code", "gemeente", "gemeentecode", "programma"]
    list_filter = ["programma", "gemeente"]
    search_fields = ["naam", "code", "gemeente", "gemeentecode"]
    autocomplete_fields = ["programma"]
    list_select_related = ["programma"]
    inlines = [GebiedscodeInline]


@admin.register(Gebiedscode)
class GebiedscodeAdmin(AuditAdminMixin, admin.ModelAdmin):
    list_display = ["code", "peiljaar", "focusgebied", "programma"]
    list_filter = ["peiljaar", "focusgebied__programma"]
    search_fields = ["code", "focusgebied__naam", "focusgebied__gemeente"]
    autocomplete_fields = ["focusgebied"]
    list_select_related = ["focusgebied__programma"]

    @admin.display(description=gettext_lazy("programma"), ordering="focusgebied__programma__code")
    def programma(self, obj: Gebiedscode) -> Programma:
        return obj.focusgebied.programma


@admin.register(Budgetenvelop)
class BudgetenvelopAdmin(AuditAdminMixin, admin.ModelAdmin):
    list_display = ["programma", "jaar", "thema", "bedrag", "overheveling_in", "beschikbaar"]
    list_filter = ["programma", "jaar", "thema"]
    search_fields = ["thema__naam", "programma__code", "programma__naam"]
    autocomplete_fields = ["programma", "thema"]
    list_select_related = ["programma", "thema"]

    @admin.display(description=gettext_lazy("beschikbaar"))
    def beschikbaar(self, obj: Budgetenvelop) -> Any:
        return obj.beschikbaar


@admin.register(Programmadoel)
class ProgrammadoelAdmin(AuditAdminMixin, admin.ModelAdmin):
    list_display = ["titel", "programma", "thema"]
    list_filter = ["programma", "thema"]
    search_fields = ["titel", "omschrijving"]
    autocomplete_fields = ["programma", "thema"]
    list_select_related = ["programma", "thema"]


@admin.register(Programmaindicator)
class ProgrammaindicatorAdmin(AuditAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "naam",
        "programma",
        "doel",
        "eenheid",
        "richting",
        "cumulatief",
        "aggregatie",
        "basiswaarde",
        "basisjaar",
    ]
    list_filter = ["programma", "eenheid", "richting", "cumulatief", "aggregatie"]
    search_fields = ["code", "naam", "programma__code"]
    autocomplete_fields = ["programma", "doel"]
    list_select_related = ["programma", "doel"]
    inlines = [ProgrammastreefwaardeInline]


@admin.register(Programmastreefwaarde)
class ProgrammastreefwaardeAdmin(AuditAdminMixin, admin.ModelAdmin):
    list_display = ["indicator", "programma", "jaar", "waarde"]
    list_filter = ["jaar", "indicator__programma"]
    search_fields = ["indicator__naam", "indicator__code"]
    autocomplete_fields = ["indicator"]
    list_select_related = ["indicator__programma"]

    @admin.display(description=gettext_lazy("programma"), ordering="indicator__programma__code")
    def programma(self, obj: Programmastreefwaarde) -> Programma:
        return obj.indicator.programma


# --- access ----------------------------------------------------------------------------


@admin.register(Rol)
class RolAdmin(AuditAdminMixin, admin.ModelAdmin):
    list_display = ["gebruiker", "soort", "programma", "organisatie"]
    list_filter = ["soort", "programma"]
    search_fields = [
        "gebruiker__username",
        "gebruiker__email",
        "gebruiker__first_name",
        "gebruiker__last_name",
        "organisatie__naam",
    ]
    autocomplete_fields = ["gebruiker", "programma", "organisatie"]
    list_select_related = ["gebruiker", "programma", "organisatie"]


class ApiSleutelForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("scopes"),
        choices=ApiSleutel.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiSleutel
        fields = ["naam", "organisatie", "scopes", "verloopt_op"]

    def clean_verloopt_op(self) -> datetime | None:
        verloopt_op: datetime | None = self.cleaned_data.get("verloopt_op")
        if self.instance.pk is None and verloopt_op is not None and verloopt_op <= timezone.now():
            raise ValidationError(_("Een nieuwe sleutel verloopt in de toekomst."))
        return verloopt_op


class ApiSleutelStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("actief", _("Actief")),
            ("verlopen", _("Verlopen")),
            ("ingetrokken", _("Ingetrokken")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        nu = timezone.now()
        if self.value() == "actief":
            return queryset.filter(ingetrokken_op__isnull=True).exclude(verloopt_op__lte=nu)
        if self.value() == "verlopen":
            return queryset.filter(ingetrokken_op__isnull=True, verloopt_op__lte=nu)
        if self.value() == "ingetrokken":
            return queryset.filter(ingetrokken_op__isnull=False)
        return queryset


@admin.register(ApiSleutel)
class ApiSleutelAdmin(AuditAdminMixin, admin.ModelAdmin):
    """Keys are made by ``api_sleutel_aanmaken``; the plain key is shown once, after saving.
    The hash is never shown."""

    form = ApiSleutelForm
    list_display = [
        "naam",
        "organisatie",
        "prefix",
        "scopes_weergave",
        "status",
        "aangemaakt_op",
        "verloopt_op",
        "laatst_gebruikt_op",
    ]
    list_filter = [ApiSleutelStatusFilter, "organisatie__soort"]
    search_fields = ["naam", "prefix", "organisatie__naam"]
    autocomplete_fields = ["organisatie"]
    list_select_related = ["organisatie"]
    date_hierarchy = "aangemaakt_op"
    readonly_fields = ["prefix", "aangemaakt_op", "laatst_gebruikt_op", "ingetrokken_op"]
    actions = ["intrekken"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("naam", "organisatie", "scopes", "verloopt_op")
        return (
            "naam",
            "organisatie",
            "prefix",
            "scopes",
            "verloopt_op",
            "aangemaakt_op",
            "laatst_gebruikt_op",
            "ingetrokken_op",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["organisatie", *self.readonly_fields]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.ingetrokken_op is not None:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: Any) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        from programma.services import api_sleutel_aanmaken

        with transaction.atomic():
            sleutel, platte_sleutel = api_sleutel_aanmaken(
                actor=beheer_actor(request),
                organisatie=form.cleaned_data["organisatie"],
                naam=form.cleaned_data["naam"],
                scopes=list(form.cleaned_data["scopes"]),
                verloopt_op=form.cleaned_data.get("verloopt_op"),
            )
        # The admin goes on with ``obj`` (logging, redirect), so it becomes the new key.
        for veld in ApiSleutel._meta.concrete_fields:
            setattr(obj, veld.attname, getattr(sleutel, veld.attname))
        obj._state.adding = False
        obj._state.db = sleutel._state.db
        messages.warning(
            request,
            _("Bewaar deze sleutel nu: hij wordt niet opnieuw getoond: %(sleutel)s")
            % {"sleutel": platte_sleutel},
        )

    @admin.action(
        description=gettext_lazy("Geselecteerde sleutels intrekken"), permissions=["change"]
    )
    def intrekken(self, request: HttpRequest, queryset: QuerySet[ApiSleutel]) -> None:
        from programma.services import api_sleutel_intrekken

        actor = beheer_actor(request)
        aantal = 0
        with transaction.atomic():
            for sleutel in queryset.filter(ingetrokken_op__isnull=True).select_related(
                "organisatie"
            ):
                api_sleutel_intrekken(actor=actor, sleutel=sleutel)
                aantal += 1
        self.message_user(
            request,
            ngettext("%(aantal)d sleutel ingetrokken.", "%(aantal)d sleutels ingetrokken.", aantal)
            % {"aantal": aantal},
            messages.SUCCESS,
        )

    @admin.display(description=gettext_lazy("scopes"))
    def scopes_weergave(self, obj: ApiSleutel) -> str:
        labels = dict(ApiSleutel.Scope.choices)
        return ", ".join(str(labels.get(scope, scope)) for scope in obj.scopes or [])

    @admin.display(description=gettext_lazy("status"))
    def status(self, obj: ApiSleutel) -> str:
        if obj.ingetrokken_op is not None:
            return _("Ingetrokken")
        if obj.verloopt_op is not None and obj.verloopt_op <= timezone.now():
            return _("Verlopen")
        return _("Actief")


# --- audit trail -------------------------------------------------------------------------


def _json_weergave(waarde: Any) -> str:
    if waarde is None:
        return "-"
    return format_html(
        "<pre>{}</pre>", json.dumps(waarde, indent=2, sort_keys=True, ensure_ascii=False)
    )


AUDITREGEL_VELDEN = (
    "tijdstip",
    "gebruiker",
    "namens",
    "actie",
    "objecttype",
    "object_id",
    "omschrijving",
    "voor_weergave",
    "na_weergave",
)


@admin.register(Auditregel)
class AuditregelAdmin(AuditAdminMixin, admin.ModelAdmin):
    """The trail is read-only, here as everywhere else."""

    list_display = [
        "tijdstip",
        "gebruiker",
        "namens",
        "actie",
        "objecttype",
        "object_id",
        "omschrijving",
    ]
    list_filter = ["actie", "objecttype"]
    search_fields = ["omschrijving", "object_id", "namens", "actie", "gebruiker__username"]
    date_hierarchy = "tijdstip"
    list_select_related = ["gebruiker"]
    # The trail only grows; counting all of it on every page is wasted work.
    show_full_result_count = False
    fields = AUDITREGEL_VELDEN
    readonly_fields = AUDITREGEL_VELDEN

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def get_actions(self, request: HttpRequest) -> Any:
        acties = super().get_actions(request)
        acties.pop("delete_selected", None)
        return acties

    @admin.display(description=gettext_lazy("voor"))
    def voor_weergave(self, obj: Auditregel) -> str:
        return _json_weergave(obj.voor)

    @admin.display(description=gettext_lazy("na"))
    def na_weergave(self, obj: Auditregel) -> str:
        return _json_weergave(obj.na)


# --- users -------------------------------------------------------------------------------

Gebruiker = get_user_model()

if admin.site.is_registered(Gebruiker):
    admin.site.unregister(Gebruiker)


@admin.register(Gebruiker)
class GebruikerAdmin(AuditFormsetMixin, UserAdmin):
    """Django's user admin with the person's roles. Role changes are audited; the user row
    itself is not, so that password hashes never reach the trail."""

    inlines = [*UserAdmin.inlines, RolInline]
