"""The benchmark rows are what they say: every input class draws what it declares, lapx's
published matrices are reproduced exactly, and ``compare.py`` runs a tiny assignment table
with the optimum checked on every row."""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

BENCH = pathlib.Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import compare  # noqa: E402
import inputs_assignment as inputs  # noqa: E402
import rows_assignment  # noqa: E402
import rows_coldstart  # noqa: E402


@pytest.mark.parametrize("name", sorted(inputs.CLASSES))
@pytest.mark.parametrize("n", [1, 2, 7, 40])
def test_class_draws_what_it_declares(name: str, n: int) -> None:
    cls = inputs.CLASSES[name]
    cost = cls.make(n, seed=3)
    assert cost.shape == cls.shape(n) and cost.dtype == np.float64
    assert np.isfinite(cost).all()
    assert cost.min() >= cls.lo and cost.max() <= cls.hi
    if cls.integral:
        assert (cost == np.round(cost)).all()
    if cls.kind == "binary":
        assert set(np.unique(cost)) <= {0.0, 1.0}


@pytest.mark.parametrize("name", sorted(inputs.CLASSES))
def test_class_has_the_spread_it_names(name: str) -> None:
    cls = inputs.CLASSES[name]
    cost = cls.make(60, seed=5)
    values = np.unique(cost)
    if cls.kind == "binary":
        assert set(values) == {0.0, 1.0}
    elif cls.kind == "int":  # ties: far fewer distinct values than entries
        assert values.size <= cls.hi - cls.lo + 1 and values.size > 1
    else:
        assert (cost != np.round(cost)).any() and values.size == cost.size
    if cls.kind == "int" and cls.hi - cls.lo < 1000 and not cls.fixed_seed:
        assert values.min() == cls.lo and values.max() == cls.hi  # both ends drawn


def test_the_draw_depends_on_the_seed_only_where_it_should() -> None:
    for cls in inputs.CLASSES.values():
        same = np.array_equal(cls.make(30, seed=1), cls.make(30, seed=2))
        assert same == cls.fixed_seed, cls.name


def test_lapx_hard_matrices_are_lapx_s() -> None:
    # the optima lapx's own tests assert for these seeded matrices
    cost = inputs.lapx_hard(100)
    rows, cols = scipy.optimize.linear_sum_assignment(cost)
    assert cost[rows, cols].sum() == 11399
    cost, mask = inputs.lapx_sparse_hard(100, 0.04)
    r, c = np.nonzero(mask)
    csr = sp.csr_array((cost[r, c], (r, c)), shape=cost.shape)
    rows, cols = min_weight_full_bipartite_matching(csr)
    assert cost[rows, cols].sum() == 11406
    assert 0.95 < mask.mean() < 0.97


def test_value_of_keeps_ties_and_is_positive() -> None:
    for cls in inputs.CLASSES.values():
        cost = cls.make(20, seed=0)
        value = inputs.value_of(cost)
        assert value.min() > 0
        order = np.argsort(cost, axis=None, kind="stable")
        assert (np.diff(value.ravel()[order]) >= 0).all()
        if cls.integral:
            assert np.unique(value).size == np.unique(cost).size


def _matrices(data: object) -> list[np.ndarray]:
    if isinstance(data, dict):
        return [np.asarray(v.toarray() if sp.issparse(v) else v) for v in data.values()]
    return [np.asarray(data)]


def test_every_assignment_row_draws_its_declared_class() -> None:
    known = set(inputs.CLASSES) | {"lapx sparse hard"}
    rows = rows_assignment.rows(quick=True, size=9)
    for row in rows:
        assert row.input_class in known and row.input_class in row.name, row.name
        if row.inputs is None:
            continue
        integral = row.input_class == "lapx sparse hard" or inputs.CLASSES[row.input_class].integral
        for m in _matrices(row.inputs()):
            assert np.isfinite(m).all()
            assert (m == np.round(m)).all() == integral or m.size < 4, row.name
            if row.input_class in inputs.CLASSES and m.ndim == 2:
                assert m.shape == inputs.CLASSES[row.input_class].shape(9), row.name
        assert row.release is not None
        row.release()
    for row in rows_assignment.rows(quick=True) + rows_assignment.rows(quick=False):
        assert row.input_class in known, row.name  # built lazily: no matrix is drawn


def test_every_entry_point_has_a_cold_start_row() -> None:
    names = {row.name for row in rows_coldstart.rows(quick=True)}
    for entry in ("double_auction", "double_auction_batch", "linear_sum_assignment", "assign"):
        assert f"cold start: first {entry}" in names
    assert any("clearing demo" in n for n in names)
    assert all(row.budget is not None for row in rows_coldstart.rows(quick=True))
    compile(rows_coldstart.entry_script("clear"), "<cold clear>", "exec")


def test_compare_runs_a_tiny_assignment_table(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rows.json"
    argv = ["--quick", "--only", "assignment", "--size", "8", "--match", "8x8 ints 1..100"]
    assert compare.main([*argv, "--rounds", "1", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "lsap 8x8 ints 1..100" in table and "ERROR" not in table
    rows = json.loads(out.read_text())["rows"]
    assert {r["name"] for r in rows} >= {
        "lsap 8x8 ints 1..100",
        "assign dense 8x8 ints 1..100",
        "assign sparse full 8x8 ints 1..100",
    }
    for r in rows:  # each solver's optimum, recomputed from its own pairs, is the same
        assert r["ours_s"] > 0 and len(set(r["objectives"].values())) == 1, r
        assert r["ratio_scipy"] is not None


def test_compare_help_documents_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        compare.main(["--help"])
    text = capsys.readouterr().out
    for option in ("--quick", "--repeat", "--json", "--against", "--only", "--cold-suite"):
        assert option in text
