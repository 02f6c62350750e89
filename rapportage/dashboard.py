"""What the programme manager's dashboard shows: overdue reporting obligations, how the
obligations stand, and the projects with early warnings.

Every selector is scoped to the user: programme managers and ministry staff see the
programmes they have a role in, administrators all; partners see none, since the
dashboard lists other organisations' obligations. Each selector costs a fixed number of
queries, however many projects a programme has.

An obligation counts as overdue when it is marked ``te_laat`` or is still ``open`` with
its deadline passed: the dashboard is right even before the nightly task has run. Only
projects that owe reports count (``PLICHTIGE_PROJECTSTATUSSEN``).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from programma.models import Programma, Rol
from programma.selectors import Gebruiker, is_beheerder
from projecten.models import Project, Rapportageverplichting
from projecten.verplichtingen import PLICHTIGE_PROJECTSTATUSSEN
from rapportage.models import Signaal

_STATUS = Rapportageverplichting.Status


def dashboard_programmas(gebruiker: Gebruiker) -> QuerySet[Programma]:
    """Programmes whose dashboard the user may read: as programme manager or ministry
    staff of the programme, or as administrator."""
    if not gebruiker.is_authenticated:
        return Programma.objects.none()
    if is_beheerder(gebruiker):
        return Programma.objects.all()
    return Programma.objects.filter(
        pk__in=Rol.objects.filter(
            gebruiker=gebruiker, soort__in=[Rol.Soort.PROGRAMMAMANAGER, Rol.Soort.MINISTERIE]
        ).values("programma_id")
    )


def _te_laat(vandaag: date) -> Q:
    return Q(status=_STATUS.TE_LAAT) | Q(status=_STATUS.OPEN, deadline__lt=vandaag)


def _verplichtingen(
    programmas: QuerySet[Programma], programma: Programma | None = None
) -> QuerySet[Rapportageverplichting]:
    verplichtingen = Rapportageverplichting.objects.filter(
        project__programma__in=programmas, project__status__in=PLICHTIGE_PROJECTSTATUSSEN
    )
    if programma is not None:
        verplichtingen = verplichtingen.filter(project__programma=programma)
    return verplichtingen


@dataclass(frozen=True)
class AchterstalligeVerplichting:
    verplichting_id: int
    project_id: int
    project_code: str
    project_titel: str
    soort: str
    soort_label: str
    periode: str
    deadline: date
    dagen_te_laat: int
    penvoerder: str


def achterstallige_verplichtingen(
    gebruiker: Gebruiker, programma: Programma
) -> list[AchterstalligeVerplichting]:
    """The programme's overdue obligations, longest overdue first: project, kind, period,
    deadline, days overdue and lead organisation."""
    return _achterstallig(dashboard_programmas(gebruiker), programma)


def _achterstallig(
    programmas: QuerySet[Programma], programma: Programma
) -> list[AchterstalligeVerplichting]:
    vandaag = timezone.localdate()
    rijen = (
        _verplichtingen(programmas, programma)
        .filter(_te_laat(vandaag))
        .order_by("deadline", "project__code", "soort", "periode")
        .values_list(
            "pk",
            "project_id",
            "project__code",
            "project__titel",
            "soort",
            "periode",
            "deadline",
            "project__penvoerder__naam",
        )
    )
    labels = dict(Rapportageverplichting.Soort.choices)
    return [
        AchterstalligeVerplichting(
            verplichting_id=pk,
            project_id=project_id,
            project_code=code,
            project_titel=titel,
            soort=soort,
            soort_label=labels[soort],
            periode=periode,
            deadline=deadline,
            dagen_te_laat=(vandaag - deadline).days,
            penvoerder=penvoerder,
        )
        for pk, project_id, code, titel, soort, periode, deadline, penvoerder in rijen
    ]


@dataclass(frozen=True)
class Statustelling:
    open: int = 0
    te_laat: int = 0
    voldaan: int = 0

    @property
    def totaal(self) -> int:
        return self.open + self.te_laat + self.voldaan


def verplichtingen_per_status(gebruiker: Gebruiker, programma: Programma) -> Statustelling:
    """How many of the programme's obligations are open (deadline still ahead), overdue
    and fulfilled."""
    return _per_status(dashboard_programmas(gebruiker), programma)


def _per_status(programmas: QuerySet[Programma], programma: Programma) -> Statustelling:
    vandaag = timezone.localdate()
    telling = _verplichtingen(programmas, programma).aggregate(
        open=Count("pk", filter=Q(status=_STATUS.OPEN, deadline__gte=vandaag)),
        te_laat=Count("pk", filter=_te_laat(vandaag)),
        voldaan=Count("pk", filter=Q(status=_STATUS.VOLDAAN)),
    )
    return Statustelling(**telling)


def achterstand_per_programma(gebruiker: Gebruiker) -> list[tuple[Programma, int]]:
    """Every programme the user may read, with its number of overdue obligations."""
    vandaag = timezone.localdate()
    te_laat = Q(projecten__status__in=PLICHTIGE_PROJECTSTATUSSEN) & (
        Q(projecten__verplichtingen__status=_STATUS.TE_LAAT)
        | Q(
            projecten__verplichtingen__status=_STATUS.OPEN,
            projecten__verplichtingen__deadline__lt=vandaag,
        )
    )
    programmas = (
        dashboard_programmas(gebruiker)
        .annotate(te_laat=Count("projecten__verplichtingen", filter=te_laat))
        .order_by("code")
    )
    return [(p, p.te_laat) for p in programmas]


@dataclass(frozen=True)
class Signaalregel:
    soort: str
    soort_label: str
    reden: str
    ernst: int
    indicator: str | None
    berekend_op: datetime


@dataclass(frozen=True)
class GesignaleerdProject:
    project_id: int
    project_code: str
    project_titel: str
    penvoerder: str
    ernst: int
    signalen: list[Signaalregel] = field(default_factory=list)


def gesignaleerde_projecten(
    gebruiker: Gebruiker, programma: Programma
) -> list[GesignaleerdProject]:
    """The programme's projects with early warnings and their reasons, most serious
    first (then by project code); within a project, the most serious reason first."""
    return _gesignaleerd(dashboard_programmas(gebruiker), programma)


def _gesignaleerd(
    programmas: QuerySet[Programma], programma: Programma
) -> list[GesignaleerdProject]:
    signalen = (
        Signaal.objects.filter(
            project__programma__in=programmas,
            project__programma=programma,
            project__status=Project.Status.LOPEND,
        )
        .select_related("project__penvoerder", "indicator")
        .order_by("project_id", "-ernst", "soort", "indicator_id")
    )
    projecten: dict[int, GesignaleerdProject] = {}
    for signaal in signalen:
        project = signaal.project
        if project.pk not in projecten:
            projecten[project.pk] = GesignaleerdProject(
                project_id=project.pk,
                project_code=project.code,
                project_titel=project.titel,
                penvoerder=project.penvoerder.naam,
                ernst=signaal.ernst,
            )
        projecten[project.pk].signalen.append(
            Signaalregel(
                soort=signaal.soort,
                soort_label=signaal.get_soort_display(),
                reden=signaal.reden,
                ernst=signaal.ernst,
                indicator=signaal.indicator.naam if signaal.indicator else None,
                berekend_op=signaal.berekend_op,
            )
        )
    return sorted(projecten.values(), key=lambda p: (-p.ernst, p.project_code))


@dataclass(frozen=True)
class Dashboard:
    programma: Programma
    per_status: Statustelling
    achterstallig: list[AchterstalligeVerplichting]
    gesignaleerd: list[GesignaleerdProject]


def dashboard(gebruiker: Gebruiker, programma: Programma) -> Dashboard:
    """Everything the dashboard of ``programma`` shows; empty for a user who may not
    read it. At most five queries."""
    programmas = dashboard_programmas(gebruiker)
    if not programmas.filter(pk=programma.pk).exists():
        return Dashboard(programma, Statustelling(), [], [])
    return Dashboard(
        programma=programma,
        per_status=_per_status(programmas, programma),
        achterstallig=_achterstallig(programmas, programma),
        gesignaleerd=_gesignaleerd(programmas, programma),
    )
