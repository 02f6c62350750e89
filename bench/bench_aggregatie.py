"""Aggregation at scale: the indicator stands of ``demo --schaal N`` (N=10: about a million
measurements, 965,000 of them approved).

On a copy of a cached database (built once with ``migrate`` and ``demo --schaal N`` into
``/tmp/ontschot-bench-schaalN.sqlite3`` when absent, about three minutes for N=10), each
case in its own child process, whose wall time, CPU time and peak RSS (``os.wait4``) are
taken around exactly the measured work:

- ``kale lezing``: merely reading the approved measurements that the recompute reads, with
  ``values_list`` (indicator, period, value; per programme, with the joins the recompute
  uses), the baseline;
- ``eerste herberekening``: the first full recompute, on an empty stands table: every
  stand is written (about 1.1 million rows);
- ``herberekening``: the full recompute as the nightly schedule runs it, when the stands
  are there: it reads the measurements, computes, reads the id and fingerprint of every
  stored stand, compares fingerprints and writes the difference (none, unless something
  drifted). Its ratio to the bare read is ``× lezing``; ``× beide`` is its ratio to
  merely reading both the measurements and every column of the stored stands with
  ``values_list`` (``kale lezing metingen + standen``), which is what comparing values
  column by column would have to read;
- ``incrementeel``: ``standen_bijwerken`` for one measurement just approved through
  ``meting_beoordelen``, repeated for several measurements of different programme
  indicators and periods: median and slowest. Afterwards a full recompute must find
  nothing to change (``afwijkingen``: rows it had to write or delete; 0 means the
  incremental updates equal the full recompute).

The bare read and the nightly recompute alternate, three times each, and the medians are
reported: the machine is shared and wall times wander. ``belasting`` is the one-minute
load average at the start; on a busy machine wall time stretches and CPU time much less.

    .venv/bin/python bench/run.py aggregatie
    BENCH_SCHAAL=2 .venv/bin/python bench/run.py aggregatie     # a smaller database

This file is also the child (``--geval NAME``): it prints one JSON line with its figures.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
HERHALINGEN = 3
INCREMENTEEL = 9


def schaal() -> int:
    return int(os.environ.get("BENCH_SCHAAL", "10"))


def cachepad(n: int) -> Path:
    return Path(tempfile.gettempdir()) / f"ontschot-bench-schaal{n}.sqlite3"


def _manage(argumenten: list[str], omgeving: dict[str, str], log: Path) -> None:
    with log.open("a") as uit:
        code = subprocess.call(
            [sys.executable, "manage.py", *argumenten],
            cwd=PROJECT,
            env=omgeving,
            stdout=uit,
            stderr=subprocess.STDOUT,
        )
    if code != 0:
        raise RuntimeError(f"manage.py {' '.join(argumenten)} faalde:\n{log.read_text()[-3000:]}")


def database(n: int) -> Path:
    """The cached scale-N database, built first when absent. It is built under a temporary
    name and renamed when complete, so a half-built file is never taken for the cache."""
    pad = cachepad(n)
    if pad.exists():
        return pad
    print(f"  … bouwt {pad} (demo --schaal {n}), eenmalig", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="ontschot-bench-bouw-", dir=pad.parent) as map_:
        bouw = Path(map_) / "bouw.sqlite3"
        log = Path(map_) / "bouw.log"
        omgeving = {**os.environ, "DATABASE_URL": f"sqlite:///{bouw}", "LOG_LEVEL": "WARNING"}
        _manage(["migrate", "--noinput", "-v0"], omgeving, log)
        _manage(
            ["demo", "--schaal", str(n), "--toegangsbestand", str(Path(map_) / "toegang.json")],
            omgeving,
            log,
        )
        with sqlite3.connect(bouw) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(bouw, pad)
    return pad


def _kind(geval: str, werkbestand: Path) -> dict[str, Any]:
    """Run one case in a child process; its figures plus its peak RSS (KiB on Linux)."""
    omgeving = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{werkbestand}",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "ontschot.settings",
        "PYTHONPATH": str(PROJECT),
    }
    with tempfile.TemporaryFile("w+") as uit:
        proces = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--geval", geval],
            cwd=PROJECT,
            env=omgeving,
            stdout=uit,
            stderr=subprocess.STDOUT,
        )
        _, status, gebruik = os.wait4(proces.pid, 0)
        uit.seek(0)
        tekst = uit.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"geval {geval} faalde:\n{tekst[-3000:]}")
    regel = [r for r in tekst.splitlines() if r.startswith("{")][-1]
    return {**json.loads(regel), "piek RSS MiB": gebruik.ru_maxrss / 1024}


# --- the child -------------------------------------------------------------------------


def _gemeten(werk: Any) -> dict[str, Any]:
    begin, begin_cpu = time.perf_counter(), time.process_time()
    extra = werk()
    return {"s": time.perf_counter() - begin, "CPU s": time.process_time() - begin_cpu, **extra}


def _kale_lezing() -> dict[str, Any]:
    from programma.models import Programma
    from projecten.models import Beoordeling, Meting

    aantal = 0
    for programma in Programma.objects.order_by("pk"):
        rijen = Meting.objects.filter(
            indicator__doel__project__programma=programma, status=Beoordeling.GOEDGEKEURD
        ).values_list("indicator_id", "periode", "waarde")
        for _ in rijen.iterator(chunk_size=10_000):
            aantal += 1
    return {"metingen": aantal}


def _kale_lezing_standen() -> dict[str, Any]:
    from rapportage.models import Indicatorstand

    aantal = 0
    rijen = Indicatorstand.objects.values_list(
        "id",
        "niveau",
        "indicator_id",
        "programma_indicator_id",
        "project_id",
        "focusgebied_id",
        "thema_id",
        "periode",
        "waarde",
        "streefwaarde",
        "percentage_streefwaarde",
        "op_koers",
        "aantal_metingen",
    )
    for _ in rijen.iterator(chunk_size=10_000):
        aantal += 1
    return {"standen": aantal}


def _herberekening() -> dict[str, Any]:
    from rapportage.services import standen_herberekenen

    resultaat = standen_herberekenen()
    return {
        "metingen": resultaat.metingen,
        "standen": resultaat.standen,
        "geschreven": resultaat.toegevoegd,
        "verwijderd": resultaat.verwijderd,
        "fasen": {k: round(v, 2) for k, v in resultaat.fasen.items() if "CPU" in k},
    }


def _incrementeel() -> dict[str, Any]:
    from programma.audit import Actor
    from programma.models import Rol
    from projecten.models import Beoordeling, Meting
    from projecten.services import meting_beoordelen
    from rapportage.services import standen_bijwerken, standen_herberekenen

    manager = Rol.objects.filter(soort=Rol.Soort.PROGRAMMAMANAGER).first()
    assert manager is not None
    actor = Actor(gebruiker=manager.gebruiker, namens="benchmark")
    # Submitted measurements of linked indicators, one per programme indicator and year,
    # spread over all of them: each approval touches other rows.
    wachtend = Meting.objects.filter(
        status=Beoordeling.INGEDIEND, indicator__programma_indicator__isnull=False
    ).order_by("indicator__programma_indicator_id", "periode", "pk")
    gekozen, gezien = [], set()
    for pk, pi, periode in wachtend.values_list(
        "pk", "indicator__programma_indicator_id", "periode"
    ):
        if (pi, periode[:4]) not in gezien:
            gezien.add((pi, periode[:4]))
            gekozen.append(pk)
    stap = max(len(gekozen) // INCREMENTEEL, 1)
    tijden, rijen = [], []
    for meting in Meting.objects.filter(pk__in=gekozen[::stap][:INCREMENTEEL]):
        meting_beoordelen(actor=actor, meting=meting, besluit=Beoordeling.GOEDGEKEURD)
        begin = time.perf_counter()
        resultaat = standen_bijwerken(meting_ids=[meting.pk])
        tijden.append(time.perf_counter() - begin)
        rijen.append(resultaat.toegevoegd + resultaat.verwijderd)
    controle = standen_herberekenen()
    return {
        "ms mediaan": statistics.median(tijden) * 1000,
        "ms max": max(tijden) * 1000,
        "keer": len(tijden),
        "rijen per keer": statistics.median(rijen),
        "afwijkingen": controle.toegevoegd + controle.verwijderd,
    }


GEVALLEN = {
    "lezing": _kale_lezing,
    "lezing standen": _kale_lezing_standen,
    "herberekening": _herberekening,
}


def kind(geval: str) -> None:
    import django

    django.setup()
    import rapportage.services  # noqa: F401  (pandas and numpy load outside the clock)

    uitkomst = _incrementeel() if geval == "incrementeel" else _gemeten(GEVALLEN[geval])
    print(json.dumps(uitkomst))


# --- the parent ------------------------------------------------------------------------


def _mediaan(metingen: list[dict[str, Any]], sleutel: str) -> float:
    return statistics.median(m[sleutel] for m in metingen)


def run() -> list[dict[str, Any]]:
    n = schaal()
    bron = database(n)
    belasting = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="ontschot-bench-aggr-", dir=bron.parent) as map_:
        werk = Path(map_) / "werk.sqlite3"
        shutil.copyfile(bron, werk)
        # The cache may predate the newest migrations (indexes, columns).
        _manage(
            ["migrate", "--noinput", "-v0"],
            {**os.environ, "DATABASE_URL": f"sqlite:///{werk}", "LOG_LEVEL": "WARNING"},
            Path(map_) / "migrate.log",
        )
        lezingen = [_kind("lezing", werk)]
        eerste = _kind("herberekening", werk)
        herberekeningen, standenlezingen = [], []
        for _ in range(HERHALINGEN):
            herberekeningen.append(_kind("herberekening", werk))
            standenlezingen.append(_kind("lezing standen", werk))
            if len(lezingen) < HERHALINGEN:
                lezingen.append(_kind("lezing", werk))
        incrementeel = _kind("incrementeel", werk)

    lezing_s, lezing_cpu = _mediaan(lezingen, "s"), _mediaan(lezingen, "CPU s")
    rijen: list[dict[str, Any]] = [
        {
            "geval": f"kale lezing, schaal {n}",
            "metingen": lezingen[0]["metingen"],
            "s": lezing_s,
            "CPU s": lezing_cpu,
            "piek RSS MiB": _mediaan(lezingen, "piek RSS MiB"),
            "belasting": belasting,
        }
    ]
    beide_s = lezing_s + _mediaan(standenlezingen, "s")
    beide_cpu = lezing_cpu + _mediaan(standenlezingen, "CPU s")
    rijen.append(
        {
            "geval": "kale lezing metingen + standen",
            "metingen": lezingen[0]["metingen"],
            "standen": standenlezingen[0]["standen"],
            "s": beide_s,
            "CPU s": beide_cpu,
            "piek RSS MiB": _mediaan(standenlezingen, "piek RSS MiB"),
        }
    )
    for naam, metingen in (
        ("eerste herberekening", [eerste]),
        ("herberekening", herberekeningen),
    ):
        rijen.append(
            {
                "geval": naam,
                "metingen": metingen[0]["metingen"],
                "standen": metingen[0]["standen"],
                "geschreven": metingen[-1]["geschreven"],
                "s": _mediaan(metingen, "s"),
                "CPU s": _mediaan(metingen, "CPU s"),
                "piek RSS MiB": max(m["piek RSS MiB"] for m in metingen),
                "× lezing": _mediaan(metingen, "s") / lezing_s,
                "× lezing CPU": _mediaan(metingen, "CPU s") / lezing_cpu,
                "× beide": _mediaan(metingen, "s") / beide_s,
                "fasen CPU s": ", ".join(
                    f"{k.removesuffix(' (CPU)')} {v}" for k, v in metingen[-1]["fasen"].items()
                ),
            }
        )
    rijen.append(
        {
            "geval": f"incrementeel ({incrementeel['keer']}×)",
            "ms mediaan": incrementeel["ms mediaan"],
            "ms max": incrementeel["ms max"],
            "geschreven": incrementeel["rijen per keer"],
            "afwijkingen": incrementeel["afwijkingen"],
        }
    )
    return rijen


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--geval":
        kind(sys.argv[2])
    else:
        for rij in run():
            print(rij)
