"""A real django-q2 cluster: a `qcluster` process is started against its own database
(SQLite file with the ORM broker; in CI's PostgreSQL run a PostgreSQL database with the
Redis broker), work is queued from another process, the result is seen, and the cluster
stops cleanly."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

PROJECT = Path(settings.BASE_DIR)


def manage(env: dict[str, str], *args: str, timeout: int = 120) -> str:
    uitvoer = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert uitvoer.returncode == 0, uitvoer.stderr[-2000:]
    return uitvoer.stdout


@pytest.fixture
def omgeving(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A database of its own for the cluster, of the same kind as the suite's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(Q_WORKERS="1", DJANGO_SETTINGS_MODULE="ontschot.settings", Q_SYNC="0")
    if connection.vendor == "postgresql":
        import psycopg

        naam = f"ontschot_qcluster_{uuid.uuid4().hex[:8]}"
        instellingen = connection.settings_dict
        beheer = (
            f"host={instellingen['HOST'] or '127.0.0.1'} port={instellingen['PORT'] or 5432} "
            f"user={instellingen['USER']} dbname=postgres"
        )
        with psycopg.connect(beheer, autocommit=True) as verbinding:
            verbinding.execute(f'CREATE DATABASE "{naam}"')
        env["DATABASE_URL"] = (
            f"postgres://{instellingen['USER']}@{instellingen['HOST'] or '127.0.0.1'}:"
            f"{instellingen['PORT'] or 5432}/{naam}"
        )
        yield env
        with psycopg.connect(beheer, autocommit=True) as verbinding:
            verbinding.execute(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cluster.sqlite3'}"
        env.pop("REDIS_URL", None)
        yield env


def test_a_real_cluster_runs_queued_work_and_stops(omgeving):
    if omgeving.get("REDIS_URL"):
        # Start from an empty Redis queue: earlier tests' work belongs to their databases.
        from django_q.brokers import get_broker

        get_broker().purge_queue()
    manage(omgeving, "migrate", "--noinput", "-v0")
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=PROJECT,
        env=omgeving,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        taak_id = (
            manage(
                omgeving,
                "shell",
                "-c",
                "from programma.wachtrij import in_wachtrij;"
                "print(in_wachtrij('programma.tasks.idempotentie_opruimen'))",
            )
            .strip()
            .splitlines()[-1]
        )
        vraag = (
            "import json; from django_q.models import Task;"
            f"t = Task.objects.filter(id={taak_id!r}).first();"
            "print(json.dumps(None if t is None else {'gelukt': t.success, 'resultaat': t.result}))"
        )
        uitkomst = None
        einde = time.monotonic() + 90
        while uitkomst is None and time.monotonic() < einde:
            time.sleep(1)
            uitkomst = json.loads(manage(omgeving, "shell", "-c", vraag).strip().splitlines()[-1])
        assert uitkomst == {"gelukt": True, "resultaat": 0}
    finally:
        cluster.send_signal(signal.SIGTERM)
        try:
            log, _ = cluster.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            log, _ = cluster.communicate()
    assert cluster.returncode is not None
    assert "has stopped" in log, log[-2000:]
