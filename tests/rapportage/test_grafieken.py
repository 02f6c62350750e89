"""The report charts: accessible, safe, deterministic SVG that WeasyPrint draws cleanly."""

import logging
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from weasyprint import HTML

from programma.opmaak import cel, nl_bedrag, nl_datum, nl_getal, nl_procent
from rapportage import grafieken
from rapportage.grafieken import lijndiagram, percentage, staafdiagram, voortgangsbalk

NS = "{http://www.w3.org/2000/svg}"
TOEGESTAAN = {"svg", "title", "desc", "g", "rect", "line", "polyline", "circle", "path", "text"}
GEVAARLIJK = '<script>alert("x")</script> & \'Noord\' "Oost"'
D = Decimal


def thema_staven(**extra: object) -> str:
    argumenten: dict[str, object] = {
        "id": "financien",
        "titel": "Financiën per thema",
        "categorieen": ["Wonen", "Veiligheid & leefbaarheid", "Onderwijs", "Werk"],
        "reeksen": [
            ("Begroot", [D("1250000.00"), D("800000.00"), D("450000.50"), D("300000.00")]),
            ("Verleend", [D("1100000.00"), D("650000.00"), D("0"), None]),
            ("Ontvangen", [D("900000.00"), D("400000.00"), D("10000.00"), D("150000.00")]),
            ("Besteed", [D("750000.00"), D("420000.00"), D("5000.00"), D("-20000.00")]),
        ],
    }
    argumenten.update(extra)
    return staafdiagram(**argumenten)  # type: ignore[arg-type]


def indicatorlijn(**extra: object) -> str:
    argumenten: dict[str, object] = {
        "id": "veiligheid",
        "titel": "Aandeel bewoners dat zich veilig voelt",
        "jaren": [2021, 2022, 2023, 2024, 2025, 2026],
        "reeksen": [
            ("Streefwaarde", [D(60), D(62), D(64), D(66), D(68), D(70)]),
            ("Realisatie", [D("58.5"), D("61"), None, D("65.2"), D("64.0"), None]),
        ],
        "eenheid": "%",
        "basiswaarde": D("57.5"),
    }
    argumenten.update(extra)
    return lijndiagram(**argumenten)  # type: ignore[arg-type]


def alle_grafieken() -> dict[str, str]:
    dertig = [f"Wijk {i} {'Noord-Oost kwartier' if i % 3 == 0 else ''}" for i in range(30)]
    return {
        "financien": thema_staven(),
        "dertig": staafdiagram(
            id="dertig",
            titel="Woningen per wijk, een titel die lang genoeg is om over twee regels te lopen",
            categorieen=dertig,
            reeksen=[
                ("Gepland", [D(i * 12345) for i in range(30)]),
                ("Opgeleverd", [D(i * 9000) for i in range(30)]),
            ],
            eenheid="woningen",
        ),
        "een": staafdiagram(
            id="een",
            titel="Eén thema",
            categorieen=["Alles"],
            reeksen=[("Aandeel", [D("87.3")])],
            eenheid="%",
        ),
        "leeg": staafdiagram(
            id="leeg", titel="Nog niets", categorieen=["A", "B"], reeksen=[("X", [None, None])]
        ),
        "negatief": staafdiagram(
            id="negatief",
            titel="Saldo",
            categorieen=["2024", "2025"],
            reeksen=[("Saldo", [D("-250000"), D("125000")])],
        ),
        "gevaarlijk": staafdiagram(
            id="gevaarlijk",
            titel=GEVAARLIJK,
            categorieen=[GEVAARLIJK, "Gewoon"],
            reeksen=[(GEVAARLIJK, [D(1), D(2)])],
            beschrijving=GEVAARLIJK,
        ),
        "veiligheid": indicatorlijn(),
        "zes": lijndiagram(
            id="zes",
            titel="Zes reeksen over twintig jaar",
            jaren=list(range(2010, 2031)),
            reeksen=[
                (f"Reeks {i}", [D(i * 10 + j % 5) if j != 7 else None for j in range(21)])
                for i in range(6)
            ],
            eenheid="uitkeringen",
        ),
        "balk": voortgangsbalk(
            id="balk",
            titel="Besteed van verleend",
            deel=D("873000"),
            geheel=D("1000000"),
            eenheid="€",
        ),
        "over": voortgangsbalk(id="over", titel="Overschreden", deel=D(1120), geheel=D(1000)),
        "nul": voortgangsbalk(id="nul", titel="Niets verleend", deel=D(0), geheel=D(0)),
    }


def ontleed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def titel_van(svg: str) -> str:
    element = ontleed(svg).find(f"{NS}title")
    assert element is not None
    return element.text or ""


def beschrijving_van(svg: str) -> str:
    element = ontleed(svg).find(f"{NS}desc")
    assert element is not None
    return element.text or ""


def teksten(svg: str) -> list[str]:
    return [e.text or "" for e in ontleed(svg).iter(f"{NS}text")]


def asteksten(svg: str) -> list[str]:
    """The value axis labels: right-aligned, not turned."""
    return [
        e.text or ""
        for e in ontleed(svg).iter(f"{NS}text")
        if e.get("text-anchor") == "end" and not e.get("transform")
    ]


def contrast(kleur: str) -> float:
    def kanaal(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (kanaal(int(kleur[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


# --- Accessibility and safety -------------------------------------------------------------


@pytest.mark.parametrize("naam", list(alle_grafieken()))
def test_every_chart_is_an_accessible_well_formed_svg(naam: str) -> None:
    svg = alle_grafieken()[naam]
    wortel = ontleed(svg)
    assert wortel.tag == f"{NS}svg"
    assert wortel.get("role") == "img"
    assert wortel.get("aria-labelledby") == f"{naam}-titel {naam}-beschrijving"
    assert wortel.get("viewBox", "").startswith("0 0 ")
    assert wortel.get("width") and wortel.get("height")
    titel = wortel.find(f"{NS}title")
    beschrijving = wortel.find(f"{NS}desc")
    assert titel is not None and titel.get("id") == f"{naam}-titel" and titel.text
    assert beschrijving is not None and beschrijving.get("id") == f"{naam}-beschrijving"
    assert beschrijving.text and len(beschrijving.text) > 20


@pytest.mark.parametrize("naam", list(alle_grafieken()))
def test_charts_use_only_plain_svg_that_weasyprint_draws(naam: str) -> None:
    svg = alle_grafieken()[naam]
    for element in ontleed(svg).iter():
        assert element.tag.removeprefix(NS) in TOEGESTAAN
        assert "style" not in element.attrib and "class" not in element.attrib
        assert not any("href" in a or a.startswith("on") for a in element.attrib)
        assert "url(" not in " ".join(element.attrib.values())
    assert re.findall(r'font-family="([^"]*)"', svg) == ["sans-serif"]


@pytest.mark.parametrize("naam", list(alle_grafieken()))
def test_text_has_aa_contrast_and_series_colours_three_to_one(naam: str) -> None:
    wortel = ontleed(alle_grafieken()[naam])
    for tekst in wortel.iter(f"{NS}text"):
        assert contrast(tekst.get("fill", "#000000")) >= 4.5
    for kleur in grafieken.KLEUREN:
        assert contrast(kleur) >= 3


def test_user_text_is_escaped_and_kept_whole_in_title_and_description() -> None:
    svg = alle_grafieken()["gevaarlijk"]
    assert "<script" not in svg
    wortel = ontleed(svg)
    assert titel_van(svg) == GEVAARLIJK
    assert beschrijving_van(svg).startswith(GEVAARLIJK)
    assert GEVAARLIJK in teksten(svg)  # the legend
    assert not list(wortel.iter("script")) and not list(wortel.iter(f"{NS}script"))


def test_characters_xml_cannot_hold_are_dropped() -> None:
    svg = staafdiagram(
        id="stuur", titel="Wonen\x00\x1b\ufffe", categorieen=["a\x07b"], reeksen=[("r\x0c", [D(1)])]
    )
    assert titel_van(svg) == "Wonen"
    assert "ab" in teksten(svg)


def test_ids_derive_from_the_callers_id_and_a_bad_id_is_refused() -> None:
    for naam, svg in alle_grafieken().items():
        ids = [e.get("id") for e in ontleed(svg).iter() if e.get("id")]
        assert ids == [f"{naam}-titel", f"{naam}-beschrijving"]
    with pytest.raises(ValueError):
        thema_staven(id='x" onload="alert(1)')


def test_same_input_gives_byte_identical_svg() -> None:
    assert alle_grafieken() == alle_grafieken()


def test_series_differ_without_colour() -> None:
    """Six series stay apart in greyscale: hatching, dash pattern and marker shape differ."""

    def zonder_kleur(svg: str) -> str:
        return re.sub(r'"#[0-9a-f]{6}"', '"kleur"', svg)

    vlakken = {zonder_kleur(grafieken._vlak(i, 0, 0, 22, 14)) for i in range(6)}
    markeringen = {zonder_kleur(grafieken._markering(i, 0, 0)) for i in range(6)}
    assert len(vlakken) == len(markeringen) == 6
    namen = [f"R{i}" for i in range(6)]
    lijn = lijndiagram(
        id="lijn", titel="Zes", jaren=[2024, 2025], reeksen=[(n, [D(1), D(2)]) for n in namen]
    )
    lijnen = list(ontleed(lijn).iter(f"{NS}polyline"))
    assert len({p.get("stroke-dasharray") for p in lijnen}) == 6


# --- Bar chart ----------------------------------------------------------------------------


def test_bar_chart_axis_has_four_to_six_round_euro_ticks() -> None:
    labels = asteksten(thema_staven())
    assert 4 <= len(labels) <= 6
    assert labels == ["−€ 0,5 mln", "€ 0", "€ 0,5 mln", "€ 1,0 mln", "€ 1,5 mln"]
    kleine = staafdiagram(id="k", titel="K", categorieen=["a"], reeksen=[("r", [D("240000")])])
    assert asteksten(kleine) == [
        "€ 0",
        "€ 50.000",
        "€ 100.000",
        "€ 150.000",
        "€ 200.000",
        "€ 250.000",
    ]
    getallen = staafdiagram(
        id="g", titel="G", categorieen=["a"], reeksen=[("r", [D("12.34")])], eenheid="bewoners"
    )
    assert asteksten(getallen) == ["0", "2,5", "5,0", "7,5", "10,0", "12,5"]
    assert "bewoners" in teksten(getallen)


def test_bar_chart_description_states_every_figure_in_dutch() -> None:
    tekst = beschrijving_van(thema_staven(beschrijving="Stand op 31 maart."))
    assert tekst.startswith("Stand op 31 maart. Staafdiagram met 4 categorieën en 4 reeksen")
    assert "Begroot, Verleend, Ontvangen en Besteed" in tekst
    assert "Wonen: Begroot € 1.250.000,00, Verleend € 1.100.000,00" in tekst
    assert "Werk: Begroot € 300.000,00, Verleend geen waarde" in tekst
    assert "Besteed −€ 20.000,00" in tekst


def test_negative_bar_hangs_below_the_zero_line_and_none_draws_nothing() -> None:
    svg = alle_grafieken()["negatief"]
    wortel = ontleed(svg)
    nullijn = next(e for e in wortel.iter(f"{NS}line") if e.get("stroke") == grafieken.ASKLEUR)
    nul = float(nullijn.get("y1", "0"))
    staven = [e for e in wortel.iter(f"{NS}rect") if float(e.get("width", "0")) > 22]
    assert len(staven) == 2
    onder, boven = staven
    assert float(onder.get("y", "0")) == pytest.approx(nul)
    assert float(boven.get("y", "0")) + float(boven.get("height", "0")) == pytest.approx(nul)
    # "Werk" has no granted amount: four categories × four series, one missing, one zero.
    staafjes = [e for e in ontleed(thema_staven()).iter(f"{NS}rect") if e.get("y") != "0"]
    assert len(staafjes) - 4 == 14  # minus the four legend swatches


def test_chart_without_figures_says_so_instead_of_inventing_an_axis() -> None:
    for svg in (
        alle_grafieken()["leeg"],
        staafdiagram(id="niets", titel="Niets", categorieen=[], reeksen=[]),
        lijndiagram(id="niets", titel="Niets", jaren=[2025], reeksen=[("r", [None])]),
    ):
        assert "Geen gegevens" in teksten(svg)
        assert asteksten(svg) == []
        assert "Er zijn geen gegevens." in beschrijving_van(svg)


def test_all_zero_draws_flat_marks_on_the_axis() -> None:
    svg = staafdiagram(id="nul", titel="Nul", categorieen=["a", "b"], reeksen=[("r", [D(0), D(0)])])
    markeringen = [e for e in ontleed(svg).iter(f"{NS}line") if e.get("stroke-width") == "3"]
    assert len(markeringen) == 2
    assert "a: r € 0,00" in beschrijving_van(svg)


def test_many_categories_turn_their_labels_and_stay_inside_the_picture() -> None:
    svg = alle_grafieken()["dertig"]
    gedraaid = [e for e in ontleed(svg).iter(f"{NS}text") if e.get("transform")]
    assert len(gedraaid) == 30
    assert all(e.get("transform", "").startswith("rotate(-45 ") for e in gedraaid)
    assert any((e.text or "").endswith("…") for e in gedraaid)
    hoogte = float(ontleed(svg).get("height", "0"))
    for e in gedraaid:
        x, y = float(e.get("x", "0")), float(e.get("y", "0"))
        lengte = grafieken._breedte(e.text or "", 11)
        assert x - lengte * 0.71 >= 0 and y + lengte * 0.71 <= hoogte


def test_few_categories_wrap_their_labels_on_at_most_two_lines() -> None:
    lang = "Onderwijs en ontwikkeling van kinderen in de wijk en daarbuiten"
    svg = staafdiagram(
        id="w", titel="W", categorieen=[lang, "Werk", "Zorg", "Wonen"], reeksen=[("r", [D(1)] * 4)]
    )
    gecentreerd = [
        e.text or "" for e in ontleed(svg).iter(f"{NS}text") if e.get("text-anchor") == "middle"
    ]
    assert gecentreerd == ["Onderwijs en", "ontwikkeling van kind…", "Werk", "Zorg", "Wonen"]


def test_huge_values_are_abbreviated_without_exponents() -> None:
    svg = staafdiagram(
        id="groot", titel="Groot", categorieen=["a"], reeksen=[("r", [D("2.5E+12")])]
    )
    assert asteksten(svg)[-1] == "€ 2.500 mld"
    assert "E+" not in svg and "e+" not in svg
    assert "€ 2.500.000.000.000,00" in beschrijving_van(svg)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="verwacht 2"):
        staafdiagram(id="a", titel="a", categorieen=["x", "y"], reeksen=[("r", [D(1)])])
    with pytest.raises(TypeError):
        staafdiagram(id="a", titel="a", categorieen=["x"], reeksen=[("r", [1.5])])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        staafdiagram(id="a", titel="a", categorieen=["x"], reeksen=[("r", [D("NaN")])])
    with pytest.raises(ValueError, match="oplopen"):
        lijndiagram(id="a", titel="a", jaren=[2025, 2024], reeksen=[])


# --- Line chart ---------------------------------------------------------------------------


def test_line_chart_breaks_at_gaps_and_marks_every_known_point() -> None:
    wortel = ontleed(indicatorlijn())
    lijnen = list(wortel.iter(f"{NS}polyline"))
    # Legend: two swatches; target: one line; realisation: 2021–22 and 2024–25.
    assert len(lijnen) == 2 + 1 + 2
    assert len(lijnen[-1].get("points", "").split()) == 2
    markers = [e for e in wortel.iter() if e.get("stroke") == "#ffffff" and e.tag != f"{NS}path"]
    markers += [e for e in wortel.iter(f"{NS}path") if e.get("stroke") == "#ffffff"]
    assert len(markers) == 2 + 6 + 4


def test_line_chart_draws_the_baseline_dashed_and_names_it() -> None:
    svg = indicatorlijn()
    basis = [
        e
        for e in ontleed(svg).iter(f"{NS}line")
        if e.get("stroke-dasharray") == grafieken.BASISLIJN_STREEPJES
    ]
    assert len(basis) == 2  # legend and plot
    assert "Basiswaarde (57,5%)" in teksten(svg)
    assert asteksten(svg) == ["55%", "60%", "65%", "70%"]
    beschrijving = beschrijving_van(svg)
    assert "Lijndiagram over 2021 tot en met 2026 met 2 reeksen" in beschrijving
    assert "Realisatie: 2021 58,5%, 2022 61%, 2023 geen waarde" in beschrijving
    assert beschrijving.endswith("Basiswaarde: 57,5%.")


def test_line_chart_starts_at_zero_when_the_values_are_near_it() -> None:
    svg = lijndiagram(id="z", titel="Z", jaren=[2024, 2025], reeksen=[("r", [D(30), D(100)])])
    assert asteksten(svg)[0] == "0"


def test_line_chart_with_one_year_shows_its_point() -> None:
    svg = lijndiagram(id="j", titel="J", jaren=[2026], reeksen=[("r", [D(5)])])
    assert "2026" in teksten(svg)
    assert len(list(ontleed(svg).iter(f"{NS}circle"))) == 2  # legend and point


# --- Progress bar -------------------------------------------------------------------------


def test_progress_bar_shows_the_share_as_a_percentage() -> None:
    svg = alle_grafieken()["balk"]
    assert "87,3%" in teksten(svg)
    beschrijving = beschrijving_van(svg)
    assert beschrijving == "€ 873.000,00 van € 1.000.000,00: 87,3%."
    spoor, vulling = list(ontleed(svg).iter(f"{NS}rect"))
    assert float(vulling.get("width", "0")) == pytest.approx(
        0.873 * float(spoor.get("width", "0")), abs=0.01
    )


def test_progress_bar_beyond_the_whole_is_full_and_says_how_far() -> None:
    svg = alle_grafieken()["over"]
    spoor, vulling = list(ontleed(svg).iter(f"{NS}rect"))
    assert vulling.get("width") == spoor.get("width")
    assert "112,0%" in teksten(svg)


def test_progress_bar_of_nothing_is_not_applicable() -> None:
    svg = alle_grafieken()["nul"]
    assert "n.v.t." in teksten(svg)
    assert len(list(ontleed(svg).iter(f"{NS}rect"))) == 1


def test_percentage_never_claims_completion_too_early() -> None:
    assert percentage(D("99.96"), D(100)) == D("99.9")
    assert percentage(D(100), D(100)) == D("100.0")
    assert percentage(D(1), D(3)) == D("33.3")
    assert percentage(D(-5), D(100)) == D("-5.0")
    assert percentage(D(1), D(0)) is None


# --- Dutch formatting ---------------------------------------------------------------------


def test_dutch_number_and_money_formatting() -> None:
    assert nl_bedrag(D("1234.56")) == "€ 1.234,56"
    assert nl_bedrag(D("-1234.565")) == "−€ 1.234,57"
    assert nl_bedrag(D("-0.001")) == "€ 0,00"
    assert nl_bedrag("1000000") == "€ 1.000.000,00"
    assert nl_getal(D("1234.5")) == "1.234,5"
    assert nl_getal(D("1234.50"), 2) == "1.234,50"
    assert nl_getal(D("1.2E+3")) == "1.200"
    assert nl_getal(D("-12.5"), 0) == "−13"
    assert nl_procent(D("87.25")) == "87,3%"
    assert nl_datum(date(2026, 3, 31)) == "31-03-2026"
    assert nl_datum("2026-03-31", voluit=True) == "31 maart 2026"
    with pytest.raises(TypeError):
        nl_bedrag(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("waarde", "soort", "verwacht"),
    [
        ("Wonen", "tekst", "Wonen"),
        ("125000.00", "bedrag", "€ 125.000,00"),
        ("-5.10", "bedrag", "−€ 5,10"),
        ("12.5", "getal", "12,5"),
        ("87.25", "procent", "87,3%"),
        (2026, "jaar", "2026"),
        ("2026-03-31", "datum", "31-03-2026"),
        (True, "ja_nee", "ja"),
        (False, "ja_nee", "nee"),
        (None, "ja_nee", "onbekend"),
        (None, "bedrag", ""),
        (None, "datum", ""),
    ],
)
def test_a_table_cell_reads_by_its_column_kind(waarde: object, soort: str, verwacht: str) -> None:
    assert cel(waarde, soort) == verwacht


# --- WeasyPrint ---------------------------------------------------------------------------


class Verzamelaar(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.meldingen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.meldingen.append(record.getMessage())


def test_weasyprint_renders_every_chart_without_a_warning(tmp_path: Path) -> None:
    pagina = "".join(f"<figure>{svg}</figure>" for svg in alle_grafieken().values())
    html = f'<!doctype html><html lang="nl"><head><meta charset="utf-8"></head><body>{pagina}</body></html>'
    verzamelaar = Verzamelaar()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(verzamelaar)
    try:
        pdf = HTML(string=html).write_pdf()
    finally:
        logger.removeHandler(verzamelaar)
    assert verzamelaar.meldingen == []
    assert pdf is not None and pdf.startswith(b"%PDF")

    # With poppler's pdftoppm at hand, the pages become PNGs to look at
    # (ONTSCHOT_GRAFIEKEN_PNG=<dir> keeps them); each page must show something.
    if shutil.which("pdftoppm"):
        map_ = Path(os.environ.get("ONTSCHOT_GRAFIEKEN_PNG", tmp_path))
        map_.mkdir(parents=True, exist_ok=True)
        (map_ / "grafieken.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(map_ / "grafieken.pdf"), str(map_ / "grafieken")],
            check=True,
        )
        plaatjes = sorted(map_.glob("grafieken*.png"))
        assert plaatjes and all(p.stat().st_size > 5000 for p in plaatjes)
