"""The per-call entry point of the order book's event kernel.

One Python call per event spends a good share of its time in numba's dispatcher, which
types every argument to choose a compiled version before calling it. The book always passes
the same types (its state buffer, Python ints and floats), so :func:`compiled_entry` looks
that one compiled version up once and the book calls it directly. It falls back to the
dispatcher itself whenever the lookup is not possible (the JIT disabled, or a numba without
the attributes read here); a test checks that both give identical books.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._kernels.orderbook import book as _kb
from .._kernels.orderbook import layout as _k

_EVENT: list[Callable[..., Any]] = []


def compiled_entry(dispatcher: Any, *example: Any) -> Callable[..., Any]:
    """The compiled function ``dispatcher`` runs for arguments typed like ``example``.

    Calls ``dispatcher(*example)`` once (compiling it or loading it from the cache), so the
    example must be a call without effect worth keeping. Returns the dispatcher itself when
    the JIT is off or the compiled version cannot be found.

    Examples
    --------
    >>> import numba
    >>> add = numba.njit(lambda a, b: a + b)
    >>> fast = compiled_entry(add, 1, 2.0)
    >>> fast(3, 0.5)
    3.5
    >>> compiled_entry(lambda a: a, 1)(7)  # not a dispatcher: itself
    7
    """
    dispatcher(*example)
    overloads = getattr(dispatcher, "overloads", None)
    typeof = getattr(dispatcher, "typeof_pyval", None)
    if overloads is None or typeof is None:
        return dispatcher  # type: ignore[no-any-return]
    try:
        found = overloads.get(tuple(typeof(a) for a in example))
        entry = found.entry_point if found is not None else None
    except (AttributeError, TypeError, ValueError):
        entry = None
    return dispatcher if entry is None else entry  # type: ignore[no-any-return]


def event_entry(buf: np.ndarray) -> Callable[..., Any]:
    """:func:`clearing._kernels.orderbook.book.event` for the book's argument types, looked
    up once per process (the example call on the state buffer ``buf`` cancels an unknown id,
    which changes nothing but the report row count)."""
    if not _EVENT:
        _EVENT.append(compiled_entry(_kb.event, buf, _k.CANCEL, 0, 0.0, 0.0, 0, -1, 0))
    return _EVENT[0]
