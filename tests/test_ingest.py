"""Reading every supported transcript format, its speakers and its offsets."""

import pytest

from qualcode import InputError
from qualcode.ingest import read_transcript
from tests.conftest import make_docx, make_odt, write


def speakers_and_texts(transcript):
    transcript.check_offsets()
    return [(t.speaker, t.text) for t in transcript.turns]


def test_name_colon_with_header_and_continuation_paragraphs(tmp_path):
    path = write(
        tmp_path / "a.txt",
        "Interview 01 – professional\nDatum: 14 maart 2024\n\n"
        "Lotte: Hoe begon het?\n\nFatima: Nou, eh… lastig.\n\nKijk: de steungroep was te groot.\n\n"
        "Lotte: En daarna?\r\n\r\nFatima: Rust.\n",
    )
    assert speakers_and_texts(read_transcript(path)) == [
        ("Lotte", "Hoe begon het?"),
        ("Fatima", "Nou, eh… lastig.\n\nKijk: de steungroep was te groot."),
        ("Lotte", "En daarna?"),
        ("Fatima", "Rust."),
    ]


def test_i_and_r_labels(tmp_path):
    path = write(tmp_path / "b.txt", "I: Hoe gaat het?\nR: Goed.\nEcht goed.\nI: Mooi.\n")
    assert speakers_and_texts(read_transcript(path)) == [
        ("I", "Hoe gaat het?"),
        ("R", "Goed.\nEcht goed."),
        ("I", "Mooi."),
    ]


def test_timestamp_before_and_after_the_name(tmp_path):
    before = write(tmp_path / "c.txt", "[00:01:23] Lotte: Fijn.\n[00:01:31] Ellen: Ja hoor.\n")
    turns = read_transcript(before).turns
    assert [(t.speaker, t.time) for t in turns] == [("Lotte", 83.0), ("Ellen", 91.0)]
    after = write(tmp_path / "d.txt", "Interviewer [00:00:05]: Dag.\nHenk (00:00:12): Goedemiddag.\n")
    turns = read_transcript(after).turns
    assert [(t.speaker, t.text, t.time) for t in turns] == [
        ("Interviewer", "Dag.", 5.0),
        ("Henk", "Goedemiddag.", 12.0),
    ]


def test_transcription_service_layout(tmp_path):
    path = write(
        tmp_path / "e.txt",
        "Interviewer  00:12\nKun je iets vertellen?\n\nRonald  00:20\nJa. Om 10:30 ging ik.\n\n"
        "Dat tweede stuk hoort ook bij Ronald.\n\nInterviewer  1:02:03\nDank je.\n",
    )
    turns = read_transcript(path).turns
    assert [(t.speaker, t.time) for t in turns] == [
        ("Interviewer", 12.0),
        ("Ronald", 20.0),
        ("Interviewer", 3723.0),
    ]
    assert turns[1].text == "Ja. Om 10:30 ging ik.\n\nDat tweede stuk hoort ook bij Ronald."


def test_markdown_bold_labels(tmp_path):
    path = write(tmp_path / "f.md", "# Interview\n\n**Interviewer:** Vraag?\n\n**Dewi**: Antwoord.\n")
    assert speakers_and_texts(read_transcript(path)) == [("Interviewer", "Vraag?"), ("Dewi", "Antwoord.")]


def test_speech_that_starts_with_a_word_and_colon_is_not_a_speaker(tmp_path):
    path = write(
        tmp_path / "g.txt",
        "I: Vraag?\n\nR: Antwoord.\n\nMijn punt is: het werkt.\n\nDe VVD vindt: niet doen.\n\nI: Ok.\n",
    )
    turns = read_transcript(path).turns
    assert [t.speaker for t in turns] == ["I", "R", "I"]


def test_one_off_speaker_with_party_is_recognised_beside_others(tmp_path):
    path = write(
        tmp_path / "h.txt",
        "De voorzitter: Welkom.\n\nDe heer Snels (GroenLinks): Dank u.\n\nDe voorzitter: Dank.\n",
    )
    assert [t.speaker for t in read_transcript(path).turns] == [
        "De voorzitter",
        "De heer Snels (GroenLinks)",
        "De voorzitter",
    ]


def test_known_speakers_are_trusted_even_once(tmp_path):
    path = write(tmp_path / "i.txt", "Voorwoord van het team.\n\nKijk: Eén keer.\n")
    assert [t.speaker for t in read_transcript(path).turns] == [None]
    assert [t.speaker for t in read_transcript(path, {"kijk"}).turns] == ["Kijk"]


def test_text_without_labels_is_one_unnamed_turn(tmp_path):
    path = write(tmp_path / "j.txt", "\n\nEen essay zonder sprekers.\n\nTweede alinea.\n\n")
    assert speakers_and_texts(read_transcript(path)) == [
        (None, "Een essay zonder sprekers.\n\nTweede alinea.")
    ]


def test_docx_with_bold_labels_and_continuation(tmp_path):
    path = make_docx(
        tmp_path / "k.docx",
        [
            [("Interview cliënt Haarlem", False)],
            [("Interviewer:", True), (" Hoe gaat het?", False)],
            [("Dewi:", True), (" Goed, rustig.", False)],
            [("En de woning komt eraan.", False)],
            [],
            [("Interviewer:", True), (" Fijn.", False)],
            [("Dewi:", True), (" Ja.", False)],
        ],
    )
    transcript = read_transcript(path)
    assert speakers_and_texts(transcript) == [
        ("Interviewer", "Hoe gaat het?"),
        ("Dewi", "Goed, rustig.\n\nEn de woning komt eraan."),
        ("Interviewer", "Fijn."),
        ("Dewi", "Ja."),
    ]
    assert transcript.format == "docx"
    assert transcript.text.startswith("Interview cliënt Haarlem\n\n")


def test_odt(tmp_path):
    path = make_odt(tmp_path / "l.odt", ["I: Vraag  één?", "R: Antwoord.", "I: Dank."])
    assert speakers_and_texts(read_transcript(path)) == [
        ("I", "Vraag  één?"),
        ("R", "Antwoord."),
        ("I", "Dank."),
    ]


def test_vtt_voice_tags_merge_consecutive_cues(tmp_path):
    path = write(
        tmp_path / "m.vtt",
        "WEBVTT\n\nNOTE made by hand\n\n1\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>Hoe gaat het?</v>\n\n"
        "00:00:04.500 --> 00:00:06.000\n<v Jeroen>Gaat wel.\n\n00:00:06.000 --> 00:00:09.000 align:start\n"
        "<v Jeroen>Mijn hond &amp; ik.</v>\n\n00:01:10.000 --> 00:01:12.000\n<v.loud Interviewer>Oké.\n",
    )
    transcript = read_transcript(path)
    assert [(t.speaker, t.text, t.time) for t in transcript.turns] == [
        ("Interviewer", "Hoe gaat het?", 1.0),
        ("Jeroen", "Gaat wel. Mijn hond & ik.", 4.5),
        ("Interviewer", "Oké.", 70.0),
    ]
    transcript.check_offsets()
    assert "[00:00:04] Jeroen: Gaat wel. Mijn hond & ik." in transcript.text


def test_srt_with_uppercase_labels(tmp_path):
    path = write(
        tmp_path / "n.srt",
        "1\n00:00:01,000 --> 00:00:03,000\nINTERVIEWER: Wat doe je?\n\n2\n00:00:03,500 --> 00:00:06,000\n"
        "KARIM: Ik ben netwerkcoach.\n\n3\n00:00:06,000 --> 00:00:08,000\n<i>Al vijf jaar.</i>\n\n"
        "4\n00:00:09,000 --> 00:00:10,000\nINTERVIEWER: Mooi.\n",
    )
    assert speakers_and_texts(read_transcript(path)) == [
        ("INTERVIEWER", "Wat doe je?"),
        ("KARIM", "Ik ben netwerkcoach. Al vijf jaar."),
        ("INTERVIEWER", "Mooi."),
    ]


def test_csv_of_turns(tmp_path):
    path = write(tmp_path / "o.csv", 'speaker,text,time\nI,"Vraag, lang",00:10\nR,"Regel 1\nRegel 2",1:00\n')
    transcript = read_transcript(path)
    assert [(t.speaker, t.text, t.time) for t in transcript.turns] == [
        ("I", "Vraag, lang", 10.0),
        ("R", "Regel 1\nRegel 2", 60.0),
    ]
    transcript.check_offsets()


def test_csv_errors_name_the_line(tmp_path):
    missing = write(tmp_path / "p.csv", "who,said\nI,hallo\n")
    with pytest.raises(InputError, match=r"p.csv, line 1: a turns CSV needs the columns speaker,text"):
        read_transcript(missing)
    bad_time = write(tmp_path / "q.csv", "speaker,text,time\nI,hallo,00:10\nR,dag,tien uur\n")
    with pytest.raises(InputError, match=r"q.csv, line 3: time 'tien uur' is not"):
        read_transcript(bad_time)


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")],
)
def test_encodings_with_and_without_bom(tmp_path, encoding, prefix):
    path = tmp_path / "r.txt"
    path.write_bytes(prefix + "I: Cliënt één?\r\nR: Ja, naïef.\r\n".encode(encoding))
    transcript = read_transcript(path)
    assert transcript.text == "I: Cliënt één?\nR: Ja, naïef.\n"
    assert transcript.warnings == []


def test_cp1252_fallback_warns(tmp_path):
    path = tmp_path / "s.txt"
    path.write_bytes("I: Cliënt – één?\nR: Ja.\n".encode("cp1252"))
    transcript = read_transcript(path)
    assert transcript.turns[0].text == "Cliënt – één?"
    assert transcript.warnings == [
        f"{path}: not valid UTF-8, read as Windows-1252; check accented letters, or save the file as UTF-8"
    ]


def test_nfc_normalisation(tmp_path):
    path = write(tmp_path / "t.txt", "I: Cliënt\n")  # decomposed ë
    assert read_transcript(path).text == "I: Cliënt\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("u.pdf", b"%PDF-1.4", r"u.pdf: cannot read the PDF \(.*\); it may be damaged"),
        ("u.rtf", b"{\\rtf1}", r"u.rtf: unknown transcript format '.rtf'; supported: .txt, .md"),
        ("v.txt", b"", r"v.txt: the file is empty; nothing to import"),
        ("w.txt", b" \n\t\n", r"w.txt: the file is empty; nothing to import"),
        (
            "x.docx",
            b"PK\x03\x04 not really a zip",
            r"x.docx: not a valid .docx file .*open it in Word and save it again as .docx",
        ),
        (
            "y.txt",
            b"I: ok\nR: \x81\x8d\n",
            r"y.txt, line 2: byte 0x81 at position 9 cannot be decoded as UTF-8 or Windows-1252",
        ),
        ("z.txt", b"I\x00:\x00 \x00", r"z.txt, line 1: contains NUL bytes"),
        (
            "za.vtt",
            b"1\n00:00:01.000 --> 00:00:02.000\nhallo\n",
            r"za.vtt, line 1: a WebVTT file must start with the line WEBVTT",
        ),
        (
            "zb.srt",
            b"1\n00:00:01,000 --> 00:00:02,000\nhallo\n\nlos tekst\n",
            r"zb.srt, line 5: expected a subtitle cue",
        ),
    ],
)
def test_bad_input_names_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_transcript(path)


def test_docx_without_document_xml(tmp_path):
    import zipfile

    path = tmp_path / "empty.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match=r"empty.docx: not a valid .docx file"):
        read_transcript(path)


def test_a_speech_start_word_is_a_speaker_only_when_it_opens_many_lines(tmp_path):
    # "Dan:" starts speech in Dutch ("Dan: gingen we naar huis."), and is also a name.
    interview = "".join(f"Dan: Hoe ging dat in week {i}?\nParticipant: Goed, in week {i} ging het goed.\n"
                        for i in range(5))  # fmt: skip
    transcript = read_transcript(write(tmp_path / "dan.txt", interview))
    assert speakers_and_texts(transcript) == [
        turn for i in range(5)
        for turn in (("Dan", f"Hoe ging dat in week {i}?"), ("Participant", f"Goed, in week {i} ging het goed."))
    ]  # fmt: skip
    for times in (1, 2):
        lines = [f"I: Vraag {i}?\nR: Antwoord {i}.\n" + ("Dan: gingen we naar huis.\n" if i < times else "")
                 for i in range(5)]  # fmt: skip
        transcript = read_transcript(write(tmp_path / f"speech{times}.txt", "".join(lines)))
        turns = speakers_and_texts(transcript)
        assert [speaker for speaker, _ in turns] == ["I", "R"] * 5
        assert [text for speaker, text in turns if "Dan:" in text] == [
            f"Antwoord {i}.\nDan: gingen we naar huis." for i in range(times)
        ]
