"""Reports generated for the ministry, and (later) aggregated progress and context figures."""

from django.conf import settings
from django.db import models

from programma.models import Focusgebied, Programma
from projecten.models import Project


class Rapport(models.Model):
    """A generated accountability report: the PDF, its SHA-256 and the frozen snapshot it
    was made from. Published reports are visible to ministry staff and to API keys with
    the report scope of the programme's partners."""

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
    pdf = models.FileField("PDF", upload_to="rapporten/%Y/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    momentopname = models.JSONField("bevroren gegevens", null=True, blank=True)
    gevraagd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    gevraagd_op = models.DateTimeField("gevraagd op", auto_now_add=True)
    gemaakt_op = models.DateTimeField("gemaakt op", null=True, blank=True)
    gepubliceerd_op = models.DateTimeField("gepubliceerd op", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "rapport"
        verbose_name_plural = "rapporten"
        ordering = ["-gevraagd_op", "-id"]

    def __str__(self) -> str:
        return f"{self.get_soort_display()} {self.programma.code} {self.periode}"

    @property
    def is_gepubliceerd(self) -> bool:
        return self.gepubliceerd_op is not None
