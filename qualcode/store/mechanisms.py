"""SQL for mechanisms, evidence and findings exports: codings with their provenance, turns,
segments, cases, rejected suggestions and topic runs."""

from __future__ import annotations

import sqlite3

_CODING_COLUMNS = """
    src.name AS source, x.source_id, x.start, x."end", k.name AS code, k.kind,
    substr(src.text, x.start + 1, x."end" - x.start) AS text
"""


def active_codes(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The codes of the current codebook, in codebook order."""
    return conn.execute(
        """
        SELECT c.name, c.kind, c.description, c.label, c.details, p.name AS parent
          FROM codes c LEFT JOIN codes p ON p.id = c.parent_id
         WHERE c.retired_in IS NULL AND c.merged_into IS NULL
         ORDER BY c.position, c.id
        """
    ).fetchall()


def reviewed_codings(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The current codings (imported, by hand, accepted or edited), codes resolved through
    merges, with the suggestion each came from (if any)."""
    return conn.execute(
        f"""
        SELECT {_CODING_COLUMNS}, x.coder, x.origin, g.suggester, g.suggester_version, g.score
          FROM current_codings x
          JOIN sources src ON src.id = x.source_id
          JOIN codes k0 ON k0.id = x.code_id
          JOIN codes k ON k.id = COALESCE(k0.merged_into, k0.id)
          LEFT JOIN suggestions g ON g.id = x.suggestion_id
         ORDER BY src.name, x.start, x."end", k.position, x.coder, x.id
        """
    ).fetchall()


def unreviewed_suggestions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The latest suggestion run's suggestions on which no coder has a standing decision."""
    return conn.execute(
        f"""
        SELECT {_CODING_COLUMNS}, 'machine' AS coder, 'unreviewed' AS origin,
               x.suggester, x.suggester_version, x.score
          FROM suggestions x
          JOIN sources src ON src.id = x.source_id
          JOIN codes k0 ON k0.id = x.code_id
          JOIN codes k ON k.id = COALESCE(k0.merged_into, k0.id)
         WHERE x.run_id = (SELECT MAX(run_id) FROM suggestions)
           AND NOT EXISTS (SELECT 1 FROM effective_decisions d WHERE d.suggestion_id = x.id)
         ORDER BY src.name, x.start, x."end", k.position, x.id
        """
    ).fetchall()


def rejected_suggestions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Suggestions a coder rejected (and did not undo), with who rejected them."""
    return conn.execute(
        f"""
        SELECT {_CODING_COLUMNS}, d.coder, x.suggester, x.suggester_version, x.score
          FROM effective_decisions d
          JOIN suggestions x ON x.id = d.suggestion_id
          JOIN sources src ON src.id = x.source_id
          JOIN codes k0 ON k0.id = x.code_id
          JOIN codes k ON k.id = COALESCE(k0.merged_into, k0.id)
         WHERE d.action = 'reject'
         ORDER BY src.name, x.start, x."end", k.position, d.coder, d.id
        """
    ).fetchall()


def latest_suggest_run(conn: sqlite3.Connection) -> int | None:
    return conn.execute("SELECT MAX(run_id) FROM suggestions").fetchone()[0]


def turns(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(
        """
        SELECT t.id, t.source_id, t.position, t.start, t."end", sp.label AS speaker, sp.role,
               cs.name AS "case"
          FROM turns t
          LEFT JOIN speakers sp ON sp.id = t.speaker_id
          LEFT JOIN cases cs ON cs.id = sp.case_id
         ORDER BY t.source_id, t.position
        """
    ).fetchall()


def segments(conn: sqlite3.Connection, unit: str) -> list[sqlite3.Row]:
    return conn.execute(
        'SELECT id, source_id, turn_id, position, start, "end" FROM segments WHERE unit = ? '
        "ORDER BY source_id, position",
        (unit,),
    ).fetchall()


def case_attributes(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """(case, attribute, value) for every case attribute."""
    return conn.execute(
        """
        SELECT cs.name AS "case", a.name AS attribute, ca.value
          FROM case_attributes ca JOIN cases cs ON cs.id = ca.case_id JOIN attributes a ON a.id = ca.attribute_id
         ORDER BY cs.name, a.id
        """
    ).fetchall()


def case_roles(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """(case, role) for every case, with the roles of the speakers who belong to it."""
    return conn.execute(
        """
        SELECT cs.name AS "case", sp.role FROM cases cs
          LEFT JOIN speakers sp ON sp.case_id = cs.id
         GROUP BY cs.name, sp.role ORDER BY cs.name, sp.role
        """
    ).fetchall()


def latest_topics(conn: sqlite3.Connection) -> tuple[int | None, list[sqlite3.Row]]:
    """The topics of the latest finished topic run (id, rows), or (None, [])."""
    run = conn.execute(
        "SELECT MAX(r.id) FROM runs r WHERE r.kind = 'topics' AND r.finished_at IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM topics t WHERE t.run_id = r.id)"
    ).fetchone()[0]
    if run is None:
        return None, []
    rows = conn.execute(
        "SELECT topic, label, words, size FROM topics WHERE run_id = ? ORDER BY topic", (run,)
    ).fetchall()
    return run, rows


def data_date(conn: sqlite3.Connection) -> str:
    """The latest time any data was stored (so a report is dated by its data, not the clock;
    recording an export is not data, or exporting twice would give different bytes)."""
    row = conn.execute(
        """
        SELECT MAX(t) FROM (
            SELECT MAX(imported_at) AS t FROM sources
            UNION ALL SELECT MAX(created_at) FROM codings
            UNION ALL SELECT MAX(created_at) FROM decisions
            UNION ALL SELECT MAX(created_at) FROM codebook_versions
            UNION ALL SELECT MAX(finished_at) FROM runs WHERE kind != 'export')
        """
    ).fetchone()
    return row[0] or ""


def runs_versions(conn: sqlite3.Connection) -> str | None:
    """The library versions recorded with the latest run that made data (exports do not)."""
    row = conn.execute("SELECT versions FROM runs WHERE kind != 'export' ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def active_unit(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM project_meta WHERE key = 'active_unit'").fetchone()
    return row[0] if row else None
