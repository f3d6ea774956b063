"""The terminal review screen: one suggestion at a time, single keys, decisions stored at once.

A view over :class:`qualcode.coding.session.ReviewSession`, which holds the queue, undo and
retraining; this module only reads keys and prints.
"""

from __future__ import annotations

import shutil
import sys
import textwrap

import click

from qualcode.cli._util import steps_bar
from qualcode.coding.session import ReviewSession
from qualcode.errors import NO_SUGGESTIONS, QualcodeError

KEYS = "[a]ccept  [r]eject  [s]kip  [e]dit  [u]ndo  [q]uit  [c]ode  [m]emo  [?]help"
HELP = (
    ("a", "accept the suggestion as your coding"),
    ("r", "reject it (a negative example for learning)"),
    ("s", "skip it; it stays pending for a later session"),
    ("e", "edit: another code and/or new start and end (snapped to words, shown before storing)"),
    ("c", "accept with another code, chosen by part of its name"),
    ("m", "write a memo on the segment (the suggestion stays)"),
    ("2-9", "code the segment with that ranked candidate instead (the shown code is rejected)"),
    ("u", "undo your latest decision"),
    ("q", "quit; every decision is already stored"),
    ("?", "this list"),
)


def review_loop(
    project, coder: str, code: str | None, source: str | None, order: str, batch: int,
    learn_from: str = "coder", withdrawn: bool = False,
) -> None:  # fmt: skip
    """Review ``coder``'s pending (or withdrawn) suggestions until they are done or q is pressed."""
    with steps_bar("retraining") as bar:  # shown on a terminal while the suggester retrains
        session = ReviewSession(
            project, coder, code, source, order, retrain_every=batch, learn_from=learn_from,
            withdrawn=withdrawn, notify=click.echo, progress=bar,
        )  # fmt: skip
        _review(session, coder, withdrawn)


def _review(session: ReviewSession, coder: str, withdrawn: bool) -> None:
    if session.current is None:
        counts = session.counts()
        if withdrawn or not counts["withdrawn"]:
            click.echo(NO_SUGGESTIONS if not counts["decided"] else f"nothing left to review for {coder}")
        else:
            click.echo(
                f"nothing pending; {counts['withdrawn']} withdrawn by retraining (review them: --withdrawn)"
            )
        return
    while session.current is not None:
        candidates = session.candidates()
        _show(session.current, session.context(), session.progress(), session.question(), candidates)
        key = _read_key()
        click.echo(key)
        if key == "q":
            break
        _press(session, key, candidates)
    counts = session.counts()
    click.echo(
        f"stopped: {counts['decided']} of {sum(counts.values())} suggestions decided by {coder} "
        f"({counts['pending']} pending, {counts['withdrawn']} withdrawn by retraining); run the same command to go on"
    )


def _press(session: ReviewSession, key: str, candidates=()) -> None:
    """Do what one key asks on the current suggestion and say what happened."""
    if key.isdigit() and 2 <= int(key) <= len(candidates) + 1:
        chosen = candidates[int(key) - 2]
        _echo_retrained(session.choose(chosen))
        click.echo(f"coded {chosen.code} instead")
    elif key == "s":
        session.skip()
    elif key == "u":
        undone = session.undo()
        click.echo("nothing to undo" if undone is None else f"undone: {undone['action']}")
    elif key == "a":
        _echo_retrained(session.accept())
    elif key == "r":
        _echo_retrained(session.reject())
    elif key == "e":
        _edit(session)
    elif key == "c":
        _change_code(session)
    elif key == "m":
        try:
            memo = session.memo(click.prompt("memo"))
        except QualcodeError as exc:
            click.echo(f"no memo: {exc}")
        else:
            click.echo(f"memo {memo} added")
    elif key == "?":
        for name, what in HELP:
            click.echo(f"  {name}  {what}")
    else:
        click.echo(f"unknown key {key!r}; {KEYS}")


def _echo_retrained(report) -> None:
    if report is not None:
        click.echo(
            f"retrained on your decisions: {report.new} new, {report.withdrawn} withdrawn; "
            f"{report.suggestions} suggestions now ({report.codes_learned} codes learned)"
        )


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


def _show(item, context: dict, progress: tuple[int, int], question: str = "", candidates=()) -> None:
    done, total = progress
    who = f"{item.speaker}, {item.role}" if item.speaker else "no speaker"
    click.echo("")
    click.secho(f"[{done + 1}/{total}] {item.source} ({who}) {item.start}-{item.end}", bold=True)
    if question:
        click.secho(_wrap(question, "  asked: ", max_lines=2), fg="cyan")
    if context["before"]:
        click.echo(_wrap("… " + context["before"], "    "))
    click.secho(_wrap(item.text, "  > "), fg="yellow")
    if context["after"]:
        click.echo(_wrap(context["after"] + " …", "    "))
    click.secho(f"code: {item.code} [{context['kind']}]  score {item.score:.2f}", bold=True)
    if context["definition"]:
        click.echo(_wrap(context["definition"], "  definition: "))
    click.echo(_wrap(item.rationale, "  why: "))
    if candidates:
        ranked = "  ".join(f"[{n}] {c.code} {c.score:.2f}" for n, c in enumerate(candidates[:8], start=2))
        click.echo(_wrap(ranked, "  or: "))
    click.echo(KEYS)


def _edit(session: ReviewSession) -> None:
    """Another code and/or boundaries; new boundaries are snapped to word edges and shown
    before they are stored ("n" keeps the suggestion current)."""
    item = session.current
    code = click.prompt("code", default=item.code)
    start = click.prompt("start", default=item.start, type=int)
    end = click.prompt("end", default=item.end, type=int)  # prompts read whole lines, also from a pipe
    start, end, text = session.snapped(start, end)
    if (start, end) != (item.start, item.end) and text:
        click.echo(f"new boundaries {start}-{end} (snapped to words):")
        click.secho(_wrap(text, "  > "), fg="yellow")
        answer = click.prompt(
            "store? [y/n]", type=click.Choice(["y", "n"], case_sensitive=False), show_choices=False
        )
        if answer.lower() != "y":
            click.echo("not changed; the suggestion stays")
            return
    try:
        report = session.edit(code=code, start=start, end=end)
    except QualcodeError as exc:  # a wrong code or span: say so and stay on this suggestion
        click.echo(f"not changed: {exc}")
        return
    _echo_retrained(report)


def _change_code(session: ReviewSession) -> None:
    """Accept the suggestion with the code whose name contains what is typed (no boundaries)."""
    part = click.prompt("code (part of a name)")
    names = session.code_names(part)
    if not names:
        click.echo(f"no code name contains {part!r}; the suggestion stays")
        return
    name = names[0]
    if len(names) > 1:
        for number, each in enumerate(names, 1):
            click.echo(f"  {number}  {each}")
        name = names[click.prompt("number", type=click.IntRange(1, len(names))) - 1]
    try:
        report = session.accept() if name == session.current.code else session.edit(code=name)
    except QualcodeError as exc:
        click.echo(f"not changed: {exc}")
        return
    click.echo(f"coded as {name}")
    _echo_retrained(report)


def _wrap(text: str, prefix: str, max_lines: int | None = None) -> str:
    """``text`` on lines as wide as the terminal (100 when that is unknown)."""
    width = max(40, shutil.get_terminal_size((100, 24)).columns)
    return textwrap.fill(
        " ".join(text.split()), width=width, initial_indent=prefix, subsequent_indent=" " * len(prefix),
        max_lines=max_lines, placeholder=" …",
    )  # fmt: skip
