"""Moving a project between engines: ``qualcode push`` (a file to a PostgreSQL server) and
``qualcode pull`` (a server back to a file) copy every table, ids and all, in one
transaction on the new project; a copy that fails leaves no new project behind."""

from __future__ import annotations

import contextlib

from qualcode.errors import InputError
from qualcode.store import copying
from qualcode.store.db import Database
from qualcode.store.postgres import ServerAddress, is_url


def copy_project(db, target) -> dict[str, int]:
    """Copy the open project ``db`` to ``target`` (a new file or a URL of a new database);
    the number of rows copied per table."""
    if str(target) == str(getattr(db.path, "url", db.path)):
        raise InputError(f"{target} is the project itself; name a new file or database")
    with copying_into(db, target) as (source, conn):
        return copying.copy_rows(source, conn)


@contextlib.contextmanager
def copying_into(db, target):
    """A new project at ``target`` to fill from ``db``: yields (a read transaction on ``db``,
    the write transaction on the new project); new ids follow the copied ones afterwards, and
    anything raised inside leaves no new project behind."""
    copy = Database.create(target)
    try:
        with db.reading() as source, copy.transaction() as conn:
            yield source, conn
            copy.restart_ids()
    except BaseException:
        copy.discard()
        raise
    copy.close()


def check_direction(source, target, push: bool) -> None:
    """``push`` goes from a file to a server, ``pull`` from a server to a file."""
    if push and (is_url(source) or not is_url(target)):
        raise InputError(
            "qualcode push copies a project file to a server: qualcode push study.qc postgresql://HOST/NAME"
        )
    if not push and (not is_url(source) or is_url(target)):
        raise InputError(
            "qualcode pull copies a project on a server to a file: qualcode pull postgresql://HOST/NAME copy.qc"
        )


def shown(target) -> str:
    """``target`` as messages show it: a URL without its password."""
    return str(ServerAddress(target)) if is_url(str(target)) else str(target)
