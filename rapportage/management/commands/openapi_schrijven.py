"""Write the partner API's OpenAPI spec to docs/api/openapi.json, or check that the
committed file still matches the code.

python manage.py openapi_schrijven               # (re)write the file
python manage.py openapi_schrijven --controleer  # exit 1 with a summary when it differs
"""

import difflib
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ontschot.api import spec_als_tekst

STANDAARD_PAD = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json"
MAX_VERSCHILLEN = 40
MAX_DIFFREGELS = 80


def verschillen(oud: Any, nieuw: Any, pad: str = "") -> list[str]:
    """Where two JSON documents differ, as JSON pointers: ``+`` only in ``nieuw`` (the code),
    ``-`` only in ``oud`` (the file), ``~`` changed."""
    if isinstance(oud, dict) and isinstance(nieuw, dict):
        uit: list[str] = []
        for sleutel in sorted(oud.keys() | nieuw.keys()):
            deel = f"{pad}/{str(sleutel).replace('~', '~0').replace('/', '~1')}"
            if sleutel not in oud:
                uit.append(f"+ {deel}")
            elif sleutel not in nieuw:
                uit.append(f"- {deel}")
            else:
                uit.extend(verschillen(oud[sleutel], nieuw[sleutel], deel))
        return uit
    if isinstance(oud, list) and isinstance(nieuw, list) and len(oud) == len(nieuw):
        return [
            v
            for i, (a, b) in enumerate(zip(oud, nieuw, strict=True))
            for v in verschillen(a, b, f"{pad}/{i}")
        ]
    return [] if oud == nieuw else [f"~ {pad or '/'}"]


class Command(BaseCommand):
    help = (
        "Schrijft de OpenAPI-specificatie van de partner-API naar docs/api/openapi.json. "
        "Met --controleer: schrijft niets en eindigt met een fout als het bestand afwijkt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--controleer",
            action="store_true",
            help="Vergelijk het vastgelegde bestand met de code; exitcode 1 bij verschil",
        )
        parser.add_argument(
            "--pad",
            type=Path,
            default=STANDAARD_PAD,
            help=f"Het bestand (standaard {STANDAARD_PAD})",
        )

    def handle(self, *args: Any, controleer: bool, pad: Path, **opties: Any) -> None:
        tekst = spec_als_tekst()
        if not controleer:
            pad.parent.mkdir(parents=True, exist_ok=True)
            ongewijzigd = pad.exists() and pad.read_text(encoding="utf-8") == tekst
            if not ongewijzigd:
                pad.write_text(tekst, encoding="utf-8")
            self.stdout.write(f"{pad}: {'ongewijzigd' if ongewijzigd else 'geschreven'}.")
            return
        if not pad.exists():
            raise CommandError(
                f"{pad} bestaat niet; maak het met 'python manage.py openapi_schrijven'."
            )
        vastgelegd = pad.read_text(encoding="utf-8")
        if vastgelegd == tekst:
            self.stdout.write(f"{pad} komt overeen met de code.")
            return
        self.stderr.write(f"{pad} wijkt af van wat de code genereert.")
        try:
            plekken = verschillen(json.loads(vastgelegd), json.loads(tekst))
        except ValueError:
            plekken = []
        if plekken:
            self.stderr.write(
                f"{len(plekken)} verschil(len) (+ alleen in de code, - alleen in het bestand, ~ gewijzigd):"
            )
            for plek in plekken[:MAX_VERSCHILLEN]:
                self.stderr.write(f"  {plek}")
            if len(plekken) > MAX_VERSCHILLEN:
                self.stderr.write(f"  ... en nog {len(plekken) - MAX_VERSCHILLEN}")
        else:
            regels = list(
                difflib.unified_diff(
                    vastgelegd.splitlines(), tekst.splitlines(), "vastgelegd", "code", lineterm=""
                )
            )
            for regel in regels[:MAX_DIFFREGELS]:
                self.stderr.write(regel)
            if len(regels) > MAX_DIFFREGELS:
                self.stderr.write(f"... en nog {len(regels) - MAX_DIFFREGELS} regels")
        raise CommandError(
            "Werk het bestand bij met 'python manage.py openapi_schrijven' en leg het vast."
        )
