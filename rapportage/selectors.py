"""Reads of the aggregated indicator stands, for dashboards and reports.

Stands are written by ``rapportage.services``; here they are only read, with the names
of what they belong to, in a fixed number of queries. Year rows have a four-digit
``periode``; see ``rapportage/aggregaties.py`` for what every number means.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.db.models.functions import Length

from programma.models import Focusgebied, Programma, Programmaindicator, Rol, Thema
from programma.selectors import Gebruiker, beheerde_programmas, organisaties_van, programmas_voor
from projecten.models import Project
from rapportage.models import Indicatorstand, Rapport

Niveau = Indicatorstand.Niveau


def standen(
    *,
    programma: Programma,
    niveau: str | None = None,
    periode: str | None = None,
    alleen_jaren: bool = False,
) -> QuerySet[Indicatorstand]:
    """The stands of a programme, optionally of one level and one period (or only the
    year rows), with the indicator, area, theme and project they belong to."""
    qs = Indicatorstand.objects.filter(programma=programma)
    if niveau is not None:
        qs = qs.filter(niveau=niveau)
    if periode is not None:
        qs = qs.filter(periode=periode)
    if alleen_jaren:
        qs = qs.alias(lengte=Length("periode")).filter(lengte=4)
    return qs.select_related(
        "indicator", "programma_indicator", "project", "focusgebied", "thema"
    ).order_by("niveau", "programma_indicator__code", "indicator_id", "periode", "pk")


@dataclass(frozen=True)
class Voortgangsregel:
    """One programme indicator in one year, as the yearly report shows it."""

    indicator: Programmaindicator
    jaar: int
    basiswaarde: Decimal | None
    streefwaarde: Decimal | None
    waarde: Decimal | None
    percentage_streefwaarde: Decimal | None
    op_koers: bool | None
    aantal_metingen: int


def programmavoortgang(*, programma: Programma, jaar: int) -> list[Voortgangsregel]:
    """Every programme indicator of ``programma`` with its baseline, the programme target
    and the realisation in ``jaar``; an indicator without approved measurements that
    year has no realisation (None) but is listed all the same. Two queries."""
    per_indicator = {
        s.programma_indicator_id: s
        for s in Indicatorstand.objects.filter(
            programma=programma, niveau=Niveau.PROGRAMMA, periode=str(jaar)
        )
    }
    regels = []
    for indicator in Programmaindicator.objects.filter(programma=programma).order_by("code"):
        stand = per_indicator.get(indicator.pk)
        regels.append(
            Voortgangsregel(
                indicator=indicator,
                jaar=jaar,
                basiswaarde=indicator.basiswaarde,
                streefwaarde=stand.streefwaarde if stand else None,
                waarde=stand.waarde if stand else None,
                percentage_streefwaarde=stand.percentage_streefwaarde if stand else None,
                op_koers=stand.op_koers if stand else None,
                aantal_metingen=stand.aantal_metingen if stand else 0,
            )
        )
    return regels


def jaarreeks(
    *,
    programma_indicator: Programmaindicator,
    focusgebied: Focusgebied | None = None,
    thema: Thema | None = None,
) -> list[Indicatorstand]:
    """The year rows of a programme indicator over time, for a chart: of the programme,
    or of one focus area or theme. One query."""
    filters: dict[str, object] = {"programma_indicator": programma_indicator}
    if focusgebied is not None:
        filters |= {"niveau": Niveau.FOCUSGEBIED, "focusgebied": focusgebied}
    elif thema is not None:
        filters |= {"niveau": Niveau.THEMA, "thema": thema}
    else:
        filters |= {"niveau": Niveau.PROGRAMMA}
    return list(
        Indicatorstand.objects.filter(**filters)
        .alias(lengte=Length("periode"))
        .filter(lengte=4)
        .order_by("periode")
    )


def projectstanden(*, project: Project, periode: str | None = None) -> QuerySet[Indicatorstand]:
    """The stands of a project's own indicators, optionally of one period."""
    qs = Indicatorstand.objects.filter(niveau=Niveau.PROJECT, project=project)
    if periode is not None:
        qs = qs.filter(periode=periode)
    return qs.select_related("indicator").order_by("indicator_id", "periode")


def niet_op_koers(*, programma: Programma, periode: str) -> QuerySet[Indicatorstand]:
    """The stands of ``periode`` that are off track, at every level."""
    return standen(programma=programma, periode=periode).filter(op_koers=False)


# --- reports ---------------------------------------------------------------------------


def partnerzicht(projecten: QuerySet[Project]) -> Q:
    """Which published reports a partner organisation sees: those of the whole programme
    (the yearly account and the area reports) and the project reports of its own
    projects, never those of another organisation's project."""
    return ~Q(soort=Rapport.Soort.PROJECTRAPPORTAGE) | Q(project__in=projecten.values("pk"))


def rapporten_voor(gebruiker: Gebruiker) -> QuerySet[Rapport]:
    """The reports a person may see: every report of the programmes they manage (the
    programme office; all for administrators); the published, finished reports of the
    programmes they follow as ministry staff; and, as a partner, the published reports of
    the programmes their organisation takes part in, project reports only of its own
    projects (``partnerzicht``). Unpublished reports are the programme office's alone."""
    if not gebruiker.is_authenticated:
        return Rapport.objects.none()
    beheerd = beheerde_programmas(gebruiker).values("pk")
    gevolgd = Rol.objects.filter(gebruiker=gebruiker, soort=Rol.Soort.MINISTERIE).values(
        "programma_id"
    )
    als_partner = programmas_voor(gebruiker).values("pk")
    eigen = Project.objects.filter(partners__organisatie__in=organisaties_van(gebruiker))
    gepubliceerd = Q(gepubliceerd_op__isnull=False, status=Rapport.Status.KLAAR)
    return (
        Rapport.objects.filter(
            Q(programma__in=beheerd)
            | (gepubliceerd & Q(programma__in=gevolgd))
            | (gepubliceerd & Q(programma__in=als_partner) & partnerzicht(eigen))
        )
        .select_related("programma", "focusgebied", "project")
        .defer("momentopname")
        .order_by("-gevraagd_op", "-id")
    )


def mag_beheren(gebruiker: Gebruiker, rapport: Rapport) -> bool:
    """Whether the person may publish the report (the programme's office)."""
    return beheerde_programmas(gebruiker).filter(pk=rapport.programma_id).exists()
