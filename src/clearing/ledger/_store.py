"""The database side of the ledger: engine, transactions, idempotent operations, postings.

Every write is one transaction. On SQLite the transaction starts with ``BEGIN IMMEDIATE``
(the writer lock is taken before anything is read, so two processes never interleave a
read-check-write); on PostgreSQL the accounts a posting touches are locked with
``SELECT ... FOR UPDATE`` in id order (no lost update, no deadlock between postings), and a
deadlock or serialization failure is retried. A caller-chosen operation id is claimed first:
a concurrent twin of the same id waits on the primary key, then finds the finished original.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..errors import (
    DuplicateSettlement,
    HoldClosed,
    InsufficientFunds,
    LedgerError,
    UnknownAccount,
)
from ._schema import accounts, ensure_schema, operations, transfers

__all__ = ["KINDS", "PENDING", "POST", "SYSTEM", "VOID", "Posting", "Store", "digest", "row"]

PENDING, POST, VOID = 1, 2, 4
DEBITS_MUST_NOT_EXCEED_CREDITS = 1
KINDS = ("team", "provider", "vendor", "market", "treasury", "rounding", "external")
SYSTEM = ("market", "treasury", "rounding", "external")
_RETRIES = 20
_DONE = {"agree": "posted", "void": "voided", "expire": "expired"}


def digest(*parts: Any) -> str:
    """A stable hash of an operation's content (JSON of its parts, or raw bytes)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else json.dumps(p, sort_keys=True).encode())
        h.update(b"\x00")
    return h.hexdigest()


@dataclass
class Posting:
    """Rows to insert and the per-account effect on the four running totals.

    ``deltas`` maps an account id to ``[debits_posted, credits_posted, debits_pending,
    credits_pending]`` increments; ``needs`` maps a flagged account to the amount the posting
    debits it (for the :class:`InsufficientFunds` message).
    """

    rows: list[dict[str, Any]]
    deltas: dict[int, list[int]]

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> Posting:
        deltas: dict[int, list[int]] = {}
        for r in rows:
            add_effect(deltas, r["debit"], r["credit"], r["amount"], r["flags"])
        return cls(rows, deltas)


def add_effect(
    deltas: dict[int, list[int]], debit: int, credit: int, amount: int, flags: int
) -> None:
    """Add one transfer's effect on the running totals (a void or post passes ``-held``)."""
    d = deltas.setdefault(debit, [0, 0, 0, 0])
    c = deltas.setdefault(credit, [0, 0, 0, 0])
    if flags & PENDING:
        d[2] += amount
        c[3] += amount
    else:
        d[0] += amount
        c[1] += amount


class Store:
    """One database: an engine plus the helpers every ledger operation shares."""

    def __init__(self, url: str, clock: Callable[[], int] | None) -> None:
        self.url = url
        self.clock = clock or time.time_ns
        self.engine: Engine = _engine(url)
        self.dialect = self.engine.dialect.name
        # account ids are cached once their creating transaction has committed
        self._ids: dict[str, tuple[int, str]] = {}
        self._fresh: dict[str, tuple[int, str]] = {}
        try:
            self.with_retry(self._init)
        except BaseException:
            self.engine.dispose()
            raise

    def _init(self) -> None:
        with self.begin() as conn:
            ensure_schema(conn)
            self.open_accounts(conn, {name: name for name in SYSTEM})

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        self._fresh = {}
        try:
            with self.engine.begin() as conn:
                yield conn
        finally:
            fresh, self._fresh = self._fresh, {}
        self._ids.update(fresh)  # only reached when the transaction committed

    def with_retry(self, fn: Callable[[], Any]) -> Any:
        for attempt in range(_RETRIES):
            try:
                return fn()
            except DBAPIError as exc:
                if attempt == _RETRIES - 1 or not _transient(exc):
                    raise
                time.sleep(0.002 * (attempt + 1))
        raise AssertionError("unreachable")

    def now(self) -> int:
        return int(self.clock())

    def run(
        self,
        op_id: str,
        kind: str,
        content: str,
        body: Callable[[Connection, int], dict[str, Any]],
        *,
        argument: str,
        conflict: type[LedgerError] = DuplicateSettlement,
        replayable: bool = True,
    ) -> tuple[dict[str, Any], bool]:
        """Run ``body`` once for ``op_id``; a replay with the same content returns the original.

        Returns the operation's result and whether it was a replay. A different content
        under the same id raises ``conflict`` naming the id; nothing is written. With
        ``replayable=False`` any second call raises (a hold is resolved once).
        """

        def attempt() -> tuple[dict[str, Any], bool]:
            with self.begin() as conn:
                row = conn.execute(
                    select(operations.c.kind, operations.c.digest, operations.c.result).where(
                        operations.c.id == op_id
                    )
                ).first()
                if row is not None:
                    if row.kind != kind or row.digest != content or not replayable:
                        message = (
                            f"{kind}: id {op_id!r} was already used for a different "
                            f"{row.kind}; choose a new id (a retry must repeat the same content)"
                        )
                        named = op_id
                        if conflict is HoldClosed:  # the caller's id, not the resolution's
                            named = op_id.split("#")[0]
                            message = (
                                f"{kind}: hold {named!r} is already "
                                f"{_DONE.get(row.kind, row.kind)}; a hold is posted or voided once"
                            )
                        raise conflict(message, argument=argument, value=named)
                    return json.loads(row.result), True
                ts = self.now()
                conn.execute(
                    operations.insert().values(
                        id=op_id, kind=kind, digest=content, ts=ts, result=""
                    )
                )
                result = body(conn, ts)
                conn.execute(
                    update(operations)
                    .where(operations.c.id == op_id)
                    .values(result=json.dumps(result))
                )
                return result, False

        for _ in range(_RETRIES):
            try:
                out: tuple[dict[str, Any], bool] = self.with_retry(attempt)
                return out
            except IntegrityError:
                continue  # a concurrent twin claimed the id first: read its result
        raise LedgerError(f"{kind}: could not claim id {op_id!r}", argument=argument, value=op_id)

    # accounts -----------------------------------------------------------------------------

    def open_accounts(self, conn: Connection, kinds: Mapping[str, str]) -> dict[str, int]:
        """Ids of the named accounts, creating the missing ones with the given kinds."""
        missing = sorted(n for n in kinds if self._get(n) is None)
        if missing:
            rows = [
                {
                    "name": n,
                    "kind": kinds[n],
                    "flags": DEBITS_MUST_NOT_EXCEED_CREDITS if kinds[n] == "team" else 0,
                    "debits_posted": 0,
                    "credits_posted": 0,
                    "debits_pending": 0,
                    "credits_pending": 0,
                }
                for n in missing
            ]
            if self.dialect == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                conn.execute(pg_insert(accounts).on_conflict_do_nothing(), rows)
            else:
                from sqlalchemy.dialects.sqlite import insert as lite_insert

                conn.execute(lite_insert(accounts).on_conflict_do_nothing(), rows)
            self._load(conn, missing)
        return {n: self._id(n) for n in kinds}

    def account_ids(self, conn: Connection, names: Sequence[str], argument: str) -> dict[str, int]:
        """Ids of existing accounts; :class:`UnknownAccount` names the first missing one."""
        self._load(conn, [n for n in names if self._get(n) is None])
        for n in names:
            if self._get(n) is None:
                raise UnknownAccount(
                    f"Ledger: no account {n!r} (accounts are named kind:name, e.g. 'team:sales', "
                    "or market, treasury, rounding, external)",
                    argument=argument,
                    value=n,
                )
        return {n: self._id(n) for n in names}

    def kind(self, name: str) -> str | None:
        got = self._get(name)
        return got[1] if got is not None else None

    def _get(self, name: str) -> tuple[int, str] | None:
        return self._ids.get(name) or self._fresh.get(name)

    def _id(self, name: str) -> int:
        got = self._get(name)
        assert got is not None
        return got[0]

    def _load(self, conn: Connection, names: Sequence[str]) -> None:
        for start in range(0, len(names), 500):
            chunk = list(names[start : start + 500])
            q = select(accounts.c.name, accounts.c.id, accounts.c.kind).where(
                accounts.c.name.in_(chunk)
            )
            for name, aid, kind in conn.execute(q):
                self._fresh[name] = (int(aid), str(kind))

    # postings -----------------------------------------------------------------------------

    def apply(self, conn: Connection, posting: Posting, *, argument: str, op_id: str) -> None:
        """Lock the touched accounts, enforce their flags, insert the rows, update the totals.

        Raises :class:`InsufficientFunds` naming the account, the amount it would be debited
        and its available balance when a flagged account would go below zero.
        """
        ids = sorted(posting.deltas)
        locked = self.lock(conn, ids)
        for aid in ids:
            dp, cp, dq, _cq = posting.deltas[aid]
            if dp <= 0 and dq <= 0:
                continue
            row = locked[aid]
            if not row.flags & DEBITS_MUST_NOT_EXCEED_CREDITS:
                continue
            available = row.credits_posted - row.debits_posted - row.debits_pending
            after = available + cp - dp - dq
            if after < 0:
                need = dp + dq - cp
                err = InsufficientFunds(
                    f"{op_id!r}: account {row.name!r} needs {need} (minor units) but has "
                    f"{available} available; nothing was written",
                    argument=argument,
                    value=row.name,
                    index=op_id,
                )
                err.account, err.amount, err.available = row.name, need, available
                raise err
        if posting.rows:
            conn.execute(transfers.insert(), posting.rows)
        changes = [
            {"aid": aid, "dp": d[0], "cp": d[1], "dq": d[2], "cq": d[3]}
            for aid, d in posting.deltas.items()
            if any(d)
        ]
        if changes:
            from sqlalchemy import bindparam

            conn.execute(
                update(accounts)
                .where(accounts.c.id == bindparam("aid"))
                .values(
                    debits_posted=accounts.c.debits_posted + bindparam("dp"),
                    credits_posted=accounts.c.credits_posted + bindparam("cp"),
                    debits_pending=accounts.c.debits_pending + bindparam("dq"),
                    credits_pending=accounts.c.credits_pending + bindparam("cq"),
                ),
                changes,
            )

    def lock(self, conn: Connection, ids: Sequence[int]) -> dict[int, Any]:
        """The account rows, locked for this transaction (PostgreSQL) in id order."""
        out: dict[int, Any] = {}
        for start in range(0, len(ids), 500):
            q = (
                select(accounts)
                .where(accounts.c.id.in_(list(ids[start : start + 500])))
                .order_by(accounts.c.id)
            )
            if self.dialect == "postgresql":
                q = q.with_for_update()
            for row in conn.execute(q):
                out[int(row.id)] = row
        return out


def _transient(exc: DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None)
    if code in ("40001", "40P01"):  # serialization failure, deadlock detected
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database is busy" in text


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def row(
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
