"""What every page needs to know about the logged-in person's roles, for the menu."""

from functools import cached_property

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from programma.models import Rol


class _Rollen:
    """The kinds of role the user has, asked once (one query) when a page first needs one."""

    def __init__(self, request: HttpRequest) -> None:
        self.gebruiker = request.user

    @cached_property
    def soorten(self) -> set[str]:
        if not self.gebruiker.is_authenticated:
            return set()
        return set(Rol.objects.filter(gebruiker=self.gebruiker).values_list("soort", flat=True))

    def programmabeheer(self) -> bool:
        # The same rule as programma.selectors.is_programmabeheer.
        if getattr(self.gebruiker, "is_superuser", False):
            return True
        return bool(self.soorten & {Rol.Soort.BEHEERDER, Rol.Soort.PROGRAMMAMANAGER})

    def heeft(self, soort: str) -> bool:
        return soort in self.soorten


def rollen(request: HttpRequest) -> dict[str, object]:
    # Lazy: a page that never shows the menu asks nothing; the menu costs one query.
    rol = _Rollen(request)
    return {
        "is_programmabeheer": SimpleLazyObject(rol.programmabeheer),
        "is_partner": SimpleLazyObject(lambda: rol.heeft(Rol.Soort.PARTNER)),
        "is_ministerie": SimpleLazyObject(lambda: rol.heeft(Rol.Soort.MINISTERIE)),
    }
