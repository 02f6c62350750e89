"""Load test: many partner organisations submitting at once, with locust, on loopback.

On a fresh PostgreSQL database:

1. migrate, and build through the services (validated and audited as in production) a
   programme with five partner organisations, each with a running project of 50
   indicators over 40 years, and one API key per client (clients spread over the
   organisations), each client with its own slice of indicator × month pairs;
2. start a django-q2 worker (``manage.py qcluster``; Redis as broker when reachable,
   otherwise the database) and ``gunicorn ontschot.wsgi`` (DEBUG=0, several workers,
   the rate limit raised) on 127.0.0.1 and a free port; both are always stopped;
3. run ``locust -f bench/locust_partners.py --headless`` as a subprocess: N closed-loop
   partner clients for S seconds (spawned at 10 a second), submitting measurements
   (16 in 20 requests), expenditures (3 in 20) and retries of an accepted request
   with the same Idempotency-Key (1 in 20, which must replay and store nothing);
4. reconcile: every 201 the clients received against the rows in the database and
   the audit trail, id by id; retries must have stored nothing.

Figures, no assertions: ``fouten`` counts every answer that was not the expected 201
(goal: 0), ``afstemming`` says whether 201s, rows and audit rows agree (goal: klopt),
p50/p95/p99 are exact percentiles over every request of the run (ramp-up included).
The load generator shares the machine with the server (``belasting``: the one-minute
load average before and after the run, of all processes on the machine).

    .venv/bin/python bench/run.py last
    BENCH_LAST_SECONDEN=10 BENCH_LAST_CLIENTS=10 .venv/bin/python bench/run.py last  # smoke

Settings (environment): BENCH_LAST_SECONDEN (60), BENCH_LAST_CLIENTS (50),
BENCH_LAST_SPAWN (clients started per second, 10), BENCH_LAST_WORKERS (gunicorn
workers, 4), BENCH_LAST_THREADS (threads per worker, 1), BENCH_LAST_PG_URL
(postgres://postgres@127.0.0.1:5432/ontschot_last; created and dropped),
BENCH_LAST_REDIS_URL (else REDIS_URL, else redis://127.0.0.1:6379/5; "-" for none).

This file is also the helper that builds the data (``--opzetten``) and counts the
result (``--tellen``); each runs in its own process with the benchmark's database.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

HIER = Path(__file__).resolve()
PROJECT = HIER.parent.parent
sys.path.insert(0, str(HIER.parent))

import bench_api as api  # noqa: E402  (the helpers of the API benchmark, same folder)

ORGANISATIES = 5
INDICATOREN = 50
JAREN = (2000, 2039)
LOCUSTFILE = HIER.parent / "locust_partners.py"
PG_STANDAARD = "postgres://postgres@127.0.0.1:5432/ontschot_last"
REDIS_STANDAARD = "redis://127.0.0.1:6379/5"


def _instelling(naam: str, standaard: str) -> str:
    return os.environ.get(naam) or standaard


# --- helpers that run in their own process ----------------------------------------------------


def opzetten(clients: int) -> dict[str, Any]:
    """Programme, organisations, projects, indicators and one key per client, through the
    services; returns the assignment of every client."""
    api._django()
    from datetime import date

    from programma import services as ps
    from programma.audit import Actor
    from programma.models import ApiSleutel, Organisatie
    from projecten import services as prs
    from projecten.models import Project

    actor = Actor.systeem("bench_last")
    ministerie = ps.organisatie_aanmaken(
        actor=actor, naam="Ministerie van Belasting", soort=Organisatie.Soort.MINISTERIE
    )
    programma = ps.programma_aanmaken(
        actor=actor,
        code="last",
        naam="Belastingproef",
        opdrachtgever=ministerie,
        startjaar=JAREN[0],
        eindjaar=JAREN[1],
    )
    perioden = [f"{j}-{m:02d}" for j in range(JAREN[0], JAREN[1] + 1) for m in range(1, 13)]
    partners: list[tuple[Organisatie, int, list[int]]] = []
    for n in range(ORGANISATIES):
        organisatie = ps.organisatie_aanmaken(
            actor=actor, naam=f"Buurtpartner {n + 1}", soort=Organisatie.Soort.WELZIJN
        )
        project = prs.project_aanmaken(
            actor=actor,
            programma=programma,
            code=f"last-{n + 1}",
            titel=f"Belastingproef partner {n + 1}",
            penvoerder=organisatie,
            startdatum=date(JAREN[0], 1, 1),
            einddatum=date(JAREN[1], 12, 31),
            rapportagefrequentie=Project.Frequentie.JAAR,
        )
        for status in ("ingediend", "toegekend", "lopend"):
            project = prs.project_status_wijzigen(actor=actor, project=project, status=status)
        doel = prs.doel_aanmaken(actor=actor, project=project, titel="Meetbaar resultaat")
        indicatoren = [
            prs.indicator_aanmaken(actor=actor, doel=doel, naam=f"Indicator {i + 1}").pk
            for i in range(INDICATOREN)
        ]
        partners.append((organisatie, int(project.pk), indicatoren))
    opdracht = []
    for c in range(clients):
        organisatie, project_id, indicatoren = partners[c % ORGANISATIES]
        _, sleutel = ps.api_sleutel_aanmaken(
            actor=actor,
            organisatie=organisatie,
            naam=f"client {c + 1}",
            scopes=ApiSleutel.Scope.values,
        )
        opdracht.append(
            {
                "sleutel": sleutel,
                "project": project_id,
                "indicatoren": indicatoren,
                "perioden": perioden,
                "jaren": list(range(JAREN[0], JAREN[1] + 1)),
                # The clients of one organisation share its pairs: client k of m takes
                # every m-th pair from the k-th.
                "deel": c // ORGANISATIES,
                "delen": len(range(c % ORGANISATIES, clients, ORGANISATIES)),
            }
        )
    return {"clients": opdracht, "run": uuid.uuid4().hex[:10]}


def tellen(telling_pad: str) -> dict[str, Any]:
    """The database against what the clients saw: rows, audit rows and ids per type."""
    api._django()
    from programma.models import Auditregel, Idempotentieverzoek
    from projecten.models import Besteding, Meting

    telling = json.loads(Path(telling_pad).read_text())
    uitkomst: dict[str, Any] = {"idempotentie": Idempotentieverzoek.objects.count()}
    for naam, model, actie in (
        ("POST /metingen", Meting, "meting_indienen"),
        ("POST /bestedingen", Besteding, "besteding_indienen"),
    ):
        ids = telling["gemaakt"].get(naam, [])
        in_db = set(model.objects.values_list("pk", flat=True))
        uitkomst[naam] = {
            "201": len(ids),
            "uniek": len(set(ids)),
            "db": len(in_db),
            "audit": Auditregel.objects.filter(actie=actie).count(),
            "ontbreekt": len(set(ids) - in_db),
            "onbekend": len(in_db - set(ids)),
        }
    return uitkomst


# --- processes --------------------------------------------------------------------------------


def _redis_url() -> str | None:
    url = _instelling("BENCH_LAST_REDIS_URL", os.environ.get("REDIS_URL") or REDIS_STANDAARD)
    if url == "-":
        return None
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as fout:  # whatever makes it unusable: run with the database as broker
        print(f"  Redis {url} onbereikbaar ({fout}); de database is de broker", file=sys.stderr)
        return None
    return url


def _starten(opdracht: list[str], omgeving: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as uit:
        return subprocess.Popen(
            opdracht,
            cwd=PROJECT,
            env=omgeving,
            stdout=uit,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with everything it started
        )


def _stoppen(proces: subprocess.Popen[bytes] | None, wachten: float = 20) -> None:
    if proces is None or proces.poll() is not None:
        return
    proces.send_signal(signal.SIGTERM)
    try:
        proces.wait(wachten)
    except subprocess.TimeoutExpired:
        os.killpg(proces.pid, signal.SIGKILL)
        proces.wait(5)


def _gunicorn(omgeving: dict[str, str], poort: int, log: Path) -> subprocess.Popen[bytes]:
    workers = _instelling("BENCH_LAST_WORKERS", "4")
    proces = _starten(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ontschot.wsgi:application",
            "--bind",
            f"127.0.0.1:{poort}",
            "--workers",
            workers,
            "--threads",
            _instelling("BENCH_LAST_THREADS", "1"),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "--error-logfile",
            "-",
        ],
        omgeving,
        log,
    )
    deadline = time.monotonic() + 60
    while True:
        if proces.poll() is not None:
            raise RuntimeError(f"gunicorn stopte met code {proces.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn antwoordt niet binnen 60 s")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", poort, timeout=10)
            conn.request("GET", "/api/v1/ping")
            status = conn.getresponse().status
            conn.close()
        except OSError:
            time.sleep(0.1)
            continue
        if status != 401:
            raise RuntimeError(f"ping zonder sleutel gaf {status}, geen 401")
        return proces


def _opwarmen(poort: int, sleutel: str, workers: int) -> None:
    """Each worker loads the app's views on its first authenticated request."""
    for _ in range(workers * 4):
        conn = http.client.HTTPConnection("127.0.0.1", poort, timeout=30)
        conn.request("GET", "/api/v1/ping", headers={"Authorization": f"Bearer {sleutel}"})
        conn.getresponse().read()
        conn.close()


# --- the measurement --------------------------------------------------------------------------


def _rij(naam: str, latenties: list[float], statussen: dict[str, int], duur: float) -> dict:
    gesorteerd = sorted(latenties)
    return {
        "scenario": naam,
        "verzoeken": len(gesorteerd),
        "per_seconde": len(gesorteerd) / duur,
        "p50_ms": api._percentiel(gesorteerd, 50),
        "p95_ms": api._percentiel(gesorteerd, 95),
        "p99_ms": api._percentiel(gesorteerd, 99),
        "max_ms": gesorteerd[-1] if gesorteerd else None,
        "fouten": sum(n for s, n in statussen.items() if s != "201"),
    }


def meet(database_url: str, map_: Path) -> list[dict[str, Any]]:
    seconden = int(float(_instelling("BENCH_LAST_SECONDEN", "60")))
    clients = int(_instelling("BENCH_LAST_CLIENTS", "50"))
    spawn = _instelling("BENCH_LAST_SPAWN", "10")
    workers = int(_instelling("BENCH_LAST_WORKERS", "4"))
    redis_url = _redis_url()
    omgeving = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "MEDIA_ROOT": str(map_ / "media"),
        "PRIVE_MEDIA_ROOT": str(map_ / "prive"),
        "STATIC_ROOT": str(map_ / "static"),
        "API_LIMIET_PER_MINUUT": "1000000",
        "LOG_LEVEL": "WARNING",
        "Q_STATUS_MAP": str(map_ / "wachtrij"),
    }
    omgeving.pop("REDIS_URL", None)
    if redis_url:
        omgeving["REDIS_URL"] = redis_url

    begin = time.perf_counter()
    api._stap(["manage.py", "migrate", "--noinput", "-v0"], omgeving)
    opdracht = json.loads(
        api._stap([str(HIER), "--opzetten", str(clients)], omgeving).splitlines()[-1]
    )
    opdracht_pad = map_ / "opdracht.json"
    opdracht_pad.write_text(json.dumps(opdracht))
    telling_pad = map_ / "telling.json"
    print(
        f"  gemigreerd en opgezet in {time.perf_counter() - begin:.1f} s; {clients} clients, "
        f"{ORGANISATIES} organisaties, broker {'Redis' if redis_url else 'database'}",
        file=sys.stderr,
    )

    poort = api._vrije_poort()
    worker: subprocess.Popen[bytes] | None = None
    server: subprocess.Popen[bytes] | None = None
    logs = {"qcluster": map_ / "qcluster.log", "gunicorn": map_ / "gunicorn.log"}
    try:
        worker = _starten([sys.executable, "manage.py", "qcluster"], omgeving, logs["qcluster"])
        server = _gunicorn(omgeving, poort, logs["gunicorn"])
        gunicorn_workers: list[int] = []
        deadline = time.monotonic() + 10
        while len(gunicorn_workers) < workers and time.monotonic() < deadline:
            gunicorn_workers = api._kinderen(server.pid)
            time.sleep(0.05)
        _opwarmen(poort, opdracht["clients"][0]["sleutel"], workers)
        belasting = os.getloadavg()[0]
        cpu_voor = api._cpu_seconden(gunicorn_workers)
        locust = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "-u",
                str(clients),
                "-r",
                spawn,
                "-t",
                f"{seconden}s",
                "--stop-timeout",
                "30",
                "--host",
                f"http://127.0.0.1:{poort}",
                "--csv",
                str(map_ / "locust"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=PROJECT,
            env={
                **omgeving,
                "BENCH_LAST_OPDRACHT": str(opdracht_pad),
                "BENCH_LAST_TELLING": str(telling_pad),
            },
            capture_output=True,
            text=True,
            timeout=seconden + 300,
        )
        server_cpu = api._cpu_seconden(gunicorn_workers) - cpu_voor
        belasting_na = os.getloadavg()[0]
        # locust exits with 1 when a request failed; that is a figure, not a crash.
        if locust.returncode not in (0, 1) or not telling_pad.exists():
            raise RuntimeError(f"locust faalde ({locust.returncode}):\n{locust.stderr[-3000:]}")
        worker_leeft = worker.poll() is None
    except BaseException:
        for naam, log in logs.items():
            print(f"  {naam}-log (laatste regels):\n{api._staart(log)}", file=sys.stderr)
        raise
    finally:
        _stoppen(server)
        _stoppen(worker)

    telling = json.loads(telling_pad.read_text())
    db = json.loads(api._stap([str(HIER), "--tellen", str(telling_pad)], omgeving).splitlines()[-1])

    duur = float(seconden)
    rijen: list[dict[str, Any]] = []
    alle: list[float] = []
    alle_statussen: Counter[str] = Counter()
    for naam in ("POST /metingen", "POST /bestedingen", "herhaling"):
        latenties = telling["latenties"].get(naam, [])
        statussen = telling["statussen"].get(naam, {})
        alle += latenties
        alle_statussen.update(statussen)
        rijen.append(_rij(naam, latenties, statussen, duur))
        if any(s != "201" for s in statussen):
            print(f"  {naam}: statussen {statussen}", file=sys.stderr)
    rijen.append(
        {
            **_rij("alle verzoeken", alle, dict(alle_statussen), duur),
            "server_cpu_ms": server_cpu / max(1, len(alle)) * 1000,
            "belasting": belasting,
            "belasting_na": belasting_na,
        }
    )
    for naam in ("POST /metingen", "POST /bestedingen"):
        d = db[naam]
        klopt = (
            d["201"] == d["uniek"] == d["db"] == d["audit"] and d["ontbreekt"] == d["onbekend"] == 0
        )
        rijen.append(
            {
                "scenario": f"afstemming {naam.split('/')[1]}",
                "verzoeken": d["201"],
                "fouten": abs(d["201"] - d["db"]) + d["ontbreekt"] + d["onbekend"],
                "afstemming": (
                    f"201 {d['201']:,} (uniek {d['uniek']:,}) = db {d['db']:,} = "
                    f"audit {d['audit']:,}: {'klopt' if klopt else 'KLOPT NIET'}"
                ),
            }
        )
    herhaald = telling["statussen"].get("herhaling", {})
    rijen.append(
        {
            "scenario": "afstemming herhalingen",
            "verzoeken": sum(herhaald.values()),
            "fouten": telling["aantal_afwijkingen"],
            "afstemming": (
                "elke herhaling gaf hetzelfde antwoord en maakte niets aan"
                if telling["aantal_afwijkingen"] == 0
                else "; ".join(telling["afwijkingen"][:3])
            ),
        }
    )
    rijen.append(
        {
            "scenario": "worker (qcluster)",
            "afstemming": "draaide de hele proef" if worker_leeft else "STOPTE tijdens de proef",
        }
    )
    print(
        f"  locust: {telling['verzoeken_locust']:,} verzoeken, {telling['fouten_locust']} "
        f"fouten; {db['idempotentie']:,} idempotentie-rijen; gunicorn {workers} workers × "
        f"{_instelling('BENCH_LAST_THREADS', '1')} threads, {os.cpu_count()} cores",
        file=sys.stderr,
    )
    return [
        {"database": "postgresql", "clients": clients, "seconden": seconden, **r} for r in rijen
    ]


def run() -> list[dict[str, Any]]:
    url = _instelling("BENCH_LAST_PG_URL", PG_STANDAARD)
    try:
        api._pg_database(url, "maken")
    except Exception as fout:  # whatever makes the server unreachable
        print(
            f"  PostgreSQL onbereikbaar ({fout}): de belastingproef is overgeslagen",
            file=sys.stderr,
        )
        return [{"database": "postgresql", "scenario": "overgeslagen: geen PostgreSQL"}]
    map_ = Path(tempfile.mkdtemp(prefix="ontschot-bench-last-"))
    try:
        return meet(url, map_)
    finally:
        api._pg_database(url, "weggooien")
        import shutil

        shutil.rmtree(map_, ignore_errors=True)


if __name__ == "__main__":
    taak = sys.argv[1] if len(sys.argv) > 1 else ""
    if taak == "--opzetten":
        print(json.dumps(opzetten(int(sys.argv[2]))))
    elif taak == "--tellen":
        print(json.dumps(tellen(sys.argv[2])))
    else:
        for rij in run():
            print(rij)
