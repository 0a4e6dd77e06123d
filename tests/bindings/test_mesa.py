"""The Mesa 3 adapter: its docs example runs, and every step clears through the engine."""

from __future__ import annotations

import doctest

import clearing_bindings.mesa as adapter

from clearing import Clearing, Policy


def test_docstring_example_runs() -> None:
    result = doctest.testmod(adapter, verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_policy_cap_holds_every_step() -> None:
    model = adapter.BackOfficeModel(
        teams=40, providers=4, policy=Policy(services={"service": {"price_cap": 70.0}}), rng=2
    )
    for _ in range(6):
        model.step()
        assert isinstance(model.last, Clearing)
        assert (model.last.allocations["unit_price"] <= 70.0 + 1e-9).all()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 6 and (frame["hhi"] <= 1.0).all()
