"""The one house decorator every kernel is compiled with.

``cache=True`` keeps compiled machine code on disk between processes, ``nogil=True`` lets
callers run kernels from threads, and ``error_model="numpy"`` makes a division by zero give
``inf``/``nan`` instead of raising inside the kernel (kernels never raise on user data).
``fastmath`` stays off: kernels compare against ``inf`` and must see ``nan``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba

F = TypeVar("F", bound=Callable[..., Any])

JIT_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True, "error_model": "numpy"}


def jit(func: F) -> F:
    """Compile ``func`` in nopython mode with the house options."""
    compiled: F = numba.njit(**JIT_OPTIONS)(func)
    return compiled


def jit_parallel(func: F) -> F:
    """The house options plus ``parallel=True``, for kernels measured to gain from threads.

    Used only behind an explicit ``parallel=True`` argument: serial is the default, and the
    parallel kernel must give results identical to the serial one.
    """
    compiled: F = numba.njit(parallel=True, **JIT_OPTIONS)(func)
    return compiled


def jit_inline(func: F) -> F:
    """The house options plus ``inline="always"``, for small helpers of hot loops.

    Numba then splices the helper's body into each caller before optimisation, instead of
    emitting a call that passes every array (with a reference count taken and dropped on
    each) and checks a returned status. It is used for the path flip that ends a
    shortest-path search in :mod:`clearing._kernels.assignment.lap`, shared with the
    outside-option solver of :mod:`clearing._kernels.assignment.lap_outside` (one 8 x 8
    problem there costs about 0.4 microseconds, and such calls measured 10% of it), and for
    the best-two scan of each bid in :mod:`clearing._kernels.assignment.sparse` (4%). Each
    caller compiles its own copy, so it is kept to a few short functions.
    """
    compiled: F = numba.njit(inline="always", **JIT_OPTIONS)(func)
    return compiled
