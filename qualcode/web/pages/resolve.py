"""The disagreement review (on the team server for owners): where two coders' codings of a
transcript differ, piece by piece, the owner keeps A's codes, B's, both or neither, into
agreed codings (of the coder ``agreed``; both coders' own codings stay as they are), with
the agreement per code of the compare view. Refused in blind mode: reveal first."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.routing import Route

from qualcode.coding.resolve import AGREED
from qualcode.errors import ConflictError, QualcodeError
from qualcode.web import project_of
from qualcode.web.api import body_of, needs_coder
from qualcode.web.i18n import add
from qualcode.web.pages.document import whole
from qualcode.web.render import page

add(
    nl={
        "res_nav": "Verschillen oplossen", "res_title": "Verschillen oplossen", "res_code": "Code",
        "res_all_codes": "(alle codes)", "res_show": "Toon", "res_refused": "Oplossen kan niet",
        "res_pieces": "Stukken tekst waarop {a} en {b} verschillen", "res_resolved": "{n} van {m} opgelost",
        "res_where": "waar", "res_text": "tekst", "res_agreed": "nu overeengekomen", "res_choose": "kies",
        "res_a": "{a}", "res_b": "{b}", "res_both": "beide", "res_neither": "geen van beide",
        "res_nothing": "niets", "res_none": "geen verschillen (meer) op dit transcript",
        "res_agreed_codings": "{n} overeengekomen coderingen in dit transcript (codeur ‘agreed’)",
        "res_help": "Per stuk: wat overeengekomen wordt. Codes die beide codeurs gaven komen er altijd bij; de coderingen van de codeurs zelf blijven zoals ze zijn.",
        "res_done": "opgelost: {codes}",
    },
    en={
        "res_nav": "Resolve", "res_title": "Resolve differences", "res_code": "Code",
        "res_all_codes": "(every code)", "res_show": "Show", "res_refused": "Cannot resolve",
        "res_pieces": "Pieces of text where {a} and {b} differ", "res_resolved": "{n} of {m} resolved",
        "res_where": "where", "res_text": "text", "res_agreed": "agreed now", "res_choose": "choose",
        "res_a": "{a}", "res_b": "{b}", "res_both": "both", "res_neither": "neither",
        "res_nothing": "nothing", "res_none": "no differences (left) in this transcript",
        "res_agreed_codings": "{n} agreed codings in this transcript (coder ‘agreed’)",
        "res_help": "Per piece: what is agreed. Codes both coders gave are always kept; the coders' own codings stay as they are.",
        "res_done": "resolved: {codes}",
    },
)  # fmt: skip


def resolve_page(request):
    query = request.query_params
    source, first, second = query.get("source", ""), query.get("a", ""), query.get("b", "")
    code = query.get("code", "")
    with project_of(request, read_only=True) as project:
        coders = sorted(c for c in project.status()["codings_per_coder"] if c != AGREED)
        choices = {"sources": [s["name"] for s in project.workbench().sources()], "source": source,
                   "a": first, "b": second, "code": code, "coders": coders}  # fmt: skip
        status, error, found = 200, None, None
        if project.blind()["blind"] or (source and first and second):
            try:
                found = project.workbench().resolution(source, first, second, code or None)
            except ConflictError as refused:
                status, error = 403, str(refused)
            except QualcodeError as wrong:
                status, error = (400 if source in choices["sources"] else 404), str(wrong)
        return page(request, "resolve.html", project, status, error=error, res=found, **choices)


async def resolve_piece(request):
    """One resolution: ``{"source", "a", "b", "start", "end", "choice"}`` (a, b, both, neither)."""
    try:
        body = await body_of(request)
    except QualcodeError as error:
        return JSONResponse({"error": str(error)}, status_code=400)

    def call():
        owner = needs_coder(request)
        start, end = whole(body, "start"), whole(body, "end")
        text = {key: str(body.get(key, "")) for key in ("source", "a", "b", "choice")}
        with project_of(request) as project:
            reviewer = project.reviewer(owner)
            return reviewer.resolve(text["source"], text["a"], text["b"], start, end, text["choice"])

    def answered():
        try:
            return JSONResponse(call())
        except ConflictError as error:  # blind mode, or the piece changed since the page was made
            return JSONResponse({"error": str(error)}, status_code=409)
        except QualcodeError as error:
            return JSONResponse({"error": str(error)}, status_code=400)

    return await run_in_threadpool(answered)


ROUTES = [Route("/resolve", resolve_page), Route("/api/resolve", resolve_piece, methods=["POST"])]
