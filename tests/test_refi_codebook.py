"""REFI-QDA codebooks: writing .qdc, reading .qdc/.qdpx/.qde, and the samples other tools wrote."""

from __future__ import annotations

import warnings
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.codebook import read_codebook, write_codebook
from qualcode.codebook.model import Code, Codebook
from qualcode.errors import InputError, QualcodeWarning
from qualcode.refi.codebook import (
    format_description,
    parse_description,
    read_qdc,
    read_qdpx_codebook,
    write_qdc,
)
from qualcode.refi.xml import code_guid, set_guid
from tests.conftest import SHARED, needs_shared, write

REFI = SHARED / "data" / "refi-qda"
SAMPLES = REFI / "samples"


def study_codebook() -> Codebook:
    """Three levels deep, every field filled somewhere, Dutch diacritics and quotes."""
    return Codebook(
        [
            Code(
                "Netwerk",
                "Het sociale netwerk van de cliënt: wie er is en wie er helpt.",
                kind="context",
                colour="#1F77B4",
                label="Netwerk",
            ),
            Code(
                "Naaste",
                "Familie, vrienden of buren van de cliënt.\nNiet: hulpverleners.",
                parent="Netwerk",
                kind="actor",
                colour="#aabbcc",
                inclusion=[
                    "familielid, vriend of buur die de cliënt steunt",
                    "ex-partner als die contact heeft",
                ],
                exclusion=["professionele hulpverlener", "ervaringsdeskundige in dienst"],
                examples=['"Mijn zus belde elke dag," zei hij.', "Ik had niemand meer, geen één."],
                keywords=["zus", "familie", "broer"],
                lemmas=["naaste", "broer", "zus"],
                label="Naasten",
                formerly=["Familie"],
            ),
            Code(
                "Zus",
                "",
                parent="Naaste",
                kind="actor",
                keywords=["zus, zuster", "zusje"],  # a comma inside a keyword: written as a list
                lemmas=["zus"],
            ),
            Code(
                "Netwerkberaad",
                "Een bijeenkomst van cliënt en naasten om hulp te regelen.",
                kind="mechanism",
                inclusion=["beraad of steungroep met\nmeer dan één naaste"],
                examples=["„We zaten met z'n allen aan tafel”", "Het café-overleg\nliep uit."],
                merges=["Steungroep", "Actieteam"],
            ),
            Code("Te klein netwerk", "Er zijn te weinig naasten.", kind="bottleneck", colour="#D62728"),
            Code("Overig", "Wat nergens anders past."),
        ],
        name="netwerkondersteuning",
    )


# --- writing and reading back -------------------------------------------------------------


def test_round_trip_keeps_every_field(tmp_path):
    original = study_codebook()
    write_qdc(original, tmp_path / "codes.qdc")
    codebook, notes = read_qdc(tmp_path / "codes.qdc")
    assert notes == []
    assert codebook.codes == original.codes
    assert codebook.path == str(tmp_path / "codes.qdc")
    assert codebook.name == "codes"
    assert all(code.line is None for code in codebook.codes)


def test_round_trip_through_the_codebook_api(tmp_path):
    write_codebook(study_codebook(), tmp_path / "codes.qdc")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_codebook(tmp_path / "codes.qdc").codes == study_codebook().codes


def test_writing_is_deterministic(tmp_path):
    write_qdc(study_codebook(), tmp_path / "a.qdc")
    write_qdc(study_codebook(), tmp_path / "b.qdc")
    assert (tmp_path / "a.qdc").read_bytes() == (tmp_path / "b.qdc").read_bytes()


def test_guids_are_stable_and_upper_case(tmp_path):
    # Fixed values: if these change, every file qualcode ever wrote gets new GUIDs.
    assert code_guid("Naaste") == "18869F9B-5082-599B-8F54-5566ADB90DE1"
    assert set_guid("actor") == "F93AF401-633F-5D75-B976-AD24E25B0060"
    write_qdc(study_codebook(), tmp_path / "codes.qdc")
    text = (tmp_path / "codes.qdc").read_text(encoding="utf-8")
    assert 'guid="18869F9B-5082-599B-8F54-5566ADB90DE1" name="Naaste"' in text
    assert '<MemberCode guid="18869F9B-5082-599B-8F54-5566ADB90DE1" />' in text


def test_written_file_layout(tmp_path):
    write_qdc(study_codebook(), tmp_path / "codes.qdc", origin="qualcode test")
    text = (tmp_path / "codes.qdc").read_text(encoding="utf-8")
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>\n")
    assert '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="qualcode test">' in text
    assert 'name="Naaste" isCodable="true" color="#aabbcc"' in text
    # one set per kind used, in the order of KINDS; the default kind "other" gets none
    assert [line.strip() for line in text.splitlines() if "<Set " in line] == [
        f'<Set guid="{set_guid(kind)}" name="{kind}">'
        for kind in ("actor", "context", "mechanism", "bottleneck")
    ]
    assert "qualcode code kind" in text


def test_no_sets_when_every_code_is_of_kind_other(tmp_path):
    write_qdc(Codebook([Code("A"), Code("B", parent="A")]), tmp_path / "codes.qdc")
    assert "<Sets" not in (tmp_path / "codes.qdc").read_text(encoding="utf-8")


@needs_shared
def test_written_file_is_valid_against_the_schema(tmp_path):
    etree = pytest.importorskip("lxml.etree")
    schema = etree.XMLSchema(etree.parse(str(REFI / "Codebook.xsd")))
    for codebook in (study_codebook(), Codebook([Code("Alleen")])):
        write_qdc(codebook, tmp_path / "codes.qdc")
        document = etree.parse(str(tmp_path / "codes.qdc"))
        assert schema.validate(document), schema.error_log


def test_writing_refuses_an_empty_or_broken_codebook(tmp_path):
    with pytest.raises(InputError, match="no codes"):
        write_qdc(Codebook([]), tmp_path / "codes.qdc")
    with pytest.raises(InputError, match="unknown parent"):
        write_qdc(Codebook([Code("A", parent="B")]), tmp_path / "codes.qdc")
    assert not (tmp_path / "codes.qdc").exists()


# --- the description format ---------------------------------------------------------------


def test_description_reads_well_in_another_tool():
    code = study_codebook().by_name()["Naaste"]
    assert format_description(code) == (
        "Familie, vrienden of buren van de cliënt.\nNiet: hulpverleners.\n"
        "\n"
        "Inclusie:\n"
        "- familielid, vriend of buur die de cliënt steunt\n"
        "- ex-partner als die contact heeft\n"
        "Exclusie:\n"
        "- professionele hulpverlener\n"
        "- ervaringsdeskundige in dienst\n"
        "Voorbeelden:\n"
        '- ""Mijn zus belde elke dag," zei hij."\n'
        '- "Ik had niemand meer, geen één."\n'
        "Trefwoorden: zus, familie, broer\n"
        "Lemma's: naaste, broer, zus\n"
        "Label: Naasten\n"
        "Eerdere namen: Familie"
    )


def test_description_without_sections_is_all_definition():
    for text in (
        "Gewoon een definitie.",
        "Label: dit is geen label,\nmaar de eerste regel van een definitie.",
        "Definitie.\n\nInclusie:\n- a\nen dan weer gewone tekst",
        "Voorbeeld: iemand zegt iets",
        "Zie hieronder.\n\nInclusie:",
        "",
    ):
        assert parse_description(text) == {"description": text.strip()}


def test_description_edited_by_hand_still_parses():
    text = (
        "Steun van naasten.\r\n\r\n"
        "Inclusion:\r\n* hulp bij verhuizen\r\n  of bij de post\r\n"
        "\r\n"
        "examples:\r\n- “Ze kwam elke week.”\r\n"
        "Keywords: hulp,  steun ,\r\n"
        "Lemma’s:\r\n- helpen\r\n"
        "Label: Steun"
    )
    assert parse_description(text) == {
        "description": "Steun van naasten.",
        "inclusion": ["hulp bij verhuizen\nof bij de post"],
        "examples": ["Ze kwam elke week."],
        "keywords": ["hulp", "steun"],
        "lemmas": ["helpen"],
        "label": "Steun",
    }


def test_definition_that_looks_like_sections_gets_its_own_heading():
    code = Code("A", "Label: geen label\n\nInclusie:\n- ook geen criterium", keywords=["a"])
    text = format_description(code)
    assert text == "Definitie: Label: geen label\n  \n  Inclusie:\n  - ook geen criterium\nTrefwoorden: a"
    assert parse_description(text) == {"description": code.description, "keywords": ["a"]}


_PIECES = list("ab é,:\"'-*•\n“”„\t") + ["Inclusie:", "Label: ", "\n- ", "\n  ", "\n\n", "Definitie:"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join).map(str.strip)
_ITEMS = st.lists(_TEXT.filter(bool), max_size=3)


@settings(max_examples=300, deadline=None)
@given(_TEXT, _ITEMS, _ITEMS, _ITEMS, _ITEMS, st.one_of(st.none(), _TEXT.filter(bool)), _ITEMS)
def test_description_round_trip_property(definition, inclusion, examples, keywords, lemmas, label, merges):
    """Whatever the texts hold (headings, bullets, quotes, commas, blank lines), they come back."""
    code = Code("A", definition, inclusion=inclusion, exclusion=inclusion[::-1], examples=examples,
                keywords=keywords, lemmas=lemmas, label=label, formerly=lemmas[:1], merges=merges)  # fmt: skip
    back = Code("A", **parse_description(format_description(code)))
    assert back == code


# --- the samples other tools wrote --------------------------------------------------------


@needs_shared
def test_atlasti_codebook_sample():
    codebook, notes = read_qdpx_codebook(SAMPLES / "atlasti-codebook.qdpx")
    assert notes == []
    assert [(c.name, c.parent) for c in codebook.codes] == [
        ("Commits", None),
        ("2022-05-10T02:05:59Z 19e4dce", "Commits"),
        ("2022-02-11T10:39:25Z cdbfd92", "Commits"),
    ]
    assert all(c.colour is None and c.description == "" and c.kind == "other" for c in codebook.codes)
    assert codebook.path == str(SAMPLES / "atlasti-codebook.qdpx")


@needs_shared
def test_atlasti_blank_sample_has_no_codes():
    codebook, notes = read_qdpx_codebook(SAMPLES / "atlasti-blank.qdpx")
    assert codebook.codes == []
    assert len(notes) == 1 and "atlasti-blank.qdpx" in notes[0] and "no codebook" in notes[0]


@needs_shared
def test_nvivo_sample():
    codebook, notes = read_qdpx_codebook(SAMPLES / "nvivo-hungarian.qdpx")
    # Counted in project.qde: 152 <Code> elements, 12 at the top, no colours, no sets,
    # 82 with a <Description>, one folder (isCodable="false"): Attituderoots.
    assert len(codebook.codes) == 152
    assert [c.name for c in codebook.children(None)] == [
        "1. Oltás típusa",
        "2. Attitűd szint az oltáshoz",
        "3. Retorikai eszköz",
        "4. Értékek",
        "5. Identitások",
        "HBM 1. Perceived Susceptibility – Észlelt fogékonyság",
        "HBM 2. Perceived Severity – Észlelt súlyosság",
        "HBM 3. Észlelt haszon (Perceived Benefits)",
        "HBM 4. Perceived Barriers – Észlelt akadályok",
        "HBM 5. Cue to Action – Cselekvésre ösztönző inger",
        "HBM 6. Self-Efficacy – Önhatékonyság",
        "Attituderoots",
    ]
    assert [c.name for c in codebook.children("1. Oltás típusa")] == ["COVID", "Nem COVID"]
    assert len(codebook.children("Attituderoots")) == 11
    by_name = codebook.by_name()
    chain, code = [], by_name["forradalom, ellenállás"]
    while code.parent:
        code = by_name[code.parent]
        chain.append(code.name)
    assert chain == [
        "politikusokkal szembeli bizalmatlanság",
        "politikai",
        "HBM 4. Perceived Barriers – Észlelt akadályok",
    ]
    assert by_name["+Jews"].parent == "Oppressive outgroups"
    assert by_name["elhúzódó hatás"].parent == "Betegség kockázatai"
    assert by_name["1. Oltás típusa"].description == "COVID vay nem COVID"
    assert by_name["relativizálás, analógiák"].description == "csak egy nátha"
    assert by_name["2. Attitűd szint az oltáshoz"].description == (
        "Erősen szkeptikus (piros)\nEnyhén szkeptikus, kétkedő (sárga)\nElfogadó (zöld)"
    )
    assert sum(1 for c in codebook.codes if c.description) == 82
    assert all(c.colour is None and c.kind == "other" for c in codebook.codes)
    assert notes == [
        f"{SAMPLES / 'nvivo-hungarian.qdpx'}: 1 code(s) are folders (isCodable=false) in the file; "
        "qualcode lets every code be used for coding: Attituderoots"
    ]


# --- foreign files built here -------------------------------------------------------------

FOREIGN_PROJECT = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Studie" origin="test">
  <CodeBook>
    <Codes>
      <Code guid="{00000000-0000-0000-0000-000000000001}" name="Clients" isCodable="false" color="#abc">
        <Code guid="00000000-0000-0000-0000-000000000002" name="Trust" isCodable="true" color="#A1B2C3"/>
      </Code>
      <Code guid="00000000-0000-0000-0000-000000000003" name="Staff" isCodable="true" color="red">
        <Code guid="00000000-0000-0000-0000-000000000004" name=" Trust " isCodable="true"/>
      </Code>
      <Code guid="00000000-0000-0000-0000-000000000005" name="Trust" isCodable="true"/>
      <Code guid="00000000-0000-0000-0000-000000000006" name="Trust" isCodable="true"/>
      <Code guid="00000000-0000-0000-0000-000000000007" name="Team" isCodable="true">
        <Description>Het team.</Description>
        <Code guid="00000000-0000-0000-0000-000000000008" name="Clients" isCodable="true">
          <Code guid="00000000-0000-0000-0000-000000000009" name="Trust" isCodable="true"/>
        </Code>
      </Code>
    </Codes>
  </CodeBook>
  <Sets>
    <Set guid="00000000-0000-0000-0000-0000000000A1" name="Mechanism">
      <MemberCode targetGUID="00000000-0000-0000-0000-000000000007"/>
      <MemberCode targetGUID="00000000-0000-0000-0000-0000000000FF"/>
    </Set>
    <Set guid="00000000-0000-0000-0000-0000000000A2" name="actor">
      <MemberCode targetGUID="00000000-0000-0000-0000-000000000001"/>
      <MemberCode targetGUID="00000000-0000-0000-0000-000000000007"/>
    </Set>
    <Set guid="00000000-0000-0000-0000-0000000000A3" name="Belangrijk">
      <MemberCode targetGUID="00000000-0000-0000-0000-000000000002"/>
    </Set>
  </Sets>
</Project>
"""


def make_qdpx(path, members: dict[str, str]):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_foreign_project_with_duplicates_colours_and_sets(tmp_path):
    # ATLAS.ti names the .qde after the project rather than project.qde
    path = make_qdpx(tmp_path / "studie.qdpx", {"Studie.qde": FOREIGN_PROJECT, "sources/a.txt": "x"})
    codebook, notes = read_qdpx_codebook(path)
    assert [(c.name, c.parent) for c in codebook.codes] == [
        ("Clients", None),
        ("Trust (Clients)", "Clients"),
        ("Staff", None),
        ("Trust (Staff)", "Staff"),
        ("Trust", None),
        ("Trust (2)", None),
        ("Team", None),
        ("Clients (Team)", "Team"),
        ("Trust (Clients) (2)", "Clients (Team)"),
    ]
    by_name = codebook.by_name()
    assert by_name["Clients"].colour == "#aabbcc"
    assert by_name["Trust (Clients)"].colour == "#A1B2C3"
    assert by_name["Staff"].colour is None
    assert by_name["Team"].description == "Het team."
    assert by_name["Team"].kind == "mechanism"
    assert by_name["Clients"].kind == "actor"
    assert by_name["Trust (Clients)"].kind == "other"
    assert all(note.startswith(f"{path}: ") for note in notes)
    renamed = [note for note in notes if "renamed" in note]
    assert len(renamed) == 5
    assert (
        "code 'Trust' under 'Clients' is one of 5 codes with that name; renamed to 'Trust (Clients)'"
        in renamed[0]
    )
    assert any("'Clients' under 'Team'" in note and "'Clients (Team)'" in note for note in renamed)
    assert any("colour 'red'" in note for note in notes)
    assert any("kinds 'mechanism' and 'actor'" in note for note in notes)
    assert any("folders" in note and "Clients" in note for note in notes)


def test_read_codebook_turns_notes_into_warnings(tmp_path):
    path = make_qdpx(tmp_path / "studie.qdpx", {"project.qde": FOREIGN_PROJECT})
    with pytest.warns(QualcodeWarning) as record:
        codebook = read_codebook(path)
    assert len(codebook.codes) == 9
    messages = [str(w.message) for w in record]
    assert len(messages) == 8
    assert (
        f"{path}: code 'Trust' under 'Staff' is one of 5 codes with that name; renamed to 'Trust (Staff)'"
        in messages
    )


def test_bare_qde_and_project_qde_preferred(tmp_path):
    bare = write(tmp_path / "project.qde", FOREIGN_PROJECT)
    assert len(read_qdpx_codebook(bare)[0].codes) == 9
    path = make_qdpx(tmp_path / "two.qdpx", {"other.qde": "not read", "project.qde": FOREIGN_PROJECT})
    codebook, notes = read_qdpx_codebook(path)
    assert len(codebook.codes) == 9
    assert any("several .qde files; read project.qde, ignored other.qde" in note for note in notes)


def test_qdc_written_by_another_tool(tmp_path):
    # the example codebook of the REFI-QDA standard (annex A.1), GUIDs in braces
    path = write(
        tmp_path / "topics.qdc",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n<Codes>\n'
        '<Code guid="{5215cc69-b628-4e02-afb9-9beeaee55808}" name="Topics" isCodable="false">\n'
        '<Code guid="{d7aa29da-519b-4946-9b90-253b6db8fd0a}" name="Economy" isCodable="true" color="#ffff00">\n'
        "<Description>Anything about jobs or taxes or business</Description>\n</Code>\n</Code>\n"
        "</Codes>\n<Sets>\n"
        '<Set guid="{0dcef2f5-e55c-49da-8c33-9b0803c7aeb4}" name="theme">'
        '<MemberCode guid="D7AA29DA-519B-4946-9B90-253B6DB8FD0A"/></Set>\n'
        "</Sets>\n</CodeBook>\n",
    )
    codebook, _ = read_qdc(path)
    economy = codebook.by_name()["Economy"]
    assert (economy.parent, economy.colour, economy.kind) == ("Topics", "#ffff00", "theme")
    assert economy.description == "Anything about jobs or taxes or business"


# --- errors -------------------------------------------------------------------------------


def test_text_file_named_qdc(tmp_path):
    path = write(tmp_path / "codes.qdc", "code,description,parent\nNaaste,familie,\n")
    with pytest.raises(InputError) as caught:
        read_qdc(path)
    assert str(caught.value).startswith(f"{path}, line 1: not a valid XML file")
    assert "export it again" in str(caught.value)
    assert caught.value.line == 1


def test_zip_named_qdc(tmp_path):
    path = make_qdpx(tmp_path / "codes.qdc", {"project.qde": FOREIGN_PROJECT})
    with pytest.raises(InputError, match="name it .qdpx") as caught:
        read_qdc(path)
    assert str(path) in str(caught.value)


def test_qdpx_without_a_qde(tmp_path):
    path = make_qdpx(tmp_path / "project.qdpx", {"sources/a.txt": "tekst"})
    with pytest.raises(InputError) as caught:
        read_qdpx_codebook(path)
    assert str(caught.value) == (
        f"{path}: the archive holds no .qde file, so it is not a REFI-QDA project; "
        "export the project again from your QDA program as 'REFI-QDA project (.qdpx)'"
    )


def test_broken_xml_inside_a_qdpx(tmp_path):
    path = make_qdpx(tmp_path / "project.qdpx", {"project.qde": "<Project>\n<CodeBook>\n</Project>"})
    with pytest.raises(InputError, match="in project.qde inside the archive") as caught:
        read_qdpx_codebook(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 3


def test_wrong_root_element(tmp_path):
    path = write(tmp_path / "codes.qdc", '<?xml version="1.0"?>\n<html><body/></html>\n')
    with pytest.raises(InputError) as caught:
        read_qdc(path)
    assert str(caught.value).startswith(f"{path}, line 2: the root element is <html>, not <CodeBook>")


def test_code_without_a_name(tmp_path):
    path = write(
        tmp_path / "codes.qdc",
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n'
        '<Code guid="00000000-0000-0000-0000-000000000001" name="A" isCodable="true">\n'
        '  <Code guid="00000000-0000-0000-0000-000000000002" name=" " isCodable="true"/>\n'
        "</Code></Codes></CodeBook>",
    )
    with pytest.raises(InputError) as caught:
        read_qdc(path)
    assert str(caught.value).startswith(
        f"{path}, line 3: a <Code> without a name (guid 00000000-0000-0000-0000-000000000002); give the code a name"
    )


def test_missing_file_and_non_xml_qdpx(tmp_path):
    with pytest.raises(InputError, match="cannot read the file"):
        read_qdc(tmp_path / "missing.qdc")
    path = write(tmp_path / "project.qdpx", "geen zip en geen XML")
    with pytest.raises(InputError, match="not a valid XML file") as caught:
        read_qdpx_codebook(path)
    assert caught.value.path == str(path)
