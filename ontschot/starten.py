"""Start Ontschot's web server and one django-q2 worker together, for `make run`.

Both run as child processes; Ctrl-C (or SIGTERM) stops both, and when one of them stops
on its own the other is stopped too, so nothing is left running in the background.

    python -m ontschot.starten [--host 127.0.0.1] [--port 8000]
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

PROJECT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()
    bin_map = Path(sys.executable).parent
    processen = [
        subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=PROJECT),
        subprocess.Popen(
            [
                str(bin_map / "gunicorn"),
                "ontschot.wsgi",
                "--bind",
                f"{args.host}:{args.port}",
                "--workers",
                os.environ.get("WEB_WORKERS", "2"),
                "--access-logfile",
                "-",
            ],
            cwd=PROJECT,
        ),
    ]
    stoppen = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stoppen
        stoppen = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stoppen and all(p.poll() is None for p in processen):
        time.sleep(0.5)
    for p in processen:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processen:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
    print("Ontschot is gestopt (web en worker).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
