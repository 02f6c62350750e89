"""Every table in the web UI can be downloaded as CSV and as XLSX.

A page builds its tables in the snapshot table form of :mod:`programma.tabellen` (named,
with typed columns) and hands them to :func:`downloaden` before it renders. When the
request asks for one of them (``?download=<naam>&formaat=csv|xlsx``, the other query
parameters, such as filters, unchanged) the answer is that table as a file, written by the
same code as a report's exports: UTF-8 CSV with Excel's byte order mark, XLSX with real
numbers and dates, and text cells neutralised against formula injection. The template
shows the two links with ``{% include "_download.html" with tabel="<naam>" %}``.

Each table's file holds all its rows, not only the page on screen: a page that paginates
passes the full table.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from programma.tabelbestanden import csv_bytes, xlsx_bytes

FORMATEN = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Tabellen = Iterable[dict[str, Any]] | Callable[[], Iterable[dict[str, Any]]]


def gevraagd(request: HttpRequest) -> bool:
    """Whether the request asks for a table file rather than the page."""
    return "download" in request.GET


def downloaden(
    request: HttpRequest, tabellen: Tabellen, *, moment: datetime | None = None
) -> HttpResponse | None:
    """The requested table as a file, or None when the request asks for the page.

    ``tabellen`` may be a callable, so a page builds the full tables only when one is
    downloaded. An unknown table or format is a 404.
    """
    if not gevraagd(request):
        return None
    naam, formaat = request.GET.get("download", ""), request.GET.get("formaat", "")
    if formaat not in FORMATEN:
        raise Http404("Onbekend bestandsformaat.")
    lijst = tabellen() if callable(tabellen) else tabellen
    tabel = next((t for t in lijst if t["naam"] == naam), None)
    if tabel is None:
        raise Http404("Onbekende tabel.")
    moment = moment or timezone.localtime()
    if formaat == "csv":
        inhoud = csv_bytes(tabel)
    else:
        inhoud = xlsx_bytes([tabel], titel=tabel["titel"], moment=moment)
    bestand = f"{slugify(tabel['titel']) or tabel['naam']}-{moment:%Y%m%d}.{formaat}"
    antwoord = HttpResponse(inhoud, content_type=FORMATEN[formaat])
    antwoord["Content-Disposition"] = f'attachment; filename="{bestand}"'
    return antwoord
