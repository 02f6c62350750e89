"""django-q2 is the one background engine: tasks run through programma.wachtrij, failures
are recorded and retried up to the limit, schedules exist once by name, and the tasks
page shows schedules, runs and failures with a retry button."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule, Task

from programma import tasks as programma_tasks
from programma import wachtrij
from programma.models import Auditregel, Idempotentieverzoek, Rol
from rapportage.planning import PLANNINGEN
from tests.programma.factories import GebruikerFactory, RolFactory

pytestmark = pytest.mark.django_db


def cluster_stap() -> int:
    """Take every queued package from the broker and run it through django-q2's own worker
    and monitor in this process: what a cluster does, including recording failures (which
    django-q2's sync mode does not)."""
    from multiprocessing import Queue, Value

    from django_q.brokers import get_broker
    from django_q.monitor import monitor
    from django_q.signing import SignedPackage
    from django_q.worker import worker

    broker = get_broker()
    verwerkt = 0
    while pakketten := broker.dequeue():
        for ack_id, pakket in pakketten:
            taken, resultaten = Queue(), Queue()
            taak = SignedPackage.loads(pakket)
            taak["ack_id"] = ack_id
            taken.put(taak)
            taken.put("STOP")
            worker(taken, resultaten, Value("f", -1))
            resultaten.put("STOP")
            monitor(resultaten, broker)
            verwerkt += 1
    return verwerkt


@pytest.fixture
def synchroon(monkeypatch):
    """Queued tasks are not run until ``cluster_stap()``. The worker and monitor would close
    the database connection before each task, as a long-running cluster should; here that
    connection holds the test's transaction, so it stays open."""
    import django_q.monitor
    import django_q.worker

    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(django_q.worker, "close_old_django_connections", lambda: None)
    monkeypatch.setattr(django_q.monitor, "close_old_django_connections", lambda: None)
    # Work queued by earlier tests (a shared Redis list outlives their transactions).
    from django_q.brokers import get_broker

    get_broker().purge_queue()


@pytest.fixture
def kapotte_taak(monkeypatch):
    def kapot() -> None:
        raise RuntimeError("database onbereikbaar")

    monkeypatch.setattr(programma_tasks, "idempotentie_opruimen", kapot)


def oud_verzoek() -> Idempotentieverzoek:
    verzoek = Idempotentieverzoek.objects.create(
        sleutel_hash="a" * 64, idempotentiesleutel="k", verzoek_hash="b" * 64
    )
    Idempotentieverzoek.objects.filter(pk=verzoek.pk).update(
        aangemaakt_op=timezone.now() - timedelta(hours=25)
    )
    return verzoek


def test_a_task_runs_through_the_queue_and_twice_is_harmless(synchroon):
    oud_verzoek()
    Idempotentieverzoek.objects.create(
        sleutel_hash="c" * 64, idempotentiesleutel="k", verzoek_hash="d"
    )
    eerste = wachtrij.in_wachtrij("programma.tasks.idempotentie_opruimen")
    cluster_stap()
    tweede = wachtrij.in_wachtrij("programma.tasks.idempotentie_opruimen")
    cluster_stap()
    assert Task.objects.get(id=eerste).result == 1
    assert Task.objects.get(id=tweede).result == 0
    assert Idempotentieverzoek.objects.count() == 1


def test_a_failure_is_recorded_and_scheduled_again_with_a_pause(synchroon, kapotte_taak):
    taak_id = wachtrij.in_wachtrij("programma.tasks.idempotentie_opruimen")
    assert cluster_stap() == 1
    taak = Task.objects.get(id=taak_id)
    assert taak.success is False
    assert "database onbereikbaar" in str(taak.result)
    herhaling = Schedule.objects.get(func=wachtrij.UITVOERDER, schedule_type=Schedule.ONCE)
    assert "programma.tasks.idempotentie_opruimen" in herhaling.args
    assert "'poging': 2" in herhaling.kwargs
    assert herhaling.next_run > timezone.now() + timedelta(seconds=30)


def test_retries_stop_at_the_attempt_limit(settings, kapotte_taak):
    settings.TAAK_MAX_POGINGEN = 3
    for poging in (1, 2):
        with pytest.raises(RuntimeError):
            wachtrij.uitvoeren("programma.tasks.idempotentie_opruimen", poging=poging)
    assert Schedule.objects.filter(schedule_type=Schedule.ONCE).count() == 2
    with pytest.raises(RuntimeError):
        wachtrij.uitvoeren("programma.tasks.idempotentie_opruimen", poging=3)
    assert Schedule.objects.filter(schedule_type=Schedule.ONCE).count() == 2


def test_only_ontschot_tasks_are_run():
    with pytest.raises(ValueError, match="Geen Ontschot-taak"):
        wachtrij.uitvoeren("os.system", "true")


def test_work_after_a_change_is_queued_only_when_it_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        wachtrij.na_commit("programma.tasks.idempotentie_opruimen")
        assert not Task.objects.exists()
    assert len(callbacks) == 1


def test_schedules_are_created_once_by_name_and_updated():
    call_command("taken_inplannen")
    call_command("taken_inplannen")
    namen = list(Schedule.objects.values_list("name", flat=True))
    assert sorted(namen) == sorted(p.naam for p in PLANNINGEN)
    Schedule.objects.filter(name=PLANNINGEN[0].naam).update(schedule_type=Schedule.WEEKLY)
    call_command("taken_inplannen")
    assert Schedule.objects.get(name=PLANNINGEN[0].naam).schedule_type == PLANNINGEN[0].soort
    assert Schedule.objects.count() == len(PLANNINGEN)


def test_every_planned_task_exists():
    for planning in PLANNINGEN:
        assert callable(wachtrij.functie(planning.taak)), planning.taak


@pytest.fixture
def manager():
    return RolFactory(soort=Rol.Soort.PROGRAMMAMANAGER, programma__code="nplv").gebruiker


def test_tasks_page_shows_schedules_runs_and_failures_and_retries(
    client, manager, synchroon, kapotte_taak, monkeypatch, django_capture_on_commit_callbacks
):
    call_command("taken_inplannen")
    mislukt_id = wachtrij.in_wachtrij("programma.tasks.idempotentie_opruimen")
    cluster_stap()
    client.force_login(manager)
    pagina = client.get(reverse("rapportage:taken")).content.decode()
    assert "herinneringen versturen" in pagina
    assert "database onbereikbaar" in pagina
    assert "Opnieuw proberen" in pagina

    monkeypatch.setattr(programma_tasks, "idempotentie_opruimen", lambda: 0)  # works again
    with_audit = Auditregel.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rapportage:taak_opnieuw", args=[mislukt_id]), follow=True)
    assert "staat opnieuw in de wachtrij" in response.content.decode()
    assert cluster_stap() == 1
    assert Task.objects.filter(success=True).count() == 1
    assert Auditregel.objects.filter(actie="taak_opnieuw").count() == 1
    assert Auditregel.objects.count() == with_audit + 1


def test_partners_and_strangers_do_not_see_the_tasks_page(client):
    partner = RolFactory(soort=Rol.Soort.PARTNER, organisatie__naam="Buurtwerk").gebruiker
    client.force_login(partner)
    assert client.get(reverse("rapportage:taken")).status_code == 403
    client.force_login(GebruikerFactory())
    assert client.get(reverse("rapportage:taken")).status_code == 403
    client.logout()
    assert client.get(reverse("rapportage:taken")).status_code == 302
