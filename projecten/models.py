"""The interventions, their results framework and their money."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce

from programma.models import (
    Focusgebied,
    IndicatorSemantiek,
    Organisatie,
    Programma,
    Programmaindicator,
    Thema,
    bedragveld,
)
from programma.perioden import parse_periode, valideer_periode


class Kostensoort(models.TextChoices):
    PERSONEEL = "personeel", "Personeel"
    ACTIVITEITEN = "activiteiten", "Activiteiten"
    MATERIEEL = "materieel", "Materieel"
    HUISVESTING = "huisvesting", "Huisvesting"
    ORGANISATIE = "organisatie", "Programmaorganisatie"
    OVERIG = "overig", "Overig"


class Project(models.Model):
    """An intervention: what partners do together in one or more focus areas."""

    class Status(models.TextChoices):
        CONCEPT = "concept", "Concept"
        INGEDIEND = "ingediend", "Ingediend"
        TOEGEKEND = "toegekend", "Toegekend"
        LOPEND = "lopend", "Lopend"
        AFGEROND = "afgerond", "Afgerond"
        GESTOPT = "gestopt", "Gestopt"

    # Where each status may go next; afgerond and gestopt are final.
    OVERGANGEN: dict[str, set[str]] = {
        "concept": {"ingediend", "gestopt"},
        "ingediend": {"toegekend", "concept", "gestopt"},
        "toegekend": {"lopend", "gestopt"},
        "lopend": {"afgerond", "gestopt"},
        "afgerond": set(),
        "gestopt": set(),
    }

    class Frequentie(models.TextChoices):
        JAAR = "jaar", "Jaarlijks"
        HALFJAAR = "halfjaar", "Halfjaarlijks"
        KWARTAAL = "kwartaal", "Per kwartaal"

    programma = models.ForeignKey(Programma, on_delete=models.PROTECT, related_name="projecten")
    code = models.SlugField("code", max_length=40)
    titel = models.CharField("titel", max_length=200)
    omschrijving = models.TextField("omschrijving", blank=True)
    penvoerder = models.ForeignKey(
        Organisatie,
        on_delete=models.PROTECT,
        related_name="penvoerderschappen",
        verbose_name="penvoerder",
    )
    themas = models.ManyToManyField(
        Thema, related_name="projecten", verbose_name="thema's", blank=True
    )
    focusgebieden = models.ManyToManyField(
        Focusgebied, related_name="projecten", verbose_name="focusgebieden", blank=True
    )
    startdatum = models.DateField("startdatum")
    einddatum = models.DateField("einddatum")
    status = models.CharField(
        "status", max_length=12, choices=Status.choices, default=Status.CONCEPT
    )
    rapportagefrequentie = models.CharField(
        "rapportagefrequentie",
        max_length=10,
        choices=Frequentie.choices,
        default=Frequentie.KWARTAAL,
    )
    rapportagetermijn_dagen = models.PositiveSmallIntegerField(
        "termijn na periode (dagen)",
        default=42,
        help_text="Zoveel dagen na het einde van een periode is de rapportage verschuldigd.",
    )
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True)
    gewijzigd_op = models.DateTimeField("gewijzigd op", auto_now=True)

    class Meta:
        verbose_name = "project"
        verbose_name_plural = "projecten"
        ordering = ["programma", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programma", "code"], name="project_code_uniek")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.titel}"

    def clean(self) -> None:
        fouten: dict[str, str] = {}
        if self.startdatum and self.einddatum and self.einddatum < self.startdatum:
            fouten["einddatum"] = "De einddatum ligt niet voor de startdatum."
        if (
            self.programma_id
            and self.startdatum
            and not (self.programma.startjaar <= self.startdatum.year <= self.programma.eindjaar)
        ):
            fouten["startdatum"] = (
                f"De startdatum ligt buiten de programmaperiode "
                f"{self.programma.startjaar}–{self.programma.eindjaar}."
            )
        if self.programma_id and self.einddatum and self.einddatum.year > self.programma.eindjaar:
            fouten["einddatum"] = (
                f"De einddatum ligt na het einde van het programma ({self.programma.eindjaar})."
            )
        if fouten:
            raise ValidationError(fouten)

    def valideer_datum(self, datum: date, veld: str = "datum") -> None:
        if not self.startdatum <= datum <= self.einddatum:
            raise ValidationError(
                {
                    veld: f"{datum:%d-%m-%Y} ligt buiten de projectperiode "
                    f"{self.startdatum:%d-%m-%Y} – {self.einddatum:%d-%m-%Y}."
                }
            )

    def valideer_periode(self, code: str, veld: str = "periode") -> None:
        periode = parse_periode(code)
        if periode.einde < self.startdatum or periode.start > self.einddatum:
            raise ValidationError(
                {
                    veld: f"Periode {code} valt buiten de projectperiode "
                    f"{self.startdatum:%d-%m-%Y} – {self.einddatum:%d-%m-%Y}."
                }
            )

    @property
    def is_gesloten(self) -> bool:
        return self.status in (self.Status.AFGEROND, self.Status.GESTOPT)


class Projectpartner(models.Model):
    class Rol(models.TextChoices):
        PENVOERDER = "penvoerder", "Penvoerder"
        UITVOERDER = "uitvoerder", "Uitvoerder"
        MEDEFINANCIER = "medefinancier", "Medefinancier"
        KENNISPARTNER = "kennispartner", "Kennispartner"
        BEWONERSPARTNER = "bewonerspartner", "Bewonerspartner"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisatie = models.ForeignKey(
        Organisatie, on_delete=models.PROTECT, related_name="projectdeelnames"
    )
    rol = models.CharField("rol", max_length=20, choices=Rol.choices, default=Rol.UITVOERDER)

    class Meta:
        verbose_name = "projectpartner"
        verbose_name_plural = "projectpartners"
        ordering = ["project", "organisatie__naam"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisatie"], name="projectpartner_uniek")
        ]

    def __str__(self) -> str:
        return f"{self.organisatie} ({self.get_rol_display()})"


class Doel(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="doelen")
    titel = models.CharField("titel", max_length=200)
    omschrijving = models.TextField("omschrijving", blank=True)

    class Meta:
        verbose_name = "doel"
        verbose_name_plural = "doelen"
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return self.titel


class Indicator(IndicatorSemantiek):
    doel = models.ForeignKey(Doel, on_delete=models.CASCADE, related_name="indicatoren")
    programma_indicator = models.ForeignKey(
        Programmaindicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projectindicatoren",
        verbose_name="telt mee voor programma-indicator",
    )

    class Meta:
        verbose_name = "indicator"
        verbose_name_plural = "indicatoren"
        ordering = ["doel", "id"]

    def clean(self) -> None:
        super().clean()
        pi = self.programma_indicator
        if pi is not None and self.doel_id:
            if pi.programma_id != self.doel.project.programma_id:
                raise ValidationError(
                    {"programma_indicator": "De programma-indicator hoort bij een ander programma."}
                )
            if pi.eenheid != self.eenheid or pi.cumulatief != self.cumulatief:
                raise ValidationError(
                    {
                        "programma_indicator": "Eenheid en cumulatief moeten gelijk zijn aan die van de programma-indicator."
                    }
                )

    @property
    def project(self) -> Project:
        return self.doel.project


class Streefwaarde(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="streefwaarden")
    periode = models.CharField("periode", max_length=7, validators=[valideer_periode])
    waarde = models.DecimalField("streefwaarde", max_digits=18, decimal_places=4)

    class Meta:
        verbose_name = "streefwaarde"
        verbose_name_plural = "streefwaarden"
        ordering = ["indicator", "periode"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "periode"], name="streefwaarde_uniek")
        ]

    def __str__(self) -> str:
        return f"{self.periode}: {self.waarde}"

    def clean(self) -> None:
        if not self.indicator_id or not self.periode:
            return
        periode = parse_periode(self.periode)
        self.indicator.doel.project.programma.valideer_jaar(periode.jaar, "periode")
        if self.waarde is not None:
            self.indicator.valideer_waarde(self.waarde)


class Beoordeling(models.TextChoices):
    INGEDIEND = "ingediend", "Ingediend"
    GOEDGEKEURD = "goedgekeurd", "Goedgekeurd"
    TERUGGESTUURD = "teruggestuurd", "Teruggestuurd"


class Beoordeelbaar(models.Model):
    """What a partner submits and the programme office reviews."""

    BEOORDELING_OVERGANGEN: dict[str, set[str]] = {
        "ingediend": {"goedgekeurd", "teruggestuurd"},
        "teruggestuurd": {"ingediend"},
        "goedgekeurd": set(),
    }

    status = models.CharField(
        "status",
        max_length=14,
        choices=Beoordeling.choices,
        default=Beoordeling.INGEDIEND,
        db_index=True,
    )
    ingediend_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ingediend door",
    )
    ingediend_door_organisatie = models.ForeignKey(
        Organisatie,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="namens organisatie",
    )
    ingediend_op = models.DateTimeField("ingediend op", auto_now_add=True)
    gewijzigd_op = models.DateTimeField("gewijzigd op", auto_now=True, db_index=True)
    beoordeeld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="beoordeeld door",
    )
    beoordeeld_op = models.DateTimeField("beoordeeld op", null=True, blank=True)
    beoordeling_toelichting = models.TextField("toelichting beoordelaar", blank=True)
    versie = models.PositiveIntegerField("versie", default=1)

    class Meta:
        abstract = True


class Meting(Beoordeelbaar):
    # No index of its own: the unique (indicator, periode) constraint starts with it.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="metingen", db_index=False
    )
    periode = models.CharField("periode", max_length=7, validators=[valideer_periode])
    waarde = models.DecimalField("waarde", max_digits=18, decimal_places=4)
    toelichting = models.TextField(
        "toelichting", blank=True, help_text="Verklaring van verschillen met de streefwaarde."
    )
    bron = models.CharField("bron", max_length=200, blank=True)
    uitsplitsing = models.JSONField(
        "uitsplitsing",
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="Waarden per categorie, bijvoorbeeld per leeftijdsgroep of buurt.",
    )

    class Meta:
        verbose_name = "meting"
        verbose_name_plural = "metingen"
        ordering = ["indicator", "periode"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "periode"], name="meting_uniek")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.periode}: {self.waarde}"

    def clean(self) -> None:
        if not self.indicator_id or not self.periode:
            return
        try:
            parse_periode(self.periode)
        except ValidationError:
            pass  # clean_fields has reported the malformed code under 'periode'
        else:
            self.indicator.doel.project.valideer_periode(self.periode)
        if isinstance(self.waarde, Decimal):  # anything else clean_fields has refused
            self.indicator.valideer_waarde(self.waarde)
        if not isinstance(self.uitsplitsing, dict):
            raise ValidationError(
                {"uitsplitsing": "De uitsplitsing is een object met categorieën en waarden."}
            )


class Beschikking(models.Model):
    """A grant decision (Awb title 4.2)."""

    class Status(models.TextChoices):
        AANGEVRAAGD = "aangevraagd", "Aangevraagd"
        VERLEEND = "verleend", "Verleend"
        VASTGESTELD = "vastgesteld", "Vastgesteld"
        INGETROKKEN = "ingetrokken", "Ingetrokken"

    OVERGANGEN: dict[str, set[str]] = {
        "aangevraagd": {"verleend", "ingetrokken"},
        "verleend": {"vastgesteld", "ingetrokken"},
        "vastgesteld": set(),
        "ingetrokken": set(),
    }

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="beschikkingen")
    financier = models.ForeignKey(
        Organisatie, on_delete=models.PROTECT, related_name="verleende_beschikkingen"
    )
    thema = models.ForeignKey(
        Thema,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="beschikkingen",
        help_text="Het thema van het programmabudget waaruit deze beschikking wordt betaald.",
    )
    regeling = models.CharField("regeling", max_length=200)
    kenmerk = models.CharField("kenmerk", max_length=60, unique=True)
    datum = models.DateField("datum beschikking", null=True, blank=True)
    bedrag = bedragveld("bedrag (aangevraagd/verleend)")
    status = models.CharField(
        "status", max_length=12, choices=Status.choices, default=Status.AANGEVRAAGD
    )
    bedrag_vastgesteld = bedragveld("vastgesteld bedrag", null=True, blank=True)
    vastgesteld_op = models.DateField("vastgesteld op", null=True, blank=True)

    class Meta:
        verbose_name = "beschikking"
        verbose_name_plural = "beschikkingen"
        ordering = ["project", "kenmerk"]

    def __str__(self) -> str:
        return f"{self.kenmerk} ({self.get_status_display().lower()})"

    def clean(self) -> None:
        if (
            self.thema is not None
            and self.project_id
            and self.thema.programma_id != self.project.programma_id
        ):
            raise ValidationError({"thema": "Het thema hoort bij een ander programma."})
        if self.status == self.Status.VASTGESTELD and self.bedrag_vastgesteld is None:
            raise ValidationError(
                {"bedrag_vastgesteld": "Bij vaststelling hoort een vastgesteld bedrag."}
            )
        if (
            self.bedrag_vastgesteld is not None
            and self.bedrag is not None
            and self.bedrag_vastgesteld > self.bedrag
        ):
            raise ValidationError(
                {
                    "bedrag_vastgesteld": "Het vastgestelde bedrag is niet hoger dan het verleende bedrag."
                }
            )


class Begrotingsregel(models.Model):
    """Budget per project × year × cost category. A revision adds a new version; versions
    are never summed, the highest version counts."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="begrotingsregels")
    jaar = models.PositiveSmallIntegerField("jaar")
    kostensoort = models.CharField("kostensoort", max_length=20, choices=Kostensoort.choices)
    versie = models.PositiveSmallIntegerField(
        "versie", default=1, validators=[MinValueValidator(1)]
    )
    bedrag = bedragveld("bedrag")
    toelichting = models.CharField("toelichting", max_length=300, blank=True)
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True)

    class Meta:
        verbose_name = "begrotingsregel"
        verbose_name_plural = "begrotingsregels"
        ordering = ["project", "jaar", "kostensoort", "versie"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "jaar", "kostensoort", "versie"], name="begrotingsregel_uniek"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jaar} {self.get_kostensoort_display()} v{self.versie}: € {self.bedrag}"

    def clean(self) -> None:
        if (
            self.project_id
            and self.jaar
            and not (self.project.startdatum.year <= self.jaar <= self.project.einddatum.year)
        ):
            raise ValidationError(
                {
                    "jaar": f"Jaar {self.jaar} ligt buiten de projectperiode "
                    f"{self.project.startdatum.year}–{self.project.einddatum.year}."
                }
            )

    @property
    def is_origineel(self) -> bool:
        return self.versie == 1


class Tranche(models.Model):
    class Status(models.TextChoices):
        GEPLAND = "gepland", "Gepland"
        VRIJGEGEVEN = "vrijgegeven", "Vrijgegeven"
        BETAALD = "betaald", "Betaald"

    OVERGANGEN: dict[str, set[str]] = {
        "gepland": {"vrijgegeven"},
        "vrijgegeven": {"betaald"},
        "betaald": set(),
    }

    class Voorwaarde(models.TextChoices):
        GEEN = "geen", "Geen voorwaarde"
        VERSLAG_GOEDGEKEURD = "verslag_goedgekeurd", "Goedgekeurd voortgangsverslag over de periode"
        METINGEN_GOEDGEKEURD = (
            "metingen_goedgekeurd",
            "Goedgekeurde metingen voor alle indicatoren over de periode",
        )

    beschikking = models.ForeignKey(Beschikking, on_delete=models.CASCADE, related_name="tranches")
    volgnummer = models.PositiveSmallIntegerField("volgnummer", validators=[MinValueValidator(1)])
    geplande_datum = models.DateField("geplande datum")
    bedrag = bedragveld("bedrag")
    voorwaarde = models.CharField(
        "voorwaarde", max_length=24, choices=Voorwaarde.choices, default=Voorwaarde.GEEN
    )
    voorwaarde_periode = models.CharField(
        "periode van de voorwaarde", max_length=7, blank=True, validators=[valideer_periode]
    )
    status = models.CharField(
        "status", max_length=12, choices=Status.choices, default=Status.GEPLAND
    )
    vrijgegeven_op = models.DateTimeField("vrijgegeven op", null=True, blank=True)
    vrijgave_reden = models.CharField("reden vrijgave", max_length=300, blank=True)
    betaald_op = models.DateField("betaald op", null=True, blank=True)

    class Meta:
        verbose_name = "tranche"
        verbose_name_plural = "tranches"
        ordering = ["beschikking", "volgnummer"]
        constraints = [
            models.UniqueConstraint(fields=["beschikking", "volgnummer"], name="tranche_uniek")
        ]

    def __str__(self) -> str:
        return f"Tranche {self.volgnummer}: € {self.bedrag}"

    def clean(self) -> None:
        if self.voorwaarde != self.Voorwaarde.GEEN and not self.voorwaarde_periode:
            raise ValidationError({"voorwaarde_periode": "Een voorwaarde hoort bij een periode."})
        if self.status == self.Status.BETAALD and not self.betaald_op:
            raise ValidationError({"betaald_op": "Een betaalde tranche heeft een betaaldatum."})
        if self.beschikking_id and self.bedrag is not None:
            andere = self.beschikking.tranches.exclude(pk=self.pk).aggregate(
                s=models.Sum("bedrag")
            )["s"] or Decimal("0")
            if andere + self.bedrag > self.beschikking.bedrag:
                raise ValidationError(
                    {
                        "bedrag": f"De tranches samen (€ {andere + self.bedrag}) overschrijden de beschikking "
                        f"(€ {self.beschikking.bedrag})."
                    }
                )


class Besteding(Beoordeelbaar):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="bestedingen")
    beschikking = models.ForeignKey(
        Beschikking, on_delete=models.PROTECT, null=True, blank=True, related_name="bestedingen"
    )
    periode = models.CharField("periode", max_length=7, validators=[valideer_periode])
    kostensoort = models.CharField("kostensoort", max_length=20, choices=Kostensoort.choices)
    bedrag = bedragveld("bedrag")
    omschrijving = models.CharField("omschrijving", max_length=300, blank=True)

    class Meta:
        verbose_name = "besteding"
        verbose_name_plural = "bestedingen"
        ordering = ["project", "periode", "kostensoort"]

    def __str__(self) -> str:
        return f"{self.periode} {self.get_kostensoort_display()}: € {self.bedrag}"

    def clean(self) -> None:
        if self.project_id and self.periode:
            parse_periode(self.periode)
            self.project.valideer_periode(self.periode)
        if (
            self.beschikking is not None
            and self.project_id
            and self.beschikking.project_id != self.project_id
        ):
            raise ValidationError({"beschikking": "De beschikking hoort bij een ander project."})


class Rapportageverplichting(models.Model):
    class Soort(models.TextChoices):
        VOORTGANG = "voortgang", "Voortgangsrapportage"
        FINANCIEEL = "financieel", "Financiële rapportage"
        EIND = "eind", "Eindverslag"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        TE_LAAT = "te_laat", "Te laat"
        VOLDAAN = "voldaan", "Voldaan"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="verplichtingen")
    soort = models.CharField("soort", max_length=12, choices=Soort.choices)
    periode = models.CharField("periode", max_length=7, validators=[valideer_periode])
    deadline = models.DateField("uiterste datum", db_index=True)
    status = models.CharField("status", max_length=8, choices=Status.choices, default=Status.OPEN)
    voldaan_op = models.DateTimeField("voldaan op", null=True, blank=True)

    class Meta:
        verbose_name = "rapportageverplichting"
        verbose_name_plural = "rapportageverplichtingen"
        ordering = ["project", "deadline", "soort"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "soort", "periode"], name="verplichting_uniek"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_soort_display()} {self.periode} (uiterlijk {self.deadline:%d-%m-%Y})"


class Voortgangsverslag(Beoordeelbaar):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="verslagen")
    periode = models.CharField("periode", max_length=7, validators=[valideer_periode])
    samenvatting = models.TextField("voortgang")
    risicos = models.TextField("risico's", blank=True)
    afwijkingen = models.TextField("afwijkingen en verklaring", blank=True)

    class Meta:
        verbose_name = "voortgangsverslag"
        verbose_name_plural = "voortgangsverslagen"
        ordering = ["project", "periode"]
        constraints = [models.UniqueConstraint(fields=["project", "periode"], name="verslag_uniek")]

    def __str__(self) -> str:
        return f"Verslag {self.periode}"

    def clean(self) -> None:
        if self.project_id and self.periode:
            parse_periode(self.periode)
            self.project.valideer_periode(self.periode)


class Periodevergrendeling(models.Model):
    """A period the programme office has closed: no submissions or corrections for it,
    for one project or (without a project) for the whole programme."""

    programma = models.ForeignKey(
        Programma, on_delete=models.CASCADE, related_name="vergrendelingen"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="vergrendelingen"
    )
    periode = models.CharField("periode", max_length=7, validators=[valideer_periode])
    vergrendeld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    vergrendeld_op = models.DateTimeField("vergrendeld op", auto_now_add=True)

    class Meta:
        verbose_name = "periodevergrendeling"
        verbose_name_plural = "periodevergrendelingen"
        ordering = ["programma", "periode"]
        constraints = [
            models.UniqueConstraint(
                "programma", Coalesce("project", 0), "periode", name="vergrendeling_uniek"
            )
        ]

    def __str__(self) -> str:
        return f"{self.periode} vergrendeld ({self.project or self.programma})"

    def clean(self) -> None:
        if (
            self.project is not None
            and self.programma_id
            and self.project.programma_id != self.programma_id
        ):
            raise ValidationError({"project": "Het project hoort bij een ander programma."})


class Herinnering(models.Model):
    """A reminder e-mail sent for an obligation at one step (days relative to the deadline:
    negative before, positive after). One row per obligation and step: never sent twice."""

    verplichting = models.ForeignKey(
        Rapportageverplichting, on_delete=models.CASCADE, related_name="herinneringen"
    )
    stap = models.SmallIntegerField("dagen t.o.v. de deadline")
    ontvangers = models.TextField("ontvangers", blank=True)
    verstuurd_op = models.DateTimeField("verstuurd op", null=True, blank=True)
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True)

    class Meta:
        verbose_name = "herinnering"
        verbose_name_plural = "herinneringen"
        ordering = ["verplichting", "stap"]
        constraints = [
            models.UniqueConstraint(fields=["verplichting", "stap"], name="herinnering_uniek")
        ]

    def __str__(self) -> str:
        return f"{self.verplichting} ({self.stap:+d} dagen)"
