"""Bounded, numbered pages for API lists, with links to the neighbouring pages."""

from typing import Any, Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest

M = TypeVar("M", bound=Model)

STANDAARD_GROOTTE = 100
MAX_GROOTTE = 500


class Paginafilter(Protocol):
    pagina: int
    pagina_grootte: int


def controleer_parameters(request: HttpRequest, filters: Paginafilter) -> None:
    """Refuse query parameters the endpoint does not know, so a misspelt filter
    (``gewijzigd_sinds`` for ``gewijzigdSinds``) is an error instead of a silent no-op."""
    velden = type(filters).model_fields  # type: ignore[attr-defined]
    bekend = {veld.alias or naam for naam, veld in velden.items()}
    onbekend = sorted(set(request.GET) - bekend)
    if onbekend:
        raise ValidationError(
            {
                naam: f"Onbekende parameter; bekend zijn: {', '.join(sorted(bekend))}."
                for naam in onbekend
            }
        )


def pagineer(request: HttpRequest, queryset: QuerySet[M], filters: Paginafilter) -> dict[str, Any]:
    """One page of ``queryset`` as ``{aantal, volgende, vorige, resultaten}``. Page and size
    are validated by the endpoint's query schema (pagina >= 1, 1 <= grootte <= MAX_GROOTTE)."""
    controleer_parameters(request, filters)
    pagina, grootte = filters.pagina, filters.pagina_grootte
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
