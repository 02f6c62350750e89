"""The partner API's OpenAPI spec: the committed docs/api/openapi.json is what the code
generates, and the live spec and its documentation page are public."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from ontschot.api import API_VERSIE, VASTGELEGDE_SERVER, spec_als_tekst
from rapportage.management.commands.openapi_schrijven import STANDAARD_PAD

BIJWERKEN = "Werk hem bij met 'python manage.py openapi_schrijven' en leg het resultaat vast."


def test_vastgelegde_spec_is_wat_de_code_genereert() -> None:
    assert Path(settings.BASE_DIR) / "docs" / "api" / "openapi.json" == STANDAARD_PAD
    assert STANDAARD_PAD.exists(), f"{STANDAARD_PAD} ontbreekt. {BIJWERKEN}"
    assert STANDAARD_PAD.read_text(encoding="utf-8") == spec_als_tekst(), (
        f"{STANDAARD_PAD} wijkt af van de code. {BIJWERKEN}"
    )


def test_controleer_slaagt_op_het_vastgelegde_bestand() -> None:
    call_command("openapi_schrijven", "--controleer")


def test_controleer_faalt_en_noemt_het_verschil(tmp_path: Path, capsys) -> None:
    spec = json.loads(spec_als_tekst())
    spec["info"]["version"] = "0.0.1"
    del spec["paths"]["/metingen/batch"]
    bestand = tmp_path / "openapi.json"
    bestand.write_text(json.dumps(spec, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    with pytest.raises(CommandError, match="openapi_schrijven"):
        call_command("openapi_schrijven", "--controleer", "--pad", str(bestand))

    fouten = capsys.readouterr().err
    assert "~ /info/version" in fouten
    assert "+ /paths/~1metingen~1batch" in fouten
    assert bestand.read_text(encoding="utf-8") != spec_als_tekst()  # checking never writes


def test_schrijven_maakt_het_bestand_en_is_stabiel(tmp_path: Path) -> None:
    bestand = tmp_path / "api" / "openapi.json"
    call_command("openapi_schrijven", "--pad", str(bestand))
    eerste = bestand.read_text(encoding="utf-8")
    call_command("openapi_schrijven", "--pad", str(bestand))

    assert bestand.read_text(encoding="utf-8") == eerste == spec_als_tekst()
    assert eerste.endswith("}\n")
    assert (
        eerste
        == json.dumps(json.loads(eerste), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def test_spec_hangt_niet_af_van_de_omgeving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever server this process announces, the committed spec names the example one."""
    from ontschot.api import api

    monkeypatch.setattr(api, "servers", [{"url": "http://localhost:1234/api/v1"}])
    spec = json.loads(spec_als_tekst())
    assert spec["servers"] == [VASTGELEGDE_SERVER]
    assert spec["servers"][0]["url"].startswith("https://")
    assert spec["servers"][0]["url"].endswith("/api/v1")


def test_spec_volgt_de_nl_api_design_rules_op_hoofdpunten() -> None:
    """The gist of the Spectral ruleset, so a plain pytest run catches the worst slips."""
    spec = json.loads(spec_als_tekst())
    assert set(spec["info"]["contact"]) >= {"name", "email", "url"}
    assert spec["components"]["schemas"]["Probleem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
    ]
    for pad, operaties in spec["paths"].items():
        assert not pad.endswith("/"), pad
        assert not pad.startswith("/api/"), pad
        for methode, operatie in operaties.items():
            for code, antwoord in operatie["responses"].items():
                assert "API-Version" in antwoord["headers"], (pad, methode, code)
                if code.startswith(("4", "5")):
                    assert list(antwoord["content"]) == ["application/problem+json"]
            assert "400" in operatie["responses"], (pad, methode)
            for parameter in operatie.get("parameters", []):
                if parameter["in"] == "query":
                    naam = parameter["name"]
                    assert naam[0].islower() and "_" not in naam and "-" not in naam, naam


def test_openapi_json_is_openbaar_en_voor_elke_origin_leesbaar(client: Client) -> None:
    response = client.get("/api/v1/openapi.json", HTTP_ORIGIN="https://elders.example")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["API-Version"] == API_VERSIE
    spec = response.json()
    assert spec["info"]["version"] == API_VERSIE
    assert "/metingen" in spec["paths"]
    # The live spec is the committed one, apart from the server this installation announces.
    spec["servers"] = [VASTGELEGDE_SERVER]
    assert spec == json.loads(spec_als_tekst())


def test_openapi_json_met_slash_bestaat_niet(client: Client) -> None:
    response = client.get("/api/v1/openapi.json/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_documentatiepagina_zonder_inloggen(client: Client) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"openapi.json" in response.content


def test_documentatiepagina_laadt_niets_van_buiten(client: Client) -> None:
    """The interactive docs work without internet: Swagger UI comes from our own static files."""
    import re

    bronnen = re.findall(r'(?:src|href)="([^"]+)"', client.get("/api/v1/docs").content.decode())
    assert bronnen
    assert all(b.startswith("/static/") for b in bronnen), bronnen
