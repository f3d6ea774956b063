"""Tables as people hand them in: comma, semicolon (Dutch Excel's "CSV") and tab separated CSV
files, and .xlsx workbooks, for participants, codebooks, codings, turn lists and survey answers;
and the warnings for what is allowed but probably a mistake."""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode import InputError, Project
from qualcode.cli import main
from qualcode.codebook import read_codebook
from qualcode.errors import QualcodeWarning
from qualcode.ingest import read_transcript, sheets
from qualcode.ingest.csvtable import read_table, sheet_choice, sniff_delimiter
from qualcode.ingest.participants import read_participants
from tests.conftest import write

openpyxl = pytest.importorskip("openpyxl")

PARTICIPANTS = [
    ["speaker", "case", "role", "leeftijd", "start"],
    ["R", "jeroen", "client", "34", "2023-05-01"],
    ["I", "", "interviewer", "", ""],
]
INTERVIEW = "I: Hoe gaat het met je netwerk?\nR: Mijn zus helpt. De steungroep ook.\n"


def _csv(path: Path, rows: list[list[str]], sep: str) -> Path:
    return write(path, "".join(sep.join(row) + "\n" for row in rows))


def _xlsx(path: Path, sheets_rows: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets_rows.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _notes(do):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = do()
    return result, [str(w.message) for w in caught if issubclass(w.category, QualcodeWarning)]


# --- the separator ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("speaker,case,role\nR,c1,client\n", ","),
        ("speaker;case;role\nR;c1;client\n", ";"),
        ("speaker\tcase\trole\nR\tc1\tclient\n", "\t"),
        ('code,description,parent\nA,"Iets; nog iets; en meer",\nB,Ook; dit,\n', ","),
        ('code;description;parent\nA;"Een, twee, drie";\nB;Vier, vijf;\n', ";"),
        ("code\nA\nB\n", ","),  # one column: nothing to tell
        ("speaker;case;role\n", ";"),  # a header alone decides
        ('"speaker";"case";"role"\n"R";"c1";"client"\n', ";"),
    ],
)
def test_the_separator_is_detected(text, expected):
    assert sniff_delimiter(text) == expected


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolon"), ("\t", "tab")])
def test_participants_in_any_separator_and_the_separator_is_said(tmp_path, sep, name):
    path = _csv(tmp_path / "p.csv", PARTICIPANTS, sep)
    declared = read_participants(path)
    assert [(r.speaker, r.case, r.role) for r in declared.rows] == [
        ("R", "jeroen", "client"),
        ("I", "", "interviewer"),
    ]
    assert declared.case_attributes == {"jeroen": {"leeftijd": "34", "start": "2023-05-01"}}
    assert declared.warnings == [f"{path}: read as {name}-separated (fields separated by {sep!r})"]


def test_a_comma_csv_says_nothing_about_its_separator(tmp_path):
    assert read_participants(_csv(tmp_path / "p.csv", PARTICIPANTS, ",")).warnings == []


def test_a_missing_column_names_what_was_found(tmp_path):
    path = write(tmp_path / "p.csv", "speaker;rol\nR;client\n")
    with pytest.raises(InputError) as caught:
        read_participants(path)
    assert str(caught.value) == (
        f"{path}, line 1: the participants CSV needs the columns speaker,case,role (then any case "
        "attributes); missing: case, role (found separated by semicolons: speaker, rol)"
    )


def test_line_numbers_stay_right_with_another_separator(tmp_path):
    path = write(tmp_path / "p.csv", "speaker;case;role\nR;c1;client\n;c2;client\n")
    with pytest.raises(InputError, match=r"p.csv, line 3: every row needs a speaker and a role"):
        read_participants(path)


def test_a_semicolon_codebook_and_its_keywords(tmp_path):
    path = write(
        tmp_path / "book.csv",
        "code;description;parent;keywords\nNetwerk;Het netwerk;;netwerk; familie\n"
        'Steungroep;"Een groep, rond de cliënt";Netwerk;"steungroep; netwerkberaad"\n',
    )
    book, notes = _notes(lambda: read_codebook(path))
    assert [(c.name, c.parent, c.keywords) for c in book.codes] == [
        ("Netwerk", None, ["netwerk"]),
        ("Steungroep", "Netwerk", ["steungroep", "netwerkberaad"]),
    ]
    assert notes == [f"{path}: read as semicolon-separated (fields separated by ';')"]


def test_keywords_with_commas_but_no_semicolon_are_warned_about(tmp_path):
    path = write(
        tmp_path / "book.csv",
        'code,description,parent,keywords\nSteungroep,Een groep,,"steungroep, netwerkberaad, actieteam"\n'
        'Woning,Een huis,,"eigen huis; woning, kamer"\n',
    )
    book, notes = _notes(lambda: read_codebook(path))
    assert book.codes[0].keywords == ["steungroep, netwerkberaad, actieteam"]  # kept as written
    assert notes == [
        f"{path}, line 2: the keywords of code 'Steungroep' are one keyword with commas "
        "('steungroep, netwerkberaad, actieteam'); separate keywords with ';' (did you mean "
        "'steungroep; netwerkberaad; actieteam'?)"
    ]


def test_codes_that_differ_only_in_case_are_warned_about(tmp_path):
    path = write(tmp_path / "book.csv", "code,description,parent\nSteungroep,a,\nWoning,b,\nsteungroep,c,\n")
    book, notes = _notes(lambda: read_codebook(path))
    assert len(book.codes) == 3
    assert notes == [
        f"{path}, line 4: codes 'Steungroep' (line 2) and 'steungroep' differ only in case; they are "
        "two codes: rename one, or merge them (merges: [...])"
    ]


def test_yaml_codebooks_get_the_case_warning_too(tmp_path):
    path = write(tmp_path / "book.yaml", "codes:\n  - name: Wonen\n  - name: WONEN\n")
    _, notes = _notes(lambda: read_codebook(path))
    assert len(notes) == 1 and "'Wonen'" in notes[0] and "'WONEN' differ only in case" in notes[0]


def test_a_semicolon_turns_csv_is_a_transcript(tmp_path):
    path = write(
        tmp_path / "turns.csv", "speaker;text;time\nI;Hoe gaat het?;00:00:05\nR;Goed, dank je.;00:00:09\n"
    )
    transcript = read_transcript(path)
    assert [(t.speaker, t.text, t.time) for t in transcript.turns] == [
        ("I", "Hoe gaat het?", 5.0),
        ("R", "Goed, dank je.", 9.0),
    ]
    assert any("read as semicolon-separated" in w for w in transcript.warnings)


def test_a_folder_import_tells_turn_tables_from_other_tables(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "turns.csv", "speaker;text\nI;Vraag?\nR;Antwoord.\n")
    write(folder / "codes.csv", "code;description;parent\nA;b;\n")
    _xlsx(folder / "beurten.xlsx", {"Blad1": [["speaker", "text"], ["I", "Vraag?"], ["R", "Antwoord!"]]})
    _xlsx(folder / "andere.xlsx", {"Blad1": [["code", "description"], ["A", "b"]]})
    with Project.create(tmp_path / "p.qc") as project:
        report = project.import_transcripts([folder])
        assert sorted(report.imported) == ["beurten", "turns"]
        assert sorted((Path(p).name, why) for p, why in report.skipped) == [
            ("andere.xlsx", "a workbook without speaker,text columns (not a turns table)"),
            ("codes.csv", "a CSV without speaker,text columns (not a turns table)"),
        ]
        assert project.source_text("beurten") == "I: Vraag?\n\nR: Antwoord!\n"


def test_codings_and_units_in_semicolon_csv(tmp_path):
    runner = CliRunner()
    project = str(tmp_path / "p.qc")
    write(tmp_path / "int1.txt", INTERVIEW)
    write(tmp_path / "book.csv", "code;description;parent\nNetwerk;n;\nSteungroep;s;\n")
    start = INTERVIEW.index("Mijn zus helpt.")
    write(tmp_path / "codings.csv", f"source;start;end;code;coder\nint1;{start};{start + 15};Netwerk;anna\n")
    write(tmp_path / "answers.csv", "id;text;anna\na1;Mijn zus, echt waar.;Netwerk\n")
    for args in (
        ["init", project],
        ["import", project, str(tmp_path / "int1.txt")],
        ["codebook", "load", project, str(tmp_path / "book.csv")],
    ):
        assert runner.invoke(main, args).exit_code == 0
    result = runner.invoke(main, ["codings", "import", project, str(tmp_path / "codings.csv")])
    assert result.exit_code == 0, result.output
    assert "imported 1 codings by anna" in result.output
    assert "warning: " + str(tmp_path / "codings.csv") + ": read as semicolon-separated" in result.stderr
    result = runner.invoke(
        main, ["units", "import", project, str(tmp_path / "answers.csv"), "--coders", "anna"]
    )
    assert result.exit_code == 0, result.output
    assert "imported 1 units" in result.output and "read as semicolon-separated" in result.stderr


# --- workbooks ----------------------------------------------------------------------------------


def test_participants_from_a_workbook_with_dates_and_numbers(tmp_path):
    rows = [
        ["speaker", "case", "role", "leeftijd", "lengte", "start", "rookt"],
        ["R", "jeroen", "client", 34, 1.82, dt.datetime(2023, 5, 1), True],
        ["N", "ellen", "naaste", 61.0, 1.7, dt.date(2023, 6, 12), False],
        [None, None, None],  # an empty row is no row
        ["I", None, "interviewer"],
    ]
    path = _xlsx(tmp_path / "p.xlsx", {"Deelnemers": rows})
    declared = read_participants(path)
    assert [(r.speaker, r.case, r.role, r.line) for r in declared.rows] == [
        ("R", "jeroen", "client", 2),
        ("N", "ellen", "naaste", 3),
        ("I", "", "interviewer", 5),
    ]
    assert declared.attribute_types == {
        "leeftijd": "integer", "lengte": "float", "start": "date", "rookt": "boolean",
    }  # fmt: skip
    assert declared.case_attributes["jeroen"] == {
        "leeftijd": "34", "lengte": "1.82", "start": "2023-05-01", "rookt": "true",
    }  # fmt: skip
    assert declared.warnings == []


def test_the_first_sheet_is_read_and_another_can_be_chosen(tmp_path):
    path = _xlsx(
        tmp_path / "p.xlsx",
        {
            "Uitleg": [["speaker", "case", "role"], ["X", "c0", "client"]],
            "Deelnemers": [["speaker", "case", "role"], ["R", "c1", "client"]],
        },
    )
    first = read_participants(path)
    assert [r.speaker for r in first.rows] == ["X"]
    assert first.warnings == [
        f"{path}: read the first worksheet 'Uitleg' of 2 (Uitleg, Deelnemers); choose another with --sheet"
    ]
    for choice in ("Deelnemers", "deelnemers", "2"):
        chosen = read_participants(path, sheet=choice)
        assert [r.speaker for r in chosen.rows] == ["R"] and chosen.warnings == []
    with sheet_choice("Deelnemers"):
        assert [r.speaker for r in read_participants(path).rows] == ["R"]
    with pytest.raises(InputError) as caught:
        read_participants(path, sheet="Blad3")
    assert str(caught.value) == f"{path}: the workbook has no worksheet 'Blad3'; it has: Uitleg, Deelnemers"


def test_the_cli_takes_a_sheet(tmp_path):
    runner = CliRunner()
    project = str(tmp_path / "p.qc")
    write(tmp_path / "int1.txt", INTERVIEW)
    _xlsx(tmp_path / "p.xlsx", {"Leeg": [["x"]], "Wie": PARTICIPANTS})
    _xlsx(
        tmp_path / "book.xlsx",
        {"Codes": [["code", "description", "parent", "keywords"], ["Netwerk", "n", None, "zus; netwerk"]]},
    )
    start = INTERVIEW.index("Mijn zus helpt.")
    _xlsx(
        tmp_path / "codings.xlsx",
        {"Oud": [["niets"]], "Nieuw": [["source", "start", "end", "code", "coder"], ["int1", start, start + 15, "Netwerk", "anna"]]},
    )  # fmt: skip
    assert runner.invoke(main, ["init", project]).exit_code == 0
    result = runner.invoke(main, ["import", project, str(tmp_path / "int1.txt"), "--participants", str(tmp_path / "p.xlsx"), "--sheet", "Wie"])  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["participants", project, str(tmp_path / "p.xlsx"), "--sheet", "2"])
    assert result.exit_code == 0 and "speakers by role: client 1, interviewer 1" in result.output, (
        result.output
    )
    result = runner.invoke(main, ["participants", project, str(tmp_path / "p.xlsx")])
    assert result.exit_code == 1 and "needs the columns speaker,case,role" in result.output
    assert runner.invoke(main, ["codebook", "load", project, str(tmp_path / "book.xlsx")]).exit_code == 0
    result = runner.invoke(
        main, ["codings", "import", project, str(tmp_path / "codings.xlsx"), "--sheet", "Nieuw"]
    )
    assert result.exit_code == 0 and "imported 1 codings by anna" in result.output, result.output
    with Project.open(project) as proj:
        assert proj.codebook().codes[0].keywords == ["zus", "netwerk"]


def test_cells_become_text_as_a_csv_would_hold_them():
    assert [sheets.cell_text(v) for v in (None, 3, 3.0, 2.5, True, "  Tekst\r\nmeer ")] == [
        "", "3", "3", "2.5", "true", "  Tekst\nmeer ",
    ]  # fmt: skip
    assert sheets.cell_text(dt.datetime(2024, 3, 1)) == "2024-03-01"
    assert sheets.cell_text(dt.datetime(2024, 3, 1, 14, 30)) == "2024-03-01 14:30:00"
    assert sheets.cell_text(dt.time(0, 1, 23)) == "00:01:23"
    assert sheets.cell_text(dt.timedelta(minutes=83, seconds=4)) == "01:23:04"


def test_a_workbook_declaring_entities_is_refused(tmp_path):
    path = _xlsx(tmp_path / "p.xlsx", {"Blad1": PARTICIPANTS})
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bad, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>' + data
            target.writestr(info, data)
    with pytest.raises(
        InputError, match=r"bad.xlsx: the workbook's xl/worksheets/sheet1.xml declares XML entities"
    ):
        read_participants(bad)


def test_a_workbook_too_big_unpacked_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "_WORKBOOK_BYTES", 1000)
    path = _xlsx(tmp_path / "p.xlsx", {"Blad1": PARTICIPANTS * 20})
    with pytest.raises(InputError, match=r"p.xlsx: the workbook unpacks to 0 MB; this is not a table"):
        read_participants(path)


@pytest.mark.parametrize(
    ("name", "data"), [("x.xlsx", b"PK\x03\x04 broken"), ("y.xlsx", b"speaker,case,role\n")]
)
def test_a_damaged_workbook_is_a_clear_error(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(
        InputError, match=rf"{name}: not a valid .xlsx file \(.*\); open it in Excel or LibreOffice"
    ):
        read_participants(path)


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_old_and_other_spreadsheets_are_refused_with_advice(tmp_path, suffix):
    path = write(tmp_path / f"p{suffix}", "x")
    with pytest.raises(
        InputError,
        match=rf"cannot read the participants CSV from a \{suffix} file; save it as .xlsx or as .csv",
    ):
        read_table(path, (), "the participants CSV")


# --- other warnings -----------------------------------------------------------------------------


def test_a_misspelt_role_is_warned_about_with_the_closest_known_one(tmp_path):
    path = write(
        tmp_path / "p.csv",
        "speaker,case,role\nI,,interviewr\nR,c1,client\nN,c2,naasten\nW,c3,wijkagent\nV,c4,wijkagent\n",
    )
    declared = read_participants(path)
    assert [r.role for r in declared.rows] == ["interviewr", "client", "naasten", "wijkagent", "wijkagent"]
    assert declared.warnings[:2] == [
        f"{path}, line 2: role 'interviewr' is not a known role; did you mean 'interviewer'? "
        "(only the turns of 'interviewer' are left out of segmenting)",
        f"{path}, line 4: role 'naasten' is not a known role; did you mean 'naaste'?",
    ]
    assert declared.warnings[2].startswith(
        f"{path}: roles kept as written, not among the known ones (interviewer,"
    )
    assert declared.warnings[2].endswith("): 'wijkagent' (line 5)")


def test_the_role_warning_reaches_the_import_report_and_the_cli(tmp_path):
    write(tmp_path / "int1.txt", INTERVIEW)
    write(tmp_path / "p.csv", "speaker,case,role\nI,,interviewr\nR,c1,client\n")
    with Project.create(tmp_path / "a.qc") as project:
        report = project.import_transcripts([tmp_path / "int1.txt"], participants=tmp_path / "p.csv")
        assert any("did you mean 'interviewer'?" in w for w in report.warnings)
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "b.qc")]).exit_code == 0
    result = runner.invoke(main, ["participants", str(tmp_path / "b.qc"), str(tmp_path / "p.csv")])
    assert result.exit_code == 0 and "did you mean 'interviewer'?" in result.stderr


def test_a_transcript_without_speaker_labels_is_warned_about(tmp_path):
    path = write(tmp_path / "notities.txt", "Vandaag sprak ik met de buurvrouw over de steungroep.\n")
    transcript = read_transcript(path)
    assert len(transcript.turns) == 1 and transcript.turns[0].speaker is None
    assert transcript.warnings == [
        f"{path}: no speaker labels found (such as 'Interviewer:' or 'R:' at the start of a line), so the "
        "whole text is one turn by an unnamed speaker; label the turns, or name the speakers in a participants CSV"
    ]
    with Project.create(tmp_path / "p.qc") as project:
        report = project.import_transcripts([path])
        assert report.warnings == transcript.warnings


def test_a_labelled_transcript_gets_no_such_warning(tmp_path):
    assert read_transcript(write(tmp_path / "a.txt", INTERVIEW)).warnings == []
