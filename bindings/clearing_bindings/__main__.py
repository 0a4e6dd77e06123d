"""``python -m clearing_bindings``: the ``clearing`` command without the installed script."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
