"""Numba kernels of the assignment domain (called only through its validators)."""
