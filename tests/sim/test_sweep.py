"""sweep on a real dask.distributed LocalCluster equals the serial run exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from clearing import InputError
from clearing.sim import compare_structures, preset, sweep


@pytest.mark.slow
def test_dask_localcluster_equals_serial() -> None:
    distributed = pytest.importorskip("distributed")
    grid = {
        "duo": preset("internal_competition", teams=150, services=2),
        "open": preset("open_market", teams=150, services=2),
    }
    serial = sweep(grid, [1, 2], rounds=5)
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
        parallel = sweep(grid, [1, 2], executor=client.get_executor(), rounds=5)
    pd.testing.assert_frame_equal(serial, parallel)
    assert list(serial["scenario"].unique()) == ["duo", "open"]


def test_sweep_refuses_bad_arguments() -> None:
    with pytest.raises(InputError) as info:
        sweep([], [1])
    assert info.value.argument == "grid"
    with pytest.raises(InputError) as info:
        sweep(["open_market"], [1], executor=object())  # type: ignore[arg-type]
    assert info.value.argument == "executor"


def test_compare_structures_table_and_figure(tmp_path: object) -> None:
    cmp = compare_structures(
        ["internal_monopoly", "perfect_competition"], rounds=6, teams=100, services=2
    )
    assert cmp.table.loc["internal_monopoly", "hhi"] == pytest.approx(1.0)
    assert cmp.table.loc["perfect_competition", "hhi"] < 0.5
    assert len(cmp.figure.axes) == 4
