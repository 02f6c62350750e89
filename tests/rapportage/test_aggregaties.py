"""The aggregation rules of rapportage/aggregaties.py, on DataFrames, without a database."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from programma.perioden import parse_periode
from rapportage import aggregaties as agg

D = Decimal


def metingen(*rijen: tuple) -> pd.DataFrame:
    """(indicator_id, periode, waarde[, status]) rows; status defaults to approved."""
    return pd.DataFrame(
        [(r[0], r[1], D(str(r[2])), r[3] if len(r) > 3 else "goedgekeurd") for r in rijen],
        columns=["indicator_id", "periode", "waarde", "status"],
    )


def indicatoren(*rijen: dict) -> pd.DataFrame:
    standaard = {
        "project_id": 1,
        "programma_indicator_id": None,
        "aggregatie": "som",
        "cumulatief": False,
        "richting": "hoger",
    }
    return pd.DataFrame([standaard | r for r in rijen])


def programma_indicatoren(*rijen: dict) -> pd.DataFrame:
    standaard = {"aggregatie": "som", "cumulatief": False, "richting": "hoger", "eenheid": "aantal"}
    return pd.DataFrame(
        [standaard | r for r in rijen],
        columns=["programma_indicator_id", "aggregatie", "cumulatief", "richting", "eenheid"],
    )


def leeg(*kolommen: str) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(dtype=object) for k in kolommen})


def bereken(
    m: pd.DataFrame,
    ind: pd.DataFrame,
    *,
    pis: pd.DataFrame | None = None,
    streef: pd.DataFrame | None = None,
    programmastreef: pd.DataFrame | None = None,
    gebieden: list[tuple[int, int]] = (),
    themas: list[tuple[int, int]] = (),
) -> pd.DataFrame:
    return agg.standen_berekenen(
        metingen=m,
        indicatoren=ind,
        streefwaarden=streef if streef is not None else leeg("indicator_id", "periode", "waarde"),
        programma_indicatoren=pis if pis is not None else programma_indicatoren(),
        programmastreefwaarden=programmastreef
        if programmastreef is not None
        else leeg("programma_indicator_id", "jaar", "waarde"),
        projectgebieden=pd.DataFrame(gebieden, columns=["project_id", "focusgebied_id"]),
        projectthemas=pd.DataFrame(themas, columns=["project_id", "thema_id"]),
    )


def rij(standen: pd.DataFrame, **waar) -> pd.Series:
    """The one row matching ``waar`` (ids default to 0 on levels above the project)."""
    masker = np.ones(len(standen), dtype=bool)
    for kolom, waarde in waar.items():
        masker &= np.asarray(standen[kolom] == waarde)
    gevonden = standen[masker]
    assert len(gevonden) == 1, gevonden
    return gevonden.iloc[0]


def jaarwaarde(m: pd.DataFrame, ind: pd.DataFrame, indicator_id: int, jaar: str) -> float:
    w = agg.projectwaarden(m, ind)
    return rij(w, indicator_id=indicator_id, periode=jaar)["waarde"]


# --- periods ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["2025", "2025-H1", "2025-H2", "2025-K1", "2025-K4", "2025-01", "2025-12"]
)
def test_period_codes_round_trip_and_agree_with_the_period_parser(code):
    nummer = agg.periodecode(code)
    assert agg.periodetekst(nummer) == code
    jaar, deel = divmod(nummer, 100)
    start, lengte = agg._START[deel], agg._LENGTE[deel]
    periode = parse_periode(code)
    assert (jaar, start, start + lengte - 1) == (
        periode.jaar,
        periode.start.month,
        periode.einde.month,
    )


@pytest.mark.parametrize("code", ["2025-13", "2025-K5", "2025-H3", "25", "2025-7", ""])
def test_an_invalid_period_code_is_refused(code):
    with pytest.raises(ValueError):
        agg.periodecode(code)


# --- over time, one project indicator --------------------------------------------------


def test_sum_indicator_adds_the_months_of_a_year_and_keeps_every_month():
    m = metingen((1, "2025-01", 3), (1, "2025-02", 4.5), (1, "2025-12", 1), (1, "2026-01", 7))
    w = agg.projectwaarden(m, indicatoren({"indicator_id": 1}))
    assert sorted(zip(w["periode"], w["waarde"], w["aantal_metingen"], strict=True)) == [
        ("2025", 8.5, 3),
        ("2025-01", 3.0, 1),
        ("2025-02", 4.5, 1),
        ("2025-12", 1.0, 1),
        ("2026", 7.0, 1),
        ("2026-01", 7.0, 1),
    ]


def test_mean_over_periods_is_weighted_by_their_length_in_months():
    # A half year of 10 and a quarter of 40: nine months, (6·10 + 3·40) / 9 = 20, not 25.
    m = metingen((1, "2025-H1", 10), (1, "2025-K3", 40))
    assert (
        jaarwaarde(m, indicatoren({"indicator_id": 1, "aggregatie": "gemiddelde"}), 1, "2025") == 20
    )


def test_last_value_is_the_latest_period_whatever_the_order_of_the_rows():
    m = metingen((1, "2025-03", 5), (1, "2025-11", 9), (1, "2025-07", 30))
    assert jaarwaarde(m, indicatoren({"indicator_id": 1, "aggregatie": "laatste"}), 1, "2025") == 9


def test_last_value_skips_a_later_measurement_that_is_not_approved():
    m = metingen(
        (1, "2025-03", 5),
        (1, "2025-06", 6),
        (1, "2025-09", 99, "ingediend"),
        (1, "2025-12", 98, "teruggestuurd"),
    )
    w = agg.projectwaarden(m, indicatoren({"indicator_id": 1, "aggregatie": "laatste"}))
    assert rij(w, periode="2025")["waarde"] == 6
    assert set(w["periode"]) == {"2025-03", "2025-06", "2025"}


def test_of_two_periods_ending_together_the_most_specific_is_the_latest():
    m = metingen((1, "2025-K4", 50), (1, "2025-12", 17))
    assert jaarwaarde(m, indicatoren({"indicator_id": 1, "aggregatie": "laatste"}), 1, "2025") == 17


@pytest.mark.parametrize("aggregatie", ["laatste", "gemiddelde"])
def test_cumulative_indicator_takes_its_latest_stand_never_a_sum(aggregatie):
    m = metingen((1, "2025-01", 10), (1, "2025-02", 25), (1, "2025-03", 40))
    ind = indicatoren({"indicator_id": 1, "cumulatief": True, "aggregatie": aggregatie})
    assert jaarwaarde(m, ind, 1, "2025") == 40


def test_a_measurement_of_the_whole_year_is_the_year_row():
    m = metingen((1, "2025", 100), (1, "2025-01", 3), (1, "2025-02", 4))
    w = agg.projectwaarden(m, indicatoren({"indicator_id": 1}))
    assert rij(w, periode="2025")[["waarde", "aantal_metingen"]].tolist() == [100, 1]


def test_measurements_of_unknown_indicators_are_ignored():
    w = agg.projectwaarden(
        metingen((1, "2025-01", 3), (2, "2025-01", 5)), indicatoren({"indicator_id": 1})
    )
    assert set(w["indicator_id"]) == {1}


def test_no_approved_measurements_make_no_stands():
    m = metingen((1, "2025-01", 3, "ingediend"))
    standen = bereken(m, indicatoren({"indicator_id": 1}))
    assert standen.empty
    assert list(standen.columns) == agg.STAND_KOLOMMEN


# --- across projects -------------------------------------------------------------------


def twee_projecten(pi: dict, **project_indicator) -> pd.DataFrame:
    return indicatoren(
        {"indicator_id": 1, "project_id": 10, "programma_indicator_id": 5, **project_indicator},
        {"indicator_id": 2, "project_id": 20, "programma_indicator_id": 5, **project_indicator},
    )


def test_a_project_in_two_focus_areas_counts_in_both_and_once_in_the_programme():
    m = metingen((1, "2025-K1", 4), (2, "2025-K1", 6))
    standen = bereken(
        m,
        twee_projecten({}),
        pis=programma_indicatoren({"programma_indicator_id": 5}),
        gebieden=[(10, 100), (10, 101), (20, 101)],
        themas=[(10, 200), (20, 200)],
    )
    assert rij(standen, niveau="focusgebied", focusgebied_id=100, periode="2025-K1")["waarde"] == 4
    assert rij(standen, niveau="focusgebied", focusgebied_id=101, periode="2025-K1")["waarde"] == 10
    assert rij(standen, niveau="thema", thema_id=200, periode="2025")["waarde"] == 10
    programma = rij(standen, niveau="programma", periode="2025")
    assert (programma["waarde"], programma["aantal_metingen"]) == (10, 2)
    assert programma["indicator_id"] == programma["project_id"] == programma["focusgebied_id"] == 0


def test_only_indicators_linked_to_a_programme_indicator_roll_up():
    ind = indicatoren(
        {"indicator_id": 1, "project_id": 10, "programma_indicator_id": 5},
        {"indicator_id": 2, "project_id": 10},
    )
    standen = bereken(
        metingen((1, "2025-01", 4), (2, "2025-01", 6)),
        ind,
        pis=programma_indicatoren({"programma_indicator_id": 5}),
        gebieden=[(10, 100)],
    )
    assert rij(standen, niveau="programma", periode="2025-01")["waarde"] == 4
    assert set(standen.loc[standen["niveau"] == "project", "indicator_id"]) == {1, 2}


def test_cumulative_stands_add_up_across_projects_at_the_same_period_only():
    m = metingen(
        (1, "2025-01", 10),
        (1, "2025-02", 30),
        (2, "2025-01", 5),
        (2, "2025-02", 8),
        (2, "2025-03", 12),
    )
    standen = bereken(
        m,
        twee_projecten({}, cumulatief=True, aggregatie="laatste"),
        pis=programma_indicatoren(
            {"programma_indicator_id": 5, "cumulatief": True, "aggregatie": "laatste"}
        ),
    )
    programma = standen[standen["niveau"] == "programma"].set_index("periode")["waarde"]
    assert programma.to_dict() == {"2025-01": 15, "2025-02": 38, "2025-03": 12, "2025": 42}


def test_mean_across_projects_weighs_the_months_each_project_covers():
    # A monthly project at 10 and a quarterly one at 20 both cover twelve months: 15.
    # Weighing by number of measurements would give (12·10 + 4·20) / 16 = 12.5.
    m = metingen(
        *((1, f"2025-{maand:02d}", 10) for maand in range(1, 13)),
        *((2, f"2025-K{k}", 20) for k in range(1, 5)),
    )
    standen = bereken(
        m,
        twee_projecten({}, aggregatie="gemiddelde"),
        pis=programma_indicatoren(
            {"programma_indicator_id": 5, "aggregatie": "gemiddelde", "eenheid": "score"}
        ),
    )
    assert rij(standen, niveau="programma", periode="2025")["waarde"] == 15


def test_last_percentages_are_averaged_across_projects_each_once():
    m = metingen((1, "2025-06", 40), (1, "2025-12", 60), (2, "2025-12", 80))
    standen = bereken(
        m,
        twee_projecten({}, aggregatie="laatste"),
        pis=programma_indicatoren(
            {"programma_indicator_id": 5, "aggregatie": "laatste", "eenheid": "percentage"}
        ),
    )
    assert rij(standen, niveau="programma", periode="2025")["waarde"] == 70


def test_a_monthly_and_a_quarterly_project_meet_at_the_year():
    m = metingen((1, "2025-01", 1), (1, "2025-02", 2), (1, "2025-03", 3), (2, "2025-K1", 10))
    standen = bereken(
        m, twee_projecten({}), pis=programma_indicatoren({"programma_indicator_id": 5})
    )
    programma = standen[standen["niveau"] == "programma"].set_index("periode")["waarde"]
    assert programma.to_dict() == {
        "2025-01": 1,
        "2025-02": 2,
        "2025-03": 3,
        "2025-K1": 10,
        "2025": 16,
    }


# --- targets and track -----------------------------------------------------------------


def test_targets_percentages_and_track_at_every_level():
    m = metingen((1, "2025-01", 30), (1, "2025-02", 30), (2, "2025-01", 10))
    streef = pd.DataFrame(
        [(1, "2025", D("50")), (2, "2025", D("40")), (1, "2025-01", D("40"))],
        columns=["indicator_id", "periode", "waarde"],
    )
    programmastreef = pd.DataFrame(
        [(5, 2025, D("100"))], columns=["programma_indicator_id", "jaar", "waarde"]
    )
    standen = bereken(
        m,
        twee_projecten({}),
        pis=programma_indicatoren({"programma_indicator_id": 5}),
        streef=streef,
        programmastreef=programmastreef,
        gebieden=[(10, 100), (20, 100), (20, 101)],
    )
    project = rij(standen, niveau="project", indicator_id=1, periode="2025")
    assert (project["streefwaarde"], project["percentage_streefwaarde"], project["op_koers"]) == (
        50,
        120,
        True,
    )
    januari = rij(standen, niveau="project", indicator_id=1, periode="2025-01")
    assert (januari["percentage_streefwaarde"], januari["op_koers"]) == (75, False)
    assert pd.isna(rij(standen, niveau="project", indicator_id=1, periode="2025-02")["op_koers"])
    # Both projects have a 2025 target: the focus area's target is their sum.
    gebied = rij(standen, niveau="focusgebied", focusgebied_id=100, periode="2025")
    assert (gebied["waarde"], gebied["streefwaarde"], gebied["percentage_streefwaarde"]) == (
        70,
        90,
        77.78,
    )
    # Only project 1 has a January target: a partial target is no target.
    assert np.isnan(
        rij(standen, niveau="focusgebied", focusgebied_id=100, periode="2025-01")["streefwaarde"]
    )
    # The programme uses its own target, on the year only.
    programma = rij(standen, niveau="programma", periode="2025")
    assert (
        programma["streefwaarde"],
        programma["percentage_streefwaarde"],
        programma["op_koers"],
    ) == (
        100,
        70,
        False,
    )
    assert np.isnan(rij(standen, niveau="programma", periode="2025-01")["streefwaarde"])


@pytest.mark.parametrize(
    ("richting", "waarde", "streef", "op_koers"),
    [
        ("hoger", 90, 100, True),
        ("hoger", 89.99, 100, False),
        ("lager", 110, 100, True),
        ("lager", 110.01, 100, False),
        ("lager", 5, 100, True),
        ("hoger", 0, 0, True),
        ("lager", 1, 0, False),
        ("hoger", -2.1, -2, True),  # within 10 % of a negative target
        ("hoger", -2.3, -2, False),
        # Exactly on the boundary, where the float margin is a hair off the decimal one.
        ("hoger", 2.7, 3, True),
        ("hoger", 0.63, 0.7, True),
        ("hoger", 0.6299, 0.7, False),
        ("lager", 3.3, 3, True),
        ("lager", 0.77, 0.7, True),
        ("lager", 0.7701, 0.7, False),
    ],
)
def test_on_track_honours_the_direction(richting, waarde, streef, op_koers):
    percentage, koers = agg.voortgang(
        np.array([waarde]), np.array([streef]), np.array([richting == "lager"])
    )
    assert koers[0] == op_koers
    if streef == 0:
        assert np.isnan(percentage[0])


def test_a_value_and_percentage_become_decimals_with_their_places():
    assert agg.als_decimaal(12.30000000000001) == D("12.3000")
    assert agg.als_decimaal(77.7777, 2) == D("77.78")
    assert agg.als_decimaal(float("nan")) is None


# --- comparing with what is stored -----------------------------------------------------


def opgeslagen(standen: pd.DataFrame) -> pd.DataFrame:
    """Stands as the database gives them back: texts, Decimals with their places, None."""
    uit = pd.DataFrame(
        {k: np.asarray(standen[k], dtype=object) for k in agg.STAND_KOLOMMEN}, dtype=object
    )
    for kolom, plaatsen in (("waarde", 4), ("streefwaarde", 4), ("percentage_streefwaarde", 2)):
        uit[kolom] = [agg.als_decimaal(w, plaatsen) for w in standen[kolom]]
    uit["op_koers"] = standen["op_koers"].astype(object).where(standen["op_koers"].notna(), None)
    for kolom in agg.ID_KOLOMMEN:
        uit[kolom] = [w or None for w in standen[kolom].tolist()]
    return uit


@pytest.fixture
def berekend() -> pd.DataFrame:
    m = metingen((1, "2025-01", 3), (1, "2025-02", 4), (2, "2025-01", 5))
    return bereken(
        m,
        twee_projecten({}),
        pis=programma_indicatoren({"programma_indicator_id": 5}),
        gebieden=[(10, 100)],
        themas=[(20, 200)],
        streef=pd.DataFrame(
            [(1, "2025", D("10")), (2, "2025", D("4"))],
            columns=["indicator_id", "periode", "waarde"],
        ),
    )


def verschil(nieuw: pd.DataFrame, oud: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The computed rows to insert and the stored rows to delete."""
    toevoegen, weg = agg.verschil(agg.vingerafdrukken(nieuw), agg.vingerafdrukken(oud))
    return nieuw[toevoegen], oud[weg]


def test_a_fingerprint_is_that_of_the_stored_values_whatever_form_they_arrive_in(berekend):
    assert (agg.vingerafdrukken(opgeslagen(berekend)) == agg.vingerafdrukken(berekend)).all()
    # Floats a rounding error off the stored decimal are that decimal.
    bijna = berekend.assign(waarde=berekend["waarde"] * (1 + 1e-15))
    assert (agg.vingerafdrukken(bijna) == agg.vingerafdrukken(berekend)).all()


def test_fingerprints_are_fixed_numbers_the_same_in_every_process_and_order(berekend):
    """Fingerprints are stored and compared across runs: a change here makes the next
    full recompute rewrite every stand (once). Then update these numbers knowingly."""
    stand = {
        "niveau": ["project", "programma", "thema"],
        "indicator_id": [7, 0, 0],
        "programma_indicator_id": [0, 3, 3],
        "project_id": [2, 0, 0],
        "focusgebied_id": [0, 0, 0],
        "thema_id": [0, 0, 9],
        "periode": ["2025-07", "2025", "2025-K1"],
        "waarde": [12.5, 1234567.0001, np.nan],
        "streefwaarde": [np.nan, 1000.0, 0.0],
        "percentage_streefwaarde": [np.nan, 123456.7, np.nan],
        "op_koers": pd.array([None, True, False], dtype="boolean"),
        "aantal_metingen": [1, 420, 0],
    }
    afdrukken = agg.vingerafdrukken(pd.DataFrame(stand))
    assert afdrukken.tolist() == [
        6853215415456786784,
        -325475276191204427,
        1232107820856474348,
    ]
    omgekeerd = pd.DataFrame(stand).iloc[::-1].reset_index(drop=True)
    assert agg.vingerafdrukken(omgekeerd).tolist() == afdrukken[::-1].tolist()
    assert (afdrukken != 0).all()


def test_identical_stored_stands_need_no_writes(berekend):
    toevoegen, weg = verschil(berekend, opgeslagen(berekend))
    assert toevoegen.empty and weg.empty


def test_changed_missing_and_superfluous_stored_stands_are_corrected(berekend):
    oud = opgeslagen(berekend)
    oud["id"] = range(1, len(oud) + 1)
    gewijzigd = oud.index[(oud["niveau"] == "programma") & (oud["periode"] == "2025")][0]
    oud.loc[gewijzigd, "waarde"] = D("1.0000")
    gewijzigd_id = oud.loc[gewijzigd, "id"]
    ontbrekend = oud.index[(oud["niveau"] == "thema") & (oud["periode"] == "2025-01")][0]
    oud = oud.drop(index=ontbrekend)
    extra = oud.iloc[[0]].assign(id=999, periode="2019-07")
    kapot = oud.iloc[[0]].assign(id=998, periode="gisteren", niveau="wijk")
    dubbel = oud.iloc[[1]].assign(id=997)
    oud = pd.concat([oud, extra, kapot, dubbel], ignore_index=True)

    toevoegen, weg = verschil(berekend, oud)
    assert sorted(zip(toevoegen["niveau"], toevoegen["periode"], strict=True)) == [
        ("programma", "2025"),
        ("thema", "2025-01"),
    ]
    assert sorted(weg["id"]) == sorted([997, 998, 999, gewijzigd_id])


@pytest.mark.parametrize(
    ("kolom", "waarde"),
    [
        ("niveau", "focusgebied"),
        ("indicator_id", 2),
        ("programma_indicator_id", 5),
        ("project_id", 2),
        ("focusgebied_id", 100),
        ("thema_id", 200),
        ("periode", "2025-H1"),
        ("waarde", D("7.0001")),
        ("waarde", None),
        ("streefwaarde", D("10.0001")),
        ("streefwaarde", None),
        ("percentage_streefwaarde", D("70.01")),
        ("percentage_streefwaarde", None),
        ("op_koers", True),
        ("op_koers", None),
        ("aantal_metingen", 3),
    ],
)
def test_a_stand_that_differs_in_any_stored_value_is_rewritten(berekend, kolom, waarde):
    oud = opgeslagen(berekend)
    jaar = oud.index[(oud["niveau"] == "project") & (oud["indicator_id"] == 1)]
    jaar = jaar[oud.loc[jaar, "periode"] == "2025"][0]
    assert oud.loc[jaar, kolom] != waarde
    oud.loc[jaar, kolom] = waarde
    toevoegen, weg = verschil(berekend, oud)
    assert list(weg.index) == [jaar]
    assert len(toevoegen) == 1 and toevoegen.iloc[0]["periode"] == "2025"


def test_a_stored_stand_without_a_fingerprint_is_rewritten(berekend):
    afdrukken = agg.vingerafdrukken(berekend)
    opgeslagen_afdrukken = afdrukken.copy()
    opgeslagen_afdrukken[0] = 0
    toevoegen, weg = agg.verschil(afdrukken, opgeslagen_afdrukken)
    assert toevoegen.tolist() == weg.tolist() == [True] + [False] * (len(afdrukken) - 1)
