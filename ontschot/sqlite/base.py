"""SQLite for several processes at once: writers take turns on a file lock.

SQLite lets one writer at a time into a database. On a laptop Ontschot runs gunicorn and
the django-q2 worker as separate processes on one SQLite file, so writes from different
processes meet. A writer that finds the database locked gets SQLITE_BUSY, and SQLite's
busy handler sleeps 1, 2, 5, 10, 15 ... ms before each new try: under a steady stream of
partner submissions most of a write's time went to these sleeps, and a second gunicorn
worker added no throughput at all.

This backend is Django's SQLite backend with one change: every write transaction (Django
opens them with ``BEGIN IMMEDIATE``, see ``transaction_mode`` in the settings) first takes
an exclusive ``flock`` on a file beside the database, ``<database>-schrijfslot``. A writer
that finds the lock taken tries again after 0.1 ms, doubling up to 2 ms, so it gets its
turn within a fraction of a millisecond of the previous commit. The lock is given back
at commit, rollback and close. It waits at most the connection's ``timeout`` (20 s in the
settings), then fails the way SQLite does ("database is locked").

Only writers that go through this backend take the lock; anything else (the sqlite3
shell, a statement in autocommit mode) still meets SQLite's own lock and busy timeout,
which stay as they were. An in-memory database (the test database) has one connection
and needs no lock.
"""

import fcntl
import os
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

EERSTE_PAUZE = 0.0001
LANGSTE_PAUZE = 0.002


class DatabaseWrapper(base.DatabaseWrapper):
    _slot: int | None = None
    _slot_vast = False

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        self._wachttijd = float(params.get("timeout", 5))
        return params

    def _slot_openen(self) -> int | None:
        if self._slot is None and not self.is_in_memory_db():
            pad = f"{self.settings_dict['NAME']}-schrijfslot"
            self._slot = os.open(pad, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._slot

    def _slot_nemen(self) -> None:
        slot = self._slot_openen()
        if slot is None or self._slot_vast:
            return
        tot = time.monotonic() + getattr(self, "_wachttijd", 20.0)
        pauze = EERSTE_PAUZE
        while True:
            try:
                fcntl.flock(slot, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= tot:
                    raise OperationalError("database is locked") from None
                time.sleep(pauze)
                pauze = min(pauze * 2, LANGSTE_PAUZE)
            else:
                self._slot_vast = True
                return

    def _slot_vrijgeven(self) -> None:
        if self._slot_vast and self._slot is not None:
            fcntl.flock(self._slot, fcntl.LOCK_UN)
        self._slot_vast = False

    def _start_transaction_under_autocommit(self) -> None:
        self._slot_nemen()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._slot_vrijgeven()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._slot_vrijgeven()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._slot_vrijgeven()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._slot_vrijgeven()
            if self._slot is not None:
                os.close(self._slot)
                self._slot = None
