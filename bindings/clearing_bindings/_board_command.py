"""``clearing board``: serve the market board of tables cleared from files, or of a simulation."""

from __future__ import annotations

import argparse
import gc
import sys
import threading
from typing import Any

from clearing import ClearingError

from ._file_commands import _located, _policy, _read_offers, _read_requests
from ._registry import OK, arg, command
from .tables import FileInputError

__all__: list[str] = []

MAX_TEAMS = 2000


@command(
    "board",
    "serve the market board of a requests and an offers table, or of a simulation",
    arg("requests", metavar="REQUESTS", nargs="?", help="requests table (.csv, .json, .parquet)"),
    arg("offers", metavar="OFFERS", nargs="?", help="offers table (.csv, .json or .parquet)"),
    arg("--policy", metavar="TOML", default=None, help="guard-rail policy (TOML file)"),
    arg("--simulate", metavar="PRESET", default=None, help="instead of tables: simulate a "
        "market structure (internal_monopoly, minimal_back_office, internal_competition, "
        "open_market, perfect_competition; the [sim] extra)"),
    arg("--rounds", type=int, default=52, help="--simulate: rounds (default 52)"),
    arg("--seed", type=int, default=0, help="--simulate: random seed (default 0)"),
    arg("--teams", type=int, default=60, help="--simulate: front-line teams (default 60)"),
    arg("--services", type=int, default=4, help="--simulate: services (default 4)"),
    arg("--pace", type=float, default=0.0, help="--simulate: seconds between rounds, played "
        "while the board is served (default 0: every round before serving)"),
    arg("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)"),
    arg("--port", type=int, default=8000, help="port (default 8000)"),
)  # fmt: skip
def _board(args: argparse.Namespace) -> int:
    """Clear REQUESTS against OFFERS inside the policy, or simulate a market structure
    round by round with --simulate PRESET, then serve the market board of the outcome at
    http://HOST:PORT/board until interrupted (needs the [service] extra). Bad input is
    reported, with file, line and column for tables, before anything is served."""
    try:
        from .board import BoardState
        from .board._app import board_app
        from .http.server import serve
    except ImportError as exc:
        raise FileInputError(f"board needs the [service] extra: {exc}") from None
    play: Any = None
    if args.simulate is not None:
        state, play = _simulation(args)
    else:
        if args.requests is None or args.offers is None:
            raise FileInputError("board: give REQUESTS and OFFERS tables, or --simulate PRESET")
        from clearing import clear

        req, rsrc = _read_requests(args.requests)
        off, osrc = _read_offers(args.offers)
        policy = _policy(args.policy)
        with _located({"requests": (rsrc, None), "offers": (osrc, None)}):
            result = clear(req, off, policy)
        state = BoardState()
        state.record_clearing(result, offers=off)
    sys.stderr.write(f"clearing: market board on http://{args.host}:{args.port}/board\n")
    if play is not None:
        play.start()
    serve(board_app(state), host=args.host, port=args.port, board=state)
    gc.freeze()  # the process ends now: skip the last collections (see clearing serve)
    return OK


def _simulation(args: argparse.Namespace) -> tuple[Any, threading.Thread | None]:
    """The board of ``--simulate``: filled now, or by a thread that plays it at --pace."""
    if args.requests is not None:
        raise FileInputError("board: --simulate takes no REQUESTS or OFFERS tables")
    if args.pace < 0 or args.pace != args.pace:
        raise FileInputError(f"board: --pace must be >= 0 seconds, got {args.pace}")
    try:
        from clearing import sim

        from .board import BoardState
        from .board._simulation import simulation_board
    except ImportError as exc:
        raise FileInputError(f"board --simulate needs the [sim] extra: {exc}") from None
    options = {"seed": args.seed, "teams": args.teams, "services": args.services}
    try:  # a bad preset, size or number of rounds fails here, before anything is served
        sim.preset(args.simulate, teams=args.teams, services=args.services)
        if args.rounds < 1:
            raise FileInputError(f"board: --rounds must be >= 1, got {args.rounds}")
        if args.teams > MAX_TEAMS:  # the page lists every team's budget
            raise FileInputError(f"board: --teams is at most {MAX_TEAMS}, got {args.teams}")
        if args.pace == 0:
            board, _ = simulation_board(args.simulate, args.rounds, **options)
            sys.stderr.write(f"clearing: simulated {args.rounds} rounds of {args.simulate}\n")
            return board, None
    except ClearingError as exc:
        raise FileInputError(f"board: {exc}") from None
    board = BoardState(axis="round")

    def play() -> None:
        simulation_board(args.simulate, args.rounds, pace=args.pace, board=board, **options)

    return board, threading.Thread(target=play, name="board-simulation", daemon=True)
