"""Every page module's ``ROUTES``, found by name (a new page is a new module here)."""

from __future__ import annotations

import importlib
import pkgutil

ROUTES = [
    route
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
    for route in importlib.import_module(f"{__name__}.{info.name}").ROUTES
]
