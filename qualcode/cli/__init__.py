"""The ``qualcode`` command: thin wrappers that parse, call the library and print.

Only this package prints or exits. Each command group lives in its own module (project,
codebook, coding, findings, topics, cmoc; what they share is in ``_util``) and is registered on
``main`` here. Heavy libraries are imported inside the commands, so ``qualcode --help``
answers at once.
"""

from __future__ import annotations

import click

from qualcode.cli import cmoc, codebook, coding, findings, privacy, project, team, topics, web
from qualcode.version import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qualcode")
def main():
    """Code qualitative interviews and find working mechanisms in them.

    A project is one file (for example study.qc); every command reads and writes it.
    """


def _register(*modules) -> None:
    """Add every command and group of the command modules to ``qualcode``."""
    for module in modules:
        for command in module.COMMANDS:
            main.add_command(command)


_register(project, codebook, coding, findings, topics, web, cmoc, team, privacy)


if __name__ == "__main__":  # pragma: no cover
    main()
