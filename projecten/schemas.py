"""The partner API's shapes. Field names are lowerCamelCase on the wire; every schema
lists its fields explicitly and input schemas refuse unknown fields."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, FilterSchema, Schema
from ninja.filter_schema import FilterConfigDict
from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from ontschot.paginering import MAX_GROOTTE, STANDAARD_GROOTTE
from programma.perioden import PERIODE_PATROON
from projecten.models import Beoordeling, Kostensoort, Project

PERIODE = Annotated[
    str,
    Field(
        pattern=PERIODE_PATROON.pattern,
        description="JJJJ, JJJJ-H1/H2, JJJJ-K1..K4 of JJJJ-MM",
        examples=["2025-K2"],
    ),
]
WAARDE_ALS_TEKST = r"^-?[0-9]{1,11}(\.[0-9]{1,4})?$"
BEDRAG_ALS_TEKST = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"


def _decimaal(patroon: str) -> BeforeValidator:
    """A decimal as a JSON number, or as text in exactly the form the spec gives (no
    exponent, spaces, underscores, '+' or decimals beyond the allowed ones)."""
    regex = re.compile(patroon)

    def controleer(waarde: Any) -> Any:
        if isinstance(waarde, bool):
            raise PydanticCustomError("decimal_type", "Geen decimaal getal.")
        if isinstance(waarde, str) and not regex.fullmatch(waarde):
            raise PydanticCustomError("decimal_parsing", "Geen geldig decimaal getal.")
        return waarde

    return BeforeValidator(controleer)


WAARDE_SCHEMA = {
    "anyOf": [
        {
            "type": "number",
            "multipleOf": 0.0001,
            "exclusiveMinimum": -1e11,
            "exclusiveMaximum": 1e11,
        },
        {"type": "string", "pattern": WAARDE_ALS_TEKST},
    ],
    "description": "Decimaal getal als JSON-getal of als tekst; hoogstens 4 decimalen en 11 "
    "cijfers voor de komma (15 in totaal: wat elke database exact bewaart), geen NaN of Infinity",
    "examples": ["42.5"],
}
WAARDE = Annotated[
    Decimal,
    # 15 significant digits: SQLite keeps decimals as doubles, exact up to 15 digits.
    Field(max_digits=15, decimal_places=4, allow_inf_nan=False),
    _decimaal(WAARDE_ALS_TEKST),
    WithJsonSchema(WAARDE_SCHEMA),
]
BEDRAG = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2, ge=0, allow_inf_nan=False),
    _decimaal(BEDRAG_ALS_TEKST),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "multipleOf": 0.01, "minimum": 0, "exclusiveMaximum": 1e12},
                {"type": "string", "pattern": BEDRAG_ALS_TEKST},
            ],
            "description": "Bedrag in euro's, 0 of meer, als JSON-getal of als tekst; "
            "hoogstens 2 decimalen, geen NaN of Infinity",
            "examples": ["1250.00"],
        }
    ),
]
#: PostgreSQL cannot store U+0000 in text: every text field refuses it, as the spec says.
GEEN_NUL = r"^[^\x00]*$"


TEKST = Annotated[str, Field(max_length=5000, pattern=GEEN_NUL)]
BRON = Annotated[str, Field(max_length=200, pattern=GEEN_NUL)]
OMSCHRIJVING = Annotated[str, Field(max_length=300, pattern=GEEN_NUL)]
CATEGORIE = Annotated[str, Field(max_length=100, pattern=GEEN_NUL)]
VERHAAL = Annotated[str, Field(max_length=20_000, pattern=GEEN_NUL)]
SAMENVATTING = Annotated[str, Field(min_length=1, max_length=20_000, pattern=GEEN_NUL)]
UITSPLITSING = Annotated[
    dict[CATEGORIE, WAARDE],
    Field(max_length=100),
    WithJsonSchema(
        {
            "type": "object",
            "maxProperties": 100,
            "propertyNames": {"maxLength": 100, "pattern": GEEN_NUL},
            "additionalProperties": WAARDE_SCHEMA,
            "description": "Waarden per categorie",
        }
    ),
]


def _moment_met_tijdzone(waarde: Any) -> Any:
    """ISO 8601 with a time and a time zone; no Unix time, no bare date, no local time."""
    if isinstance(waarde, datetime):
        return waarde
    if isinstance(waarde, str):
        try:
            moment = datetime.fromisoformat(waarde)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            # In UTC: PostgreSQL refuses offsets beyond 15:59, which ISO 8601 allows.
            return moment.astimezone(UTC)
    raise PydanticCustomError(
        "datetime_parsing", "Geen geldig moment: gebruik ISO 8601 met tijdzone."
    )


VIER_DECIMALEN = Decimal("0.0001")
CENTEN = Decimal("0.01")


class Uit(Schema):
    # Read attributes by their Python names (not first by the camelCase alias, which
    # misses on every model attribute and is slow for a batch of 10,000).
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=False,
        from_attributes=True,
    )


class In(BaseModel):
    """A request body. A plain pydantic model: ninja's Schema reads its input through a
    wrapper meant for ORM objects, which made parsing a batch of 10,000 items cost more
    than storing it."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Pagina(Uit):
    aantal: int = Field(..., description="Het totale aantal resultaten over alle pagina's")
    volgende: str | None = Field(..., description="De URL van de volgende pagina")
    vorige: str | None = Field(..., description="De URL van de vorige pagina")


class Lijstfilter(FilterSchema):
    model_config = FilterConfigDict(extra="forbid")

    project: int | None = Field(None, ge=1, le=2**62, description="Id van het project")
    periode: PERIODE | None = None
    status: Beoordeling | None = Field(None, description="De stand van de beoordeling")
    gewijzigd_sinds: Annotated[datetime, BeforeValidator(_moment_met_tijdzone)] | None = Field(
        None,
        alias="gewijzigdSinds",
        description="Alleen wat op of na dit moment is gewijzigd (ISO 8601 met tijdzone)",
        examples=["2025-07-01T00:00:00+02:00"],
    )
    pagina: int = Field(1, ge=1, le=1_000_000, description="Paginanummer, vanaf 1")
    pagina_grootte: int = Field(
        STANDAARD_GROOTTE,
        ge=1,
        le=MAX_GROOTTE,
        alias="paginaGrootte",
        description=f"Resultaten per pagina, hoogstens {MAX_GROOTTE}",
    )


# --- projects -----------------------------------------------------------------------------


class StreefwaardeUit(Uit):
    periode: str
    waarde: Decimal


class IndicatorUit(Uit):
    id: int
    doel: str = Field(..., description="Titel van het projectdoel")
    naam: str
    eenheid: str
    richting: str
    cumulatief: bool
    aggregatie: str
    basiswaarde: Decimal | None
    basisjaar: int | None
    streefwaarden: list[StreefwaardeUit]

    @staticmethod
    def resolve_doel(obj: Any) -> str:
        return str(obj.doel.titel)

    @staticmethod
    def resolve_streefwaarden(obj: Any) -> list[Any]:
        return list(obj.streefwaarden.all())


class VerplichtingUit(Uit):
    soort: str
    periode: str
    deadline: date
    status: str


class ProjectUit(Uit):
    id: int
    code: str
    titel: str
    programma: str
    status: str
    startdatum: date
    einddatum: date
    rapportagefrequentie: str
    penvoerder: str
    themas: list[str]
    focusgebieden: list[str]

    @staticmethod
    def resolve_programma(obj: Any) -> str:
        return str(obj.programma.code)

    @staticmethod
    def resolve_penvoerder(obj: Any) -> str:
        return str(obj.penvoerder.naam)

    @staticmethod
    def resolve_themas(obj: Any) -> list[str]:
        return [t.naam for t in obj.themas.all()]

    @staticmethod
    def resolve_focusgebieden(obj: Any) -> list[str]:
        return [f.naam for f in obj.focusgebieden.all()]


class BeschikkingUit(Uit):
    id: int
    kenmerk: str
    regeling: str
    bedrag: Decimal = Field(..., description="Verleend bedrag in euro's, als tekst")
    status: str


class ProjectDetailUit(ProjectUit):
    perioden: list[str] = Field(..., description="De rapportageperioden van het project")
    indicatoren: list[IndicatorUit]
    verplichtingen: list[VerplichtingUit]
    beschikkingen: list[BeschikkingUit] = Field(
        ..., description="De beschikkingen waar bestedingen aan gekoppeld kunnen worden"
    )

    @staticmethod
    def resolve_beschikkingen(obj: Any) -> list[Any]:
        return list(obj.beschikkingen.all())

    @staticmethod
    def resolve_perioden(obj: Any) -> list[str]:
        from programma.perioden import perioden_tussen

        return [
            p.code for p in perioden_tussen(obj.startdatum, obj.einddatum, obj.rapportagefrequentie)
        ]

    @staticmethod
    def resolve_indicatoren(obj: Any) -> list[Any]:
        return [i for doel in obj.doelen.all() for i in doel.indicatoren.all()]

    @staticmethod
    def resolve_verplichtingen(obj: Any) -> list[Any]:
        return list(obj.verplichtingen.all())


class ProjectPagina(Pagina):
    resultaten: list[ProjectUit]


class Projectfilter(FilterSchema):
    model_config = FilterConfigDict(extra="forbid")

    status: Project.Status | None = Field(None, description="De stand van het project")
    pagina: int = Field(1, ge=1, le=1_000_000)
    pagina_grootte: int = Field(STANDAARD_GROOTTE, ge=1, le=MAX_GROOTTE, alias="paginaGrootte")


# --- submissions --------------------------------------------------------------------------


class BeoordeeldUit(Uit):
    id: int
    status: Beoordeling
    beoordeling_toelichting: str
    ingediend_op: datetime
    gewijzigd_op: datetime
    beoordeeld_op: datetime | None
    versie: int


class MetingIn(In):
    indicator: int = Field(..., description="Id van de indicator", ge=1, le=2**62)
    periode: PERIODE
    waarde: WAARDE
    toelichting: TEKST = ""
    bron: BRON = ""
    uitsplitsing: UITSPLITSING = Field(default_factory=dict)


class MetingCorrectie(In):
    waarde: WAARDE
    toelichting: TEKST = ""
    bron: BRON = ""
    uitsplitsing: UITSPLITSING = Field(default_factory=dict)


class MetingUit(BeoordeeldUit):
    indicator: int
    project: int
    periode: str
    waarde: Decimal = Field(..., description="Exact, als tekst", examples=["42.5"])
    toelichting: str
    bron: str
    uitsplitsing: dict[str, Any]

    @staticmethod
    def resolve_indicator(obj: Any) -> int:
        return int(obj.indicator_id)

    @staticmethod
    def resolve_waarde(obj: Any) -> Decimal:
        return Decimal(obj.waarde).quantize(VIER_DECIMALEN)

    @staticmethod
    def resolve_project(obj: Any) -> int:
        return int(obj.indicator.doel.project_id)


class MetingBatchIn(In):
    items: list[MetingIn] = Field(..., min_length=1, max_length=10_000)


class MetingBatchregel(BaseModel):
    """One stored measurement in a batch answer: the fields of MetingUit, built from a dict
    so that 10,000 of them render without per-object attribute resolution."""

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=False
    )

    id: int
    status: Beoordeling
    beoordeling_toelichting: str
    ingediend_op: datetime
    gewijzigd_op: datetime
    beoordeeld_op: datetime | None
    versie: int
    indicator: int
    project: int
    periode: str
    waarde: Decimal = Field(..., description="Exact, als tekst", examples=["42.5"])
    toelichting: str
    bron: str
    uitsplitsing: dict[str, Any]

    @classmethod
    def van(cls, meting: Any) -> dict[str, Any]:
        return {
            "id": meting.pk,
            "status": meting.status,
            "beoordeling_toelichting": meting.beoordeling_toelichting,
            "ingediend_op": meting.ingediend_op,
            "gewijzigd_op": meting.gewijzigd_op,
            "beoordeeld_op": meting.beoordeeld_op,
            "versie": meting.versie,
            "indicator": meting.indicator_id,
            "project": meting.indicator.doel.project_id,
            "periode": meting.periode,
            "waarde": Decimal(meting.waarde).quantize(VIER_DECIMALEN),
            "toelichting": meting.toelichting,
            "bron": meting.bron,
            "uitsplitsing": meting.uitsplitsing,
        }


class MetingBatchUit(Uit):
    aantal: int
    resultaten: list[MetingBatchregel]


def metingen_batch_uit(metingen: list[Any]) -> dict[str, Any]:
    """The answer to a batch as ``MetingBatchUit`` dumps it by alias, ready for the API's
    renderer, without validating it first: checking 10,000 rows built right here only to
    dump them again cost more than storing them. A test holds the rendered bytes equal."""
    from ontschot.api import Renderer

    alias = {naam: veld.alias or naam for naam, veld in MetingBatchregel.model_fields.items()}
    # The renderer's own text for moments and decimals; a batch shares its moments.
    als_tekst = Renderer.encoder_class().default
    momenten: dict[datetime, str] = {}

    def tekst(waarde: Any) -> Any:
        if isinstance(waarde, datetime):
            if waarde not in momenten:
                momenten[waarde] = als_tekst(waarde)
            return momenten[waarde]
        return als_tekst(waarde) if isinstance(waarde, Decimal) else waarde

    resultaten = [
        {alias[naam]: tekst(waarde) for naam, waarde in MetingBatchregel.van(meting).items()}
        for meting in metingen
    ]
    return {"aantal": len(resultaten), "resultaten": resultaten}


class MetingPagina(Pagina):
    resultaten: list[MetingUit]


class BestedingIn(In):
    project: int = Field(..., ge=1, le=2**62)
    periode: PERIODE
    kostensoort: Kostensoort
    bedrag: BEDRAG
    omschrijving: OMSCHRIJVING = ""
    beschikking: int | None = Field(None, ge=1, le=2**62, description="Id van de beschikking")


class BestedingCorrectie(In):
    kostensoort: Kostensoort
    bedrag: BEDRAG
    omschrijving: OMSCHRIJVING = ""


class BestedingUit(BeoordeeldUit):
    project: int
    beschikking: int | None
    periode: str
    kostensoort: str
    bedrag: Decimal = Field(..., description="In euro's, exact, als tekst", examples=["1250.00"])
    omschrijving: str

    @staticmethod
    def resolve_project(obj: Any) -> int:
        return int(obj.project_id)

    @staticmethod
    def resolve_bedrag(obj: Any) -> Decimal:
        return Decimal(obj.bedrag).quantize(CENTEN)

    @staticmethod
    def resolve_beschikking(obj: Any) -> int | None:
        return obj.beschikking_id  # type: ignore[no-any-return]


class BestedingBatchIn(In):
    items: list[BestedingIn] = Field(..., min_length=1, max_length=10_000)


class BestedingBatchUit(Uit):
    aantal: int
    resultaten: list[BestedingUit]


class BestedingPagina(Pagina):
    resultaten: list[BestedingUit]


class VerslagIn(In):
    project: int = Field(..., ge=1, le=2**62)
    periode: PERIODE
    samenvatting: SAMENVATTING
    risicos: VERHAAL = ""
    afwijkingen: VERHAAL = ""


class VerslagCorrectie(In):
    samenvatting: SAMENVATTING
    risicos: VERHAAL = ""
    afwijkingen: VERHAAL = ""


class VerslagUit(BeoordeeldUit):
    project: int
    periode: str
    samenvatting: str
    risicos: str
    afwijkingen: str

    @staticmethod
    def resolve_project(obj: Any) -> int:
        return int(obj.project_id)


class VerslagBatchIn(In):
    items: list[VerslagIn] = Field(..., min_length=1, max_length=10_000)


class VerslagBatchUit(Uit):
    aantal: int
    resultaten: list[VerslagUit]


class VerslagPagina(Pagina):
    resultaten: list[VerslagUit]
