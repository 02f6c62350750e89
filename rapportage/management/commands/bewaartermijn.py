"""``python manage.py bewaartermijn [--peildatum JJJJ-MM-DD]``: the projects whose records
have passed their retention term (seven years after the settlement of their grants, Awb
4:69; see projecten/bewaartermijn.py). It lists them and deletes nothing: removing records
is a decision for the programme, taken with its archivist."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from projecten.bewaartermijn import BEWAARTERMIJN_JAREN, verlopen


class Command(BaseCommand):
    help = (
        f"Toont de projecten waarvan de bewaartermijn ({BEWAARTERMIJN_JAREN} jaar na de "
        "vaststelling van hun beschikkingen, Awb 4:69) voorbij is. Verwijdert niets."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--peildatum",
            metavar="JJJJ-MM-DD",
            help="de dag waarop getoetst wordt (standaard: vandaag)",
        )

    def handle(self, *args: Any, peildatum: str | None, **opties: Any) -> None:
        try:
            dag = date.fromisoformat(peildatum) if peildatum else None
        except ValueError as fout:
            raise CommandError(
                f"--peildatum is een datum als 2033-01-31, niet {peildatum!r}."
            ) from fout
        projecten = verlopen(dag)
        if not projecten:
            self.stdout.write("Geen projecten waarvan de bewaartermijn voorbij is.")
            return
        for project, tot in projecten:
            self.stdout.write(
                f"{project.programma.code}\t{project.code}\t{project.titel}\tbewaartermijn voorbij sinds {tot:%Y-%m-%d}"
            )
        self.stdout.write(f"{len(projecten)} project(en) waarvan de bewaartermijn voorbij is.")
