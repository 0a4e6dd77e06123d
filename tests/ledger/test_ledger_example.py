"""``Ledger.example``: each stage holds what its docstring says, in a directory it owns."""

from __future__ import annotations

import gc
import pathlib

import pytest

pytest.importorskip("sqlalchemy", reason="clearing.ledger needs the [ledger] extra")

from clearing.errors import LedgerError
from clearing.ledger import Ledger


def _directory(ledger: Ledger) -> pathlib.Path:
    database = ledger._store.engine.url.database
    assert database is not None
    return pathlib.Path(database).parent


def _balances(ledger: Ledger) -> dict[str, tuple[int, int]]:
    table = ledger.balances()
    return {
        r.account: (int(r.balance), int(r.pending))
        for r in table.itertuples()
        if r.balance or r.pending
    }


@pytest.mark.parametrize(
    "stage, expected",
    [
        ("empty", {}),
        ("funded", {"treasury": (-100_000, 0), "team:ops": (100_000, 0)}),
        (
            "settled",
            {"treasury": (-100_000, 0), "team:ops": (92_000, 0), "provider:desk": (8_000, 0)},
        ),
        (
            "held",
            {
                "treasury": (-100_000, 0),
                "team:ops": (92_000, -24_000),
                "provider:desk": (8_000, 0),
                "market": (0, 24_000),
            },
        ),
    ],
)
def test_each_stage_holds_what_it_documents(stage: str, expected: dict[str, object]) -> None:
    ledger = Ledger.example(stage)
    try:
        assert _balances(ledger) == expected
        ledger.check()
    finally:
        ledger.close()


def test_stages_are_independent_and_the_directory_goes_at_close() -> None:
    first, second = Ledger.example("settled"), Ledger.example("settled")
    where = _directory(first)
    assert where != _directory(second)
    assert (where / "example.db").exists()
    first.close()
    assert not where.exists()
    assert _balances(second)["team:ops"] == (92_000, 0)  # untouched by the other's close
    first.close()  # closing twice is harmless
    second.close()


def test_the_directory_goes_when_the_ledger_is_collected() -> None:
    ledger = Ledger.example("funded")
    where = _directory(ledger)
    assert where.exists()
    del ledger
    gc.collect()
    assert not where.exists()


def test_a_settled_example_replays_its_clearing() -> None:
    ledger = Ledger.example("settled")
    again = ledger.settle(Ledger.example_clearing(), "week-1", period="2026-11")
    assert (again.replayed, again.charged, again.paid_out) == (True, 8_000, 8_000)
    ledger.close()


def test_an_unknown_stage_names_the_argument() -> None:
    with pytest.raises(LedgerError, match="stage must be one of") as err:
        Ledger.example("closed")
    assert err.value.argument == "stage"
