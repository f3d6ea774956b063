"""``qualcode topics``: find topics in the segments, show them, promote one to a draft code.

``qualcode topics study.qc`` runs (``run`` is the default subcommand); ``qualcode topics show
study.qc`` and ``qualcode topics promote study.qc 3 --name NAME`` read the stored runs.
BERTopic and friends are imported only when a command runs.
"""

from __future__ import annotations

import click

from qualcode.cli._util import handle_errors, open_project, project_argument, steps_bar


class DefaultCommandGroup(click.Group):
    """A group that runs ``default_command`` when the first argument names no subcommand."""

    def __init__(self, *args, default_command: str = "run", **kwargs):
        super().__init__(*args, **kwargs)
        self.default_command = default_command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter) -> None:
        formatter.write_usage(
            ctx.command_path, "[run] PROJECT [OPTIONS] | show PROJECT | promote PROJECT TOPIC"
        )


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
def topics():
    """Find emergent topics in the segments (BERTopic), show them, promote one to a code.

    \b
    qualcode topics study.qc --mode quick --n-topics 8
    qualcode topics show study.qc
    qualcode topics promote study.qc 3 --name "Herstel van vertrouwen"
    """


@topics.command(name="run")
@project_argument
@click.option(
    "--mode",
    type=click.Choice(["quick", "exploratory"]),
    default="quick",
    show_default=True,
    help="quick: k-means into --n-topics topics, seeded; exploratory: UMAP + HDBSCAN choose.",
)
@click.option("--n-topics", "n_topics", type=int, default=8, show_default=True, help="Topics (quick mode).")
@click.option(
    "--seed", type=int, default=1, show_default=True, help="Seed: the same seed gives the same topics."
)
@click.option(
    "--embedder",
    type=click.Choice(["tfidf", "sentence-transformers"]),
    default="tfidf",
    show_default=True,
    help="tfidf (offline, fitted on the segments) or a local sentence-transformers model.",
)
@click.option("--model", help="Folder of a saved sentence-transformers model (with that embedder).")
@click.option("--unit", help="Segment unit (default: the last one made).")
@click.option(
    "--include-interviewer",
    is_flag=True,
    help="Fit on the interviewer's segments too (when they were segmented: segment --include-interviewer).",
)
@click.option(
    "--exclude-words",
    "exclude_words",
    multiple=True,
    metavar="WORDS",
    help="More words that are no topic word, comma-separated (repeatable): names the project does not know.",
)
@click.option(
    "--keep-proper-nouns",
    is_flag=True,
    help="Keep words the text writes with a capital (left out by default: names of people and places).",
)
@click.option(
    "--context/--no-context",
    default=True,
    show_default=True,
    help="Place each segment with its neighbours in the interview (or alone).",
)
@handle_errors
def run_(project, mode, n_topics, seed, embedder, model, unit, include_interviewer, exclude_words,
         keep_proper_nouns, context):  # fmt: skip
    """Find topics in PROJECT's segments and store them as a topic run.

    Fitted on the respondents' segments; names of speakers, participants and cases, places
    and organisations of the cases, proper nouns, fillers and stop words are no topic words.
    """
    words = [w.strip() for value in exclude_words for w in value.split(",") if w.strip()]
    with open_project(project) as proj, steps_bar("topics") as bar:
        report = proj.topics(
            mode=mode, n_topics=n_topics, seed=seed, embedder=embedder, model=model, unit=unit,
            include_interviewer=include_interviewer, exclude_words=words,
            exclude_proper_nouns=not keep_proper_nouns, context=context, progress=bar,
        )  # fmt: skip
    found = sum(1 for t in report.topics if t.topic >= 0)
    left_out = (
        f", {report.interviewer_segments} interviewer segments left out"
        if report.interviewer_segments
        else ""
    )
    click.echo(
        f"topics run {report.run_id} ({report.mode}): {found} topics in {report.segments} "
        f"{report.unit} segments, {report.outliers} outliers{left_out}, {report.seconds:.1f} s"
    )
    for why, words in report.excluded.items():
        if words:
            more = f" and {len(words) - _LISTED} more" if len(words) > _LISTED else ""
            click.echo(f"left out ({why.replace('_', ' ')}): {', '.join(words[:_LISTED])}{more}")
    _echo_table(report.topics)
    click.echo(f'promote a topic to a draft code: qualcode topics promote {project} TOPIC --name "NAME"')


@topics.command(name="show")
@project_argument
@click.option("--run", "run_id", type=int, help="Topic run (default: the latest).")
@click.option(
    "--examples/--no-examples", default=True, show_default=True, help="Show the three representative quotes."
)
@handle_errors
def show(project, run_id, examples):
    """Show the topics of a run: size, label, top words, spread by role and case, quotes."""
    with open_project(project, read_only=True) as proj:
        rows = proj.topic_overview(run_id)
    _echo_table(rows, examples=examples)


@topics.command(name="promote")
@project_argument
@click.argument("topic", type=int)
@click.option("--name", required=True, help="Name of the new code.")
@click.option("--run", "run_id", type=int, help="Topic run (default: the latest).")
@handle_errors
def promote(project, topic, name, run_id):
    """Turn TOPIC into a draft code (kind theme) whose examples are its representative segments."""
    with open_project(project) as proj:
        code = proj.promote_topic(topic, name, run_id)
    click.echo(f"added the draft code {code!r} (kind theme) from topic {topic} as a new codebook version")


def _echo_table(rows, examples: bool = False) -> None:
    label_width = max([len("label"), *(len(r.label) for r in rows)])
    click.echo(f"{'topic':>5}  {'size':>5}  {'label':<{label_width}}  roles")
    for row in rows:
        roles = ", ".join(
            f"{role} {n}" for role, n in sorted(row.spread.get("role", {}).items(), key=_by_count)
        )
        click.echo(f"{row.topic:>5}  {row.size:>5}  {row.label:<{label_width}}  {roles}")
        if row.words:
            click.echo(f"{'':>14}words: {', '.join(row.top_words)}")
        cases = row.spread.get("case", {})
        if cases:
            by_count = sorted(cases.items(), key=_by_count)
            click.echo(f"{'':>14}cases ({len(cases)}): {', '.join(f'{c} {n}' for c, n in by_count)}")
        if row.promoted_code:
            click.echo(f"{'':>14}promoted to code: {row.promoted_code}")
        if examples:
            for example in row.representatives:
                who = f"{example.source}, {example.speaker}" if example.speaker else example.source
                click.echo(f"{'':>14}- {_short(example.text)} ({who})")


_LISTED = 25  # excluded words listed per kind


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# What qualcode.cli registers on the ``qualcode`` group.
COMMANDS = (topics,)
