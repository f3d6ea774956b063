"""The review queue of the workbench: every endpoint over HTTP (errors, blind mode, hostile
text), retraining in the background, and real browser journeys driven by the keys."""

from __future__ import annotations

import time
from pathlib import Path

from qualcode import Project
from qualcode.web import create_app
from qualcode.web.pages.review import Retraining
from tests.conftest import second_connection, write
from tests.test_cli import run
from tests.test_review_candidates import suggested  # noqa: F401  (fixture)
from tests.test_session import learning  # noqa: F401  (fixture)
from tests.web_support import TOKEN, http_client, running_workbench, signed_in

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def _app(path, batch=None):
    app = create_app(path, token=TOKEN)
    if batch is not None:
        app.state.review_batch = batch
    return app


def _codes(proj, coder="anna"):
    return sorted((c["start"], c["end"], c["code"]) for c in proj.codings(coder))


# -- HTTP ---------------------------------------------------------------------------------------


def test_the_queue_shows_the_item_with_its_question_context_definition_and_candidates(suggested):  # noqa: F811
    project, _ = suggested
    client = http_client(_app(project))
    page = client.get("/review?lang=en")
    assert page.status_code == 200 and 'id="review-data"' in page.text and "Woning" in page.text
    state = client.get("/api/review/item").json()
    item = state["item"]
    assert item["code"] == "Woning" and item["question"] == "Vraag?"
    assert item["text"] == "Ik wil wonen in een huis met de steungroep."
    assert item["after"] == "De steungroep zoekt een huis om te wonen."
    assert item["definition"] == "Een eigen huis als doel." and item["kind"] == "outcome"
    assert [(c["code"], c["key"]) for c in item["candidates"]] == [("Steungroep", 2)]
    with Project.open(project) as proj:
        counts = proj.reviewer("anna").counts()
        decided, total = proj.reviewer("anna").progress()
    assert state["progress"] == {"decided": decided, "total": total, **counts}
    assert state["position"] == 1 and state["length"] == 2 and state["previous"] is None
    second = client.get(f"/api/review/item?id={state['next']}").json()
    assert second["previous"] == item["id"] and second["position"] == 2


def test_accept_reject_choose_edit_and_undo_are_stored_at_once(suggested):  # noqa: F811
    project, _ = suggested
    client = http_client(_app(project))
    first = client.get("/api/review/item").json()["item"]
    after = client.post("/api/review/accept", json={"id": first["id"]}).json()
    assert after["progress"]["decided"] == 1 and after["item"]["id"] != first["id"]
    with Project.open(project) as proj:
        assert _codes(proj) == [(first["start"], first["end"], "Woning")]
    undone = client.post("/api/review/undo", json={}).json()
    assert undone["undone"] == "accept" and undone["item"]["id"] == first["id"]
    rejected = client.post("/api/review/reject", json={"id": first["id"]}).json()
    second = rejected["item"]
    chosen = client.post(
        "/api/review/choose", json={"id": second["id"], "candidate": second["candidates"][0]["id"]}
    )
    assert chosen.status_code == 200 and chosen.json()["item"] is None
    with Project.open(project) as proj:
        assert proj.reviewer("anna").counts() == {"decided": 3, "pending": 0, "withdrawn": 0}
        assert _codes(proj) == [(second["start"], second["end"], "Steungroep")]
    client.post("/api/review/undo", json={})  # the rejection of the shown code
    client.post("/api/review/undo", json={})  # the candidate's acceptance
    edited = client.post(
        "/api/review/edit", json={"id": second["id"], "code": "Steungroep", "start": 70, "end": 80}
    )
    assert edited.status_code == 200, edited.json()
    with Project.open(project) as proj:
        assert _codes(proj) == [(70, 80, "Steungroep")]


def test_a_boundary_preview_snaps_to_words_and_changes_nothing(suggested):  # noqa: F811
    project, _ = suggested
    client = http_client(_app(project))
    item = client.get("/api/review/item").json()["item"]
    snapped = client.get(f"/api/review/snap?id={item['id']}&start=21&end=35").json()
    assert snapped == {"start": 20, "end": 37, "text": "wonen in een huis"}
    assert client.get("/api/review/codes?part=woon").json() == {"codes": []}
    assert client.get("/api/review/codes?part=WON").json() == {"codes": ["Woning"]}
    with Project.open(project) as proj:
        assert proj.reviewer("anna").counts()["decided"] == 0


def test_errors_come_back_as_the_librarys_message(suggested):  # noqa: F811
    project, _ = suggested
    app = _app(project)
    client = http_client(app)
    item = client.get("/api/review/item").json()["item"]
    bad = client.get("/api/review/item?code=Wonig").json()["error"]
    assert bad == "no code named 'Wonig' in the project; did you mean 'Woning'?"
    assert "no code named &#39;Wonig&#39;" in client.get("/review?code=Wonig").text
    assert client.get("/api/review/item?order=random").json()["error"].startswith("unknown order 'random'")
    assert client.get("/api/review/item?min=lots").status_code == 400
    span = client.post("/api/review/edit", json={"id": item["id"], "start": 5, "end": 5000})
    assert span.status_code == 400 and "does not fit the source" in span.json()["error"]
    no_candidate = client.post("/api/review/choose", json={"id": item["id"], "candidate": 999})
    assert no_candidate.json()["error"] == f"suggestion {item['id']} has no candidate 999"
    assert client.post("/api/review/accept", json={"id": item["id"]}).status_code == 200
    stale = client.post("/api/review/accept", json={"id": item["id"]})
    assert stale.status_code == 400 and "is not in your queue now" in stale.json()["error"]
    assert client.post("/api/review/accept", content=b"[1]").json()["error"] == "send a JSON object"
    assert client.get("/api/review/accept").status_code == 405
    del client.headers["X-CSRF-Token"]
    assert client.post("/api/review/reject", json={"id": item["id"]}).status_code == 403


def test_without_a_coder_the_queue_says_what_to_do(suggested):  # noqa: F811
    project, _ = suggested
    client = http_client(_app(project), coder=None)
    assert "Choose a coder name first" in client.get("/review?lang=en").text
    for answer in (client.get("/api/review/item"), client.post("/api/review/accept", json={"id": 1}),
                   client.get("/api/review/status")):  # fmt: skip
        assert answer.status_code == 400 and answer.json()["error"] == "choose a coder name first (top right)"


def test_blind_mode_keeps_the_queue_but_shows_nothing_of_other_coders(suggested):  # noqa: F811
    project, tmp = suggested
    client = http_client(_app(project))
    item = client.get("/api/review/item").json()["item"]
    codings = write(
        tmp / "bob.csv", f"source,start,end,code,coder\na,{item['start']},{item['end']},Woning,zoe-bob\n"
    )
    run("codings", "import", project, codings)
    assert client.get("/api/review/item").json()["item"]["others"] == [{"coder": "zoe-bob", "code": "Woning"}]
    with Project.open(project) as proj:
        proj.blind(True)
    state = client.get("/api/review/item")
    assert state.json()["item"]["others"] == [] and "zoe-bob" not in state.text
    page = client.get("/review")
    assert 'id="blind"' in page.text and "zoe-bob" not in page.text
    assert client.post("/api/review/accept", json={"id": item["id"]}).status_code == 200
    with Project.open(project) as proj:
        assert proj.reviewer("anna").counts()["decided"] == 1


def _hostile_project(tmp_path):
    script, img = HOSTILE
    book = (
        "name: hostile\ncodes:\n"
        f"  - name: '{script}'\n    description: '{img}'\n    keywords: [huis]\n"
        f"  - name: '{img}'\n    description: '{script}'\n    keywords: [wonen]\n"
    )
    text = f"I: Vraag {img}?\nR: Ik wil een huis {script} en wonen.\n"
    project = tmp_path / "h.qc"
    run("init", project)
    run("import", project, write(tmp_path / "a.txt", text))
    run("segment", project)
    run("codebook", "load", project, write(tmp_path / "b.yaml", book))
    with Project.open(project) as proj:
        segment = next(s for s in proj.segments() if "huis" in proj.source_text("a")[s.start : s.end])
        with second_connection(proj) as db, db.transaction() as conn:
            from qualcode.store import codes, runs, suggestions

            run_id = runs.start_run(conn, "suggest", {"suggester": "lexical"}, {})
            row = (
                run_id,
                1,
                segment.start,
                segment.end,
                segment.id,
                codes.code_ids(conn)[script],
                "lexical",
                "1",
            )
            suggestions.insert_suggestions(conn, [(*row, 0.9, f"rationale {script} {img}", 1, 1)])
            runs.finish_run(conn, run_id, {})
    return project


def test_hostile_text_reaches_the_page_only_escaped(tmp_path):
    project = _hostile_project(tmp_path)
    client = http_client(_app(project))
    state = client.get("/api/review/item").json()
    assert HOSTILE[0] in state["item"]["text"] and HOSTILE[0] in state["item"]["rationale"]
    assert HOSTILE[1] in state["item"]["question"] and state["item"]["definition"] == HOSTILE[1]
    page = client.get("/review").text
    for raw in HOSTILE:
        assert raw not in page
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page  # in the page's JSON, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # in the code filter's options


# -- retraining in the background ---------------------------------------------------------------


def _wait_for(client, state="done", seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get("/api/review/status").json()
        if status["state"] in (state, "error"):
            return status
        time.sleep(0.1)
    raise AssertionError("retraining did not finish")


def test_retraining_runs_in_the_background_after_a_batch(learning):  # noqa: F811
    app = _app(learning.path, batch=2)
    client = http_client(app)
    assert client.get("/api/review/status").json()["state"] == "idle"
    for _ in range(2):
        item = client.get("/api/review/item").json()["item"]
        answer = client.post("/api/review/reject", json={"id": item["id"]}).json()
    assert answer["retrain"]["state"] == "running"
    status = _wait_for(client)
    assert status["state"] == "done" and status["error"] is None and status["finished"] == 1
    assert isinstance(status["new"], int) and isinstance(status["withdrawn"], int)
    counts = learning.reviewer("anna").counts()
    assert client.get("/api/review/item").json()["progress"]["withdrawn"] == counts["withdrawn"]
    withdrawn = client.get("/api/review/item?withdrawn=1").json()
    shown = [withdrawn["item"]["id"]] if withdrawn["item"] else []
    assert shown == [w.id for w in learning.reviewer("anna").withdrawn()[:1]]
    assert "/review?withdrawn=1" in client.get("/review").text


def test_no_retraining_for_a_suggester_that_does_not_learn(suggested):  # noqa: F811
    project, _ = suggested
    client = http_client(_app(project, batch=1))
    item = client.get("/api/review/item").json()["item"]
    assert client.post("/api/review/accept", json={"id": item["id"]}).json()["retrain"]["state"] == "idle"


def test_one_retraining_per_coder_at_a_time_and_errors_are_kept(tmp_path):
    job = Retraining()
    assert job.decided(batch=1, learning=True, more=True) is True
    assert job.decided(batch=1, learning=True, more=True) is False  # one is running
    job.run(tmp_path / "missing.qc", "anna")
    status = job.status()
    assert status["state"] == "error" and "missing.qc" in status["error"] and status["finished"] == 1
    # the decision made while it ran counts towards the next batch
    assert job.decided(batch=2, learning=True, more=True) is True


# -- a real browser -----------------------------------------------------------------------------


def _progress(page, decided):
    page.wait_for_function(
        "n => document.getElementById('progress').textContent.startsWith('decided ' + n + ' ')", arg=decided
    )


def test_the_keys_accept_reject_undo_and_choose_in_a_browser(suggested, browser):  # noqa: F811
    project, _ = suggested
    with running_workbench(project) as (base, _app_), signed_in(browser, base, "anna") as page:
        page.goto(f"{base}/review?lang=en")
        page.wait_for_selector("#text")
        first = page.text_content("#text")
        assert "null" not in page.text_content("#card")
        page.keyboard.press("a")
        _progress(page, 1)
        with Project.open(project) as proj:
            assert proj.reviewer("anna").counts()["decided"] == 1 and len(proj.codings("anna")) == 1
        page.keyboard.press("u")
        _progress(page, 0)
        assert page.text_content("#text") == first
        page.keyboard.press("r")
        _progress(page, 1)
        with Project.open(project) as proj:
            assert proj.codings("anna") == [] and proj.reviewer("anna").counts()["pending"] == 1
        page.wait_for_selector("#candidates li[data-key='2']")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "review.png"), full_page=True)
        page.keyboard.press("2")
        page.wait_for_selector("#done")
        with Project.open(project) as proj:
            assert [c["code"] for c in proj.codings("anna")] == ["Steungroep"]
            assert proj.reviewer("anna").counts() == {"decided": 3, "pending": 0, "withdrawn": 0}


def test_editing_a_boundary_shows_the_snapped_preview_in_a_browser(suggested, browser):  # noqa: F811
    project, _ = suggested
    with running_workbench(project) as (base, _app_), signed_in(browser, base, "anna") as page:
        page.goto(f"{base}/review?lang=en")
        page.wait_for_selector("#text")
        page.keyboard.press("e")
        page.fill("#edit-start", "21")
        page.fill("#edit-end", "35")
        page.wait_for_function("document.getElementById('edit-preview').textContent === 'wonen in een huis'")
        assert page.text_content("#edit-span") == "20–37"
        page.press("#edit-end", "Enter")
        _progress(page, 1)
        with Project.open(project) as proj:
            assert _codes(proj) == [(20, 37, "Woning")]


def test_hostile_text_stays_text_in_a_browser(tmp_path, browser):
    project = _hostile_project(tmp_path)
    with running_workbench(project) as (base, _app_), signed_in(browser, base, "anna") as page:
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{base}/review?lang=en")
        page.wait_for_selector("#text")
        assert HOSTILE[0] in page.text_content("#text") and page.text_content("#code") == HOSTILE[0]
        assert page.locator("#card img, #card script").count() == 0 and dialogs == []
