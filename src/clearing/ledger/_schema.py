"""The ledger's tables (SQLAlchemy Core) and the schema version kept in the database.

Money columns are 64-bit integers in minor units (cents). Transfers are never updated or
deleted: ``accounts`` keeps running totals of them for fast balance checks, ``operations``
remembers every caller-chosen id with a digest of its content (idempotency), and ``holds``
indexes the state of each pending reservation. All three are derived from the transfers and
:meth:`clearing.ledger.Ledger.check` recomputes them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
)

from ..errors import SchemaMismatch

__all__ = [
    "SCHEMA_VERSION",
    "accounts",
    "holds",
    "incidents",
    "metadata",
    "operations",
    "transfers",
]

SCHEMA_VERSION = 1

metadata = MetaData()
# SQLite makes INTEGER PRIMARY KEY the rowid; PostgreSQL needs BIGINT for large ledgers.
_Id = BigInteger().with_variant(Integer(), "sqlite")

meta = Table(
    "ledger_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("flags", Integer, nullable=False),
    Column("debits_posted", BigInteger, nullable=False),
    Column("credits_posted", BigInteger, nullable=False),
    Column("debits_pending", BigInteger, nullable=False),
    Column("credits_pending", BigInteger, nullable=False),
)

operations = Table(
    "operations",
    metadata,
    Column("id", String(300), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("ts", BigInteger, nullable=False),
    Column("result", Text, nullable=False),
)

transfers = Table(
    "transfers",
    metadata,
    Column("seq", _Id, primary_key=True, autoincrement=True),
    Column("id", String(320), nullable=False, unique=True),
    Column("operation", String(300), ForeignKey("operations.id"), nullable=False),
    Column("debit", _Id, ForeignKey("accounts.id"), nullable=False),
    Column("credit", _Id, ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("flags", Integer, nullable=False),
    Column("pending_id", String(320), nullable=True),
    Column("code", String(16), nullable=False),
    Column("period", String(16), nullable=False),
    Column("ts", BigInteger, nullable=False),
    # chargeback context (usage rows); not money except list_cost and the failure dues
    Column("request_id", Text, nullable=True),
    Column("offer_id", Text, nullable=True),
    Column("service", Text, nullable=True),
    Column("quantity", Float, nullable=True),
    Column("list_cost", BigInteger, nullable=True),
    Column("refund_due", BigInteger, nullable=True),
    Column("penalty_due", BigInteger, nullable=True),
    Column("rating_change", Float, nullable=True),
    Column("note", Text, nullable=True),
)
Index("transfers_operation", transfers.c.operation)
Index("transfers_debit_ts", transfers.c.debit, transfers.c.ts)
Index("transfers_credit_ts", transfers.c.credit, transfers.c.ts)
Index("transfers_period", transfers.c.period)

holds = Table(
    "holds",
    metadata,
    Column("id", String(300), primary_key=True),
    Column("transfer_id", String(320), nullable=False),
    Column("team", _Id, ForeignKey("accounts.id"), nullable=False),
    Column("request_id", Text, nullable=False),
    Column("service", Text, nullable=False),
    Column("quantity", Float, nullable=False),
    Column("providers", Text, nullable=False),
    Column("rule", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("expires", BigInteger, nullable=True),
    Column("state", String(8), nullable=False),
    Column("provider", Text, nullable=True),
    Column("agreed", BigInteger, nullable=True),
    Column("agreed_quantity", Float, nullable=True),
    Column("agreed_price", Float, nullable=True),
    Column("period", String(16), nullable=False),
)
Index("holds_open", holds.c.state, holds.c.expires)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(300), ForeignKey("operations.id"), primary_key=True),
    Column("transfer_id", String(320), nullable=False),
    Column("provider", Text, nullable=False),
    Column("service", Text, nullable=False),
    Column("quantity", Float, nullable=False),
    Column("refund", BigInteger, nullable=False),
    Column("penalty", BigInteger, nullable=False),
    Column("rating_change", Float, nullable=False),
    Column("ts", BigInteger, nullable=False),
)
Index("incidents_transfer", incidents.c.transfer_id)


def ensure_schema(conn: Connection) -> None:
    """Create the tables on an empty database, or check the version of an existing one.

    Raises :class:`~clearing.errors.SchemaMismatch` when the database was written by a
    newer library (or carries an older version this one does not migrate).
    """
    names = set(inspect(conn).get_table_names())
    if meta.name not in names:
        if names & {t.name for t in metadata.sorted_tables}:
            raise SchemaMismatch(
                "Ledger: the database has ledger tables but no schema version; "
                "it was not written by clearing.ledger",
                argument="url",
            )
        metadata.create_all(conn)
        conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        return
    found = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    version = int(found) if found is not None else -1
    if version > SCHEMA_VERSION:
        raise SchemaMismatch(
            f"Ledger: the database has schema version {version}, newer than this library's "
            f"{SCHEMA_VERSION}; upgrade clearing to open it",
            argument="url",
            value=version,
        )
    if version != SCHEMA_VERSION:
        raise SchemaMismatch(
            f"Ledger: the database has schema version {version}; this library reads version "
            f"{SCHEMA_VERSION} and has no migration from it",
            argument="url",
            value=version,
        )
