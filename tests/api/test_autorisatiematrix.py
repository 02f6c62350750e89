"""Who may do what, for every operation in the OpenAPI spec.

The operations come from the spec itself, so a new endpoint is tested the moment it
exists, and fails until it has a row in ``TABEL`` (its scope and, for a write, a valid
body). Each operation is tried without a key, with an unknown, a revoked and an expired
key, with a key that lacks the operation's scope, with another organisation's key and
with the right key. Refusals are problem details and change nothing; every response
carries API-Version.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models

from ontschot.api import api as ninja_api
from programma.models import ApiSleutel, Auditregel, Idempotentieverzoek
from projecten.models import Besteding, Meting, Voortgangsverslag
from rapportage.models import Rapport
from tests.api.conftest import (
    ALLE_SCOPES,
    PDF,
    ApiClient,
    Partij,
    SleutelMaker,
    Wereld,
    is_probleem,
    namen,
)

pytestmark = pytest.mark.django_db

Scope = ApiSleutel.Scope


@dataclass(frozen=True)
class Regel:
    """What an operation needs and does.

    ``scope`` is the scope the operation requires (``None``: any valid key will do).
    ``body`` builds a valid body for a write from the organisation it writes for.
    ``lijst`` gives the ids a list shows of an organisation (for list operations).
    ``model`` is what a write creates or changes; ``verwijzing`` names the body fields
    that point at the organisation's objects (refused for another organisation's key).
    """

    scope: str | None
    body: Callable[[Partij], Any] | None = None
    lijst: Callable[[Partij], set[int]] | None = None
    model: type[models.Model] | None = None
    verwijzing: tuple[str, ...] = ()
    pdf: bool = False
    #: Describes the key itself (``/ping``): answers for whichever organisation asks.
    over_de_sleutel: Callable[[Partij], dict[str, Any]] | None = None


def meting(p: Partij, periode: str = "2025-K4") -> dict[str, Any]:
    return {"indicator": p.indicator.pk, "periode": periode, "waarde": "12.5", "bron": "CRM"}


def besteding(p: Partij, periode: str = "2025-K4") -> dict[str, Any]:
    return {
        "project": p.project.pk,
        "periode": periode,
        "kostensoort": "activiteiten",
        "bedrag": "250.00",
        "beschikking": p.beschikking.pk,
    }


def verslag(p: Partij, periode: str = "2025-K4") -> dict[str, Any]:
    return {"project": p.project.pk, "periode": periode, "samenvatting": "Goed op schema."}


def batch(maak: Callable[..., dict[str, Any]]) -> Callable[[Partij], dict[str, Any]]:
    return lambda p: {"items": [maak(p, "2025-K4"), maak(p, "2026-K1")]}


TABEL: dict[tuple[str, str], Regel] = {
    ("GET", "/ping"): Regel(None, over_de_sleutel=lambda p: {"organisatie": p.organisatie.naam}),
    ("GET", "/projecten"): Regel(Scope.PROJECTEN_LEZEN, lijst=lambda p: {p.project.pk}),
    ("GET", "/projecten/{project_id}"): Regel(Scope.PROJECTEN_LEZEN),
    ("GET", "/metingen"): Regel(
        Scope.PROJECTEN_LEZEN, lijst=lambda p: {p.meting.pk, p.goedgekeurde_meting.pk}
    ),
    ("GET", "/metingen/{meting_id}"): Regel(Scope.PROJECTEN_LEZEN),
    ("POST", "/metingen"): Regel(
        Scope.METINGEN_SCHRIJVEN, body=meting, model=Meting, verwijzing=("indicator",)
    ),
    ("POST", "/metingen/batch"): Regel(
        Scope.METINGEN_SCHRIJVEN,
        body=batch(meting),
        model=Meting,
        verwijzing=("items.0.indicator", "items.1.indicator"),
    ),
    ("PUT", "/metingen/{meting_id}"): Regel(
        Scope.METINGEN_SCHRIJVEN,
        body=lambda p: {"waarde": "13", "toelichting": "Bron toegevoegd.", "bron": "CRM"},
        model=Meting,
    ),
    ("GET", "/bestedingen"): Regel(Scope.PROJECTEN_LEZEN, lijst=lambda p: {p.besteding.pk}),
    ("GET", "/bestedingen/{besteding_id}"): Regel(Scope.PROJECTEN_LEZEN),
    ("POST", "/bestedingen"): Regel(
        Scope.BESTEDINGEN_SCHRIJVEN, body=besteding, model=Besteding, verwijzing=("project",)
    ),
    ("POST", "/bestedingen/batch"): Regel(
        Scope.BESTEDINGEN_SCHRIJVEN,
        body=batch(besteding),
        model=Besteding,
        verwijzing=("items.0.project", "items.1.project"),
    ),
    ("PUT", "/bestedingen/{besteding_id}"): Regel(
        Scope.BESTEDINGEN_SCHRIJVEN,
        body=lambda p: {"kostensoort": "personeel", "bedrag": "1600.00", "omschrijving": "Loon"},
        model=Besteding,
    ),
    ("GET", "/voortgangsverslagen"): Regel(Scope.PROJECTEN_LEZEN, lijst=lambda p: {p.verslag.pk}),
    ("GET", "/voortgangsverslagen/{verslag_id}"): Regel(Scope.PROJECTEN_LEZEN),
    ("POST", "/voortgangsverslagen"): Regel(
        Scope.VERSLAGEN_SCHRIJVEN,
        body=verslag,
        model=Voortgangsverslag,
        verwijzing=("project",),
    ),
    ("POST", "/voortgangsverslagen/batch"): Regel(
        Scope.VERSLAGEN_SCHRIJVEN,
        body=batch(verslag),
        model=Voortgangsverslag,
        verwijzing=("items.0.project", "items.1.project"),
    ),
    ("PUT", "/voortgangsverslagen/{verslag_id}"): Regel(
        Scope.VERSLAGEN_SCHRIJVEN,
        body=lambda p: {"samenvatting": "Bijgesteld.", "risicos": "Personeel", "afwijkingen": ""},
        model=Voortgangsverslag,
    ),
    ("GET", "/rapporten"): Regel(Scope.RAPPORTEN_LEZEN, lijst=lambda p: {p.rapport.pk}),
    ("POST", "/rapporten"): Regel(
        Scope.RAPPORTEN_LEZEN,
        body=lambda p: {"project": p.project.pk, "periode": "2025-K4"},
        model=Rapport,
        verwijzing=("project",),
    ),
    ("GET", "/rapporten/{rapport_id}"): Regel(Scope.RAPPORTEN_LEZEN),
    ("GET", "/rapporten/{rapport_id}/pdf"): Regel(Scope.RAPPORTEN_LEZEN, pdf=True),
}


def operaties_uit_de_spec() -> list[tuple[str, str]]:
    spec = ninja_api.get_openapi_schema()
    return sorted(
        (methode.upper(), pad)
        for pad, operaties in spec["paths"].items()
        for methode in operaties
        if methode in {"get", "post", "put", "patch", "delete"}
    )


OPERATIES = operaties_uit_de_spec()
SCENARIOS = [
    "geen_sleutel",
    "onbekende_sleutel",
    "ingetrokken_sleutel",
    "verlopen_sleutel",
    "sleutel_zonder_scope",
    "sleutel_van_andere_organisatie",
    "juiste_sleutel",
]


def test_de_spec_heeft_operaties_en_de_tabel_geen_verouderde_regels() -> None:
    assert len(OPERATIES) >= 20
    assert set(TABEL) - set(OPERATIES) == set(), (
        "regels in TABEL voor operaties die er niet meer zijn"
    )


def regel_voor(operatie: tuple[str, str]) -> Regel:
    regel = TABEL.get(operatie)
    assert regel is not None, (
        f"{operatie[0]} {operatie[1]} staat in de spec maar niet in TABEL: geef de scope en, "
        "voor een schrijfoperatie, een geldige body op"
    )
    assert operatie[0] not in {"POST", "PUT", "PATCH"} or regel.body is not None
    assert regel.scope is None or regel.scope in ALLE_SCOPES
    return regel


def pad_voor(pad: str, partij: Partij) -> str:
    ids = partij.ids()
    parameters = [deel[1:-1] for deel in pad.split("/") if deel.startswith("{")]
    onbekend = [p for p in parameters if p not in ids]
    assert not onbekend, f"padparameter(s) {onbekend} van {pad}: voeg ze toe aan Partij.ids()"
    return pad.format(**{p: ids[p] for p in parameters})


def stand(regel: Regel) -> dict[str, Any]:
    """What a refused write must leave as it was."""
    modellen = [Auditregel, Idempotentieverzoek] + ([regel.model] if regel.model else [])
    rijen = {m.__name__: m.objects.count() for m in modellen}
    if regel.model is not None:
        velden = [f.name for f in regel.model._meta.fields if f.name in ("versie", "status")]
        rijen["versies"] = sorted(regel.model.objects.values_list("pk", *velden))
    return rijen


@dataclass
class Verzoek:
    api: ApiClient
    methode: str
    pad: str
    body: Any

    def doe(self, sleutel: str | None, headers: dict[str, str] | None = None) -> Any:
        return self.api.request(self.methode, self.pad, self.body, sleutel=sleutel, headers=headers)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("operatie", OPERATIES, ids=[f"{m} {p}" for m, p in OPERATIES])
def test_autorisatie(
    operatie: tuple[str, str],
    scenario: str,
    wereld: Wereld,
    api: ApiClient,
    sleutel_maken: SleutelMaker,
) -> None:
    regel = regel_voor(operatie)
    methode, pad = operatie
    wij, zij = wereld.wij, wereld.zij
    verzoek = Verzoek(api, methode, pad_voor(pad, wij), regel.body(wij) if regel.body else None)
    schrijft = methode in {"POST", "PUT", "PATCH", "DELETE"}
    headers: dict[str, str] = {}
    if methode == "PUT":
        # A correction names the version it corrects, read with the right key first.
        vooraf = api.get(verzoek.pad, sleutel=sleutel_maken(wij.organisatie))
        assert vooraf.status_code == 200
        headers["If-Match"] = vooraf["ETag"]
    if methode == "POST":
        headers["Idempotency-Key"] = f"matrix-{scenario}"

    if scenario == "juiste_sleutel":
        sleutel = sleutel_maken(wij.organisatie)
        voor = stand(regel)
        response = verzoek.doe(sleutel, headers)
        assert 200 <= response.status_code < 300, response.content[:1000]
        assert response.has_header("API-Version")
        controleer_succes(regel, methode, pad, response, wij, voor)
        return

    if regel.over_de_sleutel is not None and scenario in (
        "sleutel_van_andere_organisatie",
        "sleutel_zonder_scope",
    ):
        # Whoever asks hears about their own key, whatever its scopes.
        partij = zij if scenario == "sleutel_van_andere_organisatie" else wij
        # A key has at least one scope; this one only the least related.
        scopes = [Scope.RAPPORTEN_LEZEN] if scenario == "sleutel_zonder_scope" else ALLE_SCOPES
        response = verzoek.doe(sleutel_maken(partij.organisatie, scopes))
        assert response.status_code == 200 and response.has_header("API-Version")
        verwacht = {**regel.over_de_sleutel(partij), "scopes": sorted(scopes)}
        assert response.json() == verwacht
        return

    if scenario == "sleutel_van_andere_organisatie":
        sleutel = sleutel_maken(zij.organisatie)
        voor = stand(regel)
        response = verzoek.doe(sleutel, headers)
        controleer_andere_organisatie(regel, methode, pad, response, wij, zij, verzoek, sleutel)
    else:
        sleutel = {
            "geen_sleutel": lambda: None,
            "onbekende_sleutel": lambda: "ont_" + "x" * 43,
            "ingetrokken_sleutel": lambda: sleutel_maken(wij.organisatie, ingetrokken=True),
            "verlopen_sleutel": lambda: sleutel_maken(wij.organisatie, verlopen=True),
            "sleutel_zonder_scope": lambda: sleutel_maken(
                wij.organisatie, [s for s in ALLE_SCOPES if s != regel.scope]
            ),
        }[scenario]()
        voor = stand(regel)
        response = verzoek.doe(sleutel, headers)
        if scenario == "sleutel_zonder_scope":
            body = is_probleem(response, 403)
            assert regel.scope in body["detail"]
        else:
            is_probleem(response, 401)
            assert response["WWW-Authenticate"].startswith("Bearer")
    if schrijft:
        assert stand(regel) == voor, "een geweigerd verzoek heeft iets veranderd"


def controleer_succes(
    regel: Regel, methode: str, pad: str, response: Any, wij: Partij, voor: dict[str, Any]
) -> None:
    if regel.pdf:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF
        return
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    if regel.over_de_sleutel is not None:
        assert body == {**regel.over_de_sleutel(wij), "scopes": sorted(ALLE_SCOPES)}
    elif regel.lijst is not None:
        assert {r["id"] for r in body["resultaten"]} == regel.lijst(wij)
        assert body["aantal"] == len(regel.lijst(wij))
    elif methode == "GET":
        assert body["id"] == pad_ids(pad, wij)[0]
    if methode == "POST":
        assert response.status_code == 201
        nieuw = len(body["resultaten"]) if "resultaten" in body else 1
        assert regel.model is not None
        assert regel.model.objects.count() == voor[regel.model.__name__] + nieuw
    if methode == "PUT":
        assert response.status_code == 200
        assert body["versie"] == 2 and body["status"] == "ingediend"
        assert response["ETag"] == f'"{body["id"]}-2"'


def controleer_andere_organisatie(
    regel: Regel,
    methode: str,
    pad: str,
    response: Any,
    wij: Partij,
    zij: Partij,
    verzoek: Verzoek,
    sleutel: str,
) -> None:
    if regel.lijst is not None:
        # A list answers for the key's own organisation: none of ours, all of theirs.
        assert response.status_code == 200
        assert response.has_header("API-Version")
        gezien = {r["id"] for r in json.loads(response.content)["resultaten"]}
        assert gezien == regel.lijst(zij)
        assert not gezien & regel.lijst(wij)
        return
    if methode == "POST":
        # The body points at our indicator or project: refused exactly as if it did not
        # exist, so the answer does not reveal that it does.
        body = is_probleem(response, 400)
        assert sorted(namen(body)) == sorted(regel.verwijzing)
        onbestaand = json.loads(
            json.dumps(verzoek.body)
            .replace(f'"indicator": {wij.indicator.pk}', '"indicator": 987654321')
            .replace(f'"project": {wij.project.pk}', '"project": 987654321')
        )
        ter_vergelijking = Verzoek(verzoek.api, methode, verzoek.pad, onbestaand).doe(sleutel)
        assert json.loads(ter_vergelijking.content)["invalidParams"] == body["invalidParams"]
        return
    body = is_probleem(response, 404)
    # And the same answer as for an id that does not exist at all.
    onbestaand = Verzoek(verzoek.api, methode, pad_met_onbekend_id(pad), verzoek.body).doe(
        sleutel, {"If-Match": "*"} if methode == "PUT" else None
    )
    assert json.loads(onbestaand.content)["detail"] == body["detail"]


def pad_ids(pad: str, partij: Partij) -> list[int]:
    ids = partij.ids()
    return [ids[deel[1:-1]] for deel in pad.split("/") if deel.startswith("{")]


def pad_met_onbekend_id(pad: str) -> str:
    parameters = [deel[1:-1] for deel in pad.split("/") if deel.startswith("{")]
    return pad.format(**dict.fromkeys(parameters, 987654321))
