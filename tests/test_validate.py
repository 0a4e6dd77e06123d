"""The shared input checks: the one-pass finiteness test never misleads and never warns."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from clearing import InputError
from clearing._validate import as_float, as_quantity


@pytest.mark.parametrize(
    "values",
    [
        [1e308, 1e308, 1e308],  # finite, but the sum overflows
        [-1e308, -1e308, 5.0],
        [0.0, -0.0, 1.0],
    ],
)
def test_finite_arrays_pass_without_warnings(values: list[float]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = as_float(values, "x", "f")
    assert out.tolist() == values


@pytest.mark.parametrize(
    ("values", "index", "what"),
    [
        ([1.0, np.nan, 2.0], 1, "NaN"),
        ([1.0, np.inf, -np.inf], 1, r"\+inf"),  # the sum is nan: both infinities
        ([1.0, 2.0, -np.inf], 2, "-inf"),
        ([1e308, 1e308, np.inf], 2, r"\+inf"),  # overflow and an infinity
    ],
)
def test_bad_entries_are_named_without_warnings(values: list[float], index: int, what: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InputError, match=rf"x\[{index}\] .*{what} is not allowed") as err:
            as_float(values, "x", "f")
    assert err.value.index == index


def test_allowed_infinities_pass() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = as_float([np.inf, -np.inf, 1.0], "x", "f", allow_posinf=True, allow_neginf=True)
    assert np.isinf(out[:2]).all()
    with pytest.raises(InputError, match="NaN"):
        as_float([np.inf, np.nan], "x", "f", allow_posinf=True, allow_neginf=True)


def test_negative_quantity_is_named() -> None:
    with pytest.raises(InputError, match=r"q\[2\] is -0.5; quantities must be >= 0"):
        as_quantity([1.0, 0.0, -0.5], "q", "f")
    assert as_quantity([0.0, -0.0, 3.0], "q", "f").tolist() == [0.0, -0.0, 3.0]
