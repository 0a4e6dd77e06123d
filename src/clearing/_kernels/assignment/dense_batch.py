"""The kernels of dense ``assign`` and ``assign_batch``: one per combination of flags.

Compile time is what a first call costs, so a call compiles only what it runs: the
solver is called with a constant ``small`` (rows of at most ``SHORT_ROW`` entries, or
longer) and the price searches run only when prices are asked for. Each combination is a
kernel of its own, into which the batch body
(:func:`~clearing._kernels.assignment.dense._solve_batch`) is spliced with the flags as
constants; numba drops the branches those rule out before it compiles what they call.

There is no parallel kernel: ``assign_batch(parallel=True)`` runs the serial kernel on
chunks of problems in threads of its own (kernels release the GIL), which gives the same
results bit for bit (problems are independent) and compiles nothing more. A parallel
kernel per combination linked the serial kernel and its callees once more, several seconds
of compiling each.
"""

from __future__ import annotations

from ..._jit import jit
from .dense import _solve_batch


@jit
def assign_batch_short(problems, out):
    """:func:`_solve_batch` on rows of at most ``SHORT_ROW``, with the solver's duals."""
    return _solve_batch(problems, out, True, False, False)


@jit
def assign_batch_short_min(problems, out):
    """:func:`_solve_batch` on rows of at most ``SHORT_ROW``, with minimum prices."""
    return _solve_batch(problems, out, True, True, False)


@jit
def assign_batch_short_both(problems, out):
    """:func:`_solve_batch` on rows of at most ``SHORT_ROW``, with minimum and maximum prices."""
    return _solve_batch(problems, out, True, True, True)


@jit
def assign_batch_long(problems, out):
    """:func:`_solve_batch` on rows longer than ``SHORT_ROW``, with the solver's duals."""
    return _solve_batch(problems, out, False, False, False)


@jit
def assign_batch_long_min(problems, out):
    """:func:`_solve_batch` on rows longer than ``SHORT_ROW``, with minimum prices."""
    return _solve_batch(problems, out, False, True, False)


@jit
def assign_batch_long_both(problems, out):
    """:func:`_solve_batch` on rows longer than ``SHORT_ROW``, with minimum and maximum prices."""
    return _solve_batch(problems, out, False, True, True)


#: ``(small, with_prices, want_max) -> kernel(problems, out)``, :func:`_solve_batch` with
#: those flags (``want_max`` only with prices)
BATCH_KERNELS = {
    (True, False, False): assign_batch_short,
    (True, True, False): assign_batch_short_min,
    (True, True, True): assign_batch_short_both,
    (False, False, False): assign_batch_long,
    (False, True, False): assign_batch_long_min,
    (False, True, True): assign_batch_long_both,
}
