"""Factories for the programma app. They arrange state directly, without services and
without audit rows, so a test can count exactly what the service under test writes."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from programma.models import (
    Budgetenvelop,
    Focusgebied,
    Gebiedscode,
    Organisatie,
    Programma,
    Rol,
    Thema,
)


class GebruikerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.nl")


class OrganisatieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisatie

    naam = factory.Sequence(lambda n: f"Stichting Wijkkracht {n}")
    soort = Organisatie.Soort.WELZIJN


class MinisterieFactory(OrganisatieFactory):
    naam = factory.Sequence(lambda n: f"Ministerie van VRO {n}")
    soort = Organisatie.Soort.MINISTERIE


class GemeenteFactory(OrganisatieFactory):
    naam = factory.Sequence(lambda n: f"Gemeente {n}")
    soort = Organisatie.Soort.GEMEENTE
    gemeentecode = "GM0363"


class ProgrammaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programma

    code = factory.Sequence(lambda n: f"nplv-{n}")
    naam = factory.Sequence(lambda n: f"Nationaal Programma {n}")
    opdrachtgever = factory.SubFactory(MinisterieFactory)
    startjaar = 2022
    eindjaar = 2040


class ThemaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thema

    programma = factory.SubFactory(ProgrammaFactory)
    code = factory.Sequence(lambda n: f"thema-{n}")
    naam = factory.Sequence(lambda n: f"Armoede en schulden {n}")


class FocusgebiedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Focusgebied

    programma = factory.SubFactory(ProgrammaFactory)
    code = factory.Sequence(lambda n: f"gebied-{n}")
    naam = factory.Sequence(lambda n: f"Nieuw-West {n}")
    gemeente = "Amsterdam"
    gemeentecode = "GM0363"


class GebiedscodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gebiedscode

    focusgebied = factory.SubFactory(FocusgebiedFactory)
    code = "WK036301"
    peiljaar = 2024


class BudgetenvelopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budgetenvelop

    programma = factory.SubFactory(ProgrammaFactory)
    thema = factory.SubFactory(ThemaFactory, programma=factory.SelfAttribute("..programma"))
    jaar = 2025
    bedrag = Decimal("1000.00")


class RolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rol

    gebruiker = factory.SubFactory(GebruikerFactory)
    soort = Rol.Soort.PROGRAMMAMANAGER
    programma = None
    organisatie = None
