"""The :class:`Ledger`: accounts, grants, postings, settlement, balances and periods."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from ..errors import InvalidAmount, LedgerError, UnbalancedPosting
from . import _chargeback, _failures, _holds
from ._amounts import current_period, minor_units, period_bounds
from ._schema import accounts, holds, transfers
from ._settle import plan_settlement
from ._store import KINDS, PENDING, POST, VOID, Posting, Store, digest

__all__ = ["Balance", "Ledger", "Settlement"]

_CODES = ("adjustment", "refund", "penalty", "usage")
_RULES = ("lapse", "carry", "cap")


@dataclass(frozen=True, slots=True, eq=False)
class Settlement:
    """What :meth:`Ledger.settle` posted (amounts in minor units).

    Attributes
    ----------
    settlement_id : str
    period : str
    transfers : int
        Transfers written (usage, payouts, rounding).
    charged : int
        Total charged to teams.
    paid_out : int
        Total paid to providers and vendors.
    margin : int
        Kept by the market (negative: a deficit it paid).
    rounding : int
        Residue posted to the rounding account.
    teams : dict
        Charge per team account.
    replayed : bool
        True when the id was settled before and this call returned the original result.
    """

    settlement_id: str
    period: str
    transfers: int
    charged: int
    paid_out: int
    margin: int
    rounding: int
    teams: dict[str, int]
    replayed: bool


@dataclass(frozen=True, slots=True, eq=False)
class Balance:
    """An account's posted balance (credits - debits) and its pending net, in minor units."""

    account: str
    balance: int
    pending: int


class Ledger:
    """A double-entry ledger in an internal currency, stored in SQLite or PostgreSQL.

    Parameters
    ----------
    url : str
        SQLAlchemy URL: ``sqlite:///path.db`` (a file; WAL, foreign keys on) or
        ``postgresql+psycopg://user@host:port/db``.
    scale : int
        Minor units per currency unit (100: cents). Prices from :func:`clearing.clear` are
        multiplied by it and rounded once, at settlement.
    currency : str
        The ``BillingCurrency`` of the chargeback.
    clock : callable, optional
        Returns the time in nanoseconds since the epoch (default :func:`time.time_ns`).

    Notes
    -----
    Accounts are named ``team:<name>``, ``provider:<name>``, ``vendor:<name>`` (outside
    vendors) and the four system accounts ``market``, ``treasury``, ``rounding`` and
    ``external``. A balance is credits minus debits; team accounts carry the flag *debits
    must not exceed credits* (posted and pending debits together), so no operation, whoever
    calls it, overdraws a team. Every write is one transaction, identified by a caller-chosen
    id: repeating it with the same content returns the original result, with other content
    raises :class:`~clearing.errors.DuplicateSettlement`.

    Examples
    --------
    >>> import datetime as dt, os, tempfile
    >>> from clearing.ledger import Ledger
    >>> path = os.path.join(tempfile.mkdtemp(), "ledger.db")
    >>> ledger = Ledger(f"sqlite:///{path}")
    >>> ledger.grant("sales", 50_000, period="2026-11", grant_id="g1")
    'g1'
    >>> ledger.balance_at("team:sales", dt.datetime.now(dt.UTC)).balance
    50000
    """

    def __init__(
        self,
        url: str = "sqlite:///clearing-ledger.db",
        *,
        scale: int = 100,
        currency: str = "ICU",
        clock: Callable[[], int] | None = None,
    ) -> None:
        if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
            raise LedgerError(
                f"Ledger: scale must be a positive int, got {scale!r}", argument="scale"
            )
        self.scale = scale
        self.currency = currency
        self._store = Store(url, clock)

    def close(self) -> None:
        """Release the database connections."""
        self._store.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _period(self, period: str | None) -> str:
        label = period if period is not None else current_period(self._store.now())
        period_bounds(label)
        return label

    # accounts and grants ------------------------------------------------------------------

    def open_account(self, name: str, *, kind: str) -> str:
        """Open (or find) the account ``kind:name``; returns its full name."""
        if kind not in KINDS[:3]:
            raise LedgerError(
                f"open_account: kind must be team, provider or vendor, got {kind!r}",
                argument="kind",
            )
        full = f"{kind}:{name}"
        store = self._store

        def body() -> None:
            with store.begin() as conn:
                store.open_accounts(conn, {full: kind})

        store.with_retry(body)
        return full

    def grant(
        self, team: str, amount: int, *, period: str | None = None, grant_id: str | None = None
    ) -> str:
        """Credit a team's budget from the treasury (minor units); returns the grant's id.

        A caller-chosen ``grant_id`` makes the call safe to retry.
        """
        value = minor_units(amount, "amount", f"grant to {team!r}")
        gid = grant_id if grant_id is not None else f"grant-{uuid.uuid4()}"
        label = self._period(period)
        store = self._store
        account = f"team:{team}"

        def body(conn: Any, ts: int) -> dict[str, Any]:
            ids = store.open_accounts(conn, {account: "team"})
            ids.update(store.account_ids(conn, ["treasury"], "team"))
            if value:
                row = _row(gid, gid, ids["treasury"], ids[account], value, "grant", label, ts)
                store.apply(conn, Posting.of([row]), argument="amount", op_id=gid)
            return {"amount": value}

        store.run(gid, "grant", digest(account, value, label), body, argument="grant_id")
        return gid

    def post(
        self,
        posting_id: str,
        legs: Mapping[str, int],
        *,
        code: str = "adjustment",
        period: str | None = None,
    ) -> int:
        """A correction or any other movement: signed legs per account that sum to zero.

        ``legs`` maps account names to amounts in minor units, positive for a credit and
        negative for a debit. Raises :class:`~clearing.errors.UnbalancedPosting` when they do
        not sum to zero. Returns the number of transfers written.
        """
        if code not in _CODES:
            raise LedgerError(f"post: code must be one of {_CODES}, got {code!r}", argument="code")
        signed: dict[str, int] = {}
        for name, amount in legs.items():
            if isinstance(amount, bool) or not isinstance(amount, int):
                raise InvalidAmount(
                    f"post {posting_id!r}: leg {name!r} is {amount!r}; legs are ints (minor units)",
                    argument="legs",
                    index=name,
                    value=amount,
                )
            if amount:
                signed[name] = signed.get(name, 0) + amount
        total = sum(signed.values())
        if total != 0:
            raise UnbalancedPosting(
                f"post {posting_id!r}: legs sum to {total}, not zero (credits {sum(v for v in signed.values() if v > 0)}, debits {-sum(v for v in signed.values() if v < 0)})",  # noqa: E501
                argument="legs",
                value=total,
            )
        label = self._period(period)
        store = self._store
        items = sorted(signed.items())

        def body(conn: Any, ts: int) -> dict[str, Any]:
            ids = store.account_ids(conn, [n for n, _ in items], "legs")
            debits = [(n, -v) for n, v in items if v < 0]
            credits = [(n, v) for n, v in items if v > 0]
            rows: list[dict[str, Any]] = []
            while debits and credits:
                (dn, dv), (cn, cv) = debits[-1], credits[-1]
                amount = min(dv, cv)
                tid = f"{posting_id}/{len(rows)}"
                rows.append(_row(tid, posting_id, ids[dn], ids[cn], amount, code, label, ts))
                debits[-1], credits[-1] = (dn, dv - amount), (cn, cv - amount)
                if dv == amount:
                    debits.pop()
                if cv == amount:
                    credits.pop()
            store.apply(conn, Posting.of(rows), argument="legs", op_id=posting_id)
            return {"transfers": len(rows)}

        result, _ = store.run(
            posting_id, "post", digest(items, code, label), body, argument="posting_id"
        )
        return int(result["transfers"])

    # settlement ---------------------------------------------------------------------------

    def settle(self, clearing: Any, settlement_id: str, *, period: str | None = None) -> Settlement:
        """Settle every allocation of a :class:`clearing.Clearing` in one transaction.

        Each team pays its charge to the market (one ``usage`` transfer per allocation), the
        market pays each provider, outside vendors' payouts leave through ``external``, the
        rounding residue goes to ``rounding``. All or nothing: a team without funds raises
        :class:`~clearing.errors.InsufficientFunds` (naming the team, the amount and its
        balance), a team without an account :class:`~clearing.errors.UnknownAccount`, and
        nothing is written. Settling the same id again returns the original result
        (``replayed=True``); other content under the same id raises
        :class:`~clearing.errors.DuplicateSettlement`.
        """
        if not isinstance(settlement_id, str) or not settlement_id:
            raise LedgerError(
                "settle: settlement_id must be a non-empty str", argument="settlement_id"
            )
        label = self._period(period)
        plan = plan_settlement(clearing, settlement_id, label, self.scale)
        store = self._store

        def body(conn: Any, ts: int) -> dict[str, Any]:
            ids = store.account_ids(conn, plan.teams, "clearing")
            kinds = {n: n.split(":", 1)[0] for n in plan.providers}
            ids.update(store.open_accounts(conn, kinds))
            ids.update(store.account_ids(conn, ["market", "rounding", "external"], "clearing"))
            _holds.sweep(store, conn, ts)
            posting = plan.posting(settlement_id, ids, label, ts)
            store.apply(conn, posting, argument="clearing", op_id=settlement_id)
            return {"period": label, **plan.summary()}

        result, replayed = store.run(
            settlement_id, "settle", plan.content, body, argument="settlement_id"
        )
        return Settlement(settlement_id, replayed=replayed, **result)

    # periods ------------------------------------------------------------------------------

    def close_period(self, period: str, *, rule: str = "lapse", cap: int | None = None) -> int:
        """Apply the carry-over rule to every team at the end of ``period``.

        ``"lapse"``: each team's available balance (posted minus held) goes back to the
        treasury; ``"carry"``: it stays for the next period; ``"cap"``: at most ``cap`` minor
        units stay and the excess goes back. Returns the total returned. Closing the same
        period again with the same rule is a replay.
        """
        if rule not in _RULES:
            raise LedgerError(f"close_period: rule must be one of {_RULES}", argument="rule")
        keep = minor_units(cap, "cap", "close_period") if rule == "cap" else None
        label = self._period(period)
        store = self._store

        def body(conn: Any, ts: int) -> dict[str, Any]:
            treasury = store.account_ids(conn, ["treasury"], "period")["treasury"]
            rows = []
            if rule != "carry":
                q = select(accounts).where(accounts.c.kind == "team").order_by(accounts.c.id)
                for acc in conn.execute(q):
                    avail = acc.credits_posted - acc.debits_posted - acc.debits_pending
                    back = avail - min(avail, keep) if keep is not None else avail
                    if back > 0:
                        tid = f"close:{label}/{acc.name}"
                        rows.append(
                            _row(tid, f"close:{label}", acc.id, treasury, back, "lapse", label, ts)
                        )
            store.apply(conn, Posting.of(rows), argument="period", op_id=f"close:{label}")
            return {"returned": sum(r["amount"] for r in rows)}

        result, _ = store.run(
            f"close:{label}", "close", digest(rule, keep), body, argument="period"
        )
        return int(result["returned"])

    # reading ------------------------------------------------------------------------------

    def balances(self) -> Any:
        """One row per account: ``account``, ``kind``, ``balance``, ``pending`` (pandas)."""
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

    def statement(self, account: str, *, period: str | None = None) -> Any:
        """Every transfer of one account, oldest first, with the running posted balance.

        Columns: ``transfer_id``, ``time``, ``period``, ``code``, ``counterparty``,
        ``amount`` (signed: credit positive), ``status`` (``posted``, ``pending``, ``voided``)
        and ``balance`` (posted balance after the transfer, over the whole history).
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

    def balance_at(self, account: str, when: dt.datetime | int) -> Balance:
        """The account's posted balance and pending net at a past moment (inclusive)."""
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

    def check(self) -> dict[str, int]:
        """Verify the ledger's invariants; raise :class:`~clearing.errors.LedgerError` if broken.

        Checked: the balances sum to zero; pending debits equal pending credits; every
        account's running totals equal the sums of its transfers; the treasury's debits equal
        every grant; no team's debits (posted and pending) exceed its credits; the pending
        totals equal the open holds. Returns the grand totals.
        """
        t = transfers.c
        a = accounts.c
        with self._store.engine.connect() as conn:
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

    # negotiations, failures, chargeback (see their modules) -------------------------------

    hold = _holds.hold
    agree = _holds.agree
    walk_away = _holds.walk_away
    expire = _holds.expire
    contracts = _holds.contracts
    report_failure = _failures.report_failure
    ratings = _failures.ratings
    chargeback = _chargeback.chargeback
    export_chargeback = _chargeback.export_chargeback


def _row(
    tid: str,
    op: str,
    debit: int,
    credit: int,
    amount: int,
    code: str,
    period: str,
    ts: int,
    **extra: Any,
) -> dict[str, Any]:
    """One transfer row; context columns default to NULL."""
    row: dict[str, Any] = dict.fromkeys(
        (
            "pending_id",
            "request_id",
            "offer_id",
            "service",
            "quantity",
            "list_cost",
            "refund_due",
            "penalty_due",
            "rating_change",
            "note",
        ),
        None,
    )
    row.update(
        id=tid,
        operation=op,
        debit=debit,
        credit=credit,
        amount=amount,
        flags=0,
        code=code,
        period=period,
        ts=ts,
    )
    row.update(extra)
    return row


def _other(aid: int) -> Any:
    t = transfers.c
    from sqlalchemy import case

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
