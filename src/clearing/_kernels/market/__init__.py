"""Kernels of the market façade: factorising label columns."""
