"""The tables of the review and submission pages in the snapshot table form of
:mod:`programma.tabellen`, for their CSV and XLSX downloads (programma.tabeldownload).

Each function takes what its page already selected and returns every row, not only the
page on screen."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from programma import tabellen
from programma.tabellen import Kolom
from projecten import inzendingen
from projecten.models import Besteding, Meting, Periodevergrendeling, Voortgangsverslag


def _moment(waarde: Any) -> str:
    return f"{timezone.localtime(waarde):%Y-%m-%d %H:%M}" if waarde else ""


def _naam(gebruiker: Any) -> str:
    return (gebruiker.get_full_name() or gebruiker.get_username()) if gebruiker else ""


def wachtrij(rijen: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The review queue: what waits, longest waiting first."""
    regels = []
    for inzending in inzendingen.inzendingen(rijen):
        obj = inzending.obj
        if inzending.soort == "meting":
            waarde = tabellen.getal(obj.waarde)
        elif inzending.soort == "besteding":
            waarde = tabellen.bedrag(obj.bedrag)
        else:
            waarde = None
        organisatie = obj.ingediend_door_organisatie
        regels.append(
            [
                inzending.inhoud,
                inzending.soortnaam,
                obj.periode,
                inzending.project.code,
                inzending.project.programma.code,
                waarde,
                organisatie.naam if organisatie else _("programmabureau"),
                _moment(obj.gewijzigd_op),
            ]
        )
    return tabellen.tabel(
        "wachtrij",
        _("Inzendingen die wachten op beoordeling"),
        [
            Kolom("inzending", _("Inzending")),
            Kolom("soort", _("Soort")),
            Kolom("periode", _("Periode")),
            Kolom("project", _("Project")),
            Kolom("programma", _("Programma")),
            Kolom("waarde", _("Waarde"), "getal"),
            Kolom("ingediend_door", _("Ingediend door")),
            Kolom("wacht_sinds", _("Wacht sinds")),
        ],
        regels,
    )


def indicatoren(indicatoren: Iterable[Any]) -> dict[str, Any]:
    """A project's indicators with their targets, one row per indicator and period."""
    regels = []
    for indicator in indicatoren:
        streefwaarden = list(indicator.streefwaarden.all()) or [None]
        for streefwaarde in streefwaarden:
            regels.append(
                [
                    indicator.pk,
                    indicator.naam,
                    indicator.doel.titel,
                    indicator.get_eenheid_display(),
                    streefwaarde.periode if streefwaarde else "",
                    tabellen.getal(streefwaarde.waarde) if streefwaarde else None,
                ]
            )
    return tabellen.tabel(
        "indicatoren",
        _("Indicatoren en streefwaarden"),
        [
            Kolom("nr", _("Nr.")),
            Kolom("indicator", _("Indicator")),
            Kolom("doel", _("Doel")),
            Kolom("eenheid", _("Eenheid")),
            Kolom("periode", _("Periode")),
            Kolom("streefwaarde", _("Streefwaarde"), "getal"),
        ],
        regels,
    )


def metingen(metingen: Iterable[Meting]) -> dict[str, Any]:
    return tabellen.tabel(
        "metingen",
        _("Ingediende metingen"),
        [
            Kolom("periode", _("Periode")),
            Kolom("indicator", _("Indicator")),
            Kolom("waarde", _("Waarde"), "getal"),
            Kolom("beoordeling", _("Beoordeling")),
            Kolom("toelichting", _("Toelichting van de beoordelaar")),
        ],
        [
            [
                m.periode,
                m.indicator.naam,
                tabellen.getal(m.waarde),
                m.get_status_display(),
                m.beoordeling_toelichting,
            ]
            for m in metingen
        ],
    )


def bestedingen(bestedingen: Iterable[Besteding]) -> dict[str, Any]:
    return tabellen.tabel(
        "bestedingen",
        _("Ingediende bestedingen"),
        [
            Kolom("periode", _("Periode")),
            Kolom("kostensoort", _("Kostensoort")),
            Kolom("omschrijving", _("Omschrijving")),
            Kolom("bedrag", _("Bedrag"), "bedrag"),
            Kolom("beoordeling", _("Beoordeling")),
            Kolom("toelichting", _("Toelichting van de beoordelaar")),
        ],
        [
            [
                b.periode,
                b.get_kostensoort_display(),
                b.omschrijving,
                tabellen.bedrag(b.bedrag),
                b.get_status_display(),
                b.beoordeling_toelichting,
            ]
            for b in bestedingen
        ],
    )


def verslagen(verslagen: Iterable[Voortgangsverslag]) -> dict[str, Any]:
    return tabellen.tabel(
        "verslagen",
        _("Voortgangsverslagen"),
        [
            Kolom("periode", _("Periode")),
            Kolom("voortgang", _("Voortgang")),
            Kolom("beoordeling", _("Beoordeling")),
            Kolom("toelichting", _("Toelichting van de beoordelaar")),
        ],
        [
            [v.periode, v.samenvatting, v.get_status_display(), v.beoordeling_toelichting]
            for v in verslagen
        ],
    )


def vergrendelingen(sloten: Iterable[Periodevergrendeling]) -> dict[str, Any]:
    return tabellen.tabel(
        "vergrendelingen",
        _("Vergrendelde perioden"),
        [
            Kolom("periode", _("Periode")),
            Kolom("geldt_voor", _("Geldt voor")),
            Kolom("programma", _("Programma")),
            Kolom("vergrendeld_door", _("Vergrendeld door")),
            Kolom("vergrendeld_op", _("Vergrendeld op")),
        ],
        [
            [
                s.periode,
                f"{s.project.code} {s.project.titel}" if s.project else _("Het hele programma"),
                s.programma.naam,
                _naam(s.vergrendeld_door),
                _moment(s.vergrendeld_op),
            ]
            for s in sloten
        ],
    )
