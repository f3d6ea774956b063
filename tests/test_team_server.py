"""The team server (``qualcode serve``): accounts, sessions, roles per project, invitations.

Each refusal has its own test: a wrong password, an unknown name (the same answer), the rate
limit (kept across a restart), no session, an expired session, a missing or wrong CSRF
value, a project the user does not belong to, a reader coding, a coder changing the codebook
or blind mode, a coder naming another coder, an invitation used twice or expired, a removed
member. The server's own store runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import html
import shutil
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from qualcode import Project
from qualcode.cli import main
from qualcode.errors import ConflictError, InputError, ProjectError
from qualcode.team import ADMIN, InvitationRefused, LoginRefused, NotAllowed, TeamServer, accounts
from qualcode.web.team import create_team_app
from qualcode.web.team_access import ACCESS, CODER, OWNER, READER
from tests.test_web_document import BOOK, TURNS, span
from tests.web_support import csrf_in, log_in, running_team_server, team_client, team_page

PASSWORDS = {
    "anna": "anna-secret-1",
    "bob": "bob-secret-12",
    "rita": "rita-secret-1",
    "carl": "carl-secret-1",
}


PRODUCTION_HASHER = accounts.hasher


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """argon2id with small costs, so that the many logins here take milliseconds (the
    server's own parameters are checked in test_passwords_are_hashed_with_argon2id)."""
    from argon2 import PasswordHasher

    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "hasher", lambda: quick)


def test_passwords_are_hashed_with_argon2id_at_its_recommended_costs():
    assert PRODUCTION_HASHER().hash("anna-secret-1").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


class Clock:
    """A clock the tests move (the server reads it for every time it stores or compares)."""

    def __init__(self):
        self.now = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A segmented project with a transcript and a codebook, made once (copied per test)."""
    import csv

    from tests.conftest import write
    from tests.test_cli import run

    folder = tmp_path_factory.mktemp("template")
    with (folder / "marco.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([("speaker", "time", "text"), *TURNS])
    project = folder / "s.qc"
    run("init", project)
    run("import", project, folder / "marco.csv")
    run("segment", project)
    run("codebook", "load", project, write(folder / "book.yaml", BOOK))
    return project


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def server(tmp_path, template, clock):
    """A server database: anna owns "study", bob codes in it, rita reads it; carl owns "other"."""
    study, other = tmp_path / "study.qc", tmp_path / "other.qc"
    shutil.copy(template, study)
    shutil.copy(template, other)
    address = tmp_path / "server.db"
    with TeamServer.create(address, clock=clock) as team:
        for name, password in PASSWORDS.items():
            team.add_user(name, password)
        team.add_project("study", study, "anna")
        team.add_project("other", other, "carl")
        for name, role in (("bob", "coder"), ("rita", "reader")):
            accepted = team.accept(
                team.invite("study", role, by="anna")["token"], session=_session(team, name)
            )
            assert accepted["role"] == role
    return address


def _session(team, name):
    return team.login(name, PASSWORDS[name], "127.0.0.1")[1]


@pytest.fixture
def app(server, clock):
    return create_team_app(server, clock=clock)


def client_as(app, name):
    return team_client(app, name, PASSWORDS[name])


def study_of(server) -> str:
    return str(server.parent / "study.qc")


def code_marco(client, phrase="De steungroep helpt mij echt.", code="Steungroep", server=None, **extra):
    start, end = span(server.parent / "study.qc", phrase)
    return client.post(
        "/api/codings", json={"source": "marco", "start": start, "end": end, "code": code, **extra}
    )


# -- logging in ---------------------------------------------------------------------------------


def test_a_login_opens_the_only_project_with_a_safe_session_cookie(app):
    client = team_client(app)
    answer = log_in(client, "anna", PASSWORDS["anna"])
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("qualcode_session="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    page = client.get("/")
    assert page.status_code == 200 and 'id="team-user">anna' in page.text
    assert 'id="coder-form" hidden' in page.text  # no coder name to choose
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"


def test_a_wrong_password_is_refused(app):
    answer = log_in(team_client(app), "anna", "not-the-password")
    assert answer.status_code == 401
    assert "wrong name or password" in answer.text and "qualcode_session" not in answer.headers.get(
        "set-cookie", ""
    )


def shown(html: str) -> str:
    """A page without its CSRF values and the name typed in (what differs between two tries)."""
    import re

    return re.sub(r'(name="csrf" (?:content|value))="[^"]+"', r"\1", html).replace("nobody", "anna")


def test_an_unknown_name_gets_the_same_answer_by_the_same_path(app, monkeypatch):
    checked = []
    original = accounts.verified
    monkeypatch.setattr(accounts, "verified", lambda h, p: checked.append(h) or original(h, p))
    wrong = log_in(team_client(app), "anna", "not-the-password")
    unknown = log_in(team_client(app), "nobody", "not-the-password")
    assert (unknown.status_code, shown(unknown.text)) == (wrong.status_code, shown(wrong.text))
    assert len(checked) == 2 and checked[1] == accounts.dummy_hash()  # a hash is verified all the same


def test_five_failures_for_a_name_lock_it_for_fifteen_minutes_even_after_a_restart(server, clock):
    app = create_team_app(server, clock=clock)
    for _ in range(5):
        assert log_in(team_client(app), "bob", "wrong-password").status_code == 401
    refused = log_in(team_client(app), "bob", PASSWORDS["bob"])  # even the right password
    assert refused.status_code == 429
    assert "too many failed logins" in refused.text and "try again after 09:15 UTC" in refused.text
    again = create_team_app(server, clock=clock)  # a restart reads the failures from the database
    assert log_in(team_client(again), "bob", PASSWORDS["bob"]).status_code == 429
    assert log_in(team_client(again), "anna", PASSWORDS["anna"]).status_code == 429  # the same address
    clock.advance(minutes=15, seconds=1)
    assert log_in(team_client(again), "bob", PASSWORDS["bob"]).status_code == 303


def test_five_failures_from_one_address_lock_every_name_from_it(server, clock):
    app = create_team_app(server, behind_proxy=True, clock=clock)
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    for name in ("x1", "x2", "x3", "x4", "x5"):
        assert log_in(team_client(app), name, "guess-guess", **attacker).status_code == 401
    assert log_in(team_client(app), "anna", PASSWORDS["anna"], **attacker).status_code == 429
    other = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}  # the proxy's own entry is the last
    assert log_in(team_client(app), "anna", PASSWORDS["anna"], **other).status_code == 303


def test_the_next_page_after_a_login_is_on_this_server_only(app):
    client = team_client(app)
    form = client.get("/login?next=//evil.example/x")
    assert 'name="next" value="/projects"' in form.text
    data = {
        "name": "anna",
        "password": PASSWORDS["anna"],
        "csrf": csrf_in(form.text),
        "next": "https://evil.example",
    }
    assert client.post("/login", data=data, follow_redirects=False).headers["location"] == "/"


def test_a_short_password_is_refused_with_what_to_do(server):
    with TeamServer.open(server) as team, pytest.raises(InputError, match="at least 10 characters"):
        team.add_user("dora", "short")


# -- sessions and CSRF --------------------------------------------------------------------------


def test_without_a_session_pages_go_to_the_login_and_the_api_answers_401(app):
    client = team_client(app)
    page = client.get("/document/marco", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/document/marco"
    assert client.get("/api/review/item").status_code == 401
    assert client.post("/api/codings", json={}).status_code == 401
    form = client.get(page.headers["location"])  # the login, then back to the page asked for
    data = {
        "name": "bob",
        "password": PASSWORDS["bob"],
        "csrf": csrf_in(form.text),
        "next": "/document/marco",
    }
    back = client.post("/login", data=data, follow_redirects=False)
    assert back.headers["location"] == "/document/marco" and client.get("/document/marco").status_code == 200


def test_an_expired_session_is_refused_and_use_keeps_it_alive(app, clock):
    client = client_as(app, "bob")
    for _ in range(3):  # used every 11 hours: still alive after 33
        clock.advance(hours=11)
        assert client.get("/", follow_redirects=False).status_code == 200
    clock.advance(hours=12, minutes=1)
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert client.get("/api/review/item").status_code == 401


def test_logging_out_ends_the_session_on_the_server(app):
    client = client_as(app, "bob")
    token = client.cookies.get("qualcode_session")
    client.post("/logout", data={"csrf": client.headers["X-CSRF-Token"]}, follow_redirects=False)
    stale = team_client(app)
    stale.cookies.set("qualcode_session", token)
    assert stale.get("/", follow_redirects=False).headers["location"].startswith("/login")


@pytest.mark.parametrize("csrf", [None, "wrong", "other-session"])
def test_a_post_without_the_session_csrf_value_is_refused(app, server, csrf):
    client = client_as(app, "bob")
    if csrf is None:
        del client.headers["X-CSRF-Token"]
    else:
        client.headers["X-CSRF-Token"] = (
            client_as(app, "anna").headers["X-CSRF-Token"] if csrf == "other-session" else csrf
        )
    answer = code_marco(client, server=server)
    assert answer.status_code == 403 and "CSRF" in answer.json()["error"]
    form = client.post(
        "/projects", data={"name": "study"}, follow_redirects=False
    )  # a form without its field
    assert form.status_code == 403
    with Project.open(study_of(server), read_only=True) as project:
        assert project.codings() == []


def test_a_login_form_needs_its_pre_login_value(app):
    client = team_client(app)
    client.get("/login")
    answer = client.post(
        "/login", data={"name": "anna", "password": PASSWORDS["anna"]}, follow_redirects=False
    )
    assert answer.status_code == 403 and "qualcode_session" not in answer.headers.get("set-cookie", "")


def test_the_session_cookie_is_secure_behind_a_tls_proxy_only(server, clock):
    proxied = {"X-Forwarded-Proto": "https"}
    trusted = log_in(team_client(create_team_app(server, behind_proxy=True, clock=clock)), "anna",
                     PASSWORDS["anna"], **proxied)  # fmt: skip
    assert "Secure" in trusted.headers["set-cookie"]
    direct = log_in(team_client(create_team_app(server, clock=clock)), "anna", PASSWORDS["anna"], **proxied)
    assert "Secure" not in direct.headers["set-cookie"]  # a client's header proves nothing


def test_the_server_keeps_only_hashes_of_tokens_and_passwords(app, server):
    client = client_as(app, "anna")
    token = client.cookies.get("qualcode_session")
    link = client.post("/members/invite", data={"role": "coder", "csrf": client.headers["X-CSRF-Token"]})
    invitation = link.text.split("/invite/")[1].split('"')[0]
    with sqlite3.connect(server) as conn:
        dump = "\n".join(conn.iterdump())
    assert token not in dump and invitation not in dump and PASSWORDS["anna"] not in dump
    assert "$argon2id$" in dump


# -- projects and roles -------------------------------------------------------------------------


def test_a_user_sees_and_opens_only_their_own_projects(app):
    client = client_as(app, "bob")
    listed = client.get("/projects").text
    assert 'data-project="study"' in listed and "other" not in listed
    refused = client.post("/projects", data={"name": "other", "csrf": client.headers["X-CSRF-Token"]})
    assert refused.status_code == 403 and "not a member of a project named 'other'" in html.unescape(
        refused.text
    )
    missing = client.post("/projects", data={"name": "nothing", "csrf": client.headers["X-CSRF-Token"]})
    assert missing.text.replace("nothing", "other") == refused.text  # whether it exists is not told
    assert client.get("/", follow_redirects=False).status_code == 200  # still in study


def test_a_user_without_a_chosen_project_is_sent_to_choose_one(server, clock):
    with TeamServer.open(server, clock=clock) as team:
        team.add_project("third", server.parent / "other.qc", "bob")  # bob now has two projects
    client = client_as(create_team_app(server, clock=clock), "bob")
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/projects"
    assert client.get("/api/review/item").status_code == 403


def test_a_reader_reads_but_cannot_code(app, server):
    client = client_as(app, "rita")
    for path in ("/", "/document/marco", "/codebook", "/search", "/memos", "/compare", "/findings", "/cmocs"):
        assert client.get(path).status_code == 200, path
    assert "You read this project as a reader" in client.get("/document/marco?lang=en").text
    answer = code_marco(client, server=server)
    assert answer.status_code == 403 and "your role in study is reader" in answer.json()["error"]
    assert client.get("/review").status_code == 403
    assert client.post("/api/memos", json={"on": "project", "text": "x"}).status_code == 403
    with Project.open(study_of(server), read_only=True) as project:
        assert project.codings() == [] and project.memos() == []


def test_a_coder_cannot_change_the_codebook_or_blind_mode(app, server):
    client = client_as(app, "bob")
    change = client.post("/api/codebook/edit", json={"action": "create", "name": "Nieuw"})
    assert change.status_code == 403 and "needs the role owner" in change.json()["error"]
    assert client.post("/api/blind", json={"on": True}).status_code == 403
    assert client.get("/members").status_code == 403
    with Project.open(study_of(server), read_only=True) as project:
        assert project.blind()["blind"] is False and "Nieuw" not in [c.name for c in project.codebook().codes]
    owner = client_as(app, "anna")
    assert owner.post("/api/blind", json={"on": True}).json()["blind"] is True
    assert owner.post("/api/codebook/edit", json={"action": "create", "name": "Nieuw"}).status_code == 200


def test_a_coder_naming_another_coder_still_decides_as_themselves(app, server):
    client = client_as(app, "bob")
    client.cookies.set("qualcode_coder", "anna")  # the local workbench's coder cookie: ignored
    chosen = client.post("/coder", json={"coder": "anna"})
    assert chosen.status_code == 403 and "the coder is the logged-in user" in chosen.text
    assert code_marco(client, server=server, coder="anna").status_code == 200
    memo = client.post("/api/memos", json={"on": "project", "text": "mijn memo", "author": "anna"})
    assert memo.status_code == 200
    cmoc = client.post(
        "/api/cmocs", json={"statement": "als steun dan rust", "context": ["Steungroep"], "by": "anna"}
    )
    assert cmoc.status_code == 200, cmoc.text
    with Project.open(study_of(server), read_only=True) as project:
        assert [(c["coder"], c["code"]) for c in project.codings()] == [("bob", "Steungroep")]
        assert project.status()["codings_per_coder"] == {"bob": 1}
        assert [m["author"] for m in project.memos()] == ["bob"]
        assert [h.by for h in project.cmoc_history()] == ["bob"]


def test_blind_mode_hides_other_coders_passages_even_when_named(app, server):
    with Project.open(study_of(server)) as project:
        project.reviewer("anna").add(
            "marco", *span(server.parent / "study.qc", "Ik wil een eigen huis"), "Woning"
        )
        project.blind(True)
    client = client_as(app, "bob")
    page = client.get("/search?code=Woning&coder=anna")
    assert page.status_code == 200 and "Ik wil een eigen huis" not in page.text
    assert client_as(app, "rita").get("/search?code=Woning&coder=anna").status_code == 400  # refused


# -- members and invitations --------------------------------------------------------------------


def accept_link(app, link_text: str, name: str, password: str, client=None):
    client = client or team_client(app)
    path = "/invite/" + link_text.split("/invite/")[1].split('"')[0]
    form = client.get(path)
    data = {"name": name, "password": password, "password_again": password, "csrf": csrf_in(form.text)}
    return client.post(path, data=data, follow_redirects=False), path


def test_an_invitation_makes_an_account_in_the_role_once(app, server):
    owner = client_as(app, "anna")
    made = owner.post("/members/invite", data={"role": "reader", "csrf": owner.headers["X-CSRF-Token"]})
    assert made.status_code == 200 and 'id="invite-link"' in made.text
    first, path = accept_link(app, made.text, "dora", "dora-secret-1")
    assert first.status_code == 303 and first.headers["location"] == "/"
    with TeamServer.open(server) as team:
        assert team.role("study", "dora") == "reader"
    second, _ = accept_link(app, made.text, "eve", "eve-secret-12")
    assert second.status_code == 410 and "used already" in second.text
    assert team_client(app).get(path).status_code == 410
    with TeamServer.open(server) as team:
        assert team.role("study", "eve") is None and "eve" not in team.users()


def test_an_expired_invitation_is_refused(server, clock):
    with TeamServer.open(server, clock=clock) as team:
        token = team.invite("study", "coder", by="anna", days=1)["token"]
    clock.advance(days=1, seconds=1)
    client = team_client(create_team_app(server, clock=clock))
    page = client.get(f"/invite/{token}")
    assert page.status_code == 410 and "expired on 2025-03-02" in page.text
    with TeamServer.open(server, clock=clock) as team, pytest.raises(InvitationRefused, match="expired"):
        team.accept(token, name="dora", password="dora-secret-1")


def test_a_logged_in_user_accepts_an_invitation_to_another_project(app, server):
    with TeamServer.open(server) as team:
        token = team.invite("other", "coder", by="carl")["token"]
    bob = client_as(app, "bob")
    page = bob.get(f"/invite/{token}")
    assert "Accept as bob" in page.text or "Accepteren als bob" in page.text
    accepted = bob.post(f"/invite/{token}", data={"csrf": csrf_in(page.text)}, follow_redirects=False)
    assert accepted.status_code == 303
    assert 'data-project="other"' in bob.get("/projects").text


def test_a_removed_member_loses_access_on_the_next_request(app, server):
    bob = client_as(app, "bob")
    assert bob.get("/review").status_code == 200
    owner = client_as(app, "anna")
    removed = owner.post("/members/remove", data={"name": "bob", "csrf": owner.headers["X-CSRF-Token"]},
                         follow_redirects=False)  # fmt: skip
    assert removed.status_code == 303
    assert code_marco(bob, server=server).status_code == 403
    assert bob.get("/", follow_redirects=False).headers["location"] == "/projects"
    assert "study" not in bob.get("/projects").text


def test_a_role_change_takes_effect_on_the_next_request(app, server):
    bob = client_as(app, "bob")
    owner = client_as(app, "anna")
    owner.post("/members/role", data={"name": "bob", "role": "reader", "csrf": owner.headers["X-CSRF-Token"]})
    assert code_marco(bob, server=server).status_code == 403
    assert bob.get("/document/marco").status_code == 200


def test_owner_operations_are_checked_in_the_library(server):
    with TeamServer.open(server) as team:
        for call in (
            lambda: team.invite("study", "coder", by="bob"),
            lambda: team.set_role("study", "bob", "owner", by="bob"),
            lambda: team.remove_member("study", "anna", by="bob"),
            lambda: team.members("study", by="rita"),
        ):
            with pytest.raises(NotAllowed, match="only an owner of study"):
                call()
        with pytest.raises(NotAllowed, match="not a member"):
            team.invite("study", "coder", by="carl")
        with pytest.raises(ConflictError, match="only owner of study"):
            team.remove_member("study", "anna", by="anna")
        with pytest.raises(ConflictError, match="only owner of study"):
            team.set_role("study", "anna", "coder", by="anna")
        with pytest.raises(InputError, match="unknown role"):
            team.invite("study", "admin", by="anna")
        team.set_role("study", "bob", "owner", by=ADMIN)
        team.set_role("study", "anna", "coder", by="bob")  # now there is another owner
        assert team.role("study", "anna") == "coder"


# -- the route table ----------------------------------------------------------------------------


def test_every_route_of_the_team_server_is_in_the_table_and_nothing_else(app):
    from starlette.routing import Route

    routes = {
        (method, route.path)
        for route in app.routes
        if isinstance(route, Route)
        for method in route.methods - {"HEAD"}
    }
    assert routes == set(ACCESS)


@pytest.mark.parametrize(
    ("method", "path", "need"),
    [
        ("GET", "/findings", READER), ("GET", "/document/marco", READER), ("GET", "/compare", READER),
        ("GET", "/review", CODER), ("GET", "/api/review/item", CODER), ("POST", "/api/codings", CODER),
        ("POST", "/api/export", CODER), ("POST", "/api/memos", CODER), ("POST", "/api/cmocs", CODER),
        ("POST", "/api/codebook/edit", OWNER), ("POST", "/api/blind", OWNER), ("GET", "/members", OWNER),
    ],
)  # fmt: skip
def test_each_role_reaches_what_the_table_gives_it(app, method, path, need):
    rank = {"rita": 1, "bob": 2, "anna": 3}
    needed = {READER: 1, CODER: 2, OWNER: 3}[need]
    for name in ("rita", "bob", "anna"):
        client = client_as(app, name)
        answer = client.get(path) if method == "GET" else client.post(path, json={})
        refused = answer.status_code == 403 and "your role in study" in answer.text
        assert refused is (rank[name] < needed), (name, path, answer.status_code, answer.text[:200])


# -- the server's store on both engines ---------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def server_address(request, tmp_path):
    if request.param == "sqlite":
        return tmp_path / "server.db"
    return request.getfixturevalue("pg_server").new_url("server")


def test_the_server_store_keeps_accounts_sessions_and_invitations(server_address, tmp_path, clock):
    project = tmp_path / "p.qc"
    Project.create(project).close()
    with TeamServer.create(server_address, clock=clock) as team:
        team.add_user("Anna", "anna-secret-1")
        with pytest.raises(ConflictError, match="exists already"):
            team.add_user("anna", "other-secret-1")  # one account whatever the case
        team.add_project("study", project, "anna")
        token, session = team.login("ANNA", "anna-secret-1", "10.0.0.1")
        assert (session.user, session.role) == ("Anna", None)
        assert team.choose_project(session, "study") == "owner"
        assert team.session(token).address == str(project)
        invitation = team.invite("study", "reader", by="Anna")
        assert team.accept(invitation["token"], name="rita", password="rita-secret-1")["role"] == "reader"
        with pytest.raises(InvitationRefused, match="used already"):
            team.accept(invitation["token"], name="eve", password="eve-secret-12")
        assert [(m["name"], m["role"]) for m in team.members("study", by="anna")] == [
            ("Anna", "owner"),
            ("rita", "reader"),
        ]
        for _ in range(5):
            with pytest.raises(LoginRefused, match="wrong name or password"):
                team.login("rita", "wrong-password", "10.0.0.2")
        team.logout(token)
        assert team.session(token) is None
    with TeamServer.open(server_address, clock=clock) as team:  # the lock outlives the connection
        with pytest.raises(LoginRefused, match="try again after") as refused:
            team.login("rita", "rita-secret-1", "10.0.0.3")
        assert refused.value.retry_at == "2025-03-01T09:15:00+00:00"
        clock.advance(minutes=16)
        assert team.login("rita", "rita-secret-1", "10.0.0.3")[1].user == "rita"


def test_a_project_is_never_opened_as_a_server_database_nor_the_reverse(server_address, tmp_path):
    TeamServer.create(server_address).close()
    with pytest.raises(ProjectError, match="not a qualcode project"):
        Project.open(server_address)
    project = tmp_path / "p.qc"
    Project.create(project).close()
    with pytest.raises(ProjectError, match="not a qualcode team server database"):
        TeamServer.open(project)


def test_the_team_server_runs_on_postgresql_with_a_project_there_too(pg_server, tmp_path, template, clock):
    project_url, server_url = pg_server.new_url("study"), pg_server.new_url("server")
    with Project.open(template, read_only=True) as project:
        project.copy_to(project_url)
    with TeamServer.create(server_url, clock=clock) as team:
        team.add_user("anna", PASSWORDS["anna"])
        team.add_user("bob", PASSWORDS["bob"])
        team.add_project("study", project_url, "anna")
        team.accept(team.invite("study", "coder", by="anna")["token"], session=_session(team, "bob"))
    app = create_team_app(server_url, clock=clock)
    bob, rita = client_as(app, "bob"), team_client(app)
    start, end = span(template, "De steungroep helpt mij echt.")
    coded = bob.post(
        "/api/codings", json={"source": "marco", "start": start, "end": end, "code": "Steungroep"}
    )
    assert coded.status_code == 200, coded.text
    assert bob.post("/api/blind", json={"on": True}).status_code == 403
    assert rita.get("/document/marco", follow_redirects=False).status_code == 303
    with Project.open(project_url, read_only=True) as project:
        assert [(c["coder"], c["code"]) for c in project.codings()] == [("bob", "Steungroep")]


def test_a_missing_server_database_says_how_to_make_one(tmp_path):
    with pytest.raises(ProjectError, match="create it with: qualcode team add-user --database"):
        TeamServer.open(tmp_path / "none.db")


# -- the commands -------------------------------------------------------------------------------


def cli(*args, ok=True):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert (result.exit_code == 0) is ok, result.output
    return result


def test_the_team_commands_make_accounts_projects_and_invitations(tmp_path, template, monkeypatch):
    database, project = tmp_path / "server.db", tmp_path / "study.qc"
    shutil.copy(template, project)
    secret = tmp_path / "pw"
    secret.write_text("anna-secret-1\n")
    assert (
        cli("team", "add-user", "--database", database, "anna", "--password-file", secret).output
        == "added user anna\n"
    )
    secret.write_text("short\n")
    assert "at least 10 characters" in cli("team", "add-user", "--database", database, "bob",
                                           "--password-file", secret, ok=False).output  # fmt: skip
    added = cli("team", "add-project", "--database", database, "study", project, "--owner", "anna")
    assert added.output.startswith("added project study")
    invited = cli("team", "invite", "--database", database, "study", "--role", "reader")
    path = invited.stdout.strip()
    assert path.startswith("/invite/") and len(path) > 40
    with TeamServer.open(database) as team:
        assert team.invitation(path.split("/")[-1])["role"] == "reader"
    assert cli("team", "members", "--database", database, "study").output == "anna\towner\n"
    refused = cli("team", "members", "--database", project, "study", ok=False)
    assert "not a qualcode team server database" in refused.output

    served = []
    monkeypatch.setattr("qualcode.web.team.serve_team", lambda *args, **kw: served.append(args))
    warned = cli("serve", "--database", database, "--host", "0.0.0.0")
    assert "TLS must come from a reverse proxy" in warned.output and served[0][1:] == ("0.0.0.0", 8765, False)
    assert "warning" not in cli("serve", "--database", database).output


# -- two people in two browsers -----------------------------------------------------------------


def test_two_users_in_two_browsers_code_under_their_own_names(server, clock, browser):
    from tests.test_web_document import select_text

    with (
        running_team_server(server, clock=clock) as (base, _app),
        team_page(browser, base, "anna", PASSWORDS["anna"]) as anna,
        team_page(browser, base, "bob", PASSWORDS["bob"]) as bob,
    ):
        for page, phrase, code in ((anna, "teungroep help", "Steungroep"), (bob, "eigen hui", "Woning")):
            page.set_viewport_size({"width": 1280, "height": 800})
            page.goto(f"{base}/document/marco?lang=en")
            assert page.text_content("#team-user").startswith("anna" if page is anna else "bob")
            select_text(page, phrase)
            page.wait_for_selector("#picker:not([hidden])")
            page.fill("#picker-filter", code)
            page.keyboard.press("Enter")
            page.wait_for_selector(".mc.mine")
        bob.goto(f"{base}/document/marco?lang=en")
        assert "anna" in bob.text_content(".mc:not(.mine)")  # anna's coding, read only for bob
    with Project.open(study_of(server), read_only=True) as project:
        assert sorted((c["coder"], c["code"]) for c in project.codings()) == [
            ("anna", "Steungroep"),
            ("bob", "Woning"),
        ]
