"""Text that people typed is shown as text everywhere: on every page, in the e-mails, in
the PDF report, and in every CSV and XLSX file, where a cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is neutralised so no spreadsheet runs it.

The world: one programme in which every name and free text field (programme, theme,
focus area, organisation, intervention title and description, goal, indicator, grant
scheme, tranche release reason, measurement explanation, reviewer's comment, expenditure
description, narrative, API key, a person's name) holds a script tag, an attribute
breakout and, in front, one of the formula starts. The values are written with
``update()``, past the forms' validation, as if they had come in some other way.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from programma.tabelbestanden import neutraliseer
from tests.test_toegang_web import webinterface

SCRIPT = "<script>alert(1)</script>"
UITBRAAK = '"><img src=x onerror=alert(1)>'
FORMULES = ('=HYPERLINK("http://x")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1")
# As an HTML page shows the script tag when it is escaped.
ONTSNAPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
GEVAARLIJK_BEGIN = ("=", "+", "-", "@", "\t", "\r")
GETAL = re.compile(r"-?\d+(\.\d+)?\Z")


def vijandig(nummer: int) -> str:
    return f"{FORMULES[nummer % len(FORMULES)]} {SCRIPT}{UITBRAAK}"


def test_neutraliseer_zet_een_apostrof_voor_elke_formule() -> None:
    for formule in FORMULES:
        assert neutraliseer(formule) == "'" + formule
        assert neutraliseer(vijandig(0)).startswith("'=")
    assert neutraliseer("Buurthuis De Kaap") == "Buurthuis De Kaap"


# --- the world --------------------------------------------------------------------------------


@pytest.fixture
def wereld(db: None, settings: Any) -> dict[str, Any]:
    from programma.audit import Actor
    from programma.models import (
        ApiSleutel,
        Focusgebied,
        Organisatie,
        Programma,
        Rol,
        Thema,
    )
    from programma.services import api_sleutel_aanmaken
    from projecten.models import (
        Beoordeling,
        Beschikking,
        Besteding,
        Doel,
        Indicator,
        Meting,
        Project,
        Rapportageverplichting,
        Streefwaarde,
        Tranche,
        Voortgangsverslag,
    )
    from rapportage import rapporten
    from rapportage.models import Rapport
    from rapportage.services import standen_herberekenen
    from tests.programma.factories import (
        BudgetenvelopFactory,
        FocusgebiedFactory,
        GebruikerFactory,
        OrganisatieFactory,
        ProgrammaFactory,
        RolFactory,
        ThemaFactory,
    )
    from tests.projecten.factories import (
        BeschikkingFactory,
        BestedingFactory,
        IndicatorFactory,
        MetingFactory,
        ProjectFactory,
        TrancheFactory,
        VoortgangsverslagFactory,
    )

    settings.BASIS_URL = "https://ontschot.example.nl"
    p: Any = ProgrammaFactory(code="nplv")
    thema = ThemaFactory(programma=p, code="armoede")
    BudgetenvelopFactory(programma=p, thema=thema)
    gebied = FocusgebiedFactory(programma=p, code="zuid")
    organisatie: Any = OrganisatieFactory(soort=Organisatie.Soort.GEMEENTE)
    project: Any = ProjectFactory(programma=p, code="kaap", penvoerder=organisatie)
    project.themas.add(thema)
    project.focusgebieden.add(gebied)
    indicator: Any = IndicatorFactory(doel__project=project)
    Streefwaarde.objects.create(indicator=indicator, periode="2025", waarde=Decimal("40"))
    beschikking: Any = BeschikkingFactory(project=project, thema=thema)
    tranche: Any = TrancheFactory(
        beschikking=beschikking,
        volgnummer=1,
        status=Tranche.Status.BETAALD,
        betaald_op=date(2025, 3, 1),
        vrijgegeven_op=timezone.now(),
    )
    door = {"ingediend_door_organisatie": organisatie}
    goed = Beoordeling.GOEDGEKEURD
    MetingFactory(
        indicator=indicator, periode="2025-K1", waarde=Decimal("-12"), status=goed, **door
    )
    teruggestuurd: Any = MetingFactory(
        indicator=indicator, periode="2025-K2", status=Beoordeling.TERUGGESTUURD, **door
    )
    MetingFactory(indicator=indicator, periode="2025-K3", **door)
    BestedingFactory(
        project=project, beschikking=beschikking, periode="2025-K1", status=goed, **door
    )
    BestedingFactory(project=project, beschikking=beschikking, periode="2025-K2", **door)
    VoortgangsverslagFactory(project=project, periode="2025-K1", status=goed, **door)
    VoortgangsverslagFactory(project=project, periode="2025-K2", **door)
    verplichting = Rapportageverplichting.objects.create(
        project=project,
        soort=Rapportageverplichting.Soort.VOORTGANG,
        periode="2025-K2",
        deadline=date(2025, 7, 31),
    )

    manager: Any = RolFactory(soort=Rol.Soort.PROGRAMMAMANAGER, programma=p).gebruiker
    partner = RolFactory(soort=Rol.Soort.PARTNER, organisatie=organisatie).gebruiker
    ministerie = RolFactory(soort=Rol.Soort.MINISTERIE, programma=p).gebruiker
    beheerder = GebruikerFactory(username="beheerder", is_superuser=True, is_staff=True)
    sleutel, _plat = api_sleutel_aanmaken(
        actor=Actor(gebruiker=manager),
        organisatie=organisatie,
        naam="koppeling",
        scopes=[ApiSleutel.Scope.METINGEN_SCHRIJVEN],
    )

    teller = iter(range(100))
    for model, velden in (
        (Programma, ["naam"]),
        (Thema, ["naam"]),
        (Focusgebied, ["naam"]),
        (Organisatie, ["naam"]),
        (Project, ["titel", "omschrijving"]),
        (Doel, ["titel"]),
        (Indicator, ["naam"]),
        (Beschikking, ["regeling"]),
        (Tranche, ["vrijgave_reden"]),
        (Meting, ["toelichting", "beoordeling_toelichting"]),
        (Besteding, ["omschrijving", "beoordeling_toelichting"]),
        (Voortgangsverslag, ["samenvatting", "risicos", "afwijkingen"]),
        (ApiSleutel, ["naam"]),
    ):
        # The programme's client is an organisation too; names of organisations are unique.
        rijen = (
            model.objects.exclude(pk=p.opdrachtgever_id) if model is Organisatie else model.objects
        )
        rijen.update(**{veld: vijandig(next(teller)) for veld in velden})
    type(manager).objects.filter(pk=manager.pk).update(first_name=vijandig(next(teller)))
    standen_herberekenen(programma=p)

    gevraagd = rapporten.rapport_aanvragen(
        actor=Actor(gebruiker=manager),
        soort=Rapport.Soort.JAARVERANTWOORDING,
        programma=Programma.objects.get(),
        jaar=2025,
    )
    rapport = rapporten.rapport_maken(rapport_id=gevraagd.pk)
    assert rapport is not None and rapport.status == Rapport.Status.KLAAR
    rapporten.rapport_publiceren(actor=Actor(gebruiker=manager), rapport=rapport)
    return {
        "programma": Programma.objects.get(),
        "project": Project.objects.get(),
        "indicator": indicator,
        "beschikking": beschikking,
        "focusgebied": gebied,
        "tranche": Tranche.objects.get(pk=tranche.pk),
        "teruggestuurd": Meting.objects.get(pk=teruggestuurd.pk),
        "inzendingen": {
            "meting": Meting.objects.get(periode="2025-K3"),
            "besteding": Besteding.objects.get(periode="2025-K2"),
            "verslag": Voortgangsverslag.objects.get(periode="2025-K2"),
        },
        "verplichting": Rapportageverplichting.objects.get(pk=verplichting.pk),
        "sleutel": sleutel,
        "rapport": Rapport.objects.get(pk=rapport.pk),
        "manager": type(manager).objects.get(pk=manager.pk),
        "partner": partner,
        "ministerie": ministerie,
        "beheerder": beheerder,
    }


# --- checks -----------------------------------------------------------------------------------


class _Opmaak(HTMLParser):
    """What a browser would run or load from a page: event handler attributes, scripts
    with the payload, images from the payload."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.gevaar: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for naam, waarde in attrs:
            if naam.startswith("on"):
                self.gevaar.append(f"<{tag} {naam}={waarde!r}>")
        if tag == "img" and ("src", "x") in attrs:
            self.gevaar.append("<img src=x>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(1)" in data:
            self.gevaar.append(f"<script>{data}</script>")


def html_gevaar(html: str) -> list[str]:
    """Everything in ``html`` that would run or load because of typed text."""
    ontleder = _Opmaak()
    ontleder.feed(html)
    gevaar = ontleder.gevaar
    gevaar += [p for p in (SCRIPT, "<img src=x onerror=alert(1)>") if p in html]
    return gevaar


def _gevaarlijk(tekst: str) -> bool:
    return tekst.startswith(GEVAARLIJK_BEGIN) and not GETAL.match(tekst)


def csv_gevaar(inhoud: bytes) -> tuple[list[str], int]:
    """(cells a spreadsheet would evaluate, cells that were neutralised)."""
    cellen = [c for rij in csv.reader(io.StringIO(inhoud.decode("utf-8-sig"))) for c in rij]
    gevaar = [c for c in cellen if _gevaarlijk(c)]
    return gevaar, sum(c.startswith("'") and _gevaarlijk(c[1:]) for c in cellen)


def xlsx_gevaar(inhoud: bytes) -> tuple[list[str], int]:
    """(formula cells and dangerous text without the quote prefix, neutralised text)."""
    gevaar, geneutraliseerd = [], 0
    for blad in load_workbook(io.BytesIO(inhoud)).worksheets:
        for rij in blad.iter_rows():
            for cel in rij:
                if cel.data_type == "f":
                    gevaar.append(f"formule {cel.coordinate}: {cel.value}")
                elif isinstance(cel.value, str) and _gevaarlijk(cel.value):
                    if cel.quotePrefix:
                        geneutraliseerd += 1
                    else:
                        gevaar.append(f"{blad.title}!{cel.coordinate}: {cel.value!r}")
    return gevaar, geneutraliseerd


def bestand_gevaar(antwoord: Any) -> tuple[list[str], int]:
    inhoud = b"".join(antwoord) if antwoord.streaming else antwoord.content
    soort = antwoord["Content-Type"]
    if soort.startswith("text/csv"):
        return csv_gevaar(inhoud)
    if soort.startswith("application/zip"):
        gevaar, geneutraliseerd = [], 0
        with zipfile.ZipFile(io.BytesIO(inhoud)) as archief:
            for naam in archief.namelist():
                g, n = csv_gevaar(archief.read(naam))
                gevaar += [f"{naam}: {c!r}" for c in g]
                geneutraliseerd += n
        return gevaar, geneutraliseerd
    assert "spreadsheetml" in soort, soort
    return xlsx_gevaar(inhoud)


# --- pages and their table downloads ----------------------------------------------------------


def _paden(w: dict[str, Any]) -> Iterator[str]:
    """Every page of the web UI with the world's objects, every submission of each kind."""
    waarden = {
        "code": w["programma"].code,
        "project_id": w["project"].pk,
        "indicator_id": w["indicator"].pk,
        "beschikking_id": w["beschikking"].pk,
        "focusgebied_id": w["focusgebied"].pk,
        "rapport_id": w["rapport"].pk,
        "taak_id": "geen",
        "formaat": "pdf",
        "pk": w["sleutel"].pk,
    }
    for url in webinterface():
        if "soort" in url.argumenten:
            keuzes = [{"soort": s, "pk": o.pk} for s, o in w["inzendingen"].items()]
        else:
            keuzes = [{}]
        for keuze in keuzes:
            yield reverse(url.naam, kwargs={a: (waarden | keuze)[a] for a in url.argumenten})


def test_elke_pagina_toont_getypte_tekst_als_tekst(wereld: dict[str, Any]) -> None:
    """Every page, as the administrator (also as htmx asks) and the partner: nothing typed runs,
    and the typed text is there, escaped; every table download of those pages neutralises
    formulas."""
    gevaar: list[str] = []
    getoond: set[str] = set()
    downloads: dict[str, Client] = {}
    geneutraliseerd = 0
    # The administrator also asks as htmx does, for the fragments some pages send then.
    for rol, htmx in (("beheerder", False), ("beheerder", True), ("partner", False)):
        client = Client(headers={"HX-Request": "true"} if htmx else {})
        client.force_login(wereld[rol])
        for pad in _paden(wereld):
            antwoord = client.get(pad)
            if antwoord.status_code != 200 or "text/html" not in antwoord["Content-Type"]:
                continue
            html = antwoord.content.decode()
            gevaar += [
                f"{pad} als {rol}{' (htmx)' if htmx else ''}: {g}" for g in html_gevaar(html)
            ]
            if ONTSNAPT in html:
                getoond.add(pad)
            for link in re.findall(r'href="([^"]*download=[^"]*)"', html):
                link = link.replace("&amp;", "&")
                downloads.setdefault(link if link.startswith("/") else pad + link, client)
    for link, client in downloads.items():
        antwoord = client.get(link)
        assert antwoord.status_code == 200, link
        g, n = bestand_gevaar(antwoord)
        gevaar += [f"{link}: {c}" for c in g]
        geneutraliseerd += n
    assert not gevaar, "\n".join(gevaar)
    project, code = wereld["project"].pk, wereld["programma"].code
    for pad in (
        f"/programmas/{code}",
        f"/projecten/{project}",
        "/projecten",
        "/beoordelen",
        f"/beoordelen/meting/{wereld['inzendingen']['meting'].pk}",
        "/inzendingen",
        f"/projecten/{project}/metingen",
        f"/projecten/{project}/wijzigen",
        f"/rapporten/{wereld['rapport'].pk}",
    ):
        assert pad in getoond, f"{pad} toont de getypte tekst niet"
    assert len(downloads) > 20 and geneutraliseerd > 20, (len(downloads), geneutraliseerd)


def test_de_controles_zien_wat_mis_zou_gaan() -> None:
    """The checks above fail on unescaped text and unneutralised cells."""
    from openpyxl import Workbook

    assert html_gevaar(f"<p>{SCRIPT}</p>")
    assert html_gevaar(f'<input value="{UITBRAAK}">')
    assert not html_gevaar(f"<p>{ONTSNAPT}</p>")
    assert csv_gevaar(b'=HYPERLINK("http://x"),-12.50\r\n')[0] == ['=HYPERLINK("http://x")']
    assert csv_gevaar(b"'@SUM(A1),-12.50\r\n") == ([], 1)
    werkboek = Workbook()
    blad: Any = werkboek.active
    blad["A1"] = "=1+1"
    blad["A2"].value = "+1"
    blad["A2"].data_type = "s"
    buffer = io.BytesIO()
    werkboek.save(buffer)
    assert len(xlsx_gevaar(buffer.getvalue())[0]) == 2


# --- e-mails ----------------------------------------------------------------------------------


def _html_van(bericht: Any) -> str:
    ((html, soort),) = bericht.alternatives
    assert soort == "text/html"
    return str(html)


def test_e_mails_tonen_getypte_tekst_als_tekst(wereld: dict[str, Any]) -> None:
    """The review outcome, the tranche release, the reminder and the publication notice:
    the HTML part escapes, and the subject stays one header line (a CR or LF typed into a
    name would otherwise break the message or inject a header)."""
    from projecten.meldingen import beoordelingsberichten, vrijgaveberichten
    from projecten.verplichtingen import herinneringsbericht
    from rapportage.rapporten import publicatie_melden

    mail.outbox.clear()
    assert publicatie_melden(rapport_id=wereld["rapport"].pk) == 1
    berichten = [
        *beoordelingsberichten("meting", [wereld["teruggestuurd"]], [wereld["partner"]]),
        *vrijgaveberichten([wereld["tranche"]], [wereld["manager"]]),
        herinneringsbericht(wereld["verplichting"], 1, ["partner@example.nl"], date(2025, 7, 1)),
        *mail.outbox,
    ]
    assert len(berichten) == 4
    for bericht in berichten:
        html = _html_van(bericht)
        assert not html_gevaar(html), (bericht.subject, html_gevaar(html))
        assert ONTSNAPT in html, bericht.subject
        assert "\n" not in bericht.subject and "\r" not in bericht.subject, bericht.subject
        bericht.message()  # refuses a header with a line break in it


def test_een_regeleinde_in_een_naam_breekt_geen_e_mail(wereld: dict[str, Any]) -> None:
    """Names that end up in a subject (programme, indicator) with a line break typed into
    them: the message is still sent, its subject on one line."""
    from programma.models import Programma
    from projecten.meldingen import beoordelingsberichten
    from projecten.models import Indicator, Meting
    from rapportage.rapporten import publicatie_melden

    Programma.objects.update(naam="Leefbaar\r\nBcc: iedereen@example.nl")
    Indicator.objects.update(naam="Huishoudens\r\nBcc: iedereen@example.nl")
    mail.outbox.clear()
    assert publicatie_melden(rapport_id=wereld["rapport"].pk) == 1
    meting = Meting.objects.get(pk=wereld["teruggestuurd"].pk)
    berichten = [*mail.outbox, *beoordelingsberichten("meting", [meting], [wereld["partner"]])]
    for bericht in berichten:
        bericht.message()
        assert "\n" not in bericht.subject and "\r" not in bericht.subject, bericht.subject
        assert "Bcc" not in bericht.message() and not bericht.bcc


# --- the report -------------------------------------------------------------------------------


def test_het_rapport_toont_getypte_tekst_als_tekst(wereld: dict[str, Any]) -> None:
    """The HTML handed to WeasyPrint escapes typed text, the PDF prints it as text, and
    the report's XLSX, CSV zip and SiSa annex neutralise formulas."""
    from pypdf import PdfReader

    from rapportage.pdf import html, weergave

    rapport = wereld["rapport"]
    opgemaakt = html(weergave(rapport.momentopname))
    assert not html_gevaar(opgemaakt), html_gevaar(opgemaakt)
    assert ONTSNAPT in opgemaakt
    with rapport.pdf.open("rb") as bestand:
        tekst = "".join(p.extract_text() for p in PdfReader(bestand).pages)
    assert SCRIPT in "".join(tekst.split())

    client = Client()
    client.force_login(wereld["ministerie"])
    for formaat in ("xlsx", "csv", "sisa"):
        antwoord = client.get(f"/rapporten/{rapport.pk}/{formaat}")
        assert antwoord.status_code == 200, formaat
        gevaar, geneutraliseerd = bestand_gevaar(antwoord)
        assert not gevaar, (formaat, gevaar)
        assert geneutraliseerd, formaat


# --- what comes back from a request -----------------------------------------------------------


class _Formulieren(HTMLParser):
    """The names of the fields of every POST form on a page, per form action."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.velden: dict[str, set[str]] = {}
        self._actie: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._actie = a.get("action") or ""
            self.velden.setdefault(self._actie, set())
        elif (
            tag in ("input", "textarea", "select")
            and self._actie is not None
            and a.get("name")
            and a.get("type") not in ("file", "submit")
        ):
            self.velden[self._actie].add(str(a["name"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._actie = None


def test_wat_iemand_instuurt_komt_ontsnapt_terug(wereld: dict[str, Any]) -> None:
    """Every form of every page sent back with typed text in every field, and every page
    asked for with it in the usual query parameters and in the path: what the answer
    echoes (a form with its errors, a filter, a page link, the login's ``next``, the
    not-found page) is escaped."""
    waarde = vijandig(0)
    parameters = ["q", "programma", "project", "periode", "status", "soort", "pagina", "next"]
    query = {p: waarde for p in parameters}
    gevaar: list[str] = []
    formulieren = 0
    for rol in ("beheerder", "partner"):
        client = Client()
        client.force_login(wereld[rol])
        for pad in [*_paden(wereld), f"/projecten/{SCRIPT}", "/inloggen"]:
            antwoord = client.get(pad, query)
            if "text/html" not in antwoord.get("Content-Type", ""):
                continue
            html = antwoord.content.decode()
            gevaar += [f"GET {pad}?… als {rol}: {g}" for g in html_gevaar(html)]
            if antwoord.status_code != 200:
                continue
            ontleder = _Formulieren()
            ontleder.feed(client.get(pad).content.decode())
            for actie, velden in ontleder.velden.items():
                if actie not in ("", pad) or not velden:
                    continue
                formulieren += 1
                antwoord = client.post(pad, dict.fromkeys(velden, waarde))
                if "text/html" in antwoord.get("Content-Type", ""):
                    html = antwoord.content.decode()
                    gevaar += [f"POST {pad} als {rol}: {g}" for g in html_gevaar(html)]
    assert not gevaar, "\n".join(gevaar)
    assert formulieren > 15, formulieren
