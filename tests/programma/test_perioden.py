"""Period codes as partners type them: 2025, 2025-H2, 2025-K3, 2025-07."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from programma.perioden import parse_periode, perioden_tussen


@pytest.mark.parametrize(
    ("code", "start", "einde"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-H1", date(2025, 1, 1), date(2025, 6, 30)),
        ("2025-H2", date(2025, 7, 1), date(2025, 12, 31)),
        ("2025-K1", date(2025, 1, 1), date(2025, 3, 31)),
        ("2025-K3", date(2025, 7, 1), date(2025, 9, 30)),
        ("2025-K4", date(2025, 10, 1), date(2025, 12, 31)),
        ("2025-07", date(2025, 7, 1), date(2025, 7, 31)),
        ("2025-02", date(2025, 2, 1), date(2025, 2, 28)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("2000-02", date(2000, 2, 1), date(2000, 2, 29)),  # divisible by 400: leap year
        ("2100-02", date(2100, 2, 1), date(2100, 2, 28)),  # divisible by 100: no leap year
        ("2024-K1", date(2024, 1, 1), date(2024, 3, 31)),
    ],
)
def test_period_code_gives_its_first_and_last_day(code, start, einde):
    periode = parse_periode(code)
    assert (periode.start, periode.einde, periode.code, periode.jaar) == (
        start,
        einde,
        code,
        start.year,
    )


@pytest.mark.parametrize(
    "code",
    [
        "2025-K5",
        "2025-K0",
        "2025-H3",
        "2025-13",
        "2025-00",
        "2025-7",
        "2025-k3",
        "25",
        "2025-",
        "K3-2025",
        "",
        "2025\n",
        "\uff12\uff10\uff12\uff15",
    ],
)
def test_malformed_period_code_is_refused_with_the_accepted_forms(code):
    with pytest.raises(ValidationError) as fout:
        parse_periode(code)
    assert fout.value.messages == [
        f"Ongeldige periode {code!r}: gebruik JJJJ, JJJJ-H1/H2, JJJJ-K1..K4 of JJJJ-MM."
    ]


@pytest.mark.parametrize("code", ["1899", "2101-K1"])
def test_period_outside_1900_2100_is_refused(code):
    with pytest.raises(ValidationError) as fout:
        parse_periode(code)
    assert fout.value.messages == [f"Periode {code} ligt buiten 1900–2100."]


@pytest.mark.parametrize(
    ("frequentie", "codes"),
    [
        ("jaar", ["2025", "2026"]),
        ("halfjaar", ["2025-H1", "2025-H2", "2026-H1"]),
        ("kwartaal", ["2025-K1", "2025-K2", "2025-K3", "2025-K4", "2026-K1"]),
        ("maand", [f"2025-{m:02d}" for m in range(3, 13)] + ["2026-01", "2026-02"]),
    ],
)
def test_periods_between_are_every_period_that_overlaps_the_range(frequentie, codes):
    perioden = perioden_tussen(date(2025, 3, 15), date(2026, 2, 10), frequentie)
    assert [p.code for p in perioden] == codes


def test_periods_between_touch_the_range_on_its_first_and_last_day():
    assert [p.code for p in perioden_tussen(date(2025, 3, 31), date(2025, 7, 1), "kwartaal")] == [
        "2025-K1",
        "2025-K2",
        "2025-K3",
    ]
    assert [p.code for p in perioden_tussen(date(2025, 4, 1), date(2025, 6, 30), "kwartaal")] == [
        "2025-K2"
    ]
