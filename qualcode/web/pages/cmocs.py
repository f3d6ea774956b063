"""The researcher's realist CMOCs (:mod:`qualcode.analysis.cmocs`): the list with a form to add
one, and a page per CMOC with its parts, a form to revise it (a status or confidence change
needs a memo: the library says so, and the page shows its message), its history with the
memos and its evidence (:mod:`qualcode.analysis.cmoc_evidence`): counts per case and per
group, the supporting units with their quotes and the disconfirming quotes, each linked to
its place in the document view. Blind mode shows the library's refusal for the evidence."""

from __future__ import annotations

from starlette.routing import Route

from qualcode.analysis.cmocs import CONFIDENCES, KIND_OF_ROLE, ROLES, STATUSES, TRANSITIONS
from qualcode.errors import QualcodeError
from qualcode.web import project_of
from qualcode.web.api import needs_coder, posted
from qualcode.web.i18n import add
from qualcode.web.render import page

TEXTS = ("statement", "intervention", "actor", "confidence_reason", "theory_version")
SCOPES = ("turn", "segment", "window")
LEVELS = ("full", "context_in_case", "partial", "disconfirming")
MAX_TEXT = 20000
MAX_CODES = 200
# The interface text naming each field in the history.
LABELS = {"statement": "cmoc_statement", "intervention": "cmoc_intervention", "actor": "cmoc_actor",
          "confidence": "cmoc_confidence", "confidence_reason": "cmoc_reason", "theory_version": "cmoc_theory",
          **{part: f"cmoc_part_{part}" for part in ROLES}}  # fmt: skip

add(
    nl={
        "cmoc_nav": "CMOC's", "cmoc_title": "CMOC's", "cmoc_none": "nog geen CMOC's", "cmoc_add": "CMOC toevoegen",
        "cmoc_key": "Sleutel", "cmoc_key_hint": "leeg: CMO1, CMO2, ...", "cmoc_statement": "Stelling",
        "cmoc_statement_hint": "als ... dan ... omdat ...", "cmoc_parts": "Codes", "cmoc_confidence": "Zekerheid",
        "cmoc_reason": "Waarom die zekerheid", "cmoc_status": "Status", "cmoc_theory": "Programmatheorie-versie",
        "cmoc_intervention": "Interventie", "cmoc_actor": "Actor", "cmoc_memo": "Memo",
        "cmoc_memo_hint": "waarom (nodig bij een andere status of zekerheid)", "cmoc_save": "Bewaar",
        "cmoc_saved": "bewaard", "cmoc_revise": "Herzien", "cmoc_keep": "(ongewijzigd)", "cmoc_unset": "(geen)",
        "cmoc_history": "Geschiedenis", "cmoc_evidence": "Bewijs", "cmoc_back": "alle CMOC's",
        "cmoc_part_context": "Context", "cmoc_part_resource": "Mechanisme: hulpbron",
        "cmoc_part_reasoning": "Mechanisme: redenering", "cmoc_part_outcome": "Uitkomst",
        "cmoc_status_initial": "initieel", "cmoc_status_refined": "verfijnd", "cmoc_status_confirmed": "bevestigd",
        "cmoc_status_refuted": "weerlegd", "cmoc_conf_low": "laag", "cmoc_conf_medium": "middel", "cmoc_conf_high": "hoog",
        "cmoc_level_full": "volledig", "cmoc_level_context_in_case": "context elders in de casus",
        "cmoc_level_partial": "gedeeltelijk", "cmoc_level_disconfirming": "weerleggend",
        "cmoc_made": "gemaakt", "cmoc_revised": "herzien", "cmoc_by": "door {by}, {at}",
        "cmoc_case": "Casus", "cmoc_group": "Groep", "cmoc_per_case": "Per casus", "cmoc_per_group": "Per groep",
        "cmoc_units": "Ondersteunende eenheden", "cmoc_disconfirming": "Weerleggende citaten",
        "cmoc_not_reviewed": "niet beoordeeld", "cmoc_unreviewed": "ook niet-beoordeelde suggesties meetellen",
        "cmoc_scope": "Eenheid", "cmoc_show": "Toon", "cmoc_support": "Steun", "cmoc_retired": "niet meer in het codeboek",
        "cmoc_kind_note": "{code} is een code van soort {kind}, niet {expected}, maar staat hier als {part}",
        "cmoc_pick_hint": "Ctrl/Cmd-klik om meer codes te kiezen", "cmoc_scope_turn": "beurt",
        "cmoc_scope_segment": "segment", "cmoc_scope_window": "venster van segmenten",
    },
    en={
        "cmoc_nav": "CMOCs", "cmoc_title": "CMOCs", "cmoc_none": "no CMOCs yet", "cmoc_add": "Add a CMOC",
        "cmoc_key": "Key", "cmoc_key_hint": "empty: CMO1, CMO2, ...", "cmoc_statement": "Statement",
        "cmoc_statement_hint": "if ... then ... because ...", "cmoc_parts": "Codes", "cmoc_confidence": "Confidence",
        "cmoc_reason": "Why that confidence", "cmoc_status": "Status", "cmoc_theory": "Programme-theory version",
        "cmoc_intervention": "Intervention", "cmoc_actor": "Actor", "cmoc_memo": "Memo",
        "cmoc_memo_hint": "why (needed for another status or confidence)", "cmoc_save": "Save",
        "cmoc_saved": "saved", "cmoc_revise": "Revise", "cmoc_keep": "(unchanged)", "cmoc_unset": "(none)",
        "cmoc_history": "History", "cmoc_evidence": "Evidence", "cmoc_back": "all CMOCs",
        "cmoc_part_context": "Context", "cmoc_part_resource": "Mechanism: resource",
        "cmoc_part_reasoning": "Mechanism: reasoning", "cmoc_part_outcome": "Outcome",
        "cmoc_status_initial": "initial", "cmoc_status_refined": "refined", "cmoc_status_confirmed": "confirmed",
        "cmoc_status_refuted": "refuted", "cmoc_conf_low": "low", "cmoc_conf_medium": "medium", "cmoc_conf_high": "high",
        "cmoc_level_full": "full", "cmoc_level_context_in_case": "context elsewhere in the case",
        "cmoc_level_partial": "partial", "cmoc_level_disconfirming": "disconfirming",
        "cmoc_made": "made", "cmoc_revised": "revised", "cmoc_by": "by {by}, {at}",
        "cmoc_case": "Case", "cmoc_group": "Group", "cmoc_per_case": "Per case", "cmoc_per_group": "Per group",
        "cmoc_units": "Supporting units", "cmoc_disconfirming": "Disconfirming quotes",
        "cmoc_not_reviewed": "not reviewed", "cmoc_unreviewed": "also count unreviewed suggestions",
        "cmoc_scope": "Unit", "cmoc_show": "Show", "cmoc_support": "Support", "cmoc_retired": "no longer in the codebook",
        "cmoc_kind_note": "{code} is a code of kind {kind}, not {expected}, but stands here as the {part}",
        "cmoc_pick_hint": "Ctrl/Cmd-click to pick more codes", "cmoc_scope_turn": "turn",
        "cmoc_scope_segment": "segment", "cmoc_scope_window": "window of segments",
    },
)  # fmt: skip


# -- what a form posts ------------------------------------------------------------------------


def text_of(data: dict, field: str) -> str | None:
    """A text field of the posted object (None when absent); anything but text is refused."""
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise QualcodeError(f"field '{field}': give text")
    if len(value) > MAX_TEXT:
        raise QualcodeError(f"field '{field}': at most {MAX_TEXT} characters")
    return value


def codes_of(data: dict, part: str) -> list[str] | None:
    """The code names posted for one part (None when absent): a list of names."""
    value = data.get(part)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > MAX_CODES:
        raise QualcodeError(f"field '{part}': give a list of code names")
    return value


def creation(data: dict) -> dict:
    """The keyword arguments of ``Project.add_cmoc`` from the add form."""
    fields = {f: text_of(data, f) for f in (*TEXTS, "key", "memo")}
    fields = {f: v for f, v in fields.items() if v is not None}
    if fields.get("theory_version") == "":
        del fields["theory_version"]  # the library's default, "1"
    fields["confidence"] = text_of(data, "confidence") or None
    return {"statement": fields.pop("statement", ""), **fields, **{p: codes_of(data, p) or [] for p in ROLES}}


def revision(data: dict, current) -> dict:
    """The changes of ``Project.revise_cmoc`` from the revise form: the fields that differ from
    ``current`` (so a part left alone is not checked again), and the status when one is chosen."""
    changes: dict = {}
    for field in TEXTS:
        value = text_of(data, field)
        cleaned = " ".join(value.split()) if field == "statement" and value else (value or "").strip()
        if value is not None and cleaned != getattr(current, field):
            changes[field] = value
    confidence = text_of(data, "confidence")
    if confidence and confidence != current.confidence:
        changes["confidence"] = confidence
    status = text_of(data, "status")
    if status:
        changes["status"] = status
    for part in ROLES:
        names = codes_of(data, part)
        if names is not None and {n.strip() for n in names if n.strip()} != set(getattr(current, part)):
            changes[part] = names
    return changes


# -- reading for the pages --------------------------------------------------------------------


def kind_notes(cmoc, kinds: dict[str, str]) -> list[dict]:
    """Each code whose kind is not the one its part expects (the library warns of it too)."""
    return [
        {"code": code, "kind": kinds[code], "expected": KIND_OF_ROLE[part], "part": part}
        for code, part in cmoc.part_of().items()
        if code in kinds and kinds[code] != KIND_OF_ROLE[part]
    ]


def change_rows(history) -> list[dict]:
    """Each history row with its changes as (label key, before, after) texts (the status
    change is the row's heading)."""

    def shown(value) -> str:
        return ", ".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)

    def changed(change) -> list[tuple[str, str, str]]:
        return [
            (LABELS.get(f, f), shown(b), shown(a)) for f, (b, a) in sorted(change.items()) if f != "status"
        ]

    return [{**h.as_dict(), "changed": changed(h.changes)} for h in history]


def cmocs_page(request):
    with project_of(request, read_only=True) as project:
        found = project.cmocs()
        try:
            totals = {e.key: e.totals for e in project.cmoc_evidence()} if found else {}
        except QualcodeError:  # blind mode: the detail page says why
            totals = {}
        return page(request, "cmocs.html", project, view="list", cmocs=found, totals=totals,
                    **form_context(project))  # fmt: skip


def form_context(project) -> dict:
    codes = sorted(project.codebook().codes, key=lambda c: c.name.lower())
    return {"codes": [(c.name, c.kind) for c in codes], "parts": ROLES, "statuses": STATUSES,
            "confidences": CONFIDENCES, "levels": LEVELS, "scopes": SCOPES}  # fmt: skip


def cmoc_page(request):
    key = request.path_params["key"]
    unreviewed = request.query_params.get("unreviewed") == "1"
    scope = request.query_params.get("scope") or "turn"
    with project_of(request, read_only=True) as project:
        try:
            cmoc = project.cmoc(key)
        except QualcodeError as error:
            return page(request, "cmocs.html", project, status_code=404, view="missing", error=str(error))
        evidence, refused = None, None
        try:
            evidence = project.cmoc_evidence(key, scope=scope, include="all" if unreviewed else "reviewed")
        except QualcodeError as error:
            refused = str(error)
        context = form_context(project)
        notes = kind_notes(cmoc, dict(context["codes"]))
        return page(
            request, "cmocs.html", project, view="one", cmoc=cmoc, history=change_rows(project.cmoc_history(key)),
            evidence=evidence, refused=refused, unreviewed=unreviewed, scope=scope, notes=notes,
            moves=TRANSITIONS[cmoc.status], **context,
        )  # fmt: skip


# -- changes ----------------------------------------------------------------------------------


async def add_cmoc(request):
    def run(data):
        by = needs_coder(request)
        fields = creation(data)
        with project_of(request) as project:
            made = project.add_cmoc(by=by, **fields)
            return {"key": made.key, "status": made.status}

    return await posted(request, run)


async def revise_cmoc(request):
    key = request.path_params["key"]

    def run(data):
        by = needs_coder(request)
        memo = text_of(data, "memo") or ""
        with project_of(request) as project:
            made = project.revise_cmoc(key, by, memo, **revision(data, project.cmoc(key)))
            return {"key": made.key, "status": made.status}

    return await posted(request, run)


ROUTES = [
    Route("/cmocs", cmocs_page),
    Route("/cmocs/{key}", cmoc_page),
    Route("/api/cmocs", add_cmoc, methods=["POST"]),
    Route("/api/cmocs/{key}/revise", revise_cmoc, methods=["POST"]),
]
