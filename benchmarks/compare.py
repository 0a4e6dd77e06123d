"""Run every workload against its peer in one process and print ``ours / peer`` ratios.

Usage::

    python benchmarks/compare.py            # full sizes, 3 rounds, median ratio
    python benchmarks/compare.py --quick    # small sizes, a smoke run
    python benchmarks/compare.py --only auction --rounds 5

Peers come from the ``[bench]`` extra; a missing peer prints a row saying so instead of a
number. Ratios below 1 mean we are faster (for time rows); the target column is the bound
the median ratio must meet.
"""

from __future__ import annotations

import argparse
import importlib
import pathlib
import platform
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from _harness import Row, measure


def _modules(only: str | None) -> list[str]:
    here = pathlib.Path(__file__).parent
    names = sorted(p.stem for p in here.glob("rows_*.py"))
    if only:
        names = [n for n in names if only in n]
    return names


def _fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:8.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds * 1e6:8.1f} us"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    parser.add_argument("--rounds", type=int, default=3, help="paired rounds; median reported")
    parser.add_argument("--only", default=None, help="run only rows_*.py modules matching this")
    args = parser.parse_args(argv)

    print(
        f"# machine: {platform.machine()} {platform.processor() or ''}, "
        f"python {platform.python_version()}, rounds={args.rounds}"
    )
    header = f"{'workload':<48} {'ours':>11} {'peer':>11} {'ratio':>9}  {'target':>8}  peer"
    print(header)
    print("-" * len(header))
    failures = 0
    for mod_name in _modules(args.only):
        module = importlib.import_module(mod_name)
        rows: list[Row] = module.rows(quick=args.quick)
        for row in rows:
            target = f"{row.better}{row.target:g}" if row.target is not None else ""
            if row.peer is None:
                print(
                    f"{row.name:<48} {'':>11} {'':>11} {'skipped':>9}  {target:>8}  "
                    f"{row.peer_name}: {row.skip}"
                )
                continue
            ours, peer, ratio = measure(row, args.rounds)
            ok = ""
            if row.target is not None:
                met = ratio <= row.target if row.better == "<=" else ratio >= row.target
                ok = "" if met else "  MISSED"
                failures += not met
            print(
                f"{row.name:<48} {_fmt_time(ours):>11} {_fmt_time(peer):>11} "
                f"{ratio:9.3f}  {target:>8}  {row.peer_name}{ok}"
                + (f"  ({row.note})" if row.note else "")
            )
            sys.stdout.flush()
    return 1 if failures and not args.quick else 0


if __name__ == "__main__":
    raise SystemExit(main())
