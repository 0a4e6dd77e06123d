"""Compile (or load from numba's cache) every kernel the service uses, before serving.

:func:`clearing.warmup` runs the public functions behind the service's operations once on
tiny inputs; the service's own order books stay empty.
"""

from __future__ import annotations

from clearing import warmup

__all__ = ["warm"]


def warm() -> float:
    """Compile every kernel with :func:`clearing.warmup` (silently); return the seconds it
    took."""
    return warmup(progress=False)
