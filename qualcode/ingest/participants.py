"""The participants CSV: who each speaker label is (role, case) and the cases' attributes.

Columns ``speaker,case,role`` are required; an optional ``source`` column limits a row to one
transcript (needed when several transcripts use the same label, such as ``R``). Every other
column is an attribute of the case, typed from its values (integer, float, boolean, date or
text). The file may be a CSV (comma, semicolon or tab separated) or an ``.xlsx`` workbook.

Roles are free text, but ``interviewer`` has a meaning (those turns are not segmented), so a
role that is not among :data:`KNOWN_ROLES` but close to one ("interviewr") is warned about,
naming the role it is probably meant to be.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from qualcode.errors import InputError
from qualcode.ingest.csvtable import read_table

REQUIRED = ("speaker", "case", "role")
_RESERVED = (*REQUIRED, "source")
_TRUE = {"true", "yes", "ja", "waar", "y", "j"}
_FALSE = {"false", "no", "nee", "onwaar", "n"}
# The roles of the studies qualcode is made for (interviewers, and the actors of Dutch social
# work and care); others are allowed but get a note.
KNOWN_ROLES = (
    "interviewer", "moderator", "respondent", "participant", "client", "cliënt", "naaste",
    "professional", "ervaringsdeskundige", "vrijwilliger", "mantelzorger", "family", "volunteer",
    "peer", "observer", "other",
)  # fmt: skip


@dataclass
class ParticipantRow:
    line: int
    speaker: str
    source: str  # '' = every source
    case: str  # '' = no case (an interviewer, say)
    role: str


@dataclass
class Participants:
    rows: list[ParticipantRow]
    attribute_types: dict[str, str] = field(default_factory=dict)
    case_attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # of reading the file, and about its roles


def read_participants(path: str | Path, sheet: str | None = None) -> Participants:
    """The participants file at ``path`` (``sheet``: a workbook's worksheet, default the first)."""
    path = Path(path)
    reader = read_table(
        path, REQUIRED, "the participants CSV", hint=" (then any case attributes)", sheet=sheet
    )
    columns = reader.fieldnames
    attribute_names = [c for c in columns if c and c not in _RESERVED]
    rows: list[ParticipantRow] = []
    raw_values: dict[str, dict[str, tuple[str, int]]] = {}
    seen: dict[tuple[str, str], int] = {}
    for record in reader:
        line = reader.line_num
        if None in record:
            raise InputError("this row has more fields than the header", str(path), line)
        row = ParticipantRow(
            line=line,
            speaker=(record["speaker"] or "").strip(),
            source=(record.get("source") or "").strip(),
            case=(record["case"] or "").strip(),
            role=(record["role"] or "").strip().lower(),
        )
        if not row.speaker or not row.role:
            raise InputError("every row needs a speaker and a role", str(path), line)
        key = (row.speaker.casefold(), row.source)
        if key in seen:
            raise InputError(
                f"speaker {row.speaker!r} is listed twice (also on line {seen[key]}); "
                f"add a source column to tell transcripts apart",
                str(path),
                line,
            )
        seen[key] = line
        values = {a: (record[a] or "").strip() for a in attribute_names if (record[a] or "").strip()}
        if values and not row.case:
            raise InputError("case attributes are given but the case is empty", str(path), line)
        case_values = raw_values.setdefault(row.case, {}) if row.case else {}
        for name, value in values.items():
            earlier = case_values.get(name)
            if earlier and earlier[0] != value:
                raise InputError(
                    f"case {row.case!r} has {name}={value!r} here but {earlier[0]!r} on line "
                    f"{earlier[1]}; a case has one value per attribute",
                    str(path),
                    line,
                )
            case_values[name] = (value, line)
        rows.append(row)
    if not rows:
        raise InputError("the participants CSV has no rows", str(path))
    types = {
        name: infer_type([v[0] for vals in raw_values.values() for n, v in vals.items() if n == name])
        for name in attribute_names
    }
    typed = {
        case: {name: canonical(value, types[name]) for name, (value, _) in values.items()}
        for case, values in raw_values.items()
    }
    return Participants(rows, types, typed, [*reader.warnings, *role_warnings(rows, str(path))])


def role_warnings(rows: list[ParticipantRow], path: str) -> list[str]:
    """Notes on roles not among :data:`KNOWN_ROLES`: one per role close to a known one (naming
    that role), and one listing the others."""
    warnings: list[str] = []
    others: dict[str, int] = {}
    seen = set(KNOWN_ROLES)
    for row in rows:
        if row.role in seen:
            continue
        seen.add(row.role)
        close = difflib.get_close_matches(row.role, KNOWN_ROLES, n=1, cutoff=0.75)
        if not close:
            others[row.role] = row.line
            continue
        why = (
            " (only the turns of 'interviewer' are left out of segmenting)"
            if close[0] == "interviewer"
            else ""
        )
        warnings.append(
            f"{path}, line {row.line}: role {row.role!r} is not a known role; did you mean {close[0]!r}?{why}"
        )
    if others:
        listed = ", ".join(f"{role!r} (line {line})" for role, line in others.items())
        warnings.append(
            f"{path}: roles kept as written, not among the known ones ({', '.join(KNOWN_ROLES)}): {listed}"
        )
    return warnings


_DATE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def infer_type(values: list[str]) -> str:
    """The narrowest of integer, float, boolean, date, text that fits every value."""
    if not values:
        return "text"
    for kind in ("integer", "float", "boolean", "date"):
        try:
            for value in values:
                canonical(value, kind)
        except ValueError:
            continue
        return kind
    return "text"


def canonical(value: str, kind: str) -> str:
    """A value written the one way its type is stored; ValueError if it does not fit."""
    if kind == "integer":
        return str(int(value))
    if kind == "float":
        return repr(float(value.replace(",", ".")))
    if kind == "boolean":
        low = value.casefold()
        if low in _TRUE:
            return "true"
        if low in _FALSE:
            return "false"
        raise ValueError(value)
    if kind == "date":
        if _DATE_ISO.match(value):
            return date.fromisoformat(value).isoformat()
        m = _DATE_DMY.match(value)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        raise ValueError(value)
    return value
