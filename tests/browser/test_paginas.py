"""Every page, for every role, in Chromium: it opens, it is screenshotted, and axe-core
finds no WCAG 2.1 A/AA violation and no best-practice violation on it."""

from typing import Any

from playwright.sync_api import expect

from rapportage.models import Rapport
from tests.browser.conftest import Bezoek, Wijkprogramma


def test_de_inlogpagina_ook_met_een_fout_is_toegankelijk(pagina: Any, wijkprogramma: Any) -> None:
    bezoek = Bezoek(pagina, "anoniem")
    bezoek.bekijken("/rapporten", "doorgestuurd-naar-inloggen")
    assert "/inloggen?next=/rapporten" in pagina.url
    pagina.get_by_label("Gebruikersnaam").fill("manager")
    pagina.get_by_label("Wachtwoord").fill("fout")
    pagina.get_by_role("button", name="Inloggen").click()
    assert pagina.get_by_role("alert").is_visible()
    bezoek.controleren("inloggen-mislukt")
    bezoek.zonder_bevindingen()


def test_elke_pagina_van_de_programmamanager_is_toegankelijk(
    pagina: Any, wijkprogramma: Wijkprogramma
) -> None:
    w = wijkprogramma
    bezoek = Bezoek(pagina, "manager")
    bezoek.inloggen(w.manager)
    assert pagina.url.endswith("/programmas/nplv")
    bezoek.controleren("programma")
    bezoek.bekijken("/programmas/wijkaanpak", "programma-ander")
    bezoek.bekijken("/projecten", "projecten")
    bezoek.bekijken(f"/projecten/{w.projecten[0].pk}/metingen", "metingen-inzien")
    bezoek.bekijken("/beoordelen", "beoordelen")
    pagina.get_by_label("Alle inzendingen op deze pagina kiezen").check()
    assert pagina.locator("#aantal-gekozen").inner_text() == "(3 gekozen)"
    bezoek.controleren("beoordelen-alles-gekozen")
    pagina.get_by_role("button", name="Besluit vastleggen").click()
    assert pagina.get_by_role("alert").is_visible()  # no decision chosen
    bezoek.controleren("beoordelen-fout")
    bezoek.bekijken("/beoordelen?soort=meting", "beoordelen-gefilterd")
    for soort, obj in w.inzendingen.items():
        bezoek.bekijken(f"/beoordelen/{soort}/{obj.pk}", f"inzending-{soort}")
    pagina.get_by_label("Terugsturen").check()
    pagina.get_by_role("button", name="Besluit vastleggen").click()
    bezoek.controleren("inzending-fout")  # returning needs an explanation
    bezoek.bekijken("/vergrendelingen", "vergrendelingen")
    pagina.get_by_role("button", name="Vergrendelen").click()
    bezoek.controleren("vergrendelingen-fout")
    bezoek.bekijken("/taken", "taken")
    bezoek.bekijken("/rapporten", "rapporten")
    pagina.get_by_role("button", name="Aanvragen").click()
    bezoek.controleren("rapporten-fout")
    bezoek.bekijken(f"/rapporten/{w.bezig.pk}", "rapport-bezig")
    voortgang = pagina.locator("progress#voortgang")
    assert voortgang.get_attribute("value") == "45"
    # The progress moves in place, without reloading the page under the reader.
    pagina.evaluate("window.nietHerladen = true")
    Rapport.objects.filter(pk=w.bezig.pk).update(voortgang=80)
    expect(voortgang).to_have_js_property("value", 80, timeout=8_000)
    Rapport.objects.filter(pk=w.bezig.pk).update(status=Rapport.Status.MISLUKT)
    expect(pagina.get_by_role("alert")).to_be_visible(timeout=8_000)
    assert pagina.evaluate("window.nietHerladen") is True
    expect(pagina.get_by_role("status")).to_contain_text("Mislukt")
    bezoek.controleren("rapport-bezig-mislukt")
    bezoek.bekijken(f"/rapporten/{w.klaar.pk}", "rapport-klaar")
    assert pagina.get_by_role("img").count() >= 1  # the chart
    assert pagina.get_by_role("link", name="PDF").is_visible()
    pagina.get_by_role("button", name="Publiceren").click()
    assert pagina.get_by_text("Het rapport is gepubliceerd").is_visible()
    bezoek.controleren("rapport-gepubliceerd")
    bezoek.zonder_bevindingen()


def test_elke_pagina_van_de_partner_is_toegankelijk(
    pagina: Any, wijkprogramma: Wijkprogramma, publiceren: None
) -> None:
    w = wijkprogramma
    bezoek = Bezoek(pagina, "partner")
    bezoek.inloggen(w.partner)
    bezoek.controleren("start")
    bezoek.bekijken("/projecten", "projecten")
    pagina.get_by_role("link", name=f"Metingen en sjabloon {w.projecten[0].titel}").click()
    bezoek.controleren("metingen-indienen")
    pagina.get_by_label("Upload het ingevulde sjabloon").set_input_files(
        files=[{"name": "metingen.csv", "mimeType": "text/csv", "buffer": b"kapot;bestand\n"}]
    )
    pagina.get_by_role("button", name="Uploaden en indienen").click()
    assert pagina.get_by_role("alert").is_visible()
    bezoek.controleren("metingen-fout")
    bezoek.bekijken("/rapporten", "portaal")
    bezoek.bekijken(f"/rapporten/{w.klaar.pk}", "rapport")
    bezoek.zonder_bevindingen()


def test_elke_pagina_van_het_ministerie_is_toegankelijk(
    pagina: Any, wijkprogramma: Wijkprogramma, publiceren: None
) -> None:
    w = wijkprogramma
    bezoek = Bezoek(pagina, "ministerie")
    bezoek.inloggen(w.ministerie)
    bezoek.controleren("programma")
    bezoek.bekijken("/projecten", "projecten")
    bezoek.bekijken(f"/projecten/{w.projecten[1].pk}/metingen", "metingen-inzien")
    bezoek.bekijken("/rapporten", "portaal")
    pagina.get_by_role("link", name="Jaarverantwoording").click()
    bezoek.controleren("rapport")
    with pagina.expect_download() as download:
        pagina.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    bezoek.zonder_bevindingen()


def test_elke_pagina_van_de_beheerder_is_toegankelijk(
    pagina: Any, wijkprogramma: Wijkprogramma
) -> None:
    bezoek = Bezoek(pagina, "beheerder")
    bezoek.inloggen(wijkprogramma.beheerder)
    bezoek.controleren("programma")
    for pad, naam in (
        ("/projecten", "projecten"),
        ("/beoordelen", "beoordelen"),
        ("/vergrendelingen", "vergrendelingen"),
        ("/taken", "taken"),
        ("/rapporten", "rapporten"),
    ):
        bezoek.bekijken(pad, naam)
    bezoek.zonder_bevindingen()


def test_een_gebruiker_zonder_rol_ziet_lege_paginas_die_toegankelijk_zijn(
    pagina: Any, wijkprogramma: Wijkprogramma
) -> None:
    from tests.browser.conftest import met_wachtwoord
    from tests.programma.factories import GebruikerFactory

    bezoek = Bezoek(pagina, "zonder-rol")
    bezoek.inloggen(met_wachtwoord(GebruikerFactory(username="nieuw")))
    bezoek.controleren("start")
    bezoek.bekijken("/projecten", "projecten")
    bezoek.bekijken("/rapporten", "portaal")
    bezoek.zonder_bevindingen()


def test_op_een_smal_scherm_zijn_de_paginas_met_tabellen_toegankelijk(
    pagina: Any, wijkprogramma: Wijkprogramma
) -> None:
    """320 CSS pixels wide: a phone, or a desktop zoomed to 400% (WCAG 1.4.10)."""
    w = wijkprogramma
    pagina.set_viewport_size({"width": 320, "height": 640})
    bezoek = Bezoek(pagina, "smal")
    bezoek.inloggen(w.manager)
    bezoek.controleren("programma")
    for pad, naam in (
        (f"/projecten/{w.projecten[0].pk}/metingen", "metingen"),
        ("/beoordelen", "beoordelen"),
        ("/vergrendelingen", "vergrendelingen"),
        ("/taken", "taken"),
        ("/rapporten", "rapporten"),
        (f"/rapporten/{w.klaar.pk}", "rapport-klaar"),
    ):
        bezoek.bekijken(pad, naam)
    bezoek.zonder_bevindingen()
