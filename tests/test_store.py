import contextlib
import sqlite3

import pytest

from qualcode import Project, ProjectError
from qualcode.store.db import APPLICATION_ID, Database
from qualcode.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests.conftest import second_connection


@pytest.mark.sqlite_only("PRAGMAs and the file's bytes")
def test_create_sets_up_schema_wal_and_foreign_keys(tmp_path):
    db = Database.create(tmp_path / "a.qc")
    with contextlib.closing(db.connection) as conn:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert schema_manifest(conn) == SCHEMA_MANIFEST


def test_create_refuses_an_existing_file(tmp_path):
    (tmp_path / "a.qc").write_text("keep me")
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(tmp_path / "a.qc")
    assert (tmp_path / "a.qc").read_text() == "keep me"


def test_open_refuses_a_text_file(tmp_path):
    (tmp_path / "notes.qc").write_text("just some notes")
    with pytest.raises(ProjectError, match=r"notes.qc is not a qualcode project \(not an SQLite file\)"):
        Project.open(tmp_path / "notes.qc")


def test_open_refuses_another_programs_database(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(ProjectError, match="an SQLite file but not a qualcode project"):
        Project.open(path)


@pytest.mark.sqlite_only("PRAGMAs and the file's bytes")
def test_open_refuses_a_newer_schema_and_leaves_it_alone(tmp_path):
    path = tmp_path / "new.qc"
    Project.create(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="written by a newer qualcode"):
        Project.open(path)
    assert path.read_bytes() == before


@pytest.mark.sqlite_only("PRAGMAs and the file's bytes")
def test_an_older_file_is_backed_up_then_migrated(tmp_path):
    path = tmp_path / "old.qc"
    with sqlite3.connect(path) as conn:  # a project from before the first migration
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    with Project.open(path) as proj:
        assert proj.status()["schema_version"] == SCHEMA_VERSION
    backups = list(tmp_path.glob("old.qc.backup-v0-*"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0


def test_open_missing_file_says_how_to_create(tmp_path):
    with pytest.raises(ProjectError, match="no such project file; create one with: qualcode init"):
        Project.open(tmp_path / "missing.qc")


def test_transaction_rolls_back_on_error(tmp_path):
    db = Database.create(tmp_path / "study.qc")
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute("INSERT INTO cases (name) VALUES ('c1')")
        raise RuntimeError("boom")
    assert db.connection.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0
    db.close()


def test_foreign_keys_are_enforced(project, engine):
    if engine == "postgresql":
        import psycopg

        refused = psycopg.errors.ForeignKeyViolation
    else:
        refused = sqlite3.IntegrityError
    with pytest.raises(refused), second_connection(project) as db:
        db.connection.execute('INSERT INTO turns (source_id, position, start, "end") VALUES (999, 0, 0, 1)')


# The whole schema a new project gets. A migration that changes it must change this too, on
# purpose; PostgreSQL (later) must give the same manifest.
SCHEMA_MANIFEST = {
    "table attributes": ["id INTEGER PK", "name TEXT NOT NULL", "type TEXT NOT NULL", "unique (name) UNIQUE"],
    "table case_attributes": [
        "case_id INTEGER NOT NULL PK",
        "attribute_id INTEGER NOT NULL PK",
        "value TEXT NOT NULL",
        "primary key (case_id, attribute_id) UNIQUE",
    ],
    "table cases": ["id INTEGER PK", "name TEXT NOT NULL", "unique (name) UNIQUE"],
    "table cmoc_codes": [
        "cmoc_id INTEGER NOT NULL PK",
        "role TEXT NOT NULL PK",
        "code_id INTEGER NOT NULL PK",
        "position INTEGER NOT NULL DEFAULT 0",
        "cmoc_codes_by_code (code_id)",
        "primary key (cmoc_id, role, code_id) UNIQUE",
    ],
    "table cmoc_history": [
        "id INTEGER PK",
        "cmoc_id INTEGER NOT NULL",
        "action TEXT NOT NULL",
        "author TEXT NOT NULL",
        "from_status TEXT",
        "to_status TEXT NOT NULL",
        "changes TEXT NOT NULL DEFAULT '{}'",
        "memo TEXT NOT NULL DEFAULT ''",
        "created_at TEXT NOT NULL",
        "cmoc_history_by_cmoc (cmoc_id, id)",
    ],
    "table cmocs": [
        "id INTEGER PK",
        "key TEXT NOT NULL",
        "statement TEXT NOT NULL",
        "intervention TEXT NOT NULL DEFAULT ''",
        "actor TEXT NOT NULL DEFAULT ''",
        "confidence TEXT",
        "confidence_reason TEXT NOT NULL DEFAULT ''",
        "status TEXT NOT NULL DEFAULT 'initial'",
        "theory_version TEXT NOT NULL DEFAULT '1'",
        "created_by TEXT NOT NULL",
        "created_at TEXT NOT NULL",
        "unique (key) UNIQUE",
    ],
    "table code_history": [
        "version_id INTEGER NOT NULL PK",
        "code_id INTEGER NOT NULL PK",
        "change TEXT NOT NULL",
        "name TEXT NOT NULL",
        "parent_id INTEGER",
        "kind TEXT NOT NULL",
        "description TEXT NOT NULL",
        "details TEXT NOT NULL",
        "primary key (version_id, code_id) UNIQUE",
    ],
    "table codebook_versions": [
        "id INTEGER PK",
        "name TEXT NOT NULL",
        "origin TEXT NOT NULL",
        "summary TEXT NOT NULL DEFAULT '{}'",
        "created_at TEXT NOT NULL",
    ],
    "table codes": [
        "id INTEGER PK",
        "name TEXT NOT NULL",
        "parent_id INTEGER",
        "description TEXT NOT NULL DEFAULT ''",
        "kind TEXT NOT NULL DEFAULT 'other'",
        "label TEXT",
        "colour TEXT",
        "details TEXT NOT NULL DEFAULT '{}'",
        "created_at TEXT NOT NULL",
        "position INTEGER NOT NULL DEFAULT 0",
        "merged_into INTEGER",
        "retired_in INTEGER",
        "unique (name) UNIQUE",
    ],
    "table codings": [
        "id INTEGER PK",
        "source_id INTEGER NOT NULL",
        "start INTEGER NOT NULL",
        "end INTEGER NOT NULL",
        "code_id INTEGER NOT NULL",
        "coder TEXT NOT NULL",
        "status TEXT NOT NULL DEFAULT 'active'",
        "origin TEXT NOT NULL DEFAULT 'manual'",
        "suggestion_id INTEGER",
        "note TEXT NOT NULL DEFAULT ''",
        "created_at TEXT NOT NULL",
        "counter INTEGER NOT NULL DEFAULT 0",
        "codings_by_source (source_id, start)",
    ],
    "view current_codings": [
        "id INTEGER",
        "source_id INTEGER",
        "start INTEGER",
        "end INTEGER",
        "code_id INTEGER",
        "coder TEXT",
        "status TEXT",
        "origin TEXT",
        "suggestion_id INTEGER",
        "note TEXT",
        "created_at TEXT",
        "counter INTEGER",
    ],
    "table decisions": [
        "id INTEGER PK",
        "coder TEXT NOT NULL",
        "action TEXT NOT NULL",
        "suggestion_id INTEGER",
        "coding_id INTEGER",
        "undoes INTEGER",
        "note TEXT NOT NULL DEFAULT ''",
        "created_at TEXT NOT NULL",
        "replaces INTEGER",
        "decisions_by_replaced (replaces)",
        "decisions_by_undo (undoes)",
        "decisions_by_coding (coding_id)",
        "decisions_by_suggestion (suggestion_id)",
    ],
    "view effective_decisions": [
        "id INTEGER",
        "coder TEXT",
        "action TEXT",
        "suggestion_id INTEGER",
        "coding_id INTEGER",
        "undoes INTEGER",
        "note TEXT",
        "created_at TEXT",
        "replaces INTEGER",
    ],
    "table memos": [
        "id INTEGER PK",
        "target_kind TEXT NOT NULL",
        "target_id INTEGER",
        "author TEXT NOT NULL",
        "text TEXT NOT NULL",
        "created_at TEXT NOT NULL",
    ],
    "table participants": [
        "id INTEGER PK",
        "label TEXT NOT NULL",
        "source_name TEXT NOT NULL DEFAULT ''",
        "role TEXT NOT NULL",
        "case_id INTEGER",
        "unique (label, source_name) UNIQUE",
    ],
    "table project_meta": ["key TEXT PK", "value TEXT NOT NULL", "primary key (key) UNIQUE"],
    "view resolved_codes": [
        "code_id INTEGER",
        "id INTEGER",
        "name TEXT",
        "kind TEXT",
        "description TEXT",
        "label TEXT",
        "colour TEXT",
        "details TEXT",
        "position INTEGER",
        "parent_id INTEGER",
        "retired_in INTEGER",
    ],
    "table runs": [
        "id INTEGER PK",
        "kind TEXT NOT NULL",
        "config TEXT NOT NULL DEFAULT '{}'",
        "versions TEXT NOT NULL DEFAULT '{}'",
        "summary TEXT NOT NULL DEFAULT '{}'",
        "started_at TEXT NOT NULL",
        "finished_at TEXT",
    ],
    "table schema_migrations": ["name TEXT PK", "applied_at TEXT NOT NULL", "primary key (name) UNIQUE"],
    "table segments": [
        "id INTEGER PK",
        "source_id INTEGER NOT NULL",
        "turn_id INTEGER",
        "run_id INTEGER NOT NULL",
        "unit TEXT NOT NULL",
        "position INTEGER NOT NULL",
        "start INTEGER NOT NULL",
        "end INTEGER NOT NULL",
        "norm TEXT NOT NULL",
        "lemmas TEXT NOT NULL",
        "segments_by_turn (turn_id)",
        "segments_by_source (source_id, start)",
        "unique (unit, source_id, position) UNIQUE",
    ],
    "table sources": [
        "id INTEGER PK",
        "name TEXT NOT NULL",
        "text TEXT NOT NULL",
        "format TEXT NOT NULL",
        "path TEXT",
        "sha256 TEXT NOT NULL",
        "imported_at TEXT NOT NULL",
        "metadata TEXT NOT NULL DEFAULT '{}'",
        "unique (name) UNIQUE",
    ],
    "table speakers": [
        "id INTEGER PK",
        "source_id INTEGER NOT NULL",
        "label TEXT NOT NULL",
        "role TEXT",
        "case_id INTEGER",
        "unique (source_id, label) UNIQUE",
    ],
    "table suggestions": [
        "id INTEGER PK",
        "run_id INTEGER NOT NULL",
        "source_id INTEGER NOT NULL",
        "start INTEGER NOT NULL",
        "end INTEGER NOT NULL",
        "segment_id INTEGER",
        "code_id INTEGER NOT NULL",
        "suggester TEXT NOT NULL",
        "suggester_version TEXT NOT NULL",
        "score REAL NOT NULL",
        "rationale TEXT NOT NULL DEFAULT ''",
        "created_at TEXT NOT NULL",
        "rank INTEGER NOT NULL DEFAULT 1",
        "shown INTEGER NOT NULL DEFAULT 1",
        "suggestions_by_segment_id (segment_id)",
        "suggestions_by_segment (run_id, segment_id, rank)",
        "suggestions_by_run (run_id)",
        "suggestions_by_source (source_id, start)",
    ],
    "table topic_segments": [
        "run_id INTEGER NOT NULL PK",
        "topic INTEGER NOT NULL",
        "segment_id INTEGER NOT NULL PK",
        "probability REAL",
        "representative INTEGER NOT NULL DEFAULT 0",
        "topic_segments_by_segment (segment_id)",
        "topic_segments_by_topic (run_id, topic)",
        "primary key (run_id, segment_id) UNIQUE",
    ],
    "table topics": [
        "run_id INTEGER NOT NULL PK",
        "topic INTEGER NOT NULL PK",
        "label TEXT NOT NULL",
        "words TEXT NOT NULL DEFAULT '[]'",
        "size INTEGER NOT NULL",
        "spread TEXT NOT NULL DEFAULT '{}'",
        "promoted_code_id INTEGER",
        "primary key (run_id, topic) UNIQUE",
    ],
    "table turns": [
        "id INTEGER PK",
        "source_id INTEGER NOT NULL",
        "position INTEGER NOT NULL",
        "speaker_id INTEGER",
        "start INTEGER NOT NULL",
        "end INTEGER NOT NULL",
        "time REAL",
        "turns_by_source (source_id, position)",
        "unique (source_id, position) UNIQUE",
    ],
    "table withdrawn_suggestions": [
        "suggestion_id INTEGER NOT NULL PK",
        "coder TEXT NOT NULL PK",
        "run_id INTEGER NOT NULL",
        "new_score REAL NOT NULL",
        "created_at TEXT NOT NULL",
        "primary key (suggestion_id, coder) UNIQUE",
    ],
}


def schema_manifest(conn) -> dict:
    """Every table and view with its columns, every index and unique constraint, as text."""
    manifest = {}
    objects = conn.execute(
        "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for kind, name in sorted(objects, key=lambda r: r[1]):
        columns = [
            " ".join(
                part
                for part in (
                    r[1], r[2], "NOT NULL" if r[3] else "", f"DEFAULT {r[4]}" if r[4] is not None else "",
                    "PK" if r[5] else "",
                )
                if part
            )
            for r in conn.execute(f"PRAGMA table_info('{name}')")
        ]  # fmt: skip
        manifest[f"{kind} {name}"] = columns
        for index in conn.execute(f"PRAGMA index_list('{name}')"):
            keys = ", ".join(r[2] for r in conn.execute(f"PRAGMA index_info('{index[1]}')"))
            label = index[1] if index[3] == "c" else ("unique" if index[3] == "u" else "primary key")
            manifest.setdefault(f"{kind} {name}", []).append(
                f"{label} ({keys})" + (" UNIQUE" if index[2] else "")
            )
    return manifest


@pytest.mark.sqlite_only("PRAGMAs and the file's bytes")
def test_schema_manifest(tmp_path):
    db = Database.create(tmp_path / "m.qc")
    try:
        assert schema_manifest(db.connection) == SCHEMA_MANIFEST
    finally:
        db.close()


@pytest.mark.sqlite_only("PRAGMAs and the file's bytes")
def test_an_old_project_migrates_to_the_same_schema(tmp_path):
    """A file made by the first migrations only ends, after migrating, with the full schema."""
    path = tmp_path / "old.qc"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        for number, migration in enumerate(MIGRATIONS[:2], start=1):
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations VALUES (?, 'then')", (migration.name,))
            conn.execute(f"PRAGMA user_version = {number}")
        conn.commit()
    db = Database.open(path)
    try:
        assert schema_manifest(db.connection) == SCHEMA_MANIFEST
    finally:
        db.close()


def _reduced(manifest: dict) -> dict:
    """A manifest without what the engines spell differently (defaults, index names, view
    column types): tables with their columns, types, NOT NULL and keys; views with their
    column names; every index and unique constraint by its columns."""
    reduced = {}
    for name, parts in manifest.items():
        kind = name.split()[0]
        columns, keys = [], set()
        for part in parts:
            if "(" in part:
                keys.add(
                    part[part.index("(") :].replace(" UNIQUE", "")
                    + (" UNIQUE" if part.endswith("UNIQUE") else "")
                )
                continue
            words = part.replace("NOT NULL", "NOT_NULL").split()
            if kind == "view":
                columns.append(words[0])
            else:
                kept = [w for w in words[:2] if not w.startswith("DEFAULT")]
                kept += ["PK"] if "PK" in words else (["NOT_NULL"] if "NOT_NULL" in words else [])
                columns.append(" ".join(kept))  # a key is NOT NULL in PostgreSQL, by definition
        reduced[name] = (columns, keys)
    return reduced


def postgres_manifest(conn) -> dict:
    """The manifest of a project on PostgreSQL, from its catalogue, in the SQLite manifest's words."""
    types = {"integer": "INTEGER", "text": "TEXT", "double precision": "REAL", "bytea": "BLOB"}
    manifest = {}
    objects = conn.execute(
        "SELECT table_type, table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    ).fetchall()
    for table_type, name in objects:
        kind = "view" if table_type == "VIEW" else "table"
        keys = conn.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = ?::regclass AND i.indisprimary",
            (name,),
        ).fetchall()
        primary = {r[0] for r in keys}
        columns = []
        for column, data_type, nullable in conn.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (name,),
        ).fetchall():
            column_type = types.get(data_type, data_type) if kind == "table" else ""
            not_null = "NOT NULL" if nullable == "NO" and (kind == "table") else ""
            columns.append(
                " ".join(p for p in (column, column_type, not_null, "PK" if column in primary else "") if p)
            )
        for definition, unique, is_primary in (
            conn.execute(
                "SELECT pg_get_indexdef(i.indexrelid), i.indisunique, i.indisprimary FROM pg_index i "
                "WHERE i.indrelid = ?::regclass",
                (name,),
            ).fetchall()
            if kind == "table"
            else []
        ):
            keys = definition[definition.rindex("(") :].replace('"', "")
            if is_primary and f"{keys[1:-1]} INTEGER NOT NULL PK" in columns:
                continue  # SQLite's INTEGER PRIMARY KEY is the row id, not an index
            columns.append(f"index {keys}" + (" UNIQUE" if unique else ""))
        manifest[f"{kind} {name}"] = columns
    return manifest


def test_the_postgresql_schema_is_the_sqlite_schema(pg_server):
    """The same migrations on PostgreSQL give the same tables, columns, types, keys and views."""
    db = Database.create(pg_server.new_url("manifest"))
    try:
        found = _reduced(postgres_manifest(db.connection))
    finally:
        db.close()
    expected = _reduced(SCHEMA_MANIFEST)
    expected["table schema_migrations"] = (["name TEXT PK", "applied_at TEXT NOT_NULL"], {"(name) UNIQUE"})
    assert sorted(found) == sorted(expected)
    for name in expected:
        assert found[name] == expected[name], name
