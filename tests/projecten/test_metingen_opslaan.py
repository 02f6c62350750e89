"""Submitted measurements and their audit rows are written with plain SQL (one INSERT,
executemany or COPY) instead of the ORM's save and bulk_create: what lands in the
database must be exactly what the ORM would have stored, column for column."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction

from programma.audit import Actor, momentopname, registreer
from programma.models import Auditregel, Organisatie
from projecten import services
from projecten.api import indicator_met_project
from projecten.models import Doel, Indicator, Meting, Project
from tests.projecten.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

#: Different for every row by nature: the id, and the moments of writing.
EIGEN = {"id", "ingediend_op", "gewijzigd_op", "tijdstip", "object_id"}

WAARDEN = [
    {"waarde": Decimal("12345678901.1234"), "uitsplitsing": {"18-": Decimal("0.0001")}},
    {"waarde": Decimal("-0.5"), "toelichting": "Café, één\nregel", "bron": "CRM"},
    {"waarde": Decimal("7"), "uitsplitsing": {}},
]


def kolommen(model: type[Any], ids: list[int]) -> list[dict[str, Any]]:
    """The rows as the database holds them: no field converters in between."""
    meta = model._meta
    namen = [f.column for f in meta.concrete_fields]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(map(q, namen))} FROM {q(meta.db_table)} "
            f"WHERE {q('id')} IN ({', '.join(['%s'] * len(ids))}) ORDER BY {q('id')}",
            ids,
        )
        return [dict(zip(namen, rij, strict=True)) for rij in cursor.fetchall()]


def zonder_eigen(rijen: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in rij.items() if k not in EIGEN} for rij in rijen]


def via_orm(actor: Actor, organisatie: Organisatie | None, items: list[dict[str, Any]]) -> list:
    """What the services stored before: ``save`` per measurement, ``registreer`` per row
    (``bulk_create`` prepares each field the same way)."""
    metingen = []
    with transaction.atomic():
        for item in items:
            meting = Meting(
                ingediend_door=actor.gebruiker, ingediend_door_organisatie=organisatie, **item
            )
            meting.save()
            registreer(actor=actor, actie="meting_indienen", obj=meting, na=momentopname(meting))
            metingen.append(meting)
    return metingen


#: Months within the ``project`` fixture (15-03-2025 – 30-06-2026).
MAANDEN = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]


def als_json(waarde: Any) -> Any:
    return json.loads(waarde) if isinstance(waarde, str) else waarde


def audit_zonder_eigen(ids: list[int]) -> list[dict[str, Any]]:
    """The audit rows as stored, without what differs per write (the snapshot's id and
    moments included); the snapshot's keys keep their order."""
    rijen = []
    for rij in zonder_eigen(kolommen(Auditregel, ids)):
        na = als_json(rij.pop("na"))
        rijen.append({**rij, "na": [(k, v) for k, v in na.items() if k not in EIGEN]})
    return rijen


@pytest.mark.parametrize("aantal", [1, 3, 150], ids=["een", "enkele", "copy-grootte"])
def test_ingediende_metingen_en_hun_auditregels_staan_er_zoals_de_orm_ze_schrijft(
    partner_actor: Actor, penvoerder: Organisatie, project: Project, aantal: int
) -> None:
    indicatoren = [IndicatorFactory(doel__project=project, eenheid="score") for _ in range(10)]
    items = [
        {"indicator": indicatoren[i % 10], "periode": MAANDEN[i // 10], **WAARDEN[i % 3]}
        for i in range(aantal)
    ]
    if aantal == 1:
        nieuw = [
            services.meting_indienen(
                actor=partner_actor, organisatie=penvoerder, invoer_gecontroleerd=True, **items[0]
            )
        ]
    else:
        nieuw = services.metingen_indienen(
            actor=partner_actor, organisatie=penvoerder, items=items, invoer_gecontroleerd=True
        )
    ids = [m.pk for m in nieuw]
    audit_ids = list(
        Auditregel.objects.filter(actie="meting_indienen")
        .order_by("id")
        .values_list("id", flat=True)
    )
    gelezen = kolommen(Meting, ids)
    for meting, audit_id, rij in zip(nieuw, audit_ids, gelezen, strict=True):
        regel = Auditregel.objects.get(pk=audit_id)
        # One audit row per measurement, in order, with the snapshot of what was stored.
        assert regel.object_id == str(meting.pk) == str(rij["id"])
        assert regel.na == momentopname(meting)
        assert rij["ingediend_op"] == rij["gewijzigd_op"]

    Meting.objects.filter(pk__in=ids).delete()
    oud = via_orm(partner_actor, penvoerder, items)
    oude_audit = list(
        Auditregel.objects.filter(actie="meting_indienen")
        .order_by("id")
        .values_list("id", flat=True)[aantal:]
    )
    assert zonder_eigen(gelezen) == zonder_eigen(kolommen(Meting, [m.pk for m in oud]))
    assert audit_zonder_eigen(audit_ids) == audit_zonder_eigen(oude_audit)


def test_de_momentopname_is_die_van_de_opgeslagen_meting(
    partner_actor: Actor, penvoerder: Organisatie, indicator: Indicator
) -> None:
    meting = services.meting_indienen(
        actor=partner_actor,
        organisatie=penvoerder,
        indicator=indicator,
        periode="2025-K4",
        waarde=Decimal("3.2500"),
        uitsplitsing={"buurt": Decimal("1.25")},
        invoer_gecontroleerd=True,
    )
    regel = Auditregel.objects.get(actie="meting_indienen", object_id=str(meting.pk))
    assert regel.na == momentopname(meting)
    opgeslagen = Meting.objects.get(pk=meting.pk)
    assert regel.na["ingediend_op"] == opgeslagen.ingediend_op.isoformat()
    assert Decimal(regel.na["waarde"]) == opgeslagen.waarde
    assert opgeslagen.uitsplitsing == {"buurt": "1.25"}
    assert (meting.pk, meting.versie, meting._state.adding) == (opgeslagen.pk, 1, False)


def test_gecontroleerde_invoer_slaat_geen_regel_van_het_model_over(
    partner_actor: Actor, penvoerder: Organisatie, project: Project
) -> None:
    """The schema checks the fields; the period within the project, a year the calendar
    knows and a value the indicator allows are still checked by the service."""
    percentage = IndicatorFactory(doel__project=project, eenheid="percentage")
    items = [
        {"indicator": percentage, "periode": "2030-K1", "waarde": Decimal("1")},
        {"indicator": percentage, "periode": "1800", "waarde": Decimal("1")},
        {"indicator": percentage, "periode": "2025-K4", "waarde": Decimal("101")},
    ]
    for gecontroleerd in (False, True):
        with pytest.raises(services.Bulkfouten) as fout:
            services.metingen_indienen(
                actor=partner_actor,
                organisatie=penvoerder,
                items=items,
                invoer_gecontroleerd=gecontroleerd,
            )
        assert [(f["index"], f["veld"]) for f in fout.value.fouten] == [
            (0, "periode"),
            (1, "periode"),
            (2, "waarde"),
        ]
    assert not Meting.objects.filter(indicator=percentage).exists()


def test_de_schemas_zijn_minstens_zo_streng_als_de_velden() -> None:
    """What lets the API skip the field validation: every limit of a field that a partner
    fills in is also in the schema, or stricter."""
    from programma.perioden import PERIODE_PATROON
    from projecten.schemas import MetingIn

    velden = MetingIn.model_fields
    assert any(
        getattr(m, "pattern", None) == PERIODE_PATROON.pattern for m in velden["periode"].metadata
    )
    meta = {type(m).__name__: m for m in velden["waarde"].metadata}
    waarde = Meting._meta.get_field("waarde")
    assert meta["_PydanticGeneralMetadata"].max_digits <= waarde.max_digits  # type: ignore[attr-defined]
    assert meta["_PydanticGeneralMetadata"].decimal_places <= waarde.decimal_places  # type: ignore[attr-defined]
    bron = [m for m in velden["bron"].metadata if hasattr(m, "max_length")]
    assert bron[0].max_length <= Meting._meta.get_field("bron").max_length


def test_indicator_met_project_laadt_wat_select_related_laadt(project: Project) -> None:
    indicator = IndicatorFactory(
        doel__project=project, basiswaarde=Decimal("12.5"), basisjaar=2024, eenheid="euro"
    )
    snel = indicator_met_project(indicator.pk)
    orm = Indicator.objects.select_related("doel__project").get(pk=indicator.pk)
    assert snel is not None
    for model, a, b in (
        (Indicator, snel, orm),
        (Doel, snel.doel, orm.doel),
        (Project, snel.doel.project, orm.doel.project),
    ):
        for veld in model._meta.concrete_fields:
            assert getattr(a, veld.attname) == getattr(b, veld.attname), veld.name
            assert type(getattr(a, veld.attname)) is type(getattr(b, veld.attname)), veld.name
    assert indicator_met_project(indicator.pk + 1000) is None
