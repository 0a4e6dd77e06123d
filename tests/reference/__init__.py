"""Slow, obviously correct pure-Python twins of the jitted kernels.

Each twin follows the written definition of its kernel step by step, with no attempt at
speed, so that agreement between a kernel and its twin on random inputs is real evidence.
"""
