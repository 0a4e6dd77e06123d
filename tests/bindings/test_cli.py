"""The ``clearing`` command: the demo clears the bundled market with every mechanism."""

from __future__ import annotations

import subprocess
import sys

from clearing import MECHANISMS
from clearing.__main__ import demo, main


def test_demo_lists_every_mechanism() -> None:
    text = demo()
    for mechanism in MECHANISMS:
        assert f"\n{mechanism} " in text
    assert "[86.00, 88.00]" in text  # the clearing range worked out in docs/quickstart


def test_demo_is_deterministic() -> None:
    assert demo(seed=5) == demo(seed=5)


def test_main_demo_prints(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo"]) == 0
    assert "uniform" in capsys.readouterr().out


def test_module_entry_point_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "clearing", "demo"], capture_output=True, text=True, check=True
    )
    assert "pay_as_bid" in out.stdout


def test_demo_shows_guard_rails_negotiation_and_explanations() -> None:
    text = demo()
    assert "Negotiations" in text
    assert "external_allowed = false" in text  # a guard rail explained in an unmatched row
    assert "Why units were not served" in text
