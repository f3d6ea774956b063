"""REFI-QDA project export (.qdpx) and import: schema, determinism, round trip, other tools' files."""

from __future__ import annotations

import csv
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

import pytest

from qualcode import InputError, Project
from qualcode.ingest.decode import normalise
from qualcode.refi.positions import normalise_with_map
from tests.conftest import SHARED, needs_shared, read_only, write

REFI = SHARED / "data" / "refi-qda"
SAMPLES = REFI / "samples"
NS = "{urn:QDA-XML:project:1.0}"

BOOK = """\
name: mini
codes:
  - name: Netwerk
    kind: theme
    description: Alles over het netwerk.
    colour: "#336699"
  - name: Steungroep
    parent: Netwerk
    kind: context
    description: Een groep mensen rond de cliënt die steun geeft.
    inclusion: [een vaste groep]
    examples: ["We hebben een steungroep via WhatsApp."]
    keywords: [steungroep]
  - name: Vertrouwen
    kind: mechanism
    description: Vertrouwen groeit.
  - name: Woning
    kind: outcome
    description: Een eigen huis als doel.
    lemmas: [wonen]
"""
INT1 = "I: Hoe gaat het?\nR: Mijn zus zit in de steungroep. Ik vertrouw haar.\nI: En wonen?\nR: Ik wil een eigen huis. 😀 Echt.\n"
INT2 = "I: Vertel eens.\nN: Ik ben de naaste. De steungroep helpt hem.\nI: Dank je.\n"
PARTICIPANTS = """\
speaker,source,case,role,leeftijd,lengte,stad,rookt,start
R,int1,jeroen,client,34,1.82,Amsterdam,ja,2023-05-01
N,int2,ellen,naaste,61,1.70,Haarlem,nee,2023-06-12
I,,,interviewer,,,,,
"""


def _span(text: str, piece: str) -> tuple[int, int]:
    start = text.index(piece)
    return start, start + len(piece)


@pytest.fixture
def built(tmp_path) -> Project:
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "int1.txt", INT1)
    write(folder / "int2.txt", INT2)
    write(tmp_path / "participants.csv", PARTICIPANTS)
    write(tmp_path / "book.yaml", BOOK)
    project = Project.create(tmp_path / "study.qc")
    project.import_transcripts([folder], participants=tmp_path / "participants.csv")
    project.load_codebook(tmp_path / "book.yaml")
    rows = [("source", "start", "end", "code", "coder")]
    for source, text, piece, code, coder in [
        ("int1", INT1, "Mijn zus zit in de steungroep.", "Steungroep", "anna"),
        ("int1", INT1, "Mijn zus zit in de steungroep.", "Steungroep", "bram"),
        ("int1", INT1, "Ik vertrouw haar.", "Vertrouwen", "anna"),
        ("int1", INT1, "Ik wil een eigen huis. 😀 Echt.", "Woning", "bram"),
        ("int2", INT2, "De steungroep helpt hem.", "Steungroep", "anna"),
        ("int2", INT2, "Ik ben de naaste.", "Netwerk", "bram"),
    ]:
        rows.append((source, *_span(text, piece), code, coder))
    with (tmp_path / "codings.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    project.import_codings(tmp_path / "codings.csv")
    project.add_memo("project", None, "anna", "Eerste indruk: veel over steungroepen.")
    project.add_memo("code", "Woning", "bram", "Woning hangt samen met rust.")
    project.add_memo("source", "int2", "carla", "Naaste was kritisch.")
    yield project
    project.close()


def _snapshot(project: Project) -> dict:
    conn = read_only(project)
    return {
        "sources": dict(conn.execute("SELECT name, text FROM sources")),
        "codes": {
            (c.name, c.parent, c.kind, c.colour, c.description, tuple(c.examples), tuple(c.keywords))
            for c in project.codebook().codes
        },
        "codings": sorted(
            tuple(r)
            for r in conn.execute(
                'SELECT s.name, c.start, c."end", k.name, c.coder FROM current_codings c '
                "JOIN sources s ON s.id = c.source_id JOIN codes k ON k.id = c.code_id"
            )
        ),
        "cases": sorted(
            tuple(r)
            for r in conn.execute(
                "SELECT c.name, a.name, a.type, v.value FROM cases c JOIN case_attributes v ON v.case_id = c.id "
                "JOIN attributes a ON a.id = v.attribute_id"
            )
        ),
        "speakers": sorted(
            tuple(r)
            for r in conn.execute(
                "SELECT src.name, s.label, s.role, c.name FROM speakers s JOIN sources src ON src.id = s.source_id "
                "LEFT JOIN cases c ON c.id = s.case_id"
            )
        ),
        "memos": sorted((m["target_kind"], m["author"], m["text"]) for m in project.memos()),
    }


@needs_shared
def test_export_is_valid_against_the_schema_and_deterministic(built, tmp_path):
    lxml = pytest.importorskip("lxml.etree")
    first, second = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    built.export("qdpx", first)
    built.export("qdpx", second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        qde = archive.read("project.qde")
        assert names[0] == "project.qde" and len(names) == 3
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in archive.infolist())
        root = ET.fromstring(qde)
        for source in root.iter(NS + "TextSource"):
            text = archive.read("sources/" + source.get("plainTextPath").removeprefix("internal://")).decode()
            for selection in source.iter(NS + "PlainTextSelection"):
                start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
                assert text[start:end] == selection.get("name")
    schema = lxml.XMLSchema(lxml.parse(str(REFI / "Project-mrt2019.xsd")))
    document = lxml.fromstring(qde)
    assert schema.validate(document), schema.error_log
    assert {u.get("name") for u in root.iter(NS + "User")} == {"anna", "bram", "carla"}
    assert len(list(root.iter(NS + "PlainTextSelection"))) == 6
    assert len(list(root.iter(NS + "Note"))) == 3
    case = [c for c in root.iter(NS + "Case") if c.get("name") == "jeroen"][0]
    assert "- int1: R (client)" in case.find(NS + "Description").text
    types = {v.get("name"): v.get("typeOfVariable") for v in root.iter(NS + "Variable")}
    assert types == {
        "leeftijd": "Integer",
        "lengte": "Float",
        "stad": "Text",
        "rookt": "Boolean",
        "start": "Date",
    }


def test_export_then_import_gives_the_same_project(built, tmp_path):
    built.export("qdpx", tmp_path / "out.qdpx")
    with Project.create(tmp_path / "copy.qc") as copy:
        result = copy.import_qdpx(tmp_path / "out.qdpx")
        assert sorted(result.sources) == ["int1", "int2"]
        assert result.codings == 6 and result.cases == ["ellen", "jeroen"] and result.memos == 3
        assert result.warnings == []
        before, after = _snapshot(built), _snapshot(copy)
        for key in before:
            assert after[key] == before[key], key
        # a second import of the same file adds nothing
        again = copy.import_qdpx(tmp_path / "out.qdpx")
        assert again.codings == 0 and _snapshot(copy)["codings"] == before["codings"]
        assert any("already in the project" in w for w in again.warnings)


def test_import_through_project_import_transcripts(built, tmp_path):
    built.export("qdpx", tmp_path / "out.qdpx")
    with Project.create(tmp_path / "copy.qc") as copy:
        report = copy.import_transcripts([tmp_path / "out.qdpx"])
        assert sorted(report.imported) == ["int1", "int2"]


def test_normalising_maps_offsets():
    raw = "\ufeffe\u0301en\r\nregel\rtwee 😀 cafe\u0301!"
    text, starts, ends = normalise_with_map(raw)
    assert text == normalise(raw)

    def clean(i: int) -> bool:  # not inside a CRLF pair or a letter with its accent
        return i in (0, len(raw)) or not (unicodedata.combining(raw[i]) or raw[i - 1 : i + 1] == "\r\n")

    for a in filter(clean, range(len(raw) + 1)):
        for b in filter(clean, range(a + 1, len(raw) + 1)):
            assert text[starts[a] : ends[b]] == normalise(raw[a:b]), (a, b)
    # inside a pair, a selection grows to the whole pair
    e = raw.index("e\u0301")
    assert text[starts[e + 1] : ends[e + 2]] == "é" and text[starts[e] : ends[e + 1]] == "é"
    cr = raw.index("\r\n")
    assert text[starts[cr - 1] : ends[cr + 1]] == "n\n"
    # UTF-16 units: the emoji counts twice
    units = raw.encode("utf-16-le")
    text16, starts16, ends16 = normalise_with_map(raw, utf16=True)
    assert len(starts16) == len(units) // 2 + 1
    end = len(units) // 2
    assert text16[starts16[end - 6] : ends16[end]] == "café!"


def test_coded_text_with_crlf_and_decomposed_letters(tmp_path):
    text = "R: Het cafe\u0301 was dicht.\r\nR: Daarna 😀 naar huis.\r\n"
    piece = "naar huis"
    units = text.encode("utf-16-le")
    start = len(text[: text.index(piece)].encode("utf-16-le")) // 2
    qde = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="x" origin="NVivo 14">
  <Users><User guid="11111111-1111-1111-1111-111111111111" name="Eva"/></Users>
  <CodeBook><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="Thuis" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="33333333-3333-3333-3333-333333333333" name="doc" plainTextPath="internal://33333333-3333-3333-3333-333333333333.txt">
      <PlainTextSelection guid="44444444-4444-4444-4444-444444444444" startPosition="{start}" endPosition="{start + len(piece)}" creatingUser="11111111-1111-1111-1111-111111111111">
        <Coding guid="55555555-5555-5555-5555-555555555555"><CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="66666666-6666-6666-6666-666666666666" startPosition="3" endPosition="{len(units) // 2}">
        <Coding guid="77777777-7777-7777-7777-777777777777"><CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <PDFSource guid="88888888-8888-8888-8888-888888888888" name="scan" path="internal://scan.pdf"/>
  </Sources>
  <Variables>
    <Variable guid="AAAAAAAA-0000-0000-0000-000000000001" name="leeftijd" typeOfVariable="Integer"/>
  </Variables>
  <Cases>
    <Case guid="AAAAAAAA-0000-0000-0000-000000000002" name="Eva's case">
      <CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/>
      <VariableValue><VariableRef targetGUID="AAAAAAAA-0000-0000-0000-000000000001"/><IntegerValue>42</IntegerValue></VariableValue>
      <SourceRef targetGUID="33333333-3333-3333-3333-333333333333"/>
    </Case>
  </Cases>
  <Notes>
    <Note guid="AAAAAAAA-0000-0000-0000-000000000003" name="n"><PlainTextContent>Een memo.</PlainTextContent></Note>
  </Notes>
  <Links><Link guid="99999999-9999-9999-9999-999999999999"/></Links>
</Project>"""
    path = tmp_path / "nvivo.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
        archive.writestr("Sources/33333333-3333-3333-3333-333333333333.txt", b"\xef\xbb\xbf" + text.encode())
    with Project.create(tmp_path / "s.qc") as project:
        result = project.import_qdpx(path)
        conn = read_only(project)
        stored = conn.execute("SELECT text FROM sources").fetchone()[0]
        assert stored == normalise(text)
        rows = conn.execute('SELECT start, "end", coder FROM codings ORDER BY start DESC').fetchall()
        assert stored[rows[0][0] : rows[0][1]] == piece and rows[0][2] == "Eva"
        assert stored[rows[1][0] : rows[1][1]] == normalise(text)[3:] and rows[1][2] == "imported"
        assert conn.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 2
        joined = " | ".join(result.warnings)
        assert "1 PDFSource source(s)" in joined and "1 link(s)" in joined
        assert "1 code(s) assigned to cases" in joined and "names none of its speakers" in joined
        metadata = conn.execute("SELECT metadata FROM sources").fetchone()[0]
        assert '"cases": ["Eva\'s case"]' in metadata
        value = conn.execute(
            "SELECT a.type, v.value FROM case_attributes v JOIN attributes a ON a.id = v.attribute_id"
        ).fetchone()
        assert tuple(value) == ("integer", "42")
        assert [(m["target_kind"], m["author"], m["text"]) for m in project.memos()] == [
            ("project", "imported", "Een memo.")
        ]


def test_errors_name_the_file_and_store_nothing(built, tmp_path):
    bad = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("project.qde", "<Project")
    with pytest.raises(InputError, match="bad.qdpx"):
        built.import_qdpx(bad)
    built.export("qdpx", tmp_path / "out.qdpx")
    with Project.create(tmp_path / "other.qc") as other:
        write(tmp_path / "int1.txt", "R: iets heel anders\n")
        other.import_transcripts([tmp_path / "int1.txt"])
        with pytest.raises(InputError, match="out.qdpx"):
            other.import_qdpx(tmp_path / "out.qdpx")
        assert read_only(other).execute("SELECT COUNT(*) FROM sources").fetchone()[0] == 1
        assert read_only(other).execute("SELECT COUNT(*) FROM codes").fetchone()[0] == 0


@needs_shared
def test_atlas_samples(tmp_path):
    with Project.create(tmp_path / "a.qc") as project:
        blank = project.import_qdpx(SAMPLES / "atlasti-blank.qdpx")
        assert (blank.sources, blank.codes, blank.codings, blank.cases) == ([], [], 0, [])
        assert any("no codebook" in w for w in blank.warnings)
        book = project.import_qdpx(SAMPLES / "atlasti-codebook.qdpx")
        assert book.codes == ["Commits", "2022-05-10T02:05:59Z 19e4dce", "2022-02-11T10:39:25Z cdbfd92"]
        tree = {c.name: c.parent for c in project.codebook().codes}
        assert tree["2022-05-10T02:05:59Z 19e4dce"] == "Commits"


@needs_shared
def test_nvivo_sample(tmp_path):
    with Project.create(tmp_path / "n.qc") as project:
        result = project.import_qdpx(SAMPLES / "nvivo-hungarian.qdpx")
        # counted in project.qde: 2 TextSources, 152 Codes, 303 selections with one Coding each
        assert sorted(result.sources) == ["videos_10_selected", "videos_selection"]
        assert len(result.codes) == 152 and result.codings == 303 and result.cases == []
        assert any("2 rich-text version(s)" in w for w in result.warnings)
        conn = read_only(project)
        with zipfile.ZipFile(SAMPLES / "nvivo-hungarian.qdpx") as archive:
            root = ET.fromstring(archive.read("project.qde"))
            checked = 0
            for source in root.iter(NS + "TextSource"):
                member = "Sources/" + source.get("plainTextPath").removeprefix("internal://")
                raw = archive.read(member).decode("utf-8-sig")
                units = raw.encode("utf-16-le")  # NVivo counts UTF-16 code units
                stored = conn.execute(
                    "SELECT text FROM sources WHERE name = ?", (source.get("name"),)
                ).fetchone()[0]
                assert stored == normalise(raw)
                codings = conn.execute(
                    'SELECT c.start, c."end", k.name FROM codings c JOIN sources s ON s.id = c.source_id '
                    "JOIN codes k ON k.id = c.code_id WHERE s.name = ? ORDER BY c.id",
                    (source.get("name"),),
                ).fetchall()
                selections = list(source.iter(NS + "PlainTextSelection"))
                assert len(codings) == len(selections)
                for selection, (start, end, _code) in zip(selections, codings, strict=True):
                    a, b = int(selection.get("startPosition")), int(selection.get("endPosition"))
                    original = units[2 * a : 2 * b].decode("utf-16-le")
                    assert stored[start:end] == normalise(original)
                    checked += 1
            assert checked == 303
        # the first selection is one whole YouTube comment
        first = conn.execute(
            'SELECT substr(s.text, c.start + 1, c."end" - c.start) FROM codings c '
            "JOIN sources s ON s.id = c.source_id ORDER BY c.id LIMIT 1"
        ).fetchone()[0]
        assert first.startswith("Senkit nem lehet kötelezni") and first.endswith("nem élhet.")
