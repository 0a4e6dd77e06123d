"""The examples in the README, the docs pages and every docstring run and print what they show.

Docstring examples are collected by walking the package, so a new module is never forgotten;
and every public function, class and method (what ``clearing.__all__``, ``clearing.policy``,
``clearing.ledger``, ``clearing.sim`` and ``clearing.datasets`` export) must have an
``Examples`` section.
"""

from __future__ import annotations

import ast
import doctest
import enum
import importlib
import inspect
import pathlib
import pkgutil
import types
from collections.abc import Iterator
from typing import Any

import pytest

import clearing

ROOT = pathlib.Path(__file__).resolve().parents[1]
PUBLIC_MODULES = [
    "clearing",
    "clearing.policy",
    "clearing.ledger",
    "clearing.sim",
    "clearing.datasets",
]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def package_modules() -> list[str]:
    names = ["clearing"]
    for info in pkgutil.walk_packages(clearing.__path__, "clearing."):
        names.append(info.name)
    return sorted(names)


def _classes_defined_in(module: types.ModuleType) -> set[str]:
    """Names of the classes whose ``class`` statement is in this module's source."""
    path = inspect.getsourcefile(module)
    if path is None:
        return set()
    tree = ast.parse(pathlib.Path(path).read_text())
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


def module_doctests(name: str) -> list[doctest.DocTest]:
    """The doctests of a module's docstring and of what the module defines.

    The public objects carry ``__module__ == "clearing"`` (or their subpackage), which
    hides them from doctest's own search of their home module and shows them in the
    package's instead; so each function and class is taken from the module whose source
    defines it, and searched on its own (its methods pass doctest's filter: their globals
    are this module's).
    """
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    globs = dict(vars(module))
    tests = finder.find(module.__doc__ or "", name, module=module, globs=globs)
    classes = _classes_defined_in(module)
    for attr, obj in vars(module).items():
        func = getattr(obj, "py_func", obj)
        own = (inspect.isfunction(func) and func.__globals__ is vars(module)) or (
            inspect.isclass(obj) and obj.__name__ == attr and attr in classes
        )
        if own:
            tests.extend(finder.find(obj, f"{name}.{attr}", module=module, globs=globs))
    # a docstring reached twice (a class attribute bound to a function of this module)
    # runs once
    unique: dict[tuple[str | None, str | None], doctest.DocTest] = {}
    for test in tests:
        if test.examples:
            unique.setdefault((test.filename, test.docstring), test)
    return list(unique.values())


@pytest.mark.parametrize("name", package_modules())
def test_docstring_examples(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in module_doctests(name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0


def test_the_walk_finds_the_layers() -> None:
    names = package_modules()
    for expected in ("clearing.auction._api", "clearing.ledger._holds", "clearing.sim._sweep",
                     "clearing.market._clear", "clearing.datasets"):  # fmt: skip
        assert expected in names


def public_objects() -> Iterator[tuple[str, Any]]:
    """Every public function, class and method, once, with its public name."""
    seen: set[int] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{module_name}.{name}", obj
            if inspect.isclass(obj) and not issubclass(obj, (enum.Enum, BaseException)):
                for member, value in vars(obj).items():
                    func = value.fget if isinstance(value, property) else value
                    func = getattr(func, "__func__", func)  # static and class methods
                    if not member.startswith("_") and inspect.isfunction(func):
                        yield f"{module_name}.{name}.{member}", func


def has_examples(obj: Any) -> bool:
    doc = inspect.getdoc(obj) or ""
    return "\nExamples\n--------\n" in f"\n{doc}" and ">>> " in doc.split("Examples", 1)[1]


def test_every_public_object_has_examples() -> None:
    objects = dict(public_objects())
    assert len(objects) > 100
    missing = sorted(name for name, obj in objects.items() if not has_examples(obj))
    assert missing == [], f"{len(missing)} without an Examples section: {missing}"


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
