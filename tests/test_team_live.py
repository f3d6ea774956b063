"""Live and blind at once (issue 15, item 4): a change by one user reaches the others' open
pages within seconds (server-sent events, ``/api/events``), except in blind mode, where a
coder hears only of their own work until the owner reveals it (the Reveal button); and the
owner's disagreement review, which resolves two coders' differences into agreed codings
while both coders' own codings stay as they were."""

from __future__ import annotations

import time

import pytest

from qualcode import ConflictError, InputError, Project
from qualcode.coding.resolve import AGREED
from qualcode.workbench.live import event_for, marker_text, parse_marker
from tests import test_team_server as team_tests
from tests.conftest import read_only
from tests.test_team_server import PASSWORDS, client_as, study_of
from tests.test_web_document import span
from tests.web_support import (
    TOKEN,
    event_stream,
    http_login,
    running_team_server,
    running_workbench,
    team_page,
)

# The team server tests' fixtures: a server database where anna owns "study", bob codes in it
# and rita reads it (cheap password hashes), and its app.
template, clock, server, app, quick_hashes = (
    team_tests.template,
    team_tests.clock,
    team_tests.server,
    team_tests.app,
    team_tests.quick_hashes,
)

STEUN = "De steungroep helpt mij echt."
HUIS = "Ik wil een eigen huis"
ZUS = "met mijn zus."
VRAAG = "Hoe gaat het met je netwerk?"


def login(base, name):
    return http_login(base, name, PASSWORDS[name])


def code(client, phrase, code_name, study):
    start, end = span(study, phrase)
    answer = client.post(
        "/api/codings", json={"source": "marco", "start": start, "end": end, "code": code_name}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["coding"]


# -- what a viewer is told ----------------------------------------------------------------------

BEFORE = {"decision": 4, "coding": 3, "memo": 0, "memos": 0, "codebook": 1, "switch": 0}


def test_a_viewer_hears_of_others_changes_and_in_blind_mode_only_of_their_own():
    after = dict(BEFORE, decision=5, coding=4)
    assert event_for(BEFORE, BEFORE, [], False, "anna") is None
    assert event_for(BEFORE, after, ["bob"], False, "anna") == {
        "by": ["bob"], "others": True, "switched": False, "blind": False}  # fmt: skip
    assert event_for(BEFORE, after, ["anna"], False, "anna")["others"] is False
    assert event_for(BEFORE, after, ["bob"], True, "anna") is None  # blind: nothing of bob's work
    assert event_for(BEFORE, after, ["anna", "bob"], True, "anna") == {
        "by": ["anna"], "others": False, "switched": False, "blind": True}  # fmt: skip
    switched = dict(after, switch=1)
    assert event_for(BEFORE, switched, ["bob"], True, "rita") == {
        "by": [], "others": True, "switched": True, "blind": True}  # fmt: skip


def test_the_marker_travels_as_an_event_id_and_in_blind_mode_only_its_shared_parts():
    assert marker_text(BEFORE, False) == "d4.c3.m0.n0.v1.s0"
    assert parse_marker("d4.c3.m0.n0.v1.s0") == BEFORE
    assert marker_text(BEFORE, True) == "v1.s0"
    assert parse_marker("v1.s0") == {"codebook": 1, "switch": 0}
    for wrong in ("", "x1", "d1..c2", "d-1", "d1.c2;drop", "d" + "9" * 30, None):
        assert parse_marker(wrong) is None
    # a blind id says nothing of the personal parts: only a change of the shared ones counts
    assert event_for({"codebook": 1, "switch": 0}, dict(BEFORE, decision=9), ["anna"], True, "anna") is None


# -- the stream ---------------------------------------------------------------------------------


def test_another_users_coding_reaches_an_open_stream_within_two_seconds(server, clock):
    study = server.parent / "study.qc"
    with running_team_server(server, clock=clock) as (base, app):
        anna, bob = login(base, "anna"), login(base, "bob")
        with event_stream(anna) as heard, event_stream(bob) as own:
            assert heard.ready[1] == {"blind": False}
            began = time.monotonic()
            code(bob, STEUN, "Steungroep", study)
            kind, data, ident = heard.next("change", timeout=2.0)
            assert time.monotonic() - began < 2.0
            assert (kind, data) == (
                "change",
                {"by": ["bob"], "others": True, "switched": False, "blind": False},
            )
            assert parse_marker(ident)["decision"] > parse_marker(heard.ready[2])["decision"]
            # bob's own stream says it was his own change (his page shows it already)
            assert own.next("change", timeout=2.0)[1]["others"] is False
            # a memo counts as a change too
            assert bob.post("/api/memos", json={"on": "project", "text": "een memo"}).status_code == 200
            assert heard.next("change", timeout=2.0)[1]["by"] == ["bob"]
        deadline = time.monotonic() + 5  # the streams end with their pages: nobody listens
        while getattr(app.state, "live_watches", {}) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert app.state.live_watches == {}


def test_a_reconnecting_page_hears_what_changed_while_it_was_away(server, clock):
    study = server.parent / "study.qc"
    with running_team_server(server, clock=clock) as (base, _app):
        anna, bob = login(base, "anna"), login(base, "bob")
        with event_stream(anna) as first:
            last = first.ready[2]
        code(bob, STEUN, "Steungroep", study)
        with event_stream(anna, headers={"Last-Event-ID": last}, ready=False) as again:
            kind, data, _ = again.next("change", "ready", timeout=5)
            assert (kind, data["by"]) == ("change", ["bob"])
        with event_stream(anna, headers={"Last-Event-ID": "nonsense"}, ready=False) as fresh:
            assert fresh.next("change", "ready", timeout=5)[0] == "ready"  # a wrong id: a fresh start


def test_in_blind_mode_nobody_hears_of_another_coders_work_until_the_reveal(server, clock):
    study = server.parent / "study.qc"
    with Project.open(study) as project:
        project.blind(True)
    with running_team_server(server, clock=clock) as (base, _app):
        anna, bob, rita = login(base, "anna"), login(base, "bob"), login(base, "rita")
        with event_stream(anna) as owner, event_stream(rita) as reader, event_stream(bob) as coder:
            assert owner.ready[1] == {"blind": True} and owner.ready[2].startswith("v")  # shared parts only
            code(bob, STEUN, "Steungroep", study)
            kind, data, ident = coder.next("change", timeout=2.0)
            assert data == {"by": ["bob"], "others": False, "switched": False, "blind": True}
            assert parse_marker(ident).keys() == {"codebook", "switch"}
            code(anna, HUIS, "Woning", study)  # the owner codes blind too
            assert bob.post("/api/memos", json={"on": "project", "text": "blind memo"}).status_code == 200
            assert owner.next("change", timeout=2.5)[1]["by"] == ["anna"]  # her own, never bob's
            assert coder.next("change", timeout=2.5)[1]["by"] == ["bob"]  # his memo, never anna's coding
            assert reader.next("change", timeout=0.5) is None
            revealed = anna.post("/api/blind", json={"on": False})
            assert revealed.status_code == 200 and revealed.json()["blind"] is False
            for stream in (owner, reader, coder):
                kind, data, ident = stream.next("change", timeout=2.5)
                assert data["switched"] is True and data["others"] is True and data["blind"] is False
                assert "decision" in parse_marker(ident)  # not blind any more: the whole marker


def test_the_stream_needs_a_member_and_the_table_gives_it_to_readers(app):
    from qualcode.web.team_access import ACCESS, READER

    assert ACCESS[("GET", "/api/events")].need == READER
    from tests.web_support import team_client

    assert team_client(app).get("/api/events").status_code == 401


def test_the_local_workbench_streams_too(tmp_path, template):
    import httpx

    from qualcode.web import CODER_COOKIE
    from qualcode.web.security import TOKEN_COOKIE

    study = tmp_path / "study.qc"
    study.write_bytes(template.read_bytes())
    with running_workbench(study) as (base, app):

        def browser(coder):
            client = httpx.Client(base_url=base, timeout=10)
            client.cookies.set(TOKEN_COOKIE, TOKEN)
            client.cookies.set(CODER_COOKIE, coder)
            client.headers["X-CSRF-Token"] = app.state.csrf
            return client

        anna, bob = browser("anna"), browser("bob")
        with event_stream(anna) as heard:
            code(bob, STEUN, "Steungroep", study)
            assert heard.next("change", timeout=2.0)[1]["by"] == ["bob"]
        deadline = time.monotonic() + 5
        while app.state.live_watches and time.monotonic() < deadline:
            time.sleep(0.1)
        assert app.state.live_watches == {}  # the page went: the stream and its watch ended


# -- the blind switch in the navigation ---------------------------------------------------------


def test_only_the_owner_gets_the_blind_switch(app, server):
    owner = client_as(app, "anna").get("/document/marco?lang=en").text
    assert 'id="blind-toggle" data-on="true"' in owner and "Turn blind mode on" in owner
    assert 'id="resolve-link"' in owner
    with Project.open(study_of(server)) as project:
        project.blind(True)
    owner = client_as(app, "anna").get("/document/marco?lang=en").text
    assert 'id="blind-toggle" data-on="false"' in owner and ">Reveal<" in owner and 'id="blind"' in owner
    for name in ("bob", "rita"):
        client = client_as(app, name)
        shown = client.get("/document/marco?lang=en").text
        assert 'id="blind"' in shown and "blind-toggle" not in shown and "resolve-link" not in shown
        refused = client.post("/api/blind", json={"on": False})
        assert refused.status_code == 403 and "needs the role owner" in refused.json()["error"]
    with Project.open(study_of(server), read_only=True) as project:
        assert project.blind()["blind"] is True


# -- resolving differences into agreed codings ----------------------------------------------------


@pytest.fixture
def differing(server):
    """anna and bob code marco differently on four pieces."""
    study = server.parent / "study.qc"
    with Project.open(study) as project:
        anna, bob = project.reviewer("anna"), project.reviewer("bob")
        for reviewer, phrase, code_name in (
            (anna, STEUN, "Steungroep"), (anna, HUIS, "Woning"), (anna, ZUS, "Netwerk"),
            (bob, HUIS, "Netwerk"), (bob, ZUS, "Steungroep"), (bob, VRAAG, "Netwerk"),
        ):  # fmt: skip
            reviewer.add("marco", *span(study, phrase), code_name)
    return study


def originals(study):
    with Project.open(study, read_only=True) as project:
        return sorted(
            (c["coder"], c["start"], c["end"], c["code"]) for c in project.codings() if c["coder"] != AGREED
        )


def agreed(study):
    with Project.open(study, read_only=True) as project:
        return sorted((c["start"], c["end"], c["code"]) for c in project.codings(AGREED))


def resolve(client, study, phrase, choice, a="anna", b="bob"):
    start, end = span(study, phrase)
    return client.post("/api/resolve", json={"source": "marco", "a": a, "b": b, "start": start, "end": end,
                                             "choice": choice})  # fmt: skip


def test_the_owner_resolves_pieces_into_agreed_codings_and_both_originals_stay(app, differing):
    study = differing
    before = originals(study)
    assert len(before) == 6
    owner = client_as(app, "anna")
    page = owner.get("/resolve?source=marco&a=anna&b=bob&lang=en")
    assert page.status_code == 200
    assert (
        page.text.count('class="piece"') == 4 and 'data-code="Steungroep"' in page.text
    )  # agreement per code
    assert "0 of 4 resolved" in page.text
    for phrase, choice in ((STEUN, "a"), (HUIS, "b"), (ZUS, "both")):
        answer = resolve(owner, study, phrase, choice)
        assert answer.status_code == 200, answer.text
    assert answer.json()["agreed"] == ["Netwerk", "Steungroep"]
    s, h, z = span(study, STEUN), span(study, HUIS), span(study, ZUS)
    assert agreed(study) == sorted([(*s, "Steungroep"), (*h, "Netwerk"), (*z, "Netwerk"), (*z, "Steungroep")])
    assert originals(study) == before  # both coders' codings are as they were: 3 each
    with Project.open(study, read_only=True) as project:
        assert project.status()["codings_per_coder"] == {"agreed": 4, "anna": 3, "bob": 3}
        conn = read_only(project)
        log = conn.execute(
            "SELECT coder, action, note FROM decisions WHERE note LIKE 'resolution%'"
        ).fetchall()
        runs = project.runs("resolve")
    assert [(r[0], r[1]) for r in log] == [("anna", "add")] * 4  # each one the owner's decision
    assert [r["config"]["choice"] for r in runs] == ["a", "b", "both"]
    page = owner.get("/resolve?source=marco&a=anna&b=bob&lang=en").text
    assert "3 of 4 resolved" in page and page.count('aria-pressed="true"') == 3
    assert "4 agreed codings" in page


def test_resolving_again_replaces_the_agreed_codes_of_the_piece_only(app, differing):
    study, owner = differing, client_as(app, "anna")
    assert resolve(owner, study, ZUS, "both").status_code == 200
    assert resolve(owner, study, HUIS, "a").status_code == 200
    assert resolve(owner, study, ZUS, "a").status_code == 200  # bob's Steungroep is no longer agreed
    z, h = span(study, ZUS), span(study, HUIS)
    assert agreed(study) == sorted([(*h, "Woning"), (*z, "Netwerk")])
    assert resolve(owner, study, ZUS, "neither").status_code == 200
    assert agreed(study) == [(*h, "Woning")]
    # b and a the other way round: the same piece, the choice seen from the other side
    assert resolve(owner, study, HUIS, "a", a="bob", b="anna").status_code == 200
    assert agreed(study) == [(*h, "Netwerk")]
    page = owner.get("/resolve?source=marco&a=anna&b=bob&lang=en").text
    assert "2 of 4 resolved" in page  # neither counts as resolved


def test_resolving_is_refused_for_non_owners_in_blind_mode_and_for_a_stale_piece(app, differing, server):
    study = differing
    for name in ("bob", "rita"):
        client = client_as(app, name)
        assert client.get("/resolve?source=marco&a=anna&b=bob").status_code == 403
        refused = resolve(client, study, STEUN, "a")
        assert refused.status_code == 403 and "needs the role owner" in refused.json()["error"]
    owner = client_as(app, "anna")
    stale = owner.post("/api/resolve", json={"source": "marco", "a": "anna", "b": "bob", "start": 0, "end": 3,
                                             "choice": "a"})  # fmt: skip
    assert stale.status_code == 409 and "reload the page" in stale.json()["error"]
    wrong = resolve(owner, study, STEUN, "mine")
    assert wrong.status_code == 400 and "unknown choice" in wrong.json()["error"]
    assert resolve(owner, study, STEUN, "a", b=AGREED).status_code == 400
    with Project.open(study_of(server)) as project:
        project.blind(True)
    blind = resolve(owner, study, STEUN, "a")
    assert blind.status_code == 409 and "reveal first" in blind.json()["error"]
    page = owner.get("/resolve?source=marco&a=anna&b=bob&lang=en")
    assert page.status_code == 403 and "reveal first" in page.text
    assert agreed(study) == []


def test_the_resolution_in_the_library(differing):
    with Project.open(differing) as project:
        owner = project.reviewer("anna")
        with pytest.raises(InputError, match="resolved codings"):
            project.reviewer(AGREED)
        start, end = span(differing, STEUN)
        assert owner.resolve("marco", "anna", "bob", start, end, "neither")["added"] == []
        project.blind(True)
        with pytest.raises(ConflictError, match="reveal first"):
            owner.resolve("marco", "anna", "bob", start, end, "a")
        with pytest.raises(ConflictError, match="reveal first"):
            project.workbench().resolution("marco", "anna", "bob")


# -- two people in two browsers -----------------------------------------------------------------


def test_a_coding_in_one_browser_shows_in_the_others_open_document(server, clock, browser):
    from tests.test_web_document import select_text

    with (
        running_team_server(server, clock=clock) as (base, _app),
        team_page(browser, base, "anna", PASSWORDS["anna"]) as anna,
        team_page(browser, base, "bob", PASSWORDS["bob"]) as bob,
    ):
        for page in (anna, bob):
            page.set_viewport_size({"width": 1280, "height": 800})
            page.goto(f"{base}/document/marco?lang=en")
            page.wait_for_selector("html[data-live=open]")
        assert bob.query_selector(".mc") is None
        select_text(anna, "teungroep help")
        anna.wait_for_selector("#picker:not([hidden])")
        anna.fill("#picker-filter", "Steungroep")
        anna.keyboard.press("Enter")
        anna.wait_for_selector(".mc.mine")
        bob.wait_for_selector(".mc:not(.mine)", timeout=3000)  # no reload by hand
        assert "anna" in bob.text_content(".mc:not(.mine)")
        # bob in the middle of an edit: the page stays, a notice says what happened
        bob.wait_for_selector("html[data-live=open]")
        bob.click(".mc:not(.mine)")
        bob.wait_for_selector("#editor:not([hidden])")
        select_text(anna, "eigen hui")
        anna.wait_for_selector("#picker:not([hidden])")
        anna.fill("#picker-filter", "Woning")
        anna.keyboard.press("Enter")
        bob.wait_for_selector("#live-notice:not([hidden])", timeout=3000)
        assert bob.is_visible("#editor") and len(bob.query_selector_all(".margin .mc")) == 1

        # the owner's switch: confirmed, and every open page follows it
        assert bob.query_selector("#blind-toggle") is None
        anna.wait_for_selector("html[data-live=open]")
        anna.once("dialog", lambda dialog: dialog.accept())
        anna.click("#blind-toggle")
        anna.wait_for_selector("#blind")
        assert anna.get_attribute("#blind-toggle", "data-on") == "false"
        bob.keyboard.press("Escape")  # the edit closed: the next change shows at once
        bob.reload()
        bob.wait_for_selector("#blind")  # blind: bob sees only his own codings
        assert bob.query_selector(".mc") is None
        anna.once("dialog", lambda dialog: dialog.accept())
        anna.click("#blind-toggle")  # reveal
        bob.wait_for_selector(".mc", timeout=3000)  # bob's open page shows anna's work again
        assert bob.query_selector("#blind") is None


def test_findings_leave_the_agreed_codings_out_unless_asked_for(differing, tmp_path):
    """The agreed codings are the owner's resolution of anna's and bob's: pooling them with
    the coders' would count the same passages again, and agreement is between people."""
    import csv

    with Project.open(differing) as project:
        start, end = span(differing, HUIS)
        project.reviewer("anna").resolve("marco", "anna", "bob", start, end, "both")
        assert len(project.codings(AGREED)) == 2
        written = project.export("csv", tmp_path / "all")
        mine = project.export("csv", tmp_path / "agreed", coder=AGREED)
    rows = list(csv.DictReader((tmp_path / "all" / "codings.csv").open(encoding="utf-8")))
    assert {r["coder"] for r in rows} == {"anna", "bob"} and len(rows) == 6
    about = {
        r["key"]: r["value"] for r in csv.DictReader((tmp_path / "all" / "about.csv").open(encoding="utf-8"))
    }
    assert "The 2 agreed codings (an owner's resolutions) are left out here" in about["included"]
    agreed_rows = list(csv.DictReader((tmp_path / "agreed" / "codings.csv").open(encoding="utf-8")))
    assert [(r["coder"], r["origin"]) for r in agreed_rows] == [(AGREED, "agreed")] * 2
    assert written and mine
