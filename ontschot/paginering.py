"""Bounded, numbered pages for API lists, with links to the neighbouring pages."""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest

M = TypeVar("M", bound=Model)

STANDAARD_GROOTTE = 100
MAX_GROOTTE = 500


def pagineer(
    request: HttpRequest, queryset: QuerySet[M], pagina: int, grootte: int
) -> dict[str, Any]:
    """One page of ``queryset`` as ``{aantal, volgende, vorige, resultaten}``. Page and size
    are validated by the endpoint's query schema (pagina >= 1, 1 <= grootte <= MAX_GROOTTE)."""
    aantal = queryset.count()
    start = (pagina - 1) * grootte
    resultaten = list(queryset[start : start + grootte])

    def link(nummer: int) -> str:
        query = request.GET.copy()
        query["pagina"] = str(nummer)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "aantal": aantal,
        "volgende": link(pagina + 1) if start + grootte < aantal else None,
        "vorige": link(pagina - 1) if pagina > 1 and aantal else None,
        "resultaten": resultaten,
    }
