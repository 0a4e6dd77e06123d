"""``clearing simulate``: run one market structure of the simulator from the shell."""

from __future__ import annotations

import argparse
import pathlib
import sys

from clearing import ClearingError

from ._registry import OK, arg, command
from .tables import FileInputError

__all__: list[str] = []


@command(
    "simulate",
    "simulate a market structure round by round and print its figures",
    arg("--preset", required=True, metavar="NAME", help="internal_monopoly, "
        "minimal_back_office, internal_competition, open_market or perfect_competition"),
    arg("--rounds", type=int, default=52, help="rounds to simulate (default 52)"),
    arg("--teams", type=int, default=1000, help="front-line teams (default 1000)"),
    arg("--services", type=int, default=5, help="services (default 5)"),
    arg("--seed", type=int, default=0, help="random seed (default 0)"),
    arg("--plot", metavar="FILE", default=None, help="save the structure's figure (PNG, SVG, PDF)"),
    arg("--out", metavar="FILE", default=None, help="write the table (.csv or .parquet)"),
    arg("--force", action="store_true", help="overwrite existing output files"),
    arg("--quiet", action="store_true", help="no progress bar"),
)  # fmt: skip
def _simulate(args: argparse.Namespace) -> int:
    """Run the preset market structure for --rounds rounds (the [sim] extra) and print the
    mean of each figure per service; --out writes the whole tidy table, --plot its figure.
    Nothing is written when an output exists (without --force) or the input is bad."""
    try:
        from clearing import sim
    except ImportError as exc:
        raise FileInputError(f"simulate needs the [sim] extra: {exc}") from None
    outputs = [pathlib.Path(p) for p in (args.out, args.plot) if p is not None]
    for path in outputs:
        if path.exists() and not args.force:
            raise FileInputError(f"{path} exists (use --force to overwrite)")
        if not path.parent.is_dir():
            raise FileInputError(f"{path.parent}: no such folder")
    if args.out is not None and pathlib.Path(args.out).suffix not in (".csv", ".parquet"):
        raise FileInputError(f"{args.out}: the table is written as .csv or .parquet")
    try:
        config = sim.preset(args.preset, teams=args.teams, services=args.services)
        df = sim.simulate(config, args.rounds, rng=args.seed, progress=not args.quiet)
    except ClearingError as exc:
        raise FileInputError(f"simulate: {exc}") from None
    summary = df.groupby("service")[["price", "volume", "hhi", "lerner", "welfare"]].mean()
    sys.stdout.write(f"{args.preset}, {args.rounds} rounds, means per service:\n")
    sys.stdout.write(summary.round(3).to_string() + "\n")
    if args.out is not None:
        out = pathlib.Path(args.out)
        if out.suffix == ".csv":
            df.to_csv(out, index=False)
        else:
            df.to_parquet(out, index=False)
    if args.plot is not None:
        sim.plot_structures(df).savefig(args.plot)
    return OK
