"""Run the HTTP service on uvicorn (``clearing serve --http``).

uvicorn is the ASGI server FastAPI documents and the one most deployments of it use; with
the ``[service]`` extra it runs on uvloop and httptools. One process serves every order book
(their state lives in memory), so the service runs one worker.
"""

from __future__ import annotations

import sys

import uvicorn

from ..ops import Engine
from .app import DEFAULT_INLINE_BYTES, create_app

__all__ = ["run"]


def run(
    engine: Engine,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    max_body_bytes: int | None = None,
    inline_bytes: int | None = None,
    warmup: bool = True,
) -> None:
    """Serve ``engine`` over HTTP until interrupted (SIGINT or SIGTERM)."""
    app = create_app(
        engine,
        token=token,
        max_body_bytes=max_body_bytes,
        inline_bytes=DEFAULT_INLINE_BYTES if inline_bytes is None else inline_bytes,
        warmup=warmup,
    )
    sys.stderr.write(
        f"clearing: serving http://{host}:{port} (auth: {'bearer token' if token else 'none'})\n"
    )
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
