"""The filters of the project list: a GET form whose choices are only what the user may
see, and the query it narrows."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _l

from programma.models import Focusgebied, Organisatie, Programma, Thema
from programma.selectors import Gebruiker
from projecten.models import Project, Projectpartner
from projecten.selectors import projecten_voor


class Projectfilter(forms.Form):
    """Programme, theme, focus area, partner organisation, status and free text (code or
    title). Every field is optional; an unknown value is a form error, never a 500."""

    q = forms.CharField(
        label=_l("Zoeken op code of titel"), required=False, max_length=100, strip=True
    )
    programma = forms.ModelChoiceField(
        label=_l("Programma"),
        queryset=Programma.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_l("Alle programma's"),
    )
    thema = forms.ModelChoiceField(
        label=_l("Thema"),
        queryset=Thema.objects.none(),
        required=False,
        empty_label=_l("Alle thema's"),
    )
    focusgebied = forms.ModelChoiceField(
        label=_l("Focusgebied"),
        queryset=Focusgebied.objects.none(),
        required=False,
        empty_label=_l("Alle focusgebieden"),
    )
    organisatie = forms.ModelChoiceField(
        label=_l("Partnerorganisatie"),
        queryset=Organisatie.objects.none(),
        required=False,
        empty_label=_l("Alle organisaties"),
    )
    status = forms.ChoiceField(
        label=_l("Status"),
        choices=[("", _l("Alle statussen")), *Project.Status.choices],
        required=False,
    )

    def __init__(self, *args: Any, gebruiker: Gebruiker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zichtbaar = projecten_voor(gebruiker)
        programmas = Programma.objects.filter(
            pk__in=self.zichtbaar.values("programma_id")
        ).order_by("naam")
        velden = self.fields
        velden["programma"].queryset = programmas  # type: ignore[attr-defined]
        velden["thema"].queryset = (  # type: ignore[attr-defined]
            Thema.objects.filter(programma__in=programmas).order_by("naam", "programma__code")
        )
        velden["focusgebied"].queryset = (  # type: ignore[attr-defined]
            Focusgebied.objects.filter(programma__in=programmas).order_by("naam")
        )
        velden["organisatie"].queryset = Organisatie.objects.filter(  # type: ignore[attr-defined]
            pk__in=Projectpartner.objects.filter(project__in=self.zichtbaar).values(
                "organisatie_id"
            )
        ).order_by("naam")

    def projecten(self) -> QuerySet[Project]:
        """The visible projects that match the valid filters, by programme and code; with
        an invalid form, none."""
        if self.is_bound and not self.is_valid():
            return Project.objects.none()
        keuze = self.cleaned_data if self.is_bound else {}
        qs = self.zichtbaar
        if tekst := keuze.get("q"):
            qs = qs.filter(Q(code__icontains=tekst) | Q(titel__icontains=tekst))
        if programma := keuze.get("programma"):
            qs = qs.filter(programma=programma)
        if thema := keuze.get("thema"):
            qs = qs.filter(
                pk__in=Project.themas.through.objects.filter(thema=thema).values("project_id")
            )
        if gebied := keuze.get("focusgebied"):
            qs = qs.filter(
                pk__in=Project.focusgebieden.through.objects.filter(focusgebied=gebied).values(
                    "project_id"
                )
            )
        if organisatie := keuze.get("organisatie"):
            qs = qs.filter(
                pk__in=Projectpartner.objects.filter(organisatie=organisatie).values("project_id")
            )
        if status := keuze.get("status"):
            qs = qs.filter(status=status)
        return (
            qs.select_related("programma", "penvoerder")
            .prefetch_related("themas", "focusgebieden")
            .order_by("programma__code", "code")
        )
