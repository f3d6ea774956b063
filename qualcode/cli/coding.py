"""Commands that code: suggest, codings, suggestions, evaluate, review, code, memo, units, next."""

from __future__ import annotations

import click

from qualcode import defaults
from qualcode.cli._util import (
    handle_errors,
    names_of,
    open_project,
    project_argument,
    reading_sheet,
    sheet_option,
    steps_bar,
    suggester_options,
)
from qualcode.cli.review_screen import review_loop


@click.command()
@project_argument
@suggester_options("Show suggestions from this score (default: the threshold learned from the codings).")
@click.option("--coder", help="Learn only from this coder's codings (default: every human coder).")
@click.option(
    "--embedder", type=click.Choice(["tfidf", "sentence-transformers"]), help="For semantic and ensemble."
)
@click.option("--embedding-model", type=click.Path(), help="A local sentence-transformers model folder.")
@handle_errors
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
    with open_project(project) as proj, steps_bar("suggesting") as bar:
        report = proj.suggest(suggester, min_score, coder, progress=bar, **options)
    expected = (
        f", about {round(report.expected_precision * 100)}% expected right"
        if report.expected_precision is not None
        else ""
    )
    click.echo(
        f"{report.suggestions} suggestions (score >= {report.threshold:.2f}{expected}) for "
        f"{report.segments} segments by {report.suggester}; {report.codes_learned} codes learned "
        f"from codings (run {report.run_id})"
    )


@click.group()
def codings():
    """Import and export human codings."""


@codings.command(name="import")
@project_argument
@click.argument("csv_path", metavar="CODINGS_CSV", type=click.Path(dir_okay=False))
@click.option("--coder", help="Coder for every row (otherwise the coder column).")
@click.option("--add-missing-codes", is_flag=True, help="Add codes that are not in the codebook.")
@click.option("--shared", is_flag=True, help="Every coder's suggestions learn from these codings.")
@sheet_option
@handle_errors
def codings_import(project, csv_path, coder, add_missing_codes, shared, sheet):
    """Import codings: source,start,end,code,coder (optional text column is checked), from a
    CSV (comma, semicolon or tab separated) or an .xlsx workbook."""
    with open_project(project) as proj, reading_sheet(sheet):
        report = proj.import_codings(csv_path, coder, add_missing_codes, shared)
    click.echo(
        f"imported {report.imported} codings by {', '.join(sorted(report.coders)) or 'nobody'}"
        + (f" ({report.already_there} already there, not stored twice)" if report.already_there else "")
    )
    if report.added_codes:
        click.echo(f"added {len(report.added_codes)} codes: {', '.join(report.added_codes)}")


@codings.command(name="export")
@project_argument
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--coder", help="Only this coder's codings.")
@handle_errors
def codings_export(project, path, coder):
    """Write codings as CSV: source,start,end,code,coder, then the quote, speaker, role, case,
    case attributes, counter mark, origin and time (importable again)."""
    with open_project(project, read_only=True) as proj:
        count = proj.export_codings(path, coder)
    click.echo(f"wrote {count} codings to {path}")


@click.group()
def suggestions():
    """Export machine suggestions."""


@suggestions.command(name="export")
@project_argument
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--run", "run_id", type=int, help="A suggest run's number (default: the latest).")
@handle_errors
def suggestions_export(project, path, run_id):
    """Write suggestions as CSV: source,start,end,code,score,suggester,rationale."""
    with open_project(project, read_only=True) as proj:
        count = proj.export_suggestions(path, run_id)
    click.echo(f"wrote {count} suggestions to {path}")


@click.command()
@project_argument
@click.option("--coder", required=True, help="Whose codings are learned from and scored against.")
@click.option(
    "--split-by-source",
    "--split",
    "split",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0.05, 0.95),
    help="Share of the coded sources to learn from.",
)
@click.option("--seed", default=1, show_default=True, help="Which sources go to which side.")
@suggester_options("Show suggestions from this score (default: the suggester's own threshold).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the figures as CSV.")
@handle_errors
def evaluate(project, coder, split, seed, suggester, min_score, csv_path):
    """Score the suggestions against a coder's codings on held-out sources. The table puts the
    suggester next to a keyword search and the pattern baseline (NVivo-style autocoding from
    the coded examples), with precision, recall, F1, recall@k and Cohen's kappa per code."""
    with open_project(project, read_only=True) as proj:
        result = proj.evaluate(coder, split, seed, suggester, min_score)
    click.echo(result.to_text())
    if csv_path:
        result.write_csv(csv_path)
        click.echo(f"\nwrote {csv_path}")


@click.command()
@project_argument
@click.option("--coder", required=True, help="Who decides.")
@click.option("--code", help="Only suggestions of this code.")
@click.option("--source", help="Only suggestions in this source.")
@click.option("--order", type=click.Choice(["score", "source", "active"]), default="score", show_default=True)
@click.option(
    "--batch",
    default=defaults.REVIEW_BATCH,
    show_default=True,
    help="Decisions between retraining (ensemble/supervised).",
)
@click.option(
    "--accept-above",
    type=click.FloatRange(0, 1),
    help="Accept every pending suggestion scoring at least this, then stop.",
)
@click.option(
    "--learn-from",
    type=click.Choice(["coder", "all"]),
    default="coder",
    show_default=True,
    help="Retrain on this coder's decisions only (independent coders) or on everyone's.",
)
@click.option("--withdrawn", is_flag=True, help="Review the suggestions retraining withdrew from your queue.")
@handle_errors
def review(project, coder, code, source, order, batch, accept_above, learn_from, withdrawn):
    """Review suggestions one at a time: a accept, r reject, s skip, e edit, u undo, q quit,
    c another code by part of its name, m memo on the segment, ? help.

    Edited boundaries snap to word edges and are shown before they are stored; the
    interviewer's question is shown above an answer. Every decision is stored at once; run
    the same command again to go on.
    """
    with open_project(project) as proj:
        if accept_above is not None:
            count = proj.reviewer(coder).accept_above(accept_above, code)
            click.echo(f"accepted {count} suggestions scoring >= {accept_above} for {coder}")
            return
        review_loop(proj, coder, code, source, order, batch, learn_from, withdrawn)


@click.command()
@project_argument
@click.argument("source")
@click.argument("start", type=int)
@click.argument("end", type=int)
@click.argument("code")
@click.option("--coder", required=True)
@click.option("--note", default="", help="Why, for the log.")
@click.option(
    "--counter", is_flag=True, help="Mark it as evidence against the code (the mechanism failed here)."
)
@handle_errors
def code(project, source, start, end, code, coder, note, counter):
    """Code SOURCE[START:END] with CODE by hand (offsets in characters, end exclusive)."""
    with open_project(project) as proj:
        coding_id = proj.reviewer(coder).add(source, start, end, code, note, counter=counter)
        text = proj.source_text(source)[start:end]
    click.echo(f"coding {coding_id}: {code} on {source}[{start}:{end}] {text[:80]!r}")


@click.command()
@project_argument
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
@handle_errors
def memo(project, text, on, target, author):
    """Add a memo (with TEXT), or list the memos (without)."""
    with open_project(project) as proj:
        if text is None:
            for m in proj.memos():
                where = m["target_kind"] + (f" {m['target']}" if m["target"] else "")
                click.echo(f"[{m['id']}] {where} ({m['author']}, {m['created_at']}): {m['text']}")
            return
        if not author:
            raise click.UsageError("--author is needed to add a memo")
        memo_id = proj.add_memo(on, target, author, text)
    click.echo(f"memo {memo_id} added")


@click.group()
def units():
    """Short texts coded as a whole (survey answers)."""


@units.command(name="import")
@project_argument
@click.argument("csv_path", metavar="UNITS_CSV", type=click.Path(dir_okay=False))
@click.option("--id", "id_column", default="id", show_default=True, help="The column naming each answer.")
@click.option("--text", "text_column", default="text", show_default=True)
@click.option("--coders", required=True, help="Coder columns, comma separated, e.g. anna,bob.")
@click.option("--separator", default=";", show_default=True, help="Between codes in a coder's cell.")
@click.option("--add-missing-codes", is_flag=True)
@sheet_option
@handle_errors
def units_import(project, csv_path, id_column, text_column, coders, separator, add_missing_codes, sheet):
    """Import answers as sources, each coder's codes as codings over the whole answer (a CSV,
    comma, semicolon or tab separated, or an .xlsx workbook)."""
    with open_project(project) as proj, reading_sheet(sheet):
        report = proj.import_units(
            csv_path, id_column, text_column, names_of(coders), separator, add_missing_codes
        )
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"imported {len(report.imported)} units ({len(report.unchanged)} unchanged); segment them with --unit turn"
    )


@click.command(name="next")
@project_argument
@click.option("--coder", help="Learn from this coder's codings.")
@click.option("-n", "limit", default=10, show_default=True, help="How many segments.")
@handle_errors
def next_(project, coder, limit):
    """List the uncoded segments worth coding next (active learning: most informative first)."""
    with open_project(project, read_only=True) as proj, steps_bar("weighing") as bar:
        ranked = proj.most_informative(coder, limit, progress=bar)
    for segment, score in ranked:
        click.echo(f"{score:.2f}  {segment.source}  {segment.text[:100]}")


# What qualcode.cli registers on the ``qualcode`` group.
@click.command()
@project_argument
@click.argument("state", type=click.Choice(["on", "off", "status"]), default="status")
@handle_errors
def blind(project, state):
    """Blind mode for an agreement study: while on, nothing shows or uses several coders' work
    (findings, exports, agreement, learning from everyone) until the owner turns it off."""
    with open_project(project, read_only=state == "status") as proj:
        info = proj.blind(None if state == "status" else state == "on")
    click.echo(f"blind mode is {'on' if info['blind'] else 'off'}")
    for coder, (decided_blind, decided) in info["decisions"].items():
        click.echo(f"  {coder}: {decided_blind} of {decided} decisions made blind")


COMMANDS = (suggest, codings, suggestions, evaluate, review, code, memo, units, next_, blind)
