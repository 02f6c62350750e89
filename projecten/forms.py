"""Forms of the project pages."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from programma.audit import Actor
from programma.fouten import Bulkfouten, Conflict, NietGevonden
from programma.models import Focusgebied, Organisatie, Programma
from programma.perioden import valideer_periode
from programma.selectors import Gebruiker, beheerde_programmas
from projecten import inzendingen, selectors, services, spreadsheets
from projecten.models import Beoordeling, Indicator, Meting, Periodevergrendeling, Project
from projecten.spreadsheets import Celfout, Ingelezen, OngeldigBestand


class _Terugdraaien(Exception):
    """Undo a submission that went through while other rows of the file were wrong."""


class MetingenUpload(forms.Form):
    """A filled-in measurement template. Valid when the file can be read; ``indienen``
    then submits its rows, all or none."""

    bestand = forms.FileField(
        label=gettext_lazy("Ingevuld sjabloon"),
        help_text=gettext_lazy("Een XLSX- of CSV-bestand van hoogstens 5 MB."),
        widget=forms.FileInput(attrs={"accept": f".xlsx,.csv,{spreadsheets.XLSX_TYPE},text/csv"}),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        self.ingelezen: Ingelezen[Indicator] = Ingelezen()
        self.celfouten: list[Celfout] = []

    def clean_bestand(self) -> UploadedFile:
        bestand: UploadedFile = self.cleaned_data["bestand"]
        if (bestand.size or 0) > spreadsheets.MAX_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 5 MB."))
        indicatoren = {i.pk: i for i in selectors.indicatoren_van(self.project)}
        try:
            self.ingelezen = spreadsheets.lees_metingen(bestand.read(), indicatoren)
        except OngeldigBestand as fout:
            raise forms.ValidationError(str(fout)) from fout
        if not self.ingelezen.regels and not self.ingelezen.fouten:
            raise forms.ValidationError(
                _("In het bestand is geen enkele waarde ingevuld: er is niets ingediend.")
            )
        return bestand

    def indienen(self, *, actor: Actor, organisatie: Organisatie | None) -> list[Meting] | None:
        """Submit every filled-in row through ``metingen_indienen``. The service sees the
        readable rows even when other rows could not be read, so the partner gets every
        error at once; whenever there is one, nothing is kept, ``celfouten`` names each by
        row and column, and the result is None."""
        ingelezen = self.ingelezen
        fouten = list(ingelezen.fouten)
        items = [
            {
                "indicator": r.indicator,
                "periode": r.periode,
                "waarde": r.waarde,
                "toelichting": r.toelichting,
                "bron": r.bron,
            }
            for r in ingelezen.regels
        ]
        metingen: list[Meting] = []
        try:
            with transaction.atomic():
                services.controleer_schrijfbaar(self.project)
                if items:
                    metingen = services.metingen_indienen(
                        actor=actor, items=items, organisatie=organisatie
                    )
                if fouten:
                    raise _Terugdraaien
        except Bulkfouten as bulk:
            fouten += [
                ingelezen.fout(
                    ingelezen.regels[int(str(f["index"]))].rij,
                    spreadsheets.kolom_van_veld(str(f["veld"])),
                    str(f["melding"]),
                )
                for f in bulk.fouten
            ]
        except _Terugdraaien:
            pass
        except (Conflict, NietGevonden) as fout:
            self.add_error(None, str(fout))
            return None
        if not fouten:
            return metingen
        volgorde = {k: i for i, k in enumerate(spreadsheets.KOLOMMEN)}
        self.celfouten = sorted(fouten, key=lambda f: (f.rij, volgorde.get(f.kolom, -1)))
        self.add_error(
            None,
            ngettext(
                "Er is niets opgeslagen: het bestand bevat %(n)d fout.",
                "Er is niets opgeslagen: het bestand bevat %(n)d fouten.",
                len(fouten),
            )
            % {"n": len(fouten)},
        )
        return None


# --- review ---------------------------------------------------------------------------------


class Wachtrijfilter(forms.Form):
    """What a reviewer narrows the queue to (a GET form: it changes nothing)."""

    soort = forms.ChoiceField(label=gettext_lazy("Soort"), required=False)
    programma = forms.ModelChoiceField(
        label=gettext_lazy("Programma"),
        queryset=Programma.objects.none(),
        required=False,
        empty_label=gettext_lazy("Alle programma's"),
    )
    focusgebied = forms.ModelChoiceField(
        label=gettext_lazy("Focusgebied"),
        queryset=Focusgebied.objects.none(),
        required=False,
        empty_label=gettext_lazy("Alle focusgebieden"),
    )
    organisatie = forms.ModelChoiceField(
        label=gettext_lazy("Partnerorganisatie"),
        queryset=Organisatie.objects.none(),
        required=False,
        empty_label=gettext_lazy("Alle organisaties"),
    )
    project = forms.ModelChoiceField(
        label=gettext_lazy("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=gettext_lazy("Alle projecten"),
    )
    periode = forms.CharField(
        label=gettext_lazy("Periode"), required=False, max_length=7, validators=[valideer_periode]
    )

    def __init__(self, *args: Any, beheerd: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        velden = self.fields
        for naam, keuzes in inzendingen.filterkeuzes(beheerd).items():
            velden[naam].queryset = keuzes  # type: ignore[attr-defined]
        velden["focusgebied"].label_from_instance = lambda f: f"{f.naam} ({f.gemeente})"  # type: ignore[attr-defined]
        velden["project"].label_from_instance = lambda p: f"{p.code} · {p.titel}"  # type: ignore[attr-defined]
        velden["soort"].choices = [  # type: ignore[attr-defined]
            ("", _("Alle soorten")),
            *((s, inzendingen.soortnaam(s)) for s in inzendingen.SOORTEN),
        ]
        perioden = inzendingen.wachtende_perioden(beheerd)
        gekozen = self.data.get("periode") if self.is_bound else ""
        if gekozen and gekozen not in perioden:
            perioden.insert(0, str(gekozen))
        velden["periode"].widget = forms.Select(
            choices=[("", _("Alle perioden")), *((p, p) for p in perioden)]
        )

    def keuze(self) -> inzendingen.Wachtrijfilter:
        """The valid part of the filter; a value that is not valid (any more) is ignored
        and reported on its field."""
        if not self.is_bound:
            return inzendingen.Wachtrijfilter()
        self.is_valid()  # cleaned_data then holds the fields that are valid
        schoon = self.cleaned_data
        return inzendingen.Wachtrijfilter(
            programma=schoon.get("programma"),
            focusgebied=schoon.get("focusgebied"),
            organisatie=schoon.get("organisatie"),
            project=schoon.get("project"),
            periode=schoon.get("periode") or "",
            soort=schoon.get("soort") or "",
        )


class _Sleutels(forms.MultipleChoiceField):
    """Submission keys such as ``meting:12``; whether they exist is checked on use."""

    def valid_value(self, value: Any) -> bool:
        return inzendingen.uit_sleutel(str(value)) is not None


class Beoordelingsbesluit(forms.Form):
    """One decision, with one comment, about one or more chosen submissions."""

    inzendingen = _Sleutels(
        label=gettext_lazy("Inzendingen"),
        error_messages={
            "required": gettext_lazy("Kies minstens één inzending om te beoordelen."),
            "invalid_choice": gettext_lazy("Een gekozen inzending bestaat niet."),
        },
    )
    besluit = forms.ChoiceField(
        label=gettext_lazy("Besluit"),
        choices=[
            (Beoordeling.GOEDGEKEURD.value, gettext_lazy("Goedkeuren")),
            (Beoordeling.TERUGGESTUURD.value, gettext_lazy("Terugsturen naar de partner")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Kies of u goedkeurt of terugstuurt.")},
    )
    toelichting = forms.CharField(
        label=gettext_lazy("Toelichting voor de partner"),
        help_text=gettext_lazy("Verplicht bij terugsturen: wat moet er veranderen?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, beheerd: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.beheerd = beheerd
        self.weigeringen: list[str] = []

    @property
    def gekozen(self) -> set[str]:
        return set(self.data.getlist("inzendingen")) if self.is_bound else set()  # type: ignore[attr-defined]

    @property
    def statuscode(self) -> int:
        """409 when the review was refused by the state of things, 400 for bad input."""
        return 409 if self.weigeringen else 400 if self.errors else 200

    def clean(self) -> dict[str, Any]:
        schoon = super().clean() or {}
        if (
            schoon.get("besluit") == Beoordeling.TERUGGESTUURD
            and not (schoon.get("toelichting") or "").strip()
        ):
            self.add_error("toelichting", _("Geef bij terugsturen aan wat er moet veranderen."))
        return schoon

    def beoordelen(self, *, actor: Actor) -> list[Any] | None:
        """Review the chosen submissions, all or none. None when nothing was reviewed; the
        reasons are then form errors, and ``weigeringen`` names each refused item."""
        per_soort: dict[str, list[int]] = {soort: [] for soort in inzendingen.SOORTEN}
        for tekst in self.cleaned_data["inzendingen"]:
            soort, pk = inzendingen.uit_sleutel(tekst) or ("", 0)
            per_soort[soort].append(pk)
        gevonden = {
            soort: list(inzendingen.beoordeelbaar(self.beheerd, soort).filter(pk__in=ids))
            for soort, ids in per_soort.items()
            if ids
        }
        ontbreekt = sum(len(set(ids)) for ids in per_soort.values()) - sum(
            len(objecten) for objecten in gevonden.values()
        )
        if ontbreekt:
            self.add_error(
                "inzendingen",
                ngettext(
                    "%(n)d gekozen inzending bestaat niet of u mag haar niet beoordelen.",
                    "%(n)d gekozen inzendingen bestaan niet of u mag ze niet beoordelen.",
                    ontbreekt,
                )
                % {"n": ontbreekt},
            )
            return None
        try:
            return services.inzendingen_beoordelen(
                actor=actor,
                metingen=gevonden.get("meting", []),
                bestedingen=gevonden.get("besteding", []),
                verslagen=gevonden.get("verslag", []),
                besluit=self.cleaned_data["besluit"],
                toelichting=self.cleaned_data["toelichting"],
            )
        except Bulkfouten as bulk:
            self.weigeringen = [str(f["melding"]) for f in bulk.fouten]
            self.add_error(
                None,
                ngettext(
                    "Er is niets beoordeeld: %(n)d inzending kan niet worden beoordeeld.",
                    "Er is niets beoordeeld: %(n)d inzendingen kunnen niet worden beoordeeld.",
                    len(bulk.fouten),
                )
                % {"n": len(bulk.fouten)},
            )
        except ValidationError as fout:
            for melding in fout.messages:
                self.add_error(None, melding)
        except Conflict as fout:
            self.weigeringen = [str(fout)]
            self.add_error(None, _("Er is niets beoordeeld."))
        return None


# --- locked periods -------------------------------------------------------------------------


class Vergrendelen(forms.Form):
    """Lock a period for one project or for a whole programme."""

    programma = forms.ModelChoiceField(
        label=gettext_lazy("Programma"), queryset=Programma.objects.none(), empty_label=None
    )
    project = forms.ModelChoiceField(
        label=gettext_lazy("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=gettext_lazy("Het hele programma"),
    )
    periode = forms.CharField(
        label=gettext_lazy("Periode"),
        max_length=7,
        validators=[valideer_periode],
        help_text=gettext_lazy(
            "JJJJ voor een jaar, JJJJ-H1 of -H2, JJJJ-K1 tot -K4 of JJJJ-MM. "
            "Elke periode die ermee overlapt gaat ook dicht."
        ),
        widget=forms.TextInput(attrs={"class": "invoer--kort", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, gebruiker: Gebruiker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programmas = beheerde_programmas(gebruiker).values("pk")
        programma: forms.ModelChoiceField = self.fields["programma"]  # type: ignore[assignment]
        programma.queryset = Programma.objects.filter(pk__in=programmas).order_by("code")
        project: forms.ModelChoiceField = self.fields["project"]  # type: ignore[assignment]
        project.queryset = (
            Project.objects.filter(programma__in=programmas)
            .select_related("programma")
            .order_by("programma__code", "code")
        )
        project.label_from_instance = lambda p: f"{p.programma.code} · {p.code} · {p.titel}"  # type: ignore[method-assign, assignment]

    def clean(self) -> dict[str, Any]:
        schoon = super().clean() or {}
        programma, project = schoon.get("programma"), schoon.get("project")
        if programma and project and project.programma_id != programma.pk:
            self.add_error("project", _("Dit project hoort niet bij het gekozen programma."))
        return schoon

    def vergrendelen(self, *, actor: Actor) -> Periodevergrendeling | None:
        try:
            return services.periode_vergrendelen(
                actor=actor,
                programma=self.cleaned_data["programma"],
                project=self.cleaned_data["project"],
                periode=self.cleaned_data["periode"],
            )
        except ValidationError as fout:
            for melding in fout.messages:
                self.add_error(None, melding)
        return None
