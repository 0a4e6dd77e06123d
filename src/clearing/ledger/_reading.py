"""Reading the ledger: balances, statements, the past, and the invariants check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select

from ..errors import LedgerError
from ._context import LedgerContext
from ._schema import accounts, holds, transfers
from ._store import PENDING, POST, VOID

__all__ = ["Balance", "balance_at", "balances", "check", "contracts", "statement"]


@dataclass(frozen=True, slots=True, eq=False)
class Balance:
    """An account's posted balance (credits - debits) and its pending net, in minor units.

    Examples
    --------
    >>> import datetime as dt
    >>> from clearing.ledger import Ledger
    >>> b = Ledger.example("funded").balance_at("team:ops", dt.datetime.now(dt.UTC))
    >>> b.account, b.balance, b.pending
    ('team:ops', 100000, 0)
    """

    account: str
    balance: int
    pending: int


def balances(self: LedgerContext) -> Any:
    """One row per account: ``account``, ``kind``, ``balance``, ``pending`` (pandas).

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> table = Ledger.example("funded").balances()
    >>> int(table.set_index("account").loc["team:ops", "balance"])
    100000
    """
    import pandas as pd

    a = accounts.c
    q = select(
        a.name,
        a.kind,
        (a.credits_posted - a.debits_posted).label("balance"),
        (a.credits_pending - a.debits_pending).label("pending"),
    ).order_by(a.id)
    with self._store.engine.connect() as conn:
        rows = conn.execute(q).all()
    df = pd.DataFrame(rows, columns=["account", "kind", "balance", "pending"])
    return df.astype({"balance": "int64", "pending": "int64"})


def statement(self: LedgerContext, account: str, *, period: str | None = None) -> Any:
    """Every transfer of one account, oldest first, with the running posted balance.

    Columns: ``transfer_id``, ``time``, ``period``, ``code``, ``counterparty``,
    ``amount`` (signed: credit positive), ``status`` (``posted``, ``pending``, ``voided``)
    and ``balance`` (posted balance after the transfer, over the whole history).

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> ledger = Ledger.example("settled")  # granted 100,000, then charged 8,000
    >>> ledger.statement("team:ops")["amount"].tolist()
    [100000, -8000]
    """
    import pandas as pd

    store = self._store
    t = transfers.c
    other = accounts.alias("other")
    with store.engine.connect() as conn:
        aid = store.account_ids(conn, [account], "account")[account]
        q = (
            select(t.id, t.ts, t.period, t.code, t.debit, t.amount, t.flags, other.c.name)
            .join(other, other.c.id == func.coalesce(_other(aid), t.debit))
            .where(or_(t.debit == aid, t.credit == aid))
            .order_by(t.seq)
        )
        rows = conn.execute(q).all()
    out = []
    running = 0
    for tid, ts, per, code, debit, amount, flags, name in rows:
        signed = -amount if debit == aid else amount
        status = "pending" if flags == PENDING else "voided" if flags == VOID else "posted"
        if flags in (0, POST):
            running += signed
        out.append((tid, _time(ts), per, code, name, signed, status, running))
    cols = [
        "transfer_id",
        "time",
        "period",
        "code",
        "counterparty",
        "amount",
        "status",
        "balance",
    ]
    df = pd.DataFrame(out, columns=cols)
    return df if period is None else df[df["period"] == period].reset_index(drop=True)


def balance_at(self: LedgerContext, account: str, when: dt.datetime | int) -> Balance:
    """The account's posted balance and pending net at a past moment (inclusive).

    Examples
    --------
    >>> import datetime as dt
    >>> from clearing.ledger import Ledger
    >>> ledger = Ledger.example("empty")
    >>> before = dt.datetime.now(dt.UTC)
    >>> _ = ledger.grant("ops", 5_000, grant_id="g1")
    >>> ledger.balance_at("team:ops", before).balance
    0
    """
    ns = _ns(when)
    store = self._store
    t = transfers.c
    with store.engine.connect() as conn:
        aid = store.account_ids(conn, [account], "account")[account]
        posted = 0
        pending = 0
        q = select(t.id, t.debit, t.amount, t.flags, t.pending_id).where(
            or_(t.debit == aid, t.credit == aid), t.ts <= ns
        )
        resolved: set[str] = set()
        open_: dict[str, int] = {}
        for tid, debit, amount, flags, pid in conn.execute(q):
            signed = -amount if debit == aid else amount
            if flags in (0, POST):
                posted += signed
            if flags == PENDING:
                open_[tid] = signed
            if flags in (POST, VOID) and pid is not None:
                resolved.add(pid)
        # a post credits the provider, not the market: find resolutions of our pendings
        if open_:
            rq = select(t.pending_id).where(t.pending_id.in_(list(open_)), t.ts <= ns)
            resolved.update(r for (r,) in conn.execute(rq))
        pending = sum(v for k, v in open_.items() if k not in resolved)
    return Balance(account, posted, pending)


def check(self: LedgerContext) -> dict[str, int]:
    """Verify the ledger's invariants; raise :class:`~clearing.errors.LedgerError` if broken.

    Checked: the balances sum to zero; pending debits equal pending credits; every
    account's running totals equal the sums of its transfers; the treasury's debits equal
    every grant; no team's debits (posted and pending) exceed its credits; the pending
    totals equal the open holds. Returns the grand totals.

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> Ledger.example("settled").check()["grants"]
    100000
    """
    t = transfers.c
    a = accounts.c
    engine = self._store.engine
    # one snapshot for every read below: under PostgreSQL's default READ COMMITTED each
    # statement sees the commits made since the last one, so a settlement committing while
    # the check runs would show account totals older than the transfers (SQLite reads in
    # one transaction already)
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn:
        rows = {r.id: r for r in conn.execute(select(accounts))}
        sums: dict[int, list[int]] = {i: [0, 0, 0, 0] for i in rows}
        posted = t.flags.in_((0, POST))
        for side, k in ((t.debit, 0), (t.credit, 1)):
            for aid, total in conn.execute(
                select(side, func.sum(t.amount)).where(posted).group_by(side)
            ):
                sums[aid][k] = int(total)
        h = holds.c
        for aid, total in conn.execute(
            select(h.team, func.sum(h.amount)).where(h.state == "pending").group_by(h.team)
        ):
            sums[aid][2] = int(total)
        market = conn.execute(select(a.id).where(a.name == "market")).scalar_one()
        sums[market][3] = sum(s[2] for s in sums.values())
        grants = conn.execute(
            select(func.coalesce(func.sum(t.amount), 0)).where(t.code == "grant")
        ).scalar_one()
    problems = []
    for aid, r in rows.items():
        have = [r.debits_posted, r.credits_posted, r.debits_pending, r.credits_pending]
        if have != sums[aid]:
            problems.append(f"{r.name}: totals {have} but transfers give {sums[aid]}")
        if r.kind == "team" and r.debits_posted + r.debits_pending > r.credits_posted:
            problems.append(f"{r.name}: overdrawn")
    balance = sum(r.credits_posted - r.debits_posted for r in rows.values())
    pend = sum(r.credits_pending - r.debits_pending for r in rows.values())
    treasury = next(r for r in rows.values() if r.name == "treasury")
    if balance or pend:
        problems.append(f"balances sum to {balance}, pending to {pend}")
    if treasury.debits_posted != grants:
        problems.append(f"treasury debits {treasury.debits_posted} != grants {grants}")
    if problems:
        raise LedgerError("Ledger.check: " + "; ".join(problems), argument="ledger")
    return {"accounts": len(rows), "grants": int(grants), "held": sums[market][3]}


def contracts(self: LedgerContext) -> Any:
    """Agreed negotiations (pandas): hold, request, team, provider, service, rule, terms.

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> ledger = Ledger.example("held")  # request 'n1' in negotiation with 'payroll'
    >>> _ = ledger.agree("h1", 52.5, 4.0)
    >>> ledger.contracts()[["team", "provider", "rule"]].to_dict("records")
    [{'team': 'team:ops', 'provider': 'provider:payroll', 'rule': 'big runs'}]
    """
    import pandas as pd

    h = holds.c
    q = (
        select(
            h.id,
            h.request_id,
            accounts.c.name,
            h.provider,
            h.service,
            h.rule,
            h.agreed_quantity,
            h.agreed_price,
            h.agreed,
            h.period,
        )
        .join(accounts, accounts.c.id == h.team)
        .where(h.state == "posted")
        .order_by(h.id)
    )
    with self._store.engine.connect() as conn:
        rows = conn.execute(q).all()
    cols = [
        "hold_id",
        "request_id",
        "team",
        "provider",
        "service",
        "rule",
        "quantity",
        "unit_price",
        "amount",
        "period",
    ]
    return pd.DataFrame(rows, columns=cols)


def _other(aid: int) -> Any:
    t = transfers.c
    return case((t.debit == aid, t.credit), else_=t.debit)


def _ns(when: dt.datetime | int) -> int:
    if isinstance(when, dt.datetime):
        if when.tzinfo is None:
            raise LedgerError("balance_at: when must be timezone-aware", argument="when")
        micros = (when - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
        return micros * 1000 + 999  # the whole microsecond is included
    if isinstance(when, int) and not isinstance(when, bool):
        return when
    raise LedgerError(
        f"balance_at: when must be a datetime or int ns, got {when!r}", argument="when"
    )


def _time(ns: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ns / 1e9, tz=dt.UTC)
