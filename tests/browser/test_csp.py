"""The content security policy breaks nothing: in Chromium, the pages that run scripts
(htmx filters, the review queue, a report that refreshes itself), the charts, the admin
and the API docs load and work with no CSP violation reported by the browser."""

import re
from typing import Any

from playwright.sync_api import expect

from rapportage.models import Rapport
from tests.browser.conftest import WACHTWOORD, Bezoek, Wijkprogramma

#: Runs before any script of each page: every violation the browser reports is passed on.
LUISTERAAR = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspOvertreding(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Bewaker:
    """Collects CSP violations from the page's event and from the console, and checks
    that every page visited was actually served with a policy."""

    def __init__(self, pagina: Any) -> None:
        self.pagina = pagina
        self.overtredingen: list[str] = []
        pagina.context.expose_function("cspOvertreding", self._melden)
        pagina.add_init_script(LUISTERAAR)
        pagina.on("console", self._console)
        pagina.on("pageerror", lambda fout: self.overtredingen.append(f"scriptfout: {fout}"))

    def _melden(self, tekst: str) -> None:
        self.overtredingen.append(tekst)

    def _console(self, bericht: Any) -> None:
        if "Content Security Policy" in bericht.text:
            self.overtredingen.append(bericht.text)

    def openen(self, pad: str) -> None:
        antwoord = self.pagina.goto(pad)
        assert antwoord is not None and antwoord.status == 200, (pad, antwoord)
        beleid = antwoord.headers.get("content-security-policy", "")
        assert "default-src 'self'" in beleid and "frame-ancestors 'none'" in beleid, (pad, beleid)
        self.pagina.wait_for_load_state("load")

    def inloggen(self, gebruiker: Any) -> None:
        self.openen("/inloggen")
        self.pagina.get_by_label("Gebruikersnaam").fill(gebruiker.username)
        self.pagina.get_by_label("Wachtwoord").fill(WACHTWOORD)
        self.pagina.get_by_role("button", name="Inloggen").click()
        self.pagina.wait_for_url(lambda url: "/inloggen" not in url)

    def geen_overtredingen(self) -> None:
        assert not self.overtredingen, "\n".join(self.overtredingen)


def test_de_paginas_met_scripts_werken_onder_het_beleid(
    pagina: Any, wijkprogramma: Wijkprogramma
) -> None:
    w = wijkprogramma
    bewaker = Bewaker(pagina)
    bewaker.inloggen(w.manager)
    bewaker.openen(f"/programmas/{w.programma.code}")

    # htmx runs (it came with the nonce): a filter change swaps in the results in place.
    bewaker.openen("/projecten")
    pagina.evaluate("window.nietHerladen = true")
    pagina.locator("form[role=search] select").first.select_option(index=1)
    pagina.wait_for_url(re.compile(r"/projecten\?"))
    assert pagina.evaluate("window.nietHerladen") is True

    # The review queue: its own script counts the choice, htmx approves one row in place.
    bewaker.openen("/beoordelen")
    pagina.get_by_label("Alle inzendingen op deze pagina kiezen").check()
    expect(pagina.locator("#aantal-gekozen")).to_have_text("(3 gekozen)")
    pagina.get_by_role("button", name=re.compile("^Goedkeuren")).first.click()
    expect(pagina.get_by_role("status").filter(has_text="goedgekeurd")).to_be_visible()

    # A report in progress refreshes itself through htmx; a finished one shows its chart.
    bewaker.openen(f"/rapporten/{w.bezig.pk}")
    Rapport.objects.filter(pk=w.bezig.pk).update(voortgang=80)
    expect(pagina.locator("progress#voortgang")).to_have_js_property("value", 80, timeout=8_000)
    bewaker.openen(f"/rapporten/{w.klaar.pk}")
    expect(pagina.locator("figure.grafiek svg")).to_be_visible()

    bewaker.geen_overtredingen()


def test_beheer_en_api_documentatie_werken_onder_het_beleid(
    pagina: Any, wijkprogramma: Wijkprogramma
) -> None:
    w = wijkprogramma
    bewaker = Bewaker(pagina)
    bewaker.inloggen(w.beheerder)
    bewaker.openen("/beheer/")
    bewaker.openen("/beheer/programma/organisatie/")
    bewaker.openen("/beheer/programma/programma/add/")
    bewaker.openen("/api/v1/docs")
    # Swagger UI is drawn by its own scripts: the operations appear.
    expect(pagina.locator(".opblock").first).to_be_visible(timeout=10_000)

    bewaker.geen_overtredingen()


def test_een_overtreding_wordt_wel_gezien(pagina: Any, wijkprogramma: Wijkprogramma) -> None:
    """The check can fail: an inline script without the nonce is refused and reported."""
    bewaker = Bewaker(pagina)
    bewaker.openen("/inloggen")
    pagina.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.uitgevoerd = true'; document.body.append(s); }"
    )
    for _ in range(50):
        if bewaker.overtredingen:
            break
        pagina.wait_for_timeout(100)

    assert pagina.evaluate("window.uitgevoerd") is None
    assert bewaker.overtredingen


def test_de_blokkadepagina_na_te_veel_pogingen(pagina: Any, wijkprogramma: Wijkprogramma) -> None:
    """Five wrong passwords: the lockout page, in Dutch, accessible, under the policy."""
    bewaker = Bewaker(pagina)
    bezoek = Bezoek(pagina, "anoniem")
    bewaker.openen("/inloggen")
    for _ in range(5):
        pagina.get_by_label("Gebruikersnaam").fill(wijkprogramma.manager.username)
        pagina.get_by_label("Wachtwoord").fill("fout")
        with pagina.expect_navigation() as navigatie:
            pagina.get_by_role("button", name="Inloggen").click()

    assert navigatie.value.status == 429
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Inloggen tijdelijk geblokkeerd")
    expect(pagina.get_by_role("alert")).to_contain_text("over 15 minuten opnieuw")
    bezoek.controleren("inloggen-geblokkeerd")
    bezoek.zonder_bevindingen()
    bewaker.geen_overtredingen()
