"""Sphinx configuration for the clearing documentation."""

from __future__ import annotations

import importlib.metadata

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
numpydoc_validation_checks: set[str] = set()
autodoc_typehints = "none"
autosummary_generate = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
nitpicky = False
