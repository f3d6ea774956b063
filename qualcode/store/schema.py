"""The project schema as an ordered list of named migrations.

A migration is never edited once released: change the schema by appending a new one. Each
runs in its own transaction and is recorded in ``schema_migrations``; the count of applied
migrations is the schema version (also kept in ``PRAGMA user_version``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "0001_initial",
        (
            """CREATE TABLE project_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            )""",
            """CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                config TEXT NOT NULL DEFAULT '{}',
                versions TEXT NOT NULL DEFAULT '{}',
                summary TEXT NOT NULL DEFAULT '{}',
                started_at TEXT NOT NULL,
                finished_at TEXT
            )""",
            """CREATE TABLE sources (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                text TEXT NOT NULL,
                format TEXT NOT NULL,
                path TEXT,
                sha256 TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                metadata TEXT NOT NULL DEFAULT '{}'
            )""",
            """CREATE TABLE cases (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE
            )""",
            """CREATE TABLE attributes (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL
                    CHECK (type IN ('text', 'integer', 'float', 'boolean', 'date'))
            )""",
            """CREATE TABLE case_attributes (
                case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
                attribute_id INTEGER NOT NULL REFERENCES attributes(id) ON DELETE CASCADE,
                value TEXT NOT NULL,
                PRIMARY KEY (case_id, attribute_id)
            )""",
            # The declared speaker -> case/role mapping (from a participants CSV). An empty
            # source_name applies to every source; a named one only to that source.
            """CREATE TABLE participants (
                id INTEGER PRIMARY KEY,
                label TEXT NOT NULL,
                source_name TEXT NOT NULL DEFAULT '',
                role TEXT NOT NULL,
                case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
                UNIQUE (label, source_name)
            )""",
            """CREATE TABLE speakers (
                id INTEGER PRIMARY KEY,
                source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
                label TEXT NOT NULL,
                role TEXT,
                case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
                UNIQUE (source_id, label)
            )""",
            """CREATE TABLE turns (
                id INTEGER PRIMARY KEY,
                source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                speaker_id INTEGER REFERENCES speakers(id) ON DELETE SET NULL,
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                time REAL,
                UNIQUE (source_id, position),
                CHECK (0 <= start AND start <= "end")
            )""",
            """CREATE TABLE segments (
                id INTEGER PRIMARY KEY,
                source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
                turn_id INTEGER REFERENCES turns(id) ON DELETE CASCADE,
                run_id INTEGER NOT NULL REFERENCES runs(id),
                unit TEXT NOT NULL,
                position INTEGER NOT NULL,
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                norm TEXT NOT NULL,
                lemmas TEXT NOT NULL,
                UNIQUE (unit, source_id, position),
                CHECK (0 <= start AND start < "end")
            )""",
            """CREATE TABLE codes (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                parent_id INTEGER REFERENCES codes(id) ON DELETE RESTRICT,
                description TEXT NOT NULL DEFAULT '',
                kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN
                    ('actor', 'context', 'mechanism', 'outcome', 'bottleneck', 'theme', 'other')),
                label TEXT,
                colour TEXT,
                details TEXT NOT NULL DEFAULT '{}',
                created_at TEXT NOT NULL
            )""",
            # Codings and suggestions are append-only logs: a row is never updated in place;
            # a later row (for instance status 'removed') supersedes an earlier one.
            """CREATE TABLE suggestions (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES runs(id),
                source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE RESTRICT,
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                segment_id INTEGER REFERENCES segments(id) ON DELETE SET NULL,
                code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE RESTRICT,
                suggester TEXT NOT NULL,
                suggester_version TEXT NOT NULL,
                score REAL NOT NULL,
                rationale TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                CHECK (0 <= start AND start < "end")
            )""",
            """CREATE TABLE codings (
                id INTEGER PRIMARY KEY,
                source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE RESTRICT,
                start INTEGER NOT NULL,
                "end" INTEGER NOT NULL,
                code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE RESTRICT,
                coder TEXT NOT NULL,
                status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
                origin TEXT NOT NULL DEFAULT 'manual',
                suggestion_id INTEGER REFERENCES suggestions(id),
                note TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL,
                CHECK (0 <= start AND start < "end")
            )""",
            """CREATE TABLE memos (
                id INTEGER PRIMARY KEY,
                target_kind TEXT NOT NULL
                    CHECK (target_kind IN ('project', 'source', 'code', 'segment', 'coding')),
                target_id INTEGER,
                author TEXT NOT NULL,
                text TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX turns_by_source ON turns(source_id, position)",
            "CREATE INDEX segments_by_source ON segments(source_id, start)",
            "CREATE INDEX codings_by_source ON codings(source_id, start)",
            "CREATE INDEX suggestions_by_source ON suggestions(source_id, start)",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        "0002_codebook_versions_and_decisions",
        (
            """CREATE TABLE codebook_versions (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                origin TEXT NOT NULL,
                summary TEXT NOT NULL DEFAULT '{}',
                created_at TEXT NOT NULL
            )""",
            "ALTER TABLE codes ADD COLUMN position INTEGER NOT NULL DEFAULT 0",
            # A merged code keeps its row (and its codings), which now count for merged_into.
            "ALTER TABLE codes ADD COLUMN merged_into INTEGER REFERENCES codes(id)",
            # A code left out of a later codebook version is retired, never deleted.
            "ALTER TABLE codes ADD COLUMN retired_in INTEGER REFERENCES codebook_versions(id)",
            """CREATE TABLE code_history (
                version_id INTEGER NOT NULL REFERENCES codebook_versions(id),
                code_id INTEGER NOT NULL REFERENCES codes(id),
                change TEXT NOT NULL,
                name TEXT NOT NULL,
                parent_id INTEGER,
                kind TEXT NOT NULL,
                description TEXT NOT NULL,
                details TEXT NOT NULL,
                PRIMARY KEY (version_id, code_id)
            )""",
            # The review log: one row per human decision, never updated.
            """CREATE TABLE decisions (
                id INTEGER PRIMARY KEY,
                coder TEXT NOT NULL,
                action TEXT NOT NULL
                    CHECK (action IN ('accept', 'reject', 'edit', 'add', 'remove', 'undo')),
                suggestion_id INTEGER REFERENCES suggestions(id),
                coding_id INTEGER REFERENCES codings(id),
                undoes INTEGER REFERENCES decisions(id),
                note TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX decisions_by_suggestion ON decisions(suggestion_id)",
            "CREATE INDEX suggestions_by_run ON suggestions(run_id)",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        "0003_review_state",
        (
            # An edit replaces one coding by another; undoing the edit brings the first back.
            "ALTER TABLE decisions ADD COLUMN replaces INTEGER REFERENCES codings(id)",
            "CREATE INDEX decisions_by_coding ON decisions(coding_id)",
            "CREATE INDEX decisions_by_undo ON decisions(undoes)",
            "CREATE INDEX decisions_by_replaced ON decisions(replaces)",
            # The state is derived from the log, never stored: a decision counts unless undone.
            """CREATE VIEW effective_decisions AS
                SELECT d.* FROM decisions d
                 WHERE d.action != 'undo'
                   AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.action = 'undo' AND u.undoes = d.id)""",
            # A coding holds if it was imported or made by a standing decision, and no standing
            # decision removed or replaced it.
            """CREATE VIEW current_codings AS
                SELECT c.* FROM codings c
                 WHERE (c.origin = 'import'
                        OR EXISTS (SELECT 1 FROM effective_decisions d
                                    WHERE d.coding_id = c.id AND d.action IN ('accept', 'edit', 'add')))
                   AND NOT EXISTS (SELECT 1 FROM effective_decisions r
                                    WHERE (r.action = 'remove' AND r.coding_id = c.id)
                                       OR (r.action = 'edit' AND r.replaces = c.id))""",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        "0004_topics",
        (
            # A topic run is a row in runs (kind 'topics'); its topics and their segments here.
            """CREATE TABLE topics (
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                topic INTEGER NOT NULL,
                label TEXT NOT NULL,
                words TEXT NOT NULL DEFAULT '[]',
                size INTEGER NOT NULL,
                spread TEXT NOT NULL DEFAULT '{}',
                promoted_code_id INTEGER REFERENCES codes(id),
                PRIMARY KEY (run_id, topic)
            )""",
            """CREATE TABLE topic_segments (
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                topic INTEGER NOT NULL,
                segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
                probability REAL,
                representative INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (run_id, segment_id)
            )""",
            "CREATE INDEX topic_segments_by_topic ON topic_segments(run_id, topic)",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        "0005_resolved_codes",
        (
            # Every code row with the code that stands for it now: itself, or the code it was
            # merged into (merges are kept one level deep). The one place that follows merges.
            """CREATE VIEW resolved_codes AS
                SELECT c.id AS code_id, k.id, k.name, k.kind, k.description, k.label, k.colour,
                       k.details, k.position, k.parent_id, k.retired_in
                  FROM codes c JOIN codes k ON k.id = COALESCE(c.merged_into, c.id)""",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        "0006_withdrawn_suggestions",
        (
            # A suggestion waiting in a coder's queue that a newer run (retrained on the
            # coder's decisions) no longer makes: kept, with the score it fell to, so it is
            # never dropped unseen; it stays decidable.
            """CREATE TABLE withdrawn_suggestions (
                suggestion_id INTEGER NOT NULL REFERENCES suggestions(id),
                coder TEXT NOT NULL,
                run_id INTEGER NOT NULL REFERENCES runs(id),
                new_score REAL NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (suggestion_id, coder)
            )""",
        ),
    ),
    Migration(
        "0007_ranked_candidates",
        (
            # A run keeps each segment's best few codes, ranked (1 = best); ``shown`` marks
            # those at or above the run's threshold: the review queue. The others are offered
            # as the next candidates when the shown one is wrong.
            "ALTER TABLE suggestions ADD COLUMN rank INTEGER NOT NULL DEFAULT 1 CHECK (rank >= 1)",
            "ALTER TABLE suggestions ADD COLUMN shown INTEGER NOT NULL DEFAULT 1 CHECK (shown IN (0, 1))",
            "CREATE INDEX suggestions_by_segment ON suggestions(run_id, segment_id, rank)",
        ),
    ),
    Migration(
        "0008_counter_evidence",
        (
            # A coding a researcher marks as disconfirming evidence for its code (the mechanism
            # failed or worked otherwise here): set when the coding is made, carried by edits.
            "ALTER TABLE codings ADD COLUMN counter INTEGER NOT NULL DEFAULT 0 CHECK (counter IN (0, 1))",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        "0009_cmocs",
        (
            # Realist context-mechanism-outcome configurations as a researcher states them (the
            # current state of each; every change is a row of cmoc_history).
            """CREATE TABLE cmocs (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL UNIQUE,
                statement TEXT NOT NULL,
                intervention TEXT NOT NULL DEFAULT '',
                actor TEXT NOT NULL DEFAULT '',
                confidence TEXT CHECK (confidence IN ('low', 'medium', 'high')),
                confidence_reason TEXT NOT NULL DEFAULT '',
                status TEXT NOT NULL DEFAULT 'initial'
                    CHECK (status IN ('initial', 'refined', 'confirmed', 'refuted')),
                theory_version TEXT NOT NULL DEFAULT '1',
                created_by TEXT NOT NULL,
                created_at TEXT NOT NULL
            )""",
            # The codes of each part, by id: a renamed code keeps its place, a merged one is
            # followed through resolved_codes.
            """CREATE TABLE cmoc_codes (
                cmoc_id INTEGER NOT NULL REFERENCES cmocs(id) ON DELETE CASCADE,
                role TEXT NOT NULL CHECK (role IN ('context', 'resource', 'reasoning', 'outcome')),
                code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE RESTRICT,
                position INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (cmoc_id, role, code_id)
            )""",
            # Append-only: one row per creation or revision, with the fields changed (JSON,
            # field -> [before, after]) and the memo that explains the change.
            """CREATE TABLE cmoc_history (
                id INTEGER PRIMARY KEY,
                cmoc_id INTEGER NOT NULL REFERENCES cmocs(id),
                action TEXT NOT NULL CHECK (action IN ('create', 'revise')),
                author TEXT NOT NULL,
                from_status TEXT,
                to_status TEXT NOT NULL,
                changes TEXT NOT NULL DEFAULT '{}',
                memo TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX cmoc_codes_by_code ON cmoc_codes(code_id)",
            "CREATE INDEX cmoc_history_by_cmoc ON cmoc_history(cmoc_id, id)",
        ),
    ),
)

MIGRATIONS += (
    Migration(
        "0010_foreign_key_indexes",
        (
            # Deleting a segment (segmenting again) sets or cascades these references: without
            # an index on the referring column each deleted segment scanned the whole table.
            "CREATE INDEX suggestions_by_segment_id ON suggestions(segment_id)",
            "CREATE INDEX topic_segments_by_segment ON topic_segments(segment_id)",
            "CREATE INDEX segments_by_turn ON segments(turn_id)",
        ),
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
