"""Field checks of the simulator's configuration: every bad value names its field.

A failed check raises :class:`clearing.InputError` whose ``argument`` is ``part.field``
(``providers.capacity``), so a configuration is refused when it is built, before any round.
"""

from __future__ import annotations

import math
from typing import Any

from clearing import InputError

__all__ = ["INF", "check_fields", "check_positive"]


def _number(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(
            f"{owner}.{name} must be a number, got {value!r}",
            argument=f"{owner}.{name}",
            value=value,
        )
    x = float(value)
    if not math.isfinite(x):
        raise InputError(
            f"{owner}.{name} must be finite, got {value!r}", argument=f"{owner}.{name}", value=value
        )
    return x


def check_fields(obj: Any, owner: str, rules: dict[str, tuple[str, float, float]]) -> None:
    """Each rule: field -> (kind, low, high); kind "int" or "float", bounds inclusive."""
    for name, (kind, low, high) in rules.items():
        value = getattr(obj, name)
        where = f"{owner}.{name}"
        x = _number(owner, name, value)
        if kind == "int" and not isinstance(value, int):
            raise InputError(
                f"{where} must be an integer, got {value!r}", argument=where, value=value
            )
        if not low <= x <= high:
            span = f"[{low:g}, {high:g}]" if high < math.inf else f">= {low:g}"
            what = "a probability in [0, 1]" if (low, high) == (0.0, 1.0) else span
            raise InputError(f"{where} must be {what}, got {value!r}", argument=where, value=value)


def check_positive(obj: Any, owner: str, names: tuple[str, ...]) -> None:
    for name in names:
        if _number(owner, name, getattr(obj, name)) <= 0:
            where = f"{owner}.{name}"
            raise InputError(
                f"{where} must be > 0, got {getattr(obj, name)!r}",
                argument=where,
                value=getattr(obj, name),
            )


INF = math.inf
