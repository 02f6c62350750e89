"""What every page needs to know about the logged-in person's roles, for the menu."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from programma.models import Rol


def rollen(request: HttpRequest) -> dict[str, object]:
    gebruiker = request.user

    def beheert() -> bool:
        if not gebruiker.is_authenticated:
            return False
        if getattr(gebruiker, "is_superuser", False):
            return True
        return Rol.objects.filter(
            gebruiker=gebruiker, soort__in=[Rol.Soort.BEHEERDER, Rol.Soort.PROGRAMMAMANAGER]
        ).exists()

    # Lazy: a page that never shows the menu asks nothing.
    return {"is_programmabeheer": SimpleLazyObject(beheert)}
