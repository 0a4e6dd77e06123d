"""Example markets bundled with the package.

Each loader returns plain numpy arrays (no pandas needed), read from a CSV file shipped in
``clearing/data``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from .policy import Policy

__all__ = ["LegalReviewMarket", "Organisation", "legal_review", "organisation"]


@dataclass(frozen=True, slots=True, eq=False)
class LegalReviewMarket:
    """A week of legal review bought and sold in hours.

    Attributes
    ----------
    bid_party, ask_party : list of str
        Names of the buying teams and of the selling providers.
    bid_hours, bid_prices : ndarray of float64
        Hours each team wants and the most it will pay per hour (internal currency).
    ask_hours, ask_prices : ndarray of float64
        Hours each provider offers and the least it accepts per hour.
    ask_external : ndarray of bool
        ``True`` for outside firms, ``False`` for the internal legal departments.

    Examples
    --------
    >>> from clearing.datasets import legal_review
    >>> market = legal_review()
    >>> len(market.bid_party), len(market.ask_party)
    (12, 5)
    """

    bid_party: list[str]
    bid_hours: npt.NDArray[np.float64]
    bid_prices: npt.NDArray[np.float64]
    ask_party: list[str]
    ask_hours: npt.NDArray[np.float64]
    ask_prices: npt.NDArray[np.float64]
    ask_external: npt.NDArray[np.bool_]


def legal_review() -> LegalReviewMarket:
    """Twelve front-line teams buying legal review from five providers.

    The sellers are two internal legal departments (``legal_internal_a`` and ``_b``) and
    three outside firms; prices are per hour in the internal currency and quantities are
    whole hours, so every mechanism, unit mechanisms included, can clear it. The data lives
    in ``clearing/data/legal_review.csv`` (columns ``side, party, kind, hours, price``).

    Returns
    -------
    LegalReviewMarket

    Examples
    --------
    >>> from clearing import datasets, double_auction
    >>> m = datasets.legal_review()
    >>> len(m.bid_party), len(m.ask_party)
    (12, 5)
    >>> double_auction(m.bid_prices, m.bid_hours, m.ask_prices, m.ask_hours).volume
    135.0
    """
    text = resources.files("clearing").joinpath("data/legal_review.csv").read_text()
    bids: list[tuple[str, float, float]] = []
    asks: list[tuple[str, float, float, bool]] = []
    for row in csv.DictReader(text.splitlines()):
        hours, price = float(row["hours"]), float(row["price"])
        if row["side"] == "bid":
            bids.append((row["party"], hours, price))
        else:
            asks.append((row["party"], hours, price, row["kind"] == "external"))
    return LegalReviewMarket(
        bid_party=[b[0] for b in bids],
        bid_hours=np.array([b[1] for b in bids]),
        bid_prices=np.array([b[2] for b in bids]),
        ask_party=[a[0] for a in asks],
        ask_hours=np.array([a[1] for a in asks]),
        ask_prices=np.array([a[2] for a in asks]),
        ask_external=np.array([a[3] for a in asks]),
    )


@dataclass(frozen=True, slots=True, eq=False)
class Organisation:
    """An organisation's service requests, competing offers and guard rails, ready for
    :func:`clearing.clear`.

    Attributes
    ----------
    requests : dict of str to ndarray
        One row per request: ``request_id``, ``team``, ``service``, ``quantity``,
        ``max_price``, ``priority``, ``quality_weight``.
    offers : dict of str to ndarray
        One row per offer: ``offer_id``, ``provider``, ``service``, ``capacity``, ``ask``,
        ``quality`` (the provider's rating, 0-5), ``external``.
    policy : Policy
        The organisation's guard rails.

    Examples
    --------
    >>> from clearing import clear
    >>> from clearing.datasets import organisation
    >>> org = organisation()
    >>> c = clear(org.requests, org.offers, org.policy)
    >>> len(c.markets) > 0
    True
    """

    requests: dict[str, npt.NDArray[Any]]
    offers: dict[str, npt.NDArray[Any]]
    policy: Policy


def organisation() -> Organisation:
    """Six front-line teams buying four services from internal departments and vendors.

    Legal review is kept internal (two legal departments compete), compliance goes to legal
    department A, no IT provider may take over 60% of the volume, two teams have budgets
    and large payroll runs are negotiated. The data lives in ``clearing/data/org_*.csv``
    and ``org_policy.toml``.

    Returns
    -------
    Organisation

    Examples
    --------
    >>> from clearing import clear, datasets
    >>> org = datasets.organisation()
    >>> result = clear(org.requests, org.offers, org.policy)
    >>> result.markets["service"].tolist()
    ['compliance', 'it', 'legal', 'payroll']
    """
    from .market._demo import load_organisation

    requests, offers, policy = load_organisation()
    return Organisation(requests=requests, offers=offers, policy=policy)
