"""What pseudonymising reads: who the participants are (speakers and declared participants
with their source, role and case), for qualcode.privacy."""

from __future__ import annotations

import sqlite3


def people(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every speaker and every declared participant: (kind, source, label, role, case), the
    speakers first, by source and label; ``source`` is '' for a participant declared for
    every source, ``case`` None without one."""
    return conn.execute(
        """
        SELECT 'speaker' AS kind, src.name AS source, sp.label, COALESCE(sp.role, '') AS role,
               cs.name AS "case"
          FROM speakers sp JOIN sources src ON src.id = sp.source_id
          LEFT JOIN cases cs ON cs.id = sp.case_id
        UNION ALL
        SELECT 'participant', p.source_name, p.label, p.role, cs.name
          FROM participants p LEFT JOIN cases cs ON cs.id = p.case_id
         ORDER BY 1 DESC, 2, 3
        """
    ).fetchall()
