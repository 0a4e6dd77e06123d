"""The market façade: :func:`clear` requests against offers inside a policy, and its tables."""

from __future__ import annotations

from ._clear import Clearing, clear

__all__ = ["Clearing", "clear"]
