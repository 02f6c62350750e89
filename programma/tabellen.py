"""The tables of a report, as they are frozen in its snapshot.

A report's snapshot (``Rapport.momentopname``) holds its figures as named tables of plain
JSON values, so that the PDF, the CSV and XLSX exports and the attachments inside the PDF
all show the same numbers from the same frozen data:

    {"naam": "financien_themas",
     "titel": "Financiën per thema",
     "kolommen": [{"naam": "thema", "titel": "Thema", "soort": "tekst"}, ...],
     "rijen": [["Wonen", "125000.00", ...], ...],
     "totaal": ["Totaal", "500000.00", ...] or None}

Values by column kind (``soort``):

- ``tekst``: a string (may be empty);
- ``bedrag``: money as a decimal string with two decimals ("1234.50"), or None;
- ``getal``: a decimal string ("12.5", as many decimals as stored), or None;
- ``procent``: a decimal string with at most two decimals ("87.25"), or None;
- ``jaar``: an int;
- ``datum``: an ISO date string ("2026-03-31"), or None;
- ``ja_nee``: True, False or None (unknown).

Money never passes through a float: amounts are Decimals in the database, strings in the
snapshot and Decimals again wherever they are summed or formatted.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

Soort = Literal["tekst", "bedrag", "getal", "procent", "jaar", "datum", "ja_nee"]
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Kolom:
    naam: str
    titel: str
    soort: Soort = "tekst"

    def als_dict(self) -> dict[str, str]:
        return {"naam": self.naam, "titel": self.titel, "soort": self.soort}


def bedrag(waarde: Decimal | None) -> str | None:
    """Money as it goes into a snapshot: two decimals, exact."""
    return None if waarde is None else str(Decimal(waarde).quantize(CENT))


def getal(waarde: Decimal | None) -> str | None:
    """A measured value or target as it goes into a snapshot: without trailing zeros."""
    if waarde is None:
        return None
    return format(Decimal(waarde).normalize(), "f")


def procent(waarde: Decimal | None) -> str | None:
    return None if waarde is None else str(Decimal(waarde).quantize(CENT))


def tabel(
    naam: str,
    titel: str,
    kolommen: Sequence[Kolom],
    rijen: Sequence[Sequence[Any]],
    totaal: Sequence[Any] | None = None,
    toelichting: str = "",
) -> dict[str, Any]:
    """A table in its snapshot form; every row has as many values as there are columns."""
    breedte = len(kolommen)
    for rij in [*rijen, *([totaal] if totaal is not None else [])]:
        if len(rij) != breedte:
            raise ValueError(f"Tabel {naam}: een rij heeft {len(rij)} waarden, verwacht {breedte}.")
    return {
        "naam": naam,
        "titel": titel,
        "toelichting": toelichting,
        "kolommen": [k.als_dict() for k in kolommen],
        "rijen": [list(r) for r in rijen],
        "totaal": list(totaal) if totaal is not None else None,
    }


def som(waarden: Sequence[str | None]) -> str:
    """The exact sum of money strings from a snapshot, as a money string."""
    totaal = sum((Decimal(w) for w in waarden if w is not None), Decimal("0"))
    return str(totaal.quantize(CENT))
