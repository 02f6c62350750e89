"""Reports for partner keys with the report scope: the programme's published reports,
and project reports the organisation asks for itself: request, follow, download."""

import base64
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from ontschot.paginering import pagineer
from programma.api import vereis_scope
from programma.fouten import Conflict
from programma.models import ApiSleutel, Organisatie, Programma
from projecten.api import actor
from projecten.selectors import projecten_van_organisatie
from rapportage import rapporten
from rapportage import schemas as s
from rapportage.models import Rapport
from rapportage.selectors import partnerzicht

router = Router(tags=["rapporten"])


def rapporten_van(organisatie: Organisatie) -> QuerySet[Rapport]:
    """What an organisation's report key sees: the published, finished reports of the
    programmes it takes part in (project reports only of its own projects, as in the web
    portal: ``partnerzicht``), and the reports it asked for itself (any status)."""
    eigen = projecten_van_organisatie(organisatie)
    programmas = Programma.objects.filter(projecten__in=eigen).values("pk")
    return (
        Rapport.objects.filter(
            (
                Q(programma__in=programmas, gepubliceerd_op__isnull=False)
                & Q(status=Rapport.Status.KLAAR)
                & partnerzicht(eigen)
            )
            | Q(gevraagd_door_organisatie=organisatie)
        )
        .select_related("programma", "focusgebied", "project")
        .defer("momentopname")
        .order_by("-gevraagd_op", "-id")
    )


@router.get(
    "/rapporten",
    response=s.RapportPagina,
    by_alias=True,
    summary="Gepubliceerde en eigen rapporten",
)
def rapporten_lijst(request: HttpRequest, filters: Query[s.Rapportfilter]) -> dict[str, Any]:
    organisatie = vereis_scope(request, ApiSleutel.Scope.RAPPORTEN_LEZEN)
    qs = rapporten_van(organisatie)
    if filters.soort:
        qs = qs.filter(soort=filters.soort)
    return pagineer(request, qs, filters)


@router.post(
    "/rapporten",
    response={201: s.RapportUit},
    by_alias=True,
    summary="Een projectrapportage aanvragen",
    description=(
        "Vraagt de projectrapportage van een eigen project over een periode aan. Het antwoord "
        "komt meteen, met het id van het rapport; het rapport wordt op de achtergrond gemaakt. "
        "Volg `status` en `voortgang` (procent) met GET /rapporten/{rapportId} en download de "
        "PDF als de status `klaar` is."
    ),
)
def rapport_aanvragen(
    request: HttpRequest, payload: s.RapportAanvraagIn, response: HttpResponse
) -> Status:
    organisatie = vereis_scope(request, ApiSleutel.Scope.RAPPORTEN_LEZEN)
    project = (
        projecten_van_organisatie(organisatie)
        .select_related("programma")
        .filter(pk=payload.project)
        .first()
    )
    if project is None:
        raise ValidationError(
            {"project": "Dit project bestaat niet of hoort niet bij uw organisatie."}
        )
    rapport = rapporten.rapport_aanvragen(
        actor=actor(request),
        soort=Rapport.Soort.PROJECTRAPPORTAGE,
        programma=project.programma,
        project=project,
        periode=payload.periode,
        organisatie=organisatie,
    )
    response["Location"] = request.build_absolute_uri(f"{request.path}/{rapport.pk}")
    return Status(201, rapport)


@router.get(
    "/rapporten/{rapport_id}",
    response=s.RapportUit,
    by_alias=True,
    summary="Eén rapport, met zijn status en voortgang",
)
def rapport_detail(request: HttpRequest, rapport_id: int) -> Rapport:
    organisatie = vereis_scope(request, ApiSleutel.Scope.RAPPORTEN_LEZEN)
    return get_object_or_404(rapporten_van(organisatie), pk=rapport_id)


@router.get(
    "/rapporten/{rapport_id}/pdf",
    response={200: bytes},
    summary="De PDF van een rapport",
    openapi_extra={
        "responses": {
            "200": {
                "description": "De PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def rapport_pdf(request: HttpRequest, rapport_id: int) -> FileResponse:
    organisatie = vereis_scope(request, ApiSleutel.Scope.RAPPORTEN_LEZEN)
    rapport = get_object_or_404(rapporten_van(organisatie), pk=rapport_id)
    if rapport.status != Rapport.Status.KLAAR or not rapport.pdf:
        raise Conflict("Het rapport is nog niet klaar; volg de status en probeer het daarna.")
    rapporten.download_vastleggen(actor=actor(request), rapport=rapport, formaat="pdf")
    response = FileResponse(
        rapport.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{rapport.bestandsnaam}.pdf",
    )
    # RFC 9530: the digest of the representation, base64-encoded.
    response["Repr-Digest"] = (
        f"sha-256=:{base64.b64encode(bytes.fromhex(rapport.sha256)).decode()}:"
    )
    return response
