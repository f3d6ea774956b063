"""Codebook, codings, suggestions and evaluation through the command line."""

import csv
import hashlib

import pytest

from qualcode.suggest import EnsembleSuggester
from tests.conftest import REPO, second_connection, write
from tests.test_cli import run

BOOK = """\
name: mini
codes:
  - name: Steungroep
    kind: context
    description: Een groep mensen rond de cliënt die steun geeft.
    examples: ["We hebben een steungroep via WhatsApp.", "De steungroep kwam bij elkaar."]
    keywords: [steungroep]
  - name: Woning
    kind: outcome
    description: Een eigen huis als doel.
    examples: ["Ik wil een eigen huis.", "De wachtlijst is lang."]
    keywords: [huis, woning]
    lemmas: [wonen]
"""
SENTENCES = {
    "Steungroep": [
        "De steungroep helpt mij echt.",
        "Mijn zus zit in de steungroep.",
        "De steungroep komt elke week.",
    ],
    "Woning": ["Ik wil een eigen huis.", "De wachtlijst voor een woning is lang.", "Een huis geeft rust."],
    "": ["Het weer is mooi vandaag.", "Ik drink graag koffie.", "De hond slaapt op de bank."],
}


ONE_INTERVIEW = "I: Vraag?\nR: De steungroep helpt. Ik wil een eigen huis.\n"  # R's first sentence: 13-33


def one_interview_project(tmp_path, sources=("a",)):
    """A project of short interviews (the same text), segmented, with the mini codebook."""
    paths = [write(tmp_path / f"{name}.txt", ONE_INTERVIEW) for name in sources]
    project = tmp_path / "p.qc"
    run("init", project)
    run("import", project, *paths)
    run("segment", project)
    run("codebook", "load", project, write(tmp_path / "b.yaml", BOOK))
    return project


@pytest.fixture
def coded(tmp_path):
    """Six interviews; codings for each coded sentence by coder 'anna'."""
    folder = tmp_path / "interviews"
    folder.mkdir()
    rows = [("source", "start", "end", "code", "coder", "text")]
    for n in range(6):
        turns = []
        for i in range(3):
            for code, sentences in SENTENCES.items():
                turns.append((code, sentences[(n + i) % 3]))
        text = "".join(f"I: Vraag {k}?\nR: {sentence}\n" for k, (_, sentence) in enumerate(turns))
        write(folder / f"int{n}.txt", text)
        for code, sentence in turns:
            if code:
                start = text.index(f"R: {sentence}") + 3
                rows.append((f"int{n}", start, start + len(sentence), code, "anna", sentence))
    with (tmp_path / "codings.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    project = tmp_path / "s.qc"
    run("init", project)
    run("import", project, folder)
    run("segment", project)
    run("codebook", "load", project, write(tmp_path / "book.yaml", BOOK))
    return project, tmp_path


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_codings_import_and_export(coded):
    project, tmp = coded
    result = run("codings", "import", project, tmp / "codings.csv")
    assert "imported 36 codings by anna" in result.output
    again = run("codings", "import", project, tmp / "codings.csv")
    assert "imported 0 codings by anna (36 already there, not stored twice)" in again.output
    run("codings", "export", project, tmp / "out.csv", "--coder", "anna")
    exported = list(csv.DictReader((tmp / "out.csv").open(encoding="utf-8")))
    assert len(exported) == 36
    assert list(exported[0])[:5] == ["source", "start", "end", "code", "coder"]
    assert {"quote", "speaker", "role", "case", "counter", "origin", "time"} <= set(exported[0])
    assert {row["counter"] for row in exported} == {""}  # none marked as counter-evidence


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("int9,0,5,Woning,anna,", "line 2: unknown source 'int9'; the project has: int0, int1"),
        ("int0,5,2,Woning,anna,", "line 2: span 5-2 does not fit source 'int0'"),
        ("int0,a,b,Woning,anna,", "line 2: start and end must be whole numbers"),
        (
            "int0,0,4,Woning,anna,Vraa",
            "line 2: the text column does not match 'int0'[0:4]; check the offsets",
        ),
        (
            "int0,0,5,Geld,anna,\nint0,0,5,Rust,anna,",
            "2 codes are not in the codebook: Geld, Rust; add them to the codebook, or pass --add-missing-codes",
        ),
    ],
)
def test_bad_codings_are_refused_whole(coded, row, message):
    project, tmp = coded
    bad = write(tmp / "bad.csv", "source,start,end,code,coder,text\nint0,3,10,Woning,anna,\n" + row + "\n")
    before = digest(project)
    result = run("codings", "import", project, bad, ok=False)
    assert result.exit_code == 1
    assert message.replace("line 2", "line 3") in result.output or message in result.output
    assert digest(project) == before


def test_add_missing_codes(coded):
    project, tmp = coded
    extra = write(tmp / "extra.csv", "source,start,end,code\nint0,3,10,Geld\n")
    result = run("codings", "import", project, extra, "--coder", "bob", "--add-missing-codes")
    assert "added 1 codes: Geld" in result.output
    assert "Geld [other]" in run("codebook", "show", project).output


def _import_first_sources(project, tmp):
    """Codings for the first sources only, so the others are left to suggest on."""
    rows = list(csv.reader((tmp / "codings.csv").open(encoding="utf-8")))
    write(tmp / "part.csv", "\n".join(",".join(r) for r in rows[:19]) + "\n")
    run("codings", "import", project, tmp / "part.csv")


def test_suggest_stores_suggestions_not_codings(coded):
    project, tmp = coded
    _import_first_sources(project, tmp)
    result = run("suggest", project)
    assert "codes learned from codings" in result.output
    run("suggestions", "export", project, tmp / "sug.csv")
    rows = list(csv.DictReader((tmp / "sug.csv").open(encoding="utf-8")))
    assert rows and list(rows[0])[:6] == ["source", "start", "end", "code", "score", "suggester"]
    assert all(
        float(r["score"]) >= 0.3 and r["suggester"] == f"ensemble/{EnsembleSuggester.version}" for r in rows
    )
    assert {r["source"] for r in rows} >= {"int3", "int4", "int5"}
    codings = run("codings", "export", project, tmp / "c.csv").output
    assert "wrote 18 codings" in codings  # suggesting added no coding


def test_lexical_suggest_without_codings(coded):
    project, tmp = coded
    result = run("suggest", project, "--suggester", "lexical")
    assert "0 codes learned" in result.output
    run("suggestions", "export", project, tmp / "sug.csv")
    rows = list(csv.DictReader((tmp / "sug.csv").open(encoding="utf-8")))
    assert {r["code"] for r in rows} == {"Steungroep", "Woning"}
    assert all(r["rationale"].startswith("matched ") for r in rows)


def test_evaluate_reports_both_systems_and_writes_csv(coded):
    project, tmp = coded
    run("codings", "import", project, tmp / "codings.csv")
    result = run(
        "evaluate",
        project,
        "--coder",
        "anna",
        "--split-by-source",
        "0.5",
        "--seed",
        "1",
        "--csv",
        tmp / "ev.csv",
    )
    assert "learned from 3 sources, scored on 3" in result.output
    assert "ensemble" in result.output and "keyword search" in result.output
    rows = list(csv.DictReader((tmp / "ev.csv").open(encoding="utf-8")))
    f1 = {
        r["name"]: float(r["value"]) for r in rows if r["table"] == "overall" and r["measure"] == "micro_f1"
    }
    assert f1["ensemble"] > 0.8  # the sentences repeat across sources: easy to learn


def test_evaluate_needs_codings(coded):
    project, _ = coded
    result = run("evaluate", project, "--coder", "zoe", ok=False)
    assert (
        "Error: coder 'zoe' has coded 0 source(s); evaluating needs codings in at least two" in result.output
    )


def test_next_lists_informative_segments(coded):
    project, tmp = coded
    _import_first_sources(project, tmp)
    result = run("next", project, "--coder", "anna", "-n", "3")
    listed = [line for line in result.output.splitlines() if not line.startswith("warning:")]
    assert len(listed) == 3 and all(line.split()[1] in {"int3", "int4", "int5"} for line in listed)


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_codebook_export_round_trip(coded, suffix):
    project, tmp = coded
    run("codebook", "export", project, tmp / f"out{suffix}")
    result = run("codebook", "load", project, tmp / f"out{suffix}")
    assert "codebook loaded: 2 codes (no changes)" in result.output


def test_suggest_without_codebook(tmp_path):
    write(tmp_path / "a.txt", "I: Vraag?\nR: Antwoord.\n")
    project = tmp_path / "p.qc"
    run("init", project)
    run("import", project, tmp_path / "a.txt")
    run("segment", project)
    result = run("suggest", project, ok=False)
    assert "Error: the project has no codebook yet; load one with: qualcode codebook load" in result.output


def test_the_bundled_codebook_is_complete():
    from qualcode.codebook import read_codebook

    book = read_codebook(REPO / "codebooks" / "netwerkondersteuning.yaml")
    leaves = [c for c in book.codes if not book.children(c.name)]
    assert len(leaves) >= 30
    for code in leaves:
        assert code.description and code.inclusion and code.exclusion, code.name
        assert len(code.examples) >= 2, code.name
        assert len(code.keywords) + len(code.lemmas) >= 3, code.name
    assert {c.kind for c in leaves} >= {"actor", "mechanism", "outcome", "bottleneck", "context"}


def test_rejected_suggestions_become_negatives(coded):
    """A rejection (from the review log) is a negative example for that code on that segment."""
    from qualcode import Project
    from qualcode.suggest.runner import labels

    project, tmp = coded
    _import_first_sources(project, tmp)
    run("suggest", project)
    with Project.open(project) as proj:
        suggestion = proj.reviewer("anna").pending(order="source")[0]
        proj.reviewer("anna").reject(suggestion.id)
        with second_connection(proj) as db:
            known = labels(db.connection, "sentence", "anna")
    assert suggestion.segment_id in known.negatives(suggestion.code)
    assert suggestion.segment_id not in known.coded
