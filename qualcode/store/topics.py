"""SQL for topic runs: the topics of a run, the topic of every segment, promoted codes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


def insert_topics(conn: sqlite3.Connection, run_id: int, rows: Iterable[tuple]) -> None:
    """Rows of ``(topic, label, words_json, size, spread_json)``."""
    conn.executemany(
        "INSERT INTO topics (run_id, topic, label, words, size, spread) VALUES (?, ?, ?, ?, ?, ?)",
        [(run_id, *row) for row in rows],
    )


def insert_topic_segments(conn: sqlite3.Connection, run_id: int, rows: Iterable[tuple]) -> None:
    """Rows of ``(topic, segment_id, probability, representative)``."""
    conn.executemany(
        "INSERT INTO topic_segments (run_id, topic, segment_id, probability, representative) "
        "VALUES (?, ?, ?, ?, ?)",
        [(run_id, *row) for row in rows],
    )


def topic_run(conn: sqlite3.Connection, run_id: int | None = None) -> sqlite3.Row | None:
    """A finished topics run: the one numbered ``run_id``, or the latest."""
    if run_id is None:
        return conn.execute(
            "SELECT * FROM runs WHERE kind = 'topics' AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return conn.execute(
        "SELECT * FROM runs WHERE kind = 'topics' AND finished_at IS NOT NULL AND id = ?", (run_id,)
    ).fetchone()


def topic_run_ids(conn: sqlite3.Connection) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM runs WHERE kind = 'topics' ORDER BY id")]


def topics_of_run(conn: sqlite3.Connection, run_id: int) -> list[sqlite3.Row]:
    """The run's topics, outliers (-1) last, with the name of a code promoted from each."""
    return conn.execute(
        """
        SELECT t.topic, t.label, t.words, t.size, t.spread, c.name AS promoted_code
          FROM topics t LEFT JOIN codes c ON c.id = t.promoted_code_id
         WHERE t.run_id = ?
         ORDER BY t.topic < 0, t.topic
        """,
        (run_id,),
    ).fetchall()


def topic_row(conn: sqlite3.Connection, run_id: int, topic: int) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT t.*, c.name AS promoted_code FROM topics t LEFT JOIN codes c ON c.id = t.promoted_code_id "
        "WHERE t.run_id = ? AND t.topic = ?",
        (run_id, topic),
    ).fetchone()


def representatives(conn: sqlite3.Connection, run_id: int, topic: int | None = None) -> list[sqlite3.Row]:
    """The representative segments of a run (or of one of its topics), most typical first."""
    return conn.execute(
        """
        SELECT ts.topic, ts.segment_id, src.name AS source, sp.label AS speaker, sp.role,
               seg.position, seg.start, seg."end",
               substr(src.text, seg.start + 1, seg."end" - seg.start) AS text
          FROM topic_segments ts
          JOIN segments seg ON seg.id = ts.segment_id
          JOIN sources src ON src.id = seg.source_id
          LEFT JOIN turns t ON t.id = seg.turn_id
          LEFT JOIN speakers sp ON sp.id = t.speaker_id
         WHERE ts.run_id = ? AND ts.representative > 0 AND (? IS NULL OR ts.topic = ?)
         ORDER BY ts.topic, ts.probability DESC, ts.segment_id
        """,
        (run_id, topic, topic),
    ).fetchall()


def topic_members(conn: sqlite3.Connection, run_id: int) -> list[sqlite3.Row]:
    """Every segment of the run with its topic, role, case and source (for the spread)."""
    return conn.execute(
        """
        SELECT ts.topic, sp.role, cs.name AS "case", src.name AS source
          FROM topic_segments ts
          JOIN segments seg ON seg.id = ts.segment_id
          JOIN sources src ON src.id = seg.source_id
          LEFT JOIN turns t ON t.id = seg.turn_id
          LEFT JOIN speakers sp ON sp.id = t.speaker_id
          LEFT JOIN cases cs ON cs.id = sp.case_id
         WHERE ts.run_id = ?
         ORDER BY ts.topic, ts.segment_id
        """,
        (run_id,),
    ).fetchall()


def segment_topics(conn: sqlite3.Connection, run_id: int) -> dict[int, int]:
    """Every segment of the run mapped to its topic."""
    return dict(conn.execute("SELECT segment_id, topic FROM topic_segments WHERE run_id = ?", (run_id,)))


def set_promoted(conn: sqlite3.Connection, run_id: int, topic: int, code_name: str) -> None:
    conn.execute(
        "UPDATE topics SET promoted_code_id = (SELECT id FROM codes WHERE name = ?) "
        "WHERE run_id = ? AND topic = ?",
        (code_name, run_id, topic),
    )


def latest_topics(conn: sqlite3.Connection) -> tuple[int | None, list[sqlite3.Row]]:
    """The topics of the latest finished topic run that found any (id, rows), or (None, [])."""
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
