"""The review queue: one suggestion at a time, driven by keys, over ``ReviewSession``.

State lives in the project: every request opens a :class:`ReviewSession` for the page's
filters, goes to the suggestion the page shows (by id) and makes one call (accept, reject,
edit, choose, undo), then answers the next item as JSON. Retraining, which the terminal does
in the loop, runs here in a background thread after every ``REVIEW_BATCH`` decisions (its
own Project, one job per project and coder in ``app.state.jobs``); the page asks
``/api/review/status``.
"""

from __future__ import annotations

import threading

from starlette.routing import Route

from qualcode import defaults
from qualcode.coding.review import ORDERS
from qualcode.coding.session import ReviewSession, match_codes
from qualcode.errors import ConflictError, InputError, QualcodeError
from qualcode.web import address_of, coder_of, project_of
from qualcode.web.api import answer, needs_coder, posted
from qualcode.web.i18n import add
from qualcode.web.render import page

CANDIDATE_KEYS = 8  # the digits 2-9


class Retraining:
    """One coder's retraining in the background: idle, running, done or error."""

    def __init__(self):
        self.lock = threading.Lock()
        self.state, self.since, self.report, self.error, self.finished = "idle", 0, None, None, 0

    def status(self) -> dict:
        with self.lock:
            report = self.report
            return {
                "state": self.state, "since": self.since, "error": self.error, "finished": self.finished,
                "new": report.new if report else None, "withdrawn": report.withdrawn if report else None,
                "suggestions": report.suggestions if report else None,
            }  # fmt: skip

    def decided(self, batch: int, learning: bool, more: bool) -> bool:
        """Count one decision; whether a retraining should start now (and it is marked running)."""
        with self.lock:
            self.since += 1
            if not (learning and more and self.since >= batch) or self.state == "running":
                return False
            self.state, self.since, self.error = "running", 0, None
            return True

    def run(self, path, coder: str) -> None:
        from qualcode import Project

        try:
            with Project.open(path) as project:  # SQLite connections stay in their thread
                report = project.coder_model(coder).retrain()
        except Exception as error:  # a background thread has no one else to tell
            with self.lock:
                self.state, self.error = "error", str(error) or type(error).__name__
                self.finished += 1
            return
        with self.lock:
            self.state, self.report = "done", report
            self.finished += 1


def job_of(request, coder: str) -> Retraining:
    """The coder's retraining job in the request's project (the team server has several)."""
    return request.app.state.jobs.setdefault((str(address_of(request)), coder), Retraining())


# -- the queue, as a page needs it -------------------------------------------------------------


def filters_of(values) -> dict:
    """The queue's filters from a query string or a posted body."""
    order = str(values.get("order") or "score")
    if order not in ORDERS:
        raise InputError(f"unknown order {order!r}; choose one of {', '.join(ORDERS)}")
    try:
        least = float(values.get("min") or 0)
    except ValueError:
        raise InputError(f"min score {values.get('min')!r} is not a number") from None
    return {
        "code": str(values.get("code") or "") or None,
        "source": str(values.get("source") or "") or None,
        "order": order,
        "min": least,
        "withdrawn": str(values.get("withdrawn") or "") in ("1", "true", "True"),
    }


def posted_filters(body: dict) -> dict:
    """The filters a page posts beside a decision, as ``{"filters": {...}}``."""
    filters = body.get("filters") or {}
    if not isinstance(filters, dict):
        raise InputError("send the queue's filters as a JSON object")
    return filters_of(filters)


def session_of(project, coder: str, filters: dict) -> ReviewSession:
    return ReviewSession(
        project, coder, filters["code"], filters["source"], filters["order"], withdrawn=filters["withdrawn"]
    )


def shown(session: ReviewSession, filters: dict) -> list[int]:
    return [q.id for q in session.queue if q.score >= filters["min"]]


def go_to(session: ReviewSession, filters: dict, suggestion_id, strict: bool) -> list[int]:
    """Make ``suggestion_id`` the session's current one (else the first shown, unless
    ``strict``); returns the ids shown before it, for "previous"."""
    ids = shown(session, filters)
    target = int(suggestion_id) if str(suggestion_id or "").isdigit() else None
    if target not in ids:
        if strict:
            raise ConflictError(
                f"suggestion {suggestion_id} is not in your queue now (decided, filtered out or "
                "replaced by retraining); the queue is shown again"
            )
        target = ids[0] if ids else None
    while session.current is not None and session.current.id != target:
        session.skip()
    return ids[: ids.index(target)] if target is not None else []


def state(project, session: ReviewSession, filters: dict, before: list[int], **extra) -> dict:
    """What the page shows: the current item, where it is in the queue, and the progress."""
    while session.current is not None and session.current.score < filters["min"]:
        session.skip()
    rest = shown(session, filters)
    counts = session.counts()
    decided, total = counts["decided"], sum(counts.values())  # what session.progress() gives
    return {
        "item": item_of(project, session) if session.current is not None else None,
        "position": len(before) + 1 if rest else len(before),
        "length": len(before) + len(rest),
        "previous": before[-1] if before else None,
        "next": rest[1] if len(rest) > 1 else None,
        "progress": {"decided": decided, "total": total, **counts},
        **extra,
    }


def item_of(project, session: ReviewSession) -> dict:
    item = session.current
    context = session.context()
    others = []
    if not project.blind()["blind"]:  # blind: nothing of another coder's work is shown
        others = [
            {"coder": c["coder"], "code": c["code"]}
            for c in project.codings()
            if c["source"] == item.source and c["start"] < item.end and c["end"] > item.start
            and c["coder"] != session.coder
        ]  # fmt: skip
    return {
        "id": item.id, "source": item.source, "start": item.start, "end": item.end, "code": item.code,
        "score": item.score, "rationale": item.rationale, "text": item.text, "speaker": item.speaker,
        "role": item.role, "withdrawn": item.withdrawn, "new_score": item.new_score,
        "question": session.question(), "before": context["before"], "after": context["after"],
        "definition": context["definition"], "kind": context["kind"],
        "inclusion": context["inclusion"], "exclusion": context["exclusion"],
        "candidates": [
            {"id": c.id, "code": c.code, "score": c.score, "rationale": c.rationale, "key": n + 2}
            for n, c in enumerate(session.candidates()[:CANDIDATE_KEYS])
        ],
        "others": others,
    }  # fmt: skip


# -- pages and endpoints -----------------------------------------------------------------------


JS_TEXT = (
    "rev_question", "rev_definition", "rev_inclusion", "rev_exclusion", "rev_rationale", "rev_candidates",
    "rev_others", "rev_done", "rev_score", "rev_of", "rev_progress", "rev_pending", "rev_withdrawn",
    "rev_retrain_idle", "rev_retrain_running", "rev_retrain_done", "rev_retrain_error", "rev_item",
)  # fmt: skip


def review(request):
    from qualcode.web import language_of
    from qualcode.web.i18n import translate

    with project_of(request, read_only=True) as project:
        coder, first, problem, filters = coder_of(request), None, None, filters_of({})
        if coder is not None:
            try:
                filters = filters_of(request.query_params)
                session = session_of(project, coder, filters)
                first = state(project, session, filters, go_to(session, filters, None, False))
            except QualcodeError as error:
                problem = str(error)
        language = language_of(request, project)
        data = {
            "first": first, "filters": filters,
            "retrain": job_of(request, coder).status() if coder else None,
            "text": {key: translate(language, key) for key in JS_TEXT},
        }  # fmt: skip
        return page(
            request, "review.html", project, data=data, problem=problem, filters=filters,
            codes=[c.name for c in project.codebook().codes],
            sources=[s["name"] for s in project.workbench().sources()], orders=ORDERS,
        )  # fmt: skip


def item(request):
    def call():
        coder = needs_coder(request)
        filters = filters_of(request.query_params)
        with project_of(request, read_only=True) as project:
            session = session_of(project, coder, filters)
            before = go_to(session, filters, request.query_params.get("id"), False)
            return state(project, session, filters, before)

    return answer(call)


def decide(action: str):
    def call(request, body):
        coder = needs_coder(request)
        filters = posted_filters(body)
        with project_of(request) as project:
            session = session_of(project, coder, filters)
            before = go_to(session, filters, body.get("id"), True)
            if action == "accept":
                session.accept()
            elif action == "reject":
                session.reject()
            elif action == "edit":
                session.edit(
                    code=body.get("code") or None, start=_int(body.get("start")), end=_int(body.get("end"))
                )
            else:
                chosen = [c for c in session.candidates() if str(c.id) == str(body.get("candidate"))]
                if not chosen:
                    raise InputError(
                        f"suggestion {body.get('id')} has no candidate {body.get('candidate')!r}"
                    )
                session.choose(chosen[0])
            batch = getattr(request.app.state, "review_batch", defaults.REVIEW_BATCH)
            learning = project.last_suggester() in defaults.LEARNING_SUGGESTERS
            job = job_of(request, coder)
            if job.decided(batch, learning, session.current is not None):
                threading.Thread(target=job.run, args=(address_of(request), coder), daemon=True).start()
            return state(project, session, filters, before, retrain=job.status())

    async def endpoint(request):
        return await posted(request, lambda body: call(request, body))

    return endpoint


def undo_call(request, body):
    coder = needs_coder(request)
    filters = posted_filters(body)
    with project_of(request) as project:
        session = session_of(project, coder, filters)
        undone = session.undo()
        session.reload()
        back = undone.get("suggestion_id") if undone else None
        before = go_to(session, filters, back, False)
        return state(project, session, filters, before, undone=undone["action"] if undone else None)


async def undo(request):
    return await posted(request, lambda body: undo_call(request, body))


def snap(request):
    """New boundaries snapped to words, with the text they hold (a preview; nothing changes)."""

    def call():
        coder = needs_coder(request)
        filters = filters_of(request.query_params)
        with project_of(request, read_only=True) as project:
            session = session_of(project, coder, filters)
            go_to(session, filters, request.query_params.get("id"), True)
            start, end, text = session.snapped(_int(request.query_params.get("start")),
                                               _int(request.query_params.get("end")))  # fmt: skip
            return {"start": start, "end": end, "text": text}

    return answer(call)


def codes(request):
    """The codebook's codes whose name contains ``part`` (case and accents ignored)."""

    def call():
        with project_of(request, read_only=True) as project:
            names = [c.name for c in project.codebook().codes]
        part = request.query_params.get("part", "")
        return {"codes": match_codes(names, part) if part.strip() else names}

    return answer(call)


def status(request):
    return answer(lambda: job_of(request, needs_coder(request)).status())


def _int(value):
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        raise InputError(f"a boundary must be a whole number, not {value!r}") from None


add(
    nl={
        "rev_title": "Suggesties beoordelen", "rev_code": "Code", "rev_source": "Transcript",
        "rev_min": "Vanaf score", "rev_order": "Volgorde", "rev_all": "alle", "rev_filter": "Toon",
        "rev_withdrawn": "ingetrokken", "rev_withdrawn_link": "ingetrokken suggesties bekijken",
        "rev_queue_link": "terug naar de wachtrij", "rev_progress": "beslist",
        "rev_of": "van", "rev_pending": "open", "rev_item": "suggestie", "rev_score": "score",
        "rev_question": "Vraag", "rev_definition": "Definitie", "rev_inclusion": "Wel", "rev_exclusion": "Niet",
        "rev_rationale": "Waarom", "rev_candidates": "Andere codes", "rev_others": "Ook gecodeerd door",
        "rev_done": "Niets meer te beoordelen.", "rev_edit": "Bewerken", "rev_edit_code": "Andere code",
        "rev_start": "Begin", "rev_end": "Eind", "rev_preview": "Voorbeeld", "rev_save": "Opslaan (Enter)",
        "rev_cancel": "Annuleren (Esc)", "rev_retrain_idle": "hertrainen: nog niet",
        "rev_retrain_running": "hertrainen loopt…", "rev_retrain_done": "hertraind: {new} nieuw, {withdrawn} ingetrokken",
        "rev_retrain_error": "hertrainen mislukt: {error}",
        "rev_keys": "a accepteren · r afwijzen · e bewerken · u ongedaan maken · j/k volgende/vorige · 2-9 andere code · s overslaan",
        "rev_no_coder": "Kies eerst een codeursnaam (rechtsboven): elke beslissing wordt met je naam opgeslagen.",
    },
    en={
        "rev_title": "Review suggestions", "rev_code": "Code", "rev_source": "Transcript",
        "rev_min": "From score", "rev_order": "Order", "rev_all": "all", "rev_filter": "Show",
        "rev_withdrawn": "withdrawn", "rev_withdrawn_link": "review withdrawn suggestions",
        "rev_queue_link": "back to the queue", "rev_progress": "decided",
        "rev_of": "of", "rev_pending": "pending", "rev_item": "suggestion", "rev_score": "score",
        "rev_question": "Question", "rev_definition": "Definition", "rev_inclusion": "Include", "rev_exclusion": "Exclude",
        "rev_rationale": "Why", "rev_candidates": "Other codes", "rev_others": "Also coded by",
        "rev_done": "Nothing left to review.", "rev_edit": "Edit", "rev_edit_code": "Another code",
        "rev_start": "Start", "rev_end": "End", "rev_preview": "Preview", "rev_save": "Save (Enter)",
        "rev_cancel": "Cancel (Esc)", "rev_retrain_idle": "retraining: not yet",
        "rev_retrain_running": "retraining…", "rev_retrain_done": "retrained: {new} new, {withdrawn} withdrawn",
        "rev_retrain_error": "retraining failed: {error}",
        "rev_keys": "a accept · r reject · e edit · u undo · j/k next/previous · 2-9 another code · s skip",
        "rev_no_coder": "Choose a coder name first (top right): every decision is stored with your name.",
    },
)  # fmt: skip

ROUTES = [
    Route("/review", review),
    Route("/api/review/item", item),
    Route("/api/review/snap", snap),
    Route("/api/review/codes", codes),
    Route("/api/review/status", status),
    Route("/api/review/accept", decide("accept"), methods=["POST"]),
    Route("/api/review/reject", decide("reject"), methods=["POST"]),
    Route("/api/review/edit", decide("edit"), methods=["POST"]),
    Route("/api/review/choose", decide("choose"), methods=["POST"]),
    Route("/api/review/undo", undo, methods=["POST"]),
]
