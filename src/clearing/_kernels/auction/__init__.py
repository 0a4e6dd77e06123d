"""Numba kernels of the auction domain (called only through its validators)."""
