"""Market-structure simulator: compare ways of running a back-office before reorganising.

Every round clears through :func:`clearing.clear` under the structure's
:class:`clearing.Policy`. Needs the ``[sim]`` extra (pandas, matplotlib, tqdm, dask, mesa);
they are imported here, never by ``import clearing``.
"""

from __future__ import annotations

from .._public import export
from ._config import DynamicsConfig, PricingConfig, ProviderConfig, SimConfig, TeamConfig
from ._metrics import COLUMNS
from ._plot import plot_metric, plot_structures
from ._presets import PRESETS, preset
from ._round import Ledger
from ._simulate import simulate
from ._sweep import Comparison, compare_structures, sweep

__all__ = [
    "COLUMNS",
    "PRESETS",
    "Comparison",
    "DynamicsConfig",
    "Ledger",
    "PricingConfig",
    "ProviderConfig",
    "SimConfig",
    "TeamConfig",
    "compare_structures",
    "plot_metric",
    "plot_structures",
    "preset",
    "simulate",
    "sweep",
]

export("clearing.sim", globals(), __all__)
