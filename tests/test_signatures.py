"""The public surface, pinned: every public signature and the exception tree in one text file.

``tests/signatures.txt`` lists every name in ``clearing.__all__``, ``clearing.ledger.__all__``,
``clearing.sim.__all__`` and ``clearing.policy.__all__``: functions with their signature,
classes with their bases, constructor, public methods and properties, enums with their
members, constants with their value; then the tree of :class:`clearing.ClearingError`. A
change to the surface (a new name, a renamed argument, a new default) fails this test with
the diff, so it shows up in review.

After an intended change, regenerate the file with one command and commit it::

    CLEARING_REGENERATE=1 .venv/bin/pytest tests/test_signatures.py

The other tests here check what the snapshot cannot show at a glance: options are
keyword-only and every public object names its public module.
"""

from __future__ import annotations

import difflib
import enum
import importlib
import inspect
import os
import pathlib
import pickle
from collections.abc import Iterator
from typing import Any

import pytest

import clearing
from clearing._result import ResultBase

pytest.importorskip("sqlalchemy", reason="clearing.ledger needs the [ledger] extra")
pytest.importorskip("matplotlib", reason="clearing.sim needs the [sim] extra")

SNAPSHOT = pathlib.Path(__file__).with_name("signatures.txt")
MODULES = ("clearing", "clearing.ledger", "clearing.sim", "clearing.policy")
REGENERATE = "CLEARING_REGENERATE=1 .venv/bin/pytest tests/test_signatures.py"

# Positional parameters with a default that are data, not options, kept positional on purpose.
POSITIONAL_DATA = {
    "clearing.clear": {"policy"},  # the third input of clear(requests, offers, policy)
    "clearing.assign": {"cost"},
    "clearing.assign_batch": {"cost"},
    "clearing.transport": {"cost"},
    "clearing.linear_sum_assignment": {"maximize"},  # scipy's signature, a drop-in
    "clearing.ledger.Ledger": {"url"},
    "clearing.sim.compare_structures": {"structures"},
    "clearing.OrderBook": {"tick_size"},  # the book's price grid
    "clearing.OrderBook.submit_batch": {"side", "price", "quantity"},  # the event columns
    "clearing.OrderBook.depth": {"levels"},  # what is asked for
    "clearing.OrderBook.uncross": {"mechanism"},  # the one choice the call is about
}


def _public(modname: str) -> Iterator[tuple[str, Any]]:
    module = importlib.import_module(modname)
    for name in sorted(module.__all__):
        yield f"{modname}.{name}", getattr(module, name)


def _sig(obj: Any) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """Public attributes defined by ``cls`` or its bases inside the package."""
    seen = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("clearing"):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_") or name in seen:
                continue
            seen.add(name)
            yield name, value


def _class_lines(qual: str, cls: type) -> list[str]:
    bases = ", ".join(b.__name__ for b in cls.__bases__)
    lines = [f"class {qual}({bases})"]
    if issubclass(cls, enum.Enum):
        return lines + [f"    {m.name} = {m.value!r}" for m in cls]
    if issubclass(cls, BaseException):
        return lines
    lines.append(f"    {cls.__name__}{_sig(cls)}")
    for name, value in sorted(_members(cls)):
        if isinstance(value, property):
            lines.append(f"    .{name}: property")
        elif isinstance(value, classmethod | staticmethod):
            kind = type(value).__name__
            lines.append(f"    .{name}{_sig(value.__func__)}  [{kind}]")
        elif inspect.isfunction(value):
            lines.append(f"    .{name}{_sig(value)}")
    return lines


def surface() -> str:
    """The text of ``tests/signatures.txt``."""
    lines: list[str] = []
    for modname in MODULES:
        lines.append(f"# {modname}")
        for qual, obj in _public(modname):
            if qual.endswith("__version__"):
                lines.append(f"{qual}: str")
            elif inspect.isclass(obj):
                lines += _class_lines(qual, obj)
            elif callable(obj):
                lines.append(f"def {qual}{_sig(obj)}")
            else:
                lines.append(f"{qual} = {obj!r}")
        lines.append("")
    lines.append("# exception tree")

    def tree(cls: type, depth: int) -> None:
        bases = ", ".join(f"{b.__module__}.{b.__qualname__}" for b in cls.__bases__)
        lines.append(f"{'    ' * depth}{cls.__module__}.{cls.__qualname__}({bases})")
        for sub in sorted(cls.__subclasses__(), key=lambda c: c.__name__):
            tree(sub, depth + 1)

    tree(clearing.ClearingError, 0)
    return "\n".join(lines) + "\n"


def test_public_signatures_match_the_snapshot() -> None:
    now = surface()
    if os.environ.get("CLEARING_REGENERATE") == "1":
        SNAPSHOT.write_text(now)
    before = SNAPSHOT.read_text() if SNAPSHOT.exists() else ""
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(True), now.splitlines(True), "signatures.txt", "the code"
        )
    )
    assert not diff, f"the public surface changed; if intended, run {REGENERATE}\n{diff}"


def _callables() -> Iterator[tuple[str, Any]]:
    for modname in MODULES:
        for qual, obj in _public(modname):
            if inspect.isclass(obj):
                if issubclass(obj, enum.Enum | BaseException | ResultBase):
                    continue  # results are built by the library, enums by value
                yield qual, obj
                for name, value in _members(obj):
                    func = getattr(value, "__func__", value)
                    if inspect.isfunction(func):
                        yield f"{qual}.{name}", func
            elif inspect.isfunction(obj):
                yield qual, obj


def test_options_are_keyword_only() -> None:
    positional = []
    for qual, obj in _callables():
        for p in inspect.signature(obj).parameters.values():
            option = p.default is not inspect.Parameter.empty
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and option:
                positional += [f"{qual}({p.name})"] * (p.name not in POSITIONAL_DATA.get(qual, ()))
    assert positional == [], "options must be keyword-only (after a bare *): " + ", ".join(
        positional
    )
    assert list(_callables())  # the check looked at something


def test_every_public_object_names_its_public_module() -> None:
    for modname in MODULES:
        for qual, obj in _public(modname):
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            name = qual.rsplit(".", 1)[1]
            home = "clearing" if name in clearing.__all__ else modname
            if home == "clearing.ledger" and issubclass(obj, BaseException):
                home = "clearing.errors"  # the ledger's errors live with the others
            assert obj.__module__ == home, (qual, obj.__module__)
            # the public name resolves back to the object, as pickle needs
            assert getattr(importlib.import_module(home), obj.__qualname__) is obj
            if inspect.isclass(obj):
                assert pickle.loads(pickle.dumps(obj)) is obj
