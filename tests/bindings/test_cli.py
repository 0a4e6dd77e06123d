"""The ``clearing`` command: the demo clears the bundled market with every mechanism."""

from __future__ import annotations

import pathlib
import subprocess
import sys

from clearing_bindings._demo import demo
from clearing_bindings.cli import main

from clearing import MECHANISMS

DATA = pathlib.Path(__file__).parent / "data"


def test_demo_lists_every_mechanism() -> None:
    text = demo()
    for mechanism in MECHANISMS:
        assert f"\n{mechanism} " in text
    assert "[86.00, 88.00]" in text  # the clearing range worked out in docs/quickstart


def test_demo_is_deterministic() -> None:
    assert demo(seed=5) == demo(seed=5)


def test_demo_prints_what_it_printed_before_the_move() -> None:
    # captured from `python -m clearing demo` before the command moved to the bindings
    assert demo() + "\n" == (DATA / "demo_seed2026.txt").read_text(encoding="utf-8")


def test_main_demo_prints(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo"]) == 0
    assert "uniform" in capsys.readouterr().out


def test_module_entry_point_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "clearing_bindings", "demo"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pay_as_bid" in out.stdout


def test_demo_shows_guard_rails_negotiation_and_explanations() -> None:
    text = demo()
    assert "Negotiations" in text
    assert "external_allowed = false" in text  # a guard rail explained in an unmatched row
    assert "Why units were not served" in text


def test_core_never_imports_the_bindings() -> None:
    src = pathlib.Path(__file__).resolve().parents[2] / "src" / "clearing"
    offenders = [p for p in src.rglob("*.py") if "clearing_bindings" in p.read_text("utf-8")]
    assert offenders == []
    assert not (src / "__main__.py").exists()
