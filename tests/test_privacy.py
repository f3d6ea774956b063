"""Pseudonymisation: detection per source, the plan and its refusals, consistent pseudonyms
with possessives, the offset map (a property test), the pseudonymised copy of the example
study scanned table by table and export by export, and the encrypted key."""

from __future__ import annotations

import json
import re
import warnings
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode import Project
from qualcode.errors import ConflictError, InputError, ProjectError
from qualcode.privacy import evaluate
from qualcode.privacy.detect import Finding, WordListEntry, detect, spacy_findings
from qualcode.privacy.matching import Matcher
from qualcode.privacy.patterns import bsn_valid, spans
from qualcode.privacy.people import Person
from qualcode.privacy.plan import Plan, PlanEntry, make_plan, read_plan, write_plan
from qualcode.privacy.pseudonyms import possessive, propose
from qualcode.privacy.replace import Pseudonymiser
from qualcode.privacy.tables import RULES
from qualcode.store.copying import TABLES
from tests.conftest import REPO, read_only, write
from tests.test_cli import run

EXAMPLE = REPO / "qualcode" / "example"
DATA = REPO / "tests" / "data" / "privacy"
PASSPHRASE = "correct horse battery"


def found(text: str) -> list[tuple[str, str]]:
    return [(text[a:b], kind) for a, b, kind in spans(text)]


# -- qualcode's own patterns ----------------------------------------------------------------------


def test_the_bsn_11_check():
    assert bsn_valid("123456782") and bsn_valid("1234.56.782") and bsn_valid("111222333")
    assert not bsn_valid("123456789") and not bsn_valid("000000000") and not bsn_valid("12345678")
    assert found("BSN 123456782, klantnummer 123456789.") == [("123456782", "bsn")]


def test_phone_numbers_in_their_dutch_notations_and_not_other_numbers():
    text = (
        "Bel 06-12345678, 06 1234 5678, +31 6 12345678, +31 (0)6-12345678, 0031 6 12 34 56 78, "
        "020-1234567, (020) 123 45 67, 023 - 531 23 45 of 0251-123456."
    )
    assert [t for t, k in found(text) if k == "phone"] == [
        "06-12345678", "06 1234 5678", "+31 6 12345678", "+31 (0)6-12345678", "0031 6 12 34 56 78",
        "020-1234567", "(020) 123 45 67", "023 - 531 23 45", "0251-123456",
    ]  # fmt: skip
    assert found("bel 06 12345678 20 keer") == [("06 12345678", "phone")]
    assert found("Van 2008 tot 2012, om 14.30 uur, € 1.250,00, 3 - 4 mensen, 24-uursopvang.") == []


def test_postcodes_emails_and_dates():
    assert found("1012 AB, 2011ab en 9825FN; niet 1012 SA of 1500 mensen") == [
        ("1012 AB", "postcode"), ("2011ab", "postcode"), ("9825FN", "postcode"),
    ]  # fmt: skip
    assert found("mail r.de-jong+zorg@ziggo.nl.") == [("r.de-jong+zorg@ziggo.nl", "email")]
    dates = found(
        "geboren 12-03-1978, 12/3/78, 1978-03-12, 12 maart 1978, 3 jan. 2020 en 1 mei; 31-13-2000 niet"
    )
    assert [t for t, _ in dates] == [
        "12-03-1978",
        "12/3/78",
        "1978-03-12",
        "12 maart 1978",
        "3 jan. 2020",
        "1 mei",
    ]


# -- matching: possessives, case, identifiers --------------------------------------------------------


def test_a_name_is_matched_whole_with_its_possessives_and_in_capitals():
    matcher = Matcher([("Marco", "person"), ("Haarlem", "place"), ("Centraal", "place")])
    text = "Marco's zus, Marco’s hond, MARCO: Marcos. Haarlemse opvang, Haarlemmer. Marcoschool, centraal."
    assert [m.core + m.suffix for m in matcher.finditer(text)] == [
        "Marco's", "Marco’s", "MARCO", "Marcos", "Haarlemse", "Haarlemmer",
    ]  # fmt: skip
    ids = Matcher([("Marco de Vries", "person")], identifiers=True)
    assert [m.core for m in ids.finditer("ams_client_marco_de_vries.txt")] == ["marco_de_vries"]


# -- detection per source ------------------------------------------------------------------------------


@pytest.fixture
def small(tmp_path):
    """Two interviews; the participants file names the client (names column), their gender
    and network."""
    folder = tmp_path / "interviews"
    folder.mkdir()
    write(
        folder / "int_marco.txt",
        "I: Hoe gaat het?\n\nR: Goed. Mijn zus Ellen belt vaak. Marco's moeder niet.\n",
    )
    write(folder / "int_ellen.txt", "Lotte: Vertel.\n\nEllen: Marco belde me, 06-12345678. Typisch Marco.\n")
    people = write(
        tmp_path / "people.csv",
        "speaker,source,case,role,gender,network,names\nR,int_marco,C01,client,man,netwerk 1,Marco\n"
        "Ellen,int_ellen,N01,naaste,vrouw,netwerk 1,\nLotte,,,interviewer,,,\n",
    )
    with Project.create(tmp_path / "small.qc") as proj:
        proj.import_transcripts([folder], participants=people)
        yield proj


def test_the_participants_file_gives_names_roles_genders_and_clients(small):
    texts, people = small.privacy_inputs()
    by_case = {p.case: p for p in people}
    assert by_case["C01"].names == ["Marco"] and by_case["C01"].gender == "m"
    assert by_case["N01"].names == ["Ellen"] and by_case["N01"].client == "C01"
    findings = detect(texts, people, detectors=["participants"])
    assert {(f.text, f.type, f.detector) for f in findings} == {
        ("Ellen", "person", "participants"), ("Marco", "person", "participants"), ("Lotte", "person", "participants"),
    }  # fmt: skip
    assert all(texts[f.source][f.start : f.end] == f.text for f in findings)


def test_a_name_from_the_file_name_when_the_speaker_label_is_not_one(tmp_path):
    from qualcode.privacy.people import build_people

    rows = [{"source": "ams_client_marco", "label": "R", "role": "client", "case": "C01"}]
    people = build_people(rows, [], {"ams_client_marco": "Later belde Marco. De client zei niets."})
    assert people[0].names == ["Marco"]


def test_names_in_context_and_sentence_openers_left_out():
    texts = {"a": "Tante Riet kwam. Ahmed heet hij. Ik noem hem even Jan. Mooi. Dat was mooi weer."}
    got = {(f.text, f.type) for f in detect(texts, detectors=["patterns"])}
    assert got == {("Riet", "person"), ("Ahmed", "person"), ("Jan", "person")}
    places = detect(
        {"b": "In Oost, bij het Westerpark en op de Hollandse Brug; naar Stichting Kennemerhuis."},
        detectors=["patterns"],
    )
    assert {(f.text, f.type) for f in places} == {
        ("Oost", "place"), ("Westerpark", "place"), ("Hollandse Brug", "place"),
        ("Stichting Kennemerhuis", "organisation"), ("Kennemerhuis", "organisation"),
    }  # fmt: skip


def test_the_word_list(tmp_path):
    from qualcode.privacy.detect import read_word_list

    path = write(
        tmp_path / "words.csv", "text,type,pseudonym\nDe Overloop,organisation,[opvang 1]\nEl,person,\n"
    )
    entries = read_word_list(path)
    assert entries == [
        WordListEntry("De Overloop", "organisation", "[opvang 1]"),
        WordListEntry("El", "person", ""),
    ]
    found_ = detect({"a": "Hoi El, bij de Overloop."}, word_list=entries, detectors=["wordlist"])
    assert [(f.text, f.type) for f in found_] == [("El", "person"), ("de Overloop", "organisation")]
    with pytest.raises(InputError, match=r"words.csv, line 2: field type: 'persoon' is not a type"):
        read_word_list(write(tmp_path / "words.csv", "text,type\nMarco,persoon\n"))


def test_spacy_entities_of_a_pipeline_with_an_entity_recogniser():
    import spacy

    nlp = spacy.blank("nl")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PER", "pattern": "Marloes"}, {"label": "LOC", "pattern": "Heemstede"}])
    got = spacy_findings({"a": "Marloes woont in Heemstede."}, nlp)
    assert [(f.text, f.type, f.detector) for f in got] == [
        ("Marloes", "person", "spacy"),
        ("Heemstede", "place", "spacy"),
    ]


@pytest.mark.slow
def test_deduce_finds_names_places_and_contact_details():
    pytest.importorskip("deduce")
    texts = {
        "a": "Gisteren belde Marloes de Wit uit Beverwijk, op 06-12345678. Mooi. Meneer Bakker kwam ook."
    }
    got = {(f.text, f.type) for f in detect(texts, detectors=["deduce"])}
    assert {
        ("Marloes de Wit", "person"),
        ("Beverwijk", "place"),
        ("06-12345678", "phone"),
        ("Bakker", "person"),
    } <= got
    assert not any(text in ("Mooi", "Meneer Bakker") for text, _ in got)  # openers and titles trimmed


# -- the plan --------------------------------------------------------------------------------------


def small_plan(small) -> Plan:
    texts, people = small.privacy_inputs()
    return make_plan(texts, detect(texts, people, detectors=["participants", "patterns"]), people)


def test_the_plan_round_trip_with_counts_roles_and_context(small, tmp_path):
    plan = small_plan(small)
    rows = {e.text: e for e in plan.entries}
    assert (
        rows["Marco"].pseudonym == "[cliënt C01]" and rows["Marco"].count == 3
    )  # Marco's and Typisch Marco too
    assert rows["Ellen"].pseudonym == "[naaste van C01]" and rows["Lotte"].pseudonym == "[interviewer]"
    assert rows["06-12345678"].pseudonym == "[telefoonnummer 1]" and rows["06-12345678"].type == "phone"
    assert "«Ellen»" in rows["Ellen"].context
    path = write_plan(plan, tmp_path / "plan.csv")
    back = read_plan(path)
    assert [(e.text, e.type, e.pseudonym, e.decision, e.count) for e in back.entries] == [
        (e.text, e.type, e.pseudonym, e.decision, e.count) for e in plan.entries
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "Marco,person,[cliënt C01],maybe",
            r"line 3: field decision: 'maybe' is not a decision; write keep, change or not personal",
        ),
        ("Marco,person,,keep", r"line 3: field pseudonym is empty for 'Marco'"),
        ("ellen,person,[x],keep", r"line 3: field text: 'ellen' is on line 2 already"),
        ("Marco,persoon,[x],keep", r"line 3: field type: 'persoon' is not a type"),
        ("Marco,person,[naaste Ellen],keep", r"line 3: field pseudonym: '\[naaste Ellen\]' holds 'Ellen'"),
    ],
)
def test_a_bad_plan_line_is_refused_with_file_and_line(tmp_path, line, message):
    path = write(tmp_path / "plan.csv", f"text,type,pseudonym,decision\nEllen,person,[naaste],keep\n{line}\n")
    with pytest.raises(InputError, match=re.escape(str(path)) + ", " + message):
        read_plan(path)


def test_a_plan_without_its_columns_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"line 1: the plan has no column 'pseudonym'"):
        read_plan(write(tmp_path / "plan.csv", "text,type\nMarco,person\n"))


def test_consistent_pseudonyms_possessives_and_names_style():
    people = [
        Person("C01", "client", "C01", ["Marco"], "m"),
        Person("N01", "naaste", "N01", ["Ellen"], "v", "C01"),
    ]
    rows = [("Marco", "person"), ("Marco de Vries", "person"), ("Ellen", "person"), ("Kuiper", "person"),
            ("Stichting Kennemerhuis", "organisation"), ("Kennemerhuis", "organisation")]  # fmt: skip
    role = propose(rows, people)
    assert role["marco"] == role["marco de vries"] == "[cliënt C01]" and role["ellen"] == "[naaste van C01]"
    assert role["kuiper"] == "[persoon 1]" and role["kennemerhuis"] == role["stichting kennemerhuis"]
    named = propose(rows, people, style="names", avoid={"Bas"})
    assert named["marco"] == "Bert" and named["ellen"] == "Anke"  # gender kept, "Bas" is a word of the texts
    assert named["marco de vries"] == "Bert de Visser"
    plan = Plan([PlanEntry("Marco", "person", "[cliënt C01]"), PlanEntry("Henk", "person", "Teun")])
    p = Pseudonymiser(plan)
    assert p.text("Marco's zus en Marco’s hond; Henks moeder, HENK'S fiets") == (
        "[cliënt C01]'s zus en [cliënt C01]’s hond; Teuns moeder, Teun'S fiets"
    )
    assert [possessive(n) for n in ("Marco", "Henk", "Kees", "Zoë", "Anne")] == [
        "Marco's",
        "Henks",
        "Kees'",
        "Zoë's",
        "Annes",
    ]


# -- the offset map: a property test ---------------------------------------------------------------

WORDS = ["Marco", "Ellen", "de", "zus", "belde", "Henk", "De Overloop", "en", "06-12345678", "."]


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=30),
    separators=st.lists(st.sampled_from([" ", "  ", "\n", "'s ", ", "]), min_size=30, max_size=30),
    chosen=st.sets(st.sampled_from(["Marco", "Ellen", "Henk", "De Overloop", "06-12345678"]), min_size=1),
    pseudonyms=st.lists(st.text("[]abcXY 0123", min_size=1, max_size=14), min_size=5, max_size=5),
    cuts=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400)), min_size=1, max_size=8),
)
def test_remapped_spans_cover_the_same_words(words, separators, chosen, pseudonyms, cuts):
    text = "".join(w + s for w, s in zip(words, separators, strict=False))
    entries = [
        PlanEntry(t, "person", f"[{p.strip() or 'x'}]")
        for t, p in zip(sorted(chosen), pseudonyms, strict=False)
    ]
    new, offsets = Pseudonymiser(Plan(entries)).source_text(text)
    for r in offsets.replacements:  # each replaced text maps onto its pseudonym exactly
        assert new[offsets.start(r.start) : offsets.end(r.end)] == r.new
    for a, b in cuts:
        a, b = sorted((min(a, len(text)), min(b, len(text))))
        if a == b:
            continue
        start, end = offsets.start(a), offsets.end(b)
        assert 0 <= start < end <= len(new)
        # outside the replaced spans, the same characters; a span inside one covers all of it
        kept = text[a:b]
        for r in reversed(offsets.inside(a, b)):
            left, right = max(r.start, a) - a, min(r.end, b) - a
            kept = kept[:left] + "\0" + kept[right:]
        pieces = [p for p in kept.split("\0")]
        assert all(p in new[start:end] for p in pieces)
        assert new[start:end] == _expected(text, offsets, a, b)


def _expected(text, offsets, a, b) -> str:
    hits = offsets.inside(a, b)
    a = min([a] + [r.start for r in hits])
    b = max([b] + [r.end for r in hits])
    out, position = [], a
    for r in hits:
        out += [text[position : r.start], r.new]
        position = r.end
    return "".join(out) + text[position:b]


# -- the pseudonymised copy of the example study -------------------------------------------------------


def test_every_table_and_column_has_a_rule(project):
    conn = read_only(project)
    for table in TABLES:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table.name})")]
        assert table.name in RULES, table.name
        assert set(columns) == set(RULES[table.name]), table.name


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = tmp_path_factory.mktemp("privacy")
    transcripts = EXAMPLE / "transcripts"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Project.create(folder / "example.qc") as proj:
            proj.import_transcripts([transcripts], participants=transcripts / "participants.csv")
            proj.segment("sentence")
            proj.load_codebook(EXAMPLE / "codebooks" / "netwerkondersteuning.yaml")
            proj.import_codings(EXAMPLE / "codings" / "noor-fictief.csv")
            proj.import_cmocs(EXAMPLE / "codings" / "programmatheorie.yaml")
            proj.suggest("lexical")
            proj.add_memo(
                "project",
                None,
                "noor-fictief",
                "Marco en Ellen: zie ams_client_marco, Stichting Kennemerhuis.",
            )
            proj.add_memo("source", "hlm_naaste_henk", "noor-fictief", "Henks verhaal over Dewi's terugval.")
            words = write(folder / "words.csv", "text,type\nEl,person\nDe Overloop,organisation\n")
            plan = proj.pseudonymisation_plan(["participants", "patterns", "wordlist"], words)
            plan_path = write_plan(plan, folder / "plan.csv")
            original = (folder / "example.qc").read_bytes()
            report = proj.pseudonymise(plan_path, folder / "copy.qc", folder / "copy.qckey", PASSPHRASE)
            assert (folder / "example.qc").read_bytes() == original  # the original is never changed
            codings = proj.codings()
            quotes = [proj.source_text(c["source"])[c["start"] : c["end"]] for c in codings]
    return folder, read_plan(plan_path), report, codings, quotes


def leaks(plan: Plan, strings) -> list[str]:
    """Replaced texts still in ``strings``: as written (prose), and in any case inside
    path-like words and identifiers."""
    pairs = [(e.text, e.type) for e in plan.replacing()]
    prose, ids = Matcher(pairs), Matcher(pairs, identifiers=True)
    found_ = []
    for s in strings:
        found_ += [m.core for m in prose.finditer(s)]
        for token in re.findall(r"\S*[_/\\.]\S*", s):
            found_ += [m.core for m in ids.finditer(token)]
    return found_


def _strings(value):
    if not isinstance(value, str):
        return
    yield value
    try:
        data = json.loads(value)
    except ValueError:
        return
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, list):
            stack += item
        elif isinstance(item, dict):
            stack += [*item.keys(), *item.values()]


@pytest.mark.slow
def test_the_copy_holds_no_replaced_text_in_any_table_and_its_codings_cover_the_same_words(example):
    folder, plan, report, codings, quotes = example
    assert {"person", "place", "organisation"} <= set(report.replaced)
    with Project.open(folder / "copy.qc", read_only=True) as copy:
        conn = read_only(copy)
        strings = []
        for table in TABLES:
            for row in conn.execute(f"SELECT * FROM {table.name}"):
                strings += [s for v in row for s in _strings(v)]
        assert leaks(plan, strings) == []
        after = copy.codings()
        assert len(after) == len(codings) == 153
        pseudonymiser = Pseudonymiser(plan)
        for before, quote, now in zip(codings, quotes, after, strict=True):
            assert now["code"] == before["code"] and now["source"] == report.sources[before["source"]]
            assert copy.source_text(now["source"])[now["start"] : now["end"]] == pseudonymiser.text(quote)
        assert copy.pseudonymised()["key_id"]
        assert len(copy.cmocs()) == 3 and len(copy.memos()) == 2
        assert copy.memos()[0]["text"].startswith(
            "[cliënt C01] en [naaste van C01]: zie ams_client_client-C01"
        )


@pytest.mark.slow
def test_every_export_of_the_copy_holds_no_replaced_text(example, tmp_path):
    folder, plan, *_ = example
    with Project.open(folder / "copy.qc") as copy:
        written = [copy.export(fmt, tmp_path / f"f.{fmt}") for fmt in ("xlsx", "html", "md", "qdpx")]
        written += [copy.export("realist", tmp_path / "realist.md")]
        written += copy.export("csv", tmp_path / "csv")
    strings = []
    for path in written:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                strings += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
                strings += archive.namelist()
        else:
            strings.append(path.read_text(encoding="utf-8"))
    assert len(written) > 8 and leaks(plan, strings) == []


@pytest.mark.slow
def test_the_key_is_encrypted_reversible_and_refuses_a_wrong_passphrase(example):
    folder, plan, *_ = example
    key = folder / "copy.qckey"
    raw = key.read_bytes()
    names = [e.text for e in plan.replacing() if len(e.text) >= 4]  # base64 holds any two letters
    assert names and not [n for n in names if n.encode() in raw or n.lower().encode() in raw]
    with Project.open(folder / "copy.qc", read_only=True) as copy:
        back, _ = copy.reverse_pseudonyms("[cliënt C01] belde [naaste van C01]'s man.", key, PASSPHRASE)
        assert back == "Marco belde Ellen's man."
        with pytest.raises(InputError, match="the passphrase does not open this key"):
            copy.reverse_pseudonyms("[cliënt C01]", key, "a wrong passphrase")
    with Project.open(folder / "example.qc", read_only=True) as original:
        with pytest.raises(InputError, match="is not a pseudonymised copy"):
            original.reverse_pseudonyms("x", key, PASSPHRASE)
        with pytest.raises(ConflictError, match="a key is never overwritten"):
            original.pseudonymise(plan, folder / "other.qc", key, PASSPHRASE)
        with pytest.raises(InputError, match="at least 8 characters"):
            original.pseudonymise(plan, folder / "other.qc", folder / "other.qckey", "short")
        with pytest.raises(ProjectError, match="already exists"):
            original.pseudonymise(plan, folder / "copy.qc", folder / "other.qckey", PASSPHRASE)
    assert not (folder / "other.qc").exists() and not (folder / "other.qckey").exists()


# -- the command --------------------------------------------------------------------------------------


def test_the_command_plans_applies_and_reverses(small, tmp_path, monkeypatch):
    monkeypatch.setenv("QUALCODE_KEY_PASSPHRASE", PASSPHRASE)
    plan = tmp_path / "plan.csv"
    out = run("pseudonymise", small.path, "--plan", plan, "--detectors", "participants,patterns").output
    assert f"wrote {plan}: 4 texts to review (3 person, 1 phone)" in out
    lines = plan.read_text(encoding="utf-8").splitlines()
    plan.write_text("\n".join(line.replace(",keep,", ",not personal,") if line.startswith("Lotte,") else line
                              for line in lines) + "\n", encoding="utf-8")  # fmt: skip
    out = run(
        "pseudonymise", small.path, "--apply", plan, "-o", tmp_path / "copy.qc", "--key", tmp_path / "k.qckey"
    ).output
    assert "without them the pseudonyms cannot be reversed" in out
    with Project.open(tmp_path / "copy.qc", read_only=True) as copy:
        text = copy.source_text("int_naaste-van-C01")
    assert text.startswith("Lotte: Vertel.\n\n[naaste van C01]: [cliënt C01] belde me, [telefoonnummer 1].")
    out = run(
        "pseudonymise", tmp_path / "copy.qc", "--reverse", "--key", tmp_path / "k.qckey", "[cliënt C01]'s zus"
    ).output
    assert out == "Marco's zus\n"
    bad = run("pseudonymise", small.path, "--apply", plan, ok=False)
    assert bad.exit_code == 2 and "--apply needs -o COPY.qc" in bad.output


def test_a_pseudonymised_export_leaves_the_project_unchanged(small, tmp_path):
    plan = small_plan(small)
    before = small.path.read_bytes()
    written = small.export_pseudonymised(plan, "md", tmp_path / "report.md")
    text = written.read_text(encoding="utf-8")
    assert "Ellen" not in text and "Marco" not in text and small.path.read_bytes() == before


def test_export_pseudonymised_from_the_command_line(small, tmp_path):
    from tests.test_cli import run

    plan = tmp_path / "plan.csv"
    write_plan(small_plan(small), plan)
    before = small.path.read_bytes()
    result = run("export", small.path, "--format", "qdpx", "-o", tmp_path / "p.qdpx", "--pseudonymised", plan)
    assert "(pseudonymised by" in result.output
    with zipfile.ZipFile(tmp_path / "p.qdpx") as archive:  # the transcripts travel inside
        text = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    assert "Ellen" not in text and "Marco" not in text and "[cliënt C01]" in text
    assert small.path.read_bytes() == before


def test_the_workbench_can_show_a_pseudonymised_view_without_changing_the_project(
    small, tmp_path, monkeypatch
):
    from qualcode.web import server
    from tests.test_cli import run

    plan = tmp_path / "plan.csv"
    write_plan(small_plan(small), plan)
    before, shown = small.path.read_bytes(), {}

    def serve(path, **_options):  # the workbench would block: look at what it was given
        with Project.open(path, read_only=True) as view:
            shown["text"] = "".join(view.source_text(s["name"]) for s in view.status()["sources"])

    monkeypatch.setattr(server, "serve", serve)
    result = run("open", small.path, "--no-browser", "--pseudonymised", plan)
    assert "a pseudonymised view" in result.output and "nothing done here is kept" in result.output
    assert "Marco" not in shown["text"] and "[cliënt C01]" in shown["text"]
    assert small.path.read_bytes() == before


# -- the measured set -----------------------------------------------------------------------------------


def test_the_annotated_sentences_parse_and_score(tmp_path):
    texts, gold = evaluate.read_marked(DATA / "sentences.txt")
    assert len(texts) == 300 and {g.type for g in gold} >= {
        "phone",
        "email",
        "postcode",
        "bsn",
        "date",
        "person",
    }
    assert all(texts[g.source][g.start : g.end] for g in gold)
    spans_ = evaluate.predicted(texts, detectors=["patterns"])
    scores = evaluate.score(gold, spans_, texts)
    for kind in evaluate.CONTACT:  # the contact details are qualcode's own patterns' job
        assert scores[kind].recall == 1.0 and scores[kind].precision == 1.0, kind


def test_findings_are_plain_data():
    f = Finding("a", 0, 5, "Marco", "person", "participants")
    assert (f.source, f.start, f.end, f.text, f.type, f.detector) == (
        "a",
        0,
        5,
        "Marco",
        "person",
        "participants",
    )
