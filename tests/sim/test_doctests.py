"""The examples in the simulator's docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib
import pathlib

import pytest

MODULES = [
    "clearing.sim._config",
    "clearing.sim._presets",
    "clearing.sim._simulate",
    "clearing.sim._sweep",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, verbose=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_docs_page_examples() -> None:
    page = pathlib.Path(__file__).resolve().parents[2] / "docs" / "sim.md"
    result = doctest.testfile(
        str(page), module_relative=False, verbose=False, optionflags=doctest.ELLIPSIS
    )
    assert result.attempted > 0
    assert result.failed == 0
