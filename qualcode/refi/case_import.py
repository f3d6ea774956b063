"""REFI-QDA cases and variables, imported into qualcode's cases, case attributes and speakers.

A REFI-QDA case holds variable values and whole sources; a qualcode case holds speakers in
sources. The speakers come back from the case description a qualcode export writes
(:mod:`qualcode.refi.speakers`); a source the case holds without naming any of its speakers is
recorded in the source's metadata, with a warning. The roles of the speakers in a source come
back from the source's description (:func:`declare_roles`), so a speaker who belongs to no case
(an interviewer) keeps hers.
"""

from __future__ import annotations

from collections.abc import Callable

from qualcode.ingest.participants import canonical
from qualcode.refi.speakers import read_roles, read_speakers
from qualcode.refi.xml import children, guid_key, local
from qualcode.store import cases as case_store
from qualcode.store import sources as source_store

_TYPES = {"text": "text", "integer": "integer", "float": "float", "boolean": "boolean", "date": "date"}

Skip = Callable[..., None]  # skip(what, n=1): count n things of a kind that were not carried over


def listed_speakers(root) -> set[str]:
    """The speaker labels a qualcode export listed in its cases' and sources' descriptions."""
    labels = set()
    for holder in children(root, "Cases"):
        for case in children(holder, "Case"):
            labels.update(s.label for s in read_speakers(_description(case)))
    for holder in children(root, "Sources"):
        for source in children(holder, "TextSource"):
            labels.update(label for label, _ in read_roles(_description(source)))
    return labels


def declare_roles(conn, where: str, source, name: str, spoken: set[str]) -> list[str]:
    """Declare the roles a ``TextSource``'s description lists for the speakers of the source
    stored as ``name`` (``spoken``: the labels of its turns); a speaker the project declared
    already keeps its declaration. A warning names the listed speakers who never speak."""
    folded = {label.casefold() for label in spoken}
    silent = set()
    for label, role in read_roles(_description(source)):
        if label.casefold() in folded:
            case_store.declare_role(conn, label, name, role)
        else:
            silent.add(label)
    if not silent:
        return []
    names = sorted(silent)
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return [
        f"{where}: source {name!r}: its description gives a role to speaker(s) who speak in none "
        f"of its turns (not kept): {', '.join(names[:10])}{more}"
    ]


class CaseImport:
    """Stores the cases of a ``Project`` element; collects their names and the warnings."""

    def __init__(self, conn, where: str, skip: Skip):
        self.conn, self.where, self.skip = conn, where, skip
        self.cases: list[str] = []
        self.warnings: list[str] = []

    def run(self, root, source_names: dict[str, str]) -> None:
        """Import every case; ``source_names`` maps the imported sources' GUID keys to names."""
        variables = self._variables(root)
        for holder in children(root, "Cases"):
            for case in children(holder, "Case"):
                self._case(case, variables, source_names)

    def _variables(self, root) -> dict[str, tuple[str, str]]:
        """Variable GUID key -> (name, qualcode attribute type)."""
        variables = {}
        for holder in children(root, "Variables"):
            for v in children(holder, "Variable"):
                kind = (v.get("typeOfVariable") or "Text").lower()
                if kind not in _TYPES:
                    self.skip(f"{v.get('typeOfVariable')} variable(s) (read as text)")
                variables[guid_key(v.get("guid"))] = (v.get("name") or "").strip(), _TYPES.get(kind, "text")
        return variables

    def _case(self, case, variables: dict, source_names: dict[str, str]) -> None:
        name = (case.get("name") or "").strip() or guid_key(case.get("guid"))
        case_id = case_store.upsert_case(self.conn, name)
        self.cases.append(name)
        for value in children(case, "VariableValue"):
            self._value(value, case_id, variables)
        linked = self._speakers(case, case_id, set(source_names.values()))
        sources = [source_names.get(guid_key(r.get("targetGUID"))) for r in children(case, "SourceRef")]
        for source in sorted({s for s in sources if s} - linked):
            source_store.merge_source_metadata(
                self.conn, source_store.source_id(self.conn, source), {"cases": [name]}
            )
            self.warnings.append(
                f"{self.where}: case {name!r} holds source {source!r} but names none of its speakers; "
                "recorded in the source's metadata; link speakers with a participants CSV"
            )
        self.skip("code(s) assigned to cases", len(children(case, "CodeRef")))
        self.skip("selection(s) assigned to cases", len(children(case, "SelectionRef")))

    def _value(self, value, case_id: int, variables: dict) -> None:
        """One ``VariableValue``, stored as the case's attribute value (as text if it does not fit)."""
        ref = children(value, "VariableRef")
        variable = variables.get(guid_key(ref[0].get("targetGUID"))) if ref else None
        found = [c for c in value if local(c.tag).endswith("Value") and local(c.tag) != "VariableValue"]
        if variable is None or not found or not variable[0]:
            self.skip("case value(s) of unknown variables")
            return
        attribute, kind = variable
        raw = (found[0].text or "").strip()
        try:
            stored = canonical(raw, kind)
        except ValueError:
            stored, kind = raw, "text"
        case_store.upsert_attribute(self.conn, attribute, kind)
        case_store.set_case_value(self.conn, case_id, attribute, stored)

    def _speakers(self, case, case_id: int, sources: set[str]) -> set[str]:
        """Link the speakers a qualcode export listed in the case's description; return the
        sources they speak in."""
        linked = set()
        for speaker in read_speakers(_description(case)):
            if speaker.source not in sources:
                continue
            case_store.declare_participant(
                self.conn, speaker.label, speaker.source, speaker.role or "participant", case_id
            )
            linked.add(speaker.source)
        return linked


def _description(element) -> str:
    return next((d.text or "" for d in children(element, "Description")), "")
