"""Context figures from CSV files: CBS Kerncijfers as CBS publishes them and Leefbaarometer
3.0 scores, for the focus areas' codes and their municipalities; exact numbers, bad rows
reported by number and skipped whole, one transaction and one audit row per file, and a
second import that updates instead of duplicating."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from programma.audit import Actor
from programma.models import Auditregel, Focusgebied
from rapportage import contextcijfers as cc
from rapportage.models import Contextcijfer
from tests.programma.factories import GebiedscodeFactory

FIXTURES = Path(__file__).parent / "fixtures"
CBS_CSV = FIXTURES / "cbs-kerncijfers-2024.csv"
LBM_CSV = FIXTURES / "leefbaarometer-2022.csv"
STATLINE = "https://opendata.cbs.nl/statline/#/CBS/nl/dataset/85984NED/table"


@pytest.fixture
def gebieden(focusgebied: Focusgebied) -> Focusgebied:
    """Nieuw-West (in GM0363) made of two wijken and a buurt, as drawn in 2024."""
    for code in ("WK036301", "WK036302", "BU0363AA06"):
        GebiedscodeFactory(focusgebied=focusgebied, code=code, peiljaar=2024)
    return focusgebied


def importeer(pad: Path, **opties: object) -> str:
    uit = StringIO()
    call_command("contextcijfers", bestand=pad, stdout=uit, **opties)
    return uit.getvalue()


def cijfers() -> dict[tuple[str, int, str], Decimal | None]:
    return {
        (c.gebiedscode, c.jaar, c.kenmerk): c.waarde
        for c in Contextcijfer.objects.order_by("gebiedscode", "jaar", "kenmerk")
    }


def test_cbs_file_as_published_imports_padded_codes_exactly_and_skips_dots(gebieden):
    uitvoer = importeer(CBS_CSV, jaar=2024, tabel="85984NED")

    assert cijfers() == {
        ("BU0363AA06", 2024, "aantal_inwoners"): Decimal("2030"),
        ("BU0363AA06", 2024, "bevolkingsdichtheid"): Decimal("17311"),
        ("GM0363", 2024, "aantal_inwoners"): Decimal("931298"),
        ("GM0363", 2024, "bevolkingsdichtheid"): Decimal("5693"),
        ("GM0363", 2024, "gemiddeld_inkomen_per_inwoner"): Decimal("39.7"),
        ("GM0363", 2024, "gemiddelde_woz_waarde"): Decimal("513"),
        ("GM0363", 2024, "percentage_huishoudens_laag_inkomen"): Decimal("11.2"),
        ("WK036301", 2024, "aantal_inwoners"): Decimal("12765"),
        ("WK036301", 2024, "bevolkingsdichtheid"): Decimal("21046"),
        ("WK036301", 2024, "gemiddeld_inkomen_per_inwoner"): Decimal("31.6"),
        ("WK036301", 2024, "gemiddelde_woz_waarde"): Decimal("498"),
        ("WK036301", 2024, "percentage_huishoudens_laag_inkomen"): Decimal("9.8"),
    }
    figuur = Contextcijfer.objects.get(gebiedscode="WK036301", kenmerk="aantal_inwoners")
    assert (figuur.bron, figuur.licentie, figuur.bron_url) == (
        "CBS Kerncijfers wijken en buurten",
        "CC BY 4.0",
        STATLINE,
    )
    assert uitvoer.splitlines() == [
        "cbs-kerncijfers-2024.csv (CBS Kerncijfers wijken en buurten): 12 nieuw, 0 gewijzigd, "
        "0 ongewijzigd.",
        "8 regels gelezen; 3 regels overgeslagen wegens een fout; 2 buiten de focusgebieden; "
        "3 waarden ontbraken ('.' of leeg).",
        "  regel 6: 'WK03X' is geen CBS-gebiedscode (GM + 4 cijfers, WK + 6 of BU + 8 tekens)",
        "  regel 7: AantalInwoners_5: 'abc' is geen getal",
        "  regel 9: WK036301 2024 staat al in regel 4",
    ]


def test_a_row_with_one_bad_cell_is_not_half_imported(gebieden):
    importeer(CBS_CSV, jaar=2024)
    # WK036302's density, WOZ value and income are fine; its population is not.
    assert not Contextcijfer.objects.filter(gebiedscode="WK036302").exists()


def test_only_focus_area_codes_and_their_municipality_are_kept(gebieden):
    importeer(CBS_CSV, jaar=2024)
    assert set(Contextcijfer.objects.values_list("gebiedscode", flat=True)) == {
        "GM0363",
        "WK036301",
        "BU0363AA06",
    }


def test_one_audit_row_sums_up_the_import(gebieden):
    importeer(CBS_CSV, jaar=2024)
    regel = Auditregel.objects.get()
    assert regel.actie == "contextcijfers_importeren"
    assert regel.objecttype == "rapportage.contextcijfer"
    assert regel.namens == "commando contextcijfers"
    assert regel.na is not None
    assert {k: regel.na[k] for k in ("nieuw", "gewijzigd", "overgeslagen", "regels")} == {
        "nieuw": 12,
        "gewijzigd": 0,
        "overgeslagen": 3,
        "regels": 8,
    }
    assert "regel 7: AantalInwoners_5: 'abc' is geen getal" in regel.na["fouten"]


def test_importing_again_updates_instead_of_duplicating(gebieden, tmp_path):
    importeer(CBS_CSV, jaar=2024)
    tweede = importeer(CBS_CSV, jaar=2024)
    assert Contextcijfer.objects.count() == 12
    assert "0 nieuw, 0 gewijzigd, 12 ongewijzigd." in tweede

    herzien = tmp_path / "herzien.csv"
    herzien.write_text(CBS_CSV.read_text().replace('"39.7"', '"40.1"'))
    derde = importeer(herzien, jaar=2024)
    assert Contextcijfer.objects.count() == 12
    assert "0 nieuw, 1 gewijzigd, 11 ongewijzigd." in derde
    assert Contextcijfer.objects.get(
        gebiedscode="GM0363", kenmerk="gemiddeld_inkomen_per_inwoner"
    ).waarde == Decimal("40.1")
    assert Auditregel.objects.count() == 3


def test_leefbaarometer_scores_with_their_class_checked_against_the_list(gebieden):
    uitvoer = importeer(LBM_CSV)

    assert cijfers() == {
        ("BU0363AA06", 2020, "lbm_fysieke_omgeving"): Decimal("0.0201"),
        ("BU0363AA06", 2020, "lbm_klasse"): Decimal("5"),
        ("BU0363AA06", 2020, "lbm_overlast_onveiligheid"): Decimal("-0.1102"),
        ("BU0363AA06", 2020, "lbm_score"): Decimal("4.0512"),
        ("BU0363AA06", 2020, "lbm_sociale_samenhang"): Decimal("-0.0433"),
        ("BU0363AA06", 2020, "lbm_voorzieningen"): Decimal("0.1899"),
        ("BU0363AA06", 2020, "lbm_woningvoorraad"): Decimal("-0.0150"),
        ("BU0363AA06", 2022, "lbm_fysieke_omgeving"): Decimal("0.0213"),
        ("BU0363AA06", 2022, "lbm_klasse"): Decimal("6"),
        ("BU0363AA06", 2022, "lbm_overlast_onveiligheid"): Decimal("-0.1021"),
        ("BU0363AA06", 2022, "lbm_score"): Decimal("4.0812"),
        ("BU0363AA06", 2022, "lbm_sociale_samenhang"): Decimal("-0.0412"),
        ("BU0363AA06", 2022, "lbm_voorzieningen"): Decimal("0.1912"),
        ("BU0363AA06", 2022, "lbm_woningvoorraad"): Decimal("-0.0123"),
        ("GM0363", 2022, "lbm_klasse"): Decimal("6"),
        ("GM0363", 2022, "lbm_score"): Decimal("4.1100"),
    }
    figuur = Contextcijfer.objects.get(gebiedscode="GM0363", kenmerk="lbm_score")
    assert (figuur.bron, figuur.licentie, figuur.bron_url) == (
        "Leefbaarometer 3.0 (BZK)",
        "CC BY 4.0",
        "https://www.leefbaarometer.nl/",
    )
    assert "  regel 4: klasse: 10 is geen klasse van de Leefbaarometer (1–9)" in (
        uitvoer.splitlines()
    )
    assert "  regel 6: jaar 1999 ligt buiten 2000–" in uitvoer
    assert "  regel 7: klasse: 4.5 is geen klasse van de Leefbaarometer (1–9)" in uitvoer
    assert "1 buiten de focusgebieden" in uitvoer


def test_a_year_given_for_a_file_with_years_selects_that_year(gebieden):
    uitvoer = importeer(LBM_CSV, jaar=2020)
    assert set(Contextcijfer.objects.values_list("jaar", flat=True)) == {2020}
    assert "4 van een ander jaar" in uitvoer


def test_leefbaarometer_long_column_names_and_a_semicolon(gebieden, tmp_path):
    pad = tmp_path / "lbm.csv"
    pad.write_text(
        "Gebiedscode;Jaar;Score;Klasse;Fysieke omgeving;Woningvoorraad;Voorzieningen;"
        "Sociale samenhang;Overlast en onveiligheid\n"
        "WK036301;2022;3,95;5;0,01;-0,02;0,03;-0,04;0,05\n",
        encoding="utf-8",
    )
    importeer(pad, bron="leefbaarometer")
    assert cijfers() == {
        ("WK036301", 2022, "lbm_fysieke_omgeving"): Decimal("0.01"),
        ("WK036301", 2022, "lbm_klasse"): Decimal("5"),
        ("WK036301", 2022, "lbm_overlast_onveiligheid"): Decimal("0.05"),
        ("WK036301", 2022, "lbm_score"): Decimal("3.95"),
        ("WK036301", 2022, "lbm_sociale_samenhang"): Decimal("-0.04"),
        ("WK036301", 2022, "lbm_voorzieningen"): Decimal("0.03"),
        ("WK036301", 2022, "lbm_woningvoorraad"): Decimal("-0.02"),
    }


def test_cbs_columns_are_recognised_whatever_number_the_year_table_gives_them(gebieden, tmp_path):
    pad = tmp_path / "kwb-2021.csv"
    pad.write_text(
        '"ID";"WijkenEnBuurten";"Codering_3";"Perioden";"AantalInwoners_5";'
        '"GemiddeldInkomenPerInwoner_72";"HuishoudensMetEenLaagInkomen_78"\n'
        '"1";"WK036301  ";"WK036301  ";"2021JJ00";"12001";"30.15";"-"\n',
        encoding="utf-8",
    )
    importeer(pad)
    assert cijfers() == {
        ("WK036301", 2021, "aantal_inwoners"): Decimal("12001"),
        ("WK036301", 2021, "gemiddeld_inkomen_per_inwoner"): Decimal("30.15"),
        ("WK036301", 2021, "percentage_huishoudens_laag_inkomen"): Decimal("0"),
    }


@pytest.mark.parametrize(
    ("inhoud", "opties", "melding"),
    [
        (CBS_CSV.read_bytes(), {}, "geen jaarkolom: geef het jaar"),
        (b"naam;aantal\nx;1\n", {}, "Onbekend bestand"),
        (b"", {"jaar": 2024}, "Het bestand is leeg"),
        (b"\x00\x01\x02binary", {"jaar": 2024}, "geen tekstbestand"),
        (b"bu_code;naam\nBU0363AA06;x\n", {"jaar": 2024}, "geen score, klasse of dimensie"),
        (b'"Codering_3";"Mannen_6"\n"WK036301";"1"\n', {"jaar": 2024}, "geen van de kenmerken"),
        (
            b'"Codering_3";"AantalInwoners_5";"AantalInwoners_6"\n"WK036301";"1";"2"\n',
            {"jaar": 2024},
            "betekenen allebei 'Aantal inwoners'",
        ),
        (
            b"bu_code,jaar,lbm\nBU0363AA06,2022,4.1\n",
            {"bron": "cbs"},
            r"geen kolom met de gebiedscode \(Codering_N of WijkenEnBuurten\)",
        ),
    ],
)
def test_an_unusable_file_is_refused_whole_with_the_reason(
    gebieden, tmp_path, niets_opgeslagen, inhoud, opties, melding
):
    pad = tmp_path / "bestand.csv"
    pad.write_bytes(inhoud)
    with niets_opgeslagen(Contextcijfer), pytest.raises(CommandError, match=melding) as fout:
        importeer(pad, **opties)
    assert "Er is niets geïmporteerd." in str(fout.value)


def test_command_arguments_are_checked(gebieden, tmp_path):
    with pytest.raises(CommandError, match="Geef --bestand"):
        call_command("contextcijfers")
    with pytest.raises(CommandError, match="niet te lezen"):
        importeer(tmp_path / "bestaat-niet.csv", jaar=2024)
    with pytest.raises(CommandError, match="--jaar: jaar 1990 ligt buiten"):
        importeer(CBS_CSV, jaar=1990)
    with pytest.raises(CommandError, match="geen http"):
        importeer(CBS_CSV, jaar=2024, bron_url="javascript:alert(1)")


def test_a_windows_excel_file_is_read_too(gebieden, tmp_path):
    pad = tmp_path / "excel.csv"
    pad.write_bytes(
        "gebiedscode;jaar;klasse;omschrijving\r\nWK036301;2022;7;Goed – ruim\r\n".encode("cp1252")
    )
    importeer(pad)
    assert cijfers() == {("WK036301", 2022, "lbm_klasse"): Decimal("7")}


def test_the_service_writes_nothing_and_no_audit_row_when_nothing_is_good(gebieden):
    uitslag = cc.lees_csv(b"bu_code;jaar;lbm\nXX;2022;4\n", gebieden={"WK036301"})
    verslag = cc.contextcijfers_importeren(
        actor=Actor.systeem("test"), uitslag=uitslag, herkomst="leeg.csv"
    )
    assert (verslag.nieuw, len(verslag.afwijzingen)) == (0, 1)
    assert not Contextcijfer.objects.exists()
    assert not Auditregel.objects.exists()


def test_an_import_takes_a_fixed_number_of_queries_however_many_figures(
    gebieden, django_assert_max_num_queries
):
    uitslag = cc.lees_csv(LBM_CSV.read_bytes(), gebieden=cc.gebieden_van_focusgebieden())
    assert len(uitslag.cijfers) == 16
    with django_assert_max_num_queries(6):
        cc.contextcijfers_importeren(actor=Actor.systeem("test"), uitslag=uitslag, herkomst="lbm")


# --- reading single cells, without a database ----------------------------------------------


@pytest.mark.parametrize(
    ("tekst", "verwacht"),
    [
        ("12", Decimal("12")),
        ("  12.5 ", Decimal("12.5")),
        ("12,5", Decimal("12.5")),
        ("-0.1021", Decimal("-0.1021")),
        ("       .", None),
        ("", None),
        ("x", None),
        ("-", Decimal("0")),
        ("0.000001", Decimal("0.000001")),
        ("9999999999999999", Decimal("9999999999999999")),
    ],
)
def test_numbers_are_read_exactly(tekst, verwacht):
    assert cc.lees_getal(tekst) == verwacht


@pytest.mark.parametrize(
    ("tekst", "melding"),
    [
        ("abc", "'abc' is geen getal"),
        ("1.234,5", "geen getal"),
        ("1e5", "geen getal"),
        ("NaN", "geen getal"),
        ("١٢", "geen getal"),  # Arabic-Indic digits are digits to Python, not to CBS
        ("0.0000001", "meer dan 6 decimalen"),
        ("10000000000000000", "te groot"),
    ],
)
def test_what_is_not_a_number_says_so(tekst, melding):
    with pytest.raises(cc.Rijfout, match=melding):
        cc.lees_getal(tekst)


def test_the_leefbaarometer_classes_come_from_the_reference_list():
    assert cc.leefbaarometer_klassen() == {
        1: "Zeer onvoldoende",
        2: "Ruim onvoldoende",
        3: "Onvoldoende",
        4: "Zwak",
        5: "Voldoende",
        6: "Ruim voldoende",
        7: "Goed",
        8: "Zeer goed",
        9: "Uitstekend",
    }
    assert cc.lees_klasse("9") == Decimal(9)
    assert cc.lees_klasse(".") is None
    for fout in ("0", "10", "5.5", "-"):
        with pytest.raises(cc.Rijfout, match="is geen klasse van de Leefbaarometer"):
            cc.lees_klasse(fout)
