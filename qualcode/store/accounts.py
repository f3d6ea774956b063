"""The team server's tables (:mod:`qualcode.store.server_schema`): users, sessions, projects,
memberships, invitations and failed logins. Every query of the server database is here; the
rules (who may, for how long, how often) are in :mod:`qualcode.team`."""

from __future__ import annotations

# -- users ------------------------------------------------------------------------------------


def add_user(conn, name: str, name_key: str, password_hash: str, at: str) -> int:
    cursor = conn.execute(
        "INSERT INTO users (name, name_key, password_hash, created_at) VALUES (?, ?, ?, ?)",
        (name, name_key, password_hash, at),
    )
    return cursor.lastrowid


def user_by_key(conn, name_key: str):
    """The user row whose case-folded name is ``name_key`` (None when there is none)."""
    return conn.execute(
        "SELECT id, name, password_hash, disabled FROM users WHERE name_key = ?", (name_key,)
    ).fetchone()


def set_password_hash(conn, user_id: int, password_hash: str) -> None:
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def set_disabled(conn, user_id: int, disabled: bool) -> None:
    conn.execute("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), user_id))


def user_names(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM users ORDER BY name_key")]


# -- sessions ---------------------------------------------------------------------------------


def add_session(conn, token_hash: str, user_id: int, csrf: str, at: str, expires_at: str) -> None:
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (token_hash, user_id, csrf, at, expires_at, at),
    )


def session_row(conn, token_hash: str):
    """A session with its user, its chosen project and the user's role there now (one read,
    so every request re-checks the membership): None for an unknown token."""
    return conn.execute(
        "SELECT s.id, s.user_id, s.csrf, s.expires_at, s.last_seen, s.project_id, "
        "u.name AS user_name, u.disabled, p.name AS project_name, p.address, m.role "
        "FROM sessions s JOIN users u ON u.id = s.user_id "
        "LEFT JOIN projects p ON p.id = s.project_id "
        "LEFT JOIN memberships m ON m.project_id = s.project_id AND m.user_id = s.user_id "
        "WHERE s.token_hash = ?",
        (token_hash,),
    ).fetchone()


def session_id(conn, token_hash: str) -> int | None:
    row = conn.execute("SELECT id FROM sessions WHERE token_hash = ?", (token_hash,)).fetchone()
    return row[0] if row else None


def touch_session(conn, session_id: int, at: str, expires_at: str) -> None:
    conn.execute(
        "UPDATE sessions SET last_seen = ?, expires_at = ? WHERE id = ?", (at, expires_at, session_id)
    )


def set_session_project(conn, session_id: int, project_id: int | None) -> None:
    conn.execute("UPDATE sessions SET project_id = ? WHERE id = ?", (project_id, session_id))


def delete_session(conn, token_hash: str) -> None:
    conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))


def delete_expired_sessions(conn, now: str) -> None:
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))


def delete_user_sessions(conn, user_id: int) -> None:
    conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))


# -- login failures ---------------------------------------------------------------------------


def add_login_failure(conn, name_key: str, ip: str, at: str) -> None:
    conn.execute("INSERT INTO login_failures (name, ip, at) VALUES (?, ?, ?)", (name_key, ip, at))


def login_failure_times(conn, name_key: str, ip: str, since: str) -> tuple[list[str], list[str]]:
    """The times of failed logins since ``since``: for this name, and from this address."""
    by_name = conn.execute(
        "SELECT at FROM login_failures WHERE name = ? AND at > ? ORDER BY at", (name_key, since)
    ).fetchall()
    by_ip = conn.execute(
        "SELECT at FROM login_failures WHERE ip = ? AND at > ? ORDER BY at", (ip, since)
    ).fetchall()
    return [r[0] for r in by_name], [r[0] for r in by_ip]


def clear_login_failures(conn, name_key: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE name = ?", (name_key,))


def delete_old_login_failures(conn, before: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE at <= ?", (before,))


# -- projects and memberships -----------------------------------------------------------------


def add_project(conn, name: str, address: str, created_by: int | None, at: str) -> int:
    cursor = conn.execute(
        "INSERT INTO projects (name, address, created_by, created_at) VALUES (?, ?, ?, ?)",
        (name, address, created_by, at),
    )
    return cursor.lastrowid


def project_by_name(conn, name: str):
    return conn.execute("SELECT id, name, address FROM projects WHERE name = ?", (name,)).fetchone()


def projects_of(conn, user_id: int) -> list:
    """The projects ``user_id`` belongs to, with the role there, by name."""
    return conn.execute(
        "SELECT p.id, p.name, m.role FROM memberships m JOIN projects p ON p.id = m.project_id "
        "WHERE m.user_id = ? ORDER BY p.name",
        (user_id,),
    ).fetchall()


def role_of(conn, project_id: int, user_id: int) -> str | None:
    row = conn.execute(
        "SELECT role FROM memberships WHERE project_id = ? AND user_id = ?", (project_id, user_id)
    ).fetchone()
    return row[0] if row else None


def set_membership(conn, project_id: int, user_id: int, role: str, at: str) -> None:
    """Add ``user_id`` to the project with ``role``, or give a member that role."""
    conn.execute(
        "INSERT INTO memberships (project_id, user_id, role, added_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role",
        (project_id, user_id, role, at),
    )


def remove_membership(conn, project_id: int, user_id: int) -> int:
    cursor = conn.execute(
        "DELETE FROM memberships WHERE project_id = ? AND user_id = ?", (project_id, user_id)
    )
    return cursor.rowcount


def members(conn, project_id: int) -> list:
    """The project's members: (user id, name, role, added at), by name."""
    return conn.execute(
        "SELECT u.id, u.name, m.role, m.added_at FROM memberships m JOIN users u ON u.id = m.user_id "
        "WHERE m.project_id = ? ORDER BY u.name_key",
        (project_id,),
    ).fetchall()


def owner_count(conn, project_id: int) -> int:
    return conn.execute(
        "SELECT COUNT(*) FROM memberships WHERE project_id = ? AND role = 'owner'", (project_id,)
    ).fetchone()[0]


# -- invitations ------------------------------------------------------------------------------


def add_invitation(
    conn, token_hash: str, project_id: int, role: str, created_by: int | None, at: str, expires_at: str
) -> int:
    cursor = conn.execute(
        "INSERT INTO invitations (token_hash, project_id, role, created_by, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (token_hash, project_id, role, created_by, at, expires_at),
    )
    return cursor.lastrowid


def invitation_row(conn, token_hash: str):
    """An invitation with its project's name (None for an unknown token)."""
    return conn.execute(
        "SELECT i.id, i.project_id, p.name AS project_name, i.role, i.expires_at, i.used_at "
        "FROM invitations i JOIN projects p ON p.id = i.project_id WHERE i.token_hash = ?",
        (token_hash,),
    ).fetchone()


def use_invitation(conn, invitation_id: int, user_id: int, at: str) -> bool:
    """Mark the invitation used by ``user_id``; False when it was used already (one use only,
    even when two people accept it at the same moment)."""
    cursor = conn.execute(
        "UPDATE invitations SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
        (at, user_id, invitation_id),
    )
    return cursor.rowcount == 1


def open_invitations(conn, project_id: int, now: str) -> list:
    """The project's invitations not used and not expired: (id, role, created at, expires at)."""
    return conn.execute(
        "SELECT id, role, created_at, expires_at FROM invitations "
        "WHERE project_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY id",
        (project_id, now),
    ).fetchall()


def withdraw_invitation(conn, project_id: int, invitation_id: int) -> int:
    cursor = conn.execute(
        "DELETE FROM invitations WHERE id = ? AND project_id = ? AND used_at IS NULL",
        (invitation_id, project_id),
    )
    return cursor.rowcount
