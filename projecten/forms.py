"""Forms of the project pages."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from programma.audit import Actor
from programma.fouten import Bulkfouten, Conflict, NietGevonden
from programma.models import Organisatie
from projecten import selectors, services, spreadsheets
from projecten.models import Indicator, Meting, Project
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
