"""The one request/response schema shared by the JSON-lines and the HTTP bindings.

Every operation is an :class:`Op`: its name (the JSON-lines ``op``), the public function it
calls, its HTTP route, the arguments it takes (the Python function's argument names) and the
fields of its result. From this table come, with no second source:

* the JSON Schema of every request and response (:func:`json_schema`, committed as
  ``schema.json`` and inlined in the OpenAPI document of the HTTP service);
* the validator both bindings run before any call (:func:`validate`), which accepts exactly
  what the JSON Schema accepts and names the offending argument and index.

The schema is versioned by :data:`SCHEMA_VERSION`: a change that removes or renames a key, or
changes what a key means, raises it; new optional keys and new operations do not.

Examples
--------
>>> from clearing_bindings.schema import OPS, validate
>>> args = validate("auction", {"bid_prices": [10, 9], "bid_quantities": [1, 1],
...                             "ask_prices": [1, 2], "ask_quantities": [1, 1]})
>>> sorted(args)
['ask_prices', 'ask_quantities', 'bid_prices', 'bid_quantities']
>>> OPS["auction"].function, OPS["auction"].path
('clearing.double_auction', '/v1/auction')
"""

from __future__ import annotations

import re
from typing import Any

from ._schema_ops import OPS, Field, Op

__all__ = [
    "OPS",
    "SCHEMA_VERSION",
    "Field",
    "Op",
    "SchemaError",
    "TooLarge",
    "json_schema",
    "kind_schema",
    "object_schema",
    "validate",
]

#: Version of the request/response format; JSON-lines requests may carry it as ``"v"``.
SCHEMA_VERSION = 1

_NUMBER = {"type": "number"}
_NUMBER_OR_NULL = {"type": ["number", "null"]}
_NUMBERS = {"type": "array", "items": _NUMBER_OR_NULL}
_MATRIX = {"type": "array", "items": _NUMBERS}
_SCALAR = {"type": ["string", "number", "boolean", "null"]}
_CELL = {"anyOf": [_SCALAR, {"type": "array", "items": _SCALAR}]}

_KINDS: dict[str, dict[str, Any]] = {
    "number": _NUMBER,
    "number?": _NUMBER_OR_NULL,
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "string": {"type": "string"},
    "numbers": _NUMBERS,
    "numbers?": {"anyOf": [_NUMBERS, {"type": "null"}]},
    "integers": {"type": "array", "items": {"type": "integer"}},
    "strings": {"type": "array", "items": {"type": "string"}},
    "matrix": _MATRIX,
    "flags": {"type": "array", "items": {"type": "array", "items": {"type": "boolean"}}},
    "cost": {"anyOf": [_NUMBERS, _MATRIX]},
    "table": {"type": "object", "additionalProperties": {"type": "array", "items": _SCALAR}},
    "table_out": {"type": "object", "additionalProperties": {"type": "array", "items": _CELL}},
    "object": {"type": "object"},
    "range": {"type": "array", "items": _NUMBER_OR_NULL, "minItems": 2, "maxItems": 2},
    "pair": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
    "imatrix": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
    "fills": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "seq": {"type": "integer"},
                "taker": {"type": "integer"},
                "maker": {"type": "integer"},
                "price": _NUMBER,
                "quantity": _NUMBER,
            },
            "required": ["seq", "taker", "maker", "price", "quantity"],
            "additionalProperties": False,
        },
    },
    "cancelled": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"order_id": {"type": "integer"}, "quantity": _NUMBER},
            "required": ["order_id", "quantity"],
            "additionalProperties": False,
        },
    },
}


class SchemaError(ValueError):
    """A request that does not fit the schema: unknown op or key, missing key, wrong type."""

    def __init__(self, message: str, *, argument: str | None = None, index: Any = None) -> None:
        super().__init__(message)
        self.argument = argument
        self.index = index


class TooLarge(ValueError):
    """A request over the size limits (orders per request, books per service)."""

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument
        self.index = None


def kind_schema(f: Field) -> dict[str, Any]:
    """The JSON Schema of one field (``null`` allowed for optional arguments)."""
    s = dict(_KINDS[f.kind])
    if f.choices is not None:
        s = {"type": "string", "enum": list(f.choices)}
    for key in ("minimum", "maximum", "pattern", "max_length"):
        bound = getattr(f, key)
        if bound is not None:
            s["maxLength" if key == "max_length" else key] = bound
    s["description"] = f.doc
    if not f.required and not f.result:
        s = {"anyOf": [s, {"type": "null"}], "description": f.doc}
        if f.default is not None:
            s["default"] = f.default
    return s


def object_schema(fields: tuple[Field, ...], title: str) -> dict[str, Any]:
    """The JSON Schema of an object holding ``fields`` (no other keys)."""
    return {
        "title": title,
        "type": "object",
        "properties": {f.name: kind_schema(f) for f in fields},
        "required": [f.name for f in fields if f.required or f.result],
        "additionalProperties": False,
    }


def json_schema() -> dict[str, Any]:
    """The whole schema: one request and one response object per operation, and the error.

    Examples
    --------
    >>> from clearing_bindings.schema import json_schema
    >>> s = json_schema()
    >>> s["version"], s["ops"]["book.limit"]["request"]["required"]
    (1, ['market', 'side', 'price', 'quantity'])
    """
    ops = {
        name: {
            "function": op.function,
            "http": f"{op.method} {op.path}",
            "description": op.doc,
            "request": object_schema(op.fields, op.model + "Request"),
            "response": object_schema(op.result, op.model + "Response"),
        }
        for name, op in OPS.items()
    }
    return {"version": SCHEMA_VERSION, "ops": ops, "error": ERROR_SCHEMA}


ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "error class, e.g. InputError, SchemaError"},
        "message": {"type": "string"},
        "argument": {"type": ["string", "null"], "description": "the offending key or column"},
        "index": {
            "anyOf": [
                {"type": "integer"},
                {"type": "array", "items": {"type": "integer"}},
                {"type": "null"},
            ],
            "description": "first offending position (a list for a matrix entry)",
        },
    },
    "required": ["type", "message", "argument", "index"],
    "additionalProperties": False,
}


# ---------------------------------------------------------------- validation
def _bad(op: str, f: Field, what: str, index: Any = None) -> SchemaError:
    where = f.name if index is None else f"{f.name}[{index}]"
    return SchemaError(f"{op}: {where} {what}", argument=f.name, index=index)


def _check_list(op: str, f: Field, v: Any, ok: Any, what: str) -> None:
    if type(v) is not list:
        raise _bad(op, f, f"must be an array of {what}, got {type(v).__name__}")
    for i, item in enumerate(v):
        if not ok(item):
            raise _bad(op, f, f"is {item!r}; expected {what}", i)


def _number_or_null(x: Any) -> bool:
    return x is None or type(x) is float or type(x) is int


def _integer(x: Any) -> bool:
    return type(x) is int or (type(x) is float and x.is_integer())


def _check_matrix(op: str, f: Field, v: Any, ok: Any, what: str) -> None:
    if type(v) is not list:
        raise _bad(op, f, f"must be an array of rows, got {type(v).__name__}")
    for i, row in enumerate(v):
        if type(row) is not list:
            raise _bad(op, f, f"must be an array (a row), got {type(row).__name__}", i)
        for j, item in enumerate(row):
            if not ok(item):
                raise _bad(op, f, f"is {item!r}; expected {what}", [i, j])


def _scalar(x: Any) -> bool:
    return x is None or type(x) in (str, int, float, bool)


def _check(op: str, f: Field, v: Any) -> Any:
    k = f.kind
    if f.choices is not None:
        if type(v) is not str or v not in f.choices:
            raise _bad(op, f, f"is {v!r}; expected one of {', '.join(map(repr, f.choices))}")
        return v
    if k == "number":
        if not _number_or_null(v) or v is None:
            raise _bad(op, f, f"must be a number, got {v!r}")
    elif k == "integer":
        if not _integer(v):
            raise _bad(op, f, f"must be an integer, got {v!r}")
        v = int(v)
    elif k == "boolean":
        if type(v) is not bool:
            raise _bad(op, f, f"must be true or false, got {v!r}")
    elif k == "string":
        if type(v) is not str:
            raise _bad(op, f, f"must be a string, got {v!r}")
        if f.pattern is not None and not _matches(f.pattern, v):
            raise _bad(op, f, f"is {v!r}; expected a name matching {f.pattern}")
    elif k == "numbers":
        _check_list(op, f, v, _number_or_null, "numbers")
    elif k == "integers":
        _check_list(op, f, v, _integer, "integers")
    elif k == "matrix":
        _check_matrix(op, f, v, _number_or_null, "a number")
    elif k == "flags":
        _check_matrix(op, f, v, lambda x: type(x) is bool, "true or false")
    elif k == "cost":
        if type(v) is list and v and type(v[0]) is list:
            _check_matrix(op, f, v, _number_or_null, "a number")
        else:
            _check_list(op, f, v, _number_or_null, "numbers")
    elif k == "table":
        if type(v) is not dict:
            raise _bad(op, f, f"must be an object of column name to array, got {v!r}")
        for col, values in v.items():
            _check_list(op, Field(f"{f.name}.{col}", "numbers", ""), values, _scalar, "scalars")
    elif k == "object":
        if type(v) is not dict:
            raise _bad(op, f, f"must be an object, got {type(v).__name__}")
    else:  # pragma: no cover - the table of ops uses the kinds above only
        raise AssertionError(k)
    if f.minimum is not None and v < f.minimum:
        raise _bad(op, f, f"is {v!r}; must be >= {f.minimum}")
    if f.maximum is not None and v > f.maximum:
        raise _bad(op, f, f"is {v!r}; must be <= {f.maximum}")
    return v


def _matches(pattern: str, v: str) -> bool:
    return re.fullmatch(pattern, v) is not None


def validate(op: str, body: Any, *, reserved: tuple[str, ...] = ()) -> dict[str, Any]:
    """Check a request against the schema; return the arguments to pass (nulls dropped).

    ``reserved`` keys (the JSON-lines envelope: ``op``, ``id``, ``v``) are skipped.
    Raises :class:`SchemaError` naming the key (and the index inside an array).
    """
    spec = OPS.get(op) if isinstance(op, str) else None
    if spec is None:
        raise SchemaError(
            f"unknown op {op!r}; expected one of {', '.join(OPS)}", argument="op", index=None
        )
    if type(body) is not dict:
        raise SchemaError(f"{op}: the request must be a JSON object, got {type(body).__name__}")
    fields = spec.by_name
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key in reserved:
            continue
        f = fields.get(key)
        if f is None:
            raise SchemaError(
                f"{op}: unknown key {key!r}; expected {', '.join(fields)}", argument=key
            )
        if value is None:
            if f.required:
                raise _bad(op, f, "is required and must not be null")
            continue
        out[key] = _check(op, f, value)
    for f in spec.fields:
        if f.required and f.name not in out:
            raise SchemaError(f"{op}: missing required key {f.name!r}", argument=f.name)
    return out
