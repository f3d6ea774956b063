import pytest

from qualcode import InputError
from qualcode.ingest.participants import infer_type, read_participants
from tests.conftest import write


def test_roles_cases_and_typed_attributes(tmp_path):
    path = write(
        tmp_path / "p.csv",
        "speaker,source,case,role,city,age,active,score,start\n"
        "Lotte,,,interviewer,,,,,\n"
        'R,marco,C01,Client,Amsterdam,46,ja,"7,5",01-02-2023\n'
        "R,dewi,C02,client,Haarlem,29,nee,8,2023-05-12\n",
    )
    declared = read_participants(path)
    assert [(r.speaker, r.source, r.case, r.role) for r in declared.rows] == [
        ("Lotte", "", "", "interviewer"),
        ("R", "marco", "C01", "client"),
        ("R", "dewi", "C02", "client"),
    ]
    assert declared.attribute_types == {
        "city": "text", "age": "integer", "active": "boolean", "score": "float", "start": "date",
    }  # fmt: skip
    assert declared.case_attributes["C01"] == {
        "city": "Amsterdam", "age": "46", "active": "true", "score": "7.5", "start": "2023-02-01",
    }  # fmt: skip


def test_missing_column_is_named(tmp_path):
    path = write(tmp_path / "p.csv", "speaker,role\nR,client\n")
    with pytest.raises(
        InputError,
        match=r"p.csv, line 1: the participants CSV needs the columns speaker,case,role .*missing: case",
    ):
        read_participants(path)


def test_duplicate_speaker_names_both_lines(tmp_path):
    path = write(tmp_path / "p.csv", "speaker,case,role\nR,C1,client\nr,C2,client\n")
    with pytest.raises(InputError, match=r"line 3: speaker 'r' is listed twice \(also on line 2\)"):
        read_participants(path)


def test_conflicting_case_attribute(tmp_path):
    path = write(
        tmp_path / "p.csv", "speaker,source,case,role,city\nR,a,C1,client,Haarlem\nR,b,C1,client,Amsterdam\n"
    )
    with pytest.raises(
        InputError, match=r"line 3: case 'C1' has city='Amsterdam' here but 'Haarlem' on line 2"
    ):
        read_participants(path)


def test_empty_role_is_an_error(tmp_path):
    path = write(tmp_path / "p.csv", "speaker,case,role\nR,C1,\n")
    with pytest.raises(InputError, match=r"line 2: every row needs a speaker and a role"):
        read_participants(path)


@pytest.mark.parametrize(
    ("values", "kind"),
    [(["1", "22"], "integer"), (["1.5", "2"], "float"), (["ja", "Nee"], "boolean"), (["2024-01-31"], "date"),
     (["1", "x"], "text"), ([], "text")],
)  # fmt: skip
def test_infer_type(values, kind):
    assert infer_type(values) == kind
