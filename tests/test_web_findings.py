"""The workbench's findings page and exports: evidence tables, CMO configurations,
co-occurrence and the framework matrix with quotes linked to the transcript, the switch to
count unreviewed suggestions, real export files, and blind mode's refusal."""

from __future__ import annotations

import io
import zipfile

from markupsafe import escape

from qualcode import Project
from qualcode.web import create_app
from tests.conftest import add_suggestions
from tests.test_web_search import ELLEN, IMG, MARCO, SCREENSHOTS, SCRIPT, web_project  # noqa: F401  (fixture)
from tests.web_support import TOKEN, http_client, running_workbench, signed_in


def test_findings_show_the_four_analyses_with_linked_quotes(web_project):  # noqa: F811
    client = http_client(create_app(web_project, token=TOKEN))
    page = client.get("/findings?lang=en")
    assert page.status_code == 200
    for section in ('id="evidence"', 'id="cmo"', 'id="cooccurrence"', 'id="framework"'):
        assert section in page.text
    start = MARCO.index("De steungroep helpt")
    assert f'href="/document/marco?at={start}"' in page.text  # a quote, at its place
    assert 'Opvang</a></td><td><a href="/search?code=Steungroep">Steungroep' in page.text  # the CMO triple
    assert 'href="/search?code=Steungroep&amp;case=C01"' in page.text  # a framework cell
    assert "Only reviewed codings count" in page.text
    assert SCRIPT not in page.text and IMG not in page.text


def test_the_switch_counts_unreviewed_suggestions(web_project):  # noqa: F811
    start = ELLEN.index("Hij woont")
    with Project.open(web_project) as project:
        add_suggestions(project, [("ellen", start, start + 24, "Opvang", 0.9)])
    client = http_client(create_app(web_project, token=TOKEN))
    reviewed = client.get("/findings?lang=en").text
    everything = client.get("/findings?lang=en&unreviewed=1").text
    assert 'id="unreviewed" checked' in everything and 'id="unreviewed" checked' not in reviewed
    with Project.open(web_project, read_only=True) as project:
        assert str(escape(project.cooccurrence(include="all").included)) in everything
        assert str(escape(project.cooccurrence().included)) in reviewed
    assert "1 suggestions" in everything or "1 suggestion" in everything
    assert (
        "/search?code=Opvang&amp;case=C02" in everything
        and "/search?code=Opvang&amp;case=C02" not in reviewed
    )
    assert 'data-unreviewed="1"' in everything and 'data-unreviewed="0"' in reviewed


def test_exports_answer_real_files(web_project):  # noqa: F811
    client = http_client(create_app(web_project, token=TOKEN))
    xlsx = client.post("/api/export", json={"format": "xlsx"})
    assert xlsx.status_code == 200 and 'filename="web-findings.xlsx"' in xlsx.headers["content-disposition"]
    assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(xlsx.content)).namelist()
    qdpx = client.post("/api/export", json={"format": "qdpx"})
    assert "project.qde" in zipfile.ZipFile(io.BytesIO(qdpx.content)).namelist()
    html = client.post("/api/export", json={"format": "html", "unreviewed": True})
    assert html.status_code == 200 and "Steungroep" in html.text and "Woning" in html.text
    assert SCRIPT not in html.text
    with Project.open(web_project, read_only=True) as project:
        assert [r["config"]["format"] for r in project.runs("export")] == ["xlsx", "qdpx", "html"]
        assert project.runs("export")[-1]["config"]["include"] == "all"


def test_exports_refuse_bad_requests(web_project):  # noqa: F811
    client = http_client(create_app(web_project, token=TOKEN))
    assert client.post("/api/export", json={"format": "exe"}).status_code == 400
    assert client.post("/api/export", content=b"nope").status_code == 400
    assert client.get("/api/export").status_code == 405
    no_csrf = http_client(create_app(web_project, token=TOKEN))
    del no_csrf.headers["X-CSRF-Token"]
    assert no_csrf.post("/api/export", json={"format": "xlsx"}).status_code == 403


def test_blind_mode_refuses_findings_and_exports(web_project):  # noqa: F811
    with Project.open(web_project) as project:
        project.blind(True)
    client = http_client(create_app(web_project, token=TOKEN))
    page = client.get("/findings")
    assert page.status_code == 409 and 'id="refused"' in page.text and "blind mode" in page.text
    assert 'id="evidence"' not in page.text
    refused = client.post("/api/export", json={"format": "xlsx"})
    assert refused.status_code == 400 and "blind mode" in refused.json()["error"]
    assert client.post("/api/export", json={"format": "qdpx"}).status_code == 400


def test_the_browser_follows_a_quote_and_downloads_an_export(web_project, browser):  # noqa: F811
    with running_workbench(web_project) as (base, _app), signed_in(browser, base, "anna") as page:
        page.goto(f"{base}/findings?lang=en")
        page.check("#unreviewed")
        page.wait_for_url("**unreviewed=1**")
        assert page.is_checked("#unreviewed")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "findings.png"), full_page=True)
        with page.expect_download() as info:
            page.click("#export-xlsx")
        download = info.value
        assert download.suggested_filename == "web-findings.xlsx"
        assert "xl/workbook.xml" in zipfile.ZipFile(download.path()).namelist()
        link = page.locator("#evidence a.quote-link").first
        href = link.get_attribute("href")
        assert href.startswith("/document/") and "?at=" in href
        link.click()
        page.wait_for_url(f"**{href}")
        assert page.url.endswith(href)
