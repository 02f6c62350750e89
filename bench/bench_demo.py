"""Building the demo at scale: time and peak memory of

    python manage.py migrate && python manage.py demo --schaal N

on a fresh SQLite database, for a small baseline (N=1) and the large case (N=10, or
``BENCH_SCHAAL``) in the same run, with the ratios between them. Time per measurement
should stay flat as N grows and peak memory should hardly grow at all: the scale build
inserts in portions and never holds the whole portfolio.

"belasting" is the machine's one-minute load average when a case starts: on a busy
machine wall times stretch, CPU times much less.
"""

import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
BASIS = 1
# What ``demo --schaal`` prints when it has built the large programme.
BOUWREGEL = re.compile(
    r"opgebouwd: (?P<projecten>\d+) projecten, (?P<metingen>\d+) metingen "
    r"in (?P<s>[\d.]+) s, (?P<cpu>[\d.]+) s CPU"
)


def _stap(argumenten: list[str], omgeving: dict[str, str], log: Path) -> tuple[float, float, int]:
    """Run one manage.py command; return its wall time and CPU time in seconds and its peak
    RSS in KiB (``os.wait4`` gives the usage of exactly this child). CPU time is the
    steadier figure on a shared machine."""
    begin = time.perf_counter()
    with log.open("a") as uit:
        proces = subprocess.Popen(
            [sys.executable, "manage.py", *argumenten],
            cwd=PROJECT,
            env=omgeving,
            stdout=uit,
            stderr=subprocess.STDOUT,
        )
        _, status, gebruik = os.wait4(proces.pid, 0)
    duur = time.perf_counter() - begin
    proces.returncode = os.waitstatus_to_exitcode(status)
    if proces.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(argumenten)} faalde:\n{log.read_text()[-3000:]}")
    return duur, gebruik.ru_utime + gebruik.ru_stime, gebruik.ru_maxrss  # KiB on Linux


def meet(schaal: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ontschot-bench-") as map_:
        database = Path(map_) / "bench.sqlite3"
        log = Path(map_) / "uitvoer.log"
        omgeving = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "LOG_LEVEL": "WARNING"}
        belasting = os.getloadavg()[0]
        migreren, _, rss_migreren = _stap(["migrate", "--noinput", "-v0"], omgeving, log)
        demo, cpu, rss_demo = _stap(
            [
                "demo",
                "--schaal",
                str(schaal),
                "--toegangsbestand",
                str(Path(map_) / "toegang.json"),
            ],
            omgeving,
            log,
        )
        bouw = BOUWREGEL.search(log.read_text())
        if bouw is None:
            raise RuntimeError(f"Geen regel over de schaalopbouw in:\n{log.read_text()[-3000:]}")
        with sqlite3.connect(database) as db:
            alle_metingen = db.execute("SELECT COUNT(*) FROM projecten_meting").fetchone()[0]
        grootte = sum(p.stat().st_size for p in Path(map_).glob("bench.sqlite3*"))
    metingen, schaal_s, schaal_cpu = int(bouw["metingen"]), float(bouw["s"]), float(bouw["cpu"])
    return {
        "geval": f"schaal {schaal}",
        "projecten": int(bouw["projecten"]),
        "metingen": metingen,
        "metingen in db": alle_metingen,
        "totaal s": migreren + demo,
        "demo CPU s": cpu,
        "schaal s": schaal_s,
        "schaal CPU s": schaal_cpu,
        "µs/meting": schaal_s / metingen * 1e6,
        "µs CPU/meting": schaal_cpu / metingen * 1e6,
        "piek RSS MiB": max(rss_migreren, rss_demo) / 1024,
        "database MiB": grootte / 2**20,
        "belasting": belasting,
    }


def run() -> list[dict[str, Any]]:
    groot = int(os.environ.get("BENCH_SCHAAL", "10"))
    basis = meet(BASIS)
    if groot == BASIS:
        return [basis]
    groot_ = meet(groot)
    verhouding: dict[str, Any] = {"geval": f"verhouding {groot}/{BASIS}"}
    for sleutel, waarde in groot_.items():
        if isinstance(waarde, int | float) and sleutel != "belasting" and basis[sleutel]:
            verhouding[sleutel] = waarde / basis[sleutel]
    return [basis, groot_, verhouding]
