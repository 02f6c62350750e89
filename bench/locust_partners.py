"""Locust clients for bench/bench_last.py: partner organisations submitting to the API.

Run only by bench_last.py (``locust -f bench/locust_partners.py --headless ...``), never
imported by the app or the test suite: locust imports gevent, which monkeypatches the
standard library.

Each simulated partner (a locust user) takes the next client of the assignment in
``BENCH_LAST_OPDRACHT`` (a JSON file written by bench_last.py): its own API key, its
organisation's project and indicators, and its own slice of indicator × period pairs,
so no two clients ever submit the same measurement. It loops without pause:

- POST /api/v1/metingen (16 in 20): a fresh pair, its own Idempotency-Key;
- POST /api/v1/bestedingen (3 in 20): an expenditure of a random cost type and amount;
- a retry (1 in 20): an earlier accepted request sent again with the same key and
  body, as a client does after a lost answer; it must replay the same answer
  (``Idempotent-Replayed: true``, the same id) and store nothing new.

Every answer other than the expected 201 is a failure. At the end the clients write
what they saw to ``BENCH_LAST_TELLING``: statuses, the ids of everything created (to
reconcile with the database), replays that did not match, and every latency.
"""

import itertools
import json
import os
import random
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, events, task

OPDRACHT: dict[str, Any] = json.loads(Path(os.environ["BENCH_LAST_OPDRACHT"]).read_text())
KOSTENSOORTEN = ["personeel", "activiteiten", "materieel", "huisvesting", "organisatie", "overig"]

_volgnummer = itertools.count()
statussen: dict[str, Counter[str]] = defaultdict(Counter)
gemaakt: dict[str, list[int]] = defaultdict(list)
latenties: dict[str, list[float]] = defaultdict(list)
afwijkingen: list[str] = []


class Partner(FastHttpUser):
    wait_time = constant(0)  # closed loop: the next request as soon as the answer is in

    def on_start(self) -> None:
        nummer = next(_volgnummer)
        client = OPDRACHT["clients"][nummer % len(OPDRACHT["clients"])]
        self.kop = {"Authorization": f"Bearer {client['sleutel']}"}
        self.project = client["project"]
        self.jaren = client["jaren"]
        paren = (
            (indicator, periode)
            for periode in client["perioden"]
            for indicator in client["indicatoren"]
        )
        # Client k of the m clients of its organisation takes every m-th pair from k.
        self.paren = itertools.islice(paren, client["deel"], None, client["delen"])
        self.voorvoegsel = f"{OPDRACHT['run']}-{nummer}"
        self.teller = 0
        self.aanvaard: list[tuple[str, str, str, str, int]] = []

    def _sturen(self, naam: str, pad: str, body: str, sleutel: str) -> None:
        begin = time.perf_counter()
        with self.client.post(
            pad,
            data=body,
            headers={**self.kop, "Content-Type": "application/json", "Idempotency-Key": sleutel},
            name=naam,
            catch_response=True,
        ) as antwoord:
            latenties[naam].append((time.perf_counter() - begin) * 1000)
            statussen[naam][str(antwoord.status_code)] += 1
            if antwoord.status_code != 201:
                antwoord.failure(f"{antwoord.status_code}: {(antwoord.text or '')[:200]}")
                return
            inhoud = json.loads(antwoord.text)
            gemaakt[naam].append(inhoud["id"])
            self.aanvaard.append((naam, pad, body, sleutel, inhoud["id"]))

    def _sleutel(self) -> str:
        self.teller += 1
        return f"{self.voorvoegsel}-{self.teller}-{uuid.uuid4().hex[:8]}"

    @task(16)
    def meting(self) -> None:
        paar = next(self.paren, None)
        if paar is None:
            afwijkingen.append("een client had geen vrije indicator × periode meer")
            return
        indicator, periode = paar
        waarde = f"{random.randint(0, 10_000)}.{random.randint(0, 99):02d}"
        body = json.dumps(
            {"indicator": indicator, "periode": periode, "waarde": waarde, "bron": "locust"}
        )
        self._sturen("POST /metingen", "/api/v1/metingen", body, self._sleutel())

    @task(3)
    def besteding(self) -> None:
        bedrag = f"{random.randint(0, 250_000)}.{random.randint(0, 99):02d}"
        body = json.dumps(
            {
                "project": self.project,
                "periode": str(random.choice(self.jaren)),
                "kostensoort": random.choice(KOSTENSOORTEN),
                "bedrag": bedrag,
                "omschrijving": "belastingproef",
            }
        )
        self._sturen("POST /bestedingen", "/api/v1/bestedingen", body, self._sleutel())

    @task(1)
    def herhaling(self) -> None:
        if not self.aanvaard:
            return
        naam, pad, body, sleutel, id_ = random.choice(self.aanvaard)
        begin = time.perf_counter()
        with self.client.post(
            pad,
            data=body,
            headers={**self.kop, "Content-Type": "application/json", "Idempotency-Key": sleutel},
            name="herhaling",
            catch_response=True,
        ) as antwoord:
            latenties["herhaling"].append((time.perf_counter() - begin) * 1000)
            statussen["herhaling"][str(antwoord.status_code)] += 1
            herhaald = antwoord.headers.get("Idempotent-Replayed") == "true"
            if antwoord.status_code != 201 or not herhaald:
                antwoord.failure(f"herhaling gaf {antwoord.status_code}, replayed={herhaald}")
                afwijkingen.append(f"herhaling {naam}: {antwoord.status_code} {herhaald}")
                return
            if json.loads(antwoord.text)["id"] != id_:
                antwoord.failure("herhaling gaf een ander id")
                afwijkingen.append(f"herhaling {naam} gaf een ander id dan {id_}")


@events.quitting.add_listener
def telling_wegschrijven(environment: Any, **kwargs: Any) -> None:
    Path(os.environ["BENCH_LAST_TELLING"]).write_text(
        json.dumps(
            {
                "statussen": {k: dict(v) for k, v in statussen.items()},
                "gemaakt": dict(gemaakt),
                "latenties": {k: [round(x, 3) for x in v] for k, v in latenties.items()},
                "afwijkingen": afwijkingen[:50],
                "aantal_afwijkingen": len(afwijkingen),
                "fouten_locust": environment.stats.total.num_failures,
                "verzoeken_locust": environment.stats.total.num_requests,
            }
        )
    )
