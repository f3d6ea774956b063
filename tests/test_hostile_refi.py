"""Hostile project files: a .qdpx, .docx or .odt from someone else must not read this computer's
files, fill its memory, expand entities, or leave a project that cannot be exported and read back.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from qualcode import InputError, Project
from qualcode.refi.counter import COUNTER_CODE_GUID
from tests.conftest import make_docx, make_odt, write

SECRET = "SECRET-7f3a9c the password is hunter2"
HARMLESS = "R: Gewoon een antwoord.\n"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _qde(sources: str = "", notes: str = "", base_path: str | None = None, doctype: str = "") -> str:
    base = f" basePath={quoteattr(base_path)}" if base_path is not None else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}'
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="hostile" origin="elsewhere"{base}>'
        "<Sources>"
        '<TextSource guid="00000000-0000-0000-0000-000000000001" name="harmless">'
        f"<PlainTextContent>{escape(HARMLESS)}</PlainTextContent></TextSource>"
        f"{sources}</Sources>" + (f"<Notes>{notes}</Notes>" if notes else "") + "</Project>"
    )


def _source(target: str, name: str = "hostile") -> str:
    return (
        f'<TextSource guid="00000000-0000-0000-0000-000000000002" name="{name}" '
        f"plainTextPath={quoteattr(target)}/>"
    )


def _qdpx(path: Path, qde: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
    return path


@pytest.fixture
def secret(tmp_path) -> Path:
    """A private file outside the folder the received archive is in."""
    return _write(tmp_path / "private" / "secret.txt", f"R: {SECRET}\n")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write(path, text)


@pytest.fixture
def received(tmp_path) -> Path:
    """The path of the .qdpx someone sent: in a folder of its own."""
    return tmp_path / "received" / "project.qdpx"


def _assert_secret_nowhere(project: Project, tmp_path: Path, secret_text: str = SECRET) -> None:
    for source in project.status()["sources"]:
        assert secret_text not in project.source_text(source["name"])
    for memo in project.memos():
        assert secret_text not in memo["text"]
    out = tmp_path / "re-export.qdpx"
    project.export("qdpx", out)
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            assert secret_text.encode() not in archive.read(name)


def _import(tmp_path: Path, qdpx: Path, allow: bool):
    project = Project.create(tmp_path / "study.qc")
    return project, project.import_qdpx(qdpx, allow_external_sources=allow)


def _refused(result, target: str, what: str = "source 'hostile'") -> None:
    assert any(what in w and repr(target) in w and "skipped it" in w for w in result.warnings), (
        result.warnings
    )
    assert "hostile" not in result.sources


# --- sources and notes that point outside the archive ------------------------------------------


@pytest.mark.parametrize("allow", [False, True])
def test_an_absolute_path_is_not_read(tmp_path, secret, received, allow):
    _qdpx(received, _qde(_source(str(secret))))
    project, result = _import(tmp_path, received, allow)
    with project:
        _refused(result, str(secret))
        assert result.sources == ["harmless"]
        _assert_secret_nowhere(project, tmp_path)


@pytest.mark.parametrize("allow", [False, True])
def test_etc_passwd_is_not_read(tmp_path, received, allow):
    _qdpx(received, _qde(_source("/etc/passwd")))
    project, result = _import(tmp_path, received, allow)
    with project:
        _refused(result, "/etc/passwd")
        if Path("/etc/passwd").is_file():
            first = Path("/etc/passwd").read_text(errors="replace").splitlines()[0]
            _assert_secret_nowhere(project, tmp_path, first)


@pytest.mark.parametrize("allow", [False, True])
def test_a_file_url_is_not_read(tmp_path, secret, received, allow):
    url = secret.as_uri()
    _qdpx(received, _qde(_source(url)))
    project, result = _import(tmp_path, received, allow)
    with project:
        _refused(result, url)
        _assert_secret_nowhere(project, tmp_path)


@pytest.mark.parametrize("allow", [False, True])
@pytest.mark.parametrize("form", ["../private/secret.txt", "deep", "internal://../../private/secret.txt"])
def test_a_relative_path_out_of_the_folder_is_not_read(tmp_path, secret, received, allow, form):
    target = "../" * 40 + str(secret).lstrip("/") if form == "deep" else form
    _qdpx(received, _qde(_source(target)))
    project, result = _import(tmp_path, received, allow)
    with project:
        _refused(result, target)
        _assert_secret_nowhere(project, tmp_path)


@pytest.mark.parametrize("allow", [False, True])
@pytest.mark.parametrize("as_url", [False, True])
def test_a_base_path_elsewhere_is_not_followed(tmp_path, secret, received, allow, as_url):
    base = secret.parent.as_uri() if as_url else str(secret.parent)
    _qdpx(received, _qde(_source("secret.txt"), base_path=base))
    project, result = _import(tmp_path, received, allow)
    with project:
        _refused(result, "secret.txt")
        assert any(base in w for w in result.warnings)
        _assert_secret_nowhere(project, tmp_path)


@pytest.mark.parametrize("allow", [False, True])
def test_a_note_path_is_not_read(tmp_path, secret, received, allow):
    note = f'<Note guid="00000000-0000-0000-0000-000000000009" name="leak" plainTextPath={quoteattr(str(secret))}/>'
    _qdpx(received, _qde(notes=note))
    project, result = _import(tmp_path, received, allow)
    with project:
        _refused(result, str(secret), "note 'leak'")
        assert result.memos == 0 and project.memos() == []
        _assert_secret_nowhere(project, tmp_path)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
@pytest.mark.parametrize("link", ["file", "folder"])
def test_a_symlink_in_the_folder_pointing_out_is_not_followed(tmp_path, secret, received, link):
    received.parent.mkdir(parents=True)
    try:
        if link == "file":
            (received.parent / "inside.txt").symlink_to(secret)
            target = "inside.txt"
        else:
            (received.parent / "texts").symlink_to(secret.parent, target_is_directory=True)
            target = "texts/secret.txt"
    except OSError:
        pytest.skip("cannot make symbolic links here")
    _qdpx(received, _qde(_source(target)))
    project, result = _import(tmp_path, received, True)
    with project:
        _refused(result, target)
        assert any("outside the archive's folder" in w for w in result.warnings)
        _assert_secret_nowhere(project, tmp_path)


@pytest.mark.parametrize("form", ["relative", "absolute", "url", "base"])
def test_a_file_in_the_folder_is_read_only_when_allowed(tmp_path, received, form):
    inside = _write(received.parent / "texts" / "inside.txt", "R: Dit staat naast het archief.\n")
    target, base = {
        "relative": ("texts/inside.txt", None),
        "absolute": (str(inside), None),
        "url": (inside.as_uri(), None),
        "base": ("inside.txt", "texts"),
    }[form]
    _qdpx(received, _qde(_source(target), base_path=base))
    with Project.create(tmp_path / "refused.qc") as project:
        result = project.import_qdpx(received)
        _refused(result, target)
        assert any("--allow-external-sources" in w for w in result.warnings)
    with Project.create(tmp_path / "allowed.qc") as project:
        result = project.import_qdpx(received, allow_external_sources=True)
        assert sorted(result.sources) == ["harmless", "hostile"]
        assert project.source_text("hostile") == "R: Dit staat naast het archief.\n"


def test_import_transcripts_and_the_cli_pass_the_flag_on(tmp_path, received):
    from click.testing import CliRunner

    from qualcode.cli import main

    _write(received.parent / "inside.txt", "R: Naast het archief.\n")
    _qdpx(received, _qde(_source("inside.txt")))
    with Project.create(tmp_path / "a.qc") as project:
        report = project.import_transcripts([received])
        assert report.imported == ["harmless"] and any("'inside.txt'" in w for w in report.warnings)
        report = project.import_transcripts([received], allow_external_sources=True)
        assert report.imported == ["hostile"]
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "b.qc")]).exit_code == 0
    refused = runner.invoke(main, ["import", str(tmp_path / "b.qc"), str(received)])
    assert refused.exit_code == 0 and "imported 1 sources: harmless" in refused.output
    allowed = runner.invoke(
        main, ["import", str(tmp_path / "b.qc"), str(received), "--allow-external-sources"]
    )
    assert allowed.exit_code == 0 and "imported 1 sources: hostile" in allowed.output


@pytest.mark.parametrize("allow", [False, True])
@pytest.mark.parametrize("form", ["absolute", "url", "relative"])
def test_a_path_naming_a_member_reads_the_member_never_the_disk(tmp_path, secret, received, allow, form):
    """An author's absolute path (or a relative one) is resolved by file name inside the
    archive: the archive's own copy is read, even when the same path exists on this computer."""
    target = {"absolute": str(secret), "url": secret.as_uri(), "relative": "../private/secret.txt"}[form]
    received.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(received, "w") as archive:
        archive.writestr("project.qde", _qde(_source(target)))
        archive.writestr("sources/secret.txt", HARMLESS)
    project, result = _import(tmp_path, received, allow)
    with project:
        assert sorted(result.sources) == ["harmless", "hostile"]
        assert project.source_text("hostile") == HARMLESS
        _assert_secret_nowhere(project, tmp_path)


def test_every_source_refused_is_an_error_not_an_empty_success(tmp_path, secret, received):
    qde = _qde(_source(str(secret))).replace(
        f'<TextSource guid="00000000-0000-0000-0000-000000000001" name="harmless"><PlainTextContent>{escape(HARMLESS)}</PlainTextContent></TextSource>',
        "",
    )
    _qdpx(received, qde)
    with Project.create(tmp_path / "study.qc") as project:
        with pytest.raises(
            InputError, match=r"the project has 1 source but none could be imported: source 'hostile'"
        ):
            project.import_qdpx(received)
        assert project.status()["counts"]["sources"] == 0


# --- zip bombs --------------------------------------------------------------------------------

BOMB_MB = 200  # of zeros: deflates to well under 1 MB


def _bomb(path: Path, member: str, others: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in others.items():
            archive.writestr(name, text)
        with archive.open(member, "w") as handle:
            chunk = bytes(1024 * 1024)
            for _ in range(BOMB_MB):
                handle.write(chunk)
    assert path.stat().st_size < 1024 * 1024
    return path


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr("qualcode.files.MAX_MEMBER_BYTES", 4 * 1024 * 1024)


def _assert_refused_and_nothing_stored(project: Project, do) -> None:
    before = project.status()["counts"]
    with pytest.raises(InputError, match="zip bomb") as refused:
        do()
    assert "\n" not in str(refused.value)
    assert project.status()["counts"] == before


@pytest.mark.parametrize("member", ["project.qde", "sources/bomb.txt"])
def test_a_qdpx_zip_bomb_is_refused(tmp_path, small_limit, member):
    qde = _qde(_source("internal://bomb.txt"))
    path = _bomb(tmp_path / "bomb.qdpx", member, {} if member == "project.qde" else {"project.qde": qde})
    with Project.create(tmp_path / "s.qc") as project:
        _assert_refused_and_nothing_stored(project, lambda: project.import_qdpx(path))
        _assert_refused_and_nothing_stored(project, lambda: project.import_transcripts([path]))


def test_a_qdpx_codebook_zip_bomb_is_refused(tmp_path, small_limit):
    path = _bomb(tmp_path / "bomb.qdpx", "project.qde", {})
    with Project.create(tmp_path / "s.qc") as project:
        _assert_refused_and_nothing_stored(project, lambda: project.load_codebook(path))


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_an_office_zip_bomb_is_refused(tmp_path, small_limit, fmt):
    member, others = (
        ("word/document.xml", {"[Content_Types].xml": "<Types/>"})
        if fmt == "docx"
        else ("content.xml", {"mimetype": "application/vnd.oasis.opendocument.text"})
    )
    path = _bomb(tmp_path / f"bomb.{fmt}", member, others)
    with Project.create(tmp_path / "s.qc") as project:
        write(tmp_path / "fine.txt", "R: Een gewoon transcript.\n")
        _assert_refused_and_nothing_stored(
            project, lambda: project.import_transcripts([tmp_path / "fine.txt", path])
        )


# --- XML entities ------------------------------------------------------------------------------

ENTITIES = {
    "internal": '<!DOCTYPE Project [<!ENTITY who "the neighbours">]>',
    "small bomb": "<!DOCTYPE Project ["
    '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY who "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    "external": '<!DOCTYPE Project [<!ENTITY who SYSTEM "{secret}">]>',
    "parameter": '<!DOCTYPE Project [<!ENTITY % p "x"><!ENTITY who "y">]>',
}


def _entity_qde(doctype: str) -> str:
    note = '<Note guid="00000000-0000-0000-0000-000000000009" name="n"><PlainTextContent>&who;</PlainTextContent></Note>'
    return _qde(notes=note, doctype=doctype)


@pytest.mark.parametrize("kind", sorted(ENTITIES))
def test_a_qdpx_declaring_entities_is_refused(tmp_path, secret, received, kind):
    _qdpx(received, _entity_qde(ENTITIES[kind].format(secret=secret.as_uri())))
    with Project.create(tmp_path / "s.qc") as project:
        before = project.status()["counts"]
        with pytest.raises(
            InputError, match="declares XML entities; qualcode does not expand them"
        ) as refused:
            project.import_qdpx(received)
        assert "export the project again" in str(refused.value) and "\n" not in str(refused.value)
        assert project.status()["counts"] == before
        with pytest.raises(InputError, match="declares XML entities"):
            project.load_codebook(received)


def test_a_doctype_without_entities_is_still_read(tmp_path, secret, received):
    qde = _qde(doctype=f'<!DOCTYPE Project SYSTEM "{secret.as_uri()}">')
    _qdpx(received, qde)
    with Project.create(tmp_path / "s.qc") as project:
        assert project.import_qdpx(received).sources == ["harmless"]
        _assert_secret_nowhere(project, tmp_path)


def test_a_qdc_declaring_entities_is_refused(tmp_path):
    qdc = (
        '<?xml version="1.0"?><!DOCTYPE CodeBook [<!ENTITY x "y">]>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1" name="&x;" isCodable="true"/>'
        "</Codes></CodeBook>"
    )
    write(tmp_path / "book.qdc", qdc)
    with (
        Project.create(tmp_path / "s.qc") as project,
        pytest.raises(InputError, match="declares XML entities"),
    ):
        project.load_codebook(tmp_path / "book.qdc")


@pytest.mark.parametrize("fmt", ["docx", "odt"])
@pytest.mark.parametrize("kind", ["internal", "external"])
def test_an_office_file_declaring_entities_is_refused(tmp_path, secret, fmt, kind):
    if fmt == "docx":
        path = make_docx(tmp_path / "x.docx", [[("R: &who;", False)]])
    else:
        path = make_odt(tmp_path / "x.odt", ["R: &who;"])
    member = "word/document.xml" if fmt == "docx" else "content.xml"
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name).decode() for name in archive.namelist()}
    declaration = ENTITIES[kind].format(secret=secret.as_uri()).replace("Project", "doc")
    parts[member] = parts[member].replace("&amp;who;", "&who;").replace("?>", "?>" + declaration, 1)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    with Project.create(tmp_path / "s.qc") as project:
        with pytest.raises(InputError, match="declares XML entities") as refused:
            project.import_transcripts([path])
        assert "\n" not in str(refused.value) and SECRET not in str(refused.value)
        assert project.status()["counts"]["sources"] == 0


# --- control characters in a project ----------------------------------------------------------

BOOK = r"""name: controls
codes:
  - name: "Thuis\a"
    description: "Een\fbeschrijving met\vtekens"
    examples: ["Thuis\x01 is\x1f fijn"]
  - name: "\x01"
    description: plain
"""


def test_a_project_with_control_characters_exports_and_reads_back(tmp_path):
    write(tmp_path / "int1.txt", "I: Hoe gaat het?\nR: Thuis is fijn.\n")
    write(tmp_path / "book.yaml", BOOK)
    write(
        tmp_path / "participants.csv", "speaker,source,case,role,stad\nR,int1,jan\x01,client,Am\x02sterdam\n"
    )
    with Project.create(tmp_path / "a.qc") as project:
        project.import_transcripts([tmp_path / "int1.txt"])
        project.load_participants(tmp_path / "participants.csv")
        project.load_codebook(tmp_path / "book.yaml")
        project.add_memo("project", None, "an\x0bna", "Eerste\x0bindruk\x0c van\ufffe het gesprek.")
        project.add_memo("code", "Thuis\x07", "bram\x01", "Over\x02 thuis")
        assert any(NOT_XML.search(c.description + c.name) for c in project.codebook().codes)
        assert any(NOT_XML.search(m["text"]) for m in project.memos())
        project.export("qdpx", tmp_path / "out.qdpx")
        project.export("qdc", tmp_path / "out.qdc")
        texts = {s["name"]: project.source_text(s["name"]) for s in project.status()["sources"]}
        memos = sorted(NOT_XML.sub("", m["text"]) for m in project.memos())
        descriptions = sorted(NOT_XML.sub("", c.description) for c in project.codebook().codes)
    with zipfile.ZipFile(tmp_path / "out.qdpx") as archive:
        qde = archive.read("project.qde").decode("utf-8")
    ET.fromstring(qde)  # well-formed
    assert not NOT_XML.search(qde)
    assert not NOT_XML.search((tmp_path / "out.qdc").read_text(encoding="utf-8"))
    with Project.create(tmp_path / "b.qc") as copy:
        result = copy.import_qdpx(tmp_path / "out.qdpx")
        assert result.sources == ["int1"] and copy.source_text("int1") == texts["int1"]
        assert sorted(m["text"] for m in copy.memos()) == memos
        assert sorted(c.description for c in copy.codebook().codes) == descriptions
        assert "\\x01" in {c.name for c in copy.codebook().codes}  # a name of nothing but controls
    with Project.create(tmp_path / "c.qc") as copy:
        copy.load_codebook(tmp_path / "out.qdc")
        assert sorted(c.description for c in copy.codebook().codes) == descriptions


@pytest.mark.parametrize("fmt", ["qdpx", "qdc"])
def test_an_export_that_fails_half_way_keeps_the_previous_file(tmp_path, monkeypatch, fmt):
    write(tmp_path / "int1.txt", "R: Thuis is fijn.\n")
    write(tmp_path / "book.yaml", "name: b\ncodes:\n  - name: Thuis\n")
    out = tmp_path / "out"
    out.mkdir()
    with Project.create(tmp_path / "a.qc") as project:
        project.import_transcripts([tmp_path / "int1.txt"])
        project.load_codebook(tmp_path / "book.yaml")
        project.export(fmt, out / f"p.{fmt}")
        good = (out / f"p.{fmt}").read_bytes()

        def disk_full(self, data):
            with open(self, "wb") as handle:
                handle.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(Path, "write_bytes", disk_full)
        with pytest.raises(OSError):
            project.export(fmt, out / f"p.{fmt}")
    assert (out / f"p.{fmt}").read_bytes() == good
    assert [p.name for p in out.iterdir()] == [f"p.{fmt}"]  # no temporary file left behind


def test_hostile_speaker_lists_and_counter_codes_stay_bounded(tmp_path):
    """Thousands of listed speakers who never speak, roles and labels made of brackets, and
    counter-evidence codes on broken selections: the import ends, warns briefly, and reads back."""
    marker = COUNTER_CODE_GUID
    listed = "".join(f"- Spreker{i} (rol{i})\n" for i in range(5000)) + "- ((((((\n- a (b (c)) (\n"
    selections = (
        '<PlainTextSelection guid="A" startPosition="x" endPosition="4">'
        f'<Coding guid="A1"><CodeRef targetGUID="{marker}"/></Coding></PlainTextSelection>'
        '<PlainTextSelection guid="B" startPosition="0" endPosition="1">'
        '<Coding guid="B1"><CodeRef targetGUID="nowhere"/></Coding><Coding guid="B2"/>'
        '<Coding guid="B3"><CodeRef targetGUID="K"/></Coding></PlainTextSelection>'
        '<PlainTextSelection guid="C" startPosition="0" endPosition="1">'
        f'<Coding guid="C1"><CodeRef targetGUID="{marker}"/></Coding></PlainTextSelection>'
    )
    qde = (
        '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="h">'
        f'<CodeBook><Codes><Code guid="{marker}" name="Tegenbewijs (qualcode counter-evidence)"/>'
        '<Code guid="K" name="Thuis"><Code guid="K2" name="Tegenbewijs (qualcode counter-evidence)"/></Code>'
        "</Codes></CodeBook>"
        '<Sources><TextSource guid="S" name="s">'
        f"<Description>qualcode speakers:\n{escape(listed)}</Description>"
        f"<PlainTextContent>{escape(HARMLESS)}</PlainTextContent>{selections}</TextSource></Sources></Project>"
    )
    with Project.create(tmp_path / "a.qc") as project:
        result = project.import_qdpx(_qdpx(tmp_path / "h.qdpx", qde))
        silent = [w for w in result.warnings if "speak in none of its turns" in w]
        assert len(silent) == 1 and silent[0].endswith("and 4990 more") and len(silent[0]) < 1000
        assert [(c["code"], c["counter"]) for c in project.codings()] == [("Thuis", 1)]
        assert {c.name for c in project.codebook().codes} == {
            "Thuis",
            "Tegenbewijs (qualcode counter-evidence)",
        }
        project.export("qdpx", tmp_path / "out.qdpx")
    with Project.create(tmp_path / "b.qc") as copy:
        assert copy.import_qdpx(tmp_path / "out.qdpx").sources == ["s"]
        assert [(c["code"], c["counter"]) for c in copy.codings()] == [("Thuis", 1)]
        assert {c.name for c in copy.codebook().codes} == {"Thuis", "Tegenbewijs (qualcode counter-evidence)"}
