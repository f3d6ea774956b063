"""The document view: a transcript with its codings, suggestions and memos; coding, editing,
deciding and undoing through the page's endpoints and in a real browser."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from qualcode import Project
from qualcode.web import create_app
from tests.conftest import second_connection, write
from tests.test_cli import run
from tests.web_support import TOKEN, http_client, running_workbench, signed_in

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
BOOK = f"""\
name: mini
codes:
  - name: Netwerk
    kind: theme
    description: Het netwerk van de cliënt.
  - name: Steungroep
    parent: Netwerk
    kind: context
    colour: "#1f77b4"
    description: Een groep rond de cliënt.
  - name: Woning
    kind: outcome
    description: Een eigen huis.
  - name: '{SCRIPT}'
    kind: other
    description: hostile
"""
TURNS = [
    ("Interviewer", "00:00:05", "Hoe gaat het met je netwerk?"),
    ("Marco", "00:00:09", "De steungroep helpt mij echt. Ik wil een eigen huis 😀 met mijn zus."),
    (SCRIPT, "00:01:00", f"Dit is {SCRIPT} en {IMG} in de tekst."),
]


@pytest.fixture
def study(tmp_path):
    """One transcript (turns CSV) with a hostile speaker and text, segmented, with a codebook."""
    rows = [("speaker", "time", "text"), *TURNS]
    with (tmp_path / "marco.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    project = tmp_path / "s.qc"
    run("init", project)
    run("import", project, tmp_path / "marco.csv")
    run("segment", project)
    run("codebook", "load", project, write(tmp_path / "book.yaml", BOOK))
    return project


def span(project_path: Path, phrase: str, source: str = "marco") -> tuple[int, int]:
    with Project.open(project_path, read_only=True) as project:
        start = project.source_text(source).index(phrase)
    return start, start + len(phrase)


def suggest(project_path: Path, rows: list[tuple[str, str, float, int]]) -> list[int]:
    """A finished suggest run of (phrase, code, score, rank) on the segment holding each phrase."""
    from qualcode.store import codes, runs, sources, suggestions

    with Project.open(project_path, read_only=True) as project:
        segments = list(project.segments())
    spans = [span(project_path, phrase) for phrase, *_ in rows]
    with Project.open(project_path) as project, second_connection(project) as db, db.transaction() as conn:
        run_id = runs.start_run(conn, "suggest", {"suggester": "ensemble"}, {})
        ids, source_id = codes.code_ids(conn), sources.source_id(conn, "marco")
        stored = []
        for (start, end), (_, code, score, rank) in zip(spans, rows, strict=True):
            segment = next(s for s in segments if s.start <= start < s.end)
            row = (
                run_id,
                source_id,
                start,
                end,
                segment.id,
                ids[code],
                "ensemble",
                "2",
                score,
                "zus, huis",
                rank,
                1,
            )
            suggestions.insert_suggestions(conn, [row])
        runs.finish_run(conn, run_id, {})
    with Project.open(project_path, read_only=True) as project:
        stored = sorted(p.id for p in project.reviewer("anna").pending())
    return stored


def codings(project_path: Path, coder: str = "anna") -> list[tuple]:
    with Project.open(project_path, read_only=True) as project:
        return [(c["start"], c["end"], c["code"]) for c in project.codings(coder)]


def client(project_path, coder="anna"):
    return http_client(create_app(project_path, token=TOKEN), coder=coder)


# -- HTTP ---------------------------------------------------------------------------------------


def test_the_page_shows_turns_codings_in_their_colours_and_the_margin(study):
    start, end = span(study, "De steungroep helpt mij echt.")
    with Project.open(study) as project:
        project.reviewer("anna").add("marco", start, end, "Steungroep")
        project.reviewer("bob").add("marco", start + 3, end, "Woning")
    page = client(study).get("/document/marco")
    assert page.status_code == 200
    html = page.text
    assert "Marco" in html and "0:00:09" in html and "interviewer" in html
    assert "#1f77b4" in html  # the code's own colour
    assert 'class="mc mine" data-c="1"' in html and "<small>bob</small>" in html
    # cut at every boundary: "De " (anna only), then the overlap (anna and bob)
    assert f'data-s="{start}" data-e="{start + 3}" data-c="1"' in html
    assert f'data-s="{start + 3}" data-e="{end}" data-c="1 2"' in html


def test_unknown_source_is_404_with_a_message(study):
    page = client(study).get("/document/nobody")
    assert page.status_code == 404 and "no source named &#39;nobody&#39; in the project" in page.text


def test_a_coding_can_be_marked_as_counter_evidence_and_only_on_purpose(study):
    c = client(study)
    start, end = span(study, "steungroep")
    c.post("/api/codings", json={"source": "marco", "start": start, "end": end, "code": "Steungroep"})
    c.post(
        "/api/codings",
        json={"source": "marco", "start": start, "end": end, "code": "Woning", "counter": True},
    )
    # Only a real true marks it: a string from a careless client does not.
    careless = c.post(
        "/api/codings",
        json={"source": "marco", "start": start, "end": end, "code": "Netwerk", "counter": "no"},
    )
    assert careless.status_code == 200, careless.text
    with Project.open(study, read_only=True) as project:
        marks = {x["code"]: x["counter"] for x in project.codings("anna")}
    assert marks == {"Steungroep": 0, "Woning": 1, "Netwerk": 0}
    assert "picker-counter" in c.get("/document/marco").text


def test_coding_snaps_to_words_and_bad_offsets_get_the_librarys_message(study):
    c = client(study)
    start, end = span(study, "steungroep")
    snapped = c.get(f"/api/document/snap?source=marco&start={start + 2}&end={end - 2}").json()
    assert snapped == {"start": start, "end": end, "text": "steungroep"}
    made = c.post(
        "/api/codings", json={"source": "marco", "start": start + 2, "end": end - 1, "code": "Steungroep"}
    )
    assert made.status_code == 200 and codings(study) == [(start, end, "Steungroep")]
    bad = c.post("/api/codings", json={"source": "marco", "start": 5, "end": 99999, "code": "Woning"})
    assert bad.status_code == 400 and bad.json()["error"].startswith("span 5-99999 does not fit the source")
    assert c.post(
        "/api/codings", json={"source": "marco", "start": "a", "end": 3, "code": "Woning"}
    ).json() == {"error": "start must be a whole number (a character offset)"}
    unknown = c.post("/api/codings", json={"source": "marco", "start": start, "end": end, "code": "Nope"})
    assert unknown.status_code == 400 and "no code named 'Nope'" in unknown.json()["error"]
    assert (
        c.post("/api/codings", json={"source": "x", "start": 0, "end": 1, "code": "Woning"}).status_code
        == 400
    )
    assert c.get("/api/document/snap?source=marco&start=x&end=2").status_code == 400
    assert c.post("/api/codings", content=b"[1]", headers={"Content-Type": "application/json"}).json() == {
        "error": "send a JSON object"
    }


def test_every_change_needs_a_coder(study):
    nobody = client(study, coder=None)
    for url in ("/api/codings", "/api/codings/1/edit", "/api/codings/1/remove", "/api/document/undo",
                "/api/document/suggestions/1/accept", "/api/document/memos"):  # fmt: skip
        answer = nobody.post(url, json={"source": "marco", "start": 0, "end": 3, "code": "Woning"})
        assert answer.status_code == 400 and answer.json() == {
            "error": "choose a coder name first (top right)"
        }
    assert nobody.get("/api/document/suggestions/1/candidates").status_code == 400
    assert "Choose a coder name" in nobody.get("/document/marco?lang=en").text
    assert nobody.get("/document/marco").status_code == 200  # reading needs no coder


def test_edit_remove_and_undo(study):
    c = client(study)
    start, end = span(study, "De steungroep helpt mij echt.")
    coding = c.post(
        "/api/codings", json={"source": "marco", "start": start, "end": end, "code": "Steungroep"}
    ).json()
    moved = c.post(
        f"/api/codings/{coding['coding']}/edit", json={"source": "marco", "start": start + 4, "end": end - 2}
    )
    assert moved.status_code == 200 and codings(study) == [(start + 3, end - 1, "Steungroep")]
    new_id = max(r["id"] for r in _own(study))
    assert c.post(f"/api/codings/{new_id}/edit", json={"code": "Woning"}).status_code == 200
    assert codings(study) == [(start + 3, end - 1, "Woning")]
    latest = max(r["id"] for r in _own(study))
    assert c.post(f"/api/codings/{latest}/remove", json={}).status_code == 200 and codings(study) == []
    assert c.post("/api/document/undo", json={}).json() == {"undone": "remove"}
    assert codings(study) == [(start + 3, end - 1, "Woning")]
    other = client(study, "bob").post(f"/api/codings/{latest}/remove", json={})
    assert other.status_code == 400 and "is anna's" in other.json()["error"]
    assert c.post("/api/codings/9999/edit", json={"code": "Woning"}).status_code == 400


def _own(project_path):
    with Project.open(project_path, read_only=True) as project:
        return project.workbench().document("marco", "anna")["codings"]


def test_suggestions_inline_accept_reject_instead_and_candidates(study):
    ids = suggest(study, [("De steungroep helpt mij echt.", "Steungroep", 0.9, 1),
                          ("De steungroep helpt mij echt.", "Netwerk", 0.7, 2),
                          ("Ik wil een eigen huis", "Woning", 0.8, 1)])  # fmt: skip
    c = client(study)
    html = c.get("/document/marco").text
    assert html.count('class="ms"') == 3 and "sg sg-s" in html and "0.90" in html
    first, second, third = ids
    alternatives = c.get(f"/api/document/suggestions/{first}/candidates").json()["candidates"]
    assert [a["code"] for a in alternatives] == ["Netwerk"]
    assert c.post(f"/api/document/suggestions/{first}/instead", json={"candidate": second}).status_code == 200
    assert [code for *_, code in codings(study)] == ["Netwerk"]
    assert c.post(f"/api/document/suggestions/{third}/reject", json={}).status_code == 200
    assert 'class="ms"' not in c.get("/document/marco").text
    assert c.post("/api/document/undo", json={}).json() == {"undone": "reject"}
    assert c.post(f"/api/document/suggestions/{third}/accept", json={}).status_code == 200
    assert sorted(code for *_, code in codings(study)) == ["Netwerk", "Woning"]
    again = c.post(f"/api/document/suggestions/{third}/accept", json={})
    assert again.status_code == 400 and "already decided" in again.json()["error"]
    assert c.post(f"/api/document/suggestions/{third}/maybe", json={}).status_code == 400
    assert c.get(f"/api/document/suggestions/{third}/candidates").status_code == 400


def test_memos_on_the_source_and_a_segment_are_shown_where_they_belong(study):
    c = client(study)
    with Project.open(study, read_only=True) as project:
        segment = next(s for s in project.segments() if "huis" in s.text)
    assert (
        c.post(
            "/api/document/memos", json={"on": "source", "target": "marco", "text": "Eerste indruk"}
        ).status_code
        == 200
    )
    assert (
        c.post(
            "/api/document/memos", json={"on": "segment", "target": segment.id, "text": "Over wonen"}
        ).status_code
        == 200
    )
    bad = c.post("/api/document/memos", json={"on": "segment", "target": 999, "text": "x"})
    assert bad.status_code == 400 and bad.json()["error"] == "no segment 999 in the project"
    assert (
        c.post("/api/document/memos", json={"on": "code", "target": "Woning", "text": "x"}).status_code == 400
    )
    html = c.get("/document/marco").text
    memos_section = html[html.index('id="source-memos"') : html.index('id="doc"')]
    assert "Eerste indruk" in memos_section and "Over wonen" not in memos_section
    assert 'data-count="1"' in html and "Over wonen" in html


def test_blind_mode_hides_other_coders(study):
    start, end = span(study, "De steungroep helpt mij echt.")
    with Project.open(study) as project:
        project.reviewer("anna").add("marco", start, end, "Steungroep")
        project.reviewer("bob").add("marco", start, end, "Woning")
        project.blind(True)
    html = client(study).get("/document/marco").text
    assert "<small>anna</small>" in html and "<small>bob</small>" not in html
    assert (
        "<small>"
        not in client(study, coder=None).get("/document/marco").text.split('id="doc"')[1].split("picker")[0]
    )


def test_every_project_text_is_escaped(study):
    start, end = span(study, "Dit is")
    with Project.open(study) as project:
        project.reviewer("anna").add("marco", start, end, SCRIPT)
        project.add_memo("source", "marco", "anna", f"memo {SCRIPT} {IMG}")
    html = client(study).get("/document/marco").text
    assert SCRIPT not in html and IMG not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "\\u003cscript\\u003e" in html  # in the page's JSON too


# -- the browser ----------------------------------------------------------------------------------


def select_text(page, phrase: str) -> None:
    """Select ``phrase`` inside its turn with the mouse: press at its first character, drag
    to its last."""
    box = page.evaluate(
        """(phrase) => {
          for (const node of document.querySelectorAll('#doc .tt .pc')) {
            const text = node.firstChild; const at = text ? text.data.indexOf(phrase) : -1;
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(text, at); range.setEnd(text, at + 1);
            const a = range.getBoundingClientRect();
            range.setStart(text, at + phrase.length - 1); range.setEnd(text, at + phrase.length);
            const b = range.getBoundingClientRect();
            return [a.left + 1, a.top + a.height / 2, b.right - 1, b.top + b.height / 2];
          }
          return null;
        }""",
        phrase,
    )
    assert box, phrase
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move(box[2], box[3], steps=5)
    page.mouse.up()


def test_browser_code_by_selecting_edit_memo_and_undo(study, browser):
    with Project.open(study) as project:
        project.reviewer("bob").add("marco", *span(study, "Ik wil een eigen huis"), "Woning")
    with running_workbench(study) as (base, _app), signed_in(browser, base, "anna") as page:
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{base}/document/marco?lang=en")
        select_text(page, "teungroep help")
        page.wait_for_selector("#picker:not([hidden])")
        assert page.text_content("#picker-preview") == "steungroep helpt"
        page.fill("#picker-filter", "steun")
        assert page.locator("#picker-codes button").all_text_contents() == ["Steungroep"]
        page.keyboard.press("Enter")
        page.wait_for_selector(".mc.mine")
        start, end = span(study, "steungroep helpt")
        assert codings(study) == [(start, end, "Steungroep")]
        assert "#1f77b4" in (page.get_attribute(f'.pc[data-s="{start}"]', "style") or "")
        # the boundary, with a snapped preview
        page.click(".mc.mine")
        page.fill("#editor-end", str(end + 4))
        page.wait_for_function(
            "document.getElementById('editor-preview').textContent === 'steungroep helpt mij'"
        )
        page.click("#editor-save")
        # The status may still read "ok" from the coding before: wait for the stored edit.
        deadline = time.monotonic() + 10
        while codings(study) != [(start, end + 4, "Steungroep")] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert codings(study) == [(start, end + 4, "Steungroep")]
        page.wait_for_selector("#status.ok")
        # a memo on the passage
        page.click(".turn:nth-child(2) details.memos summary")
        page.fill(".turn:nth-child(2) details.memos textarea", "Zus als steun")
        page.click(".turn:nth-child(2) details.memos button[type=submit]")
        page.wait_for_selector("text=Zus als steun")
        with Project.open(study, read_only=True) as project:
            assert [m["text"] for m in project.memos()] == ["Zus als steun"]
        page.click("#undo")
        page.wait_for_function("document.getElementById('status').textContent.startsWith('undone')")
        assert codings(study) == [(start, end, "Steungroep")]


def test_browser_accept_and_reject_suggestions_in_place(study, browser):
    ids = suggest(study, [("De steungroep helpt mij echt.", "Steungroep", 0.9, 1),
                          ("De steungroep helpt mij echt.", "Netwerk", 0.6, 2),
                          ("Ik wil een eigen huis", "Woning", 0.8, 1)])  # fmt: skip
    with Project.open(study) as project:  # someone else's overlapping codings, and a memo
        project.reviewer("bob").add("marco", *span(study, "steungroep helpt mij"), "Netwerk")
        project.reviewer("bob").add("marco", *span(study, "een eigen huis 😀 met mijn zus"), "Woning")
        project.add_memo("source", "marco", "bob", "Een rijk netwerk")
    shots = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with running_workbench(study) as (base, _app), signed_in(browser, base, "anna") as page:
        page.set_viewport_size({"width": 1280, "height": 640})
        page.goto(f"{base}/document/marco?lang=en")
        assert page.locator(".pc.sg").count() >= 2
        page.hover(f'.ms[data-g="{ids[0]}"]')
        page.wait_for_selector("#tip button.instead")
        page.screenshot(path=str(shots / "document.png"))
        assert "zus, huis" in page.text_content("#tip") and "0.90" in page.text_content("#tip")
        assert page.text_content("#tip button.instead").startswith("Netwerk")
        page.click("#tip button.accept")
        page.wait_for_selector(f'.ms[data-g="{ids[0]}"]', state="detached")
        page.focus(f'.ms[data-g="{ids[2]}"]')
        page.click("#tip button.reject")
        page.wait_for_selector(f'.ms[data-g="{ids[2]}"]', state="detached")
    assert codings(study) == [(*span(study, "De steungroep helpt mij echt."), "Steungroep")]
    with Project.open(study, read_only=True) as project:
        assert [p.id for p in project.reviewer("anna").pending()] == [ids[1]]  # the other shown code


def test_browser_a_link_with_a_position_shows_the_turn_holding_it(study, browser):
    """Quotes elsewhere (findings, CMOCs, memos, search) link to /document/SOURCE?at=OFFSET."""
    start, _ = span(study, "Ik wil een eigen huis")
    with running_workbench(study) as (base, _app), signed_in(browser, base, "anna") as page:
        page.goto(f"{base}/document/marco?at={start}")
        linked = page.locator(".turn.linked")
        assert linked.count() == 1
        first, last = int(linked.get_attribute("data-s")), int(linked.get_attribute("data-e"))
        assert first <= start < last and "Ik wil een eigen huis" in linked.text_content()
        page.goto(f"{base}/document/marco")
        assert page.locator(".turn.linked").count() == 0
