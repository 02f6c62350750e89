"""``python manage.py aggregeer [--programma CODE] [--herschrijven]``: recompute the
indicator stands of one programme (or all) in the foreground, and print what changed and
how long it took.

The nightly schedule runs the same recompute as the task
``rapportage.tasks.standen_herberekenen``; this command is for after a migration, an
import or a repair, and for measuring. Stored stands are compared with the computed ones
by fingerprint, so a stand changed in the database by hand looks unchanged:
``--herschrijven`` replaces every stand of the programme (or of all).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programma.models import Programma
from rapportage.services import standen_herberekenen


class Command(BaseCommand):
    help = (
        "Berekent de indicatorstanden opnieuw uit de goedgekeurde metingen (project, "
        "focusgebied, thema en programma) en corrigeert afwijkingen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--programma", metavar="CODE", help="alleen dit programma (standaard: alle)"
        )
        parser.add_argument(
            "--herschrijven",
            action="store_true",
            help="elke stand opnieuw schrijven, ook als zijn vingerafdruk klopt (na handwerk "
            "in de database)",
        )

    def handle(self, *args: Any, programma: str | None, herschrijven: bool, **options: Any) -> None:
        gekozen = None
        if programma:
            gekozen = Programma.objects.filter(code=programma).first()
            if gekozen is None:
                raise CommandError(f"Programma '{programma}' bestaat niet.")
        resultaat = standen_herberekenen(programma=gekozen, herschrijven=herschrijven)
        self.stdout.write(
            f"{resultaat.programmas} programma('s), {resultaat.metingen} goedgekeurde metingen, "
            f"{resultaat.standen} standen: {resultaat.toegevoegd} geschreven, "
            f"{resultaat.verwijderd} verwijderd, {resultaat.ongewijzigd} ongewijzigd"
            f"{f', {resultaat.ingehaald} metingen ingehaald' if resultaat.ingehaald else ''} "
            f"in {resultaat.seconden:.1f} s."
        )
        if options["verbosity"] >= 2:
            for fase, duur in resultaat.fasen.items():
                self.stdout.write(f"  {fase}: {duur:.2f} s")
