"""Exports: findings tables (CSV, XLSX), reports (HTML, Markdown) and REFI-QDA projects."""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import InputError
from qualcode.store import runs as run_store

FORMATS = ("csv", "xlsx", "html", "md", "qdpx", "qdc")


def export_findings(db, fmt: str, path: str | Path, include: str = "reviewed"):
    """Write the project in ``fmt`` and record the export as a run (format, path, what
    counted, versions). Returns the file written (for csv: the list of files)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose csv, xlsx, html, md, qdpx or qdc")
    if fmt == "qdc":
        from qualcode.codebook.versions import export_codebook

        export_codebook(db, path)
        written = Path(path)
    elif fmt == "qdpx":
        from qualcode.refi.project_export import export_qdpx

        export_qdpx(db, path)
        written = Path(path)
    else:
        from qualcode.export import report, tables

        writers = {
            "csv": tables.export_csv,
            "xlsx": tables.export_xlsx,
            "html": report.export_html,
            "md": report.export_markdown,
        }
        written = writers[fmt](db, path, include=include)
    with db.transaction() as conn:
        run_store.record_run(conn, "export", {"format": fmt, "path": str(path), "include": include}, {})
    return written
