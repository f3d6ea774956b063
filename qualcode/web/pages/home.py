"""The start page (the project's transcripts) and choosing the coder name."""

from __future__ import annotations

from starlette.routing import Route

from qualcode.errors import QualcodeError
from qualcode.web import CODER_COOKIE, project_of
from qualcode.web.api import body_of
from qualcode.web.i18n import add
from qualcode.web.render import page

add(
    nl={"turns": "beurten", "speakers": "sprekers", "characters": "tekens"},
    en={"turns": "turns", "speakers": "speakers", "characters": "characters"},
)


def index(request):
    with project_of(request, read_only=True) as project:
        sources = project.workbench().sources()
        return page(request, "index.html", project, sources=sources, project_name=project.path.name)


async def choose_coder(request):
    from starlette.responses import JSONResponse

    try:
        name = str((await body_of(request)).get("coder", "")).strip()
        if not name or len(name) > 60:
            raise QualcodeError("a coder name is 1 to 60 characters")
    except QualcodeError as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    response = JSONResponse({"coder": name})
    response.set_cookie(CODER_COOKIE, name, samesite="strict", httponly=True)
    return response


ROUTES = [Route("/", index), Route("/coder", choose_coder, methods=["POST"])]
