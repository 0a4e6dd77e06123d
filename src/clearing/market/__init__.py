"""The market façade: :func:`clear` requests against offers inside a policy, and its tables."""

from __future__ import annotations

from .._public import export
from ..policy._explain import MarketReason
from ._clear import Clearing, clear

__all__ = ["Clearing", "MarketReason", "clear"]

export("clearing", globals(), __all__)
