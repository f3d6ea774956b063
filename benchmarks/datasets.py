"""Build qualcode projects from the coded test sets in ../shared/data/coded.

Each builder writes the documents as text files, a codebook CSV and a codings CSV into a
work folder and goes through the public API (import, segment, codebook, codings), so the
benchmarks measure the same path a researcher takes. A set in the neutral layout
(``transcripts/*.txt``, ``codebook.csv``, ``codings.csv``) is read as it is: see
:func:`neutral_layout`.
"""

from __future__ import annotations

import csv
import json
import re
import warnings
from collections import Counter
from pathlib import Path

from qualcode import Project, QualcodeWarning
from qualcode.ingest.decode import normalise

CODER = "original"


def serdif_usability(shared: Path, work: Path, unit: str = "sentence") -> Project:
    """17 think-aloud sessions; highlights are located by searching for their text."""
    folder = shared / "data" / "coded" / "serdif-usability"
    documents = [json.loads(line) for line in (folder / "documents.jsonl").open(encoding="utf-8")]
    highlights = [json.loads(line) for line in (folder / "highlights.jsonl").open(encoding="utf-8")]
    texts = {f"session_{d['id']:02d}": normalise(d["text"]) for d in documents}
    names = {d["id"]: f"session_{d['id']:02d}" for d in documents}
    codings, cursor = [], {}
    for highlight in highlights:
        name = names[highlight["document_id"]]
        needle = normalise(highlight["text"])
        start = texts[name].find(needle, cursor.get(name, 0))
        if start < 0:
            start = texts[name].find(needle)
        if start < 0:
            raise ValueError(f"highlight not found in {name}: {needle[:60]!r}")
        cursor[name] = start
        codings += [(name, start, start + len(needle), tag) for tag in highlight["tags"]]
    codes = [
        (row["tag"], row["description"])
        for row in csv.DictReader((folder / "tags.csv").open(encoding="utf-8"))
    ]
    return _build(work, texts, codes, codings, unit)


def games_as_art(shared: Path, work: Path, unit: str = "sentence") -> Project:
    """174 survey answers coded inline as ``**span**<sup>code; code</sup>``."""
    folder = shared / "data" / "coded" / "games-as-art"
    texts, codings = {}, []
    rows = csv.DictReader((folder / "coded_texts.csv").open(encoding="utf-8"))
    for number, row in enumerate(rows, start=1):
        name = f"answer_{number:03d}"
        text, spans = _strip_inline_codes(normalise(row["coded_text"]))
        texts[name] = text
        codings += [(name, start, end, code) for start, end, code in spans]
    codes = [
        (r["code"], r["description"])
        for r in csv.DictReader((folder / "code_descriptions.csv").open(encoding="utf-8"))
    ]
    return _build(work, texts, codes, codings, unit)


def is_neutral_layout(folder: Path) -> bool:
    return (
        (folder / "transcripts").is_dir()
        and (folder / "codebook.csv").is_file()
        and (folder / "codings.csv").is_file()
    )


def neutral_layout(folder: Path, work: Path, unit: str = "turn", language: str = "en") -> tuple[Project, str]:
    """A folder of ``transcripts/*.txt`` (speaker-labelled turns), ``codebook.csv``
    (code,description,parent) and ``codings.csv`` (source,start,end,code,coder; code-point
    offsets into the .txt files). Returns the project and the coder named in codings.csv (the
    one with most codings, should there be several)."""
    folder, work = Path(folder), Path(work)
    with (folder / "codings.csv").open(encoding="utf-8", newline="") as handle:
        coders = Counter(row["coder"] for row in csv.DictReader(handle))
    if not coders:
        raise ValueError(f"{folder / 'codings.csv'}: no codings")
    work.mkdir(parents=True, exist_ok=True)
    project = Project.create(work / "bench.qc")
    try:
        report = project.import_transcripts([folder / "transcripts"])
        if report.skipped:
            raise ValueError(f"{folder}: transcripts not imported: {report.skipped}")
        for path in sorted((folder / "transcripts").glob("*.txt")):
            # Read without newline translation: the offsets count every code point of the file.
            if project.source_text(path.stem) != path.read_bytes().decode("utf-8"):
                raise ValueError(
                    f"{path.name}: the imported text differs from the file (changed on import: BOM, "
                    "CRLF or Unicode normalisation?), so the offsets in codings.csv would not fit"
                )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QualcodeWarning)
            project.segment(unit=unit, language=language)
        project.load_codebook(folder / "codebook.csv")
        project.import_codings(folder / "codings.csv", add_missing_codes=True)
    except BaseException:
        project.close()
        raise
    return project, coders.most_common(1)[0][0]


_INLINE = re.compile(r"\*\*(?P<span>.+?)\*\*<sup>(?P<codes>[^<]*)</sup>", re.DOTALL)


def _strip_inline_codes(marked: str) -> tuple[str, list[tuple[int, int, str]]]:
    out, spans, position = [], [], 0
    length = 0
    for m in _INLINE.finditer(marked):
        out.append(marked[position : m.start()])
        length += m.start() - position
        span = m.group("span")
        spans += [(length, length + len(span), c.strip()) for c in m.group("codes").split(";") if c.strip()]
        out.append(span)
        length += len(span)
        position = m.end()
    out.append(marked[position:])
    return "".join(out), spans


def _build(work: Path, texts: dict[str, str], codes, codings, unit: str) -> Project:
    sources = work / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        # A CSV of one turn keeps the text whole: no speaker detection on think-aloud prose.
        with (sources / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([("speaker", "text"), ("participant", text)])
    codebook = work / "codebook.csv"
    with codebook.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("code", "description", "parent"))
        writer.writerows((name, description, "") for name, description in codes)
    project = Project.create(work / "bench.qc")
    project.import_transcripts([sources])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", QualcodeWarning)
        project.segment(unit=unit, language="en")
    project.load_codebook(codebook)
    offsets = _offsets_in_sources(project, texts)
    table = work / "codings.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("source", "start", "end", "code", "coder"))
        writer.writerows((n, offsets[n] + s, offsets[n] + e, c, CODER) for n, s, e, c in codings)
    project.import_codings(table, add_missing_codes=True)
    return project


def _offsets_in_sources(project: Project, texts: dict[str, str]) -> dict[str, int]:
    """Where each original text starts inside its imported source (after the speaker label)."""
    offsets = {}
    for name, text in texts.items():
        at = project.source_text(name).find(text.strip())
        if at < 0:
            raise ValueError(f"{name}: imported text differs from the original")
        offsets[name] = at - (len(text) - len(text.lstrip()))
    return offsets
