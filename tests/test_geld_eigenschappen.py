"""Money adds up to the cent at every level, for random portfolios (hypothesis).

Each example builds a fresh programme with random projects, focus areas, grants (granted,
settled or only applied for), tranches (planned or paid), budget lines in versions,
expenditures (approved or not) and budget envelopes, with random amounts of two decimals,
including the ones floating point gets wrong (0.10 + 0.20). The expected totals are summed
here from the generated Decimals; they must equal, to the cent:

- the project page's tables (grants, tranches, budget and spending),
- the programme dashboard's money tables per year, per theme and per focus area,
- the yearly report's snapshot (per grant, per theme, per focus area),
- the CSV and XLSX exports of those tables, read back from their bytes,

and every row of every money table must add up to its total row. No money passes through
a float: everything is computed with the decimal context trapping ``FloatOperation`` (a
float turned into or compared with a Decimal raises), and every amount in a table is a
string with exactly two decimals."""

import csv
import decimal
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from programma.models import Budgetenvelop, Focusgebied, Programma
from programma.tabelbestanden import csv_bytes, xlsx_bytes
from projecten.models import Beoordeling, Beschikking, Kostensoort, Project, Tranche
from rapportage.momentopname import gebiedsrapportage, jaarverantwoording
from rapportage.paginas import programmadashboard, projectpagina
from tests.programma.factories import FocusgebiedFactory, ProgrammaFactory, ThemaFactory
from tests.projecten.factories import (
    BegrotingsregelFactory,
    BeschikkingFactory,
    BestedingFactory,
    ProjectFactory,
    TrancheFactory,
)

pytestmark = pytest.mark.django_db

NUL = Decimal("0.00")
FINANCIEEL = ["verleend", "ontvangen", "besteed_jaar", "besteed_cumulatief", "overloop"]
BEDRAG = re.compile(r"^-?\d+\.\d\d$")
TOEGEKEND = {Beschikking.Status.VERLEEND, Beschikking.Status.VASTGESTELD}

bedragen = st.one_of(
    st.sampled_from([Decimal(x) for x in ("0.01", "0.10", "0.20", "0.30", "9999999.99")]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2),
)
perioden = st.sampled_from(["2025-K1", "2025-K2", "2025-K4", "2026-K1", "2026-K3"])


@st.composite
def tranches(draw: Any, toegekend: bool) -> list[tuple[Decimal, date | None]]:
    betaaldata = st.sampled_from([date(2025, 4, 1), date(2025, 12, 31), date(2026, 1, 2)])
    return draw(
        st.lists(
            st.tuples(bedragen, st.none() | betaaldata if toegekend else st.none()), max_size=2
        )
    )


@st.composite
def beschikkingen(draw: Any) -> dict[str, Any]:
    status = draw(st.sampled_from(list(Beschikking.Status)[:3]))
    return {
        "status": status,
        "bedrag": draw(bedragen),
        "thema": draw(st.sampled_from([None, 0, 1])),
        "datum": draw(st.sampled_from([None, date(2025, 2, 1), date(2026, 3, 1)])),
        "tranches": draw(tranches(status in TOEGEKEND)),
    }


@st.composite
def projecten(draw: Any) -> dict[str, Any]:
    return {
        "gebieden": draw(st.sets(st.integers(0, 2), max_size=3)),
        "beschikkingen": draw(st.lists(beschikkingen(), max_size=2)),
        # (period, approved?, index of the grant or None, amount)
        "bestedingen": draw(
            st.lists(
                st.tuples(perioden, st.booleans(), st.none() | st.integers(0, 1), bedragen),
                max_size=3,
            )
        ),
        # (year, cost category, versions' amounts)
        "begroting": draw(
            st.lists(
                st.tuples(
                    st.sampled_from([2025, 2026]),
                    st.sampled_from([Kostensoort.PERSONEEL, Kostensoort.OVERIG]),
                    st.lists(bedragen, min_size=1, max_size=2),
                ),
                max_size=2,
                unique_by=lambda r: (r[0], r[1]),
            )
        ),
    }


portefeuilles = st.fixed_dictionaries(
    {
        "projecten": st.lists(projecten(), min_size=1, max_size=3),
        "enveloppen": st.lists(st.none() | st.tuples(bedragen, bedragen), min_size=2, max_size=2),
    }
)


@dataclass
class Verwacht:
    """The ground truth, summed here from the generated Decimals."""

    verleend: Decimal = NUL  # granted or settled grants
    betaald: Decimal = NUL  # paid tranches, any year
    besteed: Decimal = NUL  # approved expenditures, any period
    budget: Decimal = NUL  # envelopes with carry-over, all years
    verleend_jaar: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: NUL))
    per_thema: dict[str | None, dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: NUL))
    )
    # the 2025 report: paid up to 31-12-2025, spent on its grants in (up to) 2025
    ontvangen_2025: Decimal = NUL
    besteed_2025: Decimal = NUL
    budget_2025: Decimal = NUL
    per_project: dict[int, dict[str, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: NUL))
    )


def bouwen(portefeuille: dict[str, Any]) -> tuple[Programma, list[Project], Verwacht]:
    programma = ProgrammaFactory(startjaar=2025, eindjaar=2030)
    themas = [ThemaFactory(programma=programma, code=f"t{i}", naam=f"Thema {i}") for i in range(2)]
    gebieden = [
        FocusgebiedFactory(programma=programma, code=f"g{i}", naam=f"Gebied {i}") for i in range(3)
    ]
    v = Verwacht()
    for thema, envelop in zip(themas, portefeuille["enveloppen"], strict=True):
        if envelop is not None:
            bedrag, over = envelop
            Budgetenvelop.objects.create(
                programma=programma, thema=thema, jaar=2025, bedrag=bedrag, overheveling_in=over
            )
            v.budget += bedrag + over
            v.budget_2025 += bedrag + over
    projectlijst = []
    for p in portefeuille["projecten"]:
        project = ProjectFactory(
            programma=programma, startdatum=date(2025, 1, 1), einddatum=date(2026, 12, 31)
        )
        project.focusgebieden.set([gebieden[i] for i in p["gebieden"]])
        projectlijst.append(project)
        pv = v.per_project[project.pk]
        grants = []
        for b in p["beschikkingen"]:
            thema = themas[b["thema"]] if b["thema"] is not None else None
            beschikking = BeschikkingFactory(
                project=project,
                status=b["status"],
                bedrag=b["bedrag"],
                thema=thema,
                datum=b["datum"],
            )
            grants.append(beschikking)
            pv["beschikkingen"] += b["bedrag"]
            toegekend = b["status"] in TOEGEKEND
            naam = thema.naam if thema else None
            if toegekend:
                v.verleend += b["bedrag"]
                v.verleend_jaar[(b["datum"] or project.startdatum).year] += b["bedrag"]
                v.per_thema[naam]["verleend"] += b["bedrag"]
            for i, (bedrag, betaald_op) in enumerate(b["tranches"], start=1):
                TrancheFactory(
                    beschikking=beschikking,
                    volgnummer=i,
                    bedrag=bedrag,
                    status=Tranche.Status.BETAALD if betaald_op else Tranche.Status.GEPLAND,
                    betaald_op=betaald_op,
                )
                pv["tranches"] += bedrag
                if betaald_op:
                    v.betaald += bedrag
                    v.per_thema[naam]["betaald"] += bedrag
                    if betaald_op <= date(2025, 12, 31):
                        v.ontvangen_2025 += bedrag
        for periode, goedgekeurd, welke, bedrag in p["bestedingen"]:
            beschikking = grants[welke] if welke is not None and welke < len(grants) else None
            BestedingFactory(
                project=project,
                beschikking=beschikking,
                periode=periode,
                bedrag=bedrag,
                status=Beoordeling.GOEDGEKEURD if goedgekeurd else Beoordeling.INGEDIEND,
            )
            if goedgekeurd:
                v.besteed += bedrag
                pv["besteed"] += bedrag
                naam = beschikking.thema.naam if beschikking and beschikking.thema else None
                v.per_thema[naam]["besteed"] += bedrag
                if beschikking and beschikking.status in TOEGEKEND and periode < "2026":
                    v.besteed_2025 += bedrag
        for jaar, kostensoort, versies in p["begroting"]:
            for versie, bedrag in enumerate(versies, start=1):
                BegrotingsregelFactory(
                    project=project,
                    jaar=jaar,
                    kostensoort=kostensoort,
                    versie=versie,
                    bedrag=bedrag,
                )
            pv["begroot"] += versies[-1]  # only the latest version counts
    return programma, projectlijst, v


def kolom(tabel: dict[str, Any], naam: str) -> int:
    return [k["naam"] for k in tabel["kolommen"]].index(naam)


def totaal(tabel: dict[str, Any], naam: str) -> Decimal:
    return Decimal(tabel["totaal"][kolom(tabel, naam)])


def rijen_kloppen(tabel: dict[str, Any]) -> None:
    """Every amount is an exact two-decimal string, and each money column's rows add up to
    the total row."""
    for i, k in enumerate(tabel["kolommen"]):
        if k["soort"] != "bedrag":
            continue
        waarden = [r[i] for r in tabel["rijen"] if r[i] is not None]
        for w in waarden:
            assert isinstance(w, str) and BEDRAG.match(w), (tabel["naam"], k["naam"], w)
        if tabel["totaal"] is not None and tabel["totaal"][i] is not None:
            assert BEDRAG.match(tabel["totaal"][i])
            assert sum((Decimal(w) for w in waarden), NUL) == Decimal(tabel["totaal"][i]), (
                tabel["naam"],
                k["naam"],
            )


def csv_klopt(tabel: dict[str, Any]) -> None:
    """The CSV export holds the same amounts, row for row, the total row last."""
    regels = list(csv.reader(io.StringIO(csv_bytes(tabel).decode("utf-8-sig"))))
    verwacht = [*tabel["rijen"], *([tabel["totaal"]] if tabel["totaal"] else [])]
    assert len(regels) == 1 + len(verwacht)
    for i, k in enumerate(tabel["kolommen"]):
        if k["soort"] == "bedrag":
            for regel, rij in zip(regels[1:], verwacht, strict=True):
                assert (Decimal(regel[i]) if regel[i] else None) == (
                    Decimal(rij[i]) if rij[i] is not None else None
                )


def xlsx_getallen(inhoud: bytes, blad: int) -> dict[tuple[int, int], Decimal]:
    """The numeric cells of sheet ``blad`` (1-based) as written in the workbook's XML."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(inhoud)) as z:
        wortel = ElementTree.fromstring(z.read(f"xl/worksheets/sheet{blad}.xml"))
    cellen = {}
    for c in wortel.iterfind(".//m:c", ns):
        v = c.find("m:v", ns)
        if v is None or c.get("t") not in (None, "n"):
            continue
        letters, rij = re.match(r"([A-Z]+)(\d+)", c.get("r", "")).groups()  # type: ignore[union-attr]
        k = 0
        for letter in letters:
            k = k * 26 + ord(letter) - 64
        cellen[(int(rij), k)] = Decimal(v.text or "")
    return cellen


def xlsx_klopt(tabellen: list[dict[str, Any]]) -> None:
    inhoud = xlsx_bytes(tabellen, titel="Controle", moment=datetime(2026, 1, 1, 12))
    for n, tabel in enumerate(tabellen, start=1):
        cellen = xlsx_getallen(inhoud, n)
        verwacht = [*tabel["rijen"], *([tabel["totaal"]] if tabel["totaal"] else [])]
        for i, k in enumerate(tabel["kolommen"]):
            if k["soort"] == "bedrag":
                for r, rij in enumerate(verwacht, start=2):
                    assert cellen.get((r, i + 1)) == (
                        Decimal(rij[i]) if rij[i] is not None else None
                    ), (tabel["naam"], r, k["naam"])


@settings(
    max_examples=20,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(portefeuille=portefeuilles)
def test_every_total_at_every_level_reconciles_to_the_cent(portefeuille: dict[str, Any]) -> None:
    with decimal.localcontext() as context:
        context.traps[decimal.FloatOperation] = True
        programma, projectlijst, v = bouwen(portefeuille)

        # project
        for project in projectlijst:
            pagina = projectpagina(project)
            pv = v.per_project[project.pk]
            for t in pagina.tabellen():
                rijen_kloppen(t)
            assert totaal(pagina.beschikkingen, "bedrag") == pv["beschikkingen"]
            assert totaal(pagina.tranches, "bedrag") == pv["tranches"]
            if pagina.begroting["rijen"]:
                assert totaal(pagina.begroting, "begroot") == pv["begroot"]
                assert totaal(pagina.begroting, "besteed") == pv["besteed"]
                assert totaal(pagina.begroting, "verschil") == pv["begroot"] - pv["besteed"]

        # programme dashboard: per year, per theme, per focus area
        geld = programmadashboard(programma).geld
        for t in (geld.per_jaar, geld.per_thema, geld.per_focusgebied):
            rijen_kloppen(t)
            assert totaal(t, "verleend") == v.verleend, t["naam"]
            assert totaal(t, "betaald") == v.betaald, t["naam"]
            assert totaal(t, "besteed") == v.besteed, t["naam"]
        assert totaal(geld.per_jaar, "budget") == v.budget
        assert totaal(geld.per_thema, "budget") == v.budget
        per_jaar = {r[0]: r for r in geld.per_jaar["rijen"]}
        for jaar, som in v.verleend_jaar.items():
            assert Decimal(per_jaar[str(jaar)][kolom(geld.per_jaar, "verleend")]) == som
        per_thema = {r[0]: r for r in geld.per_thema["rijen"]}
        for naam, sommen in v.per_thema.items():
            rij = per_thema[naam or "Zonder thema"]
            for veld, som in sommen.items():
                assert Decimal(rij[kolom(geld.per_thema, veld)]) == som, (naam, veld)

        # the yearly report's snapshot
        momentopname = jaarverantwoording(programma=programma, jaar=2025)
        tabellen = momentopname["tabellen"]
        geldtabellen = [
            tabellen[n]
            for n in ("financien_beschikkingen", "financien_themas", "financien_focusgebieden")
        ]
        for t in geldtabellen:
            rijen_kloppen(t)
            assert totaal(t, "verleend") == v.verleend, t["naam"]
            assert totaal(t, "ontvangen") == v.ontvangen_2025, t["naam"]
            assert totaal(t, "besteed_jaar") == v.besteed_2025, t["naam"]
            assert totaal(t, "besteed_cumulatief") == v.besteed_2025, t["naam"]
            assert totaal(t, "overloop") == v.ontvangen_2025 - v.besteed_2025, t["naam"]
        assert totaal(tabellen["financien_themas"], "budget") == v.budget_2025

        # each focus area's own report holds exactly its row of the programme's report
        per_gebied = {r[0]: r[1:] for r in tabellen["financien_focusgebieden"]["rijen"]}
        for gebied in Focusgebied.objects.filter(
            programma=programma, projecten__isnull=False
        ).distinct():
            gebiedstabel = gebiedsrapportage(programma=programma, focusgebied=gebied, jaar=2025)[
                "tabellen"
            ]["financien_beschikkingen"]
            rijen_kloppen(gebiedstabel)
            eigen = [gebiedstabel["totaal"][kolom(gebiedstabel, k)] for k in FINANCIEEL]
            # an area without granted grants has no row there, and nothing in its report
            verwacht = per_gebied.get(f"{gebied.naam} ({gebied.gemeente})", ["0.00"] * 5)
            assert eigen == verwacht, gebied.naam
        for t in tabellen.values():
            rijen_kloppen(t)

        # the exports, read back from their bytes
        exporteren = [*geldtabellen, geld.per_jaar, geld.per_thema, geld.per_focusgebied]
        for t in exporteren:
            csv_klopt(t)
        xlsx_klopt(exporteren)
