"""Live updates: ``/api/events``, a stream of server-sent events that tells an open page when
someone else changed its project, so the page can show it (``static/live.js``).

One :class:`Watch` per project (and event loop) reads the project's change marker once a
second (one query, :meth:`qualcode.workbench.Workbench.changes`) while any page listens, and
keeps the last changes with who made them; each listening page gets from it only what its
viewer may hear (``workbench.live.event_for``): in blind mode their own changes and the
switches that are everyone's, nothing of another coder's work. An event is ``change`` with
``{"by", "others", "switched", "blind"}``; ``ready`` says the stream is listening. Each
event's id is the marker (in blind mode only its shared parts), so a browser that reconnects
(``Last-Event-ID``) hears of what changed in between. A stream ends when the page goes, after
``LIFETIME_SECONDS`` (the browser's ``EventSource`` connects again), or on the team server
when the viewer is no longer a member of the project (checked every ``RECHECK_SECONDS``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse
from starlette.routing import Route

from qualcode.web import address_of, coder_of, in_team, with_team
from qualcode.web.i18n import add
from qualcode.workbench.live import event_for, marker_text, parse_marker

POLL_SECONDS = 1.0
LIFETIME_SECONDS = 600
KEEPALIVE_SECONDS = 15
RECHECK_SECONDS = 30
RETRY_MS = 2000  # how soon a browser connects again after a stream ended
HISTORY = 100  # changes a watch keeps for listeners that have not caught up yet

add(
    nl={
        "live_changed": "Anderen hebben iets gewijzigd.", "live_reload": "Herladen",
        "live_updated": "bijgewerkt: wijzigingen van anderen", "blind_off": "niet blind",
        "blind_turn_on": "Blind aanzetten", "blind_reveal": "Onthullen",
        "blind_on_confirm": "Blind aanzetten? Iedere codeur ziet dan alleen zijn eigen coderingen, tot je ze onthult.",
        "blind_reveal_confirm": "Alle codeurs onthullen? Blind stopt en iedereen in het project ziet ieders coderingen.",
    },
    en={
        "live_changed": "Others changed something.", "live_reload": "Reload",
        "live_updated": "updated: changes by others", "blind_off": "not blind",
        "blind_turn_on": "Turn blind mode on", "blind_reveal": "Reveal",
        "blind_on_confirm": "Turn blind mode on? Each coder then sees only their own codings until you reveal them.",
        "blind_reveal_confirm": "Reveal every coder's work? Blind mode ends and everyone in the project sees every coding.",
    },
)  # fmt: skip


@dataclass(frozen=True)
class Change:
    seq: int
    before: dict
    after: dict
    by: tuple[str, ...]
    blind: bool  # blind mode after the change


def read_changes(address, since: dict | None) -> dict:
    """The project's marker and who changed it since ``since`` (in a worker thread)."""
    from qualcode import Project

    with Project.open(address, read_only=True) as project:
        return project.workbench().changes(since)


class Watch:
    """One project's change marker, read every ``POLL_SECONDS`` while pages listen."""

    def __init__(self, address):
        self.address = address
        self.marker: dict | None = None
        self.blind = False
        self.seq = 0
        self.changes: collections.deque[Change] = collections.deque(maxlen=HISTORY)
        self.wake = asyncio.Event()  # set (and replaced) at every change
        self.ready = asyncio.Event()  # the first read is done
        self.listeners = 0
        self.task: asyncio.Task | None = None

    async def run(self, registry: dict, key) -> None:
        try:
            while self.listeners > 0:
                await self.tick()
                await asyncio.sleep(POLL_SECONDS)
        finally:
            if registry.get(key) is self:  # the next listener starts a new watch
                del registry[key]

    async def tick(self) -> None:
        try:
            found = await run_in_threadpool(read_changes, self.address, self.marker)
        except Exception:  # not readable this time (moved, locked, the server away): try again
            self.ready.set()
            return
        if self.marker is not None and found["marker"] != self.marker:
            self.seq += 1
            self.changes.append(
                Change(self.seq, self.marker, found["marker"], tuple(found["by"]), found["blind"])
            )
            self.wake.set()
            self.wake = asyncio.Event()
        self.marker, self.blind = found["marker"], found["blind"]
        self.ready.set()


def joined(request) -> Watch:
    """The watch of the request's project, with one more listener (started when new)."""
    state = request.app.state
    registry = getattr(state, "live_watches", None)
    if registry is None:
        registry = state.live_watches = {}
    address = address_of(request)
    key = (id(asyncio.get_running_loop()), str(address))
    watch = registry.get(key)
    if watch is None:
        watch = registry[key] = Watch(address)
    watch.listeners += 1
    if watch.task is None:
        watch.task = asyncio.create_task(watch.run(registry, key))
    return watch


def message(kind: str, data: dict, marker: dict, blind: bool) -> str:
    return f"event: {kind}\nid: {marker_text(marker, blind)}\ndata: {json.dumps(data)}\n\n"


def viewer_of(request) -> str | None:
    """Whose changes are the page's own: the logged-in user, or the local coder name."""
    return request.state.user if in_team(request) else coder_of(request)


async def still_member(request) -> bool:
    """Whether the session still exists and is still in this project with a role."""
    token, address = request.state.session_token, request.state.project

    def check(team):
        session = team.session(token)
        return session is not None and session.role is not None and str(session.address) == str(address)

    try:
        return await with_team(request, check)
    except Exception:  # the server database did not answer: end; the browser asks again
        return False


async def caught_up(watch: Watch, last: dict, viewer: str | None) -> tuple[str | None, dict | None]:
    """What changed between the marker a reconnecting browser had and now (read afresh: the
    watch may not have seen the latest change yet), told as usual; and the marker read."""
    try:
        found = await run_in_threadpool(read_changes, watch.address, last)
    except Exception:
        return None, None
    said = event_for(last, found["marker"], found["by"], found["blind"], viewer)
    return (message("change", said, found["marker"], found["blind"]) if said else None), found["marker"]


def seen(change: Change, marker: dict | None) -> bool:
    """Whether ``marker`` (read on reconnecting) already includes the whole ``change``."""
    return marker is not None and all(value <= marker.get(part, -1) for part, value in change.after.items())


async def stream(request, viewer: str | None, last: dict | None):
    watch = joined(request)
    loop = asyncio.get_running_loop()
    try:
        yield f"retry: {RETRY_MS}\n\n"
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(watch.ready.wait(), KEEPALIVE_SECONDS)
        if watch.marker is None:
            return  # the project could not be read: the browser tries again
        seq, known = watch.seq, None
        if last is not None:
            missed, known = await caught_up(watch, last, viewer)
            if missed:
                yield missed
        yield message("ready", {"blind": watch.blind}, watch.marker, watch.blind)
        now = loop.time()
        deadline, beat, check = now + LIFETIME_SECONDS, now + KEEPALIVE_SECONDS, now + RECHECK_SECONDS
        while loop.time() < deadline:
            if watch.seq == seq:
                wake = watch.wake
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(wake.wait(), POLL_SECONDS)
            if await request.is_disconnected():
                return
            for change in [c for c in watch.changes if c.seq > seq and not seen(c, known)]:
                said = event_for(change.before, change.after, list(change.by), change.blind, viewer)
                if said:
                    yield message("change", said, change.after, change.blind)
            seq = watch.seq
            now = loop.time()
            if now >= beat:
                yield ": still here\n\n"
                beat = now + KEEPALIVE_SECONDS
            if in_team(request) and now >= check:
                if not await still_member(request):
                    return
                check = now + RECHECK_SECONDS
    finally:
        watch.listeners -= 1


def events(request):
    address_of(request)  # on the team server: a project is chosen (else an error now)
    last = parse_marker(request.headers.get("last-event-id"))
    headers = {"cache-control": "no-store", "x-accel-buffering": "no"}  # no proxy holds events back
    return StreamingResponse(stream(request, viewer_of(request), last), media_type="text/event-stream",
                             headers=headers)  # fmt: skip


ROUTES = [Route("/api/events", events)]
