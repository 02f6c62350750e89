"""Reporting periods as short codes: ``2025`` (year), ``2025-H1`` (half year),
``2025-K3`` (quarter) and ``2025-07`` (month).

A code is what partners type and what the API carries; its start and end dates are
derived, never stored twice.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

PERIODE_PATROON = re.compile(
    r"^(?P<jaar>[0-9]{4})(?:-(?:H(?P<h>[12])|K(?P<k>[1-4])|(?P<m>0[1-9]|1[0-2])))?$"
)

FREQUENTIES = {"jaar": 1, "halfjaar": 2, "kwartaal": 4, "maand": 12}


@dataclass(frozen=True, order=True)
class Periode:
    start: date
    einde: date
    code: str

    @property
    def jaar(self) -> int:
        return self.start.year


def parse_periode(code: str) -> Periode:
    """Return the period for ``code``; raise ValidationError with a Dutch message otherwise."""
    match = PERIODE_PATROON.fullmatch(code or "")
    if not match:
        raise ValidationError(
            "Ongeldige periode %(code)s: gebruik JJJJ, JJJJ-H1/H2, JJJJ-K1..K4 of JJJJ-MM.",
            code="periode",
            params={"code": repr(code)},
        )
    jaar = int(match["jaar"])
    if not 1900 <= jaar <= 2100:
        raise ValidationError("Periode %(code)s ligt buiten 1900–2100.", params={"code": code})
    if match["h"]:
        eerste, aantal = (int(match["h"]) - 1) * 6 + 1, 6
    elif match["k"]:
        eerste, aantal = (int(match["k"]) - 1) * 3 + 1, 3
    elif match["m"]:
        eerste, aantal = int(match["m"]), 1
    else:
        eerste, aantal = 1, 12
    laatste = eerste + aantal - 1
    return Periode(
        start=date(jaar, eerste, 1),
        einde=date(jaar, laatste, calendar.monthrange(jaar, laatste)[1]),
        code=code,
    )


def valideer_periode(code: str) -> None:
    parse_periode(code)


def perioden_tussen(start: date, einde: date, frequentie: str) -> list[Periode]:
    """All periods of ``frequentie`` that overlap the date range ``start``..``einde``."""
    per_jaar = FREQUENTIES[frequentie]
    resultaat: list[Periode] = []
    for jaar in range(start.year, einde.year + 1):
        for i in range(1, per_jaar + 1):
            if frequentie == "jaar":
                code = f"{jaar}"
            elif frequentie == "halfjaar":
                code = f"{jaar}-H{i}"
            elif frequentie == "kwartaal":
                code = f"{jaar}-K{i}"
            else:
                code = f"{jaar}-{i:02d}"
            periode = parse_periode(code)
            if periode.einde >= start and periode.start <= einde:
                resultaat.append(periode)
    return resultaat
