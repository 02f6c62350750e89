"""Properties of the aggregation that must hold for any data (hypothesis), without a
database: sums roll up the same however the projects are grouped, a cumulative series
never grows by summing, means weigh by months, and 'laatste' takes the latest approved."""

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rapportage import aggregaties as agg

ALLE_CODES = [
    "2025",
    "2025-H1",
    "2025-H2",
    *(f"2025-K{k}" for k in range(1, 5)),
    *(f"2025-{m:02d}" for m in range(1, 13)),
]
DEELCODES = ALLE_CODES[1:]
MAANDEN = ALLE_CODES[7:]

# Measurements carry at most four decimals; a neighbourhood programme counts in the
# millions at most.
waarden = st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False)
positieve_waarden = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False)


def vier(getal: float) -> Decimal:
    result = agg.als_decimaal(getal)
    assert result is not None
    return result


def frame(rijen: list[tuple], kolommen: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rijen, columns=kolommen)


def semantiek(indicator_ids, **velden) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_id": i,
                "project_id": i,
                "programma_indicator_id": 1,
                "aggregatie": "som",
                "cumulatief": False,
                "richting": "hoger",
            }
            | velden
            for i in indicator_ids
        ]
    )


def programma_waarden(m: pd.DataFrame, ind: pd.DataFrame, **pi) -> dict[str, float]:
    standen = agg.standen_berekenen(
        metingen=m,
        indicatoren=ind,
        streefwaarden=frame([], ["indicator_id", "periode", "waarde"]),
        programma_indicatoren=pd.DataFrame(
            [
                {
                    "programma_indicator_id": 1,
                    "aggregatie": "som",
                    "cumulatief": False,
                    "richting": "hoger",
                    "eenheid": "aantal",
                }
                | pi
            ]
        ),
        programmastreefwaarden=frame([], ["programma_indicator_id", "jaar", "waarde"]),
        projectgebieden=frame([], ["project_id", "focusgebied_id"]),
        projectthemas=frame([], ["project_id", "thema_id"]),
    )
    programma = standen[standen["niveau"] == agg.PROGRAMMA]
    return dict(
        zip(np.asarray(programma["periode"], dtype=object), programma["waarde"], strict=True)
    )


# --- sums: the parts roll up to the whole --------------------------------------------------

rijen_met_groep = st.lists(
    st.tuples(
        st.integers(0, 3),  # key: which period
        waarden,
        st.integers(1, 12),  # weight: months covered
        st.integers(1, 3),  # measurements behind the value
        st.integers(0, 4),  # the group this row is combined in first
    ),
    min_size=1,
    max_size=40,
)


def samen(rijen: pd.DataFrame, modus: str) -> pd.DataFrame:
    return agg.samenvoegen(rijen.assign(modus=modus), ["sleutel"]).set_index("sleutel")


def rijen_frame(rijen: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        [(k, float(w), g, n, groep) for k, w, g, n, groep in rijen],
        columns=["sleutel", "waarde", "gewicht", "aantal_metingen", "groep"],
    )


@given(rijen_met_groep)
def test_sum_of_groups_of_projects_equals_sum_of_all_projects(rijen):
    alle = rijen_frame(rijen)
    in_een_keer = samen(alle, "som")
    per_groep = pd.concat(samen(deel, "som").reset_index() for _, deel in alle.groupby("groep"))
    in_twee_stappen = samen(per_groep, "som")
    for sleutel, verwacht in in_een_keer.iterrows():
        gevonden = in_twee_stappen.loc[sleutel]
        assert vier(gevonden["waarde"]) == vier(verwacht["waarde"])
        assert gevonden["aantal_metingen"] == verwacht["aantal_metingen"]
        exact = sum(Decimal(str(r[1])) for r in rijen if r[0] == sleutel)
        assert vier(verwacht["waarde"]) == exact


@given(rijen_met_groep)
def test_weighted_mean_of_groups_equals_weighted_mean_of_all(rijen):
    alle = rijen_frame(rijen)
    in_een_keer = samen(alle, "gemiddelde")
    per_groep = pd.concat(
        samen(deel, "gemiddelde").reset_index() for _, deel in alle.groupby("groep")
    )
    in_twee_stappen = samen(per_groep, "gemiddelde")
    for sleutel, verwacht in in_een_keer.iterrows():
        exact = sum(Fraction(r[1]) * r[2] for r in rijen if r[0] == sleutel) / sum(
            r[2] for r in rijen if r[0] == sleutel
        )
        assert abs(Fraction(verwacht["waarde"]) - exact) < Fraction(1, 10**6)
        assert abs(in_twee_stappen.loc[sleutel, "waarde"] - verwacht["waarde"]) < 1e-6


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(MAANDEN), positieve_waarden),
        min_size=1,
        max_size=12,
        unique_by=lambda r: r[0],
    ).flatmap(
        lambda metingen: st.tuples(
            st.just(metingen),
            st.lists(st.integers(1, 4), min_size=len(metingen), max_size=len(metingen)),
        )
    )
)
def test_programme_sum_is_the_sum_of_the_project_years_however_projects_are_split(data):
    metingen, projecten = data
    m = frame(
        [(p, code, w) for (code, w), p in zip(metingen, projecten, strict=True)],
        ["indicator_id", "periode", "waarde"],
    )
    alles = programma_waarden(m, semantiek(range(1, 5)))
    apart = [
        programma_waarden(m[m["indicator_id"] == p], semantiek(range(1, 5))) for p in set(projecten)
    ]
    assert vier(alles["2025"]) == sum(vier(deel["2025"]) for deel in apart)
    assert vier(alles["2025"]) == sum(w for _, w in metingen)


# --- a cumulative series never grows by summing --------------------------------------------


cumulatieve_reeks = st.lists(
    st.tuples(st.sampled_from(MAANDEN), positieve_waarden, st.booleans()),
    min_size=1,
    max_size=12,
    unique_by=lambda r: r[0],
).map(
    # A running total: sorted by month, each stand at least the one before.
    lambda rijen: [
        (code, sum((w for _, w, _ in sorted(rijen)[: i + 1]), Decimal(0)), goed)
        for i, (code, _, goed) in enumerate(sorted(rijen))
    ]
)


@settings(deadline=None)
@given(cumulatieve_reeks, st.sampled_from(["laatste", "gemiddelde"]))
def test_year_of_a_cumulative_series_is_its_latest_approved_stand(reeks, aggregatie):
    m = frame(
        [(1, code, w, "goedgekeurd" if goed else "ingediend") for code, w, goed in reeks],
        ["indicator_id", "periode", "waarde", "status"],
    )
    w = agg.projectwaarden(m, semantiek([1], cumulatief=True, aggregatie=aggregatie))
    goedgekeurd = [(code, stand) for code, stand, goed in reeks if goed]
    jaar = w[w["periode"] == "2025"]["waarde"]
    if not goedgekeurd:
        assert jaar.empty
        return
    laatste = max(goedgekeurd)[1]
    assert vier(jaar.iloc[0]) == laatste
    assert laatste <= max(stand for _, stand in goedgekeurd)
    if len([s for _, s in goedgekeurd if s > 0]) >= 2:
        assert vier(jaar.iloc[0]) < sum(stand for _, stand in goedgekeurd)


@settings(deadline=None)
@given(st.lists(cumulatieve_reeks, min_size=1, max_size=4))
def test_cumulative_stands_of_projects_add_up_per_period_never_over_time(reeksen):
    rijen = [
        (p, code, stand, "goedgekeurd" if goed else "ingediend")
        for p, reeks in enumerate(reeksen, start=1)
        for code, stand, goed in reeks
    ]
    m = frame(rijen, ["indicator_id", "periode", "waarde", "status"])
    ind = semantiek(range(1, len(reeksen) + 1), cumulatief=True, aggregatie="laatste")
    programma = programma_waarden(m, ind, cumulatief=True, aggregatie="laatste")
    laatste_per_project = [
        max((code, stand) for code, stand, goed in reeks if goed)[1]
        for reeks in reeksen
        if any(goed for _, _, goed in reeks)
    ]
    if not laatste_per_project:
        assert programma == {}
        return
    assert vier(programma["2025"]) == sum(laatste_per_project)
    for code in MAANDEN:
        op_die_maand = [
            stand for _, c, stand, status in rijen if c == code and status == "goedgekeurd"
        ]
        if op_die_maand:
            assert vier(programma[code]) == sum(op_die_maand)


# --- means weigh by months; 'laatste' takes the latest approved ----------------------------


@given(
    st.lists(
        st.tuples(st.sampled_from(DEELCODES), waarden),
        min_size=1,
        max_size=10,
        unique_by=lambda r: r[0],
    )
)
def test_year_mean_weighs_every_period_by_its_months(rijen):
    m = frame([(1, code, w) for code, w in rijen], ["indicator_id", "periode", "waarde"])
    w = agg.projectwaarden(m, semantiek([1], aggregatie="gemiddelde"))
    maanden = {code: agg._LENGTE[agg.periodecode(code) % 100] for code, _ in rijen}
    exact = sum(Fraction(v) * int(maanden[c]) for c, v in rijen) / sum(
        int(maanden[c]) for c, _ in rijen
    )
    jaar = w[w["periode"] == "2025"]
    assert abs(Fraction(jaar["waarde"].iloc[0]) - exact) < Fraction(1, 10**6)
    assert jaar["gewicht"].iloc[0] == sum(maanden.values())


@given(
    st.lists(
        st.tuples(
            st.sampled_from(DEELCODES),
            waarden,
            st.sampled_from(["goedgekeurd", "ingediend", "teruggestuurd"]),
        ),
        min_size=1,
        max_size=10,
        unique_by=lambda r: r[0],
    ),
    st.randoms(use_true_random=False),
)
def test_last_value_is_that_of_the_latest_approved_period(rijen, toeval):
    toeval.shuffle(rijen)
    m = frame([(1, *r) for r in rijen], ["indicator_id", "periode", "waarde", "status"])
    w = agg.projectwaarden(m, semantiek([1], aggregatie="laatste"))
    goedgekeurd = [(c, v) for c, v, s in rijen if s == "goedgekeurd"]
    jaar = w[w["periode"] == "2025"]
    if not goedgekeurd:
        assert jaar.empty
        return

    def einde_en_begin(code: str) -> tuple[int, int]:
        begin = agg._START[agg.periodecode(code) % 100]
        return begin + agg._LENGTE[agg.periodecode(code) % 100], begin

    verwacht = max(goedgekeurd, key=lambda r: einde_en_begin(r[0]))[1]
    assert vier(jaar["waarde"].iloc[0]) == verwacht


# --- fingerprints: one per stored stand ---------------------------------------------------

ids = st.integers(0, 2**31 - 1)
getallen = st.none() | st.decimals(
    min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False
)
percentages = st.none() | st.decimals(
    min_value=-(10**7), max_value=10**7, places=2, allow_nan=False, allow_infinity=False
)
standen = st.fixed_dictionaries(
    {
        "niveau": st.sampled_from(agg.NIVEAUS),
        "indicator_id": ids,
        "programma_indicator_id": ids,
        "project_id": ids,
        "focusgebied_id": ids,
        "thema_id": ids,
        "periode": st.sampled_from(
            [c.replace("2025", str(j)) for c in ALLE_CODES for j in (2018, 2025, 2031)]
        ),
        "waarde": getallen,
        "streefwaarde": getallen,
        "percentage_streefwaarde": percentages,
        "op_koers": st.sampled_from([True, False, None]),
        "aantal_metingen": st.integers(0, 2**31 - 1),
    }
)
WAARDEN = {
    "niveau": st.sampled_from(agg.NIVEAUS),
    "periode": st.sampled_from(ALLE_CODES),
    "waarde": getallen,
    "streefwaarde": getallen,
    "percentage_streefwaarde": percentages,
    "op_koers": st.sampled_from([True, False, None]),
    "aantal_metingen": st.integers(0, 2**31 - 1),
}


def afdruk(stand: dict) -> int:
    """The fingerprint of one stand as the database gives it back (Decimals, None)."""
    return int(agg.vingerafdrukken(pd.DataFrame([stand], dtype=object))[0])


def berekend(stand: dict) -> int:
    """The fingerprint of the same stand as the aggregation computes it (floats, NaN)."""
    kolommen = {k: [v] for k, v in stand.items()}
    for kolom in ("waarde", "streefwaarde", "percentage_streefwaarde"):
        kolommen[kolom] = [np.nan if stand[kolom] is None else float(stand[kolom])]
    kolommen["op_koers"] = pd.array([stand["op_koers"]], dtype="boolean")
    kolommen["niveau"] = pd.Categorical([stand["niveau"]], categories=list(agg.NIVEAUS))
    kolommen["periode"] = pd.Categorical([stand["periode"]])
    return int(agg.vingerafdrukken(pd.DataFrame(kolommen))[0])


@settings(max_examples=300)
@given(standen, st.data())
def test_a_stand_that_differs_in_any_stored_value_has_another_fingerprint(stand, data):
    kolom = data.draw(st.sampled_from(agg.STAND_KOLOMMEN))
    anders = data.draw(WAARDEN.get(kolom, ids).filter(lambda w: w != stand[kolom]))
    assert afdruk({**stand, kolom: anders}) != afdruk(stand)


@given(standen)
def test_computed_and_stored_forms_of_a_stand_have_one_fingerprint(stand):
    assert berekend(stand) == afdruk(stand) != 0
