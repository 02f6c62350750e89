"""The whole story of Ontschot in Chromium, as the people who use it would go through it:
a programme manager registers an intervention with its goal, indicator, targets and grant;
a partner submits a measurement; the manager approves it and asks for a report, which is
made and published; ministry staff download its PDF. Every page on the way is
screenshotted and checked by axe, and the database is checked after every step.

A second test submits a measurement with the keyboard alone."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import WACHTWOORD, Bezoek, met_wachtwoord
from tests.browser.test_toetsenbord import _focus_zichtbaar, _tab_naar


@dataclass
class Verhaal:
    """A programme as a programme office sets it up before any intervention exists."""

    programma: Any
    thema: Any
    focusgebied: Any
    gemeente: Any
    wijkbedrijf: Any
    ministerie_org: Any
    manager: Any
    partner: Any
    ministerie: Any


@pytest.fixture
def verhaal(transactional_db: None, settings: Any) -> Verhaal:
    """The programme with a theme and a focus area, the organisations, and a manager, a
    partner and a ministry user with their roles, all made through the services."""
    from django.contrib.auth.models import User

    from programma import services
    from programma.audit import Actor
    from programma.models import Organisatie, Rol

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    actor = Actor.systeem("browsertest verhaal")
    ministerie_org = services.organisatie_aanmaken(
        actor=actor,
        naam="Ministerie van Volkshuisvesting en Ruimtelijke Ordening",
        soort=Organisatie.Soort.MINISTERIE,
    )
    gemeente = services.organisatie_aanmaken(
        actor=actor,
        naam="Gemeente Rotterdam",
        soort=Organisatie.Soort.GEMEENTE,
        gemeentecode="GM0599",
    )
    wijkbedrijf = services.organisatie_aanmaken(
        actor=actor,
        naam="Wijkonderneming Tarwewijk",
        soort=Organisatie.Soort.WIJKINNOVATIEBEDRIJF,
    )
    programma = services.programma_aanmaken(
        actor=actor,
        code="leefbaar-zuid",
        naam="Leefbaarheid en Veiligheid Zuid",
        opdrachtgever=ministerie_org,
        startjaar=2024,
        eindjaar=2040,
        regeling="SPUK NPLV",
    )
    thema = services.thema_aanmaken(
        actor=actor, programma=programma, code="armoede", naam="Armoede en schulden"
    )
    focusgebied = services.focusgebied_aanmaken(
        actor=actor,
        programma=programma,
        code="tarwewijk",
        naam="Tarwewijk",
        gemeente="Rotterdam",
        gemeentecode="GM0599",
    )

    def gebruiker(naam: str, soort: str, **waar: Any) -> Any:
        mens = met_wachtwoord(User.objects.create_user(username=naam, email=f"{naam}@example.nl"))
        services.rol_toekennen(actor=actor, gebruiker=mens, soort=soort, **waar)
        return mens

    return Verhaal(
        programma=programma,
        thema=thema,
        focusgebied=focusgebied,
        gemeente=gemeente,
        wijkbedrijf=wijkbedrijf,
        ministerie_org=ministerie_org,
        manager=gebruiker("mira", Rol.Soort.PROGRAMMAMANAGER, programma=programma),
        partner=gebruiker("pim", Rol.Soort.PARTNER, organisatie=wijkbedrijf),
        ministerie=gebruiker("minke", Rol.Soort.MINISTERIE, programma=programma),
    )


def _uitloggen(pagina: Any) -> None:
    pagina.get_by_role("button", name="Uitloggen").click()
    pagina.wait_for_load_state("load")
    pagina.context.clear_cookies()


def _melding(pagina: Any, tekst: str) -> None:
    expect(pagina.get_by_text(tekst)).to_be_visible()


def test_van_registratie_tot_gedownload_rapport(
    pagina: Any, verhaal: Verhaal, wachtrij: list[Any], tmp_path: Path
) -> None:
    from programma.models import Auditregel
    from programma.wachtrij import uitvoeren
    from projecten.models import Beoordeling, Beschikking, Indicator, Meting, Project, Tranche
    from rapportage.models import Rapport

    v = verhaal
    bezoeken: list[Bezoek] = []

    # a. The programme manager registers the intervention, all through the forms.
    manager = Bezoek(pagina, "verhaal-manager")
    bezoeken.append(manager)
    manager.inloggen(v.manager)
    manager.controleren("start")
    manager.bekijken(f"/programmas/{v.programma.code}/projecten/nieuw", "project-nieuw")
    pagina.get_by_label("Code", exact=True).fill("samen-koken")
    pagina.get_by_label("Titel", exact=True).fill("Samen koken in de Tarwewijk")
    pagina.get_by_label("Omschrijving").fill("Buurtmaaltijden met schuldhulp aan tafel.")
    pagina.get_by_label("Penvoerder").select_option(label="Gemeente Rotterdam")
    pagina.get_by_role("group", name="Uitvoerende partners").get_by_label(
        "Wijkonderneming Tarwewijk"
    ).check()
    pagina.get_by_label("Armoede en schulden").check()
    pagina.get_by_label("Tarwewijk", exact=True).check()
    pagina.get_by_label("Startdatum").fill("2024-01-01")
    pagina.get_by_label("Einddatum").fill("2026-12-31")
    pagina.get_by_label("Rapportagefrequentie").select_option(label="Per kwartaal")
    pagina.get_by_role("button", name="Project registreren").click()
    _melding(pagina, "Project samen-koken is geregistreerd.")
    project = Project.objects.get(programma=v.programma, code="samen-koken")
    assert pagina.url.endswith(f"/projecten/{project.pk}")
    manager.controleren("project-geregistreerd")
    assert project.titel == "Samen koken in de Tarwewijk"
    assert project.penvoerder == v.gemeente
    assert (project.startdatum, project.einddatum) == (date(2024, 1, 1), date(2026, 12, 31))
    assert list(project.themas.all()) == [v.thema]
    assert list(project.focusgebieden.all()) == [v.focusgebied]
    assert set(project.partners.values_list("organisatie__naam", "rol")) == {
        ("Gemeente Rotterdam", "penvoerder"),
        ("Wijkonderneming Tarwewijk", "uitvoerder"),
    }

    manager.bekijken(f"/projecten/{project.pk}/doelen/nieuw", "doel-nieuw")
    pagina.get_by_label("Titel", exact=True).fill("Minder huishoudens met problematische schulden")
    pagina.get_by_role("button", name="Doel toevoegen").click()
    _melding(pagina, "Doel Minder huishoudens met problematische schulden is toegevoegd.")
    manager.controleren("doel-toegevoegd")
    doel = project.doelen.get()

    manager.bekijken(f"/projecten/{project.pk}/indicatoren/nieuw", "indicator-nieuw")
    pagina.get_by_label("Doel", exact=True).select_option(label=doel.titel)
    pagina.get_by_label("Naam", exact=True).fill("Aandeel huishoudens met een schuldregeling")
    pagina.get_by_label("Eenheid").select_option(label="Percentage")
    pagina.get_by_label("Richting").select_option(label="Hoger is beter")
    pagina.get_by_label("Hoe perioden samen tellen").select_option(label="Gemiddelde")
    pagina.get_by_label("Basiswaarde").fill("12,5")
    pagina.get_by_label("Basisjaar").fill("2023")
    pagina.get_by_role("button", name="Indicator toevoegen").click()
    _melding(pagina, "vul nu de streefwaarden in")
    indicator = Indicator.objects.get(doel=doel)
    assert pagina.url.endswith(f"/indicatoren/{indicator.pk}/streefwaarden")
    assert (indicator.eenheid, indicator.richting, indicator.aggregatie) == (
        "percentage",
        "hoger",
        "gemiddelde",
    )
    assert indicator.basiswaarde == Decimal("12.5") and indicator.basisjaar == 2023
    manager.controleren("streefwaarden")
    raster = pagina.get_by_role("table", name=re.compile("Streefwaarde per periode"))
    raster.get_by_label("2024", exact=True).fill("15")
    raster.get_by_label("2025", exact=True).fill("17,5")
    raster.get_by_label("2026", exact=True).fill("20,25")
    pagina.get_by_role("button", name="Streefwaarden opslaan").click()
    _melding(pagina, "De streefwaarden zijn opgeslagen (3 gewijzigd).")
    manager.controleren("streefwaarden-opgeslagen")
    assert dict(indicator.streefwaarden.values_list("periode", "waarde")) == {
        "2024": Decimal("15"),
        "2025": Decimal("17.5"),
        "2026": Decimal("20.25"),
    }

    manager.bekijken(f"/projecten/{project.pk}/beschikkingen/nieuw", "beschikking-nieuw")
    pagina.get_by_label("Kenmerk").fill("VRO-2024-0042")
    pagina.get_by_label("Financier").select_option(label=v.ministerie_org.naam)
    pagina.get_by_label("Regeling").fill("SPUK NPLV")
    pagina.get_by_label("Bedrag (€)", exact=True).fill("125.000,50")
    pagina.get_by_label("Status", exact=True).select_option(label="Verleend")
    pagina.get_by_label("Datum beschikking").fill("2024-03-01")
    pagina.get_by_label("Thema").select_option(label="Armoede en schulden")
    pagina.get_by_label("Tranche 1: bedrag (€)").fill("75.000,25")
    pagina.get_by_label("Tranche 1: geplande datum").fill("2024-04-01")
    pagina.get_by_label("Tranche 2: bedrag (€)").fill("50.000,25")
    pagina.get_by_label("Tranche 2: geplande datum").fill("2025-04-01")
    pagina.get_by_role("button", name="Beschikking vastleggen").click()
    _melding(pagina, "Beschikking VRO-2024-0042 is vastgelegd.")
    manager.controleren("beschikking-vastgelegd")
    beschikking = Beschikking.objects.get(project=project)
    assert (beschikking.kenmerk, beschikking.bedrag, beschikking.status) == (
        "VRO-2024-0042",
        Decimal("125000.50"),
        "verleend",
    )
    assert beschikking.financier == v.ministerie_org and beschikking.thema == v.thema
    assert beschikking.datum == date(2024, 3, 1)
    assert list(
        beschikking.tranches.order_by("volgnummer").values_list(
            "volgnummer", "bedrag", "geplande_datum", "status"
        )
    ) == [
        (1, Decimal("75000.25"), date(2024, 4, 1), Tranche.Status.GEPLAND),
        (2, Decimal("50000.25"), date(2025, 4, 1), Tranche.Status.GEPLAND),
    ]
    manager.bekijken(f"/beschikkingen/{beschikking.pk}/tranches", "tranches")
    expect(
        pagina.get_by_role("table", name=re.compile("Tranches van beschikking"))
    ).to_contain_text("75.000,25")
    manager.bekijken(f"/projecten/{project.pk}", "project")
    expect(pagina.get_by_role("heading", level=1)).to_contain_text("Samen koken in de Tarwewijk")
    _uitloggen(pagina)

    # b. The partner submits a measurement for the indicator.
    partner = Bezoek(pagina, "verhaal-partner")
    bezoeken.append(partner)
    partner.inloggen(v.partner)
    partner.controleren("start")
    partner.bekijken(f"/projecten/{project.pk}/metingen/nieuw", "meting-nieuw")
    pagina.get_by_label("Indicator").select_option(
        label="Aandeel huishoudens met een schuldregeling (percentage)"
    )
    pagina.get_by_label("Periode").select_option("2026-K2")
    pagina.get_by_label("Waarde").fill("18,75")
    pagina.get_by_label("Toelichting").fill("Twee kookavonden extra in juni.")
    pagina.get_by_role("button", name="Meting indienen").click()
    _melding(pagina, "De meting is ingediend; ze wacht op beoordeling.")
    assert re.search(r"/inzendingen\?project=\d+&soort=meting$", pagina.url), pagina.url
    partner.controleren("meting-ingediend")
    meting = Meting.objects.get(indicator=indicator)
    assert (meting.periode, meting.waarde, meting.status) == (
        "2026-K2",
        Decimal("18.75"),
        Beoordeling.INGEDIEND,
    )
    assert meting.ingediend_door == v.partner and meting.ingediend_door_organisatie == v.wijkbedrijf
    rij = pagina.get_by_role("row").filter(has_text="2026-K2")
    expect(rij).to_contain_text("Ingediend")
    _uitloggen(pagina)

    # c. The manager approves it in the review queue.
    manager.inloggen(v.manager)
    manager.bekijken("/beoordelen", "beoordelen")
    wacht = pagina.get_by_role("row").filter(has_text="18,75")
    expect(wacht).to_have_count(1)
    wacht.get_by_role("button", name=re.compile("^Goedkeuren")).click()
    expect(pagina.get_by_role("status").filter(has_text="goedgekeurd")).to_be_visible()
    manager.controleren("beoordeeld")
    meting.refresh_from_db()
    assert meting.status == Beoordeling.GOEDGEKEURD and meting.beoordeeld_door == v.manager
    _uitloggen(pagina)
    partner.inloggen(v.partner)
    partner.bekijken("/inzendingen?soort=meting", "inzendingen-goedgekeurd")
    expect(pagina.get_by_role("row").filter(has_text="2026-K2")).to_contain_text("Goedgekeurd")
    _uitloggen(pagina)

    # d. The manager asks for the project report; the worker makes it; it is published.
    manager.inloggen(v.manager)
    manager.bekijken("/rapporten", "rapporten")
    pagina.get_by_label("Soort rapport").select_option(label="Projectrapportage")
    pagina.get_by_label(re.compile(r"^Programma\b")).select_option(label=str(v.programma))
    pagina.get_by_label("Interventie (code)").fill("samen-koken")
    pagina.get_by_label("Periode").fill("2026-K2")
    pagina.get_by_role("button", name="Aanvragen").click()
    pagina.wait_for_url(re.compile(r"/rapporten/\d+$"))
    manager.controleren("rapport-gevraagd")
    rapport = Rapport.objects.get(project=project)
    assert (rapport.soort, rapport.periode, rapport.status) == (
        Rapport.Soort.PROJECTRAPPORTAGE,
        "2026-K2",
        Rapport.Status.GEVRAAGD,
    )
    taak = ("rapportage.tasks.rapport_maken", (rapport.pk,))
    assert wachtrij.count(taak) == 1
    uitvoeren(taak[0], *taak[1])  # the worker, synchronously
    rapport.refresh_from_db()
    assert rapport.status == Rapport.Status.KLAAR and rapport.sha256
    manager.bekijken(f"/rapporten/{rapport.pk}", "rapport-klaar")
    expect(pagina.locator("#rapport-status")).to_have_text("Klaar")
    pagina.get_by_role("button", name="Publiceren").click()
    _melding(pagina, "Het rapport is gepubliceerd")
    manager.controleren("rapport-gepubliceerd")
    rapport.refresh_from_db()
    assert rapport.gepubliceerd_op is not None
    _uitloggen(pagina)

    # e. Ministry staff find it in the portal and download the PDF.
    ministerie = Bezoek(pagina, "verhaal-ministerie")
    bezoeken.append(ministerie)
    ministerie.inloggen(v.ministerie)
    ministerie.controleren("start")
    ministerie.bekijken("/rapporten", "portaal")
    pagina.get_by_role("link", name="Projectrapportage samen-koken").click()
    pagina.wait_for_url(re.compile(rf"/rapporten/{rapport.pk}$"))
    ministerie.controleren("rapport")
    with pagina.expect_download() as download:
        pagina.get_by_role("link", name="PDF", exact=True).click()
    bestand = tmp_path / download.value.suggested_filename
    download.value.save_as(bestand)
    assert bestand.suffix == ".pdf"
    assert bestand.read_bytes().startswith(b"%PDF")
    assert Auditregel.objects.filter(
        actie="rapport_downloaden", object_id=str(rapport.pk), gebruiker=v.ministerie
    ).exists()

    _zonder_bevindingen(bezoeken)


def _zonder_bevindingen(bezoeken: list[Bezoek]) -> None:
    """Every finding of every person at once, so one run lists every page to fix."""
    regels = [
        f"{b.rol} · {pagina}:\n  " + "\n  ".join(gevonden)
        for b in bezoeken
        for pagina, gevonden in b.overtredingen.items()
    ]
    regels += [f"{b.rol} · scriptfout: {fout}" for b in bezoeken for fout in b.scriptfouten]
    assert not regels, "axe vond overtredingen:\n" + "\n".join(regels)


def test_een_partner_dient_een_meting_in_met_alleen_het_toetsenbord(
    pagina: Any, verhaal: Verhaal
) -> None:
    from programma.audit import Actor
    from projecten import services
    from projecten.models import Beoordeling, Meting, Projectpartner

    v = verhaal
    actor = Actor(gebruiker=v.manager)
    project = services.project_aanmaken(
        actor=actor,
        programma=v.programma,
        code="buurtkracht",
        titel="Buurtkracht Tarwewijk",
        penvoerder=v.gemeente,
        partners=[(v.wijkbedrijf, Projectpartner.Rol.UITVOERDER)],
        startdatum=date(2025, 1, 1),
        einddatum=date(2026, 12, 31),
    )
    indicator = services.indicator_aanmaken(
        actor=actor,
        doel=services.doel_aanmaken(actor=actor, project=project, titel="Meer meedoen"),
        naam="Deelnemers aan buurtactiviteiten",
    )

    pagina.goto("/inloggen")
    _tab_naar(pagina, "#id_username")
    pagina.keyboard.type(v.partner.username)
    _tab_naar(pagina, "#id_password")
    pagina.keyboard.type(WACHTWOORD)
    pagina.keyboard.press("Enter")
    pagina.wait_for_url(lambda url: "/inloggen" not in url)

    pagina.goto(f"/projecten/{project.pk}/metingen/nieuw")
    _tab_naar(pagina, "#id_indicator")
    pagina.keyboard.press("ArrowDown")  # past "Kies een indicator"
    assert pagina.input_value("#id_indicator") == str(indicator.pk)
    _tab_naar(pagina, "#id_periode")
    pagina.keyboard.press("ArrowDown")  # the latest period comes first: 2026-K4
    pagina.keyboard.press("ArrowDown")
    periode = pagina.input_value("#id_periode")
    assert periode == "2026-K3"
    _tab_naar(pagina, "#id_waarde")
    pagina.keyboard.type("41,5")
    _tab_naar(pagina, "#id_toelichting")
    pagina.keyboard.type("Zomerfeest meegeteld.")
    _tab_naar(pagina, "form button[type=submit]")
    _focus_zichtbaar(pagina)
    pagina.keyboard.press("Enter")
    pagina.wait_for_url(re.compile(r"/inzendingen\?"))

    meting = Meting.objects.get(indicator=indicator)
    assert (meting.periode, meting.waarde, meting.toelichting, meting.status) == (
        periode,
        Decimal("41.5"),
        "Zomerfeest meegeteld.",
        Beoordeling.INGEDIEND,
    )
    assert meting.ingediend_door == v.partner
