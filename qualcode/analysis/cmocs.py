"""Realist CMOCs as records a researcher keeps: made, revised and read here; their evidence
is gathered in :mod:`qualcode.analysis.cmoc_evidence`.

A CMOC (context-mechanism-outcome configuration) is an if-then-because statement tied to
codes of the codebook in four parts: the context, the mechanism's resource (what the
programme offers) and its reasoning (how people respond to it; the split of Dalkin et al.
2015), and the outcome. Optional: the intervention and the actor, a confidence (low, medium
or high, with the reason for it) and the programme-theory version it belongs to (text,
"1" by default).

Its status moves initial → refined (as often as needed) → confirmed or refuted, and a
confirmed or refuted CMOC can be reopened (→ refined); every other move is refused. A CMOC
read from a REFI-QDA project (:func:`import_cmoc`) comes in with the status it had there.
Each creation and revision is one transaction that appends a history row with the fields
it changed (before and after) and its memo; changing the status or the confidence needs a
memo that explains why.
"""

from __future__ import annotations

import difflib
import json
import re
import warnings
from dataclasses import asdict, dataclass

from qualcode.errors import NO_CODEBOOK, ConflictError, InputError, QualcodeWarning
from qualcode.store import cmocs as store
from qualcode.store import codes as code_store

ROLES = store.ROLES
STATUSES = store.STATUSES
CONFIDENCES = store.CONFIDENCES
TRANSITIONS = {
    "initial": ("refined", "confirmed", "refuted"),
    "refined": ("refined", "confirmed", "refuted"),
    "confirmed": ("refined",),
    "refuted": ("refined",),
}
# The code kind each part expects; another kind is allowed, with a warning.
KIND_OF_ROLE = {"context": "context", "resource": "mechanism", "reasoning": "mechanism", "outcome": "outcome"}
CHANGEABLE = (*store.FIELDS, *ROLES)
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


@dataclass(frozen=True)
class Cmoc:
    """One CMOC as it stands now; the codes are names in the current codebook (through
    renames and merges), ``retired`` those of its codes the codebook no longer has."""

    key: str
    statement: str
    context: tuple[str, ...]
    resource: tuple[str, ...]
    reasoning: tuple[str, ...]
    outcome: tuple[str, ...]
    intervention: str
    actor: str
    confidence: str | None
    confidence_reason: str
    status: str
    theory_version: str
    created_by: str
    created_at: str
    retired: tuple[str, ...] = ()

    @property
    def mechanism(self) -> tuple[str, ...]:
        """The resource and reasoning codes together."""
        return self.resource + self.reasoning

    def part_of(self) -> dict[str, str]:
        """Code -> the part it plays (context, resource, reasoning, outcome)."""
        return {code: role for role in ROLES for code in getattr(self, role)}

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CmocChange:
    """One row of a CMOC's history: its creation or a revision."""

    key: str
    at: str
    by: str
    action: str  # "create" or "revise"
    from_status: str | None
    to_status: str
    changes: dict  # field -> [before, after]
    memo: str

    def as_dict(self) -> dict:
        return asdict(self)


# -- making and revising ----------------------------------------------------------------------


def add_cmoc(
    db, statement: str, by: str, context=(), resource=(), reasoning=(), outcome=(), *,
    key: str | None = None, intervention: str = "", actor: str = "", confidence: str | None = None,
    confidence_reason: str = "", theory_version: str = "1", memo: str = "",
) -> Cmoc:  # fmt: skip
    """Record a new CMOC (status 'initial'), its codes given by name, in one transaction."""
    given = {"context": context, "resource": resource, "reasoning": reasoning, "outcome": outcome}
    fields = {"intervention": intervention, "actor": actor, "confidence": confidence,
              "confidence_reason": confidence_reason, "theory_version": theory_version}  # fmt: skip
    with db.transaction() as conn:
        return _create(conn, statement, by, given, key, fields, "initial", memo)


def import_cmoc(
    conn, statement: str, by: str, parts: dict, key: str, status: str, memo: str, **fields
) -> Cmoc:
    """Record a CMOC read from a file (a REFI-QDA set, :mod:`qualcode.refi.cmoc_sets`) inside the
    caller's transaction, checked like :func:`add_cmoc` (``fields``: its keyword fields), with
    its ``status`` kept and one creation row in its history whose ``memo`` says where it came from."""
    if status not in STATUSES:
        raise InputError(f"field 'status': unknown status {status!r}; choose one of {', '.join(STATUSES)}")
    return _create(conn, statement, by, parts, key, fields, status, memo)


def _create(conn, statement, by, given: dict, key, fields: dict, status: str, memo) -> Cmoc:
    by, memo = _who(by), str(memo or "").strip()
    values = {
        "statement": _statement(statement),
        "intervention": str(fields.get("intervention") or "").strip(),
        "actor": str(fields.get("actor") or "").strip(),
        "theory_version": _version(fields.get("theory_version", "1")),
    }
    reason = str(fields.get("confidence_reason") or "").strip()
    if fields.get("confidence") is not None:
        values["confidence"] = _confidence(fields["confidence"])
        values["confidence_reason"] = _reason(reason or memo, values["confidence"])
    elif reason:
        raise InputError(
            "field 'confidence': a reason was given but no confidence; add --confidence low|medium|high"
        )
    codes = _codes(conn, {role: given.get(role, ()) for role in ROLES})
    key = _new_key(conn, key)
    cmoc_id = store.insert_cmoc(conn, key, {**values, "status": status}, by)
    for role, found in codes.items():
        store.set_codes(conn, cmoc_id, role, [code_id for code_id, _ in found])
    changes = {f: [None, v] for f, v in values.items() if v != ""}
    changes |= {role: [[], [name for _, name in found]] for role, found in codes.items() if found}
    store.insert_change(conn, cmoc_id, "create", by, None, status, changes, memo)
    return _read(conn, key)


def revise_cmoc(db, key: str, by: str, memo: str = "", **changes) -> Cmoc:
    """Change any of :data:`CHANGEABLE` (codes by name, a part's list replacing the old one)
    in one transaction that appends a history row; see the module for what needs a memo."""
    by, memo = _who(by), str(memo or "").strip()
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown:
        raise InputError(f"unknown CMOC field {unknown[0]!r}; a revision changes {', '.join(CHANGEABLE)}")
    with db.transaction() as conn:
        row = _row(conn, key)
        before = _read(conn, key)
        values = {}
        for field in ("statement", "intervention", "actor", "theory_version", "confidence_reason"):
            if changes.get(field) is not None:
                values[field] = _CLEAN[field](changes[field])
        if changes.get("confidence") is not None:
            values["confidence"] = _confidence(changes["confidence"])
            if values["confidence"] != row["confidence"] and "confidence_reason" not in values:
                values["confidence_reason"] = memo
        status = changes.get("status")
        if status is not None:
            values["status"] = _transition(key, row["status"], str(status).strip())
        given = {role: changes[role] for role in ROLES if changes.get(role) is not None}
        codes = _codes(conn, given, {role: getattr(before, role) for role in ROLES if role not in given})
        diff = {f: [row[f], v] for f, v in values.items() if v != row[f] or f == "status"}
        diff |= {
            role: [list(getattr(before, role)), names]
            for role in given
            if (names := [name for _, name in codes[role]]) != list(getattr(before, role))
        }
        _check_revision(key, row, diff, memo)
        store.update_cmoc(conn, row["id"], {f: after for f, (_, after) in diff.items()})
        for role in given:
            store.set_codes(conn, row["id"], role, [code_id for code_id, _ in codes[role]])
        store.insert_change(conn, row["id"], "revise", by, row["status"], values.get("status", row["status"]),
                            diff, memo)  # fmt: skip
        return _read(conn, key)


def _check_revision(key: str, row, diff: dict, memo: str) -> None:
    if not diff:
        raise InputError(f"nothing to change in CMOC {key!r}: every value given is the one it has already")
    for field in ("status", "confidence"):
        if field in diff and not memo:
            before, after = diff[field]
            raise InputError(
                f"field 'memo': changing the {field} of CMOC {key!r} from {before or 'none'} to {after} "
                "needs a memo explaining why (--memo TEXT)"
            )
    confidence = diff.get("confidence", [None, row["confidence"]])[1]
    reason = diff.get("confidence_reason", [None, row["confidence_reason"]])[1]
    if confidence and not reason:
        _reason("", confidence)


def _transition(key: str, now: str, to: str) -> str:
    if to not in STATUSES:
        raise InputError(f"field 'status': unknown status {to!r}; choose one of {', '.join(STATUSES)}")
    if to not in TRANSITIONS[now]:
        allowed = " or ".join(TRANSITIONS[now])
        hint = "; to change its mind, reopen it first (status refined), then confirm or refute it"
        raise ConflictError(
            f"field 'status': CMOC {key!r} cannot go from {now} to {to}; from {now} it can go to {allowed}"
            + (hint if now in ("confirmed", "refuted") and to != "initial" else "")
        )
    return to


# -- reading ----------------------------------------------------------------------------------


def cmocs(db) -> list[Cmoc]:
    """Every CMOC, in the order they were made."""
    with db.reading() as conn:
        return _all(conn)


def cmoc(db, key: str) -> Cmoc:
    """One CMOC by its key (an error naming the known keys when there is none)."""
    with db.reading() as conn:
        _row(conn, key)
        return _read(conn, key)


def cmoc_history(db, key: str | None = None) -> list[CmocChange]:
    """The history of one CMOC (or of all), oldest first."""
    with db.reading() as conn:
        cmoc_id = _row(conn, key)["id"] if key is not None else None
        return [
            CmocChange(
                r["key"], r["created_at"], r["author"], r["action"], r["from_status"], r["to_status"],
                json.loads(r["changes"]), r["memo"],
            )
            for r in store.cmoc_history(conn, cmoc_id)
        ]  # fmt: skip


def latest_change(db) -> str:
    """When a CMOC was last made or revised ("" when there are none)."""
    with db.reading() as conn:
        return store.latest_change(conn)


def _all(conn) -> list[Cmoc]:
    codes: dict[int, dict[str, list[str]]] = {}
    retired: dict[int, set[str]] = {}
    for r in store.cmoc_codes(conn):
        names = codes.setdefault(r["cmoc_id"], {role: [] for role in ROLES})[r["role"]]
        if r["code"] not in names:  # two codes merged into one stand once
            names.append(r["code"])
        if r["retired"]:
            retired.setdefault(r["cmoc_id"], set()).add(r["code"])
    found = []
    for row in store.cmoc_rows(conn):
        parts = codes.get(row["id"], {role: [] for role in ROLES})
        found.append(
            Cmoc(
                row["key"], row["statement"], *(tuple(parts[role]) for role in ROLES), row["intervention"],
                row["actor"], row["confidence"], row["confidence_reason"], row["status"],
                row["theory_version"], row["created_by"], row["created_at"],
                tuple(sorted(retired.get(row["id"], ()))),
            )
        )  # fmt: skip
    return found


def _read(conn, key: str) -> Cmoc:
    return next(c for c in _all(conn) if c.key == key)


def _row(conn, key: str | None):
    row = store.cmoc_row(conn, str(key)) if key is not None else None
    if row is None:
        keys = store.cmoc_keys(conn)
        known = (
            f"the project has {', '.join(keys)}"
            if keys
            else "the project has none yet; add one: qualcode cmoc add"
        )
        raise InputError(f"no CMOC {key!r} in the project ({known})")
    return row


# -- checking what is given -------------------------------------------------------------------


def _codes(conn, given: dict, kept: dict | None = None) -> dict[str, list[tuple[int, str]]]:
    """Part -> [(code id, name)] for the names given, checked against the current codebook;
    ``kept``: the names of the parts a revision leaves alone (not checked again, so a code
    retired since stays), which still count for the checks across parts."""
    active = {r["name"]: r["kind"] for r in code_store.active_codes(conn)}
    ids = code_store.code_ids(conn)
    found: dict[str, list[tuple[int, str]]] = {}
    part_of = {name: role for role, names in (kept or {}).items() for name in names}
    for role in ROLES:
        if role not in given:
            continue
        names = given[role] or ()
        found[role] = []
        for name in [names] if isinstance(names, str) else names:
            name = str(name).strip()
            if not name or part_of.get(name) == role:  # given twice
                continue
            if name not in active:
                raise InputError(_unknown_code(role, name, active, ids))
            if name in part_of:
                raise InputError(
                    f"field '{role}': code {name!r} is already the {part_of[name]} of this CMOC; "
                    "a code plays one part in a CMOC"
                )
            if active[name] != KIND_OF_ROLE[role]:
                warnings.warn(
                    f"code {name!r} is of kind {active[name]}, not {KIND_OF_ROLE[role]}, but is given as the "
                    f"{role} of a CMOC", QualcodeWarning, stacklevel=3,
                )  # fmt: skip
            part_of[name] = role
            found[role].append((ids[name], name))
    if not part_of:
        raise InputError(
            "a CMOC needs at least one code: a context (--context), a mechanism (--resource or "
            "--reasoning) or an outcome (--outcome)"
        )
    return found


def _unknown_code(role: str, name: str, active: dict, ids: dict) -> str:
    if not active:
        return f"field '{role}': unknown code {name!r}: {NO_CODEBOOK}"
    if name in ids:
        return (
            f"field '{role}': code {name!r} is no longer in the current codebook (renamed, merged or "
            "retired); give its current name (see: qualcode codebook show)"
        )
    close = difflib.get_close_matches(name, list(active), n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else "see: qualcode codebook show"
    return f"field '{role}': unknown code {name!r}, the codebook has no such code; {hint}"


def _new_key(conn, key: str | None) -> str:
    keys = store.cmoc_keys(conn)
    if key is None or not str(key).strip():
        numbers = [int(k[3:]) for k in keys if re.fullmatch(r"CMO\d+", k)]
        return f"CMO{max(numbers, default=0) + 1}"
    key = str(key).strip()
    if not _KEY.match(key):
        raise InputError(
            f"field 'key': {key!r} is not a CMOC key; use up to 40 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (for example CMO1)"
        )
    if key in keys:
        raise ConflictError(
            f"field 'key': a CMOC {key!r} exists already; choose another key, or change it with: "
            f"qualcode cmoc revise PROJECT {key}"
        )
    return key


def _who(by) -> str:
    if not by or not str(by).strip():
        raise InputError("field 'by': say who records this (--by NAME)")
    return str(by).strip()


def _statement(text) -> str:
    text = " ".join(str(text or "").split())
    if not text:
        raise InputError(
            "field 'statement': a CMOC needs its statement, for example 'if ... then ... because ...' (--statement)"
        )
    return text


def _version(version) -> str:
    version = str(version if version is not None else "").strip()
    if not version:
        raise InputError(
            "field 'theory_version': give the programme-theory version, for example 1 (--theory)"
        )
    return version


def _confidence(value) -> str:
    value = str(value).strip().lower()
    if value not in CONFIDENCES:
        raise InputError(f"field 'confidence': unknown confidence {value!r}; choose low, medium or high")
    return value


def _reason(reason: str, confidence: str) -> str:
    if not reason:
        raise InputError(f"field 'confidence_reason': say why the confidence is {confidence} (--reason TEXT)")
    return reason


_CLEAN = {
    "statement": _statement,
    "intervention": lambda v: str(v).strip(),
    "actor": lambda v: str(v).strip(),
    "theory_version": _version,
    "confidence_reason": lambda v: str(v).strip(),
}
