"""The jaarverantwoording at scale: the yearly report of ``demo --schaal N`` (N=10: 500
interventions, 10,000 project indicators, a million measurements).

On a copy of the cached scale database of the aggregation benchmark (built once when
absent), migrated and with its indicator stands computed once into
``/tmp/ontschot-bench-rapport-schaalN.sqlite3``, each case runs in its own child process,
whose wall time, CPU time and peak RSS (``os.wait4``) cover exactly the measured work:

- ``geheel``: what the background task does, ``rapporten.rapport_maken`` for a report
  just asked for: freeze the data into the snapshot, build the view-models, render the
  HTML, have WeasyPrint lay out and write the PDF/UA with the snapshot attached (JSON and
  a CSV per table), store the file and its SHA-256;
- ``weasyprint``: WeasyPrint's own rendering of the very HTML the first case rendered
  (``HTML(string).write_pdf(pdf_variant="pdf/ua-1")``), the baseline. ``× weasyprint`` is
  the ratio of the whole to it: what Ontschot adds around the renderer;
- ``worker``: a real ``qcluster`` (ORM broker, one worker, ``Q_MAX_RSS_KIB``) makes the
  report from the queue; the worker's RSS is read from ``/proc`` before, while and after:
  a worker that grew past the limit is replaced after its task, so memory returns to
  the baseline.

    .venv/bin/python bench/run.py rapport
    BENCH_SCHAAL=2 .venv/bin/python bench/run.py rapport

This file is also the child (``--geval NAME``): it prints one JSON line with its figures.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_aggregatie  # the cached scale database

PROJECT = Path(__file__).resolve().parent.parent
JAAR = 2025
MAX_RSS_KIB = 400 * 1024


def cachepad(n: int) -> Path:
    return Path(tempfile.gettempdir()) / f"ontschot-bench-rapport-schaal{n}.sqlite3"


def _omgeving(database: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "ontschot.settings",
        "PYTHONPATH": str(PROJECT),
        **extra,
    }


def database(n: int) -> Path:
    """The scale database with its stands computed, built once."""
    pad = cachepad(n)
    if pad.exists():
        return pad
    bron = bench_aggregatie.database(n)
    print(f"  … bouwt {pad} (migrate + aggregeer), eenmalig", file=sys.stderr, flush=True)
    tijdelijk = pad.with_suffix(".bouw")
    shutil.copyfile(bron, tijdelijk)
    for argumenten in (["migrate", "--noinput", "-v0"], ["aggregeer"]):
        subprocess.run(
            [sys.executable, "manage.py", *argumenten],
            cwd=PROJECT,
            env=_omgeving(tijdelijk),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    os.replace(tijdelijk, pad)
    return pad


def _kind(geval: str, werkbestand: Path, *argumenten: str) -> dict[str, Any]:
    with tempfile.TemporaryFile("w+") as uit:
        proces = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--geval", geval, *argumenten],
            cwd=PROJECT,
            env=_omgeving(werkbestand),
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


# --- the children ----------------------------------------------------------------------


def _programma() -> Any:
    from programma.models import Programma

    return Programma.objects.filter(code__startswith="nplv-schaal").get()


def _aanvragen() -> int:
    from programma.audit import Actor
    from rapportage.models import Rapport
    from rapportage.rapporten import rapport_aanvragen

    rapport = rapport_aanvragen(
        actor=Actor.systeem("benchmark"),
        soort=Rapport.Soort.JAARVERANTWOORDING,
        programma=_programma(),
        jaar=JAAR,
    )
    return rapport.pk


def _geheel(html_pad: str) -> dict[str, Any]:
    from rapportage import pdf, rapporten

    rapport_id = _aanvragen()
    bewaard: dict[str, str] = {}
    echt = pdf.pdf_maken

    def onthoud(*args: Any, **kwargs: Any) -> Any:
        uitkomst = echt(*args, **kwargs)
        bewaard["html"] = uitkomst.html
        return uitkomst

    pdf.pdf_maken = onthoud  # type: ignore[assignment]
    begin, begin_cpu = time.perf_counter(), time.process_time()
    with pdf.weasyprint_meldingen() as meldingen:
        rapport = rapporten.rapport_maken(rapport_id=rapport_id)
    seconden, cpu = time.perf_counter() - begin, time.process_time() - begin_cpu
    assert rapport is not None and rapport.status == "klaar"
    Path(html_pad).write_text(bewaard["html"])
    return {
        "s": seconden,
        "CPU s": cpu,
        "paginas": rapport.paginas,
        "MB": rapport.pdf.size / 1e6,
        "meldingen": len(meldingen),
        "bijlagen": len(rapport.momentopname["tabellen"]) + 1,  # type: ignore[index]
    }


def _weasyprint(html_pad: str) -> dict[str, Any]:
    import weasyprint

    from rapportage.pdf import SCHEMA, url_fetcher

    tekst = Path(html_pad).read_text()
    begin, begin_cpu = time.perf_counter(), time.process_time()
    document = weasyprint.HTML(string=tekst, base_url=SCHEMA, url_fetcher=url_fetcher()).render(
        pdf_variant="pdf/ua-1"
    )
    document.write_pdf(pdf_variant="pdf/ua-1")
    return {
        "s": time.perf_counter() - begin,
        "CPU s": time.process_time() - begin_cpu,
        "paginas": len(document.pages),
    }


def kind(geval: str, argument: str) -> None:
    import django

    django.setup()
    import weasyprint  # noqa: F401  (loads outside the clock, as in a running worker)

    import rapportage.pdf  # noqa: F401

    uitkomst = _geheel(argument) if geval == "geheel" else _weasyprint(argument)
    print(json.dumps(uitkomst))


# --- the worker ------------------------------------------------------------------------


def _kinderen(pid: int) -> list[int]:
    """Every descendant process of ``pid`` (from /proc)."""
    ouders: dict[int, list[int]] = {}
    for ingang in Path("/proc").iterdir():
        if not ingang.name.isdigit():
            continue
        try:
            status = (ingang / "status").read_text()
        except OSError:
            continue
        ppid = int(next(r for r in status.splitlines() if r.startswith("PPid:")).split()[1])
        ouders.setdefault(ppid, []).append(int(ingang.name))
    uit, open_ = [], [pid]
    while open_:
        for kind_ in ouders.get(open_.pop(), []):
            uit.append(kind_)
            open_.append(kind_)
    return uit


def _rss_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    regels = [r for r in status.splitlines() if r.startswith("VmRSS:")]
    return int(regels[0].split()[1]) / 1024 if regels else 0.0  # none for a zombie


def _grootste_kind(pid: int) -> float:
    return max((_rss_mib(k) for k in _kinderen(pid)), default=0.0)


def _worker(werkbestand: Path) -> dict[str, Any]:
    """Make the report through a real qcluster and follow the worker's memory."""
    omgeving = _omgeving(werkbestand, Q_WORKERS="1", Q_MAX_RSS_KIB=str(MAX_RSS_KIB))
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=PROJECT,
        env=omgeving,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(8)
        basis = _grootste_kind(cluster.pid)
        vraag = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); import sys; sys.path.insert(0, 'bench'); "
                "import bench_rapport as b; print(b._aanvragen())",
            ],
            cwd=PROJECT,
            env=omgeving,
            check=True,
            capture_output=True,
            text=True,
        )
        rapport_id = int(vraag.stdout.strip().splitlines()[-1])
        status = _status_lezer(omgeving)
        piek, begin = basis, time.perf_counter()
        while time.perf_counter() - begin < 900:
            piek = max(piek, _grootste_kind(cluster.pid))
            if status(rapport_id) in ("klaar", "mislukt"):
                break
            time.sleep(0.5)
        klaar = time.perf_counter() - begin
        eind = status(rapport_id)
        time.sleep(10)  # the worker is replaced after its task when it grew too large
        na = _grootste_kind(cluster.pid)
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)
        try:
            cluster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait(timeout=30)
    return {
        "status": eind,
        "s": klaar,
        "RSS voor MiB": basis,
        "RSS piek MiB": piek,
        "RSS na MiB": na,
    }


def _status_lezer(omgeving: dict[str, str]) -> Any:
    import sqlite3

    pad = omgeving["DATABASE_URL"].removeprefix("sqlite:///")

    def status(rapport_id: int) -> str:
        with sqlite3.connect(pad, timeout=30) as db:
            rij = db.execute(
                "SELECT status FROM rapportage_rapport WHERE id = ?", (rapport_id,)
            ).fetchone()
        return str(rij[0]) if rij else ""

    return status


# --- the parent ------------------------------------------------------------------------


def run() -> list[dict[str, Any]]:
    n = bench_aggregatie.schaal()
    bron = database(n)
    belasting = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="ontschot-bench-rapport-", dir=bron.parent) as map_:
        werk = Path(map_) / "werk.sqlite3"
        shutil.copyfile(bron, werk)
        # The cache may predate the newest migrations.
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=PROJECT,
            env=_omgeving(werk),
            check=True,
        )
        html_pad = Path(map_) / "rapport.html"
        geheel = _kind("geheel", werk, str(html_pad))
        alleen = _kind("weasyprint", werk, str(html_pad))
        worker = _worker(werk)
    return [
        {
            "geval": f"jaarverantwoording schaal {n} (geheel)",
            "s": geheel["s"],
            "CPU s": geheel["CPU s"],
            "piek RSS MiB": geheel["piek RSS MiB"],
            "paginas": geheel["paginas"],
            "MB": geheel["MB"],
            "bijlagen": geheel["bijlagen"],
            "WeasyPrint-meldingen": geheel["meldingen"],
            "× weasyprint": geheel["s"] / alleen["s"],
            "× weasyprint CPU": geheel["CPU s"] / alleen["CPU s"],
            "belasting": belasting,
        },
        {
            "geval": "alleen WeasyPrint, dezelfde HTML",
            "s": alleen["s"],
            "CPU s": alleen["CPU s"],
            "piek RSS MiB": alleen["piek RSS MiB"],
            "paginas": alleen["paginas"],
        },
        {"geval": f"qcluster-worker (max_rss {MAX_RSS_KIB // 1024} MiB)", **worker},
    ]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--geval":
        kind(sys.argv[2], sys.argv[3])
    else:
        for rij in run():
            print(rij)
