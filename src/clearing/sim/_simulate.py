""":func:`simulate`: run one market structure for a number of rounds."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from clearing import Clearing, InputError

from ._config import SimConfig
from ._dynamics import adapt
from ._metrics import COLUMNS, round_metrics
from ._round import Ledger, Market

__all__ = ["check_config", "simulate"]

_AUTO_PROGRESS_ROUNDS = 20


def check_config(config: Any) -> SimConfig:
    """Refuse what the dataclasses cannot see alone (combinations of parts)."""
    if not isinstance(config, SimConfig):
        raise InputError(
            f"simulate: config must be a SimConfig (see clearing.sim.preset), got "
            f"{type(config).__name__}",
            argument="config",
        )
    if config.pricing.rule == "cost_allocation":
        p, d = config.providers, config.dynamics
        if p.external or p.internal != config.services or d.entry:
            raise InputError(
                "pricing.rule 'cost_allocation' allocates one back-office's cost per use: it "
                "needs exactly one internal provider per service (providers.internal == "
                "services, providers.external == 0) and no entry",
                argument="pricing.rule",
            )
    return config


def _rng(rng: Any) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, int | np.integer) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise InputError(
        f"simulate: rng must be None, an int seed or a numpy Generator, got {rng!r}",
        argument="rng",
    )


def simulate(
    config: SimConfig,
    rounds: int,
    *,
    rng: Any = None,
    progress: bool | None = None,
    ledger: Ledger | None = None,
    on_round: Callable[[int, Clearing, dict[str, Any]], object] | None = None,
) -> Any:
    """Run one market structure and return its figures, one row per round and service.

    Parameters
    ----------
    config : SimConfig
        The structure (see :func:`preset`).
    rounds : int
        Number of rounds (>= 1); a round is a week in the presets.
    rng : None, int or numpy.random.Generator
        All randomness; the same seed gives the identical DataFrame.
    progress : bool or None
        Show a tqdm progress bar. ``None``: only on a terminal, for 20 rounds or more.
    ledger : object with ``settle(clearing, settlement_id)``, optional
        Called after each round's ``clear`` with the :class:`~clearing.Clearing` and the id
        ``"<config.name>/round-<r>"``.
    on_round : callable, optional
        Called after each round's ``clear`` (and settlement) as ``on_round(r, clearing,
        offers)``: the round number, the :class:`~clearing.Clearing` and the offers table
        that was cleared (``offer_id``, ``provider``, ``service``, ``capacity``, ``ask``,
        ``quality``, ``external``), e.g. to show the round on a market board.

    Returns
    -------
    pandas.DataFrame
        The columns of ``docs/sim.md``: ``round``, ``service``, ``price``, ``volume``,
        ``welfare``, ``efficiency``, ``consumer_surplus``, ``provider_profit``,
        ``market_surplus``, ``hhi``, ``lerner``, ``mean_quality``, ``providers``,
        ``entries``, ``dissolutions``, ``backoffice_cost_per_team``, ``unserved``,
        ``negotiations``.

    Examples
    --------
    >>> from clearing.sim import preset, simulate
    >>> df = simulate(preset("internal_competition", teams=100, services=2), 3, rng=1)
    >>> df.shape
    (6, 18)
    >>> bool((df["hhi"] <= 1.0).all())
    True
    """
    import pandas as pd
    from tqdm.auto import tqdm

    cfg = check_config(config)
    if isinstance(rounds, bool) or not isinstance(rounds, int | np.integer) or rounds < 1:
        raise InputError(
            f"simulate: rounds must be an integer >= 1, got {rounds!r}", argument="rounds"
        )
    if progress is not None and not isinstance(progress, bool):
        raise InputError(
            f"simulate: progress must be True, False or None, got {progress!r}", argument="progress"
        )
    if ledger is not None and not callable(getattr(ledger, "settle", None)):
        raise InputError(
            "simulate: ledger must have a settle(clearing, settlement_id) method", argument="ledger"
        )
    if on_round is not None and not callable(on_round):
        raise InputError(
            f"simulate: on_round must be callable, got {type(on_round).__name__}",
            argument="on_round",
        )
    gen = _rng(rng)
    show = (
        progress
        if progress is not None
        else (rounds >= _AUTO_PROGRESS_ROUNDS and sys.stderr.isatty())
    )
    market = Market(cfg, gen)
    parts: list[dict[str, np.ndarray]] = []
    for r in tqdm(range(int(rounds)), desc=cfg.name, disable=not show, leave=False):
        out = market.step(r, ledger, on_round)
        row = round_metrics(r, market.names, market.providers, out, cfg.teams.count)
        row["entries"], row["dissolutions"] = adapt(cfg, market.providers, out, gen)
        parts.append(row)
    columns = {name: np.concatenate([p[name] for p in parts]) for name in COLUMNS}
    return pd.DataFrame(columns)
