"""Published reports for partner keys with the report scope: list and download."""

import base64
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from ontschot.paginering import pagineer
from programma.api import vereis_scope
from programma.models import ApiSleutel, Organisatie, Programma
from projecten.selectors import projecten_van_organisatie
from rapportage import schemas as s
from rapportage.models import Rapport

router = Router(tags=["rapporten"])


def rapporten_van(organisatie: Organisatie) -> QuerySet[Rapport]:
    """Published reports of the programmes the organisation takes part in."""
    programmas = Programma.objects.filter(
        projecten__in=projecten_van_organisatie(organisatie)
    ).values("pk")
    return (
        Rapport.objects.filter(
            programma__in=programmas, gepubliceerd_op__isnull=False, status=Rapport.Status.KLAAR
        )
        .select_related("programma", "focusgebied", "project")
        .order_by("-gepubliceerd_op", "-id")
    )


@router.get(
    "/rapporten", response=s.RapportPagina, by_alias=True, summary="Gepubliceerde rapporten"
)
def rapporten_lijst(request: HttpRequest, filters: Query[s.Rapportfilter]) -> dict[str, Any]:
    organisatie = vereis_scope(request, ApiSleutel.Scope.RAPPORTEN_LEZEN)
    qs = rapporten_van(organisatie)
    if filters.soort:
        qs = qs.filter(soort=filters.soort)
    return pagineer(request, qs, filters)


@router.get(
    "/rapporten/{rapport_id}",
    response=s.RapportUit,
    by_alias=True,
    summary="Eén gepubliceerd rapport",
)
def rapport_detail(request: HttpRequest, rapport_id: int) -> Rapport:
    organisatie = vereis_scope(request, ApiSleutel.Scope.RAPPORTEN_LEZEN)
    return get_object_or_404(rapporten_van(organisatie), pk=rapport_id)


@router.get(
    "/rapporten/{rapport_id}/pdf",
    response={200: bytes},
    summary="De PDF van een gepubliceerd rapport",
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
    if not rapport.pdf:
        from django.http import Http404

        raise Http404
    response = FileResponse(
        rapport.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{rapport.soort}-{rapport.programma.code}-{rapport.periode}.pdf",
    )
    # RFC 9530: the digest of the representation, base64-encoded.
    response["Repr-Digest"] = (
        f"sha-256=:{base64.b64encode(bytes.fromhex(rapport.sha256)).decode()}:"
    )
    return response
