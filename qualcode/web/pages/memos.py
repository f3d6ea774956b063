"""Every memo, grouped by what it is on (the project, a code, a source, a segment), and a form
to add one to the project, a code or a source. Memos on segments are written on the
document page; here they are listed with a link to their place."""

from __future__ import annotations

from starlette.routing import Route

from qualcode.errors import QualcodeError
from qualcode.web import project_of
from qualcode.web.api import needs_coder, posted
from qualcode.web.i18n import add
from qualcode.web.render import page

KINDS = ("project", "code", "source", "segment", "coding")
FORM_KINDS = ("project", "code", "source")
MAX_MEMO = 20000

add(
    nl={
        "memo_title": "Memo's", "memo_none": "nog geen memo's", "memo_add": "Memo toevoegen",
        "memo_on": "Over", "memo_target": "Welke", "memo_text": "Tekst", "memo_save": "Bewaar",
        "memo_kind_project": "het project", "memo_kind_code": "codes", "memo_kind_source": "transcripten",
        "memo_kind_segment": "segmenten", "memo_by": "door {author}, {time}", "memo_saved": "memo bewaard",
        "memo_segment": "segment {id}", "memo_kind_coding": "coderingen",
    },
    en={
        "memo_title": "Memos", "memo_none": "no memos yet", "memo_add": "Add a memo",
        "memo_on": "On", "memo_target": "Which", "memo_text": "Text", "memo_save": "Save",
        "memo_kind_project": "the project", "memo_kind_code": "codes", "memo_kind_source": "transcripts",
        "memo_kind_segment": "segments", "memo_by": "by {author}, {time}", "memo_saved": "memo saved",
        "memo_segment": "segment {id}", "memo_kind_coding": "codings",
    },
)  # fmt: skip


def grouped(memos: list[dict], places: dict[str, tuple[str, int]]) -> list[dict]:
    """[{kind, targets: [{target, place, memos}]}] in KINDS order, targets by first memo."""
    out = []
    for kind in KINDS:
        targets: dict[str, list[dict]] = {}
        for memo in memos:
            if memo["target_kind"] == kind:
                targets.setdefault(memo["target"] or "", []).append(memo)
        if targets:
            out.append({
                "kind": kind,
                "targets": [{"target": t, "place": places.get(t) if kind == "segment" else None, "memos": m}
                            for t, m in targets.items()],
            })  # fmt: skip
    return out


def memos_page(request):
    with project_of(request, read_only=True) as project:
        memos = project.memos()
        places = {}
        if any(m["target_kind"] == "segment" for m in memos):
            places = {str(s.id): (s.source, s.start) for s in project.segments()}
        return page(
            request, "memos.html", project, groups=grouped(memos, places), count=len(memos),
            codes=[c.name for c in project.codebook().codes],
            sources=[s["name"] for s in project.workbench().sources()], kinds=FORM_KINDS,
        )  # fmt: skip


async def add_memo(request):
    def run(data):
        author = needs_coder(request)
        on, text = str(data.get("on", "")), str(data.get("text", ""))
        if on not in FORM_KINDS:
            raise QualcodeError(f"a memo here is on one of {', '.join(FORM_KINDS)}")
        if len(text) > MAX_MEMO:
            raise QualcodeError(f"a memo is at most {MAX_MEMO} characters")
        target = None if on == "project" else str(data.get("target", ""))
        with project_of(request) as project:
            return {"id": project.add_memo(on, target, author, text)}

    return await posted(request, run)


ROUTES = [Route("/memos", memos_page), Route("/api/memos", add_memo, methods=["POST"])]
