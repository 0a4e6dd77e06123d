"""The one decorator every result class uses: frozen, slotted, no ``==``, a compact repr.

``@result`` makes a class a ``@dataclass(frozen=True, slots=True, eq=False)``: frozen so a
result can be handed around safely, ``eq=False`` because ``==`` on arrays is ambiguous and
hashing an array fails. Its arrays are made read-only, ``to_dict()`` returns copies, and the
repr stays a few lines whatever the size: arrays show as ``dtype[shape]`` grouped by shape,
long tuples as a count, nested results and tables by their size.

>>> import numpy as np
>>> @result
... class Demo(ResultBase):
...     volume: float
...     filled: np.ndarray
...     price_paid: np.ndarray
>>> Demo(2.0, np.zeros(1000), np.ones(1000))
Demo(volume=2.0, float64[1000]: filled, price_paid)
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

import numpy as np

__all__ = ["ResultBase", "builder", "compact_repr", "import_pandas", "result"]

T = TypeVar("T")

_WIDTH = 100  # one line up to this many characters, else one group per line
_INLINE = 6  # arrays of at most this many entries are shown in full
_ITEMS = 3  # tuples of at most this many items are shown in full


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= _INLINE and value.ndim <= 1:
            text = np.array2string(value, separator=", ", max_line_width=1 << 20)
            if len(text) <= 40:
                return f"array({text})"
        return f"{value.dtype}[{', '.join(map(str, value.shape))}]"
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, ResultBase):  # in full when it is one short line
        text = repr(value)
        return text if len(text) <= 72 and "\n" not in text else f"<{type(value).__name__}>"
    if isinstance(value, tuple | list):
        inner = ", ".join(_short(v) for v in value[:_ITEMS])
        if len(value) > _ITEMS or len(inner) > 72:
            kinds = sorted({type(v).__name__ for v in value})
            return f"<{len(value)} x {'/'.join(kinds)}>"
        return f"({inner},)" if isinstance(value, tuple) and len(value) == 1 else f"({inner})"
    if hasattr(value, "nnz") and hasattr(value, "shape"):  # a scipy.sparse array
        shape = ", ".join(map(str, value.shape))
        return f"<{type(value).__name__} [{shape}] nnz={value.nnz}>"
    if hasattr(value, "columns") and hasattr(value, "__len__"):  # a Table
        return f"<{type(value).__name__} {len(value)} rows>"
    text = repr(value)
    return text if len(text) <= 60 else f"<{type(value).__name__}>"


def compact_repr(obj: Any) -> str:
    """``Name(scalar=..., dtype[shape]: arrays...)``, on one line when it fits."""
    scalars: list[str] = []
    groups: dict[str, list[str]] = {}
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        text = _short(value)
        if isinstance(value, np.ndarray) and not text.startswith("array("):
            groups.setdefault(text, []).append(field.name)
        else:
            scalars.append(f"{field.name}={text}")
    parts = [*scalars, *(f"{kind}: {', '.join(names)}" for kind, names in groups.items())]
    name = type(obj).__name__
    one_line = f"{name}({', '.join(parts)})"
    if len(one_line) <= _WIDTH:
        return one_line
    lines, line = [], ""
    for part in scalars:  # scalars wrapped; each array group on its own line
        if line and len(line) + len(part) + 2 > _WIDTH - 4:
            lines.append(line + ",")
            line = ""
        line = f"{line}, {part}" if line else part
    if line:
        lines.append(line + ",")
    lines += [f"{kind}: {', '.join(names)}," for kind, names in groups.items()]
    lines[-1] = lines[-1].rstrip(",")
    return name + "(\n" + "".join(f"    {text}\n" for text in lines) + ")"


class ResultBase:
    """Base of every result class (no state of its own); apply :func:`result` to subclasses."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field by name; arrays are returned as writable copies."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            out[field.name] = value.copy() if isinstance(value, np.ndarray) else value
        return out

    def __repr__(self) -> str:
        return compact_repr(self)


def _freeze_arrays(self: Any) -> None:
    for name in type(self).__dataclass_fields__:
        value = getattr(self, name)
        if isinstance(value, np.ndarray):
            value.flags.writeable = False


@overload
def result(cls: type[T], /) -> type[T]: ...
@overload
def result(*, arrays: bool = True) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(eq_default=False, frozen_default=True)
def result(cls: Any = None, /, *, arrays: bool = True) -> Any:
    """Make ``cls`` (a :class:`ResultBase` subclass) a frozen, slotted result dataclass.

    With ``arrays=True`` (the default) the arrays passed to the constructor are made
    read-only (the caller hands them over); ``arrays=False`` is for classes without array
    fields, which then skip that step (the order book builds one report per event).
    """

    def decorate(cls: type[T]) -> type[T]:
        if not issubclass(cls, ResultBase):
            raise TypeError(f"@result: {cls.__name__} must derive from ResultBase")
        if arrays and "__post_init__" not in cls.__dict__:
            cls.__post_init__ = _freeze_arrays  # type: ignore[attr-defined]
        return dataclasses.dataclass(frozen=True, slots=True, eq=False, repr=False)(cls)

    return decorate if cls is None else decorate(cls)


def builder(cls: type[Any]) -> type[Any]:
    """A mutable twin of ``cls`` for hot paths: ``b = builder(cls)(*values); b.__class__ = cls``.

    The result equals ``cls(*values)``, field by field.

    A frozen dataclass sets each field through ``object.__setattr__`` (about 0.3 us a field,
    seven times what a tuple costs). This builds a mutable twin with the same slots and
    base, fills it with the plain stores of its generated ``__init__``, then gives it the
    frozen class, which CPython allows between classes of identical layout. Only for
    ``@result(arrays=False)`` classes (no ``__post_init__`` to run); a test checks that it
    builds objects identical, field by field, to the normal constructor.
    """
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"builder: {cls.__name__} runs a __post_init__")
    fields = [(f.name, Any) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(
        f"_{cls.__name__}Builder", fields, bases=cls.__bases__, slots=True, eq=False
    )


def import_pandas() -> Any:
    """Import pandas lazily, with an actionable message when it is missing."""
    try:
        import pandas
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "to_pandas() needs pandas: pip install pandas (or the [dev] extra)"
        ) from None
    return pandas
