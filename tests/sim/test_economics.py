"""Economic sanity of the five presets on fixed seeds (second half of a 52-round year)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from clearing.sim import PRESETS, preset, simulate

SEED = 1


@pytest.fixture(scope="module")
def late() -> dict[str, pd.DataFrame]:
    out = {}
    for name in PRESETS:
        df = simulate(preset(name), 52, rng=SEED, progress=False)
        out[name] = df[df["round"] >= 26]
    return out


def _mean(late: dict[str, Any], name: str, col: str) -> float:
    return float(late[name][col].mean())


def test_hhi_ordered(late: dict[str, pd.DataFrame]) -> None:
    hhi = [_mean(late, n, "hhi") for n in PRESETS]
    assert hhi[0] == pytest.approx(1.0) and hhi[1] == pytest.approx(1.0)
    assert hhi[1] > hhi[2] > hhi[3] > hhi[4]


def test_lerner_falls(late: dict[str, pd.DataFrame]) -> None:
    lerner = [_mean(late, n, "lerner") for n in PRESETS]
    assert min(lerner[0], lerner[1]) > lerner[2] > lerner[3] > lerner[4]


def test_perfect_competition_prices_near_marginal_cost(late: dict[str, pd.DataFrame]) -> None:
    # Lerner = (price - marginal cost) / price, volume-weighted: below 5% means the price is
    # within about 5% of marginal cost.
    assert _mean(late, "perfect_competition", "lerner") < 0.05


def test_dissolution_only_where_allowed(late: dict[str, pd.DataFrame]) -> None:
    for name in PRESETS:
        allowed = preset(name).dynamics.dissolution
        total = int(late[name]["dissolutions"].sum())
        assert (total > 0) if allowed else (total == 0), name


def test_minimal_back_office_cheaper_per_team_at_the_same_service_level(
    late: dict[str, pd.DataFrame],
) -> None:
    mono, lean = late["internal_monopoly"], late["minimal_back_office"]
    served = [d["volume"].sum() / (d["volume"].sum() + d["unserved"].sum()) for d in (mono, lean)]
    assert abs(served[0] - served[1]) < 0.05
    assert lean["backoffice_cost_per_team"].mean() < mono["backoffice_cost_per_team"].mean()


def test_columns_are_tidy(late: dict[str, pd.DataFrame]) -> None:
    df = late["open_market"]
    assert list(df.columns[:2]) == ["round", "service"]
    assert np.isfinite(df["welfare"]).all()
    assert ((df["efficiency"] > 0) & (df["efficiency"] <= 1.0 + 1e-12)).all()
