"""Create or revoke an organisation's API key from the command line.

python manage.py api_sleutel --organisatie "Stichting Doras" --naam "Registratiesysteem"
python manage.py api_sleutel --organisatie "Stichting Doras" --scopes metingen.schrijven projecten.lezen
python manage.py api_sleutel --intrekken ont_AbCdEfGh
"""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from programma.audit import Actor
from programma.models import ApiSleutel, Organisatie
from programma.services import api_sleutel_aanmaken, api_sleutel_intrekken


class Command(BaseCommand):
    help = "Maakt een API-sleutel voor een organisatie (eenmalig getoond) of trekt er een in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisatie", help="Naam van de organisatie")
        parser.add_argument("--naam", default="API-sleutel", help="Omschrijving van de sleutel")
        parser.add_argument(
            "--scopes",
            nargs="+",
            default=list(ApiSleutel.Scope.values),
            choices=ApiSleutel.Scope.values,
            help="Scopes (standaard: alle)",
        )
        parser.add_argument("--dagen", type=int, help="Verloopt na zoveel dagen (standaard: nooit)")
        parser.add_argument(
            "--intrekken", metavar="VOORVOEGSEL", help="Trek de sleutel met dit voorvoegsel in"
        )

    def handle(self, *args: Any, **opties: Any) -> None:
        actor = Actor.systeem("commando api_sleutel")
        if opties["intrekken"]:
            sleutel = ApiSleutel.objects.filter(prefix=opties["intrekken"][:12]).first()
            if sleutel is None:
                raise CommandError(f"Geen sleutel met voorvoegsel {opties['intrekken']!r}.")
            api_sleutel_intrekken(actor=actor, sleutel=sleutel)
            self.stdout.write(f"Ingetrokken: {sleutel}")
            return
        if not opties["organisatie"]:
            raise CommandError("Geef --organisatie of --intrekken.")
        organisatie = Organisatie.objects.filter(naam=opties["organisatie"]).first()
        if organisatie is None:
            raise CommandError(f"Organisatie {opties['organisatie']!r} bestaat niet.")
        verloopt_op = timezone.now() + timedelta(days=opties["dagen"]) if opties["dagen"] else None
        try:
            with transaction.atomic():
                sleutel, plat = api_sleutel_aanmaken(
                    actor=actor,
                    organisatie=organisatie,
                    naam=opties["naam"],
                    scopes=opties["scopes"],
                    verloopt_op=verloopt_op,
                )
        except ValidationError as fout:
            raise CommandError("; ".join(fout.messages)) from fout
        self.stdout.write(f"Sleutel voor {organisatie} ({', '.join(sleutel.scopes)}):")
        self.stdout.write(plat)
        self.stdout.write("Bewaar hem nu: hij wordt niet opnieuw getoond.")
