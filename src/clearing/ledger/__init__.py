"""The internal currency ledger: settle a :class:`clearing.Clearing` safely.

``from clearing.ledger import Ledger``. Needs the ``[ledger]`` extra (SQLAlchemy 2, psycopg 3,
pandas, pyarrow). See :doc:`/ledger` for the how-to.
"""

from __future__ import annotations

from .._public import export
from ..errors import (
    DuplicateSettlement,
    HoldClosed,
    InsufficientFunds,
    InvalidAmount,
    LedgerError,
    SchemaMismatch,
    UnbalancedPosting,
    UnknownAccount,
)
from ._chargeback import COLUMNS as CHARGEBACK_COLUMNS
from ._ledger import Balance, Ledger, Settlement
from ._schema import SCHEMA_VERSION

__all__ = [
    "CHARGEBACK_COLUMNS",
    "SCHEMA_VERSION",
    "Balance",
    "DuplicateSettlement",
    "HoldClosed",
    "InsufficientFunds",
    "InvalidAmount",
    "Ledger",
    "LedgerError",
    "SchemaMismatch",
    "Settlement",
    "UnbalancedPosting",
    "UnknownAccount",
]

export("clearing.ledger", globals(), ["Balance", "Ledger", "Settlement"])
