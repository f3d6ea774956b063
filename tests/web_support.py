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
