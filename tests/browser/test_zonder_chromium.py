"""Without Chromium the browser tests say how to get it and skip, except where
ONTSCHOT_BROWSERTESTS_VERPLICHT=1 (CI) makes the missing browser a failure."""

from pathlib import Path

import pytest

from tests.browser import conftest


@pytest.fixture
def geen_chromium(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> conftest._Chromium:
    monkeypatch.setattr(conftest, "CHROMIUM", tmp_path / "chromium")
    return conftest._Chromium()


def test_zonder_chromium_worden_de_browsertests_overgeslagen_met_uitleg(
    geen_chromium: conftest._Chromium, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(conftest.VERPLICHT, raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        geen_chromium.starten()
    assert geen_chromium.browser is None


def test_in_ci_faalt_een_ontbrekende_chromium_in_plaats_van_over_te_slaan(
    geen_chromium: conftest._Chromium, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(conftest.VERPLICHT, "1")
    with pytest.raises(pytest.fail.Exception, match="geen Chromium op"):
        geen_chromium.starten()
