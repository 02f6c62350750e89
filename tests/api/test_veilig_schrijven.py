"""Writing through the partner API safely: idempotent retries (also at the same moment),
corrections guarded by ETags, all-or-nothing batches, locked periods and closed projects,
refused input (every error at once, nothing stored), body size, rate limit and URLs."""

import json
import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from programma import idempotentie
from programma.audit import Actor
from programma.models import Auditregel, Idempotentieverzoek
from projecten import services
from projecten.models import Beoordeling, Besteding, Indicator, Meting, Project, Voortgangsverslag
from tests.api.conftest import API, ApiClient, Partij, SleutelMaker, Wereld, is_probleem, namen
from tests.projecten.factories import DoelFactory, IndicatorFactory, ProjectFactory

pytestmark = pytest.mark.django_db

alleen_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="echte gelijktijdigheid vraagt PostgreSQL; SQLite zet schrijvers achter elkaar",
)


def meting(p: Partij, periode: str = "2025-K4", **extra: Any) -> dict[str, Any]:
    return {"indicator": p.indicator.pk, "periode": periode, "waarde": "12.5", **extra}


def besteding(p: Partij, periode: str = "2025-K4", **extra: Any) -> dict[str, Any]:
    return {
        "project": p.project.pk,
        "periode": periode,
        "kostensoort": "personeel",
        "bedrag": "800.00",
        **extra,
    }


def verslag(p: Partij, periode: str = "2025-K4", **extra: Any) -> dict[str, Any]:
    return {"project": p.project.pk, "periode": periode, "samenvatting": "Op koers.", **extra}


# (collection path, model, body) per kind of submission
SOORTEN: dict[str, tuple[str, type, Callable[..., dict[str, Any]]]] = {
    "metingen": ("/metingen", Meting, meting),
    "bestedingen": ("/bestedingen", Besteding, besteding),
    "voortgangsverslagen": ("/voortgangsverslagen", Voortgangsverslag, verslag),
}


def telling() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Meting, Besteding, Voortgangsverslag, Auditregel, Idempotentieverzoek)
    }


# --- idempotency ----------------------------------------------------------------------------


@pytest.mark.parametrize("soort", SOORTEN)
@pytest.mark.parametrize("batch", [False, True], ids=["enkel", "batch"])
def test_herhaling_met_dezelfde_sleutel_geeft_het_bewaarde_antwoord_en_maakt_niets(
    wij: ApiClient, wereld: Wereld, soort: str, batch: bool
) -> None:
    pad, _, maak = SOORTEN[soort]
    body = {"items": [maak(wereld.wij), maak(wereld.wij, "2026-K1")]} if batch else maak(wereld.wij)
    pad = f"{pad}/batch" if batch else pad
    sleutel = {"Idempotency-Key": f"herhaal-{soort}-{batch}"}

    eerste = wij.post(pad, body, headers=sleutel)
    assert eerste.status_code == 201, eerste.content
    assert not eerste.has_header("Idempotent-Replayed")
    na_eerste = telling()

    tweede = wij.post(pad, body, headers=sleutel)
    assert tweede.status_code == 201
    assert tweede["Idempotent-Replayed"] == "true"
    assert tweede.content == eerste.content
    assert tweede["Content-Type"] == eerste["Content-Type"]
    assert tweede.has_header("API-Version")
    for header in ("Location", "ETag"):
        assert tweede.get(header) == eerste.get(header)
    assert telling() == na_eerste  # no submission, no audit row, no second key record


def test_herhaling_geeft_het_oude_antwoord_ook_als_de_inzending_intussen_veranderde(
    wij: ApiClient, wereld: Wereld, actor: Actor
) -> None:
    sleutel = {"Idempotency-Key": "oud-antwoord"}
    eerste = wij.post("/metingen", meting(wereld.wij), headers=sleutel)
    services.meting_beoordelen(
        actor=actor, meting=Meting.objects.get(pk=eerste.json()["id"]), besluit="goedgekeurd"
    )
    tweede = wij.post("/metingen", meting(wereld.wij), headers=sleutel)
    assert tweede.content == eerste.content and tweede.json()["status"] == "ingediend"


@pytest.mark.parametrize(
    "andere",
    [
        lambda p: ("/metingen", meting(p, waarde="99")),
        lambda p: ("/metingen", meting(p, "2026-K1")),
        lambda p: ("/bestedingen", besteding(p)),
    ],
    ids=["andere-waarde", "andere-periode", "ander-pad"],
)
def test_dezelfde_sleutel_voor_een_ander_verzoek_is_422(
    wij: ApiClient, wereld: Wereld, andere: Callable[[Partij], tuple[str, Any]]
) -> None:
    sleutel = {"Idempotency-Key": "eenmalig"}
    assert wij.post("/metingen", meting(wereld.wij), headers=sleutel).status_code == 201
    voor = telling()
    pad, body = andere(wereld.wij)
    response = wij.post(pad, body, headers=sleutel)
    probleem = is_probleem(response, 422)
    assert "Idempotency-Key" in probleem["detail"]
    assert telling() == voor


def test_een_sleutel_hoort_bij_een_api_sleutel_een_ander_krijgt_andermans_antwoord_niet(
    wij: ApiClient, api: ApiClient, hun_sleutel: str, wereld: Wereld
) -> None:
    sleutel = {"Idempotency-Key": "gedeelde-naam"}
    ons = wij.post("/metingen", meting(wereld.wij), headers=sleutel)
    hun = api.post("/metingen", meting(wereld.zij), sleutel=hun_sleutel, headers=sleutel)
    assert hun.status_code == 201 and not hun.has_header("Idempotent-Replayed")
    assert hun.json()["indicator"] == wereld.zij.indicator.pk != ons.json()["indicator"]


@pytest.mark.parametrize(
    ("fout", "status"),
    [
        (lambda p: meting(p, waarde="1.23456"), 400),
        (lambda p: meting(p, "2030-K1"), 400),
        (lambda p: meting(p, "2025-K3"), 409),  # already measured (approved)
    ],
    ids=["te-veel-decimalen", "buiten-het-project", "dubbel"],
)
def test_een_geweigerd_verzoek_bewaart_niets_dus_een_verbeterde_herhaling_slaagt(
    wij: ApiClient, wereld: Wereld, fout: Callable[[Partij], Any], status: int
) -> None:
    sleutel = {"Idempotency-Key": "probeer-het-nog-eens"}
    voor = telling()
    is_probleem(wij.post("/metingen", fout(wereld.wij), headers=sleutel), status)
    assert telling() == voor
    assert not Idempotentieverzoek.objects.exists()

    goed = wij.post("/metingen", meting(wereld.wij), headers=sleutel)
    assert goed.status_code == 201 and not goed.has_header("Idempotent-Replayed")
    assert Meting.objects.count() == voor["Meting"] + 1


def test_na_24_uur_mag_een_sleutel_opnieuw(wij: ApiClient, wereld: Wereld) -> None:
    sleutel = {"Idempotency-Key": "gisteren"}
    assert wij.post("/metingen", meting(wereld.wij), headers=sleutel).status_code == 201
    Idempotentieverzoek.objects.update(aangemaakt_op=timezone.now() - timedelta(hours=25))
    nieuw = wij.post("/metingen", meting(wereld.wij, "2026-K1"), headers=sleutel)
    assert nieuw.status_code == 201 and not nieuw.has_header("Idempotent-Replayed")
    assert Idempotentieverzoek.objects.count() == 1


@pytest.mark.parametrize(
    "waarde", ["", "x" * 256, "tab\tin-de-sleutel"], ids=["leeg", "256", "tab"]
)
def test_een_ongeldige_idempotency_key_is_400(wij: ApiClient, wereld: Wereld, waarde: str) -> None:
    voor = telling()
    response = wij.post("/metingen", meting(wereld.wij), headers={"Idempotency-Key": waarde})
    assert namen(is_probleem(response, 400)) == ["Idempotency-Key"]
    assert telling() == voor


# --- a claim without an answer: a request still running, or one that died -------------------


def onbeantwoord(**velden: Any) -> None:
    """Turn the stored answer back into a bare claim, as a request leaves it while it runs
    (or when its process dies before answering)."""
    Idempotentieverzoek.objects.update(status_code=0, inhoud="", headers={}, **velden)


def test_een_herhaling_wacht_op_het_antwoord_van_het_lopende_verzoek(
    wij: ApiClient, wereld: Wereld, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleutel = {"Idempotency-Key": "loopt-nog"}
    eerste = wij.post("/metingen", meting(wereld.wij), headers=sleutel)
    bewaard = Idempotentieverzoek.objects.values("status_code", "inhoud", "headers").get()
    onbeantwoord()
    voor = telling()

    def klaar_terwijl_we_wachten(_: float) -> None:
        Idempotentieverzoek.objects.update(**bewaard)

    monkeypatch.setattr(idempotentie.time, "sleep", klaar_terwijl_we_wachten)
    tweede = wij.post("/metingen", meting(wereld.wij), headers=sleutel)
    assert tweede.status_code == 201 and tweede["Idempotent-Replayed"] == "true"
    assert tweede.content == eerste.content
    assert telling() == voor


def test_een_herhaling_die_te_lang_wacht_krijgt_409_en_er_gebeurt_niets(
    wij: ApiClient, wereld: Wereld, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleutel = {"Idempotency-Key": "blijft-hangen"}
    assert wij.post("/metingen", meting(wereld.wij), headers=sleutel).status_code == 201
    onbeantwoord()
    voor = telling()
    monkeypatch.setattr(idempotentie, "WACHTTIJD", 0.05)
    probleem = is_probleem(wij.post("/metingen", meting(wereld.wij), headers=sleutel), 409)
    assert probleem["type"].endswith("idempotentiesleutel-bezig")
    assert telling() == voor


def test_ook_een_lopend_verzoek_met_een_andere_body_is_422(wij: ApiClient, wereld: Wereld) -> None:
    sleutel = {"Idempotency-Key": "loopt-ander"}
    assert wij.post("/metingen", meting(wereld.wij), headers=sleutel).status_code == 201
    onbeantwoord()
    voor = telling()
    is_probleem(wij.post("/metingen", meting(wereld.wij, waarde="99"), headers=sleutel), 422)
    assert telling() == voor


def test_een_verlaten_claim_wordt_overgenomen_en_maakt_geen_tweede_meting(
    wij: ApiClient, wereld: Wereld
) -> None:
    """The process died after storing the measurement but before its answer: once the
    claim is abandoned a retry runs again, and the unique indicator × period refuses the
    second measurement; the refusal gives the key back."""
    sleutel = {"Idempotency-Key": "gecrasht"}
    assert wij.post("/metingen", meting(wereld.wij), headers=sleutel).status_code == 201
    onbeantwoord(aangemaakt_op=timezone.now() - idempotentie.VERLATEN - timedelta(seconds=1))
    voor = telling()
    is_probleem(wij.post("/metingen", meting(wereld.wij), headers=sleutel), 409)
    # SQLite gives the key back; PostgreSQL never commits a claim without its answer, and
    # rolls this retry back whole, the takeover included.
    overgebleven = 0 if connection.vendor == "sqlite" else 1
    assert telling() == {**voor, "Idempotentieverzoek": overgebleven}


def test_een_verlaten_claim_zonder_inzending_wordt_overgenomen_en_uitgevoerd(
    wij: ApiClient, wereld: Wereld
) -> None:
    sleutel = {"Idempotency-Key": "gecrasht-voor-het-opslaan"}
    eerste = wij.post("/metingen", meting(wereld.wij), headers=sleutel)
    Meting.objects.filter(pk=eerste.json()["id"]).delete()  # it died before storing
    onbeantwoord(aangemaakt_op=timezone.now() - idempotentie.VERLATEN - timedelta(seconds=1))
    tweede = wij.post("/metingen", meting(wereld.wij), headers=sleutel)
    assert tweede.status_code == 201 and not tweede.has_header("Idempotent-Replayed")
    verzoek = Idempotentieverzoek.objects.get()
    assert verzoek.status_code == 201 and verzoek.inhoud == tweede.content.decode()
    derde = wij.post("/metingen", meting(wereld.wij), headers=sleutel)
    assert derde["Idempotent-Replayed"] == "true" and derde.content == tweede.content


def test_na_een_500_doet_een_herhaling_niets_dubbel(
    wij: ApiClient, wereld: Wereld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the work has its own transaction: after a 5xx nobody knows whether it was
    stored, so the key stays claimed. On PostgreSQL the work was rolled back together with
    the claim, so a retry runs afresh."""

    def kapot(**_: Any) -> None:
        raise RuntimeError("database weg")

    monkeypatch.setattr(services, "meting_indienen", kapot)
    monkeypatch.setattr(idempotentie, "WACHTTIJD", 0.05)
    sleutel = {"Idempotency-Key": "halverwege-kapot"}
    is_probleem(wij.post("/metingen", meting(wereld.wij), headers=sleutel), 500)
    if connection.vendor == "sqlite":
        assert Idempotentieverzoek.objects.get().status_code == 0
        is_probleem(wij.post("/metingen", meting(wereld.wij), headers=sleutel), 409)
    else:
        assert not Idempotentieverzoek.objects.exists()
        is_probleem(wij.post("/metingen", meting(wereld.wij), headers=sleutel), 500)


# --- the same POST at the same moment (PostgreSQL) ------------------------------------------

GELIJKTIJDIG = 8


def tegelijk(verzoek: Callable[[Client], Any], aantal: int = GELIJKTIJDIG) -> list[Any]:
    """Run ``verzoek`` in ``aantal`` threads at once, each with its own client and its own
    database connection; return the responses."""
    start = threading.Barrier(aantal)
    antwoorden: list[Any] = [None] * aantal
    fouten: list[BaseException] = []

    def werk(i: int) -> None:
        try:
            client = Client()
            start.wait(timeout=30)
            antwoorden[i] = verzoek(client)
        except BaseException as fout:  # reported below, in the test's own thread
            fouten.append(fout)
        finally:
            close_old_connections()
            connection.close()

    draden = [threading.Thread(target=werk, args=(i,)) for i in range(aantal)]
    for draad in draden:
        draad.start()
    for draad in draden:
        draad.join(timeout=120)
    assert not fouten, fouten
    assert all(a is not None for a in antwoorden)
    return antwoorden


@pytest.mark.postgresql
@alleen_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("soort", SOORTEN)
def test_gelijktijdige_herhalingen_met_een_sleutel_maken_een_inzending(
    wereld: Wereld, onze_sleutel: str, soort: str
) -> None:
    pad, model, maak = SOORTEN[soort]
    body = json.dumps(maak(wereld.wij))
    voor = model.objects.count()
    antwoorden = tegelijk(
        lambda c: c.post(
            API + pad,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {onze_sleutel}", "Idempotency-Key": "tegelijk"},
        )
    )
    assert [a.status_code for a in antwoorden] == [201] * GELIJKTIJDIG, [
        a.content[:300] for a in antwoorden
    ]
    assert len({a.content for a in antwoorden}) == 1
    assert sum(not a.has_header("Idempotent-Replayed") for a in antwoorden) == 1
    assert model.objects.count() == voor + 1
    assert Idempotentieverzoek.objects.count() == 1


@pytest.mark.postgresql
@alleen_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("soort", ["metingen", "voortgangsverslagen"])
def test_gelijktijdige_dubbele_inzendingen_zonder_sleutel_laten_er_een_toe(
    wereld: Wereld, onze_sleutel: str, soort: str
) -> None:
    """One measurement per indicator and period, one narrative per project and period:
    the others get 409, never a 500."""
    pad, model, maak = SOORTEN[soort]
    body = json.dumps(maak(wereld.wij))
    voor = model.objects.count()
    antwoorden = tegelijk(
        lambda c: c.post(
            API + pad,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {onze_sleutel}"},
        )
    )
    assert Counter(a.status_code for a in antwoorden) == {201: 1, 409: GELIJKTIJDIG - 1}, [
        a.content[:300] for a in antwoorden
    ]
    for a in antwoorden:
        if a.status_code == 409:
            is_probleem(a, 409)
    assert model.objects.count() == voor + 1


# --- corrections with ETag / If-Match -------------------------------------------------------

INZENDINGEN = {
    "metingen": (lambda p: p.meting, {"waarde": "14", "toelichting": "Bron erbij.", "bron": "CRM"}),
    "bestedingen": (lambda p: p.besteding, {"kostensoort": "overig", "bedrag": "90.10"}),
    "voortgangsverslagen": (lambda p: p.verslag, {"samenvatting": "Herzien.", "risicos": "Geen"}),
}


@pytest.mark.parametrize("soort", INZENDINGEN)
def test_corrigeren_vraagt_de_actuele_etag(wij: ApiClient, wereld: Wereld, soort: str) -> None:
    obj_van, correctie = INZENDINGEN[soort]
    obj = obj_van(wereld.wij)
    pad = f"/{soort}/{obj.pk}"

    gelezen = wij.get(pad)
    assert gelezen.status_code == 200
    etag = gelezen["ETag"]
    assert etag == f'"{obj.pk}-1"'
    assert gelezen.json()["status"] == "teruggestuurd"

    voor = telling()
    is_probleem(wij.put(pad, correctie), 428)
    is_probleem(wij.put(pad, correctie, headers={"If-Match": f'"{obj.pk}-0"'}), 412)
    is_probleem(wij.put(pad, correctie, headers={"If-Match": "iets-anders"}), 412)
    assert telling() == voor
    obj.refresh_from_db()
    assert (obj.versie, obj.status) == (1, Beoordeling.TERUGGESTUURD)

    gecorrigeerd = wij.put(pad, correctie, headers={"If-Match": etag})
    assert gecorrigeerd.status_code == 200, gecorrigeerd.content
    body = gecorrigeerd.json()
    assert body["versie"] == 2 and body["status"] == "ingediend"
    assert gecorrigeerd["ETag"] == f'"{obj.pk}-2"' != etag
    assert wij.get(pad)["ETag"] == gecorrigeerd["ETag"]
    assert (
        Auditregel.objects.filter(object_id=str(obj.pk), actie__endswith="_corrigeren").count() == 1
    )
    for veld, waarde in correctie.items():
        if veld in ("waarde", "bedrag"):
            assert Decimal(body[veld]) == Decimal(waarde)
        else:
            assert body[veld] == waarde

    # The ETag read before the correction is stale now: a lost update is refused.
    is_probleem(wij.put(pad, correctie, headers={"If-Match": etag}), 412)


@pytest.mark.parametrize("soort", INZENDINGEN)
def test_een_goedgekeurde_inzending_corrigeren_is_409(
    wij: ApiClient, wereld: Wereld, soort: str
) -> None:
    obj_van, correctie = INZENDINGEN[soort]
    obj = obj_van(wereld.wij)
    type(obj).objects.filter(pk=obj.pk).update(status=Beoordeling.GOEDGEKEURD)
    pad = f"/{soort}/{obj.pk}"
    voor = telling()
    is_probleem(wij.put(pad, correctie, headers={"If-Match": wij.get(pad)["ETag"]}), 409)
    assert telling() == voor


# --- batches --------------------------------------------------------------------------------


@pytest.fixture
def lang_project(wereld: Wereld) -> tuple[Project, list[Indicator], list[str]]:
    """A project over the whole programme (2022–2040) with 28 indicators: 361 periods
    each, room for 10,000 distinct measurements."""
    from programma.perioden import perioden_tussen

    project = ProjectFactory(
        programma=wereld.wij.project.programma,
        penvoerder=wereld.wij.organisatie,
        startdatum=date(2022, 1, 1),
        einddatum=date(2040, 12, 31),
    )
    doel = DoelFactory(project=project)
    indicatoren = Indicator.objects.bulk_create(
        [Indicator(doel=doel, naam=f"Indicator {i}", eenheid="aantal") for i in range(28)]
    )
    perioden = [
        p.code
        for f in ("jaar", "halfjaar", "kwartaal", "maand")
        for p in perioden_tussen(project.startdatum, project.einddatum, f)
    ]
    return project, indicatoren, perioden


def veel_metingen(indicatoren: list[Indicator], perioden: list[str], aantal: int) -> list[Any]:
    paren = [(i.pk, p) for i in indicatoren for p in perioden]
    assert len(paren) >= aantal
    return [
        {"indicator": i, "periode": p, "waarde": n % 97} for n, (i, p) in enumerate(paren[:aantal])
    ]


def test_een_batch_van_10000_metingen_wordt_helemaal_opgeslagen(
    wij: ApiClient, lang_project: Any
) -> None:
    _, indicatoren, perioden = lang_project
    voor = telling()
    response = wij.post("/metingen/batch", {"items": veel_metingen(indicatoren, perioden, 10_000)})
    assert response.status_code == 201, response.content[:500]
    body = response.json()
    assert body["aantal"] == 10_000 == len(body["resultaten"])
    assert Meting.objects.count() == voor["Meting"] + 10_000
    ids = {str(r["id"]) for r in body["resultaten"]}
    regels = Auditregel.objects.filter(actie="meting_indienen", object_id__in=ids)
    assert regels.count() == 10_000
    assert Auditregel.objects.count() == voor["Auditregel"] + 10_000


@pytest.mark.parametrize("soort", SOORTEN)
def test_een_batch_van_10001_is_400_en_noemt_het_veld(
    wij: ApiClient, wereld: Wereld, soort: str
) -> None:
    pad, _, maak = SOORTEN[soort]
    item = maak(wereld.wij)
    voor = telling()
    response = wij.post(f"{pad}/batch", {"items": [item] * 10_001})
    probleem = is_probleem(response, 400)
    assert namen(probleem) == ["items"]
    assert probleem["invalidParams"][0]["code"] == "too_long"
    assert "10000" in probleem["invalidParams"][0]["reason"]
    assert telling() == voor


def _slechte_items(p: Partij, q: Partij) -> list[tuple[str, Callable[[int], list[Any]], str]]:
    """(batch path, items with a bad one at index k, field named) — schema errors and
    errors only the service finds."""
    goed_m = [meting(p, periode) for periode in ("2025-K4", "2026-K1", "2025-11", "2026")]
    goed_b = [besteding(p, periode) for periode in ("2025-K4", "2026-K1", "2025-11", "2026")]
    goed_v = [verslag(p, periode) for periode in ("2025-K4", "2026-K1", "2025-H2", "2026-H1")]

    def met(items: list[Any], k: int, slecht: dict[str, Any]) -> list[Any]:
        return [*items[:k], {**items[k], **slecht}, *items[k + 1 :]]

    return [
        ("/metingen/batch", lambda k: met(goed_m, k, {"waarde": "veel"}), "waarde"),
        ("/metingen/batch", lambda k: met(goed_m, k, {"waarde": "0.00001"}), "waarde"),
        ("/metingen/batch", lambda k: met(goed_m, k, {"periode": "2027-K1"}), "periode"),
        ("/metingen/batch", lambda k: met(goed_m, k, {"periode": "2025-K3"}), "periode"),
        (
            "/metingen/batch",
            lambda k: met(goed_m, k, {"indicator": p.percentage.pk, "waarde": "101"}),
            "waarde",
        ),
        ("/metingen/batch", lambda k: met(goed_m, k, {"indicator": q.indicator.pk}), "indicator"),
        ("/bestedingen/batch", lambda k: met(goed_b, k, {"bedrag": "-1.00"}), "bedrag"),
        ("/bestedingen/batch", lambda k: met(goed_b, k, {"kostensoort": "feest"}), "kostensoort"),
        ("/bestedingen/batch", lambda k: met(goed_b, k, {"project": q.project.pk}), "project"),
        ("/bestedingen/batch", lambda k: met(goed_b, k, {"periode": "2024-12"}), "periode"),
        (
            "/bestedingen/batch",
            lambda k: met(goed_b, k, {"beschikking": q.beschikking.pk}),
            "beschikking",
        ),
        (
            "/voortgangsverslagen/batch",
            lambda k: met(goed_v, k, {"samenvatting": ""}),
            "samenvatting",
        ),
        ("/voortgangsverslagen/batch", lambda k: met(goed_v, k, {"periode": "2025-K2"}), "periode"),
        (
            "/voortgangsverslagen/batch",
            lambda k: met(goed_v, k, {"project": q.project.pk}),
            "project",
        ),
    ]


SLECHTE_ITEMS = [
    "meting-waarde-geen-getal",
    "meting-te-veel-decimalen",
    "meting-periode-buiten-project",
    "meting-al-ingediend",
    "meting-percentage-101",
    "meting-indicator-van-een-ander",
    "besteding-negatief",
    "besteding-onbekende-kostensoort",
    "besteding-project-van-een-ander",
    "besteding-periode-voor-de-start",
    "besteding-beschikking-van-een-ander",
    "verslag-lege-samenvatting",
    "verslag-al-ingediend",
    "verslag-project-van-een-ander",
]


@pytest.mark.parametrize("k", [0, 2, 3])
@pytest.mark.parametrize("geval", range(len(SLECHTE_ITEMS)), ids=SLECHTE_ITEMS)
def test_een_slecht_item_weigert_de_hele_batch_en_noemt_index_en_veld(
    wij: ApiClient, wereld: Wereld, geval: int, k: int
) -> None:
    pad, items, veld = _slechte_items(wereld.wij, wereld.zij)[geval]
    voor = telling()
    response = wij.post(pad, {"items": items(k)})
    probleem = is_probleem(response, 400)
    assert [(p["name"], p.get("index")) for p in probleem["invalidParams"]] == [
        (f"items.{k}.{veld}", k)
    ], probleem
    assert telling() == voor


@pytest.mark.parametrize("soort", SOORTEN)
def test_een_geldige_batch_slaat_alles_op_met_een_auditregel_per_inzending(
    wij: ApiClient, wereld: Wereld, soort: str
) -> None:
    pad, model, maak = SOORTEN[soort]
    perioden = ["2025-K4", "2026-K1", "2025-H2", "2026-H1", "2026"]
    voor = telling()
    response = wij.post(f"{pad}/batch", {"items": [maak(wereld.wij, p) for p in perioden]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["aantal"] == 5 and [r["periode"] for r in body["resultaten"]] == perioden
    assert model.objects.count() == voor[model.__name__] + 5
    actie = {"metingen": "meting", "bestedingen": "besteding"}.get(soort, "voortgangsverslag")
    per_object = Counter(
        Auditregel.objects.filter(actie=f"{actie}_indienen").values_list("object_id", flat=True)
    )
    assert per_object == {str(r["id"]): 1 for r in body["resultaten"]}


def test_het_antwoord_op_een_batch_metingen_is_wat_ninja_met_het_schema_ervan_maakt(
    wereld: Wereld, actor: Actor
) -> None:
    """The batch answer skips ninja's validation of its 10,000 rows; its bytes stay the
    same as when the rows went through ``MetingBatchUit``."""
    from ontschot.api import api
    from projecten import schemas

    p = wereld.wij
    metingen = services.metingen_indienen(
        actor=actor,
        items=[
            {"indicator": p.indicator, "periode": "2025-K4", "waarde": Decimal("12.5")},
            {
                "indicator": p.indicator,
                "periode": "2026-K1",
                "waarde": Decimal("-0.0001") if p.indicator.eenheid == "score" else Decimal("3"),
                "toelichting": "Café",
                "uitsplitsing": {"18-": Decimal("1.25"), "65+": Decimal("1E+2")},
            },
        ],
    )
    Meting.objects.filter(pk=metingen[0].pk).update(beoordeeld_op=timezone.now())
    metingen[0].refresh_from_db()
    via_schema = schemas.MetingBatchUit.model_validate(
        {"aantal": 2, "resultaten": [schemas.MetingBatchregel.van(m) for m in metingen]}
    ).model_dump(by_alias=True)
    assert api.renderer.render(None, schemas.metingen_batch_uit(metingen), response_status=201) == (
        api.renderer.render(None, via_schema, response_status=201)
    )


# --- locked periods and closed projects -----------------------------------------------------

SCHRIJVEN: dict[str, Callable[[ApiClient, Partij, str], Any]] = {
    "meting-indienen": lambda api, p, periode: api.post("/metingen", meting(p, periode)),
    "besteding-indienen": lambda api, p, periode: api.post("/bestedingen", besteding(p, periode)),
    "verslag-indienen": lambda api, p, periode: api.post(
        "/voortgangsverslagen", verslag(p, periode)
    ),
    "meting-corrigeren": lambda api, p, _: api.put(
        f"/metingen/{p.meting.pk}", {"waarde": "3"}, headers={"If-Match": f'"{p.meting.pk}-1"'}
    ),
    "besteding-corrigeren": lambda api, p, _: api.put(
        f"/bestedingen/{p.besteding.pk}",
        {"kostensoort": "overig", "bedrag": "1.00"},
        headers={"If-Match": f'"{p.besteding.pk}-1"'},
    ),
    "verslag-corrigeren": lambda api, p, _: api.put(
        f"/voortgangsverslagen/{p.verslag.pk}",
        {"samenvatting": "Nieuw."},
        headers={"If-Match": f'"{p.verslag.pk}-1"'},
    ),
}


@pytest.mark.parametrize("bereik", ["project", "programma"])
@pytest.mark.parametrize(
    ("vergrendeld", "periode"),
    [("2025-K2", "2025-K2"), ("2025-K2", "2025-05"), ("2025", "2025-H1"), ("2025-H1", "2025-K2")],
    ids=["zelfde-kwartaal", "maand-in-kwartaal", "halfjaar-in-jaar", "kwartaal-in-halfjaar"],
)
@pytest.mark.parametrize("schrijf", SCHRIJVEN)
def test_in_een_vergrendelde_periode_kan_niets_worden_ingediend_of_gecorrigeerd(
    wij: ApiClient,
    wereld: Wereld,
    actor: Actor,
    bereik: str,
    vergrendeld: str,
    periode: str,
    schrijf: str,
) -> None:
    """The returned submissions of the fixture are for 2025-K2, which every lock here covers."""
    p = wereld.wij
    services.periode_vergrendelen(
        actor=actor,
        programma=p.project.programma,
        periode=vergrendeld,
        project=p.project if bereik == "project" else None,
    )
    voor = telling()
    probleem = is_probleem(SCHRIJVEN[schrijf](wij, p, periode), 409)
    assert f"Periode {vergrendeld} is vergrendeld" in probleem["detail"]
    assert telling() == voor


@pytest.mark.parametrize("schrijf", SCHRIJVEN)
def test_een_slot_op_een_ander_project_of_een_andere_periode_houdt_niets_tegen(
    wij: ApiClient, wereld: Wereld, actor: Actor, schrijf: str
) -> None:
    p = wereld.wij
    ander = ProjectFactory(programma=p.project.programma)
    services.periode_vergrendelen(
        actor=actor, programma=ander.programma, periode="2025", project=ander
    )
    services.periode_vergrendelen(actor=actor, programma=p.project.programma, periode="2025-K3")
    response = SCHRIJVEN[schrijf](wij, p, "2025-05")
    assert response.status_code in (200, 201), response.content


def test_een_batch_in_een_vergrendelde_periode_noemt_het_item(
    wij: ApiClient, wereld: Wereld, actor: Actor
) -> None:
    p = wereld.wij
    services.periode_vergrendelen(actor=actor, programma=p.project.programma, periode="2026-K1")
    voor = telling()
    response = wij.post("/metingen/batch", {"items": [meting(p, "2025-K4"), meting(p, "2026-02")]})
    probleem = is_probleem(response, 400)
    assert [(x["name"], x["index"]) for x in probleem["invalidParams"]] == [("items.1.periode", 1)]
    assert telling() == voor


@pytest.mark.parametrize("status", [Project.Status.AFGEROND, Project.Status.GESTOPT])
@pytest.mark.parametrize("schrijf", SCHRIJVEN)
def test_bij_een_gesloten_project_kan_niets_meer(
    wij: ApiClient, wereld: Wereld, status: str, schrijf: str
) -> None:
    Project.objects.filter(pk=wereld.wij.project.pk).update(status=status)
    voor = telling()
    probleem = is_probleem(SCHRIJVEN[schrijf](wij, wereld.wij, "2025-K4"), 409)
    assert wereld.wij.project.code in probleem["detail"]
    assert telling() == voor


# --- refused input --------------------------------------------------------------------------


def _ruw(p: Partij, waarde: str) -> str:
    return f'{{"indicator": {p.indicator.pk}, "periode": "2025-K4", "waarde": {waarde}}}'


ONGELDIG: dict[str, tuple[str, Callable[[Partij], Any], list[str]]] = {
    "nan": ("/metingen", lambda p: _ruw(p, "NaN"), ["body"]),
    "infinity": ("/metingen", lambda p: _ruw(p, "Infinity"), ["body"]),
    "min-infinity": ("/metingen", lambda p: _ruw(p, "-Infinity"), ["body"]),
    "nan-als-tekst": ("/metingen", lambda p: meting(p, waarde="NaN"), ["waarde"]),
    "1e400": ("/metingen", lambda p: _ruw(p, "1e400"), ["waarde"]),
    "te-veel-cijfers": ("/metingen", lambda p: meting(p, waarde="123456789012345"), ["waarde"]),
    "te-veel-decimalen": ("/metingen", lambda p: _ruw(p, "1.23456"), ["waarde"]),
    "percentage-101": (
        "/metingen",
        lambda p: {**meting(p), "indicator": p.percentage.pk, "waarde": 101},
        ["waarde"],
    ),
    "negatief-aantal": ("/metingen", lambda p: meting(p, waarde="-1"), ["waarde"]),
    "periode-buiten-project": ("/metingen", lambda p: meting(p, "2026-K3"), ["periode"]),
    "periode-onzin": ("/metingen", lambda p: meting(p, "2025-K5"), ["periode"]),
    "onbekend-veld": ("/metingen", lambda p: meting(p, eenheid="procent"), ["eenheid"]),
    "tekst-voor-indicator": (
        "/metingen",
        lambda p: {**meting(p), "indicator": "één"},
        ["indicator"],
    ),
    "lijst-voor-waarde": ("/metingen", lambda p: {**meting(p), "waarde": [1]}, ["waarde"]),
    "nul-teken": ("/metingen", lambda p: meting(p, toelichting="a\x00b"), ["toelichting"]),
    "negatief-bedrag": ("/bestedingen", lambda p: besteding(p, bedrag="-0.01"), ["bedrag"]),
    "bedrag-drie-decimalen": ("/bestedingen", lambda p: besteding(p, bedrag=1.005), ["bedrag"]),
    "besteding-buiten-project": ("/bestedingen", lambda p: besteding(p, "2025-01"), ["periode"]),
    "verslag-buiten-project": ("/voortgangsverslagen", lambda p: verslag(p, "2027"), ["periode"]),
    "verslag-zonder-samenvatting": (
        "/voortgangsverslagen",
        lambda p: {"project": p.project.pk, "periode": "2025-K4"},
        ["samenvatting"],
    ),
    "drie-fouten-tegelijk": (
        "/metingen",
        lambda p: {"indicator": "x", "periode": "2025-Q1", "waarde": "1.23456"},
        ["indicator", "periode", "waarde"],
    ),
    "drie-fouten-in-een-besteding": (
        "/bestedingen",
        lambda p: {"project": p.project.pk, "periode": "2025", "bedrag": "-5", "kleur": "rood"},
        ["kostensoort", "bedrag", "kleur"],
    ),
    "geen-object": ("/metingen", lambda p: "[1, 2]", ["body"]),
    "geen-json": ("/metingen", lambda p: "{indicator: 1}", ["body"]),
}


@pytest.mark.parametrize("geval", ONGELDIG)
def test_ongeldige_invoer_is_400_met_elke_fout_en_er_wordt_niets_opgeslagen(
    wij: ApiClient, wereld: Wereld, geval: str
) -> None:
    pad, body, velden = ONGELDIG[geval]
    voor = telling()
    response = wij.post(pad, body(wereld.wij), headers={"Idempotency-Key": geval})
    probleem = is_probleem(response, 400)
    assert sorted(namen(probleem)) == sorted(velden), probleem
    for param in probleem["invalidParams"]:
        assert param["reason"] and param["code"]
        assert not param["reason"].startswith(("Input should", "Value error")), (
            "de reden is Nederlands"
        )
    assert telling() == voor


@pytest.mark.parametrize(
    "waarde",
    [
        "gisteren",
        "2025-13-01T00:00:00+01:00",
        "2025-06-01T25:00:00Z",
        "1700000000",
        "0.5",
        "2025-06-01",
        "2025-06-01T00:00:00",
    ],
    ids=["woord", "maand-13", "uur-25", "unix-tijd", "getal", "alleen-datum", "zonder-tijdzone"],
)
@pytest.mark.parametrize("lijst", ["/metingen", "/bestedingen", "/voortgangsverslagen"])
def test_gewijzigd_sinds_vraagt_een_iso_8601_moment_met_tijdzone(
    wij: ApiClient, wereld: Wereld, lijst: str, waarde: str
) -> None:
    probleem = is_probleem(wij.get(lijst, query={"gewijzigdSinds": waarde}), 400)
    assert namen(probleem) == ["gewijzigdSinds"]


@pytest.mark.parametrize(
    "waarde",
    [
        "12345678901.2345",
        "-0.0001",
        "99999999999.9999",
        "12345678901234.5678",
        "99999999999999.9999",
    ],
)
def test_een_aanvaarde_waarde_wordt_exact_bewaard(
    wij: ApiClient, wereld: Wereld, waarde: str
) -> None:
    """Whatever the API accepts it gives back digit for digit, on every database (SQLite
    keeps decimals as doubles: exact up to 15 significant digits only)."""
    score = IndicatorFactory(doel=wereld.wij.indicator.doel, eenheid=Indicator.Eenheid.SCORE)
    response = wij.post(
        "/metingen", {"indicator": score.pk, "periode": "2025-K4", "waarde": waarde}
    )
    if response.status_code == 400:
        assert namen(is_probleem(response, 400)) == ["waarde"]
        return
    assert response.status_code == 201, response.content
    gelezen = wij.get(f"/metingen/{response.json()['id']}")
    assert gelezen.status_code == 200, gelezen.content[:300]
    assert Decimal(gelezen.json()["waarde"]) == Decimal(waarde)
    lijst = wij.get("/metingen", query={"paginaGrootte": 500})
    assert lijst.status_code == 200


def test_correctie_met_ongeldige_invoer_is_400_en_verandert_niets(
    wij: ApiClient, wereld: Wereld
) -> None:
    p = wereld.wij
    voor = telling()
    response = wij.put(
        f"/metingen/{p.meting.pk}",
        {"waarde": "1.23456", "bron": "x" * 201, "periode": "2025-K4"},
        headers={"If-Match": f'"{p.meting.pk}-1"'},
    )
    assert sorted(namen(is_probleem(response, 400))) == ["bron", "periode", "waarde"]
    assert telling() == voor
    p.meting.refresh_from_db()
    assert p.meting.waarde == Decimal("12") and p.meting.versie == 1


# --- body size, rate limit, URLs ------------------------------------------------------------


def test_een_te_grote_body_is_413_en_er_wordt_niets_opgeslagen(
    wij: ApiClient, wereld: Wereld, settings: Any
) -> None:
    settings.API_MAX_BODY_BYTES = 300
    klein = meting(wereld.wij)
    perioden = ("2025-K4", "2026-K1", "2025-11", "2026", "2025-H2", "2026-H1")
    groot = {"items": [meting(wereld.wij, p) for p in perioden]}
    assert len(json.dumps(klein)) < 300 < len(json.dumps(groot))
    voor = telling()
    for pad, body in (
        ("/metingen/batch", groot),
        ("/metingen", {**klein, "toelichting": "x" * 400}),
    ):
        probleem = is_probleem(wij.post(pad, body, headers={"Idempotency-Key": pad}), 413)
        assert "300" in probleem["detail"]
    assert telling() == voor
    assert wij.post("/metingen", klein).status_code == 201


@pytest.fixture
def stilstaande_klok(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """The rate limit counts per minute: fix the clock so a test never straddles two."""
    import programma.api

    nu = {"t": 1_750_000_000.0 + 17}

    class Klok:
        @staticmethod
        def time() -> float:
            return nu["t"]

    monkeypatch.setattr(programma.api, "time", Klok)

    def verzet(seconden: float) -> None:
        nu["t"] += seconden

    return verzet


def test_na_het_maximum_per_minuut_volgt_429_met_retry_after(
    wij: ApiClient,
    api: ApiClient,
    wereld: Wereld,
    sleutel_maken: SleutelMaker,
    settings: Any,
    stilstaande_klok: Callable[[float], None],
) -> None:
    settings.API_LIMIET_PER_MINUUT = 3
    assert [wij.get("/projecten").status_code for _ in range(3)] == [200, 200, 200]

    voor = telling()
    for response in (wij.get("/projecten"), wij.post("/metingen", meting(wereld.wij))):
        probleem = is_probleem(response, 429)
        assert "3" in probleem["detail"]
        assert response["Retry-After"].isdigit()
        assert 1 <= int(response["Retry-After"]) <= 60
    assert telling() == voor

    # Per key: another key of the same organisation still has its own three.
    assert api.get("/projecten", sleutel=sleutel_maken(wereld.wij.organisatie)).status_code == 200
    # And a new minute starts afresh.
    stilstaande_klok(60)
    assert wij.get("/projecten").status_code == 200


@pytest.mark.parametrize(
    ("methode", "pad"),
    [
        ("GET", "/projecten/"),
        ("GET", "/metingen/"),
        ("GET", "/metingen/{meting}/"),
        ("PUT", "/metingen/{meting}/"),
        ("POST", "/metingen/"),
        ("POST", "/metingen/batch/"),
        ("GET", "/rapporten/{rapport}/pdf/"),
        ("GET", "/bestaat-niet"),
        ("GET", "/"),
    ],
)
def test_een_url_met_slash_aan_het_eind_is_404_geen_redirect(
    wij: ApiClient, wereld: Wereld, methode: str, pad: str
) -> None:
    pad = pad.format(meting=wereld.wij.meting.pk, rapport=wereld.wij.rapport.pk)
    voor = telling()
    response = wij.request(methode, pad, meting(wereld.wij) if methode != "GET" else None)
    is_probleem(response, 404)
    assert not response.has_header("Location")
    assert telling() == voor


@pytest.mark.parametrize(
    ("methode", "pad", "toegestaan"),
    [
        ("DELETE", "/metingen/{meting}", {"GET", "PUT"}),
        ("PATCH", "/metingen/{meting}", {"GET", "PUT"}),
        ("DELETE", "/metingen", {"GET", "POST"}),
        ("PUT", "/metingen/batch", {"POST"}),
        ("POST", "/projecten", {"GET"}),
    ],
)
def test_een_methode_die_niet_bestaat_is_405_als_probleem_met_allow(
    wij: ApiClient, wereld: Wereld, methode: str, pad: str, toegestaan: set[str]
) -> None:
    voor = telling()
    response = wij.request(methode, pad.format(meting=wereld.wij.meting.pk), {})
    is_probleem(response, 405)
    assert {m.strip() for m in response["Allow"].split(",")} == toegestaan
    assert telling() == voor
