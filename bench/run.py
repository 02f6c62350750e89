"""Run every benchmark in this folder and print one table.

A benchmark is a module ``bench/bench_*.py`` with a function ``run() -> list[dict]``: one
dict per row, the same keys in every row of a module where possible. Rows are printed
together, and written as JSON to ``bench/resultaten/`` (not committed) so runs can be
compared. Benchmarks print figures and ratios; they never assert a time.

    .venv/bin/python bench/run.py             # all benchmarks
    .venv/bin/python bench/run.py demo        # only those whose name contains "demo"
"""

import importlib.util
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

MAP = Path(__file__).resolve().parent


def modules(filter_: str = "") -> list[ModuleType]:
    gevonden = []
    for pad in sorted(MAP.glob("bench_*.py")):
        if filter_ and filter_ not in pad.stem:
            continue
        spec = importlib.util.spec_from_file_location(pad.stem, pad)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        gevonden.append(module)
    return gevonden


def opmaak(waarde: Any) -> str:
    if isinstance(waarde, float):
        return f"{waarde:,.2f}" if abs(waarde) < 1000 else f"{waarde:,.0f}"
    if isinstance(waarde, int):
        return f"{waarde:,}"
    return "" if waarde is None else str(waarde)


def tabel(rijen: list[dict[str, Any]]) -> str:
    kolommen: list[str] = []
    for rij in rijen:
        kolommen += [k for k in rij if k not in kolommen]
    cellen = [[opmaak(rij.get(k)) for k in kolommen] for rij in rijen]
    breedte = [max(len(k), *(len(c[i]) for c in cellen)) for i, k in enumerate(kolommen)]
    regels = ["  ".join(k.ljust(b) for k, b in zip(kolommen, breedte, strict=True))]
    regels.append("  ".join("-" * b for b in breedte))
    for tekst in cellen:
        regels.append(
            "  ".join(
                c.rjust(b) if c[:1].isdigit() or c[:1] == "-" else c.ljust(b)
                for c, b in zip(tekst, breedte, strict=True)
            )
        )
    return "\n".join(regels)


def main(argv: list[str]) -> int:
    begin = time.perf_counter()
    rijen: list[dict[str, Any]] = []
    for module in modules(argv[1] if len(argv) > 1 else ""):
        print(f"… {module.__name__}", file=sys.stderr, flush=True)
        for rij in module.run():
            rijen.append({"benchmark": module.__name__.removeprefix("bench_"), **rij})
    if not rijen:
        print("Geen benchmarks gevonden.", file=sys.stderr)
        return 1
    print(tabel(rijen))
    print(
        f"\n{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
        f"{time.perf_counter() - begin:.0f} s in totaal"
    )
    uitvoer = MAP / "resultaten"
    uitvoer.mkdir(exist_ok=True)
    stempel = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (uitvoer / f"{stempel}.json").write_text(json.dumps(rijen, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
