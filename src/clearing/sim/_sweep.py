""":func:`sweep` and :func:`compare_structures`: many runs on any concurrent.futures executor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from clearing import InputError

from ._config import SimConfig
from ._presets import PRESETS, preset
from ._simulate import check_config, simulate

__all__ = ["Comparison", "compare_structures", "sweep"]


def _run(config: SimConfig, rounds: int, seed: int) -> Any:
    return simulate(config, rounds, rng=seed, progress=False)


def _scenarios(grid: Any) -> list[tuple[str, SimConfig]]:
    if isinstance(grid, SimConfig | str):
        grid = [grid]
    items = list(grid.items()) if isinstance(grid, Mapping) else [(None, g) for g in grid]
    out = []
    for i, (label, cfg) in enumerate(items):
        if isinstance(cfg, str):
            cfg = preset(cfg)
        if not isinstance(cfg, SimConfig):
            raise InputError(
                f"sweep: grid[{i}] must be a SimConfig or a preset name, got {type(cfg).__name__}",
                argument="grid",
                index=i,
            )
        out.append((str(label) if label is not None else cfg.name, check_config(cfg)))
    if not out:
        raise InputError("sweep: grid is empty", argument="grid")
    labels = [label for label, _ in out]
    if len(set(labels)) != len(labels):
        raise InputError(f"sweep: scenario labels repeat: {labels}", argument="grid")
    return out


def sweep(
    grid: Mapping[str, SimConfig] | Iterable[SimConfig | str],
    seeds: Sequence[int],
    *,
    executor: Executor | None = None,
    rounds: int = 52,
) -> Any:
    """Run every scenario of ``grid`` on every seed; one DataFrame of all runs.

    Parameters
    ----------
    grid : mapping of label to SimConfig, or iterable of SimConfig or preset names
        The scenarios (labelled by ``config.name`` when not a mapping).
    seeds : sequence of int
        One run per scenario and seed.
    executor : concurrent.futures.Executor, optional
        Where the runs go (``ProcessPoolExecutor``, a Dask ``Client.get_executor()``...);
        ``None`` runs them here, one after another. Results do not depend on it.
    rounds : int
        Rounds per run.

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``seed``, then the columns of :func:`simulate`, ordered by scenario
        (grid order), seed (given order), round and service.

    Examples
    --------
    >>> from clearing.sim import preset, sweep
    >>> df = sweep({"two": preset("internal_competition", teams=50, services=2)}, [1, 2], rounds=2)
    >>> df.groupby(["scenario", "seed"]).size().tolist()
    [4, 4]
    """
    import pandas as pd

    runs = _scenarios(grid)
    seed_list = [int(s) for s in seeds]
    if not seed_list:
        raise InputError("sweep: seeds is empty", argument="seeds")
    if executor is not None and not isinstance(executor, Executor):
        raise InputError(
            f"sweep: executor must be a concurrent.futures.Executor, got {type(executor).__name__}",
            argument="executor",
        )
    tasks = [(label, cfg, seed) for label, cfg in runs for seed in seed_list]
    if executor is None:
        frames = [_run(cfg, rounds, seed) for _, cfg, seed in tasks]
    else:
        futures = [executor.submit(_run, cfg, rounds, seed) for _, cfg, seed in tasks]
        frames = [f.result() for f in futures]
    for (label, _, seed), df in zip(tasks, frames, strict=True):
        df.insert(0, "seed", seed)
        df.insert(0, "scenario", label)
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True, slots=True, eq=False)
class Comparison:
    """What :func:`compare_structures` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per structure: means over seeds, services and the second half of the run.
    rounds : pandas.DataFrame
        Every row of every run (the :func:`sweep` DataFrame).
    figure : matplotlib.figure.Figure
        The structures side by side over time (:func:`plot_structures`); ``figure.savefig``.

    Examples
    --------
    >>> from clearing.sim import compare_structures
    >>> cmp = compare_structures(["internal_monopoly"], rounds=2, seeds=[1], teams=30, services=1)
    >>> list(cmp.table.index), len(cmp.rounds)
    (['internal_monopoly'], 2)
    """

    table: Any
    rounds: Any
    figure: Any


SUMMARY = (
    "price",
    "volume",
    "welfare",
    "efficiency",
    "hhi",
    "lerner",
    "mean_quality",
    "providers",
    "backoffice_cost_per_team",
    "unserved",
    "dissolutions",
)


def compare_structures(
    structures: Sequence[str | SimConfig] = PRESETS,
    *,
    rounds: int = 52,
    seeds: Sequence[int] = (0,),
    teams: int = 1000,
    services: int = 5,
    executor: Executor | None = None,
) -> Comparison:
    """Run several structures on the same seeds and demand; a table and a figure.

    Parameters
    ----------
    structures : sequence of preset names or SimConfig
        Default: the five presets.
    rounds : int
        As in :func:`sweep`.
    seeds : sequence of int
        As in :func:`sweep`.
    teams, services : int
        Size of the organisation for preset names.
    executor : concurrent.futures.Executor, optional
        As in :func:`sweep`.

    Examples
    --------
    >>> from clearing.sim import compare_structures
    >>> cmp = compare_structures(["internal_monopoly", "open_market"], rounds=4, teams=100,
    ...                          services=2)
    >>> cmp.table.index.tolist()
    ['internal_monopoly', 'open_market']
    >>> cmp.figure.savefig  # doctest: +ELLIPSIS
    <bound method Figure.savefig of <Figure ...>>
    """
    from ._plot import plot_structures

    configs = {}
    for s in structures:
        cfg = preset(s, teams=teams, services=services) if isinstance(s, str) else s
        configs[cfg.name] = cfg
    df = sweep(configs, seeds, executor=executor, rounds=rounds)
    late = df[df["round"] >= rounds // 2]
    table = late.groupby("scenario", sort=False)[list(SUMMARY)].mean()
    table.index.name = "structure"
    return Comparison(table=table, rounds=df, figure=plot_structures(df))
