"""JSON-lines over stdin/stdout: one request per line, one response per line, in order.

A request is a JSON object ``{"op": ..., "id": ..., "v": 1, <arguments>}``: ``op`` names the
operation (see :data:`clearing_bindings.schema.OPS`), ``id`` is any JSON value echoed in the
response, ``v`` (optional) the schema version the client speaks, and the other keys are the
Python function's argument names. The response is ``{"id": ..., "ok": true, "result": {...}}``
or ``{"id": ..., "ok": false, "error": {"type", "message", "argument", "index"}}``. A line that
is not JSON, too long, or not a valid request gets an error response and the stream goes on;
blank lines are skipped. Order books live as long as the stream.

Examples
--------
>>> import io
>>> from clearing_bindings.jsonl import serve
>>> lines = io.BytesIO(b'{"op": "auction", "id": 1, "bid_prices": [10, 9], '
...                    b'"bid_quantities": [1, 1], "ask_prices": [1, 2], "ask_quantities": [1, 1]}\\n'
...                    b'not json\\n')
>>> out = io.StringIO()
>>> serve(lines, out)
2
>>> first, second = out.getvalue().splitlines()
>>> first[:50]
'{"id":1,"ok":true,"result":{"mechanism":"uniform",'
>>> second
'{"id":null,"ok":false,"error":{"type":"ParseError","message":"line 2 is not JSON: Expecting value at column 1","argument":null,"index":null}}'
"""  # noqa: E501

from __future__ import annotations

import json
import sys
import traceback
from typing import IO, Any

from .ops import REQUEST_ERRORS, Engine, dumps, error_body, loads
from .schema import SCHEMA_VERSION, SchemaError

__all__ = ["DEFAULT_MAX_LINE_BYTES", "handle", "serve"]

#: Longest request line accepted (bytes, newline excluded) unless configured.
DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024
_ENVELOPE = ("op", "id", "v")


class ParseError(ValueError):
    """A line that is not a JSON object."""

    argument = None
    index = None


def _fail(rid: Any, exc: BaseException) -> dict[str, Any]:
    return {"id": rid, "ok": False, "error": error_body(exc)}


def handle(engine: Engine, line: bytes, lineno: int) -> dict[str, Any]:
    """The response to one request line (never raises for a bad request)."""
    try:
        req = loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        col = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        return _fail(None, ParseError(f"line {lineno} is not JSON: {msg}{col}"))
    if not isinstance(req, dict):
        return _fail(None, ParseError(f"line {lineno}: a request is a JSON object"))
    rid = req.get("id")
    try:
        if "v" in req and req["v"] != SCHEMA_VERSION:
            raise SchemaError(
                f"schema version {req['v']!r} is not served; this is version {SCHEMA_VERSION}",
                argument="v",
            )
        if "op" not in req:
            raise SchemaError("missing key 'op' (the operation)", argument="op")
        result = engine.run(req["op"], req, reserved=_ENVELOPE)
    except REQUEST_ERRORS as exc:
        return _fail(rid, exc)
    except Exception as exc:  # a bug, not a bad request: report it and keep serving
        traceback.print_exc(file=sys.stderr)
        return {
            "id": rid,
            "ok": False,
            "error": {
                "type": "InternalError",
                "message": repr(exc),
                "argument": None,
                "index": None,
            },
        }
    return {"id": rid, "ok": True, "result": result}


def serve(
    stdin: IO[bytes],
    stdout: IO[str],
    *,
    engine: Engine | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
) -> int:
    """Answer every request line of ``stdin`` on ``stdout``; return the number answered."""
    engine = engine or Engine()
    answered = 0
    lineno = 0
    while True:
        line = stdin.readline(max_line_bytes + 1)
        if not line:
            return answered
        lineno += 1
        if len(line) > max_line_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # drop the rest of the long line
                line = stdin.readline(1 << 20)
            response = _fail(
                None, ParseError(f"line {lineno} is longer than {max_line_bytes} bytes")
            )
        elif not line.strip():
            continue
        else:
            response = handle(engine, line, lineno)
        stdout.write(dumps(response) + "\n")
        stdout.flush()
        answered += 1
