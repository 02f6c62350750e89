"""Dutch identifiers and money are refused with a message a programme office understands."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given
from hypothesis import strategies as st

from programma.validators import (
    gemeentecode_validator,
    kvk_validator,
    valideer_bedrag,
    valideer_gebiedscode,
    valideer_percentage,
)

CIJFER = st.sampled_from("0123456789")
HOOFDLETTER_OF_CIJFER = st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# The CBS formats, in ASCII only: what the validator must accept, and nothing else.
CBS_FORMAAT = re.compile(r"GM[0-9]{4}|WK[0-9]{4}[0-9A-Z]{2}|BU[0-9]{4}[0-9A-Z]{4}", re.ASCII)


def tekens(alfabet: st.SearchStrategy[str], n: int) -> st.SearchStrategy[str]:
    return st.lists(alfabet, min_size=n, max_size=n).map("".join)


geldige_codes = st.one_of(
    tekens(CIJFER, 4).map(lambda g: f"GM{g}"),
    st.tuples(tekens(CIJFER, 4), tekens(HOOFDLETTER_OF_CIJFER, 2)).map(lambda t: f"WK{t[0]}{t[1]}"),
    st.tuples(tekens(CIJFER, 4), tekens(HOOFDLETTER_OF_CIJFER, 4)).map(lambda t: f"BU{t[0]}{t[1]}"),
)


def meldingen(validator, waarde) -> list[str]:
    with pytest.raises(ValidationError) as fout:
        validator(waarde)
    return fout.value.messages


@pytest.mark.parametrize("code", ["GM0363", "WK036301", "BU0363AA06", "WK0599XY", "BU03630000"])
def test_cbs_codes_in_the_official_format_are_accepted(code):
    assert valideer_gebiedscode(code) is None


@pytest.mark.parametrize(
    "code",
    [
        "GM363",  # 3 digits
        "WK03630",  # wijk with 5 characters
        "BU0363aa06",  # lower case wijk/buurt part
        "BU0363AA0",  # buurt one short
        "BU0363AA061",  # buurt one long
        "wk036301",  # lower case prefix
        "XX036301",  # unknown prefix
        "WKAB6301",  # letters in the municipality part
        " WK036301",
        "",
        "WK036301\n",  # a trailing newline is not part of a code
        "GM\u0660\u0663\u0666\u0663",  # Arabic-Indic digits are not CBS digits
    ],
)
def test_malformed_cbs_codes_are_refused_with_an_example_of_the_format(code):
    (melding,) = meldingen(valideer_gebiedscode, code)
    assert melding.startswith(f"Ongeldige CBS-gebiedscode {code!r}")
    assert "WK036301" in melding and "BU0363AA06" in melding


@given(geldige_codes)
def test_every_code_in_the_cbs_format_is_accepted(code):
    valideer_gebiedscode(code)


@given(
    code=geldige_codes,
    positie=st.integers(min_value=0, max_value=10),
    teken=st.characters(codec="utf-8"),
    vervangen=st.booleans(),
)
@example(code="WK036301", positie=8, teken="\n", vervangen=False)
@example(code="GM0363", positie=2, teken="\u0660", vervangen=True)
def test_a_changed_code_is_accepted_only_if_it_is_still_in_the_cbs_format(
    code, positie, teken, vervangen
):
    positie = min(positie, len(code))
    gewijzigd = code[:positie] + teken + code[positie + int(vervangen) :]
    try:
        valideer_gebiedscode(gewijzigd)
    except ValidationError:
        assert not CBS_FORMAAT.fullmatch(gewijzigd)
    else:
        assert CBS_FORMAAT.fullmatch(gewijzigd), f"{gewijzigd!r} is geen CBS-code"


@pytest.mark.parametrize("code", ["GM0363", "GM0014"])
def test_municipality_code_is_gm_and_four_digits(code):
    assert gemeentecode_validator(code) is None


@pytest.mark.parametrize(
    "code", ["GM363", "GM03630", "gm0363", "0363", "GM\u0660\u0663\u0666\u0663"]
)
def test_malformed_municipality_code_is_refused(code):
    assert meldingen(gemeentecode_validator, code) == [
        "Een CBS-gemeentecode is 'GM' gevolgd door 4 cijfers, bijvoorbeeld GM0363."
    ]


def test_kvk_number_of_eight_digits_is_accepted():
    assert kvk_validator("41216593") is None


@pytest.mark.parametrize(
    "nummer",
    [
        "4121659",
        "412165931",
        "4121659a",
        "4121 6593",
        "\u0664\u0661\u0662\u0661\u0666\u0665\u0669\u0663",
    ],
)
def test_kvk_number_that_is_not_eight_digits_is_refused(nummer):
    assert meldingen(kvk_validator, nummer) == ["Een KvK-nummer bestaat uit precies 8 cijfers."]


@pytest.mark.parametrize(
    "bedrag", [Decimal("0"), Decimal("0.01"), Decimal("1234.50"), Decimal("1E+3")]
)
def test_amounts_in_euros_and_cents_are_accepted(bedrag):
    assert valideer_bedrag(bedrag) is None


@pytest.mark.parametrize(
    ("bedrag", "melding"),
    [
        (12.5, "Een bedrag moet een decimaal getal zijn, geen float."),
        (Decimal("1.005"), "Een bedrag heeft hoogstens twee decimalen (centen)."),
        (Decimal("-0.01"), "Een bedrag mag niet negatief zijn."),
        (Decimal("NaN"), "Een bedrag moet een eindig getal zijn."),
        (Decimal("Infinity"), "Een bedrag moet een eindig getal zijn."),
    ],
)
def test_amount_validator_explains_what_is_wrong(bedrag, melding):
    assert meldingen(valideer_bedrag, bedrag) == [melding]


@pytest.mark.parametrize(
    ("waarde", "geldig"), [("0", True), ("100", True), ("-0.01", False), ("100.01", False)]
)
def test_percentage_lies_between_0_and_100(waarde, geldig):
    if geldig:
        assert valideer_percentage(Decimal(waarde)) is None
    else:
        assert meldingen(valideer_percentage, Decimal(waarde)) == [
            "Een percentage ligt tussen 0 en 100."
        ]
