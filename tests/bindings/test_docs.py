"""The binding pages' examples run as written, and the generated pages do not drift."""

from __future__ import annotations

import doctest
import importlib
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = ROOT / "docs" / "bindings"

_FILE = re.compile(r"```\{code-block\} text\n:caption: (\S+)\n\n(.*?)```", re.S)
_CONSOLE = re.compile(r"```console\n(.*?)```", re.S)


def _sessions(text: str) -> list[tuple[str, str]]:
    """``(command, expected output)`` of every ``$ command`` line of the console blocks."""
    out = []
    for block in _CONSOLE.findall(text):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            cmd, _, expected = chunk.partition("\n")
            out.append((cmd, expected))
    return out


@pytest.mark.parametrize("page", ["cli.md", "jsonl.md"])
def test_console_examples(page: str, tmp_path: pathlib.Path) -> None:
    text = (PAGES / page).read_text(encoding="utf-8")
    files = _FILE.findall(text)
    assert files
    for name, content in files:
        (tmp_path / name).write_text(content, encoding="utf-8")
    env = {
        **os.environ,
        "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "LC_ALL": "C",
    }
    sessions = _sessions(text)
    assert sessions
    for cmd, expected in sessions:
        if cmd.startswith("ls"):  # the listing shows the inputs and what the commands wrote
            names = sorted(p.name for p in tmp_path.iterdir())
            assert names == expected.split(), cmd
            continue
        r = subprocess.run(
            cmd, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert r.stdout == expected, f"$ {cmd}\n{r.stderr}"


def test_http_example(server) -> None:  # type: ignore[no-untyped-def]
    text = (PAGES / "http.md").read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {"BASE": server.url}, "http.md", "http.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert test.examples and runner.failures == 0


def test_schema_page_is_generated_from_the_ops_table() -> None:
    from clearing_bindings._schema_doc import PAGE, markdown

    assert PAGE.read_text(encoding="utf-8") == markdown(), (
        "docs/bindings/schema.md drifted: run `python -m clearing_bindings._schema_doc`"
    )


@pytest.mark.parametrize(
    "name",
    [
        "clearing_bindings.schema",
        "clearing_bindings.ops",
        "clearing_bindings.jsonl",
        "clearing_bindings.tables",
        "clearing_bindings.cli",
        "clearing_bindings.http.app",
        "clearing_bindings.board._state",
        "clearing_bindings.board._tokens",
        "clearing_bindings.board._ledger",
        "clearing_bindings.board._app",
    ],
)
def test_docstring_examples(name: str) -> None:
    if name.endswith("app"):
        pytest.importorskip("fastapi")
    if name.endswith("_ledger"):
        pytest.importorskip("sqlalchemy")
    result = doctest.testmod(importlib.import_module(name), verbose=False)
    assert result.attempted > 0 and result.failed == 0
