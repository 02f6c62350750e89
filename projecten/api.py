"""Partner endpoints: an organisation's projects, and the measurements, expenditures and
progress narratives it submits. Thin: parse, call a selector or service, answer."""

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from ontschot.paginering import pagineer
from programma.api import vereis_scope
from programma.audit import Actor
from programma.fouten import (
    Bulkfouten,
    Conflict,
    NietGevonden,
    VersieVerouderd,
    VoorwaardeOntbreekt,
)
from programma.models import ApiSleutel, Organisatie
from projecten import schemas as s
from projecten import selectors, services
from projecten.models import Besteding, Doel, Indicator, Meting, Project, Voortgangsverslag

router = Router()

PROJECTEN_LEZEN = ApiSleutel.Scope.PROJECTEN_LEZEN
METINGEN = ApiSleutel.Scope.METINGEN_SCHRIJVEN
BESTEDINGEN = ApiSleutel.Scope.BESTEDINGEN_SCHRIJVEN
VERSLAGEN = ApiSleutel.Scope.VERSLAGEN_SCHRIJVEN


def actor(request: HttpRequest) -> Actor:
    sleutel: ApiSleutel = request.auth  # type: ignore[attr-defined]
    return Actor.systeem(f"api-sleutel:{sleutel.prefix} ({sleutel.organisatie.naam})")


def etag(obj: Meting | Besteding | Voortgangsverslag) -> str:
    return f'"{obj.pk}-{obj.versie}"'


def versie_uit_if_match(request: HttpRequest, obj: Meting | Besteding | Voortgangsverslag) -> int:
    """The version the client saw, from ``If-Match``; 428 without it, 412 when stale."""
    if_match = request.headers.get("If-Match")
    if not if_match:
        raise VoorwaardeOntbreekt("Stuur de ETag van de versie die u corrigeert mee in If-Match.")
    if if_match.strip() not in (etag(obj), "*"):
        raise VersieVerouderd(
            f"De inzending is intussen gewijzigd; de huidige ETag is {etag(obj)}."
        )
    return obj.versie


def met_etag(response: HttpResponse, obj: Meting | Besteding | Voortgangsverslag) -> HttpResponse:
    response["ETag"] = etag(obj)
    return response


# --- projects -----------------------------------------------------------------------------


def projecten_van(organisatie: Organisatie) -> QuerySet[Project]:
    return (
        selectors.projecten_van_organisatie(organisatie)
        .select_related("programma", "penvoerder")
        .prefetch_related("themas", "focusgebieden")
        .order_by("id")
    )


@router.get(
    "/projecten",
    response=s.ProjectPagina,
    by_alias=True,
    tags=["projecten"],
    summary="Projecten van de organisatie",
)
def projecten_lijst(request: HttpRequest, filters: Query[s.Projectfilter]) -> dict[str, Any]:
    organisatie = vereis_scope(request, PROJECTEN_LEZEN)
    qs = projecten_van(organisatie)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return pagineer(request, qs, filters)


@router.get(
    "/projecten/{project_id}",
    response=s.ProjectDetailUit,
    by_alias=True,
    tags=["projecten"],
    summary="Eén project met indicatoren, streefwaarden en verplichtingen",
)
def project_detail(request: HttpRequest, project_id: int) -> Project:
    organisatie = vereis_scope(request, PROJECTEN_LEZEN)
    return get_object_or_404(
        projecten_van(organisatie).prefetch_related(
            "doelen__indicatoren__streefwaarden", "verplichtingen", "beschikkingen"
        ),
        pk=project_id,
    )


# --- shared shapes of the three submission resources --------------------------------------


def _lijst(
    request: HttpRequest, qs: QuerySet[Any], filters: s.Lijstfilter, projectveld: str
) -> dict[str, Any]:
    if filters.project:
        qs = qs.filter(**{projectveld: filters.project})
    if filters.periode:
        qs = qs.filter(periode=filters.periode)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.gewijzigd_sinds:
        qs = qs.filter(gewijzigd_op__gte=filters.gewijzigd_sinds)
    return pagineer(request, qs.order_by("id"), filters)


def _batch(items: Sequence[Any], verwerk: Callable[[int, Any], Any]) -> list[Any]:
    """Run ``verwerk`` for every item in one transaction; collect every item's errors and
    store nothing unless all succeed."""
    fouten: list[dict[str, object]] = []
    resultaten: list[Any] = []
    with transaction.atomic():
        for index, item in enumerate(items):
            try:
                with transaction.atomic():
                    resultaten.append(verwerk(index, item))
            except ValidationError as fout:
                for veld, meldingen in fout.message_dict.items():
                    fouten.extend({"index": index, "veld": veld, "melding": m} for m in meldingen)
            except (Conflict, NietGevonden) as fout:
                veld = getattr(fout, "veld", "") or "project"
                fouten.append({"index": index, "veld": veld, "melding": str(fout)})
        if fouten:
            raise Bulkfouten(fouten)
    return resultaten


# --- measurements -------------------------------------------------------------------------


def metingen_van(organisatie: Organisatie) -> QuerySet[Meting]:
    return Meting.objects.filter(
        indicator__doel__project__in=selectors.projecten_van_organisatie(organisatie)
    ).select_related("indicator__doel")


def indicatoren_van(organisatie: Organisatie, ids: set[int]) -> dict[int, Indicator]:
    # Projectpartner is unique per project and organisation: the join adds no duplicates.
    qs = (
        Indicator.objects.filter(pk__in=ids, doel__project__partners__organisatie=organisatie)
        .select_related("doel__project__programma")
        .order_by()
    )
    return {i.pk: i for i in qs}


ONBEKENDE_INDICATOR = "Deze indicator bestaat niet of hoort niet bij uw projecten."
_MET_PROJECT: tuple[type[Model], ...] = (Indicator, Doel, Project)


@cache
def _indicator_sql(vendor: str) -> tuple[str, list[tuple[type[Model], list[Any]]]]:
    """The query of ``indicator_met_project``, and per model each field with its column
    and converters, in the order of the selected columns; built once per database."""
    q = connection.ops.quote_name
    modellen = [(m, list(m._meta.concrete_fields)) for m in _MET_PROJECT]
    kolommen = ", ".join(
        f"{alias}.{q(f.column)}"
        for alias, (_, velden) in zip("idp", modellen, strict=True)
        for f in velden
    )
    sql = (
        f"SELECT {kolommen} FROM {q(Indicator._meta.db_table)} i "
        f"JOIN {q(Doel._meta.db_table)} d ON d.{q('id')} = i.{q('doel_id')} "
        f"JOIN {q(Project._meta.db_table)} p ON p.{q('id')} = d.{q('project_id')} "
        f"WHERE i.{q('id')} = %s"
    )
    omzetters = []
    for model, velden in modellen:
        kolomomzetters = []
        for veld in velden:
            kolom = veld.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(kolom) + kolom.get_db_converters(
                connection
            )
            kolomomzetters.append((veld, kolom, converters))
        omzetters.append((model, kolomomzetters))
    return sql, omzetters


def indicator_met_project(indicator_id: int) -> Indicator | None:
    """The indicator with its goal and project, as ``select_related("doel__project")``
    loads them (each value through its field's and the backend's converters; a test holds
    them equal), from one plain query: every single submission needs them, and building
    that ORM query cost more CPU than running it."""
    sql, omzetters = _indicator_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [indicator_id])
        rij = cursor.fetchone()
    if rij is None:
        return None
    waarden = iter(rij)
    objecten: list[Any] = []
    for model, velden in omzetters:
        namen, omgezet = [], []
        for veld, kolom, converters in velden:
            waarde = next(waarden)
            for omzetter in converters:
                waarde = omzetter(waarde, kolom, connection)
            namen.append(veld.attname)
            omgezet.append(waarde)
        objecten.append(model.from_db(connection.alias, namen, omgezet))
    indicator, doel, project = objecten
    Indicator._meta.get_field("doel").set_cached_value(indicator, doel)
    Doel._meta.get_field("project").set_cached_value(doel, project)
    return indicator


@router.post(
    "/metingen",
    response={201: s.MetingUit},
    by_alias=True,
    tags=["metingen"],
    summary="Eén meting indienen",
)
def meting_indienen(request: HttpRequest, payload: s.MetingIn, response: HttpResponse) -> Status:
    organisatie = vereis_scope(request, METINGEN)
    # The service checks that the organisation takes part in the indicator's project.
    indicator = indicator_met_project(payload.indicator)
    try:
        if indicator is None:
            raise NietGevonden("Indicator niet gevonden.")
        meting = services.meting_indienen(
            actor=actor(request),
            organisatie=organisatie,
            indicator=indicator,
            invoer_gecontroleerd=True,  # by MetingIn
            **payload.model_dump(exclude={"indicator"}),
        )
    except NietGevonden as fout:
        raise ValidationError({"indicator": ONBEKENDE_INDICATOR}) from fout
    response["Location"] = request.build_absolute_uri(f"{request.path}/{meting.pk}")
    met_etag(response, meting)
    return Status(201, meting)


@router.post(
    "/metingen/batch",
    response={201: s.MetingBatchUit},
    by_alias=True,
    tags=["metingen"],
    summary="Tot 10.000 metingen tegelijk indienen (alles of niets)",
)
def metingen_batch(request: HttpRequest, payload: s.MetingBatchIn) -> HttpResponse:
    organisatie = vereis_scope(request, METINGEN)
    indicatoren = indicatoren_van(organisatie, {item.indicator for item in payload.items})
    onbekend = [
        {
            "index": i,
            "veld": "indicator",
            "melding": ONBEKENDE_INDICATOR,
        }
        for i, item in enumerate(payload.items)
        if item.indicator not in indicatoren
    ]
    if onbekend:
        raise Bulkfouten(onbekend)
    items = [{**vars(item), "indicator": indicatoren[item.indicator]} for item in payload.items]
    metingen = services.metingen_indienen(
        actor=actor(request), organisatie=organisatie, items=items, invoer_gecontroleerd=True
    )
    from ontschot.api import api  # the API that mounts this router

    return api.create_response(request, s.metingen_batch_uit(metingen), status=201)


@router.get(
    "/metingen",
    response=s.MetingPagina,
    by_alias=True,
    tags=["metingen"],
    summary="Metingen met hun beoordeling",
)
def metingen_lijst(request: HttpRequest, filters: Query[s.Lijstfilter]) -> dict[str, Any]:
    organisatie = vereis_scope(request, PROJECTEN_LEZEN)
    return _lijst(request, metingen_van(organisatie), filters, "indicator__doel__project_id")


@router.get(
    "/metingen/{meting_id}",
    response=s.MetingUit,
    by_alias=True,
    tags=["metingen"],
    summary="Eén meting",
)
def meting_detail(request: HttpRequest, meting_id: int, response: HttpResponse) -> Meting:
    organisatie = vereis_scope(request, PROJECTEN_LEZEN)
    meting = get_object_or_404(metingen_van(organisatie), pk=meting_id)
    met_etag(response, meting)
    return meting


@router.put(
    "/metingen/{meting_id}",
    response={200: s.MetingUit},
    by_alias=True,
    tags=["metingen"],
    summary="Een teruggestuurde meting corrigeren (If-Match verplicht)",
)
def meting_corrigeren(
    request: HttpRequest, meting_id: int, payload: s.MetingCorrectie, response: HttpResponse
) -> Meting:
    organisatie = vereis_scope(request, METINGEN)
    meting = get_object_or_404(metingen_van(organisatie), pk=meting_id)
    meting = services.meting_corrigeren(
        actor=actor(request),
        organisatie=organisatie,
        meting=meting,
        versie=versie_uit_if_match(request, meting),
        **payload.model_dump(),
    )
    met_etag(response, meting)
    return meting


# --- expenditures -------------------------------------------------------------------------


def _project(organisatie: Organisatie, project_id: int) -> Project:
    """The organisation's project named in a body; another organisation's answers the same
    as one that does not exist."""
    project = selectors.projecten_van_organisatie(organisatie).filter(pk=project_id).first()
    if project is None:
        raise ValidationError(
            {"project": "Dit project bestaat niet of hoort niet bij uw organisatie."}
        )
    return project


def bestedingen_van(organisatie: Organisatie) -> QuerySet[Besteding]:
    return Besteding.objects.filter(project__in=selectors.projecten_van_organisatie(organisatie))


def _besteding_indienen(
    request: HttpRequest, organisatie: Organisatie, item: s.BestedingIn
) -> Besteding:
    project = _project(organisatie, item.project)
    beschikking = None
    if item.beschikking is not None:
        beschikking = project.beschikkingen.filter(pk=item.beschikking).first()
        if beschikking is None:
            raise ValidationError({"beschikking": "Deze beschikking hoort niet bij het project."})
    return services.besteding_indienen(
        actor=actor(request),
        organisatie=organisatie,
        project=project,
        beschikking=beschikking,
        **item.model_dump(exclude={"project", "beschikking"}),
    )


@router.post(
    "/bestedingen",
    response={201: s.BestedingUit},
    by_alias=True,
    tags=["bestedingen"],
    summary="Eén besteding indienen",
)
def besteding_indienen(
    request: HttpRequest, payload: s.BestedingIn, response: HttpResponse
) -> Status:
    organisatie = vereis_scope(request, BESTEDINGEN)
    besteding = _besteding_indienen(request, organisatie, payload)
    response["Location"] = request.build_absolute_uri(f"{request.path}/{besteding.pk}")
    met_etag(response, besteding)
    return Status(201, besteding)


@router.post(
    "/bestedingen/batch",
    response={201: s.BestedingBatchUit},
    by_alias=True,
    tags=["bestedingen"],
    summary="Tot 10.000 bestedingen tegelijk indienen (alles of niets)",
)
def bestedingen_batch(request: HttpRequest, payload: s.BestedingBatchIn) -> Status:
    organisatie = vereis_scope(request, BESTEDINGEN)
    bestedingen = _batch(
        payload.items, lambda _, item: _besteding_indienen(request, organisatie, item)
    )
    return Status(201, {"aantal": len(bestedingen), "resultaten": bestedingen})


@router.get(
    "/bestedingen",
    response=s.BestedingPagina,
    by_alias=True,
    tags=["bestedingen"],
    summary="Bestedingen met hun beoordeling",
)
def bestedingen_lijst(request: HttpRequest, filters: Query[s.Lijstfilter]) -> dict[str, Any]:
    organisatie = vereis_scope(request, PROJECTEN_LEZEN)
    return _lijst(request, bestedingen_van(organisatie), filters, "project_id")


@router.get(
    "/bestedingen/{besteding_id}",
    response=s.BestedingUit,
    by_alias=True,
    tags=["bestedingen"],
    summary="Eén besteding",
)
def besteding_detail(request: HttpRequest, besteding_id: int, response: HttpResponse) -> Besteding:
    organisatie = vereis_scope(request, PROJECTEN_LEZEN)
    besteding = get_object_or_404(bestedingen_van(organisatie), pk=besteding_id)
    met_etag(response, besteding)
    return besteding


@router.put(
    "/bestedingen/{besteding_id}",
    response={200: s.BestedingUit},
    by_alias=True,
    tags=["bestedingen"],
    summary="Een teruggestuurde besteding corrigeren (If-Match verplicht)",
)
def besteding_corrigeren(
    request: HttpRequest, besteding_id: int, payload: s.BestedingCorrectie, response: HttpResponse
) -> Besteding:
    organisatie = vereis_scope(request, BESTEDINGEN)
    besteding = get_object_or_404(bestedingen_van(organisatie), pk=besteding_id)
    besteding = services.besteding_corrigeren(
        actor=actor(request),
        organisatie=organisatie,
        besteding=besteding,
        versie=versie_uit_if_match(request, besteding),
        **payload.model_dump(),
    )
    met_etag(response, besteding)
    return besteding


# --- progress narratives ------------------------------------------------------------------


def verslagen_van(organisatie: Organisatie) -> QuerySet[Voortgangsverslag]:
    return Voortgangsverslag.objects.filter(
        project__in=selectors.projecten_van_organisatie(organisatie)
    )


def _verslag_indienen(
    request: HttpRequest, organisatie: Organisatie, item: s.VerslagIn
) -> Voortgangsverslag:
    project = _project(organisatie, item.project)
    return services.voortgangsverslag_indienen(
        actor=actor(request),
        organisatie=organisatie,
        project=project,
        **item.model_dump(exclude={"project"}),
    )


@router.post(
    "/voortgangsverslagen",
    response={201: s.VerslagUit},
    by_alias=True,
    tags=["voortgangsverslagen"],
    summary="Eén voortgangsverslag indienen",
)
def verslag_indienen(request: HttpRequest, payload: s.VerslagIn, response: HttpResponse) -> Status:
    organisatie = vereis_scope(request, VERSLAGEN)
    verslag = _verslag_indienen(request, organisatie, payload)
    response["Location"] = request.build_absolute_uri(f"{request.path}/{verslag.pk}")
    met_etag(response, verslag)
    return Status(201, verslag)


@router.post(
    "/voortgangsverslagen/batch",
    response={201: s.VerslagBatchUit},
    by_alias=True,
    tags=["voortgangsverslagen"],
    summary="Meerdere voortgangsverslagen tegelijk indienen (alles of niets)",
)
def verslagen_batch(request: HttpRequest, payload: s.VerslagBatchIn) -> Status:
    organisatie = vereis_scope(request, VERSLAGEN)
    verslagen = _batch(payload.items, lambda _, item: _verslag_indienen(request, organisatie, item))
    return Status(201, {"aantal": len(verslagen), "resultaten": verslagen})


@router.get(
    "/voortgangsverslagen",
    response=s.VerslagPagina,
    by_alias=True,
    tags=["voortgangsverslagen"],
    summary="Voortgangsverslagen met hun beoordeling",
)
def verslagen_lijst(request: HttpRequest, filters: Query[s.Lijstfilter]) -> dict[str, Any]:
    organisatie = vereis_scope(request, PROJECTEN_LEZEN)
    return _lijst(request, verslagen_van(organisatie), filters, "project_id")


@router.get(
    "/voortgangsverslagen/{verslag_id}",
    response=s.VerslagUit,
    by_alias=True,
    tags=["voortgangsverslagen"],
    summary="Eén voortgangsverslag",
)
def verslag_detail(
    request: HttpRequest, verslag_id: int, response: HttpResponse
) -> Voortgangsverslag:
    organisatie = vereis_scope(request, PROJECTEN_LEZEN)
    verslag = get_object_or_404(verslagen_van(organisatie), pk=verslag_id)
    met_etag(response, verslag)
    return verslag


@router.put(
    "/voortgangsverslagen/{verslag_id}",
    response={200: s.VerslagUit},
    by_alias=True,
    tags=["voortgangsverslagen"],
    summary="Een teruggestuurd voortgangsverslag corrigeren (If-Match verplicht)",
)
def verslag_corrigeren(
    request: HttpRequest, verslag_id: int, payload: s.VerslagCorrectie, response: HttpResponse
) -> Voortgangsverslag:
    organisatie = vereis_scope(request, VERSLAGEN)
    verslag = get_object_or_404(verslagen_van(organisatie), pk=verslag_id)
    verslag = services.voortgangsverslag_corrigeren(
        actor=actor(request),
        organisatie=organisatie,
        verslag=verslag,
        versie=versie_uit_if_match(request, verslag),
        **payload.model_dump(),
    )
    met_etag(response, verslag)
    return verslag
