"""Pages from Jinja2 templates: autoescaped, with the CSRF value, the coder, the language
and the ``t`` function for interface text in every template."""

from __future__ import annotations

from functools import lru_cache

from qualcode.web import HERE, LANGUAGE_COOKIE, coder_of, csrf_of, in_team, language_of
from qualcode.web.i18n import translate

# On the team server a reader never codes: the pages' "choose a coder name" notes say so.
READER_TEXT = {
    "no_coder": "team_read_only",
    "doc_no_coder": "team_read_only",
    "rev_no_coder": "team_read_only",
}


@lru_cache(maxsize=1)
def environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every value is escaped unless a template says otherwise (none does)
        undefined=jinja2.StrictUndefined,
    )


def page(request, template: str, project=None, status_code: int = 200, **context):
    """An HTML response; a ``?lang=`` choice is remembered in a cookie."""
    from starlette.responses import HTMLResponse

    language = language_of(request, project)
    team, renamed = None, {}
    if in_team(request) and request.state.user:
        state = request.state
        team = {"user": state.user, "role": state.role, "project": state.project_name}
        renamed = READER_TEXT if state.role not in ("coder", "owner") else {}
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            csrf=csrf_of(request),
            coder=coder_of(request),
            language=language,
            blind=project.blind()["blind"] if project is not None else False,
            t=lambda key, **values: translate(language, renamed.get(key, key), **values),
            team=team,
            **context,
        )
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, samesite="strict")
    return response
