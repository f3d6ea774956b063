"""The workbench starts, keeps strangers out and shows the project's transcripts."""

from qualcode.web import create_app
from tests.test_coding_cli import coded  # noqa: F401  (fixture)
from tests.web_support import TOKEN, http_client, running_workbench, signed_in


def test_the_token_opens_the_workbench_and_nothing_opens_without_it(coded):  # noqa: F811
    project, _ = coded
    app = create_app(project, token=TOKEN)
    stranger = http_client(app, coder=None)
    stranger.cookies.clear()
    assert stranger.get("/").status_code == 403
    opened = stranger.get(f"/?token={TOKEN}", follow_redirects=False)
    assert opened.status_code == 303 and "token" not in opened.headers["location"]
    page = http_client(app).get("/")
    assert page.status_code == 200 and "int0" in page.text


def test_a_change_needs_the_csrf_value(coded):  # noqa: F811
    project, _ = coded
    app = create_app(project, token=TOKEN)
    client = http_client(app)
    del client.headers["X-CSRF-Token"]
    assert client.post("/coder", json={"coder": "bob"}).status_code == 403
    assert http_client(app).post("/coder", json={"coder": "bob"}).status_code == 200


def test_the_browser_lists_the_transcripts_and_keeps_the_coder(coded, browser):  # noqa: F811
    project, _ = coded
    with running_workbench(project) as (base, _app), signed_in(browser, base, "anna") as page:
        assert page.input_value("#coder") == "anna"
        assert page.locator("#sources a", has_text="int0").count() == 1
