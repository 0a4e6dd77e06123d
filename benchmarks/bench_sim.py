"""Simulator speed: 15,000 teams x 50 providers x 20 services x 52 weekly rounds.

Prints the total time, the share spent inside ``clearing.clear`` (timed by wrapping the
function the simulator calls) versus the simulator's own Python, and the speed-up of
``sweep`` on a Dask LocalCluster with 2 worker processes over the serial sweep. Each time is
printed twice: wall clock and the process's CPU time, which on a machine shared with other
work is the closer estimate of the wall time on an idle one. ``--rounds`` and ``--teams``
scale the run down to see how it grows.

Run: ``python benchmarks/bench_sim.py`` (figures go to docs/bench/sim.md by hand).
"""

from __future__ import annotations

import dataclasses
import time

import clearing.sim._round as round_module
from clearing.sim import preset, simulate, sweep


def big_config() -> object:
    cfg = preset("open_market", teams=15_000, services=20)
    providers = dataclasses.replace(cfg.providers, internal=20, external=30)  # 50 providers
    return dataclasses.replace(cfg, providers=providers)


def big_config_teams(teams: int) -> object:
    cfg = preset("open_market", teams=teams, services=20)
    providers = dataclasses.replace(cfg.providers, internal=20, external=30)
    return dataclasses.replace(cfg, providers=providers)


def time_simulation(teams: int = 15_000, rounds: int = 52) -> None:
    cfg = big_config() if teams == 15_000 else big_config_teams(teams)
    simulate(preset("open_market", teams=200, services=20), 2, rng=0, progress=False)  # compile
    inside = [0.0, 0.0]
    original = round_module.clear

    def timed(*args: object, **kwargs: object) -> object:
        t, c = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            inside[0] += time.perf_counter() - t
            inside[1] += time.process_time() - c

    round_module.clear = timed  # type: ignore[assignment]
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        df = simulate(cfg, rounds, rng=0, progress=False)
        total, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        round_module.clear = original
    print(
        f"simulate {teams:,} teams x 50 providers x 20 services x {rounds} rounds: "
        f"wall {total:.2f} s, CPU {cpu:.2f} s; inside clear wall {inside[0]:.2f} s "
        f"({inside[0] / total:.0%}), CPU {inside[1]:.2f} s ({inside[1] / cpu:.0%}); simulator "
        f"CPU {cpu - inside[1]:.2f} s; {int(df['volume'].sum()):,} units allocated"
    )


def time_sweep() -> None:
    import distributed

    grid = {n: preset(n, teams=3000, services=5) for n in ("internal_competition", "open_market")}
    seeds = [1, 2, 3, 4]
    t0 = time.perf_counter()
    serial = sweep(grid, seeds, rounds=52)
    t_serial = time.perf_counter() - t0
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        sweep(grid, [1, 2], executor=client.get_executor(), rounds=2)  # warm the workers
        t0 = time.perf_counter()
        parallel = sweep(grid, seeds, executor=client.get_executor(), rounds=52)
        t_par = time.perf_counter() - t0
    same = serial.equals(parallel)
    print(
        f"sweep 8 runs (3,000 teams x 5 services x 52 rounds): serial {t_serial:.2f} s, "
        f"Dask 2 workers {t_par:.2f} s, speed-up {t_serial / t_par:.2f}x, identical={same}"
    )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=15_000)
    parser.add_argument("--rounds", type=int, default=52)
    parser.add_argument("--no-sweep", action="store_true", help="time the simulation only")
    args = parser.parse_args()
    time_simulation(args.teams, args.rounds)
    if not args.no_sweep:
        time_sweep()
