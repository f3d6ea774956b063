"""Connections to PostgreSQL kept for the next open in the same process.

The team server opens the server database and a project for every request; a new
connection costs the PostgreSQL server a new backend process and the client several round
trips (about 5 ms on one machine, more over a network). So closing a project on a server
hands its psycopg connection to :data:`POOL` instead of closing it: rolled back when a
transaction was left open, reset with ``DISCARD ALL`` (temporary tables, settings, session
locks, ``LISTEN``, prepared statements), and kept idle per URL, at most :data:`SIZE` of
them, and at most :data:`TOTAL` over all URLs (the oldest go first). The next open of the same URL takes the one returned last, after checking it (still
open, idle, in autocommit, and answering ``SELECT 1``); otherwise it connects anew.
Opening still checks the schema version every time, so a migration made meanwhile by
another program is seen at once.

A connection idle for more than :data:`IDLE_SECONDS` is closed rather than reused; a
forked child never touches its parent's connections; dropping a database first closes the
idle connections to it. ``QUALCODE_PG_POOL`` sets :data:`SIZE` (``0``: no reuse).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time
from collections import deque
from urllib.parse import urlsplit

SIZE = int(os.environ.get("QUALCODE_PG_POOL", "8"))
# Idle connections kept over all URLs: a process that opens many databases (the tests, a
# server with many projects) must not hold the server's connections (100 by default) idle.
TOTAL = 16
IDLE_SECONDS = 60.0
_ORPHANS: list = []  # a forked child's copies of its parent's connections: never used, never closed


def database_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


class Pool:
    """Idle psycopg connections per URL; safe to use from many threads."""

    def __init__(self, size: int = SIZE, idle_seconds: float = IDLE_SECONDS, total: int = TOTAL):
        self.size, self.idle_seconds, self.total = size, idle_seconds, total
        self._lock = threading.Lock()
        self._idle: dict[str, deque] = {}

    def take(self, url: str):
        """An idle connection to ``url`` that still works, or None (connect anew)."""
        while True:
            with self._lock:
                idle = self._idle.get(url)
                if not idle:
                    return None
                returned, raw = idle.pop()
            if time.monotonic() - returned < self.idle_seconds and _works(raw):
                return raw
            _close(raw)

    def give(self, url: str, raw) -> None:
        """Keep ``raw`` for the next open of ``url`` when it can be reset; else close it."""
        if self.size <= 0 or not _reset(raw):
            _close(raw)
            return
        closing = []
        with self._lock:
            idle = self._idle.setdefault(url, deque())
            now = time.monotonic()
            while idle and now - idle[0][0] >= self.idle_seconds:
                closing.append(idle.popleft()[1])
            if len(idle) < self.size:
                idle.append((now, raw))
            else:
                closing.append(raw)
            closing += self._over_total()
        for stale in closing:
            _close(stale)

    def _over_total(self) -> list:
        """Take the oldest idle connections (of any URL) past :attr:`total`, to be closed."""
        taken = []
        while sum(len(q) for q in self._idle.values()) > self.total:
            oldest = min((q for q in self._idle.values() if q), key=lambda q: q[0][0])
            taken.append(oldest.popleft()[1])
        for url in [u for u, q in self._idle.items() if not q]:
            del self._idle[url]
        return taken

    def clear(self, database: str | None = None) -> None:
        """Close the idle connections to the database named ``database`` (None: every one)."""
        with self._lock:
            urls = [u for u in self._idle if database is None or database_of(u) == database]
            closing = [raw for u in urls for _, raw in self._idle.pop(u)]
        for raw in closing:
            _close(raw)

    def idle(self, url: str) -> int:
        """How many connections to ``url`` wait to be reused."""
        with self._lock:
            return len(self._idle.get(url, ()))

    def forget(self) -> None:
        """In a forked child: leave the parent's connections alone (closing one here would end
        the parent's session on the server). No lock: another thread may have held it."""
        _ORPHANS.append(self._idle)
        self._idle, self._lock = {}, threading.Lock()


def _works(raw) -> bool:
    from psycopg.pq import TransactionStatus

    if raw.closed or raw.broken or not raw.autocommit:
        return False
    if raw.info.transaction_status != TransactionStatus.IDLE:
        return False
    try:
        raw.execute("SELECT 1")
    except Exception:  # any failure: not reused
        return False
    return True


def _reset(raw) -> bool:
    """Roll back what was left open and reset the session; whether ``raw`` may be reused."""
    from psycopg.pq import TransactionStatus

    if raw.closed or raw.broken or not raw.autocommit:
        return False
    status = raw.info.transaction_status
    try:
        if status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
            raw.execute("ROLLBACK")
        elif status != TransactionStatus.IDLE:
            return False  # a query still running, or the connection lost
        raw.execute("DISCARD ALL")
    except Exception:  # any failure: closed instead
        return False
    return raw.info.transaction_status == TransactionStatus.IDLE


def _close(raw) -> None:
    with contextlib.suppress(Exception):  # closing a broken connection may fail too
        raw.close()


POOL = Pool()
atexit.register(POOL.clear)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=POOL.forget)
