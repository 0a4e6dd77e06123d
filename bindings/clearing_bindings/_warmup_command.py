"""``clearing warmup``: compile every kernel once, for images and CI."""

from __future__ import annotations

import argparse
import sys

from clearing import warmup
from clearing._warmup import ENTRY_POINTS

from ._registry import OK, arg, command

__all__: list[str] = []


@command(
    "warmup",
    "compile every kernel now (numba caches them for later processes)",
    arg("entry_points", nargs="*", metavar="NAME",
        help=f"only these entry points ({', '.join(ENTRY_POINTS)}; default all)"),
    arg("--quiet", action="store_true", help="no progress output"),
)  # fmt: skip
def _warmup(args: argparse.Namespace) -> int:
    """Run every public entry point once on a tiny input, so that numba compiles its
    kernels and keeps them in its cache (``NUMBA_CACHE_DIR``, else ``__pycache__`` next to
    the sources): later first calls load them instead of compiling."""
    seconds = warmup(entry_points=args.entry_points or None, progress=not args.quiet)
    if not args.quiet:
        sys.stderr.write(f"clearing: kernels ready in {seconds:.1f} s\n")
    return OK
