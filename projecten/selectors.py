"""Reads of projects and what hangs under them, scoped to what a user or organisation may see."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from programma.models import Organisatie, Programma, Rol
from programma.perioden import parse_periode, perioden_tussen
from programma.selectors import Gebruiker, is_beheerder, organisaties_van
from projecten.models import (
    Begrotingsregel,
    Beoordeling,
    Beschikking,
    Besteding,
    Indicator,
    Meting,
    Periodevergrendeling,
    Project,
    Projectpartner,
    Rapportageverplichting,
    Voortgangsverslag,
)
from projecten.spreadsheets import Indicatorkop, Sjabloonregel, sjabloonregels


def projecten_voor(gebruiker: Gebruiker) -> QuerySet[Project]:
    """Every project the user may see: all for administrators; the programmes' projects
    for programme managers and ministry staff; their organisations' projects for partners."""
    if not gebruiker.is_authenticated:
        return Project.objects.none()
    if is_beheerder(gebruiker):
        return Project.objects.all()
    rollen = Rol.objects.filter(gebruiker=gebruiker)
    programmas = rollen.filter(soort__in=[Rol.Soort.PROGRAMMAMANAGER, Rol.Soort.MINISTERIE]).values(
        "programma_id"
    )
    organisaties = rollen.filter(soort=Rol.Soort.PARTNER).values("organisatie_id")
    deelnames = Projectpartner.objects.filter(organisatie_id__in=organisaties).values("project_id")
    return Project.objects.filter(Q(programma_id__in=programmas) | Q(pk__in=deelnames))


def projecten_van_organisatie(organisatie: Organisatie) -> QuerySet[Project]:
    """The projects an organisation takes part in (as lead or partner): what its API key sees."""
    return Project.objects.filter(
        pk__in=Projectpartner.objects.filter(organisatie=organisatie).values("project_id")
    )


def projecten_beheerd_door(gebruiker: Gebruiker) -> QuerySet[Project]:
    """Projects whose data the user may review and change as programme manager."""
    if not gebruiker.is_authenticated:
        return Project.objects.none()
    if is_beheerder(gebruiker):
        return Project.objects.all()
    return Project.objects.filter(
        programma__rollen__gebruiker=gebruiker, programma__rollen__soort=Rol.Soort.PROGRAMMAMANAGER
    ).distinct()


def programma_overzicht(gebruiker: Gebruiker, programma: Programma) -> QuerySet[Project]:
    """The projects of one programme that the user may see, with partners, themes and focus
    areas loaded in a fixed number of queries."""
    return (
        projecten_voor(gebruiker)
        .filter(programma=programma)
        .select_related("penvoerder")
        .prefetch_related(
            Prefetch("partners", queryset=Projectpartner.objects.select_related("organisatie")),
            "themas",
            "focusgebieden",
        )
        .order_by("code")
    )


def metingen_voor(gebruiker: Gebruiker) -> QuerySet[Meting]:
    return Meting.objects.filter(indicator__doel__project__in=projecten_voor(gebruiker))


def bestedingen_voor(gebruiker: Gebruiker) -> QuerySet[Besteding]:
    return Besteding.objects.filter(project__in=projecten_voor(gebruiker))


def verslagen_voor(gebruiker: Gebruiker) -> QuerySet[Voortgangsverslag]:
    return Voortgangsverslag.objects.filter(project__in=projecten_voor(gebruiker))


def verplichtingen_voor(gebruiker: Gebruiker) -> QuerySet[Rapportageverplichting]:
    return Rapportageverplichting.objects.filter(project__in=projecten_voor(gebruiker))


def geldende_begroting(project: Project) -> QuerySet[Begrotingsregel]:
    """The budget that counts: per year and cost category only the latest version."""
    laatste = (
        Begrotingsregel.objects.filter(
            project=OuterRef("project"), jaar=OuterRef("jaar"), kostensoort=OuterRef("kostensoort")
        )
        .order_by("-versie")
        .values("versie")[:1]
    )
    return (
        Begrotingsregel.objects.filter(project=project)
        .filter(versie=Subquery(laatste))
        .order_by("jaar", "kostensoort")
    )


def begroot_totaal(project: Project) -> Decimal:
    totaal = geldende_begroting(project).aggregate(s=Sum("bedrag"))["s"] or Decimal("0")
    return totaal.quantize(Decimal("0.01"))


def verleend_totaal(project: Project) -> Decimal:
    totaal = project.beschikkingen.filter(
        status__in=[Beschikking.Status.VERLEEND, Beschikking.Status.VASTGESTELD]
    ).aggregate(s=Sum("bedrag"))["s"] or Decimal("0")
    return totaal.quantize(Decimal("0.01"))


# --- submitting measurements through the web UI ---------------------------------------------


@dataclass(frozen=True)
class Indiener:
    """As whom a user submits for a project: their partner organisation, or (``None``)
    the programme office itself."""

    organisatie: Organisatie | None


def indiener_voor(gebruiker: Gebruiker, project: Project) -> Indiener | None:
    """Whether, and as whom, the user may submit for ``project``: a partner for an
    organisation that takes part in it, or a programme manager of its programme or an
    administrator. ``None``: the user may only read."""
    if not gebruiker.is_authenticated:
        return None
    organisatie = (
        organisaties_van(gebruiker)
        .filter(projectdeelnames__project=project)
        .order_by("naam")
        .first()
    )
    if organisatie is not None:
        return Indiener(organisatie)
    if projecten_beheerd_door(gebruiker).filter(pk=project.pk).exists():
        return Indiener(None)
    return None


def mijn_projecten(gebruiker: Gebruiker) -> QuerySet[Project]:
    return (
        projecten_voor(gebruiker)
        .select_related("programma", "penvoerder")
        .order_by("programma__code", "code")
    )


def indicatoren_van(project: Project) -> QuerySet[Indicator]:
    """The project's indicators with their goal, project and targets: what the page shows
    and what an uploaded row may refer to."""
    return (
        Indicator.objects.filter(doel__project=project)
        .select_related("doel__project")
        .prefetch_related("streefwaarden")
        .order_by("doel_id", "id")
    )


def metingen_van(project: Project) -> QuerySet[Meting]:
    return (
        Meting.objects.filter(indicator__doel__project=project)
        .select_related("indicator")
        .order_by("-periode", "indicator_id")
    )


def metingenpagina(project: Project) -> dict[str, Any]:
    """What the measurements page of ``project`` shows besides the project itself."""
    metingen = list(metingen_van(project))
    return {
        "indicatoren": indicatoren_van(project),
        "metingen": metingen,
        "teruggestuurd": any(m.status == Beoordeling.TERUGGESTUURD for m in metingen),
        "open_regels": len(sjabloon_voor(project)),
    }


def sjabloon_voor(project: Project) -> list[Sjabloonregel]:
    """The rows a partner can still fill in for ``project``: every reporting period ×
    indicator without a measurement, outside locked periods; none for a closed project."""
    if project.is_gesloten:
        return []
    indicatoren = [
        Indicatorkop(id=i, naam=naam, eenheid=eenheid)
        for i, naam, eenheid in Indicator.objects.filter(doel__project=project)
        .order_by("doel_id", "id")
        .values_list("id", "naam", "eenheid")
    ]
    bezet = set(
        Meting.objects.filter(indicator__doel__project=project).values_list(
            "indicator_id", "periode"
        )
    )
    vergrendeld = [
        parse_periode(code)
        for code in Periodevergrendeling.objects.filter(programma_id=project.programma_id)
        .filter(Q(project__isnull=True) | Q(project=project))
        .values_list("periode", flat=True)
    ]
    perioden = perioden_tussen(project.startdatum, project.einddatum, project.rapportagefrequentie)
    return sjabloonregels(indicatoren, perioden, bezet=bezet, vergrendeld=vergrendeld)
