"""Sphinx configuration for the clearing documentation."""

from __future__ import annotations

import importlib.metadata
from typing import Any

project = "clearing"
author = "clearing developers"
copyright = "2026, clearing developers"
release = importlib.metadata.version("clearing")
version = release

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "dollarmath"]
numpydoc_show_class_members = False
# numpydoc checks every documented object's docstring at build time (-W makes a finding an
# error). All checks, except:
numpydoc_validation_checks: set[str] = {
    "all",
    # one-line docstrings of properties and small methods are complete as they stand; an
    # extended summary, a See Also section and a Returns section restating the summary
    # would only repeat it
    "ES01",
    "SA01",
    "RT01",
    # Parameters sections are written for the public functions and classes; methods whose
    # arguments the summary names (``cancel(order_id)``) and the result classes' methods
    # without arguments do not repeat them
    "PR01",
    # Examples are enforced by tests/test_examples.py, which runs them, for every public
    # object (this check would also ask them of private helpers that autodoc shows)
    "EX01",
    # ``row_ind, col_ind : ndarray`` names two returned arrays on one line, the scipy
    # docstring's form, which this check reads as one value with a long type
    "RT02",
}
# Enum members and named-tuple fields are documented by a ``#:`` comment or a field alias,
# not by a numpydoc docstring.
numpydoc_validation_exclude = {
    r"\.[A-Z][A-Z0-9_]*$",
}
autodoc_typehints = "none"
autosummary_generate = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
nitpicky = True
# Third-party targets: the build runs offline, so there is no intersphinx inventory for the
# standard library, numpy, scipy or pandas; these are the ones the docstrings name.
nitpick_ignore = [
    ("py:class", "pandas.DataFrame"),
    ("py:func", "scipy.optimize.linear_sum_assignment"),
    ("py:func", "time.time_ns"),
    ("py:func", "dataclasses.replace"),
]


def _error_alias(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve ``clearing.InputError`` (and a bare ``InputError``) to ``clearing.errors``.

    The exceptions are documented once, in :mod:`clearing.errors`, and re-exported by the
    package, so docstrings name them either way.
    """
    import clearing.errors

    target = node.get("reftarget", "")
    name = target.rsplit(".", 1)[-1]
    if node.get("refdomain") != "py" or name not in clearing.errors.__all__:
        return None
    if target not in (name, f"clearing.{name}"):
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], f"clearing.errors.{name}", node,
        contnode,
    )  # fmt: skip


def setup(app: Any) -> None:
    app.connect("missing-reference", _error_alias)
