"""Rendering a report snapshot to PDF with WeasyPrint.

The PDF is PDF/UA-1 (tagged, document language ``nl``, a title), carries the snapshot
inside it (``momentopname.json`` and one CSV per table) and is reproducible: the same
snapshot renders to the same bytes, because every date in the file (document info, XMP
metadata, attachments) is the snapshot's moment and the file identifier is derived from
the snapshot's hash.

WeasyPrint fetches nothing from the network: the only resources a report has are the
print stylesheet and what else lives under the static directories, requested as
``ontschot:<path>`` and read from disk by :func:`url_fetcher`. Any other address is
refused, and the refusal is logged by WeasyPrint, which the tests treat as a failure.
"""

import hashlib
import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from programma import tabelbestanden
from rapportage.weergave import Rapportweergave, bijlagenamen, weergave

SCHEMA = "ontschot:"
SJABLOON = "rapportage/pdf/rapport.html"


class BronGeweigerd(ValueError):
    """A report asked for a resource that is not one of Ontschot's static files."""


def _statisch(url: str) -> Path:
    if not url.startswith(SCHEMA):
        raise BronGeweigerd(f"Een rapport haalt niets op van buiten Ontschot: {url}")
    pad = url.removeprefix(SCHEMA).lstrip("/")
    gevonden = finders.find(pad) if ".." not in Path(pad).parts else None
    if not gevonden:
        raise BronGeweigerd(f"Geen statisch bestand van Ontschot: {pad}")
    return Path(gevonden if isinstance(gevonden, str) else gevonden[0])


SOORTEN = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


def _fetcher_klasse() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StatischeFetcher(URLFetcher):  # type: ignore[misc]
        """Serves ``ontschot:<path>`` from the static directories and nothing else."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            bestand = _statisch(url)
            return URLFetcherResponse(
                url,
                bestand.read_bytes(),
                {"Content-Type": SOORTEN.get(bestand.suffix, "application/octet-stream")},
            )

    return StatischeFetcher


def url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that reads Ontschot's static files from disk and refuses
    every other address (nothing is fetched from the network)."""
    return _fetcher_klasse()(allowed_protocols=["ontschot"])


def html(rapport: Rapportweergave) -> str:
    return render_to_string(SJABLOON, {"r": rapport})


def moment_van(momentopname: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(momentopname["moment"])


def bijlagen(momentopname: dict[str, Any]) -> list[tuple[str, bytes, str]]:
    """(name, content, description) of the files the PDF carries."""
    json_bytes = json.dumps(momentopname, ensure_ascii=False, indent=1, sort_keys=True).encode()
    uit = [("momentopname.json", json_bytes, "De bevroren gegevens van dit rapport (JSON)")]
    for naam in sorted(momentopname["tabellen"]):
        tabel = momentopname["tabellen"][naam]
        uit.append((f"{naam}.csv", tabelbestanden.csv_bytes(tabel), tabel["titel"]))
    assert [n for n, _, _ in uit] == bijlagenamen(momentopname)
    return uit


@dataclass
class Uitkomst:
    pdf: bytes
    paginas: int
    sha256: str
    html: str


@contextmanager
def weasyprint_meldingen() -> Iterator[list[logging.LogRecord]]:
    """Collect what WeasyPrint logs at WARNING or above while rendering."""
    meldingen: list[logging.LogRecord] = []

    class Verzamelaar(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            meldingen.append(record)

    handler = Verzamelaar(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield meldingen
    finally:
        logger.removeHandler(handler)


def pdf_maken(
    momentopname: dict[str, Any],
    *,
    voortgang: Callable[[int], None] | None = None,
) -> Uitkomst:
    """Render the report of ``momentopname``. ``voortgang`` is told the percentage done
    (30 after the view-model, 45 after the HTML, 85 after the layout, 100 at the end)."""
    import weasyprint

    stap = voortgang or (lambda _: None)
    model = weergave(momentopname)
    stap(30)
    tekst = html(model)
    stap(45)
    document = weasyprint.HTML(string=tekst, base_url=SCHEMA, url_fetcher=url_fetcher()).render(
        pdf_variant="pdf/ua-1"
    )
    stap(85)
    moment = moment_van(momentopname)
    document.metadata.created = moment.isoformat()
    document.metadata.modified = moment.isoformat()
    document.metadata.lang = "nl"
    bijlagelijst = [
        weasyprint.Attachment(
            file_obj=io.BytesIO(inhoud),
            name=naam,
            description=omschrijving,
            created=moment,
            modified=moment,
            relationship="Data",
        )
        for naam, inhoud, omschrijving in bijlagen(momentopname)
    ]
    pdf = document.write_pdf(
        pdf_variant="pdf/ua-1",
        pdf_identifier=momentopname["gegevenshash"][:32].encode(),
        attachments=bijlagelijst,
    )
    stap(100)
    assert isinstance(pdf, bytes)
    return Uitkomst(
        pdf=pdf, paginas=len(document.pages), sha256=hashlib.sha256(pdf).hexdigest(), html=tekst
    )
