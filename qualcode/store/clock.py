"""The store's clock: every stored time is UTC, to the second, in ISO 8601."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
