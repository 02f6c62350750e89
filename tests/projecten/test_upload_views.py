"""Small partners submit measurements in the web UI: they download a template of what
their project still expects, fill it in and upload it. The same validation as the API
runs, every error is named by row and column, and nothing is saved unless every row is
valid."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.worksheet.worksheet import Worksheet

from programma.models import Auditregel, Rol
from projecten import services
from projecten.models import Beoordeling, Meting, Periodevergrendeling, Project, Streefwaarde
from tests.programma.factories import OrganisatieFactory, RolFactory
from tests.projecten.factories import IndicatorFactory, MetingFactory, ProjectFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The fixture project runs from 15 March 2025 to 30 June 2026 and reports per quarter.
PERIODEN = ["2025-K1", "2025-K2", "2025-K3", "2025-K4", "2026-K1", "2026-K2"]


@pytest.fixture
def percentage(project):
    return IndicatorFactory(
        doel__project=project,
        naam="Deelnemers die zich gesteund voelen",
        eenheid="percentage",
        aggregatie="gemiddelde",
    )


@pytest.fixture
def ministerie(programma):
    return RolFactory(soort=Rol.Soort.MINISTERIE, programma=programma).gebruiker


@pytest.fixture
def andere_partner(programma):
    """A partner of another organisation, with a project of its own in the same programme."""
    ander = ProjectFactory(programma=programma, code="jongerenwerk")
    return RolFactory(soort=Rol.Soort.PARTNER, organisatie=ander.penvoerder).gebruiker


def url(naam: str, project: Project) -> str:
    return reverse(f"projecten:{naam}", args=[project.pk])


def xlsx_rijen(inhoud: bytes) -> list[list[object]]:
    ws = openpyxl.load_workbook(io.BytesIO(inhoud))["Metingen"]
    assert isinstance(ws, Worksheet)
    return [[c.value for c in rij] for rij in ws.iter_rows()]


def ingevuld_xlsx(inhoud: bytes, waarden: dict[int, object]) -> SimpleUploadedFile:
    """The downloaded template with 'waarde' filled in on the given rows."""
    wb = openpyxl.load_workbook(io.BytesIO(inhoud))
    ws = wb["Metingen"]
    assert isinstance(ws, Worksheet)
    for rij, waarde in waarden.items():
        ws.cell(row=rij, column=5, value=waarde)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("metingen.xlsx", buffer.getvalue(), content_type=XLSX)


def csv_bestand(rijen: list[list[object]], scheidingsteken: str = ";") -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=scheidingsteken).writerows(
        [
            ["indicator_id", "indicator", "eenheid", "periode", "waarde", "toelichting", "bron"],
            *rijen,
        ]
    )
    return SimpleUploadedFile(
        "metingen.csv", ("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv"
    )


def ingelogd(client, gebruiker):
    client.force_login(gebruiker)
    return client


# --- my projects -----------------------------------------------------------------------------


def test_a_partner_sees_the_projects_of_its_organisation_with_a_link_to_submit(
    client, project, penvoerder, partner_medewerker, andere_partner, django_assert_max_num_queries
):
    ProjectFactory.create_batch(3, programma=project.programma, penvoerder=penvoerder)
    ingelogd(client, partner_medewerker)
    # Session, user, roles (2), count, the filter choices (programmes, themes, focus
    # areas, organisations), the page and its themes and focus areas: a fixed number,
    # however many projects (tests/test_querytellingen.py compares portfolios).
    with django_assert_max_num_queries(12):
        response = client.get(reverse("rapportage:projecten"))
    assert response.status_code == 200
    html = response.content.decode()
    assert project.titel in html
    assert url("metingen", project) in html
    assert "jongerenwerk" not in html
    assert html.count("Metingen en sjabloon") == 4
    assert 'aria-current="page">Projecten</a>' in html


def test_a_programme_manager_sees_every_project_of_the_programme(
    client, project, manager, andere_partner
):
    response = ingelogd(client, manager).get(reverse("rapportage:projecten"))
    assert "keukentafel" in response.content.decode()
    assert "jongerenwerk" in response.content.decode()


def test_the_menu_link_is_there_only_when_logged_in(client, partner_medewerker):
    assert "Mijn projecten" not in client.get(reverse("login")).content.decode()
    response = ingelogd(client, partner_medewerker).get(reverse("overzicht"), follow=True)
    assert reverse("rapportage:projecten") in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client, project):
    for adres in (
        reverse("rapportage:projecten"),
        url("metingen", project),
        url("sjabloon_xlsx", project),
    ):
        response = client.get(adres)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- the project page ---------------------------------------------------------------------------


def test_the_page_shows_indicators_targets_and_measurements_with_their_review(
    client, project, indicator, percentage, partner_medewerker, django_assert_max_num_queries
):
    Streefwaarde.objects.create(indicator=indicator, periode="2025", waarde=Decimal("40.0000"))
    MetingFactory(
        indicator=indicator,
        periode="2025-K1",
        waarde=Decimal("12.5000"),
        status=Beoordeling.GOEDGEKEURD,
    )
    MetingFactory(
        indicator=percentage,
        periode="2025-K1",
        waarde=Decimal("55"),
        status=Beoordeling.TERUGGESTUURD,
        beoordeling_toelichting="Noem de bron van dit percentage.",
    )
    ingelogd(client, partner_medewerker)
    with django_assert_max_num_queries(14):
        response = client.get(url("metingen", project), HTTP_ACCEPT_LANGUAGE="nl")
    html = response.content.decode()
    assert response.status_code == 200
    assert indicator.naam in html and "Percentage" in html
    assert "2025</span> 40<" in html
    assert ">12,5<" in html
    assert "Goedgekeurd" in html and "Teruggestuurd" in html
    assert "Noem de bron van dit percentage." in html
    assert url("sjabloon_xlsx", project) in html and url("sjabloon_csv", project) in html
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html


def test_a_partner_of_another_organisation_gets_not_found(
    client, project, indicator, andere_partner
):
    ingelogd(client, andere_partner)
    for naam in ("metingen", "sjabloon_xlsx", "sjabloon_csv"):
        assert client.get(url(naam, project)).status_code == 404
    bestand = csv_bestand([[indicator.pk, "", "", "2025-K3", "5", "", ""]])
    assert client.post(url("metingen", project), {"bestand": bestand}).status_code == 404
    assert Meting.objects.count() == 0


def test_ministry_staff_may_read_but_not_upload(
    client, project, indicator, ministerie, niets_opgeslagen
):
    ingelogd(client, ministerie)
    response = client.get(url("metingen", project))
    assert response.status_code == 200
    assert 'type="file"' not in response.content.decode()
    assert client.get(url("sjabloon_csv", project)).status_code == 200
    bestand = csv_bestand([[indicator.pk, "", "", "2025-K3", "5", "", ""]])
    with niets_opgeslagen(Meting):
        assert client.post(url("metingen", project), {"bestand": bestand}).status_code == 403


# --- the template ----------------------------------------------------------------------------


@pytest.fixture
def stand(project, indicator, percentage, programma):
    """Submitted, approved and returned measurements, and a locked quarter: none of these
    can be submitted again, so none is in the template."""
    MetingFactory(indicator=indicator, periode="2025-K1", status=Beoordeling.GOEDGEKEURD)
    MetingFactory(
        indicator=percentage, periode="2025-K1", waarde=Decimal(50), status=Beoordeling.INGEDIEND
    )
    MetingFactory(indicator=indicator, periode="2025-K3", status=Beoordeling.TERUGGESTUURD)
    Periodevergrendeling.objects.create(programma=programma, project=project, periode="2025-K2")


def verwachte_rijen(indicator, percentage) -> list[tuple[int, str, str, str]]:
    rijen = []
    for periode in ["2025-K3", "2025-K4", "2026-K1", "2026-K2"]:
        for i in (indicator, percentage):
            if (i, periode) != (indicator, "2025-K3"):
                rijen.append((i.pk, i.naam, i.eenheid, periode))
    return rijen


@pytest.mark.usefixtures("stand")
def test_xlsx_template_lists_every_indicator_and_period_still_open(
    client, project, indicator, percentage, partner_medewerker
):
    response = ingelogd(client, partner_medewerker).get(url("sjabloon_xlsx", project))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="metingen-keukentafel.xlsx"'
    kop, *rijen = xlsx_rijen(response.content)
    assert kop == [
        "indicator_id",
        "indicator",
        "eenheid",
        "periode",
        "waarde",
        "toelichting",
        "bron",
    ]
    assert [tuple(r[:4]) for r in rijen] == verwachte_rijen(indicator, percentage)
    assert all(r[4:] == [None, None, None] for r in rijen)


@pytest.mark.usefixtures("stand")
def test_csv_template_lists_the_same_rows(
    client, project, indicator, percentage, partner_medewerker
):
    response = ingelogd(client, partner_medewerker).get(url("sjabloon_csv", project))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="metingen-keukentafel.csv"'
    kop, *rijen = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    assert kop[:4] == ["indicator_id", "indicator", "eenheid", "periode"]
    assert [(int(r[0]), r[1], r[2], r[3]) for r in rijen] == verwachte_rijen(indicator, percentage)


# --- uploading -------------------------------------------------------------------------------


def test_an_uploaded_xlsx_template_is_submitted_for_review_with_an_audit_trail(
    client, project, indicator, percentage, partner_medewerker, penvoerder
):
    ingelogd(client, partner_medewerker)
    sjabloon = client.get(url("sjabloon_xlsx", project)).content
    # Rows 2 and 3 are 2025-K1 for both indicators; row 5 is 2025-K2 for the percentage.
    bestand = ingevuld_xlsx(sjabloon, {2: 12, 3: "66,7", 5: 0.1})
    audit_voor = Auditregel.objects.filter(actie="meting_indienen").count()

    response = client.post(url("metingen", project), {"bestand": bestand}, follow=True)

    assert response.redirect_chain == [(url("metingen", project), 302)]
    assert "3 metingen ingediend; ze wachten op beoordeling." in response.content.decode()
    opgeslagen = {
        (m.indicator_id, m.periode): m
        for m in Meting.objects.select_related("ingediend_door_organisatie")
    }
    assert {k: m.waarde for k, m in opgeslagen.items()} == {
        (indicator.pk, "2025-K1"): Decimal("12"),
        (percentage.pk, "2025-K1"): Decimal("66.7"),
        (percentage.pk, "2025-K2"): Decimal("0.1"),
    }
    assert {m.status for m in opgeslagen.values()} == {Beoordeling.INGEDIEND}
    assert {m.ingediend_door for m in opgeslagen.values()} == {partner_medewerker}
    assert {m.ingediend_door_organisatie for m in opgeslagen.values()} == {penvoerder}
    audit = Auditregel.objects.filter(actie="meting_indienen")
    assert audit.count() - audit_voor == 3
    assert set(audit.values_list("gebruiker", flat=True)) == {partner_medewerker.pk}
    assert {r.na["waarde"] for r in audit} == {"12", "66.7", "0.1"}


def test_an_uploaded_csv_with_dutch_decimal_commas_is_stored_exactly(
    client, project, indicator, partner_medewerker
):
    bestand = csv_bestand(
        [
            [
                indicator.pk,
                indicator.naam,
                "aantal",
                "2025-K3",
                "12,5",
                "Toelichting, met komma",
                "Eigen registratie",
            ],
            [indicator.pk, indicator.naam, "aantal", "2025-K4", "", "", ""],  # skipped
        ]
    )
    response = ingelogd(client, partner_medewerker).post(
        url("metingen", project), {"bestand": bestand}
    )
    assert response.status_code == 302
    meting = Meting.objects.get()
    assert (meting.periode, meting.waarde, meting.toelichting, meting.bron) == (
        "2025-K3",
        Decimal("12.5"),
        "Toelichting, met komma",
        "Eigen registratie",
    )
    assert meting.status == Beoordeling.INGEDIEND
    assert Auditregel.objects.filter(actie="meting_indienen", object_id=str(meting.pk)).exists()


def test_a_comma_separated_csv_is_read_too(client, project, indicator, partner_medewerker):
    bestand = csv_bestand([[indicator.pk, "", "", "2026-K1", "7,25", "", ""]], scheidingsteken=",")
    assert (
        ingelogd(client, partner_medewerker)
        .post(url("metingen", project), {"bestand": bestand})
        .status_code
        == 302
    )
    assert Meting.objects.get().waarde == Decimal("7.25")


def test_a_programme_manager_submits_on_behalf_of_the_programme_office(
    client, project, indicator, manager
):
    bestand = csv_bestand([[indicator.pk, "", "", "2025-K3", "4", "", ""]])
    assert (
        ingelogd(client, manager).post(url("metingen", project), {"bestand": bestand}).status_code
        == 302
    )
    meting = Meting.objects.get()
    assert (meting.ingediend_door, meting.ingediend_door_organisatie) == (manager, None)


def test_one_bad_row_among_good_ones_saves_nothing_and_names_row_and_column(
    client, project, indicator, percentage, partner_medewerker, niets_opgeslagen
):
    bestand = csv_bestand(
        [
            [indicator.pk, "", "", "2025-K1", "10", "", ""],
            [percentage.pk, "", "", "2025-K1", "veertig", "", ""],
            [indicator.pk, "", "", "2025-K2", "11", "", ""],
        ]
    )
    with niets_opgeslagen(Meting):
        response = ingelogd(client, partner_medewerker).post(
            url("metingen", project), {"bestand": bestand}
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Er is niets opgeslagen: het bestand bevat 1 fout." in html
    assert '<th scope="row" class="utrecht-table__header-cell">3</th>' in html
    assert 'waarde <span class="klein">(cel E3)</span>' in html
    assert "&#x27;veertig&#x27; is geen getal." in html


def test_errors_of_the_submission_service_point_at_their_row_and_column_too(
    client, project, indicator, percentage, partner_medewerker, niets_opgeslagen
):
    """What only the service knows (a percentage above 100, a period outside the project, a
    period twice) comes back by row and column like a typing error, all at once."""
    bestand = csv_bestand(
        [
            [percentage.pk, "", "", "2025-K1", "120", "", ""],
            [indicator.pk, "", "", "2030-K1", "1", "", ""],
            [indicator.pk, "", "", "2025-K4", "1", "", ""],
            [indicator.pk, "", "", "2025-K4", "2", "", ""],
            [indicator.pk, "", "", "2025-K9", "2", "", ""],
        ]
    )
    with niets_opgeslagen(Meting):
        response = ingelogd(client, partner_medewerker).post(
            url("metingen", project), {"bestand": bestand}
        )
    fouten = [(f.rij, f.kolom) for f in response.context["form"].celfouten]
    assert fouten == [(2, "waarde"), (3, "periode"), (5, "periode"), (6, "periode")]
    meldingen = [f.melding for f in response.context["form"].celfouten]
    assert meldingen[0] == "Een percentage ligt tussen 0 en 100."
    assert meldingen[1].startswith("Periode 2030-K1 valt buiten de projectperiode")
    assert meldingen[2] == "Voor deze indicator is over 2025-K4 al een meting ingediend."
    assert "Er is niets opgeslagen: het bestand bevat 4 fouten." in response.content.decode()


def test_a_locked_period_is_refused_with_a_clear_message(
    client, project, indicator, programma, partner_medewerker, niets_opgeslagen
):
    Periodevergrendeling.objects.create(programma=programma, periode="2025-K2")
    bestand = csv_bestand(
        [
            [indicator.pk, "", "", "2025-K3", "1", "", ""],
            [indicator.pk, "", "", "2025-K2", "1", "", ""],
        ]
    )
    with niets_opgeslagen(Meting):
        response = ingelogd(client, partner_medewerker).post(
            url("metingen", project), {"bestand": bestand}
        )
    [fout] = response.context["form"].celfouten
    assert (fout.rij, fout.kolom) == (3, "periode")
    assert (
        fout.melding
        == "Periode 2025-K2 is vergrendeld: er kan niets meer worden ingediend of gewijzigd."
    )
    assert fout.melding in response.content.decode()


def test_a_closed_project_takes_no_uploads(
    client, project, indicator, partner_medewerker, niets_opgeslagen
):
    Project.objects.filter(pk=project.pk).update(status=Project.Status.AFGEROND)
    ingelogd(client, partner_medewerker)
    pagina = client.get(url("metingen", project)).content.decode()
    assert 'type="file"' not in pagina
    assert "Dit project is afgerond: er kan niets meer worden ingediend." in pagina
    bestand = csv_bestand([[indicator.pk, "", "", "2025-K3", "1", "", ""]])
    with niets_opgeslagen(Meting):
        response = client.post(url("metingen", project), {"bestand": bestand})
    assert response.context["form"].non_field_errors() == [
        "Project keukentafel is afgerond: er kan niets meer bij."
    ]
    assert "Project keukentafel is afgerond: er kan niets meer bij." in response.content.decode()
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize(
    ("naam", "inhoud", "melding"),
    [
        (
            "metingen.xlsx",
            b"PK\x03\x04 dit is geen werkmap",
            "Het XLSX-bestand is beschadigd of onleesbaar.",
        ),
        (
            "foto.png",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00",
            "geen XLSX-bestand en geen CSV-bestand in UTF-8",
        ),
        ("leeg.csv", b"", "Het verstuurde bestand is leeg."),
    ],
)
def test_a_corrupt_or_foreign_file_gets_a_message_and_saves_nothing(
    client, project, indicator, partner_medewerker, niets_opgeslagen, naam, inhoud, melding
):
    with niets_opgeslagen(Meting):
        response = ingelogd(client, partner_medewerker).post(
            url("metingen", project), {"bestand": SimpleUploadedFile(naam, inhoud)}
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert melding in html
    assert 'role="alert"' in html


def test_a_template_with_nothing_filled_in_says_so(client, project, indicator, partner_medewerker):
    ingelogd(client, partner_medewerker)
    sjabloon = client.get(url("sjabloon_xlsx", project)).content
    response = client.post(url("metingen", project), {"bestand": ingevuld_xlsx(sjabloon, {})})
    assert (
        "In het bestand is geen enkele waarde ingevuld: er is niets ingediend."
        in response.content.decode()
    )


def test_a_file_over_five_megabytes_is_refused(client, project, indicator, partner_medewerker):
    groot = SimpleUploadedFile(
        "groot.csv", b"indicator_id;periode;waarde\n" + b" " * (5 * 1024 * 1024)
    )
    response = ingelogd(client, partner_medewerker).post(
        url("metingen", project), {"bestand": groot}
    )
    assert "Het bestand is groter dan 5 MB." in response.content.decode()
    assert Meting.objects.count() == 0


def test_an_indicator_of_another_project_is_an_error_in_its_row(
    client, project, indicator, partner_medewerker, niets_opgeslagen
):
    vreemd = IndicatorFactory()
    bestand = csv_bestand([[vreemd.pk, "", "", "2025-K3", "1", "", ""]])
    with niets_opgeslagen(Meting):
        response = ingelogd(client, partner_medewerker).post(
            url("metingen", project), {"bestand": bestand}
        )
    [fout] = response.context["form"].celfouten
    assert (fout.rij, fout.kolom, fout.melding) == (
        2,
        "indicator_id",
        f"Indicator {vreemd.pk} hoort niet bij dit project.",
    )


def test_a_partner_of_two_organisations_submits_for_the_one_in_the_project(
    client, project, indicator, penvoerder
):
    gebruiker = RolFactory(
        soort=Rol.Soort.PARTNER, organisatie=OrganisatieFactory(naam="Aaa eerst")
    ).gebruiker
    RolFactory(gebruiker=gebruiker, soort=Rol.Soort.PARTNER, organisatie=penvoerder)
    bestand = csv_bestand([[indicator.pk, "", "", "2025-K3", "1", "", ""]])
    assert (
        ingelogd(client, gebruiker).post(url("metingen", project), {"bestand": bestand}).status_code
        == 302
    )
    assert Meting.objects.get().ingediend_door_organisatie == penvoerder


def test_a_submission_that_loses_a_race_saves_nothing_and_says_so(
    client, project, indicator, partner_medewerker, niets_opgeslagen, monkeypatch
):
    """Between the service's check and its insert another submission took the period: the
    database refuses, and the partner gets a message instead of an error page."""

    regels = services._meting_regels

    def ingehaald(meting, *args, **kwargs):
        # The other submission commits after the service looked for existing ones.
        MetingFactory(indicator=meting.indicator, periode=meting.periode)
        return regels(meting, *args, **kwargs)

    monkeypatch.setattr(services, "_meting_regels", ingehaald)
    bestand = csv_bestand([[indicator.pk, "", "", "2025-K3", "1", "", ""]])
    with niets_opgeslagen(Meting):
        response = ingelogd(client, partner_medewerker).post(
            url("metingen", project), {"bestand": bestand}
        )
    assert response.status_code == 200
    assert (
        "Een meting uit de batch is intussen al ingediend; er is niets opgeslagen."
        in response.content.decode()
    )
