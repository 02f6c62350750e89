"""``manage.py reservekopie``: a backup of an SQLite installation taken and restored into an
empty location loses nothing (row counts and checksums of the money and measurement tables
and the audit trail, every amount to the cent, every media file byte for byte); a restore
over existing data, of a tampered archive or on PostgreSQL is refused with a clear message.

The commands run as the administrator would run them: in a subprocess, against their own
SQLite file under ``tmp_path``, whatever database the test run itself uses."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from rapportage.management.commands.reservekopie import tabelcontrole

ROOT = Path(__file__).resolve().parent.parent

VULLEN = """
from decimal import Decimal
from programma.audit import Actor
from projecten import services
from tests.programma.factories import BudgetenvelopFactory
from tests.projecten.factories import (
    BegrotingsregelFactory, BeschikkingFactory, BestedingFactory, IndicatorFactory,
    ProjectFactory, TrancheFactory,
)
project = ProjectFactory()
beschikking = BeschikkingFactory(project=project, bedrag=Decimal("123456.78"))
for i in range(1, 4):
    TrancheFactory(beschikking=beschikking, volgnummer=i, bedrag=Decimal("41152.26"))
BegrotingsregelFactory(project=project, bedrag=Decimal("9999.99"))
BestedingFactory(project=project, beschikking=beschikking, bedrag=Decimal("0.01"))
BestedingFactory(project=project, periode="2025-K2", bedrag=Decimal("1234567.89"))
BudgetenvelopFactory(programma=project.programma, bedrag=Decimal("500000.05"))
indicator = IndicatorFactory(doel__project=project)
for periode, waarde in (("2025-K1", "12.345"), ("2025-K2", "0.001")):
    services.meting_indienen(
        actor=Actor.systeem("test"), indicator=indicator, periode=periode,
        waarde=Decimal(waarde), toelichting="Bijzondere tekens: é ß € 😀 'quote' \\"dubbel\\"",
        organisatie=project.penvoerder,
    )
"""

# What the ORM sees: counts, and sums as exact Decimal strings, per checked model.
TELLEN = """
import json
from django.db.models import Sum
from programma.models import Auditregel, Budgetenvelop
from projecten.models import Begrotingsregel, Beschikking, Besteding, Meting, Tranche
uitkomst = {}
for model, veld in ((Beschikking, "bedrag"), (Tranche, "bedrag"), (Begrotingsregel, "bedrag"),
                    (Besteding, "bedrag"), (Meting, "waarde"), (Budgetenvelop, "bedrag"),
                    (Auditregel, None)):
    rijen = model.objects.order_by("pk")
    uitkomst[model.__name__] = {
        "aantal": rijen.count(),
        "waarden": [str(w) for w in rijen.values_list(veld or "omschrijving", flat=True)],
    }
uitkomst["toelichtingen"] = list(Meting.objects.order_by("pk").values_list("toelichting", flat=True))
print(json.dumps(uitkomst))
"""


def omgeving(map_: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL=f"sqlite:///{map_ / 'ontschot.sqlite3'}",
        MEDIA_ROOT=str(map_ / "media"),
        PRIVE_MEDIA_ROOT=str(map_ / "prive"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
    )
    return env


def beheer(map_: Path, *argumenten: str, slagen: bool = True) -> subprocess.CompletedProcess[str]:
    uitkomst = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *argumenten],
        cwd=ROOT,
        env=omgeving(map_),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if slagen:
        assert uitkomst.returncode == 0, uitkomst.stderr[-3000:]
    return uitkomst


def tellen(map_: Path) -> dict:
    """The ORM's view of the checked tables (the last line the shell prints)."""
    return json.loads(beheer(map_, "shell", "-c", TELLEN).stdout.strip().splitlines()[-1])


def bestanden(map_: Path) -> dict[str, str]:
    return {
        p.relative_to(map_).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(map_.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def bron(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated installation with money, measurements, audit rows, uploads and reports."""
    map_ = tmp_path_factory.mktemp("bron")
    beheer(map_, "migrate", "--noinput", "-v0")
    beheer(map_, "shell", "-c", VULLEN)
    (map_ / "media" / "uploads").mkdir(parents=True)
    (map_ / "media" / "uploads" / "begroting 2025.xlsx").write_bytes(os.urandom(4096))
    (map_ / "prive" / "rapporten" / "2025").mkdir(parents=True)
    (map_ / "prive" / "rapporten" / "2025" / "jaarverantwoording.pdf").write_bytes(
        b"%PDF-1.7\n" + os.urandom(20000)
    )
    return map_


@pytest.fixture(scope="module")
def archief(bron: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    pad = tmp_path_factory.mktemp("kopie") / "ontschot.tar.gz"
    beheer(bron, "reservekopie", "maken", "--naar", str(pad))
    return pad


def manifest_van(archief: Path) -> dict:
    with tarfile.open(archief, "r:gz") as tar:
        lid = tar.extractfile("manifest.json")
        assert lid is not None
        return json.loads(lid.read())


def test_a_restore_into_an_empty_location_loses_nothing(
    bron: Path, archief: Path, tmp_path: Path
) -> None:
    doel = tmp_path / "hersteld"
    uit = beheer(doel, "reservekopie", "terugzetten", "--van", str(archief))
    assert "projecten_besteding: 2 rijen" in uit.stdout

    voor = tellen(bron)
    na = tellen(doel)
    assert na == voor
    assert voor["Besteding"]["waarden"] == ["0.01", "1234567.89"]
    assert voor["Tranche"]["aantal"] == 3
    assert voor["Meting"]["waarden"] == ["12.3450", "0.0010"]
    assert voor["Auditregel"]["aantal"] >= 2
    assert "😀" in na["toelichtingen"][0]

    assert bestanden(doel / "media") == bestanden(bron / "media") != {}
    assert bestanden(doel / "prive") == bestanden(bron / "prive") != {}

    # The manifest's checksums, recomputed on the restored database and on the source.

    tabellen = manifest_van(archief)["database"]["tabellen"]
    for db in (bron / "ontschot.sqlite3", doel / "ontschot.sqlite3"):
        with closing(sqlite3.connect(db)) as verbinding:
            assert tabelcontrole(verbinding) == tabellen
    assert set(tabellen) == {
        "projecten_beschikking",
        "projecten_tranche",
        "projecten_begrotingsregel",
        "projecten_besteding",
        "projecten_meting",
        "programma_budgetenvelop",
        "programma_auditregel",
    }
    # The restored installation works: its migrations are all applied.
    beheer(doel, "migrate", "--check", "-v0")


def test_a_restore_over_existing_data_is_refused_and_changes_nothing(
    bron: Path, archief: Path
) -> None:
    voor = bestanden(bron)
    uit = beheer(bron, "reservekopie", "terugzetten", "--van", str(archief), slagen=False)
    assert uit.returncode != 0
    assert "Er staat al een database" in uit.stderr
    assert bestanden(bron) == voor


def test_a_restore_into_a_folder_with_files_is_refused(archief: Path, tmp_path: Path) -> None:
    (tmp_path / "prive").mkdir()
    (tmp_path / "prive" / "oud.pdf").write_bytes(b"oud")
    uit = beheer(tmp_path, "reservekopie", "terugzetten", "--van", str(archief), slagen=False)
    assert "niet leeg" in uit.stderr
    assert not (tmp_path / "ontschot.sqlite3").exists()


def herpakt(archief: Path, doel: Path, wijzig: dict[str, bytes]) -> Path:
    """A copy of ``archief`` with the given members' contents replaced."""
    with tarfile.open(archief, "r:gz") as bron, tarfile.open(doel, "w:gz") as nieuw:
        for lid in bron.getmembers():
            inhoud = bron.extractfile(lid).read() if lid.isfile() else b""  # type: ignore[union-attr]
            inhoud = wijzig.get(lid.name, inhoud)
            lid.size = len(inhoud)
            nieuw.addfile(lid, io.BytesIO(inhoud))
    return doel


def test_a_backup_that_does_not_match_its_manifest_restores_nothing(
    archief: Path, tmp_path: Path
) -> None:
    manifest = manifest_van(archief)
    manifest["database"]["tabellen"]["projecten_besteding"]["rijen"] = 3
    pdf = "prive/rapporten/2025/jaarverantwoording.pdf"
    vervalst = herpakt(
        archief,
        tmp_path / "vervalst.tar.gz",
        {"manifest.json": json.dumps(manifest).encode(), pdf: b"%PDF-1.7\nander"},
    )
    doel = tmp_path / "doel"
    uit = beheer(doel, "reservekopie", "terugzetten", "--van", str(vervalst), slagen=False)
    assert "klopt niet met haar manifest" in uit.stderr
    assert "projecten_besteding" in uit.stderr
    assert pdf in uit.stderr
    assert not (doel / "ontschot.sqlite3").exists()
    assert not (doel / "prive").exists()


def test_an_archive_with_a_path_outside_its_folder_is_refused(
    archief: Path, tmp_path: Path
) -> None:
    kwaad = tmp_path / "kwaad.tar.gz"
    with tarfile.open(kwaad, "w:gz") as tar:
        lid = tarfile.TarInfo("../../buiten.txt")
        lid.size = 3
        tar.addfile(lid, io.BytesIO(b"hoi"))
    uit = beheer(
        tmp_path / "doel", "reservekopie", "terugzetten", "--van", str(kwaad), slagen=False
    )
    assert "Ongeldig pad" in uit.stderr
    assert not (tmp_path.parent / "buiten.txt").exists()


@pytest.mark.django_db
def test_on_postgresql_the_command_points_at_pg_dump(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if connection.vendor == "sqlite":
        monkeypatch.setattr(connection, "vendor", "postgresql")
    with pytest.raises(CommandError, match=r"pg_dump.*docs/operations\.md"):
        call_command("reservekopie", "maken", "--naar", str(tmp_path / "x.tar.gz"))
    assert not (tmp_path / "x.tar.gz").exists()


SCHRIJVER = """
import pathlib
from decimal import Decimal
from django.conf import settings
from django.db import transaction
from programma.models import Auditregel
from projecten.models import Besteding, Project
map_ = pathlib.Path(settings.MEDIA_ROOT).parent
project = Project.objects.first()
for i in range(100000):
    if (map_ / "stop").exists():
        break
    with transaction.atomic():  # an expenditure and its audit row, together or not at all
        b = Besteding.objects.create(project=project, periode="2025-K3", bedrag=Decimal("10.01"))
        Auditregel.objects.create(
            actie="schrijver", objecttype="projecten.besteding", object_id=str(b.pk),
            omschrijving="tijdens de reservekopie",
        )
    if i == 20:
        (map_ / "gestart").touch()
"""

PAREN = """
import json
from programma.models import Auditregel
from projecten.models import Besteding
ids = set(Auditregel.objects.filter(actie="schrijver").values_list("object_id", flat=True))
nieuw = set(map(str, Besteding.objects.filter(periode="2025-K3").values_list("pk", flat=True)))
print(json.dumps({"audit": len(ids), "bestedingen": len(nieuw), "gelijk": ids == nieuw}))
"""


def test_a_backup_taken_while_someone_writes_is_consistent(archief: Path, tmp_path: Path) -> None:
    """The online backup API copies one committed state: every expenditure written during
    the backup is in it with its audit row, or neither is."""
    bezig = tmp_path / "bezig"
    beheer(bezig, "reservekopie", "terugzetten", "--van", str(archief))
    schrijver = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", SCHRIJVER],
        cwd=ROOT,
        env=omgeving(bezig),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(600):
            if (bezig / "gestart").exists() or schrijver.poll() is not None:
                break
            time.sleep(0.05)
        assert (bezig / "gestart").exists(), schrijver.stderr.read() if schrijver.stderr else ""
        tijdens = tmp_path / "tijdens.tar.gz"
        beheer(bezig, "reservekopie", "maken", "--naar", str(tijdens))
    finally:
        (bezig / "stop").touch()
        schrijver.wait(timeout=60)
    assert schrijver.returncode == 0

    hersteld = tmp_path / "hersteld"
    beheer(hersteld, "reservekopie", "terugzetten", "--van", str(tijdens))
    regel = beheer(hersteld, "shell", "-c", PAREN).stdout.strip().splitlines()[-1]
    paren = json.loads(regel)
    assert paren["gelijk"] and paren["audit"] == paren["bestedingen"] >= 21, paren
