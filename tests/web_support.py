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
    import uvicorn

    from qualcode.web import create_app
    from qualcode.web.server import free_port

    app = create_app(project_path, token=TOKEN)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the workbench server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(10)


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
    import uvicorn

    from qualcode.web.server import free_port
    from qualcode.web.team import create_team_app

    app = create_team_app(server_address, clock=clock)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the team server did not start")
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
