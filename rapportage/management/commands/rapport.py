"""``python manage.py rapport SOORT ... --uitvoer PAD.pdf``: render a report synchronously
for scripts, straight from a fresh snapshot, without storing a ``Rapport``:

    python manage.py rapport jaarverantwoording --programma CODE --jaar JJJJ --uitvoer PAD.pdf
    python manage.py rapport gebiedsrapportage --programma CODE --focusgebied CODE --jaar JJJJ --uitvoer PAD.pdf
    python manage.py rapport projectrapportage --programma CODE --project CODE --periode P --uitvoer PAD.pdf

``--momentopname PAD.json`` also writes the snapshot; ``--van PAD.json`` renders a stored
snapshot again instead of freezing the data anew (the same snapshot gives the same PDF).
"""

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programma.models import Focusgebied, Programma
from programma.perioden import parse_periode
from projecten.models import Project
from rapportage import momentopname
from rapportage.pdf import pdf_maken, weasyprint_meldingen


class Command(BaseCommand):
    help = "Maakt een rapport (PDF) direct, zonder achtergrondtaak: voor scripts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "soort", choices=["jaarverantwoording", "gebiedsrapportage", "projectrapportage"]
        )
        parser.add_argument("--programma", metavar="CODE")
        parser.add_argument("--jaar", type=int, metavar="JJJJ")
        parser.add_argument("--focusgebied", metavar="CODE")
        parser.add_argument("--project", metavar="CODE")
        parser.add_argument("--periode", metavar="PERIODE", help="bijvoorbeeld 2025 of 2025-K2")
        parser.add_argument("--uitvoer", required=True, metavar="PAD.pdf")
        parser.add_argument("--momentopname", metavar="PAD.json", help="schrijf ook de gegevens")
        parser.add_argument("--van", metavar="PAD.json", help="maak het rapport uit deze gegevens")

    def _gegevens(self, soort: str, opties: dict[str, Any]) -> dict[str, Any]:
        if opties["van"]:
            try:
                gegevens: dict[str, Any] = json.loads(Path(opties["van"]).read_text())
            except (OSError, ValueError) as fout:
                raise CommandError(f"Kan {opties['van']} niet lezen: {fout}") from fout
            return gegevens
        programma = Programma.objects.filter(code=opties["programma"] or "").first()
        if programma is None:
            raise CommandError(f"Programma '{opties['programma']}' bestaat niet (--programma).")
        if soort == "projectrapportage":
            project = Project.objects.filter(
                programma=programma, code=opties["project"] or ""
            ).first()
            if project is None:
                raise CommandError(f"Interventie '{opties['project']}' bestaat niet (--project).")
            try:
                parse_periode(opties["periode"] or "")
                project.valideer_periode(opties["periode"])
            except Exception as fout:
                raise CommandError(
                    f"Ongeldige --periode: {' '.join(getattr(fout, 'messages', [str(fout)]))}"
                ) from fout
            return momentopname.projectrapportage(project=project, periode=opties["periode"])
        jaar = opties["jaar"]
        if jaar is None or not programma.startjaar <= jaar <= programma.eindjaar:
            raise CommandError(
                f"--jaar moet in de programmaperiode {programma.startjaar}–{programma.eindjaar} liggen."
            )
        if soort == "gebiedsrapportage":
            gebied = Focusgebied.objects.filter(
                programma=programma, code=opties["focusgebied"] or ""
            ).first()
            if gebied is None:
                raise CommandError(
                    f"Focusgebied '{opties['focusgebied']}' bestaat niet (--focusgebied)."
                )
            return momentopname.gebiedsrapportage(
                programma=programma, focusgebied=gebied, jaar=jaar
            )
        return momentopname.jaarverantwoording(programma=programma, jaar=jaar)

    def handle(self, *args: Any, soort: str, **opties: Any) -> None:
        begin = time.perf_counter()
        gegevens = self._gegevens(soort, opties)
        if opties["momentopname"]:
            Path(opties["momentopname"]).write_text(
                json.dumps(gegevens, ensure_ascii=False, indent=1, sort_keys=True)
            )
        with weasyprint_meldingen() as meldingen:
            uitkomst = pdf_maken(gegevens)
        Path(opties["uitvoer"]).write_bytes(uitkomst.pdf)
        for melding in meldingen:
            self.stderr.write(f"WeasyPrint: {melding.getMessage()}")
        self.stdout.write(
            f"{opties['uitvoer']}: {uitkomst.paginas} pagina's, {len(uitkomst.pdf):,} bytes, "
            f"SHA-256 {uitkomst.sha256}, gegevens {gegevens['gegevenshash']}, "
            f"{time.perf_counter() - begin:.1f} s."
        )
