"""Plots of simulator output (matplotlib, the ``[sim]`` extra)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clearing import InputError

from ._metrics import COLUMNS

__all__ = ["plot_metric", "plot_structures"]

DEFAULT_METRICS = ("price", "hhi", "welfare", "backoffice_cost_per_team")


def plot_metric(df: Any, metric: str, *, ax: Any = None, by: str = "scenario") -> Any:
    """One metric over rounds, one line per scenario (mean over services and seeds).

    Returns the matplotlib ``Axes``.

    Examples
    --------
    >>> from clearing.sim import plot_metric, preset, simulate
    >>> df = simulate(preset("internal_competition", teams=30, services=1), 2, rng=1)
    >>> plot_metric(df, "price").get_ylabel()
    'price'
    """
    import matplotlib.pyplot as plt

    if metric not in COLUMNS or metric in ("round", "service"):
        raise InputError(f"plot_metric: unknown metric {metric!r}", argument="metric")
    if ax is None:
        _, ax = plt.subplots()
    groups = df.groupby(by, sort=False) if by in df.columns else [(None, df)]
    for label, part in groups:
        series = part.groupby("round")[metric].mean()
        ax.plot(series.index, series.to_numpy(), label=label if label is not None else metric)
    ax.set_xlabel("round")
    ax.set_ylabel(metric.replace("_", " "))
    return ax


def plot_structures(df: Any, *, metrics: Sequence[str] = DEFAULT_METRICS) -> Any:
    """The structures side by side over time: one panel per metric.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`sweep` (a ``scenario`` column) or :func:`simulate`.
    metrics : sequence of str
        Columns to draw.

    Returns
    -------
    matplotlib.figure.Figure
        Ready for ``savefig``; its panels are ``figure.axes`` (each drawn by
        :func:`plot_metric`).

    Examples
    --------
    >>> from clearing.sim import plot_structures, preset, simulate
    >>> df = simulate(preset("internal_competition", teams=30, services=1), 2, rng=1)
    >>> len(plot_structures(df, metrics=["price", "hhi"]).axes)
    2
    """
    from matplotlib.figure import Figure

    n = len(metrics)
    cols = 2 if n > 1 else 1
    rows = (n + cols - 1) // cols
    fig = Figure(figsize=(5.5 * cols, 3.4 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, metric in zip(axes, metrics, strict=False):
        plot_metric(df, metric, ax=ax)
    for ax in axes[n:]:
        ax.set_visible(False)
    axes[0].legend(fontsize="small")
    return fig
