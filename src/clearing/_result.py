"""The base every result class shares: read-only arrays, a compact repr, ``to_dict``.

Result classes are ``@dataclass(frozen=True, slots=True, eq=False)``: frozen so a result can
be handed around safely, ``eq=False`` because ``==`` on arrays is ambiguous and hashing an
array fails.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return f"array({np.array2string(value, separator=', ', threshold=6)})"
        return f"<array shape={value.shape} dtype={value.dtype}>"
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, tuple):
        return "(" + ", ".join(_short(v) for v in value) + ")"
    return repr(value)


class ResultBase:
    """Mixin for frozen result dataclasses (no state of its own)."""

    __slots__ = ()

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    def to_dict(self) -> dict[str, Any]:
        """Every field by name; arrays are returned as writable copies."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            out[field.name] = value.copy() if isinstance(value, np.ndarray) else value
        return out

    def __repr__(self) -> str:
        parts = [
            f"{f.name}={_short(getattr(self, f.name))}"
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        ]
        return f"{type(self).__name__}({', '.join(parts)})"


def import_pandas() -> Any:
    """Import pandas lazily, with an actionable message when it is missing."""
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "to_pandas() needs pandas: pip install pandas (or the [dev] extra)"
        ) from None
    return pandas
