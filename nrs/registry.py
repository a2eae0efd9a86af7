"""Domains plug into the app, the CLI, the front page and the demo by module name.

A domain that has not got a given module (no views, no demo) is simply skipped; any other
import error is a bug and is raised.
"""

from __future__ import annotations

import importlib
from types import ModuleType


def optional_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        parts = name.split(".")
        missing = {".".join(parts[:i]) for i in range(2, len(parts) + 1)}
        if exc.name in missing:
            return None
        raise
