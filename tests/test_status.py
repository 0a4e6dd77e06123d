"""Every kernel status code is mapped to an outcome."""

from __future__ import annotations

import pytest

from clearing import _status
from clearing.errors import ClearingError


def test_every_status_is_mapped() -> None:
    codes = {v for k, v in vars(_status).items() if k.isupper() and isinstance(v, int)}
    assert codes == set(_status.STATUS_ERRORS)


def test_ok_raises_nothing_and_others_raise() -> None:
    _status.raise_for_status(_status.OK, "f")
    for code, error in _status.STATUS_ERRORS.items():
        if error is not None:
            with pytest.raises(error, match="f: "):
                _status.raise_for_status(code, "f")
            assert issubclass(error, ClearingError)


def test_unknown_status_is_a_bug() -> None:
    with pytest.raises(RuntimeError, match="unknown status"):
        _status.raise_for_status(99, "f")


def test_overflowing_python_ints_are_input_errors() -> None:
    from clearing import InputError, double_auction

    with pytest.raises(InputError, match="bid_prices") as info:
        double_auction([10**400], [1], [1], [1])
    assert info.value.argument == "bid_prices"
