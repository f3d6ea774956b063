"""qualcode: code qualitative interviews and find working mechanisms in them.

The public API; the CLI and the notebooks use exactly these names.
"""

import os

from qualcode.version import __version__  # noqa: E402,F401

# Offline by default (DESIGN.md): interview data is sensitive, and models come from a local
# path or an installed package. A user who wants the hub sets these variables to 0 first.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from qualcode.errors import (  # noqa: E402
    ConflictError,
    InputError,
    MissingDependencyError,
    ProjectError,
    QualcodeError,
    QualcodeWarning,
)
from qualcode.project import ImportReport, Project, SegmentReport, SegmentRow  # noqa: E402

__all__ = [
    "ConflictError",
    "ImportReport",
    "InputError",
    "MissingDependencyError",
    "Project",
    "ProjectError",
    "QualcodeError",
    "QualcodeWarning",
    "SegmentReport",
    "SegmentRow",
    "__version__",
]
