"""The programme dashboard and the project list as a programme manager sees them, served by
gunicorn on loopback, beside the login page in the same run.

On a copy of the report benchmark's cached database (``demo --schaal N`` with its
indicator stands computed, built once when absent; see ``bench_rapport.database``),
migrated first:

1. start ``gunicorn ontschot.wsgi`` with one worker and one thread (DEBUG=0), so requests
   are answered one at a time and the client's wall time is the server's time plus the
   loopback round trip;
2. log in as the demo programme manager through the login form (CSRF token and all);
3. warm up, then request the login page, the dashboard (``/programmas/<code>``, where
   ``/`` sends the manager) and the project list (``/projecten``) in turn, ``HERHALINGEN``
   times each, and report per page the median (p50) and p95 wall time in milliseconds,
   the queries are not counted here (``tests/test_querytellingen.py`` pins them), and
   the ratio of each page's p50 and p95 to the login page's p50.

The goal is p95 <= 300 ms for the dashboard and the list at N=10. Wall time on a shared
machine wanders: ``belasting`` is the one-minute load average at the start.

    .venv/bin/python bench/run.py ui                       # scale 10 (BENCH_SCHAAL)
    .venv/bin/python bench/bench_ui.py --schaal 1          # a quick smoke run
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_api  # gunicorn on loopback
import bench_rapport  # the cached scale database with its stands

PROJECT = Path(__file__).resolve().parent.parent
HERHALINGEN = int(os.environ.get("BENCH_UI_HERHALINGEN", "50"))
OPWARMEN = 5
DOEL_P95_MS = 300.0
GEBRUIKER = "manager"
WACHTWOORD = "ontschot-demo"


class Browser:
    """One keep-alive connection with its cookies: enough of a browser for Django's login."""

    def __init__(self, poort: int) -> None:
        self.poort = poort
        self.koekjes: dict[str, str] = {}
        self.verbinding = http.client.HTTPConnection("127.0.0.1", poort, timeout=120)

    def vraag(
        self, methode: str, pad: str, body: str | None = None, kop: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes, float]:
        koppen = {"Host": f"127.0.0.1:{self.poort}", **(kop or {})}
        if self.koekjes:
            koppen["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.koekjes.items())
        begin = time.perf_counter()
        self.verbinding.request(methode, pad, body=body, headers=koppen)
        antwoord = self.verbinding.getresponse()
        inhoud = antwoord.read()
        duur = time.perf_counter() - begin
        for naam, waarde in antwoord.getheaders():
            if naam.lower() == "set-cookie":
                sleutel, _, rest = waarde.partition("=")
                self.koekjes[sleutel] = rest.split(";", 1)[0]
        return antwoord.status, dict(antwoord.getheaders()), inhoud, duur

    def inloggen(self, gebruiker: str, wachtwoord: str) -> None:
        status, _, inhoud, _ = self.vraag("GET", "/inloggen")
        gevonden = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', inhoud)
        if status != 200 or gevonden is None:
            raise RuntimeError(f"inlogpagina gaf {status} zonder CSRF-token")
        body = urlencode(
            {
                "csrfmiddlewaretoken": gevonden.group(1).decode(),
                "username": gebruiker,
                "password": wachtwoord,
            }
        )
        status, _, _, _ = self.vraag(
            "POST",
            "/inloggen",
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.poort}/inloggen",
            },
        )
        if status != 302 or "sessionid" not in self.koekjes:
            raise RuntimeError(f"inloggen als {gebruiker} mislukte ({status})")

    def doorverwijzing(self, pad: str) -> str:
        status, koppen, _, _ = self.vraag("GET", pad)
        locatie = koppen.get("Location", "")
        if status != 302 or not locatie:
            raise RuntimeError(f"{pad} gaf {status}, geen doorverwijzing")
        return urlsplit(locatie).path


def _percentiel(tijden: list[float], p: float) -> float:
    gesorteerd = sorted(tijden)
    return gesorteerd[min(len(gesorteerd) - 1, max(0, round(p / 100 * len(gesorteerd)) - 1))]


def meet(database: Path, map_: Path, schaal: int) -> list[dict[str, Any]]:
    omgeving = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
        "MEDIA_ROOT": str(map_ / "media"),
        "STATIC_ROOT": str(map_ / "static"),
        "LOG_LEVEL": "WARNING",
        "BENCH_API_WORKERS": "1",
    }
    omgeving.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=PROJECT,
        env=omgeving,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    os.environ["BENCH_API_WORKERS"] = "1"  # read by bench_api.Server when it starts
    belasting = os.getloadavg()[0]
    with bench_api.gunicorn(omgeving, map_) as server:
        anoniem = Browser(server.poort)
        manager = Browser(server.poort)
        manager.inloggen(GEBRUIKER, WACHTWOORD)
        paginas = {
            "inlogpagina": (anoniem, "/inloggen"),
            "dashboard": (manager, manager.doorverwijzing("/")),
            "projectenlijst": (manager, "/projecten"),
        }
        tijden: dict[str, list[float]] = {naam: [] for naam in paginas}
        for ronde in range(OPWARMEN + HERHALINGEN):
            for naam, (browser, pad) in paginas.items():
                status, _, _, duur = browser.vraag("GET", pad)
                if status != 200:
                    raise RuntimeError(f"{naam} ({pad}) gaf {status}")
                if ronde >= OPWARMEN:
                    tijden[naam].append(duur * 1000)
    basis = statistics.median(tijden["inlogpagina"])
    rijen = []
    for naam, (_, pad) in paginas.items():
        p50, p95 = statistics.median(tijden[naam]), _percentiel(tijden[naam], 95)
        rijen.append(
            {
                "schaal": schaal,
                "pagina": naam,
                "pad": pad,
                "verzoeken": len(tijden[naam]),
                "p50 ms": p50,
                "p95 ms": p95,
                "max ms": max(tijden[naam]),
                "p50 × inlog": p50 / basis,
                "p95 × inlog": p95 / basis,
                "doel p95 ms": DOEL_P95_MS if naam != "inlogpagina" else None,
                "belasting": belasting,
            }
        )
    return rijen


def run(schaal: int | None = None) -> list[dict[str, Any]]:
    n = schaal if schaal is not None else int(os.environ.get("BENCH_SCHAAL", "10"))
    bron = bench_rapport.database(n)
    with tempfile.TemporaryDirectory(prefix="ontschot-bench-ui-") as map_:
        werk = Path(map_) / "werk.sqlite3"
        shutil.copyfile(bron, werk)
        return meet(werk, Path(map_), n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schaal", type=int, default=None, help="demo --schaal N (standaard 10)")
    argumenten = parser.parse_args()
    rijen = run(argumenten.schaal)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run as uitvoer  # the table printer of bench/run.py

    print(uitvoer.tabel([{"benchmark": "ui", **r} for r in rijen]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
