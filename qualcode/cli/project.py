"""Commands that make and fill a project: init, run, import, participants, segment, status, segments."""

from __future__ import annotations

import csv
import json

import click

from qualcode import defaults
from qualcode.cli._util import (
    handle_errors,
    open_project,
    output_option,
    progress_bar,
    project_argument,
    reading_sheet,
    sheet_option,
    steps_bar,
    unit_option,
)


@click.command()
@click.argument("project", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--example",
    is_flag=True,
    help="Write study.yaml for the bundled example study instead (and its data, where missing).",
)
@handle_errors
def init(project, example):
    """Create a new, empty PROJECT file (or, with --example, the example's study.yaml)."""
    if example:
        from qualcode.study import write_example

        target = project or "study.yaml"
        written = write_example(target)
        click.echo(
            ("wrote " if written else "already there: ")
            + f"{target} (with the example's transcripts/, codebooks/ and codings/ beside it); "
            f"run it with: qualcode run {target}"
        )
        return
    if not project:
        raise click.UsageError("give a project file name, e.g. qualcode init study.qc (or --example)")
    from qualcode.project import Project

    Project.create(project).close()
    click.echo(f"created {project}")


@click.command()
@click.argument("study", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Run every step, even those whose inputs did not change.")
@handle_errors
def run(study, force):
    """Run a whole study declared in a YAML file (see qualcode init --example)."""
    from qualcode.study import run_study

    with steps_bar("running") as bar:

        def show(step):
            line = f"{'ran    ' if step.ran else 'skipped'} {step.name}: {step.detail}"
            (bar.echo if bar else click.echo)(line)

        report = run_study(study, force=force, progress=show, steps=bar)
    ran = sum(step.ran for step in report.steps)
    click.echo(f"{report.project}: {ran} steps ran, {len(report.steps) - ran} skipped")


@click.command(name="import")
@project_argument
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--participants",
    type=click.Path(dir_okay=False),
    help="CSV or .xlsx: speaker,case,role[,source],attributes...",
)
@click.option("--replace", is_flag=True, help="Replace sources whose file has changed since the last import.")
@click.option(
    "--allow-external-sources",
    is_flag=True,
    help="Let a .qdpx read source texts it names by path, from files in the archive's own folder only.",
)
@sheet_option
@handle_errors
def import_(project, paths, participants, replace, allow_external_sources, sheet):
    """Import transcripts (files or folders) into PROJECT.

    Formats: .txt .md .docx .odt .pdf .vtt .srt, turn tables (speaker,text[,time]) as .csv
    (comma, semicolon or tab separated) or .xlsx, and REFI-QDA projects (.qdpx). Nothing is
    stored unless every file can be read. A .qdpx is read from its own files only, unless
    --allow-external-sources. A scanned PDF needs OCR first (e.g. ocrmypdf).
    """
    with open_project(project) as proj, reading_sheet(sheet):
        total = proj.count_importable(list(paths), participants)
        with progress_bar(total, "importing") as advance:
            report = proj.import_transcripts(
                list(paths),
                participants,
                replace,
                progress=advance,
                allow_external_sources=allow_external_sources,
            )
    _echo_import(report)


def _echo_import(report) -> None:
    for path, why in report.skipped:
        click.echo(f"skipped {path}: {why}", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for name in report.unchanged:
        click.echo(f"unchanged {name}: already imported, nothing to do")
    for name in report.replaced:
        click.echo(f"replaced {name}")
    click.echo(f"imported {len(report.imported)} sources" + _listed(report.imported))


def _listed(names: list[str], limit: int = 10) -> str:
    """``": a, b, c"``; past ``limit`` names, the first ones and how many more."""
    if not names:
        return ""
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ": " + ", ".join(names[:limit]) + more


@click.command()
@project_argument
@click.argument("csv_path", metavar="PARTICIPANTS_CSV", type=click.Path(dir_okay=False))
@sheet_option
@handle_errors
def participants(project, csv_path, sheet):
    """Declare speakers' roles, cases and case attributes from a CSV (comma, semicolon or tab
    separated) or an .xlsx workbook: speaker,case,role[,source],attributes..."""
    with open_project(project) as proj, reading_sheet(sheet):
        for warning in proj.load_participants(csv_path):
            click.echo(f"warning: {warning}", err=True)
        roles = proj.status()["roles"]
    click.echo("speakers by role: " + ", ".join(f"{k} {v}" for k, v in roles.items()))


@click.command()
@project_argument
@unit_option(default=defaults.UNIT, show_default=True)
@click.option(
    "--window", default=defaults.WINDOW, show_default=True, help="Sentences per window (--unit window)."
)
@click.option("--stride", type=int, help="Sentences between window starts (default: the window size).")
@click.option(
    "--language", default=defaults.LANGUAGE, show_default=True, help="spaCy language code, e.g. nl or en."
)
@click.option("--model", help="An installed spaCy model name or a folder with a saved pipeline.")
@click.option("--include-interviewer", is_flag=True, help="Also segment the interviewer's turns.")
@click.option(
    "--workers",
    type=int,
    help="Processes running spaCy (default: one per core, at most 4, for a large project; 1: this process only).",
)
@handle_errors
def segment(project, unit, window, stride, language, model, include_interviewer, workers):
    """Split the transcripts' turns into segments for coding."""
    with open_project(project) as proj, progress_bar(proj.source_count(), "segmenting") as advance:
        report = proj.segment(unit, window, stride, language, model, include_interviewer, advance, workers)
    processes = f"; {report.workers} worker processes" if report.workers > 1 else ""
    click.echo(
        f"{report.segments} {report.unit} segments from {report.turns} turns in {report.sources} "
        f"sources ({report.skipped_interviewer_turns} interviewer turns left out; "
        f"pipeline: {report.pipeline['model']}{processes})"
    )


@click.command()
@project_argument
@click.argument("copy", type=click.Path(dir_okay=False))
@handle_errors
def backup(project, copy):
    """Copy PROJECT to COPY safely, even while other commands use it (SQLite's backup)."""
    with open_project(project, read_only=True) as proj:
        proj.backup(copy)
    click.echo(f"copied {project} to {copy}")


@click.command()
@project_argument
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@handle_errors
def status(project, as_json):
    """Summarise what PROJECT holds."""
    with open_project(project, read_only=True) as proj:
        info = proj.status()
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    _echo_status(info)


def _echo_status(info: dict) -> None:
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
    if info["unsaved_bytes"]:
        click.echo(
            f"  note: {info['path']}-wal holds {info['unsaved_bytes']} bytes not yet in the project file "
            "(a qualcode command is running, or one stopped early); copy the project with: "
            "qualcode backup PROJECT COPY"
        )


@click.command()
@project_argument
@unit_option(help="Which segments (default: the last made).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@output_option
@handle_errors
def segments(project, unit, fmt, output):
    """List segments as CSV or JSON lines: source,unit,start,end,speaker,role,text."""
    columns = ("source", "unit", "start", "end", "speaker", "role", "text")
    with open_project(project, read_only=True) as proj:
        rows = proj.segments(unit)
        if fmt == "csv":
            writer = csv.writer(output, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([getattr(row, c) if getattr(row, c) is not None else "" for c in columns])
        else:
            for row in rows:
                output.write(json.dumps({c: getattr(row, c) for c in columns}, ensure_ascii=False) + "\n")


# What qualcode.cli registers on the ``qualcode`` group.
COMMANDS = (init, run, import_, participants, segment, status, segments, backup)
