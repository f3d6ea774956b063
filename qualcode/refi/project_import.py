"""REFI-QDA project import: sources, codebook, codings, cases and memos from a ``.qdpx``.

Text sources are read from the archive (``internal://``, relative and even absolute paths are
looked for inside it, in any case of ``sources/``) or from inline ``PlainTextContent``; a source
or note whose text lies outside the archive is skipped with a warning, unless the import allows
external sources, and then it is read only from the archive's own folder
(:mod:`qualcode.refi.archive`). A project with sources of which none can be imported is an
error, not an import of nothing. Their text is normalised (NFC,
LF, no BOM) and every selection's offsets are carried through that change
(:mod:`qualcode.refi.positions`), so each imported coding covers the same characters it did in
the other program.

Positions: qualcode writes code points. NVivo and ATLAS.ti (.NET programs) count UTF-16 code
units, which differ from code points only after a character outside the Basic Multilingual
Plane (an emoji); projects from them are read in UTF-16 units.

Speakers keep the roles a qualcode export lists in each source's description, and codings
marked as counter-evidence come back marked, and CMOC sets as CMOCs (:mod:`qualcode.refi.speakers`,
:mod:`qualcode.refi.counter`, :mod:`qualcode.refi.cmoc_sets`). What qualcode cannot hold (PDF, picture, audio and video sources, rich text, links, graphs,
sets other than qualcode's kinds, codes on cases ...) is listed in the warnings with counts.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from qualcode.codebook.model import KINDS, Codebook
from qualcode.errors import ConflictError, InputError
from qualcode.ingest.decode import decode, normalise
from qualcode.ingest.importer import ImportReport, store_transcript
from qualcode.ingest.plaintext import parse_turns
from qualcode.ingest.speakers import INTERVIEWER_LABELS
from qualcode.refi.archive import ProjectFiles, open_archive, read_project, source_text
from qualcode.refi.case_import import CaseImport, declare_roles, listed_speakers
from qualcode.refi.cmoc_sets import import_cmoc_sets, is_cmoc_set
from qualcode.refi.codebook import read_qdpx_codebook
from qualcode.refi.counter import is_marker_code, read_counter_marks
from qualcode.refi.import_result import QdpxImport, Skipped
from qualcode.refi.positions import normalise_with_map
from qualcode.refi.xml import children, guid_key, local
from qualcode.store import cases as case_store
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import memos as memo_store
from qualcode.store import runs as run_store
from qualcode.store import sources as source_store

_UTF16_ORIGINS = ("nvivo", "atlas.ti", "maxqda")
_OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")


def import_qdpx_into(db, path: Path, report: ImportReport, allow_external_sources: bool = False) -> None:
    """Import a REFI-QDA project as part of a transcript import: its sources and warnings go
    into ``report``."""
    result = import_qdpx(db, path, allow_external_sources=allow_external_sources)
    report.imported.extend(result.sources)
    report.warnings.extend(result.warnings)


def import_qdpx(db, path: str | Path, allow_external_sources: bool = False) -> QdpxImport:
    """Import a REFI-QDA project into the project ``db`` in one transaction (nothing stored on error).

    Only the archive's own files are read; a source or note whose text is a path outside it is
    skipped with a warning. With ``allow_external_sources``, such paths are followed, but only
    to files inside the archive's own folder.
    """
    path = Path(path)
    where = str(path)
    archive = open_archive(path)
    try:
        root, notes, folder = read_project(archive, path)
        result = QdpxImport(warnings=list(notes))
        codebook, book_warnings = read_qdpx_codebook(path)
        result.warnings.extend(book_warnings)
        try:
            with db.transaction() as conn:
                project_files = ProjectFiles(
                    archive, path, root.get("basePath"), allow_external_sources, folder
                )
                _Importer(conn, root, project_files, path, result).run(codebook)
        except ConflictError as exc:
            raise InputError(f"{exc}; nothing was imported", where) from exc
        return result
    except (zipfile.BadZipFile, OSError, RuntimeError, KeyError, EOFError, zlib.error) as exc:
        raise InputError(f"cannot read the REFI-QDA project ({exc}); export it again", where) from exc
    finally:
        if archive:
            archive.close()


class _Importer:
    def __init__(self, conn, root, files: ProjectFiles, path: Path, result: QdpxImport):
        self.conn, self.root, self.files, self.path = conn, root, files, path
        self.result = result
        self.skipped = Skipped()
        self.where = str(path)
        self.users = {
            guid_key(u.get("guid")): (u.get("name") or "").strip() or "imported"
            for users in children(root, "Users")
            for u in children(users, "User")
        }
        origin = (root.get("origin") or "").lower()
        self.utf16 = any(o in origin for o in _UTF16_ORIGINS)
        self.code_names: dict[str, str] = {}  # code guid -> qualcode name
        self.source_ids: dict[str, int] = {}  # source guid -> id
        self.source_names: dict[str, str] = {}  # source guid -> name
        self.coding_ids: dict[str, int] = {}  # selection or coding guid -> coding id
        self.note_targets: dict[str, list[tuple[str, int | None]]] = {}

    def run(self, codebook: Codebook) -> None:
        self.known_speakers = case_store.participant_labels(self.conn) | listed_speakers(self.root)
        self.marks = read_counter_marks(self.root)
        self._codebook(codebook)
        found = 0
        for sources in children(self.root, "Sources"):
            for element in sources:
                found += local(element.tag) in ("TextSource", *_OTHER_SOURCES)
                self._source(element)
        if found and not self.source_ids:
            self._none_stored(found)
        self._cases()
        self._notes()
        self.result.cmocs, notes = import_cmoc_sets(self.conn, self.root, self.where, self.code_names)
        self.result.warnings.extend(notes)
        self._other()
        case_store.resolve_speakers(self.conn, INTERVIEWER_LABELS)
        summary = {
            "imported": self.result.sources,
            "codings": self.result.codings,
            "cases": self.result.cases,
        }
        run_store.record_run(self.conn, "import", {"paths": [self.where], "format": "qdpx"}, summary)
        self.result.warnings.extend(self.skipped.warnings(self.where))

    def _none_stored(self, found: int) -> None:
        """Raise: the project has sources, and none of them could be imported (an import that
        brings in no source is no success). The message says why, from the warnings so far."""
        why = [
            w.removeprefix(f"{self.where}: ")
            for w in self.result.warnings
            if ": source " in w or "source '" in w
        ]
        why += self.skipped.about("source")
        raise InputError(
            f"the project has {found} source{'s' if found > 1 else ''} but none could be imported: "
            + "; ".join(why[:5] or ["no text in them"])
            + "; nothing was imported",
            self.where,
        )

    # -- codebook ------------------------------------------------------------------------

    def _codebook(self, codebook: Codebook) -> None:
        """Add the codes the project does not have yet (the ones it has keep their definitions)."""
        self.code_names = self._code_names(codebook)
        markers = {self.code_names.pop(k) for k in self.marks.markers if k in self.code_names}
        codebook.codes = [c for c in codebook.codes if c.name not in markers]  # refi.counter
        if not codebook.codes:
            return
        current = code_store.current_codebook(self.conn)
        known = {c.name for c in current.codes}
        added = [c for c in codebook.codes if c.name not in known]
        for code in added:
            if (
                code.parent is not None
                and code.parent not in known
                and code.parent not in {a.name for a in added}
            ):
                code.parent = None
        merged = Codebook(current.codes + added, name=current.name or codebook.name, path=self.where)
        merged.validate()
        if added:
            code_store.apply_codebook(self.conn, merged, origin=self.where)
        self.result.codes = [c.name for c in added]
        kept = [c.name for c in codebook.codes if c.name in known]
        if kept and current.codes:
            self.result.warnings.append(
                f"{self.where}: {len(kept)} code(s) were already in the codebook and kept their "
                f"definitions: {', '.join(kept[:10])}{' ...' if len(kept) > 10 else ''}"
            )

    def _code_names(self, codebook: Codebook) -> dict[str, str]:
        """Code GUID key -> the code's name in ``codebook`` (read from this project)."""
        elements: list = []

        def walk(element) -> None:
            if not is_marker_code(element):  # read_qdpx_codebook leaves it out too
                elements.append(element)
            for child in children(element, "Code"):
                walk(child)

        for book in children(self.root, "CodeBook"):
            for codes in children(book, "Codes"):
                for element in children(codes, "Code"):
                    walk(element)
        # read_qdpx_codebook lists the codes in the same depth-first order.
        return {guid_key(e.get("guid")): code.name for e, code in zip(elements, codebook.codes, strict=True)}

    # -- sources and codings ---------------------------------------------------------------

    def _source(self, element) -> None:
        kind = local(element.tag)
        if kind in _OTHER_SOURCES:
            self.skipped.add(f"{kind} source(s) (qualcode reads text only)")
            selections = [c for c in element.iter() if local(c.tag).endswith("Selection")]
            self.skipped.add(f"selection(s) in {kind} sources", len(selections))
            return
        if kind != "TextSource":
            return
        guid = guid_key(element.get("guid"))
        name = (element.get("name") or "").strip() or guid
        raw = self._text(element, name)
        if raw is None:
            self.skipped.add(
                "selection(s) in text sources not imported", len(children(element, "PlainTextSelection"))
            )
            return
        text, starts, ends = normalise_with_map(raw, self.utf16 or self._counts_utf16(element, raw, name))
        if element.get("richTextPath"):
            self.skipped.add("rich-text version(s) of sources (their plain text was imported)")
        name = self._unique_name(name)
        source_id = self._store(element, name, text)
        self.source_ids[guid], self.source_names[guid] = source_id, name
        existing = coding_store.existing_codings(self.conn, source_id)
        ids = code_store.code_ids(self.conn)
        for selection in children(element, "PlainTextSelection"):
            self._selection(selection, source_id, name, text, starts, ends, existing, ids)
        for coding in children(element, "Coding"):  # a code on the whole source
            self._coding(coding, None, source_id, 0, len(text), existing, ids)
        for ref in children(element, "NoteRef"):
            self._note_target(ref, "source", source_id)
        values = children(element, "VariableValue")
        self.skipped.add("variable value(s) on sources (qualcode keeps variables on cases)", len(values))

    def _store(self, element, name: str, text: str) -> int:
        """Store the source's text as a transcript (unless it is there already); its id."""
        transcript = parse_turns(text, "refi", self.known_speakers, path=self.where)
        transcript.metadata = {
            "refi_guid": element.get("guid") or "",
            "refi_origin": self.root.get("origin") or "",
        }
        source_id = store_transcript(self.conn, name, self.where, transcript, False, ImportReport())
        if source_id is None:
            source_id = source_store.source_id(self.conn, name)
        else:
            self.result.sources.append(name)
        self.result.warnings.extend(f"{self.where}: source {name!r}: {w}" for w in transcript.warnings)
        spoken = {turn.speaker for turn in transcript.turns if turn.speaker}
        self.result.warnings.extend(declare_roles(self.conn, self.where, element, name, spoken))
        return source_id

    def _counts_utf16(self, element, raw: str, name: str) -> bool:
        """Whether a program not known to count UTF-16 units did so here: its selections
        reach past the text in code points but not in UTF-16 units."""
        ends = [_int(s.get("endPosition")) for s in children(element, "PlainTextSelection")]
        longest = max(ends, default=0)
        units = len(raw.encode("utf-16-le")) // 2
        if len(raw) < longest <= units:
            self.result.warnings.append(
                f"{self.where}: source {name!r}: positions read as UTF-16 code units, "
                "since they reach past the text counted in characters"
            )
            return True
        return False

    def _unique_name(self, name: str) -> str:
        if name not in self.source_names.values():
            return name
        number = 2
        while f"{name} ({number})" in self.source_names.values():
            number += 1
        self.result.warnings.append(
            f"{self.where}: two sources are called {name!r}; the second is {name} ({number})"
        )
        return f"{name} ({number})"

    def _text(self, element, name: str) -> str | None:
        content = children(element, "PlainTextContent")
        if content:
            return content[0].text or ""
        target = element.get("plainTextPath")
        if not target:
            self.skipped.add("text source(s) without plain text (rich text only)")
            return None
        data, why = self.files.read(target)
        if data is None:
            self.result.warnings.append(f"{self.where}: source {name!r}: its text {target!r}{why}")
            self.skipped.add("text source(s) whose text file could not be read")
            return None
        text, warnings = source_text(data, f"{self.where} ({target})")
        self.result.warnings.extend(warnings)
        return text

    def _selection(self, selection, source_id, name, text, starts, ends, existing, ids) -> None:
        try:
            a, b = int(selection.get("startPosition")), int(selection.get("endPosition"))
        except (TypeError, ValueError):
            self.skipped.add("selection(s) with unreadable positions")
            return
        if not 0 <= a < b < len(starts):
            self.skipped.add("selection(s) outside their source's text")
            return
        start, end = starts[a], ends[b]
        if start >= end:
            self.skipped.add("selection(s) that are empty after normalising the text")
            return
        default = self.users.get(guid_key(selection.get("creatingUser")))
        codings = children(selection, "Coding")
        if not codings:
            self.skipped.add("selection(s) without a code")
        for coding in codings:
            self._coding(coding, default, source_id, start, end, existing, ids)
        first = self.coding_ids.get(guid_key(codings[0].get("guid"))) if codings else None
        for ref in children(selection, "NoteRef"):
            self._note_target(ref, "coding" if first else "source", first or source_id)

    def _coding(self, coding, default, source_id, start, end, existing, ids) -> None:
        if self.marks.is_marker(coding):  # it marks the codings it pairs with (refi.counter)
            if id(coding) not in self.marks.paired:
                self.skipped.add("counter-evidence coding(s) on a span no other code codes")
            return
        refs = children(coding, "CodeRef")
        code = self.code_names.get(guid_key(refs[0].get("targetGUID"))) if refs else None
        if code is None:
            self.skipped.add("coding(s) of codes missing from the codebook")
            return
        coder = self.users.get(guid_key(coding.get("creatingUser"))) or default or "imported"
        key = (start, end, ids[code], coder)
        if key in existing:
            self.skipped.add("coding(s) already in the project (not added twice)")
            return
        existing.add(key)
        counter = id(coding) in self.marks.marked
        coding_id = coding_store.insert_coding(
            self.conn, source_id, start, end, ids[code], coder, "import", counter=counter
        )
        self.coding_ids[guid_key(coding.get("guid"))] = coding_id
        self.result.codings += 1
        for ref in children(coding, "NoteRef"):
            self._note_target(ref, "coding", coding_id)

    # -- cases, notes and the rest -------------------------------------------------------------

    def _cases(self) -> None:
        cases = CaseImport(self.conn, self.where, self.skipped.add)
        cases.run(self.root, self.source_names)
        self.result.cases.extend(cases.cases)
        self.result.warnings.extend(cases.warnings)

    def _note_target(self, ref, kind: str, target: int | None) -> None:
        self.note_targets.setdefault(guid_key(ref.get("targetGUID")), []).append((kind, target))

    def _notes(self) -> None:
        for holder in children(self.root, "CodeBook"):
            for element in holder.iter():
                if local(element.tag) == "Code":
                    name = self.code_names.get(guid_key(element.get("guid")))
                    ids = code_store.code_ids(self.conn)
                    for ref in children(element, "NoteRef"):
                        self._note_target(ref, "code", ids.get(name))
        for ref in children(self.root, "NoteRef"):
            self._note_target(ref, "project", None)
        for holder in children(self.root, "Notes"):
            for note in children(holder, "Note"):
                text = self._note_text(note)
                if text is None:
                    continue
                if not text.strip():
                    self.skipped.add("empty note(s)")
                    continue
                author = self.users.get(guid_key(note.get("creatingUser"))) or "imported"
                for kind, target in self.note_targets.get(guid_key(note.get("guid")), [("project", None)]):
                    memo_store.insert_memo(self.conn, kind, target, author, text.strip())
                    self.result.memos += 1

    def _note_text(self, note) -> str | None:
        """The note's text; None (with a warning) when its text file could not be read."""
        content = children(note, "PlainTextContent")
        if content:
            return normalise(content[0].text or "")
        target = note.get("plainTextPath")
        if not target:
            return ""
        data, why = self.files.read(target)
        if data is None:
            name = note.get("name") or guid_key(note.get("guid"))
            self.result.warnings.append(f"{self.where}: note {name!r}: its text {target!r}{why}")
            self.skipped.add("note(s) whose text file could not be read")
            return None
        return decode(data, f"{self.where} ({target})")[0]

    def _other(self) -> None:
        for holder in children(self.root, "Links"):
            self.skipped.add("link(s)", len(children(holder, "Link")))
        for holder in children(self.root, "Graphs"):
            self.skipped.add("graph(s)", len(children(holder, "Graph")))
        for holder in [self.root, *children(self.root, "CodeBook")]:
            for sets in children(holder, "Sets"):
                other = [
                    s
                    for s in children(sets, "Set")
                    if (s.get("name") or "").strip().lower() not in KINDS and not is_cmoc_set(s)
                ]
                self.skipped.add("set(s) other than qualcode's code kinds", len(other))


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
