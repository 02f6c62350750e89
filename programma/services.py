"""Writes for programmes, organisations, roles and API keys.

Every function is keyword-only, validates with ``full_clean()``, saves in one
transaction and writes its audit record inside that transaction.
"""

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from programma.audit import Actor, momentopname, registreer
from programma.models import (
    ApiSleutel,
    Budgetenvelop,
    Focusgebied,
    Gebiedscode,
    Organisatie,
    Programma,
    Programmadoel,
    Programmaindicator,
    Programmastreefwaarde,
    Rol,
    Thema,
)

M = TypeVar("M", bound=models.Model)

SLEUTEL_VOORVOEGSEL = "ont_"


def opslaan(
    *,
    actor: Actor,
    actie: str,
    obj: M,
    niet_controleren: tuple[str, ...] = (),
    uniek_in_database: bool = False,
    **velden: Any,
) -> M:
    """Apply ``velden`` to ``obj``, validate, save and audit. Must run inside a transaction.

    ``niet_controleren`` names fields the caller has already checked (a foreign key it just
    looked up), so validation does not query for them again. With ``uniek_in_database`` the
    uniqueness checks are left to the database's constraints; the caller turns their error
    into a conflict."""
    voor = momentopname(obj) if obj.pk else None
    for naam, waarde in velden.items():
        setattr(obj, naam, waarde)
    obj.full_clean(
        exclude=list(niet_controleren) or None,
        validate_unique=not uniek_in_database,
        validate_constraints=not uniek_in_database,
    )
    obj.save()
    registreer(actor=actor, actie=actie, obj=obj, voor=voor, na=momentopname(obj))
    return obj


def controleer_overgang(
    overgangen: dict[str, set[str]], huidig: str, nieuw: str, labels: Any
) -> None:
    if nieuw not in overgangen.get(huidig, set()):
        raise ValidationError(
            {
                "status": f"De status kan niet van '{labels(huidig).label}' naar '{labels(nieuw).label}'."
            }
        )


@transaction.atomic
def organisatie_aanmaken(
    *,
    actor: Actor,
    naam: str,
    soort: str,
    kvk_nummer: str = "",
    gemeentecode: str = "",
    email: str = "",
) -> Organisatie:
    return opslaan(
        actor=actor,
        actie="organisatie_aanmaken",
        obj=Organisatie(),
        naam=naam,
        soort=soort,
        kvk_nummer=kvk_nummer,
        gemeentecode=gemeentecode,
        email=email,
    )


@transaction.atomic
def organisatie_wijzigen(*, actor: Actor, organisatie: Organisatie, **velden: Any) -> Organisatie:
    toegestaan = {"naam", "soort", "kvk_nummer", "gemeentecode", "email"}
    if onbekend := set(velden) - toegestaan:
        raise ValidationError(f"Onbekende velden: {', '.join(sorted(onbekend))}.")
    return opslaan(actor=actor, actie="organisatie_wijzigen", obj=organisatie, **velden)


@transaction.atomic
def programma_aanmaken(
    *,
    actor: Actor,
    code: str,
    naam: str,
    opdrachtgever: Organisatie,
    startjaar: int,
    eindjaar: int,
    regeling: str = "",
    rapportontvangers: str = "",
    max_overheveling_percentage: Decimal = Decimal("100"),
) -> Programma:
    return opslaan(
        actor=actor,
        actie="programma_aanmaken",
        obj=Programma(),
        code=code,
        naam=naam,
        opdrachtgever=opdrachtgever,
        startjaar=startjaar,
        eindjaar=eindjaar,
        regeling=regeling,
        rapportontvangers=rapportontvangers,
        max_overheveling_percentage=max_overheveling_percentage,
    )


@transaction.atomic
def programma_wijzigen(*, actor: Actor, programma: Programma, **velden: Any) -> Programma:
    """Change a programme's details; its code stays, since links and reports carry it."""
    toegestaan = {
        "naam",
        "regeling",
        "opdrachtgever",
        "rapportontvangers",
        "startjaar",
        "eindjaar",
        "max_overheveling_percentage",
    }
    if onbekend := set(velden) - toegestaan:
        raise ValidationError(f"Onbekende velden: {', '.join(sorted(onbekend))}.")
    programma = Programma.objects.select_for_update().get(pk=programma.pk)
    return opslaan(actor=actor, actie="programma_wijzigen", obj=programma, **velden)


@transaction.atomic
def thema_aanmaken(*, actor: Actor, programma: Programma, code: str, naam: str) -> Thema:
    return opslaan(
        actor=actor, actie="thema_aanmaken", obj=Thema(), programma=programma, code=code, naam=naam
    )


@transaction.atomic
def focusgebied_aanmaken(
    *,
    actor: Actor,
    programma: Programma,
    code: str,
    naam: str,
    gemeente: str,
    gemeentecode: str,
    gebiedscodes: Iterable[tuple[str, int]] = (),
) -> Focusgebied:
    """Create a focus area with its CBS wijk/buurt codes, each with its reference year."""
    gebied = opslaan(
        actor=actor,
        actie="focusgebied_aanmaken",
        obj=Focusgebied(),
        programma=programma,
        code=code,
        naam=naam,
        gemeente=gemeente,
        gemeentecode=gemeentecode,
    )
    for gebiedscode, peiljaar in gebiedscodes:
        opslaan(
            actor=actor,
            actie="gebiedscode_toevoegen",
            obj=Gebiedscode(),
            focusgebied=gebied,
            code=gebiedscode,
            peiljaar=peiljaar,
        )
    return gebied


@transaction.atomic
def focusgebied_wijzigen(
    *,
    actor: Actor,
    focusgebied: Focusgebied,
    gebiedscodes: Iterable[tuple[str, int]] | None = None,
    **velden: Any,
) -> Focusgebied:
    """Change a focus area's details and, when ``gebiedscodes`` is given, make its CBS
    codes exactly that set: codes no longer named are removed, new ones added."""
    toegestaan = {"naam", "gemeente", "gemeentecode"}
    if onbekend := set(velden) - toegestaan:
        raise ValidationError(f"Onbekende velden: {', '.join(sorted(onbekend))}.")
    gebied = Focusgebied.objects.select_for_update().get(pk=focusgebied.pk)
    opslaan(actor=actor, actie="focusgebied_wijzigen", obj=gebied, **velden)
    if gebiedscodes is None:
        return gebied
    gewenst = set(gebiedscodes)
    for bestaand in list(gebied.gebiedscodes.all()):
        if (bestaand.code, bestaand.peiljaar) in gewenst:
            gewenst.discard((bestaand.code, bestaand.peiljaar))
            bestaand.focusgebied = gebied
            bestaand.full_clean()  # still inside the municipality if its code changed
            continue
        registreer(
            actor=actor, actie="gebiedscode_verwijderen", obj=bestaand, voor=momentopname(bestaand)
        )
        bestaand.delete()
    for code, peiljaar in sorted(gewenst):
        opslaan(
            actor=actor,
            actie="gebiedscode_toevoegen",
            obj=Gebiedscode(),
            focusgebied=gebied,
            code=code,
            peiljaar=peiljaar,
        )
    return gebied


@transaction.atomic
def budgetenvelop_vastleggen(
    *, actor: Actor, programma: Programma, thema: Thema, jaar: int, bedrag: Decimal
) -> Budgetenvelop:
    """Set the budget of a theme for a year, creating the envelope or changing its amount."""
    envelop = (
        Budgetenvelop.objects.select_for_update()
        .filter(programma=programma, thema=thema, jaar=jaar)
        .first()
    )
    if envelop is None:
        return opslaan(
            actor=actor,
            actie="budgetenvelop_aanmaken",
            obj=Budgetenvelop(),
            programma=programma,
            thema=thema,
            jaar=jaar,
            bedrag=bedrag,
        )
    return opslaan(actor=actor, actie="budgetenvelop_wijzigen", obj=envelop, bedrag=bedrag)


@transaction.atomic
def programmadoel_aanmaken(
    *,
    actor: Actor,
    programma: Programma,
    titel: str,
    omschrijving: str = "",
    thema: Thema | None = None,
) -> Programmadoel:
    return opslaan(
        actor=actor,
        actie="programmadoel_aanmaken",
        obj=Programmadoel(),
        programma=programma,
        titel=titel,
        omschrijving=omschrijving,
        thema=thema,
    )


@transaction.atomic
def programmaindicator_aanmaken(
    *,
    actor: Actor,
    programma: Programma,
    code: str,
    naam: str,
    doel: Programmadoel | None = None,
    streefwaarden: dict[int, Decimal] | None = None,
    **semantiek: Any,
) -> Programmaindicator:
    """Create a programme indicator; ``semantiek`` holds eenheid, richting, cumulatief,
    aggregatie, basiswaarde and basisjaar."""
    indicator = opslaan(
        actor=actor,
        actie="programmaindicator_aanmaken",
        obj=Programmaindicator(),
        programma=programma,
        code=code,
        naam=naam,
        doel=doel,
        **semantiek,
    )
    for jaar, waarde in (streefwaarden or {}).items():
        opslaan(
            actor=actor,
            actie="programmastreefwaarde_vastleggen",
            obj=Programmastreefwaarde(),
            indicator=indicator,
            jaar=jaar,
            waarde=waarde,
        )
    return indicator


@transaction.atomic
def rol_toekennen(
    *,
    actor: Actor,
    gebruiker: User,
    soort: str,
    programma: Programma | None = None,
    organisatie: Organisatie | None = None,
) -> Rol:
    bestaand = Rol.objects.filter(
        gebruiker=gebruiker, soort=soort, programma=programma, organisatie=organisatie
    ).first()
    if bestaand:
        return bestaand
    return opslaan(
        actor=actor,
        actie="rol_toekennen",
        obj=Rol(),
        gebruiker=gebruiker,
        soort=soort,
        programma=programma,
        organisatie=organisatie,
    )


def hash_sleutel(platte_sleutel: str) -> str:
    """API keys are long random strings, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(platte_sleutel.encode()).hexdigest()


@transaction.atomic
def api_sleutel_aanmaken(
    *,
    actor: Actor,
    organisatie: Organisatie,
    naam: str,
    scopes: Iterable[str],
    verloopt_op: datetime | None = None,
    platte_sleutel: str | None = None,
) -> tuple[ApiSleutel, str]:
    """Create a key and return it with the plain text, which is never stored and so can
    be shown only now. ``platte_sleutel`` is for deterministic demo keys only."""
    platte_sleutel = platte_sleutel or SLEUTEL_VOORVOEGSEL + secrets.token_urlsafe(32)
    if len(platte_sleutel) < 32:
        raise ValidationError("Een API-sleutel heeft minstens 32 tekens.")
    if ApiSleutel.objects.filter(prefix=platte_sleutel[:12]).exists():
        raise ValidationError(
            "Er bestaat al een API-sleutel die zo begint; kies een andere sleutel."
        )
    sleutel = opslaan(
        actor=actor,
        actie="api_sleutel_aanmaken",
        obj=ApiSleutel(),
        organisatie=organisatie,
        naam=naam,
        scopes=sorted(set(scopes)),
        verloopt_op=verloopt_op,
        prefix=platte_sleutel[:12],
        sleutel_hash=hash_sleutel(platte_sleutel),
    )
    return sleutel, platte_sleutel


@transaction.atomic
def api_sleutel_intrekken(*, actor: Actor, sleutel: ApiSleutel) -> ApiSleutel:
    if sleutel.ingetrokken_op:
        return sleutel
    return opslaan(
        actor=actor, actie="api_sleutel_intrekken", obj=sleutel, ingetrokken_op=timezone.now()
    )


def api_sleutel_controleren(platte_sleutel: str) -> ApiSleutel | None:
    """The active key for ``platte_sleutel``, or None. Records when it was last used
    (at most once a minute, so a busy partner does not write on every request)."""
    if not platte_sleutel or len(platte_sleutel) > 200:
        return None
    sleutel = (
        ApiSleutel.objects.select_related("organisatie")
        .filter(prefix=platte_sleutel[:12])
        .order_by()
        .first()
    )
    if sleutel is None or not hmac.compare_digest(
        sleutel.sleutel_hash, hash_sleutel(platte_sleutel)
    ):
        return None
    nu = timezone.now()
    if sleutel.ingetrokken_op or (sleutel.verloopt_op and sleutel.verloopt_op <= nu):
        return None
    if sleutel.laatst_gebruikt_op is None or (nu - sleutel.laatst_gebruikt_op).total_seconds() > 60:
        ApiSleutel.objects.filter(pk=sleutel.pk).update(laatst_gebruikt_op=nu)
        sleutel.laatst_gebruikt_op = nu
    return sleutel
