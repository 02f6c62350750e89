"""``python manage.py reservekopie maken --naar PAD`` and
``python manage.py reservekopie terugzetten --van PAD``: a backup of an SQLite installation
(the database, ``MEDIA_ROOT`` and ``PRIVE_MEDIA_ROOT``) in one ``.tar.gz``, and its restore.

The database is copied with SQLite's online backup API, so the copy is consistent while
the web server and the worker keep writing. ``manifest.json`` in the archive holds, for the
money and measurement tables and the audit trail, the row count and a SHA-256 over every
row in primary-key order, and a SHA-256 per media file. A restore goes only into an empty
location, and checks every table and file against the manifest before it puts anything in
place: a backup that does not match is refused, never half restored.

PostgreSQL installations back up with ``pg_dump``/``pg_restore`` (docs/operations.md,
"Backups"); this command refuses there and says so.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from programma.models import Auditregel, Budgetenvelop
from projecten.models import Begrotingsregel, Beschikking, Besteding, Meting, Tranche

FORMAAT = 1
DATABASE = "database.sqlite3"
MANIFEST = "manifest.json"
#: The tables whose every row a restore proves intact: money, measurements, the audit trail.
GECONTROLEERD: tuple[type[Model], ...] = (
    Beschikking,
    Tranche,
    Begrotingsregel,
    Besteding,
    Meting,
    Budgetenvelop,
    Auditregel,
)
PG_DUMP = (
    "Deze installatie draait op {vendor}: maak een reservekopie met pg_dump en zet hem terug "
    "met pg_restore, zoals beschreven in docs/operations.md (Backups). Dit commando is voor "
    "SQLite-installaties."
)


def tabelcontrole(db: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 of every checked table in the SQLite database ``db``: each row
    as a JSON list of its column values, in primary-key order, one per line."""
    uitkomst: dict[str, dict[str, Any]] = {}
    for model in GECONTROLEERD:
        meta = model._meta
        kolommen = ", ".join(f'"{veld.column}"' for veld in meta.concrete_fields)
        sha = hashlib.sha256()
        aantal = 0
        for rij in db.execute(
            f'SELECT {kolommen} FROM "{meta.db_table}" ORDER BY "{meta.pk.column}"'  # type: ignore[union-attr]
        ):
            sha.update(json.dumps(rij, default=str, ensure_ascii=False).encode())
            sha.update(b"\n")
            aantal += 1
        uitkomst[meta.db_table] = {"rijen": aantal, "sha256": sha.hexdigest()}
    return uitkomst


def bestandscontrole(map_: Path) -> dict[str, str]:
    """SHA-256 of every file under ``map_``, by its path relative to it."""
    return {
        pad.relative_to(map_).as_posix(): _sha256(pad)
        for pad in sorted(map_.rglob("*"))
        if pad.is_file() and not pad.is_symlink()
    }


def _sha256(pad: Path) -> str:
    sha = hashlib.sha256()
    with pad.open("rb") as bestand:
        for blok in iter(lambda: bestand.read(1 << 20), b""):
            sha.update(blok)
    return sha.hexdigest()


def _mappen() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "prive": Path(settings.PRIVE_MEDIA_ROOT)}


def _sqlite_pad() -> Path:
    if connection.vendor != "sqlite":
        raise CommandError(PG_DUMP.format(vendor=connection.vendor))
    naam = str(settings.DATABASES["default"]["NAME"])
    if naam == ":memory:" or "mode=memory" in naam:
        raise CommandError("Een database in het geheugen heeft geen reservekopie.")
    return Path(naam)


def _migraties(db: sqlite3.Connection) -> dict[str, str]:
    """The last migration applied per app, so a restore says which version it holds."""
    laatste: dict[str, str] = {}
    for app, naam in db.execute('SELECT "app", "name" FROM "django_migrations" ORDER BY "id"'):
        laatste[app] = naam
    return laatste


def maken(naar: Path) -> dict[str, Any]:
    """Write the backup archive to ``naar`` (refusing to overwrite); return its manifest."""
    bron = _sqlite_pad()
    if not bron.is_file():
        raise CommandError(f"Er is geen database op {bron}.")
    if naar.exists():
        raise CommandError(f"{naar} bestaat al; kies een nieuwe naam.")
    naar.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ontschot-reservekopie-") as tijdelijk:
        kopie = Path(tijdelijk) / DATABASE
        # The online backup API: a consistent snapshot while others keep writing (in WAL
        # mode they are not even held up).
        with (
            closing(sqlite3.connect(bron, timeout=60)) as van,
            closing(sqlite3.connect(kopie)) as doel,
        ):
            van.backup(doel)
            # One self-contained file: no WAL beside it in the archive.
            doel.execute("PRAGMA journal_mode=DELETE")
            manifest: dict[str, Any] = {
                "formaat": FORMAAT,
                "gemaakt_op": timezone.now().isoformat(),
                "database": {
                    "sha256": "",
                    "tabellen": tabelcontrole(doel),
                    "migraties": _migraties(doel),
                },
            }
        manifest["database"]["sha256"] = _sha256(kopie)
        manifest["bestanden"] = {
            naam: bestandscontrole(map_) if map_.is_dir() else {}
            for naam, map_ in _mappen().items()
        }
        deel = naar.with_name(naar.name + ".deel")
        with tarfile.open(deel, "w:gz") as archief:
            inhoud = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            (Path(tijdelijk) / MANIFEST).write_bytes(inhoud)
            archief.add(Path(tijdelijk) / MANIFEST, arcname=MANIFEST)
            archief.add(kopie, arcname=DATABASE)
            for naam, map_ in _mappen().items():
                for relatief in manifest["bestanden"][naam]:
                    archief.add(map_ / relatief, arcname=f"{naam}/{relatief}", recursive=False)
        os.replace(deel, naar)
    return manifest


def _leden(archief: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    """Only the members a backup holds: the manifest, the database and regular files under
    ``media/`` and ``prive/``, with no way out of the target folder."""
    for lid in archief.getmembers():
        pad = PurePosixPath(lid.name)
        if pad.is_absolute() or ".." in pad.parts:
            raise CommandError(f"Ongeldig pad in de reservekopie: {lid.name}")
        if lid.isdir():
            continue
        if not lid.isfile() or (
            lid.name not in (MANIFEST, DATABASE) and pad.parts[0] not in ("media", "prive")
        ):
            raise CommandError(f"Onverwacht onderdeel in de reservekopie: {lid.name}")
        yield lid


def _leeg(map_: Path) -> bool:
    return not map_.exists() or (map_.is_dir() and not any(map_.iterdir()))


def terugzetten(van: Path) -> dict[str, Any]:
    """Restore the archive ``van`` into the configured, empty database path and media folders,
    after checking everything in it against its manifest; return the manifest."""
    doelpad = _sqlite_pad()
    if not van.is_file():
        raise CommandError(f"Er is geen reservekopie op {van}.")
    for bijbestand in (doelpad, Path(f"{doelpad}-wal")):
        if bijbestand.exists() and bijbestand.stat().st_size > 0:
            raise CommandError(
                f"Er staat al een database op {bijbestand}. Zet terug in een lege omgeving: "
                "stop Ontschot en verplaats de bestaande database eerst."
            )
    for naam, map_ in _mappen().items():
        if not _leeg(map_):
            raise CommandError(
                f"De map {map_} ({naam}) is niet leeg. Zet terug in een lege omgeving: "
                "verplaats de bestaande bestanden eerst."
            )
    with tempfile.TemporaryDirectory(prefix="ontschot-terugzetten-") as tijdelijk:
        uitgepakt = Path(tijdelijk)
        try:
            with tarfile.open(van, "r:gz") as archief:
                archief.extractall(uitgepakt, members=list(_leden(archief)), filter="data")
            manifest = json.loads((uitgepakt / MANIFEST).read_text())
        except (tarfile.TarError, OSError, ValueError) as fout:
            raise CommandError(f"{van} is geen leesbare reservekopie: {fout}") from fout
        if manifest.get("formaat") != FORMAAT:
            raise CommandError(f"Onbekend formaat van de reservekopie: {manifest.get('formaat')}.")
        afwijkingen = _afwijkingen(uitgepakt, manifest)
        if afwijkingen:
            raise CommandError(
                "De reservekopie klopt niet met haar manifest; er is niets teruggezet:\n- "
                + "\n- ".join(afwijkingen)
            )
        doelpad.parent.mkdir(parents=True, exist_ok=True)
        Path(f"{doelpad}-wal").unlink(missing_ok=True)
        Path(f"{doelpad}-shm").unlink(missing_ok=True)
        deel = doelpad.with_name(doelpad.name + ".deel")
        shutil.copyfile(uitgepakt / DATABASE, deel)
        os.replace(deel, doelpad)
        for naam, map_ in _mappen().items():
            if (uitgepakt / naam).is_dir():
                shutil.copytree(uitgepakt / naam, map_, dirs_exist_ok=True)
    return manifest


def _afwijkingen(uitgepakt: Path, manifest: dict[str, Any]) -> list[str]:
    afwijkingen: list[str] = []
    database = uitgepakt / DATABASE
    if not database.is_file() or _sha256(database) != manifest["database"]["sha256"]:
        afwijkingen.append("het databasebestand is beschadigd of ontbreekt")
    else:
        with closing(sqlite3.connect(database)) as db:
            gevonden = tabelcontrole(db)
        for tabel, verwacht in manifest["database"]["tabellen"].items():
            if gevonden.get(tabel) != verwacht:
                afwijkingen.append(f"tabel {tabel}: {gevonden.get(tabel)} in plaats van {verwacht}")
    for naam, bestanden in manifest["bestanden"].items():
        map_ = uitgepakt / naam
        gevonden_bestanden = bestandscontrole(map_) if map_.is_dir() else {}
        for relatief in sorted(set(bestanden) | set(gevonden_bestanden)):
            if bestanden.get(relatief) != gevonden_bestanden.get(relatief):
                afwijkingen.append(f"bestand {naam}/{relatief} ontbreekt of is veranderd")
    return afwijkingen


class Command(BaseCommand):
    help = (
        "Reservekopie van een SQLite-installatie: de database (consistent, ook terwijl "
        "Ontschot draait), MEDIA_ROOT en PRIVE_MEDIA_ROOT in één archief met een manifest "
        "van rijen en controlegetallen; terugzetten alleen in een lege omgeving en pas na "
        "controle. Op PostgreSQL: pg_dump (zie docs/operations.md)."
    )
    # A restore runs where no database exists yet: nothing here may open a connection.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        acties = parser.add_subparsers(dest="actie", required=True)
        maak = acties.add_parser("maken", help="een reservekopie maken")
        maak.add_argument(
            "--naar", type=Path, required=True, metavar="PAD", help="het archief (.tar.gz)"
        )
        zet = acties.add_parser("terugzetten", help="een reservekopie terugzetten")
        zet.add_argument(
            "--van", type=Path, required=True, metavar="PAD", help="het archief (.tar.gz)"
        )

    def handle(self, *args: Any, actie: str, **opties: Any) -> None:
        if actie == "maken":
            manifest = maken(opties["naar"])
            self.stdout.write(f"Reservekopie geschreven naar {opties['naar']}.")
        else:
            manifest = terugzetten(opties["van"])
            self.stdout.write(
                f"Teruggezet uit {opties['van']} (gemaakt op {manifest['gemaakt_op']}); "
                "draai nu 'python manage.py migrate' als deze versie nieuwer is."
            )
        for tabel, controle in manifest["database"]["tabellen"].items():
            self.stdout.write(
                f"  {tabel}: {controle['rijen']} rijen, sha256 {controle['sha256'][:16]}"
            )
        for naam, bestanden in manifest["bestanden"].items():
            self.stdout.write(f"  {naam}: {len(bestanden)} bestanden")
