"""The SiSa annex of a yearly accountability report: the figures per grant decision in
the layout of the Single information Single audit (SiSa) appendix that municipalities
send to the ministry. The report's other files (PDF attachments, CSV, XLSX, the zip) are
written by :mod:`programma.tabelbestanden`, with the same conventions: UTF-8 CSV with a
byte order mark, text cells neutralised against formula injection, exact totals.
"""

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from programma.opmaak import als_decimal
from programma.tabelbestanden import csv_regels, neutraliseer
from programma.tabellen import CENT

SISA_KOLOMMEN = (
    "Regeling",
    "Kenmerk beschikking",
    "Ontvanger",
    "Gemeentecode",
    "Jaar",
    "Verleend bedrag",
    "Ontvangen (betaalde tranches t/m jaar)",
    "Besteding jaar T",
    "Besteding cumulatief t/m T",
    "Overlopend naar T+1",
    "Eindverantwoording (Ja/Nee)",
)
SISA_BEDRAGEN = ("verleend", "ontvangen", "besteed_jaar", "besteed_cumulatief", "overloop")
_GEMEENTECODE = re.compile(r"(?:GM)?(\d{1,4})\Z")


def _gemeentecodes(codes: str | Sequence[str] | None) -> str:
    """Municipalities' CBS codes in the GM form SiSa asks for: ``363`` is ``GM0363``.

    A grant for a project in several municipalities has several codes, given as a list or
    separated by commas or semicolons; they come out separated by ", ".
    """
    delen = re.split(r"[,;\s]+", codes) if isinstance(codes, str) else list(codes or [])
    uit = []
    for deel in delen:
        code = str(deel).strip().upper()
        if not code:
            continue
        gevonden = _GEMEENTECODE.match(code)
        if not gevonden:
            raise ValueError(
                f"Geen gemeentecode: {code!r} (verwacht GM gevolgd door vier cijfers)."
            )
        uit.append(f"GM{int(gevonden.group(1)):04d}")
    return ", ".join(uit)


def _bedragveld(bedrag: Decimal | None) -> str:
    return "" if bedrag is None else format(bedrag, "f")


def sisa_csv(rijen: list[dict[str, Any]]) -> bytes:
    """The SiSa annex of a year: one line per grant decision (beschikking), then the total.

    Each row has ``regeling``, ``kenmerk``, ``ontvanger``, ``gemeentecode`` (``GM0363``;
    ``363`` is accepted, several codes as a list or ``"GM0344, GM0363"``), ``jaar`` (int),
    the amounts ``verleend``, ``ontvangen``, ``besteed_jaar``, ``besteed_cumulatief`` and
    ``overloop`` as decimal strings (None: unknown, an empty field), and
    ``eindverantwoording`` (bool). The total line sums the known amounts exactly.
    """
    regels = [list(SISA_KOLOMMEN)]
    totalen = dict.fromkeys(SISA_BEDRAGEN, Decimal(0))
    for rij in rijen:
        bedragen = {
            k: None if rij[k] is None else als_decimal(rij[k]).quantize(CENT) for k in SISA_BEDRAGEN
        }
        for k, bedrag in bedragen.items():
            totalen[k] += bedrag or 0
        regels.append(
            [
                neutraliseer(str(rij["regeling"])),
                neutraliseer(str(rij["kenmerk"])),
                neutraliseer(str(rij["ontvanger"])),
                _gemeentecodes(rij["gemeentecode"]),
                str(int(rij["jaar"])),
                *(_bedragveld(bedragen[k]) for k in SISA_BEDRAGEN),
                "Ja" if rij["eindverantwoording"] else "Nee",
            ]
        )
    regels.append(
        [
            "Totaal",
            "",
            "",
            "",
            "",
            *(format(totalen[k].quantize(CENT), "f") for k in SISA_BEDRAGEN),
            "",
        ]
    )
    return csv_regels(regels)
