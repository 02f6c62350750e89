"""Who takes part in a programme, and the envelope it works within."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce

from programma.validators import (
    gemeentecode_validator,
    kvk_validator,
    valideer_bedrag,
    valideer_gebiedscode,
    valideer_percentage,
)


class Bedragveld(models.DecimalField):
    """A DecimalField that refuses floats before Django would round them into a Decimal."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, float):
            raise ValidationError(
                "Een bedrag moet een decimaal getal zijn, geen float.", code="float"
            )
        return super().to_python(value)


def bedragveld(verbose_name: str, **opties: Any) -> models.DecimalField:
    """Money: euros with cents, never negative, never a float."""
    return Bedragveld(
        verbose_name, max_digits=14, decimal_places=2, validators=[valideer_bedrag], **opties
    )


class Organisatie(models.Model):
    class Soort(models.TextChoices):
        GEMEENTE = "gemeente", "Gemeente"
        MINISTERIE = "ministerie", "Ministerie"
        WONINGCORPORATIE = "woningcorporatie", "Woningcorporatie"
        JONGERENWERK = "jongerenwerk", "Jongerenwerk"
        SCHULDHULPVERLENING = "schuldhulpverlening", "Schuldhulpverlening"
        WELZIJN = "welzijn", "Welzijn"
        ZORG = "zorg", "Zorg"
        ONDERWIJS = "onderwijs", "Onderwijs"
        POLITIE = "politie", "Politie"
        WIJKINNOVATIEBEDRIJF = "wijkinnovatiebedrijf", "Wijkinnovatiebedrijf"
        BEWONERSORGANISATIE = "bewonersorganisatie", "Bewonersorganisatie"
        FONDS = "fonds", "Fonds"
        BEDRIJF = "bedrijf", "Bedrijf"
        OVERIG = "overig", "Overig"

    naam = models.CharField("naam", max_length=200, unique=True)
    soort = models.CharField("soort", max_length=30, choices=Soort.choices)
    kvk_nummer = models.CharField(
        "KvK-nummer", max_length=8, blank=True, validators=[kvk_validator]
    )
    gemeentecode = models.CharField(
        "CBS-gemeentecode",
        max_length=6,
        blank=True,
        validators=[gemeentecode_validator],
        help_text="GM + 4 cijfers, alleen voor gemeenten.",
    )
    email = models.EmailField("e-mailadres", blank=True)

    class Meta:
        verbose_name = "organisatie"
        verbose_name_plural = "organisaties"
        ordering = ["naam"]

    def __str__(self) -> str:
        return self.naam

    def clean(self) -> None:
        if self.soort == self.Soort.GEMEENTE and not self.gemeentecode:
            raise ValidationError(
                {"gemeentecode": "Een gemeente heeft een CBS-gemeentecode (GM + 4 cijfers)."}
            )


class Programma(models.Model):
    code = models.SlugField("code", max_length=30, unique=True)
    naam = models.CharField("naam", max_length=200)
    regeling = models.CharField(
        "regeling", max_length=200, blank=True, help_text="Bijvoorbeeld 'SPUK Kansrijke Wijk'."
    )
    opdrachtgever = models.ForeignKey(
        Organisatie,
        on_delete=models.PROTECT,
        related_name="opdrachten",
        verbose_name="opdrachtgevend ministerie",
    )
    rapportontvangers = models.TextField(
        "ontvangers van rapportages",
        blank=True,
        help_text="E-mailadressen, één per regel. Het ministerie is per programma instelbaar.",
    )
    startjaar = models.PositiveSmallIntegerField(
        "startjaar", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    eindjaar = models.PositiveSmallIntegerField(
        "eindjaar", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    max_overheveling_percentage = models.DecimalField(
        "maximale overheveling (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
        validators=[valideer_percentage],
        help_text="Deel van het onbestede budget dat binnen hetzelfde thema naar het volgende jaar mag.",
    )

    class Meta:
        verbose_name = "programma"
        verbose_name_plural = "programma's"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.naam} ({self.code})"

    def clean(self) -> None:
        if self.startjaar and self.eindjaar and self.eindjaar < self.startjaar:
            raise ValidationError({"eindjaar": "Het eindjaar ligt niet voor het startjaar."})
        if self.opdrachtgever_id and self.opdrachtgever.soort != Organisatie.Soort.MINISTERIE:
            raise ValidationError({"opdrachtgever": "De opdrachtgever is een ministerie."})

    def valideer_jaar(self, jaar: int, veld: str = "jaar") -> None:
        if not self.startjaar <= jaar <= self.eindjaar:
            raise ValidationError(
                {
                    veld: f"Jaar {jaar} ligt buiten de programmaperiode {self.startjaar}–{self.eindjaar}."
                }
            )


class Thema(models.Model):
    programma = models.ForeignKey(Programma, on_delete=models.CASCADE, related_name="themas")
    code = models.SlugField("code", max_length=40)
    naam = models.CharField("naam", max_length=200)

    class Meta:
        verbose_name = "thema"
        verbose_name_plural = "thema's"
        ordering = ["programma", "naam"]
        constraints = [
            models.UniqueConstraint(fields=["programma", "code"], name="thema_code_uniek")
        ]

    def __str__(self) -> str:
        return self.naam


class Focusgebied(models.Model):
    programma = models.ForeignKey(Programma, on_delete=models.CASCADE, related_name="focusgebieden")
    code = models.SlugField("code", max_length=60)
    naam = models.CharField("naam", max_length=200)
    gemeente = models.CharField("gemeente", max_length=100)
    gemeentecode = models.CharField(
        "CBS-gemeentecode", max_length=6, validators=[gemeentecode_validator]
    )

    class Meta:
        verbose_name = "focusgebied"
        verbose_name_plural = "focusgebieden"
        ordering = ["programma", "naam"]
        constraints = [
            models.UniqueConstraint(fields=["programma", "code"], name="focusgebied_code_uniek")
        ]

    def __str__(self) -> str:
        return self.naam


class Gebiedscode(models.Model):
    """A CBS wijk or buurt that belongs to a focus area, valid for one reference year:
    CBS redraws wijken and buurten, so a code means nothing without its year."""

    focusgebied = models.ForeignKey(
        Focusgebied, on_delete=models.CASCADE, related_name="gebiedscodes"
    )
    code = models.CharField("CBS-code", max_length=10, validators=[valideer_gebiedscode])
    peiljaar = models.PositiveSmallIntegerField(
        "peiljaar", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )

    class Meta:
        verbose_name = "gebiedscode"
        verbose_name_plural = "gebiedscodes"
        ordering = ["focusgebied", "peiljaar", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["focusgebied", "code", "peiljaar"], name="gebiedscode_uniek"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.peiljaar})"

    def clean(self) -> None:
        if (
            self.code
            and self.focusgebied_id
            and self.code[2:6] != self.focusgebied.gemeentecode[2:6]
        ):
            raise ValidationError(
                {"code": f"{self.code} ligt niet in gemeente {self.focusgebied.gemeentecode}."}
            )


class Budgetenvelop(models.Model):
    """The budget a programme has for one theme in one year. Unspent budget may be carried
    into the next year of the same theme; ``overheveling_in`` records what came in."""

    programma = models.ForeignKey(
        Programma, on_delete=models.CASCADE, related_name="budgetenveloppen"
    )
    thema = models.ForeignKey(Thema, on_delete=models.PROTECT, related_name="budgetenveloppen")
    jaar = models.PositiveSmallIntegerField("jaar")
    bedrag = bedragveld("bedrag")
    overheveling_in = bedragveld("overgeheveld uit vorig jaar", default=Decimal("0.00"))

    class Meta:
        verbose_name = "budgetenvelop"
        verbose_name_plural = "budgetenveloppen"
        ordering = ["programma", "jaar", "thema"]
        constraints = [
            models.UniqueConstraint(
                fields=["programma", "thema", "jaar"], name="budgetenvelop_uniek"
            )
        ]

    def __str__(self) -> str:
        return f"{self.thema} {self.jaar}"

    def clean(self) -> None:
        if self.programma_id and self.jaar:
            self.programma.valideer_jaar(self.jaar)
        if self.thema_id and self.programma_id and self.thema.programma_id != self.programma_id:
            raise ValidationError({"thema": "Het thema hoort niet bij dit programma."})

    @property
    def beschikbaar(self) -> Decimal:
        return self.bedrag + self.overheveling_in


class Programmadoel(models.Model):
    programma = models.ForeignKey(Programma, on_delete=models.CASCADE, related_name="doelen")
    thema = models.ForeignKey(
        Thema, on_delete=models.SET_NULL, null=True, blank=True, related_name="doelen"
    )
    titel = models.CharField("titel", max_length=200)
    omschrijving = models.TextField("omschrijving", blank=True)

    class Meta:
        verbose_name = "programmadoel"
        verbose_name_plural = "programmadoelen"
        ordering = ["programma", "titel"]

    def __str__(self) -> str:
        return self.titel


class IndicatorSemantiek(models.Model):
    """What a number means and how periods of it combine; shared by programme and
    project indicators so that project figures can roll up without guessing."""

    class Richting(models.TextChoices):
        HOGER = "hoger", "Hoger is beter"
        LAGER = "lager", "Lager is beter"

    class Aggregatie(models.TextChoices):
        SOM = "som", "Som"
        GEMIDDELDE = "gemiddelde", "Gemiddelde"
        LAATSTE = "laatste", "Laatste waarde"

    class Eenheid(models.TextChoices):
        AANTAL = "aantal", "Aantal"
        PERCENTAGE = "percentage", "Percentage"
        EURO = "euro", "Euro"
        SCORE = "score", "Score"
        UREN = "uren", "Uren"

    naam = models.CharField("naam", max_length=200)
    eenheid = models.CharField(
        "eenheid", max_length=20, choices=Eenheid.choices, default=Eenheid.AANTAL
    )
    richting = models.CharField(
        "richting", max_length=10, choices=Richting.choices, default=Richting.HOGER
    )
    cumulatief = models.BooleanField(
        "cumulatief",
        default=False,
        help_text="Een cumulatieve stand telt zelf al op; perioden worden nooit bij elkaar opgeteld.",
    )
    aggregatie = models.CharField(
        "aggregatie over perioden",
        max_length=12,
        choices=Aggregatie.choices,
        default=Aggregatie.SOM,
    )
    basiswaarde = models.DecimalField(
        "basiswaarde", max_digits=18, decimal_places=4, null=True, blank=True
    )
    basisjaar = models.PositiveSmallIntegerField("basisjaar", null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.naam

    def clean(self) -> None:
        if self.cumulatief and self.aggregatie == self.Aggregatie.SOM:
            raise ValidationError(
                {
                    "aggregatie": "Een cumulatieve indicator wordt niet over perioden opgeteld: kies 'laatste waarde'."
                }
            )
        if self.basiswaarde is not None:
            self.valideer_waarde(self.basiswaarde, "basiswaarde")

    def valideer_waarde(self, waarde: Decimal, veld: str = "waarde") -> None:
        if not waarde.is_finite():
            raise ValidationError({veld: "De waarde moet een eindig getal zijn."})
        if self.eenheid == self.Eenheid.PERCENTAGE and not Decimal(0) <= waarde <= Decimal(100):
            raise ValidationError({veld: "Een percentage ligt tussen 0 en 100."})
        if (
            self.eenheid in (self.Eenheid.AANTAL, self.Eenheid.UREN, self.Eenheid.EURO)
            and waarde < 0
        ):
            raise ValidationError(
                {veld: f"Een {self.get_eenheid_display().lower()} kan niet negatief zijn."}
            )


class Programmaindicator(IndicatorSemantiek):
    programma = models.ForeignKey(Programma, on_delete=models.CASCADE, related_name="indicatoren")
    doel = models.ForeignKey(
        Programmadoel, on_delete=models.SET_NULL, null=True, blank=True, related_name="indicatoren"
    )
    code = models.SlugField("code", max_length=40)

    class Meta:
        verbose_name = "programma-indicator"
        verbose_name_plural = "programma-indicatoren"
        ordering = ["programma", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programma", "code"], name="programma_indicator_code_uniek"
            )
        ]

    def clean(self) -> None:
        super().clean()
        if (
            self.doel is not None
            and self.programma_id
            and self.doel.programma_id != self.programma_id
        ):
            raise ValidationError({"doel": "Het doel hoort niet bij dit programma."})


class Programmastreefwaarde(models.Model):
    indicator = models.ForeignKey(
        Programmaindicator, on_delete=models.CASCADE, related_name="streefwaarden"
    )
    jaar = models.PositiveSmallIntegerField("jaar")
    waarde = models.DecimalField("streefwaarde", max_digits=18, decimal_places=4)

    class Meta:
        verbose_name = "streefwaarde programma-indicator"
        verbose_name_plural = "streefwaarden programma-indicatoren"
        ordering = ["indicator", "jaar"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "jaar"], name="programmastreefwaarde_uniek"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.jaar}: {self.waarde}"

    def clean(self) -> None:
        if self.indicator_id and self.jaar:
            self.indicator.programma.valideer_jaar(self.jaar)
        if self.indicator_id and self.waarde is not None:
            self.indicator.valideer_waarde(self.waarde)


class Rol(models.Model):
    """What one person may do, and where. A person may hold several roles."""

    class Soort(models.TextChoices):
        PROGRAMMAMANAGER = "programmamanager", "Programmamanager"
        PARTNER = "partner", "Partner"
        MINISTERIE = "ministerie", "Ministerie (alleen lezen)"
        BEHEERDER = "beheerder", "Beheerder"

    gebruiker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rollen"
    )
    soort = models.CharField("rol", max_length=20, choices=Soort.choices)
    programma = models.ForeignKey(
        Programma, on_delete=models.CASCADE, null=True, blank=True, related_name="rollen"
    )
    organisatie = models.ForeignKey(
        Organisatie, on_delete=models.CASCADE, null=True, blank=True, related_name="rollen"
    )

    class Meta:
        verbose_name = "rol"
        verbose_name_plural = "rollen"
        ordering = ["gebruiker", "soort"]
        constraints = [
            # Coalesce instead of nulls_distinct: SQLite knows no NULLS NOT DISTINCT.
            models.UniqueConstraint(
                "gebruiker",
                "soort",
                Coalesce("programma", 0),
                Coalesce("organisatie", 0),
                name="rol_uniek",
            )
        ]

    def __str__(self) -> str:
        waar = self.programma or self.organisatie or "alles"
        return f"{self.gebruiker} — {self.get_soort_display()} ({waar})"

    def clean(self) -> None:
        if self.soort == self.Soort.PARTNER and not self.organisatie_id:
            raise ValidationError({"organisatie": "Een partnerrol hoort bij een organisatie."})
        if (
            self.soort in (self.Soort.PROGRAMMAMANAGER, self.Soort.MINISTERIE)
            and not self.programma_id
        ):
            raise ValidationError({"programma": "Deze rol hoort bij een programma."})


class ApiSleutel(models.Model):
    """A partner organisation's key to the API. Only a hash is stored; the key itself is
    shown once, when it is made."""

    class Scope(models.TextChoices):
        PROJECTEN_LEZEN = "projecten.lezen", "Projecten lezen"
        METINGEN_SCHRIJVEN = "metingen.schrijven", "Metingen indienen"
        BESTEDINGEN_SCHRIJVEN = "bestedingen.schrijven", "Bestedingen indienen"
        VERSLAGEN_SCHRIJVEN = "verslagen.schrijven", "Voortgangsverslagen indienen"
        RAPPORTEN_LEZEN = "rapporten.lezen", "Rapporten lezen"

    organisatie = models.ForeignKey(
        Organisatie, on_delete=models.CASCADE, related_name="api_sleutels"
    )
    naam = models.CharField("omschrijving", max_length=100)
    prefix = models.CharField("voorvoegsel", max_length=16, unique=True, editable=False)
    sleutel_hash = models.CharField("hash", max_length=64, unique=True, editable=False)
    scopes = models.JSONField("scopes", default=list)
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True)
    verloopt_op = models.DateTimeField("verloopt op", null=True, blank=True)
    ingetrokken_op = models.DateTimeField("ingetrokken op", null=True, blank=True, editable=False)
    laatst_gebruikt_op = models.DateTimeField(
        "laatst gebruikt op", null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = "API-sleutel"
        verbose_name_plural = "API-sleutels"
        ordering = ["organisatie", "naam"]

    def __str__(self) -> str:
        return f"{self.organisatie} — {self.naam} ({self.prefix}…)"

    def clean(self) -> None:
        onbekend = set(self.scopes or []) - set(self.Scope.values)
        if not isinstance(self.scopes, list) or onbekend:
            raise ValidationError(
                {"scopes": f"Onbekende scopes: {', '.join(sorted(map(str, onbekend)))}."}
            )


class AuditregelQuerySet(models.QuerySet["Auditregel"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Het audittrail kan niet worden verwijderd.")

    def update(self, **kwargs: object) -> int:
        raise PermissionError("Het audittrail kan niet worden gewijzigd.")


class Auditregel(models.Model):
    """Who changed what, when, with the values before and after. Written in the same
    transaction as the change; never changed or deleted by the application."""

    tijdstip = models.DateTimeField("tijdstip", auto_now_add=True, db_index=True)
    gebruiker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    namens = models.CharField(
        "namens", max_length=200, blank=True, help_text="API-sleutel, taak of commando."
    )
    actie = models.CharField("actie", max_length=80)
    objecttype = models.CharField("objecttype", max_length=80)
    object_id = models.CharField("object-id", max_length=40)
    omschrijving = models.CharField("omschrijving", max_length=300)
    voor = models.JSONField("voor", null=True, blank=True)
    na = models.JSONField("na", null=True, blank=True)

    objects = AuditregelQuerySet.as_manager()

    class Meta:
        verbose_name = "auditregel"
        verbose_name_plural = "audittrail"
        ordering = ["-tijdstip", "-id"]
        # The trail is read per object (its history) and per action on objects (was this
        # review reported already?). Two composite indexes serve both; single-column
        # indexes on PostgreSQL would add a LIKE copy each, and every index costs a write
        # on each of the many rows a batch of submissions adds.
        indexes = [
            models.Index(fields=["objecttype", "object_id"], name="audit_object"),
            models.Index(fields=["actie", "object_id"], name="audit_actie_object"),
        ]

    def __str__(self) -> str:
        return f"{self.tijdstip:%Y-%m-%d %H:%M} {self.actie} {self.objecttype}#{self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("Een auditregel wordt nooit gewijzigd.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Een auditregel wordt nooit verwijderd.")


class Idempotentieverzoek(models.Model):
    """A POST made with an ``Idempotency-Key``: its response is kept for 24 hours so a
    retry gets the same answer and creates nothing new."""

    sleutel_hash = models.CharField("API-sleutel (hash)", max_length=64)
    idempotentiesleutel = models.CharField("Idempotency-Key", max_length=255)
    verzoek_hash = models.CharField("hash van methode, pad en body", max_length=64)
    status_code = models.PositiveSmallIntegerField("statuscode", default=0)
    inhoud = models.TextField("antwoord", blank=True)
    headers = models.JSONField("headers", default=dict)
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "idempotent verzoek"
        verbose_name_plural = "idempotente verzoeken"
        constraints = [
            models.UniqueConstraint(
                fields=["sleutel_hash", "idempotentiesleutel"], name="idempotentiesleutel_uniek"
            )
        ]

    def __str__(self) -> str:
        return f"{self.idempotentiesleutel} ({self.status_code})"
