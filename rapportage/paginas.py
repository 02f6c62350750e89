"""What the programme dashboard and the project page show, as snapshot tables
(:mod:`programma.tabellen`) with their charts.

Both pages cost a fixed number of queries whatever the size of the portfolio: money is
summed in the database per (project, theme, year) and the rest is reshaped here, so no
query runs per project, grant or indicator. Money stays Decimal and every total is the
exact sum of the rows above it; a grant of a project in several focus areas is split in
equal parts over them, to the cent (as in the yearly report), so the focus areas add up
to the programme.

Definitions, the same on every page and in every download:

- budget: the theme's budget envelope of the year plus what was carried over into it;
- granted (verleend): grants with status verleend or vastgesteld, in the year of the
  grant decision (the project's start year when the decision has no date);
- paid (betaald): tranches paid, in the year of payment;
- spent (besteed): approved expenditures, in the year of their period. An expenditure
  counts for the theme of the grant it is booked on, else under "Zonder thema".
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.functions import Cast, Coalesce, ExtractYear, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from programma.models import Auditregel, Budgetenvelop, Focusgebied, Programma, Thema
from programma.opmaak import cel
from programma.tabellen import Kolom, bedrag, getal, procent, tabel
from projecten.models import (
    Beoordeling,
    Beschikking,
    Besteding,
    Indicator,
    Meting,
    Project,
    Projectpartner,
    Rapportageverplichting,
    Streefwaarde,
    Tranche,
    Voortgangsverslag,
)
from projecten.selectors import geldende_begroting
from rapportage import dashboard as dashboardselectors
from rapportage.grafieken import staafdiagram, voortgangsbalk
from rapportage.models import Indicatorstand
from rapportage.momentopname import TOEGEKEND, verdeel

NUL = Decimal("0.00")
CENT = Decimal("0.01")
ZICHTBARE_RIJEN = 50
AUDIT_OP_PAGINA = 50
AUDIT_IN_DOWNLOAD = 1000
GELDVELDEN = ("verleend", "betaald", "besteed")

Tabel = dict[str, Any]


# --- showing a snapshot table on a page --------------------------------------------------


@dataclass(frozen=True)
class Weergave:
    """A snapshot table as a page shows it: formatted cells, numeric columns right
    aligned, the first cell of a row optionally a link, at most ``getoond`` rows."""

    naam: str
    titel: str
    toelichting: str
    kolommen: list[dict[str, Any]]
    rijen: list[dict[str, Any]]
    totaal: list[dict[str, Any]] | None
    aantal: int

    @property
    def afgekapt(self) -> bool:
        return self.aantal > len(self.rijen)


def weergave(
    t: Tabel, *, koppelingen: Sequence[str | None] | None = None, getoond: int | None = None
) -> Weergave:
    soorten = [k["soort"] for k in t["kolommen"]]
    getallen = [s in ("bedrag", "getal", "procent") for s in soorten]
    kolommen = [
        {"titel": k["titel"], "getal": g} for k, g in zip(t["kolommen"], getallen, strict=True)
    ]

    def cellen(rij: Sequence[Any]) -> list[dict[str, Any]]:
        return [
            {"tekst": cel(w, s), "getal": g} for w, s, g in zip(rij, soorten, getallen, strict=True)
        ]

    rijen = t["rijen"][:getoond] if getoond is not None else t["rijen"]
    return Weergave(
        naam=t["naam"],
        titel=t["titel"],
        toelichting=t["toelichting"],
        kolommen=kolommen,
        rijen=[
            {
                "cellen": cellen(rij),
                "link": koppelingen[i] if koppelingen else None,
            }
            for i, rij in enumerate(rijen)
        ],
        totaal=cellen(t["totaal"]) if t["totaal"] is not None else None,
        aantal=len(t["rijen"]),
    )


# --- the programme dashboard -------------------------------------------------------------


def _c(waarde: Decimal | None) -> Decimal:
    return (waarde or NUL).quantize(CENT)


@dataclass
class _Geld:
    """Sums per (project, theme, year) of granted, paid and spent money."""

    rijen: dict[tuple[int, int | None, int], dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(GELDVELDEN, NUL))
    )

    def tel(
        self, veld: str, sleutels: Iterable[tuple[int, int | None, int | str, Decimal]]
    ) -> None:
        for project_id, thema_id, jaar, som in sleutels:
            self.rijen[(project_id, thema_id, int(jaar))][veld] += _c(som)


def _geld(programma: Programma) -> _Geld:
    geld = _Geld()
    geld.tel(
        "verleend",
        Beschikking.objects.filter(project__programma=programma, status__in=TOEGEKEND)
        .annotate(jaar=ExtractYear(Coalesce("datum", "project__startdatum")))
        .values("project_id", "thema_id", "jaar")
        .annotate(s=Sum("bedrag"))
        .order_by()
        .values_list("project_id", "thema_id", "jaar", "s"),
    )
    geld.tel(
        "betaald",
        Tranche.objects.filter(
            beschikking__project__programma=programma, status=Tranche.Status.BETAALD
        )
        .annotate(jaar=ExtractYear("betaald_op"))
        .values("beschikking__project_id", "beschikking__thema_id", "jaar")
        .annotate(s=Sum("bedrag"))
        .order_by()
        .values_list("beschikking__project_id", "beschikking__thema_id", "jaar", "s"),
    )
    geld.tel(
        "besteed",
        Besteding.objects.filter(project__programma=programma, status=Beoordeling.GOEDGEKEURD)
        .annotate(jaar=Cast(Substr("periode", 1, 4), IntegerField()))
        .values("project_id", "beschikking__thema_id", "jaar")
        .annotate(s=Sum("bedrag"))
        .order_by()
        .values_list("project_id", "beschikking__thema_id", "jaar", "s"),
    )
    return geld


GELDKOLOMMEN = [
    Kolom("verleend", "Verleend", "bedrag"),
    Kolom("betaald", "Betaald", "bedrag"),
    Kolom("besteed", "Besteed", "bedrag"),
]


def _totaalrij(rijen: Sequence[Sequence[Any]], eerste: int, breedte: int) -> list[Any]:
    """'Totaal' and the exact sum of every money column from column ``eerste`` on."""
    return [
        _("Totaal"),
        *([""] * (eerste - 1)),
        *(
            bedrag(sum((Decimal(r[i]) for r in rijen if r[i] is not None), NUL))
            for i in range(eerste, breedte)
        ),
    ]


@dataclass(frozen=True)
class Geldtabellen:
    per_jaar: Tabel
    per_thema: Tabel
    per_focusgebied: Tabel


def geldtabellen(programma: Programma) -> Geldtabellen:
    """Budget, granted, paid and spent per year, per theme and per focus area. Seven
    queries."""
    geld = _geld(programma)
    themas = dict(Thema.objects.filter(programma=programma).values_list("id", "naam"))
    enveloppen: dict[tuple[int, int], Decimal] = defaultdict(lambda: NUL)
    for jaar, envelopthema, b, over in Budgetenvelop.objects.filter(
        programma=programma
    ).values_list("jaar", "thema_id", "bedrag", "overheveling_in"):
        enveloppen[(jaar, envelopthema)] += _c(b) + _c(over)

    per_jaar: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(GELDVELDEN, NUL))
    per_thema: dict[int | None, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(GELDVELDEN, NUL)
    )
    per_project: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(GELDVELDEN, NUL))
    for (project_id, thema_id, jaar), bedragen in geld.rijen.items():
        for veld, w in bedragen.items():
            per_jaar[jaar][veld] += w
            per_thema[thema_id][veld] += w
            per_project[project_id][veld] += w
    budget_jaar: dict[int, Decimal] = defaultdict(lambda: NUL)
    budget_thema: dict[int, Decimal] = defaultdict(lambda: NUL)
    for (jaar, thema_id), w in enveloppen.items():
        budget_jaar[jaar] += w
        budget_thema[thema_id] += w

    jaren = sorted(set(per_jaar) | set(budget_jaar))
    rijen_jaar = [
        [
            str(jaar),
            bedrag(budget_jaar.get(jaar, NUL)),
            *(bedrag(per_jaar[jaar][v]) if jaar in per_jaar else bedrag(NUL) for v in GELDVELDEN),
        ]
        for jaar in jaren
    ]
    tabel_jaar = tabel(
        "geld_per_jaar",
        _("Budget en geldstromen per jaar"),
        [Kolom("jaar", _("Jaar")), Kolom("budget", _("Budget"), "bedrag"), *GELDKOLOMMEN],
        rijen_jaar,
        _totaalrij(rijen_jaar, 1, 5),
        toelichting=_(
            "Budget: de budgetenveloppen van het jaar met wat uit het vorige jaar is "
            "overgeheveld. Verleend: beschikkingen in het jaar van het besluit. Betaald: "
            "tranches in het jaar van betaling. Besteed: goedgekeurde bestedingen."
        ),
    )

    volgorde = sorted(themas, key=lambda i: themas[i].lower())
    if None in per_thema:
        volgorde.append(None)  # type: ignore[arg-type]
    rijen_thema = [
        [
            themas.get(thema_id, _("Zonder thema")) if thema_id else _("Zonder thema"),
            bedrag(budget_thema.get(thema_id, NUL)) if thema_id else None,
            *(
                bedrag(per_thema[thema_id][v]) if thema_id in per_thema else bedrag(NUL)
                for v in GELDVELDEN
            ),
        ]
        for thema_id in volgorde
    ]
    tabel_thema = tabel(
        "geld_per_thema",
        _("Budget en geldstromen per thema"),
        [Kolom("thema", _("Thema")), Kolom("budget", _("Budget"), "bedrag"), *GELDKOLOMMEN],
        rijen_thema,
        _totaalrij(rijen_thema, 1, 5),
        toelichting=_("Alle jaren van het programma samen."),
    )
    return Geldtabellen(tabel_jaar, tabel_thema, _per_focusgebied(programma, per_project))


def _per_focusgebied(programma: Programma, per_project: dict[int, dict[str, Decimal]]) -> Tabel:
    gebieden = {
        pk: f"{naam} ({gemeente})"
        for pk, naam, gemeente in Focusgebied.objects.filter(programma=programma).values_list(
            "id", "naam", "gemeente"
        )
    }
    koppeling: dict[int, list[int]] = defaultdict(list)
    for project_id, gebied_id in (
        Project.focusgebieden.through.objects.filter(project__programma=programma)
        .order_by("project_id", "focusgebied_id")
        .values_list("project_id", "focusgebied_id")
    ):
        koppeling[project_id].append(gebied_id)
    zonder = _("Zonder focusgebied")
    per_gebied: dict[str, dict[str, Decimal]] = {
        naam: dict.fromkeys(GELDVELDEN, NUL) for naam in gebieden.values()
    }
    for project_id, bedragen in per_project.items():
        namen = [gebieden[g] for g in koppeling.get(project_id, [])] or [zonder]
        for veld, w in bedragen.items():
            for naam, deel in zip(namen, verdeel(w, len(namen)), strict=True):
                per_gebied.setdefault(naam, dict.fromkeys(GELDVELDEN, NUL))[veld] += deel
    namen = sorted((n for n in per_gebied if n != zonder), key=str.lower)
    if zonder in per_gebied:
        namen.append(zonder)
    rijen = [[naam, *(bedrag(per_gebied[naam][v]) for v in GELDVELDEN)] for naam in namen]
    return tabel(
        "geld_per_focusgebied",
        _("Geldstromen per focusgebied"),
        [Kolom("focusgebied", _("Focusgebied")), *GELDKOLOMMEN],
        rijen,
        _totaalrij(rijen, 1, 4),
        toelichting=_(
            "Alle jaren samen. Geld van een project in meer focusgebieden is in gelijke "
            "delen over die gebieden verdeeld, tot op de cent. Budgetenveloppen horen bij "
            "thema's, niet bij focusgebieden."
        ),
    )


def indicatortabel(programma: Programma) -> Tabel:
    """Per year how many project and programme indicators are on and off track, from the
    aggregated year stands. One query."""
    tellingen: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for niveau, periode, op, af, onbekend in (
        Indicatorstand.objects.filter(
            programma=programma,
            niveau__in=[Indicatorstand.Niveau.PROJECT, Indicatorstand.Niveau.PROGRAMMA],
        )
        # Year rows, named by their codes so the (programma, niveau, periode) index
        # finds them without reading the many sub-year rows.
        .filter(periode__in=[str(j) for j in range(programma.startjaar, programma.eindjaar + 1)])
        .values("niveau", "periode")
        .annotate(
            op=Count("pk", filter=Q(op_koers=True)),
            af=Count("pk", filter=Q(op_koers=False)),
            onbekend=Count("pk", filter=Q(op_koers__isnull=True)),
        )
        .order_by()
        .values_list("niveau", "periode", "op", "af", "onbekend")
    ):
        t = tellingen[int(periode)]
        t[f"{niveau}_op"], t[f"{niveau}_af"], t[f"{niveau}_onbekend"] = op, af, onbekend
    velden = [f"{n}_{s}" for n in ("project", "programma") for s in ("op", "af", "onbekend")]
    return tabel(
        "indicatoren_op_koers",
        _("Indicatoren op en niet op koers per jaar"),
        [
            Kolom("jaar", _("Jaar"), "jaar"),
            Kolom("project_op", _("Projectindicatoren op koers"), "getal"),
            Kolom("project_af", _("Projectindicatoren niet op koers"), "getal"),
            Kolom("project_onbekend", _("Projectindicatoren zonder oordeel"), "getal"),
            Kolom("programma_op", _("Programma-indicatoren op koers"), "getal"),
            Kolom("programma_af", _("Programma-indicatoren niet op koers"), "getal"),
            Kolom("programma_onbekend", _("Programma-indicatoren zonder oordeel"), "getal"),
        ],
        [[jaar, *(str(tellingen[jaar].get(v, 0)) for v in velden)] for jaar in sorted(tellingen)],
        toelichting=_(
            "Op koers: de realisatie van het jaar ligt binnen 10% van de streefwaarde. "
            "Zonder oordeel: er is (nog) geen streefwaarde voor het jaar."
        ),
    )


def signaaltabel(gesignaleerd: Sequence[dashboardselectors.GesignaleerdProject]) -> Tabel:
    return tabel(
        "vroegsignalen",
        _("Projecten met een vroegsignaal"),
        [
            Kolom("code", _("Project")),
            Kolom("titel", _("Titel")),
            Kolom("penvoerder", _("Penvoerder")),
            Kolom("ernst", _("Ernst")),
            Kolom("redenen", _("Redenen")),
        ],
        [
            [
                p.project_code,
                p.project_titel,
                p.penvoerder,
                _("ingrijpen") if p.ernst >= 2 else _("let op"),
                " · ".join(s.reden for s in p.signalen),
            ]
            for p in gesignaleerd
        ],
    )


def achterstandtabel(
    achterstallig: Sequence[dashboardselectors.AchterstalligeVerplichting],
) -> Tabel:
    return tabel(
        "achterstallige_verplichtingen",
        _("Achterstallige rapportageverplichtingen"),
        [
            Kolom("code", _("Project")),
            Kolom("titel", _("Titel")),
            Kolom("soort", _("Soort")),
            Kolom("periode", _("Periode")),
            Kolom("deadline", _("Uiterste datum"), "datum"),
            Kolom("dagen", _("Dagen te laat"), "getal"),
            Kolom("penvoerder", _("Penvoerder")),
        ],
        [
            [
                v.project_code,
                v.project_titel,
                v.soort_label,
                v.periode,
                v.deadline.isoformat(),
                str(v.dagen_te_laat),
                v.penvoerder,
            ]
            for v in achterstallig
        ],
        toelichting=_("Langst achterstallig eerst."),
    )


def _getallen(t: Tabel, kolom: str) -> list[Decimal | None]:
    i = [k["naam"] for k in t["kolommen"]].index(kolom)
    return [None if r[i] is None else Decimal(r[i]) for r in t["rijen"]]


@dataclass(frozen=True)
class Programmadashboard:
    programma: Programma
    geld: Geldtabellen
    indicatoren: Tabel
    per_status: dashboardselectors.Statustelling
    gesignaleerd: list[dashboardselectors.GesignaleerdProject]
    achterstallig: list[dashboardselectors.AchterstalligeVerplichting]
    signalen: Tabel
    achterstand: Tabel

    def tabellen(self) -> list[Tabel]:
        return [
            self.geld.per_jaar,
            self.geld.per_thema,
            self.geld.per_focusgebied,
            self.indicatoren,
            self.signalen,
            self.achterstand,
        ]

    def grafieken(self) -> dict[str, str]:
        """The charts beside the tables, as accessible inline SVG."""
        jaar, thema = self.geld.per_jaar, self.geld.per_thema
        reeksen = [
            (_("Budget"), "budget"),
            (_("Verleend"), "verleend"),
            (_("Betaald"), "betaald"),
            (_("Besteed"), "besteed"),
        ]
        laatste = self.indicatoren["rijen"][-1] if self.indicatoren["rijen"] else None
        op = Decimal(laatste[1]) if laatste else NUL
        af = Decimal(laatste[2]) if laatste else NUL
        soorten: dict[str, list[int]] = {}
        for p in self.gesignaleerd:
            for s in p.signalen:
                soorten.setdefault(s.soort_label, [0, 0])[1 if s.ernst >= 2 else 0] += 1
        return {
            "geld_per_jaar": staafdiagram(
                id="grafiek-geld-per-jaar",
                titel=str(jaar["titel"]),
                categorieen=[str(r[0]) for r in jaar["rijen"]],
                reeksen=[(n, _getallen(jaar, k)) for n, k in reeksen],
                toon_titel=False,
            ),
            "geld_per_thema": staafdiagram(
                id="grafiek-geld-per-thema",
                titel=str(thema["titel"]),
                categorieen=[str(r[0]) for r in thema["rijen"]],
                reeksen=[(n, _getallen(thema, k)) for n, k in reeksen],
                toon_titel=False,
            ),
            "geld_per_focusgebied": staafdiagram(
                id="grafiek-geld-per-focusgebied",
                titel=str(self.geld.per_focusgebied["titel"]),
                categorieen=[str(r[0]) for r in self.geld.per_focusgebied["rijen"]],
                reeksen=[(n, _getallen(self.geld.per_focusgebied, k)) for n, k in reeksen[1:]],
                toon_titel=False,
            ),
            "indicatoren": staafdiagram(
                id="grafiek-indicatoren",
                titel=_("Projectindicatoren op en niet op koers per jaar"),
                categorieen=[str(r[0]) for r in self.indicatoren["rijen"]],
                reeksen=[
                    (_("Op koers"), _getallen(self.indicatoren, "project_op")),
                    (_("Niet op koers"), _getallen(self.indicatoren, "project_af")),
                ],
                eenheid=_("indicatoren"),
                toon_titel=False,
            ),
            "indicatoren_balk": voortgangsbalk(
                id="grafiek-indicatoren-balk",
                titel=_("Projectindicatoren op koers in %(jaar)s")
                % {"jaar": laatste[0] if laatste else "—"},
                deel=op,
                geheel=op + af,
                beschrijving=_("Deel van de beoordeelde projectindicatoren dat op koers ligt."),
            ),
            "signalen": staafdiagram(
                id="grafiek-signalen",
                titel=_("Vroegsignalen per soort en ernst"),
                categorieen=list(soorten),
                reeksen=[
                    (_("Let op"), [Decimal(v[0]) for v in soorten.values()]),
                    (_("Ingrijpen"), [Decimal(v[1]) for v in soorten.values()]),
                ],
                eenheid=_("signalen"),
                toon_titel=False,
            ),
            "verplichtingen": staafdiagram(
                id="grafiek-verplichtingen",
                titel=_("Rapportageverplichtingen naar status"),
                categorieen=[_("Open"), _("Te laat"), _("Voldaan")],
                reeksen=[
                    (
                        _("Verplichtingen"),
                        [
                            Decimal(self.per_status.open),
                            Decimal(self.per_status.te_laat),
                            Decimal(self.per_status.voldaan),
                        ],
                    )
                ],
                eenheid=_("verplichtingen"),
                toon_titel=False,
            ),
        }


def programmadashboard(programma: Programma) -> Programmadashboard:
    """Everything the dashboard of ``programma`` shows. The caller has checked that the
    user may read it (``dashboard.dashboard_programmas``). About a dozen queries, however
    many projects the programme has."""
    programmas = Programma.objects.filter(pk=programma.pk)
    gesignaleerd = dashboardselectors._gesignaleerd(programmas, programma)
    achterstallig = dashboardselectors._achterstallig(programmas, programma)
    return Programmadashboard(
        programma=programma,
        geld=geldtabellen(programma),
        indicatoren=indicatortabel(programma),
        per_status=dashboardselectors._per_status(programmas, programma),
        gesignaleerd=gesignaleerd,
        achterstallig=achterstallig,
        signalen=signaaltabel(gesignaleerd),
        achterstand=achterstandtabel(achterstallig),
    )


# --- the project page --------------------------------------------------------------------


def _te_laat(status: str, deadline: date, vandaag: date) -> bool:
    return status == Rapportageverplichting.Status.TE_LAAT or (
        status == Rapportageverplichting.Status.OPEN and deadline < vandaag
    )


@dataclass(frozen=True)
class Projectpagina:
    project: Project
    partners: Tabel
    doelen: list[dict[str, Any]]
    indicatoren: Tabel
    beschikkingen: Tabel
    tranches: Tabel
    begroting: Tabel
    verplichtingen: Tabel
    tijdlijn: Tabel
    audit: Callable[[int], Tabel]

    def tabellen(self) -> list[Tabel]:
        return [
            self.partners,
            self.indicatoren,
            self.beschikkingen,
            self.tranches,
            self.begroting,
            self.verplichtingen,
            self.tijdlijn,
        ]

    def downloads(self) -> list[Tabel]:
        """The tables as downloaded: the audit trail with its last
        ``AUDIT_IN_DOWNLOAD`` rows."""
        return [*self.tabellen(), self.audit(AUDIT_IN_DOWNLOAD)]

    def begrotingsgrafiek(self) -> str:
        t = self.begroting
        return staafdiagram(
            id="grafiek-begroting",
            titel=str(t["titel"]),
            categorieen=[str(r[0]) for r in t["rijen"]],
            reeksen=[
                (_("Begroot"), _getallen(t, "begroot")),
                (_("Besteed"), _getallen(t, "besteed")),
            ],
            toon_titel=False,
        )


def _partners(project: Project) -> Tabel:
    return tabel(
        "partners",
        _("Partners en hun rol"),
        [
            Kolom("organisatie", _("Organisatie")),
            Kolom("soort", _("Soort")),
            Kolom("rol", _("Rol")),
        ],
        [
            [p.organisatie.naam, p.organisatie.get_soort_display(), p.get_rol_display()]
            for p in Projectpartner.objects.filter(project=project)
            .select_related("organisatie")
            .order_by("organisatie__naam")
        ],
    )


def _indicatoren(project: Project) -> tuple[list[dict[str, Any]], Tabel]:
    """The goals with their indicators, and per indicator and period the target against
    the realisation: the aggregated stand, or the approved measurement while the
    aggregation has not run yet."""
    indicatoren = list(
        Indicator.objects.filter(doel__project=project)
        .select_related("doel")
        .order_by("doel_id", "id")
    )
    doelen: dict[int, dict[str, Any]] = {}
    for i in indicatoren:
        doelen.setdefault(i.doel_id, {"doel": i.doel, "indicatoren": []})["indicatoren"].append(i)
    for doel in project.doelen.exclude(pk__in=list(doelen)).order_by("id"):
        doelen[doel.pk] = {"doel": doel, "indicatoren": []}
    ids = [i.pk for i in indicatoren]
    streef = {
        (i, p): w
        for i, p, w in Streefwaarde.objects.filter(indicator_id__in=ids).values_list(
            "indicator_id", "periode", "waarde"
        )
    }
    standen = {
        (s.indicator_id, s.periode): s
        for s in Indicatorstand.objects.filter(
            niveau=Indicatorstand.Niveau.PROJECT, indicator_id__in=ids
        ).only("indicator_id", "periode", "waarde", "percentage_streefwaarde", "op_koers")
    }
    metingen = {
        (i, p): w
        for i, p, w in Meting.objects.filter(
            indicator_id__in=ids, status=Beoordeling.GOEDGEKEURD
        ).values_list("indicator_id", "periode", "waarde")
    }
    rijen = []
    for i in indicatoren:
        perioden = sorted(
            {p for (ind, p) in (*streef, *standen, *metingen) if ind == i.pk},
            key=lambda p: (p[:4], len(p) != 4, p),
        )
        for periode in perioden:
            stand = standen.get((i.pk, periode))
            waarde = stand.waarde if stand else metingen.get((i.pk, periode))
            rijen.append(
                [
                    i.doel.titel,
                    i.naam,
                    i.get_eenheid_display(),
                    periode,
                    getal(streef.get((i.pk, periode))),
                    getal(waarde),
                    procent(stand.percentage_streefwaarde) if stand else None,
                    stand.op_koers if stand else None,
                ]
            )
    t = tabel(
        "indicatoren",
        _("Streefwaarden en realisatie per periode"),
        [
            Kolom("doel", _("Doel")),
            Kolom("indicator", _("Indicator")),
            Kolom("eenheid", _("Eenheid")),
            Kolom("periode", _("Periode")),
            Kolom("streefwaarde", _("Streefwaarde"), "getal"),
            Kolom("realisatie", _("Realisatie"), "getal"),
            Kolom("percentage", _("% van streefwaarde"), "procent"),
            Kolom("op_koers", _("Op koers"), "ja_nee"),
        ],
        rijen,
        toelichting=_(
            "Realisatie: goedgekeurde metingen; een jaar telt de perioden van dat jaar op "
            "volgens de regel van de indicator."
        ),
    )
    return list(doelen.values()), t


def _beschikkingen(project: Project) -> tuple[Tabel, Tabel]:
    beschikkingen = list(
        Beschikking.objects.filter(project=project)
        .select_related("financier", "thema")
        .order_by("kenmerk")
    )
    rijen = [
        [
            b.kenmerk,
            b.financier.naam,
            b.regeling,
            b.thema.naam if b.thema else "",
            b.get_status_display(),
            b.datum.isoformat() if b.datum else None,
            bedrag(b.bedrag),
            bedrag(b.bedrag_vastgesteld),
        ]
        for b in beschikkingen
    ]
    t_beschikkingen = tabel(
        "beschikkingen",
        _("Beschikkingen"),
        [
            Kolom("kenmerk", _("Kenmerk")),
            Kolom("financier", _("Financier")),
            Kolom("regeling", _("Regeling")),
            Kolom("thema", _("Thema")),
            Kolom("status", _("Status")),
            Kolom("datum", _("Datum"), "datum"),
            Kolom("bedrag", _("Bedrag"), "bedrag"),
            Kolom("vastgesteld", _("Vastgesteld"), "bedrag"),
        ],
        rijen,
        ["Totaal", "", "", "", "", None, bedrag(sum((_c(b.bedrag) for b in beschikkingen), NUL)),
         bedrag(sum((_c(b.bedrag_vastgesteld) for b in beschikkingen), NUL))],
    )  # fmt: skip
    tranches = [
        [
            t.beschikking.kenmerk,
            str(t.volgnummer),
            t.geplande_datum.isoformat(),
            bedrag(t.bedrag),
            t.get_voorwaarde_display()
            + (f" ({t.voorwaarde_periode})" if t.voorwaarde_periode else ""),
            t.get_status_display(),
            timezone.localdate(t.vrijgegeven_op).isoformat() if t.vrijgegeven_op else None,
            t.betaald_op.isoformat() if t.betaald_op else None,
        ]
        for t in Tranche.objects.filter(beschikking__project=project)
        .select_related("beschikking")
        .order_by("beschikking__kenmerk", "volgnummer")
    ]
    t_tranches = tabel(
        "tranches",
        _("Tranches"),
        [
            Kolom("beschikking", _("Beschikking")),
            Kolom("volgnummer", _("Nr."), "getal"),
            Kolom("gepland", _("Gepland"), "datum"),
            Kolom("bedrag", _("Bedrag"), "bedrag"),
            Kolom("voorwaarde", _("Voorwaarde")),
            Kolom("status", _("Status")),
            Kolom("vrijgegeven", _("Vrijgegeven op"), "datum"),
            Kolom("betaald", _("Betaald op"), "datum"),
        ],
        tranches,
        ["Totaal", None, None, bedrag(sum((Decimal(str(r[3])) for r in tranches), NUL)), "", "", None,
         None],
    )  # fmt: skip
    return t_beschikkingen, t_tranches


def _begroting(project: Project) -> Tabel:
    begroot: dict[int, Decimal] = defaultdict(lambda: NUL)
    for jaar, b in geldende_begroting(project).values_list("jaar", "bedrag"):
        begroot[jaar] += _c(b)
    besteed: dict[int, Decimal] = defaultdict(lambda: NUL)
    for jaar, s in (
        Besteding.objects.filter(project=project, status=Beoordeling.GOEDGEKEURD)
        .annotate(jaar=Cast(Substr("periode", 1, 4), IntegerField()))
        .values("jaar")
        .annotate(s=Sum("bedrag"))
        .order_by()
        .values_list("jaar", "s")
    ):
        besteed[jaar] += _c(s)
    rijen = [
        [
            str(jaar),
            bedrag(begroot[jaar]),
            bedrag(besteed[jaar]),
            bedrag(begroot[jaar] - besteed[jaar]),
        ]
        for jaar in sorted(set(begroot) | set(besteed))
    ]
    return tabel(
        "begroting",
        _("Begroting en besteding per jaar"),
        [
            Kolom("jaar", _("Jaar")),
            Kolom("begroot", _("Begroot"), "bedrag"),
            Kolom("besteed", _("Besteed"), "bedrag"),
            Kolom("verschil", _("Nog niet besteed"), "bedrag"),
        ],
        rijen,
        _totaalrij(rijen, 1, 4),
        toelichting=_(
            "Begroot: de geldende versie van de begroting. Besteed: goedgekeurde bestedingen."
        ),
    )


def _verplichtingen(project: Project) -> Tabel:
    vandaag = timezone.localdate()
    labels = dict(Rapportageverplichting.Status.choices)
    return tabel(
        "verplichtingen",
        _("Rapportageverplichtingen"),
        [
            Kolom("soort", _("Soort")),
            Kolom("periode", _("Periode")),
            Kolom("deadline", _("Uiterste datum"), "datum"),
            Kolom("status", _("Status")),
            Kolom("voldaan", _("Voldaan op"), "datum"),
        ],
        [
            [
                v.get_soort_display(),
                v.periode,
                v.deadline.isoformat(),
                str(labels[Rapportageverplichting.Status.TE_LAAT])
                if _te_laat(v.status, v.deadline, vandaag)
                else v.get_status_display(),
                timezone.localdate(v.voldaan_op).isoformat() if v.voldaan_op else None,
            ]
            for v in Rapportageverplichting.objects.filter(project=project).order_by(
                "deadline", "soort"
            )
        ],
    )


def _tijdlijn(project: Project) -> Tabel:
    """Submissions and reviews of measurements, expenditures and progress reports, newest
    first. Three queries."""
    gebeurtenissen: list[tuple[datetime, str, str, str, str, str]] = []
    labels = dict(Beoordeling.choices)
    bronnen: list[tuple[str, Any, Callable[[dict[str, Any]], str]]] = [
        (
            _("Meting"),
            Meting.objects.filter(indicator__doel__project=project).annotate(
                onderwerp_naam=F("indicator__naam")
            ),
            lambda r: f"{r['onderwerp_naam']} {r['periode']}",
        ),
        (
            _("Besteding"),
            Besteding.objects.filter(project=project),
            lambda r: f"{r['periode']} {r['kostensoort']} € {r['bedrag']}",
        ),
        (
            _("Voortgangsverslag"),
            Voortgangsverslag.objects.filter(project=project),
            lambda r: str(r["periode"]),
        ),
    ]
    velden = [
        "periode",
        "status",
        "ingediend_op",
        "ingediend_door__username",
        "ingediend_door_organisatie__naam",
        "beoordeeld_op",
        "beoordeeld_door__username",
        "beoordeling_toelichting",
    ]
    for soort, qs, onderwerp in bronnen:
        extra = (
            ["onderwerp_naam"]
            if soort == _("Meting")
            else ["kostensoort", "bedrag"]
            if soort == _("Besteding")
            else []
        )
        for r in qs.values(*velden, *extra):
            wie = r["ingediend_door_organisatie__naam"] or r["ingediend_door__username"] or ""
            gebeurtenissen.append(
                (r["ingediend_op"], soort, onderwerp(r), str(_("Ingediend")), wie, "")
            )
            if r["beoordeeld_op"] is not None:
                gebeurtenissen.append(
                    (
                        r["beoordeeld_op"],
                        soort,
                        onderwerp(r),
                        str(labels.get(r["status"], r["status"])),
                        r["beoordeeld_door__username"] or "",
                        r["beoordeling_toelichting"],
                    )
                )
    gebeurtenissen.sort(key=lambda g: g[0], reverse=True)
    return tabel(
        "tijdlijn",
        _("Inzendingen en beoordelingen"),
        [
            Kolom("moment", _("Moment")),
            Kolom("soort", _("Soort")),
            Kolom("onderwerp", _("Onderwerp")),
            Kolom("gebeurtenis", _("Gebeurtenis")),
            Kolom("door", _("Door")),
            Kolom("toelichting", _("Toelichting beoordelaar")),
        ],
        [
            [f"{timezone.localtime(m):%d-%m-%Y %H:%M}", s, o, g, d, t]
            for m, s, o, g, d, t in gebeurtenissen
        ],
        toelichting=_("Nieuwste eerst."),
    )


def _audit(project: Project, aantal: int) -> Tabel:
    """The audit trail of the project and everything under it, newest first, at most
    ``aantal`` rows. One query."""

    def ids(qs: Any) -> Any:
        return qs.annotate(
            tekst=Cast("pk", output_field=Auditregel._meta.get_field("object_id"))
        ).values("tekst")

    kinderen = {
        "projecten.projectpartner": Projectpartner.objects.filter(project=project),
        "projecten.doel": project.doelen.all(),
        "projecten.indicator": Indicator.objects.filter(doel__project=project),
        "projecten.streefwaarde": Streefwaarde.objects.filter(indicator__doel__project=project),
        "projecten.meting": Meting.objects.filter(indicator__doel__project=project),
        "projecten.beschikking": Beschikking.objects.filter(project=project),
        "projecten.tranche": Tranche.objects.filter(beschikking__project=project),
        "projecten.besteding": Besteding.objects.filter(project=project),
        "projecten.voortgangsverslag": Voortgangsverslag.objects.filter(project=project),
        "projecten.begrotingsregel": project.begrotingsregels.all(),
        "projecten.rapportageverplichting": project.verplichtingen.all(),
    }
    filter_ = Q(objecttype="projecten.project", object_id=str(project.pk))
    for objecttype, qs in kinderen.items():
        filter_ |= Q(objecttype=objecttype, object_id__in=ids(qs))
    regels = (
        Auditregel.objects.filter(filter_)
        .order_by("-tijdstip", "-id")
        .values_list(
            "tijdstip", "gebruiker__username", "namens", "actie", "objecttype", "omschrijving"
        )[:aantal]
    )
    return tabel(
        "audit",
        _("Wijzigingsgeschiedenis"),
        [
            Kolom("tijdstip", _("Tijdstip")),
            Kolom("wie", _("Door")),
            Kolom("actie", _("Actie")),
            Kolom("object", _("Object")),
            Kolom("omschrijving", _("Omschrijving")),
        ],
        [
            [
                f"{timezone.localtime(t):%d-%m-%Y %H:%M}",
                wie or namens or "",
                actie,
                objecttype.partition(".")[2],
                omschrijving,
            ]
            for t, wie, namens, actie, objecttype, omschrijving in regels
        ],
        toelichting=_("Nieuwste eerst; de download bevat de laatste %(n)d regels.")
        % {"n": AUDIT_IN_DOWNLOAD},
    )


def projectpagina(project: Project) -> Projectpagina:
    """Everything the project page shows. A fixed number of queries (about fifteen),
    whatever the number of indicators, grants and submissions."""
    doelen, indicatoren = _indicatoren(project)
    beschikkingen, tranches = _beschikkingen(project)
    return Projectpagina(
        project=project,
        partners=_partners(project),
        doelen=doelen,
        indicatoren=indicatoren,
        beschikkingen=beschikkingen,
        tranches=tranches,
        begroting=_begroting(project),
        verplichtingen=_verplichtingen(project),
        tijdlijn=_tijdlijn(project),
        audit=lambda n: _audit(project, n),
    )
