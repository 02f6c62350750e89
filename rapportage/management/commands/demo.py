"""``python manage.py demo [--schaal N]``: an NPLV-like demo programme with logins and API
keys, and optionally a large portfolio for benchmarks. Safe to run again."""

import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from programma.models import Programma
from rapportage.demo import catalogus, nplv, toegang
from rapportage.demo import schaal as schaalprogramma

TOEGANGSBESTAND = "demo-toegang.json"
JA = {"1", "true", "yes", "ja", "on"}


class Command(BaseCommand):
    help = (
        "Bouwt het demoprogramma 'nplv' met gebruikers en API-sleutels (wachtwoord "
        f"'{catalogus.WACHTWOORD}') en schrijft {TOEGANGSBESTAND}. Met --schaal N ook een groot "
        "programma voor benchmarks (N=10: ongeveer 500 projecten en een miljoen metingen). "
        "Een tweede keer draaien verandert niets."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schaal",
            type=int,
            default=0,
            metavar="N",
            help="bouw ook programma 'nplv-schaal-N' met 50×N projecten en ongeveer 100.000×N metingen",
        )
        parser.add_argument(
            "--toegangsbestand",
            type=Path,
            default=None,
            metavar="PAD",
            help=f"waar de logins en sleutels komen (standaard {TOEGANGSBESTAND} in de projectmap)",
        )

    def handle(self, *args: Any, schaal: int, toegangsbestand: Path | None, **options: Any) -> None:
        if os.environ.get("ONTSCHOT_PRODUCTIE", "").strip().lower() in JA:
            raise CommandError(
                "De demo maakt gebruikers met een bekend wachtwoord: niet in productie."
            )
        if schaal < 0:
            raise CommandError("--schaal is 0 of meer.")
        begin = time.perf_counter()

        # One transaction: the programme exists completely or not at all, so "it exists"
        # is a sound test for "already built".
        with transaction.atomic():
            ministerie, partners = nplv.organisaties_verzekeren()
            gebruikers = toegang.gebruikers_verzekeren(partners=partners)
            if Programma.objects.filter(code=catalogus.PROGRAMMA_CODE).exists():
                self.stdout.write(
                    f"Programma '{catalogus.PROGRAMMA_CODE}' bestaat al; niet opnieuw opgebouwd."
                )
            else:
                nplv.opbouwen(ministerie=ministerie, partners=partners, gebruikers=gebruikers)
                duur = time.perf_counter() - begin
                self.stdout.write(
                    f"Programma '{catalogus.PROGRAMMA_CODE}' opgebouwd in {duur:.1f} s."
                )

        if schaal:
            schaalprogramma.opbouwen(
                n=schaal,
                ministerie=ministerie,
                partners=partners,
                gebruikers=gebruikers,
                uitvoer=self.stdout,
            )

        with transaction.atomic():
            toegang.programmarollen_verzekeren(gebruikers)
            sleutels, waarschuwingen = toegang.sleutels_verzekeren(partners=partners)
        for waarschuwing in waarschuwingen:
            self.stderr.write(waarschuwing)
        inhoud = toegang.toegang_opstellen(
            gebruikers=gebruikers, partners=partners, sleutels=sleutels
        )
        pad = toegangsbestand or settings.BASE_DIR / TOEGANGSBESTAND
        toegang.toegang_schrijven(pad, inhoud)
        self.toon(inhoud)
        self.stdout.write(
            f"Toegang geschreven naar {pad}. Klaar in {time.perf_counter() - begin:.1f} s."
        )

    def toon(self, inhoud: dict[str, Any]) -> None:
        self.stdout.write(f"\nInloggen (wachtwoord voor iedereen: {catalogus.WACHTWOORD}):")
        for g in inhoud["gebruikers"]:
            waar = f" — {g['organisatie']}" if g["organisatie"] else ""
            self.stdout.write(f"  {g['gebruikersnaam']:<52} {g['rol']}{waar}")
        self.stdout.write("\nAPI-sleutels (Authorization: Bearer <sleutel>):")
        for o in inhoud["organisaties"]:
            self.stdout.write(
                f"  {o['api_sleutel']}  {o['naam']} ({len(o['projecten'])} projecten)"
            )
        self.stdout.write("")
