"""Reports generated for the ministry, aggregated progress and context figures."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.db.models.functions import Coalesce

from programma.models import Focusgebied, Organisatie, Programma
from projecten.models import Project


class PriveOpslag(FileSystemStorage):
    """Where report PDFs live: ``PRIVE_MEDIA_ROOT``, outside MEDIA_ROOT and any URL. They
    are served only by views that check who asks (``rapportage.views``,
    ``rapportage.api``). The directory is read from the settings at every use."""

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(settings.PRIVE_MEDIA_ROOT)

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def prive_opslag() -> Storage:
    return PriveOpslag()


def pdf_pad(rapport: "Rapport", bestandsnaam: str) -> str:
    return f"rapporten/{rapport.pk}/{bestandsnaam}"


class Rapport(models.Model):
    """A generated accountability report: the PDF, its SHA-256 and the frozen snapshot it
    was made from. Published reports are visible to the programme's ministry staff and to
    API keys with the report scope of the programme's partners; an unpublished report is
    seen only by the programme office (and, for a project report a partner asked for
    through the API, by that partner)."""

    class Soort(models.TextChoices):
        JAARVERANTWOORDING = "jaarverantwoording", "Jaarverantwoording"
        GEBIEDSRAPPORTAGE = "gebiedsrapportage", "Gebiedsrapportage"
        PROJECTRAPPORTAGE = "projectrapportage", "Projectrapportage"

    class Status(models.TextChoices):
        GEVRAAGD = "gevraagd", "Gevraagd"
        BEZIG = "bezig", "Wordt gemaakt"
        KLAAR = "klaar", "Klaar"
        MISLUKT = "mislukt", "Mislukt"

    soort = models.CharField("soort", max_length=20, choices=Soort.choices)
    programma = models.ForeignKey(Programma, on_delete=models.PROTECT, related_name="rapporten")
    focusgebied = models.ForeignKey(
        Focusgebied, on_delete=models.PROTECT, null=True, blank=True, related_name="rapporten"
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="rapporten"
    )
    periode = models.CharField("periode", max_length=7)
    status = models.CharField(
        "status", max_length=10, choices=Status.choices, default=Status.GEVRAAGD
    )
    voortgang = models.PositiveSmallIntegerField("voortgang (%)", default=0)
    foutmelding = models.TextField("foutmelding", blank=True)
    pdf = models.FileField("PDF", upload_to=pdf_pad, storage=prive_opslag, blank=True)
    sha256 = models.CharField("SHA-256 van de PDF", max_length=64, blank=True)
    paginas = models.PositiveIntegerField("pagina's", null=True, blank=True)
    momentopname = models.JSONField("bevroren gegevens", null=True, blank=True)
    gegevens_sha256 = models.CharField("SHA-256 van de gegevens", max_length=64, blank=True)
    gevraagd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    gevraagd_door_organisatie = models.ForeignKey(
        Organisatie,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gevraagde_rapporten",
        help_text="De partnerorganisatie die het rapport via de API vroeg.",
    )
    gevraagd_op = models.DateTimeField("gevraagd op", auto_now_add=True)
    bezig_sinds = models.DateTimeField("bezig sinds", null=True, blank=True)
    pogingen = models.PositiveSmallIntegerField("pogingen", default=0)
    gemaakt_op = models.DateTimeField("gemaakt op", null=True, blank=True)
    gepubliceerd_op = models.DateTimeField("gepubliceerd op", null=True, blank=True, db_index=True)
    gepubliceerd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    gemeld_op = models.DateTimeField("ministerie gemeld op", null=True, blank=True)

    class Meta:
        verbose_name = "rapport"
        verbose_name_plural = "rapporten"
        ordering = ["-gevraagd_op", "-id"]
        indexes = [models.Index(fields=["status", "bezig_sinds"])]

    def __str__(self) -> str:
        onderwerp = self.project or self.focusgebied or self.programma.code
        return f"{self.get_soort_display()} {onderwerp} {self.periode}"

    @property
    def is_gepubliceerd(self) -> bool:
        return self.gepubliceerd_op is not None

    @property
    def bestandsnaam(self) -> str:
        onderwerp = (
            self.project.code
            if self.project_id and self.project
            else self.focusgebied.code
            if self.focusgebied_id and self.focusgebied
            else self.programma.code
        )
        return f"{self.soort}-{onderwerp}-{self.periode}"


class Indicatorstand(models.Model):
    """Aggregated progress of one indicator in one period at one level, computed from
    approved measurements by the background aggregation. Project rows belong to a project
    indicator; focus-area, theme and programme rows to a programme indicator."""

    class Niveau(models.TextChoices):
        PROJECT = "project", "Project"
        FOCUSGEBIED = "focusgebied", "Focusgebied"
        THEMA = "thema", "Thema"
        PROGRAMMA = "programma", "Programma"

    niveau = models.CharField("niveau", max_length=12, choices=Niveau.choices)
    programma = models.ForeignKey(
        Programma, on_delete=models.CASCADE, related_name="indicatorstanden"
    )
    indicator = models.ForeignKey(
        "projecten.Indicator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="standen",
    )
    programma_indicator = models.ForeignKey(
        "programma.Programmaindicator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="standen",
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="standen"
    )
    focusgebied = models.ForeignKey(
        Focusgebied, on_delete=models.CASCADE, null=True, blank=True, related_name="standen"
    )
    thema = models.ForeignKey(
        "programma.Thema", on_delete=models.CASCADE, null=True, blank=True, related_name="standen"
    )
    periode = models.CharField("periode", max_length=7)
    waarde = models.DecimalField("waarde", max_digits=22, decimal_places=4, null=True, blank=True)
    streefwaarde = models.DecimalField(
        "streefwaarde", max_digits=22, decimal_places=4, null=True, blank=True
    )
    percentage_streefwaarde = models.DecimalField(
        "% van de streefwaarde", max_digits=10, decimal_places=2, null=True, blank=True
    )
    op_koers = models.BooleanField("op koers", null=True, blank=True)
    aantal_metingen = models.PositiveIntegerField("aantal metingen", default=0)
    berekend_op = models.DateTimeField("berekend op", auto_now=True)
    # 64 bits of the row's identity and values as stored, written by the aggregation
    # with the row (``aggregaties.vingerafdrukken``): the nightly recompute compares
    # these instead of reading every column back. None for a row written otherwise,
    # which the next recompute rewrites.
    vingerafdruk = models.BigIntegerField("vingerafdruk", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "indicatorstand"
        verbose_name_plural = "indicatorstanden"
        ordering = ["programma", "niveau", "periode"]
        constraints = [
            models.UniqueConstraint(
                "niveau",
                Coalesce("indicator", 0),
                Coalesce("programma_indicator", 0),
                Coalesce("project", 0),
                Coalesce("focusgebied", 0),
                Coalesce("thema", 0),
                "periode",
                name="indicatorstand_uniek",
            )
        ]
        indexes = [models.Index(fields=["programma", "niveau", "periode"])]

    def __str__(self) -> str:
        return f"{self.get_niveau_display()} {self.periode}: {self.waarde}"


class Contextcijfer(models.Model):
    """An open-data figure for a CBS area code and year (CBS Kerncijfers wijken en buurten,
    Leefbaarometer 3.0), with its source and licence: CBS data are CC BY 4.0 and must be
    attributed wherever they are shown."""

    gebiedscode = models.CharField("CBS-gebiedscode", max_length=10, db_index=True)
    jaar = models.PositiveSmallIntegerField("jaar")
    kenmerk = models.CharField(
        "kenmerk", max_length=80, help_text="Bijvoorbeeld 'aantal_inwoners' of 'lbm_score'."
    )
    waarde = models.DecimalField("waarde", max_digits=22, decimal_places=6, null=True, blank=True)
    bron = models.CharField("bron", max_length=200)
    licentie = models.CharField("licentie", max_length=100)
    bron_url = models.URLField("bron-URL", max_length=500, blank=True)
    opgehaald_op = models.DateTimeField("opgehaald op", auto_now=True)

    class Meta:
        verbose_name = "contextcijfer"
        verbose_name_plural = "contextcijfers"
        ordering = ["gebiedscode", "jaar", "kenmerk"]
        constraints = [
            models.UniqueConstraint(
                fields=["gebiedscode", "jaar", "kenmerk", "bron"], name="contextcijfer_uniek"
            )
        ]

    def __str__(self) -> str:
        return f"{self.gebiedscode} {self.jaar} {self.kenmerk}: {self.waarde}"


class Signaal(models.Model):
    """An early warning for a project: spending out of step with elapsed time, or an
    indicator off its trajectory. Recomputed by a background task; the newest set counts."""

    class Soort(models.TextChoices):
        BESTEDINGSTEMPO = "bestedingstempo", "Bestedingstempo wijkt af van de verstreken tijd"
        INDICATOR_ACHTER = "indicator_achter", "Indicator loopt achter op de streefwaarde"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="signalen")
    indicator = models.ForeignKey(
        "projecten.Indicator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signalen",
    )
    soort = models.CharField("soort", max_length=20, choices=Soort.choices)
    reden = models.CharField("reden", max_length=400)
    ernst = models.PositiveSmallIntegerField(
        "ernst", default=1, help_text="1 = let op, 2 = ingrijpen"
    )
    berekend_op = models.DateTimeField("berekend op", auto_now=True)

    class Meta:
        verbose_name = "vroegsignaal"
        verbose_name_plural = "vroegsignalen"
        ordering = ["-ernst", "project"]
        constraints = [
            models.UniqueConstraint(
                "project", Coalesce("indicator", 0), "soort", name="signaal_uniek"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.reden}"
