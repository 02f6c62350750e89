"""The audit trail: written in the transaction of the change, never changed or deleted."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from programma import services
from programma.audit import Actor, registreer
from programma.models import Auditregel, Budgetenvelop, Organisatie
from tests.programma.factories import OrganisatieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regel(actor) -> Auditregel:
    services.organisatie_aanmaken(actor=actor, naam="Buurtbuik", soort="bewonersorganisatie")
    return Auditregel.objects.get(actie="organisatie_aanmaken")


def test_audit_row_names_who_did_what_to_which_object(actor):
    org = services.organisatie_aanmaken(actor=actor, naam="Buurtbuik", soort="bewonersorganisatie")
    regel = Auditregel.objects.get()
    assert regel.gebruiker == actor.gebruiker
    assert (regel.actie, regel.objecttype, regel.object_id) == (
        "organisatie_aanmaken",
        "programma.organisatie",
        str(org.pk),
    )
    assert regel.omschrijving == "Buurtbuik"
    assert regel.tijdstip is not None


def test_audit_row_of_a_system_task_names_the_task():
    services.organisatie_aanmaken(
        actor=Actor.systeem("demo-gegevens"), naam="Buurtbuik", soort="overig"
    )
    regel = Auditregel.objects.get()
    assert (regel.gebruiker, regel.namens) == (None, "demo-gegevens")


def test_anonymous_actor_is_recorded_as_anonymous():
    actor = Actor.van(AnonymousUser())
    services.organisatie_aanmaken(actor=actor, naam="Buurtbuik", soort="overig")
    assert Auditregel.objects.get().namens == "anoniem"


def test_audit_row_cannot_be_deleted(regel):
    with pytest.raises(PermissionError, match="nooit verwijderd"):
        regel.delete()
    with pytest.raises(PermissionError, match="kan niet worden verwijderd"):
        Auditregel.objects.all().delete()
    with pytest.raises(PermissionError):
        Auditregel.objects.filter(pk=regel.pk).delete()
    assert Auditregel.objects.filter(pk=regel.pk).exists()


def test_audit_row_cannot_be_changed(regel):
    regel.actie = "iets_anders"
    with pytest.raises(PermissionError, match="nooit gewijzigd"):
        regel.save()
    with pytest.raises(PermissionError, match="kan niet worden gewijzigd"):
        Auditregel.objects.filter(pk=regel.pk).update(actie="iets_anders")
    # bulk_update runs in a transaction of its own: the refusal breaks only that one.
    with pytest.raises(PermissionError), transaction.atomic():
        Auditregel.objects.bulk_update([regel], ["actie"])
    assert Auditregel.objects.get(pk=regel.pk).actie == "organisatie_aanmaken"


def test_audit_row_is_rolled_back_with_the_change_it_records(actor):
    with pytest.raises(RuntimeError, match="betaling mislukt"), transaction.atomic():
        services.organisatie_aanmaken(actor=actor, naam="Buurtbuik", soort="overig")
        assert Auditregel.objects.count() == 1
        raise RuntimeError("betaling mislukt")
    assert Auditregel.objects.count() == 0
    assert not Organisatie.objects.filter(naam="Buurtbuik").exists()


def test_a_refused_change_leaves_neither_change_nor_audit_row(actor, programma, thema):
    """The envelope is found and locked, the new amount is refused: the old amount and the
    trail stay as they were."""
    services.budgetenvelop_vastleggen(
        actor=actor, programma=programma, thema=thema, jaar=2025, bedrag=Decimal("10.00")
    )
    with pytest.raises(Exception):  # noqa: B017 - which error is the validation tests' business
        services.budgetenvelop_vastleggen(
            actor=actor, programma=programma, thema=thema, jaar=2025, bedrag=Decimal("-10.00")
        )
    assert list(Auditregel.objects.values_list("actie", flat=True)) == ["budgetenvelop_aanmaken"]
    assert Budgetenvelop.objects.get().bedrag == Decimal("10.00")


@pytest.mark.django_db(transaction=True)
def test_audit_row_is_refused_outside_a_transaction():
    org = OrganisatieFactory()
    with pytest.raises(RuntimeError, match="in dezelfde transactie"):
        registreer(actor=Actor.systeem("test"), actie="organisatie_wijzigen", obj=org)
    assert Auditregel.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_service_commits_change_and_audit_row_together():
    """Without the test's wrapping transaction, as in production: the service's own
    transaction commits both."""
    org = services.organisatie_aanmaken(
        actor=Actor.systeem("test"), naam="Buurtbuik", soort="overig"
    )
    assert (
        Auditregel.objects.filter(object_id=str(org.pk), actie="organisatie_aanmaken").count() == 1
    )
