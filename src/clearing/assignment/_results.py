"""Result classes of :mod:`clearing.assignment`."""

from __future__ import annotations

import enum
from typing import Any

import numpy as np
import numpy.typing as npt

from .._result import ResultBase, import_pandas, result
from .._validate import FloatArray, IntArray
from ..errors import InputError

Int8Array = npt.NDArray[np.int8]

__all__ = ["AssignmentBatchResult", "AssignmentReason", "AssignmentResult", "TransportResult"]


class AssignmentReason(enum.IntEnum):
    """Why a request was left (partly) unserved: the ``int8`` codes of the ``reason`` arrays.

    Each code with its meaning: :doc:`/api/vocabulary`.

    Examples
    --------
    >>> import numpy as np
    >>> import clearing
    >>> r = clearing.assign([[5.0, 1.0], [-np.inf, -np.inf]])
    >>> r.unmatched, [clearing.AssignmentReason(c).name for c in r.reason[r.unmatched]]
    (array([1]), ['NO_ELIGIBLE_PROVIDER'])
    """

    MATCHED = 0  #: served (every unit, in a transport)
    NO_ELIGIBLE_PROVIDER = 1  #: every provider is forbidden for this request
    NEGATIVE_SURPLUS = 2  #: no allowed provider yields a positive surplus (value - cost <= 0)
    LOST_TO_COMPETITION = 3  #: a provider with positive surplus exists; others are worth more


@result
class AssignmentResult(ResultBase):
    """Outcome of :func:`clearing.assign`.

    Attributes
    ----------
    request_index, provider_index : ndarray of int64
        Matched pairs: request ``request_index[k]`` is served by provider
        ``provider_index[k]``; ``request_index`` is ascending.
    welfare : float
        Total surplus ``sum(value - cost)`` over the matched pairs (the optimum).
    row_duals, col_duals : ndarray of float64
        An optimal dual solution of the assignment LP: ``row_duals[i] + col_duals[j] >=
        value[i, j] - cost[i, j]`` on allowed pairs, with equality on matched pairs, both
        non-negative and zero for unmatched requests and providers. Whenever prices are
        computed these are the request-optimal duals, so ``col_duals`` equals the minimum
        competitive prices; with ``prices=None`` they are the solver's own optimal duals
        (competitive prices too, but not necessarily the least ones).
    min_prices, max_prices : ndarray of float64 or None
        Per provider, the least and the greatest competitive (Walrasian) price vector, as a
        mark-up over cost: request ``i`` served by ``j`` pays ``cost[i, j] + price[j]``.
        ``None`` when not requested through ``prices=`` (the default computes the minimum
        prices only). Minimum prices equal the VCG payments.
    utility : ndarray of float64
        Per request, ``value - cost - col_duals`` of its provider (0 when unmatched): its
        gain at the prices ``col_duals`` (the minimum ones unless ``prices=None``).
    unmatched : ndarray of int64
        Requests left unmatched, ascending.
    reason : ndarray of int8, shape (n_requests,)
        An :class:`AssignmentReason` code per request: ``MATCHED`` for matched requests,
        why it is unmatched otherwise (``reason[unmatched]`` are the unmatched ones).
    shape : tuple of int
        ``(n_requests, n_providers)``.

    Examples
    --------
    >>> import clearing
    >>> r = clearing.assign([[5.0, 3.0], [4.0, 1.0]])
    >>> r.request_index.tolist(), r.provider_index.tolist(), r.welfare
    ([0, 1], [1, 0], 7.0)
    """

    request_index: IntArray
    provider_index: IntArray
    welfare: float
    row_duals: FloatArray
    col_duals: FloatArray
    min_prices: FloatArray | None
    max_prices: FloatArray | None
    utility: FloatArray
    unmatched: IntArray
    reason: Int8Array
    shape: tuple[int, int]

    def to_pandas(self) -> Any:
        """One row per request: ``request, provider (-1 if none), utility, price, reason``.

        Examples
        --------
        >>> import clearing
        >>> df = clearing.assign([[5.0, 3.0], [4.0, 1.0]]).to_pandas()
        >>> len(df)
        2
        """
        pd = import_pandas()
        n = self.shape[0]
        provider = np.full(n, -1, np.int64)
        provider[self.request_index] = self.provider_index
        price = np.full(n, np.nan)
        if self.min_prices is not None:
            price[self.request_index] = self.min_prices[self.provider_index]
        return pd.DataFrame(
            {
                "request": np.arange(n, dtype=np.int64),
                "provider": provider,
                "utility": np.array(self.utility),
                "min_price": price,
                "reason": pd.Categorical.from_codes(
                    self.reason, [r.name.lower() for r in AssignmentReason]
                ),
            }
        )


@result
class TransportResult(ResultBase):
    """Outcome of :func:`clearing.transport`.

    Attributes
    ----------
    quantity : ndarray of int64 or scipy.sparse.csr_array, shape (n_requests, n_providers)
        Units of request ``i`` served by provider ``j`` (sparse when the input was sparse).
    welfare : float
        Total surplus ``sum(quantity * (value - cost))``, the optimum.
    served, unserved : ndarray of int64
        Per request, units served and units left unserved (``served + unserved == demand``).
    row_duals, col_duals : ndarray of float64
        Optimal duals per unit. When prices are computed these are the request-optimal
        ones (``col_duals`` equals ``min_prices``); with ``prices=None``, the solver's own.
    min_prices, max_prices : ndarray of float64 or None
        Per provider, the least and greatest competitive price per unit (mark-up over cost);
        zero for providers with spare capacity. ``None`` unless requested.
    unmatched : ndarray of int64
        Requests with unserved units, ascending.
    reason : ndarray of int8, shape (n_requests,)
        An :class:`AssignmentReason` code per request: ``MATCHED`` when all its units are
        served, why some are not otherwise.
    load : ndarray of int64
        Units served by each provider.

    Examples
    --------
    >>> import clearing
    >>> r = clearing.transport([[5.0, 3.0], [4.0, 1.0]], demand=[2, 1], capacity=[2, 2])
    >>> r.quantity.tolist(), r.unserved.tolist()
    ([[1, 1], [1, 0]], [0, 0])
    """

    quantity: Any
    welfare: float
    served: IntArray
    unserved: IntArray
    row_duals: FloatArray
    col_duals: FloatArray
    min_prices: FloatArray | None
    max_prices: FloatArray | None
    unmatched: IntArray
    reason: Int8Array
    load: IntArray

    def to_pandas(self) -> Any:
        """Long format: one row per (request, provider) pair with positive flow.

        Examples
        --------
        >>> import clearing
        >>> r = clearing.transport([[5.0, 3.0], [4.0, 1.0]], demand=[2, 1], capacity=[2, 2])
        >>> int(r.to_pandas()["flow"].sum()) if "flow" in r.to_pandas() else len(r.to_pandas()) > 0
        True
        """
        pd = import_pandas()
        if isinstance(self.quantity, np.ndarray):
            rows, cols = np.nonzero(self.quantity)
            units = self.quantity[rows, cols]
        else:
            coo = self.quantity.tocoo()
            keep = coo.data > 0
            rows, cols, units = coo.row[keep], coo.col[keep], coo.data[keep]
            order = np.lexsort((cols, rows))
            rows, cols, units = rows[order], cols[order], units[order]
        return pd.DataFrame(
            {
                "request": rows.astype(np.int64),
                "provider": cols.astype(np.int64),
                "quantity": np.asarray(units, dtype=np.int64),
            }
        )


@result
class AssignmentBatchResult(ResultBase):
    """Outcome of :func:`clearing.assign_batch`: stacked per-problem arrays.

    Attributes
    ----------
    provider_index : ndarray of int64, shape (n_problems, n_requests)
        Provider of each request, ``-1`` when unmatched.
    welfare : ndarray of float64, shape (n_problems,)
    row_duals, utility : ndarray of float64, shape (n_problems, n_requests)
    col_duals : ndarray of float64, shape (n_problems, n_providers)
    min_prices, max_prices : ndarray of float64 or None, shape (n_problems, n_providers)
    reason : ndarray of int8, shape (n_problems, n_requests)
        :class:`AssignmentReason` per request (``MATCHED`` for matched ones).

    Examples
    --------
    >>> import clearing
    >>> b = clearing.assign_batch([[[5.0, 3.0], [4.0, 1.0]], [[1.0, 2.0], [3.0, 1.0]]])
    >>> b.provider_index.tolist(), b.welfare.tolist()
    ([[1, 0], [1, 0]], [7.0, 5.0])
    """

    provider_index: IntArray
    welfare: FloatArray
    row_duals: FloatArray
    col_duals: FloatArray
    min_prices: FloatArray | None
    max_prices: FloatArray | None
    utility: FloatArray
    reason: Int8Array

    def __len__(self) -> int:
        return int(self.provider_index.shape[0])

    def result(self, b: int) -> AssignmentResult:
        """Problem ``b`` as an :class:`AssignmentResult` (equal to :func:`assign` on it).

        Examples
        --------
        >>> import clearing
        >>> b = clearing.assign_batch([[[5.0, 3.0], [4.0, 1.0]], [[1.0, 2.0], [3.0, 1.0]]])
        >>> b.result(1).provider_index.tolist(), b.result(1).welfare
        ([1, 0], 5.0)
        """
        n = len(self)
        if isinstance(b, bool) or not isinstance(b, int | np.integer) or not -n <= b < n:
            raise InputError(
                f"AssignmentBatchResult.result: b must be an int in [{-n}, {n}), got {b!r}",
                argument="b",
                value=b,
            )
        b = int(b) % n
        x = self.provider_index[b]
        rows = np.flatnonzero(x >= 0).astype(np.int64)
        unmatched = np.flatnonzero(x < 0).astype(np.int64)
        return AssignmentResult(
            request_index=rows,
            provider_index=x[rows].copy(),
            welfare=float(self.welfare[b]),
            row_duals=self.row_duals[b].copy(),
            col_duals=self.col_duals[b].copy(),
            min_prices=None if self.min_prices is None else self.min_prices[b].copy(),
            max_prices=None if self.max_prices is None else self.max_prices[b].copy(),
            utility=self.utility[b].copy(),
            unmatched=unmatched,
            reason=self.reason[b].copy(),
            shape=(int(self.provider_index.shape[1]), int(self.col_duals.shape[1])),
        )

    def to_pandas(self) -> Any:
        """Long format: one row per (problem, request).

        Examples
        --------
        >>> import clearing
        >>> b = clearing.assign_batch([[[5.0, 3.0], [4.0, 1.0]], [[1.0, 2.0], [3.0, 1.0]]])
        >>> len(b.to_pandas()) > 0
        True
        """
        pd = import_pandas()
        nb, n = self.provider_index.shape
        return pd.DataFrame(
            {
                "problem": np.repeat(np.arange(nb, dtype=np.int64), n),
                "request": np.tile(np.arange(n, dtype=np.int64), nb),
                "provider": self.provider_index.ravel(),
                "utility": self.utility.ravel(),
            }
        )
