"""Frozen view-models of a report, built from its snapshot alone.

The PDF templates render these and nothing else: they never query the database, so a
report is exactly its snapshot. Everything is formatted here (Dutch numbers, money and
dates through :mod:`programma.opmaak`); charts are SVG from :mod:`rapportage.grafieken`,
the module the web pages use too.

Long tables are cut into parts of at most ``RIJEN_PER_DEEL`` rows: each part repeats the
header and fits on a page or two, and the next part says it continues the table.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from programma.opmaak import cel, nl_bedrag, nl_datum
from rapportage import grafieken

RIJEN_PER_DEEL = 40
RECHTS = {"bedrag", "getal", "procent", "jaar"}
# Relative column widths by kind and by a few well-known names. Tables are laid out with
# fixed widths (``table-layout: fixed``): WeasyPrint then skips measuring every cell's
# content, about a third of its time on a large report.
GEWICHT_SOORT = {
    "tekst": 3.0,
    "bedrag": 2.4,
    "getal": 1.6,
    "procent": 1.5,
    "jaar": 1.1,
    "datum": 1.7,
    "ja_nee": 1.3,
}
GEWICHT_NAAM = {
    "code": 2.0,
    "kenmerk": 2.6,
    "interventie": 2.2,
    "status": 1.6,
    "thema": 2.2,
    "eenheid": 1.5,
    "richting": 1.8,
    "periode": 1.3,
    "gebiedscode": 1.8,
    "gemeentecode": 1.6,
    "titel": 4.0,
    "toelichting": 4.5,
    "omschrijving": 5.0,
    "voortgang": 5.0,
    "afwijkingen": 4.0,
    "indicator": 4.0,
    "doel": 3.0,
    "focusgebied": 3.0,
    "bron": 3.0,
    "inhoud": 5.0,
    "eindverantwoording": 2.6,
    "regeling": 2.4,
    "gebiedscodes": 7.0,
    "naam": 3.0,
}


def breedtes(kolommen: Sequence[dict[str, str]]) -> tuple[int, ...]:
    """Column widths in percent (adding up to 100) for a table's columns."""
    gewichten = [GEWICHT_NAAM.get(k["naam"], GEWICHT_SOORT[k["soort"]]) for k in kolommen]
    totaal = sum(gewichten)
    procenten = [int(g * 100 / totaal) for g in gewichten]
    procenten[max(range(len(procenten)), key=lambda i: gewichten[i])] += 100 - sum(procenten)
    return tuple(procenten)


@dataclass(frozen=True)
class Tabeldeel:
    """Rows of (text, right-aligned) cells."""

    rijen: tuple[tuple[tuple[str, bool], ...], ...]
    totaal: tuple[tuple[str, bool], ...] | None
    vervolg: bool


@dataclass(frozen=True)
class Tabel:
    soort = "tabel"
    id: str
    titel: str
    kop: tuple[tuple[str, bool], ...]
    breedtes: tuple[int, ...]
    delen: tuple[Tabeldeel, ...]
    toelichting: str = ""
    leeg: str = "Geen gegevens."
    klein: bool = False

    @property
    def is_leeg(self) -> bool:
        return not any(d.rijen for d in self.delen)


@dataclass(frozen=True)
class Alinea:
    soort = "alinea"
    tekst: str
    kop: str = ""
    klasse: str = ""


@dataclass(frozen=True)
class Feiten:
    soort = "feiten"
    rijen: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Lijst:
    soort = "lijst"
    kop: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Grafiek:
    soort = "grafiek"
    svg: str
    onderschrift: str


Blok = Tabel | Alinea | Feiten | Lijst | Grafiek


@dataclass(frozen=True)
class Sectie:
    id: str
    titel: str
    blokken: tuple[Blok, ...]


@dataclass(frozen=True)
class Hoofdstuk:
    id: str
    titel: str
    blokken: tuple[Blok, ...] = ()
    secties: tuple[Sectie, ...] = ()


@dataclass(frozen=True)
class Rapportweergave:
    soort: str
    soortnaam: str
    titel: str
    ondertitel: str
    moment: str
    moment_leesbaar: str
    gegevenshash: str
    identificatie: tuple[tuple[str, str], ...]
    hoofdstukken: tuple[Hoofdstuk, ...]
    bijlagen: tuple[str, ...] = field(default=())


# --- tables ----------------------------------------------------------------------------


def _kolommen(t: dict[str, Any], namen: Sequence[str] | None) -> list[int]:
    alle = [k["naam"] for k in t["kolommen"]]
    return [alle.index(n) for n in namen] if namen is not None else list(range(len(alle)))


def tabel(
    t: dict[str, Any],
    *,
    kolommen: Sequence[str] | None = None,
    rijen: Iterable[Sequence[Any]] | None = None,
    titel: str | None = None,
    id: str | None = None,
    totaal: bool = True,
    leeg: str = "Geen gegevens.",
    klein: bool = False,
    toelichting: str | None = None,
) -> Tabel:
    """A snapshot table as a view-model: optionally a selection of its columns and rows,
    formatted cell by cell and cut into parts."""
    index = _kolommen(t, kolommen)
    soorten = [t["kolommen"][i]["soort"] for i in index]
    rechts = [s in RECHTS for s in soorten]
    opgemaakt = [
        tuple((cel(rij[i], s), r) for i, s, r in zip(index, soorten, rechts, strict=True))
        for rij in (rijen if rijen is not None else t["rijen"])
    ]
    totaalrij = None
    if totaal and t.get("totaal") is not None and rijen is None:
        totaalrij = tuple(
            (cel(t["totaal"][i], s) if t["totaal"][i] not in ("", None) else "", r)
            for i, s, r in zip(index, soorten, rechts, strict=True)
        )
    delen = [
        Tabeldeel(
            rijen=tuple(opgemaakt[b : b + RIJEN_PER_DEEL]),
            totaal=None,
            vervolg=b > 0,
        )
        for b in range(0, max(len(opgemaakt), 1), RIJEN_PER_DEEL)
    ]
    if totaalrij is not None:
        delen[-1] = Tabeldeel(rijen=delen[-1].rijen, totaal=totaalrij, vervolg=delen[-1].vervolg)
    return Tabel(
        id=id or f"tabel-{t['naam']}",
        titel=titel if titel is not None else t["titel"],
        kop=tuple((t["kolommen"][i]["titel"], r) for i, r in zip(index, rechts, strict=True)),
        breedtes=breedtes([t["kolommen"][i] for i in index]),
        delen=tuple(delen),
        toelichting=t.get("toelichting", "") if toelichting is None else toelichting,
        leeg=leeg,
        klein=klein,
    )


def _per(t: dict[str, Any], kolom: str) -> dict[Any, list[list[Any]]]:
    i = _kolommen(t, [kolom])[0]
    groepen: dict[Any, list[list[Any]]] = defaultdict(list)
    for rij in t["rijen"]:
        groepen[rij[i]].append(rij)
    return groepen


def _waarde(t: dict[str, Any], rij: Sequence[Any], kolom: str) -> Any:
    return rij[_kolommen(t, [kolom])[0]]


def _dec(waarde: str | None) -> Decimal | None:
    return None if waarde is None else Decimal(waarde)


# --- chapters --------------------------------------------------------------------------


def samenvatting(d: dict[str, Any]) -> Hoofdstuk:
    tabellen = d["tabellen"]
    fin = tabellen["financien_beschikkingen"]
    totaal = fin["totaal"]
    kol = {k["naam"]: i for i, k in enumerate(fin["kolommen"])}
    pi = tabellen["programma_indicatoren"]
    jaar = d["periode"]
    dit_jaar = [r for r in pi["rijen"] if str(_waarde(pi, r, "jaar")) == jaar]
    op_koers = sum(1 for r in dit_jaar if _waarde(pi, r, "op_koers") is True)
    bekend = sum(1 for r in dit_jaar if _waarde(pi, r, "op_koers") is not None)
    feiten = [
        ("Interventies", str(len(tabellen["interventies"]["rijen"]))),
        ("Beschikkingen", str(len(fin["rijen"]))),
        ("Verleend", nl_bedrag(totaal[kol["verleend"]])),
        ("Ontvangen (betaalde tranches)", nl_bedrag(totaal[kol["ontvangen"]])),
        (f"Besteed in {jaar}", nl_bedrag(totaal[kol["besteed_jaar"]])),
        (f"Besteed tot en met {jaar}", nl_bedrag(totaal[kol["besteed_cumulatief"]])),
        (f"Overloop naar {int(jaar) + 1}", nl_bedrag(totaal[kol["overloop"]])),
        (
            "Programma-indicatoren op koers",
            f"{op_koers} van {bekend} met een stand in {jaar}" if bekend else "nog geen stand",
        ),
        ("Signalen en afwijkingen", str(len(tabellen["afwijkingen"]["rijen"]))),
    ]
    blokken: list[Blok] = [Feiten(tuple(feiten))]
    if "financien_themas" in tabellen:
        t = tabellen["financien_themas"]
        namen = [r[0] for r in t["rijen"]]
        reeksen = [
            (naam, [_dec(_waarde(t, r, kolom)) for r in t["rijen"]])
            for naam, kolom in (
                (f"Budget {jaar}", "budget"),
                ("Verleend", "verleend"),
                ("Ontvangen", "ontvangen"),
                (f"Besteed {jaar}", "besteed_jaar"),
            )
        ]
        blokken.append(
            Grafiek(
                svg=grafieken.staafdiagram(
                    id="samenvatting-themas",
                    titel=f"Geld per thema in {jaar}",
                    categorieen=namen,
                    reeksen=reeksen,
                ),
                onderschrift=f"Budget, verleend, ontvangen en besteed per thema in {jaar}. "
                "De cijfers staan in de tabel 'Financiën per thema'.",
            )
        )
    return Hoofdstuk(id="samenvatting", titel="Samenvatting", blokken=tuple(blokken))


def _identificatie(d: dict[str, Any]) -> Hoofdstuk:
    blokken: list[Blok] = [Feiten(tuple((k, v) for k, v in d["identificatie"]))]
    if "focusgebieden" in d["tabellen"]:
        blokken.append(tabel(d["tabellen"]["focusgebieden"], klein=True))
    return Hoofdstuk(id="identificatie", titel="Identificatie", blokken=tuple(blokken))


def _financien(d: dict[str, Any]) -> Hoofdstuk:
    t = d["tabellen"]
    blokken: list[Blok] = [
        Alinea(
            "Alle bedragen in euro's, tot op de cent gelijk aan de vastgelegde beschikkingen, "
            "tranches en goedgekeurde bestedingen. De velden volgen de SiSa-bijlage: verleend, "
            "ontvangen, besteed in het jaar, besteed cumulatief, overloop en eindverantwoording."
        )
    ]
    for naam in ("financien_themas", "financien_focusgebieden"):
        if naam in t:
            blokken.append(tabel(t[naam], klein=True))
    blokken.append(
        tabel(
            t["financien_beschikkingen"],
            kolommen=[
                "kenmerk",
                "interventie",
                "verleend",
                "ontvangen",
                "besteed_jaar",
                "besteed_cumulatief",
                "overloop",
                "eindverantwoording",
            ],
            klein=True,
        )
    )
    return Hoofdstuk(id="financien", titel="Financiële verantwoording", blokken=tuple(blokken))


def _resultaten(d: dict[str, Any]) -> Hoofdstuk:
    pi = d["tabellen"]["programma_indicatoren"]
    secties = []
    for code, rijen in _per(pi, "code").items():
        eerste = rijen[0]
        jaren = [int(_waarde(pi, r, "jaar")) for r in rijen]
        eenheid = _waarde(pi, eerste, "eenheid")
        basis = _waarde(pi, eerste, "basiswaarde")
        basisjaar = _waarde(pi, eerste, "basisjaar")
        feiten = (
            ("Eenheid", eenheid),
            ("Richting", _waarde(pi, eerste, "richting")),
            (
                "Basiswaarde",
                f"{cel(basis, 'getal')}" + (f" ({basisjaar})" if basisjaar else "")
                if basis is not None
                else "niet vastgelegd",
            ),
        )
        svg = grafieken.lijndiagram(
            id=f"pi-{code}",
            titel=f"{_waarde(pi, eerste, 'indicator')}: streefwaarde en realisatie",
            jaren=jaren,
            reeksen=[
                ("Streefwaarde", [_dec(_waarde(pi, r, "streefwaarde")) for r in rijen]),
                ("Realisatie", [_dec(_waarde(pi, r, "realisatie")) for r in rijen]),
            ],
            eenheid="" if eenheid == "Aantal" else eenheid.lower(),
            basiswaarde=_dec(basis),
        )
        secties.append(
            Sectie(
                id=f"indicator-{code}",
                titel=f"{_waarde(pi, eerste, 'indicator')} ({code})",
                blokken=(
                    Feiten(feiten),
                    Grafiek(
                        svg=svg,
                        onderschrift="Streefwaarde en realisatie per jaar; de tabel eronder "
                        "geeft de cijfers.",
                    ),
                    tabel(
                        pi,
                        kolommen=["jaar", "streefwaarde", "realisatie", "procent", "op_koers"],
                        rijen=rijen,
                        titel="Per jaar",
                        id=f"indicator-{code}-tabel",
                        toelichting="",
                        klein=True,
                    ),
                ),
            )
        )
    return Hoofdstuk(
        id="resultaten",
        titel="Resultaten in het focusgebied"
        if d["soort"] == "gebiedsrapportage"
        else "Resultaten van het programma",
        blokken=(Alinea(pi["toelichting"]),)
        if secties
        else (Alinea("Geen programma-indicatoren."),),
        secties=tuple(secties),
    )


def _interventies(d: dict[str, Any], *, periode: str) -> Hoofdstuk:
    t = d["tabellen"]
    iv, ind, versl = t["interventies"], t["project_indicatoren"], t["verslagen"]
    per_indicator = _per(ind, "interventie")
    per_verslag = _per(versl, "interventie")
    begroting = _per(t["begroting_interventies"], "code") if "begroting_interventies" in t else {}
    secties = []
    for rij in iv["rijen"]:
        code = _waarde(iv, rij, "code")
        feiten = [
            ("Penvoerder", _waarde(iv, rij, "penvoerder")),
            ("Partners", _waarde(iv, rij, "partners") or "—"),
            ("Focusgebieden", _waarde(iv, rij, "focusgebieden") or "—"),
            ("Thema's", _waarde(iv, rij, "themas") or "—"),
            (
                "Looptijd",
                f"{nl_datum(_waarde(iv, rij, 'start'))} t/m {nl_datum(_waarde(iv, rij, 'einde'))}"
                f" ({_waarde(iv, rij, 'status').lower()})",
            ),
        ]
        if code in begroting:
            b = begroting[code][0]
            bt = t["begroting_interventies"]
            feiten.append(
                (
                    f"Begroot en besteed {periode[:4]}",
                    f"{cel(_waarde(bt, b, 'begroot'), 'bedrag')} begroot, "
                    f"{cel(_waarde(bt, b, 'besteed'), 'bedrag')} besteed "
                    f"({cel(_waarde(bt, b, 'procent'), 'procent')})",
                )
            )
        blokken: list[Blok] = [Feiten(tuple(feiten))]
        doelen = [x for x in (_waarde(iv, rij, "doelen") or "").split(" | ") if x]
        if doelen:
            blokken.append(Lijst("Doelen", tuple(doelen)))
        rijen = per_indicator.get(code, [])
        blokken.append(
            tabel(
                ind,
                kolommen=["indicator", "gepland", "gerealiseerd", "procent", "op_koers"],
                rijen=rijen,
                titel=f"Gepland en gerealiseerd ({periode})",
                id=f"interventie-{code}-resultaten",
                toelichting="",
                leeg="Geen indicatoren.",
                klein=True,
            )
        )
        verklaringen = [
            f"{_waarde(ind, r, 'indicator')}: {_waarde(ind, r, 'toelichting')}"
            for r in rijen
            if _waarde(ind, r, "toelichting") and _waarde(ind, r, "op_koers") is False
        ]
        if verklaringen:
            blokken.append(Lijst("Verklaring van verschillen (Awb 4:80)", tuple(verklaringen)))
        for v in per_verslag.get(code, []):
            p = _waarde(versl, v, "periode")
            blokken.append(Alinea(_waarde(versl, v, "voortgang"), kop=f"Voortgang {p}"))
            if _waarde(versl, v, "afwijkingen"):
                blokken.append(
                    Alinea(_waarde(versl, v, "afwijkingen"), kop="Afwijkingen en verklaring")
                )
            if _waarde(versl, v, "risicos"):
                blokken.append(Alinea(_waarde(versl, v, "risicos"), kop="Risico's"))
        secties.append(
            Sectie(
                id=f"interventie-{code}",
                titel=f"{_waarde(iv, rij, 'titel')} ({code})",
                blokken=tuple(blokken),
            )
        )
    return Hoofdstuk(
        id="interventies",
        titel="Interventies",
        blokken=(
            Alinea(
                "Per interventie de doelen, wat gepland en gerealiseerd is met de verklaring "
                "van verschillen, begroting en besteding, en het voortgangsverslag van de "
                "partners."
            ),
        ),
        secties=tuple(secties),
    )


def _interventies_jaar(d: dict[str, Any]) -> Hoofdstuk:
    """The interventions of a yearly report, each in a few paragraphs of running text:
    budget and spending, goals, what is behind schedule with the partner's explanation
    (Awb 4:80), and the year's latest narrative. A yearly report holds hundreds of
    interventions, and text costs the PDF renderer a fraction of what tables and lists
    do. The figures per indicator are in the attached CSV and in each projectrapportage."""
    t = d["tabellen"]
    jaar = d["periode"]
    iv, ind, versl = t["interventies"], t["project_indicatoren"], t["verslagen"]
    bt = t["begroting_interventies"]
    per_indicator = _per(ind, "interventie")
    per_verslag = _per(versl, "interventie")
    begroting = {_waarde(bt, r, "code"): r for r in bt["rijen"]}
    secties = []
    for rij in iv["rijen"]:
        code = _waarde(iv, rij, "code")
        rijen = per_indicator.get(code, [])
        koers = [_waarde(ind, r, "op_koers") for r in rijen]
        op, bekend = sum(1 for k in koers if k is True), sum(1 for k in koers if k is not None)
        b = begroting.get(code)
        geld = ""
        if b is not None:
            procent = _waarde(bt, b, "procent")
            geld = (
                f" Begroot {jaar}: {cel(_waarde(bt, b, 'begroot'), 'bedrag')}, besteed "
                f"{cel(_waarde(bt, b, 'besteed'), 'bedrag')}"
                + (f" ({cel(procent, 'procent')})." if procent is not None else ".")
            )
        doelen = [x for x in (_waarde(iv, rij, "doelen") or "").split(" | ") if x]
        blokken: list[Blok] = [
            Alinea(
                f"Penvoerder {_waarde(iv, rij, 'penvoerder')}; "
                f"{_waarde(iv, rij, 'focusgebieden') or 'geen focusgebied'}; "
                f"{nl_datum(_waarde(iv, rij, 'start'))} t/m {nl_datum(_waarde(iv, rij, 'einde'))} "
                f"({_waarde(iv, rij, 'status').lower()}).{geld} Doelen: "
                + (("; ".join(doelen) + ".") if doelen else "geen vastgelegd.")
            ),
        ]
        achter = [
            f"{_waarde(ind, r, 'indicator')} ({cel(_waarde(ind, r, 'gerealiseerd'), 'getal') or '—'}"
            f" van {cel(_waarde(ind, r, 'gepland'), 'getal') or '—'})"
            + (f": {_waarde(ind, r, 'toelichting')}" if _waarde(ind, r, "toelichting") else "")
            for r in rijen
            if _waarde(ind, r, "op_koers") is False
        ]
        resultaat = (
            f"{op} van {bekend} indicatoren op koers in {jaar}."
            if bekend
            else f"Nog geen goedgekeurde resultaten over {jaar}."
        )
        if achter:
            resultaat += (
                " Achter op schema (gerealiseerd van gepland), met de verklaring van de partner: "
                + "; ".join(achter)
                + "."
            )
        blokken.append(Alinea(resultaat, kop="Gepland en gerealiseerd"))
        verslagen = per_verslag.get(code, [])
        if verslagen:
            laatste = verslagen[-1]
            p = _waarde(versl, laatste, "periode")
            blokken.append(Alinea(_waarde(versl, laatste, "voortgang"), kop=f"Voortgang ({p})"))
            if _waarde(versl, laatste, "afwijkingen"):
                blokken.append(
                    Alinea(_waarde(versl, laatste, "afwijkingen"), kop="Afwijkingen en verklaring")
                )
        secties.append(
            Sectie(
                id=f"interventie-{code}",
                titel=f"{_waarde(iv, rij, 'titel')} ({code})",
                blokken=tuple(blokken),
            )
        )
    return Hoofdstuk(
        id="interventies",
        titel="Interventies",
        blokken=(
            Alinea(
                "Per interventie: begroting en besteding, de doelen, wat achter op schema ligt "
                "met de verklaring van de partner, en het laatste goedgekeurde voortgangsverslag "
                "van het jaar. De cijfers per indicator staan in de bijlage "
                "project_indicatoren.csv en in de projectrapportage van elke interventie."
            ),
        ),
        secties=tuple(secties),
    )


def _context(d: dict[str, Any]) -> Hoofdstuk:
    t = d["tabellen"]["contextcijfers"]
    secties: list[Sectie] = []
    for gebied, rijen in _per(t, "focusgebied").items():
        secties.append(
            Sectie(
                id=f"context-{len(secties) + 1}",
                titel=gebied,
                blokken=(
                    tabel(
                        t,
                        kolommen=["gebiedscode", "jaar", "kenmerk", "waarde", "bron"],
                        rijen=rijen,
                        titel=f"Contextcijfers {gebied}",
                        id=f"context-{len(secties) + 1}-tabel",
                        toelichting="",
                        klein=True,
                    ),
                ),
            )
        )
    return Hoofdstuk(
        id="context",
        titel="Contextcijfers per focusgebied",
        blokken=(
            Alinea(t["toelichting"], klasse="attributie"),
            *(() if secties else (Alinea("Er zijn nog geen contextcijfers geladen."),)),
        ),
        secties=tuple(secties),
    )


def _afwijkingen(d: dict[str, Any], *, volledig: bool = False) -> Hoofdstuk:
    """Deviations, errors and uncertainties: counted by kind, then the early warnings
    that ask for action in full. A project report lists everything; a yearly report's
    complete list is the attachment afwijkingen.csv."""
    t = d["tabellen"]["afwijkingen"]
    per_soort: dict[str, set[str]] = defaultdict(set)
    aantal: dict[str, int] = defaultdict(int)
    for r in t["rijen"]:
        soort = _waarde(t, r, "soort")
        per_soort[soort].add(_waarde(t, r, "interventie"))
        aantal[soort] += 1
    samenvatting = Tabel(
        id="tabel-afwijkingen-samenvatting",
        titel="Afwijkingen per soort",
        kop=(("Soort", False), ("Meldingen", True), ("Interventies", True)),
        breedtes=(60, 20, 20),
        delen=(
            Tabeldeel(
                rijen=tuple(
                    ((soort, False), (str(aantal[soort]), True), (str(len(per_soort[soort])), True))
                    for soort in sorted(aantal)
                ),
                totaal=None,
                vervolg=False,
            ),
        ),
        leeg="Geen afwijkingen gevonden.",
        klein=True,
    )
    ernstig = [
        r for r in t["rijen"] if volledig or _waarde(t, r, "soort") == "Vroegsignaal (ingrijpen)"
    ]
    return Hoofdstuk(
        id="afwijkingen",
        titel="Afwijkingen, fouten en onzekerheden",
        blokken=(
            Alinea(
                "Vroegsignalen (bestedingstempo en indicatortrajecten), verplichtingen die niet "
                "op tijd zijn voldaan en inzendingen die nog niet zijn goedgekeurd en daarom "
                "niet meetellen. De volledige lijst staat in de bijlage afwijkingen.csv."
            ),
            samenvatting,
            tabel(
                t,
                rijen=ernstig,
                titel="Afwijkingen" if volledig else "Vroegsignalen die om ingrijpen vragen",
                klein=True,
                leeg="Geen." if not volledig else "Geen afwijkingen gevonden.",
            ),
        ),
    )


def _bronnen(d: dict[str, Any], bijlagen: Sequence[str]) -> Hoofdstuk:
    return Hoofdstuk(
        id="bronnen",
        titel="Bronnen en verantwoording van de gegevens",
        blokken=(
            tabel(d["tabellen"]["bronnen"]),
            Alinea(
                "Dit rapport is gemaakt uit een bevroren momentopname van de gegevens op "
                f"{_leesbaar(d['moment'])}. Latere wijzigingen veranderen dit rapport niet. "
                f"De SHA-256 van de momentopname is {d['gegevenshash']}."
            ),
            Lijst(
                "Bijlagen in dit PDF-bestand (voor verwerking zonder overtypen)",
                tuple(bijlagen),
            ),
        ),
    )


def _resultaten_project(d: dict[str, Any]) -> Hoofdstuk:
    """A project report's indicators over the years: a chart and the figures each."""
    t = d["tabellen"]["project_indicatoren_per_jaar"]
    secties = []
    for i, (naam, rijen) in enumerate(_per(t, "indicator").items(), start=1):
        eenheid = _waarde(t, rijen[0], "eenheid")
        basis = _waarde(t, rijen[0], "basiswaarde")
        secties.append(
            Sectie(
                id=f"projectindicator-{i}",
                titel=naam,
                blokken=(
                    Grafiek(
                        svg=grafieken.lijndiagram(
                            id=f"projectindicator-{i}-grafiek",
                            titel=f"{naam}: streefwaarde en realisatie",
                            jaren=[int(_waarde(t, r, "jaar")) for r in rijen],
                            reeksen=[
                                (
                                    "Streefwaarde",
                                    [_dec(_waarde(t, r, "streefwaarde")) for r in rijen],
                                ),
                                ("Realisatie", [_dec(_waarde(t, r, "realisatie")) for r in rijen]),
                            ],
                            eenheid="" if eenheid == "Aantal" else eenheid.lower(),
                            basiswaarde=_dec(basis),
                        ),
                        onderschrift="Streefwaarde en realisatie per jaar; de tabel eronder "
                        "geeft de cijfers.",
                    ),
                    tabel(
                        t,
                        kolommen=[
                            "jaar",
                            "basiswaarde",
                            "streefwaarde",
                            "realisatie",
                            "procent",
                            "op_koers",
                        ],
                        rijen=rijen,
                        titel="Per jaar",
                        id=f"projectindicator-{i}-tabel",
                        toelichting="",
                        klein=True,
                    ),
                ),
            )
        )
    return Hoofdstuk(
        id="resultaten",
        titel="Resultaten per jaar",
        blokken=() if secties else (Alinea("Geen indicatoren."),),
        secties=tuple(secties),
    )


def _financien_project(d: dict[str, Any]) -> Hoofdstuk:
    t = d["tabellen"]
    return Hoofdstuk(
        id="financien",
        titel="Financiën",
        blokken=(
            tabel(
                t["financien_beschikkingen"],
                kolommen=[
                    "kenmerk",
                    "regeling",
                    "verleend",
                    "ontvangen",
                    "besteed_jaar",
                    "besteed_cumulatief",
                    "overloop",
                    "eindverantwoording",
                ],
                klein=True,
            ),
            tabel(t["tranches"], leeg="Geen tranches in dit jaar.", klein=True),
            tabel(t["begroting_interventies"], klein=True),
        ),
    )


def _leesbaar(moment: str) -> str:
    datum, _, tijd = moment.partition("T")
    return f"{nl_datum(datum, voluit=True)} om {tijd[:5]}"


SOORTNAMEN = {
    "jaarverantwoording": "Jaarverantwoording",
    "gebiedsrapportage": "Gebiedsrapportage",
    "projectrapportage": "Projectrapportage",
}


def bijlagenamen(d: dict[str, Any]) -> list[str]:
    """The files attached inside the PDF: the snapshot as JSON and every table as CSV, in
    name order (a JSON column need not keep the order of keys)."""
    return ["momentopname.json", *(f"{naam}.csv" for naam in sorted(d["tabellen"]))]


def weergave(d: dict[str, Any]) -> Rapportweergave:
    """The view-model of a report from its snapshot."""
    soort = d["soort"]
    bijlagen = bijlagenamen(d)
    if soort == "projectrapportage":
        hoofdstukken = [
            _identificatie(d),
            _interventies(d, periode=d["periode"]),
            _resultaten_project(d),
            _financien_project(d),
            Hoofdstuk(
                id="verplichtingen",
                titel="Rapportageverplichtingen",
                blokken=(tabel(d["tabellen"]["verplichtingen"]),),
            ),
            _afwijkingen(d, volledig=True),
            _bronnen(d, bijlagen),
        ]
    else:
        hoofdstukken = [
            samenvatting(d),
            _identificatie(d),
            _financien(d),
            _resultaten(d),
            _interventies_jaar(d),
            _context(d),
            _afwijkingen(d),
            _bronnen(d, bijlagen),
        ]
    programma = d["programma"]
    return Rapportweergave(
        soort=soort,
        soortnaam=SOORTNAMEN[soort],
        titel=d["titel"],
        ondertitel=f"{programma['naam']} · {programma['regeling']}".strip(" ·"),
        moment=d["moment"],
        moment_leesbaar=_leesbaar(d["moment"]),
        gegevenshash=d["gegevenshash"],
        identificatie=tuple((k, v) for k, v in d["identificatie"]),
        hoofdstukken=tuple(hoofdstukken),
        bijlagen=tuple(bijlagen),
    )
