"""``double_auction_batch(parallel=True)`` gives the serial result bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from clearing import MECHANISMS, InputError, double_auction_batch


def _market(seed: int, n_markets: int = 300) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    nb, na = 7 * n_markets, 6 * n_markets
    return {
        "bid_prices": rng.integers(0, 20, nb).astype(float),
        "bid_quantities": rng.integers(0, 4, nb).astype(float),
        "ask_prices": rng.integers(0, 20, na).astype(float),
        "ask_quantities": rng.integers(0, 4, na).astype(float),
        "bid_market": rng.integers(0, n_markets, nb) * 3,
        "ask_market": rng.integers(0, n_markets, na) * 3,
        "bid_priority": rng.integers(0, 3, nb).astype(float),
    }


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_parallel_equals_serial(mechanism: str) -> None:
    market = _market(seed=len(mechanism))
    serial = double_auction_batch(**market, mechanism=mechanism, rng=7).to_dict()
    parallel = double_auction_batch(**market, mechanism=mechanism, rng=7, parallel=True)
    for name, value in parallel.to_dict().items():
        if isinstance(value, np.ndarray):
            assert value.dtype == serial[name].dtype, name
            assert value.tobytes() == serial[name].tobytes(), name
        else:
            assert value == serial[name], name


def test_parallel_must_be_a_bool() -> None:
    market = _market(seed=0, n_markets=2)
    with pytest.raises(InputError, match="parallel") as info:
        double_auction_batch(**market, parallel="yes")  # type: ignore[arg-type]
    assert info.value.argument == "parallel"
