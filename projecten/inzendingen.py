"""Reads of what partners submit (measurements, expenditures, progress narratives): the
programme office's review queue, one submission with what a reviewer needs to judge it,
and what a partner sees of the outcome.

A submission is named across the three kinds by a key ``soort:id`` (``meting:12``), so
one page, one form and one task can handle all three.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import CharField, F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from programma.models import Focusgebied, Organisatie, Programma
from programma.perioden import parse_periode
from programma.selectors import Gebruiker, beheerde_programmas
from projecten.models import (
    Beoordeelbaar,
    Beoordeling,
    Besteding,
    Meting,
    Periodevergrendeling,
    Project,
    Streefwaarde,
    Voortgangsverslag,
)
from projecten.selectors import projecten_beheerd_door

Inzendingsmodel = type[Meting] | type[Besteding] | type[Voortgangsverslag]

SOORTEN: dict[str, Inzendingsmodel] = {
    "meting": Meting,
    "besteding": Besteding,
    "verslag": Voortgangsverslag,
}
# The path from a submission to its project, for filters.
PROJECTPAD = {"meting": "indicator__doel__project", "besteding": "project", "verslag": "project"}
# What a page or an e-mail about a submission shows of it, loaded with it.
GERELATEERD = {
    "meting": ("indicator__doel__project__programma",),
    "besteding": ("project__programma", "beschikking"),
    "verslag": ("project__programma",),
}
INDIENERS = ("ingediend_door", "ingediend_door_organisatie", "beoordeeld_door")

PERIODEN_IN_FILTER = 200


def soortnaam(soort: str) -> str:
    return {
        "meting": _("Meting"),
        "besteding": _("Besteding"),
        "verslag": _("Voortgangsverslag"),
    }[soort]


def sleutel(soort: str, pk: int) -> str:
    return f"{soort}:{pk}"


def uit_sleutel(tekst: str) -> tuple[str, int] | None:
    """``("meting", 12)`` for ``"meting:12"``; None for anything else."""
    soort, _dubbelepunt, nummer = tekst.partition(":")
    if soort not in SOORTEN or not nummer.isascii() or not nummer.isdigit() or len(nummer) > 18:
        return None
    return soort, int(nummer)


def project_van(soort: str, obj: Beoordeelbaar) -> Project:
    if soort == "meting":
        meting: Meting = obj  # type: ignore[assignment]
        return meting.indicator.doel.project
    return obj.project  # type: ignore[attr-defined, no-any-return]


def euro(bedrag: Decimal) -> str:
    return "€ " + number_format(bedrag, decimal_pos=2, use_l10n=True, force_grouping=True)


def omschrijving(soort: str, obj: Beoordeelbaar) -> str:
    """One line that names a submission to a person: what, over which period, which project."""
    project = project_van(soort, obj)
    if soort == "meting":
        wat = _("Meting '%(indicator)s'") % {"indicator": obj.indicator.naam}  # type: ignore[attr-defined]
    elif soort == "besteding":
        wat = _("Besteding %(kostensoort)s %(bedrag)s") % {
            "kostensoort": obj.get_kostensoort_display().lower(),  # type: ignore[attr-defined]
            "bedrag": euro(obj.bedrag),  # type: ignore[attr-defined]
        }
    else:
        wat = _("Voortgangsverslag")
    return _("%(wat)s over %(periode)s (project %(project)s)") % {
        "wat": wat,
        "periode": obj.periode,  # type: ignore[attr-defined]
        "project": project.code,
    }


def inhoud(soort: str, obj: Beoordeelbaar, lengte: int = 140) -> str:
    """The submitted content in short, for a row in a list."""
    if soort == "meting":
        meting: Meting = obj  # type: ignore[assignment]
        return meting.indicator.naam
    if soort == "besteding":
        besteding: Besteding = obj  # type: ignore[assignment]
        tekst = besteding.get_kostensoort_display()
        return f"{tekst}: {besteding.omschrijving}" if besteding.omschrijving else tekst
    verslag: Voortgangsverslag = obj  # type: ignore[assignment]
    return Truncator(verslag.samenvatting).chars(lengte)


def wie_beoordeelde(obj: Beoordeelbaar) -> str:
    """'goedgekeurd door Jan Jansen op 03-07-2025 14:05', for a refusal to review again."""
    door = obj.beoordeeld_door
    naam = (door.get_full_name() or door.get_username()) if door else _("het systeem")
    moment = timezone.localtime(obj.beoordeeld_op) if obj.beoordeeld_op else None
    return _("%(status)s door %(naam)s%(op)s") % {
        "status": obj.get_status_display().lower(),  # type: ignore[attr-defined]
        "naam": naam,
        "op": f" {_('op')} {moment:%d-%m-%Y %H:%M}" if moment else "",
    }


@dataclass(frozen=True)
class Inzending:
    soort: str
    obj: Any  # Meting | Besteding | Voortgangsverslag

    @property
    def sleutel(self) -> str:
        return sleutel(self.soort, self.obj.pk)

    @property
    def soortnaam(self) -> str:
        return soortnaam(self.soort)

    @property
    def project(self) -> Project:
        return project_van(self.soort, self.obj)

    @property
    def omschrijving(self) -> str:
        return omschrijving(self.soort, self.obj)

    @property
    def inhoud(self) -> str:
        return inhoud(self.soort, self.obj)


# --- the review queue ---------------------------------------------------------------------
#
# The functions below take ``beheerd``, the projects a user reviews, from
# :func:`beheerde_projecten`: asked once per page and used as a subquery everywhere.


def mag_beoordelen(gebruiker: Gebruiker) -> bool:
    """Programme managers and administrators review; everyone else gets no review pages."""
    return beheerde_programmas(gebruiker).exists()


def beheerde_projecten(gebruiker: Gebruiker) -> QuerySet[Project]:
    """The projects whose submissions the user reviews, as a plain (non-distinct) queryset."""
    return Project.objects.filter(pk__in=projecten_beheerd_door(gebruiker).values("pk"))


@dataclass(frozen=True)
class Wachtrijfilter:
    programma: Programma | None = None
    focusgebied: Focusgebied | None = None
    organisatie: Organisatie | None = None
    project: Project | None = None
    periode: str = ""
    soort: str = ""


def beoordeelbaar(beheerd: QuerySet[Project], soort: str) -> QuerySet[Any]:
    """Every submission of ``soort`` in the projects ``beheerd``, in any status, with what
    a page about it shows."""
    return (
        SOORTEN[soort]
        .objects.filter(**{f"{PROJECTPAD[soort]}__in": beheerd.values("pk")})
        .select_related(*GERELATEERD[soort], *INDIENERS)
    )


def _wachtend(beheerd: QuerySet[Project], soort: str, filters: Wachtrijfilter) -> QuerySet[Any]:
    projecten = beheerd
    if filters.programma:
        projecten = projecten.filter(programma=filters.programma)
    if filters.focusgebied:
        projecten = projecten.filter(focusgebieden=filters.focusgebied)
    if filters.project:
        projecten = projecten.filter(pk=filters.project.pk)
    qs = SOORTEN[soort].objects.filter(
        status=Beoordeling.INGEDIEND, **{f"{PROJECTPAD[soort]}__in": projecten.values("pk")}
    )
    if filters.organisatie:
        qs = qs.filter(ingediend_door_organisatie=filters.organisatie)
    if filters.periode:
        qs = qs.filter(periode=filters.periode)
    return qs


def wachtrij(beheerd: QuerySet[Project], filters: Wachtrijfilter) -> QuerySet[Any]:
    """What waits for review in the projects ``beheerd``, longest waiting first, as rows
    ``{soort, nr, sinds}``: one query over the three kinds, so it pages and counts like
    any list. Turn a page of rows into submissions with :func:`inzendingen`."""
    delen = [
        _wachtend(beheerd, soort, filters)
        .order_by()  # a part of a UNION has no ORDER BY of its own (the models' default)
        .values(soort=Value(soort, output_field=CharField()), nr=F("pk"), sinds=F("gewijzigd_op"))
        for soort in ([filters.soort] if filters.soort else SOORTEN)
    ]
    eerste, *rest = delen
    return eerste.union(*rest, all=True).order_by("sinds", "soort", "nr")


def inzendingen(rijen: Iterable[dict[str, Any]]) -> list[Inzending]:
    """The submissions behind queue rows, in the same order: one query per kind."""
    rijen = list(rijen)
    per_soort: dict[str, list[int]] = defaultdict(list)
    for rij in rijen:
        per_soort[rij["soort"]].append(rij["nr"])
    gevonden = {
        (soort, obj.pk): obj
        for soort, ids in per_soort.items()
        for obj in SOORTEN[soort]
        .objects.filter(pk__in=ids)
        .select_related(*GERELATEERD[soort], *INDIENERS)
    }
    return [
        Inzending(rij["soort"], gevonden[(rij["soort"], rij["nr"])])
        for rij in rijen
        if (rij["soort"], rij["nr"]) in gevonden
    ]


def wachtende_perioden(beheerd: QuerySet[Project]) -> list[str]:
    """The periods that have submissions waiting, newest first (for a filter)."""
    delen = [
        _wachtend(beheerd, soort, Wachtrijfilter()).order_by().values_list("periode", flat=True)
        for soort in SOORTEN
    ]
    eerste, *rest = delen
    return sorted(set(eerste.union(*rest)), reverse=True)[:PERIODEN_IN_FILTER]


def filterkeuzes(beheerd: QuerySet[Project]) -> dict[str, QuerySet[Any]]:
    """What the queue can be narrowed to: the programmes of the projects ``beheerd``, their
    focus areas, the partner organisations in them and the projects themselves."""
    programmas = beheerd.values("programma_id")
    return {
        "programma": Programma.objects.filter(pk__in=programmas).order_by("code"),
        "focusgebied": Focusgebied.objects.filter(programma__in=programmas).order_by(
            "naam", "gemeente"
        ),
        "organisatie": Organisatie.objects.filter(
            pk__in=beheerd.values("partners__organisatie")
        ).order_by("naam"),
        "project": beheerd.select_related("programma").order_by("programma__code", "code"),
    }


# --- one submission -----------------------------------------------------------------------


def vergrendeling_van(inzending: Inzending) -> Periodevergrendeling | None:
    """The lock that keeps ``inzending`` from being reviewed, if any."""
    project = inzending.project
    doel = parse_periode(inzending.obj.periode)
    for slot in Periodevergrendeling.objects.filter(programma_id=project.programma_id).filter(
        Q(project__isnull=True) | Q(project=project)
    ):
        periode = parse_periode(slot.periode)
        if periode.start <= doel.einde and periode.einde >= doel.start:
            return slot
    return None


def streefwaarde_van(inzending: Inzending) -> Streefwaarde | None:
    """For a measurement: the target for its period, to judge it against."""
    if inzending.soort != "meting":
        return None
    return Streefwaarde.objects.filter(
        indicator_id=inzending.obj.indicator_id, periode=inzending.obj.periode
    ).first()


def beoordelingspagina(inzending: Inzending) -> dict[str, Any]:
    """What the page of one submission shows besides the submission: the target it is
    judged against and the lock that keeps it from being reviewed, if any."""
    return {
        "inzending": inzending,
        "streefwaarde": streefwaarde_van(inzending),
        "vergrendeling": vergrendeling_van(inzending),
    }


# --- what a partner sees ------------------------------------------------------------------


def bestedingen_van(project: Project) -> QuerySet[Besteding]:
    return project.bestedingen.order_by("-periode", "kostensoort", "id")


def verslagen_van(project: Project) -> QuerySet[Voortgangsverslag]:
    return project.verslagen.order_by("-periode")


# --- locked periods -------------------------------------------------------------------------


def vergrendelingen_voor(gebruiker: Gebruiker) -> QuerySet[Periodevergrendeling]:
    """The locks in the programmes the user manages, newest period first."""
    return (
        Periodevergrendeling.objects.filter(
            programma__in=beheerde_programmas(gebruiker).values("pk")
        )
        .select_related("programma", "project", "vergrendeld_door")
        .order_by("programma__code", "-periode", "project__code")
    )
