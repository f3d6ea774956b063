"""The ``qualcode`` command: thin wrappers that parse, call the library and print.

Only this module prints or exits. Heavy libraries are imported inside the commands, so
``qualcode --help`` answers at once.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import sys
import warnings

import click

from qualcode.errors import QualcodeError
from qualcode.version import __version__

UNITS = ("sentence", "paragraph", "turn", "window")


def _library_errors(command):
    """Turn library errors into a one-line message and exit status 1; print warnings once."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return command(*args, **kwargs)
            except QualcodeError as exc:
                raise click.ClickException(str(exc)) from exc
            finally:
                for warning in _unique(caught):
                    click.echo(f"warning: {warning}", err=True)

    return wrapper


def _unique(caught) -> list[str]:
    seen = []
    for w in caught:
        if str(w.message) not in seen:
            seen.append(str(w.message))
    return seen


@contextlib.contextmanager
def _progress(length: int, label: str):
    """A progress bar on a terminal's stderr; nothing at all when stderr is not a terminal."""
    if not sys.stderr.isatty() or length <= 1:
        yield lambda n: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


def _open(path):
    from qualcode.project import Project

    return Project.open(path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qualcode")
def main():
    """Code qualitative interviews and find working mechanisms in them.

    A project is one file (for example study.qc); every command reads and writes it.
    """


@main.command()
@click.argument("project", required=False, type=click.Path(dir_okay=False))
@click.option("--example", is_flag=True, help="Write study.yaml for the bundled example study instead.")
@_library_errors
def init(project, example):
    """Create a new, empty PROJECT file (or, with --example, the example's study.yaml)."""
    if example:
        from qualcode.study import write_example

        target = project or "study.yaml"
        written = write_example(target)
        click.echo(
            ("wrote " if written else "already there: ") + f"{target}; run it with: qualcode run {target}"
        )
        return
    if not project:
        raise click.UsageError("give a project file name, e.g. qualcode init study.qc (or --example)")
    from qualcode.project import Project

    Project.create(project).close()
    click.echo(f"created {project}")


@main.command()
@click.argument("study", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Run every step, even those whose inputs did not change.")
@_library_errors
def run(study, force):
    """Run a whole study declared in a YAML file (see qualcode init --example)."""
    from qualcode.study import run_study

    def show(step):
        click.echo(f"{'ran    ' if step.ran else 'skipped'} {step.name}: {step.detail}")

    report = run_study(study, force=force, progress=show)
    ran = sum(step.ran for step in report.steps)
    click.echo(f"{report.project}: {ran} steps ran, {len(report.steps) - ran} skipped")


@main.command(name="import")
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--participants", type=click.Path(dir_okay=False), help="CSV: speaker,case,role[,source],attributes..."
)
@click.option("--replace", is_flag=True, help="Replace sources whose file has changed since the last import.")
@_library_errors
def import_(project, paths, participants, replace):
    """Import transcripts (files or folders) into PROJECT.

    Formats: .txt .md .docx .odt .vtt .srt and turn CSVs (speaker,text[,time]). Nothing is
    stored unless every file can be read.
    """
    with _open(project) as proj:
        total = proj.count_importable(list(paths), participants)
        with _progress(total, "importing") as advance:
            report = proj.import_transcripts(list(paths), participants, replace, progress=advance)
    for path, why in report.skipped:
        click.echo(f"skipped {path}: {why}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for name in report.unchanged:
        click.echo(f"unchanged {name}: already imported, nothing to do")
    for name in report.replaced:
        click.echo(f"replaced {name}")
    click.echo(
        f"imported {len(report.imported)} sources"
        + (f": {', '.join(report.imported)}" if report.imported else "")
    )


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("csv_path", metavar="PARTICIPANTS_CSV", type=click.Path(dir_okay=False))
@_library_errors
def participants(project, csv_path):
    """Declare speakers' roles, cases and case attributes from a CSV."""
    with _open(project) as proj:
        for warning in proj.load_participants(csv_path):
            click.echo(f"warning: {warning}", err=True)
        roles = proj.status()["roles"]
    click.echo("speakers by role: " + ", ".join(f"{k} {v}" for k, v in roles.items()))


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--unit", type=click.Choice(UNITS), default="sentence", show_default=True)
@click.option("--window", default=3, show_default=True, help="Sentences per window (--unit window).")
@click.option("--stride", type=int, help="Sentences between window starts (default: the window size).")
@click.option("--language", default="nl", show_default=True, help="spaCy language code, e.g. nl or en.")
@click.option("--model", help="An installed spaCy model name or a folder with a saved pipeline.")
@click.option("--include-interviewer", is_flag=True, help="Also segment the interviewer's turns.")
@_library_errors
def segment(project, unit, window, stride, language, model, include_interviewer):
    """Split the transcripts' turns into segments for coding."""
    with _open(project) as proj, _progress(proj.source_count(), "segmenting") as advance:
        report = proj.segment(unit, window, stride, language, model, include_interviewer, advance)
    click.echo(
        f"{report.segments} {report.unit} segments from {report.turns} turns in {report.sources} "
        f"sources ({report.skipped_interviewer_turns} interviewer turns left out; "
        f"pipeline: {report.pipeline['model']})"
    )


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@_library_errors
def status(project, as_json):
    """Summarise what PROJECT holds."""
    with _open(project) as proj:
        info = proj.status()
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    counts = info["counts"]
    click.echo(f"project {info['path']} (schema {info['schema_version']})")
    click.echo(
        f"  {counts['sources']} sources, {counts['turns']} turns, {counts['speakers']} speakers, "
        f"{counts['cases']} cases"
    )
    click.echo("  speakers by role: " + (", ".join(f"{k} {v}" for k, v in info["roles"].items()) or "none"))
    segs = ", ".join(f"{n} {u}" for u, n in info["segments"].items()) or "none yet (run: qualcode segment)"
    click.echo(
        f"  segments: {segs}" + (f" (active unit: {info['active_unit']})" if info["active_unit"] else "")
    )
    coders = ", ".join(f"{c} {n}" for c, n in info["codings_per_coder"].items()) or "none"
    click.echo(f"  codes {counts['codes']}, suggestions {counts['suggestions']}, memos {counts['memos']}")
    click.echo(f"  codings by coder: {coders}")
    for src in info["sources"]:
        click.echo(
            f"  - {src['name']} [{src['format']}] {src['turns']} turns: {src['speakers'] or 'no speakers'}"
        )


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--unit", type=click.Choice(UNITS), help="Which segments (default: the last made).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: stdout).",
)
@_library_errors
def segments(project, unit, fmt, output):
    """List segments as CSV or JSON lines: source,unit,start,end,speaker,role,text."""
    columns = ("source", "unit", "start", "end", "speaker", "role", "text")
    with _open(project) as proj:
        rows = proj.segments(unit)
        if fmt == "csv":
            writer = csv.writer(output, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([getattr(row, c) if getattr(row, c) is not None else "" for c in columns])
        else:
            for row in rows:
                output.write(json.dumps({c: getattr(row, c) for c in columns}, ensure_ascii=False) + "\n")


@main.group()
def codebook():
    """Load, show and export the project's codebook."""


@codebook.command(name="load")
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("path", type=click.Path(dir_okay=False))
@_library_errors
def codebook_load(project, path):
    """Load a codebook (.yaml, .csv, .qdc, .qdpx) as the project's new codebook version."""
    with _open(project) as proj:
        changes = proj.load_codebook(path)
        total = len(proj.codebook().codes)
    summary = ", ".join(f"{len(names)} {kind}" for kind, names in changes.items() if names) or "no changes"
    click.echo(f"codebook loaded: {total} codes ({summary})")
    for kind in ("renamed", "merged", "retired"):
        for name in changes[kind]:
            click.echo(f"  {kind}: {name}")


@codebook.command(name="show")
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--details", is_flag=True, help="Also show definitions, criteria and keywords.")
@_library_errors
def codebook_show(project, details):
    """Print the codebook as a tree."""
    with _open(project) as proj:
        book = proj.codebook()
    if not book.codes:
        raise click.ClickException("the project has no codebook yet; load one with: qualcode codebook load")

    def show(parent, depth):
        for code in book.children(parent):
            click.echo(f"{'  ' * depth}{code.name} [{code.kind}]")
            if details:
                pad = "  " * (depth + 1)
                if code.description:
                    click.echo(f"{pad}{code.description}")
                words = code.keywords + code.lemmas
                if words:
                    click.echo(f"{pad}words: {', '.join(words)}")
            show(code.name, depth + 1)

    show(None, 0)


@codebook.command(name="export")
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("path", type=click.Path(dir_okay=False))
@_library_errors
def codebook_export(project, path):
    """Write the codebook to PATH (.yaml, .csv or .qdc)."""
    with _open(project) as proj:
        proj.export_codebook(path)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option(
    "--suggester", default="ensemble", show_default=True, help="ensemble, lexical, semantic or supervised."
)
@click.option("--min-score", default=0.3, show_default=True, type=click.FloatRange(0, 1))
@click.option("--coder", help="Learn only from this coder's codings (default: every human coder).")
@click.option(
    "--embedder", type=click.Choice(["tfidf", "sentence-transformers"]), help="For semantic and ensemble."
)
@click.option("--embedding-model", type=click.Path(), help="A local sentence-transformers model folder.")
@_library_errors
def suggest(project, suggester, min_score, coder, embedder, embedding_model):
    """Suggest codes for every segment (stored as suggestions, never as codings)."""
    options = {}
    if embedder:
        options["embedder"] = embedder
    if embedding_model:
        options["model"] = embedding_model
        options.setdefault("embedder", "sentence-transformers")
    if options and suggester not in ("semantic", "ensemble"):
        raise click.UsageError("--embedder and --embedding-model go with --suggester semantic or ensemble")
    with _open(project) as proj:
        report = proj.suggest(suggester, min_score, coder, **options)
    click.echo(
        f"{report.suggestions} suggestions (score >= {min_score}) for {report.segments} segments by "
        f"{report.suggester}; {report.codes_learned} codes learned from codings (run {report.run_id})"
    )


@main.group()
def codings():
    """Import and export human codings."""


@codings.command(name="import")
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("csv_path", metavar="CODINGS_CSV", type=click.Path(dir_okay=False))
@click.option("--coder", help="Coder for every row (otherwise the coder column).")
@click.option("--add-missing-codes", is_flag=True, help="Add codes that are not in the codebook.")
@_library_errors
def codings_import(project, csv_path, coder, add_missing_codes):
    """Import codings: source,start,end,code,coder (optional text column is checked)."""
    with _open(project) as proj:
        report = proj.import_codings(csv_path, coder, add_missing_codes)
    click.echo(f"imported {report.imported} codings by {', '.join(sorted(report.coders)) or 'nobody'}")
    if report.added_codes:
        click.echo(f"added {len(report.added_codes)} codes: {', '.join(report.added_codes)}")


@codings.command(name="export")
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--coder", help="Only this coder's codings.")
@_library_errors
def codings_export(project, path, coder):
    """Write codings as CSV: source,start,end,code,coder."""
    with _open(project) as proj:
        count = proj.export_codings(path, coder)
    click.echo(f"wrote {count} codings to {path}")


@main.group()
def suggestions():
    """Export machine suggestions."""


@suggestions.command(name="export")
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--run", "run_id", type=int, help="A suggest run's number (default: the latest).")
@_library_errors
def suggestions_export(project, path, run_id):
    """Write suggestions as CSV: source,start,end,code,score,suggester,rationale."""
    with _open(project) as proj:
        count = proj.export_suggestions(path, run_id)
    click.echo(f"wrote {count} suggestions to {path}")


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--coder", required=True, help="Whose codings are learned from and scored against.")
@click.option(
    "--split-by-source",
    "split",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0.05, 0.95),
    help="Share of the coded sources to learn from.",
)
@click.option("--seed", default=1, show_default=True, help="Which sources go to which side.")
@click.option("--suggester", default="ensemble", show_default=True)
@click.option("--min-score", default=0.3, show_default=True, type=click.FloatRange(0, 1))
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the figures as CSV.")
@_library_errors
def evaluate(project, coder, split, seed, suggester, min_score, csv_path):
    """Score the suggestions against a coder's codings on held-out sources (with a keyword baseline)."""
    with _open(project) as proj:
        result = proj.evaluate(coder, split, seed, suggester, min_score)
    click.echo(result.to_text())
    if csv_path:
        result.write_csv(csv_path)
        click.echo(f"\nwrote {csv_path}")


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--coder", required=True, help="Who decides.")
@click.option("--code", help="Only suggestions of this code.")
@click.option("--source", help="Only suggestions in this source.")
@click.option("--order", type=click.Choice(["score", "source", "active"]), default="score", show_default=True)
@click.option(
    "--batch", default=10, show_default=True, help="Decisions between retraining (ensemble/supervised)."
)
@click.option(
    "--accept-above",
    type=click.FloatRange(0, 1),
    help="Accept every pending suggestion scoring at least this, then stop.",
)
@_library_errors
def review(project, coder, code, source, order, batch, accept_above):
    """Review suggestions one at a time: a accept, r reject, s skip, e edit, u undo, q quit.

    Every decision is stored at once; run the same command again to go on.
    """
    from qualcode.cli.review_screen import review_loop

    with _open(project) as proj:
        if accept_above is not None:
            count = proj.reviewer(coder).accept_above(accept_above, code)
            click.echo(f"accepted {count} suggestions scoring >= {accept_above} for {coder}")
            return
        review_loop(proj, coder, code, source, order, batch)


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("source")
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.argument("code")
@click.option("--coder", required=True)
@click.option("--note", default="", help="Why, for the log.")
@_library_errors
def code(project, source, start, end, code, coder, note):
    """Code SOURCE[START:END] with CODE by hand (offsets in characters, end exclusive)."""
    with _open(project) as proj:
        coding_id = proj.reviewer(coder).add(source, start, end, code, note)
        text = proj.source_text(source)[start:end]
    click.echo(f"coding {coding_id}: {code} on {source}[{start}:{end}] {text[:80]!r}")


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("text", required=False)
@click.option(
    "--on",
    "on",
    type=click.Choice(["project", "code", "source", "segment"]),
    default="project",
    show_default=True,
)
@click.option("--target", help="The code or source name, or the segment id.")
@click.option("--author", help="Who writes the memo.")
@_library_errors
def memo(project, text, on, target, author):
    """Add a memo (with TEXT), or list the memos (without)."""
    with _open(project) as proj:
        if text is None:
            for m in proj.memos():
                where = m["target_kind"] + (f" {m['target']}" if m["target"] else "")
                click.echo(f"[{m['id']}] {where} ({m['author']}, {m['created_at']}): {m['text']}")
            return
        if not author:
            raise click.UsageError("--author is needed to add a memo")
        memo_id = proj.add_memo(on, target, author, text)
    click.echo(f"memo {memo_id} added")


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option(
    "--coders", required=True, help="Comma separated, e.g. anna,bob (machine = the latest suggestions)."
)
@click.option("--unit", type=click.Choice(UNITS), help="Segment unit to compare on (default: the last made).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: stdout).",
)
@_library_errors
def agree(project, coders, unit, fmt, output):
    """Intercoder agreement: percent agreement, Cohen's kappa, Krippendorff's alpha, disagreements."""
    names = [c.strip() for c in coders.split(",") if c.strip()]
    with _open(project) as proj:
        report = proj.agreement(names, unit)
    output.write(
        {"text": report.to_text, "csv": report.to_csv, "json": report.to_json}[fmt]()
        + ("\n" if fmt != "csv" else "")
    )


@main.command()
@click.argument("project", type=click.Path(dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx", "html", "md", "qdpx", "qdc"]), required=True
)
@click.option("-o", "--output", "path", required=True, type=click.Path(), help="File (a folder for csv).")
@click.option(
    "--include-unreviewed", is_flag=True, help="Also count the latest suggestions (marked as unreviewed)."
)
@_library_errors
def export(project, fmt, path, include_unreviewed):
    """Export findings: csv tables, xlsx workbook, html/md report, REFI-QDA .qdpx or .qdc."""
    with _open(project) as proj:
        proj.export(fmt, path, include="all" if include_unreviewed else "reviewed")
    click.echo(f"wrote {path}")


@main.group()
def mechanisms():
    """Co-occurrence, CMO configurations, framework matrix and evidence tables."""


def _include(flag: bool) -> str:
    return "all" if flag else "reviewed"


_UNREVIEWED = click.option("--include-unreviewed", is_flag=True, help="Also count the latest suggestions.")


@mechanisms.command(name="cooccurrence")
@click.argument("project", type=click.Path(dir_okay=False))
@click.option(
    "--scope", type=click.Choice(["segment", "turn", "window"]), default="segment", show_default=True
)
@click.option("--window", default=3, show_default=True, help="Segments per window (--scope window).")
@click.option("--normalised", is_flag=True, help="Jaccard (both / either) instead of counts.")
@_UNREVIEWED
@_library_errors
def mechanisms_cooccurrence(project, scope, window, normalised, include_unreviewed):
    """Code co-occurrence as a CSV matrix."""
    with _open(project) as proj:
        result = proj.cooccurrence(scope, window, _include(include_unreviewed))
    click.echo(f"# {result.included}")
    click.echo((result.jaccard if normalised else result.counts).to_csv(), nl=False)


@mechanisms.command(name="cmo")
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--scope", type=click.Choice(["segment", "turn", "window"]), default="turn", show_default=True)
@click.option("--top", default=20, show_default=True)
@_UNREVIEWED
@_library_errors
def mechanisms_cmo(project, scope, top, include_unreviewed):
    """Context-mechanism-outcome configurations with their support per case."""
    with _open(project) as proj:
        found = proj.cmo_configurations(scope, _include(include_unreviewed))
    click.echo(f"# {found.included}")
    for item in list(found)[:top]:
        click.echo(
            f"{item.context} -> {item.mechanism} -> {item.outcome}: {item.units} units, {item.support()}"
        )


@mechanisms.command(name="evidence")
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--kinds", default="mechanism,bottleneck", show_default=True)
@_UNREVIEWED
@_library_errors
def mechanisms_evidence(project, kinds, include_unreviewed):
    """Evidence per mechanism and bottleneck: counts, groups, quotes, counter-evidence."""
    with _open(project) as proj:
        tables = proj.evidence_tables(
            tuple(k.strip() for k in kinds.split(",")), _include(include_unreviewed)
        )
    for table in tables:
        click.echo(
            f"\n{table.code} [{table.kind}]: {table.segments} segments in {table.interviews} interviews"
        )
        click.echo(f"  cases per group: {table.cases_per_group}")
        for quote in table.quotes:
            click.echo(
                f"  - {quote.source} ({quote.speaker}, {quote.role}) {quote.start}-{quote.end}: {quote.text[:120]!r}"
            )
            click.echo(f"    {quote.provenance}")
        click.echo(f"  counter-evidence: {len(table.counter_evidence)}")
    if tables:
        click.echo(f"\n# {tables[0].included}")


@main.group()
def units():
    """Short texts coded as a whole (survey answers)."""


@units.command(name="import")
@click.argument("project", type=click.Path(dir_okay=False))
@click.argument("csv_path", metavar="UNITS_CSV", type=click.Path(dir_okay=False))
@click.option("--id", "id_column", default="id", show_default=True, help="The column naming each answer.")
@click.option("--text", "text_column", default="text", show_default=True)
@click.option("--coders", required=True, help="Coder columns, comma separated, e.g. anna,bob.")
@click.option("--separator", default=";", show_default=True, help="Between codes in a coder's cell.")
@click.option("--add-missing-codes", is_flag=True)
@_library_errors
def units_import(project, csv_path, id_column, text_column, coders, separator, add_missing_codes):
    """Import answers as sources, each coder's codes as codings over the whole answer."""
    names = [c.strip() for c in coders.split(",") if c.strip()]
    with _open(project) as proj:
        report = proj.import_units(csv_path, id_column, text_column, names, separator, add_missing_codes)
    click.echo(
        f"imported {len(report.imported)} units ({len(report.unchanged)} unchanged); segment them with --unit turn"
    )


@main.command(name="next")
@click.argument("project", type=click.Path(dir_okay=False))
@click.option("--coder", help="Learn from this coder's codings.")
@click.option("-n", "limit", default=10, show_default=True, help="How many segments.")
@_library_errors
def next_(project, coder, limit):
    """List the uncoded segments worth coding next (active learning: most informative first)."""
    with _open(project) as proj:
        ranked = proj.most_informative(coder, limit)
    for segment, score in ranked:
        click.echo(f"{score:.2f}  {segment.source}  {segment.text[:100]}")


def _register_topics() -> None:
    """The topics group lives in its own module (it is larger); its heavy imports stay lazy."""
    from qualcode.cli.topics import topics

    main.add_command(topics)


_register_topics()


if __name__ == "__main__":  # pragma: no cover
    main()
