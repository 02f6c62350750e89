"""Demo logins and API keys, and the access file that lists them.

The keys are derived from the organisation's name with a published secret, so they are
the same on every machine: fine for a demo, never for real data.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.utils.text import slugify

from programma.audit import Actor
from programma.models import ApiSleutel, Organisatie, Programma, Rol
from programma.services import api_sleutel_aanmaken, hash_sleutel, rol_toekennen
from projecten.models import Projectpartner
from rapportage.demo.catalogus import PROGRAMMA_CODE, WACHTWOORD

SYSTEEM = Actor.systeem("demo")
SLEUTELNAAM = "demo"
SLEUTELGEHEIM = b"ontschot-demo"


def demo_sleutel(organisatienaam: str) -> str:
    """The demo key of an organisation. The 12-character prefix by which keys are looked
    up must be unique, so the varying hex digits come right after ``ont_``."""
    digest = hmac.new(SLEUTELGEHEIM, organisatienaam.encode(), hashlib.sha256).hexdigest()
    return f"ont_{digest[:40]}"


def partner_gebruikersnaam(organisatie: Organisatie) -> str:
    return f"partner-{slugify(organisatie.naam)}"[:150]


def demo_programmas() -> list[Programma]:
    return list(
        Programma.objects.filter(code=PROGRAMMA_CODE)
        | Programma.objects.filter(code__startswith=f"{PROGRAMMA_CODE}-schaal-")
    )


@dataclass
class Gebruikers:
    beheerder: User
    manager: User
    ministerie: User
    partners: dict[int, User]  # organisation id -> user


def gebruikers_verzekeren(*, partners: list[Organisatie]) -> Gebruikers:
    """Create the demo users that are missing, with their roles that need no programme.
    Existing users keep their password."""
    versleuteld: str | None = None

    def gebruiker(naam: str, **extra: Any) -> User:
        nonlocal versleuteld
        bestaand = User.objects.filter(username=naam).first()
        if bestaand is not None:
            return bestaand
        # Hashing is deliberately slow (about half a second); every demo user shares the
        # same published password, so one hash serves them all.
        versleuteld = versleuteld or make_password(WACHTWOORD)
        return User.objects.create(
            username=naam, password=versleuteld, email=f"{naam}@demo.ontschot.example", **extra
        )

    beheerder = gebruiker(
        "beheerder", is_staff=True, is_superuser=True, first_name="Bea", last_name="Heer"
    )
    rol_toekennen(actor=SYSTEEM, gebruiker=beheerder, soort=Rol.Soort.BEHEERDER)
    per_organisatie = {}
    for organisatie in partners:
        partner = gebruiker(partner_gebruikersnaam(organisatie))
        rol_toekennen(
            actor=SYSTEEM, gebruiker=partner, soort=Rol.Soort.PARTNER, organisatie=organisatie
        )
        per_organisatie[organisatie.pk] = partner
    return Gebruikers(
        beheerder=beheerder,
        manager=gebruiker("manager", first_name="Mo", last_name="Nager"),
        ministerie=gebruiker("ministerie", first_name="Mien", last_name="Isterie"),
        partners=per_organisatie,
    )


def programmarollen_verzekeren(gebruikers: Gebruikers) -> None:
    """The manager manages, and the ministry user follows, every demo programme."""
    for programma in demo_programmas():
        rol_toekennen(
            actor=SYSTEEM,
            gebruiker=gebruikers.manager,
            soort=Rol.Soort.PROGRAMMAMANAGER,
            programma=programma,
        )
        rol_toekennen(
            actor=SYSTEEM,
            gebruiker=gebruikers.ministerie,
            soort=Rol.Soort.MINISTERIE,
            programma=programma,
        )


def sleutels_verzekeren(*, partners: list[Organisatie]) -> tuple[dict[int, str], list[str]]:
    """Give every partner organisation its demo key with all scopes, reusing a key named
    'demo' when there is one. Returns the plain keys per organisation id and warnings."""
    bestaand = {
        s.organisatie_id: s
        for s in ApiSleutel.objects.filter(organisatie__in=partners, naam=SLEUTELNAAM).order_by(
            "-id"
        )
    }
    sleutels: dict[int, str] = {}
    waarschuwingen: list[str] = []
    for organisatie in partners:
        platte_sleutel = demo_sleutel(organisatie.naam)
        sleutel = bestaand.get(organisatie.pk)
        if sleutel is None:
            api_sleutel_aanmaken(
                actor=SYSTEEM,
                organisatie=organisatie,
                naam=SLEUTELNAAM,
                scopes=ApiSleutel.Scope.values,
                platte_sleutel=platte_sleutel,
            )
        elif sleutel.sleutel_hash != hash_sleutel(platte_sleutel):
            waarschuwingen.append(
                f"De sleutel 'demo' van {organisatie} is geen demosleutel; niet vervangen."
            )
        elif sleutel.ingetrokken_op is not None:
            waarschuwingen.append(f"De demosleutel van {organisatie} is ingetrokken.")
        sleutels[organisatie.pk] = platte_sleutel
    return sleutels, waarschuwingen


def toegang_opstellen(
    *, gebruikers: Gebruikers, partners: list[Organisatie], sleutels: dict[int, str]
) -> dict[str, Any]:
    """The access file's content: logins, partner organisations with their keys and the
    projects they take part in, and the demo programmes."""
    projecten: dict[int, list[str]] = {o.pk: [] for o in partners}
    for organisatie_id, code in (
        Projectpartner.objects.filter(organisatie__in=partners)
        .order_by("project__programma__code", "project__code")
        .values_list("organisatie_id", "project__code")
    ):
        projecten[organisatie_id].append(code)
    per_organisatie = {o.pk: o for o in partners}
    gebruikerslijst: list[dict[str, Any]] = [
        {"gebruikersnaam": g.username, "wachtwoord": WACHTWOORD, "rol": rol, "organisatie": None}
        for g, rol in (
            (gebruikers.beheerder, Rol.Soort.BEHEERDER.value),
            (gebruikers.manager, Rol.Soort.PROGRAMMAMANAGER.value),
            (gebruikers.ministerie, Rol.Soort.MINISTERIE.value),
        )
    ]
    gebruikerslijst += [
        {
            "gebruikersnaam": g.username,
            "wachtwoord": WACHTWOORD,
            "rol": Rol.Soort.PARTNER.value,
            "organisatie": per_organisatie[organisatie_id].naam,
        }
        for organisatie_id, g in gebruikers.partners.items()
    ]
    return {
        "gebruikers": gebruikerslijst,
        "organisaties": [
            {
                "naam": o.naam,
                "soort": o.soort,
                "api_sleutel": sleutels[o.pk],
                "projecten": projecten[o.pk],
            }
            for o in partners
        ],
        "programmas": [
            {"code": p.code, "naam": p.naam}
            for p in sorted(demo_programmas(), key=lambda p: p.code)
        ],
    }


def toegang_schrijven(pad: Path, inhoud: dict[str, Any]) -> None:
    pad.write_text(json.dumps(inhoud, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
