"""The health endpoints: liveness answers without the database, readiness says per check
what works and what does not, in Dutch and English, with 503 when something essential is
down, and never reveals an address or a library's error text."""

import json
import socket
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf

from ontschot import gezondheid


def vrije_poort() -> int:
    """A loopback port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hartslag(*, status: Any = None, seconden_geleden: float = 0.5) -> SimpleNamespace:
    return SimpleNamespace(
        status=Conf.IDLE if status is None else status,
        timestamp=timezone.now() - timedelta(seconds=seconden_geleden),
        workers=[101, 102],
    )


@pytest.fixture
def worker_draait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gezondheid, "hartslagen", lambda: [hartslag()])


@pytest.fixture
def geen_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gezondheid, "hartslagen", lambda: [])


def gereed(client) -> tuple[int, dict[str, Any]]:
    antwoord = client.get(reverse("gezondheid-gereed"))
    assert antwoord["Content-Type"] == "application/json"
    assert "no-store" in antwoord["Cache-Control"]
    return antwoord.status_code, json.loads(antwoord.content)


def test_liveness_answers_without_touching_the_database(client):
    # No django_db mark: any query here would fail the test.
    antwoord = client.get(reverse("gezondheid"))
    assert antwoord.status_code == 200
    assert json.loads(antwoord.content)["status"] == "ok"


def test_liveness_answers_while_the_database_is_down(client, monkeypatch):
    def kapot(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", kapot)
    assert client.get("/gezondheid").status_code == 200


@pytest.mark.django_db
def test_ready_when_database_broker_and_worker_answer(client, worker_draait):
    status, antwoord = gereed(client)
    assert status == 200
    assert antwoord["status"] == "ok"
    controles = antwoord["controles"]
    assert {naam: c["status"] for naam, c in controles.items()} == {
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        # a fresh installation has no stands yet: a warning, not a reason to be unready
        "aggregatie": "waarschuwing",
    }
    assert controles["worker"]["workers"] == 2
    assert controles["aggregatie"]["essentieel"] is False
    for controle in controles.values():
        assert controle["uitleg"] and controle["explanation"]


@pytest.mark.django_db
def test_not_ready_without_a_worker(client, geen_worker):
    status, antwoord = gereed(client)
    assert status == 503
    assert antwoord["status"] == "fout"
    worker = antwoord["controles"]["worker"]
    assert worker["status"] == "fout"
    assert "geen worker" in worker["uitleg"]
    assert "No worker" in worker["explanation"]
    assert antwoord["controles"]["database"]["status"] == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stat",
    [hartslag(seconden_geleden=600), hartslag(status=Conf.STOPPED)],
    ids=["heartbeat too old", "cluster stopped"],
)
def test_a_stale_or_stopped_cluster_is_no_worker(client, monkeypatch, settings, stat):
    settings.GEZONDHEID_HARTSLAG_SECONDEN = 60
    monkeypatch.setattr(gezondheid, "hartslagen", lambda: [stat])
    status, antwoord = gereed(client)
    assert status == 503
    assert antwoord["controles"]["worker"]["status"] == "fout"


@pytest.mark.django_db
def test_not_ready_when_the_database_is_unreachable(client, monkeypatch, worker_draait):
    class GeenDatabase:
        vendor = "sqlite"

        def cursor(self) -> None:
            raise OperationalError("unable to open database file /geheim/pad.sqlite3")

    monkeypatch.setattr(gezondheid, "connection", GeenDatabase())
    status, antwoord = gereed(client)
    assert status == 503
    controles = antwoord["controles"]
    assert controles["database"]["status"] == "fout"
    assert controles["database"]["explanation"] == "The database cannot be reached."
    if not gezondheid.settings.REDIS_URL:
        # the ORM broker is the database
        assert controles["broker"]["status"] == "fout"
    assert "/geheim" not in json.dumps(antwoord)


@pytest.mark.django_db
def test_redis_down_is_named_and_reveals_no_address(client, settings):
    poort = vrije_poort()
    settings.REDIS_URL = f"redis://:wachtwoord@127.0.0.1:{poort}/0"
    settings.GEZONDHEID_TIMEOUT_SECONDEN = 1
    status, antwoord = gereed(client)
    assert status == 503
    controles = antwoord["controles"]
    assert controles["broker"]["status"] == "fout"
    assert controles["broker"]["soort"] == "redis"
    assert "Redis" in controles["broker"]["uitleg"]
    assert controles["worker"]["status"] == "fout"
    assert controles["database"]["status"] == "ok"
    tekst = json.dumps(antwoord)
    assert str(poort) not in tekst
    assert "wachtwoord" not in tekst
    assert "127.0.0.1" not in tekst
    assert client.get(reverse("gezondheid")).status_code == 200


@pytest.mark.django_db
def test_old_stands_are_a_warning_not_unreadiness(client, monkeypatch, settings, worker_draait):
    settings.GEZONDHEID_AGGREGATIE_UREN = 26
    monkeypatch.setattr(
        gezondheid, "laatste_aggregatie", lambda: timezone.now() - timedelta(hours=30)
    )
    status, antwoord = gereed(client)
    assert status == 200
    aggregatie = antwoord["controles"]["aggregatie"]
    assert aggregatie["status"] == "waarschuwing"
    assert 29.9 < aggregatie["leeftijd_uren"] < 30.1
    assert "26 uur" in aggregatie["uitleg"]


def test_age_of_the_last_aggregation_is_that_of_the_newest_stand(indicator):
    from projecten.models import Beoordeling
    from rapportage import services
    from rapportage.models import Indicatorstand
    from tests.projecten.factories import MetingFactory

    assert gezondheid.laatste_aggregatie() is None
    MetingFactory(indicator=indicator, status=Beoordeling.GOEDGEKEURD)
    services.standen_herberekenen()
    nieuwste = Indicatorstand.objects.order_by("-berekend_op").first()
    assert nieuwste is not None
    assert gezondheid.laatste_aggregatie() == nieuwste.berekend_op


def test_only_reading_is_allowed(client):
    assert client.post(reverse("gezondheid")).status_code == 405
    assert client.post(reverse("gezondheid-gereed")).status_code == 405
