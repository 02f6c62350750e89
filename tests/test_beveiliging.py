"""Deployment security: the deploy check passes in production, pages carry a content
security policy with nonces, the API carries the security headers of the NL API Design
Rules, sign-in is throttled and locked out, and the admin is for administrators only."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from ontschot.beheer import ip_adres
from programma import services as programma_services
from programma.audit import Actor
from programma.models import ApiSleutel, Organisatie, Rol
from tests.programma.factories import GebruikerFactory, RolFactory

PROJECT = Path(__file__).resolve().parent.parent
WACHTWOORD = "Keukentafel-gesprek-2025"
GOED_GEHEIM = "k3Yq0-p6Vw_w9xJ2mZr8uTnB4cLhE1sGdA7fQoR5iXyK0vNjU2tW"


# --- check --deploy -----------------------------------------------------------------------


def deploy_check(**omgeving: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "DEBUG", "SECRET_KEY", "ONTSCHOT_", "DATABASE_URL"))
    }
    env.update(DJANGO_SETTINGS_MODULE="ontschot.settings", **omgeving)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )


PRODUCTIE = {
    "ONTSCHOT_PRODUCTIE": "1",
    "SECRET_KEY": GOED_GEHEIM,
    "ALLOWED_HOSTS": "ontschot.example.nl",
}


def test_deploy_check_slaagt_met_productie_instellingen():
    uitslag = deploy_check(**PRODUCTIE)

    assert uitslag.returncode == 0, uitslag.stderr
    assert "no issues" in uitslag.stdout


def test_deploy_check_faalt_met_de_ontwikkelsleutel_of_een_zwakke_sleutel():
    ontwikkel = deploy_check(**{**PRODUCTIE, "SECRET_KEY": ""})
    zwak = deploy_check(**{**PRODUCTIE, "SECRET_KEY": "te-kort"})

    assert ontwikkel.returncode != 0
    assert "SECRET_KEY moet gezet zijn in productie" in ontwikkel.stderr
    assert zwak.returncode != 0
    assert "security.W009" in zwak.stderr


def test_deploy_check_faalt_zonder_https():
    """Turning off the HTTPS redirect and HSTS in production is what the check is for."""
    uitslag = deploy_check(**PRODUCTIE, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")

    assert uitslag.returncode != 0
    assert "security.W008" in uitslag.stderr and "security.W004" in uitslag.stderr


# --- content security policy ----------------------------------------------------------------


def csp(antwoord: Any) -> dict[str, str]:
    return {
        deel.strip().split(" ", 1)[0]: deel.strip().partition(" ")[2]
        for deel in antwoord["Content-Security-Policy"].split(";")
        if deel.strip()
    }


@pytest.mark.django_db
def test_paginas_hebben_een_csp_met_nonce_op_elk_script(client: Client):
    antwoord = client.get(reverse("login"))

    beleid = csp(antwoord)
    nonce = re.search(r"'nonce-([^']+)'", beleid["script-src"])
    assert nonce, beleid
    scripts = re.findall(r"<script[^>]*>", antwoord.content.decode())
    assert scripts and all(f'nonce="{nonce.group(1)}"' in s for s in scripts), scripts
    assert beleid["default-src"] == "'self'"
    assert beleid["style-src"] == "'self'"
    assert beleid["frame-ancestors"] == "'none'"
    assert beleid["object-src"] == "'none'"
    assert beleid["form-action"] == "'self'" and beleid["base-uri"] == "'self'"
    # A fresh nonce per response.
    assert nonce.group(1) not in client.get(reverse("login"))["Content-Security-Policy"]


@pytest.mark.django_db
def test_beveiligingsheaders_op_paginas(client: Client):
    antwoord = client.get(reverse("login"))

    assert antwoord["X-Content-Type-Options"] == "nosniff"
    assert antwoord["X-Frame-Options"] == "DENY"
    assert antwoord["Referrer-Policy"] == "same-origin"
    assert antwoord["Cross-Origin-Opener-Policy"] == "same-origin"


# --- API security headers (NL API Design Rules /core/transport/security-headers) -------------


@pytest.fixture
def sleutel(db: None) -> str:
    organisatie = Organisatie.objects.create(naam="Stichting Doras", soort="welzijn")
    _, tekst = programma_services.api_sleutel_aanmaken(
        actor=Actor.systeem("tests"),
        organisatie=organisatie,
        naam="test",
        scopes=list(ApiSleutel.Scope.values),
    )
    cache.clear()
    return tekst


def api_headers_kloppen(antwoord: Any) -> None:
    assert antwoord["Cache-Control"] == "no-store"
    assert antwoord["X-Content-Type-Options"] == "nosniff"
    assert antwoord["X-Frame-Options"] == "DENY"
    assert antwoord["Referrer-Policy"] == "no-referrer"
    assert antwoord["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert antwoord["API-Version"]


def test_api_headers_op_elk_soort_antwoord(client: Client, sleutel: str):
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {sleutel}"}
    antwoorden = {
        "200": client.get("/api/v1/projecten", **bearer),
        "401": client.get("/api/v1/projecten"),
        "404 onbekend pad": client.get("/api/v1/bestaat-niet", **bearer),
        "404 object": client.get("/api/v1/projecten/999999", **bearer),
        "400 ongeldige json": client.post(
            "/api/v1/metingen", "{kapot", content_type="application/json", **bearer
        ),
        "405": client.delete("/api/v1/projecten", **bearer),
        "openapi": client.get("/api/v1/openapi.json"),
    }

    verwacht = {"200": 200, "401": 401, "404 onbekend pad": 404, "404 object": 404}
    for soort, antwoord in antwoorden.items():
        if soort in verwacht:
            assert antwoord.status_code == verwacht[soort], soort
        api_headers_kloppen(antwoord)
    assert antwoorden["400 ongeldige json"]["Content-Type"] == "application/problem+json"
    assert antwoorden["401"]["Content-Type"] == "application/problem+json"


def test_api_te_grote_body_heeft_de_headers(client: Client, settings: Any, sleutel: str):
    settings.API_MAX_BODY_BYTES = 10
    antwoord = client.post(
        "/api/v1/metingen",
        '{"waarde": "1234567890"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {sleutel}",
    )

    assert antwoord.status_code == 413
    api_headers_kloppen(antwoord)


def test_api_strict_transport_security_over_https(client: Client, settings: Any, sleutel: str):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    antwoord = client.get("/api/v1/projecten", secure=True, HTTP_AUTHORIZATION=f"Bearer {sleutel}")

    assert antwoord.status_code == 200
    assert antwoord["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_api_documentatie_houdt_het_beleid_van_de_site(client: Client):
    """Swagger UI is a page: its own scripts may run, framing is still forbidden."""
    antwoord = client.get("/api/v1/docs")

    beleid = csp(antwoord)
    assert "'self'" in beleid["script-src"]
    assert beleid["frame-ancestors"] == "'none'"
    assert antwoord["Cache-Control"] == "no-store"


# --- sign-in throttling and lockout (django-axes) -------------------------------------------


@pytest.fixture
def gebruiker(db: None, settings: Any) -> Any:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    gebruiker = GebruikerFactory(username="mira")
    gebruiker.set_password(WACHTWOORD)
    gebruiker.save()
    return gebruiker


def inloggen(client: Client, wachtwoord: str, *, ip: str = "192.0.2.10") -> Any:
    return client.post(
        reverse("login"), {"username": "mira", "password": wachtwoord}, REMOTE_ADDR=ip
    )


def test_vijf_verkeerde_wachtwoorden_blokkeren_ook_het_juiste(client: Client, gebruiker: Any):
    for _ in range(4):
        antwoord = inloggen(client, "fout")
        assert antwoord.status_code == 200  # the form again, with its error

    vijfde = inloggen(client, "fout")
    daarna = inloggen(client, WACHTWOORD)

    for geblokkeerd in (vijfde, daarna):
        assert geblokkeerd.status_code == 429
        assert geblokkeerd["Retry-After"] == str(15 * 60)
        tekst = geblokkeerd.content.decode()
        assert "Inloggen tijdelijk geblokkeerd" in tekst
        assert "over 15 minuten opnieuw" in tekst
    assert "_auth_user_id" not in client.session


def test_blokkade_geldt_per_gebruikersnaam_en_adres(client: Client, gebruiker: Any):
    for _ in range(5):
        inloggen(client, "fout", ip="192.0.2.10")

    antwoord = inloggen(Client(), WACHTWOORD, ip="198.51.100.7")

    assert antwoord.status_code == 302
    assert antwoord["Location"] == reverse("overzicht")


def test_na_de_afkoeltijd_kan_het_weer(client: Client, gebruiker: Any):
    for _ in range(5):
        inloggen(client, "fout")
    assert inloggen(client, WACHTWOORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    antwoord = inloggen(client, WACHTWOORD)

    assert antwoord.status_code == 302
    assert int(client.session["_auth_user_id"]) == gebruiker.pk


def test_geslaagd_inloggen_zet_de_teller_terug(client: Client, gebruiker: Any):
    for _ in range(4):
        inloggen(client, "fout")
    assert inloggen(client, WACHTWOORD).status_code == 302
    client.post(reverse("logout"))

    for _ in range(4):
        antwoord = inloggen(client, "fout")

    assert antwoord.status_code == 200
    assert inloggen(client, WACHTWOORD).status_code == 302


def test_blokkadepagina_in_het_engels(client: Client, gebruiker: Any):
    client.post(reverse("set_language"), {"language": "en", "next": "/inloggen"})
    for _ in range(5):
        antwoord = inloggen(client, "fout")

    assert antwoord.status_code == 429
    assert 'lang="en"' in antwoord.content.decode()


def test_api_sleutels_tellen_niet_als_inlogpoging(client: Client, sleutel: str):
    for _ in range(8):
        antwoord = client.get("/api/v1/projecten", HTTP_AUTHORIZATION="Bearer ont_fout")
        assert antwoord.status_code == 401

    assert (
        client.get("/api/v1/projecten", HTTP_AUTHORIZATION=f"Bearer {sleutel}").status_code == 200
    )
    assert not AccessAttempt.objects.exists()


def test_ip_adres_achter_vertrouwde_proxies(settings: Any):
    verzoek = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )

    settings.VERTROUWDE_PROXIES = 0
    assert ip_adres(verzoek) == "10.0.0.2"
    settings.VERTROUWDE_PROXIES = 1
    assert ip_adres(verzoek) == "203.0.113.9"  # the client's own claim (6.6.6.6) is ignored
    settings.VERTROUWDE_PROXIES = 2
    assert ip_adres(verzoek) == "6.6.6.6"


# --- passwords ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_zwakke_wachtwoorden_worden_geweigerd():
    gebruiker = GebruikerFactory(username="keukentafel")

    for zwak in ("kort1", "12345678901", "password1", "keukentafel1"):
        with pytest.raises(ValidationError):
            validate_password(zwak, gebruiker)
    validate_password(WACHTWOORD, gebruiker)


# --- the admin: administrators only ---------------------------------------------------------


@pytest.mark.parametrize(
    ("soort", "staf", "superuser", "toegang"),
    [
        ("superuser", True, True, True),
        ("beheerder", True, False, True),
        ("staf zonder beheerdersrol", True, False, False),
        ("programmamanager met staf", True, False, False),
        ("beheerder zonder staf", False, False, False),
    ],
)
def test_beheer_alleen_voor_beheerders(
    client: Client, db: None, soort: str, staf: bool, superuser: bool, toegang: bool
):
    gebruiker = GebruikerFactory(is_staff=staf, is_superuser=superuser)
    if soort.startswith("beheerder"):
        RolFactory(gebruiker=gebruiker, soort=Rol.Soort.BEHEERDER)
    elif soort.startswith("programmamanager"):
        RolFactory(gebruiker=gebruiker, soort=Rol.Soort.PROGRAMMAMANAGER)
    client.force_login(gebruiker)

    index = client.get("/beheer/")
    lijst = client.get("/beheer/programma/organisatie/")

    if toegang:
        assert index.status_code == 200
        assert lijst.status_code in (200, 403)  # model permissions decide per model
    else:
        for antwoord in (index, lijst):
            assert antwoord.status_code == 302
            assert antwoord["Location"].startswith("/beheer/login/")


@pytest.mark.django_db
def test_beheerder_met_modelrechten_ziet_organisaties(client: Client):
    gebruiker = GebruikerFactory(is_staff=True)
    RolFactory(gebruiker=gebruiker, soort=Rol.Soort.BEHEERDER)
    from django.contrib.auth.models import Permission

    gebruiker.user_permissions.add(Permission.objects.get(codename="view_organisatie"))
    client.force_login(gebruiker)

    assert client.get("/beheer/programma/organisatie/").status_code == 200


def test_ook_het_inloggen_van_beheer_wordt_geblokkeerd(client: Client, gebruiker: Any):
    gebruiker.is_staff = gebruiker.is_superuser = True
    gebruiker.save()
    for _ in range(5):
        antwoord = client.post(
            "/beheer/login/?next=/beheer/", {"username": "mira", "password": "fout"}
        )

    assert antwoord.status_code == 429
    juist = client.post(
        "/beheer/login/?next=/beheer/", {"username": "mira", "password": WACHTWOORD}
    )
    assert juist.status_code == 429
    assert "_auth_user_id" not in client.session


def test_productie_instellingen_uit_de_omgeving():
    toon = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps({k: getattr(settings, k, None) for k in ("
        "'SECURE_PROXY_SSL_HEADER', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_PRELOAD',"
        " 'SILENCED_SYSTEM_CHECKS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
        " 'SECURE_SSL_REDIRECT')}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DEBUG"))}
    env.update(
        PRODUCTIE,
        DJANGO_SETTINGS_MODULE="ontschot.settings",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        SECURE_HSTS_SECONDS="600",
        SECURE_HSTS_PRELOAD="0",
    )
    uitvoer = subprocess.run(
        [sys.executable, "-c", toon], cwd=PROJECT, env=env, capture_output=True, text=True
    )

    s = json.loads(uitvoer.stdout)
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["SECURE_HSTS_SECONDS"] == 600 and s["SECURE_HSTS_PRELOAD"] is False
    assert s["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_SSL_REDIRECT"]


@pytest.mark.django_db
def test_https_omleiding_behalve_voor_de_gezondheidscontrole(client: Client, settings: Any):
    settings.SECURE_SSL_REDIRECT = True

    pagina = client.get("/inloggen")
    api = client.get("/api/v1/projecten")
    gezondheid = client.get("/gezondheid")

    assert pagina.status_code == 301 and pagina["Location"] == "https://testserver/inloggen"
    assert api.status_code == 301
    assert gezondheid.status_code == 200
    assert client.get("/inloggen", secure=True).status_code == 200
