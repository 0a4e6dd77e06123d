"""Determinism, bad configurations and the ledger hook (settlement itself: test_ledger.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest

from clearing import Clearing, InputError
from clearing.sim import (
    COLUMNS,
    PricingConfig,
    ProviderConfig,
    SimConfig,
    TeamConfig,
    preset,
    simulate,
)


def test_same_seed_same_frame_other_seed_other_frame() -> None:
    cfg = preset("open_market", teams=200, services=3)
    a = simulate(cfg, 8, rng=5, progress=False)
    b = simulate(cfg, 8, rng=5, progress=False)
    c = simulate(cfg, 8, rng=6, progress=False)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert tuple(a.columns) == COLUMNS and len(a) == 8 * 3


@pytest.mark.parametrize(
    ("build", "argument"),
    [
        (lambda: ProviderConfig(capacity=-1.0), "providers.capacity"),
        (lambda: ProviderConfig(internal=0, external=0), "providers.internal"),
        (lambda: TeamConfig(demand_rate=1.5), "teams.demand_rate"),
        (lambda: ProviderConfig(reliability=-0.1), "providers.reliability"),
        (lambda: TeamConfig(count=0), "teams.count"),
        (lambda: TeamConfig(value_mean=float("nan")), "teams.value_mean"),
        (lambda: PricingConfig(rule="auction"), "pricing.rule"),
        (lambda: preset("anarchy"), "name"),
        (lambda: SimConfig(services=8), "providers.internal"),
    ],
)
def test_bad_configs_name_the_field(build: Any, argument: str) -> None:
    with pytest.raises(InputError) as info:
        build()
    assert info.value.argument == argument
    assert argument.split(".")[-1] in str(info.value)


def test_bad_config_refused_before_any_round() -> None:
    calls: list[str] = []

    class Recorder:
        def settle(self, clearing: Clearing, settlement_id: str) -> None:
            calls.append(settlement_id)

    cfg = dataclasses.replace(preset("internal_monopoly", services=2), pricing=PricingConfig())
    cfg = dataclasses.replace(cfg, providers=dataclasses.replace(cfg.providers, external=2))
    cfg = dataclasses.replace(cfg, pricing=PricingConfig(rule="cost_allocation"))
    with pytest.raises(InputError) as info:
        simulate(cfg, 3, rng=0, ledger=Recorder())
    assert info.value.argument == "pricing.rule" and calls == []
    with pytest.raises(InputError) as info:
        simulate(preset("open_market"), 0)
    assert info.value.argument == "rounds"


def test_ledger_without_settle_refused() -> None:
    with pytest.raises(InputError) as info:
        simulate(preset("open_market", teams=50), 2, ledger=object())
    assert info.value.argument == "ledger"


def test_a_round_without_trades_keeps_float_figures() -> None:
    # a tiny open market where a round clears nothing: the per-provider sums stay float
    df = simulate(preset("open_market", teams=10, services=1), 9, rng=3, progress=False)
    assert len(df) == 9 and df["volume"].dtype.kind == "f"
    assert (df["volume"] == 0).any()
