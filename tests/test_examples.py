"""The examples in the README and in public docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
MODULES = [
    "clearing.auction._api",
    "clearing.datasets",
    "clearing.assignment._api",
    "clearing.orderbook._book",
    "clearing.ledger",
    "clearing.ledger._amounts",
]


@pytest.mark.parametrize(
    "page",
    [
        "README.md",
        "docs/quickstart.md",
        "docs/tutorial.md",
        "docs/api/orderbook.md",
        "docs/ledger.md",
        "docs/board.md",
    ],
)
def test_page_examples(page: str) -> None:
    if page in ("docs/ledger.md", "docs/tutorial.md"):
        pytest.importorskip("sqlalchemy")
    if page == "docs/tutorial.md":
        pytest.importorskip("matplotlib")  # the simulator's figure (the [sim] extra)
    result = doctest.testfile(str(ROOT / page), module_relative=False, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0
