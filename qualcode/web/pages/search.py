"""Search the transcripts (text or lemmas) and code the hits at once; the passages of a code,
filtered by role or any case attribute (``/search?code=X&role=client&city=Haarlem``)."""

from __future__ import annotations

from starlette.routing import Route

from qualcode.errors import InputError, QualcodeError
from qualcode.web import coder_of, project_of
from qualcode.web.api import needs_coder, posted
from qualcode.web.i18n import add
from qualcode.web.render import page

LIMIT = 200
MAX_LIMIT = 5000
MAX_HITS = 5000  # hits coded in one request
NOT_FILTERS = {"q", "lemmas", "code", "limit", "lang"}

add(
    nl={
        "search_title": "Zoeken", "search_query": "Zoek in de transcripten", "search_lemmas": "op lemma's",
        "search_go": "Zoek", "search_hits": "{n} treffers", "search_more": "nog {n} treffers niet getoond",
        "search_show_more": "toon meer", "search_none": "geen treffers", "search_select_all": "alles selecteren",
        "search_code_with": "Codeer de geselecteerde treffers met", "search_code_go": "Codeer",
        "search_source": "Transcript", "search_speaker": "Spreker", "search_role": "Rol", "search_case": "Casus",
        "search_text": "Tekst", "search_coder": "Codeur", "search_passages": "Passages van een code",
        "search_show": "Toon", "search_filter": "Filter", "search_all": "(alle)",
        "search_passages_of": "{n} passages met code {code}", "search_no_codes": "het codeboek is leeg",
        "search_added": "{added} gecodeerd, {already} waren al gecodeerd",
        "search_choose": "selecteer eerst treffers en een code",
    },
    en={
        "search_title": "Search", "search_query": "Search the transcripts", "search_lemmas": "on lemmas",
        "search_go": "Search", "search_hits": "{n} hits", "search_more": "{n} more hits not shown",
        "search_show_more": "show more", "search_none": "no hits", "search_select_all": "select all",
        "search_code_with": "Code the selected hits with", "search_code_go": "Code",
        "search_source": "Transcript", "search_speaker": "Speaker", "search_role": "Role", "search_case": "Case",
        "search_text": "Text", "search_coder": "Coder", "search_passages": "Passages of a code",
        "search_show": "Show", "search_filter": "Filter", "search_all": "(all)",
        "search_passages_of": "{n} passages coded {code}", "search_no_codes": "the codebook is empty",
        "search_added": "{added} coded, {already} were coded already",
        "search_choose": "select hits and a code first",
    },
)  # fmt: skip


def limit_of(request) -> int:
    try:
        return max(1, min(int(request.query_params.get("limit", LIMIT)), MAX_LIMIT))
    except ValueError:
        return LIMIT


def filter_choices(found: list[dict]) -> dict[str, list[str]]:
    """The roles and case attribute values among ``found`` passages (role first)."""
    choices: dict[str, set[str]] = {"role": set()}
    for passage in found:
        if passage["role"]:
            choices["role"].add(passage["role"])
        for name, value in passage["attributes"].items():
            if value:
                choices.setdefault(name, set()).add(value)
    return {name: sorted(values) for name, values in choices.items() if values}


def search_page(request):
    params = request.query_params
    query, lemmas, code = params.get("q", ""), params.get("lemmas") == "1", params.get("code", "")
    with project_of(request, read_only=True) as project:
        codes = [c.name for c in project.codebook().codes]
        context = dict(query=query, lemmas=lemmas, code=code, codes=codes, hits=None, passages=None,
                       choices={}, filters={}, error=None, limit=limit_of(request))  # fmt: skip
        workbench = project.workbench()
        try:
            if code:
                filters = {k: v for k, v in params.items() if k not in NOT_FILTERS and v}
                base = {}
                if project.blind()["blind"]:
                    filters.pop("coder", None)  # blind: nobody names another coder's passages
                    if coder_of(request):
                        base = {"coder": coder_of(request)}  # only one's own passages
                        filters.update(base)
                context["choices"] = filter_choices(workbench.passages(code, base))
                context["passages"] = workbench.passages(code, filters)
                context["filters"] = filters
            elif query:
                context["hits"] = workbench.search(query, lemmas, context["limit"])
        except QualcodeError as error:
            context["error"] = str(error)
        status = 400 if context["error"] else 200
        return page(request, "search.html", project, status_code=status, **context)


def checked_hits(data: dict) -> list[tuple[str, int, int]]:
    hits = data.get("hits")
    if not isinstance(hits, list) or not hits:
        raise InputError("send the hits to code (source, start, end)")
    if len(hits) > MAX_HITS:
        raise InputError(f"at most {MAX_HITS} hits at a time")
    out = []
    for hit in hits:
        try:
            source, start, end = str(hit["source"]), int(hit["start"]), int(hit["end"])
        except (TypeError, KeyError, ValueError):
            raise InputError("every hit needs a source, a start and an end") from None
        out.append((source, start, end))
    return list(dict.fromkeys(out))


async def code_hits(request):
    """Code every hit sent with one code: the ones this coder has not coded with it yet."""

    def run(data):
        coder = needs_coder(request)
        code = str(data.get("code", ""))
        hits = checked_hits(data)
        with project_of(request) as project:
            if code not in {c.name for c in project.codebook().codes}:
                raise InputError(f"no code named {code!r} in the codebook")
            lengths = {source: len(project.source_text(source)) for source in {h[0] for h in hits}}
            for source, start, end in hits:
                if not 0 <= start < end <= lengths[source]:
                    raise InputError(f"span {start}-{end} does not fit {source}")
            done = {(c["source"], c["start"], c["end"]) for c in project.codings(coder) if c["code"] == code}
            new = [hit for hit in hits if hit not in done]
            reviewer = project.reviewer(coder)
            for source, start, end in new:
                reviewer.add(source, start, end, code, note="search: coded all hits")
        return {"added": len(new), "already": len(hits) - len(new), "code": code}

    return await posted(request, run)


ROUTES = [Route("/search", search_page), Route("/api/search/code", code_hits, methods=["POST"])]
