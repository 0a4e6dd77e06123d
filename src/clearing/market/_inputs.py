"""The two input tables of :func:`clearing.clear`, read and validated once.

``requests``: ``request_id``, ``team``, ``service``, ``quantity``, ``max_price`` and optionally
``priority`` (lower is served first), ``quality_weight`` (value per rating point, see
:func:`clearing.clear`) and ``value:<provider>`` columns (per-unit value of that provider; see
:func:`clearing.clear`). ``offers``: ``offer_id``, ``provider``, ``service``, ``capacity``, ``ask``
and optionally ``quality`` (rating 0-5; NaN = unrated), ``external`` (outside vendor) and
``priority``. Everything is checked before anything is cleared, so a bad table never leaves a
result half-built.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._records import Labels, Offers, Requests
from .._validate import FloatArray, IntArray, as_float, as_quantity, first_bad, real_objects
from ..errors import InputError
from ._labels import as_flag, check_unique, factorize
from ._tables import read_columns

__all__ = ["OFFER_COLUMNS", "REQUEST_COLUMNS", "Offers", "Requests", "read_inputs"]

REQUEST_COLUMNS = ("request_id", "team", "service", "quantity", "max_price")
REQUEST_OPTIONAL = ("priority", "quality_weight")
VALUE_PREFIX = "value:"
OFFER_COLUMNS = ("offer_id", "provider", "service", "capacity", "ask")
OFFER_OPTIONAL = ("quality", "external", "priority")


def _price(x: Any, arg: str, fn: str) -> FloatArray:
    arr = as_float(x, arg, fn)
    if arr.size:
        first_bad(fn, arg, arr, arr < 0, "prices are amounts of internal currency, >= 0")
    return arr


def _extra(cols: dict[str, Any], used: tuple[str, ...]) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in cols.items() if k not in used}


def read_inputs(requests: Any, offers: Any, fn: str) -> tuple[Requests, Offers, np.ndarray]:
    """Read both tables; return them and the sorted service labels they share."""
    rq, nr = read_columns(requests, "requests", fn, REQUEST_COLUMNS, REQUEST_OPTIONAL)
    of, no = read_columns(offers, "offers", fn, OFFER_COLUMNS, OFFER_OPTIONAL)

    r_ids, team, r_svc, qty, max_price = _shared(rq, "requests", fn, REQUEST_COLUMNS)
    r_prio = as_float(rq["priority"], "requests.priority", fn) if "priority" in rq else None
    if "quality_weight" in rq:
        qw = as_float(rq["quality_weight"], "requests.quality_weight", fn)
        first_bad(fn, "requests.quality_weight", qw, qw < 0, "weights must be >= 0")
    else:
        qw = np.zeros(nr)

    o_ids, provider, o_svc, cap, ask = _shared(of, "offers", fn, OFFER_COLUMNS)
    quality = _ratings(of["quality"], fn) if "quality" in of else np.full(no, np.nan)
    external = (
        as_flag(of["external"], "offers.external", fn)
        if "external" in of
        else (np.zeros(no, dtype=bool))
    )
    o_prio = as_float(of["priority"], "offers.priority", fn) if "priority" in of else None

    services = _union(r_svc.labels, o_svc.labels)
    r_code = _recode(r_svc, services)
    o_code = _recode(o_svc, services)

    values = {
        k[len(VALUE_PREFIX) :]: _values(v, f"requests.{k}", fn)
        for k, v in rq.items()
        if k.startswith(VALUE_PREFIX)
    }
    known = {str(v) for v in provider.labels.tolist()}
    for name in values:
        if name not in known:
            raise InputError(
                f"{fn}: requests column {VALUE_PREFIX + name!r} names provider {name!r}, which "
                "has no offer",
                argument=f"requests.{VALUE_PREFIX + name}",
                value=name,
            )
    used = REQUEST_COLUMNS + REQUEST_OPTIONAL + tuple(VALUE_PREFIX + k for k in values)
    req = Requests(r_ids, team, r_code, qty, max_price, r_prio, qw, values, _extra(rq, used))
    off = Offers(
        o_ids,
        provider,
        o_code,
        cap,
        ask,
        quality,
        external,
        o_prio,
        _extra(of, OFFER_COLUMNS + OFFER_OPTIONAL),
    )
    return req, off, services


def _numbers(x: Any, arg: str, fn: str, blank: str) -> FloatArray:
    """A 1-D float64 column of numbers where NaN (or ``None``) is allowed and means ``blank``."""
    arr = np.asarray(x)
    if arr.dtype.kind == "O":
        try:
            if not real_objects(arr, allow_none=True):  # a str or a date is no number
                raise TypeError
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise InputError(f"{fn}: {arg} must hold numbers ({blank})", argument=arg) from None
    if arr.dtype.kind not in "biuf" or arr.ndim != 1:
        raise InputError(f"{fn}: {arg} must hold numbers, got dtype {arr.dtype}", argument=arg)
    return np.ascontiguousarray(arr, dtype=np.float64)


def _shared(
    cols: dict[str, Any], table: str, fn: str, names: tuple[str, ...]
) -> tuple[Labels, Labels, Labels, FloatArray, FloatArray]:
    """The five required columns, alike in both tables: unique id, party, service,
    quantity (``quantity`` or ``capacity``) and price (``max_price`` or ``ask``)."""
    id_col, party, service, amount, price = (f"{table}.{name}" for name in names)
    ids = factorize(cols[names[0]], id_col, fn, objects=False)
    check_unique(ids, id_col, fn)
    return (
        ids,
        factorize(cols[names[1]], party, fn),
        factorize(cols[names[2]], service, fn),
        as_quantity(cols[names[3]], amount, fn),
        _price(cols[names[4]], price, fn),
    )


def _values(x: Any, arg: str, fn: str) -> FloatArray:
    """Per-provider values: finite numbers, NaN where the request has none for it."""
    v = _numbers(x, arg, fn, "NaN = no specific value")
    first_bad(fn, arg, v, np.isinf(v), "values must be finite (NaN = no specific value)")
    return v


def _ratings(x: Any, fn: str) -> FloatArray:
    q = _numbers(x, "offers.quality", fn, "NaN or None = unrated")
    ok = np.isnan(q) | ((q >= 0) & (q <= 5))
    first_bad(fn, "offers.quality", q, ~ok, "ratings must be in [0, 5] (NaN = unrated)")
    return q


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    merged = sorted(set(a.tolist()) | set(b.tolist()), key=lambda v: (type(v).__name__, v))
    out = np.empty(len(merged), dtype=object)
    out[:] = merged
    return out


def _recode(lab: Labels, services: np.ndarray) -> IntArray:
    where = {v: i for i, v in enumerate(services.tolist())}
    pos = np.array([where[v] for v in lab.labels.tolist()], dtype=np.int64)
    return np.ascontiguousarray(pos[lab.codes], dtype=np.int64)
