"""What a pseudonymised copy does with every column of every table.

Every column is named here with its rule, and a table or column the rules do not name stops
the copy (a new migration has to decide what its columns get; tests/test_privacy.py checks
that every table is covered). The rules:

- ``keep``: copied as it is (ids, references, kinds, scores, times, roles, hashes of nothing
  personal);
- ``text``: free text with names replaced (and names in path-like words, in any case):
  memo texts, notes, rationales, statements, code descriptions, labels, speaker and
  participant labels, coder and author names (a coder who is also an interviewer named in
  the interviews is pseudonymised alike), case attribute values;
- ``json``: every string inside (keys too) as free text, a source name as the copy names it:
  run configs and summaries (paths, source names), source metadata, code details (examples
  may quote interviews), history changes, project settings;
- ``name``: identifiers in any case, the pseudonym as a slug: source names (``ams_client_marco``
  → ``ams_client_client-C01``), paths, a participant's source;
- ``source``: the pseudonymised source text; ``sha256``: the hash of that new text;
- ``start`` / ``end``: offsets through the source's offset map (turns, segments,
  suggestions, codings), so every span covers the same words;
- ``norm`` / ``lemmas``: a segment's tokens inside a replaced span become the pseudonym;
- ``words``: topic words, as identifiers;
- ``attribute type``: an attribute some of whose values changed becomes a text attribute.

By table: schema_migrations (keep), project_meta (key text, value json), runs (config,
versions, summary json), sources (name/path name, text source, sha256, metadata json), cases
(name text), attributes (type attribute type), case_attributes (value text), participants
(label text, source_name name), speakers (label text), turns/segments/suggestions/codings
(start, end; segments norm and lemmas; suggestions rationale; codings coder and note text),
codes (name, description, label text; details json), memos (author, text), codebook_versions
(name, origin text; summary json), code_history (name, description text; details json),
decisions (coder, note text), topics (label text, words words, spread json), topic_segments
(keep), withdrawn_suggestions (coder text), cmocs (statement, intervention, actor,
confidence_reason, created_by text), cmoc_codes (keep), cmoc_history (author, memo text;
changes json).
"""

from __future__ import annotations

import hashlib

from qualcode.errors import ProjectError
from qualcode.privacy.replace import OffsetMap, Pseudonymiser, replace_tokens

RULES: dict[str, dict[str, str]] = {
    "schema_migrations": {"name": "keep", "applied_at": "keep"},
    "project_meta": {"key": "text", "value": "json"},
    "runs": {
        "id": "keep", "kind": "keep", "config": "json", "versions": "json", "summary": "json",
        "started_at": "keep", "finished_at": "keep",
    },
    "sources": {
        "id": "keep", "name": "name", "text": "source", "format": "keep", "path": "name",
        "sha256": "sha256", "imported_at": "keep", "metadata": "json",
    },
    "cases": {"id": "keep", "name": "text"},
    "attributes": {"id": "keep", "name": "keep", "type": "attribute type"},
    "case_attributes": {"case_id": "keep", "attribute_id": "keep", "value": "text"},
    "participants": {"id": "keep", "label": "text", "source_name": "name", "role": "keep", "case_id": "keep"},
    "speakers": {"id": "keep", "source_id": "keep", "label": "text", "role": "keep", "case_id": "keep"},
    "turns": {
        "id": "keep", "source_id": "keep", "position": "keep", "speaker_id": "keep",
        "start": "start", "end": "end", "time": "keep",
    },
    "segments": {
        "id": "keep", "source_id": "keep", "turn_id": "keep", "run_id": "keep", "unit": "keep",
        "position": "keep", "start": "start", "end": "end", "norm": "norm", "lemmas": "lemmas",
    },
    "codes": {
        "id": "keep", "name": "text", "parent_id": "keep", "description": "text", "kind": "keep",
        "label": "text", "colour": "keep", "details": "json", "created_at": "keep",
        "position": "keep", "merged_into": "keep", "retired_in": "keep",
    },
    "suggestions": {
        "id": "keep", "run_id": "keep", "source_id": "keep", "start": "start", "end": "end",
        "segment_id": "keep", "code_id": "keep", "suggester": "keep", "suggester_version": "keep",
        "score": "keep", "rationale": "text", "created_at": "keep", "rank": "keep", "shown": "keep",
    },
    "codings": {
        "id": "keep", "source_id": "keep", "start": "start", "end": "end", "code_id": "keep",
        "coder": "text", "status": "keep", "origin": "keep", "suggestion_id": "keep",
        "note": "text", "created_at": "keep", "counter": "keep",
    },
    "memos": {
        "id": "keep", "target_kind": "keep", "target_id": "keep", "author": "text", "text": "text",
        "created_at": "keep",
    },
    "codebook_versions": {"id": "keep", "name": "text", "origin": "text", "summary": "json", "created_at": "keep"},
    "code_history": {
        "version_id": "keep", "code_id": "keep", "change": "keep", "name": "text",
        "parent_id": "keep", "kind": "keep", "description": "text", "details": "json",
    },
    "decisions": {
        "id": "keep", "coder": "text", "action": "keep", "suggestion_id": "keep", "coding_id": "keep",
        "undoes": "keep", "note": "text", "created_at": "keep", "replaces": "keep",
    },
    "topics": {
        "run_id": "keep", "topic": "keep", "label": "text", "words": "words", "size": "keep",
        "spread": "json", "promoted_code_id": "keep",
    },
    "topic_segments": {
        "run_id": "keep", "topic": "keep", "segment_id": "keep", "probability": "keep",
        "representative": "keep",
    },
    "withdrawn_suggestions": {
        "suggestion_id": "keep", "coder": "text", "run_id": "keep", "new_score": "keep", "created_at": "keep",
    },
    "cmocs": {
        "id": "keep", "key": "keep", "statement": "text", "intervention": "text", "actor": "text",
        "confidence": "keep", "confidence_reason": "text", "status": "keep", "theory_version": "keep",
        "created_by": "text", "created_at": "keep",
    },
    "cmoc_codes": {"cmoc_id": "keep", "role": "keep", "code_id": "keep", "position": "keep"},
    "cmoc_history": {
        "id": "keep", "cmoc_id": "keep", "action": "keep", "author": "text", "from_status": "keep",
        "to_status": "keep", "changes": "json", "memo": "text", "created_at": "keep",
    },
}  # fmt: skip


class RowTransform:
    """The copy's row transform (for :func:`qualcode.store.copying.copy_rows`)."""

    def __init__(self, pseudonymiser: Pseudonymiser, sources, changed_attributes: set[int]):
        """``sources``: rows (id, name, text) of the original project."""
        self.p = pseudonymiser
        self.texts = {row["id"]: row["text"] for row in sources}
        self.new_texts: dict[int, str] = {}
        self.maps: dict[int, OffsetMap] = {}
        for source_id, text in self.texts.items():
            self.new_texts[source_id], self.maps[source_id] = pseudonymiser.source_text(text)
        self.names = {row["name"]: pseudonymiser.name(row["name"]) for row in sources}
        self.changed_attributes = changed_attributes

    def __call__(self, table: str, columns: list[str], row) -> list:
        rules = RULES.get(table)
        if rules is None:
            raise ProjectError(
                f"the pseudonymiser has no rule for table {table!r}; a newer migration made it: "
                "name its columns in qualcode/privacy/tables.py"
            )
        values = dict(zip(columns, row, strict=True))
        unknown = [c for c in columns if c not in rules]
        if unknown:
            raise ProjectError(
                f"the pseudonymiser has no rule for column {table}.{unknown[0]}; name it in qualcode/privacy/tables.py"
            )
        return [self._value(table, rules[c], c, values) for c in columns]

    def _value(self, table: str, rule: str, column: str, row: dict):
        value = row[column]
        if rule == "keep" or value is None:
            return value
        if rule == "text":
            return self.p.text(value)
        if rule == "json":
            return self.p.json_text(value, self.names)
        if rule == "name":
            return self.names.get(value) or self.p.name(value)
        if rule == "source":
            return self.new_texts[row["id"]]
        if rule == "sha256":
            return hashlib.sha256(self.new_texts[row["id"]].encode("utf-8")).hexdigest()
        if rule == "start":
            return self.maps[row["source_id"]].start(value)
        if rule == "end":
            return self.maps[row["source_id"]].end(value)
        if rule in ("norm", "lemmas"):
            text = self.texts[row["source_id"]][row["start"] : row["end"]]
            tokens = replace_tokens(
                row["norm"],
                row["lemmas"],
                text,
                row["start"],
                self.maps[row["source_id"]],
                self.p.identifiers,
            )
            return tokens[0] if rule == "norm" else tokens[1]
        if rule == "words":
            return self.p.json_text(value, {w: self.p.name(w) for w in _strings(value)})
        if rule == "attribute type":
            return "text" if row["id"] in self.changed_attributes else value
        raise ProjectError(f"unknown pseudonymisation rule {rule!r} for {table}.{column}")


def _strings(value: str) -> list[str]:
    import json

    def walk(data):
        if isinstance(data, str):
            yield data
        elif isinstance(data, list | tuple):
            for item in data:
                yield from walk(item)
        elif isinstance(data, dict):
            for k, v in data.items():
                yield k
                yield from walk(v)

    try:
        return list(walk(json.loads(value)))
    except (TypeError, ValueError):
        return []
