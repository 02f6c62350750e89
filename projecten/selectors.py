"""Reads of projects and what hangs under them, scoped to what a user or organisation may see."""

from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from programma.models import Organisatie, Programma, Rol
from programma.selectors import Gebruiker, is_beheerder
from projecten.models import (
    Begrotingsregel,
    Beschikking,
    Besteding,
    Meting,
    Project,
    Projectpartner,
    Rapportageverplichting,
    Voortgangsverslag,
)


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
    return geldende_begroting(project).aggregate(s=Sum("bedrag"))["s"] or Decimal("0.00")


def verleend_totaal(project: Project) -> Decimal:
    return project.beschikkingen.filter(
        status__in=[Beschikking.Status.VERLEEND, Beschikking.Status.VASTGESTELD]
    ).aggregate(s=Sum("bedrag"))["s"] or Decimal("0.00")
