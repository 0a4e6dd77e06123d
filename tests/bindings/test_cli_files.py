"""``clearing clear``, ``auction``, ``assign``: files in, files out, errors with places."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest
from clearing_bindings.cli import main

ORG = pathlib.Path(__file__).resolve().parents[2] / "src" / "clearing" / "data"
REQ, OFF, POL = ORG / "org_requests.csv", ORG / "org_offers.csv", ORG / "org_policy.toml"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clearing_bindings", *args], capture_output=True, text=True
    )


def test_clear_writes_the_four_tables(tmp_path: pathlib.Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from clearing import Policy, clear
    from clearing.market._demo import load_organisation

    assert main(["clear", str(REQ), str(OFF), "--policy", str(POL), "--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["allocations.csv", "markets.csv", "negotiations.csv", "unmatched.csv"]
    requests, offers, _ = load_organisation()
    expected = clear(requests, offers, Policy.from_toml(POL))
    lines = (tmp_path / "allocations.csv").read_text().splitlines()
    assert len(lines) == 1 + len(expected.allocations)
    assert lines[0].split(",")[:3] == ["request_id", "offer_id", "team"]
    assert "allocations" in capsys.readouterr().out


def test_clear_refuses_to_overwrite_without_force(tmp_path: pathlib.Path) -> None:
    assert main(["clear", str(REQ), str(OFF), "--out", str(tmp_path)]) == 0
    before = (tmp_path / "markets.csv").read_bytes()
    r = _run("clear", str(REQ), str(OFF), "--policy", str(POL), "--out", str(tmp_path))
    assert r.returncode == 1
    assert "exists; pass --force" in r.stderr
    assert (tmp_path / "markets.csv").read_bytes() == before
    assert (
        main(["clear", str(REQ), str(OFF), "--policy", str(POL), "--out", str(tmp_path), "--force"])
        == 0
    )
    assert (tmp_path / "markets.csv").read_bytes() != before


def test_bad_row_names_file_line_and_column_and_writes_nothing(tmp_path: pathlib.Path) -> None:
    lines = REQ.read_text().splitlines()
    head = lines[0].split(",")
    row = lines[3].split(",")
    row[head.index("quantity")] = "-5"
    lines[3] = ",".join(row)
    bad = tmp_path / "requests.csv"
    bad.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    r = _run("clear", str(bad), str(OFF), "--out", str(out))
    assert r.returncode == 1
    assert f"{bad}, line 4, column 'quantity'" in r.stderr
    assert not out.exists()


def test_unparsable_cell_is_reported_before_clearing(tmp_path: pathlib.Path) -> None:
    bids = tmp_path / "bids.csv"
    bids.write_text("party,price,quantity\nops,10,1\ncare,ten,1\n")
    asks = tmp_path / "asks.csv"
    asks.write_text("party,price,quantity\nla,4,1\n")
    r = _run("auction", str(bids), str(asks), "--out", str(tmp_path / "o"))
    assert r.returncode == 1
    assert "bids.csv, line 3, column 'price': 'ten' is not a number" in r.stderr
    assert not (tmp_path / "o").exists()


def test_auction_json_in_json_out(tmp_path: pathlib.Path) -> None:
    (tmp_path / "b.json").write_text(
        json.dumps([{"price": 10, "quantity": 1}, {"price": 8, "quantity": 1}])
    )
    (tmp_path / "a.json").write_text(json.dumps({"price": [4, 7], "quantity": [1, 1]}))
    out = tmp_path / "o"
    assert (
        main(["auction", str(tmp_path / "b.json"), str(tmp_path / "a.json"), "--out", str(out)])
        == 0
    )
    trades = json.loads((out / "trades.json").read_text())
    assert [t["buyer_price"] for t in trades] == [7.5, 7.5]
    bids = json.loads((out / "bids.json").read_text())
    assert [b["reason"] for b in bids] == ["filled", "filled"]


def test_auction_parquet(tmp_path: pathlib.Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(
        pa.table({"price": [10.0, 8.0, 6.0], "quantity": [1.0, 1.0, 1.0]}), tmp_path / "b.parquet"
    )
    pq.write_table(
        pa.table({"price": [4.0, 7.0, 9.0], "quantity": [1.0, 1.0, 1.0]}), tmp_path / "a.parquet"
    )
    out = tmp_path / "o"
    assert (
        main(
            ["auction", str(tmp_path / "b.parquet"), str(tmp_path / "a.parquet"), "--out", str(out)]
        )
        == 0
    )
    assert pq.read_table(out / "bids.parquet").to_pydict()["filled"] == [1.0, 1.0, 0.0]


def test_library_error_in_json_names_the_record(tmp_path: pathlib.Path) -> None:
    (tmp_path / "b.json").write_text('[{"price": 10, "quantity": 1}, {"price": 8, "quantity": -1}]')
    (tmp_path / "a.json").write_text('{"price": [4], "quantity": [1]}')
    r = _run("auction", str(tmp_path / "b.json"), str(tmp_path / "a.json"))
    assert r.returncode == 1
    assert "b.json, record 2, column 'quantity'" in r.stderr


def test_assign_wide_table(tmp_path: pathlib.Path, capsys) -> None:  # type: ignore[no-untyped-def]
    values = tmp_path / "v.csv"
    values.write_text("request,legal_a,legal_b\nr1,9,6\nr2,8,7\nr3,5,\n")
    assert main(["assign", str(values), "--out", str(tmp_path / "o")]) == 0
    rows = (tmp_path / "o" / "assignments.csv").read_text().splitlines()
    assert rows[1:] == [
        "r1,legal_a,9.0,4.0,matched",
        "r2,legal_b,7.0,5.0,matched",
        "r3,,,0.0,lost_to_competition",
    ]
    assert "welfare 16" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["clear"],
        ["clear", "a.csv"],
        ["auction", "--mechanism", "nope", "a", "b"],
        ["nope"],
        ["serve"],
        ["serve", "--stdio", "--http"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2


def test_unknown_format_and_missing_file_exit_1(tmp_path: pathlib.Path) -> None:
    (tmp_path / "r.xlsx").write_text("x")
    r = _run("clear", str(tmp_path / "r.xlsx"), str(OFF))
    assert r.returncode == 1 and "unknown table format '.xlsx'" in r.stderr
    r = _run("clear", str(tmp_path / "missing.csv"), str(OFF))
    assert r.returncode == 1 and "no such file" in r.stderr


def test_every_subcommand_has_help(capsys) -> None:  # type: ignore[no-untyped-def]
    from clearing_bindings._registry import COMMANDS

    for name in COMMANDS:
        with pytest.raises(SystemExit) as exc:
            main([name, "--help"])
        assert exc.value.code == 0 and "exit codes: 0 ok" in capsys.readouterr().out, name


def test_bench_without_a_checkout_says_so(tmp_path: pathlib.Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import clearing_bindings.cli as cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "__file__", str(tmp_path / "a" / "b" / "cli.py"))
    assert cli._compare_script() is None
    assert main(["bench"]) == 1


def test_bench_finds_compare_py_in_this_checkout() -> None:
    import clearing_bindings.cli as cli

    script = cli._compare_script()
    assert script is not None and script.name == "compare.py"
    r = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--quick" in r.stdout


def test_progress_bar_on_request(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("tqdm")
    r = _run("clear", str(REQ), str(OFF), "--progress", "--out", str(tmp_path / "o"))
    assert r.returncode == 0
    assert "clear" in r.stderr and "step" in r.stderr  # tqdm's bar, on stderr
