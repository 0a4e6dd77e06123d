"""Numba kernels of the orderbook domain (called only through its validators)."""
