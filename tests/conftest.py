"""Shared test configuration: seeded, bounded hypothesis profiles."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.register_profile("thorough", max_examples=1000, deadline=None, derandomize=False)
# NUMBA_DISABLE_JIT=1 runs the kernels as Python, about a hundred times slower: the coverage
# lane of .ci/run draws fewer examples (tests that set max_examples themselves keep theirs)
settings.register_profile("nojit", parent=settings.get_profile("default"), max_examples=12)
_JIT_OFF = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "nojit" if _JIT_OFF else "default"))
