"""Faults: a mail server that is down, Redis that is down, a database that drops away
under a running task, and a worker killed in the middle of a report. In each case the
work is retried rather than lost, nothing is done twice, and the web keeps serving."""

import ast
import email
import hashlib
import json
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule
from django_q.signals import post_execute, pre_execute

from programma import services as programma_services
from programma import wachtrij
from programma.audit import Actor
from programma.models import ApiSleutel, Auditregel, Rol
from projecten import services
from projecten.models import Beoordeling, Herinnering
from rapportage.models import Indicatorstand, Rapport
from tests.programma.factories import RolFactory
from tests.projecten.factories import MetingFactory
from tests.rapportage import test_qcluster, test_taken
from tests.rapportage.test_taken import cluster_stap

PROJECT = Path(django_settings.BASE_DIR)

# Queued work runs only when the test calls ``cluster_stap()``.
synchroon = test_taken.synchroon


def vrije_poort() -> int:
    """A loopback port nobody listens on: a connection to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def herhalingen() -> list[Schedule]:
    return list(Schedule.objects.filter(name__startswith="herhaling ").order_by("next_run"))


def herhaling_uitvoeren(schema: Schedule) -> Any:
    """Run a retry as the scheduler would: the same call with the same arguments."""
    args = ast.literal_eval(schema.args)
    kwargs = ast.literal_eval(schema.kwargs) if schema.kwargs else {}
    schema.delete()
    return wachtrij.uitvoeren(*args, **kwargs)


# --- a real SMTP server on loopback -------------------------------------------------------


class Postbus(socketserver.ThreadingTCPServer):
    """Just enough SMTP to receive mail from smtplib; every message is kept."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SmtpSessie)
        self.berichten: list[email.message.Message] = []
        self.ontvangers: list[list[str]] = []
        self.draad = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def poort(self) -> int:
        return int(self.server_address[1])


class SmtpSessie(socketserver.StreamRequestHandler):
    server: Postbus

    def antwoord(self, tekst: str) -> None:
        self.wfile.write(f"{tekst}\r\n".encode())

    def handle(self) -> None:
        self.antwoord("220 postbus.test ESMTP")
        ontvangers: list[str] = []
        while regel := self.rfile.readline():
            opdracht = regel.decode("ascii", "replace").strip()
            woord = opdracht[:4].upper()
            if woord in ("EHLO", "HELO"):
                self.antwoord("250 postbus.test")
            elif woord == "MAIL":
                ontvangers = []
                self.antwoord("250 OK")
            elif woord == "RCPT":
                ontvangers.append(opdracht.split(":", 1)[1].strip().strip("<>"))
                self.antwoord("250 OK")
            elif woord == "DATA":
                self.antwoord("354 einde met <CRLF>.<CRLF>")
                inhoud = b""
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    inhoud += data[1:] if data.startswith(b"..") else data
                self.server.berichten.append(email.message_from_bytes(inhoud))
                self.server.ontvangers.append(ontvangers)
                self.antwoord("250 OK bewaard")
            elif woord in ("RSET", "NOOP"):
                self.antwoord("250 OK")
            elif woord == "QUIT":
                self.antwoord("221 tot ziens")
                return
            else:
                self.antwoord("502 niet ondersteund")


@pytest.fixture
def postbus(settings: Any) -> Iterator[Postbus]:
    """A real SMTP server on loopback, and Ontschot's SMTP backend pointed at a closed
    port (the mail server is down) until the test calls ``mailserver_op``."""
    server = Postbus()
    server.draad.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = vrije_poort()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def mailserver_op(settings: Any, postbus: Postbus) -> None:
    settings.EMAIL_PORT = postbus.poort


def test_a_review_notification_waits_out_a_mail_server_outage_and_is_sent_once(
    actor, indicator, partner_medewerker, postbus, settings
):
    settings.TAAK_HERHAAL_SECONDEN = 60
    partner_medewerker.email = "partner@doras.nl"
    partner_medewerker.save()
    meting = MetingFactory(
        indicator=indicator, ingediend_door=partner_medewerker, periode="2025-K2"
    )
    services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")

    taak = ("projecten.tasks.beoordeling_melden", "meting", [meting.pk])
    with pytest.raises(OSError):  # connection refused: the mail server is down
        wachtrij.uitvoeren(*taak)
    assert postbus.berichten == []
    # Nothing is recorded as reported, and the retry waits in the database with a pause.
    assert not Auditregel.objects.filter(actie="beoordeling_gemeld").exists()
    (herhaling,) = herhalingen()
    assert herhaling.next_run > timezone.now() + timedelta(seconds=30)

    mailserver_op(settings, postbus)
    assert herhaling_uitvoeren(herhaling) == 1
    assert len(postbus.berichten) == 1
    assert postbus.ontvangers == [["partner@doras.nl"]]
    assert "goedgekeurd" in str(postbus.berichten[0]["Subject"])
    # A second delivery of the same task (django-q2 redelivers an unacknowledged one)
    # sends nothing again.
    assert wachtrij.uitvoeren(*taak) == 0
    assert len(postbus.berichten) == 1
    assert herhalingen() == []


def test_a_publication_notice_waits_out_a_mail_server_outage_and_is_sent_once(
    programma, postbus, settings
):
    programma.rapportontvangers = "verantwoording@minvro.nl"
    programma.save()
    RolFactory(soort=Rol.Soort.MINISTERIE, programma=programma, gebruiker__email="bzk@minvro.nl")
    rapport = Rapport.objects.create(
        soort=Rapport.Soort.JAARVERANTWOORDING,
        programma=programma,
        periode="2025",
        status=Rapport.Status.KLAAR,
        gepubliceerd_op=timezone.now(),
    )
    taak = ("rapportage.tasks.publicatie_melden", rapport.pk)
    with pytest.raises(OSError):
        wachtrij.uitvoeren(*taak)
    rapport.refresh_from_db()
    assert rapport.gemeld_op is None  # rolled back: the retry will send it
    (herhaling,) = herhalingen()

    mailserver_op(settings, postbus)
    assert herhaling_uitvoeren(herhaling) == {"rapport": rapport.pk, "emails": 2}
    assert sorted(a for o in postbus.ontvangers for a in o) == [
        "bzk@minvro.nl",
        "verantwoording@minvro.nl",
    ]
    assert wachtrij.uitvoeren(*taak) == {"rapport": rapport.pk, "emails": 0}
    assert len(postbus.berichten) == 2
    rapport.refresh_from_db()
    assert rapport.gemeld_op is not None


def test_reminders_wait_out_a_mail_server_outage_and_each_is_sent_once(
    actor, project, penvoerder, partner_medewerker, postbus, settings, vandaag
):
    partner_medewerker.email = "partner@doras.nl"
    partner_medewerker.save()
    vandaag(date(2025, 3, 15))
    services.verplichtingen_afleiden(actor=actor, project=project)
    vandaag(date(2025, 4, 28))  # 14 days before the deadline of 2025-K1
    taak = ("projecten.verplichtingen.herinneringen_versturen",)

    with pytest.raises(RuntimeError, match="mailserver onbereikbaar"):
        wachtrij.uitvoeren(*taak)
    assert postbus.berichten == []
    claim = Herinnering.objects.get()
    assert claim.verstuurd_op is None  # claimed, not sent: the next run sends exactly this
    (herhaling,) = herhalingen()

    mailserver_op(settings, postbus)
    assert herhaling_uitvoeren(herhaling)["verstuurd"] == 1
    assert wachtrij.uitvoeren(*taak)["verstuurd"] == 0
    assert len(postbus.berichten) == 1
    assert postbus.ontvangers == [["partner@doras.nl"]]
    assert str(postbus.berichten[0]["Subject"]).startswith("Herinnering: voortgangsrapportage")
    claim.refresh_from_db()
    assert claim.verstuurd_op is not None
    assert Herinnering.objects.count() == 1


# --- Redis down ---------------------------------------------------------------------------


@pytest.fixture
def redis_plat(settings: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Redis configured as cache and broker, on a port where nothing answers."""
    adres = f"redis://127.0.0.1:{vrije_poort()}/0"
    settings.REDIS_URL = adres
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": adres},
    }
    settings.GEZONDHEID_TIMEOUT_SECONDEN = 1
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", adres)
    return adres


def test_with_redis_down_pages_and_the_api_keep_serving_and_health_says_why(
    redis_plat, manager, penvoerder, caplog
):
    web = Client()
    web.force_login(manager)
    assert web.get("/", follow=True).status_code == 200
    assert Client().get("/inloggen").status_code == 200
    assert web.get("/gezondheid").status_code == 200
    gereed = web.get("/gezondheid/gereed")
    assert gereed.status_code == 503
    controles = json.loads(gereed.content)["controles"]
    assert controles["broker"]["status"] == "fout"
    assert "Redis" in controles["broker"]["uitleg"]
    assert controles["database"]["status"] == "ok"

    _, sleutel = programma_services.api_sleutel_aanmaken(
        actor=Actor.systeem("tests"),
        organisatie=penvoerder,
        naam="sleutel",
        scopes=ApiSleutel.Scope.values[:1],
    )
    partner = Client()
    for _ in range(3):
        antwoord = partner.get("/api/v1/ping", HTTP_AUTHORIZATION=f"Bearer {sleutel}")
        assert antwoord.status_code == 200, antwoord.content
    assert "API-limiet niet te tellen" in caplog.text


def test_work_queued_while_redis_is_down_waits_in_the_database_and_runs_when_it_is_back(
    db, synchroon, redis_plat, actor, indicator, monkeypatch, django_capture_on_commit_callbacks
):
    import django_q.scheduler
    from django_q.brokers import get_broker

    meting = MetingFactory(indicator=indicator, periode="2025-K2", waarde=Decimal("7"))
    with django_capture_on_commit_callbacks(execute=True):
        services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")
    meting.refresh_from_db()
    assert meting.status == Beoordeling.GOEDGEKEURD
    uitgesteld = Schedule.objects.filter(name__startswith="uitgesteld ")
    assert "rapportage.tasks.standen_bijwerken" in {ast.literal_eval(s.args)[0] for s in uitgesteld}
    assert not Indicatorstand.objects.filter(indicator=indicator).exists()

    # Redis is back: the cluster's scheduler queues the kept work, the worker runs it.
    monkeypatch.undo()
    monkeypatch.setattr(Conf, "SYNC", False)
    for module in ("worker", "monitor", "scheduler"):
        monkeypatch.setattr(f"django_q.{module}.close_old_django_connections", lambda: None)
    django_q.scheduler.scheduler(broker=get_broker())
    assert not Schedule.objects.filter(name__startswith="uitgesteld ").exists()
    assert cluster_stap() >= 1
    assert Indicatorstand.objects.filter(indicator=indicator, periode="2025").exists()


# --- the database drops away under a running task -----------------------------------------


class Storing:
    """One outage: from the start of the next task until django-q2 has tried to record
    its outcome, every new cursor on every connection fails as a dropped database does."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.aan = False
        self.geweest = False
        origineel = BaseDatabaseWrapper._cursor
        storing = self

        def _cursor(self: BaseDatabaseWrapper, *args: Any, **kwargs: Any) -> Any:
            if storing.aan:
                raise OperationalError("server closed the connection unexpectedly")
            return origineel(self, *args, **kwargs)

        monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", _cursor)
        pre_execute.connect(self.begin, dispatch_uid="storing")
        post_execute.connect(self.einde, dispatch_uid="storing")

    def begin(self, **kwargs: Any) -> None:
        self.aan = not self.geweest
        self.geweest = True

    def einde(self, **kwargs: Any) -> None:
        self.aan = False

    def weg(self) -> None:
        pre_execute.disconnect(dispatch_uid="storing")
        post_execute.disconnect(dispatch_uid="storing")


@pytest.mark.django_db(transaction=True)
def test_a_task_that_loses_the_database_is_retried_not_lost(
    synchroon, monkeypatch, settings, programma, penvoerder
):
    from tests.projecten.factories import IndicatorFactory, ProjectFactory

    settings.TAAK_HERHAAL_SECONDEN = 0  # no pause before the retry in this test
    project = ProjectFactory(programma=programma, code="storing", penvoerder=penvoerder)
    indicator = IndicatorFactory(doel__project=project)
    meting = MetingFactory(indicator=indicator, periode="2025-K2", status=Beoordeling.GOEDGEKEURD)
    storing = Storing(monkeypatch)
    try:
        wachtrij.in_wachtrij("rapportage.tasks.standen_bijwerken", [meting.pk])
        # The worker starts the task and the database is gone: the task, its retry
        # schedule and django-q2's record of the failure all fail.
        verwerkt = cluster_stap()
        assert storing.geweest and not storing.aan
        if settings.REDIS_URL:
            # The retry went back to Redis, as the database could not hold it, and ran
            # as soon as the database was back.
            assert verwerkt == 2
        else:
            # The failed task stays unacknowledged in the database queue; once the retry
            # interval has passed, django-q2 delivers it again.
            assert verwerkt == 1
            assert not Indicatorstand.objects.filter(indicator=indicator).exists()
            (bericht,) = OrmQ.objects.all()
            assert bericht.lock > timezone.now()
            OrmQ.objects.update(lock=timezone.now() - timedelta(seconds=1))
            assert cluster_stap() == 1
    finally:
        storing.weg()
    assert Indicatorstand.objects.filter(indicator=indicator, periode="2025").exists()
    assert not OrmQ.objects.exists()
    assert not Schedule.objects.filter(name__startswith="herhaling ").exists()


# --- a worker killed with SIGKILL in the middle of a report --------------------------------

# A cluster whose report rendering announces that it has begun and then waits until the
# test allows it to go on: the kill lands in the middle of rendering, deterministically.
# The pause exists only in this test's processes.
PAUZEREND_CLUSTER = """
import os, time, django
django.setup()
import rapportage.pdf
echt = rapportage.pdf.pdf_maken
map_ = os.environ["STORING_MAP"]
def pdf_maken(*args, **kwargs):
    open(os.path.join(map_, f"gestart-{os.getpid()}"), "w").close()
    while not os.path.exists(os.path.join(map_, "doorgaan")):
        time.sleep(0.05)
    return echt(*args, **kwargs)
rapportage.pdf.pdf_maken = pdf_maken
from django.core.management import call_command
call_command("qcluster")
"""

omgeving = test_qcluster.omgeving


def cluster_starten(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", PAUZEREND_CLUSTER],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: killed as a whole
    )


def python(env: dict[str, str], opzet: str, uitdrukking: str) -> Any:
    """Run the statements ``opzet`` in Django against the cluster's database and return
    the value of ``uitdrukking`` as JSON."""
    script = f"{opzet.strip()}\nimport json\nprint(json.dumps({uitdrukking}))"
    return json.loads(test_qcluster.manage(env, "shell", "-c", script).strip().splitlines()[-1])


def wachten(voorwaarde: Any, seconden: float = 120) -> None:
    einde = time.monotonic() + seconden
    while not voorwaarde():
        assert time.monotonic() < einde, "gewacht tot de tijdslimiet"
        time.sleep(0.2)


RAPPORT = "from rapportage.models import Rapport\nr = Rapport.objects.get()"
GEZONDHEID = "from ontschot import gezondheid"
WORKER = "gezondheid.worker(gezondheid.broker(gezondheid.database())).status"


def test_a_report_whose_worker_is_killed_is_made_after_a_restart_exactly_once(omgeving, tmp_path):
    env = {
        **omgeving,
        "STORING_MAP": str(tmp_path),
        "PRIVE_MEDIA_ROOT": str(tmp_path / "prive"),
    }
    if env.get("REDIS_URL"):
        from django_q.brokers import get_broker

        get_broker().purge_queue()
    test_qcluster.manage(env, "migrate", "--noinput", "-v0")
    rapport_id = python(
        env,
        """
from programma.audit import Actor
from rapportage.rapporten import rapport_aanvragen
from tests.programma.factories import ProgrammaFactory
p = ProgrammaFactory(code="storing", startjaar=2024, eindjaar=2030)
r = rapport_aanvragen(
    actor=Actor.systeem("test"), soort="jaarverantwoording", programma=p, jaar=2025
)
""",
        "r.pk",
    )
    eerste = cluster_starten(env)
    try:
        wachten(lambda: any(tmp_path.glob("gestart-*")))
        assert python(env, f"{RAPPORT}\n{GEZONDHEID}", f"[r.status, r.pogingen, {WORKER}]") == [
            "bezig",
            1,
            "ok",
        ]
        os.killpg(eerste.pid, signal.SIGKILL)
        eerste.wait(timeout=30)
    finally:
        if eerste.poll() is None:
            os.killpg(eerste.pid, signal.SIGKILL)
            eerste.wait()
    # Killed mid-render: the report is stuck 'in the making', no PDF exists, and once the
    # cluster's heartbeat has expired the readiness check says that no worker runs.
    wachten(
        lambda: (
            python(env, f"{RAPPORT}\n{GEZONDHEID}", f"[r.status, {WORKER}]") == ["bezig", "fout"]
        ),
        seconden=30,
    )
    assert not list((tmp_path / "prive").rglob("*.pdf"))

    (tmp_path / "doorgaan").touch()
    tweede = cluster_starten(env)
    try:
        # Half an hour on, the hourly check finds the report whose worker died and queues
        # it again (its start is moved back here instead of waiting); the restarted
        # cluster makes it.
        python(
            env,
            RAPPORT
            + """
from datetime import timedelta
from django.utils import timezone
from programma.wachtrij import in_wachtrij
from rapportage.rapporten import VERWEESD_NA
lang_geleden = timezone.now() - VERWEESD_NA - timedelta(minutes=1)
Rapport.objects.filter(pk=r.pk).update(bezig_sinds=lang_geleden)
taak = in_wachtrij("rapportage.tasks.verweesde_rapporten_opnieuw")
""",
            "taak",
        )
        rapport: list[Any] = []

        def klaar() -> bool:
            rapport[:] = python(
                env,
                RAPPORT,
                "[r.pk, r.status, r.pogingen, r.sha256, r.pdf.name,"
                " Rapport.objects.filter(status='bezig').count()]",
            )
            return rapport[1] in ("klaar", "mislukt")

        wachten(klaar)
    finally:
        tweede.send_signal(signal.SIGTERM)
        try:
            tweede.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(tweede.pid, signal.SIGKILL)
            tweede.communicate()
    pk, status, pogingen, sha256, pad, vastgelopen = rapport
    assert (pk, status, pogingen) == (rapport_id, "klaar", 2)
    assert vastgelopen == 0
    # Exactly one PDF, the one the report names, with the report's hash.
    pdfs = list((tmp_path / "prive").rglob("*.pdf"))
    assert [p.relative_to(tmp_path / "prive").as_posix() for p in pdfs] == [pad]
    assert hashlib.sha256(pdfs[0].read_bytes()).hexdigest() == sha256
