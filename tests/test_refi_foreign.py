"""REFI-QDA projects written by other tools: the ways they name their source files and their
.qde, an import that finds sources but can store none, and a fuzz test over broken archives
(each a clear error or a listed warning, never a crash or a silent skip)."""

from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from unittest import mock
from xml.sax.saxutils import quoteattr

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode import InputError, Project, QualcodeError
from qualcode import files as qualcode_files
from qualcode.cli import main

TEXT_A = "I: Hoe gaat het?\nR: Mijn zus helpt. De steungroep ook.\n"
TEXT_B = "I: En het wonen?\nR: Ik wil een eigen huis.\n"


def _qde(sources: list[tuple[str, str, str]], selections: dict[str, list[tuple]] | None = None) -> str:
    """A project from another tool: (guid, name, plainTextPath) sources; per source guid, its
    selections as (start, end, code guid), each with one coding."""
    selections = selections or {}
    parts = []
    for guid, name, target in sources:
        inner = "".join(
            f'<PlainTextSelection guid="{guid}-s{i}" startPosition="{a}" endPosition="{b}" creatingUser="U1">'
            f'<Coding guid="{guid}-c{i}" creatingUser="U1"><CodeRef targetGUID="{code}"/></Coding>'
            "</PlainTextSelection>"
            for i, (a, b, code) in enumerate(selections.get(guid, []))
        )
        parts.append(
            f'<TextSource guid="{guid}" name="{name}" plainTextPath={quoteattr(target)}>{inner}</TextSource>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="elders" origin="OtherTool 2.1">'
        '<Users><User guid="U1" name="ann"/></Users>'
        '<CodeBook><Codes><Code guid="C1" name="Netwerk" isCodable="true"/>'
        '<Code guid="C2" name="Wonen" isCodable="true"/></Codes></CodeBook>'
        f"<Sources>{''.join(parts)}</Sources></Project>"
    )


def _archive(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _import(tmp_path: Path, qdpx: Path, name: str = "study.qc"):
    project = Project.create(tmp_path / name)
    return project, project.import_qdpx(qdpx)


@pytest.mark.parametrize(
    ("target", "member"),
    [
        ("a.txt", "sources/a.txt"),  # relative, no internal://, file in sources/
        ("a.txt", "Sources/A.TXT"),
        ("sources/a.txt", "sources/a.txt"),
        ("Sources\\a.txt", "sources/a.txt"),
        ("./a.txt", "a.txt"),  # beside the .qde
        ("internal://a.txt", "Sources/a.txt"),
        ("internal://A.txt", "sources/a.txt"),
        ("C:\\Users\\anna\\Documents\\Studie\\a.txt", "sources/a.txt"),  # the author's computer
        ("/home/anna/studie/a.txt", "sources/a.txt"),
        ("file:///C:/Users/anna/a.txt", "sources/a.txt"),
        ("file:///home/anna/a%20b.txt", "sources/a b.txt"),
        ("D:/Interviews/a.txt", "interviews/a.txt"),  # anywhere in the archive, by its name
    ],
)
def test_a_source_file_is_found_inside_the_archive(tmp_path, target, member):
    path = _archive(
        tmp_path / "elders.qdpx",
        {"project.qde": _qde([("S1", "int1", target)], {"S1": [(3, 16, "C1")]}), member: TEXT_A},
    )
    project, result = _import(tmp_path, path)
    with project:
        assert result.sources == ["int1"] and result.codings == 1, result.warnings
        assert project.source_text("int1") == TEXT_A
        assert not any("not carried over" in w for w in result.warnings), result.warnings


def test_two_files_an_absolute_path_could_mean_are_an_error_naming_both(tmp_path):
    path = _archive(
        tmp_path / "elders.qdpx",
        {
            "project.qde": _qde([("S1", "int1", "C:\\Users\\anna\\a.txt")]),
            "texts/a.txt": TEXT_A,
            "old/a.txt": TEXT_B,
        },
    )
    project = Project.create(tmp_path / "study.qc")
    with project, pytest.raises(InputError) as caught:
        project.import_qdpx(path)
    assert str(caught.value) == (
        f"{path}: the text 'C:\\\\Users\\\\anna\\\\a.txt' names a file on another computer, and the archive "
        "holds several files called 'a.txt' (old/a.txt, texts/a.txt); qualcode cannot tell which one is "
        "meant: export the project again, or rename one of them in the archive"
    )


def test_a_file_in_sources_wins_over_one_elsewhere(tmp_path):
    path = _archive(
        tmp_path / "elders.qdpx",
        {
            "project.qde": _qde([("S1", "int1", "/home/anna/a.txt")]),
            "sources/a.txt": TEXT_A,
            "backup/a.txt": TEXT_B,
        },
    )
    project, result = _import(tmp_path, path)
    with project:
        assert project.source_text("int1") == TEXT_A


@pytest.mark.parametrize("qde_name", ["Studie.qde", "PROJECT.QDE", "my project.qde"])
def test_any_single_qde_is_the_project(tmp_path, qde_name):
    path = _archive(
        tmp_path / "elders.qdpx", {qde_name: _qde([("S1", "int1", "a.txt")]), "Sources/a.txt": TEXT_A}
    )
    project, result = _import(tmp_path, path)
    with project:
        assert result.sources == ["int1"]


def test_a_zipped_project_folder_is_read_from_its_folder(tmp_path):
    path = _archive(
        tmp_path / "elders.qdpx",
        {"Studie/project.qde": _qde([("S1", "int1", "internal://a.txt")]), "Studie/Sources/a.txt": TEXT_A},
    )
    project, result = _import(tmp_path, path)
    with project:
        assert result.sources == ["int1"]


def test_several_qde_files_none_called_project_are_an_error_listing_them(tmp_path):
    qde = _qde([("S1", "int1", "a.txt")])
    path = _archive(tmp_path / "elders.qdpx", {"b.qde": qde, "a.qde": qde, "sources/a.txt": TEXT_A})
    project = Project.create(tmp_path / "study.qc")
    with project, pytest.raises(InputError) as caught:
        project.import_qdpx(path)
    assert str(caught.value) == (
        f"{path}: the archive holds 2 .qde files (a.qde, b.qde) and none is called project.qde, so "
        "qualcode cannot tell which one is the project; export the project again, or remove the "
        "others from the archive"
    )


def test_an_import_that_finds_sources_but_stores_none_is_an_error(tmp_path):
    path = _archive(
        tmp_path / "elders.qdpx",
        {"project.qde": _qde([("S1", "int1", "int1.txt"), ("S2", "int2", "internal://gone.txt")])},
    )
    project = Project.create(tmp_path / "study.qc")
    with project:
        with pytest.raises(InputError) as caught:
            project.import_qdpx(path)
        message = str(caught.value)
        assert message.startswith(
            f"{path}: the project has 2 sources but none could be imported: source 'int1': "
        )
        assert "source 'int2': its text 'internal://gone.txt' is not in the archive; skipped it" in message
        assert message.endswith("; nothing was imported")
        assert project.status()["counts"]["sources"] == 0 and project.codebook().codes == []
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "b.qc")]).exit_code == 0
    result = runner.invoke(main, ["import", str(tmp_path / "b.qc"), str(path)])
    assert result.exit_code == 1 and "none could be imported" in result.output
    assert "imported 0 sources" not in result.output


def test_importing_the_same_project_twice_is_no_error(tmp_path):
    path = _archive(
        tmp_path / "elders.qdpx", {"project.qde": _qde([("S1", "int1", "a.txt")]), "sources/a.txt": TEXT_A}
    )
    with Project.create(tmp_path / "study.qc") as project:
        assert project.import_qdpx(path).sources == ["int1"]
        assert project.import_qdpx(path).sources == []  # unchanged, so nothing new: no error


def test_a_project_with_only_a_codebook_still_imports(tmp_path):
    qde = _qde([]).replace("<Sources></Sources>", "")
    path = _archive(tmp_path / "codes.qdpx", {"project.qde": qde})
    project, result = _import(tmp_path, path)
    with project:
        assert result.sources == [] and result.codes == ["Netwerk", "Wonen"]


# --- fuzzing broken archives --------------------------------------------------------------------

SOURCES = [("S1", "int1", "int1.txt"), ("S2", "int2", "internal://int2.txt")]
CODES = ["C1", "C2", "C7"]  # C7 is in no codebook
positions = st.one_of(st.integers(-5, 80), st.sampled_from(["", "x", "1e3", "99999999999999999999", " 4"]))
selection = st.tuples(positions, positions, st.sampled_from(CODES))
HUGE = 64 * 1024
encodings = st.sampled_from(
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1", "random", "empty"]
)


def _encode(text: str, encoding: str, noise: bytes) -> bytes:
    if encoding == "random":
        return noise
    if encoding == "empty":
        return b""
    return (text.replace("zus", "zús") if encoding in ("cp1252", "latin-1") else text).encode(encoding)


@st.composite
def broken_archives(draw):
    sels = {guid: draw(st.lists(selection, max_size=4)) for guid, _, _ in SOURCES}
    qde = _qde(SOURCES, sels).encode("utf-8")
    members = {
        "project.qde": qde,
        "sources/int1.txt": _encode(TEXT_A, draw(encodings), draw(st.binary(max_size=40))),
        "Sources/int2.txt": _encode(TEXT_B, draw(encodings), draw(st.binary(max_size=40))),
    }
    if draw(st.integers(0, 3)) == 0:  # a missing member
        for name in draw(st.lists(st.sampled_from(sorted(members)), min_size=1, max_size=2, unique=True)):
            del members[name]
    if "project.qde" in members and draw(st.integers(0, 4)) == 0:
        members["project.qde"] = qde[: draw(st.integers(0, len(qde)))]  # truncated XML
    if "project.qde" in members and draw(st.integers(0, 6)) == 0:
        members["project.qde"] = members["project.qde"].replace(b'encoding="utf-8"', b'encoding="utf-16"')
    huge = draw(st.sampled_from([None] * 6 + ["project.qde", "sources/int1.txt"]))
    if huge in members:  # past the members' size limit (HUGE while the test runs)
        members[huge] = members[huge] + b" " * HUGE
    return members, huge, draw(st.integers(0, 9)) == 0


def _accounted(result, qde: bytes) -> None:
    """Nothing skipped silently: every source came in or is named in a warning, and every coding
    of the (readable) document came in or is counted in a "not carried over" warning."""
    root = ET.fromstring(qde)
    ns = "{urn:QDA-XML:project:1.0}"
    for source in root.iter(f"{ns}TextSource"):
        name = source.get("name")
        assert name in result.sources or any(f"source {name!r}" in w for w in result.warnings), (
            result.warnings
        )
    codings = len(list(root.iter(f"{ns}Coding")))
    counted = sum(
        int(m[1])
        for w in result.warnings
        if (m := re.search(r"not carried over: (\d+) (.*)", w)) and ("selection" in m[2] or "coding" in m[2])
    )
    assert result.codings + counted == codings, (result.codings, result.warnings)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=broken_archives())
def test_a_broken_archive_is_a_clear_error_or_listed_warnings(case):
    members, huge, truncate_zip = case
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        path = _archive(folder / "broken.qdpx", members)
        if truncate_zip:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) * 2 // 3])
        with (
            Project.create(folder / "study.qc") as project,
            mock.patch.object(qualcode_files, "MAX_MEMBER_BYTES", HUGE),
        ):
            try:
                result = project.import_qdpx(path)
            except QualcodeError as exc:
                assert str(exc).startswith(str(path)), exc  # it names the file
                assert project.status()["counts"]["sources"] == 0  # and nothing was stored
                return
            assert result.sources, result.warnings  # stored none: that would have been an error
            _accounted(result, members["project.qde"])
