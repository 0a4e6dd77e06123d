"""Tables on files for the command line: CSV, JSON and Parquet in, the same formats out.

Reading keeps each value's place, so that any error, here or later in the library, names the
file, the line (CSV), record (JSON) or row (Parquet) and the column. Writing is all or
nothing: every target is checked before the first byte is written, each table goes to a
temporary file beside its target and the targets are replaced only when all are written.

CSV needs nothing beyond the standard library; JSON neither; Parquet needs ``pyarrow``.

Examples
--------
>>> import pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "bids.csv").write_text("party,price,quantity\\nops,10,1\\ncare,9,x\\n")
>>> try:
...     read_table(d / "bids.csv", numeric=("price", "quantity"))
... except FileInputError as e:
...     print(str(e).replace(str(d), "DIR"))
DIR/bids.csv, line 3, column 'quantity': 'x' is not a number
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import pathlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "FORMATS",
    "FileInputError",
    "Source",
    "locate",
    "read_table",
    "table_format",
    "write_tables",
]

FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".pq": "parquet"}


class FileInputError(ValueError):
    """A file that cannot be read as the table it should hold, or an output refused."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where the rows of a table came from: ``where(i, column)`` names row ``i`` in the file."""

    path: pathlib.Path
    fmt: str

    def where(self, index: int | None, column: str | None = None) -> str:
        """``file, line 5, column 'price'`` for row ``index`` (0-based) of the table."""
        parts = [str(self.path)]
        if index is not None:
            if self.fmt == "csv":
                parts.append(f"line {index + 2}")  # line 1 holds the header
            else:
                parts.append(f"{'record' if self.fmt == 'json' else 'row'} {index + 1}")
        if column is not None:
            parts.append(f"column {column!r}")
        return ", ".join(parts)


def table_format(path: str | os.PathLike[str]) -> str:
    """``"csv"``, ``"json"`` or ``"parquet"`` from the file name's extension."""
    suffix = pathlib.Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise FileInputError(
            f"{path}: unknown table format {suffix or '(no extension)'!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def _number(src: Source, i: int, col: str, v: Any) -> float:
    if v is None or (isinstance(v, str) and v.strip() == ""):
        return math.nan
    if isinstance(v, bool):
        raise FileInputError(f"{src.where(i, col)}: {v!r} is not a number")
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            pass
    raise FileInputError(f"{src.where(i, col)}: {v!r} is not a number")


def _columns(
    src: Source, rows: list[dict[str, Any]] | dict[str, list[Any]], numeric: Any
) -> dict[str, Any]:
    cols: dict[str, list[Any]]
    if isinstance(rows, dict):
        cols = rows
    else:
        names = list(rows[0]) if rows else []
        for i, r in enumerate(rows):
            if list(r) != names and set(r) != set(names):
                missing = sorted(set(names) - set(r)) or sorted(set(r) - set(names))
                raise FileInputError(
                    f"{src.where(i)}: keys differ from the first record's at {missing[0]!r}"
                )
        cols = {n: [r[n] for r in rows] for n in names}
    out: dict[str, Any] = {}
    for name, values in cols.items():
        if numeric(name) if callable(numeric) else name in numeric:
            out[name] = np.array([_number(src, i, name, v) for i, v in enumerate(values)])
        else:
            out[name] = np.array(values, dtype=object)
    return out


def _read_csv(src: Source) -> dict[str, list[Any]]:
    try:
        text = src.path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileInputError(f"{src.path}: not UTF-8 text ({exc.reason})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileInputError(f"{src.path}: empty file (a header line is required)") from None
    except csv.Error as exc:
        raise FileInputError(f"{src.path}, line 1: {exc}") from None
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise FileInputError(f"{src.path}, line 1: column {dup!r} appears twice")
    cols: dict[str, list[Any]] = {h: [] for h in header}
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise FileInputError(
                    f"{src.path}, line {reader.line_num}: {len(row)} fields, the header has "
                    f"{len(header)}"
                )
            for h, v in zip(header, row, strict=True):
                cols[h].append(v)
    except csv.Error as exc:
        raise FileInputError(f"{src.path}, line {reader.line_num}: {exc}") from None
    return cols


def _read_json(src: Source) -> Any:
    try:
        data = json.loads(src.path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        where = f", line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise FileInputError(f"{src.path}{where}: not JSON ({exc})") from None
    if isinstance(data, list) and all(isinstance(r, dict) for r in data):
        return data
    if isinstance(data, dict) and all(isinstance(v, list) for v in data.values()):
        return data
    raise FileInputError(
        f"{src.path}: a table is a list of records or an object of column name to array"
    )


def _read_parquet(src: Source) -> dict[str, list[Any]]:
    pq = _pyarrow("read", src.path)[1]
    try:
        return pq.read_table(src.path).to_pydict()  # type: ignore[no-any-return]
    except Exception as exc:  # pyarrow raises its own ArrowInvalid, OSError...
        raise FileInputError(f"{src.path}: not a Parquet file ({exc})") from None


def _pyarrow(verb: str, path: pathlib.Path) -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise FileInputError(
            f"{path}: to {verb} Parquet install pyarrow (pip install pyarrow)"
        ) from None
    return pyarrow, pyarrow.parquet


def read_table(path: str | os.PathLike[str], *, numeric: Any = ()) -> tuple[dict[str, Any], Source]:
    """Read a table; ``numeric`` columns (names, or a predicate on the name) become float64.

    Empty cells and nulls in numeric columns become NaN (which the library reports by index,
    or reads as "none" where that is their meaning); other columns stay strings (object).
    """
    p = pathlib.Path(path)
    src = Source(p, table_format(p))
    if not p.is_file():
        raise FileInputError(f"{p}: no such file")
    reader = {"csv": _read_csv, "json": _read_json, "parquet": _read_parquet}[src.fmt]
    return _columns(src, reader(src), numeric), src


# ---------------------------------------------------------------- writing
def _text(v: Any) -> str:
    if isinstance(v, np.generic):
        v = v.item()
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    if isinstance(v, tuple | list):
        return ";".join(map(_text, v))
    return str(v)


def _json_value(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, tuple | list):
        return [_json_value(x) for x in v]
    return v


def _encode(fmt: str, table: Mapping[str, Any], path: pathlib.Path) -> bytes:
    names = list(table)
    cols = [np.asarray(table[n]).tolist() for n in names]
    n = len(cols[0]) if cols else 0
    if fmt == "csv":
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(names)
        w.writerows([_text(c[i]) for c in cols] for i in range(n))
        return buf.getvalue().encode("utf-8")
    if fmt == "json":
        records = [
            {k: _json_value(c[i]) for k, c in zip(names, cols, strict=True)} for i in range(n)
        ]
        return (json.dumps(records, indent=1, allow_nan=False) + "\n").encode("utf-8")
    pa, pq = _pyarrow("write", path)
    data = {k: [_json_value(v) for v in c] for k, c in zip(names, cols, strict=True)}
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(data), sink)
    return bytes(sink.getvalue().to_pybytes())


def write_tables(
    out_dir: str | os.PathLike[str],
    tables: Mapping[str, Mapping[str, Any]],
    fmt: str,
    *,
    force: bool = False,
) -> list[pathlib.Path]:
    """Write ``name.<fmt>`` for each table into ``out_dir``: all of them or none.

    ``out_dir`` is created when missing (and removed again if writing fails). An existing
    target is refused unless ``force``; table names are fixed by the caller, never taken
    from the data, so nothing lands outside ``out_dir``.
    """
    ext = {"csv": ".csv", "json": ".json", "parquet": ".parquet"}[fmt]
    root = pathlib.Path(out_dir)
    if root.exists() and not root.is_dir():
        raise FileInputError(f"{root}: exists and is not a directory")
    targets = [root / f"{name}{ext}" for name in tables]
    for t in targets:
        if t.parent != root or os.sep in t.name:  # pragma: no cover - names are fixed
            raise FileInputError(f"{t}: outside the output directory")
        if (t.exists() or t.is_symlink()) and not force:
            raise FileInputError(f"{t}: exists; pass --force to overwrite")
        if t.is_dir():
            raise FileInputError(f"{t}: is a directory")
    blobs = [_encode(fmt, table, t) for t, table in zip(targets, tables.values(), strict=True)]
    created = not root.exists()
    root.mkdir(parents=True, exist_ok=True)
    temps: list[str] = []
    try:
        for t, blob in zip(targets, blobs, strict=True):
            fd, tmp = tempfile.mkstemp(dir=root, prefix=f".{t.name}.", suffix=".tmp")
            temps.append(tmp)
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
        for t, tmp in zip(targets, temps, strict=True):
            os.replace(tmp, t)
    except BaseException:
        for tmp in temps:
            pathlib.Path(tmp).unlink(missing_ok=True)
        if created:
            _remove_empty(root)
        raise
    return targets


def _remove_empty(root: pathlib.Path) -> None:
    with contextlib.suppress(OSError):
        root.rmdir()


def locate(sources: Mapping[str, tuple[Source, str | None]], exc: Any) -> str | None:
    """Where a library error on ``exc.argument`` / ``exc.index`` points in the input files.

    ``sources`` maps argument names (``"bid_prices"``, ``"requests"``) to the file and the
    column that fed them; ``"requests.quantity"`` falls back to ``"requests"`` with column
    ``quantity``.
    """
    arg = getattr(exc, "argument", None)
    if not arg:
        return None
    index = getattr(exc, "index", None)
    row = index[0] if isinstance(index, tuple | list) else index
    if arg in sources:
        src, col = sources[arg]
    else:
        head, _, col = arg.partition(".")
        if head not in sources:
            return None
        src = sources[head][0]
    return src.where(None if row is None else int(row), col)
