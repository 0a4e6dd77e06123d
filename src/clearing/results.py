"""Public home of every result class and reason enum; each is defined next to its function.

The list is not kept here: it is every name in ``clearing.__all__`` that is a result class
or an enum, so a result the package exports is listed here with no second edit. Importing
this module loads every layer (``import clearing`` alone loads none).
"""

from __future__ import annotations

import enum
from typing import Any

import clearing as _clearing

from ._result import ResultBase


def _is_result(obj: Any) -> bool:
    return isinstance(obj, type) and issubclass(obj, ResultBase | enum.Enum)


__all__ = [n for n in _clearing.__all__ if _is_result(getattr(_clearing, n))]
globals().update({n: getattr(_clearing, n) for n in __all__})
