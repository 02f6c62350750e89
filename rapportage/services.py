"""Writes of aggregated indicator progress (``Indicatorstand``).

Two entry points, keyword-only and safe to run again:

* :func:`standen_herberekenen` recomputes every stand of a programme (or of all) from
  the approved measurements and brings the table in line: rows that should not exist
  are removed, wrong ones rewritten, missing ones added, correct ones left alone.
* :func:`standen_bijwerken` recomputes only the rows some measurements feed: their
  project indicator's native period and year, and the focus-area, theme and programme
  rows of the linked programme indicator for that period and year.

Both read with ``values_list`` and compute with :mod:`rapportage.aggregaties`, so a
full and an incremental computation cannot disagree.

Comparing. Every row is written with its fingerprint (``Indicatorstand.vingerafdruk``,
:func:`aggregaties.vingerafdrukken`), and both entry points compare what is stored
with what they computed by fingerprint only: the nightly recompute reads the id and
fingerprint of a million stored rows, not all their columns. A stored row whose
fingerprint no computed row has is deleted and the computed row inserted. So drift of
the aggregation's own making is corrected: a missed or failed incremental update, a
measurement or target changed without one, a row deleted or left behind. What is not
seen is a row changed in the database behind the aggregation's back with its
fingerprint left as it was: it keeps its wrong value until its inputs change. Clearing
fingerprints (``Indicatorstand.objects.update(vingerafdruk=None)``, or rows written
before fingerprints existed) makes the next recompute rewrite those rows.

Concurrency. The full recompute reads and computes outside its write transaction, so on
SQLite (one writer at a time) it does not hold up reviewers while it reads a million
measurements. Its write transaction takes the programme's aggregation lock, reads the
stored stands, writes the difference and then recomputes, incrementally, every
measurement changed since its read began: an approval that came in meanwhile is never
overwritten by the older snapshot. Incremental updates take the same lock (on PostgreSQL
a transaction-level advisory lock; on SQLite the write transaction is the lock).
Measurements must be saved with ``save()`` for that (``gewijzigd_op`` is ``auto_now``).

Speed. The big programme of the benchmarks has a million approved measurements and as
many project rows, so the hot paths avoid work per row in Python: the ``values_list``
querysets are executed on a cursor and fetched straight into numpy columns, and new
rows go in with one ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) instead of
``bulk_create``. See ``docs/performance.md``.
"""

import gc
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from programma.audit import Actor, registreer
from programma.models import Programma, Programmaindicator, Programmastreefwaarde
from projecten.models import Beoordeling, Indicator, Meting, Project, Streefwaarde
from rapportage import aggregaties as agg
from rapportage.models import Indicatorstand

AUDITACTOR = Actor.systeem("aggregatie")
# Measurements changed this long before a full recompute began reading are caught up
# too: the clocks of web and worker processes need not agree to the millisecond.
INHAALMARGE = timedelta(seconds=5)
# Above this share of stored rows to remove, clearing the programme's rows and
# inserting everything is cheaper than deleting by id.
VERVANGDREMPEL = 0.5
# A rewrite that inserts at least this many stands, and at least as many as the table
# already holds, drops the table's secondary indexes and builds them again afterwards:
# SQLite spends about three times as long maintaining eight indexes row by row as
# inserting the rows and sorting the indexes once (29 s against 2 + 8.6 s for a million
# stands on the benchmark machine).
HERBOUWDREMPEL = 100_000
PORTIE = 20_000  # rows fetched or inserted at a time
VERWIJDERPORTIE = 10_000  # ids per DELETE, well below SQLite's 32,766 parameters
IDPORTIE = 5_000  # measurement or indicator ids in one incremental query
VERGRENDELING = 0x0A66  # namespace of the PostgreSQL advisory lock ("aggregatie")

# How a column comes out of the database and goes into the DataFrame.
ID, GEHEEL, GETAL, TEKST, WAARHEID = "id", "geheel", "getal", "tekst", "waarheid"


@dataclass
class Resultaat:
    """What a recompute did."""

    programmas: int = 0
    metingen: int = 0
    standen: int = 0
    toegevoegd: int = 0
    verwijderd: int = 0
    ingehaald: int = 0
    seconden: float = 0.0
    fasen: dict[str, float] = field(default_factory=dict)

    @property
    def ongewijzigd(self) -> int:
        """Computed stands that were already stored as they are."""
        return max(self.standen - self.toegevoegd, 0)

    def tel_op(self, ander: "Resultaat") -> None:
        for naam in ("programmas", "metingen", "standen", "toegevoegd", "verwijderd", "ingehaald"):
            setattr(self, naam, getattr(self, naam) + getattr(ander, naam))
        for fase, duur in ander.fasen.items():
            self.fasen[fase] = self.fasen.get(fase, 0.0) + duur

    def als_dict(self) -> dict[str, Any]:
        return {
            "programmas": self.programmas,
            "metingen": self.metingen,
            "standen": self.standen,
            "toegevoegd": self.toegevoegd,
            "verwijderd": self.verwijderd,
            "ongewijzigd": self.ongewijzigd,
            "ingehaald": self.ingehaald,
            "seconden": round(self.seconden, 3),
        }


class _Klok:
    """Wall and CPU time per phase, for the command's and the benchmark's breakdown."""

    def __init__(self, fasen: dict[str, float]) -> None:
        self.fasen = fasen
        self.vorige = time.perf_counter()
        self.vorige_cpu = time.process_time()

    def stap(self, naam: str) -> None:
        nu, cpu = time.perf_counter(), time.process_time()
        self.fasen[naam] = self.fasen.get(naam, 0.0) + nu - self.vorige
        self.fasen[f"{naam} (CPU)"] = self.fasen.get(f"{naam} (CPU)", 0.0) + cpu - self.vorige_cpu
        self.vorige, self.vorige_cpu = nu, cpu


# --- reading ---------------------------------------------------------------------------


@contextmanager
def _zonder_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a million rows of tuples are made: they
    hold no cycles, and every collection would walk all of them again (a third of the
    time of reading the stored stands)."""
    aan = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if aan:
            gc.enable()


def _rijen(qs: QuerySet[Any]) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of a ``values_list`` queryset in portions, as the database driver returns
    them. This skips Django's per-row iterable (about three times the cost of the fetch
    itself for a million rows); the values are simple: ids, text, floats (decimals are
    cast in SQL) and booleans (0/1 on SQLite)."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # a filter like ``pk__in=[]``: nothing to ask the database
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while portie := cursor.fetchmany(PORTIE):
            yield portie


def _kolommen(qs: QuerySet[Any], kolommen: dict[str, str]) -> pd.DataFrame:
    """A ``values_list`` queryset as a DataFrame with one numpy column per field: ids as
    int64 (0 for none), whole 64-bit numbers exactly as int64 (never none: coalesce in
    SQL), numbers as float64 (NaN for none), text as objects and booleans as nullable
    booleans."""
    delen: list[list[np.ndarray]] = [[] for _ in kolommen]
    soorten = list(kolommen.values())
    with _zonder_gc():
        for portie in _rijen(qs):
            for i, waarden in enumerate(zip(*portie, strict=True)):
                soort = soorten[i]
                if soort == TEKST:
                    delen[i].append(np.array(waarden, dtype=object))
                elif soort == GEHEEL:
                    delen[i].append(np.array(waarden, dtype=np.int64))
                else:
                    delen[i].append(np.array(waarden, dtype=np.float64))
    uit: dict[str, Any] = {}
    for (naam, soort), deel in zip(kolommen.items(), delen, strict=True):
        if soort == TEKST:
            kolom = np.concatenate(deel) if deel else np.zeros(0, dtype=object)
            uit[naam] = kolom
            continue
        if soort == GEHEEL:
            uit[naam] = np.concatenate(deel) if deel else np.zeros(0, dtype=np.int64)
            continue
        getallen = np.concatenate(deel) if deel else np.zeros(0)
        if soort == ID:
            uit[naam] = np.nan_to_num(getallen, nan=0.0).astype(np.int64)
        elif soort == WAARHEID:
            uit[naam] = pd.array(getallen, dtype="Float64").astype("boolean")
        else:
            uit[naam] = getallen
    return pd.DataFrame(uit)


def _float(veld: str) -> Cast:
    return Cast(veld, FloatField())


def _invoer(
    *,
    metingen: QuerySet[Meting],
    status_achteraf: bool = False,
    indicatoren: QuerySet[Indicator],
    programma_indicatoren: QuerySet[Programmaindicator],
    projecten: QuerySet[Project],
    perioden: list[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """Everything :func:`aggregaties.standen_berekenen` needs, read with ``values_list``."""
    streef = Streefwaarde.objects.filter(indicator__in=indicatoren)
    programmastreef = Programmastreefwaarde.objects.filter(indicator__in=programma_indicatoren)
    if perioden is not None:
        streef = streef.filter(periode__in=perioden)
        programmastreef = programmastreef.filter(jaar__in={int(p[:4]) for p in perioden})
    if status_achteraf:
        metingen_frame = _kolommen(
            metingen.order_by().values_list("indicator_id", "periode", _float("waarde"), "status"),
            {"indicator_id": ID, "periode": TEKST, "waarde": GETAL, "status": TEKST},
        )
        metingen_frame = metingen_frame[metingen_frame["status"] == Beoordeling.GOEDGEKEURD]
    else:
        metingen_frame = _kolommen(
            metingen.filter(status=Beoordeling.GOEDGEKEURD)
            .order_by()
            .values_list("indicator_id", "periode", _float("waarde")),
            {"indicator_id": ID, "periode": TEKST, "waarde": GETAL},
        )
    return {
        "metingen": metingen_frame,
        "indicatoren": pd.DataFrame.from_records(
            list(
                indicatoren.order_by().values_list(
                    "id",
                    "doel__project_id",
                    "programma_indicator_id",
                    "aggregatie",
                    "cumulatief",
                    "richting",
                )
            ),
            columns=[
                "indicator_id",
                "project_id",
                "programma_indicator_id",
                "aggregatie",
                "cumulatief",
                "richting",
            ],
        ),
        "streefwaarden": _kolommen(
            streef.order_by().values_list("indicator_id", "periode", _float("waarde")),
            {"indicator_id": ID, "periode": TEKST, "waarde": GETAL},
        ),
        "programma_indicatoren": pd.DataFrame.from_records(
            list(
                programma_indicatoren.order_by().values_list(
                    "id", "aggregatie", "cumulatief", "richting", "eenheid"
                )
            ),
            columns=["programma_indicator_id", "aggregatie", "cumulatief", "richting", "eenheid"],
        ),
        "programmastreefwaarden": _kolommen(
            programmastreef.order_by().values_list("indicator_id", "jaar", _float("waarde")),
            {"programma_indicator_id": ID, "jaar": ID, "waarde": GETAL},
        ),
        "projectgebieden": _kolommen(
            Project.focusgebieden.through.objects.filter(project__in=projecten)
            .order_by()
            .values_list("project_id", "focusgebied_id"),
            {"project_id": ID, "focusgebied_id": ID},
        ),
        "projectthemas": _kolommen(
            Project.themas.through.objects.filter(project__in=projecten)
            .order_by()
            .values_list("project_id", "thema_id"),
            {"project_id": ID, "thema_id": ID},
        ),
    }


def _opgeslagen(filter_: Q, *, plaats: bool = False) -> pd.DataFrame:
    """Stored stands: ``id`` and ``vingerafdruk`` (0 for a row without one), which is all
    a comparison with computed stands needs. With ``plaats`` also the columns that pick
    the rows an incremental update recomputes: ``niveau`` (fetched as its index in
    ``aggregaties.NIVEAUS``, a small int costs less than a string, and turned into a
    categorical), ``indicator_id``, ``programma_indicator_id`` and ``periode``."""
    kolommen = {"id": ID, "vingerafdruk": GEHEEL}
    velden: list[Any] = ["id", Coalesce("vingerafdruk", Value(0))]
    if plaats:
        kolommen |= {
            "niveau": ID,
            "indicator_id": ID,
            "programma_indicator_id": ID,
            "periode": TEKST,
        }
        niveau = Case(
            *(When(niveau=n, then=Value(i)) for i, n in enumerate(agg.NIVEAUS)),
            default=Value(-1),
            output_field=IntegerField(),
        )
        velden += [niveau, "indicator_id", "programma_indicator_id", "periode"]
    standen = _kolommen(
        Indicatorstand.objects.filter(filter_).order_by().values_list(*velden), kolommen
    )
    if plaats:
        standen["niveau"] = pd.Categorical.from_codes(
            standen["niveau"].to_numpy(dtype=np.int64), categories=list(agg.NIVEAUS)
        )
    return standen


# --- writing ---------------------------------------------------------------------------


def _vergrendel(programma_id: int) -> None:
    """Serialise the writes of aggregation runs for one programme. SQLite has one writer
    at a time anyway; PostgreSQL gets an advisory lock that is released with the
    transaction and blocks nothing but other aggregation runs."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [VERGRENDELING, programma_id])


def _verwijder(ids: np.ndarray) -> int:
    lijst = ids.tolist()
    for begin in range(0, len(lijst), VERWIJDERPORTIE):
        Indicatorstand.objects.filter(pk__in=lijst[begin : begin + VERWIJDERPORTIE]).delete()
    return len(lijst)


def _geen_nan(waarden: np.ndarray) -> list[float | None]:
    return [None if w != w else w for w in waarden.tolist()]


def _geen_nul(waarden: np.ndarray) -> list[int | None]:
    return [w or None for w in waarden.tolist()]


_VELDEN = [
    "niveau",
    "programma",
    "indicator",
    "programma_indicator",
    "project",
    "focusgebied",
    "thema",
    "periode",
    "waarde",
    "streefwaarde",
    "percentage_streefwaarde",
    "op_koers",
    "aantal_metingen",
    "berekend_op",
    "vingerafdruk",
]


def _porties(
    programma_id: int, standen: pd.DataFrame, vingerafdrukken: np.ndarray, berekend_op: Any
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows to insert as database parameters, a portion at a time."""
    for begin in range(0, len(standen), PORTIE):
        deel = standen.iloc[begin : begin + PORTIE]
        n = len(deel)
        yield list(
            zip(
                np.asarray(deel["niveau"], dtype=object).tolist(),
                [programma_id] * n,
                *(_geen_nul(deel[k].to_numpy(dtype=np.int64)) for k in agg.ID_KOLOMMEN),
                np.asarray(deel["periode"], dtype=object).tolist(),
                _geen_nan(deel["waarde"].to_numpy(dtype=np.float64)),
                _geen_nan(deel["streefwaarde"].to_numpy(dtype=np.float64)),
                _geen_nan(deel["percentage_streefwaarde"].to_numpy(dtype=np.float64)),
                deel["op_koers"].astype("boolean").to_numpy(dtype=object, na_value=None).tolist(),
                deel["aantal_metingen"].to_numpy(dtype=np.int64).tolist(),
                [berekend_op] * n,
                vingerafdrukken[begin : begin + PORTIE].tolist(),
                strict=True,
            )
        )


def _invoegen(programma_id: int, standen: pd.DataFrame, vingerafdrukken: np.ndarray) -> int:
    """Insert computed stands with their fingerprints: ``executemany`` on SQLite, ``COPY``
    on PostgreSQL.

    ``bulk_create`` prepares every field of every object in Python, about 50 µs a row:
    most of a minute for the million project rows of a large programme. The values
    here are already what the fields store: floats rounded to the field's decimals (the
    double nearest to that decimal, which is what SQLite stores for the Decimal's text
    and what PostgreSQL parses it from), None for none, one timestamp for the run."""
    if standen.empty:
        return 0
    meta = Indicatorstand._meta
    kolom = {f.name: f.column for f in meta.concrete_fields}
    tabel = connection.ops.quote_name(meta.db_table)
    namen = ", ".join(connection.ops.quote_name(kolom[v]) for v in _VELDEN)
    porties = _porties(
        programma_id,
        standen,
        vingerafdrukken,
        connection.ops.adapt_datetimefield_value(timezone.now()),
    )
    with connection.cursor() as cursor, _zonder_gc():
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {tabel} ({namen}) FROM STDIN") as copy:
                for portie in porties:
                    for rij in portie:
                        copy.write_row(rij)
        else:
            plaatsen = ", ".join(["%s"] * len(_VELDEN))
            sql = f"INSERT INTO {tabel} ({namen}) VALUES ({plaatsen})"
            for portie in porties:
                cursor.executemany(sql, portie)
    return len(standen)


def _secundaire_indexen() -> list[tuple[str, str]]:
    """(name, definition) of the stands table's indexes other than its primary key."""
    tabel = Indicatorstand._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)"
                " FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
                " ORDER BY 1",
                [tabel],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL ORDER BY name",
                [tabel],
            )
        return [(naam, definitie) for naam, definitie in cursor.fetchall()]


@contextmanager
def _indexen_achteraf(aantal: int) -> Iterator[None]:
    """Around a large insert, inside the caller's transaction: drop the secondary
    indexes of the stands table first and build them again after. A failure (a
    duplicate that the unique index refuses when it is built) rolls back the whole
    transaction, indexes included. On PostgreSQL dropping an index locks the table until
    the commit, so readers of stands wait for a large rewrite (a first computation or
    ``aggregeer --herschrijven``); smaller writes keep the indexes."""
    if aantal < HERBOUWDREMPEL or aantal < Indicatorstand.objects.count():
        yield
        return
    indexen = _secundaire_indexen()
    with connection.cursor() as cursor:
        for naam, _ in indexen:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(naam)}")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The foreign keys are checked at commit; PostgreSQL builds no index on a
            # table with checks still pending, so run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _, definitie in indexen:
            cursor.execute(definitie)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _schrijven(
    programma_id: int, nieuw: pd.DataFrame, opgeslagen: pd.DataFrame, alles: Q | None = None
) -> tuple[int, int]:
    """Make the stored rows equal to ``nieuw``, comparing fingerprints; ``alles`` selects
    every stored row of the scope, for clearing at once when most of them have to go."""
    afdrukken = agg.vingerafdrukken(nieuw)
    toevoegen, weg = agg.verschil(afdrukken, opgeslagen["vingerafdruk"].to_numpy())
    if alles is not None and weg.sum() > VERVANGDREMPEL * len(opgeslagen):
        Indicatorstand.objects.filter(alles).delete()
        with _indexen_achteraf(len(nieuw)):
            return _invoegen(programma_id, nieuw, afdrukken), len(opgeslagen)
    # First: a changed row comes back with the same identity.
    verwijderd = _verwijder(opgeslagen["id"].to_numpy()[weg])
    if not toevoegen.all():
        nieuw, afdrukken = nieuw[toevoegen], afdrukken[toevoegen]
    with _indexen_achteraf(len(nieuw)):
        return _invoegen(programma_id, nieuw, afdrukken), verwijderd


# --- full recompute --------------------------------------------------------------------


def _herberekenen(programma: Programma, *, herschrijven: bool) -> Resultaat:
    resultaat = Resultaat(programmas=1)
    begin = time.perf_counter()
    klok = _Klok(resultaat.fasen)
    leesmoment = timezone.now()
    invoer = _invoer(
        metingen=Meting.objects.filter(indicator__doel__project__programma=programma),
        indicatoren=Indicator.objects.filter(doel__project__programma=programma),
        programma_indicatoren=Programmaindicator.objects.filter(programma=programma),
        projecten=Project.objects.filter(programma=programma),
    )
    klok.stap("metingen lezen")
    nieuw = agg.standen_berekenen(**invoer)
    resultaat.metingen, resultaat.standen = len(invoer["metingen"]), len(nieuw)
    del invoer
    klok.stap("berekenen")

    with transaction.atomic():
        _vergrendel(programma.pk)
        van_programma = Q(programma=programma)
        opgeslagen = _opgeslagen(van_programma)
        if herschrijven:  # as if no stored row had a fingerprint: none is kept
            opgeslagen["vingerafdruk"] = 0
        klok.stap("standen lezen")
        resultaat.toegevoegd, resultaat.verwijderd = _schrijven(
            programma.pk, nieuw, opgeslagen, alles=van_programma
        )
        del opgeslagen, nieuw
        klok.stap("vergelijken en schrijven")
        # Approvals that landed while this run was reading: their incremental update may
        # already have run, and what was written above predates them.
        # By the index on the change time alone: with the programme in the filter
        # SQLite walks every measurement of the programme instead (0.3 s a night).
        ingehaald = [
            pk
            for pk, programma_id in Meting.objects.filter(
                gewijzigd_op__gte=leesmoment - INHAALMARGE
            )
            .order_by()
            .values_list("pk", "indicator__doel__project__programma_id")
            if programma_id == programma.pk
        ]
        if ingehaald:
            inhaal = _bijwerken(ingehaald)
            resultaat.ingehaald = len(ingehaald)
            resultaat.toegevoegd += inhaal.toegevoegd
            resultaat.verwijderd += inhaal.verwijderd
        klok.stap("inhalen")
        if resultaat.toegevoegd or resultaat.verwijderd:
            registreer(
                actor=AUDITACTOR,
                actie="indicatorstanden_herberekenen",
                obj=programma,
                na=resultaat.als_dict(),
            )
    resultaat.seconden = time.perf_counter() - begin
    return resultaat


def standen_herberekenen(
    *, programma: Programma | None = None, herschrijven: bool = False
) -> Resultaat:
    """Recompute every stand of ``programma`` (or of every programme) from the approved
    measurements, and remove stands that should no longer exist. Safe to run at any
    time and any number of times: a second run finds nothing to change. A run that
    changed something leaves one audit record per programme with its counts.

    Stored stands are compared by fingerprint. ``herschrijven`` replaces every stand
    instead: the repair after stands were changed in the database by hand, which the
    comparison does not see."""
    begin = time.perf_counter()
    totaal = Resultaat()
    programmas = [programma] if programma is not None else list(Programma.objects.order_by("pk"))
    for p in programmas:
        totaal.tel_op(_herberekenen(p, herschrijven=herschrijven))
    totaal.seconden = time.perf_counter() - begin
    return totaal


# --- incremental -----------------------------------------------------------------------


def _jaarcodes(jaar: str) -> list[str]:
    """Every period code that lies in ``jaar``."""
    return [
        jaar,
        *(f"{jaar}-H{i}" for i in (1, 2)),
        *(f"{jaar}-K{i}" for i in range(1, 5)),
        *(f"{jaar}-{m:02d}" for m in range(1, 13)),
    ]


def _bijwerken(meting_ids: Iterable[int]) -> Resultaat:
    """Recompute the rows the measurements feed; inside the caller's transaction."""
    resultaat = Resultaat()
    ids = sorted(set(meting_ids))
    # A bulk review may approve thousands at once: in portions, so that no query carries
    # more ids than SQLite takes parameters.
    for begin in range(0, len(ids), IDPORTIE):
        per_programma: dict[int, list[tuple[int, str, int | None]]] = {}
        for indicator_id, periode, pi_id, programma_id in Meting.objects.filter(
            pk__in=ids[begin : begin + IDPORTIE]
        ).values_list(
            "indicator_id",
            "periode",
            "indicator__programma_indicator_id",
            "indicator__doel__project__programma_id",
        ):
            per_programma.setdefault(programma_id, []).append((indicator_id, periode, pi_id))
        for programma_id in sorted(per_programma):
            _vergrendel(programma_id)
            resultaat.tel_op(_bijwerken_programma(programma_id, per_programma[programma_id]))
    return resultaat


def _bijwerken_programma(
    programma_id: int, geraakt: list[tuple[int, str, int | None]]
) -> Resultaat:
    # The rows to recompute: the measurement's own period and its year, for its project
    # indicator and for the programme indicator that one is linked to.
    project_rijen: set[tuple[int, str]] = set()
    pi_rijen: set[tuple[int, str]] = set()
    for indicator_id, periode, pi_id in geraakt:
        for p in {periode, periode[:4]}:
            project_rijen.add((indicator_id, p))
            if pi_id:
                pi_rijen.add((pi_id, p))
    # Everything those rows depend on lies in the same years, in the measurements' own
    # indicators and in the indicators linked to the same programme indicators.
    codes = sorted({c for _, p in project_rijen for c in _jaarcodes(p[:4])})
    eigen = {i for i, _ in project_rijen}
    pis = {p for p, _ in pi_rijen}
    indicatoren = Indicator.objects.filter(
        Q(pk__in=eigen) | Q(programma_indicator_id__in=pis),
        doel__project__programma_id=programma_id,
    )
    indicator_ids: list[int] | QuerySet[Indicator] = list(indicatoren.values_list("pk", flat=True))
    if len(indicator_ids) > IDPORTIE:  # a subquery: slower on SQLite, but no parameter limit
        indicator_ids = indicatoren
    invoer = _invoer(
        # By id and period (the unique index), with the status filtered afterwards:
        # SQLite would otherwise walk the status index through all approved rows.
        metingen=Meting.objects.filter(indicator_id__in=indicator_ids, periode__in=codes),
        status_achteraf=True,
        indicatoren=Indicator.objects.filter(pk__in=indicator_ids),
        programma_indicatoren=Programmaindicator.objects.filter(pk__in=pis),
        projecten=Project.objects.filter(doelen__indicatoren__in=indicator_ids),
        perioden=codes,
    )
    berekend = agg.standen_berekenen(**invoer)
    nieuw = berekend[_binnen(berekend, project_rijen, pi_rijen)]

    perioden = {p for _, p in project_rijen}
    opgeslagen = _opgeslagen(
        Q(niveau=agg.PROJECT, indicator_id__in=eigen, periode__in=perioden)
        | Q(
            niveau__in=[agg.FOCUSGEBIED, agg.THEMA, agg.PROGRAMMA],
            programma_indicator_id__in=pis,
            periode__in=perioden,
        ),
        plaats=True,
    )
    opgeslagen = opgeslagen[_binnen(opgeslagen, project_rijen, pi_rijen)]
    toegevoegd, verwijderd = _schrijven(programma_id, nieuw, opgeslagen)
    return Resultaat(
        metingen=len(invoer["metingen"]),
        standen=len(nieuw),
        toegevoegd=toegevoegd,
        verwijderd=verwijderd,
    )


def _binnen(
    standen: pd.DataFrame, project_rijen: set[tuple[int, str]], pi_rijen: set[tuple[int, str]]
) -> np.ndarray:
    """Which stands are among the rows to recompute."""
    periode = np.asarray(standen["periode"], dtype=object)
    op_project = pd.MultiIndex.from_arrays([standen["indicator_id"], periode]).isin(
        list(project_rijen)
    )
    op_pi = pd.MultiIndex.from_arrays([standen["programma_indicator_id"], periode]).isin(
        list(pi_rijen)
    )
    return np.where(np.asarray(standen["niveau"] == agg.PROJECT), op_project, op_pi)


def standen_bijwerken(*, meting_ids: Iterable[int]) -> Resultaat:
    """Bring the stands in line after the given measurements changed (typically: were
    approved). Recomputes, from the current approved measurements, exactly the rows
    those measurements feed, with the outcome a full recompute would give them.

    Unknown ids are skipped: the rows of a deleted measurement are corrected by the
    nightly full recompute. Safe to run twice: the second run changes nothing."""
    begin = time.perf_counter()
    with transaction.atomic():
        resultaat = _bijwerken(meting_ids)
    resultaat.seconden = time.perf_counter() - begin
    return resultaat
