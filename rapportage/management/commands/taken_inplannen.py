"""Create or update Ontschot's recurring background tasks by name; safe to run again."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_q.models import Schedule

from programma.wachtrij import UITVOERDER, functie
from rapportage.planning import PLANNINGEN, eerste_run


class Command(BaseCommand):
    help = "Legt de terugkerende achtergrondtaken vast (aanmaken of bijwerken op naam)."

    def handle(self, *args: Any, **opties: Any) -> None:
        with transaction.atomic():
            for planning in PLANNINGEN:
                functie(planning.taak)  # refuse a path that does not import
                bestaand = Schedule.objects.select_for_update().filter(name=planning.naam).first()
                velden = {
                    "func": UITVOERDER,
                    "args": repr((planning.taak,)),
                    "kwargs": "",
                    "schedule_type": planning.soort,
                    "repeats": -1,
                }
                if bestaand is None:
                    Schedule.objects.create(
                        name=planning.naam, next_run=eerste_run(planning), **velden
                    )
                    self.stdout.write(f"Ingepland: {planning.naam}")
                else:
                    for naam, waarde in velden.items():
                        setattr(bestaand, naam, waarde)
                    bestaand.save()
                    self.stdout.write(f"Bijgewerkt: {planning.naam}")
