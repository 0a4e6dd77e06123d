"""Consequences of a missed service level, executed as new transfers.

The terms were fixed at settlement from the allocation's ``refund_share``, ``penalty`` and
``rating_change`` (as ``refund_due = rint(refund_share * charge)`` and ``penalty_due =
rint(penalty * quantity * scale)``). A failure report for a share of the allocation's
quantity posts that share of both from the provider's account to the team (an outside
vendor's come in through ``external``), each transfer pointing at the original usage
transfer, and records the rating change for the next clearing. One incident id is executed
at most once; the reported shares of one allocation never add up to more than all of it.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Connection, func, select

from ..errors import InvalidAmount, UnknownAccount
from ._context import LedgerContext
from ._schema import incidents, transfers
from ._store import Posting, digest, row

__all__ = ["ratings", "report_failure"]


def report_failure(
    self: LedgerContext,
    settlement_id: str,
    request_id: Any,
    offer_id: Any,
    *,
    incident_id: str,
    share: float = 1.0,
) -> dict[str, Any]:
    """Execute the failure terms of one settled allocation; returns what was posted.

    ``share`` (0-1] is the failed part of the allocation's quantity. Raises
    :class:`~clearing.errors.UnknownAccount` when the settlement has no such allocation and
    :class:`~clearing.errors.InvalidAmount` when the reported shares would exceed it.

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> ledger = Ledger.example("settled")  # 'week-1': r1 paid 8,000 to 'desk' for o1
    >>> ledger.report_failure("week-1", "r1", "o1", incident_id="INC-1")["refund"]
    4000
    """
    s = float(share)
    if not (math.isfinite(s) and 0 < s <= 1):
        raise InvalidAmount(
            f"report_failure {incident_id!r}: share must be in (0, 1], got {share!r}",
            argument="share",
            value=share,
        )
    store = self._store
    t = transfers.c

    def body(conn: Connection, ts: int) -> dict[str, Any]:
        u = conn.execute(
            select(transfers).where(
                t.operation == settlement_id,
                t.code == "usage",
                t.request_id == str(request_id),
                t.offer_id == str(offer_id),
            )
        ).first()
        if u is None:
            raise UnknownAccount(
                f"report_failure {incident_id!r}: settlement {settlement_id!r} has no allocation "
                f"of request {request_id!r} with offer {offer_id!r}",
                argument="settlement_id",
                value=(settlement_id, request_id, offer_id),
            )
        before = conn.execute(
            select(func.coalesce(func.sum(incidents.c.quantity), 0.0)).where(
                incidents.c.transfer_id == u.id
            )
        ).scalar_one()
        qty = s * u.quantity
        if before + qty > u.quantity * (1 + 1e-12):
            raise InvalidAmount(
                f"report_failure {incident_id!r}: {before:g} of {u.quantity:g} unit(s) of "
                f"{u.id!r} were reported failed already; {qty:g} more is too much",
                argument="share",
                value=share,
            )
        refund = round(u.refund_due * s)
        penalty = round(u.penalty_due * s)
        payer_name = u.note if not u.note.startswith("vendor:") else "external"
        ids = store.account_ids(conn, [payer_name], "settlement_id")
        rows = []
        for code, amount in (("refund", refund), ("penalty", penalty)):
            if amount > 0:
                rows.append(
                    row(
                        f"{incident_id}/{code}",
                        incident_id,
                        ids[payer_name],
                        u.debit,
                        amount,
                        code,
                        u.period,
                        ts,
                        pending_id=u.id,
                        request_id=u.request_id,
                        offer_id=u.offer_id,
                        service=u.service,
                        quantity=qty,
                        note=u.note,
                    )
                )
        provider = u.note.split(":", 1)[1]
        conn.execute(
            incidents.insert().values(
                id=incident_id,
                transfer_id=u.id,
                provider=provider,
                service=u.service,
                quantity=qty,
                refund=refund,
                penalty=penalty,
                rating_change=float(u.rating_change or 0.0),
                ts=ts,
            )
        )
        store.apply(conn, Posting.of(rows), argument="incident_id", op_id=incident_id)
        return {"refund": refund, "penalty": penalty, "rating_change": u.rating_change or 0.0}

    content = digest(settlement_id, str(request_id), str(offer_id), s)
    result, _ = store.run(incident_id, "failure", content, body, argument="incident_id")
    return result


def ratings(self: LedgerContext) -> Any:
    """Recorded rating changes per provider and service (pandas), for the next clearing.

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> ledger = Ledger.example("settled")
    >>> _ = ledger.report_failure("week-1", "r1", "o1", incident_id="INC-1")
    >>> ledger.ratings().to_dict("records")
    [{'provider': 'desk', 'service': 'it', 'rating_change': -1.0, 'incidents': 1}]
    """
    import pandas as pd

    i = incidents.c
    q = (
        select(i.provider, i.service, func.sum(i.rating_change), func.count())
        .group_by(i.provider, i.service)
        .order_by(i.provider, i.service)
    )
    with self._store.engine.connect() as conn:
        rows = conn.execute(q).all()
    return pd.DataFrame(rows, columns=["provider", "service", "rating_change", "incidents"])
