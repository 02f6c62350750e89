"""Ontschot's charts as inline SVG, the same for the PDF reports and the web pages.

Every chart is a pure function from Decimals to an SVG string: no database, no randomness,
so the same figures give byte-identical SVG and a report rendered twice is the same file.
Element ids derive from the caller's ``id``, which must be unique on the page.

What a chart guarantees:

- it is an accessible image: ``role="img"``, a ``<title>`` and a ``<desc>`` that says in
  Dutch what the chart shows, figure by figure, referenced by ``aria-labelledby``;
- series differ in more than colour: bars carry their own hatching, lines their own dash
  pattern and marker shape; every colour has at least 4.5:1 contrast against white;
- user text (titles, names of themes and series) is escaped and stripped of characters
  XML cannot hold, and it is wrapped or shortened with an ellipsis to fit; the ``<desc>``
  always has the full names;
- it uses only ``svg``, ``g``, ``rect``, ``line``, ``polyline``, ``circle``, ``path`` and
  ``text`` with presentation attributes and the generic ``sans-serif`` font: no CSS, no
  scripts, nothing fetched, so WeasyPrint draws it exactly as a browser does.

Money and numbers are Decimals throughout; they become floats only as pixel coordinates.
"""

import itertools
import math
import re
from collections.abc import Callable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from programma.opmaak import MIN, als_decimal, nl_bedrag, nl_getal

BREEDTE = 640
CENT = Decimal("0.01")
LETTERTYPE = "sans-serif"
TEKSTKLEUR = "#1f1f1f"
ASKLEUR = "#595959"
RASTERKLEUR = "#d9d9d9"
SPOORKLEUR = "#f0f0f0"
SPOORRAND = "#767676"
# Rijkshuisstijl colours, each with at least 4.5:1 contrast against white; the order
# keeps neighbouring series far apart in hue.
KLEUREN = ("#01689b", "#c45a00", "#39870c", "#a90061", "#42145f", "#8a6d00")
# Hatching angles per series (None: solid), so bars differ without colour too.
ARCERINGEN: tuple[tuple[int, ...], ...] = ((), (45,), (0,), (45, 135), (135,), (90,))
STREEPJES = ("", "8 4", "2 3", "8 3 2 3", "4 4", "12 4")
VORMEN = ("cirkel", "vierkant", "driehoek", "ruit", "omgekeerde driehoek", "plus")
BASISLIJN_STREEPJES = "6 4"

_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_ONGELDIG_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SMAL = frozenset("fijlrtI.,:;'!|()[]{} /-")
_BREED = frozenset("mwMW@%€—")


# --- Text -------------------------------------------------------------------------------


def _schoon(tekst: str) -> str:
    """User text as one line XML can hold."""
    return " ".join(_ONGELDIG_IN_XML.sub("", str(tekst)).split())


def _tekst(tekst: str) -> str:
    return escape(_schoon(tekst))


def _breedte(tekst: str, grootte: float, vet: bool = False) -> float:
    """A generous estimate of the rendered width of text in a sans-serif font.

    WeasyPrint and browsers pick the font; the estimate errs wide (DejaVu Sans, the
    widest common fallback) so labels are shortened rather than overlap.
    """
    eenheden = 0.0
    for teken in tekst:
        if teken in _SMAL:
            eenheden += 0.36
        elif teken in _BREED:
            eenheden += 0.95
        elif teken.isupper():
            eenheden += 0.72
        elif teken.isdigit():
            eenheden += 0.64
        else:
            eenheden += 0.6
    return eenheden * grootte * (1.2 if vet else 1.0)


def _afgekapt(tekst: str, breedte: float, grootte: float, vet: bool = False) -> str:
    """The text, shortened with an ellipsis when it is wider than ``breedte``."""
    if _breedte(tekst, grootte, vet) <= breedte:
        return tekst
    while tekst and _breedte(tekst.rstrip() + "…", grootte, vet) > breedte:
        tekst = tekst[:-1]
    return tekst.rstrip() + "…"


def _regels(
    tekst: str, breedte: float, grootte: float, maximum: int, vet: bool = False
) -> list[str]:
    """The text wrapped on spaces into at most ``maximum`` lines of ``breedte``."""
    regels: list[str] = []
    woorden = _schoon(tekst).split(" ")
    while woorden and len(regels) < maximum:
        regel = woorden.pop(0)
        while woorden and _breedte(regel + " " + woorden[0], grootte, vet) <= breedte:
            regel += " " + woorden.pop(0)
        regels.append(regel)
    if woorden:
        regels[-1] = _afgekapt(regels[-1] + " " + " ".join(woorden), breedte, grootte, vet)
        if not regels[-1].endswith("…"):
            regels[-1] += "…"
    return [_afgekapt(r, breedte, grootte, vet) for r in regels if r] or [""]


def _n(getal: float) -> str:
    """A coordinate with at most two decimals, the same string for the same number."""
    tekst = f"{getal:.2f}".rstrip("0").rstrip(".")
    return "0" if tekst in ("-0", "") else tekst


def _text(
    x: float,
    y: float,
    inhoud: str,
    *,
    grootte: float = 11,
    anker: str = "start",
    vet: bool = False,
    kleur: str = TEKSTKLEUR,
    draai: int = 0,
) -> str:
    attributen = [f'x="{_n(x)}"', f'y="{_n(y)}"', f'font-size="{_n(grootte)}"', f'fill="{kleur}"']
    if anker != "start":
        attributen.append(f'text-anchor="{anker}"')
    if vet:
        attributen.append('font-weight="bold"')
    if draai:
        attributen.append(f'transform="rotate({draai} {_n(x)} {_n(y)})"')
    return f"<text {' '.join(attributen)}>{_tekst(inhoud)}</text>"


# --- Values and scales ------------------------------------------------------------------


def _waarde(waarde: Decimal | None) -> Decimal | None:
    return None if waarde is None else als_decimal(waarde)


def _volledig(waarde: Decimal | None, eenheid: str) -> str:
    """A value written out in full for the description."""
    if waarde is None:
        return "geen waarde"
    if eenheid == "€":
        return nl_bedrag(waarde)
    if eenheid == "%":
        return nl_getal(waarde) + "%"
    return nl_getal(waarde) + (f" {_schoon(eenheid)}" if eenheid else "")


def _schaalverdeling(laag: Decimal, hoog: Decimal, eenheid: str = "") -> list[Decimal]:
    """Four to six round ticks from at or below ``laag`` to at or above ``hoog``.

    Money is never divided finer than a cent, so a tiny range may get three ticks.
    """
    if laag == hoog:
        marge = abs(laag) / 10 if laag else Decimal(1)
        laag, hoog = laag - marge, hoog + marge
    orde = (hoog - laag).adjusted()
    kandidaten = sorted(
        Decimal(m) * Decimal(10) ** e
        for e in range(orde - 2, orde + 2)
        for m in ("1", "2", "2.5", "5")
        if eenheid != "€" or Decimal(m) * Decimal(10) ** e >= CENT
    ) or [CENT]
    reserve: list[Decimal] = []
    for stap in kandidaten:
        onder = (laag / stap).to_integral_value(rounding=ROUND_FLOOR) * stap
        boven = (hoog / stap).to_integral_value(rounding=ROUND_CEILING) * stap
        aantal = int((boven - onder) / stap)
        ticks = [onder + i * stap for i in range(aantal + 1)]
        if 3 <= aantal <= 5:
            return ticks
        if aantal <= 5 and not reserve:
            reserve = ticks
    return reserve


def _ticklabels(ticks: Sequence[Decimal], eenheid: str) -> list[str]:
    """Axis labels, all with the same decimals: ``€ 250.000``, ``€ 1,5 mln``, ``12,5%``."""
    grootste = max(abs(t) for t in ticks)
    schaal, woord = Decimal(1), ""
    if grootste >= Decimal("1e9"):
        schaal, woord = Decimal("1e9"), " mld"
    elif grootste >= Decimal("1e6"):
        schaal, woord = Decimal("1e6"), " mln"
    stap = (ticks[1] - ticks[0]) / schaal if len(ticks) > 1 else Decimal(1)
    decimalen = max(0, -stap.normalize().as_tuple().exponent)  # type: ignore[operator]
    if eenheid == "€" and schaal == 1 and decimalen:
        decimalen = 2
    labels = []
    for tick in ticks:
        if tick == 0:
            labels.append({"€": "€ 0", "%": "0%"}.get(eenheid, "0"))
            continue
        getal = nl_getal(abs(tick) / schaal, decimalen) + woord
        teken = MIN if tick < 0 else ""
        if eenheid == "€":
            labels.append(f"{teken}€ {getal}")
        else:
            labels.append(f"{teken}{getal}{'%' if eenheid == '%' else ''}")
    return labels


# --- Shapes -----------------------------------------------------------------------------


def _arcering(hoeken: Sequence[int], x: float, y: float, b: float, h: float) -> str:
    """Path data for hatching lines at the given angles, clipped to a rectangle.

    The lines lie on a grid shared by the whole chart, so neighbouring bars line up.
    """
    afstand = 5.0
    delen: list[str] = []
    for hoek in hoeken:
        richting = (math.cos(math.radians(hoek)), -math.sin(math.radians(hoek)))
        normaal = (-richting[1], richting[0])
        hoekpunten = [(x, y), (x + b, y), (x, y + h), (x + b, y + h)]
        projecties = [px * normaal[0] + py * normaal[1] for px, py in hoekpunten]
        c = math.floor(min(projecties) / afstand) * afstand
        while c <= max(projecties):
            # Liang–Barsky clipping of the line {c·n + t·d} to the rectangle.
            ox, oy = c * normaal[0], c * normaal[1]
            t0, t1 = -1e6, 1e6
            for p, q in (
                (-richting[0], ox - x),
                (richting[0], x + b - ox),
                (-richting[1], oy - y),
                (richting[1], y + h - oy),
            ):
                if abs(p) < 1e-12:
                    if q < 0:
                        t0, t1 = 1.0, 0.0
                    continue
                t = q / p
                if p < 0:
                    t0 = max(t0, t)
                else:
                    t1 = min(t1, t)
            if t1 - t0 > 0.5:
                delen.append(
                    f"M{_n(ox + t0 * richting[0])} {_n(oy + t0 * richting[1])}"
                    f"L{_n(ox + t1 * richting[0])} {_n(oy + t1 * richting[1])}"
                )
            c += afstand
    return "".join(delen)


def _vlak(reeks: int, x: float, y: float, b: float, h: float) -> str:
    """A filled rectangle in a series' colour and hatching."""
    kleur = KLEUREN[reeks % len(KLEUREN)]
    hoeken = ARCERINGEN[(reeks + reeks // len(KLEUREN)) % len(ARCERINGEN)]
    delen = [f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(b)}" height="{_n(h)}" fill="{kleur}"/>']
    if hoeken and b > 3 and h > 3:
        d = _arcering(hoeken, x + 1, y + 1, b - 2, h - 2)
        if d:
            delen.append(f'<path d="{d}" fill="none" stroke="#ffffff" stroke-width="1.5"/>')
    return "".join(delen)


def _markering(reeks: int, x: float, y: float) -> str:
    """A point marker in a series' colour and shape, outlined in white."""
    kleur = KLEUREN[reeks % len(KLEUREN)]
    vorm = VORMEN[(reeks + reeks // len(KLEUREN)) % len(VORMEN)]
    rand = f'fill="{kleur}" stroke="#ffffff" stroke-width="1"'
    r = 4.5
    if vorm == "cirkel":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" {rand}/>'
    if vorm == "vierkant":
        return (
            f'<rect x="{_n(x - r)}" y="{_n(y - r)}" width="{_n(2 * r)}" height="{_n(2 * r)}"'
            f" {rand}/>"
        )
    punten: list[tuple[float, float]]
    if vorm == "driehoek":
        punten = [(0, -1.3 * r), (1.2 * r, 0.9 * r), (-1.2 * r, 0.9 * r)]
    elif vorm == "omgekeerde driehoek":
        punten = [(0, 1.3 * r), (1.2 * r, -0.9 * r), (-1.2 * r, -0.9 * r)]
    elif vorm == "ruit":
        punten = [(0, -1.3 * r), (1.3 * r, 0), (0, 1.3 * r), (-1.3 * r, 0)]
    else:
        a, b = 0.45 * r, 1.25 * r
        punten = [
            (-a, -b), (a, -b), (a, -a), (b, -a), (b, a), (a, a),
            (a, b), (-a, b), (-a, a), (-b, a), (-b, -a), (-a, -a),
        ]  # fmt: skip
    d = "M" + "L".join(f"{_n(x + dx)} {_n(y + dy)}" for dx, dy in punten) + "Z"
    return f'<path d="{d}" {rand}/>'


def _lijnstijl(reeks: int) -> str:
    kleur = KLEUREN[reeks % len(KLEUREN)]
    streepjes = STREEPJES[(reeks + reeks // len(KLEUREN)) % len(STREEPJES)]
    stijl = f'fill="none" stroke="{kleur}" stroke-width="2.5" stroke-linejoin="round"'
    return stijl + (f' stroke-dasharray="{streepjes}"' if streepjes else "")


# --- Layout -----------------------------------------------------------------------------


def _controleer_id(id: str) -> None:
    if not _ID.match(id):
        raise ValueError(f"Ongeldig id voor een grafiek: {id!r}.")


def _svg(
    id: str, titel: str, beschrijving: str, breedte: float, hoogte: float, inhoud: list[str]
) -> str:
    hoogte = math.ceil(hoogte)
    kop = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img"'
        f' aria-labelledby="{id}-titel {id}-beschrijving"'
        f' viewBox="0 0 {_n(breedte)} {hoogte}" width="{_n(breedte)}" height="{hoogte}"'
        f' font-family="{LETTERTYPE}">'
    )
    return "\n".join(
        [
            kop,
            f'<title id="{id}-titel">{_tekst(titel)}</title>',
            f'<desc id="{id}-beschrijving">{_tekst(beschrijving)}</desc>',
            *inhoud,
            "</svg>",
        ]
    )


def _kop(titel: str, toon_titel: bool) -> tuple[list[str], float]:
    """The visible title (up to two lines) and the y below it."""
    if not toon_titel:
        return [], 8.0
    delen = []
    y = 8.0
    for regel in _regels(titel, BREEDTE - 16, 15, 2, vet=True):
        y += 18
        delen.append(_text(8, y, regel, grootte=15, vet=True))
    return delen, y + 6


def _legenda(
    namen: Sequence[str], staal: Callable[[int, float, float], str], y: float
) -> tuple[list[str], float]:
    """A legend that flows over as many rows as it needs; returns the y below it."""
    if not namen:
        return [], y
    delen: list[str] = []
    x, rij_y = 8.0, y + 4
    for i, naam in enumerate(namen):
        label = _afgekapt(_schoon(naam), 260, 12)
        breedte = 30 + _breedte(label, 12) + 16
        if x > 8 and x + breedte > BREEDTE - 8:
            x, rij_y = 8.0, rij_y + 20
        delen.append(staal(i, x, rij_y))
        delen.append(_text(x + 30, rij_y + 11, label, grootte=12))
        x += breedte
    return delen, rij_y + 20


def _opsomming(namen: Sequence[str]) -> str:
    namen = [_schoon(n) for n in namen]
    if len(namen) <= 1:
        return "".join(namen)
    return ", ".join(namen[:-1]) + " en " + namen[-1]


def _meervoud(aantal: int, enkel: str, meer: str) -> str:
    return f"{aantal} {enkel if aantal == 1 else meer}"


# --- Charts -----------------------------------------------------------------------------


def staafdiagram(
    *,
    id: str,
    titel: str,
    categorieen: list[str],
    reeksen: list[tuple[str, list[Decimal | None]]],
    eenheid: str = "€",
    beschrijving: str = "",
    toon_titel: bool = True,
) -> str:
    """Grouped vertical bars: for each category one bar per series.

    ``reeksen`` holds (name, values) with one value per category; None is a missing value
    (no bar), zero a flat line on the axis, a negative value a bar below the axis.
    ``eenheid`` is "€" (axis in euros, "€ 250.000", "€ 1,5 mln"), "%" or any other unit,
    shown above the axis. ``beschrijving`` opens the description; the figures follow.
    ``toon_titel=False`` leaves the title out of the picture when the page already shows
    it as a heading (it stays the accessible name).
    """
    _controleer_id(id)
    waarden = [(naam, [_waarde(w) for w in ws]) for naam, ws in reeksen]
    for naam, ws in waarden:
        if len(ws) != len(categorieen):
            raise ValueError(
                f"Reeks {naam!r} heeft {len(ws)} waarden, verwacht {len(categorieen)}."
            )
    bekend = [w for _, ws in waarden for w in ws if w is not None]

    delen, y = _kop(titel, toon_titel)
    legenda, y = _legenda(
        [naam for naam, _ in waarden],
        lambda i, x, y: _vlak(i, x, y, 22, 14),
        y,
    )
    delen += legenda

    laag = min([Decimal(0), *bekend])
    hoog = max([Decimal(0), *bekend])
    if laag == hoog == 0:
        hoog = Decimal(100)
    ticks = _schaalverdeling(laag, hoog, eenheid)
    labels = _ticklabels(ticks, eenheid)
    if eenheid not in ("€", "%", ""):
        delen.append(_text(8, y + 10, _afgekapt(_schoon(eenheid), 300, 11), kleur=ASKLEUR))
        y += 14

    boven = y + 10
    hoogte_plot = 220.0
    onder = boven + hoogte_plot
    links = max(_breedte(label, 11) for label in labels) + 16
    rechts = BREEDTE - 12.0
    aantal = max(len(categorieen), 1)

    # Category labels lie flat, wrapped on two lines, when there is room; otherwise they
    # turn 45° and are shortened, and the plot moves right so the first one fits.
    groep = (rechts - links) / aantal
    schuin = groep < 56
    max_schuin = 130.0
    if schuin:
        langste = max(
            (_breedte(_afgekapt(_schoon(c), max_schuin, 11), 11) for c in categorieen),
            default=0,
        )
        links = max(links, langste * 0.71 - groep / 2 + 10)
        groep = (rechts - links) / aantal
        labelhoogte = langste * 0.71 + 20
    else:
        labelhoogte = 2 * 13 + 12
    hoogte = onder + labelhoogte + 4

    def py(waarde: Decimal) -> float:
        return onder - float((waarde - ticks[0]) / (ticks[-1] - ticks[0])) * hoogte_plot

    # Without figures the axis has nothing to measure: only the zero line is drawn.
    for tick, label in zip(ticks, labels, strict=True) if bekend else [(Decimal(0), "")]:
        ty = py(tick)
        kleur = ASKLEUR if tick == 0 else RASTERKLEUR
        delen.append(
            f'<line x1="{_n(links)}" y1="{_n(ty)}" x2="{_n(rechts)}" y2="{_n(ty)}"'
            f' stroke="{kleur}" stroke-width="1"/>'
        )
        if label:
            delen.append(_text(links - 8, ty + 4, label, anker="end"))

    nul = py(Decimal(0))
    k = max(len(waarden), 1)
    staafvlak = min(groep * 0.8, 44.0 * k)
    staaf = staafvlak / k
    for c, categorie in enumerate(categorieen):
        midden = links + groep * (c + 0.5)
        x0 = midden - staafvlak / 2
        for r, (_, ws) in enumerate(waarden):
            w = ws[c]
            x = x0 + r * staaf
            b = max(staaf - (1 if staaf > 4 else 0), 0.5)
            if w is None:
                continue
            if w == 0:
                delen.append(
                    f'<line x1="{_n(x)}" y1="{_n(nul)}" x2="{_n(x + b)}" y2="{_n(nul)}"'
                    f' stroke="{KLEUREN[r % len(KLEUREN)]}" stroke-width="3"/>'
                )
                continue
            top, bodem = sorted((py(w), nul))
            delen.append(_vlak(r, x, top, b, max(bodem - top, 0.5)))
        if schuin:
            label = _afgekapt(_schoon(categorie), max_schuin, 11)
            delen.append(_text(midden + 4, onder + 12, label, anker="end", draai=-45))
        else:
            for i, regel in enumerate(_regels(categorie, groep - 6, 11, 2)):
                delen.append(_text(midden, onder + 16 + 13 * i, regel, anker="middle"))
    if not bekend:
        delen.append(
            _text((links + rechts) / 2, (boven + onder) / 2, "Geen gegevens", anker="middle",
                  grootte=13, kleur=ASKLEUR)
        )  # fmt: skip

    zinnen = [_schoon(beschrijving)] if beschrijving.strip() else []
    zinnen.append(
        f"Staafdiagram met {_meervoud(len(categorieen), 'categorie', 'categorieën')} en "
        f"{_meervoud(len(waarden), 'reeks', 'reeksen')}"
        + (f": {_opsomming([n for n, _ in waarden])}." if waarden else ".")
    )
    for c, categorie in enumerate(categorieen):
        cijfers = ", ".join(f"{_schoon(n)} {_volledig(ws[c], eenheid)}" for n, ws in waarden)
        zinnen.append(f"{_schoon(categorie)}: {cijfers}.")
    if not bekend:
        zinnen.append("Er zijn geen gegevens.")
    return _svg(id, titel, " ".join(zinnen), BREEDTE, hoogte, delen)


def lijndiagram(
    *,
    id: str,
    titel: str,
    jaren: list[int],
    reeksen: list[tuple[str, list[Decimal | None]]],
    eenheid: str = "",
    basiswaarde: Decimal | None = None,
    beschrijving: str = "",
    toon_titel: bool = True,
) -> str:
    """Lines over the years, e.g. an indicator's target and realisation.

    ``jaren`` ascend; a gap between years keeps its width on the axis. A None value breaks
    the line; every known value has a marker, so a lone value still shows. ``basiswaarde``
    adds a dashed horizontal line (the baseline measurement). The value axis starts at
    zero unless the values lie far from it.
    """
    _controleer_id(id)
    if any(b <= a for a, b in itertools.pairwise(jaren)):
        raise ValueError("De jaren moeten oplopen en uniek zijn.")
    waarden = [(naam, [_waarde(w) for w in ws]) for naam, ws in reeksen]
    for naam, ws in waarden:
        if len(ws) != len(jaren):
            raise ValueError(f"Reeks {naam!r} heeft {len(ws)} waarden, verwacht {len(jaren)}.")
    basis = _waarde(basiswaarde)
    bekend = [w for _, ws in waarden for w in ws if w is not None]

    delen, y = _kop(titel, toon_titel)
    namen = [naam for naam, _ in waarden]
    if basis is not None:
        namen.append(f"Basiswaarde ({_volledig(basis, eenheid)})")

    def staal(i: int, x: float, y: float) -> str:
        if i == len(waarden):
            return (
                f'<line x1="{_n(x)}" y1="{_n(y + 7)}" x2="{_n(x + 24)}" y2="{_n(y + 7)}"'
                f' stroke="{ASKLEUR}" stroke-width="2" stroke-dasharray="{BASISLIJN_STREEPJES}"/>'
            )
        return (
            f'<polyline points="{_n(x)},{_n(y + 7)} {_n(x + 24)},{_n(y + 7)}" {_lijnstijl(i)}/>'
            + _markering(i, x + 12, y + 7)
        )

    legenda, y = _legenda(namen, staal, y)
    delen += legenda

    alle = [*bekend, *([basis] if basis is not None else [])]
    laag = min(alle, default=Decimal(0))
    hoog = max(alle, default=Decimal(100))
    if Decimal(0) <= laag <= hoog / 2 or not alle:
        laag = Decimal(0)
    elif hoog <= 0 and hoog >= laag / 2:
        hoog = Decimal(0)
    elif laag > 0:
        # Off zero, the lowest value (often the baseline) keeps clear of the axis.
        laag -= (hoog - laag) / 20
    ticks = _schaalverdeling(laag, hoog, eenheid)
    labels = _ticklabels(ticks, eenheid)
    if eenheid not in ("€", "%", ""):
        delen.append(_text(8, y + 10, _afgekapt(_schoon(eenheid), 300, 11), kleur=ASKLEUR))
        y += 14

    boven = y + 10
    hoogte_plot = 220.0
    onder = boven + hoogte_plot
    links = max(_breedte(label, 11) for label in labels) + 16
    rechts = BREEDTE - 16.0
    hoogte = onder + 30

    def py(waarde: Decimal) -> float:
        return onder - float((waarde - ticks[0]) / (ticks[-1] - ticks[0])) * hoogte_plot

    binnen = 18.0

    def px(jaar: int) -> float:
        if len(jaren) < 2:
            return (links + rechts) / 2
        deel = (jaar - jaren[0]) / (jaren[-1] - jaren[0])
        return links + binnen + deel * (rechts - links - 2 * binnen)

    # Without figures the axis has nothing to measure: only the zero line is drawn.
    for tick, label in zip(ticks, labels, strict=True) if bekend else [(Decimal(0), "")]:
        ty = py(tick)
        kleur = ASKLEUR if tick == 0 else RASTERKLEUR
        delen.append(
            f'<line x1="{_n(links)}" y1="{_n(ty)}" x2="{_n(rechts)}" y2="{_n(ty)}"'
            f' stroke="{kleur}" stroke-width="1"/>'
        )
        if label:
            delen.append(_text(links - 8, ty + 4, label, anker="end"))
    delen.append(
        f'<line x1="{_n(links)}" y1="{_n(onder)}" x2="{_n(rechts)}" y2="{_n(onder)}"'
        f' stroke="{ASKLEUR}" stroke-width="1"/>'
    )
    tussen = (rechts - links - 2 * binnen) / max(jaren[-1] - jaren[0], 1) if jaren else 0
    elke = max(1, math.ceil(40 / tussen)) if tussen else 1
    for jaar in jaren:
        if (jaar - jaren[0]) % elke:
            continue
        x = px(jaar)
        delen.append(
            f'<line x1="{_n(x)}" y1="{_n(onder)}" x2="{_n(x)}" y2="{_n(onder + 5)}"'
            f' stroke="{ASKLEUR}" stroke-width="1"/>'
        )
        delen.append(_text(x, onder + 18, str(jaar), anker="middle"))

    if basis is not None:
        by = py(basis)
        delen.append(
            f'<line x1="{_n(links)}" y1="{_n(by)}" x2="{_n(rechts)}" y2="{_n(by)}"'
            f' stroke="{ASKLEUR}" stroke-width="2" stroke-dasharray="{BASISLIJN_STREEPJES}"/>'
        )
    for r, (_, ws) in enumerate(waarden):
        stuk: list[str] = []
        stukken: list[list[str]] = [stuk]
        for jaar, w in zip(jaren, ws, strict=True):
            if w is None:
                stuk = []
                stukken.append(stuk)
            else:
                stuk.append(f"{_n(px(jaar))},{_n(py(w))}")
        for punten in stukken:
            if len(punten) > 1:
                delen.append(f'<polyline points="{" ".join(punten)}" {_lijnstijl(r)}/>')
    for r, (_, ws) in enumerate(waarden):
        for jaar, w in zip(jaren, ws, strict=True):
            if w is not None:
                delen.append(_markering(r, px(jaar), py(w)))
    if not bekend:
        delen.append(
            _text((links + rechts) / 2, (boven + onder) / 2, "Geen gegevens", anker="middle",
                  grootte=13, kleur=ASKLEUR)
        )  # fmt: skip

    zinnen = [_schoon(beschrijving)] if beschrijving.strip() else []
    periode = f"{jaren[0]} tot en met {jaren[-1]}" if len(jaren) > 1 else "".join(map(str, jaren))
    zinnen.append(
        f"Lijndiagram over {periode or 'geen jaren'} met "
        f"{_meervoud(len(waarden), 'reeks', 'reeksen')}"
        + (f": {_opsomming([n for n, _ in waarden])}." if waarden else ".")
    )
    for naam, ws in waarden:
        cijfers = ", ".join(
            f"{jaar} {_volledig(w, eenheid)}" for jaar, w in zip(jaren, ws, strict=True)
        )
        zinnen.append(f"{_schoon(naam)}: {cijfers}.")
    if basis is not None:
        zinnen.append(f"Basiswaarde: {_volledig(basis, eenheid)}.")
    if not bekend:
        zinnen.append("Er zijn geen gegevens.")
    return _svg(id, titel, " ".join(zinnen), BREEDTE, hoogte, delen)


def percentage(deel: Decimal, geheel: Decimal) -> Decimal | None:
    """``deel`` as a percentage of ``geheel`` with one decimal, None when ``geheel`` is 0.

    Rounded half-up, except that short of the whole it never reads 100,0%.
    """
    deel, geheel = als_decimal(deel), als_decimal(geheel)
    if geheel == 0:
        return None
    waarde = (deel * 100 / geheel).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if waarde == 100 and deel * 100 / geheel < 100:
        waarde = Decimal("99.9")
    return waarde


def voortgangsbalk(
    *,
    id: str,
    titel: str,
    deel: Decimal,
    geheel: Decimal,
    eenheid: str = "",
    beschrijving: str = "",
    toon_titel: bool = True,
) -> str:
    """A small horizontal bar filled to ``deel`` of ``geheel``, with the percentage.

    Beyond the whole the bar is full and the label says how far (e.g. 112,0%); a
    negative part leaves it empty; a whole of zero reads "n.v.t.". ``eenheid`` ("€" for
    money) is used to write out both figures in the description.
    """
    _controleer_id(id)
    deel, geheel = als_decimal(deel), als_decimal(geheel)
    procent = percentage(deel, geheel)
    label = "n.v.t." if procent is None else nl_getal(procent, 1) + "%"

    breedte = 400.0
    delen: list[str] = []
    y = 4.0
    if toon_titel:
        delen.append(
            _text(0, 14, _afgekapt(_schoon(titel), breedte, 12, vet=True), grootte=12, vet=True)
        )
        y = 22.0
    spoor = breedte - 76
    delen.append(
        f'<rect x="0.5" y="{_n(y + 0.5)}" width="{_n(spoor - 1)}" height="17"'
        f' fill="{SPOORKLEUR}" stroke="{SPOORRAND}" stroke-width="1"/>'
    )
    if procent is not None and procent > 0:
        vulling = float(min(procent, Decimal(100)) / 100) * (spoor - 1)
        delen.append(
            f'<rect x="0.5" y="{_n(y + 0.5)}" width="{_n(max(vulling, 1.5))}" height="17"'
            f' fill="{KLEUREN[0]}"/>'
        )
    delen.append(_text(spoor + 8, y + 14, label, grootte=13, vet=True))

    zinnen = [_schoon(beschrijving)] if beschrijving.strip() else []
    zinnen.append(
        f"{_volledig(deel, eenheid)} van {_volledig(geheel, eenheid)}"
        + (f": {label}." if procent is not None else "; een percentage is niet van toepassing.")
    )
    return _svg(id, titel, " ".join(zinnen), breedte, y + 22, delen)
