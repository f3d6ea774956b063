"""The workbench's CMOC pages: adding a CMOC with codes per part, revising it (a status change
without a memo is refused with the library's message), its history and its evidence with
quotes linked to the document view; CSRF, the coder name, hostile text and bad requests."""

from __future__ import annotations

import pytest

from qualcode import Project
from qualcode.web import create_app
from tests.test_web_search import IMG, MARCO, SCREENSHOTS, SCRIPT, web_project  # noqa: F401  (fixture)
from tests.web_support import TOKEN, http_client, running_workbench, signed_in

CMO = {
    "statement": "If a client lives in a shelter, then a support group helps, because people care.",
    "context": ["Opvang"],
    "resource": ["Steungroep"],
    "outcome": ["Woning"],
    "confidence": "medium",
    "confidence_reason": "one case so far",
    "intervention": "steungroep",
    "actor": "professional",
}


def client_for(path, coder="anna"):
    return http_client(create_app(path, token=TOKEN), coder)


def test_adding_a_cmoc_lists_it_with_its_parts_and_shows_its_evidence(web_project):  # noqa: F811
    client = client_for(web_project)
    made = client.post("/api/cmocs", json=CMO)
    assert made.status_code == 200 and made.json() == {"key": "CMO1", "status": "initial"}
    with Project.open(web_project, read_only=True) as project:
        cmoc = project.cmoc("CMO1")
        assert (cmoc.context, cmoc.resource, cmoc.reasoning, cmoc.outcome) == (
            ("Opvang",),
            ("Steungroep",),
            (),
            ("Woning",),
        )
        assert (cmoc.confidence, cmoc.created_by, cmoc.actor) == ("medium", "anna", "professional")
    listing = client.get("/cmocs?lang=en")
    assert listing.status_code == 200
    assert 'href="/cmocs/CMO1"' in listing.text and CMO["statement"] in listing.text
    assert 'href="/search?code=Steungroep"' in listing.text and 'data-status="initial"' in listing.text
    assert '<a href="/cmocs">CMOCs</a>' in listing.text  # the navigation
    one = client.get("/cmocs/CMO1?lang=en")
    assert one.status_code == 200 and 'id="cmoc-revise"' in one.text
    start = MARCO.index("De steungroep helpt")
    assert f'href="/document/marco?at={start}"' in one.text  # a supporting quote, at its place
    assert 'data-level="full"' in one.text and "<th>C01</th>" in one.text and "<th>client</th>" in one.text
    assert 'id="per-case"' in one.text and 'id="per-group"' in one.text
    dutch = client.get("/cmocs/CMO1?lang=nl").text
    assert "Geschiedenis" in dutch and "Bewijs" in dutch and "Mechanisme: hulpbron" in dutch
    window = client.get("/cmocs/CMO1?scope=window&unreviewed=1")
    assert window.status_code == 200 and 'id="unreviewed" checked' in window.text
    bogus = client.get("/cmocs/CMO1?scope=bogus")
    assert bogus.status_code == 200 and 'id="refused"' in bogus.text and "bogus" in bogus.text


def test_revising_the_status_needs_a_memo_and_keeps_the_history(web_project):  # noqa: F811
    client = client_for(web_project)
    client.post("/api/cmocs", json=CMO)
    refused = client.post("/api/cmocs/CMO1/revise", json={"status": "refined", "memo": ""})
    assert refused.status_code == 400
    assert "needs a memo" in refused.json()["error"] and "initial to refined" in refused.json()["error"]
    done = client.post(
        "/api/cmocs/CMO1/revise",
        json={"status": "refined", "memo": "a second case shows it", "statement": CMO["statement"],
              "context": ["Opvang"], "resource": ["Steungroep"], "reasoning": [], "outcome": ["Woning"]},
    )  # fmt: skip
    assert done.status_code == 200 and done.json()["status"] == "refined"
    moved = client.post("/api/cmocs/CMO1/revise", json={"status": "initial", "memo": "back"})
    assert moved.status_code == 400 and "cannot go from refined to initial" in moved.json()["error"]
    same = client.post("/api/cmocs/CMO1/revise", json={"statement": CMO["statement"]})
    assert same.status_code == 400 and "nothing to change" in same.json()["error"]
    codes = client.post("/api/cmocs/CMO1/revise", json={"reasoning": ["Steungroep"], "resource": []})
    assert codes.status_code == 200
    with Project.open(web_project, read_only=True) as project:
        cmoc = project.cmoc("CMO1")
        assert (cmoc.status, cmoc.resource, cmoc.reasoning, cmoc.context) == (
            "refined",
            (),
            ("Steungroep",),
            ("Opvang",),
        )
        history = project.cmoc_history("CMO1")
        assert [(h.action, h.by, h.to_status) for h in history] == [
            ("create", "anna", "initial"),
            ("revise", "anna", "refined"),
            ("revise", "anna", "refined"),
        ]
        assert set(history[1].changes) == {"status"}  # the unchanged fields were not sent on
    page = client.get("/cmocs/CMO1?lang=en").text
    assert "a second case shows it" in page and 'data-status="refined"' in page
    assert page.count('class="memo history-entry"') == 3


def test_a_change_needs_the_csrf_value_and_a_coder(web_project):  # noqa: F811
    no_csrf = client_for(web_project)
    del no_csrf.headers["X-CSRF-Token"]
    assert no_csrf.post("/api/cmocs", json=CMO).status_code == 403
    reader = client_for(web_project, coder=None)
    refused = reader.post("/api/cmocs", json=CMO)
    assert refused.status_code == 400 and "choose a coder name" in refused.json()["error"]
    assert client_for(web_project).get("/api/cmocs").status_code == 405
    with Project.open(web_project, read_only=True) as project:
        assert project.cmocs() == []
    page = reader.get("/cmocs?lang=en").text
    assert 'id="no-cmocs"' in page and "choose a coder name first" in page


def test_unknown_codes_and_bad_requests_are_refused_with_a_message(web_project):  # noqa: F811
    client = client_for(web_project)
    unknown = client.post("/api/cmocs", json={**CMO, "outcome": ["Wonig"]})
    assert unknown.status_code == 400
    assert "unknown code 'Wonig'" in unknown.json()["error"] and "'Woning'" in unknown.json()["error"]
    for bad in ({**CMO, "context": "Opvang"}, {**CMO, "context": [1]}, {**CMO, "statement": 5}, [1, 2]):
        answer = client.post("/api/cmocs", json=bad)
        assert answer.status_code == 400 and answer.json()["error"]
    assert client.post("/api/cmocs", content=b"nope").status_code == 400
    no_statement = client.post("/api/cmocs", json={**CMO, "statement": "  "})
    assert no_statement.status_code == 400 and "statement" in no_statement.json()["error"]
    missing = client.post("/api/cmocs/CMO9/revise", json={"status": "refined", "memo": "x"})
    assert missing.status_code == 400 and "no CMOC 'CMO9'" in missing.json()["error"]
    page = client.get("/cmocs/CMO9")
    assert page.status_code == 404 and 'id="error"' in page.text
    with Project.open(web_project, read_only=True) as project:
        assert project.cmocs() == []


@pytest.mark.filterwarnings("ignore:code .* is of kind bottleneck")  # shown in the page instead
def test_hostile_statements_and_code_names_are_escaped(web_project):  # noqa: F811
    client = client_for(web_project)
    hostile = {**CMO, "statement": f"if {SCRIPT} then {IMG}", "context": [SCRIPT], "intervention": IMG,
               "memo": SCRIPT}  # fmt: skip
    made = client.post("/api/cmocs", json=hostile)
    assert made.status_code == 200
    client.post("/api/cmocs/CMO1/revise", json={"status": "refined", "memo": f"why {IMG}"})
    for url in ("/cmocs", "/cmocs/CMO1"):
        html = client.get(url).text
        assert SCRIPT not in html and IMG not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'class="warn kind-note"' in html  # a bottleneck code as the context, said in the page


def test_blind_mode_refuses_the_evidence_but_shows_the_cmoc(web_project):  # noqa: F811
    client = client_for(web_project)
    client.post("/api/cmocs", json=CMO)
    with Project.open(web_project) as project:
        project.blind(True)
    page = client.get("/cmocs/CMO1")
    assert page.status_code == 200 and 'id="refused"' in page.text and "blind mode" in page.text
    assert 'id="units"' not in page.text and CMO["statement"] in page.text
    assert client.get("/cmocs").status_code == 200


def test_the_browser_adds_a_cmoc_and_revises_its_status(web_project, browser):  # noqa: F811
    with running_workbench(web_project) as (base, _app), signed_in(browser, base, "anna") as page:
        page.goto(f"{base}/cmocs?lang=en")
        page.fill("#cmoc-add-statement", CMO["statement"])
        page.select_option("#cmoc-add-context", ["Opvang"])
        page.select_option("#cmoc-add-resource", ["Steungroep"])
        page.select_option("#cmoc-add-outcome", ["Woning"])
        page.select_option("#cmoc-add-confidence", "medium")
        page.fill("#cmoc-add-confidence_reason", "one case so far")
        page.click("#cmoc-add button[type=submit]")
        page.wait_for_url("**/cmocs/CMO1")
        assert page.text_content("#cmoc-status").strip() == "initial"
        page.select_option("#cmoc-revise-status", "refined")
        page.click("#cmoc-revise button[type=submit]")  # no memo: refused, shown in the page
        page.wait_for_selector("#status.error")
        assert "needs a memo" in page.text_content("#status")
        page.fill("#cmoc-revise-memo", "Ellen's interview shows the same")
        page.click("#cmoc-revise button[type=submit]")
        page.wait_for_selector('#cmoc-status[data-status="refined"]')
        assert "Ellen's interview shows the same" in page.text_content("#cmoc-history")
        link = page.locator("#units a.quote-link").first
        href = link.get_attribute("href")
        assert href.startswith("/document/marco?at=")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "cmocs.png"), full_page=True)
        link.click()
        page.wait_for_url(f"**{href}")
    with Project.open(web_project, read_only=True) as project:
        assert project.cmoc("CMO1").status == "refined"
        assert project.cmoc_history("CMO1")[-1].memo == "Ellen's interview shows the same"
