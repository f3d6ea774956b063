"""The pseudonymise command: a plan to review, the pseudonymised copy with its key, reversal."""

from __future__ import annotations

import os

import click

from qualcode.cli._util import handle_errors, open_project, project_argument

EXPORT_FORMATS = ("csv", "xlsx", "html", "md", "qdpx", "realist")


def _passphrase(confirm: bool) -> str:
    from qualcode.privacy.key import PASSPHRASE_VARIABLE

    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given:
        return given
    return click.prompt("Passphrase for the key", hide_input=True, confirmation_prompt=confirm, err=True)


@click.command()
@project_argument
@click.argument("text", required=False)
@click.option("--plan", "plan_out", type=click.Path(dir_okay=False), help="Write the plan to review (CSV).")
@click.option(
    "--apply", "plan_in", type=click.Path(exists=True, dir_okay=False), help="Apply a reviewed plan."
)
@click.option(
    "-o", "--output", type=click.Path(), help="With --apply: the new pseudonymised project (or export)."
)
@click.option(
    "--key", "key_path", type=click.Path(dir_okay=False), help="The encrypted key file (new with --apply)."
)
@click.option(
    "--reverse", is_flag=True, help="Turn TEXT (a quote of the pseudonymised copy PROJECT) back, with --key."
)
@click.option(
    "--export", "fmt", type=click.Choice(EXPORT_FORMATS),
    help="With --apply: write the findings of the project pseudonymised to -o (no copy, no key kept).",
)  # fmt: skip
@click.option(
    "--word-list",
    type=click.Path(exists=True, dir_okay=False),
    help="Your own texts to replace: text,type[,pseudonym].",
)
@click.option("--detectors", default="participants,patterns,wordlist,deduce,spacy", show_default=True)
@click.option("--style", type=click.Choice(["role", "names"]), default="role", show_default=True,
              help="role: [cliënt C01]; names: realistic Dutch names (gender kept).")  # fmt: skip
@handle_errors
def pseudonymise(
    project, text, plan_out, plan_in, output, key_path, reverse, fmt, word_list, detectors, style
):
    """Pseudonymise PROJECT's interviews: names, places, organisations, contact details.

    \b
    1. qualcode pseudonymise study.qc --plan plan.csv
       (review plan.csv: keep, change the pseudonym, or not personal)
    2. qualcode pseudonymise study.qc --apply plan.csv -o study-pseudo.qc --key study.qckey
       (the original is never changed; the key is encrypted with a passphrase: keep it apart,
       without it the pseudonyms cannot be reversed)
    3. qualcode pseudonymise study-pseudo.qc --reverse --key study.qckey "[cliënt C01] zei ..."

    The passphrase is asked for, or read from QUALCODE_KEY_PASSPHRASE. The plan holds the
    personal data in the clear: keep it with the original project.
    """
    chosen = [x for x in (plan_out, plan_in, reverse) if x]
    if len(chosen) != 1:
        raise click.UsageError("give one of --plan FILE, --apply FILE or --reverse")
    if reverse:
        _reverse(project, text, key_path)
    elif plan_out:
        _plan(project, plan_out, word_list, detectors, style)
    elif fmt:
        _export(project, plan_in, fmt, output)
    else:
        _apply(project, plan_in, output, key_path)


def _plan(project, path, word_list, detectors, style):
    from qualcode.privacy.plan import write_plan

    with open_project(project, read_only=True) as proj:
        plan = proj.pseudonymisation_plan(
            [d.strip() for d in detectors.split(",") if d.strip()], word_list, style
        )
    write_plan(plan, path)
    by_type: dict[str, int] = {}
    for entry in plan.entries:
        by_type[entry.type] = by_type.get(entry.type, 0) + 1
    summary = ", ".join(f"{n} {t}" for t, n in by_type.items()) or "nothing found"
    click.echo(f"wrote {path}: {len(plan.entries)} texts to review ({summary})")
    click.echo(f"review it, then: qualcode pseudonymise {project} --apply {path} -o COPY.qc --key KEY.qckey")


def _apply(project, plan, output, key_path):
    if not output or not key_path:
        raise click.UsageError(
            "--apply needs -o COPY.qc (the new project) and --key KEY.qckey (the new key file)"
        )
    passphrase = _passphrase(confirm=True)
    with open_project(project, read_only=True) as proj:
        report = proj.pseudonymise(plan, output, key_path, passphrase)
    replaced = ", ".join(f"{n} {t}" for t, n in sorted(report.replaced.items())) or "nothing"
    click.echo(f"wrote {report.copy} (pseudonymised: {replaced} replaced) and its key {report.key}")
    click.echo(
        "keep the key and its passphrase apart from the copy: without them the pseudonyms cannot be reversed"
    )


def _export(project, plan, fmt, output):
    if not output:
        raise click.UsageError("--export needs -o FILE (a folder for csv)")
    with open_project(project, read_only=True) as proj:
        written = proj.export_pseudonymised(plan, fmt, output)
    shown = f"{len(written)} files in {output}" if isinstance(written, list) else str(written)
    click.echo(f"wrote {shown} (pseudonymised; the project itself is unchanged)")


def _reverse(project, text, key_path):
    if not key_path:
        raise click.UsageError("--reverse needs --key KEY.qckey (the key written with the copy)")
    if text is None:
        text = click.get_text_stream("stdin").read()
    passphrase = _passphrase(confirm=False)
    with open_project(project, read_only=True) as proj:
        original, notes = proj.reverse_pseudonyms(text, key_path, passphrase)
    click.echo(original)
    for note in notes:
        click.echo(f"note: {note}", err=True)


COMMANDS = [pseudonymise]
