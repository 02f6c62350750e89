"""People acting on the same thing at the same moment, on PostgreSQL with real threads,
each with its own database connection: two reviewers on one submission (alone and in
overlapping bulk selections), two partner organisations submitting the same indicator and
period, two partners correcting the same measurement, a tranche released and paid twice.
Every case ends consistent: one winner, a clear refusal for the other, no lost update, no
duplicate row and exactly one audit row per change.

Elsewhere: the idempotency race (the same POST with one ``Idempotency-Key`` at once, and
duplicates without a key) in tests/api/test_veilig_schrijven.py, two automatic tranche
checks in tests/projecten/test_tranches.py, and reminder runs in
tests/projecten/test_herinneringen.py."""

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from programma.audit import Actor
from programma.fouten import Bulkfouten, Conflict, VersieVerouderd
from programma.models import Auditregel, Organisatie, Rol
from projecten import services
from projecten.models import Beoordeling, Indicator, Meting, Project, Tranche, Voortgangsverslag
from tests.programma.factories import OrganisatieFactory, RolFactory
from tests.projecten.factories import (
    BeschikkingFactory,
    MetingFactory,
    ProjectpartnerFactory,
    TrancheFactory,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="echte gelijktijdigheid vraagt PostgreSQL; SQLite laat één schrijver tegelijk toe",
    ),
    pytest.mark.django_db(transaction=True),
]

Uitkomst = tuple[str, Any]  # ("ok", result) or ("fout", exception)


def tegelijk(*taken: Callable[[], Any]) -> list[Uitkomst]:
    """Run every task in its own thread, released together by a barrier; return each one's
    result or exception, in the order given. Each thread closes its own connection."""
    start = threading.Barrier(len(taken))
    uitkomsten: list[Uitkomst | None] = [None] * len(taken)

    def werk(i: int, taak: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=30)
            uitkomsten[i] = ("ok", taak())
        except BaseException as fout:  # judged by the test, in its own thread
            uitkomsten[i] = ("fout", fout)
        finally:
            connection.close()

    draden = [threading.Thread(target=werk, args=(i, t)) for i, t in enumerate(taken)]
    for draad in draden:
        draad.start()
    for draad in draden:
        draad.join(timeout=60)
    assert all(not d.is_alive() for d in draden), "a thread hung: a deadlock?"
    return [u for u in uitkomsten if u is not None]


def winnaar_en_verliezer(uitkomsten: list[Uitkomst], weigering: type[BaseException]) -> Any:
    """Exactly one task succeeded and every other was refused with ``weigering``."""
    soorten = sorted(soort for soort, _ in uitkomsten)
    assert soorten == ["fout"] * (len(uitkomsten) - 1) + ["ok"], uitkomsten
    for soort, waarde in uitkomsten:
        if soort == "fout":
            assert isinstance(waarde, weigering), repr(waarde)
    return next(waarde for soort, waarde in uitkomsten if soort == "ok")


def audit(actie: str) -> int:
    return Auditregel.objects.filter(actie=actie).count()


@pytest.fixture
def tweede_manager(programma) -> Actor:
    return Actor(
        gebruiker=RolFactory(soort=Rol.Soort.PROGRAMMAMANAGER, programma=programma).gebruiker
    )


@pytest.fixture
def tweede_partner(project: Project) -> Organisatie:
    organisatie = OrganisatieFactory(naam="Woonstad", soort=Organisatie.Soort.WONINGCORPORATIE)
    ProjectpartnerFactory(project=project, organisatie=organisatie)
    return organisatie


def ingediend(indicator: Indicator, periode: str = "2025-K3") -> Meting:
    return MetingFactory(indicator=indicator, periode=periode, waarde=Decimal("40"))


# --- two reviewers -------------------------------------------------------------------------


def test_two_reviewers_on_one_measurement_one_decides_the_other_is_told(
    indicator, actor, tweede_manager
) -> None:
    """One approves while the other returns it: the row lock makes them take turns, the
    second finds it already reviewed and is refused; status and audit agree with the first."""
    meting = ingediend(indicator)
    uitkomsten = tegelijk(
        lambda: services.meting_beoordelen(
            actor=actor, meting=meting, besluit=Beoordeling.GOEDGEKEURD, nawerk=False
        ),
        lambda: services.meting_beoordelen(
            actor=tweede_manager,
            meting=meting,
            besluit=Beoordeling.TERUGGESTUURD,
            toelichting="Bron ontbreekt.",
            nawerk=False,
        ),
    )
    gewonnen = winnaar_en_verliezer(uitkomsten, ValidationError)
    meting.refresh_from_db()
    assert meting.status == gewonnen.status
    assert meting.beoordeeld_door == gewonnen.beoordeeld_door
    assert audit("meting_beoordelen") == 1
    regel = Auditregel.objects.get(actie="meting_beoordelen")
    assert regel.gebruiker == gewonnen.beoordeeld_door


def test_two_reviewers_with_overlapping_bulk_selections_neither_deadlock_nor_mix(
    indicator, actor, tweede_manager
) -> None:
    """Selections [a, b, c] and [c, b, a] at the same moment: rows are locked in id order, so
    no deadlock; one bulk decision wins entirely, the other changes nothing and names each
    submission someone else reviewed meanwhile."""
    metingen = [ingediend(indicator, p) for p in ("2025-K2", "2025-K3", "2025-K4")]
    uitkomsten = tegelijk(
        lambda: services.inzendingen_beoordelen(
            actor=actor, metingen=metingen, besluit=Beoordeling.GOEDGEKEURD
        ),
        lambda: services.inzendingen_beoordelen(
            actor=tweede_manager,
            metingen=list(reversed(metingen)),
            besluit=Beoordeling.TERUGGESTUURD,
            toelichting="Toelichting ontbreekt.",
        ),
    )
    gewonnen = winnaar_en_verliezer(uitkomsten, Bulkfouten)
    verloren = next(w for s, w in uitkomsten if s == "fout")
    assert sorted(f["id"] for f in verloren.fouten) == sorted(m.pk for m in metingen)
    assert all("intussen al" in str(f["melding"]) for f in verloren.fouten)
    besluit = gewonnen[0].status
    assert {m.status for m in Meting.objects.filter(pk__in=[m.pk for m in metingen])} == {besluit}
    assert audit("meting_beoordelen") == 3
    assert (
        Auditregel.objects.filter(actie="meting_beoordelen").values("gebruiker").distinct().count()
        == 1
    )


# --- two partners writing the same period --------------------------------------------------


def test_two_organisations_submitting_one_indicator_and_period_store_one_measurement(
    indicator, partner_actor, penvoerder, tweede_partner
) -> None:
    andere = Actor(
        gebruiker=RolFactory(soort=Rol.Soort.PARTNER, organisatie=tweede_partner).gebruiker
    )
    uitkomsten = tegelijk(
        lambda: services.meting_indienen(
            actor=partner_actor,
            indicator=indicator,
            periode="2025-K3",
            waarde=Decimal("41"),
            organisatie=penvoerder,
        ),
        lambda: services.meting_indienen(
            actor=andere,
            indicator=indicator,
            periode="2025-K3",
            waarde=Decimal("57"),
            organisatie=tweede_partner,
        ),
    )
    gewonnen = winnaar_en_verliezer(uitkomsten, Conflict)
    verloren = next(w for s, w in uitkomsten if s == "fout")
    assert "al een meting ingediend" in str(verloren)
    opgeslagen = Meting.objects.get(indicator=indicator, periode="2025-K3")
    assert opgeslagen.pk == gewonnen.pk
    assert opgeslagen.waarde == gewonnen.waarde
    assert opgeslagen.ingediend_door_organisatie_id == gewonnen.ingediend_door_organisatie_id
    assert audit("meting_indienen") == 1


def test_two_partners_correcting_one_version_the_second_gets_a_conflict_not_a_lost_update(
    indicator, partner_actor, penvoerder, tweede_partner
) -> None:
    andere = Actor(
        gebruiker=RolFactory(soort=Rol.Soort.PARTNER, organisatie=tweede_partner).gebruiker
    )
    meting = ingediend(indicator)
    versie = meting.versie
    uitkomsten = tegelijk(
        lambda: services.meting_corrigeren(
            actor=partner_actor,
            meting=meting,
            versie=versie,
            organisatie=penvoerder,
            waarde=Decimal("44"),
        ),
        lambda: services.meting_corrigeren(
            actor=andere,
            meting=meting,
            versie=versie,
            organisatie=tweede_partner,
            waarde=Decimal("46"),
        ),
    )
    gewonnen = winnaar_en_verliezer(uitkomsten, VersieVerouderd)
    meting.refresh_from_db()
    assert meting.versie == versie + 1
    assert meting.waarde == gewonnen.waarde
    assert audit("meting_corrigeren") == 1


# --- a tranche released and paid twice -----------------------------------------------------


@pytest.fixture
def tranche(project) -> Tranche:
    beschikking = BeschikkingFactory(project=project, kenmerk="VRO-2025-00077")
    return TrancheFactory(beschikking=beschikking, volgnummer=1, bedrag=Decimal("25000.00"))


def test_a_tranche_released_twice_at_once_is_released_once(tranche, actor, tweede_manager) -> None:
    uitkomsten = tegelijk(
        lambda: services.tranche_vrijgeven(actor=actor, tranche=tranche, reden="Eerste"),
        lambda: services.tranche_vrijgeven(actor=tweede_manager, tranche=tranche, reden="Tweede"),
    )
    assert [s for s, _ in uitkomsten] == ["ok", "ok"]  # the second finds it released: no-op
    tranche.refresh_from_db()
    assert tranche.status == Tranche.Status.VRIJGEGEVEN
    assert audit("tranche_vrijgeven") == 1
    regel = Auditregel.objects.get(actie="tranche_vrijgeven")
    assert tranche.vrijgave_reden in str(regel.na)
    # both callers were answered with the one release that happened
    assert {w.vrijgegeven_op for _, w in uitkomsten} == {tranche.vrijgegeven_op}


def test_a_tranche_paid_twice_at_once_is_paid_once(tranche, actor, tweede_manager) -> None:
    services.tranche_vrijgeven(actor=actor, tranche=tranche, reden="Voorwaarde vervuld")
    uitkomsten = tegelijk(
        lambda: services.tranche_betalen(actor=actor, tranche=tranche, betaald_op=date(2025, 4, 1)),
        lambda: services.tranche_betalen(
            actor=tweede_manager, tranche=tranche, betaald_op=date(2025, 4, 2)
        ),
    )
    gewonnen = winnaar_en_verliezer(uitkomsten, ValidationError)
    tranche.refresh_from_db()
    assert tranche.status == Tranche.Status.BETAALD
    assert tranche.betaald_op == gewonnen.betaald_op
    assert tranche.bedrag == Decimal("25000.00")
    assert audit("tranche_betalen") == 1


def test_many_releases_and_payments_of_one_grant_at_once_add_up(project, actor) -> None:
    """Eight threads each release and pay their own tranche of one grant while a ninth
    releases all of them: the paid total is the sum of the tranches, each paid once."""
    beschikking = BeschikkingFactory(project=project, bedrag=Decimal("100000.00"))
    tranches = [
        TrancheFactory(beschikking=beschikking, volgnummer=i + 1, bedrag=Decimal("12500.00"))
        for i in range(8)
    ]

    def betaal(t: Tranche) -> Callable[[], Tranche]:
        def taak() -> Tranche:
            services.tranche_vrijgeven(actor=actor, tranche=t, reden="Handmatig")
            return services.tranche_betalen(actor=actor, tranche=t, betaald_op=timezone.localdate())

        return taak

    def alles_vrijgeven() -> int:
        return len(
            [services.tranche_vrijgeven(actor=actor, tranche=t, reden="Alles") for t in tranches]
        )

    uitkomsten = tegelijk(*(betaal(t) for t in tranches), alles_vrijgeven)
    assert all(soort == "ok" for soort, _ in uitkomsten), uitkomsten
    betaald = Tranche.objects.filter(beschikking=beschikking, status=Tranche.Status.BETAALD)
    assert betaald.count() == 8
    assert sum(t.bedrag for t in betaald) == Decimal("100000.00")
    assert audit("tranche_vrijgeven") == 8
    assert audit("tranche_betalen") == 8


def test_tranches_added_at_once_never_together_exceed_the_grant(
    project, actor, tweede_manager
) -> None:
    """Four managers each add a tranche of 30,000 to a grant of 100,000 at the same moment:
    the grant is locked, so three fit, the fourth is refused, and the numbers do not clash."""
    beschikking = BeschikkingFactory(project=project, bedrag=Decimal("100000.00"))
    uitkomsten = tegelijk(
        *(
            (
                lambda wie=wie: services.tranche_aanmaken(
                    actor=wie,
                    beschikking=beschikking,
                    geplande_datum=date(2025, 6, 1),
                    bedrag=Decimal("30000.00"),
                )
            )
            for wie in (actor, tweede_manager, actor, tweede_manager)
        )
    )
    assert sorted(s for s, _ in uitkomsten) == ["fout", "ok", "ok", "ok"], uitkomsten
    geweigerd = next(w for s, w in uitkomsten if s == "fout")
    assert isinstance(geweigerd, ValidationError)
    assert "overschrijden de beschikking" in str(geweigerd)
    tranches = Tranche.objects.filter(beschikking=beschikking)
    assert sorted(t.volgnummer for t in tranches) == [1, 2, 3]
    assert sum(t.bedrag for t in tranches) == Decimal("90000.00")
    assert audit("tranche_aanmaken") == 3


def test_two_organisations_submitting_one_narrative_for_a_period_store_one(
    project, partner_actor, penvoerder, tweede_partner
) -> None:
    andere = Actor(
        gebruiker=RolFactory(soort=Rol.Soort.PARTNER, organisatie=tweede_partner).gebruiker
    )
    uitkomsten = tegelijk(
        *(
            (
                lambda wie=wie, org=org: services.voortgangsverslag_indienen(
                    actor=wie,
                    project=project,
                    periode="2025-K3",
                    samenvatting=f"Verslag van {org.naam}.",
                    organisatie=org,
                )
            )
            for wie, org in ((partner_actor, penvoerder), (andere, tweede_partner))
        )
    )
    gewonnen = winnaar_en_verliezer(uitkomsten, Conflict)
    opgeslagen = Voortgangsverslag.objects.get(project=project, periode="2025-K3")
    assert opgeslagen.pk == gewonnen.pk
    assert opgeslagen.samenvatting == gewonnen.samenvatting
    assert audit("voortgangsverslag_indienen") == 1
