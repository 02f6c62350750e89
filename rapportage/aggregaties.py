"""Indicator progress at every level, computed from approved measurements with pandas.

Pure functions on DataFrames built from ``.values()`` rows: no database, no Django. The
services in ``rapportage/services.py`` read the rows, call :func:`standen_berekenen` and
write what it returns as ``Indicatorstand`` rows.

Rules (the contract the tests hold this module to):

Periods
    A measurement belongs to one period code: ``2025`` (year), ``2025-H1``, ``2025-K3`` or
    ``2025-07``. Every project indicator gets a row per *native* period it was measured
    in and a row per *year*. The year row is computed from the year's sub-year
    measurements; if the partner measured the whole year itself (code ``2025``), that
    measurement is the year row. Above the project, rows exist for every period code
    some contributing project indicator has: a monthly and a quarterly project meet at
    the year, not at the month or the quarter.

Over time, within one project indicator (its own semantics)
    * ``som``: the sum of the year's periods.
    * ``gemiddelde``: the mean of the year's periods weighted by period length in
      months, so a quarter weighs three months; a year of monthly figures and a year
      of quarterly figures both weigh twelve months.
    * ``laatste``: the value of the latest period (latest end, then latest start: the
      most specific) among the approved measurements.
    * ``cumulatief`` (whatever ``aggregatie`` says): a cumulative figure already adds
      up by itself, so it is never summed over periods: the year value is the latest
      approved value of the year.

Across projects, per programme indicator (the programme indicator's semantics)
    * ``som``: the sum over the contributing project indicators.
    * ``gemiddelde``: the mean weighted by the months each project value covers. That
      is the month-weighted mean of all measurements underneath, so it does not matter
      how projects are grouped first, and a project that reports monthly does not
      outweigh one that reports quarterly.
    * ``laatste`` and ``cumulatief``: stocks at one moment. In additive units (aantal,
      uren, euro) they are summed over the projects *at the same period*, never over
      periods; in percentages and scores every project indicator counts once in a
      plain mean.
    Only project indicators linked to a programme indicator roll up. Focus-area, theme
    and programme rows are each computed directly from the project values, not from
    one another: a project in two focus areas (or themes) counts fully in both, and at
    programme level every project indicator counts exactly once. So focus areas need
    not add up to the programme.

Targets and track
    Project rows take the project target (``Streefwaarde``) of exactly that period code.
    Focus-area and theme rows take the targets of their contributing project indicators,
    combined by the same rule as the values, and only when every contributing project
    indicator has one (a partial target would make the percentage meaningless).
    Programme rows take the programme target (``Programmastreefwaarde``) of the year, on
    year rows only. ``percentage_streefwaarde`` is value / target × 100 (none for a target
    of zero). ``op_koers`` when *higher is better*: value ≥ target − 10 % of |target|
    (≥ 90 % of a positive target); when *lower is better*: value ≤ target + 10 % of
    |target| (≤ 110 %). The running year is compared with its full-year target as it
    stands; a pro-rated trajectory is the early warnings' business.

Numbers
    Values arrive as ``Decimal`` (or as floats read straight from the database) with at
    most four decimals and are computed as float64. For a sum that is exact after
    rounding: the true sum has at most four decimals and the float error of n values of
    magnitude M stays below n·M·2⁻⁵³, far under half a unit in the fourth decimal for
    anything a neighbourhood programme counts (it holds up to about n·M = 4·10¹¹).
    Means and percentages have no exact decimal form anyway; four decimals (two for
    percentages) is more precision than any measurement here carries. These are
    measurements, not money: money is summed in the database as Decimal and never
    passes through here. :func:`als_decimaal` turns results into quantized Decimals.

Identifiers
    Id columns are int64 with 0 for "none", the same identity as the ``Coalesce(…, 0)``
    in the unique constraint of ``Indicatorstand``.

Fingerprints
    Every stand carries a 64-bit fingerprint of its identity and of its values as stored
    (:func:`vingerafdrukken`), written with the row. What is stored is compared with
    what is computed by fingerprint alone (:func:`verschil`), so a full recompute reads
    two numbers per stored row instead of thirteen. The trade-off: a stand changed in
    the database without its fingerprint (by hand, by SQL) still looks correct and is
    not rewritten; clearing its fingerprint makes the next recompute rewrite it. Drift
    of the aggregation's own making is caught: a missed or wrong update, a deleted or a
    superfluous row, a changed measurement, target or link all make the computed
    fingerprints differ from the stored ones.
"""

import re
from decimal import Decimal

import numpy as np
import pandas as pd

GOEDGEKEURD = "goedgekeurd"
PROJECT, FOCUSGEBIED, THEMA, PROGRAMMA = "project", "focusgebied", "thema", "programma"
NIVEAUS = (PROJECT, FOCUSGEBIED, THEMA, PROGRAMMA)
ADDITIEVE_EENHEDEN = frozenset({"aantal", "uren", "euro"})
MARGE_OP_KOERS = 0.10
# Percentages beyond what Indicatorstand.percentage_streefwaarde holds (10 digits, 2
# decimals) mean a target near zero, not progress; they are left empty.
MAX_PERCENTAGE = 99_999_999.99

ID_KOLOMMEN = ["indicator_id", "programma_indicator_id", "project_id", "focusgebied_id", "thema_id"]
SLEUTEL = ["niveau", *ID_KOLOMMEN, "periode"]
WAARDE_KOLOMMEN = [
    "waarde",
    "streefwaarde",
    "percentage_streefwaarde",
    "op_koers",
    "aantal_metingen",
]
STAND_KOLOMMEN = [*SLEUTEL, *WAARDE_KOLOMMEN]


# --- periods ---------------------------------------------------------------------------
#
# Inside this module a period is an int: year × 100 + part, where part is 0 for the
# year, 1–12 for a month, 21–22 for a half year and 31–34 for a quarter. Ints sort,
# group and compare at numpy speed; codes are turned back into text on the way out.

_PERIODE = re.compile(r"^(\d{4})(?:-(?:H([12])|K([1-4])|(0[1-9]|1[0-2])))?$")
_START = np.zeros(35, dtype=np.int64)
_LENGTE = np.zeros(35, dtype=np.int64)
_START[0], _LENGTE[0] = 1, 12
for _m in range(1, 13):
    _START[_m], _LENGTE[_m] = _m, 1
for _h in (1, 2):
    _START[20 + _h], _LENGTE[20 + _h] = (_h - 1) * 6 + 1, 6
for _k in range(1, 5):
    _START[30 + _k], _LENGTE[30 + _k] = (_k - 1) * 3 + 1, 3


def periodecode(code: str) -> int:
    """The int of a period code: ``2025`` → 202500, ``2025-07`` → 202507, ``2025-H2`` →
    202522, ``2025-K3`` → 202533."""
    match = _PERIODE.fullmatch(code)
    if match is None:
        raise ValueError(f"Ongeldige periode {code!r}.")
    jaar = int(match[1]) * 100
    if match[2]:
        return jaar + 20 + int(match[2])
    if match[3]:
        return jaar + 30 + int(match[3])
    if match[4]:
        return jaar + int(match[4])
    return jaar


def periodetekst(code: int) -> str:
    jaar, deel = divmod(int(code), 100)
    if deel == 0:
        return str(jaar)
    if deel <= 12:
        return f"{jaar}-{deel:02d}"
    if deel <= 22:
        return f"{jaar}-H{deel - 20}"
    return f"{jaar}-K{deel - 30}"


def periodecodes(teksten: pd.Series | np.ndarray, *, ongeldig: int | None = None) -> np.ndarray:
    """Codes for many period texts, parsing each distinct text once. A text that is no
    period raises ValueError, or becomes ``ongeldig`` when that is given."""
    posities, uniek = pd.factorize(np.asarray(teksten, dtype=object))
    tabel = np.array([_code_van(str(t), ongeldig) for t in uniek], dtype=np.int64)
    return tabel[posities] if len(posities) else np.zeros(0, dtype=np.int64)


def _code_van(tekst: str, ongeldig: int | None) -> int:
    try:
        return periodecode(tekst)
    except ValueError:
        if ongeldig is None:
            raise
        return ongeldig


def periodeteksten(codes: np.ndarray) -> pd.Categorical:
    """Period texts for codes, as a categorical: one string object per distinct period."""
    posities, uniek = pd.factorize(np.asarray(codes, dtype=np.int64), sort=True)
    return pd.Categorical.from_codes(posities, categories=[periodetekst(c) for c in uniek])


def _start_en_lengte(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    deel = codes % 100
    return _START[deel], _LENGTE[deel]


# --- grouping --------------------------------------------------------------------------


def _groepen(kolommen: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group number (0 … g−1) of every row for the combination of the key columns, and
    the key values of every group."""
    n = len(kolommen[0])
    codes, uniek = [], []
    aantal = 1
    for kolom in kolommen:
        c, u = pd.factorize(kolom)
        codes.append(c.astype(np.int64))
        uniek.append(np.asarray(u))
        aantal *= max(len(u), 1)
    if aantal >= 2**62:  # too many combinations for one int64: let pandas group
        frame = pd.DataFrame({i: c for i, c in enumerate(codes)})
        groep = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy(np.int64)
        eerste = np.unique(groep, return_index=True)[1]
        return groep, [u[c[eerste]] for c, u in zip(codes, uniek, strict=True)]
    gecombineerd = np.zeros(n, dtype=np.int64)
    for c, u in zip(codes, uniek, strict=True):
        gecombineerd = gecombineerd * max(len(u), 1) + c
    groep, combinaties = pd.factorize(gecombineerd)
    waarden = []
    rest = np.asarray(combinaties, dtype=np.int64)
    for u in reversed(uniek):
        waarden.append(u[rest % max(len(u), 1)])
        rest = rest // max(len(u), 1)
    return groep.astype(np.int64), waarden[::-1]


def _som(groep: np.ndarray, aantal: int, waarden: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(groep, weights=waarden, minlength=aantal)


def _combineer(
    groep: np.ndarray,
    aantal: int,
    waarde: np.ndarray,
    gewicht: np.ndarray,
    metingen: np.ndarray,
    streef: np.ndarray,
    gemiddeld: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per group: value, weight, number of measurements and target (see samenvoegen)."""
    gewicht_som = _som(groep, aantal, gewicht)
    zonder = _som(groep, aantal, np.isnan(streef).astype(np.float64)) > 0
    s = np.nan_to_num(streef)
    with np.errstate(invalid="ignore", divide="ignore"):
        waarde_g = np.where(
            gemiddeld,
            _som(groep, aantal, waarde * gewicht) / gewicht_som,
            _som(groep, aantal, waarde),
        )
        streef_g = np.where(
            gemiddeld, _som(groep, aantal, s * gewicht) / gewicht_som, _som(groep, aantal, s)
        )
    streef_g[zonder] = np.nan
    aantal_g = _som(groep, aantal, metingen.astype(np.float64)).astype(np.int64)
    return waarde_g, gewicht_som, aantal_g, streef_g


def samenvoegen(rijen: pd.DataFrame, sleutels: list[str]) -> pd.DataFrame:
    """Combine rows per ``sleutels``. Columns: ``waarde``, ``gewicht``, ``aantal_metingen``,
    ``modus`` (``som`` or ``gemiddelde``, the same within a group) and optionally
    ``streefwaarde``.

    ``som`` adds the values; ``gemiddelde`` takes Σ(waarde·gewicht) / Σgewicht. The result
    carries Σgewicht and Σaantal_metingen, so combining combined rows again gives what
    combining everything at once gives. A group's target is combined the same way, and
    is none as soon as one row of the group lacks one.
    """
    groep, waarden = _groepen([rijen[k].to_numpy() for k in sleutels])
    aantal = len(waarden[0]) if waarden else 0
    gemiddeld = np.zeros(aantal, dtype=bool)
    gemiddeld[groep] = (rijen["modus"] == "gemiddelde").to_numpy()
    streef = (
        rijen["streefwaarde"].to_numpy(dtype=np.float64, na_value=np.nan)
        if "streefwaarde" in rijen.columns
        else np.full(len(rijen), np.nan)
    )
    waarde, gewicht, metingen, streefwaarde = _combineer(
        groep,
        aantal,
        rijen["waarde"].to_numpy(dtype=np.float64),
        rijen["gewicht"].to_numpy(dtype=np.float64),
        rijen["aantal_metingen"].to_numpy(dtype=np.int64),
        streef,
        gemiddeld,
    )
    uit = pd.DataFrame(dict(zip(sleutels, waarden, strict=True)))
    uit["waarde"] = waarde
    uit["gewicht"] = gewicht
    uit["aantal_metingen"] = metingen
    uit["streefwaarde"] = streefwaarde
    return uit


# --- reading the input frames ----------------------------------------------------------


def _getallen(reeks: pd.Series) -> np.ndarray:
    """Decimals, floats or None as float64 with NaN for none."""
    if reeks.dtype == object:
        return np.array([np.nan if w is None else float(w) for w in reeks], dtype=np.float64)
    return reeks.to_numpy(dtype=np.float64, na_value=np.nan)


def _ids(reeks: pd.Series | np.ndarray) -> np.ndarray:
    return pd.Series(reeks).fillna(0).to_numpy(dtype=np.int64)


def _opzoeken(
    sleutel: np.ndarray, tabel_sleutel: np.ndarray, tabel_waarde: np.ndarray
) -> np.ndarray:
    """The float in ``tabel_waarde`` at the position of every ``sleutel`` in
    ``tabel_sleutel``; NaN where it is not there."""
    uit = np.full(len(sleutel), np.nan)
    if len(tabel_sleutel):
        positie = pd.Index(tabel_sleutel).get_indexer(sleutel)
        gevonden = positie >= 0
        uit[gevonden] = np.asarray(tabel_waarde, dtype=np.float64)[positie[gevonden]]
    return uit


# --- over time: one project indicator --------------------------------------------------


def _projectwaarden(
    indicator: np.ndarray, periode: np.ndarray, waarde: np.ndarray, indicatoren: pd.DataFrame
) -> dict[str, np.ndarray]:
    """The native and year values of project indicators (periods as codes)."""
    tabel = indicatoren["indicator_id"].to_numpy(dtype=np.int64)
    positie = pd.Index(tabel).get_indexer(indicator)
    if (positie < 0).any():
        bekend = positie >= 0
        indicator, periode, waarde, positie = (
            indicator[bekend],
            periode[bekend],
            waarde[bekend],
            positie[bekend],
        )
    start, lengte = _start_en_lengte(periode)
    eigen = {
        "indicator_id": indicator,
        "periode": periode,
        "waarde": waarde,
        "gewicht": lengte.astype(np.float64),
        "aantal_metingen": np.ones(len(indicator), dtype=np.int64),
    }
    deel = lengte < 12
    if not deel.any():
        return eigen

    jaar = periode // 100
    sleutel = indicator[deel] * 10_000 + jaar[deel]
    groep, jaarsleutels = pd.factorize(sleutel)
    groep = groep.astype(np.int64)
    aantal = len(jaarsleutels)
    w, m = waarde[deel], lengte[deel].astype(np.float64)
    # Latest period of every group: sort by group, then end month, then start month.
    volgorde = np.lexsort(((start)[deel], (start + lengte)[deel], groep))
    grens = np.flatnonzero(np.diff(groep[volgorde]))
    laatste = w[volgorde[np.append(grens, len(volgorde) - 1)]]

    jaarsleutels = np.asarray(jaarsleutels, dtype=np.int64)
    semantiek = pd.Index(tabel).get_indexer(jaarsleutels // 10_000)
    aggregatie = indicatoren["aggregatie"].to_numpy(dtype=object)[semantiek]
    cumulatief = indicatoren["cumulatief"].to_numpy(dtype=bool)[semantiek]
    gewicht = _som(groep, aantal, m)
    with np.errstate(invalid="ignore", divide="ignore"):
        jaarwaarde = np.select(
            [cumulatief | (aggregatie == "laatste"), aggregatie == "gemiddelde"],
            [laatste, _som(groep, aantal, w * m) / gewicht],
            default=_som(groep, aantal, w),
        )
    # A measurement of the whole year is what the partner reported for the year: it
    # is the year row, not the roll-up of the months beside it.
    heel_jaar = indicator[~deel] * 10_000 + jaar[~deel]
    nieuw = ~np.isin(jaarsleutels, heel_jaar)
    return {
        "indicator_id": np.concatenate([indicator, jaarsleutels[nieuw] // 10_000]),
        "periode": np.concatenate([periode, (jaarsleutels[nieuw] % 10_000) * 100]),
        "waarde": np.concatenate([waarde, jaarwaarde[nieuw]]),
        "gewicht": np.concatenate([eigen["gewicht"], gewicht[nieuw]]),
        "aantal_metingen": np.concatenate(
            [eigen["aantal_metingen"], _som(groep, aantal).astype(np.int64)[nieuw]]
        ),
    }


def _metingen_invoer(metingen: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if "status" in metingen.columns:
        metingen = metingen[metingen["status"] == GOEDGEKEURD]
    return (
        _ids(metingen["indicator_id"]),
        periodecodes(metingen["periode"]),
        _getallen(metingen["waarde"]),
    )


def projectwaarden(metingen: pd.DataFrame, indicatoren: pd.DataFrame) -> pd.DataFrame:
    """Per project indicator: one row per native period and one per year.

    ``metingen``: ``indicator_id``, ``periode``, ``waarde`` and optionally ``status`` (then
    only approved rows count; without it the caller has filtered already).
    ``indicatoren``: ``indicator_id``, ``aggregatie``, ``cumulatief``.

    Returns ``indicator_id``, ``periode``, ``waarde`` (float), ``gewicht`` (months covered)
    and ``aantal_metingen``. Measurements of unknown indicators are ignored.
    """
    waarden = _projectwaarden(*_metingen_invoer(metingen), indicatoren)
    uit = pd.DataFrame(waarden)
    uit["periode"] = [periodetekst(c) for c in waarden["periode"]]
    return uit


# --- targets and track -----------------------------------------------------------------


def voortgang(
    waarde: np.ndarray, streefwaarde: np.ndarray, lager_is_beter: np.ndarray
) -> tuple[np.ndarray, pd.arrays.BooleanArray]:
    """Percentage of target (two decimals, NaN for none) and on/off track (NA for none);
    see the module rules."""
    w = np.asarray(waarde, dtype=np.float64)
    s = np.asarray(streefwaarde, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        percentage = np.round(w / s * 100, 2)
    percentage[~np.isfinite(percentage) | (np.abs(percentage) > MAX_PERCENTAGE)] = np.nan
    # At exactly 90 % (or 110 %) a stand is on track; the float error of the margin must
    # not tip it over. Values have four decimals, so real differences are far larger.
    marge = np.abs(s) * MARGE_OP_KOERS + 1e-9 * np.maximum(np.abs(s), 1)
    with np.errstate(invalid="ignore"):
        koers = np.where(lager_is_beter, w <= s + marge, w >= s - marge)
    op_koers = pd.array(koers, dtype="boolean")
    op_koers[np.isnan(s) | np.isnan(w)] = pd.NA
    return percentage, op_koers


# --- everything ------------------------------------------------------------------------


def combinatiemodus(aggregatie: str, cumulatief: bool, eenheid: str) -> str:
    """How the values of several project indicators at one period combine: ``som``,
    ``gemiddelde`` (weighted by months) or ``per_project`` (each counts once)."""
    if aggregatie == "gemiddelde" and not cumulatief:
        return "gemiddelde"
    if aggregatie == "som" and not cumulatief:
        return "som"
    return "som" if eenheid in ADDITIEVE_EENHEDEN else "per_project"


def standen_berekenen(
    *,
    metingen: pd.DataFrame,
    indicatoren: pd.DataFrame,
    streefwaarden: pd.DataFrame,
    programma_indicatoren: pd.DataFrame,
    programmastreefwaarden: pd.DataFrame,
    projectgebieden: pd.DataFrame,
    projectthemas: pd.DataFrame,
) -> pd.DataFrame:
    """All stands the given measurements make, with the columns of :data:`STAND_KOLOMMEN`.

    ``metingen``: ``indicator_id``, ``periode``, ``waarde`` [, ``status``].
    ``indicatoren``: ``indicator_id``, ``project_id``, ``programma_indicator_id`` (None or
    0 when not linked), ``aggregatie``, ``cumulatief``, ``richting``.
    ``streefwaarden``: ``indicator_id``, ``periode``, ``waarde``.
    ``programma_indicatoren``: ``programma_indicator_id``, ``aggregatie``, ``cumulatief``,
    ``richting``, ``eenheid``.
    ``programmastreefwaarden``: ``programma_indicator_id``, ``jaar``, ``waarde``.
    ``projectgebieden``: ``project_id``, ``focusgebied_id``; ``projectthemas``:
    ``project_id``, ``thema_id``.

    ``niveau`` and ``periode`` are categoricals; ``waarde`` and ``streefwaarde`` are floats
    rounded to four decimals, the percentage to two, NaN for none; ``op_koers`` is a
    nullable boolean; ids are 0 where a level has none. Row order is not part of the
    contract.
    """
    w = _projectwaarden(*_metingen_invoer(metingen), indicatoren)
    tabel = indicatoren["indicator_id"].to_numpy(dtype=np.int64)
    positie = pd.Index(tabel).get_indexer(w["indicator_id"])
    project_van = _ids(indicatoren["project_id"])
    pi_van = _ids(indicatoren["programma_indicator_id"])
    lager_van = (indicatoren["richting"] == "lager").to_numpy()
    n = len(positie)

    streef_sleutel = _ids(streefwaarden["indicator_id"]) * 1_000_000 + periodecodes(
        streefwaarden["periode"]
    )
    project_streef = _opzoeken(
        w["indicator_id"] * 1_000_000 + w["periode"],
        streef_sleutel,
        np.round(_getallen(streefwaarden["waarde"]), 4),
    )
    delen = [
        {
            "niveau": np.zeros(n, dtype=np.int64),
            "indicator_id": w["indicator_id"],
            "programma_indicator_id": np.zeros(n, dtype=np.int64),
            "project_id": project_van[positie] if n else np.zeros(0, dtype=np.int64),
            "focusgebied_id": np.zeros(n, dtype=np.int64),
            "thema_id": np.zeros(n, dtype=np.int64),
            "periode": w["periode"],
            "waarde": np.round(w["waarde"], 4),
            "streefwaarde": project_streef,
            "aantal_metingen": w["aantal_metingen"],
            "lager": lager_van[positie] if n else np.zeros(0, dtype=bool),
        }
    ]
    pi_rij = pi_van[positie] if n else np.zeros(0, dtype=np.int64)
    delen += _bovenliggend(
        w,
        pi_rij,
        project_van[positie] if n else np.zeros(0, dtype=np.int64),
        project_streef,
        programma_indicatoren,
        programmastreefwaarden,
        projectgebieden,
        projectthemas,
    )
    alles = {k: np.concatenate([d[k] for d in delen]) for k in delen[0]}
    percentage, op_koers = voortgang(alles["waarde"], alles["streefwaarde"], alles["lager"])
    return pd.DataFrame(
        {
            "niveau": pd.Categorical.from_codes(alles["niveau"], categories=list(NIVEAUS)),
            "indicator_id": alles["indicator_id"],
            "programma_indicator_id": alles["programma_indicator_id"],
            "project_id": alles["project_id"],
            "focusgebied_id": alles["focusgebied_id"],
            "thema_id": alles["thema_id"],
            "periode": periodeteksten(alles["periode"]),
            "waarde": alles["waarde"],
            "streefwaarde": alles["streefwaarde"],
            "percentage_streefwaarde": percentage,
            "op_koers": op_koers,
            "aantal_metingen": alles["aantal_metingen"],
        }
    )


def _bovenliggend(
    w: dict[str, np.ndarray],
    pi: np.ndarray,
    project: np.ndarray,
    project_streef: np.ndarray,
    programma_indicatoren: pd.DataFrame,
    programmastreefwaarden: pd.DataFrame,
    projectgebieden: pd.DataFrame,
    projectthemas: pd.DataFrame,
) -> list[dict[str, np.ndarray]]:
    """Focus-area, theme and programme rows of the programme indicators."""
    pis = programma_indicatoren
    pi_tabel = _ids(pis["programma_indicator_id"]) if len(pis) else np.zeros(0, np.int64)
    positie = pd.Index(pi_tabel).get_indexer(pi)
    rol = positie >= 0  # linked to a known programme indicator
    if not rol.any():
        return []
    modus = np.array(
        [
            combinatiemodus(a, bool(c), e)
            for a, c, e in zip(pis["aggregatie"], pis["cumulatief"], pis["eenheid"], strict=True)
        ],
        dtype=object,
    )[positie[rol]]
    basis = {
        "pi": pi[rol],
        "project": project[rol],
        "periode": w["periode"][rol],
        "waarde": np.round(w["waarde"][rol], 4),
        "gewicht": np.where(modus == "per_project", 1.0, w["gewicht"][rol]),
        "aantal_metingen": w["aantal_metingen"][rol],
        "streef": project_streef[rol],
        "gemiddeld": modus != "som",
    }

    lager_per_pi = (pis["richting"] == "lager").to_numpy()
    delen = []
    alle_rijen = np.arange(len(basis["pi"]))
    for code, rijen, gebied in (
        (1, *_uitvouwen(basis["project"], projectgebieden, "focusgebied_id")),
        (2, *_uitvouwen(basis["project"], projectthemas, "thema_id")),
        (3, alle_rijen, np.zeros(len(alle_rijen), dtype=np.int64)),
    ):
        if not len(rijen):
            continue
        groep, (g_pi, g_gebied, g_periode) = _groepen(
            [basis["pi"][rijen], gebied, basis["periode"][rijen]]
        )
        aantal = len(g_pi)
        gemiddeld = np.zeros(aantal, dtype=bool)
        gemiddeld[groep] = basis["gemiddeld"][rijen]
        waarde, _, metingen, streef = _combineer(
            groep,
            aantal,
            basis["waarde"][rijen],
            basis["gewicht"][rijen],
            basis["aantal_metingen"][rijen],
            basis["streef"][rijen],
            gemiddeld,
        )
        if code == 3:
            streef = _programmadoelen(g_pi, g_periode, programmastreefwaarden)
        leeg = np.zeros(aantal, dtype=np.int64)
        delen.append(
            {
                "niveau": np.full(aantal, code, dtype=np.int64),
                "indicator_id": leeg,
                "programma_indicator_id": g_pi.astype(np.int64),
                "project_id": leeg,
                "focusgebied_id": g_gebied.astype(np.int64) if code == 1 else leeg,
                "thema_id": g_gebied.astype(np.int64) if code == 2 else leeg,
                "periode": g_periode.astype(np.int64),
                "waarde": np.round(waarde, 4),
                "streefwaarde": np.round(streef, 4),
                "aantal_metingen": metingen,
                "lager": lager_per_pi[pd.Index(pi_tabel).get_indexer(g_pi)],
            }
        )
    return delen


def _uitvouwen(
    project: np.ndarray, koppeling: pd.DataFrame, kolom: str
) -> tuple[np.ndarray, np.ndarray]:
    """For a many-to-many link: the row numbers repeated once per linked area (or theme),
    and that area's id."""
    if koppeling.empty:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    k_project = _ids(koppeling["project_id"])
    k_gebied = _ids(koppeling[kolom])
    volgorde = np.argsort(k_project, kind="stable")
    k_project, k_gebied = k_project[volgorde], k_gebied[volgorde]
    begin = np.searchsorted(k_project, project, side="left")
    aantal = np.searchsorted(k_project, project, side="right") - begin
    rijen = np.repeat(np.arange(len(project)), aantal)
    # Position of each repeated row within its project's links.
    binnen = np.arange(len(rijen)) - np.repeat(np.cumsum(aantal) - aantal, aantal)
    return rijen, k_gebied[np.repeat(begin, aantal) + binnen]


def _programmadoelen(
    pi: np.ndarray, periode: np.ndarray, programmastreefwaarden: pd.DataFrame
) -> np.ndarray:
    """The programme target of the year, on year rows only."""
    if programmastreefwaarden.empty:
        return np.full(len(pi), np.nan)
    tabel = (
        _ids(programmastreefwaarden["programma_indicator_id"]) * 1_000_000
        + programmastreefwaarden["jaar"].to_numpy(dtype=np.int64) * 100
    )
    doel = _opzoeken(
        pi.astype(np.int64) * 1_000_000 + periode.astype(np.int64),
        tabel,
        _getallen(programmastreefwaarden["waarde"]),
    )
    doel[periode % 100 != 0] = np.nan
    return doel


# --- comparing with what is stored ----------------------------------------------------


def _niveaucodes(niveau: pd.Series) -> np.ndarray:
    """Index in :data:`NIVEAUS` of every level; -1 for anything else."""
    if isinstance(niveau.dtype, pd.CategoricalDtype):
        tabel = pd.Index(NIVEAUS).get_indexer(niveau.cat.categories)
        codes = niveau.cat.codes.to_numpy(dtype=np.int64)
        return np.where(codes >= 0, tabel[codes], -1)
    return pd.Index(NIVEAUS).get_indexer(np.asarray(niveau, dtype=object)).astype(np.int64)


def _periodecodes_van(periode: pd.Series) -> np.ndarray:
    """Period codes of a column of texts (or a categorical of them); -1 where invalid."""
    if isinstance(periode.dtype, pd.CategoricalDtype):
        tabel = periodecodes(np.asarray(periode.cat.categories, dtype=object), ongeldig=-1)
        codes = periode.cat.codes.to_numpy(dtype=np.int64)
        return np.where(codes >= 0, tabel[codes], -1)
    return periodecodes(np.asarray(periode, dtype=object), ongeldig=-1)


def _identiteit(standen: pd.DataFrame) -> list[np.ndarray]:
    """The identity of stands as int columns: level index, the five ids (0 for none) and
    the period code; -1 for a level or period that is not valid."""
    return [
        _niveaucodes(standen["niveau"]),
        *(_ids(standen[k]) for k in ID_KOLOMMEN),
        _periodecodes_van(standen["periode"]),
    ]


# The splitmix64 finaliser: a bijection of 64 bits in which every input bit reaches every
# output bit. Fixed constants and no seed: a fingerprint written by one process is
# compared by another, on another machine, months later.
_MENG1 = np.uint64(0xBF58476D1CE4E5B9)
_MENG2 = np.uint64(0x94D049BB133111EB)
_BEGIN = np.uint64(0x4F6E7473636F6874)  # "Ontschot"


def _meng(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(30))
    x = x * _MENG1
    x = x ^ (x >> np.uint64(27))
    x = x * _MENG2
    return x ^ (x >> np.uint64(31))


def _vast(getallen: np.ndarray, decimalen: int) -> tuple[np.ndarray, np.ndarray]:
    """Numbers as a decimal column with ``decimalen`` places keeps them: the count of units
    of the last place as int64, and per number its form: 0 such a count, 1 none, 2 too
    large to count in 62 bits (far beyond anything measured here), whose float bits
    then stand in for it. Floats a rounding error apart count the same."""
    geschaald = getallen * 10.0**decimalen
    leeg = np.isnan(getallen)
    groot = ~leeg & ~(np.abs(geschaald) < 2.0**62)
    eenheden = np.rint(np.where(leeg | groot, 0.0, geschaald)).astype(np.int64)
    bits = (getallen + 0.0).view(np.int64)  # + 0.0 makes −0.0 plain 0.0
    return np.where(groot, bits, eenheden), np.where(leeg, 1, np.where(groot, 2, 0))


def _koers(reeks: pd.Series) -> np.ndarray:
    """``op_koers`` as 0 (off track), 1 (on track) or 2 (none)."""
    koers = pd.array(reeks, dtype="boolean")
    return np.where(koers.isna(), 2, koers.to_numpy(dtype=np.int64, na_value=0))


def vingerafdrukken(standen: pd.DataFrame) -> np.ndarray:
    """A 64-bit fingerprint per stand (int64, never 0) of everything ``Indicatorstand``
    stores of it but its timestamp: level, the five ids (0 for none), period, value and
    target at four decimals, percentage at two, track and number of measurements.

    ``standen`` has the columns of :data:`STAND_KOLOMMEN` as :func:`standen_berekenen`
    returns them, or as read back from the database (texts, Decimals or floats, None).
    The fingerprint depends on the stored values only: the same in every process and on
    every machine, whatever the row order, and whether a value arrives as the computed
    float, as a Decimal or as the float the database gives back. Stands that differ in
    any stored value have different fingerprints, barring a chance of about 2⁻⁶⁴ per
    pair.

    Changing this function changes every fingerprint: the next full recompute then
    rewrites every stand once."""
    waarde, vorm_waarde = _vast(_getallen(standen["waarde"]), 4)
    streef, vorm_streef = _vast(_getallen(standen["streefwaarde"]), 4)
    percentage, vorm_percentage = _vast(_getallen(standen["percentage_streefwaarde"]), 2)
    vorm = vorm_waarde + 3 * vorm_streef + 9 * vorm_percentage + 27 * _koers(standen["op_koers"])
    kolommen = [
        *_identiteit(standen),
        waarde,
        streef,
        percentage,
        vorm,
        _ids(standen["aantal_metingen"]),
    ]
    afdruk = np.full(len(standen), _BEGIN, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for kolom in kolommen:
            afdruk = _meng(afdruk ^ np.asarray(kolom, dtype=np.int64).view(np.uint64))
    uit = afdruk.view(np.int64)
    uit[uit == 0] = 1  # 0 is a stored row without a fingerprint
    return uit


def verschil(nieuw: np.ndarray, bestaand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What to write so that the stored stands become the computed ones, given their
    fingerprints (:func:`vingerafdrukken`; 0 for a stored row without one): a mask over
    ``nieuw`` of the rows to insert and a mask over ``bestaand`` of the rows to delete
    (delete first).

    A stored row is left alone when a computed row has its fingerprint: the same
    identity with the same values. Any other stored row is deleted: one whose identity
    is no longer computed, one whose values differ (its identity comes back with the
    new values), one without a fingerprint, and a second row with a fingerprint already
    kept."""
    nieuw = np.asarray(nieuw, dtype=np.int64)
    bestaand = np.asarray(bestaand, dtype=np.int64)
    index = pd.Index(bestaand)
    if index.is_unique:  # as always once every row has one: one hash table, one lookup
        positie = index.get_indexer(nieuw)
        gevonden = positie >= 0
        behouden = np.zeros(len(bestaand), dtype=bool)
        behouden[positie[gevonden]] = True
        return ~gevonden, ~(behouden & (bestaand != 0))
    toevoegen = ~pd.Series(nieuw).isin(bestaand).to_numpy()
    behouden = pd.Series(bestaand).isin(nieuw).to_numpy() & (bestaand != 0)
    if behouden.any():
        behouden &= ~pd.Series(bestaand).duplicated().to_numpy()
    return toevoegen, ~behouden


# --- out -------------------------------------------------------------------------------

_KWANTUM = {4: Decimal("0.0001"), 2: Decimal("0.01")}


def als_decimaal(getal: float | None, decimalen: int = 4) -> Decimal | None:
    """A computed float as a Decimal quantized to ``decimalen`` (4 or 2); NaN is None."""
    if getal is None or getal != getal:  # NaN
        return None
    return Decimal(f"{getal:.{decimalen}f}").quantize(_KWANTUM[decimalen])
