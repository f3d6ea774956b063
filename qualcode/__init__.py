"""qualcode: code qualitative interviews and find working mechanisms in them.

The public API; the CLI and the notebooks use exactly these names.
"""

__version__ = "0.1.0"

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
