"""The ``clearing`` command line.

Subcommands: ``demo``, ``clear``, ``auction``, ``assign`` (tables on files), ``bench`` (the
benchmark comparison of a source checkout) and ``serve`` (JSON-lines on stdio, or HTTP).
``clearing SUBCOMMAND --help`` describes each. Exit codes: 0 ok, 1 input error (a file, row,
value or policy is wrong, or an output already exists; nothing is written), 2 usage error
(the command line itself), 3 internal error (a bug: the traceback is printed). Each
subcommand is one function registered with :func:`clearing_bindings._registry.command`.

Examples
--------
>>> from clearing_bindings.cli import main
>>> main(["demo", "--seed", "x"])
Traceback (most recent call last):
...
SystemExit: 2
"""

from __future__ import annotations

import argparse
import gc
import os
import pathlib
import subprocess
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from clearing import ClearingError, __version__

from . import _board_command, _file_commands, _sim_command, _warmup_command  # noqa: F401
from ._demo import demo
from ._registry import COMMANDS, INPUT_ERROR, INTERNAL_ERROR, OK, arg, command
from .tables import FileInputError

__all__ = ["build_parser", "main"]

_EPILOG = "exit codes: 0 ok, 1 input error (nothing written), 2 usage error, 3 internal error"


@command(
    "demo",
    "clear the bundled example markets and print the outcome",
    arg("--seed", type=int, default=2026, help="SBBA lottery seed (default 2026)"),
)
def _demo(args: argparse.Namespace) -> int:
    """Clear the bundled legal-review market with every mechanism, then the bundled
    organisation inside its guard rails, and print both."""
    sys.stdout.write(demo(args.seed) + "\n")
    return OK


def _compare_script() -> pathlib.Path | None:
    here = pathlib.Path(__file__).resolve()
    for root in (pathlib.Path.cwd(), here.parents[2]):
        script = root / "benchmarks" / "compare.py"
        if script.is_file():
            return script
    return None


@command(
    "bench",
    "run benchmarks/compare.py --quick [its options] from a source checkout",
    passthrough=True,
)
def _bench(args: argparse.Namespace) -> int:
    """Run the quick benchmark comparison (``benchmarks/compare.py --quick``) of a source
    checkout: the current directory's, else the one this package is installed from."""
    script = _compare_script()
    if script is None:
        raise FileInputError(
            "benchmarks/compare.py not found: `clearing bench` runs from a source checkout "
            "of clearing (run it in the repository root)"
        )
    extra = [a for a in args.extra if a != "--"]  # e.g. --only auction --rounds 1
    return subprocess.call([sys.executable, str(script), "--quick", *extra])


@command(
    "serve",
    "answer requests: JSON-lines on stdin/stdout, or HTTP",
    arg("--stdio", action="store_true", help="JSON-lines: one request per line on stdin"),
    arg("--http", action="store_true", help="HTTP service (needs the [service] extra)"),
    arg("--host", default="127.0.0.1", help="HTTP address to bind (default 127.0.0.1)"),
    arg("--port", type=int, default=8000, help="HTTP port (default 8000; 0 picks a free one)"),
    arg(
        "--token",
        default=None,
        help="an administrator's bearer token: every route needs 'Authorization: Bearer "
        "TOKEN' (default: $CLEARING_TOKEN, else no auth unless team tokens are given)",
    ),
    arg(
        "--team-token",
        action="append",
        default=[],
        metavar="TEAM=TOKEN",
        help="a token that reads TEAM's view of the market board only (repeatable)",
    ),
    arg(
        "--tokens",
        default=None,
        metavar="FILE",
        help="TOML or JSON file: a table 'tokens' mapping each token to its team, or "
        "to '*' for an administrator",
    ),
    arg(
        "--ledger",
        default=None,
        metavar="URL",
        help="HTTP: the market board shows and follows the budgets of this ledger "
        "(SQLAlchemy URL, e.g. sqlite:///ledger.db; the [ledger] extra)",
    ),
    arg("--max-body-bytes", type=int, default=None, help="largest HTTP body (413 above)"),
    arg("--max-orders", type=int, default=None, help="most orders in one request (413 above)"),
    arg("--max-books", type=int, default=None, help="most order books held at once"),
    arg("--tick-size", type=float, default=0.01, help="tick size of new order books"),
    arg(
        "--inline-bytes",
        type=int,
        default=None,
        help="HTTP: run stateless requests with smaller bodies on the event loop",
    ),
    arg("--no-warmup", action="store_true", help="HTTP: skip compiling the kernels at start"),
    arg(
        "--demo",
        action="store_true",
        help="HTTP: start with the bundled organisation cleared and settled in a temporary "
        "ledger, shown on the market board (GET /board)",
    ),
)
def _serve(args: argparse.Namespace) -> int:
    """Serve the operations of the request/response schema (auction, assign, transport,
    clear, order books): as JSON-lines over stdin/stdout with --stdio, or over HTTP with
    --http. Exactly one of the two is required."""
    if args.stdio == args.http:
        raise _Usage("serve: choose exactly one of --stdio and --http")
    from .ops import DEFAULT_MAX_BOOKS, DEFAULT_MAX_ORDERS, Engine

    if not args.http:
        for flag, given in (
            ("--demo", args.demo),
            ("--ledger", args.ledger),
            ("--team-token", args.team_token),
            ("--tokens", args.tokens),
        ):
            if given:
                raise _Usage(f"serve: {flag} is for --http (the market board's)")
    token = args.token if args.token is not None else os.environ.get("CLEARING_TOKEN") or None
    tokens = _tokens(args, admin=token) if args.http else None
    books: dict[str, Any] = {}
    board, follower = (None, None)
    if args.http:
        board, follower = _board(demo=args.demo, ledger=args.ledger, books=books)
    engine = Engine(
        tick_size=args.tick_size,
        max_orders=args.max_orders or DEFAULT_MAX_ORDERS,
        max_books=args.max_books or DEFAULT_MAX_BOOKS,
        board=board,
    )
    engine.books.update(books)  # the demo's IT market trades on the board's book
    if args.stdio:
        from .jsonl import serve

        serve(sys.stdin.buffer, sys.stdout, engine=engine)
        return OK
    try:
        from .http.server import run
    except ImportError as exc:
        raise FileInputError(
            f"serve --http needs the [service] extra (pip install 'clearing[service]'): {exc}"
        ) from None
    if tokens and token is None and not any(t is None for t in tokens.values()):
        sys.stderr.write("clearing: no administrator token: only the market board answers\n")
    try:
        run(
            engine,
            host=args.host,
            port=args.port,
            token=token,
            tokens=tokens,
            max_body_bytes=args.max_body_bytes,
            inline_bytes=args.inline_bytes,
            warmup=not args.no_warmup,
        )
    finally:
        if follower is not None:
            follower.stop()
            follower.ledger.close()
        # the process ends now: spare it the interpreter's last collections, which walk
        # every object numba, pandas and the app made (seconds on a busy machine)
        gc.freeze()
    return OK


def _tokens(args: argparse.Namespace, *, admin: str | None) -> dict[str, str | None] | None:
    """The tokens of --team-token and --tokens: token -> team (None: an administrator).
    ``admin`` (--token) is checked with them: one token may not have two scopes."""
    from .board._tokens import TokenError, Tokens, merge, read_tokens, team_token

    try:
        pairs: list[tuple[str, str | None]] = [(admin, None)] if admin else []
        pairs += [team_token(t) for t in args.team_token]
        if args.tokens is not None:
            pairs += read_tokens(args.tokens).items()
        tokens = merge(pairs)
        Tokens(tokens)  # the syntax of every token, before anything starts
    except TokenError as exc:
        raise FileInputError(f"serve: {exc}") from None
    tokens.pop(admin or "", None)  # create_app takes it as token=
    return tokens or None


def _board(*, demo: bool, ledger: str | None, books: dict[str, Any]) -> tuple[Any, Any]:
    """The market board of an HTTP service (empty, or the demo organisation, whose order
    book goes into ``books``) and, with a ledger, what keeps the board's budgets equal to
    the ledger's."""
    try:
        from .board import BoardState
        from .board._app import demo_board
        from .board._ledger import LedgerFollower
    except ImportError:  # without the [service] extra the HTTP import below says so
        return None, None
    if not demo and ledger is None:
        return BoardState(), None
    try:
        from clearing.ledger import Ledger
    except ImportError as exc:
        raise FileInputError(f"serve: the ledger needs the [ledger] extra: {exc}") from None
    if ledger is None:
        import tempfile

        folder = tempfile.mkdtemp(prefix="clearing-demo-")
        sys.stderr.write(f"clearing: demo ledger in {folder}\n")
        ledger = f"sqlite:///{folder}/ledger.db"
    book = Ledger(ledger)
    board = demo_board(ledger=book, books=books) if demo else BoardState()
    return board, LedgerFollower(board, book).start()


class _Usage(Exception):
    """A command line that parses but does not make sense (exit code 2)."""


def build_parser() -> argparse.ArgumentParser:
    """The parser of every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="clearing", description="Clear internal markets.", epilog=_EPILOG
    )
    parser.add_argument("--version", action="version", version=f"clearing {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for c in COMMANDS.values():
        p = sub.add_parser(c.name, help=c.help, description=c.description, epilog=_EPILOG)
        for flags, kwargs in c.args:
            p.add_argument(*flags, **kwargs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``clearing`` command; returns the exit code."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not COMMANDS[args.command].passthrough:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.extra = unknown
    try:
        return COMMANDS[args.command].run(args)
    except _Usage as exc:
        parser.error(str(exc))
    except (FileInputError, ClearingError, OSError) as exc:
        _error(args.command, exc)
    except KeyboardInterrupt:
        return 130
    except Exception:  # a bug, not an input error: keep the traceback, exit apart from 1
        traceback.print_exc()
        return INTERNAL_ERROR
    return INPUT_ERROR


def _error(name: str, exc: Any) -> None:
    sys.stderr.write(f"clearing {name}: error: {exc}\n")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
