"""The partner API under load: gunicorn on loopback, a load generator in its own processes.

For each database (SQLite, then PostgreSQL), on a fresh, empty database:

1. migrate, and build through the services one partner organisation with an API key carrying
   every scope and two running projects with 50 indicators each over 40 years, so that every
   POST can target a fresh indicator × month (a second measurement for a pair is a 409);
2. start ``gunicorn ontschot.wsgi`` (DEBUG=0, a temporary MEDIA_ROOT, the rate limit raised
   with API_LIMIET_PER_MINUUT=1000000) on 127.0.0.1 and a free port, its log in a temporary
   file whose tail is printed if anything fails; it is always stopped;
3. load it from separate processes: N closed-loop clients (threads), each on its own
   persistent HTTP/1.1 connection (``http.client``), after a short warm-up:

   - ``GET /ping``: the trivial authenticated endpoint, the ceiling;
   - ``POST /metingen``: every request a new indicator × period with its own
     Idempotency-Key; every answer must be 201. Goal: at least half of ping's throughput
     (``verhouding``);
   - ``POST /metingen/batch``: one batch of 10,000 measurements. Goal: ≤ 2 s;
   - ``afstemming``: every measurement sent (warm-up, single POSTs, batch) against the 201s,
     the rows in the database and the audit trail.

Figures, no assertions. The load generator shares the machine with the server; on a small
machine its CPU (``lader_cores``) is taken from the server, so absolute rates are lower
than on a dedicated host. ``server_cpu_ms`` is the CPU time of the gunicorn workers per
request (PostgreSQL's own backend processes not included): the figure least disturbed by
other work on the machine; ``cpu_per_ping`` divides a scenario's by ping's, the ratio
least disturbed by it. ``verbindingen`` counts the TCP connections the clients opened
(one per client when keep-alive works). ``belasting`` and ``belasting_na`` are the
one-minute load average when the database's run starts and when its load has ended:
above the 2 cores, other work took CPU from the server and the load generator.

    .venv/bin/python bench/run.py api
    BENCH_API_SECONDEN=5 .venv/bin/python bench/run.py api     # shorter runs

Settings (environment): BENCH_API_SECONDEN (12 s per scenario), BENCH_API_CLIENTS (8),
BENCH_API_PROCESSEN (load generator processes, 2), BENCH_API_WORKERS (2),
BENCH_API_WORKERKLASSE (gthread with one thread: the sync worker closes every connection),
BENCH_API_CONN_MAX_AGE (unset: the app's default, 600 s on SQLite and a new connection per request on PostgreSQL),
BENCH_API_DATABASES (sqlite,postgresql), BENCH_API_PG_URL
(postgres://postgres@127.0.0.1:5432/ontschot_bench; the database is created and dropped),
BENCH_API_WSGI (ontschot.wsgi:application; another WSGI module on PYTHONPATH, to measure a
candidate fix without changing the app).

This file is also the helper that builds the data (``--opzetten``), counts the result
(``--tellen``) and generates the load (``--laden``); each runs in its own process.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parent.parent
HIER = Path(__file__).resolve()

INDICATOREN = 50  # per project
JAREN = (2000, 2039)  # months 2000-01 .. 2039-12: 480 periods × 50 = 24,000 pairs a project
OPWARMEN = 2_000  # pairs set aside for the warm-up POSTs
BATCH = 10_000
DOEL_POST_VERHOUDING = 0.5
DOEL_BATCH_SECONDEN = 2.0
PG_STANDAARD = "postgres://postgres@127.0.0.1:5432/ontschot_bench"


def _instelling(naam: str, standaard: str) -> str:
    return os.environ.get(naam) or standaard


# --- helpers that run in their own process ----------------------------------------------------


def _django() -> None:
    sys.path.insert(0, str(PROJECT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ontschot.settings")
    import django

    django.setup()


def opzetten() -> dict[str, Any]:
    """Build the programme, the partner, its key and two projects through the services
    (validated and audited as in production); return what the load generator needs."""
    _django()
    from datetime import date

    from programma import services as ps
    from programma.audit import Actor
    from programma.models import ApiSleutel, Organisatie
    from projecten import services as prs
    from projecten.models import Project

    actor = Actor.systeem("bench_api")
    ministerie = ps.organisatie_aanmaken(
        actor=actor, naam="Ministerie van Benchmarks", soort=Organisatie.Soort.MINISTERIE
    )
    partner = ps.organisatie_aanmaken(
        actor=actor, naam="Stichting Belasting", soort=Organisatie.Soort.WELZIJN
    )
    programma = ps.programma_aanmaken(
        actor=actor,
        code="bench",
        naam="Benchmarkprogramma",
        opdrachtgever=ministerie,
        startjaar=JAREN[0],
        eindjaar=JAREN[1],
    )
    _, sleutel = ps.api_sleutel_aanmaken(
        actor=actor, organisatie=partner, naam="bench", scopes=ApiSleutel.Scope.values
    )
    projecten: dict[str, list[int]] = {}
    for code in ("bench-los", "bench-batch"):
        project = prs.project_aanmaken(
            actor=actor,
            programma=programma,
            code=code,
            titel=f"Belastingproef {code}",
            penvoerder=partner,
            startdatum=date(JAREN[0], 1, 1),
            einddatum=date(JAREN[1], 12, 31),
            rapportagefrequentie=Project.Frequentie.JAAR,
        )
        for status in ("ingediend", "toegekend", "lopend"):
            project = prs.project_status_wijzigen(actor=actor, project=project, status=status)
        doel = prs.doel_aanmaken(actor=actor, project=project, titel="Meetbaar resultaat")
        projecten[code] = [
            prs.indicator_aanmaken(actor=actor, doel=doel, naam=f"Indicator {i + 1}").pk
            for i in range(INDICATOREN)
        ]
    perioden = [f"{j}-{m:02d}" for j in range(JAREN[0], JAREN[1] + 1) for m in range(1, 13)]
    return {"sleutel": sleutel, "projecten": projecten, "perioden": perioden}


def tellen() -> dict[str, Any]:
    _django()
    from programma.models import Auditregel, Idempotentieverzoek
    from projecten.models import Meting

    per_project = Counter(
        Meting.objects.values_list("indicator__doel__project__code", flat=True).iterator()
    )
    return {
        "metingen": Meting.objects.count(),
        "per_project": dict(per_project),
        "audit": Auditregel.objects.filter(actie="meting_indienen").count(),
        "idempotentie": Idempotentieverzoek.objects.count(),
    }


def laden(opdracht: dict[str, Any]) -> dict[str, Any]:
    """Closed-loop clients, one thread and one persistent connection each, from
    ``start_om`` (wall clock, shared with the other load processes) for ``seconden``, or
    until a client has no fresh indicator × period left. Returns every latency."""
    host, port = opdracht["host"], opdracht["port"]
    kop = {"Authorization": f"Bearer {opdracht['sleutel']}"}
    einde = opdracht["start_om"] + opdracht["seconden"]
    resultaten: list[dict[str, Any]] = []

    def client(paren: list[list[Any]] | None) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=120)
        latenties: list[float] = []
        statussen: Counter[str] = Counter()
        verbindingen = gemaakt = volgende = 0
        uitgeput = False
        while time.time() < opdracht["start_om"]:
            time.sleep(0.001)
        while time.time() < einde:
            body: bytes | None = None
            extra: dict[str, str] = {}
            if paren is None:
                methode, pad = "GET", "/api/v1/ping"
            else:
                if volgende >= len(paren):
                    uitgeput = True
                    break
                indicator, periode = paren[volgende]
                volgende += 1
                methode, pad = "POST", "/api/v1/metingen"
                body = json.dumps(
                    {"indicator": indicator, "periode": periode, "waarde": "12.5", "bron": "bench"}
                ).encode()
                extra = {
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"{opdracht['run']}-{indicator}-{periode}",
                }
            if conn.sock is None:
                verbindingen += 1
            begin = time.perf_counter()
            try:
                conn.request(methode, pad, body=body, headers={**kop, **extra})
                antwoord = conn.getresponse()
                antwoord.read()
                status = str(antwoord.status)
            except (OSError, http.client.HTTPException) as fout:
                status = type(fout).__name__
                conn.close()
            latenties.append((time.perf_counter() - begin) * 1000)
            statussen[status] += 1
            gemaakt += status == "201"
        klaar = time.time()
        conn.close()
        resultaten.append(
            {
                "latenties": latenties,
                "statussen": statussen,
                "verbindingen": verbindingen,
                "klaar": klaar,
                "uitgeput": uitgeput,
                "gemaakt": gemaakt,
            }
        )

    cpu_voor = os.times()
    draden = [
        threading.Thread(target=client, args=(paren,))
        for paren in opdracht.get("paren") or [None] * opdracht["clients"]
    ]
    for draad in draden:
        draad.start()
    for draad in draden:
        draad.join()
    cpu_na = os.times()
    statussen: Counter[str] = Counter()
    for r in resultaten:
        statussen.update(r["statussen"])
    return {
        "latenties": [round(x, 3) for r in resultaten for x in r["latenties"]],
        "statussen": dict(statussen),
        "verbindingen": sum(r["verbindingen"] for r in resultaten),
        "klaar": max(r["klaar"] for r in resultaten),
        "uitgeput": any(r["uitgeput"] for r in resultaten),
        "gemaakt": sum(r["gemaakt"] for r in resultaten),
        "cpu": (cpu_na.user + cpu_na.system) - (cpu_voor.user + cpu_voor.system),
    }


# --- the server -------------------------------------------------------------------------------


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _staart(log: Path, regels: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-regels:])
    except OSError:
        return "(geen log)"


def _kinderen(pid: int) -> list[int]:
    """The child processes of ``pid`` (the gunicorn workers), from /proc."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            velden = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(velden[1]) == pid:
            pids.append(int(stat.parent.name))
    return pids


def _cpu_seconden(pids: list[int]) -> float:
    """User + system CPU of ``pids`` so far (Linux /proc), in seconds."""
    tik = os.sysconf("SC_CLK_TCK")
    totaal = 0
    for pid in pids:
        try:
            velden = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        totaal += int(velden[11]) + int(velden[12])
    return totaal / tik


class Server:
    def __init__(self, omgeving: dict[str, str], map_: Path) -> None:
        self.poort = _vrije_poort()
        self.log = map_ / "gunicorn.log"
        self.omgeving = omgeving
        self.proces: subprocess.Popen[bytes] | None = None
        self.workers: list[int] = []

    def start(self) -> None:
        workers = _instelling("BENCH_API_WORKERS", "2")
        opdracht = [
            sys.executable,
            "-m",
            "gunicorn",
            _instelling("BENCH_API_WSGI", "ontschot.wsgi:application"),
            "--bind",
            f"127.0.0.1:{self.poort}",
            "--workers",
            workers,
            "--threads",
            "1",
            "--worker-class",
            _instelling("BENCH_API_WORKERKLASSE", "gthread"),
            "--keep-alive",
            "10",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "--error-logfile",
            "-",
        ]
        with self.log.open("ab") as uit:
            self.proces = subprocess.Popen(
                opdracht,
                cwd=PROJECT,
                env=self.omgeving,
                stdout=uit,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while True:
            if self.proces.poll() is not None:
                raise RuntimeError(f"gunicorn stopte met code {self.proces.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn antwoordt niet binnen 60 s")
            try:
                # Without a key: 401 means Django is loaded and answering.
                conn = http.client.HTTPConnection("127.0.0.1", self.poort, timeout=10)
                conn.request("GET", "/api/v1/ping")
                status = conn.getresponse().status
                conn.close()
            except OSError:
                time.sleep(0.1)
                continue
            if status != 401:
                raise RuntimeError(f"ping zonder sleutel gaf {status}, geen 401")
            break
        deadline = time.monotonic() + 10
        while len(self.workers) < int(workers) and time.monotonic() < deadline:
            self.workers = _kinderen(self.proces.pid)
            time.sleep(0.05)

    def cpu(self) -> float:
        return _cpu_seconden(self.workers)

    def stop(self) -> None:
        if self.proces is None or self.proces.poll() is not None:
            return
        self.proces.terminate()  # gunicorn stops its workers on SIGTERM
        try:
            self.proces.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proces.pid, signal.SIGKILL)  # its own session: only our processes
            self.proces.wait(5)


@contextmanager
def gunicorn(omgeving: dict[str, str], map_: Path) -> Iterator[Server]:
    server = Server(omgeving, map_)
    try:
        server.start()
        yield server
    except BaseException:
        print(f"  gunicorn-log (laatste regels):\n{_staart(server.log)}", file=sys.stderr)
        raise
    finally:
        server.stop()


# --- the measurement --------------------------------------------------------------------------


def _stap(argumenten: list[str], omgeving: dict[str, str]) -> str:
    """Run ``argumenten`` (after the Python interpreter) in the project; its stdout."""
    proces = subprocess.run(
        [sys.executable, *argumenten],
        cwd=PROJECT,
        env=omgeving,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proces.returncode != 0:
        raise RuntimeError(f"{' '.join(argumenten)} faalde:\n{proces.stderr[-3000:]}")
    return proces.stdout


def _helper(argument: str, omgeving: dict[str, str]) -> Any:
    return json.loads(_stap([str(HIER), argument], omgeving).splitlines()[-1])


def _percentiel(gesorteerd: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not gesorteerd:
        return None
    return gesorteerd[max(0, math.ceil(p / 100 * len(gesorteerd)) - 1)]


def belasten(
    server: Server, sleutel: str, seconden: float, paren: list[list[Any]] | None = None
) -> dict[str, Any]:
    """Load ``server`` from separate processes for ``seconden``: pings, or single POSTs of
    ``paren`` (indicator, period), each pair once. Merges the processes' results."""
    clients = int(_instelling("BENCH_API_CLIENTS", "8"))
    processen = max(1, min(clients, int(_instelling("BENCH_API_PROCESSEN", "2"))))
    per_client = [paren[i::clients] for i in range(clients)] if paren is not None else None
    start_om = time.time() + 1.0  # time for the processes to start
    opdrachten = []
    for p in range(processen):
        opdracht: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": server.poort,
            "sleutel": sleutel,
            "start_om": start_om,
            "seconden": seconden,
            "run": uuid.uuid4().hex[:12],
            "clients": len(range(p, clients, processen)),
        }
        if per_client is not None:
            opdracht["paren"] = per_client[p::processen]
        opdrachten.append(opdracht)
    cpu_voor = server.cpu()
    uitkomsten = []
    lopend: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="ontschot-bench-lader-") as map_:
        try:
            for p, opdracht in enumerate(opdrachten):
                pad = Path(map_) / f"opdracht-{p}.json"
                pad.write_text(json.dumps(opdracht))
                with (Path(map_) / f"uit-{p}.txt").open("w") as bestand:
                    lopend.append(
                        subprocess.Popen(
                            [sys.executable, str(HIER), "--laden", str(pad)],
                            stdout=bestand,
                            stderr=subprocess.STDOUT,
                        )
                    )
            for p, proces in enumerate(lopend):
                proces.wait(timeout=seconden + 300)
                uit = (Path(map_) / f"uit-{p}.txt").read_text()
                if proces.returncode != 0:
                    raise RuntimeError(f"laadgenerator faalde:\n{uit[-3000:]}")
                uitkomsten.append(json.loads(uit.splitlines()[-1]))
        finally:
            for proces in lopend:
                if proces.poll() is None:
                    proces.kill()
                    proces.wait()
    server_cpu = server.cpu() - cpu_voor
    latenties = sorted(x for u in uitkomsten for x in u["latenties"])
    statussen: Counter[str] = Counter()
    for u in uitkomsten:
        statussen.update(u["statussen"])
    duur = max(u["klaar"] for u in uitkomsten) - start_om
    verwacht = "201" if paren is not None else "200"
    return {
        "verzoeken": len(latenties),
        "per_seconde": len(latenties) / duur,
        "p50_ms": _percentiel(latenties, 50),
        "p95_ms": _percentiel(latenties, 95),
        "fouten": sum(n for s, n in statussen.items() if s != verwacht),
        "seconden": duur,
        "statussen": dict(statussen),
        "verbindingen": sum(u["verbindingen"] for u in uitkomsten),
        "gemaakt": sum(u["gemaakt"] for u in uitkomsten),
        "uitgeput": any(u["uitgeput"] for u in uitkomsten),
        "lader_cores": sum(u["cpu"] for u in uitkomsten) / duur,
        "server_cpu_ms": server_cpu / max(1, len(latenties)) * 1000,
    }


def batch_sturen(server: Server, sleutel: str, paren: list[list[Any]]) -> dict[str, Any]:
    """One POST /metingen/batch with every pair in ``paren``; wall time to the last byte."""
    items = [{"indicator": i, "periode": p, "waarde": "7.25", "bron": "bench"} for i, p in paren]
    body = json.dumps({"items": items}, separators=(",", ":")).encode()
    kop = {
        "Authorization": f"Bearer {sleutel}",
        "Content-Type": "application/json",
        "Idempotency-Key": f"bench-batch-{uuid.uuid4().hex[:12]}",
    }
    conn = http.client.HTTPConnection("127.0.0.1", server.poort, timeout=300)
    cpu_voor = server.cpu()
    begin = time.perf_counter()
    try:
        conn.request("POST", "/api/v1/metingen/batch", body=body, headers=kop)
        antwoord = conn.getresponse()
        inhoud = antwoord.read()
        status: int | str = antwoord.status
    except (OSError, http.client.HTTPException) as fout:
        status, inhoud = type(fout).__name__, str(fout).encode()
    duur = time.perf_counter() - begin
    server_cpu = server.cpu() - cpu_voor
    conn.close()
    aantal = json.loads(inhoud)["aantal"] if status == 201 else None
    if status != 201:
        print(f"  batch: {status} {inhoud[:1000]!r}", file=sys.stderr)
    return {
        "status": status,
        "aantal": aantal,
        "seconden": duur,
        "body_mb": len(body) / 1e6,
        "antwoord_mb": len(inhoud) / 1e6,
        "server_cpu_s": server_cpu,
    }


def _pg_database(url: str, actie: str) -> None:
    """Drop the benchmark database and, for ``actie == "maken"``, create it afresh."""
    import psycopg

    deel = urlsplit(url)
    naam = deel.path.lstrip("/")
    beheer = urlunsplit(deel._replace(path="/postgres"))
    with psycopg.connect(beheer, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')
        if actie == "maken":
            conn.execute(f'CREATE DATABASE "{naam}"')


def meet(database: str, database_url: str, map_: Path) -> list[dict[str, Any]]:
    seconden = float(_instelling("BENCH_API_SECONDEN", "12"))
    media = map_ / "media"
    media.mkdir()
    omgeving = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "MEDIA_ROOT": str(media),
        "STATIC_ROOT": str(map_ / "static"),
        "API_LIMIET_PER_MINUUT": "1000000",
        "LOG_LEVEL": "WARNING",
    }
    omgeving.pop("REDIS_URL", None)  # the rate limit in the per-process cache, as by default
    if os.environ.get("BENCH_API_CONN_MAX_AGE"):
        omgeving["DB_CONN_MAX_AGE"] = os.environ["BENCH_API_CONN_MAX_AGE"]
    else:
        omgeving.pop("DB_CONN_MAX_AGE", None)

    begin = time.perf_counter()
    _stap(["manage.py", "migrate", "--noinput", "-v0"], omgeving)
    gegevens = _helper("--opzetten", omgeving)
    print(
        f"  {database}: gemigreerd en opgezet in {time.perf_counter() - begin:.1f} s",
        file=sys.stderr,
    )
    sleutel, perioden = gegevens["sleutel"], gegevens["perioden"]
    los = [[i, p] for p in perioden for i in gegevens["projecten"]["bench-los"]]
    opwarm_paren, los = los[:OPWARMEN], los[OPWARMEN:]
    batch_paren = [[i, p] for p in perioden for i in gegevens["projecten"]["bench-batch"]][:BATCH]
    belasting = os.getloadavg()[0]

    with gunicorn(omgeving, map_) as server:
        belasten(server, sleutel, 2.0)  # each worker loads Django on its first request
        opgewarmd = belasten(server, sleutel, 1.0, opwarm_paren)
        ping = belasten(server, sleutel, seconden)
        meting = belasten(server, sleutel, seconden, los)
        batch = batch_sturen(server, sleutel, batch_paren)
    belasting_na = os.getloadavg()[0]
    telling = _helper("--tellen", omgeving)

    rijen: list[dict[str, Any]] = []
    verhouding = meting["per_seconde"] / ping["per_seconde"]
    gehaald = "ja" if verhouding >= DOEL_POST_VERHOUDING else "NEE"
    for scenario, r in (("GET /ping", ping), ("POST /metingen", meting)):
        rijen.append(
            {
                "database": database,
                "scenario": scenario,
                **{
                    k: r[k]
                    for k in ("verzoeken", "per_seconde", "p50_ms", "p95_ms", "fouten", "seconden")
                },
                "verhouding": 1.0 if r is ping else verhouding,
                "doel": "" if r is ping else f"≥ {DOEL_POST_VERHOUDING}× ping: {gehaald}",
                "server_cpu_ms": r["server_cpu_ms"],
                "cpu_per_ping": r["server_cpu_ms"] / ping["server_cpu_ms"],
                "lader_cores": r["lader_cores"],
                "verbindingen": r["verbindingen"],
                "belasting": belasting,
                "belasting_na": belasting_na,
            }
        )
        if r["fouten"]:
            print(f"  {database} {scenario}: statussen {r['statussen']}", file=sys.stderr)
        if r["uitgeput"]:
            print(f"  {database} {scenario}: paren op; meer JAREN of INDICATOREN", file=sys.stderr)

    batch_in_db = telling["per_project"].get("bench-batch", 0)
    batch_goed = batch["status"] == 201 and batch["aantal"] == BATCH == batch_in_db
    gehaald = "ja" if batch_goed and batch["seconden"] <= DOEL_BATCH_SECONDEN else "NEE"
    rijen.append(
        {
            "database": database,
            "scenario": f"POST /metingen/batch ({BATCH:,})",
            "verzoeken": 1,
            "per_seconde": BATCH / batch["seconden"] if batch_goed else None,
            "fouten": 0 if batch_goed else 1,
            "seconden": batch["seconden"],
            "doel": f"≤ {DOEL_BATCH_SECONDEN:.0f} s: {gehaald}; {batch_in_db:,} in db",
            "server_cpu_ms": batch["server_cpu_s"] * 1000,
            "belasting": belasting,
            "belasting_na": belasting_na,
        }
    )
    verzonden = opgewarmd["verzoeken"] + meting["verzoeken"] + BATCH
    aanvaard = opgewarmd["gemaakt"] + meting["gemaakt"] + (batch["aantal"] or 0)
    in_db, audit = telling["metingen"], telling["audit"]
    klopt = "klopt" if verzonden == aanvaard == in_db == audit else "KLOPT NIET"
    rijen.append(
        {
            "database": database,
            "scenario": "afstemming: verzonden/in db",
            "verzoeken": verzonden,
            "fouten": verzonden - in_db,
            "doel": f"201 {aanvaard:,} = db {in_db:,} = audit {audit:,}: {klopt}",
        }
    )
    print(
        f"  {database}: ping {ping['statussen']}, meting {meting['statussen']}, "
        f"opwarmen {opgewarmd['statussen']}, batch {batch['status']} "
        f"({batch['body_mb']:.1f} MB erin, {batch['antwoord_mb']:.1f} MB eruit), "
        f"idempotentie-rijen {telling['idempotentie']:,}",
        file=sys.stderr,
    )
    return rijen


def run() -> list[dict[str, Any]]:
    print(
        f"  {os.cpu_count()} cores; gunicorn {_instelling('BENCH_API_WORKERS', '2')} workers × 1 "
        f"thread ({_instelling('BENCH_API_WORKERKLASSE', 'gthread')}); "
        f"{_instelling('BENCH_API_CLIENTS', '8')} clients in "
        f"{_instelling('BENCH_API_PROCESSEN', '2')} processen; "
        f"DB_CONN_MAX_AGE={os.environ.get('BENCH_API_CONN_MAX_AGE') or 'standaard (SQLite 600, PostgreSQL 0)'}",
        file=sys.stderr,
    )
    rijen: list[dict[str, Any]] = []
    for database in _instelling("BENCH_API_DATABASES", "sqlite,postgresql").split(","):
        map_ = Path(tempfile.mkdtemp(prefix="ontschot-bench-api-"))
        try:
            if database == "sqlite":
                rijen += meet("sqlite", f"sqlite:///{map_ / 'bench.sqlite3'}", map_)
            elif database == "postgresql":
                url = _instelling("BENCH_API_PG_URL", PG_STANDAARD)
                try:
                    _pg_database(url, "maken")
                except Exception as fout:  # whatever makes the server unreachable
                    print(f"  PostgreSQL overgeslagen: onbereikbaar ({fout})", file=sys.stderr)
                    continue
                try:
                    rijen += meet("postgresql", url, map_)
                finally:
                    _pg_database(url, "weggooien")
            else:
                print(f"  onbekende database {database!r} overgeslagen", file=sys.stderr)
        except Exception as fout:  # one database failing must not lose the other's rows
            print(f"  {database} mislukt: {type(fout).__name__}: {fout}", file=sys.stderr)
            rijen.append({"database": database, "scenario": f"mislukt: {type(fout).__name__}"})
        finally:
            shutil.rmtree(map_, ignore_errors=True)
    return rijen


if __name__ == "__main__":
    taak = sys.argv[1] if len(sys.argv) > 1 else ""
    if taak == "--opzetten":
        print(json.dumps(opzetten()))
    elif taak == "--tellen":
        print(json.dumps(tellen()))
    elif taak == "--laden":
        print(json.dumps(laden(json.loads(Path(sys.argv[2]).read_text()))))
    else:
        for rij in run():
            print(rij)
