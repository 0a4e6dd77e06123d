"""The HTTP service: one route per op of the shared schema, on FastAPI.

Every route runs the same steps as a JSON-lines request: authorisation (optional bearer
token: 401 without it, 403 with a wrong one), the body read up to the size limit (413),
:meth:`clearing_bindings.ops.Engine.run` (422 when the request does not fit the schema, 413
over the order limit, 400 when the library refuses the input, with its message, argument and
index), and the JSON result. CPU-bound work runs off the event loop: stateless ops on a
thread pool (except tiny ones, see :data:`DEFAULT_INLINE_BYTES`), and each order book's
events on that book's own single worker thread (a "lane"), so one book has one writer and
sees its events in arrival order. The kernels are compiled (or
loaded from numba's cache) when the app starts, before it accepts requests.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import time
import zlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

import clearing

from ..board import BoardState, board_router
from ..board._tokens import Tokens
from ..ops import Engine, dumpb, error_body, loads
from ..schema import OPS, SCHEMA_VERSION, Op, SchemaError, TooLarge
from .metrics import CONTENT_TYPE_LATEST, Metrics
from .openapi import document, route_extra
from .warmup import warm

__all__ = ["DEFAULT_INLINE_BYTES", "DEFAULT_MAX_BODY_BYTES", "create_app"]

#: Largest request body accepted unless configured (bytes).
DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
#: Stateless requests with smaller bodies (up to about 400 orders, a fraction of a
#: millisecond of work) run on the event loop: handing them to a thread cost more than their
#: work (on 2 cores, 620 instead of 440 microseconds of server CPU per 100-order auction, see
#: docs/bench/service.md). Larger ones, whose work would stall other requests, go to the pool.
DEFAULT_INLINE_BYTES = 16 * 1024
_LANES = 4  # worker threads for order books; a book always uses the same one


class _Refused(Exception):
    def __init__(self, status: int, exc: BaseException, headers: dict[str, str] | None = None):
        self.status = status
        self.exc = exc
        self.headers = headers


class _AuthError(Exception):
    argument = "Authorization"
    index = None


class _Service:
    """The state behind the routes: engine, limits, worker threads and metrics."""

    def __init__(
        self, engine: Engine, tokens: Tokens | None, max_body_bytes: int, inline_bytes: int
    ) -> None:
        self.engine = engine
        self.inline_bytes = inline_bytes
        self.tokens = tokens
        self.max_body = max_body_bytes
        self.metrics = Metrics()
        self.pool = concurrent.futures.ThreadPoolExecutor(4, thread_name_prefix="clear")
        self.lanes = [
            concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=f"book{i}")
            for i in range(_LANES)
        ]

    def close(self) -> None:
        for ex in (self.pool, *self.lanes):
            ex.shutdown(wait=False, cancel_futures=True)

    def authorise(self, request: Request) -> None:
        """Let an administrator's token through: 401 without a known token, 403 for a
        team's token (it reads that team's board only)."""
        if self.tokens is None:
            return
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise _Refused(
                401,
                _AuthError("a bearer token is required: Authorization: Bearer TOKEN"),
                {"WWW-Authenticate": 'Bearer realm="clearing"'},
            )
        known, team = self.tokens.scope(given)
        if not known:
            raise _Refused(
                401,
                _AuthError("the bearer token is not valid"),
                {"WWW-Authenticate": 'Bearer realm="clearing", error="invalid_token"'},
            )
        if team is not None:
            raise _Refused(
                403,
                _AuthError(f"this token reads the board of team {team!r} only"),
                {"WWW-Authenticate": 'Bearer realm="clearing", error="insufficient_scope"'},
            )

    async def body(self, request: Request) -> Any:
        size = request.headers.get("content-length")
        if size is not None and size.isdigit() and int(size) > self.max_body:
            raise _Refused(413, TooLarge(self._too_big(int(size))))
        chunks: list[bytes] = []
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > self.max_body:
                raise _Refused(413, TooLarge(self._too_big(total)))
            chunks.append(chunk)
        raw = b"".join(chunks)
        request.state.body_bytes = len(raw)
        try:
            return loads(raw) if raw else None
        except (ValueError, UnicodeDecodeError) as exc:
            raise _Refused(400, SchemaError(f"the body is not JSON: {exc}")) from None

    def _too_big(self, n: int) -> str:
        return f"the request body has {n} bytes or more; the limit is {self.max_body}"

    def executor(self, op: Op, request: Request) -> concurrent.futures.Executor | None:
        """Where ``op`` runs: its book's lane, the pool, or inline when it is tiny."""
        if op.name.startswith("book."):
            market = str(request.path_params.get("market", ""))
            return self.lanes[zlib.crc32(market.encode()) % _LANES]
        if op.name == "schema" or getattr(request.state, "body_bytes", 0) < self.inline_bytes:
            return None
        return self.pool


def _query(op: Op, request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in op.fields:
        if f.where == "query" and f.name in request.query_params:
            raw = request.query_params[f.name]
            if f.kind == "integer":
                try:
                    out[f.name] = int(raw)
                except ValueError:
                    raise _Refused(
                        422,
                        SchemaError(
                            f"{op.name}: {f.name} must be an integer, got {raw!r}", argument=f.name
                        ),
                    ) from None
            else:
                out[f.name] = raw
        elif f.where == "path":
            value: Any = request.path_params[f.name]
            if f.kind == "integer":
                value = int(value) if value.isdigit() else value
            out[f.name] = value
    return out


def _status(exc: BaseException) -> int:
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, SchemaError):
        return 422
    return 400


def _route(service: _Service, op: Op) -> Any:
    async def endpoint(request: Request) -> Response:
        start = time.perf_counter()
        status, result = 200, None
        try:
            service.authorise(request)
            body = await service.body(request) if op.method in ("POST", "PUT") else {}
            if not isinstance(body, dict):
                raise _Refused(422, SchemaError(f"{op.name}: the body must be a JSON object"))
            for key, value in _query(op, request).items():
                if key in body:
                    raise _Refused(
                        422,
                        SchemaError(f"{op.name}: {key!r} belongs in the URL", argument=key),
                    )
                body[key] = value
            ex = service.executor(op, request)
            if ex is None:
                result = service.engine.run(op.name, body)
            else:
                loop = asyncio.get_running_loop()
                result = await loop.run_in_executor(ex, service.engine.run, op.name, body)
            response = Response(dumpb(result), media_type="application/json")
        except _Refused as exc:
            status = exc.status
            response = _error(status, exc.exc, exc.headers)
        except (SchemaError, TooLarge, clearing.ClearingError) as exc:
            status = _status(exc)
            response = _error(status, exc)
        service.metrics.observe(op.name, status, time.perf_counter() - start, result)
        return response

    endpoint.__name__ = op.name.replace(".", "_")
    return endpoint


def _error(status: int, exc: BaseException, headers: dict[str, str] | None = None) -> Response:
    return Response(
        dumpb({"error": error_body(exc)}),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def create_app(
    engine: Engine | None = None,
    *,
    token: str | None = None,
    tokens: Mapping[str, str | None] | None = None,
    max_body_bytes: int | None = None,
    inline_bytes: int = DEFAULT_INLINE_BYTES,
    warmup: bool = True,
) -> FastAPI:
    """The FastAPI app serving ``engine`` (a fresh :class:`Engine` when ``None``).

    When the engine has a market board, the app serves it too: ``GET /board`` (the page),
    ``GET /v1/board`` (its snapshot) and ``GET /v1/board/events`` (Server-Sent Events).

    ``token`` is an administrator's bearer token; ``tokens`` maps more tokens to the team
    each may see (``None``: an administrator). With any token, every route but
    ``/healthz`` and the board's page needs one: an administrator's token may use them
    all, a team's token reads that team's view of the board and nothing else.

    Examples
    --------
    >>> from clearing_bindings.http.app import create_app
    >>> app = create_app(warmup=False)
    >>> sorted(p for r in app.routes if (p := getattr(r, "path", "")).startswith("/v1/a"))
    ['/v1/assign', '/v1/auction']
    """
    scopes = dict(tokens or {})
    if token:
        scopes[token] = None
    service = _Service(
        engine or Engine(board=BoardState()),
        Tokens(scopes) if scopes else None,
        max_body_bytes or DEFAULT_MAX_BODY_BYTES,
        inline_bytes,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warmup:
            await asyncio.get_running_loop().run_in_executor(service.pool, warm)
        yield
        service.close()

    app = FastAPI(
        title="clearing",
        version=f"{SCHEMA_VERSION}",
        description="Clearing of internal markets over HTTP: the operations of the "
        "clearing request/response schema (the same as JSON-lines).",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.service = service
    board = service.engine.board
    if board is not None:
        app.include_router(board_router(board, tokens=service.tokens))
    for op in OPS.values():
        app.add_api_route(
            op.path,
            _route(service, op),
            methods=[op.method],
            include_in_schema=True,
            openapi_extra=route_extra(op),
            response_class=Response,
        )

    @app.get("/healthz", include_in_schema=True, openapi_extra=_HEALTH)
    async def healthz() -> JSONResponse:
        return JSONResponse(
            {"status": "ok", "clearing": clearing.__version__, "schema_version": SCHEMA_VERSION}
        )

    @app.get("/metrics", include_in_schema=True, openapi_extra=_METRICS)
    async def metrics(request: Request) -> Response:
        try:
            service.authorise(request)
        except _Refused as exc:
            return _error(exc.status, exc.exc, exc.headers)
        return Response(service.metrics.text(), media_type=CONTENT_TYPE_LATEST)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        err = SchemaError(str(exc.detail))
        return _error(exc.status_code, err, getattr(exc, "headers", None))

    app.openapi = lambda: _cached(app)  # type: ignore[method-assign]
    return app


def _cached(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        app.openapi_schema = document(app)
    return app.openapi_schema


_HEALTH = {
    "operationId": "healthz",
    "responses": {
        "200": {
            "description": "the service is up (and its kernels are warm)",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "status": {"type": "string"},
                            "clearing": {"type": "string"},
                            "schema_version": {"type": "integer"},
                        },
                        "required": ["status", "clearing", "schema_version"],
                    }
                }
            },
        }
    },
}
_METRICS = {
    "operationId": "metrics",
    "responses": {
        "200": {
            "description": "Prometheus text format: requests, latencies, clears, volume",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        "401": {"description": "no bearer token, or one the service does not know"},
        "403": {"description": "a team's token (it reads its board only)"},
    },
    "security": [{}, {"bearer": []}],
}
