"""REFI-QDA project import: sources, codebook, codings, cases and memos from a ``.qdpx``.

Text sources are read from the archive (``internal://`` paths, any case of ``sources/``),
from a path relative to the archive, or from inline ``PlainTextContent``. Their text is
normalised (NFC, LF, no BOM) and every selection's offsets are carried through that change,
so each imported coding covers the same characters it did in the other program.

Positions: qualcode writes code points. NVivo and ATLAS.ti (.NET programs) count UTF-16 code
units, which differ from code points only after a character outside the Basic Multilingual
Plane (an emoji); projects from them are read in UTF-16 units.

What qualcode cannot hold (PDF, picture, audio and video sources, rich text, links, graphs,
sets other than qualcode's kinds, codes on cases ...) is listed in the warnings with counts.
"""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from qualcode.codebook.model import KINDS, Codebook
from qualcode.errors import ConflictError, InputError
from qualcode.ingest.decode import decode, normalise
from qualcode.ingest.importer import ImportReport, store_transcript
from qualcode.ingest.participants import canonical
from qualcode.ingest.plaintext import parse_turns
from qualcode.ingest.speakers import INTERVIEWER_LABELS
from qualcode.refi.codebook import (
    _children,
    _guid_key,
    _local,
    _parse_xml,
    _project_member,
    read_qdpx_codebook,
)
from qualcode.refi.project_export import SPEAKER_LINE, SPEAKERS_HEADING
from qualcode.store import cases as case_store
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import memos as memo_store
from qualcode.store import runs as run_store
from qualcode.store import sources as source_store

_TYPES = {"text": "text", "integer": "integer", "float": "float", "boolean": "boolean", "date": "date"}
_UTF16_ORIGINS = ("nvivo", "atlas.ti", "maxqda")
_OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")


@dataclass
class QdpxImport:
    sources: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # codes added to the codebook
    codings: int = 0
    cases: list[str] = field(default_factory=list)
    memos: int = 0
    warnings: list[str] = field(default_factory=list)


class _Skipped:
    """Counts of what could not be carried over, turned into warnings at the end."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, what: str, n: int = 1) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n

    def warnings(self, path: str) -> list[str]:
        return [f"{path}: not carried over: {n} {what}" for what, n in sorted(self.counts.items())]


def import_qdpx_into(db, path: Path, report: ImportReport) -> None:
    """Import a REFI-QDA project as part of a transcript import: its sources and warnings go
    into ``report``."""
    result = import_qdpx(db, path)
    report.imported.extend(result.sources)
    report.warnings.extend(result.warnings)


def import_qdpx(db, path: str | Path) -> QdpxImport:
    """Import a REFI-QDA project into the project ``db`` in one transaction (nothing stored on error)."""
    path = Path(path)
    where = str(path)
    archive = _open(path)
    try:
        member, notes = _project_member(archive, where) if archive else ("", [])
        data = archive.read(member) if archive else _read(path)
        root, _lines = _parse_xml(data, where, f" (in {member} inside the archive)" if member else "")
        if _local(root.tag) != "Project":
            raise InputError(
                f"the root element is <{_local(root.tag)}>, not <Project>; "
                "export the project again as 'REFI-QDA project (.qdpx)'",
                where,
            )
        result = QdpxImport(warnings=list(notes))
        codebook, book_warnings = read_qdpx_codebook(path)
        result.warnings.extend(book_warnings)
        try:
            with db.transaction() as conn:
                _Importer(conn, root, archive, path, result).run(codebook)
        except ConflictError as exc:
            raise InputError(f"{exc}; nothing was imported", where) from exc
        return result
    except (zipfile.BadZipFile, OSError, RuntimeError, KeyError) as exc:
        raise InputError(f"cannot read the REFI-QDA project ({exc}); export it again", where) from exc
    finally:
        if archive:
            archive.close()


def _open(path: Path) -> zipfile.ZipFile | None:
    if not path.is_file():
        raise InputError("no such file", str(path))
    if not zipfile.is_zipfile(path):
        return None
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"cannot read the .qdpx archive ({exc}); export the project again", str(path)
        ) from exc


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", str(path)) from exc


class _Importer:
    def __init__(self, conn, root, archive, path: Path, result: QdpxImport):
        self.conn, self.root, self.archive, self.path = conn, root, archive, path
        self.result = result
        self.skipped = _Skipped()
        self.where = str(path)
        self.users = {
            _guid_key(u.get("guid")): (u.get("name") or "").strip() or "imported"
            for users in _children(root, "Users")
            for u in _children(users, "User")
        }
        origin = (root.get("origin") or "").lower()
        self.utf16 = any(o in origin for o in _UTF16_ORIGINS)
        self.code_names: dict[str, str] = {}  # code guid -> qualcode name
        self.source_ids: dict[str, int] = {}  # source guid -> id
        self.source_names: dict[str, str] = {}  # source guid -> name
        self.coding_ids: dict[str, int] = {}  # selection or coding guid -> coding id
        self.note_targets: dict[str, list[tuple[str, int | None]]] = {}

    def run(self, codebook: Codebook) -> None:
        self.known_speakers = case_store.participant_labels(self.conn) | self._listed_speakers()
        self._codebook(codebook)
        for sources in _children(self.root, "Sources"):
            for element in sources:
                self._source(element)
        self._cases()
        self._notes()
        self._other()
        case_store.resolve_speakers(self.conn, INTERVIEWER_LABELS)
        summary = {
            "imported": self.result.sources,
            "codings": self.result.codings,
            "cases": self.result.cases,
        }
        run_store.record_run(self.conn, "import", {"paths": [self.where], "format": "qdpx"}, summary)
        self.result.warnings.extend(self.skipped.warnings(self.where))

    # -- codebook ------------------------------------------------------------------------

    def _codebook(self, codebook: Codebook) -> None:
        elements: list = []

        def walk(element) -> None:
            elements.append(element)
            for child in _children(element, "Code"):
                walk(child)

        for book in _children(self.root, "CodeBook"):
            for codes in _children(book, "Codes"):
                for element in _children(codes, "Code"):
                    walk(element)
        # read_qdpx_codebook lists the codes in the same depth-first order.
        self.code_names = {
            _guid_key(e.get("guid")): code.name for e, code in zip(elements, codebook.codes, strict=True)
        }
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

    # -- sources and codings ---------------------------------------------------------------

    def _source(self, element) -> None:
        kind = _local(element.tag)
        if kind in _OTHER_SOURCES:
            self.skipped.add(f"{kind} source(s) (qualcode reads text only)")
            selections = [c for c in element.iter() if _local(c.tag).endswith("Selection")]
            self.skipped.add(f"selection(s) in {kind} sources", len(selections))
            return
        if kind != "TextSource":
            return
        guid = _guid_key(element.get("guid"))
        name = (element.get("name") or "").strip() or guid
        raw = self._text(element, name)
        if raw is None:
            return
        text, starts, ends = normalise_with_map(raw, self.utf16 or self._counts_utf16(element, raw, name))
        if element.get("richTextPath"):
            self.skipped.add("rich-text version(s) of sources (their plain text was imported)")
        name = self._unique_name(name)
        transcript = parse_turns(text, "refi", self.known_speakers)
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
        self.source_ids[guid], self.source_names[guid] = source_id, name
        existing = coding_store.existing_codings(self.conn, source_id)
        ids = code_store.code_ids(self.conn)
        for selection in _children(element, "PlainTextSelection"):
            self._selection(selection, source_id, name, text, starts, ends, existing, ids)
        for coding in _children(element, "Coding"):  # a code on the whole source
            self._coding(coding, None, source_id, 0, len(text), existing, ids)
        for ref in _children(element, "NoteRef"):
            self._note_target(ref, "source", source_id)
        values = _children(element, "VariableValue")
        self.skipped.add("variable value(s) on sources (qualcode keeps variables on cases)", len(values))

    def _counts_utf16(self, element, raw: str, name: str) -> bool:
        """Whether a program not known to count UTF-16 units did so here: its selections
        reach past the text in code points but not in UTF-16 units."""
        ends = [_int(s.get("endPosition")) for s in _children(element, "PlainTextSelection")]
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
        content = _children(element, "PlainTextContent")
        if content:
            return content[0].text or ""
        target = element.get("plainTextPath")
        if not target:
            self.skipped.add("text source(s) without plain text (rich text only)")
            return None
        data = self._file(target)
        if data is None:
            self.result.warnings.append(
                f"{self.where}: source {name!r}: its text {target!r} is not in the archive; skipped it"
            )
            self.skipped.add("text source(s) whose text file is missing")
            return None
        _, encoding, warnings = decode(data, f"{self.where} ({target})")
        self.result.warnings.extend(warnings)
        for bom in (b"\xef\xbb\xbf", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff"):
            if encoding != "cp1252" and data.startswith(bom):
                data = data[len(bom) :]
                break
        return data.decode(encoding)

    def _file(self, target: str) -> bytes | None:
        if target.startswith("internal://"):
            wanted = target[len("internal://") :].lower()
            if self.archive is None:
                return None
            for member in self.archive.namelist():
                parts = PurePosixPath(member).parts
                if len(parts) == 2 and parts[0].lower() == "sources" and parts[1].lower() == wanted:
                    return self.archive.read(member)
            return None
        base = Path(self.root.get("basePath") or self.path.parent)
        candidate = Path(target.removeprefix("file://"))
        candidate = candidate if candidate.is_absolute() else base / candidate
        return candidate.read_bytes() if candidate.is_file() else None

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
        default = self.users.get(_guid_key(selection.get("creatingUser")))
        codings = _children(selection, "Coding")
        if not codings:
            self.skipped.add("selection(s) without a code")
        for coding in codings:
            self._coding(coding, default, source_id, start, end, existing, ids)
        first = self.coding_ids.get(_guid_key(codings[0].get("guid"))) if codings else None
        for ref in _children(selection, "NoteRef"):
            self._note_target(ref, "coding" if first else "source", first or source_id)

    def _coding(self, coding, default, source_id, start, end, existing, ids) -> None:
        refs = _children(coding, "CodeRef")
        code = self.code_names.get(_guid_key(refs[0].get("targetGUID"))) if refs else None
        if code is None:
            self.skipped.add("coding(s) of codes missing from the codebook")
            return
        coder = self.users.get(_guid_key(coding.get("creatingUser"))) or default or "imported"
        key = (start, end, ids[code], coder)
        if key in existing:
            self.skipped.add("coding(s) already in the project (not added twice)")
            return
        existing.add(key)
        coding_id = coding_store.insert_coding(self.conn, source_id, start, end, ids[code], coder, "import")
        self.coding_ids[_guid_key(coding.get("guid"))] = coding_id
        self.result.codings += 1
        for ref in _children(coding, "NoteRef"):
            self._note_target(ref, "coding", coding_id)

    # -- cases, notes and the rest -------------------------------------------------------------

    def _cases(self) -> None:
        variables = {}
        for holder in _children(self.root, "Variables"):
            for v in _children(holder, "Variable"):
                kind = (v.get("typeOfVariable") or "Text").lower()
                if kind not in _TYPES:
                    self.skipped.add(f"{v.get('typeOfVariable')} variable(s) (read as text)")
                variables[_guid_key(v.get("guid"))] = (v.get("name") or "").strip(), _TYPES.get(kind, "text")
        for holder in _children(self.root, "Cases"):
            for case in _children(holder, "Case"):
                self._case(case, variables)

    def _case(self, case, variables) -> None:
        name = (case.get("name") or "").strip() or _guid_key(case.get("guid"))
        case_id = case_store.upsert_case(self.conn, name)
        self.result.cases.append(name)
        for value in _children(case, "VariableValue"):
            ref = _children(value, "VariableRef")
            variable = variables.get(_guid_key(ref[0].get("targetGUID"))) if ref else None
            found = [c for c in value if _local(c.tag).endswith("Value") and _local(c.tag) != "VariableValue"]
            if variable is None or not found or not variable[0]:
                self.skipped.add("case value(s) of unknown variables")
                continue
            attribute, kind = variable
            raw = (found[0].text or "").strip()
            try:
                stored = canonical(raw, kind)
            except ValueError:
                stored, kind = raw, "text"
            case_store.upsert_attribute(self.conn, attribute, kind)
            case_store.set_case_value(self.conn, case_id, attribute, stored)
        linked = self._speakers(case, case_id)
        sources = [
            self.source_names.get(_guid_key(r.get("targetGUID"))) for r in _children(case, "SourceRef")
        ]
        for source in sorted({s for s in sources if s} - linked):
            source_store.merge_source_metadata(
                self.conn, source_store.source_id(self.conn, source), {"cases": [name]}
            )
            self.result.warnings.append(
                f"{self.where}: case {name!r} holds source {source!r} but names none of its speakers; "
                "recorded in the source's metadata; link speakers with a participants CSV"
            )
        self.skipped.add("code(s) assigned to cases", len(_children(case, "CodeRef")))
        self.skipped.add("selection(s) assigned to cases", len(_children(case, "SelectionRef")))

    def _listed_speakers(self) -> set[str]:
        """The speaker labels a qualcode export listed in its cases' descriptions."""
        labels = set()
        for holder in _children(self.root, "Cases"):
            for case in _children(holder, "Case"):
                for line in _speaker_lines(case):
                    m = SPEAKER_LINE.match(line.strip())
                    if m:
                        labels.add(m["label"])
        return labels

    def _speakers(self, case, case_id: int) -> set[str]:
        """Link the speakers a qualcode export listed in the case's description."""
        linked = set()
        names = set(self.source_names.values())
        for line in _speaker_lines(case):
            m = SPEAKER_LINE.match(line.strip())
            if not m or m["source"] not in names:
                continue
            case_store.declare_participant(
                self.conn, m["label"], m["source"], m["role"] or "participant", case_id
            )
            linked.add(m["source"])
        return linked

    def _note_target(self, ref, kind: str, target: int | None) -> None:
        self.note_targets.setdefault(_guid_key(ref.get("targetGUID")), []).append((kind, target))

    def _notes(self) -> None:
        for holder in _children(self.root, "CodeBook"):
            for element in holder.iter():
                if _local(element.tag) == "Code":
                    name = self.code_names.get(_guid_key(element.get("guid")))
                    ids = code_store.code_ids(self.conn)
                    for ref in _children(element, "NoteRef"):
                        self._note_target(ref, "code", ids.get(name))
        for ref in _children(self.root, "NoteRef"):
            self._note_target(ref, "project", None)
        for holder in _children(self.root, "Notes"):
            for note in _children(holder, "Note"):
                text = self._note_text(note)
                if not text.strip():
                    self.skipped.add("empty note(s)")
                    continue
                author = self.users.get(_guid_key(note.get("creatingUser"))) or "imported"
                for kind, target in self.note_targets.get(_guid_key(note.get("guid")), [("project", None)]):
                    memo_store.insert_memo(self.conn, kind, target, author, text.strip())
                    self.result.memos += 1

    def _note_text(self, note) -> str:
        content = _children(note, "PlainTextContent")
        if content:
            return normalise(content[0].text or "")
        target = note.get("plainTextPath")
        data = self._file(target) if target else None
        if data is None:
            return ""
        return decode(data, f"{self.where} ({target})")[0]

    def _other(self) -> None:
        for holder in _children(self.root, "Links"):
            self.skipped.add("link(s)", len(_children(holder, "Link")))
        for holder in _children(self.root, "Graphs"):
            self.skipped.add("graph(s)", len(_children(holder, "Graph")))
        for holder in [self.root, *_children(self.root, "CodeBook")]:
            for sets in _children(holder, "Sets"):
                other = [
                    s for s in _children(sets, "Set") if (s.get("name") or "").strip().lower() not in KINDS
                ]
                self.skipped.add("set(s) other than qualcode's code kinds", len(other))


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _speaker_lines(case) -> list[str]:
    description = next((d.text or "" for d in _children(case, "Description")), "")
    lines = description.replace("\r\n", "\n").split("\n")
    return lines[lines.index(SPEAKERS_HEADING) + 1 :] if SPEAKERS_HEADING in lines else []


def normalise_with_map(raw: str, utf16: bool = False) -> tuple[str, list[int], list[int]]:
    """``normalise(raw)`` and, per position in ``raw``, where it lands in the normalised text.

    ``starts[i]`` is where a selection starting at ``i`` starts; ``ends[i]`` where one ending
    at ``i`` ends (they differ inside a CRLF pair or a composed letter). With ``utf16`` the
    positions count UTF-16 code units, as .NET programs do.
    """
    pieces = _pieces(raw)
    out: list[str] = []
    starts, ends = [0] * (len(raw) + 1), [0] * (len(raw) + 1)
    pos = 0
    for a, b, new in pieces:
        starts[a] = ends[a] = pos
        for k in range(a + 1, b):
            starts[k], ends[k] = pos, pos + len(new)
        out.append(new)
        pos += len(new)
    starts[len(raw)] = ends[len(raw)] = pos
    text = "".join(out)
    if text != normalise(raw):  # composition across our pieces: map through prefixes instead
        text = normalise(raw)
        starts = [len(normalise(raw[:i])) for i in range(len(raw) + 1)]
        ends = starts
    if utf16 and any(ord(ch) > 0xFFFF for ch in raw):
        unit_starts, unit_ends = [], []
        for i, ch in enumerate(raw):
            unit_starts.append(starts[i])
            unit_ends.append(ends[i])
            if ord(ch) > 0xFFFF:
                unit_starts.append(starts[i])
                unit_ends.append(ends[i + 1])
        unit_starts.append(starts[len(raw)])
        unit_ends.append(ends[len(raw)])
        starts, ends = unit_starts, unit_ends
    return text, starts, ends


def _pieces(raw: str) -> list[tuple[int, int, str]]:
    """``raw`` cut into pieces that normalise on their own: (start, end, normalised piece)."""
    n = len(raw)
    i = 0
    while i < n and raw[i] == "\ufeff":
        i += 1
    pieces = [(0, i, "")] if i else []
    nfc = unicodedata.is_normalized("NFC", raw)
    while i < n:
        if raw[i] == "\r":
            j = i + 2 if raw.startswith("\r\n", i) else i + 1
            pieces.append((i, j, "\n"))
            i = j
            continue
        j = i + 1
        if not nfc:
            while (
                j < n
                and raw[j] != "\r"
                and (unicodedata.combining(raw[j]) or 0x1160 <= ord(raw[j]) <= 0x11FF)
            ):
                j += 1
        chunk = raw[i:j]
        pieces.append((i, j, chunk if nfc else unicodedata.normalize("NFC", chunk)))
        i = j
    return pieces
