"""A large portfolio for benchmarks: programme ``nplv-schaal-N`` with 50×N interventions,
each with 20 indicators measured monthly from 2018 on (about 100,000×N measurements).

Built with ``bulk_create`` instead of the services: a million measurements through
``meting_indienen`` would take hours. The rows are valid by construction (values fit
their unit, periods lie inside the project, projects inside the programme, at most one
measurement per indicator and period); a random sample passes ``full_clean``.
"""

import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import OutputWrapper
from django.db import models, transaction
from django.utils import timezone

from programma.audit import Actor, registreer
from programma.models import (
    Budgetenvelop,
    Focusgebied,
    Gebiedscode,
    Organisatie,
    Programma,
    Programmadoel,
    Programmaindicator,
    Programmastreefwaarde,
    Thema,
)
from programma.perioden import Periode, perioden_tussen
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
    Rapportageverplichting,
    Streefwaarde,
    Tranche,
    Voortgangsverslag,
)
from rapportage.demo import catalogus as cat
from rapportage.demo.nplv import Partnerkeuze
from rapportage.demo.toegang import Gebruikers

STARTJAAR, EINDJAAR = 2018, 2026
PROJECTEN_PER_SCHAAL = 50
PROJECTEN_PER_PORTIE = 10
BATCH = 5000
CENT = Decimal("0.01")
# The 20 indicator templates, five to a goal.
DOELEN = (
    "Grip op geld en perspectief voor jongeren",
    "Werk, veiligheid en school",
    "Een kansrijke start in een gezonde wijk",
    "Samenhang en financiële educatie",
)
GOEDGEKEURD, INGEDIEND, TERUGGESTUURD = (
    Beoordeling.GOEDGEKEURD,
    Beoordeling.INGEDIEND,
    Beoordeling.TERUGGESTUURD,
)


def programmacode(n: int) -> str:
    return f"{cat.PROGRAMMA_CODE}-schaal-{n}"


@dataclass
class Omgeving:
    programma: Programma
    themas: list[Thema]
    gebieden: list[tuple[cat.Gebied, Focusgebied]]
    indicatoren: dict[str, Programmaindicator]
    keuze: Partnerkeuze
    ministerie: Organisatie
    partnergebruikers: dict[int, int]  # organisation id -> user id
    manager_id: int
    nu: datetime
    vandaag: date


class Teller(Counter[str]):
    def bulk(self, model: type[models.Model], objecten: list[Any]) -> list[Any]:
        aangemaakt = model._default_manager.bulk_create(objecten, batch_size=BATCH)
        self[model._meta.label_lower] += len(aangemaakt)
        return aangemaakt


def opbouwen(
    *,
    n: int,
    ministerie: Organisatie,
    partners: list[Organisatie],
    gebruikers: Gebruikers,
    uitvoer: OutputWrapper,
) -> Programma | None:
    """Build programme ``nplv-schaal-N`` unless it exists. Returns it, or None if it was there."""
    code = programmacode(n)
    if Programma.objects.filter(code=code).exists():
        uitvoer.write(f"Programma '{code}' bestaat al; niet opnieuw opgebouwd.\n")
        return None
    begin, begin_cpu = time.perf_counter(), time.process_time()
    teller = Teller()
    # One transaction for the whole build: a half-built benchmark programme would pass
    # the "already exists" test and spoil every benchmark after it. SQLite keeps the
    # uncommitted pages in its WAL file, not in memory, so this stays lean.
    with transaction.atomic():
        omgeving = _kader(n, ministerie, partners, gebruikers, teller)
        aantal = PROJECTEN_PER_SCHAAL * n
        for eerste in range(0, aantal, PROJECTEN_PER_PORTIE):
            _portie(omgeving, n, range(eerste, min(eerste + PROJECTEN_PER_PORTIE, aantal)), teller)
            if (eerste + PROJECTEN_PER_PORTIE) % 100 == 0:
                uitvoer.write(
                    f"  {eerste + PROJECTEN_PER_PORTIE}/{aantal} projecten, {teller['projecten.meting']} metingen, "
                    f"{time.perf_counter() - begin:.0f} s\n"
                )
                uitvoer.flush()
        # The services write one audit row per object. For a generated benchmark
        # portfolio a million rows of audit would only measure the audit table, so the
        # build is recorded as one action with its counts, in the same transaction.
        registreer(
            actor=Actor.systeem("demo"),
            actie="demo_schaal_opbouwen",
            obj=omgeving.programma,
            na={"schaal": n, "aantallen": dict(sorted(teller.items()))},
        )
    duur, cpu = time.perf_counter() - begin, time.process_time() - begin_cpu
    uitvoer.write(
        f"Programma '{code}' opgebouwd: {teller['projecten.project']} projecten, "
        f"{teller['projecten.meting']} metingen in {duur:.1f} s, {cpu:.1f} s CPU "
        f"({duur / max(teller['projecten.meting'], 1) * 1e6:.1f} µs per meting).\n"
    )
    return omgeving.programma


def _kader(
    n: int,
    ministerie: Organisatie,
    partners: list[Organisatie],
    gebruikers: Gebruikers,
    teller: Teller,
) -> Omgeving:
    programma = Programma(
        code=programmacode(n),
        naam=f"{cat.PROGRAMMA_NAAM} (schaaltest ×{n})",
        regeling=cat.REGELING,
        opdrachtgever=ministerie,
        startjaar=STARTJAAR,
        eindjaar=EINDJAAR,
    )
    programma.full_clean()
    programma.save()
    teller["programma.programma"] += 1
    themas = teller.bulk(
        Thema, [Thema(programma=programma, code=t.code, naam=t.naam) for t in cat.themas()]
    )
    focusgebieden = teller.bulk(
        Focusgebied,
        [
            Focusgebied(
                programma=programma,
                code=g.code,
                naam=g.naam,
                gemeente=g.gemeente,
                gemeentecode=g.gemeentecode,
            )
            for g in cat.focusgebieden()
        ],
    )
    teller.bulk(
        Gebiedscode,
        [
            Gebiedscode(focusgebied=f, code=code, peiljaar=peiljaar)
            for i, (g, f) in enumerate(zip(cat.focusgebieden(), focusgebieden, strict=True))
            for code, peiljaar in cat.gebiedscodes(i, g)
        ],
    )
    jaren = range(STARTJAAR, EINDJAAR + 1)
    teller.bulk(
        Budgetenvelop,
        [
            Budgetenvelop(programma=programma, thema=t, jaar=j, bedrag=Decimal(2_000_000 * n))
            for t in themas
            for j in jaren
        ],
    )
    doel = Programmadoel(
        programma=programma,
        titel="Leefbaarheid en veiligheid op het niveau van een gemiddelde wijk",
    )
    doel.save()
    teller["programma.programmadoel"] += 1
    indicatoren = {
        rij.code: Programmaindicator(
            programma=programma,
            doel=doel,
            code=rij.code,
            naam=rij.naam,
            eenheid=rij.eenheid,
            richting=rij.richting,
            cumulatief=rij.cumulatief,
            aggregatie=rij.aggregatie,
            basiswaarde=Decimal(rij.basiswaarde) if rij.basiswaarde is not None else None,
            basisjaar=STARTJAAR - 1 if rij.basiswaarde is not None else None,
        )
        for rij in cat.PROGRAMMAINDICATOREN
    }
    for indicator in indicatoren.values():
        indicator.full_clean()
    teller.bulk(Programmaindicator, list(indicatoren.values()))
    teller.bulk(
        Programmastreefwaarde,
        [
            Programmastreefwaarde(
                indicator=indicatoren[rij.code],
                jaar=j,
                waarde=Decimal(
                    f"{rij.start * n + (rij.eind - rij.start) * n * (j - STARTJAAR) / 8:.{rij.decimalen}f}"
                )
                if rij.aggregatie == "som" or rij.cumulatief
                else Decimal(
                    f"{rij.start + (rij.eind - rij.start) * (j - STARTJAAR) / 8:.{rij.decimalen}f}"
                ),
            )
            for rij in cat.PROGRAMMAINDICATOREN
            for j in jaren
        ],
    )
    return Omgeving(
        programma=programma,
        themas=themas,
        gebieden=list(zip(cat.focusgebieden(), focusgebieden, strict=True)),
        indicatoren=indicatoren,
        keuze=Partnerkeuze(partners),
        ministerie=ministerie,
        partnergebruikers={org_id: g.pk for org_id, g in gebruikers.partners.items()},
        manager_id=gebruikers.manager.pk,
        nu=timezone.now(),
        vandaag=timezone.localdate(),
    )


@dataclass
class Opzet:
    """One generated intervention, with what its children need to know."""

    project: Project
    rng: random.Random
    thema: Thema
    gemeente: Organisatie
    penvoerder: Organisatie
    indiener_id: int
    maanden: list[Periode]
    kwartalen: list[Periode]


def _portie(omgeving: Omgeving, n: int, indexen: range, teller: Teller) -> None:
    """Generate and insert a handful of interventions with everything under them; only
    one portion's objects are alive at a time."""
    opzetten: list[Opzet] = []
    doorsnede: list[tuple[Project, Thema, Focusgebied, list[tuple[Organisatie, str]]]] = []
    for i in indexen:
        rng = random.Random(f"schaal-{n}-{i}")
        gebied, focusgebied = omgeving.gebieden[i % len(omgeving.gebieden)]
        thema = omgeving.themas[i % len(omgeving.themas)]
        sjablonen = cat.PROJECTEN[thema.code]
        sjabloon = sjablonen[(i // len(omgeving.themas)) % len(sjablonen)]
        penvoerder, partners = omgeving.keuze.deelnemers(sjabloon, gebied.gemeentecode, i)
        startdatum = date(STARTJAAR, 1 + i % 4, 1)
        project = Project(
            programma=omgeving.programma,
            code=f"s{n}-{i + 1:05d}",
            titel=f"{sjabloon.titel} – {gebied.naam}",
            omschrijving=sjabloon.omschrijving,
            penvoerder=penvoerder,
            startdatum=startdatum,
            einddatum=date(EINDJAAR, 12, 31),
            status=Project.Status.LOPEND,
        )
        grens = cat.RAPPORTAGEGRENS - timedelta(days=1)
        opzetten.append(
            Opzet(
                project=project,
                rng=rng,
                thema=thema,
                gemeente=omgeving.keuze.gemeente[gebied.gemeentecode],
                penvoerder=penvoerder,
                indiener_id=omgeving.partnergebruikers[penvoerder.pk],
                maanden=[
                    p for p in perioden_tussen(startdatum, grens, "maand") if p.einde <= grens
                ],
                kwartalen=[
                    p for p in perioden_tussen(startdatum, grens, "kwartaal") if p.einde <= grens
                ],
            )
        )
        doorsnede.append(
            (project, thema, focusgebied, [(penvoerder, Projectpartner.Rol.PENVOERDER), *partners])
        )
    teller.bulk(Project, [o.project for o in opzetten])

    teller.bulk(
        Project.themas.through,
        [Project.themas.through(project=p, thema=t) for p, t, _, _ in doorsnede],
    )
    teller.bulk(
        Project.focusgebieden.through,
        [Project.focusgebieden.through(project=p, focusgebied=f) for p, _, f, _ in doorsnede],
    )
    projectpartners = []
    for project, _, _, deelnemers in doorsnede:
        gezien: set[int] = set()
        for organisatie, rol in deelnemers:
            if organisatie.pk not in gezien:
                gezien.add(organisatie.pk)
                projectpartners.append(
                    Projectpartner(project=project, organisatie=organisatie, rol=rol)
                )
    teller.bulk(Projectpartner, projectpartners)

    doelen = teller.bulk(
        Doel, [Doel(project=o.project, titel=titel) for o in opzetten for titel in DOELEN]
    )
    sleutels = list(cat.INDICATOREN)
    per_doel = len(sleutels) // len(DOELEN)
    indicatoren = teller.bulk(
        Indicator,
        [
            Indicator(
                doel=doel,
                naam=s.naam,
                eenheid=s.eenheid,
                richting=s.richting,
                cumulatief=s.cumulatief,
                aggregatie=s.aggregatie,
                programma_indicator=omgeving.indicatoren.get(s.programma_indicator or ""),
            )
            for doel_nr, doel in enumerate(doelen)
            for s in (
                cat.INDICATOREN[k]
                for k in sleutels[(doel_nr % len(DOELEN)) * per_doel :][:per_doel]
            )
        ],
    )
    per_project = len(sleutels)
    for nummer, opzet in enumerate(opzetten):
        eigen = indicatoren[nummer * per_project : (nummer + 1) * per_project]
        teller.bulk(Streefwaarde, list(_streefwaarden(opzet, eigen)))
        for batch in _in_batches(_metingen(omgeving, opzet, eigen), BATCH):
            teller.bulk(Meting, batch)
    _geld(omgeving, opzetten, teller)
    _verslagen_en_verplichtingen(omgeving, opzetten, teller)


def _in_batches(objecten: Iterator[Any], grootte: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for obj in objecten:
        batch.append(obj)
        if len(batch) == grootte:
            yield batch
            batch = []
    if batch:
        yield batch


SJABLOON_PER_NAAM = {s.naam: s for s in cat.INDICATOREN.values()}


def _sjabloon(indicator: Indicator) -> cat.IndicatorSjabloon:
    return SJABLOON_PER_NAAM[indicator.naam]


def _streefwaarden(opzet: Opzet, indicatoren: list[Indicator]) -> Iterator[Streefwaarde]:
    for indicator in indicatoren:
        s = _sjabloon(indicator)
        for jaar in range(STARTJAAR, EINDJAAR + 1):
            voortgang = 0.15 + 0.85 * (jaar - STARTJAAR) / (EINDJAAR - STARTJAAR)
            niveau = s.laag + (s.hoog - s.laag) * voortgang
            if s.cumulatief:
                niveau *= 12 * (jaar - STARTJAAR + 1) / 3
            elif s.aggregatie == "som":
                niveau *= 4
            yield Streefwaarde(indicator=indicator, periode=str(jaar), waarde=_begrensd(s, niveau))


def _begrensd(s: cat.IndicatorSjabloon, waarde: float) -> Decimal:
    if s.eenheid == "percentage":
        waarde = min(100.0, max(0.0, waarde))
    elif s.eenheid == "score":
        waarde = min(10.0, max(1.0, waarde))
    else:
        waarde = max(0.0, waarde)
    return Decimal(f"{waarde:.{s.decimalen}f}")


def _status(rng: random.Random, nummer: int, aantal: int) -> str:
    """The newest two periods wait for review; of the older ones most are approved."""
    if nummer >= aantal - 2:
        return INGEDIEND
    kans = rng.random()
    return TERUGGESTUURD if kans < 0.03 else INGEDIEND if kans < 0.05 else GOEDGEKEURD


def _beoordeling(omgeving: Omgeving, status: str, rng: random.Random) -> dict[str, Any]:
    if status == INGEDIEND:
        return {}
    return {
        "beoordeeld_door_id": omgeving.manager_id,
        "beoordeeld_op": omgeving.nu,
        "beoordeling_toelichting": rng.choice(cat.TERUGSTUUR_REDENEN)
        if status == TERUGGESTUURD
        else "",
    }


def _metingen(omgeving: Omgeving, opzet: Opzet, indicatoren: list[Indicator]) -> Iterator[Meting]:
    """Monthly figures per indicator, moving from ``laag`` to ``hoog`` over the years."""
    rng = opzet.rng
    aantal = len(opzet.maanden)
    spanne = max(aantal - 1, 1)
    for indicator in indicatoren:
        s = _sjabloon(indicator)
        volume = s.aggregatie == "som" or s.cumulatief
        stand = 0.0
        for nummer, maand in enumerate(opzet.maanden):
            niveau = (s.laag + (s.hoog - s.laag) * (0.15 + 0.85 * nummer / spanne)) * rng.uniform(
                0.82, 1.18
            )
            if volume:
                niveau /= 3  # the catalogue's ranges are per quarter
            if s.cumulatief:
                stand += niveau
                niveau = stand
            status = _status(rng, nummer, aantal)
            yield Meting(
                indicator_id=indicator.pk,
                periode=maand.code,
                waarde=_begrensd(s, niveau),
                bron=s.bron,
                status=status,
                ingediend_door_id=opzet.indiener_id,
                ingediend_door_organisatie_id=opzet.penvoerder.pk,
                **_beoordeling(omgeving, status, rng),
            )


def _geld(omgeving: Omgeving, opzetten: list[Opzet], teller: Teller) -> None:
    beschikkingen = []
    for opzet in opzetten:
        project = opzet.project
        # The municipality receives the SPUK grant and passes it on to its partners.
        gemeente_zelf = opzet.penvoerder.pk == opzet.gemeente.pk
        beschikkingen.append(
            Beschikking(
                project=project,
                financier=omgeving.ministerie if gemeente_zelf else opzet.gemeente,
                thema=opzet.thema,
                regeling=cat.REGELING,
                kenmerk=f"S{project.code.upper()}",
                datum=date(STARTJAAR - 1, 11, 15),
                bedrag=Decimal(opzet.rng.randrange(400, 2500) * 1000),
                status=Beschikking.Status.VERLEEND,
            )
        )
    teller.bulk(Beschikking, beschikkingen)
    tranches, begroting, bestedingen = [], [], []
    for opzet, beschikking in zip(opzetten, beschikkingen, strict=True):
        rng = opzet.rng
        eerste = (beschikking.bedrag * Decimal("0.4")).quantize(CENT)
        tweede = (beschikking.bedrag * Decimal("0.3")).quantize(CENT)
        for volgnummer, (jaar, bedrag, status) in enumerate(
            [
                (STARTJAAR, eerste, "betaald"),
                (2021, tweede, "betaald"),
                (2024, beschikking.bedrag - eerste - tweede, "vrijgegeven"),
            ],
            start=1,
        ):
            gepland = date(jaar, 1, 1)
            tranches.append(
                Tranche(
                    beschikking=beschikking,
                    volgnummer=volgnummer,
                    geplande_datum=gepland,
                    bedrag=bedrag,
                    status=status,
                    vrijgegeven_op=datetime(jaar, 1, 2, 9, 0, tzinfo=UTC),
                    vrijgave_reden="Volgens plan.",
                    betaald_op=gepland + timedelta(days=14) if status == "betaald" else None,
                )
            )
        per_jaar = beschikking.bedrag / (EINDJAAR - STARTJAAR + 1)
        soorten = (
            (Kostensoort.PERSONEEL, Decimal("0.6")),
            (Kostensoort.ACTIVITEITEN, Decimal("0.3")),
            (Kostensoort.ORGANISATIE, Decimal("0.1")),
        )
        for jaar in range(STARTJAAR, EINDJAAR + 1):
            for soort, aandeel in soorten:
                begroting.append(
                    Begrotingsregel(
                        project=opzet.project,
                        jaar=jaar,
                        kostensoort=soort,
                        bedrag=(per_jaar * aandeel).quantize(CENT),
                    )
                )
        begroting.append(
            Begrotingsregel(
                project=opzet.project,
                jaar=2024,
                kostensoort=Kostensoort.PERSONEEL,
                versie=2,
                bedrag=(per_jaar * Decimal("0.55")).quantize(CENT),
                toelichting="Herziening: vacature later ingevuld.",
            )
        )
        for nummer, kwartaal in enumerate(opzet.kwartalen):
            for soort, aandeel in soorten[:2]:
                status = _status(rng, nummer, len(opzet.kwartalen))
                bestedingen.append(
                    Besteding(
                        project=opzet.project,
                        beschikking=beschikking,
                        periode=kwartaal.code,
                        kostensoort=soort,
                        bedrag=(
                            per_jaar * aandeel / 4 * Decimal(f"{rng.uniform(0.7, 1.2):.3f}")
                        ).quantize(CENT),
                        omschrijving=f"{Kostensoort(soort).label} {kwartaal.code}",
                        status=status,
                        ingediend_door_id=opzet.indiener_id,
                        ingediend_door_organisatie_id=opzet.penvoerder.pk,
                        **_beoordeling(omgeving, status, rng),
                    )
                )
    teller.bulk(Tranche, tranches)
    teller.bulk(Begrotingsregel, begroting)
    teller.bulk(Besteding, bestedingen)


def _verslagen_en_verplichtingen(omgeving: Omgeving, opzetten: list[Opzet], teller: Teller) -> None:
    """Quarterly narratives, with a gap now and then, and the obligations as
    ``verplichtingen_afleiden`` derives them: fulfilled where a narrative came in."""
    verslagen, verplichtingen = [], []
    voortgang, financieel, eind = (
        Rapportageverplichting.Soort.VOORTGANG,
        Rapportageverplichting.Soort.FINANCIEEL,
        Rapportageverplichting.Soort.EIND,
    )
    for opzet in opzetten:
        rng = opzet.rng
        project = opzet.project
        ingediend = set()
        for nummer, kwartaal in enumerate(opzet.kwartalen):
            if rng.random() < 0.08 and nummer < len(opzet.kwartalen) - 1:
                continue
            status = _status(rng, nummer, len(opzet.kwartalen))
            ingediend.add(kwartaal.code)
            verslagen.append(
                Voortgangsverslag(
                    project=project,
                    periode=kwartaal.code,
                    samenvatting=rng.choice(cat.VERSLAG_SAMENVATTINGEN),
                    risicos=rng.choice(cat.VERSLAG_RISICOS),
                    status=status,
                    ingediend_door_id=opzet.indiener_id,
                    ingediend_door_organisatie_id=opzet.penvoerder.pk,
                    **_beoordeling(omgeving, status, rng),
                )
            )
        termijn = timedelta(days=project.rapportagetermijn_dagen)
        gewenst = [
            (voortgang, p.code, p.einde + termijn)
            for p in perioden_tussen(
                project.startdatum, project.einddatum, project.rapportagefrequentie
            )
        ]
        gewenst += [
            (financieel, p.code, date(p.jaar + 1, 4, 1))
            for p in perioden_tussen(project.startdatum, project.einddatum, "jaar")
        ]
        gewenst.append((eind, str(project.einddatum.year), project.einddatum + timedelta(days=90)))
        for soort, periode, deadline in gewenst:
            if soort == voortgang and periode in ingediend:
                status, voldaan_op = Rapportageverplichting.Status.VOLDAAN, omgeving.nu
            else:
                status = (
                    Rapportageverplichting.Status.TE_LAAT
                    if deadline < omgeving.vandaag
                    else Rapportageverplichting.Status.OPEN
                )
                voldaan_op = None
            verplichtingen.append(
                Rapportageverplichting(
                    project=project,
                    soort=soort,
                    periode=periode,
                    deadline=deadline,
                    status=status,
                    voldaan_op=voldaan_op,
                )
            )
    teller.bulk(Voortgangsverslag, verslagen)
    teller.bulk(Rapportageverplichting, verplichtingen)
