"""What every page needs to know about the logged-in person's roles, for the menu."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from programma.models import Rol
from programma.selectors import is_beheerder


def rollen(request: HttpRequest) -> dict[str, object]:
    gebruiker = request.user

    def beheert() -> bool:
        return is_beheerder(gebruiker) or (
            gebruiker.is_authenticated
            and Rol.objects.filter(gebruiker=gebruiker, soort=Rol.Soort.PROGRAMMAMANAGER).exists()
        )

    # Lazy: a page that never shows the menu asks nothing.
    return {"is_programmabeheer": SimpleLazyObject(beheert)}
