"""The codebook panel of the workbench: the tree with counts, every edit as a new codebook
version (codings kept), errors as the library says them, hostile names, and a browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode import Project
from qualcode.web import create_app
from tests.conftest import write
from tests.test_cli import run
from tests.test_coding_cli import coded  # noqa: F401  (fixture)
from tests.web_support import TOKEN, http_client, running_workbench, signed_in

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
HOSTILE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


@pytest.fixture
def codings(coded):  # noqa: F811
    """The six interviews with anna's 36 codings; every R speaker is the case "c1"."""
    project, tmp = coded
    run("codings", "import", project, tmp / "codings.csv")
    with Project.open(project) as proj:
        proj.load_participants(write(tmp / "people.csv", "speaker,case,role\nR,c1,client\n"))
    return project, tmp


def _tree(client) -> dict[str, dict]:
    """Every code of the tree by name (children flattened)."""
    from qualcode.web.pages.codebook import flat

    with Project.open(client.app.state.path) as proj:
        return {n["name"]: n for n in flat(proj.workbench().code_tree())}


def _edit(client, **change):
    return client.post("/api/codebook/edit", json=change)


def test_the_tree_counts_codings_sources_and_cases(codings):
    project, _ = codings
    client = http_client(create_app(project, token=TOKEN))
    tree = _tree(client)
    assert tree["Steungroep"]["counts"] == {"codings": 18, "sources": 6, "cases": 1}
    assert tree["Woning"]["counts"] == {"codings": 18, "sources": 6, "cases": 1}
    assert tree["Woning"]["keywords"] == ["huis", "woning"] and tree["Woning"]["kind"] == "outcome"
    page = client.get("/codebook?lang=en")
    assert page.status_code == 200
    assert "18 · 6 · 1" in page.text and "Een eigen huis als doel." in page.text
    assert page.text.count('class="code"') == 2


def test_create_move_and_recolour_are_new_versions(codings):
    project, _ = codings
    client = http_client(create_app(project, token=TOKEN))
    made = _edit(
        client,
        action="create",
        name="Netwerk",
        kind="mechanism",
        description="Het netwerk.",
        colour="#aa0000",
    )
    assert made.status_code == 200 and made.json()["changes"]["added"] == ["Netwerk"]
    moved = _edit(client, action="move", code="Steungroep", parent="Netwerk")
    assert moved.json()["changes"]["moved"] == ["Steungroep"]
    assert _edit(client, action="recolour", code="Woning", colour="#00aa00").json()["changes"]["changed"] == [
        "Woning"
    ]
    with Project.open(project) as proj:
        book = proj.codebook().by_name()
        assert book["Steungroep"].parent == "Netwerk" and book["Woning"].colour == "#00aa00"
        assert book["Netwerk"].kind == "mechanism" and book["Netwerk"].colour == "#aa0000"
        assert len(proj.codebook_versions()) == 4
    tree = _tree(client)
    assert tree["Steungroep"]["counts"]["codings"] == 18 and tree["Steungroep"]["depth"] == 1
    assert 'style="background: #00aa00"' in client.get("/codebook").text


def test_rename_merge_and_retire_keep_the_codings(codings):
    project, _ = codings
    client = http_client(create_app(project, token=TOKEN))
    renamed = _edit(client, action="rename", code="Woning", name="Huisvesting")
    assert renamed.json()["changes"]["renamed"] == ["Huisvesting"]
    with Project.open(project) as proj:
        assert sum(c["code"] == "Huisvesting" for c in proj.codings("anna")) == 18
    assert _tree(client)["Huisvesting"]["counts"]["codings"] == 18
    merged = _edit(client, action="merge", code="Steungroep", into="Huisvesting")
    assert merged.json()["changes"]["merged"] == ["Steungroep"]
    tree = _tree(client)
    assert list(tree) == ["Huisvesting"] and tree["Huisvesting"]["counts"] == {
        "codings": 36,
        "sources": 6,
        "cases": 1,
    }
    assert tree["Huisvesting"]["merges"] == ["Steungroep"]
    _edit(client, action="create", name="Geld")
    with Project.open(project) as proj:
        proj.reviewer("anna").add("int0", 3, 10, "Geld")
    retired = _edit(client, action="retire", code="Geld")
    assert retired.json()["changes"]["retired"] == ["Geld"]
    assert "Geld" not in _tree(client) and "Geld" not in client.get("/codebook").text
    with Project.open(project) as proj:
        assert [c["code"] for c in proj.codings("anna") if c["code"] == "Geld"] == [
            "Geld"
        ]  # still in the log
        assert len(proj.codings("anna")) == 37


def test_retiring_or_merging_a_parent_keeps_its_children(codings):
    project, _ = codings
    client = http_client(create_app(project, token=TOKEN))
    _edit(client, action="create", name="Top")
    _edit(client, action="create", name="Midden", parent="Top")
    _edit(client, action="move", code="Steungroep", parent="Midden")
    _edit(client, action="retire", code="Midden")
    with Project.open(project) as proj:
        assert proj.codebook().by_name()["Steungroep"].parent == "Top"
    _edit(client, action="merge", code="Top", into="Steungroep")
    with Project.open(project) as proj:
        book = proj.codebook().by_name()
        assert book["Steungroep"].parent is None and "Top" not in book


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"action": "explode", "code": "Woning"}, "unknown codebook change 'explode'; choose one of create, rename"),
        ({"action": "rename", "code": "Wonig", "name": "X"}, "no code named 'Wonig' in the current codebook; did you mean 'Woning'?"),
        ({"action": "rename", "code": "Woning", "name": "Steungroep"}, "the codebook already has a code named 'Steungroep'; merge them instead"),
        ({"action": "rename", "code": "Woning", "name": " "}, "give the code a new name"),
        ({"action": "create", "name": "Woning"}, "the project already has a code named 'Woning' (perhaps retired); choose another name"),
        ({"action": "create", "name": "Nieuw", "kind": "feeling"}, "field 'kind': unknown kind 'feeling' for code 'Nieuw'"),
        ({"action": "create", "name": "Nieuw", "parent": "Nergens"}, "field 'parent': code 'Nieuw' has unknown parent 'Nergens'"),
        ({"action": "recolour", "code": "Woning", "colour": "red"}, "field 'colour': colour 'red' of code 'Woning' is not #RRGGBB"),
        ({"action": "merge", "code": "Woning", "into": "Woning"}, "code 'Woning' cannot be merged into itself"),
        ({"action": "move", "code": "Woning", "parent": "Onbekend"}, "no code named 'Onbekend' in the current codebook"),
    ],
)  # fmt: skip
def test_a_wrong_change_answers_the_librarys_message_and_changes_nothing(codings, change, message):
    project, _ = codings
    client = http_client(create_app(project, token=TOKEN))
    answer = _edit(client, **change)
    assert answer.status_code == 400 and answer.json()["error"].startswith(message)
    with Project.open(project) as proj:
        assert len(proj.codebook_versions()) == 1


def test_a_cycle_and_a_bad_request_are_refused(codings):
    project, _ = codings
    client = http_client(create_app(project, token=TOKEN))
    _edit(client, action="move", code="Woning", parent="Steungroep")
    cycle = _edit(client, action="move", code="Steungroep", parent="Woning")
    assert cycle.status_code == 400 and "form a cycle" in cycle.json()["error"]
    assert client.post("/api/codebook/edit", content=b"nope").json() == {"error": "send a JSON object"}
    assert client.get("/api/codebook/edit").status_code == 405
    del client.headers["X-CSRF-Token"]
    assert _edit(client, action="retire", code="Woning").status_code == 403


def test_hostile_names_and_descriptions_are_escaped(codings):
    project, _ = codings
    client = http_client(create_app(project, token=TOKEN))
    for name, description in (HOSTILE, HOSTILE[::-1]):
        assert _edit(client, action="create", name=name, description=description).status_code == 200
    page = client.get("/codebook").text
    for raw in HOSTILE:
        assert raw not in page
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    )


def test_blind_mode_hides_the_counts(codings):
    project, _ = codings
    with Project.open(project) as proj:
        proj.blind(True)
    page = http_client(create_app(project, token=TOKEN)).get("/codebook?lang=en").text
    assert 'class="counts"' not in page and "blind: counts hidden" in page


# -- a real browser -----------------------------------------------------------------------------


def test_merging_two_codes_in_a_browser(codings, browser):
    project, _ = codings
    with running_workbench(project) as (base, _app), signed_in(browser, base, "anna") as page:
        page.goto(f"{base}/codebook?lang=en")
        page.click("li[data-name='Steungroep'] .name")
        assert page.input_value("#cb-code") == "Steungroep"
        assert "Een groep mensen" in page.text_content("#cb-selected")
        page.select_option("#cb-action", "merge")
        page.select_option("#cb-into", "Woning")
        with page.expect_navigation():
            page.click("#cb-apply")
        page.wait_for_selector("li[data-name='Woning']")
        assert page.locator("li[data-name='Steungroep']").count() == 0
        assert "36 · 6 · 1" in page.text_content("li[data-name='Woning'] .counts")
    with Project.open(project) as proj:
        book = proj.codebook()
        assert [c.name for c in book.codes] == ["Woning"] and book.codes[0].merges == ["Steungroep"]


def test_a_250_code_tree_filters_and_folds_without_requests(tmp_path, browser):
    lines = ["name: big", "codes:"]
    for group in range(25):
        lines += [f"  - name: Groep {group:02d}", "    kind: theme"]
        for child in range(9):
            lines += [f"  - name: Code {group:02d}-{child}", f"    parent: Groep {group:02d}",
                      f"    description: omschrijving {group * 10 + child}"]  # fmt: skip
    project = tmp_path / "big.qc"
    run("init", project)
    run("codebook", "load", project, write(tmp_path / "big.yaml", "\n".join(lines) + "\n"))
    with running_workbench(project) as (base, _app), signed_in(browser, base, "anna") as page:
        requests = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(f"{base}/codebook?lang=en")
        assert page.locator("li.code").count() == 250
        assert not [url for url in requests if "/api/" in url]
        page.fill("#cb-filter", "code 07-")
        assert page.locator("li.code:visible").count() == 10  # the group and its nine codes
        assert page.text_content("#cb-shown") == "9 codes shown"
        page.fill("#cb-filter", "omschrijving 123")
        assert page.locator("li.code:visible").count() == 2
        page.fill("#cb-filter", "")
        page.click("li[data-name='Groep 03'] > .row .fold")
        assert page.locator("li[data-name='Code 03-4']").is_hidden()
        assert page.locator("li[data-name='Code 04-4']").is_visible()
        page.click("#cb-fold")
        assert page.locator("li.code:visible").count() == 25
        page.click("#cb-unfold")
        page.click("li[data-name='Code 02-1'] .name")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "codebook.png"))
        assert not [url for url in requests if "/api/" in url]
