"""What a .qdpx round trip keeps beyond codes and codings: counter-evidence flags (as a code
other tools show) and the roles of named interviewers (so their questions stay uncodable)."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from qualcode import Project
from qualcode.codebook import read_codebook
from qualcode.refi.counter import COUNTER_CODE_GUID, COUNTER_CODE_NAME
from tests.conftest import SHARED, needs_shared, read_only, write

REFI = SHARED / "data" / "refi-qda"
NS = "{urn:QDA-XML:project:1.0}"
EXAMPLE = Path(__file__).resolve().parent.parent / "qualcode" / "example" / "transcripts"

BOOK = """\
name: mini
codes:
  - name: Steungroep
    kind: context
    description: Een groep mensen rond de cliënt.
  - name: Vertrouwen
    kind: mechanism
    description: Vertrouwen groeit.
"""
INT1 = (
    "Lotte: Hoe gaat het met je?\nR: Mijn zus zit in de steungroep. Ik vertrouw haar niet.\n"
    "Lotte: En de anderen?\nR: De steungroep helpt wel. Ik vertrouw de buurvrouw.\n"
)
INT2 = "I: Vertel eens.\nN: Ik ben de naaste. De steungroep helpt hem.\nI: Dank je.\n"
PARTICIPANTS = """\
speaker,source,case,role,stad
Lotte,,,interviewer,
R,int1,jeroen,client,Amsterdam
N,int2,ellen,naaste,Haarlem
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
    anna, bram = project.reviewer("anna"), project.reviewer("bram")
    anna.add("int1", *_span(INT1, "Ik vertrouw haar niet."), "Vertrouwen", counter=True)
    bram.add("int1", *_span(INT1, "Ik vertrouw haar niet."), "Vertrouwen")  # same span, not marked
    anna.add("int1", *_span(INT1, "Ik vertrouw de buurvrouw."), "Vertrouwen")
    anna.add("int1", *_span(INT1, "De steungroep helpt wel."), "Steungroep")
    bram.add("int2", *_span(INT2, "De steungroep helpt hem."), "Steungroep", counter=True)
    yield project
    project.close()


def _codings(project: Project) -> list[tuple]:
    return sorted(
        (c["source"], c["start"], c["end"], c["code"], c["coder"], bool(c["counter"]))
        for c in project.codings()
    )


def _speakers(project: Project) -> list[tuple]:
    conn = read_only(project)
    return sorted(
        tuple(r)
        for r in conn.execute(
            "SELECT src.name, s.label, s.role, c.name FROM speakers s JOIN sources src ON src.id = s.source_id "
            "LEFT JOIN cases c ON c.id = s.case_id"
        )
    )


def _segments(project: Project) -> list[tuple]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the blank pipeline's warning
        project.segment()
    return sorted((s.source, s.start, s.end, s.speaker, s.role) for s in project.segments())


def _qde(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as archive:
        return ET.fromstring(archive.read("project.qde"))


def _roundtrip(project: Project, tmp_path: Path, name: str = "copy") -> tuple[Project, object]:
    project.export("qdpx", tmp_path / f"{name}.qdpx")
    copy = Project.create(tmp_path / f"{name}.qc")
    return copy, copy.import_qdpx(tmp_path / f"{name}.qdpx")


# --- counter-evidence -------------------------------------------------------------------------


def test_counter_flags_are_written_as_a_code_on_the_same_selection(built, tmp_path):
    built.export("qdpx", tmp_path / "a.qdpx")
    built.export("qdpx", tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    root = _qde(tmp_path / "a.qdpx")
    top = root.find(f"{NS}CodeBook/{NS}Codes")
    marker = top.findall(f"{NS}Code")[-1]
    assert (marker.get("name"), marker.get("guid")) == (COUNTER_CODE_NAME, COUNTER_CODE_GUID)
    assert "Tegenbewijs" in marker.find(f"{NS}Description").text
    marked = []
    for selection in root.iter(f"{NS}PlainTextSelection"):
        refs = [c.find(f"{NS}CodeRef").get("targetGUID") for c in selection.findall(f"{NS}Coding")]
        if COUNTER_CODE_GUID in refs:
            assert len(refs) == 2 and refs[-1] == COUNTER_CODE_GUID
            marked.append(selection.get("name"))
    assert sorted(marked) == ["De steungroep helpt hem.", "Ik vertrouw haar niet."]
    # not a member of any kind set
    members = {m.get("targetGUID") for m in root.iter(f"{NS}MemberCode")}
    assert COUNTER_CODE_GUID not in members


@needs_shared
def test_export_with_counter_flags_and_roles_is_valid(built, tmp_path):
    lxml = pytest.importorskip("lxml.etree")
    built.export("qdpx", tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as archive:
        document = lxml.fromstring(archive.read("project.qde"))
    schema = lxml.XMLSchema(lxml.parse(str(REFI / "Project-mrt2019.xsd")))
    assert schema.validate(document), schema.error_log


def test_counter_flags_survive_the_round_trip(built, tmp_path):
    copy, result = _roundtrip(built, tmp_path)
    with copy:
        assert result.warnings == [] and result.codings == 5
        assert _codings(copy) == _codings(built)
        assert sum(c[-1] for c in _codings(copy)) == 2
        assert COUNTER_CODE_NAME not in {c.name for c in copy.codebook().codes}
        assert result.codes == ["Steungroep", "Vertrouwen"]
        # and the copy exports the same flags again
        again, _ = _roundtrip(copy, tmp_path, "again")
        with again:
            assert _codings(again) == _codings(built)


def test_reading_the_codebook_of_a_project_leaves_the_marker_out(built, tmp_path):
    built.export("qdpx", tmp_path / "out.qdpx")
    assert [c.name for c in read_codebook(tmp_path / "out.qdpx").codes] == ["Steungroep", "Vertrouwen"]


def test_no_marker_code_without_counter_flags(project, tmp_path):
    write(tmp_path / "int2.txt", INT2)
    write(tmp_path / "book.yaml", BOOK)
    project.import_transcripts([tmp_path / "int2.txt"])
    project.load_codebook(tmp_path / "book.yaml")
    project.reviewer("anna").add("int2", *_span(INT2, "De steungroep helpt hem."), "Steungroep")
    project.export("qdpx", tmp_path / "out.qdpx")
    assert COUNTER_CODE_GUID.encode() not in zipfile.ZipFile(tmp_path / "out.qdpx").read("project.qde")


# Another program's layout: the counter code on its own selection with the same positions.
FOREIGN = """\
<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="f" origin="Other QDA 1.0">
  <Users><User guid="U1" name="ann"/><User guid="U2" name="bob"/></Users>
  <CodeBook><Codes>
    <Code guid="C1" name="Vertrouwen" isCodable="true"/>
    <Code guid="C2" name="Steungroep" isCodable="true"/>
    {marker}
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="S1" name="doc">
      <PlainTextContent>Ik vertrouw haar niet. De steungroep helpt wel.</PlainTextContent>
      {selections}
    </TextSource>
  </Sources>
</Project>
"""


def _selection(guid: str, start: int, end: int, user: str, *codes: str) -> str:
    codings = "".join(
        f'<Coding guid="{guid}-{i}" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'
        for i, code in enumerate(codes)
    )
    return f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}">{codings}</PlainTextSelection>'


def _foreign(tmp_path: Path, marker: str, *selections: str) -> Path:
    path = tmp_path / "foreign.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", FOREIGN.format(marker=marker, selections="".join(selections)))
    return path


NAMED = f'<Code guid="C9" name="{COUNTER_CODE_NAME}" isCodable="true"/>'
OURS = f'<Code guid="{COUNTER_CODE_GUID}" name="{COUNTER_CODE_NAME}" isCodable="true"/>'


def test_a_counter_code_on_its_own_selection_marks_the_codings_of_the_same_span(project, tmp_path):
    path = _foreign(
        tmp_path,
        NAMED,
        _selection("A", 0, 22, "U1", "C1"),
        _selection("B", 0, 22, "U2", "C1"),
        _selection("C", 0, 22, "U1", "C9"),  # ann's marker: ann's coding, not bob's
        _selection("D", 23, 47, "U2", "C2"),
        _selection("E", 23, 47, "U1", "C9"),  # ann's marker, only bob coded it: bob's
    )
    result = project.import_qdpx(path)
    assert result.warnings == [] and result.codes == ["Vertrouwen", "Steungroep"]
    assert [(c["code"], c["coder"], c["counter"]) for c in project.codings()] == [
        ("Vertrouwen", "ann", 1),
        ("Vertrouwen", "bob", 0),
        ("Steungroep", "bob", 1),
    ]


def test_a_code_that_only_shares_the_name_is_an_ordinary_code(project, tmp_path):
    path = _foreign(tmp_path, NAMED, _selection("A", 0, 22, "U1", "C1"), _selection("C", 23, 47, "U1", "C9"))
    result = project.import_qdpx(path)
    assert COUNTER_CODE_NAME in result.codes
    assert sorted((c["code"], c["counter"]) for c in project.codings()) == [
        (COUNTER_CODE_NAME, 0),
        ("Vertrouwen", 0),
    ]


def test_qualcodes_marker_on_a_span_nothing_else_codes_is_dropped_with_a_warning(project, tmp_path):
    path = _foreign(
        tmp_path,
        OURS,
        _selection("A", 0, 22, "U1", "C1", COUNTER_CODE_GUID),
        _selection("C", 23, 47, "U1", COUNTER_CODE_GUID),
    )
    result = project.import_qdpx(path)
    assert COUNTER_CODE_NAME not in {c.name for c in project.codebook().codes}
    assert [(c["code"], c["counter"]) for c in project.codings()] == [("Vertrouwen", 1)]
    assert any("1 counter-evidence coding(s) on a span no other code codes" in w for w in result.warnings)
    assert not any("selection(s) without a code" in w for w in result.warnings)


def test_a_code_under_the_marker_keeps_its_place_at_the_top(project, tmp_path):
    nested = OURS.replace("/>", '><Code guid="C5" name="Onder" isCodable="true"/></Code>')
    path = _foreign(tmp_path, nested, _selection("A", 0, 22, "U1", "C5", COUNTER_CODE_GUID))
    result = project.import_qdpx(path)
    assert "Onder" in result.codes
    assert {c.name: c.parent for c in project.codebook().codes}["Onder"] is None
    assert [(c["code"], c["counter"]) for c in project.codings()] == [("Onder", 1)]


# --- roles of named interviewers ----------------------------------------------------------------


def test_each_source_lists_its_speakers_roles(built, tmp_path):
    built.export("qdpx", tmp_path / "out.qdpx")
    descriptions = {
        s.get("name"): s.find(f"{NS}Description").text
        for s in _qde(tmp_path / "out.qdpx").iter(f"{NS}TextSource")
    }
    assert descriptions == {
        "int1": "qualcode speakers:\n- Lotte (interviewer)\n- R (client)",
        "int2": "qualcode speakers:\n- I (interviewer)\n- N (naaste)",
    }


def test_a_named_interviewer_keeps_her_role_and_her_questions_stay_uncodable(built, tmp_path):
    copy, result = _roundtrip(built, tmp_path)
    with copy:
        assert result.warnings == []
        assert ("int1", "Lotte", "interviewer", None) in _speakers(copy)
        assert _speakers(copy) == _speakers(built)
        before, after = _segments(built), _segments(copy)
        assert after == before and len(before) == 6  # no segment of the four questions
        assert not any(s[3] == "Lotte" for s in after)


def test_roles_the_project_declared_already_are_kept(built, tmp_path):
    built.export("qdpx", tmp_path / "out.qdpx")
    with Project.create(tmp_path / "copy.qc") as copy:
        write(tmp_path / "p.csv", "speaker,source,case,role\nLotte,int1,,moderator\n")
        write(tmp_path / "int1.txt", INT1)
        copy.import_transcripts([tmp_path / "int1.txt"], participants=tmp_path / "p.csv")
        copy.import_qdpx(tmp_path / "out.qdpx")
        assert ("int1", "Lotte", "moderator", None) in _speakers(copy)


def test_a_listed_speaker_who_never_speaks_is_named_in_a_warning(project, tmp_path):
    path = tmp_path / "f.qdpx"
    qde = (
        '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="f">'
        '<Sources><TextSource guid="S1" name="doc">'
        "<Description>qualcode speakers:\n- Lotte (interviewer)\n- Piet (client)\n- kapot</Description>"
        "<PlainTextContent>Lotte: Hoe gaat het?\nMarie: Goed.\n</PlainTextContent>"
        "</TextSource></Sources></Project>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", qde)
    result = project.import_qdpx(path)
    assert any("speak in none of its turns (not kept): Piet" in w for w in result.warnings)
    roles = {s[1]: s[2] for s in _speakers(project)}
    assert roles["Lotte"] == "interviewer"


@pytest.mark.slow
def test_the_example_study_keeps_its_interviewers(tmp_path):
    with Project.create(tmp_path / "a.qc") as original:
        original.import_transcripts([EXAMPLE], participants=EXAMPLE / "participants.csv")
        copy, result = _roundtrip(original, tmp_path)
        with copy:
            assert _speakers(copy) == _speakers(original)
            lotte = [s for s in _speakers(copy) if s[1] == "Lotte"]
            assert lotte and {s[2] for s in lotte} == {"interviewer"}
            before, after = _segments(original), _segments(copy)
            assert len(after) == len(before) and after == before


# --- realist CMOCs as sets ------------------------------------------------------------------------

REALIST_BOOK = """\
name: realist
codes:
  - name: Steungroep
    kind: context
    description: Een groep mensen rond de cliënt.
  - name: Vertrouwen
    kind: mechanism
    description: Vertrouwen groeit.
  - name: Netwerkberaad
    kind: mechanism
    description: Een netwerkberaad.
  - name: Rust, kalmte
    kind: outcome
    description: Rust in het leven.
  - name: Woning
    kind: outcome
    description: Een eigen huis.
"""
CMO_FIELDS = ("key", "statement", "context", "resource", "reasoning", "outcome", "intervention", "actor",
              "confidence", "confidence_reason", "status", "theory_version", "created_by", "retired")  # fmt: skip


@pytest.fixture
def realist(tmp_path) -> Project:
    """int1 with two codings and three CMOCs: one refined with every field (a code name with a
    comma, a reason of two lines), one refuted, one initial without codings of its codes."""
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "int1.txt", INT1)
    project = Project.create(tmp_path / "realist.qc")
    project.import_transcripts([folder])
    project.load_codebook(write(tmp_path / "book.yaml", REALIST_BOOK))
    anna = project.reviewer("anna")
    anna.add("int1", *_span(INT1, "De steungroep helpt wel."), "Steungroep")
    anna.add("int1", *_span(INT1, "Ik vertrouw de buurvrouw."), "Vertrouwen")
    project.add_cmoc(
        "If a support group is there, then rest follows, because trust grows.", "anna",
        context=["Steungroep"], resource=["Netwerkberaad"], reasoning=["Vertrouwen"],
        outcome=["Woning", "Rust, kalmte"], intervention="netwerkberaad, steungroep", actor="professional",
        confidence="medium", confidence_reason="two interviews\nand one memo", theory_version="2",
    )  # fmt: skip
    project.revise_cmoc("CMO1", "bram", memo="a second case", status="refined")
    project.add_cmoc(
        "If trust, then a home.", "bram", reasoning=["Vertrouwen"], outcome=["Woning"], key="T-2"
    )
    project.revise_cmoc("T-2", "bram", memo="the client says otherwise", status="refuted")
    project.add_cmoc(
        "If a network meeting, then rest.", "anna", resource=["Netwerkberaad"], outcome=["Rust, kalmte"]
    )
    yield project
    project.close()


def _cmocs(project: Project) -> list[tuple]:
    return [tuple(getattr(c, f) for f in CMO_FIELDS) for c in project.cmocs()]


def _cmoc_sets(path: Path) -> list[ET.Element]:
    return [s for s in _qde(path).iter(f"{NS}Set") if s.get("name", "").startswith("CMOC ")]


def test_each_cmoc_is_a_set_of_its_codes_with_its_fields_in_the_description(realist, tmp_path):
    from qualcode.refi.xml import code_guid, guid

    realist.export("qdpx", tmp_path / "a.qdpx")
    realist.export("qdpx", tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    sets = _cmoc_sets(tmp_path / "a.qdpx")
    assert [(s.get("name"), s.get("guid")) for s in sets] == [
        ("CMOC CMO1", guid("cmoc", "CMO1")), ("CMOC T-2", guid("cmoc", "T-2")), ("CMOC CMO2", guid("cmoc", "CMO2"))
    ]  # fmt: skip
    members = [m.get("targetGUID") for m in sets[0].findall(f"{NS}MemberCode")]
    names = ["Steungroep", "Netwerkberaad", "Vertrouwen", "Woning", "Rust, kalmte"]
    assert members == [code_guid(n) for n in names]
    assert sets[0].find(f"{NS}Description").text == (
        "qualcode CMOC\nKey: CMO1\n"
        "Statement: If a support group is there, then rest follows, because trust grows.\n"
        "Context: Steungroep\nResource: Netwerkberaad\nReasoning: Vertrouwen\nOutcome: Woning\n"
        "Outcome: Rust, kalmte\nIntervention: netwerkberaad, steungroep\nActor: professional\n"
        "Confidence: medium\nConfidence reason: two interviews\n  and one memo\nStatus: refined\n"
        "Theory version: 2\nCreated by: anna"
    )
    # one Sets element: the kind sets first, then the CMOCs
    root = _qde(tmp_path / "a.qdpx")
    assert len(root.findall(f"{NS}Sets")) == 1
    assert [s.get("name") for s in root.find(f"{NS}Sets")][:3] == ["context", "mechanism", "outcome"]


@needs_shared
def test_an_export_with_cmoc_sets_is_valid(realist, tmp_path):
    lxml = pytest.importorskip("lxml.etree")
    realist.export("qdpx", tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as archive:
        document = lxml.fromstring(archive.read("project.qde"))
    schema = lxml.XMLSchema(lxml.parse(str(REFI / "Project-mrt2019.xsd")))
    assert schema.validate(document), schema.error_log


def test_cmocs_survive_the_round_trip(realist, tmp_path):
    copy, result = _roundtrip(realist, tmp_path)
    with copy:
        assert result.warnings == [] and result.cmocs == ["CMO1", "T-2", "CMO2"]
        assert _cmocs(copy) == _cmocs(realist)
        history = copy.cmoc_history("CMO1")
        assert [(h.action, h.by, h.from_status, h.to_status) for h in history] == [
            ("create", "anna", None, "refined")
        ]
        assert history[0].memo == "imported from copy.qdpx (REFI-QDA set 'CMOC CMO1')"
        assert history[0].changes["outcome"] == [[], ["Woning", "Rust, kalmte"]]
        assert {c.name: c.kind for c in copy.codebook().codes}[
            "Rust, kalmte"
        ] == "outcome"  # kinds still read
        # the copy can go on: a refuted CMOC reopens, and a new one gets the next key
        assert copy.revise_cmoc("T-2", "anna", memo="new data", status="refined").status == "refined"
        assert copy.add_cmoc("If x, then y.", "anna", outcome=["Woning"]).key == "CMO3"
        again, _ = _roundtrip(copy, tmp_path, "again")
        with again:
            assert [c.key for c in again.cmocs()] == ["CMO1", "T-2", "CMO2", "CMO3"]
            assert _cmocs(again)[0] == _cmocs(realist)[0]


def test_importing_cmocs_the_project_has_keeps_its_own(realist, tmp_path):
    realist.export("qdpx", tmp_path / "out.qdpx")
    result = realist.import_qdpx(tmp_path / "out.qdpx")
    assert result.cmocs == []
    assert sum("is in the project already; kept the project's" in w for w in result.warnings) == 3
    assert [h.action for h in realist.cmoc_history("CMO1")] == ["create", "revise"]


# Another program's project: a foreign set, qualcode CMOC sets edited there.
SETS = """\
<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="f" origin="Other QDA 1.0">
  <CodeBook><Codes>
    <Code guid="C1" name="Vertrouwen" isCodable="true"/>
    <Code guid="C2" name="Kalmte" isCodable="true"/>
  </Codes></CodeBook>
  <Sets>
    <Set guid="S1" name="Mijn favorieten"><Description>codes I like</Description><MemberCode targetGUID="C1"/></Set>
    <Set guid="K1" name="mechanism"><MemberCode targetGUID="C1"/></Set>
    <Set guid="K2" name="outcome"><MemberCode targetGUID="C2"/></Set>
    {sets}
  </Sets>
</Project>
"""


def _set(guid: str, description: str, *members: str) -> str:
    refs = "".join(f'<MemberCode targetGUID="{m}"/>' for m in members)
    return f'<Set guid="{guid}" name="CMOC {guid}"><Description>{description}</Description>{refs}</Set>'


def _sets(tmp_path: Path, *sets: str) -> Path:
    path = tmp_path / "sets.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", SETS.format(sets="".join(sets)))
    return path


def test_cmoc_sets_edited_elsewhere_and_foreign_sets(project, tmp_path):
    renamed = "qualcode CMOC\nKey: A1\nStatement: If trust, then rest.\nReasoning: Vertrouwen\nOutcome: Rust\nStatus: confirmed"
    unknown = (
        "QUALCODE CMOC\nKey: A2\nStatement: If trust, then a home.\nReasoning: Vertrouwen\nOutcome: Woning"
    )
    broken = "qualcode CMOC\nKey: A3\nStatement: x\nThis line is no field"
    empty = "qualcode CMOC\nKey: A4\nStatement: If nothing.\nOutcome: Woning"
    twice = "qualcode CMOC\nKey: A5\nKey: A6\nStatement: x\nOutcome: Kalmte"
    path = _sets(
        tmp_path,
        _set("A1", renamed, "C1", "C2"),  # Rust was renamed Kalmte in the other program
        _set("A2", unknown, "C1"),
        _set("A3", broken, "C1"),
        _set("A4", empty),
        _set("A5", twice, "C2"),
    )
    result = project.import_qdpx(path)
    assert result.cmocs == ["A1", "A2"]
    a1, a2 = project.cmocs()
    assert (a1.reasoning, a1.outcome, a1.status, a1.created_by) == (
        ("Vertrouwen",),
        ("Kalmte",),
        "confirmed",
        "imported",
    )
    assert (a2.reasoning, a2.outcome, a2.status) == (("Vertrouwen",), (), "initial")
    warned = "\n".join(result.warnings)
    assert "CMOC 'A2': code 'Woning' (its outcome) is not in the codebook; left out" in warned
    assert "set 'CMOC A3' is marked as a qualcode CMOC, but line 4 is not one of its fields" in warned
    assert "set 'CMOC A4' was not imported as a CMOC: a CMOC needs at least one code" in warned
    assert "line 3 gives the Key a second time" in warned
    assert (
        "not carried over: 1 set(s) other than qualcode's code kinds" in warned
    )  # the foreign set, as before
