"""Moving a project between engines: push a file to PostgreSQL, pull it back, and the
exports are the same bytes; a failed copy leaves nothing behind."""

from __future__ import annotations

import pytest

from qualcode import Project
from qualcode.errors import InputError, ProjectError
from tests.test_cli import run
from tests.test_mechanisms import study  # noqa: F401  (fixture: two interviews, two coders)

FORMATS = ("xlsx", "html", "md", "qdpx", "realist")


def _exports(project: Project, folder) -> dict[str, bytes]:
    folder.mkdir()
    found = {}
    for fmt in FORMATS:
        target = folder / f"findings.{'md' if fmt == 'realist' else fmt}"
        if fmt == "realist":
            target = folder / "realist.md"
        project.export(fmt, target)
        found[fmt] = target.read_bytes()
    for written in project.export("csv", folder / "csv"):
        found[f"csv/{written.name}"] = written.read_bytes()
    return found


def test_push_then_pull_gives_the_same_exports_byte_for_byte(study, tmp_path, pg_server):  # noqa: F811
    study.add_memo("project", None, "anna", "Eerste indruk: steungroep helpt.")
    study.add_cmoc(
        "Als er een steungroep is, dan vertrouwen, want erkenning",
        by="anna", context=["Steungroep"], reasoning=["Vertrouwen"], outcome=["Woning"],
    )  # fmt: skip
    before = _exports(study, tmp_path / "before")
    original = study.path
    study.close()
    url = pg_server.new_url("push")
    pushed = run("push", original, url)
    assert "copied to" in pushed.output and "password" not in pushed.output
    (tmp_path / "back").mkdir()
    copy = tmp_path / "back" / original.name  # the .qdpx is named after the project's file
    run("pull", url, copy)
    with Project.open(copy) as back:
        after = _exports(back, tmp_path / "after")
        assert back.memos()[0]["text"] == "Eerste indruk: steungroep helpt."
    assert sorted(after) == sorted(before)
    for name in before:
        assert after[name] == before[name], name
    with Project.open(url) as server:
        assert server.decision_count() > 0 and len(server.codings()) == 9
        # New rows on the server take ids after the copied ones.
        server.add_memo("project", None, "bob", "tweede")
        assert [m["text"] for m in server.memos()][-1] == "tweede"


def test_the_counts_of_a_copy_are_those_of_the_original(study, tmp_path, pg_server):  # noqa: F811
    url = pg_server.new_url("counts")
    counts = study.copy_to(url)
    assert counts["sources"] == 2 and counts["codes"] == 5
    with Project.open(url) as server:
        assert server.status()["counts"] == study.status()["counts"]
        assert server.codings() == study.codings()


def test_push_and_pull_go_one_way_each(study, tmp_path):  # noqa: F811
    from qualcode.transfer import check_direction

    with pytest.raises(InputError, match="qualcode push copies a project file to a server"):
        check_direction(tmp_path / "a.qc", tmp_path / "b.qc", push=True)
    with pytest.raises(InputError, match="qualcode pull copies a project on a server to a file"):
        check_direction(str(tmp_path / "a.qc"), tmp_path / "b.qc", push=False)
    with pytest.raises(InputError, match="is the project itself"):
        study.copy_to(study.path)


def test_a_copy_into_a_used_database_is_refused_and_changes_nothing(study, tmp_path, pg_server):  # noqa: F811
    url = pg_server.new_url("taken")
    study.copy_to(url)
    with pytest.raises(ProjectError, match="already holds tables"):
        study.copy_to(url)
    with Project.open(url) as server:
        assert server.status()["counts"] == study.status()["counts"]


def test_a_failed_copy_leaves_no_new_project(study, tmp_path, monkeypatch):  # noqa: F811
    from qualcode.store import copying

    def broken(source, target):
        target.execute("INSERT INTO cases (name) VALUES ('half')")
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(copying, "copy_rows", broken)
    target = tmp_path / "copy.qc"
    with pytest.raises(RuntimeError):
        study.copy_to(target)
    assert not target.exists()
