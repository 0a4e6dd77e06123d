"""assign_batch equals a loop of assign; kernels give identical results with the JIT off."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from clearing import AssignmentBatchResult, InputError, assign, assign_batch
from clearing._jit import JIT_OPTIONS, jit, jit_inline
from clearing._kernels.assignment.lap import argmin_nonneg
from clearing._kernels.assignment.lap_outside import lap_outside_core, lap_outside_workspace

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _assert_same_fields(have: AssignmentBatchResult, want: AssignmentBatchResult) -> None:
    for name, expected in want.to_dict().items():
        got = getattr(have, name)
        if expected is None:
            assert got is None, name
        else:
            np.testing.assert_array_equal(got, expected, err_msg=name)


@pytest.mark.parametrize("shape", [(50, 6, 6), (30, 3, 7), (30, 7, 2), (4, 1, 1)])
@pytest.mark.parametrize("prices", ["both", None])
def test_batch_equals_loop(shape: tuple[int, int, int], prices: str | None) -> None:
    rng = np.random.default_rng(sum(shape))
    values = rng.integers(0, 6, shape).astype(float)
    forbidden = rng.random(shape) < 0.2
    cost = rng.integers(0, 3, shape[2]).astype(float)
    batch = assign_batch(values, cost, forbidden=forbidden, prices=prices)
    assert len(batch) == shape[0]
    for b in range(shape[0]):
        one = assign(values[b], cost, forbidden=forbidden[b], prices=prices)
        got = batch.result(b)
        for name, want in one.to_dict().items():
            have = getattr(got, name)
            if isinstance(want, np.ndarray):
                np.testing.assert_array_equal(have, want, err_msg=name)
            else:
                assert have == want, name


def test_batch_shapes_and_bad_input() -> None:
    batch = assign_batch(np.zeros((0, 3, 3)))
    assert batch.provider_index.shape == (0, 3) and batch.welfare.shape == (0,)
    batch = assign_batch(np.ones((2, 0, 3)))
    assert batch.provider_index.shape == (2, 0)
    assert assign_batch(np.ones((2, 2, 2))).to_pandas().shape == (4, 4)
    with pytest.raises(InputError, match="3-D"):
        assign_batch(np.ones((2, 2)))
    with pytest.raises(InputError, match="cost has shape"):
        assign_batch(np.ones((2, 2, 2)), cost=np.ones(3))
    with pytest.raises(InputError, match=r"values\[1, 0, 1\] is nan"):
        bad = np.ones((2, 2, 2))
        bad[1, 0, 1] = np.nan
        assign_batch(bad)


SCRIPT = r"""
import json, numpy as np, scipy.sparse as sp
from clearing import assign, assign_batch, linear_sum_assignment, transport
rng = np.random.default_rng(5)
v = rng.integers(0, 9, (9, 7)).astype(float); v[rng.random((9, 7)) < 0.2] = -np.inf
out = {}
a = assign(v, prices="both")
out["assign"] = [a.provider_index.tolist(), a.min_prices.tolist(), a.max_prices.tolist(), a.welfare]
s = assign(sp.csr_array(np.where(np.isfinite(v), v, 0)), prices="both")
out["sparse"] = [s.provider_index.tolist(), s.min_prices.tolist(), s.max_prices.tolist()]
t = transport(v, demand=rng.integers(0, 3, 9), capacity=rng.integers(0, 4, 7), prices="both")
out["transport"] = [t.quantity.tolist(), t.min_prices.tolist(), t.max_prices.tolist()]
b = assign_batch(rng.random((3, 4, 5)), prices="both")
out["batch"] = [b.provider_index.tolist(), b.max_prices.tolist()]
out["lsap"] = [x.tolist() for x in linear_sum_assignment(rng.random((6, 6)))]
out["lsap_tall_max"] = [x.tolist() for x in linear_sum_assignment(rng.random((7, 4)), True)]
w = rng.normal(0.3, 1.0, (36, 45))
long = [assign(w, prices=None), assign(w.T.copy(), prices=None)]  # rows longer than 32
out["long"] = [
    [r.provider_index.tolist(), r.col_duals.tolist(), r.row_duals.tolist()] for r in long
]
print(json.dumps(out))
"""


def _run(disable_jit: bool) -> dict[str, object]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["NUMBA_DISABLE_JIT"] = "1" if disable_jit else "0"
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_jit_on_and_off_identical() -> None:
    here: dict[str, object] = {}
    exec(compile(SCRIPT.replace("print(json.dumps(out))", ""), "<script>", "exec"), here)
    assert _run(disable_jit=True) == json.loads(json.dumps(here["out"]))


@pytest.mark.parametrize("shape", [(40, 5, 5), (40, 3, 7), (40, 7, 3), (3, 40, 60), (3, 60, 40)])
@pytest.mark.parametrize("prices", ["both", None])
def test_parallel_equals_serial(shape: tuple[int, int, int], prices: str | None) -> None:
    rng = np.random.default_rng(len(shape) + sum(shape))
    values = rng.normal(1.0, 1.0, shape)
    forbidden = rng.random(shape) < 0.2
    serial = assign_batch(values, forbidden=forbidden, prices=prices)
    threaded = assign_batch(values, forbidden=forbidden, prices=prices, parallel=True)
    _assert_same_fields(threaded, serial)
    with pytest.raises(InputError, match="parallel"):
        assign_batch(values, parallel="yes")


@pytest.mark.parametrize("shape", [(30, 6, 6), (30, 4, 9), (30, 9, 4), (2, 70, 70), (2, 50, 90)])
def test_solver_duals_without_prices(shape: tuple[int, int, int]) -> None:
    """prices=None: the solver's duals are optimal, complementary and zero when unmatched."""
    rng = np.random.default_rng(sum(shape))
    values = rng.normal(0.5, 1.0, shape)  # many negative surpluses
    forbidden = rng.random(shape) < 0.25
    cost = rng.random(shape[2]) * 0.3
    batch = assign_batch(values, cost, forbidden=forbidden, prices=None)
    assert batch.min_prices is None and batch.max_prices is None
    with_prices = assign_batch(values, cost, forbidden=forbidden, prices="min")
    np.testing.assert_array_equal(
        batch.provider_index, with_prices.provider_index
    )  # prices do not move it
    for b in range(shape[0]):
        w = np.where(forbidden[b], -np.inf, values[b] - cost)
        w[w <= 0] = -np.inf
        res = batch.result(b)
        u, p = res.row_duals, res.col_duals
        assert (u >= 0).all() and (p >= 0).all()
        fin = np.isfinite(w)
        assert ((u[:, None] + p[None, :])[fin] >= w[fin] - 1e-12).all()
        np.testing.assert_allclose(
            u[res.request_index] + p[res.provider_index], w[res.request_index, res.provider_index]
        )
        assert (u[res.unmatched] == 0).all()
        assert (p[np.setdiff1d(np.arange(shape[2]), res.provider_index)] == 0).all()
        assert u.sum() + p.sum() == pytest.approx(res.welfare, abs=1e-9)
        assert res.welfare == pytest.approx(with_prices.welfare[b], abs=1e-12)


@jit
def _outside_short(w: np.ndarray, ws: Any) -> None:
    lap_outside_core(w, ws, True)


@jit
def _outside_long(w: np.ndarray, ws: Any) -> None:
    lap_outside_core(w, ws, False)


# the solver asks for ``small`` as a literal: a call from Python goes through numba's
# literal dispatch (about 0.15 s a call), a call from a kernel is resolved when it compiles
OUTSIDE = {True: _outside_short, False: _outside_long}


@pytest.mark.parametrize("shape", [(5, 5), (8, 8), (6, 20), (20, 6), (32, 32), (3, 1)])
def test_short_and_long_row_selections_agree(shape: tuple[int, int]) -> None:
    """Both specialisations of the outside-option solver are exact on short rows too."""
    n, m = shape
    rng = np.random.default_rng(n * 100 + m)
    for trial in range(20):
        w = rng.normal(0.3, 1.0, shape) if trial % 2 else rng.integers(-2, 4, shape) * 1.0
        w[(w <= 0) | (rng.random(shape) < 0.2)] = -np.inf
        out = {}
        for small in (True, False):
            ws = lap_outside_workspace(n, m)
            OUTSIDE[small](w, ws)
            x, u, v = ws.x, ws.u, ws.v
            rows = np.flatnonzero(x >= 0)
            assert np.isfinite(w[rows, x[rows]]).all()
            assert len(set(x[rows].tolist())) == len(rows)
            fin = np.isfinite(w)
            assert ((u[:, None] + v[None, :])[fin] <= -w[fin] + 1e-12).all()
            assert (u <= 1e-12).all() and (v <= 1e-12).all()  # up to rounding
            out[small] = w[rows, x[rows]].sum()
            assert u.sum() + v.sum() == pytest.approx(-out[small], abs=1e-9)
        assert out[True] == pytest.approx(out[False], abs=1e-9)


@pytest.mark.parametrize("length", [1, 2, 15, 16, 17, 31, 32, 33, 64, 70])
def test_argmin_nonneg_first_least_entry(length: int) -> None:
    rng = np.random.default_rng(length)
    for _ in range(30):
        d = rng.integers(0, 4, length) * 0.5
        d[rng.random(length) < 0.3] = np.inf
        want = int(np.argmin(d)) if np.isfinite(d).any() else -1
        assert argmin_nonneg(d) == want
    assert argmin_nonneg(np.full(length, np.inf)) == -1


def test_default_cost_is_zero_cost() -> None:
    values = np.random.default_rng(9).normal(0.5, 1.0, (20, 5, 7))
    for prices in ("both", None):
        plain = assign_batch(values, prices=prices)
        zero = assign_batch(values, np.zeros(7), prices=prices)
        _assert_same_fields(plain, zero)


def test_jit_inline_keeps_the_house_options() -> None:
    def twice(a: float) -> float:
        return 2.0 * a

    compiled = jit_inline(twice)
    assert compiled.targetoptions["inline"] == "always"
    for key, value in JIT_OPTIONS.items():
        if key == "cache":  # not a target option: the dispatcher holds a disk cache instead
            assert type(compiled._cache).__name__ != "NullCache"
        else:
            assert compiled.targetoptions[key] == value
    assert compiled.py_func is twice


@pytest.mark.parametrize("n", [1, 7, 65, 130])
def test_square_prices_equal_prices_with_a_spare_column(n: int) -> None:
    """Square problems take the in-place transpose for the maximum prices; a forbidden
    extra provider changes no price and takes the path with a separate buffer."""
    rng = np.random.default_rng(n)
    for trial in range(3):
        v = rng.normal(0.5, 1.0, (n, n)) if trial else rng.integers(0, 4, (n, n)) * 1.0
        wide = np.hstack([v, np.full((n, 1), -np.inf)])
        a, b = assign(v, prices="both"), assign(wide, prices="both")
        np.testing.assert_array_equal(a.provider_index, b.provider_index)
        for name in ("min_prices", "max_prices", "col_duals"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name)[:n], err_msg=name)
        np.testing.assert_array_equal(a.row_duals, b.row_duals)
