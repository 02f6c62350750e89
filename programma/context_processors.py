"""What every page needs to know about the logged-in person's roles, for the menu."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from programma.selectors import is_programmabeheer


def rollen(request: HttpRequest) -> dict[str, object]:
    # Lazy: a page that never shows the menu asks nothing.
    return {"is_programmabeheer": SimpleLazyObject(lambda: is_programmabeheer(request.user))}
