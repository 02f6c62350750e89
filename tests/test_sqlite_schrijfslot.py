"""SQLite's write transactions take turns on a file lock beside the database
(ontschot/sqlite/base.py): taken at BEGIN, given back at commit, rollback and close, and
waited for at most the connection's timeout. Each test has its own database file and its
own connections, apart from the test database."""

import fcntl
import os
import threading
import time
from copy import deepcopy
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError

from ontschot.sqlite.base import DatabaseWrapper


def _verbinding(pad: object, timeout: float = 20) -> DatabaseWrapper:
    instellingen: dict[str, Any] = {
        **deepcopy(settings.DATABASES["default"]),
        "ENGINE": "ontschot.sqlite",
        "NAME": str(pad),
        "TEST": {},
        "OPTIONS": {
            "timeout": timeout,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        },
    }
    return DatabaseWrapper(instellingen, alias=f"schrijfslot-{id(instellingen)}")


def _bezet(pad) -> bool:
    """Whether another holder has the lock, asked through a file descriptor of our own."""
    fd = os.open(f"{pad}-schrijfslot", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


@pytest.fixture(autouse=True)
def eigen_verbindingen(django_db_blocker):
    """These connections are the tests' own, not the test database's."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def db_pad(tmp_path):
    pad = tmp_path / "slot.sqlite3"
    verbinding = _verbinding(pad)
    with verbinding.cursor() as cursor:
        cursor.execute("CREATE TABLE teller (id INTEGER PRIMARY KEY, waarde INTEGER)")
        cursor.execute("INSERT INTO teller (id, waarde) VALUES (1, 0)")
    verbinding.close()
    return pad


def test_a_write_transaction_holds_the_lock_until_commit(db_pad):
    verbinding = _verbinding(db_pad)
    assert not _bezet(db_pad)
    with _atomic(verbinding), verbinding.cursor() as cursor:
        cursor.execute("UPDATE teller SET waarde = waarde + 1")
        assert _bezet(db_pad)
    assert not _bezet(db_pad)
    with verbinding.cursor() as cursor:
        cursor.execute("SELECT waarde FROM teller")
        assert cursor.fetchone()[0] == 1
    verbinding.close()


def test_rollback_and_close_give_the_lock_back(db_pad):
    verbinding = _verbinding(db_pad)
    with pytest.raises(RuntimeError), _atomic(verbinding):
        assert _bezet(db_pad)
        raise RuntimeError("afgebroken")
    assert not _bezet(db_pad)
    verbinding.ensure_connection()
    verbinding._slot_nemen()
    assert _bezet(db_pad)
    verbinding.close()
    assert not _bezet(db_pad)


class _atomic:
    """Django's atomic() on a connection that is not in the connection handler."""

    def __init__(self, verbinding: DatabaseWrapper) -> None:
        self.verbinding = verbinding

    def __enter__(self) -> None:
        self.verbinding.ensure_connection()
        self.verbinding._start_transaction_under_autocommit()

    def __exit__(self, soort, *_: object) -> None:
        if soort is None:
            self.verbinding.commit()
        else:
            self.verbinding.rollback()


def test_a_second_writer_waits_for_its_turn_and_then_writes(db_pad):
    eerste = _verbinding(db_pad)
    klaar = threading.Event()
    gewacht: list[float] = []

    def schrijver() -> None:
        tweede = _verbinding(db_pad)  # a connection belongs to the thread that made it
        begin = time.monotonic()
        with _atomic(tweede), tweede.cursor() as cursor:
            gewacht.append(time.monotonic() - begin)
            cursor.execute("UPDATE teller SET waarde = waarde * 10")
        tweede.close()
        klaar.set()

    with _atomic(eerste), eerste.cursor() as cursor:
        cursor.execute("UPDATE teller SET waarde = waarde + 1")
        draad = threading.Thread(target=schrijver)
        draad.start()
        time.sleep(0.2)
        assert not klaar.is_set()  # the second writer waits while the first holds the lock
    assert klaar.wait(5)
    draad.join()
    assert gewacht[0] >= 0.15
    with eerste.cursor() as cursor:
        cursor.execute("SELECT waarde FROM teller")
        assert cursor.fetchone()[0] == 10  # (0 + 1) * 10: in turn, nothing lost
    eerste.close()


def test_waiting_ends_after_the_timeout_with_database_is_locked(db_pad):
    fd = os.open(f"{db_pad}-schrijfslot", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        verbinding = _verbinding(db_pad, timeout=0.3)
        begin = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"), _atomic(verbinding):
            pass
        assert 0.25 <= time.monotonic() - begin < 5
        with verbinding.cursor() as cursor:  # nothing was begun: the connection still reads
            cursor.execute("SELECT waarde FROM teller")
            assert cursor.fetchone()[0] == 0
        verbinding.close()
    finally:
        os.close(fd)


def test_the_test_database_in_memory_needs_no_lock():
    verbinding = _verbinding(":memory:")
    with _atomic(verbinding), verbinding.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert verbinding._slot is None
    verbinding.close()
