"""PDF transcripts: text in reading order without page furniture, speaker turns as in .txt,
clear errors for scans, encrypted and damaged files, and the real MAXQDA exports in ../shared."""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode import InputError, Project
from qualcode.cli import main
from qualcode.ingest import limits, read_transcript
from qualcode.ingest.decode import decode
from qualcode.ingest.plaintext import parse_turns
from tests.conftest import SHARED, needs_shared

pytest.importorskip("pdfplumber")

PDPILOT = SHARED / "data" / "coded" / "pdpilot-interviews"
HEIGHT = 842


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(path: Path, pages: list[list[tuple]], extra_stream: bytes | None = None,
             encrypt: bool = False, page_ops: bytes = b"") -> Path:  # fmt: skip
    """A small PDF written by hand: each page a list of (x, top, text[, size, font]) in points
    from the top left, set in Helvetica (F1) or Helvetica-Bold (F2): standard fonts every
    reader knows the widths of."""
    objects: list[bytes] = [b"", b""]  # 1: catalog, 2: pages (filled in at the end)
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    kids = []
    for items in pages:
        ops = [page_ops] if page_ops else []
        for item in items:
            x, top, text, size, font = (*item, 10, "F1")[:5] if len(item) < 5 else item
            baseline = HEIGHT - top - size
            ops.append(f"BT /{font} {size} Tf {x} {baseline} Td ({_escape(text)}) Tj ET".encode("cp1252"))
        content = b"\n".join(ops)
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
            b"/Contents %d 0 R >>" % content_id
        )
        kids.append(len(objects))
    if extra_stream is not None:
        packed = zlib.compress(extra_stream, 9)
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"
        )
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    trailer_extra = b""
    if encrypt:  # a user password is needed: the empty one does not open it
        objects.append(
            b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>"
        )
        trailer_extra = (
            b" /Encrypt %d 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]"
            % len(objects)
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def _lines(texts: list[str], top: float = 80, x: float = 60, pitch: float = 14) -> list[tuple]:
    return [(x, top + i * pitch, t) for i, t in enumerate(texts) if t]


# --- small PDFs made here -------------------------------------------------------------------


WRAPPED = [  # one turn wrapped at the right margin (Helvetica 10 pt, 60 to 535 points)
    "Respondent: Via mijn zus. Zij kende de coördinator van de steungroep al van vroeger, van",
    "school denk ik, en zo is het balletje gaan rollen.",
]


def test_headers_footers_and_page_numbers_are_removed(tmp_path):
    pages = []
    body = [
        ["Interviewer: Hoe kwam je bij de steungroep terecht?", "", *WRAPPED],
        ["Interviewer: En hoe was dat?", "", "Respondent: Goed. Ik voelde me niet meer alleen."],
        ["Interviewer: Dank je wel.", "", "Respondent: Graag gedaan."],
    ]
    for number, texts in enumerate(body, start=1):
        items = [(60, 30, "Project Netwerk Eerst - interview 7 (vertrouwelijk)")]
        items += _lines(texts)
        items += [(280, 800, f"Pagina {number} van 3")]
        pages.append(items)
    path = make_pdf(tmp_path / "interview.pdf", pages)
    transcript = read_transcript(path)
    assert "vertrouwelijk" not in transcript.text and "Pagina" not in transcript.text
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Interviewer", "Hoe kwam je bij de steungroep terecht?"),
        ("Respondent", " ".join(WRAPPED)[len("Respondent: ") :]),
        ("Interviewer", "En hoe was dat?"),
        ("Respondent", "Goed. Ik voelde me niet meer alleen."),
        ("Interviewer", "Dank je wel."),
        ("Respondent", "Graag gedaan."),
    ]
    assert transcript.format == "pdf" and transcript.metadata["pages"] == 3
    assert transcript.metadata["page_numbers_removed"] == 3
    assert transcript.metadata["running_lines_removed"] == [
        "Project Netwerk Eerst - interview 7 (vertrouwelijk)"
    ]
    transcript.check_offsets()


def test_a_line_that_opens_several_pages_with_a_speaker_is_not_a_header(tmp_path):
    # "Dan" is also a Dutch word that starts speech ("Dan: ..."); printed in bold it is a speaker
    pages = [
        [(60, 80, "Dan:", 10, "F2"), (88, 80, "Okay."), (60, 108, f"Participant: Antwoord {n}.")]
        for n in range(3)
    ]
    transcript = read_transcript(make_pdf(tmp_path / "okay.pdf", pages))
    assert [(t.speaker, t.text) for t in transcript.turns][:2] == [
        ("Dan", "Okay."),
        ("Participant", "Antwoord 0."),
    ]
    assert len(transcript.turns) == 6 and transcript.metadata["running_lines_removed"] == []


@pytest.mark.parametrize("number", ["3", "- 3 -", "Page 3 of 12", "3/12", "Pagina 3", "p. 3", "[3]"])
def test_page_number_forms(tmp_path, number):
    items = _lines(["I: Vraag een.", "", "R: Antwoord een."]) + [(290, 810, number)]
    transcript = read_transcript(make_pdf(tmp_path / "p.pdf", [items]))
    assert transcript.text == "I: Vraag een.\n\nR: Antwoord een.\n"


def _maxqda(number: int, top: float, label: str, first: str, *more: str) -> list[tuple]:
    """A MAXQDA paragraph: its number in the margin, the label in bold, the text after a tab."""
    items = [(20, top, str(number)), (47, top, label, 10, "F2"), (107 if len(label) > 5 else 75, top, first)]
    return items + [(47, top + 12 * (i + 1), line) for i, line in enumerate(more)]


def test_maxqda_paragraph_numbers_start_paragraphs_and_are_removed(tmp_path):
    lines = [
        *_maxqda(1, 80, "Dan:", "Okay. So the first question is whether you use these plots in your work at all, and if",
                 "so, how often?"),
        *_maxqda(2, 116, "Participant:", "Yeah. Not all the time, so it is not the main thing we do, but in our",
                 "initial data explorations we do."),
        *_maxqda(3, 152, "Dan:", "Okay."),
        *_maxqda(4, 176, "Participant:", "30 or 40 features give hundreds of plots."),
    ]  # fmt: skip
    transcript = read_transcript(make_pdf(tmp_path / "maxqda.pdf", [lines]))
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Dan", "Okay. So the first question is whether you use these plots in your work at all, and if so, how often?"),
        ("Participant", "Yeah. Not all the time, so it is not the main thing we do, but in our initial data explorations we do."),
        ("Dan", "Okay."),
        ("Participant", "30 or 40 features give hundreds of plots."),
    ]  # fmt: skip
    assert transcript.metadata["paragraph_numbers_removed"] == 4


def test_line_numbers_in_the_margin_are_removed_and_do_not_split_paragraphs(tmp_path):
    texts = [
        "I: Hoe kwam je bij de steungroep terecht, en wie heeft je daar eigenlijk op gewezen, weet je dat",
        "nog?",
        "R: Via mijn zus. Zij kende de coördinator van de steungroep al van vroeger, van school denk ik,",
        "en zo is het balletje gaan rollen.",
    ]
    lines = [
        item
        for n, t in enumerate(texts, start=1)
        for item in ((30, 60 + 14 * n, str(n)), (60, 60 + 14 * n, t))
    ]
    transcript = read_transcript(make_pdf(tmp_path / "regels.pdf", [lines]))
    assert [t.text for t in transcript.turns] == [
        texts[0][3:] + " " + texts[1],
        texts[2][3:] + " " + texts[3],
    ]


def test_a_paragraph_continues_over_a_page_break_and_hyphens_are_joined_sensibly(tmp_path):
    first = _lines(
        [
            "I: Vertel eens over de netwerkberaden en de steungroep, hoe ging dat in het begin? Of netwerk-",
            "beraden in het algemeen.",
            "",
            "R: Die waren in het begin eigenlijk best moeilijk, want iedereen in de groep had een eigen kijk",
        ]
    )
    second = _lines(["verantwoordelijkheden, en waarom. Later ging het beter."], top=40)
    transcript = read_transcript(make_pdf(tmp_path / "h.pdf", [first, second]))
    texts = [t.text for t in transcript.turns]
    assert texts[0].endswith("in het begin? Of netwerkberaden in het algemeen.")  # spelt whole before
    assert texts[1] == (
        "Die waren in het begin eigenlijk best moeilijk, want iedereen in de groep had een eigen kijk "
        "verantwoordelijkheden, en waarom. Later ging het beter."
    )


def test_a_compound_broken_at_its_hyphen_keeps_it(tmp_path):
    lines = _lines(
        [
            "R: We keken vooral naar de plots van een feature, soms ook naar de two-way plots, en dan een",
            "keer naar de one-dimensional plots en daarna weer naar de plots van twee features, de two-",
            "way plots dus.",
        ]
    )
    transcript = read_transcript(make_pdf(tmp_path / "c.pdf", [lines]))
    assert transcript.turns[0].text.endswith("van twee features, de two-way plots dus.")


def test_a_word_spelt_whole_elsewhere_is_joined_without_its_hyphen(tmp_path):
    lines = _lines(
        [
            "R: Het was moeilijk, zei ze, heel moeilijk zelfs, voor iedereen in de groep. Echt moei-",
            "lijk voor iedereen.",
        ]
    )
    transcript = read_transcript(make_pdf(tmp_path / "j.pdf", [lines]))
    assert transcript.turns[0].text.endswith("in de groep. Echt moeilijk voor iedereen.")


def test_text_outside_the_page_is_left_out(tmp_path):
    lines = _lines(["I: Binnen de pagina.", "", "R: Ook binnen."]) + [(60, 900, "R: Buiten de pagina.")]
    transcript = read_transcript(make_pdf(tmp_path / "o.pdf", [lines]))
    assert "Buiten" not in transcript.text


def test_a_scanned_pdf_without_text_is_refused_with_advice(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", [[], []], page_ops=b"0 0 595 842 re f")
    with pytest.raises(InputError) as caught:
        read_transcript(path)
    assert str(caught.value) == (
        f"{path}: the PDF has no text layer (a scanned PDF?): run OCR first (e.g. ocrmypdf) and import the result"
    )


def test_pages_without_text_are_named_in_a_warning(tmp_path):
    path = make_pdf(tmp_path / "half.pdf", [_lines(["I: Vraag.", "", "R: Antwoord."]), []])
    transcript = read_transcript(path)
    assert any(
        "1 of 2 pages have no text (page 2); if they are scanned, run OCR" in w for w in transcript.warnings
    )


def test_an_encrypted_pdf_is_refused(tmp_path):
    path = make_pdf(tmp_path / "secret.pdf", [_lines(["I: Vraag."])], encrypt=True)
    with pytest.raises(InputError, match=r"secret.pdf: the PDF is encrypted \(protected by a password\)"):
        read_transcript(path)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF",
        b"%PDF-1.7\n" + bytes(range(256)) * 40,
        b"%PDF-",
    ],
)
def test_a_damaged_pdf_is_a_clear_error(tmp_path, data):
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)
    with pytest.raises(InputError, match=r"broken.pdf: (cannot read the PDF|the PDF has no text layer)"):
        read_transcript(path)


def test_a_file_that_is_no_pdf_is_refused(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_text("I: dit is tekst\n")
    with pytest.raises(InputError, match=r"fake.pdf: not a PDF file \(it does not start with %PDF-\)"):
        read_transcript(path)


def test_a_pdf_bomb_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PDF_STREAM_BYTES", 1024 * 1024)
    path = make_pdf(tmp_path / "bomb.pdf", [_lines(["I: Vraag."])], extra_stream=bytes(3 * 1024 * 1024))
    with pytest.raises(
        InputError, match=r"bomb.pdf: a compressed part of the PDF unpacks to more than 1 MB;"
    ):
        read_transcript(path)


def test_size_and_page_limits(tmp_path, monkeypatch):
    path = make_pdf(tmp_path / "many.pdf", [_lines([f"R: Pagina {n}."]) for n in range(3)])
    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 2)
    with pytest.raises(
        InputError, match=r"many.pdf: the PDF has 3 pages; qualcode reads at most 2 per source"
    ):
        read_transcript(path)
    monkeypatch.setattr(limits, "MAX_PDF_BYTES", 100)
    with pytest.raises(
        InputError, match=r"many.pdf: the PDF has [\d,]+ bytes; qualcode reads PDFs of at most 0 MB"
    ):
        read_transcript(path)


def test_the_cli_imports_a_pdf(tmp_path):
    make_pdf(tmp_path / "int1.pdf", [_lines(["I: Hoe gaat het?", "", "R: Goed, dank je."])])
    runner = CliRunner()
    project = str(tmp_path / "p.qc")
    assert runner.invoke(main, ["init", project]).exit_code == 0
    result = runner.invoke(main, ["import", project, str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "imported 1 sources: int1" in result.output
    with Project.open(project) as proj:
        assert proj.source_text("int1") == "I: Hoe gaat het?\n\nR: Goed, dank je.\n"


# --- the real MAXQDA exports --------------------------------------------------------------------


def _ws(text: str) -> str:
    return " ".join(text.split())


def _repairs(pdf_text: str, txt_text: str) -> str | None:
    """How the shared .txt turn differs from the PDF's, if only by one of its two known
    artefacts (None if it differs otherwise): the .txt was made by joining the PDF's lines, so
    it dropped the hyphen of compounds broken at a line end ("two-" + "way" -> "twoway"), and it
    kept the line MAXQDA prints twice at a page break (at the bottom of one page and again, cut
    off, at the top of the next)."""
    p, t = _ws(pdf_text), _ws(txt_text)
    if p == t:
        return "same"
    unhyphen = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
    if unhyphen.sub("", p) == unhyphen.sub("", t):
        return "hyphen"
    p, t = unhyphen.sub("", p), unhyphen.sub("", t)
    extra = len(t) - len(p)
    if extra <= 0:
        return None
    k = next(i for i, (a, b) in enumerate(zip(p, t, strict=False)) if a != b)
    return "repeated line" if t[k : k + extra] == p[k - extra : k] and t[k + extra :] == p[k:] else None


def _txt_turns(name: str):
    text = decode((PDPILOT / "transcripts" / f"{name}.txt").read_bytes(), name)[0]
    turns = parse_turns(text, "txt").turns
    # A repeated line that starts a turn became a turn of its own in the .txt: a prefix of the next.
    kept = [
        t
        for t, after in zip(turns, [*turns[1:], None], strict=True)
        if not (
            after
            and after.speaker == t.speaker
            and _ws(after.text).startswith(_ws(t.text))
            and after.text != t.text
        )
    ]
    return turns, kept


@pytest.fixture(scope="module")
def shared_pdfs():
    return {path.stem: read_transcript(path) for path in sorted((PDPILOT / "pdf").glob("*.pdf"))}


@needs_shared
def test_every_shared_pdf_gives_the_turns_of_its_txt(shared_pdfs):
    assert sorted(shared_pdfs) == [f"P{n}" for n in range(1, 8)]
    figures = {}
    for name, transcript in shared_pdfs.items():
        transcript.check_offsets()
        assert transcript.warnings == [] and transcript.metadata["paragraph_numbers_removed"] > 90
        txt, kept = _txt_turns(name)
        assert len(transcript.turns) == len(kept), name
        kinds = []
        for number, (a, b) in enumerate(zip(transcript.turns, kept, strict=True)):
            assert a.speaker == b.speaker, (name, number)
            kinds.append(_repairs(a.text, b.text))
            assert kinds[-1] is not None, (name, number, a.text, b.text)
        figures[name] = (len(transcript.turns), len(txt), kinds.count("same"))
    # (PDF turns, .txt turns, equal after white space alone): the rest differ only by the .txt's
    # two artefacts (a line printed twice at a page break; hyphens dropped at line ends).
    assert figures == {
        "P1": (94, 94, 93),
        "P2": (165, 165, 164),
        "P3": (121, 122, 120),
        "P4": (109, 111, 109),
        "P5": (133, 135, 131),
        "P6": (99, 100, 97),
        "P7": (104, 106, 101),
    }


@needs_shared
def test_the_shared_pdfs_lose_their_page_furniture(shared_pdfs):
    for transcript in shared_pdfs.values():
        text = transcript.text
        assert not re.search(r"^\d+/\d+$", text, re.MULTILINE)  # MAXQDA's "1/5" footers
        assert not re.search(r"^\d+ ", text, re.MULTILINE)  # paragraph numbers
        assert text.startswith("Interview\n\nDan: ")  # the title stays, as text before the first turn
        assert {t.speaker for t in transcript.turns} == {"Dan", "Participant"}
