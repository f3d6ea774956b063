"""Memos: notes on the project, a code, a source, a segment or a coding."""

from __future__ import annotations

import sqlite3

from qualcode.store.db import utc_now


def insert_memo(conn: sqlite3.Connection, kind: str, target: int | None, author: str, text: str) -> int:
    return conn.execute(
        "INSERT INTO memos (target_kind, target_id, author, text, created_at) VALUES (?, ?, ?, ?, ?)",
        (kind, target, author, text, utc_now()),
    ).lastrowid


def memos(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every memo, oldest first, with what it is about: ``target`` (a code's or source's name,
    else the id as text), ``target_name`` (the code, or the source it is in) and ``span``."""
    return conn.execute(
        """
        SELECT m.id, m.target_kind, m.target_id, m.author, m.text, m.created_at,
               CASE m.target_kind
                    WHEN 'code' THEN (SELECT name FROM codes WHERE id = m.target_id)
                    WHEN 'source' THEN (SELECT name FROM sources WHERE id = m.target_id)
                    ELSE CAST(m.target_id AS TEXT) END AS target,
               CASE m.target_kind
                    WHEN 'code' THEN (SELECT name FROM codes WHERE id = m.target_id)
                    WHEN 'source' THEN (SELECT name FROM sources WHERE id = m.target_id)
                    WHEN 'segment' THEN (SELECT src.name FROM segments s JOIN sources src
                                          ON src.id = s.source_id WHERE s.id = m.target_id)
                    WHEN 'coding' THEN (SELECT src.name FROM codings c JOIN sources src
                                         ON src.id = c.source_id WHERE c.id = m.target_id)
               END AS target_name,
               CASE m.target_kind
                    WHEN 'segment' THEN (SELECT start || '-' || "end" FROM segments WHERE id = m.target_id)
                    WHEN 'coding' THEN (SELECT start || '-' || "end" FROM codings WHERE id = m.target_id)
               END AS span
          FROM memos m ORDER BY m.id
        """
    ).fetchall()


def memos_in_source(conn: sqlite3.Connection, source_id: int) -> list[sqlite3.Row]:
    """The memos on one source, on its segments and on its codings, oldest first, with the
    span a segment's or coding's memo is about (start and end are null for the source)."""
    return conn.execute(
        """
        SELECT m.id, m.target_kind, m.target_id, m.author, m.text, m.created_at,
               COALESCE(s.start, c.start) AS start, COALESCE(s."end", c."end") AS "end"
          FROM memos m
          LEFT JOIN segments s ON m.target_kind = 'segment' AND s.id = m.target_id
          LEFT JOIN codings c ON m.target_kind = 'coding' AND c.id = m.target_id
         WHERE (m.target_kind = 'source' AND m.target_id = :source)
            OR s.source_id = :source OR c.source_id = :source
         ORDER BY m.id
        """,
        {"source": source_id},
    ).fetchall()


def memos_about(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every memo with what it is about, for the exports: ``code`` (the code's name, or a
    coding's code), ``source`` (the source's name, or the source of a segment or coding),
    ``start``, ``end`` and ``quote`` (the text of a segment's or coding's span); by kind
    (project, code, source, segment, coding), then by what it is about, then oldest first."""
    return conn.execute(
        """
        SELECT m.id, m.target_kind, m.author, m.text, m.created_at,
               COALESCE(k.name, ck.name) AS code, COALESCE(src.name, ssrc.name, csrc.name) AS source,
               COALESCE(s.start, c.start) AS start, COALESCE(s."end", c."end") AS "end",
               COALESCE(substr(ssrc.text, s.start + 1, s."end" - s.start),
                        substr(csrc.text, c.start + 1, c."end" - c.start)) AS quote
          FROM memos m
          LEFT JOIN codes k ON m.target_kind = 'code' AND k.id = m.target_id
          LEFT JOIN sources src ON m.target_kind = 'source' AND src.id = m.target_id
          LEFT JOIN segments s ON m.target_kind = 'segment' AND s.id = m.target_id
          LEFT JOIN sources ssrc ON ssrc.id = s.source_id
          LEFT JOIN codings c ON m.target_kind = 'coding' AND c.id = m.target_id
          LEFT JOIN sources csrc ON csrc.id = c.source_id
          LEFT JOIN resolved_codes ck ON ck.code_id = c.code_id
         ORDER BY CASE m.target_kind WHEN 'project' THEN 0 WHEN 'code' THEN 1 WHEN 'source' THEN 2
                  WHEN 'segment' THEN 3 ELSE 4 END,
                  COALESCE(k.name, ck.name, ''), COALESCE(src.name, ssrc.name, csrc.name, ''),
                  COALESCE(s.start, c.start, 0), m.id
        """
    ).fetchall()
