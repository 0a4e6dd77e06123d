"""Assignment and transportation with competitive prices.

* :func:`linear_sum_assignment` -- a drop-in for :func:`scipy.optimize.linear_sum_assignment`.
* :func:`assign` -- the market form: requests (rows) are matched to providers (columns) to
  maximise total surplus ``value - cost``; a request may stay unmatched (outside option 0).
  Returns the matching, optimal duals, and the minimum and maximum competitive prices.
* :func:`transport` -- many-to-many with integer demand per request and capacity per provider.
* :func:`assign_batch` -- many same-shape :func:`assign` problems in one compiled call.

Prices are per provider and are a mark-up over cost: request ``i`` served by provider ``j``
pays ``cost[i, j] + price[j]``. At competitive prices every served request gets a provider
maximising ``value - cost - price`` with a non-negative result, unserved requests gain
nothing anywhere, and providers with spare capacity have price 0. The least such prices equal
the VCG payments (Leonard 1983; Demange, Gale and Sotomayor 1986); both ends are computed from
the optimal duals by shortest paths (see :mod:`clearing._kernels.assignment.prices`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .._kernels.assignment.lap import lap_dense_core
from .._kernels.assignment.surplus import first_invalid, scatter_rows
from .._validate import IntArray, as_numeric, choice, first_bad
from ..errors import InfeasibleError, InputError
from ._inputs import (
    dense_input,
    dense_surplus,
    dense_to_csr,
    is_sparse,
    sparse_surplus,
    units,
)
from ._results import (
    AssignmentBatchResult,
    AssignmentResult,
    TransportResult,
)
from ._solve import (
    assign_sparse,
    checked_welfare,
    dense_copies_fit,
    dense_flow_as_csr,
    drop_columns,
    lap_workspace,
    solve_csr,
    solve_dense_batch,
    solve_dense_transport,
    transport_prices,
    unmatched_with_reason,
)

__all__ = ["assign", "assign_batch", "linear_sum_assignment", "transport"]

_PRICES = ("min", "max", "both", None)
_SMALL = 1 << 20  # entries up to which linear_sum_assignment tests each for finiteness


def _prices_option(prices: Any, fn: str) -> tuple[bool, bool]:
    if prices is not None:
        choice(fn, "prices", prices, [p for p in _PRICES if p is not None])
    return prices in ("min", "both"), prices in ("max", "both")


def _names(indices: np.ndarray) -> str:
    shown = ", ".join(map(str, indices[:10].tolist()))
    return shown + (f", ... ({indices.size} in all)" if indices.size > 10 else "")


def _infeasible(fn: str, a: np.ndarray, tall: bool) -> InfeasibleError:
    """Name rows that no finite-cost assignment covers, and the few columns they share.

    ``a`` is the oriented matrix (rows <= columns; a tall input arrives transposed, and then
    its columns are the ones that cannot all be assigned). The rows reachable by alternating
    paths from a row a maximum matching leaves over have finite costs in fewer columns than
    they are (Hall's condition fails there), which is what the message shows.
    """
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import maximum_bipartite_matching

    ok = np.isfinite(a)
    match = maximum_bipartite_matching(csr_array(ok.astype(np.int8)), perm_type="column")
    rows = match < 0
    if not rows.any():  # every row can be covered: the finite costs overflow instead
        return InfeasibleError(
            f"{fn}: cost_matrix has no assignment of finite total cost", argument="cost_matrix"
        )
    row_of_col = np.full(a.shape[1], -1, np.int64)
    row_of_col[match[match >= 0]] = np.flatnonzero(match >= 0)
    cols = np.zeros(a.shape[1], bool)
    while True:
        new = ok[rows].any(axis=0) & ~cols
        if not new.any():
            break
        cols |= new
        rows[row_of_col[new]] = True  # columns reached are all matched: the matching is maximum
    group, share = np.flatnonzero(rows), np.flatnonzero(cols)
    what, other = ("columns", "rows") if tall else ("rows", "columns")
    where = f"only in {other} {_names(share)}" if share.size else "nowhere"
    sizes = f"{group.size} {what[:-1] if group.size == 1 else what}, {share.size} " + (
        other[:-1] if share.size == 1 else other
    )
    return InfeasibleError(
        f"{fn}: cost_matrix is infeasible: {what} {_names(group)} have finite costs "
        f"{where} ({sizes}), so they cannot all be assigned",
        argument="cost_matrix",
        index=int(group[0]),
        value=group.tolist(),
    )


def linear_sum_assignment(cost_matrix: Any, maximize: bool = False) -> tuple[IntArray, IntArray]:
    """Solve the linear sum assignment problem (scipy's contract).

    Parameters
    ----------
    cost_matrix : array_like, shape (n, m)
        Cost of assigning row ``i`` to column ``j``. ``+inf`` (``-inf`` with
        ``maximize=True``) forbids a pair; NaN is an error.
    maximize : bool, default False
        Maximise the total instead of minimising it.

    Returns
    -------
    row_ind, col_ind : ndarray of int64
        ``min(n, m)`` pairs, ``row_ind`` ascending; the optimum is
        ``cost_matrix[row_ind, col_ind].sum()``. When several assignments are optimal, the
        one returned is deterministic for a given input and version of this library, but
        follows no simpler rule (it depends on the solver's path: column reduction,
        augmenting row reduction, then shortest augmenting paths, which settle the columns
        at equal distance together, end at an unassigned one among them if there is one,
        the lowest index, and otherwise scan their rows first in, first out, each layer in
        column index order, until a scan reaches an unassigned column at that distance);
        it may differ from scipy's.

    Raises
    ------
    InputError
        Not a 2-D numeric matrix, NaN, or an infinity of the wrong sign (a ``ValueError``).
    InfeasibleError
        No assignment of finite cost exists (a ``ValueError``, as in scipy).

    Examples
    --------
    >>> import numpy as np
    >>> from clearing import linear_sum_assignment
    >>> cost = np.array([[4, 1, 3], [2, 0, 5], [3, 2, 2]])
    >>> row_ind, col_ind = linear_sum_assignment(cost)
    >>> col_ind.tolist(), int(cost[row_ind, col_ind].sum())
    ([1, 0, 2], 5)
    """
    fn = "linear_sum_assignment"
    c = np.ascontiguousarray(as_numeric(cost_matrix, "cost_matrix", fn, 2), dtype=np.float64)
    if not isinstance(maximize, bool | np.bool_):
        raise InputError(f"{fn}: maximize must be a bool, got {maximize!r}", argument="maximize")
    # a finite sum proves there is no NaN and no infinity in one vectorised pass; only a
    # non-finite one (an allowed infinity, or an overflow) pays for the exact scan. Up to a
    # million entries np.isfinite is faster still (measured 1.2 against 2.2 us at 30x30,
    # 132 against 158 us at 1000x1000: np.errstate itself costs about 1 us); beyond, its
    # temporary would be over a megabyte.
    if c.size <= _SMALL:
        finite = bool(np.isfinite(c).all())
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            finite = bool(np.isfinite(np.add.reduce(c, axis=None)))
    if not finite and first_invalid(c, bool(maximize)) >= 0:  # type: ignore[no-untyped-call]
        first_bad(fn, "cost_matrix", c, np.isnan(c), "NaN is not allowed")
        if maximize:
            first_bad(
                fn, "cost_matrix", c, np.isposinf(c), "+inf is not allowed with maximize=True"
            )
        first_bad(fn, "cost_matrix", c, np.isneginf(c), "-inf is not allowed when minimising")
    n, m = c.shape
    if n == 0 or m == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    tall = n > m
    if tall:  # one fresh copy (never a view of the input) serves transpose and negation
        a = c.T.copy()
        if maximize:
            np.negative(a, out=a)
    else:
        a = np.negative(c) if maximize else c
    x = np.empty(a.shape[0], np.int64)
    y = np.empty(a.shape[1], np.int64)
    u = np.empty(a.shape[0], np.float64)
    v = np.empty(a.shape[1], np.float64)
    if lap_dense_core(a, x, y, u, v, lap_workspace(*a.shape)) != 0:  # type: ignore[no-untyped-call]
        raise _infeasible(fn, a, tall)
    if not tall:
        return np.arange(n, dtype=np.int64), x
    order = np.argsort(x, kind="stable").astype(np.int64)
    return x[order], order


def assign(
    value: Any, cost: Any = None, *, forbidden: Any = None, prices: str | None = "min"
) -> AssignmentResult:
    """Match requests to providers to maximise total surplus, with competitive prices.

    Parameters
    ----------
    value : array_like or scipy.sparse array/matrix, shape (n_requests, n_providers)
        What request ``i`` gains from provider ``j``. ``-inf`` forbids a pair; in a sparse
        matrix, absent entries are forbidden (stored zeros are allowed).
    cost : array_like, shape (n_providers,) or (n_requests, n_providers), optional
        What serving costs; ``+inf`` forbids a pair. Default 0.
    forbidden : array_like of bool, shape (n_requests, n_providers), optional
        ``True`` marks pairs that must not be matched (dense or sparse).
    prices : {"min", "max", "both", None}, default "min"
        Which competitive price vectors to compute. With ``None``, ``col_duals`` and
        ``row_duals`` are the solver's own optimal duals (valid competitive prices and
        utilities, not necessarily the minimum prices) and no price search runs.

    Returns
    -------
    AssignmentResult
        Pairs are served only where ``value - cost > 0``; the welfare is the optimum. The
        matching does not depend on ``prices``. On ties between optimal matchings the one
        returned is deterministic for a given input and version. Dense input (seen from
        the providers when there are more requests than providers) is solved in two
        steps: each request in index order takes its best provider (the lowest index on
        ties) if no earlier request holds it; then each request left over searches for a
        shortest augmenting path in index order. Ties in distance go first to a provider
        nobody holds yet (the lowest index among them), then to staying unmatched, then to
        the lowest provider index (on integer or 0/1 surpluses many providers tie, and this
        order keeps the searches short). When the longer side has at most 32 entries,
        ties go to the lowest provider index and to a real provider over staying unmatched.

    Raises
    ------
    InputError
        A shape or dtype that does not fit; NaN or ``+inf`` in ``value``; NaN or ``-inf``
        in ``cost``; an allowed pair whose ``value - cost`` is above 1e300 (so that sums of
        surpluses stay finite; a very negative surplus only makes the pair ineligible).

    Examples
    --------
    >>> import numpy as np
    >>> from clearing import assign
    >>> value = np.array([[10.0, 6.0], [8.0, 7.0], [3.0, 1.0]])
    >>> res = assign(value, cost=[2.0, 1.0], prices="both")
    >>> res.request_index.tolist(), res.provider_index.tolist(), res.welfare
    ([0, 1], [0, 1], 14.0)
    >>> res.min_prices.tolist(), res.max_prices.tolist()
    ([1.0, 0.0], [8.0, 6.0])
    """
    fn = "assign"
    want_min, want_max = _prices_option(prices, fn)
    if is_sparse(value):
        return assign_sparse(sparse_surplus(value, cost, forbidden, fn), want_min, want_max)
    inp = dense_input(value, cost, forbidden, fn)
    res = solve_dense_batch(inp, prices is not None, want_max, False).result(0)
    if not want_min and res.min_prices is not None:  # prices="max": minimum prices are duals
        res = dataclasses.replace(res, min_prices=None)
    return res


def transport(
    value: Any,
    cost: Any = None,
    *,
    demand: Any,
    capacity: Any,
    forbidden: Any = None,
    prices: str | None = "min",
) -> TransportResult:
    """Serve integer demand from capacitated providers to maximise total surplus.

    Parameters
    ----------
    value : array_like or scipy.sparse array/matrix, shape (n_requests, n_providers)
        Value per unit of request ``i`` served by provider ``j`` (``-inf`` or absent from a
        sparse matrix: forbidden).
    cost : array_like, shape (n_providers,) or (n_requests, n_providers), optional
        Cost per unit; ``+inf`` forbids a pair. Default 0.
    demand : array_like of int, shape (n_requests,)
        Units wanted by each request (whole numbers >= 0).
    capacity : array_like of int, shape (n_providers,)
        Units each provider can serve (whole numbers >= 0).
    forbidden : array_like of bool, optional
        ``True`` marks pairs that must not trade.
    prices : {"min", "max", "both", None}, default "min"
        Which competitive per-unit price vectors to compute.

    Returns
    -------
    TransportResult
        An optimal integral flow (a pair may carry several units), prices and duals.

    Raises
    ------
    InputError
        As :func:`assign`; also negative or fractional ``demand`` or ``capacity``, and an
        optimal flow whose total surplus overflows float64.

    Examples
    --------
    >>> import numpy as np
    >>> from clearing import transport
    >>> value = np.array([[5.0, 3.0], [4.0, 4.0], [2.0, 1.0]])
    >>> res = transport(value, demand=[2, 1, 3], capacity=[2, 2])
    >>> res.quantity.tolist(), res.welfare, res.unserved.tolist()
    ([[2, 0], [0, 1], [0, 1]], 15.0, [0, 0, 2])
    """
    fn = "transport"
    want_min, want_max = _prices_option(prices, fn)
    sparse = is_sparse(value)
    if sparse:
        s = sparse_surplus(value, cost, forbidden, fn)
        n, m = s.shape
    else:
        w, reason = dense_surplus(value, cost, forbidden, fn)
        n, m = w.shape
    d = units(demand, "demand", n, fn)
    k = units(capacity, "capacity", m, fn)
    if not sparse and dense_copies_fit(d, k):
        flow, unserved, load, u, v, welfare = solve_dense_transport(w, d, k)
        flow_out: Any = flow
        csr_flow = lambda: dense_flow_as_csr(w, reason, k, flow)  # noqa: E731
    else:
        if not sparse:
            s = dense_to_csr(w, reason)
        if (k == 0).any():  # a provider without capacity is absent: it constrains no price
            s = drop_columns(s, k > 0)
        flow, unserved, load, u, v, welfare = solve_csr(s, d, k)
        csr_flow = lambda: (s, flow)  # noqa: E731
        if sparse:
            from scipy.sparse import csr_array

            # indices copied: they may be the caller's own array (see sparse_surplus)
            flow_out = csr_array((flow, s.indices.copy(), s.indptr), shape=(n, m))
        else:
            flow_out = np.zeros((n, m), np.int64)
            scatter_rows(s.indptr, s.indices, flow, flow_out)  # type: ignore[no-untyped-call]
        reason = s.reason
    row_dual, pmin, pmax = transport_prices(
        csr_flow, unserved, load, k, u, v, want_min or want_max, want_max
    )
    welfare = checked_welfare(welfare, fn)
    short = np.where(unserved > 0, 0, 1)
    unmatched, reason_out = unmatched_with_reason(short - 1, reason)
    return TransportResult(
        quantity=flow_out,
        welfare=welfare,
        served=d - unserved,
        unserved=unserved,
        row_duals=row_dual,
        col_duals=pmin,
        min_prices=pmin.copy() if want_min else None,
        max_prices=pmax if want_max else None,
        unmatched=unmatched,
        reason=reason_out,
        load=load,
    )


def assign_batch(
    values: Any,
    cost: Any = None,
    *,
    forbidden: Any = None,
    prices: str | None = "min",
    parallel: bool = False,
) -> AssignmentBatchResult:
    """Solve many same-shape :func:`assign` problems in one compiled call.

    Parameters
    ----------
    values : array_like, shape (n_problems, n_requests, n_providers)
        One value matrix per problem.
    cost : array_like, optional
        Broadcast against ``values``: shape ``(n_providers,)``, ``(n_requests,
        n_providers)`` or ``(n_problems, n_requests, n_providers)``.
    forbidden : array_like of bool, shape (n_problems, n_requests, n_providers), optional
        Pairs that may not be matched, per problem.
    prices : {"min", "max", "both", None}, default "min"
        As in :func:`assign`: with ``None``, ``col_duals`` are the solver's optimal duals.
    parallel : bool, default False
        Solve the problems on all numba threads (``numba.set_num_threads`` sets how many).
        The result is identical, bit for bit; it pays off with many problems and idle
        cores, and costs more than it saves when the cores are busy with other work.

    Returns
    -------
    AssignmentBatchResult
        ``result(b)`` equals ``assign(values[b], ...)`` field by field.

    Examples
    --------
    >>> import numpy as np
    >>> from clearing import assign_batch
    >>> values = np.random.default_rng(0).random((1000, 8, 8))
    >>> batch = assign_batch(values, prices=None)
    >>> batch.provider_index.shape, bool((batch.provider_index >= 0).all())
    ((1000, 8), True)
    """
    fn = "assign_batch"
    want_min, want_max = _prices_option(prices, fn)
    if not isinstance(parallel, bool | np.bool_):
        raise InputError(
            f"{fn}: parallel must be True or False, got {parallel!r}", argument="parallel"
        )
    inp = dense_input(values, cost, forbidden, fn, ndim=3, name="values")
    res = solve_dense_batch(inp, prices is not None, want_max, bool(parallel))
    if not want_min and res.min_prices is not None:
        res = dataclasses.replace(res, min_prices=None)
    return res
