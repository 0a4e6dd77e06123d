"""``clearing board``: clear tables from files and show the outcome on the market board."""

from __future__ import annotations

import argparse
import sys

from ._file_commands import _ORGANISATION, _located, _policy, _read_offers, _read_requests
from ._registry import OK, arg, command
from .tables import FileInputError

__all__: list[str] = []


@command(
    "board",
    "clear a requests and an offers table and serve the market board on them",
    *_ORGANISATION,
    arg("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"),
    arg("--port", type=int, default=8000, help="port (default 8000)"),
)
def _board(args: argparse.Namespace) -> int:
    """Clear REQUESTS against OFFERS inside the policy, then serve the market board of the
    outcome at http://HOST:PORT/board until interrupted (needs the [service] extra). Bad
    input is reported with file, line and column before anything is served."""
    from clearing import clear

    req, rsrc = _read_requests(args.requests)
    off, osrc = _read_offers(args.offers)
    policy = _policy(args.policy)
    with _located({"requests": (rsrc, None), "offers": (osrc, None)}):
        result = clear(req, off, policy)
    try:
        import uvicorn

        from .board import BoardState
        from .board._app import board_app
    except ImportError as exc:
        raise FileInputError(f"board needs the [service] extra: {exc}") from None
    state = BoardState()
    state.record_clearing(result, offers=off)
    sys.stderr.write(f"clearing: market board on http://{args.host}:{args.port}/board\n")
    uvicorn.run(
        board_app(state),
        host=args.host,
        port=args.port,
        log_level="warning",
        timeout_graceful_shutdown=1,
    )
    return OK
