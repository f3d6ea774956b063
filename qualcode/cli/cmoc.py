"""``qualcode cmoc``: the researcher's realist CMOCs: add, import (a programme theory file),
list, show (with evidence), revise and history. Codes are given by name, several comma separated (``--context A,B``)."""

from __future__ import annotations

import click

from qualcode.cli._util import (
    handle_errors,
    include_of,
    include_unreviewed_option,
    names_of,
    open_project,
    project_argument,
)

STATUSES = ("initial", "refined", "confirmed", "refuted")
CONFIDENCES = ("low", "medium", "high")
SCOPES = ("turn", "segment", "window")
PARTS = ("context", "resource", "reasoning", "outcome")


def _code_options(command):
    """--context, --resource, --reasoning and --outcome: code names, comma separated."""
    helps = {
        "context": "Context codes (comma separated).",
        "resource": "Mechanism codes: the resource the programme offers.",
        "reasoning": "Mechanism codes: how people respond to it (their reasoning).",
        "outcome": "Outcome codes.",
    }
    for part in reversed(PARTS):
        command = click.option(f"--{part}", default=None, help=helps[part])(command)
    return command


@click.group()
def cmoc():
    """Realist context-mechanism-outcome configurations (CMOCs): record, revise, show evidence."""


@cmoc.command(name="add")
@project_argument
@click.option("--statement", required=True, help="The if-then-because statement.")
@click.option("--by", required=True, help="Who records the CMOC.")
@_code_options
@click.option("--key", help="A short key (default: CMO1, CMO2, ...).")
@click.option("--intervention", default="", help="The intervention or programme part (optional).")
@click.option("--actor", default="", help="Who acts (optional).")
@click.option("--confidence", type=click.Choice(CONFIDENCES), help="How sure you are (needs --reason).")
@click.option("--reason", default="", help="Why that confidence.")
@click.option("--theory", default="1", show_default=True, help="The programme-theory version.")
@click.option("--memo", default="", help="Where the CMOC comes from, for its history.")
@handle_errors
def cmoc_add(project, statement, by, context, resource, reasoning, outcome, key, intervention, actor,
             confidence, reason, theory, memo):  # fmt: skip
    """Record a new CMOC (status initial)."""
    with open_project(project) as proj:
        made = proj.add_cmoc(
            statement, by, *(names_of(p or "") for p in (context, resource, reasoning, outcome)),
            key=key, intervention=intervention, actor=actor, confidence=confidence,
            confidence_reason=reason, theory_version=theory, memo=memo,
        )  # fmt: skip
    click.echo(f"added {made.key}: {made.statement}")
    _echo_parts(made)


@cmoc.command(name="list")
@project_argument
@handle_errors
def cmoc_list(project):
    """List the CMOCs: key, status, confidence, programme-theory version and statement."""
    with open_project(project, read_only=True) as proj:
        found = proj.cmocs()
    if not found:
        click.echo("no CMOCs yet; add one: qualcode cmoc add PROJECT --statement ... --by NAME")
    for c in found:
        click.echo(f"{c.key}\t{c.status}\t{c.confidence or '-'}\ttheory {c.theory_version}\t{c.statement}")


@cmoc.command(name="show")
@project_argument
@click.argument("key")
@click.option(
    "--scope", type=click.Choice(SCOPES), default="turn", show_default=True, help="The unit of evidence."
)
@click.option("--window", default=3, show_default=True, help="Segments per window (--scope window).")
@click.option("--quotes", default=5, show_default=True, help="Supporting units to quote (0: all).")
@include_unreviewed_option("Also count the latest suggestions (marked as not reviewed).")
@handle_errors
def cmoc_show(project, key, scope, window, quotes, include_unreviewed):
    """Show one CMOC with its evidence: counts per case and group, quotes, disconfirming quotes."""
    with open_project(project, read_only=True) as proj:
        c = proj.cmoc(key)
        found = proj.cmoc_evidence(key, scope, window, include_of(include_unreviewed))
    click.echo(f"{c.key}: {c.statement}")
    click.echo(f"  status {c.status}; confidence {c.confidence or 'not set'}"
               + (f" ({c.confidence_reason})" if c.confidence_reason else "") + f"; theory {c.theory_version}")  # fmt: skip
    for label, value in (("intervention", c.intervention), ("actor", c.actor)):
        if value:
            click.echo(f"  {label}: {value}")
    _echo_parts(c)
    if found.note:
        click.echo(f"  note: {found.note}")
    totals = found.totals
    click.echo(
        f"evidence per {scope}: {totals['full']} full, {totals['context_in_case']} with the context in the case, "
        f"{totals['partial']} partial; {totals['disconfirming']} disconfirming"
        + (f"; {found.unreviewed} only thanks to unreviewed suggestions" if found.unreviewed else "")
    )
    for title, counts in (("case", found.per_case), ("group", found.per_group)):
        click.echo(f"per {title}:")
        for name, n in counts.items():
            click.echo(f"  {name}: " + ", ".join(f"{level} {count}" for level, count in n.items()))
    shown = found.units if quotes <= 0 else found.units[:quotes]
    for unit in shown:
        flag = "" if unit.reviewed else " [not reviewed]"
        click.echo(f"- {unit.level}{flag}: {unit.source} {unit.start}-{unit.end} ({', '.join(unit.cases)})")
        for q in unit.quotes:
            _echo_quote(q)
    if len(shown) < len(found.units):
        click.echo(f"  ... {len(found.units) - len(shown)} more (--quotes 0 shows all)")
    for q in found.disconfirming:
        click.echo("- disconfirming:")
        _echo_quote(q)
    click.echo(f"# {found.included}")


@cmoc.command(name="revise")
@project_argument
@click.argument("key")
@click.option("--by", required=True, help="Who revises it.")
@click.option("--memo", default="", help="Why (needed for a status or confidence change).")
@click.option("--status", type=click.Choice(STATUSES), help="initial -> refined -> confirmed or refuted.")
@click.option("--confidence", type=click.Choice(CONFIDENCES))
@click.option("--reason", default=None, help="Why that confidence (default: the memo).")
@click.option("--statement", default=None)
@click.option("--intervention", default=None)
@click.option("--actor", default=None)
@click.option("--theory", default=None, help="The programme-theory version.")
@_code_options
@handle_errors
def cmoc_revise(project, key, by, memo, status, confidence, reason, statement, intervention, actor, theory,
                context, resource, reasoning, outcome):  # fmt: skip
    """Revise a CMOC; a code option replaces that part's codes ("" empties it)."""
    changes = {
        "status": status, "confidence": confidence, "confidence_reason": reason, "statement": statement,
        "intervention": intervention, "actor": actor, "theory_version": theory,
        **{part: names_of(value) for part, value in zip(PARTS, (context, resource, reasoning, outcome), strict=True)
           if value is not None},
    }  # fmt: skip
    with open_project(project) as proj:
        revised = proj.revise_cmoc(key, by, memo, **{k: v for k, v in changes.items() if v is not None})
        change = proj.cmoc_history(key)[-1]
    click.echo(f"revised {revised.key}: " + ", ".join(sorted(change.changes)) + f" (status {revised.status})")


@cmoc.command(name="history")
@project_argument
@click.argument("key", required=False)
@handle_errors
def cmoc_history(project, key):
    """The history of one CMOC (or all): each change with who, when and the memo."""
    with open_project(project, read_only=True) as proj:
        changes = proj.cmoc_history(key)
    for change in changes:
        status = (
            f"{change.from_status} -> {change.to_status}"
            if change.from_status
            else f"made {change.to_status}"
        )
        click.echo(f"{change.at} {change.key} {change.action} by {change.by}: {status}")
        for name, (before, after) in sorted(change.changes.items()):
            click.echo(f"  {name}: {_value(before)} -> {_value(after)}")
        if change.memo:
            click.echo(f"  memo: {change.memo}")


@cmoc.command(name="import")
@project_argument
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@handle_errors
def cmoc_import(project, path):
    """Read a programme theory file: CMOCs in YAML (by, memo, and a list under cmocs: with
    key, statement, context, resource, reasoning, outcome, confidence, confidence_reason,
    status, theory_version). All or none are stored; a CMOC recorded alike is skipped."""
    with open_project(project) as proj:
        report = proj.import_cmocs(path)
    click.echo(
        f"added {len(report.added)} CMOCs ({', '.join(report.added) or 'none'}); "
        f"{len(report.unchanged)} already recorded alike"
    )


def _echo_parts(c) -> None:
    for part in PARTS:
        codes = getattr(c, part)
        if codes:
            click.echo(f"  {part}: {', '.join(codes)}")


def _echo_quote(q) -> None:
    where = ", ".join(p for p in (q.speaker, q.role, q.case) if p)
    flag = "" if q.reviewed else " [not reviewed]"
    click.echo(f"    {q.source} {q.start}-{q.end} [{', '.join(q.codes)}] ({where}): {q.text[:160]!r}")
    click.echo(f"      {q.provenance}{flag}")


def _value(value) -> str:
    if isinstance(value, list):
        return ", ".join(value) or "(none)"
    return "(none)" if value in (None, "") else str(value)


# What qualcode.cli registers on the ``qualcode`` group.
COMMANDS = (cmoc,)
