"""The OpenAPI pieces of each route, built from :mod:`clearing_bindings.schema`.

Request bodies, path and query parameters and response bodies are the JSON Schemas of the
ops table, so the HTTP documentation and the JSON-lines schema cannot disagree. The whole
document is committed as ``openapi.json`` beside this module; a test fails when it drifts
(``python -m clearing_bindings.http.openapi`` rewrites it).
"""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

from ..schema import ERROR_SCHEMA, Op, kind_schema, object_schema

__all__ = ["COMMITTED", "ERROR_BODY", "document", "route_extra"]

COMMITTED = pathlib.Path(__file__).with_name("openapi.json")

ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {"error": ERROR_SCHEMA},
    "required": ["error"],
    "additionalProperties": False,
}

_ERRORS = {
    "400": "the library refused the input (message, argument, index)",
    "401": "no bearer token, or one the service does not know",
    "403": "the bearer token may not use this route (a team's token reads its board only)",
    "413": "the body or the number of orders is over the limit",
    "422": "the request does not fit the schema (unknown key, wrong type, missing key)",
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def route_extra(op: Op) -> dict[str, Any]:
    """``openapi_extra`` of the route of ``op``: parameters, request body and responses."""
    params = [
        {
            "name": f.name,
            "in": f.where,
            "required": f.where == "path" or f.required,
            "description": f.doc,
            "schema": {k: v for k, v in kind_schema(f).items() if k != "description"},
        }
        for f in op.fields
        if f.where != "body"
    ]
    extra: dict[str, Any] = {
        "operationId": op.name.replace(".", "_"),
        "summary": op.doc,
        "responses": {
            "200": _json(
                object_schema(op.result, op.model + "Response"), "the result of " + op.function
            ),
            **{code: _json(ERROR_BODY, why) for code, why in _ERRORS.items()},
        },
        "security": [{}, {"bearer": []}],
    }
    if params:
        extra["parameters"] = params
    body = [f for f in op.fields if f.where == "body"]
    if op.method in ("POST", "PUT"):
        extra["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": object_schema(body, op.model + "Request")}},
        }
    return extra


def document(app: Any) -> dict[str, Any]:
    """The OpenAPI document of ``app`` with the bearer scheme declared."""
    from fastapi.openapi.utils import get_openapi

    doc: dict[str, Any] = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    doc.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "optional (--token)"}
    }
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """The committed form: sorted keys, two-space indent, final newline."""
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates the committed document
    from .app import create_app

    COMMITTED.write_text(dumps(document(create_app(warmup=False))), encoding="utf-8")
    sys.stdout.write(f"wrote {COMMITTED}\n")
