"""Public objects carry their public module's name, so tracebacks, reprs and pickles show it.

``export("clearing", globals(), __all__)`` in a subpackage's ``__init__`` sets
``__module__ = "clearing"`` on its classes and functions (the lazy ``clearing.__getattr__``
resolves them when a pickle is loaded) and lists each in the ``__test__`` mapping of the
module that defines it: doctest, and pytest's ``--doctest-modules``, only collect examples
from objects whose ``__module__`` is the module searched, and ``__test__`` entries are
searched regardless.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable
from typing import Any

__all__ = ["HOMES", "export"]

#: where each exported object is defined, by public qualified name (``"clearing.Fill"``)
HOMES: dict[str, str] = {}


def export(module: str, namespace: dict[str, Any], names: Iterable[str]) -> None:
    """Give each class and function ``namespace[name]`` the public module name ``module``."""
    for name in names:
        obj = namespace[name]
        if not isinstance(obj, type | types.FunctionType) or obj.__module__ == module:
            continue  # constants keep no module; re-exports from elsewhere are set there
        tests = sys.modules[obj.__module__].__dict__.setdefault("__test__", {})
        tests[obj.__qualname__] = obj
        HOMES[f"{module}.{obj.__qualname__}"] = obj.__module__
        obj.__module__ = module
