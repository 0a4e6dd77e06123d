"""The folders are the layers: no module imports a layer above its own.

bindings → simulator → ledger → the engine (façade, policy, cores) → kernels → shared
(``_jit``, ``errors``). Every import is read from the source (``import`` statements at any
depth, ``TYPE_CHECKING`` blocks included, relative imports resolved), so a type-only import
upwards fails here as well.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"clearing": ROOT / "src" / "clearing", "clearing_bindings": ROOT / "bindings"}

# (prefix, rank): the longest matching prefix decides a module's layer.
LAYERS = [
    # shared pieces every layer may use
    ("clearing._jit", 0),
    ("clearing.errors", 0),
    ("clearing._validate", 0),
    ("clearing._result", 0),
    ("clearing._public", 0),
    ("clearing._status", 0),
    ("clearing._records", 0),
    ("clearing._kernels", 1),
    # the cores and the rules: one domain each, none imports another of this rank
    ("clearing.auction", 2),
    ("clearing.assignment", 2),
    ("clearing.policy", 2),
    ("clearing.orderbook", 3),  # its call-market uncross is a double auction
    ("clearing.market", 4),  # the façade: policy and the cores
    ("clearing", 5),  # the package itself, ``results`` and ``datasets``
    ("clearing.ledger", 6),
    ("clearing.sim", 7),
    ("clearing_bindings", 8),
]
ENGINE = 5  # ranks up to the package itself: the engine, which never needs an extra
# Kernels may use nothing but numba, numpy and the modules of their layer and below.
KERNEL_THIRD_PARTY = {"numba", "numpy", "math", "__future__", "typing", "collections"}
# Optional dependencies: `import clearing` and the engine below the ledger never need them.
EXTRAS = {"sqlalchemy", "psycopg", "pandas", "pyarrow", "fastapi", "uvicorn", "httpx",
          "mesa", "dask", "distributed", "matplotlib", "tqdm"}  # fmt: skip


def rank(module: str) -> int | None:
    best: tuple[int, int] | None = None
    for prefix, r in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and (
            best is None or len(prefix) > best[0]
        ):
            best = (len(prefix), r)
    return None if best is None else best[1]


SAME_RANK_APART = {1, 2}  # kernels and cores of different domains do not import each other


def domain(module: str) -> str:
    """``clearing.auction._api`` -> ``clearing.auction``; kernels by their own domain."""
    parts = module.split(".")
    return ".".join(parts[:3] if parts[1] == "_kernels" else parts[:2])


def modules() -> list[tuple[str, Path]]:
    found = []
    for top, base in PACKAGES.items():
        root = base if top == "clearing" else base / top
        for path in sorted(root.rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.append((".".join([top, *parts]), path))
    return found


def _eager(tree: ast.Module) -> list[ast.stmt]:
    """Statements that run at import: not inside a function, not under ``TYPE_CHECKING``."""
    out: list[ast.stmt] = []
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            todo.extend(node.orelse)
            continue
        out.append(node)
        for field in ("body", "orelse", "finalbody", "handlers"):
            todo.extend(getattr(node, field, []))
    return out


def _walk(tree: ast.Module) -> list[ast.AST]:
    """Every node, except under ``if __name__ == "__main__":`` (a script, not an import)."""
    out: list[ast.AST] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            continue
        out.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return out


def imports(module: str, path: Path, *, eager: bool = False) -> set[str]:
    """Modules that ``module`` imports; with ``eager``, only those imported at import time."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in _eager(tree) if eager else _walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names.add(target)
            # ``from . import x`` may name a submodule
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


MODULES = modules()


def test_the_tree_is_found() -> None:
    names = {m for m, _ in MODULES}
    assert {"clearing", "clearing._kernels.auction.call_market", "clearing_bindings"} <= names


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_no_import_upwards(module: str, path: Path) -> None:
    own = rank(module)
    assert own is not None
    known = {m for m, _ in MODULES}
    for target in sorted(imports(module, path)):
        top = target.split(".")[0]
        if top in PACKAGES:
            if target not in known:  # ``from pkg import name``: the name is not a module
                continue
            if module.startswith(target + "."):  # ``from .. import _validate``: an ancestor
                continue
            other = rank(target)
            assert other is not None and other <= own, f"{module} imports {target} (a layer above)"
            if other == own and own in SAME_RANK_APART:
                assert domain(target) == domain(module), f"{module} imports {target} (a sibling)"
        elif own == 1:
            assert top in KERNEL_THIRD_PARTY, f"kernel module {module} imports {top}"
    if own <= ENGINE:  # the engine may use an extra only inside the function that needs it
        for target in imports(module, path, eager=True):
            assert target.split(".")[0] not in EXTRAS, f"{module} imports {target} at import"


# No import cycle, type-only ones included: a new one fails here.
KNOWN_CYCLES: list[set[str]] = []


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    known = {m for m, _ in MODULES}
    # A package's ``__init__`` loading its own submodules (lazily or not) is not a cycle.
    graph = {
        m: {t for t in imports(m, p) if t in known and t != m and rank(t) is not None}
        - {m.rsplit(".", 1)[0] if "." in m else m, "clearing", "clearing_bindings"}
        for m, p in MODULES
    }
    found = sorted(cycles(graph), key=sorted)
    assert found == KNOWN_CYCLES


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [{"a", "b", "c"}]


def test_the_engine_runs_without_extras() -> None:
    # In a fresh interpreter, clearing an organisation loads none of the optional packages.
    code = (
        "import sys, clearing\n"
        "from clearing import datasets\n"
        "r = clearing.double_auction([10, 8], [1, 1], [4, 9], [1, 1])\n"
        f"print(sorted(m for m in {sorted(EXTRAS)!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    # The checker itself: a core module that imports the ledger is reported.
    src = tmp_path / "auction.py"
    src.write_text("from .ledger import Ledger\nimport pandas\ndef f():\n    import tqdm\n")
    found = imports("clearing.auction", src)
    assert {"clearing.ledger", "pandas", "tqdm"} <= found
    assert "tqdm" not in imports("clearing.auction", src, eager=True)
    assert rank("clearing.ledger") == 6 > rank("clearing.auction") == 2  # type: ignore[operator]
