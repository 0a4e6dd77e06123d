"""Chargeback: one row per charge, in FOCUS-style columns, to pandas, CSV or Parquet.

Rows are the transfers that charge or credit a team: ``usage`` (settled allocations and
agreed negotiations), ``refund`` and ``penalty`` (failure consequences, negative: the team
receives them) and ``adjustment`` (corrections posted with :meth:`Ledger.post` that touch a
team). Amounts are in currency units (minor units / scale).

| column | meaning |
| --- | --- |
| BilledCost | what the team was charged (its rounded share of the settlement) |
| EffectiveCost | the same (the ledger has no amortisation) |
| ListCost | quantity x unit price, rounded on its own |
| PricingQuantity, PricingUnit | the allocation's quantity; ``unit`` |
| ServiceName, ProviderName, SubAccountId | service, provider, team |
| ChargeCategory | ``Usage``, ``Refund``, ``Penalty`` or ``Adjustment`` |
| ChargePeriodStart, ChargePeriodEnd | bounds of the transfer's period label |
| BillingCurrency | the ledger's currency |
| x_TransferId, x_SettlementId, x_RequestId, x_OfferId | where the row comes from |
"""

from __future__ import annotations

import pathlib
from typing import Any

from sqlalchemy import select

from ..errors import LedgerError
from ._amounts import period_bounds
from ._context import LedgerContext
from ._schema import accounts, transfers

__all__ = ["COLUMNS", "chargeback", "export_chargeback"]

COLUMNS = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "ServiceName",
    "ProviderName",
    "SubAccountId",
    "ChargeCategory",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BillingCurrency",
    "x_TransferId",
    "x_SettlementId",
    "x_RequestId",
    "x_OfferId",
)
_CATEGORY = {"usage": "Usage", "refund": "Refund", "penalty": "Penalty", "adjustment": "Adjustment"}


def chargeback(self: LedgerContext, *, period: str | None = None) -> Any:
    """Every charge to a team (optionally of one period) as a :class:`pandas.DataFrame`.

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> Ledger.example("settled").chargeback(period="2026-11")["BilledCost"].tolist()
    [80.0]
    """
    import numpy as np
    import pandas as pd

    t = transfers.c
    q = (
        select(
            t.id,
            t.operation,
            t.code,
            t.period,
            t.amount,
            t.list_cost,
            t.quantity,
            t.service,
            t.request_id,
            t.offer_id,
            t.note,
            t.debit,
            t.credit,
        )
        .where(t.code.in_(tuple(_CATEGORY)), t.flags.in_((0, 2)))
        .order_by(t.seq)
    )  # no join: account names are mapped below from the (small) accounts table
    if period is not None:
        period_bounds(period)
        q = q.where(t.period == period)
    with self._store.engine.connect() as conn:
        rows = conn.execute(q).all()
        acc = conn.execute(select(accounts.c.id, accounts.c.name, accounts.c.kind)).all()
    names = [
        "id",
        "op",
        "code",
        "period",
        "amount",
        "list_cost",
        "quantity",
        "service",
        "request_id",
        "offer_id",
        "note",
        "debit",
        "credit",
    ]
    # column lists from plain tuples: DataFrame.from_records probes each Row object (slow)
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    raw = pd.DataFrame({n: pd.Series(c, dtype=object) for n, c in zip(names, columns, strict=True)})
    teams = {i for i, _, kind in acc if kind == "team"}
    bare = {i: n.split(":", 1)[-1] for i, n, _ in acc} | {n: n.split(":", 1)[-1] for _, n, _ in acc}
    debited = raw["debit"].isin(teams).to_numpy(dtype=bool)
    keep = debited | raw["credit"].isin(teams).to_numpy(dtype=bool)
    raw, debited = raw[keep].reset_index(drop=True), debited[keep]
    sign = np.where(debited, 1.0, -1.0)
    raw["cost"] = raw["amount"].to_numpy(dtype=np.float64) * sign
    raw["list_cost"] = raw["list_cost"].to_numpy(dtype=np.float64, na_value=np.nan) * sign
    raw["team"] = np.where(debited, raw["debit"], raw["credit"])
    other = pd.Series(np.where(debited, raw["credit"], raw["debit"]), dtype=object)
    raw["provider"] = raw["note"].where(raw["note"].notna(), other)
    cost = raw["cost"].to_numpy(dtype=np.float64) / self.scale
    listed = raw["list_cost"].to_numpy(dtype=np.float64, na_value=np.nan) / self.scale
    bounds = {p: period_bounds(p) for p in raw["period"].unique().tolist()}
    starts = {p: b[0] for p, b in bounds.items()}
    ends = {p: b[1] for p, b in bounds.items()}
    out = pd.DataFrame(
        {
            "BilledCost": cost,
            "EffectiveCost": cost,
            "ListCost": np.where(np.isnan(listed), cost, listed),
            "PricingQuantity": raw["quantity"].to_numpy(dtype=np.float64, na_value=np.nan),
            "PricingUnit": "unit",
            "ServiceName": raw["service"],
            "ProviderName": raw["provider"].map(bare),
            "SubAccountId": raw["team"].map(bare),
            "ChargeCategory": raw["code"].map(_CATEGORY),
            "ChargePeriodStart": pd.to_datetime(raw["period"].map(starts), utc=True),
            "ChargePeriodEnd": pd.to_datetime(raw["period"].map(ends), utc=True),
            "BillingCurrency": self.currency,
            "x_TransferId": raw["id"],
            "x_SettlementId": raw["op"],
            "x_RequestId": raw["request_id"],
            "x_OfferId": raw["offer_id"],
        }
    )
    return out


def export_chargeback(
    self: LedgerContext, path: str | pathlib.Path, *, period: str | None = None
) -> int:
    """Write the chargeback to ``path`` (``.csv`` or ``.parquet``); returns the row count.

    Examples
    --------
    >>> import os, tempfile
    >>> from clearing.ledger import Ledger
    >>> path = os.path.join(tempfile.mkdtemp(), "cb.csv")
    >>> Ledger.example("settled").export_chargeback(path, period="2026-11")
    1
    """
    p = pathlib.Path(path)
    if p.suffix not in (".csv", ".parquet"):
        raise LedgerError(
            f"export_chargeback: {p.name!r} must end in .csv or .parquet", argument="path"
        )
    df = chargeback(self, period=period)
    if p.suffix == ".csv":
        df.to_csv(p, index=False)
    else:
        df.to_parquet(p, index=False)
    return len(df)
