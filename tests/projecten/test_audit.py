"""Every write service leaves exactly one audit row per changed object, naming the actor and
the action, with the values before (for a change) and after."""

from datetime import date
from decimal import Decimal

import pytest

from programma import services as programma_services
from programma.models import Auditregel
from projecten import services
from tests.projecten.factories import (
    BestedingFactory,
    DoelFactory,
    MetingFactory,
    VoortgangsverslagFactory,
)

pytestmark = pytest.mark.django_db

# (action, is a change of an existing row, call)
SCHRIJFACTIES = [
    (
        "thema_aanmaken",
        False,
        lambda a, p, i: programma_services.thema_aanmaken(
            actor=a, programma=p.programma, code="jonge-kind", naam="Ontwikkeling jonge kind"
        ),
    ),
    (
        "programmadoel_aanmaken",
        False,
        lambda a, p, i: programma_services.programmadoel_aanmaken(
            actor=a, programma=p.programma, titel="Kansrijk opgroeien"
        ),
    ),
    (
        "project_wijzigen",
        True,
        lambda a, p, i: services.project_wijzigen(actor=a, project=p, titel="Buurtcoaches 2.0"),
    ),
    (
        "project_status_wijzigen",
        True,
        lambda a, p, i: services.project_status_wijzigen(actor=a, project=p, status="gestopt"),
    ),
    (
        "doel_aanmaken",
        False,
        lambda a, p, i: services.doel_aanmaken(actor=a, project=p, titel="Minder schulden"),
    ),
    (
        "indicator_aanmaken",
        False,
        lambda a, p, i: services.indicator_aanmaken(
            actor=a, doel=DoelFactory(project=p), naam="Schuldvrij"
        ),
    ),
    (
        "streefwaarde_vastleggen",
        False,
        lambda a, p, i: services.streefwaarden_vastleggen(
            actor=a, indicator=i, waarden={"2025": Decimal("25")}
        ),
    ),
    (
        "besteding_beoordelen",
        True,
        lambda a, p, i: services.besteding_beoordelen(
            actor=a, besteding=BestedingFactory(project=p), besluit="goedgekeurd"
        ),
    ),
    (
        "meting_beoordelen",
        True,
        lambda a, p, i: services.meting_beoordelen(
            actor=a, meting=MetingFactory(indicator=i), besluit="teruggestuurd", toelichting="Bron?"
        ),
    ),
    (
        "voortgangsverslag_corrigeren",
        True,
        lambda a, p, i: services.voortgangsverslag_corrigeren(
            actor=a, verslag=VoortgangsverslagFactory(project=p), samenvatting="Aangevuld."
        ),
    ),
    (
        "voortgangsverslag_beoordelen",
        True,
        lambda a, p, i: services.voortgangsverslag_beoordelen(
            actor=a, verslag=VoortgangsverslagFactory(project=p), besluit="goedgekeurd"
        ),
    ),
    (
        "begroting_vastleggen",
        False,
        lambda a, p, i: services.begrotingsregel_vastleggen(
            actor=a, project=p, jaar=2026, kostensoort="materieel", bedrag=Decimal("99.95")
        ),
    ),
    (
        "beschikking_aanmaken",
        False,
        lambda a, p, i: services.beschikking_aanmaken(
            actor=a,
            project=p,
            financier=p.programma.opdrachtgever,
            regeling="SPUK",
            kenmerk="K-1",
            bedrag=Decimal("5000.00"),
            status="verleend",
            datum=date(2025, 4, 1),
        ),
    ),
]


@pytest.mark.parametrize(
    ("actie", "wijziging", "schrijf"), SCHRIJFACTIES, ids=[s[0] for s in SCHRIJFACTIES]
)
def test_write_service_records_one_audit_row_with_actor_and_values(
    actor, project, indicator, actie, wijziging, schrijf
):
    voor = set(Auditregel.objects.values_list("pk", flat=True))
    resultaat = schrijf(actor, project, indicator)
    obj = resultaat[0] if isinstance(resultaat, list) else resultaat
    nieuw = Auditregel.objects.exclude(pk__in=voor).filter(actie=actie)
    assert nieuw.count() == 1
    regel = nieuw.get()
    assert (regel.gebruiker, regel.object_id, regel.objecttype) == (
        actor.gebruiker,
        str(obj.pk),
        obj._meta.label_lower,
    )
    assert regel.na["id"] == obj.pk
    if wijziging:
        assert regel.voor is not None and regel.voor != regel.na
    else:
        assert regel.voor is None


def test_api_key_actor_is_named_in_the_audit_row(project, indicator, penvoerder):
    from programma.audit import Actor

    sleutel = Actor.systeem("API-sleutel ont_abcd1234 (Stichting Doras)")
    services.meting_indienen(
        actor=sleutel,
        indicator=indicator,
        periode="2025-K2",
        waarde=Decimal("5"),
        organisatie=penvoerder,
    )
    regel = Auditregel.objects.get(actie="meting_indienen")
    assert (regel.gebruiker, regel.namens) == (None, "API-sleutel ont_abcd1234 (Stichting Doras)")
    assert regel.na["ingediend_door_organisatie_id"] == penvoerder.pk
