"""One pass from (value, cost, forbidden) to the eligible-surplus matrix and reason codes.

``v`` holds one request per row (a 3-D batch is passed reshaped to 2-D); ``c1`` is a cost per
provider (length m, or empty) and ``c2`` a cost per pair (same shape as ``v``, or empty);
``forb`` is a mask of the same shape as ``v`` or empty. Outputs: ``w`` (surplus where
eligible, ``-inf`` elsewhere) and ``reason`` per row (1: nothing allowed, 2: nothing with a
positive surplus, 3: otherwise).

Returns 0, or a code and the flat index of the first offending entry so that the wrapper can
raise the usual message: 1 NaN in value, 2 ``+inf`` in value, 3 NaN in cost, 4 ``-inf`` in
cost, 5 an allowed pair's ``value - cost`` above :data:`SURPLUS_LIMIT` (or overflowing).
A surplus below ``-SURPLUS_LIMIT``, even ``-inf`` by overflow, is simply not eligible.
"""

from __future__ import annotations

import numpy as np

from ..._jit import jit

# The largest eligible surplus. The solvers add and subtract surpluses along augmenting
# paths and the welfare sums one per request; a bound this far below float64's maximum
# (1.8e308) keeps all of those finite for any realistic size.
SURPLUS_LIMIT = 1e300


@jit
def _row_reason(allowed_any, positive_any):
    """The reason code of a row (see the module docstring) if it ends up unmatched.

    Parameters
    ----------
    allowed_any, positive_any : bool
        Whether the row has an allowed pair, and one with a positive surplus.
    """
    if not allowed_any:
        return 1
    return 3 if positive_any else 2


@jit
def _entry_code(x, c, forbidden):
    """The error code of one pair (see the module docstring), 0 if it is valid.

    Parameters
    ----------
    x, c : float
        The pair's value and cost.
    forbidden : bool
        The pair is masked out (its surplus is then not checked).
    """
    if x != x:
        return 1
    if x == np.inf:
        return 2
    if c != c:
        return 3
    if c == -np.inf:
        return 4
    if not forbidden and x > -np.inf and c < np.inf and x - c > SURPLUS_LIMIT:
        return 5
    return 0


@jit
def surplus_rows(v, c1, c2, forb, w, reason):
    """Fill ``w`` and ``reason``; return ``(code, flat index)``; see the module docstring.

    Parameters
    ----------
    v : ndarray of float64, shape (rows, m)
        Values, one request per row. Read only.
    c1 : ndarray of float64, shape (m,) or (0,)
        Cost per provider, or empty. Read only.
    c2 : ndarray of float64, shape (rows, m) or (0, m)
        Cost per pair, or empty. Read only.
    forb : ndarray of bool, shape (rows, m) or (0, m)
        Forbidden pairs, or empty. Read only.
    w : ndarray of float64, shape (rows, m)
        Written: the eligible surplus, ``-inf`` elsewhere.
    reason : ndarray of int8, shape (rows,)
        Written: each row's reason code if it stays unmatched.

    Returns
    -------
    tuple of int
        ``(code, flat index)`` of the first invalid entry, ``(0, -1)`` if none.

    Notes
    -----
    A row is computed without branches and flagged if any entry is invalid; only then is
    it scanned again, entry by entry, for the first error. (Branching on each entry's sign
    is several times slower on inputs with mixed signs.)
    """
    rows = v.shape[0]
    m = v.shape[1]
    per_pair = c2.shape[0] > 0
    per_provider = c1.shape[0] > 0
    masked = forb.shape[0] > 0
    for i in range(rows):
        allowed_any = False
        positive_any = False
        bad = False
        for j in range(m):
            x = v[i, j]
            c = c2[i, j] if per_pair else (c1[j] if per_provider else 0.0)
            ok = (x > -np.inf) & (c < np.inf)
            if masked:
                ok &= not forb[i, j]
            s = x - c
            bad |= (x != x) | (x == np.inf) | (c != c) | (c == -np.inf)
            bad |= ok & (s > SURPLUS_LIMIT)
            positive = ok & (s > 0.0)
            allowed_any |= ok
            positive_any |= positive
            w[i, j] = s if positive else -np.inf
        if bad:
            for j in range(m):
                c = c2[i, j] if per_pair else (c1[j] if per_provider else 0.0)
                code = _entry_code(v[i, j], c, masked and forb[i, j])
                if code:
                    return code, i * m + j
        reason[i] = _row_reason(allowed_any, positive_any)
    return 0, -1


@jit
def first_invalid(c, forbid_posinf):
    """Flat index of the first NaN, or of the first infinity of the forbidden sign; -1 if none.

    Parameters
    ----------
    c : ndarray of float64, any shape
        Read only.
    forbid_posinf : bool
        ``+inf`` (else ``-inf``) is the forbidden infinity.
    """
    flat = c.ravel()
    bad = np.inf if forbid_posinf else -np.inf
    for k in range(flat.shape[0]):
        x = flat[k]
        if x != x or x == bad:
            return k
    return -1


@jit
def count_finite_rows(w, indptr):
    """``indptr`` of the CSR form of the finite entries of ``w``; returns their number.

    Parameters
    ----------
    w : ndarray of float64, shape (n, m)
        Surplus, ``-inf`` off the eligible pairs. Read only.
    indptr : ndarray of int64, shape (n + 1,)
        Written.
    """
    n = w.shape[0]
    m = w.shape[1]
    indptr[0] = 0
    for i in range(n):
        k = 0
        for j in range(m):
            if w[i, j] > -np.inf:
                k += 1
        indptr[i + 1] = indptr[i] + k
    return indptr[n]


@jit
def fill_finite_rows(w, indptr, indices, data):
    """Column indices and values of the finite entries of ``w``, row by row.

    Parameters
    ----------
    w : ndarray of float64, shape (n, m)
        Read only.
    indptr : ndarray of int64, shape (n + 1,)
        As :func:`count_finite_rows` wrote it. Read only.
    indices : ndarray of int64, shape (nnz,)
    data : ndarray of float64, shape (nnz,)
        Written: the column and value of each finite entry.
    """
    n = w.shape[0]
    m = w.shape[1]
    for i in range(n):
        e = indptr[i]
        for j in range(m):
            if w[i, j] > -np.inf:
                indices[e] = j
                data[e] = w[i, j]
                e += 1


@jit
def scatter_rows(indptr, indices, vals, out):
    """``out[i, indices[e]] = vals[e]`` for the entries ``e`` of each row ``i``.

    Parameters
    ----------
    indptr : ndarray of int64, shape (n + 1,)
    indices : ndarray of int64, shape (nnz,)
        A CSR structure. Read only.
    vals : ndarray, shape (nnz,)
        Read only.
    out : ndarray, shape (n, m)
        Written at the stored entries only.
    """
    n = indptr.shape[0] - 1
    for i in range(n):
        for e in range(indptr[i], indptr[i + 1]):
            out[i, indices[e]] = vals[e]


@jit
def surplus_csr(indptr, indices, data, ce, c1, fe, out_ptr, out_idx, out_w, reason):
    """CSR twin of :func:`surplus_rows`: keep the eligible entries, compacted in order.

    Parameters
    ----------
    indptr : ndarray of int64, shape (n + 1,)
    indices : ndarray of int64, shape (nnz,)
    data : ndarray of float64, shape (nnz,)
        The values in CSR form. Read only.
    ce : ndarray of float64, shape (nnz,) or (0,)
        Cost per stored entry, or empty. Read only.
    c1 : ndarray of float64, shape (m,) or (0,)
        Cost per provider, or empty. Read only.
    fe : ndarray of bool, shape (nnz,) or (0,)
        Forbidden flag per stored entry, or empty. Read only.
    out_ptr : ndarray of int64, shape (n + 1,)
    out_idx : ndarray of int64, shape (nnz,) or (0,)
    out_w : ndarray of float64, shape (nnz,) or (0,)
        Written: the eligible entries in CSR form (the first ``out_ptr[-1]`` of
        ``out_idx`` and ``out_w``). With ``out_w`` empty only ``out_ptr`` and ``reason``
        are written (a counting pass: when every entry is kept, the caller uses the input
        arrays as they are instead of a copy).
    reason : ndarray of int8, shape (n,)
        Written: each row's reason code.

    Returns
    -------
    tuple of int
        ``(code, entry)`` with the codes of :func:`surplus_rows` (1 NaN, 2 ``+inf`` in
        value, 5 surplus too large), ``(0, -1)`` if all is well.
    """
    n = indptr.shape[0] - 1
    per_entry = ce.shape[0] > 0
    per_provider = c1.shape[0] > 0
    masked = fe.shape[0] > 0
    write = out_w.shape[0] > 0
    k = 0
    out_ptr[0] = 0
    for i in range(n):
        allowed_any = False
        positive_any = False
        for e in range(indptr[i], indptr[i + 1]):
            x = data[e]
            if x != x:
                return 1, e
            if x == np.inf:
                return 2, e
            c = 0.0
            if per_entry:
                c = ce[e]
            elif per_provider:
                c = c1[indices[e]]
            if x == -np.inf or c == np.inf or (masked and fe[e]):
                continue
            s = x - c
            if s > SURPLUS_LIMIT:
                return 5, e
            allowed_any = True
            if s > 0.0:
                positive_any = True
                if write:
                    out_idx[k] = indices[e]
                    out_w[k] = s
                k += 1
        out_ptr[i + 1] = k
        reason[i] = _row_reason(allowed_any, positive_any)
    return 0, -1
