"""A whole study declared in one YAML file, run step by step; unchanged steps are skipped.

    qualcode run study.yaml

Steps, in order: import (transcripts, participants), segment, codebook, codings (optional
human codings), suggest, topics, exports. Each step has a fingerprint of its inputs (the
files' bytes, its settings and the fingerprints of the steps it builds on; for suggest and
exports also the review log) stored in the project; a step whose fingerprint is unchanged
is skipped. The steps record their own runs (settings and versions) as when run by hand.
A codings file is imported once: run again (even with ``force``), the same file with the same
coder is not imported a second time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from qualcode import defaults
from qualcode.codebook.yamlfile import load_yaml
from qualcode.errors import InputError
from qualcode.files import write_bytes_atomically

TOP_LEVEL = {"project", "language", "model", "transcripts", "participants", "replace", "segment",
             "codebook", "codings", "cmocs", "suggest", "topics", "exports"}  # fmt: skip
SECTION_KEYS = {
    "segment": {"unit", "window", "stride", "include_interviewer"},
    "suggest": {"suggester", "min_score", "embedder", "model", "coder"},
    "topics": {
        "mode",
        "n_topics",
        "seed",
        "embedder",
        "model",
        "unit",
        "include_interviewer",
        "exclude_words",
        "exclude_proper_nouns",
        "context",
    },  # fmt: skip
}
EXPORT_KEYS = {"format", "path", "include_unreviewed"}
CODING_KEYS = {"path", "coder", "add_missing_codes"}

EXAMPLE = """\
# The bundled example study: nine fictional Dutch interviews about network support.
# Run it with: qualcode run study.yaml  (steps whose inputs did not change are skipped)
project: example.qc
language: nl
model: null                 # a spaCy model name or folder; null = a trained nl model if installed, else blank
transcripts: transcripts/
participants: transcripts/participants.csv
replace: false              # true: a transcript that changed replaces its source (refused if it has codings)
segment:
  unit: sentence            # sentence, paragraph, turn or window
codebook: codebooks/netwerkondersteuning.yaml
codings:                    # reviewed codings: four interviews coded by hand by Noor, a fictional coder
  - {path: codings/noor-fictief.csv}  # (transcripts/README.md); your own: - {path: mine.csv, coder: anna}
cmocs: codings/programmatheorie.yaml  # Noor's programme theory: CMOCs (qualcode cmoc list example.qc)
suggest:
  suggester: ensemble
  coder: null               # null: learn from every coder (here Noor); suggests for the five uncoded interviews
  min_score: null           # null: the threshold learned from your decisions; or a fixed score 0..1
topics:
  mode: quick
  n_topics: 8
  seed: 1
exports:                    # from reviewed codings only; include_unreviewed: true adds suggestions, marked, apart
  - {format: xlsx, path: example-output/findings.xlsx}
  - {format: html, path: example-output/report.html}
  - {format: qdpx, path: example-output/example.qdpx}
  - {format: realist, path: example-output/realist.md}   # along RAMESES II, with prompts for the rest
"""


@dataclass
class StepResult:
    name: str
    ran: bool
    detail: str


@dataclass
class StudyReport:
    project: str
    steps: list[StepResult] = field(default_factory=list)


EXAMPLE_DATA = (
    Path(__file__).parent / "example"
)  # transcripts/, codebooks/ and codings/, shipped in the package
EXAMPLE_FOLDERS = ("transcripts", "codebooks", "codings")


def write_example(path: str | Path) -> bool:
    """Write the example study file, and beside it the example's transcripts, codebook and
    codings (from the package) where they are not there yet, so the study runs in any folder; False
    when everything was already there. A different file in the way is refused, not replaced."""
    path = Path(path)
    if path.exists() and path.read_text(encoding="utf-8") != EXAMPLE:
        raise InputError("a different study file is already there; move it or pick another name", str(path))
    wanted = {path: EXAMPLE.encode("utf-8")}
    for folder in EXAMPLE_FOLDERS:
        for source in sorted((EXAMPLE_DATA / folder).iterdir()):
            wanted[path.parent / folder / source.name] = source.read_bytes()
    clashes = [str(p) for p, data in wanted.items() if p.exists() and p.read_bytes() != data]
    if clashes:
        raise InputError(
            "a different file is already where the example puts its own; move it or use another folder",
            clashes[0],
        )
    missing = {p: data for p, data in wanted.items() if not p.exists()}
    for target, data in missing.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomically(target, data)
    return bool(missing)


def load_study(path: str | Path) -> dict:
    path = Path(path)
    data = load_yaml(path, "the study file")  # refuses alias bombs and !!python/object
    if not isinstance(data, dict):
        raise InputError("a study file is a mapping with at least 'project' and 'transcripts'", str(path), 1)
    _check_keys(data, TOP_LEVEL, "", path)
    for section, keys in SECTION_KEYS.items():
        if data.get(section) is not None:
            if not isinstance(data[section], dict):
                raise InputError(f"field '{section}': expected a mapping", str(path), data.get("__line__"))
            _check_keys(data[section], keys, f"{section}.", path)
    for key, allowed in (("exports", EXPORT_KEYS), ("codings", CODING_KEYS)):
        for item in data.get(key) or []:
            if not isinstance(item, dict) or "path" not in item:
                raise InputError(f"field '{key}': each entry needs a path", str(path), data.get("__line__"))
            _check_keys(item, allowed, f"{key}.", path)
    for required in ("project", "transcripts"):
        if not data.get(required):
            raise InputError(f"field '{required}': missing; see qualcode init --example", str(path), 1)
    return _without_lines(data)


def _without_lines(value):
    """The study as plain data, without the line numbers kept for error messages."""
    if isinstance(value, dict):
        return {k: _without_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_without_lines(v) for v in value]
    return value


def run_study(path: str | Path, force: bool = False, progress=None, steps=None) -> StudyReport:
    """Run the study file at ``path`` (see the module's docstring). ``progress``, if given, is
    called with each step's :class:`StepResult` when the step is over; ``steps`` with ``(done,
    total, name)`` as each step starts and ``(total, total, "done")`` at the end."""
    from qualcode.project import Project

    path = Path(path)
    study = load_study(path)
    base = path.resolve().parent
    project_path = base / study["project"]
    project = Project.open(project_path) if project_path.exists() else Project.create(project_path)
    report = StudyReport(str(project_path))
    try:
        _Runner(project, study, base, force, report, progress).run(steps)
    finally:
        project.close()
    return report


class _Runner:
    def __init__(self, project, study: dict, base: Path, force: bool, report: StudyReport, progress):
        self.project, self.study, self.base, self.force = project, study, base, force
        self.report, self.progress = report, progress
        self.prints: dict[str, str] = {}

    def run(self, steps=None) -> None:
        plan = list(self._plan())
        for done, (name, inputs, action, output) in enumerate(plan):
            if steps:
                steps(done, len(plan), name)
            self._step(name, inputs(), action, output)
        if steps:
            steps(len(plan), len(plan), "done")

    def _plan(self):
        """The study's steps in order: name, its inputs (asked for when the step starts, after
        the steps before it ran), what it does and the file it writes (or None)."""
        study = self.study
        transcripts = self._paths(study["transcripts"])
        participants = self._path(study.get("participants"))
        replace = bool(study.get("replace", False))
        yield (
            "import", lambda: [transcripts, participants],
            lambda: self._import(transcripts, participants, replace), None,
        )  # fmt: skip
        segment = {"unit": defaults.UNIT, **(study.get("segment") or {})}
        language, model = study.get("language") or defaults.LANGUAGE, study.get("model")
        yield (
            "segment",
            lambda: ["import", segment, language, model],
            lambda: self.project.segment(
                segment["unit"],
                segment.get("window", defaults.WINDOW),
                segment.get("stride"),
                language,
                model,
                bool(segment.get("include_interviewer", False)),
            ),
            None,
        )
        if study.get("codebook"):
            codebook = self._path(study["codebook"])
            yield "codebook", lambda: [codebook], lambda: self.project.load_codebook(codebook), None
        codings = [dict(c, path=self._path(c["path"])) for c in study.get("codings") or []]
        if codings:
            files = [c["path"] for c in codings]  # by content (the entries alone name the paths only)
            yield "codings", lambda: ["codebook", codings, files], lambda: self._codings(codings), None
        if study.get("cmocs"):
            theory = self._path(study["cmocs"])
            yield "cmocs", lambda: ["codebook", theory], lambda: self._cmocs(theory), None
        if study.get("suggest") is not None:
            suggest = {"suggester": defaults.SUGGESTER, "min_score": defaults.MIN_SCORE, **study["suggest"]}
            options = {k: suggest[k] for k in ("embedder", "model") if suggest.get(k)}
            yield (
                "suggest",
                lambda: ["segment", "codebook", "codings", suggest, self._review_state()],
                lambda: self.project.suggest(
                    suggest["suggester"], suggest["min_score"], suggest.get("coder"), **options
                ),
                None,
            )
        if study.get("topics") is not None:
            topics = {"mode": "quick", "n_topics": 8, "seed": 1, **study["topics"]}
            yield "topics", lambda: ["segment", topics], lambda: self.project.topics(**topics), None
        for export in study.get("exports") or []:
            target = self._path(export["path"])
            include = "all" if export.get("include_unreviewed") else "reviewed"
            name = f"export {export['format']} {export['path']}"
            inputs = lambda e=export: [self.prints, e, self._review_state()]  # noqa: E731
            action = lambda t=target, e=export, i=include: self._export(e["format"], t, i)  # noqa: E731
            yield name, inputs, action, target

    def _step(self, name: str, inputs: list, action, output: Path | None = None) -> None:
        """Run ``action`` unless its inputs' fingerprint is the stored one (and its output
        file, if it has one, is still there)."""
        fingerprint = _fingerprint([self.prints.get(i, i) if isinstance(i, str) else i for i in inputs])
        key = f"study:{name}"
        unchanged = self.project.setting(key) == fingerprint and (output is None or output.exists())
        if unchanged and not self.force:
            self.report.steps.append(StepResult(name, False, "inputs unchanged"))
        else:
            result = action()
            self.project.set_setting(key, fingerprint)
            self.report.steps.append(StepResult(name, True, _describe(result)))
        self.prints[name] = fingerprint
        if self.progress:
            self.progress(self.report.steps[-1])

    def _import(self, transcripts: list[Path], participants: Path | None, replace: bool):
        return self.project.import_transcripts(transcripts, participants=participants, replace=replace)

    def _codings(self, entries: list[dict]) -> str:
        """Import each codings file not imported before (the same bytes with the same coder):
        importing a file again would store every coding twice."""
        imported, before = 0, 0
        for entry in entries:
            coder, add = entry.get("coder"), bool(entry.get("add_missing_codes"))
            key = "study:codings imported:" + _fingerprint([entry["path"], coder])
            if self.project.setting(key):
                before += 1
                continue
            imported += self.project.import_codings(entry["path"], coder, add).imported
            self.project.set_setting(key, "1")
        again = f" ({before} file{'s' if before > 1 else ''} imported before, not again)" if before else ""
        return f"{imported} imported{again}"

    def _cmocs(self, path: Path) -> str:
        report = self.project.import_cmocs(path)
        return f"{len(report.added)} added, {len(report.unchanged)} already recorded"

    def _export(self, fmt: str, target: Path, include: str) -> str:
        target.parent.mkdir(parents=True, exist_ok=True)
        self.project.export(fmt, target, include=include)
        return f"wrote {target}"

    def _review_state(self) -> int:
        return self.project.decision_count()

    def _path(self, value) -> Path | None:
        return None if value in (None, "") else (self.base / value)

    def _paths(self, value) -> list[Path]:
        return [self.base / v for v in (value if isinstance(value, list) else [value])]


def _fingerprint(inputs: list) -> str:
    digest = hashlib.sha256()
    for item in inputs:
        for value in item if isinstance(item, list) else [item]:
            digest.update(_bytes_of(value))
    return digest.hexdigest()


def _bytes_of(value) -> bytes:
    """Files and folders by content; everything else by its JSON form."""
    if isinstance(value, Path):
        if value.is_dir():
            return b"".join(p.name.encode() + _bytes_of(p) for p in sorted(value.iterdir()) if p.is_file())
        return (
            hashlib.sha256(value.read_bytes()).digest()
            if value.is_file()
            else b"missing:" + str(value).encode()
        )
    return json.dumps(value, sort_keys=True, default=str).encode()


def _describe(result) -> str:
    if result is None:
        return "done"
    if isinstance(result, str):
        return result
    if isinstance(result, dict):  # codebook changes
        return ", ".join(f"{len(v)} {k}" for k, v in result.items() if v) or "no changes"
    for attribute in ("suggestions", "imported", "segments"):
        if hasattr(result, attribute):
            value = getattr(result, attribute)
            return f"{len(value) if isinstance(value, list) else value} {attribute}"
    return "done"


def _check_keys(mapping: dict, allowed: set[str], prefix: str, path: Path) -> None:
    for key in mapping:
        if key != "__line__" and key not in allowed:
            raise InputError(
                f"field '{prefix}{key}': unknown; known fields: {', '.join(sorted(allowed))}",
                str(path),
                mapping.get("__line__"),
            )
