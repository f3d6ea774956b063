"""Serving the workbench: uvicorn on 127.0.0.1 only, the URL with its token printed first."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(project_path, port: int | None = None, open_browser: bool = True, echo=print) -> None:
    """Run the workbench for ``project_path`` until interrupted; ``echo`` gets the URL first."""
    import uvicorn

    from qualcode.web import create_app

    app = create_app(project_path)
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/?token={app.state.token}"
    echo(url)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    # Loopback only: another machine on the network never reaches the project.
    # An open page keeps a stream of live updates (pages/live.py): Ctrl+C waits for it briefly only.
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=3)
