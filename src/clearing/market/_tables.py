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
import numpy.typing as npt

from .._records import Labels
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


def _bad_label(fn: str, arg: str, arr: np.ndarray, bad: np.ndarray, what: str) -> None:
    idx = int(np.flatnonzero(bad)[0])
    count = int(np.count_nonzero(bad))
    raise InputError(
        f"{fn}: {arg}[{idx}] is {arr[idx]!r}; {what} ({count} bad)",
        argument=arg,
        index=idx,
        value=arr[idx],
    )


def factorize(values: Any, arg: str, fn: str, *, objects: bool = True) -> Labels:
    """Sorted unique labels and integer codes for a column of names (str or int).

    The labels are Python ``str`` / ``int`` objects in an object array; with
    ``objects=False`` (for ids, which are mostly distinct) a str or integer column keeps
    its numpy dtype and :meth:`Labels.take` makes the objects of the rows it takes only.
    """
    if str(getattr(values, "dtype", "")) == "category":
        cat = values.array
        codes = np.asarray(cat.codes, dtype=np.int64)
        if codes.size and codes.min() < 0:
            _bad_label(fn, arg, np.asarray(values, dtype=object), codes < 0, "a name is required")
        labels = np.asarray(cat.categories, dtype=object)
        order = np.argsort(labels.astype(str), kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return Labels(np.ascontiguousarray(rank[codes], dtype=np.int64), labels[order])
    arr = np.asarray(values)
    if arr.size == 0:
        return Labels(np.empty(0, dtype=np.int64), np.empty(0, dtype=object))
    if arr.dtype.kind == "O":
        text = _as_text(arr)
        if text is not None:  # Python strings (a DataFrame's): sorted without comparing them
            codes, first = _text_codes(text)
            uniq = arr[first]
            objects = True
        else:
            uniq, codes = _object_codes(arr, arg, fn)
    elif arr.dtype.kind in "US":
        codes, first = _text_codes(arr)
        uniq = arr[first]
    elif arr.dtype.kind in "iu":
        if len(arr) > 1 and (arr[1:] > arr[:-1]).all():  # ids in increasing order
            uniq, codes = arr.copy(), np.arange(len(arr))
        else:
            uniq, codes = np.unique(arr, return_inverse=True)
    else:
        raise InputError(
            f"{fn}: {arg} must hold names (strings or integers), got dtype {arr.dtype}",
            argument=arg,
        )
    codes = np.ascontiguousarray(codes.ravel(), dtype=np.int64)
    if not objects:
        return Labels(codes, uniq)
    labels = np.empty(len(uniq), dtype=object)
    labels[:] = uniq.tolist()  # Python str / int objects
    return Labels(codes, labels)


def _as_text(arr: np.ndarray) -> np.ndarray | None:
    """An object array of Python ``str`` as a numpy str array, or ``None`` if it is not one.

    ``None`` too when numpy's fixed-width strings would change a value (they drop trailing
    NUL characters), so that such labels keep the exact, slower path.
    """
    values = arr.tolist()
    if set(map(type, values)) != {str}:
        return None
    text = np.array(values, dtype=str)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    if (np.char.str_len(text) != lengths).any():
        return None
    return text


def _object_codes(arr: np.ndarray, arg: str, fn: str) -> tuple[np.ndarray, np.ndarray]:
    ok = np.array(
        [isinstance(v, str | int | np.integer) and not isinstance(v, bool) for v in arr],
        dtype=bool,
    )
    if not ok.all():
        _bad_label(fn, arg, arr, ~ok, "names must be strings or integers")
    try:
        uniq, codes = np.unique(arr, return_inverse=True)
    except TypeError:
        _bad_label(
            fn,
            arg,
            arr,
            np.array([not isinstance(v, str) for v in arr]),
            "names must not mix strings and integers",
        )
    return uniq, codes


def _rank(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense ranks of unsigned integer ``keys`` (equal keys, equal rank) and one index per rank.

    ``np.unique(keys, return_inverse=True)`` without its stable sort: any index of a key
    can stand for it, so the unstable (vectorised) sort does.
    """
    order = np.argsort(keys)
    ordered = keys[order]
    new = np.empty(len(keys), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    codes = np.empty(len(keys), dtype=np.int64)
    codes[order] = np.cumsum(new) - 1
    return codes, order[new]


def _text_codes(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a non-empty 1-D str or bytes array in sorted order, and an index of each label.

    The same labels and codes as ``np.unique(arr, return_inverse=True)``, without comparing
    strings: as many characters as fit are packed into one unsigned 64-bit word, first
    character in the highest bits (the NUL padding of shorter strings is 0, lowest, as in
    numpy's comparison). When the code points are too wide for a whole string to fit, each
    character is first replaced by its rank among the characters in use (a monotone map,
    so the order of strings is kept). One word per string is
    then sorted as an integer; longer strings are ranked word by word (the rank of the
    prefix so far times the number of distinct next words, plus the next word's rank).
    """
    n = len(arr)
    width = arr.dtype.itemsize // (4 if arr.dtype.kind == "U" else 1)
    if width == 0:  # numpy's empty-string dtype: every label is ""
        return np.zeros(n, dtype=np.int64), np.zeros(1, dtype=np.int64)
    unit = np.uint32 if arr.dtype.kind == "U" else np.uint8
    chars: npt.NDArray[np.unsignedinteger[Any]] = np.ascontiguousarray(arr).view(unit)
    chars = chars.reshape(n, width)
    top = int(chars.max())
    if width * top.bit_length() > 64:  # ranks of the characters in use pack tighter
        used = np.flatnonzero(np.bincount(chars.ravel()))
        rank: npt.NDArray[np.unsignedinteger[Any]] = np.zeros(
            top + 1, dtype=np.uint8 if len(used) <= 256 else np.uint32
        )
        rank[used] = np.arange(len(used))
        chars, top = rank.take(chars), len(used) - 1
    elif top < 256:
        chars = chars.astype(np.uint8)
    bits = np.uint64(max(1, top.bit_length()))
    per_word = 64 // int(bits)
    codes, first = np.zeros(n, dtype=np.int64), np.zeros(1, dtype=np.int64)
    for start in range(0, width, per_word):
        word = np.zeros(n, dtype=np.uint64)
        for c in range(start, min(start + per_word, width)):
            word <<= bits
            word |= chars[:, c]
        word_code, word_first = _rank(word)
        if start == 0:
            codes, first = word_code, word_first
        elif len(word_first) > 1:
            key = codes.astype(np.uint64) * np.uint64(len(word_first))
            codes, first = _rank(key + word_code.astype(np.uint64))
    return codes, first


def check_unique(labels: Labels, arg: str, fn: str) -> None:
    """Raise :class:`InputError` naming the first repeated id."""
    if len(labels.labels) == len(labels.codes):
        return
    counts = np.bincount(labels.codes, minlength=len(labels.labels))
    dup = counts[labels.codes] > 1
    first = np.flatnonzero(dup)
    i = int(first[0])
    code = labels.codes[i]
    j = int(np.flatnonzero(labels.codes == code)[1])
    value = labels.labels[code]
    value = value.item() if isinstance(value, np.generic) else value
    raise InputError(
        f"{fn}: {arg}[{j}] repeats {value!r} (first seen at index {i}); ids must "
        f"be unique ({int(np.count_nonzero(counts > 1))} repeated ids)",
        argument=arg,
        index=j,
        value=value,
    )


def as_flag(values: Any, arg: str, fn: str) -> np.ndarray:
    """A boolean column: bool, 0/1 numbers or the strings true/false/yes/no."""
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        return np.ascontiguousarray(arr, dtype=bool)
    if arr.dtype.kind in "iuf":
        bad = ~np.isin(arr, (0, 1))
        if arr.size and bad.any():
            _bad_label(fn, arg, arr, bad, "flags must be true/false or 0/1")
        return np.ascontiguousarray(arr == 1)
    text = np.array([str(v).strip().lower() for v in arr], dtype=object)
    true = np.isin(text, ("true", "yes", "1"))
    bad = ~(true | np.isin(text, ("false", "no", "0")))
    if arr.size and bad.any():
        _bad_label(fn, arg, arr, bad, "flags must be true/false or 0/1")
    return np.ascontiguousarray(true)
