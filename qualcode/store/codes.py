"""SQL for the codebook: versions, codes, their history, renames, moves and merges."""

from __future__ import annotations

import json
import sqlite3

from qualcode.codebook.model import Code, Codebook
from qualcode.errors import ConflictError
from qualcode.store.db import utc_now


def apply_codebook(conn: sqlite3.Connection, codebook: Codebook, origin: str) -> dict[str, list[str]]:
    """Make ``codebook`` the project's current codebook, as a new version.

    Codes are matched by name, or by a name in ``formerly`` (a rename); a matched code keeps
    its row, so its codings stay with it whatever else changed. Codes named in ``merges``
    point at the code that absorbed them; codes missing from the new version are retired.
    Returns the names per kind of change.
    """
    now = utc_now()
    version = conn.execute(
        "INSERT INTO codebook_versions (name, origin, created_at) VALUES (?, ?, ?)",
        (codebook.name, origin, now),
    ).lastrowid
    rows = {r["name"]: r for r in conn.execute("SELECT * FROM codes")}
    changes: dict[str, list[str]] = {
        k: [] for k in ("added", "renamed", "changed", "moved", "merged", "retired")
    }
    ids: dict[str, int] = {}
    kept: dict[int, str] = {}
    for position, code in enumerate(codebook.ordered()):
        row = rows.get(code.name)
        change = None
        if row is None:
            row = next((rows[old] for old in code.formerly if old in rows), None)
            if row is not None:
                change = "renamed"
        values = (
            code.name,
            code.description,
            code.kind,
            code.label,
            code.colour,
            json.dumps(code.details(), ensure_ascii=False),
            position,
        )
        if row is None:
            ids[code.name] = conn.execute(
                "INSERT INTO codes (name, description, kind, label, colour, details, position, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, now),
            ).lastrowid
            change = "added"
        else:
            ids[code.name] = row["id"]
            if change is None and _differs(row, code):
                change = "changed"
            conn.execute(
                "UPDATE codes SET name = ?, description = ?, kind = ?, label = ?, colour = ?, details = ?, "
                "position = ?, merged_into = NULL, retired_in = NULL WHERE id = ?",
                (*values, row["id"]),
            )
        kept[ids[code.name]] = change or "unchanged"
        if change:
            changes[change].append(code.name)
    for code in codebook.codes:
        parent_id = ids[code.parent] if code.parent else None
        old = conn.execute("SELECT parent_id FROM codes WHERE id = ?", (ids[code.name],)).fetchone()[0]
        if old != parent_id:
            conn.execute("UPDATE codes SET parent_id = ? WHERE id = ?", (parent_id, ids[code.name]))
            if kept[ids[code.name]] != "added":
                if kept[ids[code.name]] == "unchanged":
                    kept[ids[code.name]] = "moved"
                changes["moved"].append(code.name)
    for code in codebook.codes:
        for absorbed in code.merges:
            row = rows.get(absorbed)
            if row is None:
                continue
            target = ids[code.name]
            conn.execute(
                "UPDATE codes SET merged_into = ?, retired_in = NULL, parent_id = NULL WHERE id = ?",
                (target, row["id"]),
            )
            conn.execute("UPDATE codes SET merged_into = ? WHERE merged_into = ?", (target, row["id"]))
            kept[row["id"]] = "merged"
            changes["merged"].append(absorbed)
    for row in rows.values():
        if row["id"] not in kept and row["merged_into"] is None and row["retired_in"] is None:
            conn.execute(
                "UPDATE codes SET retired_in = ?, parent_id = NULL WHERE id = ?", (version, row["id"])
            )
            kept[row["id"]] = "retired"
            changes["retired"].append(row["name"])
    conn.executemany(
        "INSERT INTO code_history (version_id, code_id, change, name, parent_id, kind, description, details) "
        "SELECT ?, id, ?, name, parent_id, kind, description, details FROM codes WHERE id = ?",
        [(version, change, code_id) for code_id, change in kept.items()],
    )
    conn.execute(
        "UPDATE codebook_versions SET summary = ? WHERE id = ?",
        (json.dumps({k: len(v) for k, v in changes.items()}), version),
    )
    return changes


def _differs(row: sqlite3.Row, code: Code) -> bool:
    return (row["description"], row["kind"], row["label"], row["colour"], json.loads(row["details"])) != (
        code.description,
        code.kind,
        code.label,
        code.colour,
        code.details(),
    ) or row["retired_in"] is not None


def current_codebook(conn: sqlite3.Connection) -> Codebook:
    """The active codes (not retired, not merged away), in codebook order."""
    rows = conn.execute(
        "SELECT c.*, p.name AS parent_name FROM codes c LEFT JOIN codes p ON p.id = c.parent_id "
        "WHERE c.retired_in IS NULL AND c.merged_into IS NULL ORDER BY c.position, c.id"
    ).fetchall()
    name = conn.execute("SELECT name FROM codebook_versions ORDER BY id DESC LIMIT 1").fetchone()
    codes = [
        _code(
            row,
            row["parent_name"],
            [r[0] for r in conn.execute("SELECT name FROM codes WHERE merged_into = ?", (row["id"],))],
        )
        for row in rows
    ]
    return Codebook(codes, name=name[0] if name else "")


def retired_codes_in_use(conn: sqlite3.Connection) -> list[Code]:
    """Retired codes that current codings still use (an export must still define them)."""
    rows = conn.execute(
        """
        SELECT DISTINCT k.name, k.description, k.kind, k.label, k.colour, k.details
          FROM current_codings c JOIN resolved_codes k ON k.code_id = c.code_id
         WHERE k.retired_in IS NOT NULL ORDER BY k.name
        """
    ).fetchall()
    return [_code(row) for row in rows]


def _code(row: sqlite3.Row, parent: str | None = None, merges: list[str] | None = None) -> Code:
    """A stored code row as a :class:`Code` (its criteria, examples and words from ``details``)."""
    details = json.loads(row["details"])
    return Code(
        name=row["name"],
        description=row["description"],
        parent=parent,
        kind=row["kind"],
        label=row["label"],
        colour=row["colour"],
        merges=merges or [],
        **{k: details.get(k, []) for k in ("inclusion", "exclusion", "examples", "keywords", "lemmas")},
    )


def code_ids(conn: sqlite3.Connection) -> dict[str, int]:
    """Every code name the project has known, mapped to the code that now stands for it."""
    return {r[0]: r[1] for r in conn.execute("SELECT name, COALESCE(merged_into, id) FROM codes")}


def codebook_versions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM codebook_versions ORDER BY id").fetchall()


def check_rename_target(conn: sqlite3.Connection, codebook: Codebook) -> None:
    """A rename onto a name that an old (retired or merged) code still holds is ambiguous."""
    for code in codebook.codes:
        if code.formerly and code_name_taken(conn, code.name):
            olds = [o for o in code.formerly if code_name_taken(conn, o)]
            if olds:
                raise ConflictError(
                    f"code {code.name!r} is said to be formerly {olds[0]!r}, but the project has codes with "
                    f"both names; merge them instead (merges: [{olds[0]}])"
                )


def active_codes(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The codes of the current codebook as rows, in codebook order."""
    return conn.execute(
        """
        SELECT c.name, c.kind, c.description, c.label, c.details, p.name AS parent
          FROM codes c LEFT JOIN codes p ON p.id = c.parent_id
         WHERE c.retired_in IS NULL AND c.merged_into IS NULL
         ORDER BY c.position, c.id
        """
    ).fetchall()


def code_definition(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT name, kind, description, details FROM codes WHERE name = ?", (name,)
    ).fetchone()


def code_name_taken(conn: sqlite3.Connection, name: str) -> bool:
    """Whether any code, current, retired or merged, has this name."""
    return conn.execute("SELECT 1 FROM codes WHERE name = ?", (name,)).fetchone() is not None


def code_counts(conn: sqlite3.Connection, coder: str | None = None) -> dict[str, dict[str, int]]:
    """Per code (through merges): current codings, the sources and the cases they fall in,
    of one coder or everyone. A coding's case is that of the first turn it overlaps, as in
    the analysis snapshot."""
    rows = conn.execute(
        """
        WITH coded AS (
            SELECT k.name AS code, c.source_id,
                   (SELECT sp.case_id FROM turns t LEFT JOIN speakers sp ON sp.id = t.speaker_id
                     WHERE t.source_id = c.source_id AND t.start < c."end" AND t."end" > c.start
                     ORDER BY t.position LIMIT 1) AS case_id
              FROM current_codings c JOIN resolved_codes k ON k.code_id = c.code_id
             WHERE :coder IS NULL OR c.coder = :coder
        )
        SELECT code, COUNT(*) AS codings, COUNT(DISTINCT source_id) AS sources,
               COUNT(DISTINCT case_id) AS cases
          FROM coded GROUP BY code
        """,
        {"coder": coder},
    ).fetchall()
    return {r["code"]: {"codings": r["codings"], "sources": r["sources"], "cases": r["cases"]} for r in rows}
