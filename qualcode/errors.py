"""Errors and warnings raised by the library.

Library code never prints or exits: it raises one of these, and the CLI turns them into a
message and a non-zero exit. Every message says what went wrong *and* what to do next.
"""

from __future__ import annotations


class QualcodeError(Exception):
    """Base class for every error qualcode raises on purpose."""


class ProjectError(QualcodeError):
    """The project file is missing, not a qualcode project, or from a newer version."""


class InputError(QualcodeError):
    """A file the user gave us cannot be read as what it claims to be.

    ``path`` and ``line`` (1-based) point at the problem where they are known.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}" + (f", line {line}" if line is not None else "") + ": "
        super().__init__(where + message)


class ConflictError(QualcodeError):
    """The operation would overwrite or invalidate something already stored."""


class MissingDependencyError(QualcodeError):
    """An optional package or model is needed but not installed."""


class QualcodeWarning(UserWarning):
    """Something worth telling the user that does not stop the operation."""


# Hints that several steps give; written once so they say the same everywhere.
NO_SEGMENTS = "the project has no segments yet; run: qualcode segment"
NO_CODEBOOK = "the project has no codebook yet; load one with: qualcode codebook load"
NO_SUGGESTIONS = "nothing to review: no pending suggestions (run qualcode suggest first)"


def no_segments_of(unit: str) -> str:
    return f"the project has no {unit} segments; run: qualcode segment --unit {unit}"
