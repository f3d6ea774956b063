"""The terminal review screen: one suggestion at a time, single keys, decisions stored at once."""

from __future__ import annotations

import sys
import textwrap

import click

from qualcode.errors import QualcodeError

KEYS = "[a]ccept  [r]eject  [s]kip  [e]dit  [u]ndo  [q]uit"
LEARNING_SUGGESTERS = ("ensemble", "supervised")


def review_loop(project, coder: str, code: str | None, source: str | None, order: str, batch: int) -> None:
    reviewer = project.reviewer(coder)
    items = reviewer.pending(code, source, order)
    if not items:
        click.echo("nothing to review: no pending suggestions (run qualcode suggest first)")
        return
    learning = project.last_suggester() in LEARNING_SUGGESTERS
    position, since_training, history = 0, 0, []
    while position < len(items):
        item = items[position]
        _show(item, reviewer.context(item), reviewer.progress())
        key = _read_key()
        click.echo(key)
        if key == "q":
            break
        if key == "s":
            position += 1
            continue
        if key == "u":
            undone = reviewer.undo()
            if undone is None:
                click.echo("nothing to undo")
            else:
                click.echo(f"undone: {undone['action']}")
                if history and undone.get("suggestion_id") == history[-1].id:
                    items.insert(position, history.pop())
            continue
        if key == "a":
            reviewer.accept(item.id)
        elif key == "r":
            reviewer.reject(item.id)
        elif key == "e":
            if not _edit(reviewer, item):
                continue
        else:
            click.echo(f"unknown key {key!r}; {KEYS}")
            continue
        history.append(item)
        position += 1
        since_training += 1
        if learning and since_training >= batch and position < len(items):
            report = project.suggest_again()
            click.echo(
                f"retrained on your decisions: {report.suggestions} suggestions now ({report.codes_learned} codes learned)"
            )
            items, position, since_training = reviewer.pending(code, source, order), 0, 0
    done, total = reviewer.progress()
    click.echo(f"stopped: {done} of {total} suggestions decided by {coder}; run the same command to go on")


def _read_key() -> str:
    """One key press on a terminal; from a pipe, the next non-blank character (end = quit)."""
    if sys.stdin.isatty():
        return click.getchar().lower()
    while True:
        char = sys.stdin.read(1)
        if not char:
            return "q"
        if not char.isspace():
            return char.lower()


def _show(item, context: dict, progress: tuple[int, int]) -> None:
    done, total = progress
    who = f"{item.speaker}, {item.role}" if item.speaker else "no speaker"
    click.echo("")
    click.secho(f"[{done + 1}/{total}] {item.source} ({who}) {item.start}-{item.end}", bold=True)
    if context["before"]:
        click.echo(_wrap("… " + context["before"], "    "))
    click.secho(_wrap(item.text, "  > "), fg="yellow")
    if context["after"]:
        click.echo(_wrap(context["after"] + " …", "    "))
    click.secho(f"code: {item.code} [{context['kind']}]  score {item.score:.2f}", bold=True)
    if context["definition"]:
        click.echo(_wrap(context["definition"], "  definition: "))
    click.echo(_wrap(item.rationale, "  why: "))
    click.echo(KEYS)


def _edit(reviewer, item) -> bool:
    code = click.prompt("code", default=item.code)
    start = click.prompt("start", default=item.start, type=int)
    end = click.prompt("end", default=item.end, type=int)  # prompts read whole lines, also from a pipe
    try:
        reviewer.edit(suggestion_id=item.id, code=code, start=start, end=end)
    except QualcodeError as exc:  # a wrong code or span: say so and stay on this suggestion
        click.echo(f"not changed: {exc}")
        return False
    return True


def _wrap(text: str, prefix: str) -> str:
    return textwrap.fill(
        " ".join(text.split()), width=100, initial_indent=prefix, subsequent_indent=" " * len(prefix)
    )
