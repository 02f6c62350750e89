"""Dutch formatting of the figures in Ontschot's reports, charts and pages.

One place decides how a reader sees an amount, a number, a percentage, a date or a yes/no:
the PDF tables format their cells with :func:`cel`, the charts label their axes with the
same helpers. Conventions:

- thousands separated by a dot, decimals by a comma: ``1.234,5``;
- money with the euro sign and a space: ``€ 1.234,56``; a negative amount starts with the
  minus sign U+2212 before the euro sign: ``−€ 1.234,56`` (numbers likewise: ``−12,5``);
- rounding is half-up, the way an accountant rounds, and never shows a negative zero;
- percentages with one decimal and no space: ``87,3%``;
- dates as ``31-03-2026``, or written out as ``31 maart 2026``;
- an unknown value (None) is an empty cell, except an unknown yes/no, which reads
  ``onbekend``.

Money and numbers arrive as Decimals or as the decimal strings of a report snapshot
(see :mod:`programma.tabellen`); they never pass through a float.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MIN = "\u2212"
MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def als_decimal(waarde: Decimal | int | str) -> Decimal:
    """A finite Decimal from a Decimal, an int or a snapshot's decimal string.

    Floats are refused: money in Ontschot never passes through one.
    """
    if isinstance(waarde, bool) or not isinstance(waarde, Decimal | int | str):
        raise TypeError(f"Verwacht een Decimal, geen {type(waarde).__name__}.")
    try:
        getal = Decimal(waarde)
    except InvalidOperation:
        raise ValueError(f"Geen getal: {waarde!r}.") from None
    if not getal.is_finite():
        raise ValueError(f"Geen eindig getal: {waarde!r}.")
    return getal


def _afgerond(waarde: Decimal, decimalen: int | None) -> Decimal:
    if decimalen is None:
        # As stored, without trailing zeros but never in exponent notation.
        afgerond = waarde.normalize()
        if afgerond.as_tuple().exponent > 0:  # type: ignore[operator]
            afgerond = afgerond.quantize(Decimal(1))
    else:
        afgerond = waarde.quantize(Decimal(1).scaleb(-decimalen), rounding=ROUND_HALF_UP)
    return abs(afgerond) if afgerond.is_zero() else afgerond


def _cijfers(waarde: Decimal) -> str:
    """The digits of a non-negative Decimal with Dutch separators."""
    tekst = format(waarde, "f")
    geheel, _, breuk = tekst.partition(".")
    groepen: list[str] = []
    while len(geheel) > 3:
        groepen.insert(0, geheel[-3:])
        geheel = geheel[:-3]
    groepen.insert(0, geheel)
    return ".".join(groepen) + ("," + breuk if breuk else "")


def nl_getal(waarde: Decimal | int | str, decimalen: int | None = None) -> str:
    """A number with Dutch separators: ``nl_getal(Decimal("-1234.5"), 2)`` is ``−1.234,50``.

    Without ``decimalen`` the number keeps the decimals it has, minus trailing zeros.
    """
    afgerond = _afgerond(als_decimal(waarde), decimalen)
    return (MIN if afgerond < 0 else "") + _cijfers(abs(afgerond))


def nl_bedrag(waarde: Decimal | int | str, decimalen: int = 2) -> str:
    """An amount in euros: ``€ 1.234,56``, negative ``−€ 1.234,56``."""
    afgerond = _afgerond(als_decimal(waarde), decimalen)
    return (MIN if afgerond < 0 else "") + "€ " + _cijfers(abs(afgerond))


def nl_procent(waarde: Decimal | int | str, decimalen: int = 1) -> str:
    """A percentage given in percent (87.25 is 87,25%): ``87,3%``."""
    return nl_getal(waarde, decimalen) + "%"


def nl_datum(waarde: date | str, *, voluit: bool = False) -> str:
    """A date as ``31-03-2026``, or with ``voluit`` as ``31 maart 2026``."""
    dag = date.fromisoformat(waarde) if isinstance(waarde, str) else waarde
    if voluit:
        return f"{dag.day} {MAANDEN[dag.month - 1]} {dag.year}"
    return f"{dag.day:02d}-{dag.month:02d}-{dag.year:04d}"


def nl_ja_nee(waarde: bool | None) -> str:
    if waarde is None:
        return "onbekend"
    return "ja" if waarde else "nee"


def cel(waarde: Any, soort: str) -> str:
    """A snapshot table's cell as a reader sees it, by its column kind (``soort``).

    ``waarde`` is a value as :mod:`programma.tabellen` stores it; None is an empty cell
    except in a ``ja_nee`` column, where it reads ``onbekend``.
    """
    if soort == "ja_nee":
        return nl_ja_nee(waarde)
    if waarde is None:
        return ""
    if soort == "tekst":
        return str(waarde)
    if soort == "bedrag":
        return nl_bedrag(waarde)
    if soort == "getal":
        return nl_getal(waarde)
    if soort == "procent":
        return nl_procent(waarde)
    if soort == "jaar":
        return str(int(waarde))
    if soort == "datum":
        return nl_datum(waarde)
    raise ValueError(f"Onbekende kolomsoort: {soort!r}.")
