"""The programme dashboard: money per year, theme and focus area that reconciles to the
cent, indicators on and off track, early warnings, overdue obligations, each with its
chart and a downloadable table; and who may open it."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from programma.models import Rol
from projecten.models import Beoordeling, Rapportageverplichting, Tranche
from rapportage import paginas
from rapportage.models import Indicatorstand, Signaal
from tests.programma.factories import (
    BudgetenvelopFactory,
    FocusgebiedFactory,
    ProgrammaFactory,
    RolFactory,
    ThemaFactory,
)
from tests.projecten.factories import (
    BeschikkingFactory,
    BestedingFactory,
    IndicatorFactory,
    ProjectFactory,
    TrancheFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def portefeuille(programma, thema, focusgebied, project):
    """Two themes, two focus areas; the second project lies in both areas and its grant
    has an odd cent, so the split over areas is tested to the cent."""
    wonen = ThemaFactory(programma=programma, code="wonen", naam="Wonen")
    zuid = FocusgebiedFactory(programma=programma, code="zuid", naam="Zuid")
    BudgetenvelopFactory(programma=programma, thema=thema, jaar=2025, bedrag=Decimal("500000.00"))
    BudgetenvelopFactory(
        programma=programma,
        thema=wonen,
        jaar=2026,
        bedrag=Decimal("250000.00"),
        overheveling_in=Decimal("0.50"),
    )
    b1 = BeschikkingFactory(project=project, thema=thema, bedrag=Decimal("100000.00"))
    TrancheFactory(
        beschikking=b1,
        bedrag=Decimal("40000.00"),
        status=Tranche.Status.BETAALD,
        betaald_op=date(2025, 4, 1),
    )
    TrancheFactory(beschikking=b1, bedrag=Decimal("60000.00"))  # planned, not paid
    BestedingFactory(
        project=project, beschikking=b1, bedrag=Decimal("1234.56"), status=Beoordeling.GOEDGEKEURD
    )
    BestedingFactory(project=project, beschikking=b1, bedrag=Decimal("999.99"))  # not reviewed

    tweede = ProjectFactory(programma=programma, titel="Wonen boven winkels")
    tweede.focusgebieden.add(focusgebied, zuid)
    tweede.themas.add(wonen)
    b2 = BeschikkingFactory(
        project=tweede, thema=wonen, bedrag=Decimal("33333.33"), datum=date(2026, 2, 1)
    )
    TrancheFactory(
        beschikking=b2,
        bedrag=Decimal("10000.01"),
        status=Tranche.Status.BETAALD,
        betaald_op=date(2026, 3, 1),
    )
    BestedingFactory(
        project=tweede,
        beschikking=b2,
        periode="2026-K1",
        bedrag=Decimal("0.03"),
        status=Beoordeling.GOEDGEKEURD,
    )
    return {"wonen": wonen, "zuid": zuid, "tweede": tweede}


def _kolom(t, naam):
    i = [k["naam"] for k in t["kolommen"]].index(naam)
    return [r[i] for r in t["rijen"]], t["totaal"][i]


@pytest.mark.parametrize("veld", ["verleend", "betaald", "besteed"])
def test_money_tables_reconcile_to_the_cent(portefeuille, programma, veld):
    geld = paginas.geldtabellen(programma)
    verwacht = {
        "verleend": Decimal("133333.33"),
        "betaald": Decimal("50000.01"),
        "besteed": Decimal("1234.59"),
    }[veld]
    for t in (geld.per_jaar, geld.per_thema, geld.per_focusgebied):
        rijen, totaal = _kolom(t, veld)
        assert Decimal(totaal) == sum(Decimal(r) for r in rijen) == verwacht, t["naam"]


def test_money_per_year_theme_and_area(portefeuille, programma):
    geld = paginas.geldtabellen(programma)
    assert geld.per_jaar["rijen"] == [
        ["2025", "500000.00", "100000.00", "40000.00", "1234.56"],
        ["2026", "250000.50", "33333.33", "10000.01", "0.03"],
    ]
    assert geld.per_thema["rijen"] == [
        ["Armoede en schulden", "500000.00", "100000.00", "40000.00", "1234.56"],
        ["Wonen", "250000.50", "33333.33", "10000.01", "0.03"],
    ]
    assert geld.per_thema["totaal"][1] == "750000.50"
    # The second project's money is split over Nieuw-West and Zuid, the odd cent first.
    per_gebied = {r[0].split(" (")[0]: r[1:] for r in geld.per_focusgebied["rijen"]}
    assert per_gebied["Nieuw-West"] == ["116666.67", "45000.01", "1234.58"]
    assert per_gebied["Zuid"] == ["16666.66", "5000.00", "0.01"]


def test_manager_sees_every_section_with_charts_and_download_links(
    client, manager, portefeuille, programma
):
    client.force_login(manager)
    response = client.get(reverse("programma", args=[programma.code]))
    inhoud = response.content.decode()
    assert response.status_code == 200
    for kop in ("Budget en geldstromen", "Voortgang van de indicatoren", "Vroegsignalen"):
        assert kop in inhoud
    assert inhoud.count("<svg") >= 6
    assert inhoud.count("<h1") == 1
    for naam in ("geld_per_jaar", "geld_per_thema", "geld_per_focusgebied", "vroegsignalen"):
        assert f"download={naam}&amp;formaat=csv" in inhoud
    assert "€ 133.333,33" in inhoud  # Dutch formatting of the granted total
    assert reverse("projecten:beoordelen") in inhoud


def test_ministry_reads_the_dashboard_without_edit_links(client, portefeuille, programma):
    gebruiker = RolFactory(soort=Rol.Soort.MINISTERIE, programma=programma).gebruiker
    client.force_login(gebruiker)
    response = client.get(reverse("programma", args=[programma.code]))
    assert response.status_code == 200
    inhoud = response.content.decode()
    assert "€ 133.333,33" in inhoud
    assert reverse("projecten:beoordelen") not in inhoud


def test_partner_gets_no_dashboard_but_its_projects(client, partner_medewerker, programma, project):
    client.force_login(partner_medewerker)
    response = client.get(reverse("programma", args=[programma.code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("rapportage:projecten") + f"?programma={programma.code}"
    assert client.get(reverse("overzicht"))["Location"] == reverse("rapportage:projecten")


def test_another_programme_is_not_found(client, manager, programma):
    ander = ProgrammaFactory(code="ander")
    client.force_login(manager)
    assert client.get(reverse("programma", args=[ander.code])).status_code == 404
    assert client.get(reverse("programma", args=["bestaat-niet"])).status_code == 404
    assert client.get(reverse("overzicht"))["Location"] == reverse("programma", args=["nplv"])


def test_download_csv_and_xlsx_hold_the_rows_and_total(client, manager, portefeuille, programma):
    client.force_login(manager)
    url = reverse("programma", args=[programma.code])
    antwoord = client.get(url, {"download": "geld_per_thema", "formaat": "csv"})
    assert antwoord.status_code == 200
    assert antwoord["Content-Type"].startswith("text/csv")
    rijen = list(csv.reader(io.StringIO(antwoord.content.decode("utf-8-sig"))))
    assert rijen[0] == ["Thema", "Budget", "Verleend", "Betaald", "Besteed"]
    assert rijen[1] == ["Armoede en schulden", "500000.00", "100000.00", "40000.00", "1234.56"]
    assert rijen[-1] == ["Totaal", "750000.50", "133333.33", "50000.01", "1234.59"]

    antwoord = client.get(url, {"download": "geld_per_jaar", "formaat": "xlsx"})
    assert antwoord.status_code == 200
    blad = openpyxl.load_workbook(io.BytesIO(antwoord.content)).worksheets[0]
    waarden = [[c for c in rij if c is not None] for rij in blad.iter_rows(values_only=True)]
    assert ["2025", 500000, 100000, 40000, 1234.56] in waarden
    assert ["Totaal", 750000.5, 133333.33, 50000.01, 1234.59] in waarden
    assert client.get(url, {"download": "onbekend", "formaat": "csv"}).status_code == 404


def test_indicators_on_and_off_track_are_counted_per_year(
    client, manager, programma, project, indicator
):
    tweede = IndicatorFactory(doel=indicator.doel)
    for ind, op_koers in ((indicator, True), (tweede, False)):
        Indicatorstand.objects.create(
            niveau=Indicatorstand.Niveau.PROJECT,
            programma=programma,
            indicator=ind,
            project=project,
            periode="2025",
            waarde=Decimal("10"),
            op_koers=op_koers,
        )
    Indicatorstand.objects.create(  # a quarter row is not a year row
        niveau=Indicatorstand.Niveau.PROJECT,
        programma=programma,
        indicator=indicator,
        project=project,
        periode="2025-K1",
        op_koers=False,
    )
    t = paginas.indicatortabel(programma)
    assert t["rijen"] == [[2025, "1", "1", "0", "0", "0", "0"]]
    client.force_login(manager)
    inhoud = client.get(reverse("programma", args=[programma.code])).content.decode()
    assert "50,0%" in inhoud  # one of the two judged project indicators on track


def test_early_warnings_and_overdue_obligations_link_to_the_project(
    client, manager, programma, project, vandaag
):
    vandaag(date(2026, 1, 31))
    Signaal.objects.create(
        project=project, soort=Signaal.Soort.BESTEDINGSTEMPO, reden="Nog niets besteed", ernst=2
    )
    Rapportageverplichting.objects.create(
        project=project, soort="voortgang", periode="2025-K3", deadline=date(2025, 11, 11)
    )
    client.force_login(manager)
    inhoud = client.get(reverse("programma", args=[programma.code])).content.decode()
    assert "Nog niets besteed" in inhoud
    assert "ingrijpen" in inhoud
    assert inhoud.count(reverse("rapportage:project", args=[project.pk])) >= 2
    assert "1 te laat, 0 open, 0 voldaan." in inhoud
