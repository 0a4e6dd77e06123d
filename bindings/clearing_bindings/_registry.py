"""The subcommands of ``clearing``: each is one function registered with :func:`command`.

Adding a subcommand is one small function::

    @command("hello", "print a greeting", arg("--name", default="world", help="who"))
    def hello(args: argparse.Namespace) -> int:
        print(f"hello {args.name}")
        return OK

Exit codes: :data:`OK` (0), :data:`INPUT_ERROR` (1: a file, row, value or policy is wrong, or
an output exists), :data:`USAGE` (2: the command line itself is wrong; argparse's own code),
:data:`INTERNAL_ERROR` (3: a bug; the traceback is printed).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["COMMANDS", "INPUT_ERROR", "INTERNAL_ERROR", "OK", "USAGE", "Command", "arg", "command"]

OK = 0
INPUT_ERROR = 1
USAGE = 2
INTERNAL_ERROR = 3

Run = Callable[[argparse.Namespace], int]


@dataclass(frozen=True, slots=True)
class Command:
    """A subcommand: its name, one-line help, arguments and the function that runs it."""

    name: str
    help: str
    args: tuple[tuple[tuple[str, ...], dict[str, Any]], ...]
    run: Run
    description: str
    passthrough: bool = False  # options it does not know go to args.extra (for wrappers)


#: Registered subcommands, in the order ``clearing --help`` lists them.
COMMANDS: dict[str, Command] = {}


def arg(*flags: str, **kwargs: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """One ``add_argument`` call, kept for when the parser is built."""
    return flags, kwargs


def command(
    name: str,
    help: str,
    *args: tuple[tuple[str, ...], dict[str, Any]],
    passthrough: bool = False,
) -> Callable[[Run], Run]:
    """Register ``run`` as the subcommand ``name`` (its docstring is the ``--help`` text).

    With ``passthrough``, arguments the subcommand does not declare are collected in
    ``args.extra`` instead of being a usage error (for commands that wrap another program).
    """

    def register(run: Run) -> Run:
        doc = (run.__doc__ or help).strip()
        COMMANDS[name] = Command(name, help, args, run, doc, passthrough)
        return run

    return register
