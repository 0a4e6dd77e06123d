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
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..errors import LedgerError
from ._amounts import period_bounds
from ._schema import accounts, transfers

if TYPE_CHECKING:
    from ._ledger import Ledger

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


def chargeback(self: Ledger, *, period: str | None = None) -> Any:
    """Every charge to a team (optionally of one period) as a :class:`pandas.DataFrame`."""
    import numpy as np
    import pandas as pd

    t = transfers.c
    deb = accounts.alias("deb")
    cred = accounts.alias("cred")
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
            deb.c.name,
            deb.c.kind,
            cred.c.name,
            cred.c.kind,
        )
        .join(deb, deb.c.id == t.debit)
        .join(cred, cred.c.id == t.credit)
        .where(t.code.in_(tuple(_CATEGORY)), t.flags.in_((0, 2)))
        .order_by(t.seq)
    )
    if period is not None:
        period_bounds(period)
        q = q.where(t.period == period)
    with self._store.engine.connect() as conn:
        rows = conn.execute(q).all()
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
        "dkind",
        "credit",
        "ckind",
    ]
    raw = pd.DataFrame(rows, columns=names)
    team_debited = (raw["dkind"] == "team").to_numpy()
    raw = raw[team_debited | (raw["ckind"] == "team").to_numpy()]
    team_debited = (raw["dkind"] == "team").to_numpy()
    sign = np.where(team_debited, 1.0, -1.0)
    cost = raw["amount"].to_numpy(dtype=np.float64) * sign / self.scale
    team = np.where(team_debited, raw["debit"], raw["credit"])
    other = np.where(team_debited, raw["credit"], raw["debit"])
    provider = raw["note"].where(raw["note"].notna(), pd.Series(other, index=raw.index))
    listed = raw["list_cost"].to_numpy(dtype=np.float64, na_value=np.nan) * sign / self.scale
    labels = raw["period"].unique().tolist()
    bounds = {p: period_bounds(p) for p in labels}
    out = pd.DataFrame(
        {
            "BilledCost": cost,
            "EffectiveCost": cost,
            "ListCost": np.where(np.isnan(listed), cost, listed),
            "PricingQuantity": raw["quantity"].to_numpy(dtype=np.float64, na_value=np.nan),
            "PricingUnit": "unit",
            "ServiceName": raw["service"].to_numpy(),
            "ProviderName": [_bare(v) for v in provider.tolist()],
            "SubAccountId": [_bare(v) for v in team.tolist()],
            "ChargeCategory": raw["code"].map(_CATEGORY).to_numpy(),
            "ChargePeriodStart": pd.to_datetime(raw["period"].map(lambda p: bounds[p][0])),
            "ChargePeriodEnd": pd.to_datetime(raw["period"].map(lambda p: bounds[p][1])),
            "BillingCurrency": self.currency,
            "x_TransferId": raw["id"].to_numpy(),
            "x_SettlementId": raw["op"].to_numpy(),
            "x_RequestId": raw["request_id"].to_numpy(),
            "x_OfferId": raw["offer_id"].to_numpy(),
        }
    )
    return out.reset_index(drop=True)


def _bare(name: Any) -> Any:
    return name.split(":", 1)[1] if isinstance(name, str) and ":" in name else name


def export_chargeback(self: Ledger, path: str | pathlib.Path, *, period: str | None = None) -> int:
    """Write the chargeback to ``path`` (``.csv`` or ``.parquet``); returns the row count."""
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
