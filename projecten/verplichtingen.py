"""Reporting obligations over time: which are overdue, which are fulfilled, and the
reminder e-mails around their deadlines.

The services are keyword-only and write their changes and audit rows in one transaction.
The task entry points at the bottom (``verplichtingen_bijwerken``,
``herinneringen_versturen``) take ids or nothing, are safe to run twice and call the
services; django-q2 runs them through ``programma.wachtrij.uitvoeren``.

Only projects that owe reports are reminded and counted on the dashboard: granted,
running and completed ones (``PLICHTIGE_PROJECTSTATUSSEN``). A concept or submitted
project has no grant yet; a stopped project is settled by the programme office itself.
"""

import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from programma.audit import Actor, momentopname
from programma.models import Auditregel, Rol
from programma.perioden import Periode, parse_periode, perioden_tussen
from projecten.models import (
    Beoordeling,
    Besteding,
    Herinnering,
    Project,
    Rapportageverplichting,
    Voortgangsverslag,
)

logger = logging.getLogger("ontschot.verplichtingen")

PLICHTIGE_PROJECTSTATUSSEN = (
    Project.Status.TOEGEKEND,
    Project.Status.LOPEND,
    Project.Status.AFGEROND,
)

STANDAARD_STAPPEN = "-14,-3,1,7"
STANDAARD_MAX_ACHTERSTAND_DAGEN = 7

_OPEN = Rapportageverplichting.Status.OPEN
_TE_LAAT = Rapportageverplichting.Status.TE_LAAT
_VOLDAAN = Rapportageverplichting.Status.VOLDAAN
_BATCH = 500


def _auditregels(
    actor: Actor, actie: str, wijzigingen: Iterable[tuple[dict[str, Any], Rapportageverplichting]]
) -> None:
    """One audit row per changed obligation, with the values before and after, written in
    batches inside the caller's transaction."""
    Auditregel.objects.bulk_create(
        [
            Auditregel(
                gebruiker=actor.gebruiker,
                namens=actor.namens[:200],
                actie=actie,
                objecttype=obj._meta.label_lower,
                object_id=str(obj.pk),
                omschrijving=str(obj)[:300],
                voor=voor,
                na=momentopname(obj),
            )
            for voor, obj in wijzigingen
        ],
        batch_size=2000,
    )


def _statussen_zetten(
    *, actor: Actor, actie: str, verplichtingen: Sequence[Rapportageverplichting], **velden: Any
) -> int:
    """Set ``velden`` on the given (locked) obligations with one UPDATE per batch, and
    audit each. Never touches an obligation that is already fulfilled."""
    wijzigingen = []
    for verplichting in verplichtingen:
        voor = momentopname(verplichting)
        for naam, waarde in velden.items():
            setattr(verplichting, naam, waarde)
        wijzigingen.append((voor, verplichting))
    ids = [v.pk for v in verplichtingen]
    for i in range(0, len(ids), _BATCH):
        Rapportageverplichting.objects.filter(pk__in=ids[i : i + _BATCH]).exclude(
            status=_VOLDAAN
        ).update(**velden)
    _auditregels(actor, actie, wijzigingen)
    return len(wijzigingen)


# --- overdue -------------------------------------------------------------------------------


@transaction.atomic
def verplichtingen_te_laat_markeren(
    *, actor: Actor, project_ids: Iterable[int] | None = None
) -> int:
    """Every open obligation whose deadline has passed (deadline before today) becomes
    ``te_laat``: a bulk update and one audit row per changed obligation, in one
    transaction. Fulfilled obligations are never touched, and an overdue one only leaves
    ``te_laat`` by being fulfilled. The project's status does not matter here: a passed
    deadline is a fact, as in ``services.verplichtingen_afleiden``. Returns how many
    obligations changed."""
    te_laat = Rapportageverplichting.objects.filter(status=_OPEN, deadline__lt=timezone.localdate())
    if project_ids is not None:
        te_laat = te_laat.filter(project_id__in=list(project_ids))
    return _statussen_zetten(
        actor=actor,
        actie="verplichting_te_laat",
        verplichtingen=list(te_laat.select_for_update().order_by("pk")),
        status=_TE_LAAT,
    )


# --- fulfilled -------------------------------------------------------------------------------


def _perioden_in_jaar(project: Project, jaar: int) -> list[Periode]:
    return [
        p
        for p in perioden_tussen(
            project.startdatum, project.einddatum, project.rapportagefrequentie
        )
        if p.jaar == jaar
    ]


def financieel_voldaan(
    project: Project,
    jaar: int,
    bestedingen: Iterable[tuple[str, str]],
    vandaag: date,
) -> bool:
    """The financial report over ``jaar`` is complete when

    - the project's part of that year is over (its last day in the year lies before today),
    - every reporting period of the project in that year (quarters, half years or the year,
      as the project reports) is covered by at least one approved expenditure over an
      overlapping period: a yearly expenditure covers every quarter; a period without
      costs is declared with an expenditure of € 0.00, and
    - no expenditure over that year is still awaiting review or returned for correction.

    ``bestedingen`` holds (periode, status) of the project's expenditures; any year."""
    if min(project.einddatum, date(jaar, 12, 31)) >= vandaag:
        return False
    goedgekeurd: list[Periode] = []
    for code, status in bestedingen:
        periode = parse_periode(code)
        if periode.jaar != jaar:
            continue
        if status != Beoordeling.GOEDGEKEURD:
            return False
        goedgekeurd.append(periode)
    perioden = _perioden_in_jaar(project, jaar)
    return bool(perioden) and all(
        any(b.start <= p.einde and b.einde >= p.start for b in goedgekeurd) for p in perioden
    )


def laatste_periode(project: Project) -> str:
    """The project's last reporting period: the one its final report is about."""
    return perioden_tussen(project.startdatum, project.einddatum, project.rapportagefrequentie)[
        -1
    ].code


def eind_voldaan(project: Project, goedgekeurde_verslagen: Iterable[str]) -> bool:
    """The final report is in when the project is completed (``afgerond``) and the
    narrative over its last reporting period has been approved."""
    return project.status == Project.Status.AFGEROND and laatste_periode(project) in set(
        goedgekeurde_verslagen
    )


@transaction.atomic
def verplichtingen_voldaan_markeren(
    *, actor: Actor, project_ids: Iterable[int] | None = None
) -> int:
    """Fulfil the financial and final obligations whose rule now holds
    (``financieel_voldaan``, ``eind_voldaan``), whether open or overdue, for projects that
    owe reports. Progress obligations are fulfilled when the narrative is submitted
    (``services.voortgangsverslag_indienen``). A fulfilled obligation stays fulfilled,
    whatever is submitted or approved later. Returns how many obligations changed."""
    vandaag = timezone.localdate()
    kandidaten = Rapportageverplichting.objects.filter(
        # Only years that may be over, and only completed projects' final reports: the
        # rules cannot hold for the others, so they are not locked.
        Q(soort=Rapportageverplichting.Soort.FINANCIEEL, periode__lte=str(vandaag.year))
        | Q(soort=Rapportageverplichting.Soort.EIND, project__status=Project.Status.AFGEROND),
        status__in=[_OPEN, _TE_LAAT],
        project__status__in=PLICHTIGE_PROJECTSTATUSSEN,
    )
    if project_ids is not None:
        kandidaten = kandidaten.filter(project_id__in=list(project_ids))
    verplichtingen = list(
        kandidaten.select_for_update(of=("self",)).select_related("project").order_by("pk")
    )
    if not verplichtingen:
        return 0
    projecten = {v.project_id for v in verplichtingen}
    bestedingen: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for project_id, periode, status in (
        Besteding.objects.filter(project_id__in=projecten)
        .values_list("project_id", "periode", "status")
        .distinct()
    ):
        bestedingen[project_id].append((periode, status))
    verslagen: dict[int, list[str]] = defaultdict(list)
    for project_id, periode in Voortgangsverslag.objects.filter(
        project_id__in=projecten, status=Beoordeling.GOEDGEKEURD
    ).values_list("project_id", "periode"):
        verslagen[project_id].append(periode)

    voldaan = [
        v
        for v in verplichtingen
        if (
            v.soort == Rapportageverplichting.Soort.FINANCIEEL
            and financieel_voldaan(v.project, int(v.periode), bestedingen[v.project_id], vandaag)
        )
        or (
            v.soort == Rapportageverplichting.Soort.EIND
            and eind_voldaan(v.project, verslagen[v.project_id])
        )
    ]
    return _statussen_zetten(
        actor=actor,
        actie="verplichting_voldaan",
        verplichtingen=voldaan,
        status=_VOLDAAN,
        voldaan_op=timezone.now(),
    )


# --- reminders -------------------------------------------------------------------------------


def herinneringsstappen() -> tuple[int, ...]:
    """The reminder steps in days relative to a deadline (negative: before), from the
    setting ``HERINNERING_STAPPEN``: a comma-separated string such as "-14,-3,1,7" or a
    sequence of integers."""
    ruw = getattr(settings, "HERINNERING_STAPPEN", STANDAARD_STAPPEN)
    delen = ruw.split(",") if isinstance(ruw, str) else list(ruw)
    try:
        return tuple(sorted({int(str(deel).strip()) for deel in delen if str(deel).strip()}))
    except ValueError as fout:
        raise ImproperlyConfigured(
            f"HERINNERING_STAPPEN is een lijst gehele getallen zoals '-14,-3,1,7', niet {ruw!r}."
        ) from fout


def max_achterstand_dagen() -> int:
    return int(
        getattr(settings, "HERINNERING_MAX_ACHTERSTAND_DAGEN", STANDAARD_MAX_ACHTERSTAND_DAGEN)
    )


def te_versturen_stap(
    deadline: date, vandaag: date, stappen: Sequence[int], max_achterstand: int
) -> int | None:
    """The one step to remind about today, or None.

    That is the latest step whose day has come (deadline + step ≤ today). Earlier steps
    that were not sent by then are skipped for good: after an outage each obligation gets
    one reminder, not a burst of stale ones. The latest step, too, is skipped when its day
    lies more than ``max_achterstand`` days back (a long outage, or a project registered
    after its deadlines had passed): such obligations are on the manager's dashboard
    instead of in partners' mailboxes."""
    bereikt = [s for s in stappen if deadline + timedelta(days=s) <= vandaag]
    if not bereikt:
        return None
    stap = max(bereikt)
    if (vandaag - (deadline + timedelta(days=stap))).days > max_achterstand:
        return None
    return stap


def ontvangers_per_organisatie(organisaties: dict[int, str]) -> dict[int, list[str]]:
    """Who hears about a lead organisation's obligations: the active users with a partner
    role for it and an e-mail address, and the organisation's own address if it has one.
    ``organisaties`` maps organisation id to that address. Case-insensitive duplicates
    are dropped; the lists are sorted."""
    adressen: dict[int, dict[str, str]] = {org: {} for org in organisaties}
    for org, adres in organisaties.items():
        if adres:
            adressen[org].setdefault(adres.lower(), adres)
    for org, adres in (
        Rol.objects.filter(
            soort=Rol.Soort.PARTNER,
            organisatie_id__in=list(organisaties),
            gebruiker__is_active=True,
        )
        .exclude(gebruiker__email="")
        .values_list("organisatie_id", "gebruiker__email")
    ):
        if org is not None:
            adressen[org].setdefault(adres.lower(), adres)
    return {org: sorted(a.values(), key=str.lower) for org, a in adressen.items()}


def _enkele_regel(tekst: str) -> str:
    return " ".join(tekst.split())


def herinneringsbericht(
    verplichting: Rapportageverplichting, stap: int, ontvangers: Sequence[str], vandaag: date
) -> EmailMultiAlternatives:
    """The reminder e-mail in Dutch, as plain text with an HTML alternative. The wording
    follows the days left (or past) as of ``vandaag``, not the step, so a reminder sent
    late still tells the truth."""
    project = verplichting.project
    dagen = (verplichting.deadline - vandaag).days
    soort = verplichting.get_soort_display()
    context = {
        "verplichting": verplichting,
        "soort": soort,
        "lidwoord": "het" if verplichting.soort == Rapportageverplichting.Soort.EIND else "de",
        "project": project,
        "programma": project.programma,
        "penvoerder": project.penvoerder,
        "stap": stap,
        "dagen_voor": max(dagen, 0),
        "dagen_na": max(-dagen, 0),
        "jaar": verplichting.periode[:4],
        "laatste_periode": laatste_periode(project),
    }
    with translation.override("nl"):
        tekst = render_to_string("email/herinnering.txt", context)
        html = render_to_string("email/herinnering.html", context)
    deadline = f"{verplichting.deadline:%d-%m-%Y}"
    onderwerp = (
        f"Te laat: {soort.lower()} {verplichting.periode} van {project.code} (uiterlijk {deadline})"
        if dagen < 0
        else f"Herinnering: {soort.lower()} {verplichting.periode} van {project.code}, uiterlijk {deadline}"
    )
    bericht = EmailMultiAlternatives(
        subject=_enkele_regel(onderwerp)[:200],
        body=tekst,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(ontvangers),
    )
    bericht.attach_alternative(html, "text/html")
    return bericht


class Uitkomst(Enum):
    VERSTUURD = "verstuurd"
    AL_GECLAIMD = "al_geclaimd"
    GEWEIGERD = "geweigerd"
    SERVER_ONBEREIKBAAR = "server_onbereikbaar"


# Refusals of this one message; anything else from SMTP means the server is not there.
_BERICHT_GEWEIGERD = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
)


def herinnering_versturen(
    *,
    verplichting: Rapportageverplichting,
    stap: int,
    ontvangers: Sequence[str],
    verbinding: BaseEmailBackend,
    vandaag: date,
    bestaand_id: int | None = None,
) -> Uitkomst:
    """Send the reminder for one obligation and step, at most once.

    The step is claimed by inserting its Herinnering row, whose unique constraint lets
    only one run have it; then the mail is sent and ``verstuurd_op`` set. Claim, send and
    mark share one short transaction, so a concurrent run waits for the row (and then
    finds it taken) instead of seeing a claimed-but-unsent row and sending it again. When
    sending fails, the transaction still commits: the row stays with ``verstuurd_op``
    empty, and a later run retries exactly that row (``bestaand_id``), locked the same
    way. Only if the process dies during the send does the claim roll back, and a later
    run may then send the mail a second time: at least once, never twice by design."""
    try:
        with transaction.atomic():
            if bestaand_id is None:
                herinnering = Herinnering.objects.create(
                    verplichting=verplichting, stap=stap, ontvangers="\n".join(ontvangers)
                )
            else:
                gevonden = (
                    Herinnering.objects.select_for_update(skip_locked=True)
                    .filter(pk=bestaand_id, verstuurd_op__isnull=True)
                    .first()
                )
                if gevonden is None:
                    return Uitkomst.AL_GECLAIMD
                herinnering = gevonden
                herinnering.ontvangers = "\n".join(ontvangers)
            bericht = herinneringsbericht(verplichting, stap, ontvangers, vandaag)
            try:
                verbinding.open()
                verzonden = verbinding.send_messages([bericht])
            except _BERICHT_GEWEIGERD:
                logger.warning("Herinnering %s geweigerd door de mailserver.", herinnering)
                uitkomst = Uitkomst.GEWEIGERD
            except (smtplib.SMTPException, OSError):
                logger.warning("Mailserver onbereikbaar bij herinnering %s.", herinnering)
                uitkomst = Uitkomst.SERVER_ONBEREIKBAAR
            else:
                uitkomst = Uitkomst.SERVER_ONBEREIKBAAR if verzonden == 0 else Uitkomst.VERSTUURD
            if uitkomst == Uitkomst.VERSTUURD:
                herinnering.verstuurd_op = timezone.now()
            herinnering.save(update_fields=["ontvangers", "verstuurd_op"])
            return uitkomst
    except IntegrityError:
        return Uitkomst.AL_GECLAIMD


@dataclass
class Verzendverslag:
    verstuurd: int = 0
    mislukt: int = 0
    zonder_ontvangers: int = 0
    afgebroken: bool = False

    def als_dict(self) -> dict[str, int | bool]:
        return {
            "verstuurd": self.verstuurd,
            "mislukt": self.mislukt,
            "zonder_ontvangers": self.zonder_ontvangers,
            "afgebroken": self.afgebroken,
        }


def herinneringen_verzenden() -> Verzendverslag:
    """Send today's reminders: for every obligation that is not fulfilled, of a project
    that owes reports, the step ``te_versturen_stap`` picks, unless it was sent before.
    A row claimed earlier whose send failed is retried while its step is still the one to
    send. When the mail server is unreachable the run stops at once (the rest waits for the
    next run); a message the server refuses is counted and the run goes on."""
    vandaag = timezone.localdate()
    stappen = herinneringsstappen()
    if not stappen:
        return Verzendverslag()
    achterstand = max_achterstand_dagen()
    verplichtingen = list(
        Rapportageverplichting.objects.filter(
            status__in=[_OPEN, _TE_LAAT],
            project__status__in=PLICHTIGE_PROJECTSTATUSSEN,
            deadline__gte=vandaag - timedelta(days=max(stappen) + achterstand),
            deadline__lte=vandaag - timedelta(days=min(stappen)),
        )
        .select_related("project__programma", "project__penvoerder")
        .prefetch_related("herinneringen")
        .order_by("deadline", "pk")
    )
    ontvangers = ontvangers_per_organisatie(
        {v.project.penvoerder_id: v.project.penvoerder.email for v in verplichtingen}
    )
    verslag = Verzendverslag()
    verbinding = get_connection()
    try:
        for verplichting in verplichtingen:
            stap = te_versturen_stap(verplichting.deadline, vandaag, stappen, achterstand)
            if stap is None:
                continue
            bestaand = next((h for h in verplichting.herinneringen.all() if h.stap == stap), None)
            if bestaand is not None and bestaand.verstuurd_op is not None:
                continue
            adressen = ontvangers[verplichting.project.penvoerder_id]
            if not adressen:
                logger.warning("Niemand om te herinneren aan %s.", verplichting)
                verslag.zonder_ontvangers += 1
                continue
            uitkomst = herinnering_versturen(
                verplichting=verplichting,
                stap=stap,
                ontvangers=adressen,
                verbinding=verbinding,
                vandaag=vandaag,
                bestaand_id=bestaand.pk if bestaand is not None else None,
            )
            if uitkomst == Uitkomst.VERSTUURD:
                verslag.verstuurd += 1
            elif uitkomst in (Uitkomst.GEWEIGERD, Uitkomst.SERVER_ONBEREIKBAAR):
                verslag.mislukt += 1
            if uitkomst == Uitkomst.SERVER_ONBEREIKBAAR:
                verslag.afgebroken = True
                break
    finally:
        verbinding.close()
    return verslag


class HerinneringenNietVerstuurd(RuntimeError):
    """Some reminders could not be sent; they are retried by the next run."""


# --- task entry points -----------------------------------------------------------------------


def verplichtingen_bijwerken(project_id: int | None = None) -> dict[str, int]:
    """Task: fulfil what is now fulfilled, then mark what is overdue, in one transaction;
    for one project or (without an id) all. Running it twice changes nothing more."""
    actor = Actor.systeem("taak verplichtingen_bijwerken")
    project_ids = None if project_id is None else [project_id]
    with transaction.atomic():
        voldaan = verplichtingen_voldaan_markeren(actor=actor, project_ids=project_ids)
        te_laat = verplichtingen_te_laat_markeren(actor=actor, project_ids=project_ids)
    return {"voldaan": voldaan, "te_laat": te_laat}


def herinneringen_versturen() -> dict[str, int | bool]:
    """Task: bring statuses up to date (so nobody is reminded of what is already
    fulfilled), then send today's reminders. Raises when some could not be sent, so the
    failure shows on the tasks page and the runner retries; what was sent stays sent."""
    verplichtingen_bijwerken()
    verslag = herinneringen_verzenden()
    if verslag.mislukt:
        raise HerinneringenNietVerstuurd(
            f"{verslag.mislukt} herinnering(en) niet verstuurd"
            f"{' (mailserver onbereikbaar, rest uitgesteld)' if verslag.afgebroken else ''}; "
            f"{verslag.verstuurd} wel. De volgende run probeert het opnieuw."
        )
    return verslag.als_dict()
