"""``python manage.py contextcijfers --bestand PAD [--bron cbs|leefbaarometer] [--jaar JJJJ]``:
import open-data context figures from a CSV file; ``--odata`` fetches from the configured
CBS OData address now, as the scheduled task does."""

import argparse
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)
from django.core.validators import URLValidator

from programma.audit import Actor
from rapportage import contextcijfers as cc

MAX_GETOOND = 200


class _Opmaak(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keep the line breaks of the help text: it lists columns."""


def _kolommen(kenmerken: tuple[cc.Kenmerk, ...], cbs: bool) -> str:
    regels = []
    for k in kenmerken:
        namen = " / ".join(f"{n}_N" if cbs else n for n in k.kolommen)
        regels.append(f"    {namen:<48} → {k.naam} ({k.eenheid})")
    return "\n".join(regels)


def _help() -> str:
    klassen = cc.leefbaarometer_klassen()
    laagste, hoogste = min(klassen), max(klassen)
    return f"""\
Importeert contextcijfers uit een CSV-bestand voor de wijk- en buurtcodes van de
focusgebieden (elk peiljaar) en de gemeentecodes (GMxxxx) van die focusgebieden.
Andere gebieden in het bestand worden geteld, niet bewaard. Nog eens importeren
werkt bestaande cijfers bij (gebiedscode, jaar, kenmerk, bron); er komt niets dubbel.

CBS Kerncijfers wijken en buurten (--bron cbs), zoals CBS het bestand publiceert:
  ';' tussen velden, codes aangevuld met spaties, '.' (of 'x') voor een ontbrekende
  waarde, '-' voor nihil (0). Gebied: kolom Codering_N, anders WijkenEnBuurten.
  Jaar: --jaar (het jaar van de tabel), of kolom Perioden (2024JJ00).
  Kenmerken, herkend aan de kolomnaam zonder het nummer dat CBS per tabel kiest:
{_kolommen(cc.CBS_KENMERKEN, cbs=True)}
  Licentie: {cc.CBS.licentie}; bron '{cc.CBS.naam}'. Met --tabel 85984NED
  wordt de StatLine-pagina van de tabel de bron-URL.

Leefbaarometer 3.0 (--bron leefbaarometer), kolomnamen zonder onderscheid tussen
  hoofd- en kleine letters:
    gebied: {", ".join(cc.LEEFBAAROMETER_CODEKOLOMMEN)} (de eerste die er is)
    jaar:   {", ".join(cc.LEEFBAAROMETER_JAARKOLOMMEN)} (of --jaar)
{_kolommen(cc.LEEFBAAROMETER_KENMERKEN, cbs=False)}
  De klasse is een geheel getal {laagste}–{hoogste} ({laagste} {klassen[laagste].lower()} … {hoogste} {klassen[hoogste].lower()}).
  Licentie: {cc.LEEFBAAROMETER.licentie}; bron '{cc.LEEFBAAROMETER.naam}'.

Zonder --bron wordt de bron herkend aan de kopregel. Heeft het bestand een jaarkolom
en geeft u --jaar, dan worden alleen de regels van dat jaar gelezen.
Getallen worden exact gelezen (punt of komma als decimaalteken, hoogstens 6 decimalen).
Een regel met één foute cel (ongeldige gebiedscode, geen getal, klasse buiten
{laagste}–{hoogste}, ongeldig jaar, een gebied en jaar die al eerder in het bestand staan)
wordt in zijn geheel overgeslagen en gemeld met zijn regelnummer (de kopregel is
regel 1). Het bestand wordt in één transactie
geïmporteerd, met één regel in het audittrail.
"""


class Command(BaseCommand):
    help = _help()

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", _Opmaak)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bestand", type=Path, metavar="PAD", help="het CSV-bestand")
        parser.add_argument(
            "--bron",
            choices=sorted(cc.BRONNEN),
            help="cbs of leefbaarometer (standaard: herkend aan de kopregel)",
        )
        parser.add_argument(
            "--jaar", type=int, metavar="JJJJ", help="het jaar van de cijfers (zie boven)"
        )
        parser.add_argument(
            "--tabel", metavar="TABEL", help="CBS-tabelnummer, bijvoorbeeld 85984NED (bron-URL)"
        )
        parser.add_argument("--bron-url", metavar="URL", help="bron-URL bij elk cijfer")
        parser.add_argument(
            "--odata",
            action="store_true",
            help="haal nu op van CBS_ODATA_URL / CBS_ODATA_TABEL, zoals de geplande taak",
        )

    def handle(self, *args: Any, **opties: Any) -> None:
        if opties["odata"]:
            if opties["bestand"]:
                raise CommandError("Geef --bestand of --odata, niet allebei.")
            self._odata()
            return
        if not opties["bestand"]:
            raise CommandError("Geef --bestand PAD (of --odata).")
        self._bestand(
            opties["bestand"],
            bron=opties["bron"],
            jaar=opties["jaar"],
            bron_url=self._bron_url(opties["tabel"], opties["bron_url"]),
        )

    def _bron_url(self, tabel: str | None, bron_url: str | None) -> str:
        if bron_url:
            try:
                URLValidator(schemes=["http", "https"])(bron_url)
            except ValidationError as fout:
                raise CommandError(f"--bron-url {bron_url!r} is geen http(s)-adres.") from fout
            if len(bron_url) > 500:
                raise CommandError("--bron-url is langer dan 500 tekens.")
            return bron_url
        if tabel:
            if not cc.TABELNUMMER.fullmatch(tabel):
                raise CommandError(f"--tabel {tabel!r} is geen CBS-tabelnummer (bijv. 85984NED).")
            return cc.STATLINE_URL.format(tabel=tabel)
        return ""

    def _bestand(self, pad: Path, *, bron: str | None, jaar: int | None, bron_url: str) -> None:
        if jaar is not None:
            try:
                cc.lees_jaar(jaar)
            except cc.Rijfout as fout:
                raise CommandError(f"--jaar: {fout}.") from fout
        try:
            if pad.stat().st_size > cc.MAX_BESTAND_BYTES:
                raise CommandError(f"{pad} is groter dan 200 MB.")
            inhoud = pad.read_bytes()
        except OSError as fout:
            raise CommandError(f"{pad} is niet te lezen: {fout.strerror or fout}.") from fout
        gebieden = cc.gebieden_van_focusgebieden()
        if not gebieden:
            self.stderr.write(
                "Er zijn nog geen focusgebieden met gebiedscodes: er wordt niets bewaard."
            )
        try:
            uitslag = cc.lees_csv(
                inhoud, bron=bron, jaar=jaar, gebieden=gebieden, bron_url=bron_url
            )
        except cc.OngeldigBestand as fout:
            raise CommandError(f"{pad.name}: {fout} Er is niets geïmporteerd.") from fout
        verslag = cc.contextcijfers_importeren(
            actor=Actor.systeem("commando contextcijfers"), uitslag=uitslag, herkomst=pad.name
        )
        self._toon(verslag)

    def _odata(self) -> None:
        try:
            verslag = cc.contextcijfers_uit_odata(actor=Actor.systeem("commando contextcijfers"))
        except cc.OphaalFout as fout:
            raise CommandError(f"{fout}. Er is niets geïmporteerd.") from fout
        if isinstance(verslag, str):
            self.stdout.write(verslag)
        else:
            self._toon(verslag)

    def _toon(self, verslag: cc.Importverslag) -> None:
        for regel in verslag.samenvatting:
            self.stdout.write(regel)
        for afwijzing in verslag.afwijzingen[:MAX_GETOOND]:
            self.stdout.write(f"  {afwijzing}")
        if len(verslag.afwijzingen) > MAX_GETOOND:
            self.stdout.write(f"  … en nog {len(verslag.afwijzingen) - MAX_GETOOND}.")
