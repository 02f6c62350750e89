"""Small partners work in the web UI: they submit one measurement, expenditure or progress
narrative at a time, follow what their organisation submitted and correct what was
returned, and manage their organisation's API keys. Bad input gets a Dutch message on the
field and in the summary, and nothing is saved; nobody sees another organisation's
things."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from programma.models import ApiSleutel, Auditregel, Rol
from programma.services import api_sleutel_controleren
from projecten.models import (
    Beoordeling,
    Besteding,
    Meting,
    Periodevergrendeling,
    Project,
    Voortgangsverslag,
)
from tests.programma.factories import OrganisatieFactory, RolFactory
from tests.projecten.factories import (
    BeschikkingFactory,
    BestedingFactory,
    IndicatorFactory,
    MetingFactory,
    ProjectFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db

# The fixture project runs from 15 March 2025 to 30 June 2026 and reports per quarter.


@pytest.fixture
def partner(client, partner_medewerker):
    client.force_login(partner_medewerker)
    return client


@pytest.fixture
def percentage(project):
    return IndicatorFactory(doel__project=project, naam="Tevreden deelnemers", eenheid="percentage")


@pytest.fixture
def ander_project(programma):
    """A project of another organisation in the same programme."""
    return ProjectFactory(programma=programma, code="jongerenwerk")


def meting_url(project: Project) -> str:
    return reverse("partner:meting_nieuw", args=[project.pk])


def besteding_url(project: Project) -> str:
    return reverse("partner:besteding_nieuw", args=[project.pk])


def verslag_url(project: Project) -> str:
    return reverse("partner:verslag_nieuw", args=[project.pk])


def veldfout(response, veld: str) -> str:
    """The error shown next to a field, which its input references."""
    html = response.content.decode()
    assert f'id="id_{veld}_error"' in html, html
    assert 'aria-invalid="true"' in html
    assert f'href="#id_{veld}"' in html  # the summary links to the field
    begin = html.index(f'id="id_{veld}_error"')
    return html[begin : html.index("</div>", begin)]


# --- a measurement ------------------------------------------------------------------------


def test_meting_indienen_met_komma(partner, project, indicator, penvoerder):
    response = partner.post(
        meting_url(project),
        {
            "indicator": indicator.pk,
            "periode": "2025-K2",
            "waarde": "1.234,5",
            "toelichting": "Meer aanmeldingen via de huisarts.",
            "bron": "Registratie",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("partner:inzendingen"))
    meting = Meting.objects.get()
    assert meting.waarde == Decimal("1234.5")
    assert meting.ingediend_door_organisatie == penvoerder
    assert meting.status == Beoordeling.INGEDIEND
    assert Auditregel.objects.filter(actie="meting_indienen").exists()
    pagina = partner.get(response["Location"])
    assert "De meting is ingediend" in pagina.content.decode()


def test_formulier_biedt_alleen_eigen_indicatoren_en_perioden(partner, project, indicator):
    vreemd = IndicatorFactory(naam="Indicator van een ander project")
    html = partner.get(meting_url(project)).content.decode()
    assert indicator.naam in html
    assert vreemd.naam not in html
    assert 'value="2025-K1"' in html and 'value="2026-K2"' in html
    assert 'value="2026-K3"' not in html
    assert 'for="id_waarde"' in html  # every field has a visible label


@pytest.mark.parametrize(
    ("waarde", "melding"),
    [
        ("abc", "is geen getal"),
        ("NaN", "is geen getal"),
        ("Infinity", "is geen getal"),
        ("1,23456", "hoogstens 4 cijfers achter de komma"),
        ("123456789012", "te groot"),
        ("", "Vul de gemeten waarde in"),
    ],
)
def test_onleesbare_waarde_wordt_geweigerd(
    partner, project, indicator, niets_opgeslagen, waarde, melding
):
    with niets_opgeslagen(Meting):
        response = partner.post(
            meting_url(project), {"indicator": indicator.pk, "periode": "2025-K2", "waarde": waarde}
        )
    assert response.status_code == 400
    assert melding in veldfout(response, "waarde")
    assert 'role="alert"' in response.content.decode()


def test_percentage_boven_100_wordt_geweigerd(partner, project, percentage, niets_opgeslagen):
    with niets_opgeslagen(Meting):
        response = partner.post(
            meting_url(project),
            {"indicator": percentage.pk, "periode": "2025-K2", "waarde": "100,5"},
        )
    assert response.status_code == 400
    assert "Een percentage ligt tussen 0 en 100" in veldfout(response, "waarde")


def test_periode_buiten_het_project_wordt_geweigerd(partner, project, indicator, niets_opgeslagen):
    with niets_opgeslagen(Meting):
        response = partner.post(
            meting_url(project), {"indicator": indicator.pk, "periode": "2027-K1", "waarde": "3"}
        )
    assert response.status_code == 400
    assert "valt buiten de projectperiode" in veldfout(response, "periode")


def test_indicator_van_ander_project_wordt_geweigerd(partner, project, niets_opgeslagen):
    vreemd = IndicatorFactory()
    with niets_opgeslagen(Meting):
        response = partner.post(
            meting_url(project), {"indicator": vreemd.pk, "periode": "2025-K2", "waarde": "3"}
        )
    assert "hoort niet bij het project" in veldfout(response, "indicator")


def test_vergrendelde_periode_geeft_de_melding_van_de_service(
    partner, project, indicator, manager, niets_opgeslagen
):
    Periodevergrendeling.objects.create(
        programma=project.programma, project=project, periode="2025", vergrendeld_door=manager
    )
    with niets_opgeslagen(Meting):
        response = partner.post(
            meting_url(project), {"indicator": indicator.pk, "periode": "2025-K2", "waarde": "3"}
        )
    assert response.status_code == 409
    assert "Periode 2025 is vergrendeld" in veldfout(response, "periode")


def test_gesloten_project_geeft_de_melding_van_de_service(
    partner, project, indicator, niets_opgeslagen
):
    Project.objects.filter(pk=project.pk).update(status=Project.Status.AFGEROND)
    assert "er kan niets meer worden ingediend" in partner.get(meting_url(project)).content.decode()
    with niets_opgeslagen(Meting):
        response = partner.post(
            meting_url(project), {"indicator": indicator.pk, "periode": "2025-K2", "waarde": "3"}
        )
    assert response.status_code == 409
    assert "is afgerond: er kan niets meer bij" in response.content.decode()


def test_dubbele_meting_wordt_geweigerd(partner, project, indicator, niets_opgeslagen):
    MetingFactory(indicator=indicator, periode="2025-K2")
    with niets_opgeslagen(Meting):
        response = partner.post(
            meting_url(project), {"indicator": indicator.pk, "periode": "2025-K2", "waarde": "3"}
        )
    assert response.status_code == 409
    assert "al een meting ingediend" in veldfout(response, "periode")


# --- an expenditure and a narrative -----------------------------------------------------------


def test_besteding_indienen(partner, project, penvoerder):
    beschikking = BeschikkingFactory(project=project)
    response = partner.post(
        besteding_url(project),
        {
            "periode": "2025-K3",
            "kostensoort": "personeel",
            "bedrag": "€ 1.250,50",
            "beschikking": beschikking.pk,
            "omschrijving": "Buurtcoach",
        },
    )
    assert response.status_code == 302
    besteding = Besteding.objects.get()
    assert besteding.bedrag == Decimal("1250.50")
    assert besteding.beschikking == beschikking
    assert besteding.ingediend_door_organisatie == penvoerder


@pytest.mark.parametrize(
    ("bedrag", "melding"),
    [
        ("12,345", "hoogstens 2 cijfers achter de komma"),
        ("-5", "niet negatief"),
        ("veel", "is geen getal"),
        ("nan", "is geen getal"),
    ],
)
def test_ongeldig_bedrag_wordt_geweigerd(partner, project, niets_opgeslagen, bedrag, melding):
    with niets_opgeslagen(Besteding):
        response = partner.post(
            besteding_url(project),
            {"periode": "2025-K3", "kostensoort": "personeel", "bedrag": bedrag},
        )
    assert response.status_code == 400
    assert melding in veldfout(response, "bedrag")


def test_beschikking_van_ander_project_wordt_geweigerd(
    partner, project, ander_project, niets_opgeslagen
):
    vreemd = BeschikkingFactory(project=ander_project)
    assert vreemd.kenmerk not in partner.get(besteding_url(project)).content.decode()
    with niets_opgeslagen(Besteding):
        response = partner.post(
            besteding_url(project),
            {
                "periode": "2025-K3",
                "kostensoort": "personeel",
                "bedrag": "10",
                "beschikking": vreemd.pk,
            },
        )
    assert "hoort niet bij het project" in veldfout(response, "beschikking")


def test_verslag_indienen_en_tweede_over_dezelfde_periode(partner, project, niets_opgeslagen):
    gegevens = {"periode": "2025-K2", "samenvatting": "Veertig huishoudens bereikt."}
    assert partner.post(verslag_url(project), gegevens).status_code == 302
    verslag = Voortgangsverslag.objects.get()
    assert verslag.samenvatting == "Veertig huishoudens bereikt."
    with niets_opgeslagen(Voortgangsverslag):
        response = partner.post(verslag_url(project), gegevens)
    assert response.status_code == 409
    assert "al een voortgangsverslag ingediend" in veldfout(response, "periode")


def test_verslag_zonder_tekst_wordt_geweigerd(partner, project, niets_opgeslagen):
    with niets_opgeslagen(Voortgangsverslag):
        response = partner.post(verslag_url(project), {"periode": "2025-K2", "samenvatting": ""})
    assert response.status_code == 400
    assert "Beschrijf de voortgang" in veldfout(response, "samenvatting")


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("naam", ["meting_nieuw", "besteding_nieuw", "verslag_nieuw"])
def test_project_van_een_andere_organisatie_is_niet_gevonden(partner, ander_project, naam):
    url = reverse(f"partner:{naam}", args=[ander_project.pk])
    assert partner.get(url).status_code == 404
    assert partner.post(url, {"periode": "2025-K2"}).status_code == 404
    assert not Meting.objects.exists() and not Besteding.objects.exists()


@pytest.mark.parametrize("rol", [Rol.Soort.PROGRAMMAMANAGER, Rol.Soort.MINISTERIE])
def test_manager_en_ministerie_hebben_geen_toegang(client, programma, project, rol):
    client.force_login(RolFactory(soort=rol, programma=programma).gebruiker)
    for url in [
        meting_url(project),
        reverse("partner:inzendingen"),
        reverse("partner:sleutels"),
        reverse("partner:sleutel_nieuw"),
    ]:
        assert client.get(url).status_code == 403


def test_niet_ingelogd_gaat_naar_inloggen(client, project):
    response = client.get(meting_url(project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- the submissions list ------------------------------------------------------------------


@pytest.fixture
def inzendingen(project, indicator, penvoerder, ander_project):
    """Two measurements, an expenditure and a narrative of the partner's organisation, and
    a measurement of another organisation that it must never see."""
    eigen = {"ingediend_door_organisatie": penvoerder}
    MetingFactory(indicator=indicator, periode="2025-K2", waarde=Decimal("12.5"), **eigen)
    MetingFactory(
        indicator=indicator,
        periode="2025-K3",
        status=Beoordeling.TERUGGESTUURD,
        beoordeling_toelichting="Bron ontbreekt",
        **eigen,
    )
    BestedingFactory(project=project, periode="2025-K2", bedrag=Decimal("1250.50"), **eigen)
    VoortgangsverslagFactory(project=project, periode="2025-K2", **eigen)
    vreemd = IndicatorFactory(doel__project=ander_project, naam="Geheime indicator")
    MetingFactory(indicator=vreemd, ingediend_door_organisatie=ander_project.penvoerder)


def test_inzendingen_tonen_status_en_opmerking(partner, inzendingen, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = partner.get(reverse("partner:inzendingen"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bron ontbreekt" in html and "Teruggestuurd" in html
    assert "12,5" in html
    assert "1.250,50" in html
    assert "Geheime indicator" not in html
    assert html.count("<caption") == 3


def test_inzendingen_filteren(partner, project, inzendingen):
    html = partner.get(
        reverse("partner:inzendingen"), {"soort": "meting", "status": "teruggestuurd"}
    ).content.decode()
    assert "Bron ontbreekt" in html
    assert "2025-K2" not in html.split("<caption", 1)[1]  # only the returned measurement
    assert html.count("<caption") == 1
    html = partner.get(
        reverse("partner:inzendingen"), {"periode": "2025-K3", "project": project.pk}
    ).content.decode()
    assert "Geen bestedingen gevonden" in html


def test_inzendingen_filter_met_vreemd_project_wordt_gemeld(partner, inzendingen, ander_project):
    response = partner.get(reverse("partner:inzendingen"), {"project": ander_project.pk})
    assert response.status_code == 200
    assert "Geheime indicator" not in response.content.decode()
    assert 'id="id_project_error"' in response.content.decode()


def test_inzendingen_downloaden(partner, inzendingen):
    csv_antwoord = partner.get(
        reverse("partner:inzendingen"),
        {"download": "meting", "formaat": "csv", "status": "teruggestuurd"},
    )
    assert csv_antwoord["Content-Type"].startswith("text/csv")
    rijen = list(csv.reader(io.StringIO(csv_antwoord.content.decode("utf-8-sig"))))
    assert len(rijen) == 2  # the header and the one returned measurement
    assert "Bron ontbreekt" in rijen[1]
    xlsx = partner.get(reverse("partner:inzendingen"), {"download": "besteding", "formaat": "xlsx"})
    blad = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    waarden = [c.value for rij in blad.iter_rows() for c in rij]
    assert Decimal("1250.5") in [Decimal(str(w)) for w in waarden if isinstance(w, float | int)]


# --- corrections ----------------------------------------------------------------------------


@pytest.fixture
def teruggestuurd(indicator, penvoerder):
    return MetingFactory(
        indicator=indicator,
        periode="2025-K3",
        waarde=Decimal("7"),
        status=Beoordeling.TERUGGESTUURD,
        beoordeling_toelichting="Klopt niet met de registratie",
        ingediend_door_organisatie=penvoerder,
    )


def corrigeer_url(soort: str, obj) -> str:
    return reverse("partner:corrigeren", args=[soort, obj.pk])


def test_teruggestuurde_meting_corrigeren(partner, teruggestuurd):
    pagina = partner.get(corrigeer_url("meting", teruggestuurd)).content.decode()
    assert "Klopt niet met de registratie" in pagina
    assert 'name="versie" value="1"' in pagina
    response = partner.post(
        corrigeer_url("meting", teruggestuurd),
        {"waarde": "8,25", "toelichting": "Herteld", "bron": "", "versie": "1"},
    )
    assert response.status_code == 302
    teruggestuurd.refresh_from_db()
    assert teruggestuurd.waarde == Decimal("8.25")
    assert teruggestuurd.status == Beoordeling.INGEDIEND
    assert teruggestuurd.versie == 2
    assert Auditregel.objects.filter(actie="meting_corrigeren").exists()


def test_verouderde_versie_wordt_geweigerd(partner, teruggestuurd, niets_opgeslagen):
    Meting.objects.filter(pk=teruggestuurd.pk).update(versie=2, waarde=Decimal("9"))
    with niets_opgeslagen(Meting):
        response = partner.post(
            corrigeer_url("meting", teruggestuurd), {"waarde": "8", "versie": "1"}
        )
    assert response.status_code == 409
    html = response.content.decode()
    assert "intussen gewijzigd" in html
    assert 'name="versie" value="2"' in html  # the next save counts against what is shown
    teruggestuurd.refresh_from_db()
    assert teruggestuurd.waarde == Decimal("9")


def test_correctie_met_ongeldige_waarde(partner, teruggestuurd, niets_opgeslagen):
    with niets_opgeslagen(Meting):
        response = partner.post(
            corrigeer_url("meting", teruggestuurd), {"waarde": "1,00001", "versie": "1"}
        )
    assert response.status_code == 400
    assert "hoogstens 4 cijfers" in veldfout(response, "waarde")


def test_goedgekeurde_inzending_kan_niet_worden_gecorrigeerd(
    partner, project, penvoerder, niets_opgeslagen
):
    besteding = BestedingFactory(
        project=project, status=Beoordeling.GOEDGEKEURD, ingediend_door_organisatie=penvoerder
    )
    assert (
        "kan niet meer worden gecorrigeerd"
        in partner.get(corrigeer_url("besteding", besteding)).content.decode()
    )
    with niets_opgeslagen(Besteding):
        response = partner.post(
            corrigeer_url("besteding", besteding),
            {"kostensoort": "personeel", "bedrag": "1", "versie": "1"},
        )
    assert response.status_code == 409


def test_verslag_corrigeren(partner, project, penvoerder):
    verslag = VoortgangsverslagFactory(
        project=project, status=Beoordeling.TERUGGESTUURD, ingediend_door_organisatie=penvoerder
    )
    response = partner.post(
        corrigeer_url("verslag", verslag),
        {"samenvatting": "Aangevuld met cijfers.", "risicos": "", "afwijkingen": "", "versie": "1"},
    )
    assert response.status_code == 302
    verslag.refresh_from_db()
    assert verslag.samenvatting == "Aangevuld met cijfers." and verslag.versie == 2


def test_inzending_van_andere_organisatie_corrigeren_is_niet_gevonden(partner, ander_project):
    vreemd = BestedingFactory(
        project=ander_project,
        status=Beoordeling.TERUGGESTUURD,
        ingediend_door_organisatie=ander_project.penvoerder,
    )
    assert partner.get(corrigeer_url("besteding", vreemd)).status_code == 404
    assert partner.post(corrigeer_url("besteding", vreemd), {"versie": "1"}).status_code == 404
    assert partner.get(reverse("partner:corrigeren", args=["iets", 1])).status_code == 404


# --- API keys -----------------------------------------------------------------------------


def test_sleutel_aanmaken_toont_hem_een_keer(partner, penvoerder):
    response = partner.post(
        reverse("partner:sleutel_nieuw"),
        {"naam": "Registratiesysteem", "scopes": ["metingen.schrijven", "projecten.lezen"]},
    )
    assert response.status_code == 302
    sleutel = ApiSleutel.objects.get()
    assert sleutel.organisatie == penvoerder
    assert sleutel.scopes == ["metingen.schrijven", "projecten.lezen"]
    assert Auditregel.objects.filter(actie="api_sleutel_aanmaken").exists()
    eerste = partner.get(response["Location"])
    html = eerste.content.decode()
    begin = html.index('id="nieuwe-sleutel"')
    plat = html[begin:].split('value="', 1)[1].split('"', 1)[0]
    assert api_sleutel_controleren(plat) == sleutel  # it is the real key
    assert eerste["Cache-Control"] == "no-store"
    tweede = partner.get(reverse("partner:sleutels")).content.decode()
    assert plat not in tweede
    assert "Registratiesysteem" in tweede


def test_sleutel_met_verloopdatum(partner):
    dag = timezone.localdate() + timedelta(days=30)
    response = partner.post(
        reverse("partner:sleutel_nieuw"),
        {"naam": "Tijdelijk", "scopes": ["projecten.lezen"], "verloopt_op": dag.isoformat()},
    )
    assert response.status_code == 302
    assert timezone.localtime(ApiSleutel.objects.get().verloopt_op).date() == dag


def test_sleutel_zonder_naam_rechten_of_met_verleden_verloopdatum(partner, niets_opgeslagen):
    with niets_opgeslagen(ApiSleutel):
        response = partner.post(
            reverse("partner:sleutel_nieuw"),
            {"naam": "", "verloopt_op": "01-01-2020"},
        )
    assert response.status_code == 400
    assert "Geef de sleutel een naam" in veldfout(response, "naam")
    assert "Kies een dag na vandaag" in veldfout(response, "verloopt_op")
    html = response.content.decode()
    assert "Kies minstens één recht" in html
    assert 'href="#id_scopes"' in html


def test_sleutel_intrekken(partner, penvoerder, partner_actor):
    from programma.services import api_sleutel_aanmaken

    sleutel, plat = api_sleutel_aanmaken(
        actor=partner_actor, organisatie=penvoerder, naam="Oud systeem", scopes=["projecten.lezen"]
    )
    url = reverse("partner:sleutel_intrekken", args=[sleutel.pk])
    bevestiging = partner.get(url)
    assert "Ja, sleutel intrekken" in bevestiging.content.decode()
    assert api_sleutel_controleren(plat) is not None  # a GET changes nothing
    response = partner.post(url)
    assert response.status_code == 302
    assert api_sleutel_controleren(plat) is None
    assert Auditregel.objects.filter(actie="api_sleutel_intrekken").exists()


def test_sleutels_van_andere_organisatie_zijn_onzichtbaar(partner, partner_actor):
    from programma.services import api_sleutel_aanmaken

    ander = OrganisatieFactory(naam="Andere stichting")
    sleutel, plat = api_sleutel_aanmaken(
        actor=partner_actor, organisatie=ander, naam="Vreemde sleutel", scopes=["projecten.lezen"]
    )
    assert "Vreemde sleutel" not in partner.get(reverse("partner:sleutels")).content.decode()
    url = reverse("partner:sleutel_intrekken", args=[sleutel.pk])
    assert partner.get(url).status_code == 404
    assert partner.post(url).status_code == 404
    assert api_sleutel_controleren(plat) is not None


def test_sleutels_downloaden(partner, penvoerder, partner_actor):
    from programma.services import api_sleutel_aanmaken

    api_sleutel_aanmaken(
        actor=partner_actor, organisatie=penvoerder, naam="Koppeling", scopes=["projecten.lezen"]
    )
    response = partner.get(reverse("partner:sleutels"), {"download": "sleutels", "formaat": "csv"})
    inhoud = response.content.decode("utf-8-sig")
    assert "Koppeling" in inhoud and "Projecten lezen" in inhoud
