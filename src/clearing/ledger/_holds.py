"""Negotiations on hold: a two-phase transfer per negotiated request.

``hold`` reserves the team's funds up to the zone's upper end (``quantity * zopa_high``) in
a pending transfer from the team to the market; ``agree`` posts the agreed amount (at most
the held one) from the team to the chosen provider and releases the reservation;
``walk_away`` voids it; a hold with a ``timeout`` expires after it (``expire`` sweeps them,
and every settlement and hold sweeps the overdue ones first). Each hold is resolved at most
once: a second post or void raises :class:`~clearing.errors.HoldClosed` naming the hold and
what happened to it (so a caller retrying after a lost answer learns that it was applied).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select, update

from ..errors import HoldClosed, InvalidAmount, LedgerError, UnknownAccount
from ._amounts import non_negative
from ._context import LedgerContext
from ._schema import holds, operations
from ._store import PENDING, POST, VOID, Posting, Store, digest, row

__all__ = ["agree", "expire", "hold", "sweep", "walk_away"]

_FIELDS = ("request_id", "team", "service", "quantity", "providers", "rule", "zopa_high")


def _negotiation(row: Any, clearing: Any, hold_id: str) -> dict[str, Any]:
    if not isinstance(row, Mapping):
        table = getattr(clearing, "negotiations", None)
        if table is None:
            raise LedgerError(
                f"hold {hold_id!r}: pass a clearing.negotiations row, or a request id with "
                "clearing=",
                argument="negotiation",
            )
        found = [i for i, r in enumerate(table["request_id"].tolist()) if r == row]
        if not found:
            raise UnknownAccount(
                f"hold {hold_id!r}: request {row!r} is not in the clearing's negotiations",
                argument="negotiation",
                value=row,
            )
        row = table.row(found[0])
    missing = [f for f in _FIELDS if f not in row]
    if missing:
        raise LedgerError(
            f"hold {hold_id!r}: the negotiation row lacks {missing}", argument="negotiation"
        )
    return {f: row[f] for f in _FIELDS}


def hold(
    self: LedgerContext,
    negotiation: Any,
    *,
    hold_id: str,
    clearing: Any = None,
    timeout: float | None = None,
    period: str | None = None,
) -> int:
    """Reserve the team's funds for a negotiation; returns the amount held (minor units).

    ``negotiation`` is a row of ``Clearing.negotiations`` (``table.row(i)``) or a request id
    with ``clearing=``. ``timeout`` (seconds) makes the hold expire if unresolved.

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> ledger = Ledger.example("funded")
    >>> nego = Ledger.example_clearing()  # request 'n1' is sent to negotiation
    >>> ledger.hold(nego.negotiations.row(0), hold_id="h1", timeout=3600)
    24000
    >>> int(ledger.balances().set_index("account").loc["team:ops", "pending"])
    -24000
    """
    n = _negotiation(negotiation, clearing, hold_id)
    where = f"hold {hold_id!r}"
    qty, high = non_negative(where, "negotiation", quantity=n["quantity"], zopa_high=n["zopa_high"])
    if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
        raise InvalidAmount(f"hold {hold_id!r}: timeout must be > 0 s", argument="timeout")
    amount = round(qty * high * self.scale)
    label = self._period(period)
    store = self._store
    team = f"team:{n['team']}"
    providers = [str(p) for p in n["providers"]]

    def body(conn: Connection, ts: int) -> dict[str, Any]:
        ids = store.account_ids(conn, [team, "market"], "negotiation")
        sweep(store, conn, ts)
        expires = ts + round(timeout * 1e9) if timeout is not None else None
        posting_row = row(
            hold_id,
            hold_id,
            ids[team],
            ids["market"],
            amount,
            "hold",
            label,
            ts,
            flags=PENDING,
            request_id=str(n["request_id"]),
            service=str(n["service"]),
            quantity=qty,
            note=str(n["rule"]),
        )
        conn.execute(
            holds.insert().values(
                id=hold_id,
                transfer_id=hold_id,
                team=ids[team],
                request_id=str(n["request_id"]),
                service=str(n["service"]),
                quantity=qty,
                providers=json.dumps(providers),
                rule=str(n["rule"]),
                amount=amount,
                expires=expires,
                state="pending",
                period=label,
            )
        )
        store.apply(conn, Posting.of([posting_row]), argument="negotiation", op_id=hold_id)
        return {"amount": amount}

    content = digest(team, str(n["request_id"]), qty, high, providers, timeout, label)
    result, _ = store.run(hold_id, "hold", content, body, argument="hold_id")
    return int(result["amount"])


def _open_hold(store: Store, conn: Connection, hold_id: str, ts: int, verb: str) -> Any:
    h = conn.execute(select(holds).where(holds.c.id == hold_id)).first()
    if h is None:
        raise UnknownAccount(f"{verb}: no hold {hold_id!r}", argument="hold_id", value=hold_id)
    if h.state != "pending" or (verb == "agree" and h.expires is not None and h.expires <= ts):
        state = h.state if h.state != "pending" else "expired"
        raise HoldClosed(
            f"{verb}: hold {hold_id!r} is already {state}; a hold is posted or voided once",
            argument="hold_id",
            value=hold_id,
        )
    return h


def _resolve(
    store: Store, conn: Connection, h: Any, ts: int, state: str, post: tuple[int, int] | None
) -> None:
    """Release hold ``h``: void it, or post ``(provider account id, amount)``."""
    market = store.account_ids(conn, ["market"], "hold_id")["market"]
    deltas = {h.team: [0, 0, -h.amount, 0], market: [0, 0, 0, -h.amount]}
    if post is None:
        code = "expire" if state == "expired" else "void"
        posting_row = row(
            f"{h.id}/{code}",
            f"{h.id}#resolve",
            h.team,
            market,
            h.amount,
            code,
            h.period,
            ts,
            flags=VOID,
            pending_id=h.transfer_id,
        )
    else:
        provider, amount = post
        posting_row = row(
            f"{h.id}/post",
            f"{h.id}#resolve",
            h.team,
            provider,
            amount,
            "usage",
            h.period,
            ts,
            flags=POST,
            pending_id=h.transfer_id,
            request_id=h.request_id,
            service=h.service,
            note=None,
            list_cost=amount,
        )
        deltas[h.team][0] += amount
        deltas.setdefault(provider, [0, 0, 0, 0])[1] += amount
    conn.execute(update(holds).where(holds.c.id == h.id).values(state=state))
    store.apply(conn, Posting([posting_row], deltas), argument="hold_id", op_id=h.id)


def agree(
    self: LedgerContext, hold_id: str, price: float, quantity: float, *, provider: str | None = None
) -> int:
    """Post the agreed ``price * quantity`` (at most the held amount) to the provider.

    ``provider`` is required when the negotiation named several. The contract (both names,
    the rule that sent the request to negotiation, price and quantity) is listed by
    :meth:`Ledger.contracts`. Returns the amount posted (minor units).

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> ledger = Ledger.example("held")  # 24,000 held for 4 runs at up to 60
    >>> ledger.agree("h1", 52.5, 4.0)
    21000
    """
    p, q = non_negative(f"agree {hold_id!r}", "price", price=price, quantity=quantity)
    amount = round(p * q * self.scale)
    store = self._store

    def body(conn: Connection, ts: int) -> dict[str, Any]:
        h = _open_hold(store, conn, hold_id, ts, "agree")
        names = json.loads(h.providers)
        chosen = provider if provider is not None else (names[0] if len(names) == 1 else None)
        if chosen is None or chosen not in names:
            raise LedgerError(
                f"agree {hold_id!r}: provider must be one of {names}, got {provider!r}",
                argument="provider",
                value=provider,
            )
        if amount > h.amount or q > h.quantity:
            raise InvalidAmount(
                f"agree {hold_id!r}: {amount} minor units for {q:g} unit(s) is above the held "
                f"{h.amount} for {h.quantity:g}",
                argument="price",
                value=amount,
            )
        kind = "vendor" if store.kind(f"vendor:{chosen}") else "provider"
        acct = f"{kind}:{chosen}"
        pid = store.open_accounts(conn, {acct: kind})[acct]
        _resolve(store, conn, h, ts, "posted", (pid, amount))
        conn.execute(
            update(holds)
            .where(holds.c.id == hold_id)
            .values(provider=acct, agreed=amount, agreed_quantity=q, agreed_price=p)
        )
        return {"amount": amount}

    result, _ = store.run(
        f"{hold_id}#resolve",
        "agree",
        digest(p, q, provider),
        body,
        argument="hold_id",
        conflict=HoldClosed,
        replayable=False,
    )
    return int(result["amount"])


def walk_away(self: LedgerContext, hold_id: str) -> int:
    """Void the hold: the team's reserved funds are free again; returns the amount released.

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> Ledger.example("held").walk_away("h1")
    24000
    """
    store = self._store

    def body(conn: Connection, ts: int) -> dict[str, Any]:
        h = _open_hold(store, conn, hold_id, ts, "walk_away")
        _resolve(store, conn, h, ts, "voided", None)
        return {"amount": int(h.amount)}

    result, _ = store.run(
        f"{hold_id}#resolve",
        "void",
        digest("void"),
        body,
        argument="hold_id",
        conflict=HoldClosed,
        replayable=False,
    )
    return int(result["amount"])


def sweep(store: Store, conn: Connection, ts: int) -> int:
    """Expire every pending hold whose timeout has passed, inside the caller's transaction."""
    q = select(holds).where(holds.c.state == "pending", holds.c.expires <= ts).order_by(holds.c.id)
    due = conn.execute(q).all()
    for h in due:
        conn.execute(
            operations.insert().values(
                id=f"{h.id}#resolve", kind="expire", digest=digest("expire"), ts=ts, result="{}"
            )
        )
        _resolve(store, conn, h, ts, "expired", None)
    return len(due)


def expire(self: LedgerContext) -> int:
    """Void every hold whose timeout has passed; returns how many expired.

    Examples
    --------
    >>> from clearing.ledger import Ledger
    >>> Ledger.example("held").expire()  # the hour of hold 'h1' has not passed
    0
    """
    store = self._store

    def body() -> int:
        with store.begin() as conn:
            return sweep(store, conn, store.now())

    out: int = store.with_retry(body)
    return out
