"""Codebook files (YAML, CSV), their validation, and versions inside a project."""

import pytest

from qualcode import ConflictError, InputError
from qualcode.codebook import read_codebook, write_codebook
from tests.conftest import read_only, second_connection, write

BOOK = """\
name: Test
codes:
  - name: Actoren
    kind: actor
    colour: "#4C72B0"
    children:
      - name: Naaste
        kind: actor
        definition: Familie of vrienden van de cliënt.
        include: [iemand uit het eigen netwerk]
        exclude: [professionals]
        examples: ["Mijn zus belt elke zondag.", "Mijn oom hielp met de fiets."]
        keywords: [zus, oom]
        lemmas: [naaste]
  - name: Knelpunten
    kind: bottleneck
    children:
      - name: Netwerk te klein
        kind: bottleneck
        description: Er is bijna niemand.
        keywords: niemand meer
"""


def test_nested_yaml_with_aliases(tmp_path):
    book = read_codebook(write(tmp_path / "b.yaml", BOOK))
    assert [(c.name, c.parent, c.kind) for c in book.codes] == [
        ("Actoren", None, "actor"),
        ("Naaste", "Actoren", "actor"),
        ("Knelpunten", None, "bottleneck"),
        ("Netwerk te klein", "Knelpunten", "bottleneck"),
    ]
    naaste = book.by_name()["Naaste"]
    assert naaste.description == "Familie of vrienden van de cliënt."
    assert naaste.inclusion == ["iemand uit het eigen netwerk"] and naaste.exclusion == ["professionals"]
    assert naaste.keywords == ["zus", "oom"] and naaste.lemmas == ["naaste"]
    assert book.by_name()["Netwerk te klein"].keywords == ["niemand meer"]
    assert naaste.line == 7


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_round_trip(tmp_path, suffix):
    book = read_codebook(write(tmp_path / "b.yaml", BOOK))
    write_codebook(book, tmp_path / f"out{suffix}")
    again = read_codebook(tmp_path / f"out{suffix}")
    strip = [dict(vars(c), line=None) for c in book.codes]
    assert [dict(vars(c), line=None) for c in again.codes] == strip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("codes:\n  - name: A\n  - name: B\n  - name: A\n", r"b.yaml, line 4: field 'name': code 'A' is defined twice \(first on line 2\)"),
        ("codes:\n  - name: A\n    parent: Z\n", r"b.yaml, line 2: field 'parent': code 'A' has unknown parent 'Z'"),
        ("codes:\n  - name: A\n    parent: B\n  - name: B\n    parent: A\n", r"field 'parent': the parents of code 'A' form a cycle: A -> B -> A"),
        ("codes:\n  - name: A\n    kind: mechanisme\n", r"line 2: field 'kind': unknown kind 'mechanisme' for code 'A'; use one of actor, context"),
        ("codes:\n  - name: A\n    exemples: [x]\n", r"line 2: field 'exemples': unknown field"),
        ("codes:\n  - name: A\n    colour: red\n", r"field 'colour': colour 'red' of code 'A' is not #RRGGBB"),
        ("codes:\n  - name: A\n   kind: x\n", r"b.yaml, line 3: not valid YAML"),
        ("name: x\n", r"b.yaml, line 1: a YAML codebook needs a top-level 'codes:' list"),
        ("codes:\n  - kind: actor\n", r"line 2: field 'name': a code needs a name"),
    ],
)  # fmt: skip
def test_yaml_errors_name_file_line_and_field(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read_codebook(write(tmp_path / "b.yaml", text))


def test_csv_errors(tmp_path):
    with pytest.raises(
        InputError, match=r"c.csv, line 1: a codebook CSV needs the columns code,description,parent"
    ):
        read_codebook(write(tmp_path / "c.csv", "code,parent\nA,\n"))
    with pytest.raises(InputError, match=r"c.csv, line 3: field 'parent': code 'B' has unknown parent 'Z'"):
        read_codebook(write(tmp_path / "c.csv", "code,description,parent\nA,x,\nB,y,Z\n"))


def test_unknown_format(tmp_path):
    with pytest.raises(InputError, match=r"unknown codebook format '.json'"):
        read_codebook(write(tmp_path / "b.json", "{}"))


def _code_of_coding(project, coding_id):
    conn = read_only(project)
    return conn.execute(
        "SELECT c.name FROM codings g JOIN codes k ON k.id = g.code_id "
        "JOIN codes c ON c.id = COALESCE(k.merged_into, k.id) WHERE g.id = ?",
        (coding_id,),
    ).fetchone()[0]


def _add_coding(project, code_name):
    with second_connection(project) as db, db.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO sources (name, text, format, sha256, imported_at) "
            "VALUES ('s', 'tekst hier', 'txt', 'x', 'now')"
        )
        source = conn.execute("SELECT id FROM sources WHERE name = 's'").fetchone()[0]
        code = conn.execute("SELECT id FROM codes WHERE name = ?", (code_name,)).fetchone()[0]
        return conn.execute(
            'INSERT INTO codings (source_id, start, "end", code_id, coder, created_at) '
            "VALUES (?, 0, 5, ?, 'anna', 'now')",
            (source, code),
        ).lastrowid


def test_rename_move_merge_and_retire_keep_codings(project, tmp_path):
    project.load_codebook(write(tmp_path / "v1.yaml", BOOK))
    naaste = _add_coding(project, "Naaste")
    klein = _add_coding(project, "Netwerk te klein")
    v2 = BOOK.replace("- name: Naaste\n", "- name: Naasten\n        formerly: [Naaste]\n")
    changes = project.load_codebook(write(tmp_path / "v2.yaml", v2))
    assert changes["renamed"] == ["Naasten"]
    assert _code_of_coding(project, naaste) == "Naasten"
    v3 = v2.replace(
        "      - name: Netwerk te klein\n",
        "      - name: Klein netwerk\n        merges: [Netwerk te klein]\n",
    )
    changes = project.load_codebook(write(tmp_path / "v3.yaml", v3))
    assert changes["merged"] == ["Netwerk te klein"] and changes["added"] == ["Klein netwerk"]
    assert _code_of_coding(project, klein) == "Klein netwerk"
    assert "Netwerk te klein" not in project.codebook().by_name()
    v4 = "codes:\n  - name: Naasten\n    formerly: []\n  - name: Klein netwerk\n    parent: Naasten\n"
    changes = project.load_codebook(write(tmp_path / "v4.yaml", v4))
    assert sorted(changes["retired"]) == ["Actoren", "Knelpunten"]
    assert changes["moved"] == ["Naasten", "Klein netwerk"]
    assert (
        _code_of_coding(project, naaste) == "Naasten" and _code_of_coding(project, klein) == "Klein netwerk"
    )
    assert [(c.name, c.parent) for c in project.codebook().codes] == [
        ("Naasten", None),
        ("Klein netwerk", "Naasten"),
    ]
    versions = read_only(project).execute("SELECT COUNT(*) FROM codebook_versions").fetchone()[0]
    assert versions == 4


def test_loading_the_same_codebook_twice_changes_nothing(project, tmp_path):
    path = write(tmp_path / "v1.yaml", BOOK)
    project.load_codebook(path)
    changes = project.load_codebook(path)
    assert all(not names for names in changes.values())


def test_ambiguous_rename_is_refused_and_nothing_changes(project, tmp_path):
    project.load_codebook(write(tmp_path / "v1.yaml", BOOK))
    project.load_codebook(write(tmp_path / "v2.yaml", BOOK.replace("name: Naaste\n", "name: Naasten\n")))
    bad = BOOK.replace("name: Naaste\n", "name: Naasten\n        formerly: [Naaste]\n")
    with pytest.raises(ConflictError, match="the project has codes with both names; merge them instead"):
        project.load_codebook(write(tmp_path / "v3.yaml", bad))
    assert read_only(project).execute("SELECT COUNT(*) FROM codebook_versions").fetchone()[0] == 2
