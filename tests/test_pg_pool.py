"""Reusing connections to PostgreSQL (``store/pg_pool.py``): a closed project's connection
serves the next open of the same URL, reset first; a broken one is never handed out; a
closed project's connection cannot be used any more; dropping a database is not stopped by
idle connections to it."""

from __future__ import annotations

import pytest

from qualcode import Project
from qualcode.errors import ProjectError
from qualcode.store.db import Database
from qualcode.store.pg_pool import POOL, Pool
from tests.pg_support import pg_server  # noqa: F401


@pytest.fixture
def url(pg_server):  # noqa: F811
    address = pg_server.new_url("pool")
    Project.create(address).close()
    return address


def test_closing_gives_the_connection_to_the_next_open(url):
    first = Database.open(url)
    raw = first.connection.raw
    first.close()
    assert POOL.idle(url) >= 1
    second = Database.open(url)
    assert second.connection.raw is raw
    second.close()


def test_a_reused_connection_starts_clean(url):
    db = Database.open(url)
    conn = db.connection
    conn.execute("CREATE TEMP TABLE leftover (x INTEGER)")
    conn.execute("SET statement_timeout = 1234")
    conn.raw.execute("BEGIN")  # a transaction left open
    conn.execute("INSERT INTO leftover VALUES (1)")
    raw = conn.raw
    db.close()
    again = Database.open(url)
    assert again.connection.raw is raw
    assert not again.connection.in_transaction
    found = again.connection.execute("SELECT to_regclass('pg_temp.leftover') IS NULL").fetchone()[0]
    assert found is True
    assert again.connection.execute("SHOW statement_timeout").fetchone()[0] == "0"
    again.close()


def test_a_connection_the_server_ended_is_not_reused(url):
    killer = Database.open(url)
    db = Database.open(url)
    pid = db.connection.raw.info.backend_pid
    db.close()  # idle in the pool now
    killer.connection.execute("SELECT pg_terminate_backend(?, 5000)", (pid,))  # waits until it ended
    fresh = Database.open(url)
    assert fresh.connection.raw.info.backend_pid not in (pid, killer.connection.raw.info.backend_pid)
    assert fresh.schema_version() > 0
    fresh.close()
    killer.close()


def test_a_closed_project_cannot_touch_its_old_connection(url):
    db = Database.open(url)
    connection = db.connection
    db.close()
    with pytest.raises(ProjectError, match="closed"), db.reading():
        pass
    with pytest.raises(Exception, match="closed"):
        connection.execute("SELECT 1")
    db.close()  # closing twice is harmless


def test_a_database_with_idle_connections_can_still_be_dropped(url):
    for _ in range(3):
        Database.open(url).close()
    db = Database.open(url)
    db.discard()
    assert POOL.idle(url) == 0
    with pytest.raises(ProjectError, match="cannot reach|does not exist"):
        Database.open(url)


def test_the_pool_keeps_at_most_its_size_and_nothing_when_its_size_is_zero(url):
    import psycopg

    small = Pool(size=2)
    raws = [psycopg.connect(url, autocommit=True) for _ in range(3)]
    for raw in raws:
        small.give(url, raw)
    assert small.idle(url) == 2 and raws[2].closed
    assert small.take(url) is raws[1] and small.take(url) is raws[0] and small.take(url) is None
    none = Pool(size=0)
    spare = psycopg.connect(url, autocommit=True)
    none.give(url, spare)
    assert none.idle(url) == 0 and spare.closed
    for raw in raws[:2]:
        raw.close()


def test_the_pool_keeps_at_most_its_total_over_all_databases_the_oldest_go_first(pg_server):  # noqa: F811
    import psycopg

    urls = [pg_server.new_url("many") for _ in range(3)]
    for address in urls:
        Project.create(address).close()
    pool = Pool(size=2, total=3)
    raws = [(address, psycopg.connect(address, autocommit=True)) for address in urls for _ in range(2)]
    for address, raw in raws:
        pool.give(address, raw)
    assert [pool.idle(a) for a in urls] == [0, 1, 2]  # six given, three kept: the newest
    assert [raw.closed for _, raw in raws] == [True, True, True, False, False, False]
    pool.clear()
    assert all(raw.closed for _, raw in raws)


def test_an_idle_connection_too_old_is_closed_not_reused(url):
    import psycopg

    pool = Pool(size=4, idle_seconds=0.0)
    raw = psycopg.connect(url, autocommit=True)
    pool.give(url, raw)
    assert pool.take(url) is None and raw.closed


def test_an_address_without_a_host_reaches_the_local_socket(pg_server, tmp_path):  # noqa: F811
    """``postgresql:///NAME`` (peer authentication on the local socket, docs/team-server.md):
    created, shown and dropped whole (``urlunsplit`` alone would lose its ``//``)."""
    from qualcode.store.postgres import ServerAddress

    name = pg_server.new_url("socket").rsplit("/", 1)[1]
    url = f"postgresql:///{name}?host={pg_server.folder}&port={pg_server.port}&user=postgres"
    assert str(ServerAddress(url)).startswith(f"postgresql:///{name}?")
    db = Database.create(url)
    assert db.schema_version() > 0
    db.discard()
    with pytest.raises(ProjectError):
        Database.open(url)
