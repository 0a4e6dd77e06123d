"""Run the HTTP service on uvicorn (``clearing serve --http``).

uvicorn is the ASGI server FastAPI documents and the one most deployments of it use; with
the ``[service]`` extra it runs on uvloop and httptools. One process serves every order book
(their state lives in memory), so the service runs one worker.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Mapping
from types import FrameType
from typing import Any

import uvicorn

from ..ops import Engine
from .app import DEFAULT_INLINE_BYTES, create_app

__all__ = ["SHUTDOWN_GRACE", "run", "serve"]

#: Seconds open connections get to finish after SIGINT or SIGTERM.
SHUTDOWN_GRACE = 1


def run(
    engine: Engine,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    tokens: Mapping[str, str | None] | None = None,
    max_body_bytes: int | None = None,
    inline_bytes: int | None = None,
    warmup: bool = True,
) -> None:
    """Serve ``engine`` over HTTP until interrupted (SIGINT or SIGTERM).

    ``token`` and ``tokens`` are those of :func:`~clearing_bindings.http.app.create_app`.
    Requests are not logged (an event stream carries its token in the address). On a
    signal the server stops taking connections and closes what is still open after
    :data:`SHUTDOWN_GRACE` seconds: a market board's event stream never ends by itself.
    """
    app = create_app(
        engine,
        token=token,
        tokens=tokens,
        max_body_bytes=max_body_bytes,
        inline_bytes=DEFAULT_INLINE_BYTES if inline_bytes is None else inline_bytes,
        warmup=warmup,
    )
    teams = sum(t is not None for t in (tokens or {}).values())
    admins = int(bool(token)) + len(tokens or {}) - teams
    auth = f"{admins} administrator and {teams} team tokens" if admins or teams else "none"
    sys.stderr.write(f"clearing: serving http://{host}:{port} (auth: {auth})\n")
    serve(app, host=host, port=port, board=engine.board)


class _Server(uvicorn.Server):
    """uvicorn's server, ending the market board's event streams as soon as a signal
    arrives (they would otherwise hold the shutdown for the whole grace period)."""

    def __init__(self, config: uvicorn.Config, board: Any) -> None:
        super().__init__(config)
        self.board = board

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.board is not None:
            self.board.close()
        super().handle_exit(sig, frame)


def serve(app: Any, *, host: str, port: int, board: Any = None) -> None:
    """Run the ASGI ``app`` on uvicorn until SIGINT or SIGTERM, without request logs; on a
    signal, ``board``'s event streams end (:meth:`~clearing_bindings.board.BoardState.close`)
    and what is still open is closed after :data:`SHUTDOWN_GRACE` seconds."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=SHUTDOWN_GRACE,
    )
    server = _Server(config, board)
    with contextlib.suppress(KeyboardInterrupt):  # as in uvicorn.run: SIGINT is a normal stop
        server.run()
