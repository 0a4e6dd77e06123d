"""The order book's state buffer: layout, allocation and growth.

One int64 array ``S`` holds a small header, the meta counters, the order/level table, the id
hash table, the report buffer and (through ``S.view(float64)``) the float totals and report
quantities. :func:`clearing._kernels.orderbook.book.views` cuts it into the arrays the kernels use;
:func:`bind` does the same in Python so the book can also pass the arrays one by one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._kernels.orderbook import book as _k
from .._kernels.orderbook import index as _ki

if TYPE_CHECKING:
    from ._book import OrderBook


def new_state(
    cap: int, fcap: int, *, div: bool, rnd: bool, scale: float, tick: float
) -> np.ndarray:
    """An uninitialised buffer for ``cap`` order slots and ``fcap`` report rows."""
    hcap = 2 * cap
    dcap = 2 * cap  # ids below dcap are indexed directly (dense ids never hash)
    off_m = _k.HEADER
    off_b = off_m + 16
    off_h = off_b + 2 * cap * _k.NCOLS
    off_fi = off_h + 2 + dcap + 2 * hcap
    off_mf = off_fi + fcap * _k.R_NCOLS
    off_ff = off_mf + 8
    # zeros: the index reads 0 as empty, and untouched zero pages cost nothing
    S = np.zeros(off_ff + fcap, dtype=np.int64)
    S[[_k.S_CAP, _k.S_HCAP, _k.S_FCAP]] = cap, hcap, fcap
    S[[_k.S_OFF_M, _k.S_OFF_B, _k.S_OFF_H, _k.S_OFF_FI, _k.S_OFF_MF, _k.S_OFF_FF]] = (
        off_m, off_b, off_h, off_fi, off_mf, off_ff
    )  # fmt: skip
    S[_k.S_DCAP] = dcap
    S[off_h] = dcap
    S[_k.S_DIV] = int(div)
    S[_k.S_ROUND] = int(rnd)
    Sf = S.view(np.float64)
    Sf[_k.S_SCALE] = scale
    Sf[_k.S_TICK] = tick
    return S


def bind(book: OrderBook, S: np.ndarray) -> None:
    """Make ``S`` the book's state and refresh the array views kept on the book.

    The kernels use the tables flat; the book keeps 2-D views (``_I`` is ``(2 * cap,
    NCOLS)``, ``_FI`` is ``(fcap, R_NCOLS)``; ``_H`` stays flat) and passes
    ``.ravel()`` (a view) to the kernels.
    """
    book._S = S
    B, F, H, M, MF, FI, FF = _k.views(S)  # type: ignore[no-untyped-call]
    book._I = B.reshape(-1, _k.NCOLS)
    book._F = F.reshape(-1, _k.NCOLS)
    book._H = H
    book._M, book._MF = M, MF
    book._FI = FI.reshape(-1, _k.R_NCOLS)
    book._FF = FF


def settings(S: np.ndarray) -> dict[str, float | bool]:
    Sf = S.view(np.float64)
    return {
        "div": bool(S[_k.S_DIV]),
        "rnd": bool(S[_k.S_ROUND]),
        "scale": float(Sf[_k.S_SCALE]),
        "tick": float(Sf[_k.S_TICK]),
    }


def regrow(book: OrderBook, cap: int, fcap: int) -> None:
    """Move the state into a buffer with ``cap`` slots and ``fcap`` report rows.

    Only what is in use is copied: slots below the high-water mark, the levels, the report
    rows written so far; the hash table is rebuilt when ``cap`` changes.
    """
    old = book._S
    S = new_state(cap, fcap, **settings(old))  # type: ignore[arg-type]
    oB, oH, oM, oMF, oFI, oFF = book._I, book._H, book._M, book._MF, book._FI, book._FF
    bind(book, S)
    B, H, M, MF, FI, FF = book._I, book._H, book._M, book._MF, book._FI, book._FF
    ocap = oB.shape[0] // 2
    M[:] = oM
    MF[:] = oMF
    hwm = int(oM[_k.M_HWM])
    B[:hwm] = oB[:hwm]
    nlv = int(max(oM[_k.M_NLV], oM[_k.M_NLV + 1]))
    B[cap : cap + nlv] = oB[ocap : ocap + nlv]
    if cap == ocap:
        H[:] = oH
    else:
        _ki.rehash(oH, H)  # type: ignore[no-untyped-call]
    used = int(oM[_k.M_NFILL])
    FI[:used] = oFI[:used]
    FF[:used] = oFF[:used]
