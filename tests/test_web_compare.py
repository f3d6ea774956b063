"""Comparing two coders on one transcript: side by side, differences marked, agreement per code."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode import Project
from tests.test_web_document import IMG, SCRIPT, client, span, study  # noqa: F401  (fixture)
from tests.web_support import running_workbench, signed_in


@pytest.fixture
def two_coders(study):  # noqa: F811
    """anna and bob agree on the support group and differ on the house (bob codes it Woning)."""
    with Project.open(study) as project:
        for coder in ("anna", "bob"):
            project.reviewer(coder).add("marco", *span(study, "De steungroep helpt mij echt."), "Steungroep")
        project.reviewer("bob").add("marco", *span(study, "Ik wil een eigen huis"), "Woning")
        project.reviewer("anna").add("marco", *span(study, "Dit is"), SCRIPT)
    return study


def test_two_coders_side_by_side_with_agreement_per_code(two_coders):
    with Project.open(two_coders, read_only=True) as project:
        found = project.workbench().comparison("marco", "anna", "bob")
    per_code = {row["code"]: row for row in found["per_code"]}
    assert per_code["Steungroep"]["percent"] == 1.0 and per_code["Steungroep"]["both"] == 1
    assert per_code["Woning"]["a_yes"] == 0 and per_code["Woning"]["b_yes"] == 1
    assert per_code["Woning"]["percent"] < 1.0
    assert {(d["code"], d["yes"]) for d in found["disagreements"]} == {("Woning", "bob"), (SCRIPT, "anna")}
    pieces = [p for t in found["turns"] for p in t["pieces"]]
    assert any(p["only_b"] == ["Woning"] and p["text"] == "Ik wil een eigen huis" for p in pieces)
    assert found["differing_pieces"] == 2
    page = client(two_coders).get("/compare?source=marco&a=anna&b=bob&lang=en")
    assert page.status_code == 200
    assert 'class="pc dis"' in page.text and "only bob: Woning" in page.text and "Cohen" in page.text
    assert (
        '<tr data-code="Steungroep"><td>Steungroep</td><td class="num">1</td><td class="num">1</td>'
        in page.text
    )


def test_the_form_and_the_errors(two_coders):
    c = client(two_coders)
    form = c.get("/compare?lang=en")
    assert (
        form.status_code == 200 and "<option>anna</option>" in form.text and 'id="compare"' not in form.text
    )
    missing = c.get("/compare?source=nobody&a=anna&b=bob")
    assert missing.status_code == 404 and "no source named &#39;nobody&#39; in the project" in missing.text
    same = c.get("/compare?source=marco&a=anna&b=anna")
    assert same.status_code == 400 and "two different coders" in same.text
    unknown = c.get("/compare?source=marco&a=anna&b=carl")
    assert unknown.status_code == 400 and "coder &#39;carl&#39; has no codings in the project" in unknown.text


def test_refused_in_blind_mode(two_coders):
    with Project.open(two_coders) as project:
        project.blind(True)
    page = client(two_coders).get("/compare?source=marco&a=anna&b=bob")
    assert page.status_code == 403 and "the project is in blind mode" in page.text
    assert 'id="compare"' not in page.text and "Woning" not in page.text.split('id="error"')[1]


def test_texts_are_escaped(two_coders):
    html = client(two_coders).get("/compare?source=marco&a=anna&b=bob").text
    assert SCRIPT not in html and IMG not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_browser_compare_two_coders(two_coders, browser):
    shots = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with running_workbench(two_coders) as (base, _app), signed_in(browser, base, "anna") as page:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{base}/compare?lang=en")
        page.select_option("select[name=source]", "marco")
        page.select_option("select[name=a]", "anna")
        page.select_option("select[name=b]", "bob")
        page.click(".cmp-form button")
        page.wait_for_selector("#compare")
        differing = page.locator(".side-b .pc.dis", has_text="Ik wil een eigen huis")
        assert differing.count() == 1 and "only bob: Woning" in differing.get_attribute("title")
        assert page.locator("tr.disagreement", has_text="Woning").count() == 1
        page.screenshot(path=str(shots / "compare.png"), full_page=True)
