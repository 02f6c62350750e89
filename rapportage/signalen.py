"""Early warnings (vroegsignalen) per running project: spending out of step with the time
that has passed, and indicators behind their target.

The judgements are pure functions of figures (``bestedingstempo``, ``indicatortraject``);
``project_signalen_bijwerken`` feeds them from the database and replaces the project's
Signaal rows, and the task ``signalen_berekenen`` does that for every running project.
Signals are derived data, recomputed from scratch each run, so they carry no audit rows.
Thresholds come from settings (``SIGNAAL_*``), read at call time.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from programma.perioden import Periode, parse_periode
from projecten.models import Beoordeling, Besteding, Indicator, Meting, Project, Streefwaarde
from projecten.selectors import begroot_totaal
from rapportage.models import Signaal

HONDERD = Decimal(100)

# Measurements repeat the same few period codes; a Periode is immutable, so share them.
_periode = lru_cache(maxsize=4096)(parse_periode)


@dataclass(frozen=True)
class Bevinding:
    """One warning as computed, before it becomes a Signaal row."""

    soort: str
    ernst: int
    reden: str
    indicator_id: int | None = None


def _procent(deel: Decimal) -> int:
    """A fraction as a whole percentage, rounded half up."""
    return int((deel * HONDERD).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _nl_getal(waarde: Decimal, decimalen: int | None = None) -> str:
    """A number the Dutch way: 12.500,5 (no trailing zeros unless ``decimalen`` is set)."""
    if decimalen is not None:
        waarde = waarde.quantize(Decimal(1).scaleb(-decimalen), rounding=ROUND_HALF_UP)
        tekst = f"{waarde:,.{decimalen}f}"
    else:
        waarde = waarde.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
        tekst = f"{waarde:,f}"
    return tekst.replace(",", "_").replace(".", ",").replace("_", ".")


def euro(bedrag: Decimal) -> str:
    return f"€ {_nl_getal(bedrag, 2)}"


def _drempels(naam: str, standaard: tuple[int, int]) -> tuple[int, int]:
    waarde = getattr(settings, naam, None)
    if waarde is None:
        return standaard
    delen = waarde.split(",") if isinstance(waarde, str) else list(waarde)
    eerste, tweede = (int(str(d).strip()) for d in delen)
    return eerste, tweede


def bestedingstempo_drempels() -> tuple[int, int]:
    """Percentage points between spent and elapsed share for ernst 1 and ernst 2
    (setting ``SIGNAAL_BESTEDINGSTEMPO_DREMPELS``, default "25,40")."""
    return _drempels("SIGNAAL_BESTEDINGSTEMPO_DREMPELS", (25, 40))


def indicator_drempels() -> tuple[int, int]:
    """Percentage of the target below which an indicator is behind, for ernst 1 and
    ernst 2 (setting ``SIGNAAL_INDICATOR_DREMPELS``, default "75,50")."""
    return _drempels("SIGNAAL_INDICATOR_DREMPELS", (75, 50))


# --- spending pace ---------------------------------------------------------------------------


def verstreken_deel(startdatum: date, einddatum: date, vandaag: date) -> Decimal:
    """The share of the project period that has passed, between 0 and 1."""
    looptijd = (einddatum - startdatum).days
    if looptijd <= 0:
        return Decimal(1) if vandaag >= startdatum else Decimal(0)
    verstreken = min(max((vandaag - startdatum).days, 0), looptijd)
    return Decimal(verstreken) / Decimal(looptijd)


def bestedingstempo(
    *,
    besteed: Decimal,
    begroot: Decimal,
    startdatum: date,
    einddatum: date,
    vandaag: date,
    drempels: tuple[int, int] = (25, 40),
) -> Bevinding | None:
    """Compare the share of the current budget spent (approved expenditure) with the
    share of the project period passed, both as whole percentages. A difference of at
    least ``drempels[0]`` points either way (behind or ahead) is a warning, of at least
    ``drempels[1]`` points a serious one. No judgement without a budget or before the
    start."""
    if begroot <= 0 or vandaag < startdatum:
        return None
    besteed_pct = _procent(besteed / begroot)
    tijd_pct = _procent(verstreken_deel(startdatum, einddatum, vandaag))
    verschil = abs(tijd_pct - besteed_pct)
    if verschil < drempels[0]:
        return None
    return Bevinding(
        soort=Signaal.Soort.BESTEDINGSTEMPO,
        ernst=2 if verschil >= drempels[1] else 1,
        reden=(
            f"Besteed {besteed_pct}% van de begroting bij {tijd_pct}% van de looptijd "
            f"({euro(besteed)} van {euro(begroot)})."
        ),
    )


# --- indicator trajectory --------------------------------------------------------------------


@dataclass(frozen=True)
class Streef:
    waarde: Decimal
    toelichting: str = ""


def _maanden(periode: Periode) -> int:
    return (
        (periode.einde.year - periode.start.year) * 12
        + periode.einde.month
        - periode.start.month
        + 1
    )


def streefwaarde_voor(
    periode: Periode,
    streefwaarden: Mapping[str, Decimal],
    *,
    per_periode_opgeteld: bool,
    basis: tuple[date, Decimal] | None = None,
) -> Streef | None:
    """The target that applies to ``periode``.

    1. A target set for exactly that period.
    2. For an indicator counted per period and summed (a flow: households helped per
       quarter), the target of a longer period that contains it, pro rata by months:
       a yearly target of 100 means 25 for a quarter.
    3. For any other indicator (a level: cumulative, last value or mean), the target
       interpolated linearly on the periods' end dates between the nearest targets before
       and after; the baseline (``basis``: date and value) counts as the first point.
       After the last target that target still holds. Before the first point, or
       without any target, there is none."""
    if periode.code in streefwaarden:
        return Streef(streefwaarden[periode.code])
    doelen = sorted((_periode(code), waarde) for code, waarde in streefwaarden.items())
    if per_periode_opgeteld:
        for doelperiode, waarde in doelen:
            if doelperiode.start <= periode.start and periode.einde <= doelperiode.einde:
                return Streef(
                    waarde * _maanden(periode) / _maanden(doelperiode),
                    f"naar rato van {_nl_getal(waarde)} in {doelperiode.code}",
                )
        return None
    if not doelen:
        return None
    punten: list[tuple[date, Decimal, str]] = [(p.einde, w, p.code) for p, w in doelen]
    if basis is not None:
        punten.append((basis[0], basis[1], ""))
    punten.sort()
    peildatum = periode.einde
    ervoor = [punt for punt in punten if punt[0] <= peildatum]
    erna = [punt for punt in punten if punt[0] > peildatum]
    if not ervoor:
        return None
    d0, w0, code0 = ervoor[-1]
    if not erna:
        return Streef(w0, f"gesteld voor {code0}" if code0 else "de basiswaarde")
    d1, w1, _ = erna[0]
    waarde = w0 + (w1 - w0) * Decimal((peildatum - d0).days) / Decimal((d1 - d0).days)
    return Streef(waarde, "geïnterpoleerd")


def indicatortraject(
    *,
    indicator_id: int,
    naam: str,
    lager_is_beter: bool,
    per_periode_opgeteld: bool,
    metingen: Iterable[tuple[str, Decimal]],
    streefwaarden: Mapping[str, Decimal],
    basis: tuple[date, Decimal] | None = None,
    drempels: tuple[int, int] = (75, 50),
) -> Bevinding | None:
    """Judge the latest approved measurement (the one whose period ends last) against the
    target for its period (``streefwaarde_voor``). Realisation is value ÷ target, or
    target ÷ value when lower is better, as a whole percentage; below ``drempels[0]`` is
    a warning, below ``drempels[1]`` a serious one. No judgement without a measurement or
    a target, with a target of zero when higher is better (anything meets it), or with
    a value of zero when lower is better (nothing can beat it)."""
    gemeten = [(_periode(code), waarde) for code, waarde in metingen]
    if not gemeten:
        return None
    periode, waarde = max(gemeten, key=lambda pw: (pw[0].einde, pw[0].start))
    streef = streefwaarde_voor(
        periode, streefwaarden, per_periode_opgeteld=per_periode_opgeteld, basis=basis
    )
    if streef is None or streef.waarde < 0 or waarde < 0:
        return None
    if lager_is_beter:
        if waarde == 0:
            return None
        gehaald = _procent(streef.waarde / waarde)
    else:
        if streef.waarde == 0:
            return None
        gehaald = _procent(waarde / streef.waarde)
    if gehaald >= drempels[0]:
        return None
    toelichting = f", {streef.toelichting}" if streef.toelichting else ""
    reden = (
        f"{naam}: {_nl_getal(waarde)} in {periode.code} bij een streefwaarde van "
        f"{'hoogstens ' if lager_is_beter else ''}{_nl_getal(streef.waarde)}{toelichting}; "
        f"{gehaald}% van de streefwaarde gehaald."
    )
    if len(reden) > 400:
        reden = reden[:399] + "…"
    return Bevinding(
        soort=Signaal.Soort.INDICATOR_ACHTER,
        ernst=2 if gehaald < drempels[1] else 1,
        reden=reden,
        indicator_id=indicator_id,
    )


# --- from the database -----------------------------------------------------------------------


def project_bevindingen(project: Project, vandaag: date) -> list[Bevinding]:
    """All warnings for ``project`` as of ``vandaag``, from approved data only."""
    besteed = Besteding.objects.filter(project=project, status=Beoordeling.GOEDGEKEURD).aggregate(
        s=Sum("bedrag")
    )["s"] or Decimal("0")
    bevindingen: list[Bevinding] = []
    tempo = bestedingstempo(
        # SQLite sums decimals as floating point: bring the total back to exact cents.
        besteed=besteed.quantize(Decimal("0.01")),
        begroot=begroot_totaal(project),
        startdatum=project.startdatum,
        einddatum=project.einddatum,
        vandaag=vandaag,
        drempels=bestedingstempo_drempels(),
    )
    if tempo is not None:
        bevindingen.append(tempo)

    indicatoren = list(
        Indicator.objects.filter(doel__project=project)
        .only("id", "naam", "richting", "cumulatief", "aggregatie", "basiswaarde")
        .order_by("pk")
    )
    ids = [indicator.pk for indicator in indicatoren]
    # Selected by indicator only, and the review status checked here: given the status
    # too, SQLite picks the status index and walks every approved measurement there is.
    metingen: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for indicator_id, periode, waarde, status in Meting.objects.filter(
        indicator_id__in=ids
    ).values_list("indicator_id", "periode", "waarde", "status"):
        if status == Beoordeling.GOEDGEKEURD:
            metingen[indicator_id].append((periode, waarde))
    streefwaarden: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for indicator_id, periode, waarde in Streefwaarde.objects.filter(
        indicator_id__in=ids
    ).values_list("indicator_id", "periode", "waarde"):
        streefwaarden[indicator_id][periode] = waarde
    drempels = indicator_drempels()
    for indicator in indicatoren:
        bevinding = indicatortraject(
            indicator_id=indicator.pk,
            naam=indicator.naam,
            lager_is_beter=indicator.richting == Indicator.Richting.LAGER,
            per_periode_opgeteld=(
                not indicator.cumulatief and indicator.aggregatie == Indicator.Aggregatie.SOM
            ),
            metingen=metingen[indicator.pk],
            streefwaarden=streefwaarden[indicator.pk],
            basis=(
                (project.startdatum, indicator.basiswaarde)
                if indicator.basiswaarde is not None
                else None
            ),
            drempels=drempels,
        )
        if bevinding is not None:
            bevindingen.append(bevinding)
    return bevindingen


@dataclass
class Signaalwijzigingen:
    nieuw: int = 0
    gewijzigd: int = 0
    verwijderd: int = 0

    def tel(self, ander: "Signaalwijzigingen") -> None:
        self.nieuw += ander.nieuw
        self.gewijzigd += ander.gewijzigd
        self.verwijderd += ander.verwijderd


@transaction.atomic
def signalen_vervangen(*, project: Project, bevindingen: Iterable[Bevinding]) -> Signaalwijzigingen:
    """Make ``bevindingen`` the project's signals, in one transaction: stale ones are
    deleted, changed ones updated in place, new ones inserted; an unchanged signal is
    left alone, so its ``berekend_op`` says since when it has stood as it is. The project
    row is locked first, so two runs for one project take turns."""
    Project.objects.select_for_update().filter(pk=project.pk).values_list("pk").first()
    gewenst = {(b.indicator_id, b.soort): b for b in bevindingen}
    bestaand = {(s.indicator_id, s.soort): s for s in Signaal.objects.filter(project=project)}
    wijzigingen = Signaalwijzigingen()
    weg = [s.pk for sleutel, s in bestaand.items() if sleutel not in gewenst]
    if weg:
        wijzigingen.verwijderd, _ = Signaal.objects.filter(pk__in=weg).delete()
    nieuw = []
    for sleutel, bevinding in gewenst.items():
        signaal = bestaand.get(sleutel)
        if signaal is None:
            nieuw.append(
                Signaal(
                    project=project,
                    indicator_id=bevinding.indicator_id,
                    soort=bevinding.soort,
                    reden=bevinding.reden,
                    ernst=bevinding.ernst,
                )
            )
        elif (signaal.reden, signaal.ernst) != (bevinding.reden, bevinding.ernst):
            signaal.reden, signaal.ernst = bevinding.reden, bevinding.ernst
            signaal.save(update_fields=["reden", "ernst", "berekend_op"])
            wijzigingen.gewijzigd += 1
    Signaal.objects.bulk_create(nieuw)
    wijzigingen.nieuw = len(nieuw)
    return wijzigingen


def project_signalen_bijwerken(*, project: Project) -> Signaalwijzigingen:
    """Recompute the signals of one project as of today. A project that is not running
    keeps none."""
    if project.status != Project.Status.LOPEND:
        return signalen_vervangen(project=project, bevindingen=[])
    return signalen_vervangen(
        project=project, bevindingen=project_bevindingen(project, timezone.localdate())
    )


# --- task entry point ------------------------------------------------------------------------


def signalen_berekenen(project_id: int | None = None) -> dict[str, int]:
    """Task: recompute the signals of one project or (without an id) of every running
    project, and drop those of projects that no longer run. Safe to run twice: the second
    run finds nothing to change."""
    totaal = Signaalwijzigingen()
    if project_id is None:
        verwijderd, _ = Signaal.objects.exclude(project__status=Project.Status.LOPEND).delete()
        totaal.verwijderd += verwijderd
        projecten = Project.objects.filter(status=Project.Status.LOPEND).order_by("pk")
    else:
        projecten = Project.objects.filter(pk=project_id)
    for project in list(projecten):
        totaal.tel(project_signalen_bijwerken(project=project))
    return {"nieuw": totaal.nieuw, "gewijzigd": totaal.gewijzigd, "verwijderd": totaal.verwijderd}
