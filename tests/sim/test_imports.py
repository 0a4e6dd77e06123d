"""``import clearing`` and ``import clearing.sim`` load no optional dependency eagerly."""

from __future__ import annotations

import subprocess
import sys


def test_imports_stay_light() -> None:
    code = (
        "import sys, clearing, clearing.sim\n"
        "mods = ('pandas', 'matplotlib', 'tqdm', 'dask', 'mesa')\n"
        "heavy = [m for m in mods if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
