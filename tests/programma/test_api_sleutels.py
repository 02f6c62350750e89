"""API keys per organisation: shown once, stored only as a SHA-256 hash."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programma import services
from programma.audit import Actor
from programma.models import ApiSleutel, Auditregel
from tests.programma.factories import OrganisatieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisatie():
    return OrganisatieFactory(naam="Stichting Doras")


@pytest.fixture
def sleutel_en_tekst(actor, organisatie):
    return services.api_sleutel_aanmaken(
        actor=actor,
        organisatie=organisatie,
        naam="Koppeling registratiesysteem",
        scopes=["metingen.schrijven", "projecten.lezen", "metingen.schrijven"],
    )


def test_new_key_is_returned_once_and_only_its_hash_is_stored(sleutel_en_tekst):
    sleutel, tekst = sleutel_en_tekst
    assert tekst.startswith("ont_") and len(tekst) >= 32
    rij = ApiSleutel.objects.filter(pk=sleutel.pk).values().get()
    assert rij["sleutel_hash"] == hashlib.sha256(tekst.encode()).hexdigest()
    assert all(tekst not in str(waarde) for waarde in rij.values())
    assert rij["scopes"] == ["metingen.schrijven", "projecten.lezen"]


def test_audit_of_a_new_key_holds_neither_the_key_nor_its_hash(sleutel_en_tekst):
    sleutel, tekst = sleutel_en_tekst
    regel = Auditregel.objects.get(actie="api_sleutel_aanmaken")
    vastgelegd = json.dumps([regel.voor, regel.na, regel.omschrijving])
    assert regel.object_id == str(sleutel.pk)
    assert tekst not in vastgelegd
    assert sleutel.sleutel_hash not in vastgelegd
    assert regel.na["naam"] == "Koppeling registratiesysteem"


def test_two_keys_are_different(actor, organisatie, sleutel_en_tekst):
    _, tweede = services.api_sleutel_aanmaken(
        actor=actor, organisatie=organisatie, naam="Tweede", scopes=["projecten.lezen"]
    )
    assert tweede != sleutel_en_tekst[1]


def test_right_key_is_accepted_and_its_use_recorded(sleutel_en_tekst, organisatie):
    sleutel, tekst = sleutel_en_tekst
    voor = timezone.now()
    gevonden = services.api_sleutel_controleren(tekst)
    assert gevonden is not None and gevonden.pk == sleutel.pk
    assert gevonden.organisatie == organisatie
    gebruikt = ApiSleutel.objects.get(pk=sleutel.pk).laatst_gebruikt_op
    assert gebruikt is not None and gebruikt >= voor


@pytest.mark.parametrize(
    "vervalst",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # same prefix, wrong rest
        lambda t: t + "x",
        lambda t: "ont_" + "x" * 40,
        lambda t: "",
        lambda t: t[:12],
        lambda t: t * 10,  # absurdly long
    ],
)
def test_wrong_key_is_rejected_and_nothing_is_recorded(sleutel_en_tekst, vervalst):
    sleutel, tekst = sleutel_en_tekst
    assert services.api_sleutel_controleren(vervalst(tekst)) is None
    assert ApiSleutel.objects.get(pk=sleutel.pk).laatst_gebruikt_op is None


def test_revoked_key_is_rejected_and_revoking_is_audited(actor, sleutel_en_tekst):
    sleutel, tekst = sleutel_en_tekst
    services.api_sleutel_intrekken(actor=actor, sleutel=sleutel)
    assert services.api_sleutel_controleren(tekst) is None
    regel = Auditregel.objects.get(actie="api_sleutel_intrekken")
    assert regel.voor["ingetrokken_op"] is None and regel.na["ingetrokken_op"] is not None


def test_revoking_twice_changes_nothing_the_second_time(actor, sleutel_en_tekst):
    sleutel, _ = sleutel_en_tekst
    services.api_sleutel_intrekken(actor=actor, sleutel=sleutel)
    eerste = ApiSleutel.objects.get(pk=sleutel.pk).ingetrokken_op
    services.api_sleutel_intrekken(actor=actor, sleutel=ApiSleutel.objects.get(pk=sleutel.pk))
    assert ApiSleutel.objects.get(pk=sleutel.pk).ingetrokken_op == eerste
    assert Auditregel.objects.filter(actie="api_sleutel_intrekken").count() == 1


def test_expired_key_is_rejected_and_a_key_before_expiry_accepted(actor, organisatie):
    nu = timezone.now()
    _, verlopen = services.api_sleutel_aanmaken(
        actor=actor,
        organisatie=organisatie,
        naam="Oud",
        scopes=["projecten.lezen"],
        verloopt_op=nu - timedelta(seconds=1),
    )
    _, geldig = services.api_sleutel_aanmaken(
        actor=actor,
        organisatie=organisatie,
        naam="Nieuw",
        scopes=["projecten.lezen"],
        verloopt_op=nu + timedelta(days=30),
    )
    assert services.api_sleutel_controleren(verlopen) is None
    assert services.api_sleutel_controleren(geldig) is not None


def test_key_with_unknown_scope_is_not_created(actor, organisatie, niets_opgeslagen):
    with niets_opgeslagen(ApiSleutel), pytest.raises(ValidationError) as fout:
        services.api_sleutel_aanmaken(
            actor=actor, organisatie=organisatie, naam="X", scopes=["alles.mogen"]
        )
    assert fout.value.message_dict["scopes"] == ["Onbekende scopes: alles.mogen."]


def test_short_demo_key_is_refused(actor, organisatie, niets_opgeslagen):
    with niets_opgeslagen(ApiSleutel), pytest.raises(ValidationError, match="minstens 32 tekens"):
        services.api_sleutel_aanmaken(
            actor=actor,
            organisatie=organisatie,
            naam="Demo",
            scopes=["projecten.lezen"],
            platte_sleutel="ont_kort",
        )


def test_a_key_whose_prefix_is_taken_is_refused_with_a_message(db):
    org = OrganisatieFactory()
    actor = Actor.systeem("test")
    services.api_sleutel_aanmaken(
        actor=actor,
        organisatie=org,
        naam="a",
        scopes=["projecten.lezen"],
        platte_sleutel="ont_vastgezet_" + "a" * 30,
    )
    with pytest.raises(ValidationError, match="al een API-sleutel"):
        services.api_sleutel_aanmaken(
            actor=actor,
            organisatie=org,
            naam="b",
            scopes=["projecten.lezen"],
            platte_sleutel="ont_vastgezet_" + "b" * 30,
        )
    assert ApiSleutel.objects.count() == 1
