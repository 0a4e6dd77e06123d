"""``clearing simulate``: the simulator from the shell, its outputs and its errors."""

from __future__ import annotations

import pathlib

import pandas as pd
import pytest
from clearing_bindings.cli import main

from clearing import sim


def test_simulate_prints_writes_and_plots(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, fig = tmp_path / "t.csv", tmp_path / "f.png"
    args = ["simulate", "--preset", "open_market", "--rounds", "3", "--teams", "60",
            "--services", "2", "--seed", "4", "--quiet",
            "--out", str(out), "--plot", str(fig)]  # fmt: skip
    assert main(args) == 0
    assert "open_market, 3 rounds" in capsys.readouterr().out
    table = pd.read_csv(out)
    expected = sim.simulate(
        sim.preset("open_market", teams=60, services=2), 3, rng=4, progress=False
    )
    assert list(table.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # an existing output is not overwritten, and nothing runs
    assert main(args) == 1
    assert "exists" in capsys.readouterr().err


def test_simulate_bad_input(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--preset", "no_such_structure", "--rounds", "2", "--quiet"]) == 1
    assert "no_such_structure" in capsys.readouterr().err
    assert main(["simulate", "--preset", "open_market", "--rounds", "0", "--quiet"]) == 1
    bad = tmp_path / "t.xlsx"
    assert main(["simulate", "--preset", "open_market", "--out", str(bad), "--quiet"]) == 1
    assert not bad.exists()
