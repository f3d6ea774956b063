"""The workbench's search page: text and lemma search with hits in context, coding every
selected hit at once, the passages of a code filtered by role and case attribute, memos,
and escaping of everything a transcript, codebook, memo or participants file brings in."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode import Project
from qualcode.web import create_app
from tests.conftest import write
from tests.test_cli import run
from tests.web_support import TOKEN, http_client, running_workbench, signed_in

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = (SCRIPT, IMG)
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

MARCO = (
    "I: Hoe gaat het?\n"
    "R: De steungroep helpt mij echt. Wij woonden toen in een opvang. Ik wil een eigen huis.\n"
    "I: En nu?\n"
    f"R: Het gaat beter. {SCRIPT}\n"
)
ELLEN = f"I: Vraag?\nEllen: De Steungroep komt elke week. Hij woont nu bij mij. {IMG}\n"
PARTICIPANTS = (
    "speaker,source,case,role,city\n"
    "R,marco,C01,client,Amsterdam\n"
    f'Ellen,ellen,C02,naaste,"{IMG.replace(chr(34), chr(34) * 2)}"\n'
    "I,,,interviewer,\n"
)
BOOK = f"""\
name: web
codes:
  - name: Opvang
    kind: context
    description: Waar iemand woont of verblijft.
  - name: Steungroep
    kind: mechanism
    description: Een groep mensen rond de cliënt die steun geeft.
  - name: Woning
    kind: outcome
    description: Een eigen huis als doel.
  - name: '{SCRIPT}'
    kind: bottleneck
    description: '{IMG}'
  - name: '{IMG}'
    kind: other
"""


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


@pytest.fixture
def web_project(tmp_path):
    """Two interviews with roles and a city per case, a codebook with hostile code names,
    and anna's codings: a CMO triple in Marco's first answer, Steungroep in Ellen's."""
    folder = tmp_path / "interviews"
    folder.mkdir()
    write(folder / "marco.txt", MARCO)
    write(folder / "ellen.txt", ELLEN)
    participants = write(tmp_path / "participants.csv", PARTICIPANTS)
    path = tmp_path / "web.qc"
    run("init", path)
    run("import", path, folder, "--participants", participants)
    run("segment", path)
    run("codebook", "load", path, write(tmp_path / "book.yaml", BOOK))
    with Project.open(path) as project:
        anna = project.reviewer("anna")
        for part, code in [
            ("De steungroep helpt mij echt.", "Steungroep"),
            ("Wij woonden toen in een opvang.", "Opvang"),
            ("Ik wil een eigen huis.", "Woning"),
            (SCRIPT, SCRIPT),
        ]:
            anna.add("marco", *span(MARCO, part), code)
        anna.add("ellen", *span(ELLEN, "De Steungroep komt elke week."), "Steungroep")
        project.add_memo("code", "Steungroep", "anna", f"memo {SCRIPT} {IMG}")
    return path


def assert_escaped(html: str) -> None:
    for text in HOSTILE:
        assert text not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_text_search_finds_hits_case_insensitively_with_the_hit_marked(web_project):
    client = http_client(create_app(web_project, token=TOKEN))
    page = client.get("/search", params={"q": "steungroep"})
    assert page.status_code == 200
    assert page.text.count('class="hit"') == 2
    assert "<mark>steungroep</mark>" in page.text and "<mark>Steungroep</mark>" in page.text
    assert 'href="/document/marco?at=' in page.text and "client" in page.text and "C01" in page.text
    assert "Amsterdam" in page.text  # the case attribute


def test_lemma_search_matches_whole_lemmas(web_project):
    client = http_client(create_app(web_project, token=TOKEN))
    with Project.open(web_project, read_only=True) as project:
        hits = project.workbench().search("wonen", lemmas=True)
        assert [h["source"] for h in hits] == ["ellen", "marco"]
        marked = [p["text"] for h in hits for p in h["pieces"] if p["hit"]]
        assert marked == ["woont", "woonden"]
        assert project.workbench().search("wonen") == []  # as text: no hit
    page = client.get("/search", params={"q": "wonen", "lemmas": "1"})
    assert "<mark>woonden</mark>" in page.text


def test_the_limit_says_how_many_more(web_project):
    client = http_client(create_app(web_project, token=TOKEN))
    page = client.get("/search", params={"q": "e", "limit": "1"})
    assert page.text.count('class="hit"') == 1
    with Project.open(web_project, read_only=True) as project:
        total = project.workbench().search("e", limit=1).total
    assert total > 1 and f"{total - 1} more hits not shown" in client.get("/search?q=e&limit=1&lang=en").text
    assert client.get("/search", params={"q": "x" * 201}).status_code == 400


def test_coding_all_hits_stores_them_once(web_project):
    client = http_client(create_app(web_project, token=TOKEN))
    with Project.open(web_project, read_only=True) as project:
        hits = [{k: h[k] for k in ("source", "start", "end")} for h in project.workbench().search("week")]
        hits += [{k: h[k] for k in ("source", "start", "end")} for h in project.workbench().search("beter")]
    answer = client.post("/api/search/code", json={"code": "Woning", "hits": hits})
    assert answer.status_code == 200 and answer.json() == {"added": 2, "already": 0, "code": "Woning"}
    again = client.post("/api/search/code", json={"code": "Woning", "hits": hits})
    assert again.json() == {"added": 0, "already": 2, "code": "Woning"}
    with Project.open(web_project, read_only=True) as project:
        coded = {
            (c["source"], c["start"], c["end"]) for c in project.codings("anna") if c["code"] == "Woning"
        }
    assert {(h["source"], h["start"], h["end"]) for h in hits} <= coded


def test_coding_hits_refuses_bad_requests(web_project):
    app = create_app(web_project, token=TOKEN)
    client = http_client(app)
    hit = {"source": "marco", "start": 0, "end": 5}
    assert client.post("/api/search/code", json={"code": "Nope", "hits": [hit]}).status_code == 400
    assert client.post("/api/search/code", json={"code": "Woning", "hits": []}).status_code == 400
    assert (
        client.post("/api/search/code", json={"code": "Woning", "hits": [{"source": "marco"}]}).status_code
        == 400
    )
    bad_span = client.post("/api/search/code", json={"code": "Woning", "hits": [{**hit, "end": 10**6}]})
    assert bad_span.status_code == 400 and "does not fit" in bad_span.json()["error"]
    unknown = client.post("/api/search/code", json={"code": "Woning", "hits": [{**hit, "source": "x"}]})
    assert unknown.status_code == 400 and "no source" in unknown.json()["error"]
    assert client.post("/api/search/code", content=b"[1]").status_code == 400
    nobody = http_client(app, coder=None).post("/api/search/code", json={"code": "Woning", "hits": [hit]})
    assert nobody.status_code == 400 and "coder" in nobody.json()["error"]
    assert client.get("/api/search/code").status_code == 405  # no change on GET
    with Project.open(web_project, read_only=True) as project:
        assert len(project.codings("anna")) == 5


def test_passages_of_a_code_filtered_by_role_and_attribute(web_project):
    client = http_client(create_app(web_project, token=TOKEN))
    page = client.get("/search", params={"code": "Steungroep"})
    assert page.status_code == 200 and page.text.count("/document/") >= 2
    assert "anna" in page.text and "naaste" in page.text
    only_clients = client.get("/search", params={"code": "Steungroep", "role": "client"})
    assert "/document/marco?at=" in only_clients.text and "/document/ellen?at=" not in only_clients.text
    only_city = client.get("/search", params={"code": "Steungroep", "city": "Amsterdam"})
    assert "/document/ellen?at=" not in only_city.text and "/document/marco?at=" in only_city.text
    with Project.open(web_project, read_only=True) as project:
        assert [p["source"] for p in project.workbench().passages("Steungroep", {"city": IMG})] == ["ellen"]
        assert project.workbench().passages("Steungroep", {"role": "professional"}) == []
    missing = client.get("/search", params={"code": "Nope"})
    assert missing.status_code == 400 and "no code named" in missing.text


def test_passages_in_blind_mode_are_only_ones_own(web_project):
    with Project.open(web_project) as project:
        project.blind(True)
    app = create_app(web_project, token=TOKEN)
    own = http_client(app, coder="anna").get("/search", params={"code": "Steungroep", "coder": "bob"})
    assert own.status_code == 200 and "/document/marco?at=" in own.text  # anna's, not bob's
    nobody = http_client(app, coder=None).get("/search", params={"code": "Steungroep"})
    assert nobody.status_code == 400 and "blind mode" in nobody.text


def test_memos_are_listed_by_target_and_added(web_project):
    app = create_app(web_project, token=TOKEN)
    client = http_client(app)
    for on, target in [("project", None), ("code", "Woning"), ("source", "ellen")]:
        added = client.post("/api/memos", json={"on": on, "target": target, "text": f"over {on} {IMG}"})
        assert added.status_code == 200 and added.json()["id"]
    page = client.get("/memos")
    assert page.status_code == 200
    for text in ("over project", "over code", "over source", 'href="/document/ellen"', "by anna"):
        assert text in client.get("/memos?lang=en").text or text in page.text
    assert_escaped(page.text)
    with Project.open(web_project, read_only=True) as project:
        assert [m["target_kind"] for m in project.memos()] == ["code", "project", "code", "source"]
    assert client.post("/api/memos", json={"on": "code", "target": "Nope", "text": "x"}).status_code == 400
    assert client.post("/api/memos", json={"on": "segment", "target": 1, "text": "x"}).status_code == 400
    assert client.post("/api/memos", json={"on": "project", "text": " "}).status_code == 400
    assert (
        http_client(app, coder=None).post("/api/memos", json={"on": "project", "text": "x"}).status_code
        == 400
    )


def test_every_page_escapes_what_the_project_holds(web_project):
    client = http_client(create_app(web_project, token=TOKEN))
    for url in ("/search?q=alert", "/search?q=onerror", f"/search?code={IMG}", "/search?code=Steungroep",
                "/memos", "/findings", "/findings?unreviewed=1"):  # fmt: skip
        page = client.get(url)
        assert page.status_code == 200, url
        assert SCRIPT not in page.text and IMG not in page.text, url
    assert "&lt;script&gt;" in client.get("/search?q=alert").text
    assert "&#34;&gt;&lt;img" in client.get("/search?q=onerror").text


def test_the_browser_searches_and_codes_the_hits(web_project, browser):
    with running_workbench(web_project) as (base, _app), signed_in(browser, base, "anna") as page:
        page.goto(f"{base}/search?lang=en")
        page.fill("#q", "steungroep")
        page.click("#search-form button")
        page.wait_for_selector("#hits")
        assert page.locator("#hits mark").count() == 2
        page.check("#select-all")
        page.select_option("#hit-code", "Woning")
        page.click("#code-hits")
        page.wait_for_selector("#status.ok")
        assert page.text_content("#status") == "2 coded, 0 were coded already"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)
    with Project.open(web_project, read_only=True) as project:
        assert sum(c["code"] == "Woning" for c in project.codings("anna")) == 3


def test_the_browser_adds_a_memo(web_project, browser):
    with running_workbench(web_project) as (base, _app), signed_in(browser, base, "anna") as page:
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{base}/memos?lang=en")
        page.select_option("#memo-on", "source")
        page.select_option("#memo-source", "marco")
        page.fill("#memo-text", f"Marco vertelt over de opvang {SCRIPT}")
        with page.expect_navigation():
            page.click("#memo-form button")
        assert page.locator(".memo-group[data-kind=source] .memo-text", has_text="Marco vertelt").count() == 1
        assert dialogs == []  # no script ran
