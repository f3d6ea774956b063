"""The members page of the team server (owners): who belongs to the project with which role,
one-time invitation links, changing a role, removing a member, withdrawing an invitation.

Plain HTML forms (each with the session's CSRF value in a hidden field, see
``team_security.py``); every change goes through :class:`qualcode.team.TeamServer`, which
checks again that the user is an owner of the project.
"""

from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.routing import Route

from qualcode.errors import QualcodeError
from qualcode.team import NotAllowed
from qualcode.web import with_team
from qualcode.web.render import page

ROLE_CHOICES = ("coder", "reader", "owner")


async def members_page(request, error: str | None = None, status_code: int = 200, link: str | None = None):
    project, user = request.state.project_name, request.state.user

    def work(team):
        return team.members(project, by=user), team.invitations(project, by=user)

    try:
        found, invitations = await with_team(request, work)
    except NotAllowed as refused:
        return page(request, "team_members.html", status_code=403, error=str(refused), members=[],
                    invitations=[], link=None, roles=ROLE_CHOICES)  # fmt: skip
    return page(request, "team_members.html", status_code=status_code, error=error, members=found,
                invitations=invitations, link=link, roles=ROLE_CHOICES)  # fmt: skip


def link_of(request, token: str) -> str:
    """The invitation's address as this owner reached the server (the path is what counts)."""
    scheme = "https" if request.state.secure else request.url.scheme
    host = request.headers.get("host") or request.url.netloc
    return f"{scheme}://{host}/invite/{token}"


async def changed(request, work, show_link: bool = False):
    """Run ``work(team, form)`` for the owner; back to the members page (with the error)."""
    form = await request.form()
    try:
        done = await with_team(request, lambda team: work(team, form))
    except NotAllowed as refused:
        return await members_page(request, str(refused), 403)
    except QualcodeError as error:
        return await members_page(request, str(error), 400)
    if show_link:  # shown once, in the answer to this POST; the database keeps only its hash
        return await members_page(request, link=link_of(request, done["token"]))
    return RedirectResponse("/members", status_code=303)


def _days(form) -> int:
    try:
        return int(form.get("days") or 7)
    except ValueError:
        raise QualcodeError("the days an invitation is valid: a whole number from 1 to 90") from None


async def invite(request):
    project, user = request.state.project_name, request.state.user
    return await changed(
        request,
        lambda team, form: team.invite(project, str(form.get("role", "")), by=user, days=_days(form)),
        show_link=True,
    )


async def change_role(request):
    project, user = request.state.project_name, request.state.user
    return await changed(
        request,
        lambda team, form: team.set_role(
            project, str(form.get("name", "")), str(form.get("role", "")), by=user
        ),
    )


async def remove(request):
    project, user = request.state.project_name, request.state.user
    return await changed(
        request, lambda team, form: team.remove_member(project, str(form.get("name", "")), by=user)
    )


async def withdraw(request):
    project, user = request.state.project_name, request.state.user

    def work(team, form):
        try:
            invitation = int(form.get("id", ""))
        except ValueError:
            raise QualcodeError("which invitation? (its number)") from None
        team.withdraw_invitation(project, invitation, by=user)

    return await changed(request, work)


MEMBER_ROUTES = [
    Route("/members", members_page),
    Route("/members/invite", invite, methods=["POST"]),
    Route("/members/role", change_role, methods=["POST"]),
    Route("/members/remove", remove, methods=["POST"]),
    Route("/members/withdraw", withdraw, methods=["POST"]),
]
