"""HTTP routes of the market board: the page, its static files, a snapshot and live events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from ._state import BoardState
from ._tokens import Tokens

__all__ = ["board_router"]

_STATIC = resources.files(__package__).joinpath("static")
_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
KEEPALIVE = 10.0  # seconds between comment lines on an idle event stream
# An open page costs one coroutine that looks at the version this often: no thread is held
# per page, and an update reaches the page well inside a second.
POLL = 0.2
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="clearing"'}
_INVALID = {"WWW-Authenticate": 'Bearer realm="clearing", error="invalid_token"'}
_SCOPE = {"WWW-Authenticate": 'Bearer realm="clearing", error="insufficient_scope"'}


def _static_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for entry in _STATIC.iterdir():
        if entry.is_file():
            files[entry.name] = entry.read_bytes()
    vendor = _STATIC.joinpath("vendor")
    for entry in vendor.iterdir():
        if entry.is_file():
            files[f"vendor/{entry.name}"] = entry.read_bytes()
    return files


def board_router(
    state: BoardState, *, tokens: Mapping[str, str | None] | Tokens | None = None
) -> APIRouter:
    """Routes that serve ``state`` as the market board.

    Parameters
    ----------
    state : BoardState
        What the board shows; update it and every open page follows within a second.
    tokens : mapping of str to (str or None), or Tokens, optional
        Bearer tokens allowed to read the board, each mapped to the team it may see (or
        ``None``: everything). Without it the board is open. No token, or an unknown one,
        is refused with 401; a team's token asking for another team with 403. The page
        passes its token as ``?token=`` (an event stream cannot send headers), the API
        also takes an ``Authorization: Bearer`` header.

    Returns
    -------
    fastapi.APIRouter
        ``GET /board`` (the page), ``GET /board/static/{name}``, ``GET /v1/board`` (the
        snapshot, ``team=`` and ``service=`` filters) and ``GET /v1/board/events``
        (Server-Sent Events: one ``snapshot`` event now and after every update). A
        snapshot's ``scope`` names the team a team's token is limited to (else ``None``).
    """
    router = APIRouter()
    files = _static_files()
    page = files["board.html"]

    known = None if tokens is None else tokens if isinstance(tokens, Tokens) else Tokens(tokens)

    def scope(request: Request, team: str | None, token: str | None) -> tuple[str | None, bool]:
        """The team filter to apply, and whether the token allows that team only."""
        if known is None:
            return team, False
        header = request.headers.get("authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else token
        if not given:
            raise HTTPException(401, "the board needs a bearer token", _CHALLENGE)
        valid, allowed = known.scope(given)
        if not valid:
            raise HTTPException(401, "the bearer token is not valid", _INVALID)
        if allowed is None:
            return team, False
        if team not in (None, allowed):
            raise HTTPException(403, f"this token may see team {allowed!r} only", _SCOPE)
        return allowed, True

    def view(team: str | None, scoped: bool, service: str | None) -> dict[str, Any]:
        snap = state.snapshot(team=team, service=service)
        snap["scope"] = team if scoped else None
        return snap

    @router.get("/board", response_class=HTMLResponse, include_in_schema=False)
    def board_page() -> Response:
        return Response(page, media_type="text/html")

    @router.get("/board/static/{name:path}", include_in_schema=False)
    def board_static(name: str) -> Response:
        body = files.get(name)  # only the files shipped with the package, by exact name
        if body is None:
            raise HTTPException(404, f"no board file {name!r}")
        suffix = name[name.rfind(".") :]
        return Response(body, media_type=_TYPES.get(suffix, "application/octet-stream"))

    @router.get("/v1/board")
    def board_snapshot(
        request: Request,
        team: str | None = None,
        service: str | None = None,
        token: str | None = Query(None, include_in_schema=False),
    ) -> dict[str, Any]:
        """What the market board shows: prices, history, depth, negotiations, budgets."""
        return view(*scope(request, team, token), service)

    @router.get("/v1/board/events", include_in_schema=False)  # a stream: no schema to test
    async def board_events(
        request: Request,
        team: str | None = None,
        service: str | None = None,
        token: str | None = Query(None, include_in_schema=False),
    ) -> StreamingResponse:
        """Server-Sent Events: a ``snapshot`` event at once and after every update."""
        seen_team, scoped = scope(request, team, token)

        async def stream() -> AsyncIterator[str]:
            version, idle = -1, 0.0
            yield "retry: 1000\n\n"
            while not state.closed and not await request.is_disconnected():
                if state.version != version:
                    snap = view(seen_team, scoped, service)
                    version, idle = snap["version"], 0.0
                    yield f"event: snapshot\ndata: {json.dumps(snap)}\n\n"
                elif idle >= KEEPALIVE:
                    idle = 0.0
                    yield ": keepalive\n\n"
                await asyncio.sleep(POLL)
                idle += POLL

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return router
