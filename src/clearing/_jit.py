"""The one house decorator every kernel is compiled with.

``cache=True`` keeps compiled machine code on disk between processes, ``nogil=True`` lets
callers run kernels from threads, and ``error_model="numpy"`` makes a division by zero give
``inf``/``nan`` instead of raising inside the kernel (kernels never raise on user data).
``fastmath`` stays off: kernels compare against ``inf`` and must see ``nan``.

Compile time is what a first call costs, so the decorator keeps one compiled
specialisation per argument type. Numba types a constant argument written in a kernel
(``f(x, 0)``, ``g(y, True)``) as a *literal* and compiles the callee once per distinct
constant, and type inference may even compile a callee for a counter's first value (the
literal ``0``) before settling on ``int64``. The house dispatcher drops literal types
before it compiles (:class:`_Dispatcher`), so every helper compiles once per real
signature.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
from numba.core import event, sigutils, types
from numba.core.registry import CPUDispatcher

F = TypeVar("F", bound=Callable[..., Any])

JIT_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True, "error_model": "numpy"}


class _Dispatcher(CPUDispatcher):
    """numba's CPU dispatcher, compiling the non-literal form of every signature.

    A call from a kernel with literal argument types is then served by the one
    specialisation for the plain types (numba converts a literal to its plain type when
    it matches a call against compiled signatures), instead of a compile per constant.
    A kernel that asks for literals (``numba.literally``) keeps numba's own dispatch.
    """

    def compile(self, sig: Any) -> Any:
        args, return_type = sigutils.normalize_signature(sig)  # type: ignore[no-untyped-call]
        if "literally" not in self.py_func.__code__.co_names:  # else numba's own way
            args = tuple(types.unliteral(a) for a in args)  # type: ignore[no-untyped-call]
        return super().compile(args if return_type is None else return_type(*args))


#: Set once the compile notice has been printed (or made pointless, by a warmup).
COMPILE_NOTICE = {"done": False}


def _entry_point() -> str:
    """The outermost public ``clearing`` function on the call stack (what the user called):
    ``double_auction``, ``OrderBook.limit``, or ``OrderBook`` for its constructor."""
    name = "a kernel"
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        qualname = frame.f_code.co_qualname.removesuffix(".__init__")
        public = not any(part.startswith(("_", "<")) for part in qualname.split("."))
        if module.startswith("clearing.") and module != __name__ and public:
            name = qualname
        frame = frame.f_back  # type: ignore[assignment]
    return name


def note_compile() -> None:
    """Say once per process, on stderr, that kernels are being compiled.

    Called by :class:`_CompileNotice` just before numba compiles one
    of our kernels, which happens only when numba's cache has no machine code for it: a
    warm cache, or a process that has compiled already, prints nothing.
    """
    if COMPILE_NOTICE["done"]:
        return
    COMPILE_NOTICE["done"] = True
    sys.stderr.write(
        f"clearing: compiling kernels for {_entry_point()} (once per install; "
        "`clearing warmup` compiles them all ahead)...\n"
    )
    sys.stderr.flush()


class _CompileNotice(event.Listener):
    """Calls :func:`note_compile` when numba compiles one of our kernels
    (numba raises this event only on a cache miss, never when it loads machine code)."""

    def on_start(self, ev: Any) -> None:
        dispatcher = ev.data["dispatcher"]
        if getattr(dispatcher, "py_func", None) is not None and isinstance(dispatcher, _Dispatcher):
            note_compile()

    def on_end(self, ev: Any) -> None:
        pass


event.register("numba:compile", _CompileNotice())  # type: ignore[no-untyped-call]


def _njit(func: F, **options: Any) -> F:
    """``numba.njit(**JIT_OPTIONS, **options)(func)`` with :class:`_Dispatcher`."""
    if numba.config.DISABLE_JIT:  # type: ignore[attr-defined]
        return func
    opts = {**JIT_OPTIONS, **options}
    cache = opts.pop("cache")
    dispatcher = _Dispatcher(
        py_func=func, locals={}, targetoptions={**opts, "nopython": True, "boundscheck": None}
    )
    if cache:
        dispatcher.enable_caching()
    return cast(F, dispatcher)


def jit(func: F) -> F:
    """Compile ``func`` in nopython mode with the house options."""
    return _njit(func)


def jit_parallel(func: F) -> F:
    """The house options plus ``parallel=True``, for kernels measured to gain from threads.

    Used only behind an explicit ``parallel=True`` argument: serial is the default, and the
    parallel kernel must give results identical to the serial one.
    """
    return _njit(func, parallel=True)


def jit_inline(func: F) -> F:
    """The house options plus ``inline="always"``, for small helpers of hot loops.

    Numba then splices the helper's body into each caller before optimisation, instead of
    emitting a call that passes every array (with a reference count taken and dropped on
    each) and checks a returned status. It serves two ends: short helpers of hot loops (the
    path flip of the dense searches, the best-two scan of the sparse auction, the heap's
    moves, the order book's level updates), and bodies a few small entry kernels share with
    constant switches (``assign_batch_short_min`` and its siblings in
    :mod:`clearing._kernels.assignment.dense_batch`), so that numba prunes the branches a
    call does not use and a first call compiles only its own path. Each caller compiles its
    own copy, so large helpers stay plain calls: inlining them multiplies compile time.
    """
    return _njit(func, inline="always")
