"""Settings come from the environment only: the same code runs on a laptop (SQLite, ORM
broker) and on a cluster (PostgreSQL, Redis)."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

TOON = (
    "import json, django; from django.conf import settings; django.setup();"
    "db = settings.DATABASES['default'];"
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'options': db.get('OPTIONS', {}),"
    " 'cache': settings.CACHES['default']['BACKEND'], 'q': settings.Q_CLUSTER,"
    " 'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, 'email': settings.EMAIL_BACKEND}))"
)


def instellingen(**omgeving: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update(omgeving, DJANGO_SETTINGS_MODULE="ontschot.settings")
    uitvoer = subprocess.run(
        [sys.executable, "-c", TOON],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(uitvoer.stdout)


def test_default_is_sqlite_in_project_folder_with_orm_broker_and_local_cache():
    s = instellingen()
    assert s["engine"] == "ontschot.sqlite"
    assert s["name"] == str(PROJECT / "ontschot.sqlite3")
    assert "journal_mode=WAL" in s["options"]["init_command"]
    assert "busy_timeout" in s["options"]["init_command"]
    assert s["q"]["orm"] == "default" and "redis" not in s["q"]
    assert s["cache"].endswith("LocMemCache")
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["debug"] is False


def test_postgres_and_redis_from_environment():
    s = instellingen(
        DATABASE_URL="postgres://postgres@db.example:5432/ontschot",
        REDIS_URL="redis://cache.example:6379/0",
        DEBUG="1",
        ALLOWED_HOSTS="ontschot.example.nl,api.ontschot.example.nl",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["name"] == "ontschot"
    assert s["q"]["redis"] == "redis://cache.example:6379/0" and "orm" not in s["q"]
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["debug"] is True
    assert s["hosts"] == ["ontschot.example.nl", "api.ontschot.example.nl"]


def test_worker_timeout_stays_below_retry_and_attempts_are_bounded():
    q = instellingen()["q"]
    assert q["timeout"] < q["retry"]
    assert 1 <= q["max_attempts"] <= 10
    assert q["catch_up"] is False


def test_sqlite_file_runs_in_wal_mode(tmp_path):
    """The web process and the worker share the file: WAL lets readers go on while one writes."""
    db = tmp_path / "gedeeld.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DATABASE_URL=f"sqlite:///{db}", DJANGO_SETTINGS_MODULE="ontschot.settings")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.db import connection;"
            " connection.ensure_connection()",
        ],
        cwd=PROJECT,
        env=env,
        check=True,
    )
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
