"""The document view: one transcript with its codings, the coder's suggestions and memos;
coding by selecting text, editing, removing and undoing, deciding suggestions in place.

Every change is a POST that calls the reviewer (``project.reviewer(coder)``) or
``project.add_memo``; spans are snapped to word edges with the review session's
``snap_to_words`` before they are stored, and the page shows the snapped text first.
"""

from __future__ import annotations

from starlette.routing import Route

from qualcode.coding.session import snap_to_words
from qualcode.errors import InputError, QualcodeError
from qualcode.web import coder_of, project_of
from qualcode.web.api import answer, needs_coder, posted
from qualcode.web.i18n import add
from qualcode.web.render import page

add(
    nl={
        "doc_title": "Transcript", "doc_undo": "Ongedaan maken", "doc_memo_source": "Memo bij dit transcript",
        "doc_memo_passage": "Memo bij deze passage", "doc_counter": "tegenbewijs (spreekt de code tegen)", "doc_memo_add": "Memo toevoegen", "doc_memos": "Memo's",
        "doc_save": "Opslaan", "doc_remove": "Verwijderen", "doc_cancel": "Annuleren", "doc_code": "Code",
        "doc_start": "Begin", "doc_end": "Eind", "doc_preview": "Voorbeeld", "doc_filter": "Typ om codes te zoeken",
        "doc_accept": "Accepteren", "doc_reject": "Afwijzen", "doc_instead": "Liever deze",
        "doc_score": "score", "doc_alternatives": "Alternatieven", "doc_none": "geen",
        "doc_coded_by": "gecodeerd door", "doc_suggestion": "suggestie", "doc_no_coder": "Kies rechtsboven een codeursnaam om te coderen.",
        "doc_help": "Selecteer tekst binnen één beurt (muis, of Shift+pijltjes in een beurt) en kies een code.",
        "doc_one_turn": "selecteer tekst binnen één beurt", "doc_saved": "opgeslagen", "doc_undone": "ongedaan gemaakt: {action}",
        "doc_nothing_undo": "niets om ongedaan te maken", "doc_segment": "Passage", "doc_not_found": "Niet gevonden",
        "doc_codings": "coderingen", "doc_suggestions": "suggesties", "doc_change_code": "Code wijzigen",
        "doc_others": "van {coder}: alleen lezen", "doc_rationale": "waarom", "doc_no_segments": "dit transcript heeft nog geen segmenten (qualcode segment)",
    },
    en={
        "doc_title": "Transcript", "doc_undo": "Undo", "doc_memo_source": "Memo on this transcript",
        "doc_memo_passage": "Memo on this passage", "doc_counter": "counter-evidence (speaks against the code)", "doc_memo_add": "Add memo", "doc_memos": "Memos",
        "doc_save": "Save", "doc_remove": "Remove", "doc_cancel": "Cancel", "doc_code": "Code",
        "doc_start": "Start", "doc_end": "End", "doc_preview": "Preview", "doc_filter": "Type to find a code",
        "doc_accept": "Accept", "doc_reject": "Reject", "doc_instead": "Use this instead",
        "doc_score": "score", "doc_alternatives": "Alternatives", "doc_none": "none",
        "doc_coded_by": "coded by", "doc_suggestion": "suggestion", "doc_no_coder": "Choose a coder name (top right) to code.",
        "doc_help": "Select text inside one turn (mouse, or Shift+arrows in a turn) and pick a code.",
        "doc_one_turn": "select text inside one turn", "doc_saved": "saved", "doc_undone": "undone: {action}",
        "doc_nothing_undo": "nothing to undo", "doc_segment": "Passage", "doc_not_found": "Not found",
        "doc_codings": "codings", "doc_suggestions": "suggestions", "doc_change_code": "Change code",
        "doc_others": "{coder}'s: read only", "doc_rationale": "why", "doc_no_segments": "this transcript has no segments yet (qualcode segment)",
    },
)  # fmt: skip

# What the page's script needs of each coding and suggestion (the rest is in the HTML).
CODING_KEYS = ("id", "start", "end", "code", "coder", "mine", "text", "colour")
SUGGESTION_KEYS = ("id", "start", "end", "code", "score", "rationale", "segment_id", "text", "colour")


def clock(seconds) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def document_page(request):
    source = request.path_params["source"]
    coder = coder_of(request)
    with project_of(request, read_only=True) as project:
        try:
            doc = project.workbench().document(source, coder)
        except QualcodeError as error:
            return page(
                request, "document.html", project, status_code=404, error=str(error), doc=None, data={}
            )
        for turn in doc["turns"]:
            turn["clock"] = clock(turn["time"])
        data = {
            "source": doc["source"],
            "codings": [{k: c[k] for k in CODING_KEYS} for c in doc["codings"]],
            "suggestions": [{k: g[k] for k in SUGGESTION_KEYS} for g in doc["suggestions"]],
            "segments": doc["segments"],
            "codes": doc["codes"],
        }
        return page(request, "document.html", project, error=None, doc=doc, data=data)


def whole(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{key} must be a whole number (a character offset)")
    return value


def snapped(project, source: str, start: int, end: int) -> tuple[int, int]:
    return snap_to_words(project.source_text(source), start, end)


def snap(request):
    def call():
        query = request.query_params
        source = query.get("source", "")
        try:
            start, end = int(query.get("start", "")), int(query.get("end", ""))
        except ValueError as error:
            raise InputError("start and end must be whole numbers (character offsets)") from error
        with project_of(request, read_only=True) as project:
            text = project.source_text(source)
            start, end = snap_to_words(text, start, end)
            if not 0 <= start < end <= len(text):
                raise InputError(f"span {start}-{end} does not fit the source ({len(text)} characters)")
            return {"start": start, "end": end, "text": text[start:end]}

    return answer(call)


async def changed(request, work):
    """Answer ``work(project, coder, body)`` for the request's coder, as JSON (errors: 400)."""

    def call(body):
        coder = needs_coder(request)
        with project_of(request) as project:
            return work(project, coder, body)

    return await posted(request, call)


async def add_coding(request):
    def work(project, coder, data):
        source = str(data.get("source", ""))
        start, end = snapped(project, source, whole(data, "start"), whole(data, "end"))
        counter = data.get("counter", False) is True  # marked as evidence against the code
        coding = project.reviewer(coder).add(source, start, end, str(data.get("code", "")), counter=counter)
        return {"coding": coding, "start": start, "end": end}

    return await changed(request, work)


async def edit_coding(request):
    """Another code and/or other (snapped) boundaries for one of the coder's codings."""

    def work(project, coder, data):
        start = whole(data, "start") if data.get("start") is not None else None
        end = whole(data, "end") if data.get("end") is not None else None
        if start is not None and end is not None:
            start, end = snapped(project, str(data.get("source", "")), start, end)
        code = str(data["code"]) if data.get("code") else None
        reviewer = project.reviewer(coder)
        reviewer.edit(coding_id=request.path_params["coding"], code=code, start=start, end=end)
        return {"start": start, "end": end, "code": code}

    return await changed(request, work)


async def remove_coding(request):
    return await changed(request, lambda project, coder, _: {
        "decision": project.reviewer(coder).remove(request.path_params["coding"])})  # fmt: skip


async def undo(request):
    def work(project, coder, _):
        done = project.reviewer(coder).undo()
        return {"undone": done["action"] if done else None}

    return await changed(request, work)


async def decide(request):
    """Accept or reject a suggestion, or take one of its ranked alternatives instead."""
    suggestion, action = request.path_params["suggestion"], request.path_params["action"]

    def work(project, coder, data):
        reviewer = project.reviewer(coder)
        if action == "accept":
            return {"decision": reviewer.accept(suggestion)}
        if action == "reject":
            return {"decision": reviewer.reject(suggestion)}
        if action == "instead":
            return {"decision": reviewer.instead(suggestion, whole(data, "candidate"))}
        raise InputError(f"unknown decision {action!r}: accept, reject or instead")

    return await changed(request, work)


def candidates(request):
    """The ranked alternatives of a pending suggestion (shown on hover or focus)."""
    suggestion = request.path_params["suggestion"]

    def call():
        coder = needs_coder(request)
        with project_of(request, read_only=True) as project:
            reviewer = project.reviewer(coder)
            item = next((p for p in reviewer.pending() if p.id == suggestion), None)
            if item is None:
                raise InputError(f"suggestion {suggestion} is not waiting for {coder}'s decision")
            found = reviewer.candidates(item)
            return {"candidates": [{"id": c.id, "code": c.code, "score": round(c.score, 3),
                                    "rationale": c.rationale} for c in found]}  # fmt: skip

    return answer(call)


async def add_memo(request):
    def work(project, coder, data):
        on = str(data.get("on", ""))
        if on not in ("source", "segment"):
            raise InputError("a memo here is on the source or on a segment")
        return {"memo": project.add_memo(on, data.get("target"), coder, str(data.get("text", "")))}

    return await changed(request, work)


ROUTES = [
    Route("/document/{source:path}", document_page),
    Route("/api/document/snap", snap),
    Route("/api/codings", add_coding, methods=["POST"]),
    Route("/api/codings/{coding:int}/edit", edit_coding, methods=["POST"]),
    Route("/api/codings/{coding:int}/remove", remove_coding, methods=["POST"]),
    Route("/api/document/undo", undo, methods=["POST"]),
    Route("/api/document/suggestions/{suggestion:int}/{action:str}", decide, methods=["POST"]),
    Route("/api/document/suggestions/{suggestion:int}/candidates", candidates),
    Route("/api/document/memos", add_memo, methods=["POST"]),
]
