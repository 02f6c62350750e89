"""Factories for the projecten app; like the programma factories they write no audit rows."""

from datetime import date
from decimal import Decimal

import factory

from projecten.models import (
    Begrotingsregel,
    Beoordeling,
    Beschikking,
    Besteding,
    Doel,
    Indicator,
    Kostensoort,
    Meting,
    Project,
    Projectpartner,
    Tranche,
    Voortgangsverslag,
)
from tests.programma.factories import OrganisatieFactory, ProgrammaFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    """A running project of 2025–2026 whose lead organisation is also its partner."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    programma = factory.SubFactory(ProgrammaFactory)
    code = factory.Sequence(lambda n: f"p-{n:03d}")
    titel = factory.Sequence(lambda n: f"Schuldhulp aan de keukentafel {n}")
    penvoerder = factory.SubFactory(OrganisatieFactory)
    startdatum = date(2025, 1, 1)
    einddatum = date(2026, 12, 31)
    status = Project.Status.LOPEND

    @factory.post_generation
    def penvoerder_als_partner(obj, create, extracted, **kwargs):
        if create:
            Projectpartner.objects.create(
                project=obj, organisatie=obj.penvoerder, rol=Projectpartner.Rol.PENVOERDER
            )


class ProjectpartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Projectpartner

    project = factory.SubFactory(ProjectFactory)
    organisatie = factory.SubFactory(OrganisatieFactory)
    rol = Projectpartner.Rol.UITVOERDER


class DoelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Doel

    project = factory.SubFactory(ProjectFactory)
    titel = "Minder huishoudens met problematische schulden"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    doel = factory.SubFactory(DoelFactory)
    naam = factory.Sequence(lambda n: f"Huishoudens geholpen {n}")
    eenheid = Indicator.Eenheid.AANTAL
    aggregatie = Indicator.Aggregatie.SOM


class MetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meting

    indicator = factory.SubFactory(IndicatorFactory)
    periode = "2025-K1"
    waarde = Decimal("12")
    status = Beoordeling.INGEDIEND


class BeschikkingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beschikking

    project = factory.SubFactory(ProjectFactory)
    financier = factory.LazyAttribute(lambda o: o.project.programma.opdrachtgever)
    regeling = "SPUK Leefbaarheid en Veiligheid"
    kenmerk = factory.Sequence(lambda n: f"VRO-2025-{n:05d}")
    datum = date(2025, 1, 15)
    bedrag = Decimal("100000.00")
    status = Beschikking.Status.VERLEEND


class TrancheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tranche

    beschikking = factory.SubFactory(BeschikkingFactory)
    volgnummer = factory.Sequence(lambda n: n + 1)
    geplande_datum = date(2025, 3, 1)
    bedrag = Decimal("25000.00")


class BestedingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Besteding

    project = factory.SubFactory(ProjectFactory)
    periode = "2025-K1"
    kostensoort = Kostensoort.PERSONEEL
    bedrag = Decimal("1500.00")


class BegrotingsregelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Begrotingsregel

    project = factory.SubFactory(ProjectFactory)
    jaar = 2025
    kostensoort = Kostensoort.PERSONEEL
    versie = 1
    bedrag = Decimal("10000.00")


class VoortgangsverslagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voortgangsverslag

    project = factory.SubFactory(ProjectFactory)
    periode = "2025-K1"
    samenvatting = "Veertig huishoudens bereikt via de buurtcoach."
