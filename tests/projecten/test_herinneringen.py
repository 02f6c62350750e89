"""Reminder e-mails go out at configured days before and after a deadline, to the lead
organisation's people, once per obligation and step, and survive a mail server that is
down: the claimed step stays unsent and the next run sends it exactly once."""

import smtplib
import threading
import time
from datetime import date

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as Postvak
from django.db import close_old_connections, connection
from django.utils import timezone

from programma.models import Organisatie, Rol
from projecten import services
from projecten.models import Herinnering, Project, Projectpartner, Rapportageverplichting
from projecten.verplichtingen import (
    HerinneringenNietVerstuurd,
    Uitkomst,
    herinnering_versturen,
    herinneringen_versturen,
    herinneringen_verzenden,
    te_versturen_stap,
)
from tests.programma.factories import GebruikerFactory, OrganisatieFactory, RolFactory
from tests.projecten.factories import ProjectFactory

pytestmark = pytest.mark.django_db

# The shared project reports per quarter, 42 days after it: 2025-K1 is due 12-05-2025.
K1_DEADLINE = date(2025, 5, 12)
STAPDAGEN = {
    -14: date(2025, 4, 28),
    -3: date(2025, 5, 9),
    1: date(2025, 5, 13),
    7: date(2025, 5, 19),
}


class OnbereikbareServer(BaseEmailBackend):
    """A mail server that is down."""

    pogingen = 0

    def send_messages(self, email_messages):
        type(self).pogingen += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class TrageServer(Postvak):
    """A mail server that takes its time, so runs at the same moment overlap."""

    def send_messages(self, messages):
        time.sleep(0.2)
        return super().send_messages(messages)


class KieskeurigeServer(Postvak):
    """A mail server that refuses every message for an unknown address and delivers the rest."""

    def send_messages(self, messages):
        for bericht in messages:
            if any(adres.startswith("onbekend@") for adres in bericht.to):
                raise smtplib.SMTPRecipientsRefused({"onbekend@example.nl": (550, b"No such user")})
        return super().send_messages(messages)


@pytest.fixture
def penvoerder_met_adres(penvoerder: Organisatie) -> Organisatie:
    penvoerder.email = "Info@Doras.nl"
    penvoerder.save()
    return penvoerder


@pytest.fixture
def verplichtingen(actor, project, penvoerder_met_adres, partner_medewerker, vandaag):
    """The shared project's obligations, all open, and one partner of the lead organisation."""
    vandaag(date(2025, 3, 15))
    services.verplichtingen_afleiden(actor=actor, project=project)
    return project


def onderwerpen() -> list[str]:
    return [bericht.subject for bericht in mail.outbox]


def verstuurde_stappen(project) -> list[int]:
    return list(
        Herinnering.objects.filter(
            verplichting__project=project, verstuurd_op__isnull=False
        ).values_list("stap", flat=True)
    )


def test_each_step_is_sent_on_its_day_and_only_once(verplichtingen, vandaag):
    for dag in (*STAPDAGEN.values(), date(2025, 5, 20), date(2025, 6, 1)):
        vandaag(dag)
        herinneringen_versturen()
        herinneringen_versturen()
    assert onderwerpen() == [
        "Herinnering: voortgangsrapportage 2025-K1 van keukentafel, uiterlijk 12-05-2025",
        "Herinnering: voortgangsrapportage 2025-K1 van keukentafel, uiterlijk 12-05-2025",
        "Te laat: voortgangsrapportage 2025-K1 van keukentafel (uiterlijk 12-05-2025)",
        "Te laat: voortgangsrapportage 2025-K1 van keukentafel (uiterlijk 12-05-2025)",
    ]
    assert verstuurde_stappen(verplichtingen) == [-14, -3, 1, 7]
    assert Herinnering.objects.filter(verstuurd_op__isnull=True).count() == 0


def test_the_mail_tells_in_dutch_how_long_until_or_since_the_deadline(verplichtingen, vandaag):
    vandaag(STAPDAGEN[-14])
    herinneringen_versturen()
    vandaag(STAPDAGEN[1])
    herinneringen_versturen()
    voor, na = mail.outbox
    assert "moet uiterlijk 12 mei 2025 binnen zijn. Dat is over 14 dagen." in voor.body
    assert "is op 12 mei 2025 verstreken, 1 dag geleden." in na.body
    assert "Dien een voortgangsverslag over 2025-K1 in" in na.body
    html, soort = na.alternatives[0]
    assert soort == "text/html"
    assert "<strong>12 mei 2025</strong> verstreken, 1 dag geleden" in html


def test_reminders_go_to_the_lead_organisation_and_its_active_partner_staff_only(
    verplichtingen, vandaag, partner_medewerker, manager, programma
):
    doras = verplichtingen.penvoerder
    RolFactory(
        soort=Rol.Soort.PARTNER,
        organisatie=doras,
        gebruiker=GebruikerFactory(username="vertrokken", is_active=False),
    )
    RolFactory(
        soort=Rol.Soort.PARTNER,
        organisatie=doras,
        gebruiker=GebruikerFactory(username="zonder-adres", email=""),
    )
    RolFactory(  # the same address as the organisation's, in other capitals
        soort=Rol.Soort.PARTNER,
        organisatie=doras,
        gebruiker=GebruikerFactory(username="balie", email="info@doras.nl"),
    )
    uitvoerder = OrganisatieFactory(naam="Buurtwerk", email="post@buurtwerk.nl")
    Projectpartner.objects.create(project=verplichtingen, organisatie=uitvoerder, rol="uitvoerder")
    RolFactory(soort=Rol.Soort.PARTNER, organisatie=uitvoerder)
    RolFactory(soort=Rol.Soort.MINISTERIE, programma=programma)

    vandaag(STAPDAGEN[-3])
    herinneringen_versturen()
    (bericht,) = mail.outbox
    assert bericht.to == sorted(["Info@Doras.nl", partner_medewerker.email], key=str.lower)
    herinnering = Herinnering.objects.get()
    assert herinnering.ontvangers.splitlines() == bericht.to


def test_after_an_outage_only_the_latest_step_goes_out(verplichtingen, vandaag):
    vandaag(date(2025, 5, 21))  # step +7 was two days ago; -14, -3 and +1 were missed
    herinneringen_versturen()
    herinneringen_versturen()
    assert len(mail.outbox) == 1
    assert "verstreken, 9 dagen geleden" in mail.outbox[0].body
    assert list(Herinnering.objects.values_list("stap", flat=True)) == [7]


def test_a_step_more_than_a_week_late_is_not_sent(verplichtingen, vandaag):
    vandaag(date(2025, 5, 27))  # step +7 was eight days ago
    herinneringen_versturen()
    assert mail.outbox == []
    assert not Herinnering.objects.exists()


def test_no_reminder_for_a_fulfilled_obligation(verplichtingen, partner_actor, penvoerder, vandaag):
    vandaag(date(2025, 5, 1))
    services.voortgangsverslag_indienen(
        actor=partner_actor,
        project=verplichtingen,
        periode="2025-K1",
        samenvatting="Veertig huishoudens bereikt.",
        organisatie=penvoerder,
    )
    for dag in STAPDAGEN.values():
        vandaag(dag)
        herinneringen_versturen()
    assert mail.outbox == []


def test_an_obligation_fulfilled_overnight_is_not_reminded(verplichtingen, vandaag):
    from tests.projecten.factories import BestedingFactory

    BestedingFactory(project=verplichtingen, periode="2025", status="goedgekeurd")
    vandaag(date(2026, 3, 18))  # 14 days before the financial report over 2025 is due
    herinneringen_versturen()
    assert mail.outbox == []
    assert Rapportageverplichting.objects.get(soort="financieel", periode="2025").status == (
        "voldaan"
    )


@pytest.mark.parametrize("status", ["concept", "ingediend", "gestopt"])
def test_projects_that_owe_no_reports_get_no_reminders(verplichtingen, vandaag, status):
    Project.objects.filter(pk=verplichtingen.pk).update(status=status)
    vandaag(STAPDAGEN[-3])
    herinneringen_versturen()
    assert mail.outbox == []


def test_steps_come_from_the_settings(verplichtingen, vandaag, settings):
    settings.HERINNERING_STAPPEN = "-5, 0"
    vandaag(STAPDAGEN[-14])
    herinneringen_versturen()
    assert mail.outbox == []
    vandaag(date(2025, 5, 7))
    herinneringen_versturen()
    vandaag(K1_DEADLINE)
    herinneringen_versturen()
    assert ["over 5 dagen" in m.body for m in mail.outbox] == [True, False]
    assert "moet vandaag, 12 mei 2025, binnen zijn" in mail.outbox[1].body
    assert sorted(Herinnering.objects.values_list("stap", flat=True)) == [-5, 0]


def test_user_text_is_escaped_in_html_and_left_alone_in_plain_text(verplichtingen, vandaag):
    Project.objects.filter(pk=verplichtingen.pk).update(titel="Ouders & <kind>")
    vandaag(STAPDAGEN[-14])
    herinneringen_versturen()
    (bericht,) = mail.outbox
    html, _ = bericht.alternatives[0]
    assert "(Ouders & <kind>)" in bericht.body
    assert "(Ouders &amp; &lt;kind&gt;)" in html
    assert "<kind>" not in html


def test_nobody_to_remind_claims_nothing_so_a_partner_added_later_still_hears(
    actor, project, vandaag
):
    vandaag(date(2025, 3, 15))
    services.verplichtingen_afleiden(actor=actor, project=project)
    vandaag(STAPDAGEN[-14])
    assert herinneringen_versturen()["zonder_ontvangers"] == 1
    assert not Herinnering.objects.exists()
    nieuw = RolFactory(soort=Rol.Soort.PARTNER, organisatie=project.penvoerder).gebruiker
    herinneringen_versturen()
    assert [m.to for m in mail.outbox] == [[nieuw.email]]


# --- a mail server that fails --------------------------------------------------------------


def test_a_failed_send_leaves_the_step_claimed_and_unsent_and_the_next_run_sends_it_once(
    verplichtingen, vandaag, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.OnbereikbareServer"
    vandaag(STAPDAGEN[-14])
    with pytest.raises(HerinneringenNietVerstuurd, match="mailserver onbereikbaar"):
        herinneringen_versturen()
    claim = Herinnering.objects.get()
    assert (claim.stap, claim.verstuurd_op) == (-14, None)
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    herinneringen_versturen()
    herinneringen_versturen()
    assert len(mail.outbox) == 1
    verstuurd = Herinnering.objects.get()
    assert verstuurd.pk == claim.pk and verstuurd.verstuurd_op is not None


def test_an_unreachable_server_stops_the_run_and_the_rest_waits_for_the_next(
    verplichtingen, programma, penvoerder_met_adres, actor, vandaag, settings
):
    tweede = ProjectFactory(
        programma=programma, penvoerder=penvoerder_met_adres, startdatum=date(2025, 1, 1)
    )
    services.verplichtingen_afleiden(actor=actor, project=tweede)  # its 2025-K1 is due 12-05 too
    settings.EMAIL_BACKEND = f"{__name__}.OnbereikbareServer"
    OnbereikbareServer.pogingen = 0
    vandaag(STAPDAGEN[-14])
    with pytest.raises(HerinneringenNietVerstuurd):
        herinneringen_versturen()
    assert OnbereikbareServer.pogingen == 1
    assert Herinnering.objects.count() == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    herinneringen_versturen()
    assert len(mail.outbox) == 2
    assert Herinnering.objects.filter(verstuurd_op__isnull=False).count() == 2


def test_a_refused_message_does_not_hold_up_the_others(
    verplichtingen, programma, actor, vandaag, settings
):
    onbekend = OrganisatieFactory(naam="Onbekend", email="onbekend@example.nl")
    eerste = ProjectFactory(
        programma=programma, code="a-eerst", penvoerder=onbekend, startdatum=date(2025, 1, 1)
    )
    services.verplichtingen_afleiden(actor=actor, project=eerste)
    settings.EMAIL_BACKEND = f"{__name__}.KieskeurigeServer"
    vandaag(STAPDAGEN[-14])
    with pytest.raises(HerinneringenNietVerstuurd, match="1 herinnering"):
        herinneringen_versturen()
    assert ["Info@Doras.nl" in m.to for m in mail.outbox] == [True]
    assert Herinnering.objects.get(verplichting__project=eerste).verstuurd_op is None


# --- the claim -----------------------------------------------------------------------------


def test_a_step_claimed_by_another_run_is_not_sent_again(verplichtingen, vandaag):
    verplichting = Rapportageverplichting.objects.get(soort="voortgang", periode="2025-K1")
    Herinnering.objects.create(verplichting=verplichting, stap=-14)  # the other run's claim
    uitkomst = herinnering_versturen(
        verplichting=verplichting,
        stap=-14,
        ontvangers=["info@doras.nl"],
        verbinding=Postvak(),
        vandaag=STAPDAGEN[-14],
    )
    assert uitkomst == Uitkomst.AL_GECLAIMD
    assert mail.outbox == []
    assert Herinnering.objects.count() == 1


def test_a_retry_of_a_row_another_run_has_sent_meanwhile_sends_nothing(verplichtingen, vandaag):
    verplichting = Rapportageverplichting.objects.get(soort="voortgang", periode="2025-K1")
    claim = Herinnering.objects.create(verplichting=verplichting, stap=-14)
    Herinnering.objects.filter(pk=claim.pk).update(verstuurd_op=timezone.now())
    uitkomst = herinnering_versturen(
        verplichting=verplichting,
        stap=-14,
        ontvangers=["info@doras.nl"],
        verbinding=Postvak(),
        vandaag=STAPDAGEN[-14],
        bestaand_id=claim.pk,
    )
    assert uitkomst == Uitkomst.AL_GECLAIMD
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("vandaag_", "verwacht"),
    [
        (date(2025, 4, 27), None),
        (date(2025, 4, 28), -14),
        (date(2025, 5, 5), -14),
        (date(2025, 5, 6), None),
        (date(2025, 5, 9), -3),
        (date(2025, 5, 12), -3),
        (date(2025, 5, 13), 1),
        (date(2025, 5, 19), 7),
        (date(2025, 5, 26), 7),
        (date(2025, 5, 27), None),
    ],
)
def test_the_step_to_send_is_the_latest_one_whose_day_has_come_within_a_week(vandaag_, verwacht):
    assert te_versturen_stap(K1_DEADLINE, vandaag_, (-14, -3, 1, 7), 7) == verwacht


# --- runs at the same moment (PostgreSQL) --------------------------------------------------

GELIJKTIJDIG = 6


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="echte gelijktijdigheid vraagt PostgreSQL; SQLite zet schrijvers achter elkaar",
)
@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_moment_send_each_reminder_once(
    verplichtingen, programma, penvoerder_met_adres, actor, vandaag, settings
):
    for i in range(3):
        ander = ProjectFactory(
            programma=programma,
            code=f"tegelijk-{i}",
            penvoerder=penvoerder_met_adres,
            startdatum=date(2025, 1, 1),
        )
        services.verplichtingen_afleiden(actor=actor, project=ander)
    settings.EMAIL_BACKEND = f"{__name__}.TrageServer"
    vandaag(STAPDAGEN[-14])  # four obligations due 12-05-2025: four reminders
    start = threading.Barrier(GELIJKTIJDIG)
    fouten: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait(timeout=30)
            time.sleep(i * 0.07)  # staggered: later runs find earlier runs mid-send
            herinneringen_verzenden()
        except BaseException as fout:  # reported in the test's own thread
            fouten.append(fout)
        finally:
            close_old_connections()
            connection.close()

    draden = [threading.Thread(target=run, args=(i,)) for i in range(GELIJKTIJDIG)]
    for draad in draden:
        draad.start()
    for draad in draden:
        draad.join(timeout=120)
    assert not fouten, fouten
    assert len(mail.outbox) == 4
    assert Herinnering.objects.filter(verstuurd_op__isnull=False).count() == 4
    assert Herinnering.objects.count() == 4
