"""Commands that report findings: agree, export and the mechanisms group."""

from __future__ import annotations

import click

from qualcode.cli._util import (
    handle_errors,
    include_of,
    include_unreviewed_option,
    names_of,
    open_project,
    output_option,
    project_argument,
    steps_bar,
    unit_option,
)


@click.command()
@project_argument
@click.option(
    "--coders", required=True, help="Comma separated, e.g. anna,bob (machine = the latest suggestions)."
)
@unit_option(help="Segment unit to compare on (default: the last made).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True
)
@output_option
@handle_errors
def agree(project, coders, unit, fmt, output):
    """Intercoder agreement: percent agreement, Cohen's kappa, Krippendorff's alpha, disagreements."""
    with open_project(project, read_only=True) as proj:
        report = proj.agreement(names_of(coders), unit)
    output.write(
        {"text": report.to_text, "csv": report.to_csv, "json": report.to_json}[fmt]()
        + ("\n" if fmt != "csv" else "")
    )


@click.command()
@project_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "html", "md", "qdpx", "qdc", "realist"]),
    required=True,
)
@click.option("-o", "--output", "path", required=True, type=click.Path(), help="File (a folder for csv).")
@include_unreviewed_option(
    "Also show the latest suggestions nobody has reviewed (csv, xlsx, html, md: apart, counted in no table)."
)
@click.option("--coder", help="Only this coder's codings count (csv, xlsx, html, md).")
@click.option(
    "--consensus",
    is_flag=True,
    help="Only codings all coders of a source agree on count; the disagreements are listed.",
)
@click.option(
    "--pseudonymised",
    "plan",
    type=click.Path(exists=True, dir_okay=False),
    help="Write it pseudonymised by this plan (qualcode pseudonymise --plan); the project is not changed.",
)
@handle_errors
def export(project, fmt, path, include_unreviewed, coder, consensus, plan):
    """Export findings: csv tables, xlsx workbook, html/md report, REFI-QDA .qdpx or .qdc, realist report."""
    include = include_of(include_unreviewed)
    if plan:
        with open_project(project, read_only=True) as proj:
            proj.export_pseudonymised(plan, fmt, path, include, coder, consensus)
        click.echo(f"wrote {path} (pseudonymised by {plan})")
        return
    with open_project(project) as proj, steps_bar("exporting") as bar:
        proj.export(fmt, path, include=include, coder=coder, consensus=consensus, progress=bar)
    click.echo(f"wrote {path}")


@click.group()
def mechanisms():
    """Co-occurrence, CMO configurations, framework matrix and evidence tables."""


@mechanisms.command(name="cooccurrence")
@project_argument
@click.option(
    "--scope", type=click.Choice(["segment", "turn", "window"]), default="segment", show_default=True
)
@click.option("--window", default=3, show_default=True, help="Segments per window (--scope window).")
@click.option("--normalised", is_flag=True, help="Jaccard (both / either) instead of counts.")
@include_unreviewed_option()
@handle_errors
def mechanisms_cooccurrence(project, scope, window, normalised, include_unreviewed):
    """Code co-occurrence as a CSV matrix."""
    with open_project(project, read_only=True) as proj:
        result = proj.cooccurrence(scope, window, include_of(include_unreviewed))
    click.echo(f"# {result.included}")
    click.echo((result.jaccard if normalised else result.counts).to_csv(), nl=False)


@mechanisms.command(name="cmo")
@project_argument
@click.option("--scope", type=click.Choice(["segment", "turn", "window"]), default="turn", show_default=True)
@click.option("--top", default=20, show_default=True)
@include_unreviewed_option()
@handle_errors
def mechanisms_cmo(project, scope, top, include_unreviewed):
    """Context-mechanism-outcome configurations with their support per case."""
    with open_project(project, read_only=True) as proj:
        found = proj.cmo_configurations(scope, include_of(include_unreviewed))
    click.echo(f"# {found.included}")
    for item in list(found)[:top]:
        click.echo(
            f"{item.context} -> {item.mechanism} -> {item.outcome}: {item.units} units, {item.support()}"
        )


@mechanisms.command(name="evidence")
@project_argument
@click.option("--kinds", default="mechanism,bottleneck", show_default=True)
@include_unreviewed_option()
@handle_errors
def mechanisms_evidence(project, kinds, include_unreviewed):
    """Evidence per mechanism and bottleneck: counts, groups, quotes, counter-evidence."""
    with open_project(project, read_only=True) as proj:
        tables = proj.evidence_tables(
            tuple(k.strip() for k in kinds.split(",")), include_of(include_unreviewed)
        )
    for table in tables:
        _echo_evidence(table)
    if tables:
        click.echo(f"\n# {tables[0].included}")


def _echo_evidence(table) -> None:
    click.echo(f"\n{table.code} [{table.kind}]: {table.segments} segments in {table.interviews} interviews")
    click.echo(f"  cases per group: {table.cases_per_group}")
    for quote in table.quotes:
        click.echo(
            f"  - {quote.source} ({quote.speaker}, {quote.role}) {quote.start}-{quote.end}: {quote.text[:120]!r}"
        )
        click.echo(f"    {quote.provenance}")
    click.echo(f"  counter-evidence: {len(table.counter_evidence)}")


# What qualcode.cli registers on the ``qualcode`` group.
COMMANDS = (agree, export, mechanisms)
