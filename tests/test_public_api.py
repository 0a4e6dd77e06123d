"""The public surface: ``__all__`` is complete, sorted, importable and pinned."""

from __future__ import annotations

import inspect
import os
import pathlib
import re
import subprocess
import sys
import types

import clearing
import clearing.errors as errors
from clearing._public import HOMES

EXPECTED = {
    # call-market double auctions
    "MECHANISMS",
    "AuctionResult",
    "BatchAuctionResult",
    "AuctionReason",
    "double_auction",
    "double_auction_batch",
    # assignment with competitive prices
    "AssignmentBatchResult",
    "AssignmentResult",
    "TransportResult",
    "AssignmentReason",
    "assign",
    "assign_batch",
    "linear_sum_assignment",
    "transport",
    # compiling ahead
    "warmup",
    # continuous order book
    "BatchReport",
    "BookDepth",
    "BookSnapshot",
    "ExecutionReport",
    "Fill",
    "OrderBook",
    "OrderReason",
    "OrderState",
    "RestingOrders",
    "UncrossResult",
    # market façade
    "Clearing",
    "MarketReason",
    "Policy",
    "clear",
    # errors
    "ClearingError",
    "DuplicateSettlement",
    "InfeasibleError",
    "InputError",
    "InsufficientFunds",
    "LedgerError",
    "PolicyError",
    "UnbalancedPosting",
    "__version__",
}


def test_all_is_pinned() -> None:
    assert set(clearing.__all__) == EXPECTED
    assert len(clearing.__all__) == len(set(clearing.__all__))


def test_every_name_resolves() -> None:
    for name in clearing.__all__:
        assert getattr(clearing, name) is not None


def test_no_public_name_outside_all() -> None:
    public = {
        n
        for n, obj in vars(clearing).items()
        if not n.startswith("_") and not isinstance(obj, types.ModuleType)
    }
    assert public <= set(clearing.__all__) | {"annotations"}


def test_error_tree() -> None:
    assert issubclass(errors.InputError, ValueError)
    assert issubclass(errors.InfeasibleError, ValueError)
    assert issubclass(errors.PolicyError, ValueError)
    ledger_leaves = {
        errors.InsufficientFunds,
        errors.DuplicateSettlement,
        errors.UnbalancedPosting,
        errors.UnknownAccount,
        errors.InvalidAmount,
        errors.HoldClosed,
        errors.SchemaMismatch,
    }
    assert set(errors.LedgerError.__subclasses__()) == ledger_leaves
    assert issubclass(errors.InvalidAmount, ValueError)
    for cls in (errors.InputError, errors.InfeasibleError, errors.PolicyError, errors.LedgerError):
        assert issubclass(cls, errors.ClearingError)
    err = errors.InputError("f: x[3] is nan", argument="x", index=3, value=float("nan"))
    assert (err.argument, err.index) == ("x", 3)


def test_options_are_keyword_only() -> None:
    for fn, positional in [
        (clearing.double_auction, 4),
        (clearing.double_auction_batch, 4),
        (clearing.clear, 3),
    ]:
        params = list(inspect.signature(fn).parameters.values())
        kinds = [p.kind for p in params]
        assert kinds[:positional] == [inspect.Parameter.POSITIONAL_OR_KEYWORD] * positional
        assert all(k is inspect.Parameter.KEYWORD_ONLY for k in kinds[positional:])


def test_import_compiles_nothing() -> None:
    # Nothing is compiled at import: in a fresh interpreter the dispatcher of the main
    # auction kernel has no compiled signature until its first call.
    code = (
        "import clearing._kernels.auction.call_market as k; print(len(k.clear_markets.signatures))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_names_load_on_first_use() -> None:
    # ``import clearing`` loads neither numba nor any layer; the first use of a name loads
    # its layer only.
    code = (
        "import sys, clearing\n"
        "print(sorted(m for m in ('numba', 'clearing.auction', 'clearing.orderbook') "
        "if m in sys.modules))\n"
        "clearing.double_auction\n"
        "print(sorted(m for m in ('clearing.auction', 'clearing.orderbook', "
        "'clearing.assignment') if m in sys.modules))\n"
        "try:\n    clearing.no_such_name\nexcept AttributeError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [
        "[]",
        "['clearing.auction']",
        "module 'clearing' has no attribute 'no_such_name'",
    ]
    assert set(dir(clearing)) >= set(clearing.__all__)


def test_results_module_lists_every_result_class() -> None:
    import clearing.results as results
    from clearing._result import ResultBase

    assert set(results.__all__) <= set(clearing.__all__)
    for name in results.__all__:
        assert getattr(results, name) is getattr(clearing, name)
    result_classes = {
        n
        for n in clearing.__all__
        if isinstance(getattr(clearing, n), type) and issubclass(getattr(clearing, n), ResultBase)
    }
    assert result_classes <= set(results.__all__)


REASON_ENUMS = ("AuctionReason", "AssignmentReason", "OrderReason", "MarketReason")
VOCABULARY = pathlib.Path(__file__).resolve().parents[1] / "docs" / "api" / "vocabulary.md"
_BEGIN = "<!-- reason tables: generated from the enums; see tests/test_public_api.py -->\n"
_END = "<!-- end of reason tables -->\n"


def reason_tables() -> str:
    """The reason tables of docs/api/vocabulary.md, from the enums and their ``#:`` notes."""
    out = []
    for name in REASON_ENUMS:
        cls = getattr(clearing, name)
        source = inspect.getsource(sys.modules[HOMES[f"clearing.{name}"]])
        body = source[source.index(f"class {name}(") :]
        notes = dict(re.findall(r"^    ([A-Z_]+) = [^#\n]*#: (.*)$", body, re.M))
        out += [f"### {name}\n", "| code | name | meaning |", "| --- | --- | --- |"]
        for m in cls:
            code = f"`{m.value}`" if isinstance(m.value, str) else str(int(m.value))
            out.append(f"| {code} | `{m.name}` | {notes[m.name].replace('``', '`')} |")
        out.append("")
    return "\n".join(out) + "\n"


def test_every_reason_vocabulary_is_on_the_vocabulary_page() -> None:
    """Regenerate the tables with ``CLEARING_REGENERATE=1 pytest tests/test_public_api.py``."""
    page = VOCABULARY.read_text()
    head, rest = page.split(_BEGIN)
    body, tail = rest.split(_END)
    want = reason_tables()
    if os.environ.get("CLEARING_REGENERATE") == "1":
        VOCABULARY.write_text(head + _BEGIN + want + _END + tail)
        return
    assert body == want, (
        "docs/api/vocabulary.md lists other reason codes than the enums; regenerate with "
        "CLEARING_REGENERATE=1 pytest tests/test_public_api.py"
    )
    # every public enum whose name ends in Reason is a reason vocabulary listed there
    reasons = {n for n in clearing.__all__ if n.endswith("Reason")}
    assert reasons == set(REASON_ENUMS)
