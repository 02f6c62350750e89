"""The main flow by keyboard alone: log in, reach the reports page and ask for a report
with Tab, typing, arrow keys and Enter; every element that gets focus shows it."""

import re
from typing import Any

from rapportage.models import Rapport
from tests.browser.conftest import WACHTWOORD, Wijkprogramma

FOCUS = """() => {
  const el = document.activeElement;
  const stijl = getComputedStyle(el);
  const vak = el.getBoundingClientRect();
  return {
    element: el.outerHTML.slice(0, 80),
    zichtbaar: el.matches(":focus-visible") && stijl.outlineStyle !== "none"
      && parseFloat(stijl.outlineWidth) >= 2,
    in_beeld: vak.width > 0 && vak.height > 0 && vak.bottom > 0 && vak.top < innerHeight,
  };
}"""


def _focus_zichtbaar(page: Any) -> None:
    stand = page.evaluate(FOCUS)
    assert stand["zichtbaar"] and stand["in_beeld"], stand


def _tab_naar(page: Any, selector: str, *, stappen: int = 30) -> None:
    """Press Tab until ``selector`` has the focus; each stop on the way shows its focus."""
    for _ in range(stappen):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
        _focus_zichtbaar(page)
    raise AssertionError(f"{selector} kreeg geen focus na {stappen} keer Tab")


def test_inloggen_en_een_rapport_aanvragen_met_alleen_het_toetsenbord(
    pagina: Any, wijkprogramma: Wijkprogramma, wachtrij: list[Any]
) -> None:
    w = wijkprogramma
    pagina.goto("/inloggen")
    _focus_zichtbaar(pagina)  # the username field has the focus on arrival
    _tab_naar(pagina, "#id_username")
    pagina.keyboard.type(w.manager.username)
    _tab_naar(pagina, "#id_password")
    pagina.keyboard.type(WACHTWOORD)
    pagina.keyboard.press("Enter")
    pagina.wait_for_url(re.compile(r"/programmas/nplv$"))

    pagina.keyboard.press("Tab")
    _focus_zichtbaar(pagina)
    assert pagina.evaluate("document.activeElement.textContent") == "Naar de inhoud"
    _tab_naar(pagina, 'nav a[href="/rapporten"]')
    pagina.keyboard.press("Enter")
    pagina.wait_for_url(re.compile(r"/rapporten$"))
    _tab_naar(pagina, "#id_soort")
    assert pagina.input_value("#id_soort") == Rapport.Soort.JAARVERANTWOORDING
    _tab_naar(pagina, "#id_programma")
    pagina.keyboard.press("ArrowDown")
    assert pagina.input_value("#id_programma") == str(w.programma.pk)
    _tab_naar(pagina, "#id_jaar")
    pagina.keyboard.type("2026")
    _tab_naar(pagina, "form.ontschot-formulier button[type=submit]")
    pagina.keyboard.press("Enter")

    pagina.wait_for_url(re.compile(r"/rapporten/\d+$"))
    rapport = Rapport.objects.latest("pk")
    assert pagina.url.endswith(f"/rapporten/{rapport.pk}")
    assert (rapport.soort, rapport.programma, rapport.periode) == (
        Rapport.Soort.JAARVERANTWOORDING,
        w.programma,
        "2026",
    )
    assert pagina.get_by_role("heading", level=1).inner_text() == "Jaarverantwoording 2026"
    assert pagina.get_by_text(
        "Het rapport wordt gemaakt. Deze pagina toont de voortgang."
    ).is_visible()
    assert pagina.locator("progress#voortgang").is_visible()
    assert wachtrij.count(("rapportage.tasks.rapport_maken", (rapport.pk,))) == 1
