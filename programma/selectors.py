"""Who may see which programmes and organisations. Every page and endpoint asks here."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from programma.models import Organisatie, Programma, Rol

Gebruiker = User | AnonymousUser


def is_beheerder(gebruiker: Gebruiker) -> bool:
    if not gebruiker.is_authenticated:
        return False
    if getattr(gebruiker, "is_superuser", False):
        return True
    return Rol.objects.filter(gebruiker=gebruiker, soort=Rol.Soort.BEHEERDER).exists()


def is_programmabeheer(gebruiker: Gebruiker) -> bool:
    """A programme manager of any programme, or an administrator: who may review, lock
    periods and see the background tasks."""
    if not gebruiker.is_authenticated:
        return False
    if getattr(gebruiker, "is_superuser", False):
        return True
    return Rol.objects.filter(
        gebruiker=gebruiker, soort__in=[Rol.Soort.BEHEERDER, Rol.Soort.PROGRAMMAMANAGER]
    ).exists()


def rollen_van(gebruiker: Gebruiker) -> QuerySet[Rol]:
    if not gebruiker.is_authenticated:
        return Rol.objects.none()
    return Rol.objects.filter(gebruiker=gebruiker).select_related("programma", "organisatie")


def programmas_voor(gebruiker: Gebruiker) -> QuerySet[Programma]:
    """Programmes the user manages or, as ministry staff, follows; all for administrators.
    A partner sees the programmes its organisation has projects in."""
    if not gebruiker.is_authenticated:
        return Programma.objects.none()
    if is_beheerder(gebruiker):
        return Programma.objects.all()
    rollen = Rol.objects.filter(gebruiker=gebruiker)
    via_rol = rollen.filter(soort__in=[Rol.Soort.PROGRAMMAMANAGER, Rol.Soort.MINISTERIE]).values(
        "programma_id"
    )
    organisaties = rollen.filter(soort=Rol.Soort.PARTNER).values("organisatie_id")
    return (
        Programma.objects.filter(pk__in=via_rol)
        | Programma.objects.filter(projecten__partners__organisatie_id__in=organisaties)
    ).distinct()


def beheerde_programmas(gebruiker: Gebruiker) -> QuerySet[Programma]:
    """Programmes in which the user may change things (programme manager or administrator)."""
    if not gebruiker.is_authenticated:
        return Programma.objects.none()
    if is_beheerder(gebruiker):
        return Programma.objects.all()
    return Programma.objects.filter(
        rollen__gebruiker=gebruiker, rollen__soort=Rol.Soort.PROGRAMMAMANAGER
    ).distinct()


def organisaties_van(gebruiker: Gebruiker) -> QuerySet[Organisatie]:
    """The partner organisations a user works for."""
    if not gebruiker.is_authenticated:
        return Organisatie.objects.none()
    return Organisatie.objects.filter(
        rollen__gebruiker=gebruiker, rollen__soort=Rol.Soort.PARTNER
    ).distinct()
