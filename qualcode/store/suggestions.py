"""Suggestions: machine-made codings, never codings themselves. A suggest run is a ``runs``
row; :func:`latest_run_id` is the one answer to "which suggestions are current" for the
project (exports, the machine as a coder), :func:`queue_run_id` for one coder's review: the
latest run made for that coder (learning from their decisions) or for everyone."""

from __future__ import annotations

import sqlite3

from qualcode.store.db import utc_now

# The latest finished suggest run, even one that stored no suggestions at all.
_LATEST_RUN = "(SELECT MAX(id) FROM runs WHERE kind = 'suggest' AND finished_at IS NOT NULL)"


# The run a coder reviews: the latest one made for them or for everyone (config.coder null).
_QUEUE_RUN = (
    "(SELECT MAX(id) FROM runs WHERE kind = 'suggest' AND finished_at IS NOT NULL "
    "AND COALESCE(json_extract(config, '$.coder'), :coder) = :coder)"
)


def latest_run_id(conn: sqlite3.Connection) -> int | None:
    return conn.execute(f"SELECT {_LATEST_RUN}").fetchone()[0]


def queue_run_id(conn: sqlite3.Connection, coder: str) -> int | None:
    return conn.execute(f"SELECT {_QUEUE_RUN}", {"coder": coder}).fetchone()[0]


def insert_suggestions(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Rows of (run_id, source_id, start, end, segment_id, code_id, suggester, version, score,
    rationale, rank, shown)."""
    now = utc_now()
    conn.executemany(
        'INSERT INTO suggestions (run_id, source_id, start, "end", segment_id, code_id, suggester, '
        "suggester_version, score, rationale, rank, shown, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*row, now) for row in rows],
    )


def suggestions_of_run(
    conn: sqlite3.Connection, run_id: int | None = None, shown_only: bool = True
) -> list[sqlite3.Row]:
    """A run's suggestions (default: the latest run's), by source, position and rank; the
    shown ones only, or with the ranked candidates below the threshold too."""
    return conn.execute(
        f"""
        SELECT src.name AS source, g.start, g."end", k.name AS code, g.score, g.suggester,
               g.suggester_version, g.rationale, g.segment_id, g.rank, g.shown
          FROM suggestions g JOIN sources src ON src.id = g.source_id JOIN codes k ON k.id = g.code_id
         WHERE g.run_id = COALESCE(:run, {_LATEST_RUN}) AND (g.shown = 1 OR NOT :shown_only)
         ORDER BY src.name, g.start, g.rank
        """,
        {"run": run_id, "shown_only": shown_only},
    ).fetchall()


def suggestion(conn: sqlite3.Connection, suggestion_id: int) -> sqlite3.Row | None:
    """One suggestion, its code resolved through merges."""
    return conn.execute(
        'SELECT g.id, g.source_id, g.start, g."end", k.id AS code_id '
        "FROM suggestions g JOIN resolved_codes k ON k.code_id = g.code_id WHERE g.id = ?",
        (suggestion_id,),
    ).fetchone()


_REVIEW_COLUMNS = """
    g.id, src.name AS source, g.source_id, g.start, g."end", g.segment_id, k.name AS code, k.id AS code_id,
    g.score, g.rationale, g.suggester, g.run_id, g.rank,
    sp.label AS speaker, sp.role
"""
_REVIEW_JOINS = """
    JOIN sources src ON src.id = g.source_id
    JOIN resolved_codes k ON k.code_id = g.code_id
    LEFT JOIN segments seg ON seg.id = g.segment_id
    LEFT JOIN turns t ON t.id = seg.turn_id
    LEFT JOIN speakers sp ON sp.id = t.speaker_id
"""
_UNDECIDED = (
    "NOT EXISTS (SELECT 1 FROM effective_decisions d WHERE d.suggestion_id = g.id AND d.coder = :coder)"
)


def pending_suggestions(conn: sqlite3.Connection, coder: str) -> list[sqlite3.Row]:
    """The coder's queue: the suggestions of their run this coder has not decided on (or whose
    decision was undone)."""
    return conn.execute(
        f"SELECT {_REVIEW_COLUMNS} FROM suggestions g {_REVIEW_JOINS} "
        f"WHERE g.run_id = {_QUEUE_RUN} AND g.shown = 1 AND {_UNDECIDED}",
        {"coder": coder},
    ).fetchall()


def other_candidates(conn: sqlite3.Connection, suggestion_id: int, coder: str) -> list[sqlite3.Row]:
    """The other ranked codes of the same run on the same segment as a suggestion, best first,
    that the coder has not decided on: what to offer when the shown code is wrong."""
    return conn.execute(
        f"""
        SELECT {_REVIEW_COLUMNS} FROM suggestions g {_REVIEW_JOINS}
          JOIN suggestions this ON this.id = :id
         WHERE g.run_id = this.run_id AND g.segment_id = this.segment_id AND g.id != this.id
           AND {_UNDECIDED}
         ORDER BY g.rank
        """,
        {"id": suggestion_id, "coder": coder},
    ).fetchall()


def withdrawn_suggestions(conn: sqlite3.Connection, coder: str) -> list[sqlite3.Row]:
    """Suggestions withdrawn from the coder's queue by retraining, not decided since, and not
    made again by the coder's current run; with the score they fell to."""
    return conn.execute(
        f"""
        SELECT {_REVIEW_COLUMNS}, w.new_score, w.run_id AS withdrawn_by FROM withdrawn_suggestions w
          JOIN suggestions g ON g.id = w.suggestion_id {_REVIEW_JOINS}
         WHERE w.coder = :coder AND {_UNDECIDED}
           AND NOT EXISTS (SELECT 1 FROM suggestions n JOIN resolved_codes nk ON nk.code_id = n.code_id
                            WHERE n.run_id = {_QUEUE_RUN} AND n.shown = 1 AND n.source_id = g.source_id
                              AND n.start = g.start AND n."end" = g."end" AND nk.id = k.id)
         ORDER BY w.run_id, g.id
        """,
        {"coder": coder},
    ).fetchall()


def insert_withdrawals(
    conn: sqlite3.Connection, coder: str, run_id: int, rows: list[tuple[int, float]]
) -> None:
    """Rows of (suggestion id, new score) withdrawn from ``coder``'s queue by run ``run_id``."""
    now = utc_now()
    conn.executemany(
        "INSERT OR IGNORE INTO withdrawn_suggestions (suggestion_id, coder, run_id, new_score, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [(suggestion_id, coder, run_id, score, now) for suggestion_id, score in rows],
    )


def decided_suggestions(conn: sqlite3.Connection, coder: str) -> list[sqlite3.Row]:
    """(suggestion id, code, source) of every suggestion the coder has a standing decision on,
    in any run: what the coder's progress counts as done."""
    return conn.execute(
        """
        SELECT DISTINCT g.id, k.name AS code, src.name AS source FROM effective_decisions d
          JOIN suggestions g ON g.id = d.suggestion_id
          JOIN resolved_codes k ON k.code_id = g.code_id
          JOIN sources src ON src.id = g.source_id
         WHERE d.coder = ?
        """,
        (coder,),
    ).fetchall()


_WITH_TEXT = """
    src.name AS source, x.source_id, x.start, x."end", k.name AS code, k.kind,
    substr(src.text, x.start + 1, x."end" - x.start) AS text
"""


def unreviewed_suggestions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """The latest run's suggestions on which no coder has a standing decision."""
    return conn.execute(
        f"""
        SELECT {_WITH_TEXT}, 'machine' AS coder, 'unreviewed' AS origin,
               x.suggester, x.suggester_version, x.score, 0 AS counter
          FROM suggestions x
          JOIN sources src ON src.id = x.source_id
          JOIN resolved_codes k ON k.code_id = x.code_id
         WHERE x.run_id = {_LATEST_RUN} AND x.shown = 1
           AND NOT EXISTS (SELECT 1 FROM effective_decisions d WHERE d.suggestion_id = x.id)
         ORDER BY src.name, x.start, x."end", k.position, x.id
        """
    ).fetchall()


def rejected_suggestions(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Suggestions a coder rejected (and did not undo), with who rejected them."""
    return conn.execute(
        f"""
        SELECT {_WITH_TEXT}, d.coder, x.suggester, x.suggester_version, x.score
          FROM effective_decisions d
          JOIN suggestions x ON x.id = d.suggestion_id
          JOIN sources src ON src.id = x.source_id
          JOIN resolved_codes k ON k.code_id = x.code_id
         WHERE d.action = 'reject'
         ORDER BY src.name, x.start, x."end", k.position, d.coder, d.id
        """
    ).fetchall()


def rejected_segments(conn: sqlite3.Connection, unit: str, coder: str | None) -> dict[int, set[str]]:
    """Segments whose suggestion of a code was rejected, or edited to another code (which
    rejects the original code for that span), and not undone."""
    rows = conn.execute(
        """
        WITH turned_down AS MATERIALIZED (
            SELECT g.source_id, g.start, g."end", k.name FROM effective_decisions d
              JOIN suggestions g ON g.id = d.suggestion_id
              JOIN resolved_codes k ON k.code_id = g.code_id
              LEFT JOIN codings made ON made.id = d.coding_id
              LEFT JOIN resolved_codes mk ON mk.code_id = made.code_id
             WHERE (d.action = 'reject' OR (d.action = 'edit' AND mk.id != k.id))
               AND (:coder IS NULL OR d.coder = :coder))
        SELECT s.id, t.name FROM turned_down t
          JOIN segments s ON s.source_id = t.source_id AND s.start < t."end" AND t.start < s."end"
         WHERE s.unit = :unit
        """,
        {"unit": unit, "coder": coder},
    )
    out: dict[int, set[str]] = {}
    for segment_id, code in rows:
        out.setdefault(segment_id, set()).add(code)
    return out


def machine_codes_on_segments(conn: sqlite3.Connection, unit: str):
    """(segment id, code name) for every shown suggestion of the latest run overlapping a segment."""
    return conn.execute(
        f"""
        SELECT s.id, k.name FROM segments s
          JOIN suggestions g ON g.source_id = s.source_id AND g.start < s."end" AND s.start < g."end"
          JOIN resolved_codes k ON k.code_id = g.code_id
         WHERE s.unit = ? AND g.run_id = {_LATEST_RUN} AND g.shown = 1
        """,
        (unit,),
    )


def pending_in_source(conn: sqlite3.Connection, coder: str, source_id: int) -> list[sqlite3.Row]:
    """The coder's queue (see :func:`pending_suggestions`) within one source, with each code's
    colour, by position and rank."""
    return conn.execute(
        f"SELECT {_REVIEW_COLUMNS}, k.colour FROM suggestions g {_REVIEW_JOINS} "
        f"WHERE g.run_id = {_QUEUE_RUN} AND g.shown = 1 AND g.source_id = :source AND {_UNDECIDED} "
        'ORDER BY g.start, g."end", g.rank',
        {"coder": coder, "source": source_id},
    ).fetchall()


def shown_in_run(
    conn: sqlite3.Connection, run_id: int, source_id: int, start: int, end: int, code_id: int
) -> bool:
    """Whether run ``run_id`` shows this code on this span."""
    return (
        conn.execute(
            'SELECT 1 FROM suggestions WHERE run_id = ? AND source_id = ? AND start = ? AND "end" = ? '
            "AND code_id = ? AND shown = 1",
            (run_id, source_id, start, end, code_id),
        ).fetchone()
        is not None
    )
