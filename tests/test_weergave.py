"""The frame of every page (NL Design System), the accessibility statement, the language
switch, the table downloads of the review, submission, lock, report and task pages, and
their htmx answers with the same forms working without JavaScript."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from projecten.models import Beoordeling, Meting, Periodevergrendeling
from rapportage.models import Rapport
from tests.programma.factories import GebruikerFactory, RolFactory
from tests.projecten.factories import MetingFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def meting(indicator, penvoerder, partner_medewerker) -> Meting:
    return MetingFactory(
        indicator=indicator,
        periode="2025-K2",
        ingediend_door_organisatie=penvoerder,
        ingediend_door=partner_medewerker,
    )


def ingelogd(gebruiker) -> Client:
    client = Client()
    client.force_login(gebruiker)
    return client


def csv_rijen(antwoord) -> list[list[str]]:
    tekst = antwoord.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(tekst), delimiter=next(d for d in ";," if d in tekst)))


# --- the frame ----------------------------------------------------------------------------


def test_every_page_has_a_skip_link_to_main_the_theme_and_a_footer_link_to_the_statement():
    html = Client().get(reverse("login")).content.decode()
    assert 'class="utrecht-skip-link utrecht-skip-link--visible-on-focus" href="#inhoud"' in html
    assert '<main id="inhoud"' in html
    assert 'class="ontschot-theme utrecht-document"' in html
    assert "css/ontschot-thema.css" in html and "utrecht-component-library-css/index.css" in html
    assert 'src="/static/vendor/htmx/htmx.min.js" defer' in html
    assert f'href="{reverse("toegankelijkheid")}">Toegankelijkheidsverklaring</a>' in html
    assert "Hoofdmenu" not in html  # no menu before logging in


def test_the_menu_shows_a_manager_the_review_pages_and_marks_the_current_one(manager):
    html = ingelogd(manager).get(reverse("projecten:vergrendelingen")).content.decode()
    for naam in ("Dashboard", "Projecten", "Beoordelen", "Rapporten", "Taken"):
        assert f">{naam}</a>" in html
    assert 'aria-current="page">Vergrendelingen</a>' in html
    assert ">Inzendingen</a>" not in html and ">API-sleutels</a>" not in html
    assert "Uitloggen" in html


def test_the_menu_shows_a_partner_its_submissions_and_api_keys_but_no_review(partner_medewerker):
    html = ingelogd(partner_medewerker).get(reverse("rapportage:rapporten")).content.decode()
    assert f'href="{reverse("partner:inzendingen")}"' in html
    assert f'href="{reverse("partner:sleutels")}"' in html
    assert ">Beoordelen</a>" not in html and ">Dashboard</a>" not in html
    assert 'aria-current="page">Rapporten</a>' in html


def test_the_menu_shows_ministry_staff_the_dashboard_and_reports_only(programma):
    ministerie = RolFactory(soort="ministerie", programma=programma).gebruiker
    html = ingelogd(ministerie).get(reverse("rapportage:rapporten")).content.decode()
    assert ">Dashboard</a>" in html and ">Rapporten</a>" in html
    assert ">Beoordelen</a>" not in html and ">Inzendingen</a>" not in html


def test_messages_are_utrecht_alerts(manager, meting):
    client = ingelogd(manager)
    antwoord = client.post(
        reverse("projecten:beoordelen"),
        {"inzendingen": f"meting:{meting.pk}", "besluit": "goedgekeurd"},
        follow=True,
    )
    html = antwoord.content.decode()
    assert 'class="utrecht-alert utrecht-alert--ok" role="status"' in html
    assert "1 inzending beoordeeld" in html


# --- forms ----------------------------------------------------------------------------------


def test_a_form_error_is_summarised_with_a_link_and_shown_at_the_field(manager):
    antwoord = ingelogd(manager).post(reverse("projecten:vergrendelingen"), {"periode": ""})
    html = antwoord.content.decode()
    assert antwoord.status_code == 400
    assert (
        'class="utrecht-alert utrecht-alert--error ontschot-foutsamenvatting" role="alert"' in html
    )
    assert "De periode is niet vergrendeld." in html
    assert 'href="#id_periode"' in html
    assert 'id="id_periode_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_periode_helptext id_periode_error"' in html or (
        'aria-describedby="id_periode_error"' in html
    )
    assert "utrecht-textbox--invalid" in html
    assert Periodevergrendeling.objects.count() == 0


def test_the_login_form_is_labelled_and_marks_required_fields():
    html = Client().get(reverse("login")).content.decode()
    assert '<label class="utrecht-form-label" for="id_username">Gebruikersnaam' in html
    assert 'aria-hidden="true">(verplicht)</span>' in html
    assert 'class="utrecht-textbox utrecht-textbox--html-input' in html


# --- accessibility statement and language -------------------------------------------------------


def test_the_accessibility_statement_is_public_and_follows_the_government_model():
    antwoord = Client().get("/toegankelijkheid")
    html = antwoord.content.decode()
    assert antwoord.status_code == 200
    assert html.count("<h1") == 1
    for kop in ("Status", "Bekende beperkingen", "Een probleem melden", "Datum"):
        assert kop in html
    assert "WCAG" in html and "axe-core" in html and "gedeeltelijk" in html


def test_pages_are_dutch_by_default_even_for_an_english_browser():
    html = Client(HTTP_ACCEPT_LANGUAGE="en-US,en").get(reverse("login")).content.decode()
    assert '<html lang="nl"' in html
    assert "Inloggen" in html and "Gebruikersnaam" in html


def test_the_language_switch_turns_the_login_page_and_frame_into_english():
    client = Client()
    antwoord = client.post(reverse("set_language"), {"language": "en", "next": "/inloggen"})
    assert antwoord.status_code == 302 and antwoord["Location"] == "/inloggen"
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en"' in html
    assert "Log in" in html and "Username" in html
    assert "Skip to content" in html and "Accessibility statement" in html
    assert '<option value="en" lang="en" selected>English</option>' in html
    client.post(reverse("set_language"), {"language": "nl", "next": "/inloggen"})
    assert "Naar de inhoud" in client.get(reverse("login")).content.decode()


# --- table downloads ---------------------------------------------------------------------------


def test_the_review_queue_downloads_as_csv_and_xlsx_with_every_row(manager, meting):
    client = ingelogd(manager)
    antwoord = client.get(
        reverse("projecten:beoordelen"), {"download": "wachtrij", "formaat": "csv"}
    )
    assert antwoord["Content-Type"].startswith("text/csv")
    rijen = csv_rijen(antwoord)
    assert rijen[0][:3] == ["Inzending", "Soort", "Periode"]
    assert any(meting.indicator.naam in rij and "2025-K2" in rij for rij in rijen[1:])
    xlsx = client.get(reverse("projecten:beoordelen"), {"download": "wachtrij", "formaat": "xlsx"})
    assert xlsx["Content-Type"] == XLSX and xlsx.content[:2] == b"PK"
    html = client.get(reverse("projecten:beoordelen")).content.decode()
    assert "download=wachtrij&amp;formaat=csv" in html


def test_the_submission_page_tables_download(partner_medewerker, project, meting):
    client = ingelogd(partner_medewerker)
    pad = reverse("projecten:metingen", args=[project.pk])
    for naam in ("indicatoren", "metingen"):
        antwoord = client.get(pad, {"download": naam, "formaat": "csv"})
        assert antwoord.status_code == 200 and antwoord["Content-Type"].startswith("text/csv")
        assert any("2025-K2" in rij for rij in csv_rijen(antwoord)[1:]) or naam == "indicatoren"
    xlsx = client.get(pad, {"download": "bestedingen", "formaat": "xlsx"})
    assert xlsx["Content-Type"] == XLSX
    assert client.get(pad, {"download": "bestaat-niet", "formaat": "csv"}).status_code == 404


def test_the_locks_reports_and_tasks_tables_download(manager, programma):
    client = ingelogd(manager)
    client.post(
        reverse("projecten:vergrendelingen"), {"programma": programma.pk, "periode": "2024"}
    )
    sloten = client.get(
        reverse("projecten:vergrendelingen"), {"download": "vergrendelingen", "formaat": "csv"}
    )
    rijen = csv_rijen(sloten)
    assert rijen[0][0] == "Periode" and rijen[1][0] == "2024"
    Rapport.objects.create(soort="jaarverantwoording", programma=programma, periode="2025")
    rapporten = client.get(
        reverse("rapportage:rapporten"), {"download": "rapporten", "formaat": "csv"}
    )
    assert any(programma.naam in rij for rij in csv_rijen(rapporten)[1:])
    taken = client.get(reverse("rapportage:taken"), {"download": "planning", "formaat": "xlsx"})
    assert taken["Content-Type"] == XLSX


# --- htmx and its fallback ----------------------------------------------------------------------


def test_filtering_the_queue_with_htmx_returns_only_the_queue(manager, meting):
    client = ingelogd(manager)
    deel = client.get(reverse("projecten:beoordelen"), {"soort": "meting"}, HTTP_HX_REQUEST="true")
    html = deel.content.decode()
    assert deel.status_code == 200
    assert html.startswith('<div id="wachtrij"') and "<html" not in html
    assert meting.indicator.naam in html
    heel = client.get(reverse("projecten:beoordelen"), {"soort": "meting"}).content.decode()
    assert "<html" in heel and 'hx-get="/beoordelen"' in heel and 'hx-push-url="true"' in heel


def test_approving_one_row_with_htmx_replaces_the_row_and_without_js_redirects(
    manager, meting, indicator, penvoerder
):
    client = ingelogd(manager)
    velden = {"inzendingen": f"meting:{meting.pk}", "besluit": "goedgekeurd", "rij": "1"}
    rij = client.post(reverse("projecten:beoordelen"), velden, HTTP_HX_REQUEST="true")
    html = rij.content.decode()
    assert rij.status_code == 200
    assert f'id="rij-meting-{meting.pk}"' in html and 'role="status"' in html
    assert "1 inzending beoordeeld" in html and "<html" not in html
    meting.refresh_from_db()
    assert meting.status == Beoordeling.GOEDGEKEURD

    tweede = MetingFactory(
        indicator=indicator, periode="2025-K3", ingediend_door_organisatie=penvoerder
    )
    velden["inzendingen"] = f"meting:{tweede.pk}"
    zonder_js = client.post(reverse("projecten:beoordelen"), velden)
    assert zonder_js.status_code == 302
    tweede.refresh_from_db()
    assert tweede.status == Beoordeling.GOEDGEKEURD


def test_a_refused_row_with_htmx_says_why_and_changes_nothing(manager, meting):
    meting.status = Beoordeling.GOEDGEKEURD
    meting.save()
    velden = {"inzendingen": f"meting:{meting.pk}", "besluit": "goedgekeurd", "rij": "1"}
    html = (
        ingelogd(manager)
        .post(reverse("projecten:beoordelen"), velden, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert 'role="alert"' in html and f'id="rij-meting-{meting.pk}"' in html


def test_a_report_in_the_making_polls_its_part_and_stops_when_done(manager, programma):
    rapport = Rapport.objects.create(
        soort="jaarverantwoording", programma=programma, periode="2025", status=Rapport.Status.BEZIG
    )
    client = ingelogd(manager)
    pad = reverse("rapportage:rapport", args=[rapport.pk])
    heel = client.get(pad).content.decode()
    assert 'hx-trigger="every 3s"' in heel and "Nu verversen" in heel
    deel = client.get(pad, HTTP_HX_REQUEST="true").content.decode()
    assert deel.startswith('<div id="rapport-inhoud"') and "<html" not in deel
    assert 'hx-trigger="every 3s"' in deel
    Rapport.objects.filter(pk=rapport.pk).update(status=Rapport.Status.MISLUKT)
    klaar = client.get(pad, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in klaar
    assert 'id="rapport-melding" hx-swap-oob="true"' in klaar and "Mislukt" in klaar


def test_a_user_without_a_role_sees_no_review_menu():
    html = ingelogd(GebruikerFactory()).get(reverse("rapportage:rapporten")).content.decode()
    assert (
        ">Rapporten</a>" in html and ">Beoordelen</a>" not in html and ">Dashboard</a>" not in html
    )
