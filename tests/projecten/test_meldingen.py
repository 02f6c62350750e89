"""The partner hears the outcome of a review by e-mail: its people with a partner role and
whoever submitted, one e-mail each, listing outcome and comment per item, in Dutch, as
plain text and HTML with the reviewer's text escaped. A task that runs twice sends
nothing twice; a correction that is reviewed again is reported again."""

import pytest
from django.core import mail
from django.urls import reverse
from django_q.conf import Conf

from programma.models import Auditregel, Rol
from projecten import services, tasks
from tests.programma.factories import GebruikerFactory, OrganisatieFactory, RolFactory
from tests.projecten.factories import (
    BestedingFactory,
    MetingFactory,
    ProjectpartnerFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def collega(penvoerder):
    """A second person of the partner organisation, who did not submit."""
    return RolFactory(
        soort=Rol.Soort.PARTNER, organisatie=penvoerder, gebruiker__email="collega@doras.nl"
    ).gebruiker


@pytest.fixture
def buitenstaander(project):
    """A partner of another organisation in the same project: hears nothing of ours."""
    ander = ProjectpartnerFactory(project=project).organisatie
    return RolFactory(soort=Rol.Soort.PARTNER, organisatie=ander).gebruiker


@pytest.fixture
def van_partner(penvoerder, partner_medewerker):
    return {"ingediend_door_organisatie": penvoerder, "ingediend_door": partner_medewerker}


@pytest.fixture
def taken_synchroon(monkeypatch):
    """Tasks queued after commit run at once, in this process, through django-q2."""
    monkeypatch.setattr(Conf, "SYNC", True)


def adressen() -> list[list[str]]:
    return sorted(m.to for m in mail.outbox)


def test_the_partner_organisation_and_the_submitter_get_one_email_each(
    actor, indicator, van_partner, partner_medewerker, collega, buitenstaander
):
    meting = MetingFactory(indicator=indicator, periode="2025-K2", **van_partner)
    tweede = MetingFactory(indicator=indicator, periode="2025-K3", **van_partner)
    services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")
    services.meting_beoordelen(
        actor=actor,
        meting=tweede,
        besluit="teruggestuurd",
        toelichting='Bron <script>alert("x")</script> & verklaring ontbreken.',
    )

    verstuurd = tasks.beoordeling_melden("meting", [meting.pk, tweede.pk])

    assert verstuurd == 2
    assert adressen() == [[collega.email], [partner_medewerker.email]]
    bericht = mail.outbox[0]
    assert bericht.subject == (
        "Ontschot: 2 inzendingen beoordeeld, 1 goedgekeurd en 1 teruggestuurd"
    )
    tekst = bericht.body
    assert "Het programmabureau heeft inzendingen van Stichting Doras beoordeeld:" in tekst
    assert (
        f"- Meting '{indicator.naam}' over 2025-K2 (project keukentafel), "
        "Nationaal Programma Leefbaarheid en Veiligheid: GOEDGEKEURD" in tekst
    )
    assert 'Bron <script>alert("x")</script> & verklaring ontbreken.' in tekst
    [(html, soort)] = bericht.alternatives
    assert soort == "text/html"
    assert "<script>" not in html
    assert "Bron &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; verklaring" in html
    assert '<th scope="row"' in html and "<caption" in html


def test_running_the_task_twice_sends_nothing_twice(actor, indicator, van_partner, collega):
    meting = MetingFactory(indicator=indicator, periode="2025-K2", **van_partner)
    services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")

    assert tasks.beoordeling_melden("meting", [meting.pk]) == 2
    assert tasks.beoordeling_melden("meting", [meting.pk]) == 0

    assert len(mail.outbox) == 2
    regel = Auditregel.objects.get(actie="beoordeling_gemeld")
    assert (regel.object_id, regel.namens, regel.na["status"]) == (
        str(meting.pk),
        "taak beoordeling_melden",
        "goedgekeurd",
    )
    assert sorted(regel.na["ontvangers"]) == sorted(m.to[0] for m in mail.outbox)
    assert mail.outbox[0].subject == (
        f"Ontschot: Meting '{indicator.naam}' over 2025-K2 (project keukentafel) is goedgekeurd"
    )


def test_a_corrected_submission_that_is_reviewed_again_is_reported_again(
    actor, partner_actor, project, van_partner
):
    verslag = VoortgangsverslagFactory(project=project, periode="2025-K2", **van_partner)
    services.voortgangsverslag_beoordelen(
        actor=actor, verslag=verslag, besluit="teruggestuurd", toelichting="Te kort."
    )
    assert tasks.beoordeling_melden("verslag", [verslag.pk]) == 1
    services.voortgangsverslag_corrigeren(
        actor=partner_actor, verslag=verslag, samenvatting="Uitgebreider verslag."
    )
    # corrected, waiting again: nothing to report (and nothing reported twice)
    assert tasks.beoordeling_melden("verslag", [verslag.pk]) == 0
    services.voortgangsverslag_beoordelen(actor=actor, verslag=verslag, besluit="goedgekeurd")
    assert tasks.beoordeling_melden("verslag", [verslag.pk]) == 1
    assert tasks.beoordeling_melden("verslag", [verslag.pk]) == 0
    assert [m.subject for m in mail.outbox] == [
        "Ontschot: Voortgangsverslag over 2025-K2 (project keukentafel) is teruggestuurd",
        "Ontschot: Voortgangsverslag over 2025-K2 (project keukentafel) is goedgekeurd",
    ]
    assert Auditregel.objects.filter(actie="beoordeling_gemeld").count() == 2


def test_each_organisation_hears_only_about_its_own_submissions(actor, project, van_partner):
    ander = OrganisatieFactory(naam="Buurtteam Oost")
    ProjectpartnerFactory(project=project, organisatie=ander)
    ander_lid = RolFactory(soort=Rol.Soort.PARTNER, organisatie=ander).gebruiker
    eigen = BestedingFactory(project=project, omschrijving="Huur buurthuis", **van_partner)
    vreemd = BestedingFactory(
        project=project, omschrijving="Drukwerk", ingediend_door_organisatie=ander
    )
    services.inzendingen_beoordelen(actor=actor, bestedingen=[eigen, vreemd], besluit="goedgekeurd")

    assert tasks.beoordeling_melden("besteding", [eigen.pk, vreemd.pk]) == 2

    per_adres = {m.to[0]: m.body for m in mail.outbox}
    assert "Drukwerk" not in per_adres[van_partner["ingediend_door"].email]
    assert "Besteding personeel € 1.500,00 over 2025-K1" in per_adres[ander_lid.email]
    assert "Buurtteam Oost" in per_adres[ander_lid.email]


def test_people_without_an_address_or_no_longer_active_get_nothing(actor, indicator, penvoerder):
    stil = RolFactory(soort=Rol.Soort.PARTNER, organisatie=penvoerder, gebruiker__email="")
    weg = GebruikerFactory(is_active=False)
    RolFactory(soort=Rol.Soort.PARTNER, organisatie=penvoerder, gebruiker=weg)
    meting = MetingFactory(
        indicator=indicator, ingediend_door_organisatie=penvoerder, ingediend_door=stil.gebruiker
    )
    services.meting_beoordelen(actor=actor, meting=meting, besluit="goedgekeurd")
    assert tasks.beoordeling_melden("meting", [meting.pk]) == 0
    assert mail.outbox == []
    # recorded anyway: there is no one to tell, and a rerun need not try again
    assert Auditregel.objects.filter(actie="beoordeling_gemeld").count() == 1


def test_reviewing_in_the_web_ui_emails_the_partner_after_commit_once(
    client,
    manager,
    indicator,
    van_partner,
    partner_medewerker,
    taken_synchroon,
    django_capture_on_commit_callbacks,
):
    meting = MetingFactory(indicator=indicator, periode="2025-K2", **van_partner)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projecten:beoordelen"),
            {
                "inzendingen": [f"meting:{meting.pk}"],
                "besluit": "teruggestuurd",
                "toelichting": "Welke bron?",
            },
        )
    assert response.status_code == 302
    assert adressen() == [[partner_medewerker.email]]
    assert "Welke bron?" in mail.outbox[0].body

    # the queue delivers a task twice: the second run finds the review reported
    assert tasks.beoordeling_melden("meting", [meting.pk]) == 0
    assert len(mail.outbox) == 1


def test_a_task_for_submissions_that_are_gone_sends_and_records_nothing(db):
    assert tasks.beoordeling_melden("meting", [987654]) == 0
    assert mail.outbox == []
    assert not Auditregel.objects.exists()
