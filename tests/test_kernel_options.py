"""Every kernel is compiled by the house decorator of :mod:`clearing._jit`, and the
``NUMBA_DISABLE_JIT=1`` lane really runs the Python bodies."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import types
from typing import Any

import numba
import pytest

import clearing._kernels
from clearing._jit import JIT_OPTIONS

JIT_DISABLED = bool(int(os.environ.get("NUMBA_DISABLE_JIT", "0") or "0"))
# what the three house decorators add to JIT_OPTIONS (see clearing._jit)
VARIANTS: list[dict[str, Any]] = [{}, {"parallel": True}, {"inline": "always"}]


def kernel_modules() -> list[types.ModuleType]:
    found = []
    for info in pkgutil.walk_packages(clearing._kernels.__path__, "clearing._kernels."):
        found.append(importlib.import_module(info.name))
    return found


def own_functions(module: types.ModuleType) -> dict[str, Any]:
    """The functions a kernel module defines (compiled or not), not the ones it imports."""
    out = {}
    for name, obj in vars(module).items():
        func = getattr(obj, "py_func", obj)
        if inspect.isfunction(func) and func.__module__ == module.__name__:
            out[name] = obj
    return out


def test_the_walk_finds_every_domain() -> None:
    names = {m.__name__ for m in kernel_modules()}
    for domain in ("auction", "assignment", "orderbook"):
        assert any(n.startswith(f"clearing._kernels.{domain}.") for n in names), domain
    assert sum(len(own_functions(m)) for m in kernel_modules()) > 50


@pytest.mark.skipif(JIT_DISABLED, reason="NUMBA_DISABLE_JIT=1: no dispatchers to inspect")
@pytest.mark.parametrize(
    "module", [m for m in kernel_modules() if own_functions(m)], ids=lambda m: m.__name__
)
def test_every_kernel_uses_the_house_options(module: types.ModuleType) -> None:
    functions = own_functions(module)
    for name, obj in functions.items():
        where = f"{module.__name__}.{name}"
        assert isinstance(obj, numba.core.registry.CPUDispatcher), f"{where} is not compiled"
        # numba records an unset boundscheck as None (its default: off unless the
        # environment turns it on)
        options = {
            k: v for k, v in obj.targetoptions.items() if not (k == "boundscheck" and v is None)
        }
        assert options.pop("nopython", True) is True, f"{where} may fall back to object mode"
        house = {k: v for k, v in JIT_OPTIONS.items() if k != "cache"}
        assert {k: options.get(k) for k in house} == house, f"{where}: {options}"
        extra = {k: v for k, v in options.items() if k not in house}
        assert extra in VARIANTS, f"{where} has options of its own: {extra}"
        # cache=True is not a target option: the dispatcher holds an on-disk cache instead
        cached = type(obj._cache).__name__ != "NullCache"
        assert cached == JIT_OPTIONS["cache"], f"{where}: cache is {type(obj._cache).__name__}"


@pytest.mark.skipif(not JIT_DISABLED, reason="only under NUMBA_DISABLE_JIT=1")
def test_disabled_jit_runs_plain_python_functions() -> None:
    functions = [f for m in kernel_modules() for f in own_functions(m).values()]
    compiled = [f for f in functions if not inspect.isfunction(f)]
    assert not compiled, f"compiled although NUMBA_DISABLE_JIT=1: {compiled[:3]}"
    from clearing._kernels.assignment.lap import lap_dense

    assert inspect.isfunction(lap_dense)
