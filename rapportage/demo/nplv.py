"""The NPLV-like demo programme, built through the services so that validation and the
audit trail run exactly as they do for a programme office.

Setup is done by the system actor ``demo``; submissions are made by the partner users and
reviews by the programme manager (each with ``namens='demo'``), so that the data reads
like the real thing: who submitted, who approved.
"""

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from django.contrib.auth.models import User
from django.utils.text import slugify

from programma.audit import Actor
from programma.models import (
    Budgetenvelop,
    Focusgebied,
    Organisatie,
    Programma,
    Programmaindicator,
    Thema,
)
from programma.perioden import Periode, perioden_tussen
from programma.services import (
    budgetenvelop_vastleggen,
    focusgebied_aanmaken,
    organisatie_aanmaken,
    programma_aanmaken,
    programmadoel_aanmaken,
    programmaindicator_aanmaken,
    thema_aanmaken,
)
from projecten.models import (
    Beoordeelbaar,
    Beoordeling,
    Beschikking,
    Indicator,
    Kostensoort,
    Meting,
    Project,
    Projectpartner,
    Tranche,
    Voortgangsverslag,
)
from projecten.services import (
    begrotingsregel_vastleggen,
    beschikking_aanmaken,
    beschikking_status_wijzigen,
    besteding_beoordelen,
    besteding_corrigeren,
    besteding_indienen,
    besteed_per_thema,
    budget_overhevelen,
    doel_aanmaken,
    indicator_aanmaken,
    meting_beoordelen,
    meting_corrigeren,
    metingen_indienen,
    project_aanmaken,
    project_status_wijzigen,
    project_wijzigen,
    tranche_aanmaken,
    tranche_betalen,
    tranche_vrijgeven,
    voortgangsverslag_beoordelen,
    voortgangsverslag_corrigeren,
    voortgangsverslag_indienen,
)
from rapportage.demo import catalogus as cat
from rapportage.demo.toegang import Gebruikers

SYSTEEM = Actor.systeem("demo")
B = TypeVar("B", bound=Beoordeelbaar)
SEED = 20230101
AANTAL_PROJECTEN = 48
CENT = Decimal("0.01")

# Indexes of interventions with a special life: finished, stopped, or not yet started.
AFGEROND = {
    3: date(2025, 6, 30),
    11: date(2025, 12, 31),
    17: date(2025, 12, 31),
    24: date(2025, 12, 31),
}
# planned end, and the day the intervention stopped
GESTOPT = {29: (date(2025, 12, 31), date(2025, 6, 30))}
NOG_NIET_GESTART = {
    44: ("toegekend", date(2027, 1, 1)),
    45: ("toegekend", date(2027, 1, 1)),
    46: ("ingediend", date(2027, 4, 1)),
    47: ("concept", date(2027, 7, 1)),
}
STATUSPAD = {
    "concept": [],
    "ingediend": ["ingediend"],
    "toegekend": ["ingediend", "toegekend"],
    "lopend": ["ingediend", "toegekend", "lopend"],
}

ENVELOP_PER_JAAR = {2023: Decimal("85000000"), 2024: Decimal("85000000"), 2025: Decimal("86000000")}
ENVELOP_TWEEDE_PERIODE = Decimal("140000000")  # per year 2026-2028, "more than EUR 400 mln"


# --- organisations and programme -----------------------------------------------------------


def organisaties_verzekeren() -> tuple[Organisatie, list[Organisatie]]:
    """The ministry and the partner organisations, created where missing."""
    rijen = (cat.OrganisatieRij(cat.MINISTERIE, "ministerie"), *cat.partnerorganisaties())
    bestaand = {o.naam: o for o in Organisatie.objects.filter(naam__in=[r.naam for r in rijen])}
    for rij in rijen:
        if rij.naam not in bestaand:
            bestaand[rij.naam] = organisatie_aanmaken(
                actor=SYSTEEM,
                naam=rij.naam,
                soort=rij.soort,
                kvk_nummer=rij.kvk_nummer,
                gemeentecode=rij.gemeentecode,
                email=f"info@{slugify(rij.naam)}.example.nl",
            )
    return bestaand[cat.MINISTERIE], [bestaand[r.naam] for r in cat.partnerorganisaties()]


@dataclass
class Kader:
    programma: Programma
    themas: dict[str, Thema]
    gebieden: list[tuple[cat.Gebied, Focusgebied]]
    indicatoren: dict[str, Programmaindicator]


def programma_opbouwen(ministerie: Organisatie) -> Kader:
    programma = programma_aanmaken(
        actor=SYSTEEM,
        code=cat.PROGRAMMA_CODE,
        naam=cat.PROGRAMMA_NAAM,
        opdrachtgever=ministerie,
        startjaar=cat.STARTJAAR,
        eindjaar=cat.EINDJAAR,
        regeling=cat.REGELING,
        rapportontvangers=cat.RAPPORTONTVANGERS,
    )
    themas = {
        t.code: thema_aanmaken(actor=SYSTEEM, programma=programma, code=t.code, naam=t.naam)
        for t in cat.themas()
    }
    gebieden = [
        (
            gebied,
            focusgebied_aanmaken(
                actor=SYSTEEM,
                programma=programma,
                code=gebied.code,
                naam=gebied.naam,
                gemeente=gebied.gemeente,
                gemeentecode=gebied.gemeentecode,
                gebiedscodes=cat.gebiedscodes(i, gebied),
            ),
        )
        for i, gebied in enumerate(cat.focusgebieden())
    ]
    _enveloppen(programma, themas)
    indicatoren = _programmadoelen(programma, themas)
    return Kader(programma=programma, themas=themas, gebieden=gebieden, indicatoren=indicatoren)


def _enveloppen(programma: Programma, themas: dict[str, Thema]) -> None:
    """Split each year's budget over the themes of that year, unevenly (the first theme
    gets the most) so the figures are recognisable in reports."""
    for jaar in range(cat.STARTJAAR, 2029):
        totaal = ENVELOP_PER_JAAR.get(jaar, ENVELOP_TWEEDE_PERIODE)
        van_jaar = [t for t in cat.themas() if jaar in t.jaren]
        gewichten = [Decimal(len(van_jaar) + 3 - i) for i in range(len(van_jaar))]
        for rij, gewicht in zip(van_jaar, gewichten, strict=True):
            bedrag = (totaal * gewicht / sum(gewichten)).quantize(Decimal("1000"))
            budgetenvelop_vastleggen(
                actor=SYSTEEM, programma=programma, thema=themas[rij.code], jaar=jaar, bedrag=bedrag
            )


def _programmadoelen(
    programma: Programma, themas: dict[str, Thema]
) -> dict[str, Programmaindicator]:
    klassen = cat.leefbaarometer_klassen()
    hoofddoel = programmadoel_aanmaken(
        actor=SYSTEEM,
        programma=programma,
        titel="Leefbaarheid en veiligheid op het niveau van een gemiddelde wijk",
        omschrijving=(
            "Over twintig jaar zijn de focusgebieden op het gebied van leefbaarheid en veiligheid "
            f"vergelijkbaar met een gemiddelde Nederlandse wijk: Leefbaarometer-klasse 5 "
            f"({klassen[5].lower()}) of beter, waar ze nu op {klassen[3].lower()} (3) staan."
        ),
    )
    doelen = {
        code: programmadoel_aanmaken(
            actor=SYSTEEM,
            programma=programma,
            thema=thema,
            titel=f"Vooruitgang op {thema.naam.lower()}",
            omschrijving=f"Wat de interventies op het thema {thema.naam.lower()} samen bereiken.",
        )
        for code, thema in themas.items()
    }
    indicatoren = {}
    jaren = range(cat.STARTJAAR, cat.EINDJAAR + 1)
    for rij in cat.PROGRAMMAINDICATOREN:
        stap = (rij.eind - rij.start) / (len(jaren) - 1)
        streefwaarden = {
            jaar: Decimal(f"{rij.start + stap * (jaar - cat.STARTJAAR):.{rij.decimalen}f}")
            for jaar in jaren
        }
        indicatoren[rij.code] = programmaindicator_aanmaken(
            actor=SYSTEEM,
            programma=programma,
            code=rij.code,
            naam=rij.naam,
            doel=doelen[rij.thema] if rij.thema else hoofddoel,
            streefwaarden=streefwaarden,
            eenheid=rij.eenheid,
            richting=rij.richting,
            cumulatief=rij.cumulatief,
            aggregatie=rij.aggregatie,
            basiswaarde=Decimal(rij.basiswaarde) if rij.basiswaarde is not None else None,
            basisjaar=2022 if rij.basiswaarde is not None else None,
        )
    return indicatoren


# --- interventions -------------------------------------------------------------------------


class Partnerkeuze:
    """Which organisations carry out an intervention: the kinds its template asks for,
    taken in turn so that every organisation gets work, and always the municipality."""

    def __init__(self, partners: list[Organisatie]) -> None:
        self.per_soort: dict[str, list[Organisatie]] = defaultdict(list)
        self.gemeente: dict[str, Organisatie] = {}
        for organisatie in partners:
            self.per_soort[organisatie.soort].append(organisatie)
            if organisatie.gemeentecode:
                self.gemeente[organisatie.gemeentecode] = organisatie

    def kies(self, soort: str, gemeentecode: str, volgnummer: int) -> Organisatie:
        if soort == Organisatie.Soort.GEMEENTE:
            return self.gemeente[gemeentecode]
        kandidaten = self.per_soort[soort]
        return kandidaten[volgnummer % len(kandidaten)]

    def deelnemers(
        self, sjabloon: cat.ProjectSjabloon, gemeentecode: str, index: int
    ) -> tuple[Organisatie, list[tuple[Organisatie, str]]]:
        penvoerder = self.kies(sjabloon.penvoerder, gemeentecode, index)
        partners = [
            (self.kies(soort, gemeentecode, index + n + 1), rol)
            for n, (soort, rol) in enumerate(sjabloon.partners)
        ]
        # The municipality receives the SPUK grant and always takes part.
        partners.append((self.gemeente[gemeentecode], Projectpartner.Rol.MEDEFINANCIER))
        return penvoerder, partners


@dataclass
class Plan:
    """What one intervention will look like, decided before anything is written."""

    index: int
    code: str
    thema: str
    extra_thema: str | None
    sjabloon: cat.ProjectSjabloon
    gebied: cat.Gebied
    focusgebieden: list[Focusgebied]
    startdatum: date
    einddatum: date
    status: str
    frequentie: str
    gegevens_tot: date | None  # the last day partners have reported on
    stopdatum: date | None = None
    discipline: int = 0
    rng: random.Random = field(default_factory=random.Random)


def plannen(kader: Kader) -> list[Plan]:
    eerste = [t.code for t in cat.themas() if cat.STARTJAAR in t.jaren]
    tweede = [t.code for t in cat.themas() if min(t.jaren) == 2026]
    per_gemeente: dict[str, list[Focusgebied]] = defaultdict(list)
    for gebied, focusgebied in kader.gebieden:
        per_gemeente[gebied.gemeentecode].append(focusgebied)
    plannen = []
    for i in range(AANTAL_PROJECTEN):
        rng = random.Random(f"{SEED}-{i}")
        gebied, focusgebied = kader.gebieden[i % len(kader.gebieden)]
        if i < 36:
            thema, sjabloonnummer = eerste[i % len(eerste)], (i // len(eerste)) % 2
            startdatum = date(2023 if i < 20 else 2024, 1 + 3 * (i % 4), 1)
            einddatum = date(2026 + i % 3, 12, 31) if i < 20 else date(2027 + i % 2, 12, 31)
            extra = eerste[(i + 2) % len(eerste)] if i % 4 == 0 else None
        else:
            thema, sjabloonnummer = tweede[i % len(tweede)], (i // len(tweede)) % 2
            startdatum = date(2026, 1, 1)
            einddatum = date(2028, 12, 31)
            extra = None
        status = "lopend"
        if i in AFGEROND:
            status, startdatum, einddatum = "afgerond", date(startdatum.year, 1, 1), AFGEROND[i]
        elif i in NOG_NIET_GESTART:
            status, startdatum = NOG_NIET_GESTART[i]
            einddatum = date(startdatum.year + 3, startdatum.month, 1) - timedelta(days=1)
        frequentie = {2: "halfjaar", 7: "halfjaar", 5: "jaar"}.get(i % 10, "kwartaal")
        stopdatum = None
        if i in GESTOPT:
            status = "gestopt"
            einddatum, stopdatum = GESTOPT[i]
        if status in ("concept", "ingediend", "toegekend"):
            gegevens_tot = None
        else:
            gegevens_tot = min(stopdatum or einddatum, cat.RAPPORTAGEGRENS - timedelta(days=1))
        focusgebieden = [focusgebied]
        if len(per_gemeente[gebied.gemeentecode]) > 1 and i % 3 == 0:
            focusgebieden = per_gemeente[gebied.gemeentecode]
        plannen.append(
            Plan(
                index=i,
                code=f"nplv-{i + 1:03d}",
                thema=thema,
                extra_thema=extra,
                sjabloon=cat.PROJECTEN[thema][sjabloonnummer],
                gebied=gebied,
                focusgebieden=focusgebieden,
                startdatum=startdatum,
                einddatum=einddatum,
                status=status,
                frequentie=frequentie,
                gegevens_tot=gegevens_tot,
                stopdatum=stopdatum,
                discipline=i % 5,
                rng=rng,
            )
        )
    return plannen


class Bouwer:
    """Builds the interventions of one programme through the services."""

    def __init__(
        self,
        *,
        kader: Kader,
        partners: list[Organisatie],
        ministerie: Organisatie,
        partnergebruikers: dict[int, User],
        manager: User,
    ) -> None:
        self.kader = kader
        self.ministerie = ministerie
        self.keuze = Partnerkeuze(partners)
        self.gemeente = self.keuze.gemeente
        self.partnergebruikers = partnergebruikers
        self.beoordelaar = Actor(gebruiker=manager, namens="demo")

    def alles(self) -> None:
        for plan in plannen(self.kader):
            self.project(plan)
        self.overhevelen()

    def project(self, plan: Plan) -> None:
        sjabloon = plan.sjabloon
        penvoerder, partners = self.keuze.deelnemers(sjabloon, plan.gebied.gemeentecode, plan.index)
        themas = [self.kader.themas[plan.thema]]
        if plan.extra_thema:
            themas.append(self.kader.themas[plan.extra_thema])
        project = project_aanmaken(
            actor=SYSTEEM,
            programma=self.kader.programma,
            code=plan.code,
            titel=f"{sjabloon.titel} – {plan.gebied.naam}",
            omschrijving=sjabloon.omschrijving,
            penvoerder=penvoerder,
            startdatum=plan.startdatum,
            einddatum=plan.einddatum,
            themas=themas,
            focusgebieden=plan.focusgebieden,
            partners=partners,
            rapportagefrequentie=plan.frequentie,
        )
        for status in STATUSPAD[
            "lopend" if plan.status in ("afgerond", "gestopt") else plan.status
        ]:
            project = project_status_wijzigen(actor=SYSTEEM, project=project, status=status)

        indicatoren = self.resultatenkader(project, plan)
        beschikking = self.beschikking(project, plan, penvoerder)
        tranches = self.tranches(beschikking, plan)
        begroting = self.begroting(project, plan, beschikking.bedrag)
        if plan.gegevens_tot is None:
            return
        indiener = Actor(gebruiker=self.partnergebruikers[penvoerder.pk], namens="demo")
        afsluiten = plan.status in ("afgerond", "gestopt")
        self.metingen(project, plan, indicatoren, indiener, penvoerder, alles_beoordelen=afsluiten)
        self.bestedingen(
            project, plan, beschikking, begroting, indiener, penvoerder, alles_beoordelen=afsluiten
        )
        self.verslagen(project, plan, indiener, penvoerder, alles_beoordelen=afsluiten)
        self.tranches_afhandelen(project, tranches, indicatoren)
        if plan.status == "gestopt" and plan.stopdatum:
            # The budget of the last year is revised down, and bringing the end date
            # forward drops the obligations after the stop.
            for (jaar, soort), bedrag in begroting.items():
                if jaar == plan.stopdatum.year:
                    begrotingsregel_vastleggen(
                        actor=SYSTEEM,
                        project=project,
                        jaar=jaar,
                        kostensoort=soort,
                        bedrag=(bedrag / 2).quantize(Decimal("1")),
                        toelichting=f"Herziening: project gestopt per {plan.stopdatum:%d-%m-%Y}.",
                    )
            project = project_wijzigen(actor=SYSTEEM, project=project, einddatum=plan.stopdatum)
        if afsluiten:
            project_status_wijzigen(actor=SYSTEEM, project=project, status=plan.status)
            aandeel = Decimal("0.97") if plan.status == "afgerond" else Decimal("0.55")
            beschikking_status_wijzigen(
                actor=SYSTEEM,
                beschikking=beschikking,
                status=Beschikking.Status.VASTGESTELD,
                datum=(plan.stopdatum or plan.einddatum) + timedelta(days=120),
                bedrag_vastgesteld=(beschikking.bedrag * aandeel).quantize(CENT),
            )

    # --- results framework ---

    def resultatenkader(
        self, project: Project, plan: Plan
    ) -> list[tuple[Indicator, cat.IndicatorSjabloon]]:
        indicatoren = []
        for titel, sleutels in plan.sjabloon.doelen:
            doel = doel_aanmaken(actor=SYSTEEM, project=project, titel=titel)
            for sleutel in sleutels:
                s = cat.INDICATOREN[sleutel]
                basis = (
                    None
                    if s.aggregatie == "som" and not s.cumulatief
                    else (0.0 if s.cumulatief else s.laag)
                )
                indicator = indicator_aanmaken(
                    actor=SYSTEEM,
                    doel=doel,
                    naam=s.naam,
                    eenheid=s.eenheid,
                    richting=s.richting,
                    cumulatief=s.cumulatief,
                    aggregatie=s.aggregatie,
                    basiswaarde=None if basis is None else _getal(basis, s.decimalen),
                    basisjaar=None if basis is None else plan.startdatum.year - 1,
                    programma_indicator=self.kader.indicatoren.get(s.programma_indicator or ""),
                    streefwaarden=_streefwaarden(s, plan),
                )
                indicatoren.append((indicator, s))
        return indicatoren

    def metingen(
        self,
        project: Project,
        plan: Plan,
        indicatoren: Sequence[tuple[Indicator, cat.IndicatorSjabloon]],
        indiener: Actor,
        organisatie: Organisatie,
        *,
        alles_beoordelen: bool,
    ) -> None:
        rng = plan.rng
        perioden = _gerapporteerde_perioden(plan)
        standen = [0.0] * len(indicatoren)
        for nummer, periode in enumerate(perioden):
            laatste = nummer == len(perioden) - 1
            items = []
            for n, (indicator, s) in enumerate(indicatoren):
                waarde = _periodewaarde(s, plan, periode, rng)
                if s.cumulatief:
                    standen[n] += waarde
                    waarde = standen[n]
                if not laatste and rng.random() < 0.03:
                    continue  # a figure that never came in
                item = {
                    "indicator": indicator,
                    "periode": periode.code,
                    "waarde": _getal(waarde, s.decimalen),
                    "bron": s.bron,
                }
                if rng.random() < 0.15:
                    item["toelichting"] = rng.choice(cat.AFWIJKING_TOELICHTINGEN)
                if s.uitsplitsing and not s.cumulatief:
                    item["uitsplitsing"] = _uitsplitsing(s.uitsplitsing, int(waarde), rng)
                items.append(item)
            for meting in metingen_indienen(actor=indiener, items=items, organisatie=organisatie):
                self.beoordelen(
                    meting,
                    laatste=laatste,
                    alles=alles_beoordelen,
                    rng=rng,
                    beoordeel=lambda obj, besluit, toelichting: meting_beoordelen(
                        actor=self.beoordelaar,
                        meting=obj,
                        besluit=besluit,
                        toelichting=toelichting,
                        nawerk=False,  # demo history: no e-mails, no tranche releases
                    ),
                    corrigeer=lambda obj: meting_corrigeren(
                        actor=indiener,
                        meting=obj,
                        organisatie=organisatie,
                        versie=obj.versie,
                        bron=f"{obj.bron} (nagekeken)",
                        toelichting="Aangevuld na terugsturen: bron en verklaring van het verschil.",
                    ),
                )

    def beoordelen(
        self,
        obj: B,
        *,
        laatste: bool,
        alles: bool,
        rng: random.Random,
        beoordeel: Callable[[B, str, str], B],
        corrigeer: Callable[[B], B],
    ) -> None:
        """Review a submission as a programme office does: the newest period is still
        waiting, most older ones are approved, a few are returned with a comment and some
        of those corrected by the partner."""
        if laatste and not alles:
            return
        kans = rng.random()
        if alles or kans >= 0.12:
            beoordeel(obj, Beoordeling.GOEDGEKEURD, "")
            return
        teruggestuurd = beoordeel(
            obj, Beoordeling.TERUGGESTUURD, rng.choice(cat.TERUGSTUUR_REDENEN)
        )
        if kans < 0.05:
            return
        gecorrigeerd = corrigeer(teruggestuurd)
        if kans < 0.09:
            beoordeel(gecorrigeerd, Beoordeling.GOEDGEKEURD, "")

    # --- money ---

    def beschikking(self, project: Project, plan: Plan, penvoerder: Organisatie) -> Beschikking:
        rng = plan.rng
        bedrag = Decimal(rng.randrange(180, 1250) * 1000)
        if penvoerder.soort == Organisatie.Soort.GEMEENTE:
            financier, regeling = self.ministerie, cat.REGELING
            kenmerk = f"SPUK-KW-{plan.startdatum.year}-{plan.index + 1:04d}"
        else:
            financier = self.gemeente[plan.gebied.gemeentecode]
            regeling = f"Subsidieregeling Kansrijke Wijk {plan.gebied.gemeente} ({cat.REGELING})"
            kenmerk = f"{plan.gebied.gemeentecode}-SUB-{plan.startdatum.year}-{plan.index + 1:04d}"
        verleend = plan.status not in ("concept", "ingediend")
        return beschikking_aanmaken(
            actor=SYSTEEM,
            project=project,
            financier=financier,
            regeling=regeling,
            kenmerk=kenmerk,
            bedrag=bedrag,
            thema=self.kader.themas[plan.thema],
            datum=plan.startdatum - timedelta(days=45) if verleend else None,
            status=Beschikking.Status.VERLEEND if verleend else Beschikking.Status.AANGEVRAAGD,
        )

    def tranches(self, beschikking: Beschikking, plan: Plan) -> list[Tranche]:
        aantal = 2 + plan.index % 3
        eerste = (beschikking.bedrag * Decimal("0.4")).quantize(CENT)
        rest = beschikking.bedrag - eerste
        volgende = (rest / (aantal - 1)).quantize(CENT)
        bedragen = [eerste] + [volgende] * (aantal - 2) + [rest - volgende * (aantal - 2)]
        rapportageperioden = perioden_tussen(plan.startdatum, plan.einddatum, plan.frequentie)
        tranches = []
        for n, bedrag in enumerate(bedragen):
            gepland = plan.startdatum if n == 0 else _plus_maanden(plan.startdatum, 12 * n)
            voorwaarde, voorwaarde_periode = Tranche.Voorwaarde.GEEN, ""
            voorafgaand = [p for p in rapportageperioden if p.einde < gepland - timedelta(days=30)]
            if n > 0 and voorafgaand:
                voorwaarde = (
                    Tranche.Voorwaarde.VERSLAG_GOEDGEKEURD
                    if n % 2
                    else Tranche.Voorwaarde.METINGEN_GOEDGEKEURD
                )
                voorwaarde_periode = voorafgaand[-1].code
            tranches.append(
                tranche_aanmaken(
                    actor=SYSTEEM,
                    beschikking=beschikking,
                    geplande_datum=gepland,
                    bedrag=bedrag,
                    voorwaarde=voorwaarde,
                    voorwaarde_periode=voorwaarde_periode,
                )
            )
        return tranches

    def tranches_afhandelen(
        self,
        project: Project,
        tranches: list[Tranche],
        indicatoren: Sequence[tuple[Indicator, object]],
    ) -> None:
        """Release a tranche whose condition is met and pay it a fortnight after its date,
        except the most recent ones, which wait for payment; a tranche whose condition is
        not met stays planned, which the reports flag."""
        for tranche in tranches:
            if tranche.geplande_datum >= cat.PEILDATUM:
                continue
            if tranche.voorwaarde == Tranche.Voorwaarde.VERSLAG_GOEDGEKEURD:
                vervuld = Voortgangsverslag.objects.filter(
                    project=project,
                    periode=tranche.voorwaarde_periode,
                    status=Beoordeling.GOEDGEKEURD,
                ).exists()
                reden = f"Voortgangsverslag {tranche.voorwaarde_periode} goedgekeurd."
            elif tranche.voorwaarde == Tranche.Voorwaarde.METINGEN_GOEDGEKEURD:
                goedgekeurd = Meting.objects.filter(
                    indicator__in=[i for i, _ in indicatoren],
                    periode=tranche.voorwaarde_periode,
                    status=Beoordeling.GOEDGEKEURD,
                ).count()
                vervuld = goedgekeurd == len(indicatoren)
                reden = f"Alle metingen over {tranche.voorwaarde_periode} goedgekeurd."
            else:
                vervuld, reden = True, "Voorschot bij verlening."
            if not vervuld:
                continue
            tranche = tranche_vrijgeven(actor=SYSTEEM, tranche=tranche, reden=reden)
            betaaldatum = tranche.geplande_datum + timedelta(days=14)
            if betaaldatum < cat.PEILDATUM - timedelta(days=150):
                tranche_betalen(actor=SYSTEEM, tranche=tranche, betaald_op=betaaldatum)

    def begroting(
        self, project: Project, plan: Plan, totaal: Decimal
    ) -> dict[tuple[int, str], Decimal]:
        """Budget lines per year and cost category adding up to the grant; some lines are
        revised later (a version 2 that replaces, not adds to, version 1)."""
        soorten = [
            Kostensoort.PERSONEEL,
            Kostensoort.ACTIVITEITEN,
            Kostensoort.ORGANISATIE,
            Kostensoort.MATERIEEL,
        ]
        soorten = soorten[: 2 + plan.index % 3]
        aandelen = [Decimal("0.55"), Decimal("0.30"), Decimal("0.10"), Decimal("0.05")][
            : len(soorten)
        ]
        maanden = {
            jaar: sum(
                1
                for m in range(1, 13)
                if plan.startdatum <= date(jaar, m, 28) and date(jaar, m, 1) <= plan.einddatum
            )
            for jaar in range(plan.startdatum.year, plan.einddatum.year + 1)
        }
        alle_maanden = sum(maanden.values())
        begroting: dict[tuple[int, str], Decimal] = {}
        for jaar, n in maanden.items():
            for soort, aandeel in zip(soorten, aandelen, strict=True):
                bedrag = (totaal * aandeel / sum(aandelen) * n / alle_maanden).quantize(
                    Decimal("1")
                )
                begrotingsregel_vastleggen(
                    actor=SYSTEEM, project=project, jaar=jaar, kostensoort=soort, bedrag=bedrag
                )
                begroting[(jaar, soort)] = bedrag
        herzieningen = []
        if plan.index % 4 == 1 and (2025, Kostensoort.PERSONEEL) in begroting:
            herzieningen.append(
                (2025, Kostensoort.PERSONEEL, Decimal("0.90"), "Vacature later ingevuld.")
            )
        if plan.index % 8 == 1 and (2026, Kostensoort.ACTIVITEITEN) in begroting:
            herzieningen.append(
                (
                    2026,
                    Kostensoort.ACTIVITEITEN,
                    Decimal("1.08"),
                    "Extra activiteiten na evaluatie.",
                )
            )
        for jaar, soort, factor, toelichting in herzieningen:
            bedrag = (begroting[(jaar, soort)] * factor).quantize(Decimal("1"))
            begrotingsregel_vastleggen(
                actor=SYSTEEM,
                project=project,
                jaar=jaar,
                kostensoort=soort,
                bedrag=bedrag,
                toelichting=f"Herziening: {toelichting}",
            )
            begroting[(jaar, soort)] = bedrag
        return begroting

    def bestedingen(
        self,
        project: Project,
        plan: Plan,
        beschikking: Beschikking,
        begroting: dict[tuple[int, str], Decimal],
        indiener: Actor,
        organisatie: Organisatie,
        *,
        alles_beoordelen: bool,
    ) -> None:
        rng = plan.rng
        assert plan.gegevens_tot is not None
        kwartalen = perioden_tussen(plan.startdatum, plan.gegevens_tot, "kwartaal")
        kwartalen = [k for k in kwartalen if k.einde <= plan.gegevens_tot]
        for nummer, kwartaal in enumerate(kwartalen):
            soorten = [s for (jaar, s) in begroting if jaar == kwartaal.jaar]
            for soort in soorten[: 1 + rng.randrange(2)]:
                bedrag = (
                    begroting[(kwartaal.jaar, soort)] / 4 * Decimal(rng.uniform(0.6, 1.15))
                ).quantize(CENT)
                besteding = besteding_indienen(
                    actor=indiener,
                    project=project,
                    periode=kwartaal.code,
                    kostensoort=soort,
                    bedrag=bedrag,
                    omschrijving=f"{Kostensoort(soort).label} {kwartaal.code}",
                    beschikking=beschikking,
                    organisatie=organisatie,
                )
                self.beoordelen(
                    besteding,
                    laatste=nummer == len(kwartalen) - 1,
                    alles=alles_beoordelen,
                    rng=rng,
                    beoordeel=lambda obj, besluit, toelichting: besteding_beoordelen(
                        actor=self.beoordelaar,
                        besteding=obj,
                        besluit=besluit,
                        toelichting=toelichting,
                        nawerk=False,
                    ),
                    corrigeer=lambda obj: besteding_corrigeren(
                        actor=indiener,
                        besteding=obj,
                        organisatie=organisatie,
                        versie=obj.versie,
                        omschrijving=f"{obj.omschrijving} (gespecificeerd)",
                    ),
                )

    def verslagen(
        self,
        project: Project,
        plan: Plan,
        indiener: Actor,
        organisatie: Organisatie,
        *,
        alles_beoordelen: bool,
    ) -> None:
        """Progress narratives. Some partners report every period; some are two periods
        behind and some skip a period now and then, which leaves overdue obligations."""
        rng = plan.rng
        perioden = _gerapporteerde_perioden(plan)
        if plan.discipline == 3 and not alles_beoordelen:
            perioden = perioden[:-2]
        for nummer, periode in enumerate(perioden):
            if plan.discipline == 4 and not alles_beoordelen and rng.random() < 0.35:
                continue
            verslag = voortgangsverslag_indienen(
                actor=indiener,
                project=project,
                periode=periode.code,
                samenvatting=rng.choice(cat.VERSLAG_SAMENVATTINGEN),
                risicos=rng.choice(cat.VERSLAG_RISICOS),
                afwijkingen=rng.choice(cat.AFWIJKING_TOELICHTINGEN) if rng.random() < 0.4 else "",
                organisatie=organisatie,
            )
            self.beoordelen(
                verslag,
                laatste=nummer == len(perioden) - 1,
                alles=alles_beoordelen,
                rng=rng,
                beoordeel=lambda obj, besluit, toelichting: voortgangsverslag_beoordelen(
                    actor=self.beoordelaar,
                    verslag=obj,
                    besluit=besluit,
                    toelichting=toelichting,
                    nawerk=False,
                ),
                corrigeer=lambda obj: voortgangsverslag_corrigeren(
                    actor=indiener,
                    verslag=obj,
                    organisatie=organisatie,
                    versie=obj.versie,
                    afwijkingen="Aangevuld met de verklaring van de verschillen met de streefwaarden.",
                ),
            )

    def overhevelen(self) -> None:
        """Carry part of the unspent 2023 and 2024 budget of two themes into the next year."""
        programma = self.kader.programma
        for code, jaar in (("armoede-en-schulden", 2023), ("gezonde-leefomgeving", 2024)):
            envelop = Budgetenvelop.objects.get(programma=programma, thema__code=code, jaar=jaar)
            onbesteed = envelop.beschikbaar - besteed_per_thema(programma, jaar, envelop.thema)
            budget_overhevelen(
                actor=SYSTEEM,
                envelop=envelop,
                bedrag=(onbesteed * Decimal("0.3")).quantize(Decimal("1")),
            )


# --- figures -----------------------------------------------------------------------------


def _getal(waarde: float, decimalen: int) -> Decimal:
    return Decimal(f"{waarde:.{decimalen}f}")


def _plus_maanden(dag: date, maanden: int) -> date:
    jaar, maand = divmod(dag.month - 1 + maanden, 12)
    return date(dag.year + jaar, maand + 1, 1)


def _gerapporteerde_perioden(plan: Plan) -> list[Periode]:
    if plan.gegevens_tot is None:
        return []
    return [
        p
        for p in perioden_tussen(plan.startdatum, plan.gegevens_tot, plan.frequentie)
        if p.einde <= plan.gegevens_tot
    ]


def _voortgang(plan: Plan, dag: date) -> float:
    """How far an intervention is along, from 0.15 at the start to 1 at the end: figures
    move from ``laag`` to ``hoog`` over that course."""
    duur = max((plan.einddatum - plan.startdatum).days, 365)
    return 0.15 + 0.85 * min(1.0, max(0.0, (dag - plan.startdatum).days / duur))


def _niveau(s: cat.IndicatorSjabloon, voortgang: float, kwartalen: float) -> float:
    niveau = s.laag + (s.hoog - s.laag) * voortgang
    if s.aggregatie == "som" or s.cumulatief:
        niveau *= kwartalen  # volumes grow with the length of the period
    return niveau


def _begrens(s: cat.IndicatorSjabloon, waarde: float) -> float:
    if s.eenheid == "percentage":
        return min(100.0, max(0.0, waarde))
    if s.eenheid == "score":
        return min(10.0, max(1.0, waarde))
    return max(0.0, waarde)


def _periodewaarde(
    s: cat.IndicatorSjabloon, plan: Plan, periode: Periode, rng: random.Random
) -> float:
    kwartalen = ((periode.einde - periode.start).days + 1) / 91.3
    niveau = _niveau(s, _voortgang(plan, periode.einde), kwartalen) * rng.uniform(0.82, 1.18)
    return round(_begrens(s, niveau), s.decimalen)


def _streefwaarden(s: cat.IndicatorSjabloon, plan: Plan) -> dict[str, Decimal]:
    """Yearly targets for the first years of the intervention: the expected course,
    slightly more ambitious."""
    ambitie = 1.05 if s.richting == "hoger" else 0.95
    doelen = {}
    stand = 0.0
    for jaar in range(plan.startdatum.year, min(plan.einddatum.year, plan.startdatum.year + 3) + 1):
        kwartalen = [
            k
            for k in perioden_tussen(date(jaar, 1, 1), date(jaar, 12, 31), "kwartaal")
            if plan.startdatum <= k.einde and k.start <= plan.einddatum
        ]
        if not kwartalen:
            continue
        niveaus = [_niveau(s, _voortgang(plan, k.einde), 1.0) for k in kwartalen]
        if s.cumulatief:
            stand += sum(niveaus)
            waarde = stand * ambitie
        elif s.aggregatie == "som":
            waarde = sum(niveaus) * ambitie
        else:
            waarde = niveaus[-1] * ambitie
        doelen[str(jaar)] = _getal(_begrens(s, waarde), s.decimalen)
    return doelen


def _uitsplitsing(categorieen: tuple[str, ...], totaal: int, rng: random.Random) -> dict[str, int]:
    delen = [rng.random() + 0.2 for _ in categorieen]
    verdeeld = [int(totaal * d / sum(delen)) for d in delen]
    verdeeld[-1] = totaal - sum(verdeeld[:-1])
    return dict(zip(categorieen, verdeeld, strict=True))


def opbouwen(
    *, ministerie: Organisatie, partners: list[Organisatie], gebruikers: Gebruikers
) -> Programma:
    """Build the whole programme; the partner users submit and the manager reviews."""
    kader = programma_opbouwen(ministerie)
    Bouwer(
        kader=kader,
        partners=partners,
        ministerie=ministerie,
        partnergebruikers=gebruikers.partners,
        manager=gebruikers.manager,
    ).alles()
    return kader.programma
