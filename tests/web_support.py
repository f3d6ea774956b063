"""Shared by the workbench tests: a real server for a project (uvicorn in a thread, on a free
loopback port) and a real browser (Debian's Chromium driven by Playwright; the tests that
need it skip when it is not installed, and CI installs it)."""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a headless Chromium on a machine without network or display.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
TOKEN = "test-token"


@contextlib.contextmanager
def running_workbench(project_path: str | Path):
    """A workbench server for ``project_path``; yields (base url, app). The token is fixed
    (``TOKEN``) so tests can build addresses; open ``base + "/?token=" + TOKEN`` first."""
    from qualcode.web import create_app

    with serving(create_app(project_path, token=TOKEN), "the workbench server") as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (skips without Chromium or Playwright)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (CI installs Debian's chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextlib.contextmanager
def signed_in(browser, base: str, coder: str | None = "anna"):
    """A new browser page that has opened the token address and chosen ``coder``."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/?token={TOKEN}")
    if coder:
        page.fill("#coder", coder)
        page.click("#coder-form button")
        page.wait_for_load_state("networkidle")
    try:
        yield page
    finally:
        context.close()


def http_client(app, coder: str | None = "anna"):
    """A Starlette test client that holds the token (and a coder name) like a browser."""
    from starlette.testclient import TestClient

    from qualcode.web import CODER_COOKIE
    from qualcode.web.security import TOKEN_COOKIE

    client = TestClient(app)
    client.cookies.set(TOKEN_COOKIE, app.state.token)
    if coder:
        client.cookies.set(CODER_COOKIE, coder)
    client.headers["X-CSRF-Token"] = app.state.csrf
    return client


# -- the team server --------------------------------------------------------------------------


@contextlib.contextmanager
def running_team_server(server_address, clock=None):
    """A team server (``qualcode serve``) for the server database at ``server_address``, in a
    thread on a free loopback port; yields (base url, app)."""
    from qualcode.web.team import create_team_app

    with serving(create_team_app(server_address, clock=clock), "the team server") as base:
        yield base


@contextlib.contextmanager
def serving(app, what: str):
    """``app`` served by uvicorn in a thread on a free loopback port (no proxy headers; open
    live streams end on shutdown); yields (base url, app)."""
    import uvicorn

    from qualcode.web.server import free_port

    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        proxy_headers=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(10)


def csrf_in(html: str) -> str:
    """The CSRF value a team page carries (its meta tag, or a form's hidden field)."""
    import re

    found = re.search(r'name="csrf" (?:content|value)="([^"]+)"', html)
    assert found, "no CSRF value on the page"
    return found.group(1)


def team_client(app, name: str | None = None, password: str | None = None, **options):
    """A Starlette test client of the team server, logged in as ``name`` when given (then it
    sends the session's CSRF header like the pages' fetch calls)."""
    from starlette.testclient import TestClient

    client = TestClient(app, **options)
    if name is not None:
        answer = log_in(client, name, password)
        assert answer.status_code == 303, answer.text
        client.headers["X-CSRF-Token"] = csrf_in(client.get("/projects").text)
    return client


def log_in(client, name: str, password: str, **headers):
    """Post the login form as a browser would (the form's pre-login CSRF value included);
    the answer, not followed."""
    form = client.get("/login", headers=headers)
    data = {"name": name, "password": password, "csrf": csrf_in(form.text)}
    return client.post("/login", data=data, headers=headers, follow_redirects=False)


@contextlib.contextmanager
def team_page(browser, base: str, name: str, password: str):
    """A new browser context logged in to the team server as ``name``."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("#login")
    page.wait_for_load_state("networkidle")
    try:
        yield page
    finally:
        context.close()


# -- live updates (server-sent events) ----------------------------------------------------------


def http_login(base: str, name: str, password: str):
    """An httpx client of a running team server, logged in as ``name``, with the session's
    CSRF header (for streams, which the Starlette test client cannot read while they last)."""
    import httpx

    client = httpx.Client(base_url=base, timeout=10)
    form = client.get("/login")
    answer = client.post("/login", data={"name": name, "password": password, "csrf": csrf_in(form.text)})
    assert answer.status_code == 303, answer.text
    client.headers["X-CSRF-Token"] = csrf_in(client.get("/projects").text)
    return client


class EventStream:
    """An open ``/api/events`` stream of ``client``'s session (its cookies), read in a thread
    over a plain socket (so ``close`` really ends the connection): ``next()`` gives the next
    event (kind, data, id) of the kinds asked for, or None when none came in time."""

    def __init__(self, client, path: str = "/api/events", headers: dict | None = None):
        import http.client
        import queue

        url = client.base_url
        self.events: queue.Queue = queue.Queue()
        self.connection = http.client.HTTPConnection(url.host, url.port, timeout=10)
        cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        self.connection.request("GET", path, headers={"Cookie": cookies, **(headers or {})})
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.connection.sock.settimeout(None)  # a stream waits as long as it takes
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self) -> None:
        import json

        kind, data, ident = None, [], None
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if kind or data:
                        self.events.put((kind or "message", json.loads("\n".join(data)), ident))
                    kind, data, ident = None, [], None
                elif line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line.startswith("id:"):
                    ident = line[3:].strip()
        except (OSError, ValueError) as error:  # closed by the test
            self.events.put(("closed", repr(error), None))
            return
        self.events.put(("closed", "ended", None))

    def next(self, *kinds: str, timeout: float = 3.0):
        import queue

        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                return None
            if not kinds or event[0] in kinds or event[0] == "closed":
                return event
        return None

    def close(self) -> None:
        import socket

        with contextlib.suppress(OSError):
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.thread.join(5)
        self.connection.close()


@contextlib.contextmanager
def event_stream(client, path: str = "/api/events", headers: dict | None = None, ready: bool = True):
    """An ``EventStream`` for ``client``'s session, once it is listening (its ``ready`` event)."""
    stream = EventStream(client, path, headers)
    try:
        if ready:
            first = stream.next("ready", timeout=10)
            assert first is not None and first[0] == "ready", first
            stream.ready = first
        yield stream
    finally:
        stream.close()
