"""Freezing a report's data: the snapshot a report is rendered from.

A snapshot is a plain JSON document (see :mod:`programma.tabellen` for the form of its
tables) that holds every figure and text a report shows. It is made once, stored with
the report (``Rapport.momentopname``) and never read from the database again: the PDF,
the exports and the attachments are all rendered from it, so data changed afterwards
never changes a generated report.

Money is summed per grant in the database (Decimal, quantized to the cent) and totalled
here over those rows as Decimal, so every total equals the database's own total to the
cent. Grant amounts are attributed to focus areas in equal parts of a grant's project's
areas, cent-exact by the largest-remainder rule (the first areas in code order take the
odd cents), so the focus-area table also adds up to the grant table.

Which grants count: those granted or settled (``verleend``, ``vastgesteld``); requested
and withdrawn grants are no commitment and are left out. Received means tranches paid on
or before 31 December of the year; spent means approved expenditures whose period lies
in the year (or up to and including it, cumulatively). Carried over to the next year is
what was received and not yet spent (negative when a partner pre-financed). A grant is
in its final account when it has been settled, or its intervention ended in the year.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Length
from django.utils import timezone

from programma.models import (
    Budgetenvelop,
    Focusgebied,
    Programma,
    Programmaindicator,
    Programmastreefwaarde,
)
from programma.tabellen import CENT, Kolom, bedrag, getal, procent, tabel
from projecten.models import (
    Begrotingsregel,
    Beoordeling,
    Beschikking,
    Besteding,
    Doel,
    Indicator,
    Meting,
    Project,
    Projectpartner,
    Rapportageverplichting,
    Streefwaarde,
    Tranche,
    Voortgangsverslag,
)
from rapportage.models import Contextcijfer, Indicatorstand, Signaal

SCHEMA = 1
NUL = Decimal("0.00")
TOEGEKEND = [Beschikking.Status.VERLEEND, Beschikking.Status.VASTGESTELD]
CBS_ATTRIBUTIE = (
    "Bron: CBS, Kerncijfers wijken en buurten (CC BY 4.0); "
    "Leefbaarometer 3.0, ministerie van BZK (CC BY 4.0)."
)
FINANCIELE_KOLOMMEN = [
    Kolom("verleend", "Verleend", "bedrag"),
    Kolom("ontvangen", "Ontvangen (betaalde tranches)", "bedrag"),
    Kolom("besteed_jaar", "Besteed in het jaar", "bedrag"),
    Kolom("besteed_cumulatief", "Besteed cumulatief", "bedrag"),
    Kolom("overloop", "Overloop naar volgend jaar", "bedrag"),
]


def gegevenshash(momentopname: dict[str, Any]) -> str:
    """SHA-256 of the snapshot in canonical JSON (sorted keys, no spaces), without its own
    hash field: the fingerprint printed on the cover."""
    inhoud = {k: v for k, v in momentopname.items() if k != "gegevenshash"}
    tekst = json.dumps(inhoud, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(tekst.encode()).hexdigest()


def verdeel(bedrag_: Decimal, delen: int) -> list[Decimal]:
    """``bedrag_`` in ``delen`` parts that add up to it exactly: equal to the cent, the
    odd cents to the first parts."""
    if delen < 1:
        raise ValueError("Verdelen over minstens één deel.")
    teken = -1 if bedrag_ < 0 else 1
    centen = int((abs(bedrag_) / CENT).to_integral_value())
    basis, rest = divmod(centen, delen)
    return [teken * Decimal(basis + (1 if i < rest else 0)) * CENT for i in range(delen)]


def _som(qs: QuerySet[Any], sleutel: str, veld: str = "bedrag") -> dict[int, Decimal]:
    """Per ``sleutel`` the database's sum of ``veld``, as exact cents."""
    return {
        k: (s or NUL).quantize(CENT)
        for k, s in qs.order_by().values(sleutel).annotate(s=Sum(veld)).values_list(sleutel, "s")
    }


def _tekst(*delen: str) -> str:
    return " · ".join(d for d in delen if d)


class Bouwer:
    """Builds the tables of one report for the projects in its scope, year ``jaar``."""

    def __init__(
        self,
        *,
        programma: Programma,
        jaar: int,
        projecten: QuerySet[Project],
        focusgebied: Focusgebied | None = None,
    ) -> None:
        self.programma = programma
        self.jaar = jaar
        self.eind = date(jaar, 12, 31)
        self.focusgebied = focusgebied
        self.projecten = list(
            projecten.select_related("penvoerder")
            .prefetch_related("focusgebieden", "themas")
            .order_by("code")
        )
        self.ids = [p.pk for p in self.projecten]
        self.project = {p.pk: p for p in self.projecten}

    # --- scope ---------------------------------------------------------------------------

    def interventies(self) -> dict[str, Any]:
        partners: dict[int, list[str]] = defaultdict(list)
        for project_id, naam, rol in (
            Projectpartner.objects.filter(project_id__in=self.ids)
            .order_by("project_id", "organisatie__naam")
            .values_list("project_id", "organisatie__naam", "rol")
        ):
            partners[project_id].append(f"{naam} ({rol})")
        doelen: dict[int, list[str]] = defaultdict(list)
        for project_id, titel in (
            Doel.objects.filter(project_id__in=self.ids)
            .order_by("project_id", "id")
            .values_list("project_id", "titel")
        ):
            doelen[project_id].append(titel)
        rijen = [
            [
                p.code,
                p.titel,
                p.get_status_display(),
                p.startdatum.isoformat(),
                p.einddatum.isoformat(),
                p.penvoerder.naam,
                "; ".join(partners[p.pk]),
                "; ".join(f.naam for f in sorted(p.focusgebieden.all(), key=lambda f: f.code)),
                "; ".join(t.naam for t in sorted(p.themas.all(), key=lambda t: t.code)),
                " | ".join(doelen[p.pk]),
                p.omschrijving,
            ]
            for p in self.projecten
        ]
        return tabel(
            "interventies",
            "Interventies",
            [
                Kolom("code", "Code"),
                Kolom("titel", "Interventie"),
                Kolom("status", "Status"),
                Kolom("start", "Start", "datum"),
                Kolom("einde", "Einde", "datum"),
                Kolom("penvoerder", "Penvoerder"),
                Kolom("partners", "Partners"),
                Kolom("focusgebieden", "Focusgebieden"),
                Kolom("themas", "Thema's"),
                Kolom("doelen", "Doelen"),
                Kolom("omschrijving", "Omschrijving"),
            ],
            rijen,
        )

    # --- money ---------------------------------------------------------------------------

    def beschikkingen(self) -> list[Beschikking]:
        return list(
            Beschikking.objects.filter(project_id__in=self.ids, status__in=TOEGEKEND)
            .select_related("project", "financier", "thema")
            .order_by("project__code", "kenmerk")
        )

    def geldstromen(self, beschikkingen: Sequence[Beschikking]) -> dict[int, dict[str, Decimal]]:
        """Per grant: granted, received, spent in the year, spent cumulatively, carried over."""
        ids = [b.pk for b in beschikkingen]
        goedgekeurd = Besteding.objects.filter(
            beschikking_id__in=ids, status=Beoordeling.GOEDGEKEURD
        )
        ontvangen = _som(
            Tranche.objects.filter(
                beschikking_id__in=ids, status=Tranche.Status.BETAALD, betaald_op__lte=self.eind
            ),
            "beschikking_id",
        )
        in_jaar = _som(goedgekeurd.filter(periode__startswith=str(self.jaar)), "beschikking_id")
        cumulatief = _som(goedgekeurd.filter(periode__lt=str(self.jaar + 1)), "beschikking_id")
        stromen = {}
        for b in beschikkingen:
            o, c = ontvangen.get(b.pk, NUL), cumulatief.get(b.pk, NUL)
            stromen[b.pk] = {
                "verleend": Decimal(b.bedrag).quantize(CENT),
                "ontvangen": o,
                "besteed_jaar": in_jaar.get(b.pk, NUL),
                "besteed_cumulatief": c,
                "overloop": o - c,
            }
        return stromen

    def eindverantwoording(self, b: Beschikking) -> bool:
        return b.status == Beschikking.Status.VASTGESTELD or b.project.einddatum <= self.eind

    def financien(self) -> list[dict[str, Any]]:
        beschikkingen = self.beschikkingen()
        stromen = self.geldstromen(beschikkingen)
        velden = [k.naam for k in FINANCIELE_KOLOMMEN]

        # In an area report each grant counts for the area's share (cent-exact split).
        def bedragen(b: Beschikking) -> list[Decimal]:
            if self.focusgebied is None:
                return [stromen[b.pk][v] for v in velden]
            gebieden = sorted(self.project[b.project_id].focusgebieden.all(), key=lambda f: f.code)
            plek = [f.pk for f in gebieden].index(self.focusgebied.pk)
            return [verdeel(stromen[b.pk][v], len(gebieden))[plek] for v in velden]

        per_beschikking = []
        totaal = [NUL] * len(velden)
        per_thema: dict[str, list[Decimal]] = {}
        for b in beschikkingen:
            waarden = bedragen(b)
            totaal = [t + w for t, w in zip(totaal, waarden, strict=True)]
            thema = b.thema.naam if b.thema else "Zonder thema"
            per_thema[thema] = [
                t + w
                for t, w in zip(per_thema.get(thema, [NUL] * len(velden)), waarden, strict=True)
            ]
            per_beschikking.append(
                [
                    b.kenmerk,
                    b.project.code,
                    b.regeling,
                    b.financier.naam,
                    self.project[b.project_id].penvoerder.naam,
                    ", ".join(
                        sorted(
                            {f.gemeentecode for f in self.project[b.project_id].focusgebieden.all()}
                        )
                    ),
                    thema,
                    b.get_status_display(),
                    *(bedrag(w) for w in waarden),
                    self.eindverantwoording(b),
                ]
            )
        tabellen = [
            tabel(
                "financien_beschikkingen",
                "Financiële verantwoording per beschikking",
                [
                    Kolom("kenmerk", "Beschikking"),
                    Kolom("interventie", "Interventie"),
                    Kolom("regeling", "Regeling"),
                    Kolom("financier", "Financier"),
                    Kolom("ontvanger", "Ontvanger (penvoerder)"),
                    Kolom("gemeentecode", "Gemeentecode"),
                    Kolom("thema", "Thema"),
                    Kolom("status", "Status"),
                    *FINANCIELE_KOLOMMEN,
                    Kolom("eindverantwoording", "Eindverantwoording", "ja_nee"),
                ],
                per_beschikking,
                ["Totaal", "", "", "", "", "", "", "", *(bedrag(t) for t in totaal), None],
                toelichting=(
                    "Verleende en vastgestelde beschikkingen. Ontvangen: tranches betaald tot en "
                    f"met 31 december {self.jaar}. Besteed: goedgekeurde bestedingen. Overloop: "
                    "ontvangen en nog niet besteed."
                    + (
                        " Een beschikking van een interventie in meer focusgebieden telt hier "
                        "voor het deel van dit gebied (gelijke delen, tot op de cent)."
                        if self.focusgebied is not None
                        else ""
                    )
                ),
            )
        ]
        enveloppen = {
            e.thema.naam: Decimal(e.bedrag + e.overheveling_in).quantize(CENT)
            for e in Budgetenvelop.objects.filter(
                programma=self.programma, jaar=self.jaar
            ).select_related("thema")
        }
        if self.focusgebied is None:
            namen = sorted(set(per_thema) | set(enveloppen))
            envelop_totaal = sum(enveloppen.values(), NUL)
            tabellen.append(
                tabel(
                    "financien_themas",
                    "Financiën per thema",
                    [
                        Kolom("thema", "Thema"),
                        Kolom("budget", f"Budget {self.jaar}", "bedrag"),
                        *FINANCIELE_KOLOMMEN,
                    ],
                    [
                        [
                            naam,
                            bedrag(enveloppen.get(naam)),
                            *(bedrag(w) for w in per_thema.get(naam, [NUL] * len(velden))),
                        ]
                        for naam in namen
                    ],
                    ["Totaal", bedrag(envelop_totaal), *(bedrag(t) for t in totaal)],
                    toelichting="Budget: de budgetenveloppe van het thema voor het jaar, "
                    "met wat uit het vorige jaar is overgeheveld.",
                )
            )
            tabellen.append(self._per_focusgebied(beschikkingen, stromen, velden))
        return tabellen

    def _per_focusgebied(
        self,
        beschikkingen: Sequence[Beschikking],
        stromen: dict[int, dict[str, Decimal]],
        velden: list[str],
    ) -> dict[str, Any]:
        per_gebied: dict[str, list[Decimal]] = {}
        for b in beschikkingen:
            gebieden = sorted(self.project[b.project_id].focusgebieden.all(), key=lambda f: f.code)
            namen = [f"{f.naam} ({f.gemeente})" for f in gebieden] or ["Zonder focusgebied"]
            delen = {v: verdeel(stromen[b.pk][v], len(namen)) for v in velden}
            for i, naam in enumerate(namen):
                per_gebied[naam] = [
                    t + delen[v][i]
                    for t, v in zip(per_gebied.get(naam, [NUL] * len(velden)), velden, strict=True)
                ]
        totaal = [sum((r[i] for r in per_gebied.values()), NUL) for i in range(len(velden))]
        return tabel(
            "financien_focusgebieden",
            "Financiën per focusgebied",
            [Kolom("focusgebied", "Focusgebied"), *FINANCIELE_KOLOMMEN],
            [[naam, *(bedrag(w) for w in per_gebied[naam])] for naam in sorted(per_gebied)],
            ["Totaal", *(bedrag(t) for t in totaal)],
            toelichting="Een beschikking van een interventie in meer focusgebieden is in gelijke "
            "delen over die gebieden verdeeld, tot op de cent.",
        )

    def tranches(self) -> dict[str, Any]:
        rijen = [
            [
                kenmerk,
                volgnummer,
                bedrag(b),
                gepland.isoformat(),
                Tranche.Status(status).label,
                betaald.isoformat() if betaald else None,
                reden,
            ]
            for kenmerk, volgnummer, b, gepland, status, betaald, reden in Tranche.objects.filter(
                beschikking__project_id__in=self.ids, beschikking__status__in=TOEGEKEND
            )
            .order_by("beschikking__kenmerk", "volgnummer")
            .values_list(
                "beschikking__kenmerk",
                "volgnummer",
                "bedrag",
                "geplande_datum",
                "status",
                "betaald_op",
                "vrijgave_reden",
            )
            if gepland.year == self.jaar or (betaald is not None and betaald.year == self.jaar)
        ]
        return tabel(
            "tranches",
            f"Tranches in {self.jaar}",
            [
                Kolom("beschikking", "Beschikking"),
                Kolom("volgnummer", "Tranche", "jaar"),
                Kolom("bedrag", "Bedrag", "bedrag"),
                Kolom("gepland", "Gepland", "datum"),
                Kolom("status", "Status"),
                Kolom("betaald", "Betaald op", "datum"),
                Kolom("reden", "Vrijgegeven omdat"),
            ],
            rijen,
            toelichting="Tranches die in het jaar gepland stonden of zijn betaald.",
        )

    def begroting(self) -> dict[str, Any]:
        laatste = (
            Begrotingsregel.objects.filter(
                project=OuterRef("project"),
                jaar=OuterRef("jaar"),
                kostensoort=OuterRef("kostensoort"),
            )
            .order_by("-versie")
            .values("versie")[:1]
        )
        begroot = _som(
            Begrotingsregel.objects.filter(project_id__in=self.ids, jaar=self.jaar).filter(
                versie=Subquery(laatste)
            ),
            "project_id",
        )
        besteed = _som(
            Besteding.objects.filter(
                project_id__in=self.ids,
                status=Beoordeling.GOEDGEKEURD,
                periode__startswith=str(self.jaar),
            ),
            "project_id",
        )
        rijen, t_begroot, t_besteed = [], NUL, NUL
        for p in self.projecten:
            b, s = begroot.get(p.pk, NUL), besteed.get(p.pk, NUL)
            t_begroot, t_besteed = t_begroot + b, t_besteed + s
            rijen.append(
                [p.code, p.titel, bedrag(b), bedrag(s), bedrag(b - s), procent(_deel(s, b))]
            )
        return tabel(
            "begroting_interventies",
            f"Begroting en realisatie {self.jaar} per interventie",
            [
                Kolom("code", "Code"),
                Kolom("interventie", "Interventie"),
                Kolom("begroot", "Begroot", "bedrag"),
                Kolom("besteed", "Besteed", "bedrag"),
                Kolom("verschil", "Verschil", "bedrag"),
                Kolom("procent", "Besteed van begroot", "procent"),
            ],
            rijen,
            [
                "Totaal",
                "",
                bedrag(t_begroot),
                bedrag(t_besteed),
                bedrag(t_begroot - t_besteed),
                procent(_deel(t_besteed, t_begroot)),
            ],
            toelichting="Begroot: de geldende (laatste) versie van de begroting. Besteed: "
            "goedgekeurde bestedingen, ook die niet aan een beschikking gekoppeld zijn.",
        )

    # --- results -------------------------------------------------------------------------

    def programma_indicatoren(self) -> dict[str, Any]:
        """Per programme indicator and year up to ``jaar``: target and realisation, at
        programme level, or at the report's focus area."""
        indicatoren = list(
            Programmaindicator.objects.filter(programma=self.programma).order_by("code")
        )
        standen = Indicatorstand.objects.filter(
            programma=self.programma, programma_indicator__in=indicatoren
        ).alias(lengte=Length("periode"))
        if self.focusgebied is None:
            standen = standen.filter(niveau=Indicatorstand.Niveau.PROGRAMMA)
        else:
            standen = standen.filter(
                niveau=Indicatorstand.Niveau.FOCUSGEBIED, focusgebied=self.focusgebied
            )
        per_jaar = {
            (s.programma_indicator_id, int(s.periode)): s
            for s in standen.filter(lengte=4, periode__lte=str(self.jaar))
        }
        streef = {
            (i, j): w
            for i, j, w in Programmastreefwaarde.objects.filter(
                indicator__in=indicatoren
            ).values_list("indicator_id", "jaar", "waarde")
        }
        rijen = []
        for pi in indicatoren:
            for jaar in range(self.programma.startjaar, self.jaar + 1):
                s = per_jaar.get((pi.pk, jaar))
                doel = (
                    s.streefwaarde
                    if s and s.streefwaarde is not None
                    else streef.get((pi.pk, jaar))
                )
                rijen.append(
                    [
                        pi.code,
                        pi.naam,
                        pi.get_eenheid_display(),
                        pi.get_richting_display(),
                        getal(pi.basiswaarde),
                        pi.basisjaar,
                        jaar,
                        getal(doel),
                        getal(s.waarde if s else None),
                        procent(s.percentage_streefwaarde if s else None),
                        s.op_koers if s else None,
                        s.aantal_metingen if s else 0,
                    ]
                )
        return tabel(
            "programma_indicatoren",
            "Programma-indicatoren per jaar",
            [
                Kolom("code", "Code"),
                Kolom("indicator", "Indicator"),
                Kolom("eenheid", "Eenheid"),
                Kolom("richting", "Richting"),
                Kolom("basiswaarde", "Basiswaarde", "getal"),
                Kolom("basisjaar", "Basisjaar", "jaar"),
                Kolom("jaar", "Jaar", "jaar"),
                Kolom("streefwaarde", "Streefwaarde", "getal"),
                Kolom("realisatie", "Realisatie", "getal"),
                Kolom("procent", "% van streefwaarde", "procent"),
                Kolom("op_koers", "Op koers", "ja_nee"),
                Kolom("metingen", "Goedgekeurde metingen", "jaar"),
            ],
            rijen,
            toelichting="Realisatie: goedgekeurde metingen van de gekoppelde projectindicatoren, "
            "opgeteld volgens de betekenis van de indicator (cumulatieve standen worden nooit "
            "over perioden opgeteld).",
        )

    def project_indicatoren(self, periode: str | None = None) -> dict[str, Any]:
        """Per project indicator: target and realisation in ``periode`` (default: the
        year), and the partner's explanation of a difference."""
        periode = periode or str(self.jaar)
        # Plain rows, not model instances: a large programme has ten thousand of them.
        indicatoren = (
            Indicator.objects.filter(doel__project_id__in=self.ids)
            .order_by("doel__project__code", "doel_id", "id")
            .values_list(
                "pk",
                "doel__project_id",
                "doel__titel",
                "naam",
                "programma_indicator__code",
                "eenheid",
                "basiswaarde",
            )
        )
        standen = {
            rij[0]: rij[1:]
            for rij in Indicatorstand.objects.filter(
                niveau=Indicatorstand.Niveau.PROJECT, project_id__in=self.ids, periode=periode
            ).values_list(
                "indicator_id", "waarde", "streefwaarde", "percentage_streefwaarde", "op_koers"
            )
        }
        streef = dict(
            Streefwaarde.objects.filter(
                indicator__doel__project_id__in=self.ids, periode=periode
            ).values_list("indicator_id", "waarde")
        )
        toelichting: dict[int, str] = {}
        for indicator_id, tekst in (
            Meting.objects.filter(
                indicator__doel__project_id__in=self.ids,
                status=Beoordeling.GOEDGEKEURD,
                periode__startswith=periode,
            )
            .exclude(toelichting="")
            .order_by("indicator_id", "-periode")
            .values_list("indicator_id", "toelichting")
        ):
            toelichting.setdefault(indicator_id, tekst)
        codes = {p.pk: p.code for p in self.projecten}
        eenheden = dict(Indicator.Eenheid.choices)
        rijen = []
        for pk, project_id, doeltitel, naam, pi_code, eenheid, basis in indicatoren:
            waarde, streefwaarde, percentage, op_koers = standen.get(pk, (None, None, None, None))
            doel = streefwaarde if streefwaarde is not None else streef.get(pk)
            rijen.append(
                [
                    codes[project_id],
                    doeltitel,
                    naam,
                    pi_code or "",
                    eenheden.get(eenheid, eenheid),
                    getal(basis),
                    getal(doel),
                    getal(waarde),
                    procent(percentage),
                    op_koers,
                    toelichting.get(pk, ""),
                ]
            )
        return tabel(
            "project_indicatoren",
            f"Resultaten per interventie-indicator ({periode})",
            [
                Kolom("interventie", "Interventie"),
                Kolom("doel", "Doel"),
                Kolom("indicator", "Indicator"),
                Kolom("programma_indicator", "Programma-indicator"),
                Kolom("eenheid", "Eenheid"),
                Kolom("basiswaarde", "Basiswaarde", "getal"),
                Kolom("gepland", "Gepland", "getal"),
                Kolom("gerealiseerd", "Gerealiseerd", "getal"),
                Kolom("procent", "% van gepland", "procent"),
                Kolom("op_koers", "Op koers", "ja_nee"),
                Kolom("toelichting", "Toelichting van de partner"),
            ],
            rijen,
        )

    def project_indicatoren_per_jaar(self) -> dict[str, Any]:
        """Per project indicator and year, from the first year of the interventions up to
        ``jaar``: baseline, target and realisation (for a project report)."""
        indicatoren = list(
            Indicator.objects.filter(doel__project_id__in=self.ids)
            .order_by("doel__project__code", "doel_id", "id")
            .values_list("pk", "doel__project_id", "naam", "eenheid", "basiswaarde")
        )
        eerste = min((p.startdatum.year for p in self.projecten), default=self.jaar)
        jaren = [str(j) for j in range(eerste, self.jaar + 1)]
        standen: dict[tuple[int, str], Any] = {
            (i, per): rest
            for i, per, *rest in Indicatorstand.objects.filter(
                niveau=Indicatorstand.Niveau.PROJECT, project_id__in=self.ids, periode__in=jaren
            ).values_list(
                "indicator_id",
                "periode",
                "waarde",
                "streefwaarde",
                "percentage_streefwaarde",
                "op_koers",
            )
        }
        streef = {
            (i, per): w
            for i, per, w in Streefwaarde.objects.filter(
                indicator__doel__project_id__in=self.ids, periode__in=jaren
            ).values_list("indicator_id", "periode", "waarde")
        }
        codes = {p.pk: p.code for p in self.projecten}
        eenheden = dict(Indicator.Eenheid.choices)
        rijen = []
        for pk, project_id, naam, eenheid, basis in indicatoren:
            for jaar in jaren:
                waarde, doel, percentage, op_koers = standen.get(
                    (pk, jaar), (None, None, None, None)
                )
                rijen.append(
                    [
                        codes[project_id],
                        naam,
                        eenheden.get(eenheid, eenheid),
                        getal(basis),
                        int(jaar),
                        getal(doel if doel is not None else streef.get((pk, jaar))),
                        getal(waarde),
                        procent(percentage),
                        op_koers,
                    ]
                )
        return tabel(
            "project_indicatoren_per_jaar",
            "Resultaten per indicator en jaar",
            [
                Kolom("interventie", "Interventie"),
                Kolom("indicator", "Indicator"),
                Kolom("eenheid", "Eenheid"),
                Kolom("basiswaarde", "Basiswaarde", "getal"),
                Kolom("jaar", "Jaar", "jaar"),
                Kolom("streefwaarde", "Streefwaarde", "getal"),
                Kolom("realisatie", "Realisatie", "getal"),
                Kolom("procent", "% van streefwaarde", "procent"),
                Kolom("op_koers", "Op koers", "ja_nee"),
            ],
            rijen,
        )

    def verslagen(self, periode: str | None = None) -> dict[str, Any]:
        """Approved narratives of the year, or of ``periode`` (a year code takes every
        period in that year)."""
        periode = periode or str(self.jaar)
        qs = Voortgangsverslag.objects.filter(
            project_id__in=self.ids, status=Beoordeling.GOEDGEKEURD
        )
        qs = (
            qs.filter(periode__startswith=periode)
            if len(periode) == 4
            else qs.filter(periode=periode)
        )
        rijen = [
            [code, periode, samenvatting, afwijkingen, risicos]
            for code, periode, samenvatting, afwijkingen, risicos in qs.order_by(
                "project__code", "periode"
            ).values_list("project__code", "periode", "samenvatting", "afwijkingen", "risicos")
        ]
        return tabel(
            "verslagen",
            "Voortgangsverslagen",
            [
                Kolom("interventie", "Interventie"),
                Kolom("periode", "Periode"),
                Kolom("voortgang", "Voortgang"),
                Kolom("afwijkingen", "Afwijkingen en verklaring"),
                Kolom("risicos", "Risico's"),
            ],
            rijen,
            toelichting="Goedgekeurde voortgangsverslagen van de partners.",
        )

    # --- context and deviations ----------------------------------------------------------

    @cached_property
    def _focusgebieden(self) -> list[Focusgebied]:
        if self.focusgebied is not None:
            return [self.focusgebied]
        return list(
            Focusgebied.objects.filter(programma=self.programma)
            .prefetch_related("gebiedscodes")
            .order_by("code")
        )

    def focusgebieden(self) -> list[Focusgebied]:
        """The report's focus areas with their CBS codes, read once per report."""
        return self._focusgebieden

    def gebieden(self) -> dict[str, Any]:
        aantal: dict[int, int] = defaultdict(int)
        for p in self.projecten:
            for f in p.focusgebieden.all():
                aantal[f.pk] += 1
        return tabel(
            "focusgebieden",
            "Focusgebieden",
            [
                Kolom("code", "Code"),
                Kolom("naam", "Focusgebied"),
                Kolom("gemeente", "Gemeente"),
                Kolom("gemeentecode", "Gemeentecode"),
                Kolom("gebiedscodes", "CBS-wijken en -buurten"),
                Kolom("interventies", "Interventies", "jaar"),
            ],
            [
                [
                    f.code,
                    f.naam,
                    f.gemeente,
                    f.gemeentecode,
                    ", ".join(f"{g.code} ({g.peiljaar})" for g in f.gebiedscodes.all()),
                    aantal[f.pk],
                ]
                for f in self.focusgebieden()
            ],
        )

    def contextcijfers(self) -> dict[str, Any]:
        gebieden = self.focusgebieden()
        codes: dict[str, list[str]] = defaultdict(list)
        for f in gebieden:
            for g in f.gebiedscodes.all():
                codes[g.code].append(f.naam)
        rijen = []
        for c in Contextcijfer.objects.filter(
            gebiedscode__in=list(codes), jaar__lte=self.jaar
        ).order_by("gebiedscode", "kenmerk", "jaar", "bron"):
            for naam in codes[c.gebiedscode]:
                rijen.append(
                    [naam, c.gebiedscode, c.jaar, c.kenmerk, getal(c.waarde), c.bron, c.licentie]
                )
        rijen.sort(key=lambda r: (r[0], r[1], r[3], r[2]))
        return tabel(
            "contextcijfers",
            "Contextcijfers per focusgebied",
            [
                Kolom("focusgebied", "Focusgebied"),
                Kolom("gebiedscode", "Gebiedscode"),
                Kolom("jaar", "Jaar", "jaar"),
                Kolom("kenmerk", "Kenmerk"),
                Kolom("waarde", "Waarde", "getal"),
                Kolom("bron", "Bron"),
                Kolom("licentie", "Licentie"),
            ],
            rijen,
            toelichting=CBS_ATTRIBUTIE,
        )

    def afwijkingen(self) -> dict[str, Any]:
        """Deviations, errors and uncertainties: early warnings, obligations not met,
        submissions of the year not (yet) approved."""
        codes = {p.pk: p.code for p in self.projecten}
        rijen: list[list[Any]] = []
        for project_id, reden, ernst in (
            Signaal.objects.filter(project_id__in=self.ids)
            .order_by("project__code", "-ernst", "soort")
            .values_list("project_id", "reden", "ernst")
        ):
            soort = "Vroegsignaal (ingrijpen)" if ernst >= 2 else "Vroegsignaal (let op)"
            rijen.append([codes[project_id], soort, reden])
        for project_id, soort, periode, deadline in (
            Rapportageverplichting.objects.filter(
                project_id__in=self.ids,
                periode__startswith=str(self.jaar),
                status=Rapportageverplichting.Status.TE_LAAT,
            )
            .order_by("project__code", "deadline")
            .values_list("project_id", "soort", "periode", "deadline")
        ):
            rijen.append(
                [
                    codes[project_id],
                    "Verplichting te laat",
                    f"{Rapportageverplichting.Soort(soort).label} over {periode} "
                    f"(uiterlijk {deadline:%d-%m-%Y}) is niet op tijd voldaan.",
                ]
            )
        open_ = [Beoordeling.INGEDIEND, Beoordeling.TERUGGESTUURD]
        for model, naam, sleutel in (
            (Meting, "metingen", "indicator__doel__project_id"),
            (Besteding, "bestedingen", "project_id"),
            (Voortgangsverslag, "voortgangsverslagen", "project_id"),
        ):
            telling = (
                model.objects.filter(
                    **{f"{sleutel}__in": self.ids},
                    periode__startswith=str(self.jaar),
                    status__in=open_,
                )
                .order_by()
                .values(sleutel)
                .annotate(n=Count("pk"))
                .values_list(sleutel, "n")
            )
            for project_id, n in sorted(telling, key=lambda t: codes[t[0]]):
                rijen.append(
                    [
                        codes[project_id],
                        "Onzekerheid",
                        f"{n} {naam} over {self.jaar} zijn nog niet goedgekeurd en tellen niet mee.",
                    ]
                )
        rijen.sort(key=lambda r: (r[0], r[1]))
        return tabel(
            "afwijkingen",
            "Afwijkingen, fouten en onzekerheden",
            [
                Kolom("interventie", "Interventie"),
                Kolom("soort", "Soort"),
                Kolom("omschrijving", "Omschrijving"),
            ],
            rijen,
        )

    def bronnen(self) -> dict[str, Any]:
        return tabel(
            "bronnen",
            "Gegevensbronnen en bronvermelding",
            [Kolom("bron", "Bron"), Kolom("inhoud", "Inhoud"), Kolom("licentie", "Licentie")],
            [
                [
                    "Ontschot",
                    "Interventies, beschikkingen, tranches, begrotingen, goedgekeurde metingen, "
                    "bestedingen en voortgangsverslagen zoals vastgelegd door programmabureau en "
                    "partners.",
                    "",
                ],
                [
                    "CBS, Kerncijfers wijken en buurten",
                    "Contextcijfers per wijk en buurt.",
                    "CC BY 4.0",
                ],
                [
                    "Leefbaarometer 3.0 (ministerie van BZK)",
                    "Leefbaarheidsscore en -klasse per wijk en buurt.",
                    "CC BY 4.0",
                ],
            ],
        )


def _deel(deel: Decimal, geheel: Decimal) -> Decimal | None:
    if not geheel:
        return None
    return (deel * 100 / geheel).quantize(CENT)


def _document(
    *,
    soort: str,
    titel: str,
    programma: Programma,
    periode: str,
    identificatie: list[tuple[str, str]],
    tabellen: list[dict[str, Any]],
    moment: datetime | None = None,
) -> dict[str, Any]:
    moment = moment or timezone.now()
    document = {
        "schema": SCHEMA,
        "soort": soort,
        "titel": titel,
        "programma": {
            "code": programma.code,
            "naam": programma.naam,
            "regeling": programma.regeling,
            "opdrachtgever": programma.opdrachtgever.naam,
        },
        "periode": periode,
        "moment": moment.astimezone(timezone.get_default_timezone()).isoformat(timespec="seconds"),
        "identificatie": [[k, v] for k, v in identificatie],
        "tabellen": {t["naam"]: t for t in tabellen},
    }
    document["gegevenshash"] = gegevenshash(document)
    return document


def _gemeenten(gebieden: Iterable[Focusgebied]) -> str:
    return "; ".join(sorted({f"{f.gemeente} ({f.gemeentecode})" for f in gebieden}))


def jaarverantwoording(
    *, programma: Programma, jaar: int, moment: datetime | None = None
) -> dict[str, Any]:
    """The snapshot of the yearly accountability report of ``programma`` over ``jaar``."""
    projecten = Project.objects.filter(programma=programma, startdatum__lte=date(jaar, 12, 31))
    bouwer = Bouwer(programma=programma, jaar=jaar, projecten=projecten)
    gebieden = bouwer.focusgebieden()
    financien = bouwer.financien()
    tabellen = [
        bouwer.interventies(),
        bouwer.gebieden(),
        *financien,
        bouwer.tranches(),
        bouwer.begroting(),
        bouwer.programma_indicatoren(),
        bouwer.project_indicatoren(),
        bouwer.verslagen(),
        bouwer.contextcijfers(),
        bouwer.afwijkingen(),
        bouwer.bronnen(),
    ]
    identificatie = [
        ("Programma", f"{programma.naam} ({programma.code})"),
        ("Regeling", programma.regeling or "—"),
        ("Opdrachtgever", programma.opdrachtgever.naam),
        ("Verantwoordingsjaar", str(jaar)),
        ("Programmaperiode", f"{programma.startjaar}–{programma.eindjaar}"),
        ("Gemeenten (gemeentecode)", _gemeenten(gebieden) or "—"),
        ("Focusgebieden", str(len(gebieden))),
        ("Interventies", str(len(bouwer.projecten))),
        ("Beschikkingen", str(len(financien[0]["rijen"]))),
    ]
    return _document(
        soort="jaarverantwoording",
        titel=f"Jaarverantwoording {jaar} — {programma.naam}",
        programma=programma,
        periode=str(jaar),
        identificatie=identificatie,
        tabellen=tabellen,
        moment=moment,
    )


def gebiedsrapportage(
    *, programma: Programma, focusgebied: Focusgebied, jaar: int, moment: datetime | None = None
) -> dict[str, Any]:
    """The snapshot of the yearly report of one focus area."""
    projecten = Project.objects.filter(
        programma=programma, focusgebieden=focusgebied, startdatum__lte=date(jaar, 12, 31)
    )
    bouwer = Bouwer(programma=programma, jaar=jaar, projecten=projecten, focusgebied=focusgebied)
    tabellen = [
        bouwer.interventies(),
        bouwer.gebieden(),
        *bouwer.financien(),
        bouwer.begroting(),
        bouwer.programma_indicatoren(),
        bouwer.project_indicatoren(),
        bouwer.verslagen(),
        bouwer.contextcijfers(),
        bouwer.afwijkingen(),
        bouwer.bronnen(),
    ]
    identificatie = [
        ("Programma", f"{programma.naam} ({programma.code})"),
        ("Regeling", programma.regeling or "—"),
        ("Focusgebied", f"{focusgebied.naam} ({focusgebied.code})"),
        ("Gemeente (gemeentecode)", f"{focusgebied.gemeente} ({focusgebied.gemeentecode})"),
        ("Jaar", str(jaar)),
        ("Interventies", str(len(bouwer.projecten))),
    ]
    return _document(
        soort="gebiedsrapportage",
        titel=f"Gebiedsrapportage {jaar} — {focusgebied.naam}",
        programma=programma,
        periode=str(jaar),
        identificatie=identificatie,
        tabellen=tabellen,
        moment=moment,
    )


def projectrapportage(
    *, project: Project, periode: str, moment: datetime | None = None
) -> dict[str, Any]:
    """The snapshot of one intervention's report over one period."""
    from programma.perioden import parse_periode

    p = parse_periode(periode)
    programma = project.programma
    bouwer = Bouwer(
        programma=programma, jaar=p.jaar, projecten=Project.objects.filter(pk=project.pk)
    )
    tabellen = [
        bouwer.interventies(),
        bouwer.project_indicatoren(periode),
        bouwer.project_indicatoren_per_jaar(),
        *bouwer.financien()[:1],
        bouwer.tranches(),
        bouwer.begroting(),
        bouwer.verslagen(periode),
        _verplichtingen(project, p.jaar),
        bouwer.afwijkingen(),
        bouwer.bronnen(),
    ]
    identificatie = [
        ("Interventie", f"{project.titel} ({project.code})"),
        ("Programma", f"{programma.naam} ({programma.code})"),
        ("Penvoerder", project.penvoerder.naam),
        ("Looptijd", f"{project.startdatum:%d-%m-%Y} t/m {project.einddatum:%d-%m-%Y}"),
        ("Periode", periode),
        ("Status", project.get_status_display()),
    ]
    return _document(
        soort="projectrapportage",
        titel=f"Projectrapportage {periode} — {project.titel}",
        programma=programma,
        periode=periode,
        identificatie=identificatie,
        tabellen=tabellen,
        moment=moment,
    )


def _verplichtingen(project: Project, jaar: int) -> dict[str, Any]:
    rijen = [
        [
            Rapportageverplichting.Soort(soort).label,
            periode,
            deadline.isoformat(),
            Rapportageverplichting.Status(status).label,
            voldaan.date().isoformat() if voldaan else None,
        ]
        for soort, periode, deadline, status, voldaan in project.verplichtingen.filter(
            periode__startswith=str(jaar)
        )
        .order_by("deadline", "soort")
        .values_list("soort", "periode", "deadline", "status", "voldaan_op")
    ]
    return tabel(
        "verplichtingen",
        f"Rapportageverplichtingen {jaar}",
        [
            Kolom("soort", "Verplichting"),
            Kolom("periode", "Periode"),
            Kolom("deadline", "Uiterste datum", "datum"),
            Kolom("status", "Status"),
            Kolom("voldaan", "Voldaan op", "datum"),
        ],
        rijen,
    )
