"""A PostgreSQL server of the tests' own: ``initdb`` and ``pg_ctl`` on a temporary folder and
port (as the ``postgres`` user when the tests run as root), stopped when the tests end.

Debian's ``postgresql`` package provides the programs (``.ci/run`` installs it). Without
them the PostgreSQL tests skip, unless ``QUALCODE_REQUIRE_POSTGRES=1`` (set by CI), when
they fail: CI must never pass by skipping the second engine.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def _binaries() -> Path | None:
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").exists() and Path(folder, "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing(reason: str):
    if os.environ.get("QUALCODE_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required here (QUALCODE_REQUIRE_POSTGRES=1) but {reason}")
    pytest.skip(f"no PostgreSQL server for the tests: {reason}")


class Server:
    """A running test server; :meth:`new_url` names a fresh, not yet created database."""

    def __init__(self, folder: Path, port: int, as_postgres: bool):
        self.folder, self.port, self.as_postgres = folder, port, as_postgres
        self.base = f"postgresql://postgres@127.0.0.1:{port}"

    def new_url(self, prefix: str = "qc") -> str:
        return f"{self.base}/{prefix}_{uuid.uuid4().hex[:12]}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)


def start_server() -> tuple[Server | None, str]:
    """Start a server; (None, why) when this machine cannot."""
    binaries = _binaries()
    if binaries is None:
        return None, "initdb/pg_ctl not found (apt-get install postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "psycopg is not installed (pip install 'qualcode[team]')"
    as_postgres = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="qualcode-pg-"))
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
    server = Server(folder, _free_port(), as_postgres)
    data, sockets = folder / "data", folder
    server.run(str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
               "--locale=C.UTF-8")  # fmt: skip
    options = (
        f"-p {server.port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        " -c max_connections=300"  # hundreds of test databases, each with its connections
    )
    started = server.run(
        str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start",
        check=False,
    )  # fmt: skip
    if started.returncode != 0:
        log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
        return None, f"pg_ctl start failed: {started.stderr.strip()} {log[-500:]}"
    server.pg_ctl = binaries / "pg_ctl"
    return server, ""


def stop_server(server: Server) -> None:
    server.run(str(server.pg_ctl), "-D", str(server.folder / "data"), "-m", "immediate", "stop", check=False)
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    server, why = start_server()
    if server is None:
        _missing(why)
    try:
        yield server
    finally:
        stop_server(server)


class Redirect:
    """Projects the tests create as files (``tmp_path / "study.qc"``) made on the test server
    instead: each file path names one database, so the same tests run on both engines."""

    def __init__(self, server: Server):
        self.server = server
        self.urls: dict[str, str] = {}

    def url(self, path, create: bool) -> str | None:
        from qualcode.store.postgres import is_url

        if is_url(path):
            return str(path)
        key = str(Path(path).resolve())
        if create and key not in self.urls:
            self.urls[key] = self.server.new_url("test")
            Path(path).touch()  # the file exists, as after a real create (tests may look for it)
        return self.urls.get(key)

    def install(self, monkeypatch) -> None:
        from qualcode.store.db import Database
        from qualcode.store.postgres import PostgresDatabase
        from qualcode.store.schemas import PROJECT

        original_create, original_open = Database.create.__func__, Database.open.__func__

        def create(cls, path, schema=PROJECT):
            if schema is not PROJECT:  # only project files move to the server
                return original_create(cls, path, schema)
            if self.url(path, create=False) is not None:
                return PostgresDatabase.create(self.url(path, create=False))
            if Path(path).exists():
                return original_create(cls, path)  # the file's own refusal
            return PostgresDatabase.create(self.url(path, create=True))

        def open_(cls, path, read_only=False, schema=PROJECT):
            url = self.url(path, create=False) if schema is PROJECT else None
            return (
                PostgresDatabase.open(url, read_only) if url else original_open(cls, path, read_only, schema)
            )

        monkeypatch.setattr(Database, "create", classmethod(create))
        monkeypatch.setattr(Database, "open", classmethod(open_))
