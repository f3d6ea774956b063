"""Exports: findings tables (CSV, XLSX), reports (HTML, Markdown) and REFI-QDA projects."""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import InputError
from qualcode.store import runs as run_store

FORMATS = ("csv", "xlsx", "html", "md", "qdpx", "qdc", "realist")
SELECTING = ("csv", "xlsx", "html", "md")  # the formats that count one coder's or the agreed codings


def export_findings(
    db,
    fmt: str,
    path: str | Path,
    include: str = "reviewed",
    coder: str | None = None,
    consensus: bool = False,
    progress=None,
):
    """Write the project in ``fmt`` and record the export as a run (format, path, what
    counted, whose codings, versions). Returns the file written (for csv: the list of files).

    The findings formats (csv, xlsx, html, md) count the reviewed codings of every coder, of
    ``coder`` only, or (``consensus``) those the coders agree on; with ``include="all"`` they
    list the unreviewed suggestions apart. A .qdpx project or .qdc codebook holds everything.
    ``progress``, if given, is called with ``(done, total, stage)`` as writing the file and
    recording the export start, and ``(total, total, "done")`` at the end."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose csv, xlsx, html, md, qdpx, qdc or realist")
    if (coder is not None or consensus) and fmt not in SELECTING:
        raise InputError(
            f"--coder and --consensus choose the codings of the findings formats ({', '.join(SELECTING)}); "
            f"a {fmt} export holds what it always holds: leave them out"
        )
    stages = (f"writing {fmt}", "recording the export")
    if progress:
        progress(0, len(stages), stages[0])
    if fmt == "qdc":
        from qualcode.codebook.versions import export_codebook

        export_codebook(db, path)
        written = Path(path)
    elif fmt == "qdpx":
        from qualcode.refi.project_export import export_qdpx

        export_qdpx(db, path)
        written = Path(path)
    elif fmt == "realist":
        from qualcode.export.realist import export_realist

        written = export_realist(db, path, include=include)
    else:
        from qualcode.export import report, tables

        writers = {
            "csv": tables.export_csv,
            "xlsx": tables.export_xlsx,
            "html": report.export_html,
            "md": report.export_markdown,
        }
        written = writers[fmt](db, path, include=include, coder=coder, consensus=consensus)
    if progress:
        progress(1, len(stages), stages[1])
    with db.transaction() as conn:
        config = {
            "format": fmt,
            "path": str(path),
            "include": include,
            "coder": coder,
            "consensus": consensus,
        }
        run_store.record_run(conn, "export", config, {})
    if progress:
        progress(len(stages), len(stages), "done")
    return written
