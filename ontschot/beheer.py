"""Who may reach the administration of Ontschot, and what a locked-out sign-in sees.

The Django admin (``/beheer/``) is open only to administrators: an active staff user
who is a superuser or has the administrator role (``Rol.Soort.BEHEERDER``). A staff
flag alone is not enough, so a programme manager who was once made staff for a task
does not keep the admin.

django-axes refuses a user name and address pair after too many wrong passwords; it
calls ``inloggen_geblokkeerd`` for the page that says so, and ``ip_adres`` for the
address it counts.
"""

import math
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class BeheerSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        # Imported here: Django imports this module for BeheerConfig before any model.
        from programma.selectors import is_beheerder

        return super().has_permission(request) and is_beheerder(request.user)


class BeheerConfig(AdminConfig):
    """``django.contrib.admin`` with ``BeheerSite`` as ``admin.site``."""

    default_site = "ontschot.beheer.BeheerSite"


def inloggen_geblokkeerd(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The lockout page: 429 with Retry-After, in the language of the page."""
    seconden = int(settings.AXES_COOLOFF_TIME.total_seconds())
    antwoord = render(
        request,
        "inloggen_geblokkeerd.html",
        {"minuten": max(1, math.ceil(seconden / 60)), "pogingen": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    antwoord["Retry-After"] = str(seconden)
    return antwoord


def ip_adres(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``VERTROUWDE_PROXIES`` proxies the
    entry the first of them added to X-Forwarded-For (entries before it are the client's
    own claims and are not trusted)."""
    proxies = settings.VERTROUWDE_PROXIES
    doorgestuurd = [
        deel.strip() for deel in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    ]
    doorgestuurd = [deel for deel in doorgestuurd if deel]
    if proxies > 0 and len(doorgestuurd) >= proxies:
        return doorgestuurd[-proxies]
    return request.META.get("REMOTE_ADDR")
