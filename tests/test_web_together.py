"""The workbench and the CLI write the same project at the same time: nothing is lost."""

import threading

from qualcode import Project
from tests.test_cli import run
from tests.test_coding_cli import coded  # noqa: F401  (fixture)
from tests.web_support import http_client, running_workbench


def test_two_tabs_and_a_cli_command_writing_at_once_lose_nothing(coded):  # noqa: F811
    project, _ = coded
    with Project.open(project) as proj:
        # Whole sentences: word edges already, so snapping leaves them as they are.
        spans = [(s.source, s.start, s.end) for s in proj.segments()]
        first = spans[0]
    with running_workbench(project) as (_base, app):
        tabs = [http_client(app, "web1"), http_client(app, "web2")]
        failures = []

        def tab(client, mine):
            for source, start, end in mine:
                answer = client.post(
                    "/api/codings", json={"source": source, "start": start, "end": end, "code": "Woning"}
                )
                if answer.status_code != 200:
                    failures.append(answer.text)

        threads = [threading.Thread(target=tab, args=(c, spans[k::2])) for k, c in enumerate(tabs)]
        for thread in threads:
            thread.start()
        run("code", project, first[0], first[1], first[2], "Steungroep", "--coder", "cli")
        for thread in threads:
            thread.join(60)
    assert failures == []
    with Project.open(project) as proj:
        stored = {(c["coder"], c["source"], c["start"], c["end"], c["code"]) for c in proj.codings()}
    web = {(source, start, end) for coder, source, start, end, code in stored if coder in ("web1", "web2")}
    assert web == set(spans)
    assert ("cli", *first, "Steungroep") in stored
