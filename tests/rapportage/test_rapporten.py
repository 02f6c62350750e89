"""The accountability reports: snapshot, money to the cent, rendering to an accessible
and reproducible PDF with the data inside, background making, publishing and who may
download what."""

import csv
import io
import json
import logging
import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from programma.audit import Actor
from programma.models import Auditregel, Organisatie, Programma, Rol
from projecten.models import Beoordeling, Beschikking, Besteding, Project, Tranche
from rapportage import momentopname, rapporten
from rapportage.models import Rapport
from rapportage.pdf import html, pdf_maken, url_fetcher, weasyprint_meldingen
from rapportage.weergave import RIJEN_PER_DEEL, Tabel, weergave
from tests.programma.factories import (
    BudgetenvelopFactory,
    FocusgebiedFactory,
    GebiedscodeFactory,
    GebruikerFactory,
    OrganisatieFactory,
    ProgrammaFactory,
    RolFactory,
    ThemaFactory,
)
from tests.projecten.factories import (
    BegrotingsregelFactory,
    BeschikkingFactory,
    BestedingFactory,
    DoelFactory,
    IndicatorFactory,
    ProjectFactory,
    ProjectpartnerFactory,
    TrancheFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db
JAAR = 2025
GOED = Beoordeling.GOEDGEKEURD
CSS = Path(__file__).resolve().parents[2] / "static" / "rapportage" / "rapport.css"


class Wereld:
    """A programme with two themes, three focus areas and three interventions, one of
    them in two areas; grants with odd cents; tranches paid inside and after the year;
    expenditures approved in earlier, this and the next year and some not approved."""

    def __init__(self) -> None:
        self.programma = ProgrammaFactory(code="nplv", naam="Leefbaar <Programma> & Co")
        self.wonen = ThemaFactory(programma=self.programma, code="wonen", naam="Wonen")
        self.armoede = ThemaFactory(programma=self.programma, code="armoede", naam="Armoede")
        BudgetenvelopFactory(
            programma=self.programma, thema=self.wonen, bedrag=Decimal("500000.00")
        )
        BudgetenvelopFactory(
            programma=self.programma, thema=self.armoede, bedrag=Decimal("300000.00")
        )
        self.gebieden = [
            FocusgebiedFactory(
                programma=self.programma, code=c, naam=n, gemeente=g, gemeentecode=gm
            )
            for c, n, g, gm in (
                ("a-noord", "Noord", "Amsterdam", "GM0363"),
                ("r-zuid", "Zuid", "Rotterdam", "GM0599"),
                ("u-oost", "Overvecht", "Utrecht", "GM0344"),
            )
        ]
        GebiedscodeFactory(focusgebied=self.gebieden[0], code="WK036301", peiljaar=2024)
        self.projecten: list[Project] = []
        bedragen = [Decimal("100000.01"), Decimal("250000.00"), Decimal("73333.33")]
        for i, (bedrag, gebieden, thema) in enumerate(
            [
                (bedragen[0], self.gebieden[:2], self.wonen),
                (bedragen[1], self.gebieden[1:2], self.armoede),
                (bedragen[2], self.gebieden[2:], self.wonen),
            ]
        ):
            project = ProjectFactory(
                programma=self.programma,
                code=f"nplv-{i + 1:03d}",
                titel=f"Interventie {i + 1} <b>vet</b>",
                startdatum=date(2024, 1, 1),
                einddatum=date(2025, 12, 31) if i == 2 else date(2027, 12, 31),
            )
            project.focusgebieden.add(*gebieden)
            project.themas.add(thema)
            ProjectpartnerFactory(project=project)
            beschikking = BeschikkingFactory(project=project, bedrag=bedrag, thema=thema)
            TrancheFactory(
                beschikking=beschikking,
                volgnummer=1,
                bedrag=Decimal("40000.01"),
                status=Tranche.Status.BETAALD,
                betaald_op=date(2025, 2, 1),
            )
            TrancheFactory(
                beschikking=beschikking,
                volgnummer=2,
                bedrag=Decimal("20000.00"),
                status=Tranche.Status.BETAALD,
                betaald_op=date(2026, 1, 5),
            )
            for periode, status, b in (
                ("2024-K4", GOED, "1000.10"),
                ("2025-K1", GOED, "2500.55"),
                ("2025-K3", GOED, "333.33"),
                ("2025-K4", Beoordeling.INGEDIEND, "9999.99"),
                ("2026-K1", GOED, "777.77"),
            ):
                BestedingFactory(
                    project=project,
                    beschikking=beschikking,
                    periode=periode,
                    status=status,
                    bedrag=Decimal(b),
                )
            BestedingFactory(
                project=project, periode="2025-K2", status=GOED, bedrag=Decimal("10.01")
            )
            BegrotingsregelFactory(project=project, jaar=JAAR, versie=1, bedrag=Decimal("5000.00"))
            BegrotingsregelFactory(project=project, jaar=JAAR, versie=2, bedrag=Decimal("6000.00"))
            doel = DoelFactory(project=project, titel=f"Doel van interventie {i + 1}")
            IndicatorFactory(doel=doel, naam=f"Huishoudens geholpen {i + 1}")
            VoortgangsverslagFactory(
                project=project,
                periode="2025-K2",
                status=GOED,
                samenvatting=f"Voortgang van interventie {i + 1}: veertig huishoudens bereikt.",
                afwijkingen="Minder deelnemers door verbouwing van het buurthuis.",
            )
            self.projecten.append(project)
        # A grant that is no commitment (requested) and one withdrawn: never counted.
        BeschikkingFactory(
            project=self.projecten[0],
            bedrag=Decimal("999.99"),
            status=Beschikking.Status.AANGEVRAAGD,
        )
        self.manager = RolFactory(
            soort=Rol.Soort.PROGRAMMAMANAGER, programma=self.programma
        ).gebruiker
        self.ministerie = RolFactory(soort=Rol.Soort.MINISTERIE, programma=self.programma).gebruiker
        ander = ProgrammaFactory(code="ander")
        self.ander_ministerie = RolFactory(soort=Rol.Soort.MINISTERIE, programma=ander).gebruiker
        self.partner = RolFactory(
            soort=Rol.Soort.PARTNER, organisatie=self.projecten[0].penvoerder
        ).gebruiker


@pytest.fixture
def wereld() -> Wereld:
    return Wereld()


def _tabel(d: dict[str, Any], naam: str) -> dict[str, Any]:
    return d["tabellen"][naam]


def _kolom(t: dict[str, Any], naam: str) -> int:
    return [k["naam"] for k in t["kolommen"]].index(naam)


def _db_som(qs: Any) -> Decimal:
    return (qs.aggregate(s=Sum("bedrag"))["s"] or Decimal("0")).quantize(Decimal("0.01"))


# --- the snapshot and its money --------------------------------------------------------


def test_de_financiele_verantwoording_sluit_tot_op_de_cent_aan_op_de_database(
    wereld: Wereld,
) -> None:
    d = momentopname.jaarverantwoording(programma=wereld.programma, jaar=JAAR)
    fin = _tabel(d, "financien_beschikkingen")
    toegekend = Beschikking.objects.filter(
        project__programma=wereld.programma, status__in=momentopname.TOEGEKEND
    )
    verwacht = {
        "verleend": _db_som(toegekend),
        "ontvangen": _db_som(
            Tranche.objects.filter(
                beschikking__in=toegekend, status=Tranche.Status.BETAALD, betaald_op__year__lte=JAAR
            )
        ),
        "besteed_jaar": _db_som(
            Besteding.objects.filter(
                beschikking__in=toegekend, status=GOED, periode__startswith="2025"
            )
        ),
        "besteed_cumulatief": _db_som(
            Besteding.objects.filter(beschikking__in=toegekend, status=GOED, periode__lt="2026")
        ),
    }
    verwacht["overloop"] = verwacht["ontvangen"] - verwacht["besteed_cumulatief"]
    assert verwacht["verleend"] == Decimal("423333.34")
    assert verwacht["besteed_jaar"] == Decimal("8501.64")
    for veld, bedrag in verwacht.items():
        i = _kolom(fin, veld)
        assert Decimal(fin["totaal"][i]) == bedrag, veld
        assert sum(Decimal(r[i]) for r in fin["rijen"]) == bedrag, veld
        for andere in ("financien_themas", "financien_focusgebieden"):
            t = _tabel(d, andere)
            j = _kolom(t, veld)
            assert Decimal(t["totaal"][j]) == bedrag, (andere, veld)
            assert sum(Decimal(r[j]) for r in t["rijen"]) == bedrag, (andere, veld)
    # The first grant is split over two areas to the cent: 50000.01 + 50000.00.
    gebieden = {r[0]: r for r in _tabel(d, "financien_focusgebieden")["rijen"]}
    i = _kolom(_tabel(d, "financien_focusgebieden"), "verleend")
    assert gebieden["Noord (Amsterdam)"][i] == "50000.01"
    assert gebieden["Zuid (Rotterdam)"][i] == "300000.00"
    # Only the latest budget version counts; expenditures without a grant count there.
    begroting = _tabel(d, "begroting_interventies")
    assert begroting["totaal"][_kolom(begroting, "begroot")] == "18000.00"
    assert begroting["totaal"][_kolom(begroting, "besteed")] == str(
        _db_som(Besteding.objects.filter(status=GOED, periode__startswith="2025"))
    )
    # The intervention that ended in the year is in its final account.
    eind = _kolom(fin, "eindverantwoording")
    assert [r[eind] for r in fin["rijen"]] == [False, False, True]


@given(
    centen=st.integers(min_value=-(10**12), max_value=10**12),
    delen=st.integers(min_value=1, max_value=25),
)
def test_verdelen_over_gebieden_houdt_elke_cent(centen: int, delen: int) -> None:
    bedrag = Decimal(centen) / 100
    stukken = momentopname.verdeel(bedrag, delen)
    assert sum(stukken) == bedrag
    assert max(stukken) - min(stukken) <= Decimal("0.01")
    assert all(s == s.quantize(Decimal("0.01")) for s in stukken)


def test_de_momentopname_is_json_zonder_floats_en_draagt_zijn_eigen_hash(wereld: Wereld) -> None:
    d = momentopname.jaarverantwoording(programma=wereld.programma, jaar=JAAR)
    tekst = json.dumps(d)

    def geen_float(x: Any) -> None:
        assert not isinstance(x, float)
        if isinstance(x, dict):
            for v in x.values():
                geen_float(v)
        if isinstance(x, list):
            for v in x:
                geen_float(v)

    geen_float(json.loads(tekst))
    assert d["gegevenshash"] == momentopname.gegevenshash(json.loads(tekst))
    anders = json.loads(tekst)
    anders["tabellen"]["financien_beschikkingen"]["rijen"][0][-2] = "0.00"
    assert momentopname.gegevenshash(anders) != d["gegevenshash"]


# --- view-models, HTML and PDF ---------------------------------------------------------


def test_weergave_en_html_vragen_niets_aan_de_database(wereld: Wereld) -> None:
    d = momentopname.jaarverantwoording(programma=wereld.programma, jaar=JAAR)
    with CaptureQueriesContext(connection) as vragen:
        model = weergave(d)
        tekst = html(model)
    assert len(vragen) == 0
    assert [h.id for h in model.hoofdstukken] == [
        "samenvatting",
        "identificatie",
        "financien",
        "resultaten",
        "interventies",
        "context",
        "afwijkingen",
        "bronnen",
    ]
    assert "€ 423.333,34" in tekst  # granted in total
    assert "€ 50.000,01" in tekst  # the cent-exact share of a focus area
    assert "Leefbaar &lt;Programma&gt; &amp; Co" in tekst  # user text is escaped
    assert "<b>vet</b>" not in tekst
    assert "Minder deelnemers door verbouwing van het buurthuis." in tekst
    assert "CC BY 4.0" in tekst
    for hoofdstuk in model.hoofdstukken:
        for blok in [*hoofdstuk.blokken, *(b for s in hoofdstuk.secties for b in s.blokken)]:
            if isinstance(blok, Tabel):
                assert all(len(deel.rijen) <= RIJEN_PER_DEEL for deel in blok.delen)


def test_de_pdf_is_toegankelijk_draagt_zijn_gegevens_en_is_reproduceerbaar(wereld: Wereld) -> None:
    d = momentopname.jaarverantwoording(programma=wereld.programma, jaar=JAAR)
    with weasyprint_meldingen() as meldingen:
        uitkomst = pdf_maken(d)
    assert [m.getMessage() for m in meldingen] == []
    lezer = PdfReader(io.BytesIO(uitkomst.pdf))
    catalogus = lezer.trailer["/Root"]
    assert "/StructTreeRoot" in catalogus
    assert catalogus["/MarkInfo"]["/Marked"]
    assert catalogus["/Lang"] == "nl"
    assert lezer.metadata.title == d["titel"]
    assert len(lezer.outline) >= 8  # bookmarks: the cover title and the chapters
    tekst = "\n".join(p.extract_text() for p in lezer.pages)
    assert "Jaarverantwoording 2025" in tekst
    assert "€ 423.333,34" in tekst
    assert d["gegevenshash"] in tekst.replace("\n", "")
    assert f"pagina 2 van {len(lezer.pages)}" in tekst
    bijlagen = lezer.attachments
    assert set(bijlagen) == {"momentopname.json"} | {f"{n}.csv" for n in d["tabellen"]}
    assert json.loads(bijlagen["momentopname.json"][0]) == d
    rijen = list(
        csv.reader(io.StringIO(bijlagen["financien_beschikkingen.csv"][0].decode("utf-8-sig")))
    )
    assert rijen[-1][_kolom(_tabel(d, "financien_beschikkingen"), "verleend")] == "423333.34"
    # The same snapshot, also after a trip through JSON, gives the same bytes.
    assert pdf_maken(json.loads(json.dumps(d))).pdf == uitkomst.pdf


def test_de_drie_soorten_renderen_zonder_meldingen(wereld: Wereld) -> None:
    gebied = momentopname.gebiedsrapportage(
        programma=wereld.programma, focusgebied=wereld.gebieden[1], jaar=JAAR
    )
    project = momentopname.projectrapportage(project=wereld.projecten[0], periode="2025")
    # The area report counts its share of grants: 50000.00 of the first, all of the second.
    fin = _tabel(gebied, "financien_beschikkingen")
    assert fin["totaal"][_kolom(fin, "verleend")] == "300000.00"
    for d in (gebied, project):
        with weasyprint_meldingen() as meldingen:
            uitkomst = pdf_maken(d)
        assert [m.getMessage() for m in meldingen] == []
        tekst = "".join(p.extract_text() for p in PdfReader(io.BytesIO(uitkomst.pdf)).pages)
        assert d["titel"].split(" — ")[0] in tekst
    assert "Voortgang van interventie 1" in html(weergave(project))


def test_een_rapport_haalt_niets_van_het_netwerk() -> None:
    fetcher = url_fetcher()
    with pytest.raises(Exception, match="buiten Ontschot"):
        fetcher.fetch("https://example.org/logo.png")
    with pytest.raises(Exception, match="Geen statisch bestand"):
        fetcher.fetch("ontschot:../../etc/passwd")
    assert fetcher.fetch("ontschot:rapportage/rapport.css").status == 200


def test_de_printopmaak_gebruikt_geen_flexbox_of_grid() -> None:
    css = CSS.read_text()
    for verboden in (
        "display: flex",
        "display:flex",
        "display: grid",
        "display:grid",
        "inline-flex",
    ):
        assert verboden not in css
    assert "counter(pages)" in css and "table-header-group" in css


def test_stresstest_lange_verslagen_en_honderd_interventies(wereld: Wereld) -> None:
    """Very long narratives (one unbroken 'word' among them) and a hundred interventions:
    no warning, every table in parts, and no empty page."""
    lang = ("De wijkaanpak loopt volgens plan, met een lange toelichting. " * 120) + "x" * 400
    for i in range(100):
        project = ProjectFactory(
            programma=wereld.programma, code=f"extra-{i:03d}", startdatum=date(2024, 1, 1)
        )
        project.focusgebieden.add(wereld.gebieden[i % 3])
        BeschikkingFactory(project=project, bedrag=Decimal("1234.56"))
        VoortgangsverslagFactory(
            project=project,
            periode="2025-K4",
            status=GOED,
            samenvatting=lang if i < 5 else "Kort.",
            afwijkingen=lang if i < 2 else "",
        )
    d = momentopname.jaarverantwoording(programma=wereld.programma, jaar=JAAR)
    with weasyprint_meldingen() as meldingen:
        uitkomst = pdf_maken(d)
    assert [m.getMessage() for m in meldingen] == []
    if map_ := os.environ.get("ONTSCHOT_ARTEFACTEN"):  # to look at the pages
        Path(map_).mkdir(parents=True, exist_ok=True)
        (Path(map_) / "stresstest-jaarverantwoording.pdf").write_bytes(uitkomst.pdf)
    lezer = PdfReader(io.BytesIO(uitkomst.pdf))
    leeg = [
        i + 1 for i, p in enumerate(lezer.pages) if len(p.extract_text().strip().splitlines()) < 4
    ]
    assert leeg == []
    assert "(vervolg)" in uitkomst.html  # the grant table of 103 rows is cut into parts


# --- making in the background, publishing, downloading ---------------------------------


def _aanvragen(wereld: Wereld, django_capture_on_commit_callbacks: Any) -> Rapport:
    with django_capture_on_commit_callbacks() as taken:
        rapport = rapporten.rapport_aanvragen(
            actor=Actor(gebruiker=wereld.manager),
            soort=Rapport.Soort.JAARVERANTWOORDING,
            programma=wereld.programma,
            jaar=JAAR,
        )
    assert len(taken) == 1  # the making is queued once the request commits
    return rapport


def test_aanvragen_maken_en_nogmaals_maken(
    wereld: Wereld, django_capture_on_commit_callbacks: Any
) -> None:
    rapport = _aanvragen(wereld, django_capture_on_commit_callbacks)
    assert rapport.status == Rapport.Status.GEVRAAGD
    gemaakt = rapporten.rapport_maken(rapport_id=rapport.pk)
    assert gemaakt is not None and gemaakt.status == Rapport.Status.KLAAR
    assert gemaakt.voortgang == 100 and gemaakt.paginas and gemaakt.paginas > 5
    inhoud = gemaakt.pdf.read()
    import hashlib

    assert hashlib.sha256(inhoud).hexdigest() == gemaakt.sha256
    assert gemaakt.gegevens_sha256 == gemaakt.momentopname["gegevenshash"]
    # Data changed afterwards never changes the report, and making it again does nothing.
    Besteding.objects.update(bedrag=Decimal("1.00"))
    nogmaals = rapporten.rapport_maken(rapport_id=rapport.pk)
    assert nogmaals is not None and nogmaals.sha256 == gemaakt.sha256
    assert nogmaals.momentopname == gemaakt.momentopname
    assert (
        Auditregel.objects.filter(actie="rapport_gemaakt", object_id=str(rapport.pk)).count() == 1
    )


def test_een_onderbroken_rapport_wordt_uit_dezelfde_momentopname_afgemaakt(
    wereld: Wereld, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    rapport = _aanvragen(wereld, django_capture_on_commit_callbacks)
    bevroren = rapporten.momentopname_maken(rapport)
    Rapport.objects.filter(pk=rapport.pk).update(
        status=Rapport.Status.BEZIG, momentopname=bevroren, voortgang=40
    )
    Besteding.objects.update(bedrag=Decimal("1.00"))  # after the freeze
    gemaakt = rapporten.rapport_maken(rapport_id=rapport.pk)
    assert gemaakt is not None and gemaakt.momentopname == bevroren
    bestanden = list(Path(settings.PRIVE_MEDIA_ROOT).rglob("*.pdf"))
    assert len(bestanden) == 1


def test_een_mislukte_render_wordt_vastgelegd_en_opnieuw_geprobeerd(
    wereld: Wereld, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rapport = _aanvragen(wereld, django_capture_on_commit_callbacks)

    def stuk(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("printer in brand")

    monkeypatch.setattr("rapportage.pdf.pdf_maken", stuk)
    with pytest.raises(RuntimeError):
        rapporten.rapport_maken(rapport_id=rapport.pk)
    rapport.refresh_from_db()
    assert rapport.status == Rapport.Status.MISLUKT and "printer in brand" in rapport.foutmelding
    assert rapport.momentopname is not None  # frozen before the failure, kept for the retry
    monkeypatch.undo()
    assert rapporten.rapport_maken(rapport_id=rapport.pk).status == Rapport.Status.KLAAR  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("velden", "fout"),
    [
        ({"soort": "jaarverantwoording", "jaar": 1999}, "jaar"),
        ({"soort": "jaarverantwoording"}, "jaar"),
        ({"soort": "gebiedsrapportage", "jaar": JAAR}, "focusgebied"),
        ({"soort": "projectrapportage", "periode": "2025-K9"}, "project"),
        ({"soort": "onzin", "jaar": JAAR}, "soort"),
    ],
)
def test_een_onjuiste_aanvraag_wordt_geweigerd_en_bewaart_niets(
    wereld: Wereld, velden: dict[str, Any], fout: str
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as e:
        rapporten.rapport_aanvragen(
            actor=Actor(gebruiker=wereld.manager), programma=wereld.programma, **velden
        )
    assert fout in e.value.message_dict
    assert not Rapport.objects.exists()
    assert not Auditregel.objects.filter(actie="rapport_aanvragen").exists()


def _klaar(wereld: Wereld, django_capture_on_commit_callbacks: Any) -> Rapport:
    rapport = _aanvragen(wereld, django_capture_on_commit_callbacks)
    gemaakt = rapporten.rapport_maken(rapport_id=rapport.pk)
    assert gemaakt is not None
    return gemaakt


def test_publiceren_meldt_het_ministerie_een_keer_en_toont_het_in_het_portaal(
    wereld: Wereld, django_capture_on_commit_callbacks: Any
) -> None:
    rapport = _klaar(wereld, django_capture_on_commit_callbacks)
    wereld.programma.rapportontvangers = "verantwoording@minvro.nl\n"
    wereld.programma.save()
    ministerie, ander, partner = Client(), Client(), Client()
    ministerie.force_login(wereld.ministerie)
    ander.force_login(wereld.ander_ministerie)
    partner.force_login(wereld.partner)
    url = f"/rapporten/{rapport.pk}/pdf"
    # Unpublished: invisible to ministry staff and partners, in the list and by address.
    for client in (ministerie, ander, partner):
        assert client.get(url).status_code == 404
        assert client.get(f"/rapporten/{rapport.pk}").status_code == 404
        assert f'href="/rapporten/{rapport.pk}"' not in client.get("/rapporten").content.decode()
    manager = Client()
    manager.force_login(wereld.manager)
    # The report's page shows the summary chart from the same chart module as the PDF.
    assert 'role="img"' in manager.get(f"/rapporten/{rapport.pk}").content.decode()
    with django_capture_on_commit_callbacks() as taken:
        antwoord = manager.post(f"/rapporten/{rapport.pk}/publiceren")
    assert antwoord.status_code == 302 and len(taken) == 1  # the e-mail is queued
    assert rapporten.publicatie_melden(rapport_id=rapport.pk) == 2  # what the task does
    assert rapporten.publicatie_melden(rapport_id=rapport.pk) == 0  # never twice
    ontvangers = sorted(a for m in mail.outbox for a in m.to)
    assert ontvangers == sorted([wereld.ministerie.email.lower(), "verantwoording@minvro.nl"])
    assert f"/rapporten/{rapport.pk}" in mail.outbox[0].body
    # Published: the programme's ministry staff and partners download; others still not.
    antwoord = ministerie.get(url)
    assert antwoord.status_code == 200 and antwoord.content == rapport.pdf.open("rb").read()
    assert partner.get(url).status_code == 200
    assert ander.get(url).status_code == 404
    assert f'href="/rapporten/{rapport.pk}"' in ministerie.get("/rapporten").content.decode()
    for formaat in ("xlsx", "csv", "sisa"):
        assert ministerie.get(f"/rapporten/{rapport.pk}/{formaat}").status_code == 200
    downloads = Auditregel.objects.filter(actie="rapport_downloaden", object_id=str(rapport.pk))
    assert downloads.count() == 5
    assert {r.na["formaat"] for r in downloads} == {"pdf", "xlsx", "csv", "sisa"}
    # Only the programme office publishes.
    assert ministerie.post(f"/rapporten/{rapport.pk}/publiceren").status_code == 403


def test_sisa_bijlage_per_beschikking(
    wereld: Wereld, django_capture_on_commit_callbacks: Any
) -> None:
    rapport = _klaar(wereld, django_capture_on_commit_callbacks)
    inhoud, soort, naam = rapporten.bestand(rapport, "sisa")
    assert naam.endswith(".sisa.csv") and soort.startswith("text/csv")
    rijen = list(csv.reader(io.StringIO(inhoud.decode("utf-8-sig"))))
    assert len(rijen) == 1 + 3 + 1  # header, three grants, total
    assert "423333.34" in rijen[-1]


def test_de_webpagina_vraagt_aan_en_toont_de_voortgang(
    wereld: Wereld, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(wereld.manager)
    with django_capture_on_commit_callbacks():
        antwoord = client.post(
            "/rapporten",
            {"soort": "jaarverantwoording", "programma": wereld.programma.pk, "jaar": JAAR},
        )
    rapport = Rapport.objects.get()
    assert antwoord.status_code == 302 and antwoord["Location"] == f"/rapporten/{rapport.pk}"
    Rapport.objects.filter(pk=rapport.pk).update(status=Rapport.Status.BEZIG, voortgang=45)
    pagina = client.get(f"/rapporten/{rapport.pk}").content.decode()
    assert '<progress id="voortgang" max="100" value="45">' in pagina
    assert 'http-equiv="refresh"' not in pagina  # never reloaded under the reader
    assert f'href="/rapporten/{rapport.pk}">Nu verversen' in pagina
    fout = client.post(
        "/rapporten",
        {"soort": "jaarverantwoording", "programma": wereld.programma.pk, "jaar": 2050},
    )
    assert fout.status_code == 400 and "buiten de programmaperiode" in fout.content.decode()
    assert Rapport.objects.count() == 1


def test_de_opdracht_rapport_maakt_een_pdf(wereld: Wereld, tmp_path: Path) -> None:
    uit = tmp_path / "jv.pdf"
    gegevens = tmp_path / "jv.json"
    call_command(
        "rapport",
        "jaarverantwoording",
        "--programma",
        "nplv",
        "--jaar",
        "2025",
        "--uitvoer",
        str(uit),
        "--momentopname",
        str(gegevens),
        stdout=io.StringIO(),
    )
    assert uit.read_bytes().startswith(b"%PDF-1.7")
    tweede = tmp_path / "jv2.pdf"
    call_command(
        "rapport",
        "jaarverantwoording",
        "--van",
        str(gegevens),
        "--uitvoer",
        str(tweede),
        stdout=io.StringIO(),
    )
    assert tweede.read_bytes() == uit.read_bytes()
    call_command(
        "rapport",
        "projectrapportage",
        "--programma",
        "nplv",
        "--project",
        "nplv-001",
        "--periode",
        "2025-K2",
        "--uitvoer",
        str(tmp_path / "p.pdf"),
        stdout=io.StringIO(),
    )
    with pytest.raises(CommandError, match="programmaperiode"):
        call_command(
            "rapport",
            "jaarverantwoording",
            "--programma",
            "nplv",
            "--jaar",
            "1990",
            "--uitvoer",
            str(uit),
        )
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command(
            "rapport",
            "gebiedsrapportage",
            "--programma",
            "nplv",
            "--focusgebied",
            "nergens",
            "--jaar",
            "2025",
            "--uitvoer",
            str(uit),
        )


def test_weasyprint_meldingen_worden_opgevangen(caplog: pytest.LogCaptureFixture) -> None:
    with weasyprint_meldingen() as meldingen:
        logging.getLogger("weasyprint").warning("Ontbrekende bron")
    assert [m.getMessage() for m in meldingen] == ["Ontbrekende bron"]


def test_organisatie_zonder_rol_ziet_niets(
    wereld: Wereld, django_capture_on_commit_callbacks: Any
) -> None:
    rapport = _klaar(wereld, django_capture_on_commit_callbacks)
    rapporten.rapport_publiceren(actor=Actor(gebruiker=wereld.manager), rapport=rapport)
    buitenstaander = Client()
    buitenstaander.force_login(GebruikerFactory())
    assert buitenstaander.get(f"/rapporten/{rapport.pk}/pdf").status_code == 404
    assert Client().get(f"/rapporten/{rapport.pk}/pdf").status_code == 302  # to the login
    OrganisatieFactory()  # unrelated organisations change nothing
    assert Organisatie.objects.count() > 1 and Programma.objects.count() == 2


def test_een_partner_vraagt_via_de_api_een_projectrapportage_en_volgt_de_voortgang(
    wereld: Wereld, django_capture_on_commit_callbacks: Any
) -> None:
    from programma.models import ApiSleutel
    from programma.services import api_sleutel_aanmaken

    organisatie = wereld.projecten[0].penvoerder
    _, sleutel = api_sleutel_aanmaken(
        actor=Actor.systeem("test"),
        organisatie=organisatie,
        naam="boekhouding",
        scopes=[ApiSleutel.Scope.RAPPORTEN_LEZEN],
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {sleutel}")
    with django_capture_on_commit_callbacks() as taken:
        antwoord = client.post(
            "/api/v1/rapporten",
            {"project": wereld.projecten[0].pk, "periode": "2025-K2"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="rapport-1",
        )
    assert antwoord.status_code == 201, antwoord.content
    body = antwoord.json()
    assert body["status"] == "gevraagd" and body["voortgang"] == 0 and len(taken) == 1
    assert antwoord["Location"].endswith(f"/api/v1/rapporten/{body['id']}")
    assert client.get(f"/api/v1/rapporten/{body['id']}/pdf").status_code == 409
    rapporten.rapport_maken(rapport_id=body["id"])
    stand = client.get(f"/api/v1/rapporten/{body['id']}").json()
    assert stand["status"] == "klaar" and stand["voortgang"] == 100 and stand["paginas"] > 1
    pdf = client.get(f"/api/v1/rapporten/{body['id']}/pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert Auditregel.objects.filter(actie="rapport_downloaden", object_id=str(body["id"])).exists()
    # Another organisation's project: refused as if it did not exist, nothing stored.
    vreemd = client.post(
        "/api/v1/rapporten",
        {"project": wereld.projecten[1].pk, "periode": "2025-K2"},
        content_type="application/json",
    )
    assert vreemd.status_code == 400 and Rapport.objects.count() == 1
    # Not the programme office's unpublished yearly report.
    intern = _aanvragen(wereld, django_capture_on_commit_callbacks)
    assert client.get(f"/api/v1/rapporten/{intern.pk}").status_code == 404


def test_een_ontbrekende_bron_komt_als_melding_boven() -> None:
    """The no-warning checks above can fail: a resource that is not there is logged."""
    import weasyprint

    with weasyprint_meldingen() as meldingen:
        weasyprint.HTML(
            string='<html lang="nl"><head><title>t</title>'
            '<link rel="stylesheet" href="ontschot:bestaat/niet.css"></head>'
            '<body><img src="https://example.org/logo.png" alt="logo"></body></html>',
            base_url="ontschot:",
            url_fetcher=url_fetcher(),
        ).write_pdf()
    teksten = " ".join(m.getMessage() for m in meldingen)
    assert "niet.css" in teksten and "example.org" in teksten


def test_een_partner_ziet_gepubliceerde_projectrapportages_alleen_van_eigen_projecten(
    wereld: Wereld,
) -> None:
    """The yearly account is the whole programme's; a project report is the project's:
    a partner does not see another organisation's, in the portal or through the API."""
    from django.utils import timezone

    from programma.models import ApiSleutel
    from programma.services import api_sleutel_aanmaken
    from rapportage.selectors import rapporten_voor

    def gepubliceerd(**velden: Any) -> Rapport:
        return Rapport.objects.create(
            programma=wereld.programma,
            status=Rapport.Status.KLAAR,
            gepubliceerd_op=timezone.now(),
            **velden,
        )

    jaar = gepubliceerd(soort=Rapport.Soort.JAARVERANTWOORDING, periode=str(JAAR))
    eigen = gepubliceerd(
        soort=Rapport.Soort.PROJECTRAPPORTAGE, project=wereld.projecten[0], periode="2025-K2"
    )
    vreemd = gepubliceerd(
        soort=Rapport.Soort.PROJECTRAPPORTAGE, project=wereld.projecten[1], periode="2025-K2"
    )
    assert wereld.projecten[1].penvoerder != wereld.projecten[0].penvoerder
    assert set(rapporten_voor(wereld.partner)) == {jaar, eigen}
    assert set(rapporten_voor(wereld.ministerie)) == {jaar, eigen, vreemd}
    assert set(rapporten_voor(wereld.manager)) == {jaar, eigen, vreemd}

    partner = Client()
    partner.force_login(wereld.partner)
    portaal = partner.get("/rapporten").content.decode()
    assert f'href="/rapporten/{eigen.pk}"' in portaal
    assert f'href="/rapporten/{vreemd.pk}"' not in portaal
    assert partner.get(f"/rapporten/{vreemd.pk}").status_code == 404

    _, sleutel = api_sleutel_aanmaken(
        actor=Actor.systeem("test"),
        organisatie=wereld.projecten[0].penvoerder,
        naam="rapporten",
        scopes=[ApiSleutel.Scope.RAPPORTEN_LEZEN],
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {sleutel}")
    ids = {r["id"] for r in api.get("/api/v1/rapporten").json()["resultaten"]}
    assert ids == {jaar.pk, eigen.pk}
    assert api.get(f"/api/v1/rapporten/{vreemd.pk}").status_code == 404
