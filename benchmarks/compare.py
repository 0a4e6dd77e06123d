"""Run every workload against its peers in one process and print ``ours / peer`` ratios.

Usage::

    python benchmarks/compare.py                  # full sizes, 3 rounds, median ratio
    python benchmarks/compare.py --quick          # small sizes, a smoke run
    python benchmarks/compare.py --only assignment --match "ints 1..100" --repeat 3
    python benchmarks/compare.py --only coldstart # first calls on an empty numba cache
    python benchmarks/compare.py --json after.json --against before.json

Rows come from the ``rows_*.py`` modules beside this file (one suite; ``bench_*.py`` are
pytest-benchmark entry points over the same rows). Peers come from the ``[bench]`` extra; a
missing peer prints a row saying so instead of a number. ``ratio`` is ours / the fastest
peer and ``vs scipy`` ours / scipy (time ratios: below 1 we are faster). A row misses
(``MISSED``) when its ratio is over its target or, where scipy is a peer, when it is slower
than scipy. A row whose optimum differs from a peer's is an ``ERROR``, not a timing.
The exit status is 1 when a full (not ``--quick``) run misses a target or has an error.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import inspect
import json
import os
import pathlib
import platform
import subprocess
import sys
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from _harness import ObjectiveMismatch, Options, Result, Row, check_objectives, measure_once, met
from _harness import median_of as _median

HERE = pathlib.Path(__file__).parent
QUICK_SKIPS = {"rows_coldstart"}  # minutes of compilation: run with --only coldstart


def _modules(only: str | None, quick: bool) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("rows_*.py"))
    if only:
        return [n for n in names if only in n]
    return [n for n in names if not (quick and n in QUICK_SKIPS)]


def _fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:8.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds * 1e6:8.1f} us"


def _fmt_ratio(r: float | None) -> str:
    if r is None:
        return ""
    return f"{r:.3g}" if r < 0.01 else f"{r:.3f}"


def _rows(module: Any, quick: bool, options: Options) -> list[Row]:
    wanted = inspect.signature(module.rows).parameters
    extra = {k: v for k, v in vars(options).items() if k in wanted}
    return list(module.rows(quick=quick, **extra))


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(HERE), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _run_row(row: Row, rounds: int, runs: int) -> tuple[Result | None, list[Result], str]:
    """Measure a row ``runs`` times; returns (median result, each run, error)."""
    try:
        objectives = check_objectives(row) if row.measure is None else {}
        each = [measure_once(row, rounds) for _ in range(runs)]
    except ObjectiveMismatch as exc:
        return None, [], str(exc)
    except Exception as exc:  # one broken row must not hide the others
        return None, [], f"{type(exc).__name__}: {exc}"
    finally:
        if row.release is not None:
            row.release()
    med = each[0]
    if len(each) > 1:
        med = Result(
            ours=_median([r.ours for r in each]),
            peers={k: _median([r.peers[k] for r in each]) for k in each[0].peers},
            best_peer=each[0].best_peer,
            ratio=_median([r.ratio for r in each]),
            ratio_scipy=None
            if each[0].ratio_scipy is None
            else _median([r.ratio_scipy for r in each if r.ratio_scipy is not None]),
            note=each[-1].note,
        )
        med.best_peer = min(med.peers, key=med.peers.__getitem__)
    med.objectives = {**objectives, **med.objectives}
    return med, each, ""


def _load_against(path: str | None) -> dict[str, dict[str, Any]]:
    if not path:
        return {}
    data = json.loads(pathlib.Path(path).read_text())
    return {r["name"]: r for r in data["rows"] if r.get("ratio") is not None}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="examples:\n" + __doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--quick", action="store_true", help="small sizes (a smoke run); skips coldstart rows")
    add("--rounds", type=int, default=3, help="paired rounds per run; median (default 3)")
    add(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="runs per row, each of --rounds rounds; prints the median of the N runs and "
        "each run's ratio (default 1; some rows ask for 3 themselves)",
    )
    add("--only", default=None, help="only the rows_*.py modules whose name contains this")
    add("--match", default=None, help="only rows whose workload name contains this")
    add("--size", type=int, default=None, help="one matrix size for the assignment rows")
    add(
        "--cold-suite",
        action="store_true",
        help="coldstart: also time the README test command (pytest) on an empty numba "
        "cache (minutes; with --only coldstart)",
    )
    add("--json", default=None, metavar="PATH", help="also write every row's figures here")
    add(
        "--against",
        default=None,
        metavar="PATH",
        help="a --json file of an earlier run: print its ratio beside each row (before/after)",
    )
    add("--list", action="store_true", help="print the workload names and exit")
    add(
        "--markdown",
        default=None,
        metavar="JSON",
        help="print a --json file as a Markdown table (for docs/bench) and exit",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.markdown:
        print(markdown_table(json.loads(pathlib.Path(args.markdown).read_text())))
        return 0
    options = Options(size=args.size, cold_suite=args.cold_suite)
    before = _load_against(args.against)
    machine = (
        f"{platform.machine()} {platform.processor() or ''}, python "
        f"{platform.python_version()}, {os.cpu_count()} cpus, load "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    commit = _commit()
    if not args.list:
        print(f"# {machine}; commit {commit}; rounds={args.rounds}, repeat={args.repeat}")
        header = (
            f"{'workload':<58} {'ours':>11} {'best peer':>11} {'ratio':>7} {'vs scipy':>8}"
            f"  {'target':>6}  {'before':>6}  best peer"
        )
        print(header)
        print("-" * len(header))
    records: list[dict[str, Any]] = []
    bad = 0
    for mod_name in _modules(args.only, args.quick):
        module = importlib.import_module(mod_name)
        for row in _rows(module, args.quick, options):
            if args.match and args.match not in row.name:
                continue
            if args.list:
                print(f"{mod_name[5:]:<12} {row.name}")
                continue
            bad += _report(row, args, before, records)
    if args.json and not args.list:
        doc = {
            "machine": machine,
            "commit": commit,
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "argv": sys.argv[1:] if argv is None else argv,
            "rows": records,
        }
        pathlib.Path(args.json).write_text(json.dumps(doc, indent=1) + "\n")
    return 1 if bad and not args.quick else 0


def markdown_table(doc: dict[str, Any]) -> str:
    """The rows of a ``--json`` file as a Markdown table."""
    lines = [
        "| workload | ours | best peer | ratio | vs scipy | target | met |",
        "| --- | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for r in doc["rows"]:
        target = "" if r.get("target") is None else f"{r['better']} {r['target']:g}"
        if "ratio" not in r:
            kind = "error" if "error" in r else "skipped"
            why = r.get("error") or r.get("skipped", "")
            lines.append(f"| {r['name']} | | | {kind}: {why} | | {target} | |")
            continue
        peer = f"{r['best_peer']} {_fmt_time(r['peers_s'][r['best_peer']]).strip()}"
        lines.append(
            f"| {r['name']} | {_fmt_time(r['ours_s']).strip()} | {peer} | {_fmt_ratio(r['ratio'])} "
            f"| {_fmt_ratio(r['ratio_scipy'])} | {target} | {'yes' if r['met'] else '**no**'} |"
        )
    return "\n".join(lines)


def _report(row: Row, args: argparse.Namespace, before: dict, records: list) -> int:
    """Measure and print one row, append its record; returns 1 if it missed or failed."""
    target = f"{row.better}{row.target:g}" if row.target is not None else ""
    record: dict[str, Any] = {
        "name": row.name,
        "input_class": row.input_class,
        "target": row.target,
        "better": row.better,
        "budget": row.budget,
        "peer_names": [p.name for p in row.peers],
    }
    records.append(record)
    if not row.runnable:
        record["skipped"] = row.skip or "no peer"
        print(f"{row.name:<58} {'':>11} {'':>11} {'skipped':>7} {'':>8}  {target:>6}  ", end="")
        print(f"{'':>6}  {row.peer_name}: {row.skip}", flush=True)
        return 0
    med, each, error = _run_row(row, args.rounds, max(args.repeat, row.runs))
    if med is None:
        record["error"] = error
        print(f"{row.name:<58} {'':>11} {'':>11} {'ERROR':>7} {'':>8}  {target:>6}  ", end="")
        print(f"{'':>6}  {error}", flush=True)
        return 1
    ok = met(row, med)
    old = before.get(row.name, {}).get("ratio")
    record.update(
        ours_s=med.ours,
        peers_s=med.peers,
        best_peer=med.best_peer,
        ratio=med.ratio,
        ratio_scipy=med.ratio_scipy,
        met=ok,
        objectives=med.objectives,
        runs=[{"ours_s": r.ours, "ratio": r.ratio, "ratio_scipy": r.ratio_scipy} for r in each],
        note=med.note or row.note,
    )
    runs = ""
    if len(each) > 1:
        runs = "  runs [" + ", ".join(_fmt_ratio(r.ratio) for r in each) + "]"
    note = med.note or row.note
    print(
        f"{row.name:<58} {_fmt_time(med.ours):>11} {_fmt_time(med.peers[med.best_peer]):>11} "
        f"{_fmt_ratio(med.ratio):>7} {_fmt_ratio(med.ratio_scipy):>8}  {target:>6}  "
        f"{_fmt_ratio(old):>6}  {med.best_peer}{'' if ok else '  MISSED'}{runs}"
        + (f"  ({note})" if note else ""),
        flush=True,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
