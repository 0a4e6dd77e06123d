"""Tables in and out of :func:`clearing.clear`: reading input tables, and the light result table.

Why a light table and not a pandas DataFrame: the core dependencies are numba, numpy and
scipy only, and :func:`clearing.clear` must work (and be fast) without pandas. A
:class:`Table` is an ordered mapping of equal-length, read-only numpy columns with
``len()``, ``table["column"]``, a readable ``repr`` and :meth:`Table.to_pandas` for users who
have pandas. Columns may be *lazy*: the explanation sentences of ``Clearing.unmatched`` are
formatted on first access, so clearing 100,000 requests does not pay for 100,000 f-strings
that nobody reads.

Input tables (``requests`` and ``offers``) are pandas DataFrames or mappings of equal-length
array-likes. Missing or misspelt columns raise :class:`~clearing.InputError` listing the
expected ones; columns :func:`clearing.clear` does not use are carried through to the output.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from .._result import import_pandas
from ..errors import InputError

__all__ = ["Table", "read_columns"]

_REPR_ROWS = 8


class Table:
    """An ordered set of equal-length, read-only numpy columns.

    Parameters
    ----------
    columns : mapping of str to array-like
        Eager columns, in display order.
    lazy : mapping of str to callable, optional
        Columns computed on first access (each callable returns an array of the table's
        length); they are placed after the eager ones unless ``order`` says otherwise.
    order : sequence of str, optional
        Column order when it differs from eager-then-lazy.

    Examples
    --------
    >>> import numpy as np
    >>> t = Table({"id": np.array([1, 2]), "price": np.array([9.5, 10.0])})
    >>> len(t), t.columns
    (2, ('id', 'price'))
    >>> float(t["price"].sum())
    19.5
    """

    __slots__ = ("_data", "_lazy", "_n", "_order")

    def __init__(
        self,
        columns: Mapping[str, Any],
        *,
        lazy: Mapping[str, Callable[[], np.ndarray]] | None = None,
        order: tuple[str, ...] | None = None,
    ) -> None:
        data: dict[str, np.ndarray] = {}
        n: int | None = None
        for name, col in columns.items():
            arr = np.asarray(col)
            if arr.ndim != 1:
                raise InputError(
                    f"Table: column {name!r} must be 1-D, got shape {arr.shape}",
                    argument="columns",
                    index=name,
                )
            if n is None:
                n = len(arr)
            elif len(arr) != n:
                raise InputError(
                    f"Table: column {name!r} has length {len(arr)}, expected {n}",
                    argument="columns",
                    index=name,
                    value=len(arr),
                )
            arr.flags.writeable = False
            data[name] = arr
        self._data = data
        self._lazy = dict(lazy or {})
        self._n = n if n is not None else 0
        self._order = order if order is not None else (*data, *self._lazy)

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names, in order."""
        return self._order

    def __len__(self) -> int:
        return self._n

    def __contains__(self, name: object) -> bool:
        return name in self._data or name in self._lazy

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._data[name]
        except KeyError:
            pass
        build = self._lazy.get(name)
        if build is None:
            if name in self._data:  # built by another thread meanwhile
                return self._data[name]
            raise KeyError(f"no column {name!r}; columns are {', '.join(self._order)}")
        arr = np.asarray(build())
        arr.flags.writeable = False
        arr = self._data.setdefault(name, arr)  # the first one built wins, for every reader
        self._lazy.pop(name, None)
        return arr

    def __reduce__(self) -> tuple[Any, ...]:
        # lazy columns are closures: a pickle holds them computed
        return (Table, ({name: self[name] for name in self._order},))

    def to_dict(self) -> dict[str, np.ndarray]:
        """Every column by name, as writable copies."""
        return {name: self[name].copy() for name in self._order}

    def to_pandas(self) -> Any:
        """The table as a :class:`pandas.DataFrame` (imports pandas on call)."""
        pd = import_pandas()
        return pd.DataFrame({name: self[name] for name in self._order})

    def row(self, i: int) -> dict[str, Any]:
        """Row ``i`` as a dict of Python scalars."""
        return {name: _scalar(self[name][i]) for name in self._order}

    def __repr__(self) -> str:
        n = self._n
        head = min(n, _REPR_ROWS)
        cells = [[name, *(_cell(self[name][i]) for i in range(head))] for name in self._order]
        widths = [max(len(c) for c in col) for col in cells]
        lines = [
            "  ".join(col[r].rjust(w) for col, w in zip(cells, widths, strict=True))
            for r in range(head + 1)
        ]
        more = f"\n... ({n - head} more rows)" if n > head else ""
        return f"Table({n} rows)\n" + "\n".join(lines) + more


def _scalar(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def _cell(v: Any) -> str:
    v = _scalar(v)
    s = f"{v:.6g}" if isinstance(v, float) else str(v)
    return s if len(s) <= 40 else s[:37] + "..."


def read_columns(
    data: Any,
    name: str,
    fn: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
) -> tuple[dict[str, Any], int]:
    """The columns of a DataFrame or mapping of equal-length 1-D array-likes, and its length.

    Raises :class:`InputError` for a missing required column (listing the expected ones and
    suggesting a close match among the given names), ragged lengths or 2-D columns.
    """
    if hasattr(data, "columns") and hasattr(data, "__getitem__") and not isinstance(data, Mapping):
        cols = {str(c): data[c] for c in data.columns}
    elif isinstance(data, Mapping):
        cols = {str(k): v for k, v in data.items()}
    else:
        raise InputError(
            f"{fn}: {name} must be a pandas DataFrame or a mapping of column name to "
            f"array, got {type(data).__name__}",
            argument=name,
        )
    missing = [c for c in required if c not in cols]
    if missing:
        known = set(required) | set(optional)
        unknown = [c for c in cols if c not in known]
        hints = []
        for m in missing:
            close = difflib.get_close_matches(m, unknown, n=1, cutoff=0.6)
            if close:
                hints.append(f"{close[0]!r} looks like a misspelling of {m!r}")
        hint = f" ({'; '.join(hints)})" if hints else ""
        raise InputError(
            f"{fn}: {name} is missing column(s) {', '.join(map(repr, missing))}{hint}; "
            f"expected columns {', '.join(required)}"
            + (f" (optional: {', '.join(optional)})" if optional else ""),
            argument=name,
            value=missing[0],
        )
    n: int | None = None
    first = ""
    out: dict[str, Any] = {}
    for key, col in cols.items():
        if hasattr(col, "to_numpy") and not isinstance(col, np.ndarray):
            if str(getattr(col, "dtype", "")) == "category":
                out[key] = col  # kept for the fast categorical path of factorize()
                length = len(col)
            else:
                out[key] = col.to_numpy()
                length = len(out[key])
        else:
            try:
                arr = np.asarray(col)
            except (TypeError, ValueError) as exc:
                raise InputError(
                    f"{fn}: {name}[{key!r}] is not array-like ({exc})", argument=f"{name}.{key}"
                ) from None
            if arr.ndim != 1:
                raise InputError(
                    f"{fn}: {name}[{key!r}] must be 1-D, got shape {arr.shape}",
                    argument=f"{name}.{key}",
                )
            out[key] = arr
            length = len(arr)
        if n is None:
            n, first = length, key
        elif length != n:
            raise InputError(
                f"{fn}: {name}[{key!r}] has length {length} but {name}[{first!r}] has length {n}",
                argument=f"{name}.{key}",
            )
    return out, n or 0
