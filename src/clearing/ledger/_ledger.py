"""The :class:`Ledger`: accounts, grants, postings, settlement, balances and periods."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy.exc

from ..errors import InvalidAmount, LedgerError, UnbalancedPosting
from . import _chargeback, _example, _failures, _holds, _periods, _reading
from ._amounts import current_period, minor_units, period_bounds
from ._reading import Balance
from ._settle import plan_settlement
from ._store import KINDS, Posting, Store, digest
from ._store import row as _row

__all__ = ["Balance", "Ledger", "Settlement"]

_CODES = ("adjustment", "refund", "penalty", "usage")


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

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> ledger = Ledger.example("funded")
    >>> s = ledger.settle(Ledger.example_clearing(), "week-1", period="2026-11")
    >>> s.charged, s.paid_out, s.replayed
    (8000, 8000, False)
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
        for name, value, ok in (
            ("url", url, isinstance(url, str)),
            ("currency", currency, isinstance(currency, str)),
            ("clock", clock, clock is None or callable(clock)),
        ):
            if not ok:
                raise LedgerError(f"Ledger: bad {name} {value!r}", argument=name, value=value)
        self.scale = scale
        self.currency = currency
        self._owned_directory: Callable[[], object] | None = None  # set by Ledger.example
        try:
            self._store = Store(url, clock)
        except (sqlalchemy.exc.ArgumentError, sqlalchemy.exc.NoSuchModuleError) as exc:
            raise LedgerError(f"Ledger: cannot read url {url!r}: {exc}", argument="url") from None

    @classmethod
    def example(cls, stage: str) -> Ledger:
        """A ledger for trying things out, in a temporary SQLite file, at a given stage.

        The examples in this reference start from one, so each shows its call, not the
        setup. A class method, so it sits beside the constructor it stands in for and
        ``Ledger.example(...)`` reads as what it returns: a :class:`Ledger`.

        Parameters
        ----------
        stage : {"empty", "funded", "settled", "held"}
            How far the example has gone: ``"empty"``, the system accounts only;
            ``"funded"``, team ``ops`` granted 100,000 minor units for ``2026-11`` (grant
            ``g1``); ``"settled"``, and :meth:`example_clearing` settled as ``week-1``
            (8,000 from ``ops`` to ``desk``); ``"held"``, and that clearing's negotiation
            held as ``h1`` (24,000 reserved for an hour). Each stage includes the ones
            before it.

        Returns
        -------
        Ledger
            A new one each call, in a temporary directory it owns and removes at
            :meth:`close` (or when it is garbage-collected).

        Examples
        --------
        >>> from clearing.ledger import Ledger
        >>> ledger = Ledger.example("settled")
        >>> ledger.statement("team:ops")["amount"].tolist()
        [100000, -8000]
        >>> ledger.close()  # also removes its temporary file
        """
        return _example.build(cls, stage)

    @staticmethod
    def example_clearing() -> Any:
        """The :class:`clearing.Clearing` that :meth:`example` settles and holds.

        Team ``ops`` buys 2 units of ``it`` from ``desk`` at 40 (request ``r1``, offer
        ``o1``; a failure refunds half the charge and costs ``desk`` one rating point) and
        asks for 4 ``pay`` runs, which the rule ``"big runs"`` sends to negotiation with
        ``payroll`` (request ``n1``, zone 45-60 a run).

        Examples
        --------
        >>> from clearing.ledger import Ledger
        >>> c = Ledger.example_clearing()
        >>> c.allocations["unit_price"].tolist(), c.negotiations["request_id"].tolist()
        ([40.0], ['n1'])
        """
        return _example.example_clearing()

    def close(self) -> None:
        """Release the database connections.

        Examples
        --------
        >>> from clearing.ledger import Ledger
        >>> ledger = Ledger.example("empty")
        >>> ledger.close()
        """
        self._store.engine.dispose()
        if self._owned_directory is not None:
            self._owned_directory()

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
        """Open (or find) the account ``kind:name``; returns its full name.

        Examples
        --------
        >>> from clearing.ledger import Ledger
        >>> Ledger.example("empty").open_account("desk", kind="provider")
        'provider:desk'
        """
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

        Examples
        --------
        >>> from clearing.ledger import Ledger
        >>> ledger = Ledger.example("empty")
        >>> ledger.grant("ops", 5_000, period="2026-11", grant_id="ops-2026-11")
        'ops-2026-11'
        >>> int(ledger.balances().set_index("account").loc["team:ops", "balance"])
        5000
        """
        gid = grant_id if grant_id is not None else f"grant-{uuid.uuid4()}"
        value = minor_units(amount, "amount", f"grant {gid!r} to {team!r}")
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

        Examples
        --------
        >>> from clearing.ledger import Ledger
        >>> ledger = Ledger.example("funded")
        >>> ledger.post("fix-1", {"team:ops": -300, "treasury": 300})
        1
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

        Examples
        --------
        >>> from clearing.ledger import Ledger
        >>> ledger = Ledger.example("funded")  # team 'ops' has 100,000 for 2026-11
        >>> c = Ledger.example_clearing()  # 'ops' buys 2 units of 'it' from 'desk' at 40
        >>> ledger.settle(c, "week-1", period="2026-11").charged
        8000
        >>> ledger.settle(c, "week-1", period="2026-11").replayed  # a retry is harmless
        True
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

    # periods, reading, negotiations, failures, chargeback (see their modules) ---------

    close_period = _periods.close_period

    balances = _reading.balances
    statement = _reading.statement
    balance_at = _reading.balance_at
    check = _reading.check
    hold = _holds.hold
    agree = _holds.agree
    walk_away = _holds.walk_away
    expire = _holds.expire
    contracts = _reading.contracts
    report_failure = _failures.report_failure
    ratings = _failures.ratings
    chargeback = _chargeback.chargeback
    export_chargeback = _chargeback.export_chargeback
