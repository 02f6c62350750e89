"""Shapes of published reports in the partner API."""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, FilterSchema
from ninja.filter_schema import FilterConfigDict

from ontschot.paginering import MAX_GROOTTE, STANDAARD_GROOTTE
from projecten.schemas import PERIODE, In, Pagina, Uit
from rapportage.models import Rapport


class RapportUit(Uit):
    id: int
    soort: str
    programma: str
    focusgebied: str | None
    project: str | None
    periode: str
    status: Literal["gevraagd", "bezig", "klaar", "mislukt"] = Field(
        ..., description="Waar het maken staat"
    )
    voortgang: int = Field(..., ge=0, le=100, description="Hoe ver het maken is, in procent")
    paginas: int | None = Field(..., description="Aantal pagina's van de PDF")
    sha256: str = Field(..., description="SHA-256 van de PDF (leeg zolang die er niet is)")
    gegevens_sha256: str = Field(..., description="SHA-256 van de bevroren gegevens")
    gevraagd_op: datetime
    gemaakt_op: datetime | None
    gepubliceerd_op: datetime | None

    @staticmethod
    def resolve_programma(obj: Any) -> str:
        return str(obj.programma.code)

    @staticmethod
    def resolve_focusgebied(obj: Any) -> str | None:
        return obj.focusgebied.naam if obj.focusgebied else None

    @staticmethod
    def resolve_project(obj: Any) -> str | None:
        return obj.project.code if obj.project else None


class RapportAanvraagIn(In):
    project: int = Field(..., ge=1, le=2**62, description="Id van een project van uw organisatie")
    periode: PERIODE = Field(..., description="De periode van het rapport", examples=["2025-K2"])


class RapportPagina(Pagina):
    resultaten: list[RapportUit]


class Rapportfilter(FilterSchema):
    model_config = FilterConfigDict(extra="forbid")

    soort: Rapport.Soort | None = None
    pagina: int = Field(1, ge=1, le=1_000_000)
    pagina_grootte: int = Field(STANDAARD_GROOTTE, ge=1, le=MAX_GROOTTE, alias="paginaGrootte")
