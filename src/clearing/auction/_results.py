"""Result classes of the call-market double auctions."""

from __future__ import annotations

import enum
from typing import Any

import numpy as np
import numpy.typing as npt

from .._kernels.auction import codes as _codes
from .._result import ResultBase, import_pandas, result
from .._validate import choice

__all__ = ["AuctionReason", "AuctionResult", "BatchAuctionResult"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]


class AuctionReason(enum.IntEnum):
    """Why an order is not, or only partly, filled (``FILLED`` when it is fully filled).

    Each code with its meaning: :doc:`/api/vocabulary`.

    Examples
    --------
    >>> import clearing
    >>> r = clearing.double_auction([10.0, 4.0], [1, 1], [5.0], [1])
    >>> [clearing.AuctionReason(code).name for code in r.bid_reason]
    ['FILLED', 'PRICED_OUT']
    """

    FILLED = _codes.FILLED  #: fully filled
    PRICED_OUT = _codes.PRICED_OUT  #: outbid, or the marginal order, partly filled
    TRADE_REDUCTION = _codes.TRADE_REDUCTION  #: lost a unit to McAfee's or SBBA's trade reduction
    LOTTERY = _codes.LOTTERY  #: lost a unit in SBBA's lottery among the sellers
    PRICE_SETTER = _codes.PRICE_SETTER  #: set the price under ``"huang"`` and does not trade
    RATIONED = _codes.RATIONED  #: long side under ``"huang"``: its quantity was reduced
    ZERO_QUANTITY = _codes.ZERO_QUANTITY  #: asked for nothing, takes no part


def _reason_names(codes: I8) -> list[str]:
    names = [r.name.lower() for r in AuctionReason]
    return [names[c] for c in codes.tolist()]


def _orders_frame(result: AuctionResult | BatchAuctionResult) -> Any:
    pd = import_pandas()
    nb, na = result.bid_filled.size, result.ask_filled.size
    frame = pd.DataFrame(
        {
            "side": ["bid"] * nb + ["ask"] * na,
            "order": np.concatenate([np.arange(nb), np.arange(na)]),
            "filled": np.concatenate([result.bid_filled, result.ask_filled]),
            "unit_price": np.concatenate([result.bid_price_paid, result.ask_price_received]),
            "reason": _reason_names(np.concatenate([result.bid_reason, result.ask_reason])),
        }
    )
    return frame


def _trades_frame(result: AuctionResult | BatchAuctionResult) -> Any:
    pd = import_pandas()
    columns: dict[str, Any] = {
        "bid_index": result.trade_bid_index,
        "ask_index": result.trade_ask_index,
        "quantity": result.trade_quantity,
        "buyer_price": result.trade_buyer_price,
        "seller_price": result.trade_seller_price,
    }
    if isinstance(result, BatchAuctionResult):
        columns = {"market": result.trade_market, **columns}
    return pd.DataFrame(columns)


@result
class AuctionResult(ResultBase):
    """Outcome of one call-market double auction.

    Attributes
    ----------
    mechanism : str
        The mechanism that cleared the market.
    volume : float
        Units traded (the sum of ``bid_filled``, equal to the sum of ``ask_filled``).
    price : float
        The one price every trader faces, when there is one (``uniform``, ``sbba``, and
        ``mcafee`` without trade reduction) and something traded; NaN otherwise.
    buyer_price, seller_price : float
        Per-unit price buyers pay and sellers receive (NaN under ``pay_as_bid``, where each
        order trades at its own price, and when nothing trades).
    clearing_range : tuple of float
        ``(lo, hi)``, the prices that clear the efficient volume:
        ``lo = max(s_k, b_{k+1})``, ``hi = min(b_k, s_{k+1})``; ``(nan, nan)`` when no trade
        is efficient.
    bid_filled, ask_filled : ndarray of float64
        Units filled per order, in input order.
    bid_price_paid, ask_price_received : ndarray of float64
        Per-unit price of each order; NaN where nothing was filled.
    bid_reason, ask_reason : ndarray of int8
        :class:`AuctionReason` code per order: why it is not, or only partly, filled.
    trade_bid_index, trade_ask_index : ndarray of int64
        Input indices of the bid and the ask of each trade. Filled bids and asks are paired
        in input order; prices never depend on the pairing.
    trade_quantity, trade_buyer_price, trade_seller_price : ndarray of float64
        Units and per-unit prices of each trade.
    welfare : float
        Realised gains from trade: value of filled bids minus cost of filled asks, at the
        reported prices.
    max_welfare : float
        Gains from trade of the efficient allocation.
    efficiency : float
        ``welfare / max_welfare`` (1.0 when ``max_welfare`` is 0).
    budget_surplus : float
        Money kept by the market: paid by buyers minus received by sellers (negative means
        a deficit the market must fund).

    Examples
    --------
    >>> import clearing
    >>> r = clearing.double_auction([10.0, 8.0], [2, 1], [5.0, 9.0], [2, 2])
    >>> r.volume, r.price, r.welfare
    (2.0, 8.5, 10.0)
    """

    mechanism: str
    volume: float
    price: float
    buyer_price: float
    seller_price: float
    clearing_range: tuple[float, float]
    bid_filled: F64
    ask_filled: F64
    bid_price_paid: F64
    ask_price_received: F64
    bid_reason: I8
    ask_reason: I8
    trade_bid_index: I64
    trade_ask_index: I64
    trade_quantity: F64
    trade_buyer_price: F64
    trade_seller_price: F64
    welfare: float
    max_welfare: float
    efficiency: float
    budget_surplus: float

    def to_pandas(self, *, table: str = "orders") -> Any:
        """One row per order (``table="orders"``) or per trade (``table="trades"``).

        Examples
        --------
        >>> import clearing
        >>> r = clearing.double_auction([10.0, 8.0], [2, 1], [5.0, 9.0], [2, 2])
        >>> r.to_pandas()["reason"].tolist()
        ['filled', 'priced_out', 'filled', 'priced_out']
        """
        choice("AuctionResult.to_pandas", "table", table, ("orders", "trades"))
        return _orders_frame(self) if table == "orders" else _trades_frame(self)


@result
class BatchAuctionResult(ResultBase):
    """Outcome of many independent double auctions cleared in one pass.

    Per-order and per-trade fields are those of :class:`AuctionResult` (per-order arrays in
    input order; trades grouped by market, markets in ascending id order, with
    ``trade_market`` giving each trade's market id). Per-market fields are arrays aligned
    with ``market`` (the distinct market ids, ascending); ``clearing_range`` has shape
    ``(n_markets, 2)``.

    Examples
    --------
    >>> import clearing
    >>> r = clearing.double_auction_batch(
    ...     [10.0, 8.0], [1, 1], [5.0, 6.0], [1, 1], bid_market=[0, 1], ask_market=[0, 1]
    ... )
    >>> r.volume.tolist(), r.price.tolist()
    ([1.0, 1.0], [7.5, 7.0])
    """

    mechanism: str
    market: I64
    volume: F64
    price: F64
    buyer_price: F64
    seller_price: F64
    clearing_range: F64
    welfare: F64
    max_welfare: F64
    efficiency: F64
    budget_surplus: F64
    bid_filled: F64
    ask_filled: F64
    bid_price_paid: F64
    ask_price_received: F64
    bid_reason: I8
    ask_reason: I8
    trade_market: I64
    trade_bid_index: I64
    trade_ask_index: I64
    trade_quantity: F64
    trade_buyer_price: F64
    trade_seller_price: F64

    def to_pandas(self, *, table: str = "markets") -> Any:
        """One row per market (``"markets"``), per order (``"orders"``) or per trade.

        Examples
        --------
        >>> import clearing
        >>> r = clearing.double_auction_batch(
        ...     [10.0, 8.0], [1, 1], [5.0, 6.0], [1, 1], bid_market=[0, 1], ask_market=[0, 1]
        ... )
        >>> r.to_pandas()["volume"].tolist()
        [1.0, 1.0]
        """
        choice("BatchAuctionResult.to_pandas", "table", table, ("markets", "orders", "trades"))
        if table == "markets":
            pd = import_pandas()
            return pd.DataFrame(
                {
                    "market": self.market,
                    "volume": self.volume,
                    "price": self.price,
                    "buyer_price": self.buyer_price,
                    "seller_price": self.seller_price,
                    "range_lo": self.clearing_range[:, 0],
                    "range_hi": self.clearing_range[:, 1],
                    "welfare": self.welfare,
                    "max_welfare": self.max_welfare,
                    "efficiency": self.efficiency,
                    "budget_surplus": self.budget_surplus,
                }
            )
        return _orders_frame(self) if table == "orders" else _trades_frame(self)
