"""Codebooks: the model, and reading and writing YAML, CSV and REFI-QDA files."""

from __future__ import annotations

import warnings
from pathlib import Path

from qualcode.codebook.model import KINDS, Code, Codebook
from qualcode.errors import InputError, QualcodeWarning

READABLE = (".yaml", ".yml", ".csv", ".xlsx", ".qdc", ".qdpx", ".qde")
WRITABLE = (".yaml", ".yml", ".csv", ".qdc")

__all__ = ["KINDS", "READABLE", "WRITABLE", "Code", "Codebook", "read_codebook", "write_codebook"]


def read_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook; the format follows the file's extension (a table: .csv or
    .xlsx). What is allowed but probably a mistake (codes differing only in case, keywords
    separated by commas) is issued as :class:`QualcodeWarning`."""
    codebook = _read(Path(path))
    for note in codebook.warnings():
        warnings.warn(note, QualcodeWarning, stacklevel=2)
    return codebook


def _read(path: Path) -> Codebook:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError("no such codebook file", str(path))
    if suffix in (".yaml", ".yml"):
        from qualcode.codebook.yamlfile import read_yaml

        return read_yaml(path)
    if suffix in (".csv", ".xlsx"):
        from qualcode.codebook.csvfile import read_csv

        return read_csv(path)
    if suffix in (".qdc", ".qdpx", ".qde"):
        from qualcode.refi import codebook as refi

        reader = refi.read_qdc if suffix == ".qdc" else refi.read_qdpx_codebook
        codebook, notes = reader(path)
        for note in notes:
            warnings.warn(note, QualcodeWarning, stacklevel=3)
        return codebook
    raise InputError(f"unknown codebook format {suffix!r}; use one of {', '.join(READABLE)}", str(path))


def write_codebook(codebook: Codebook, path: str | Path) -> None:
    """Write ``codebook`` in the format of the file's extension. The file is written beside
    ``path`` and moved into place when complete, so a failed write leaves the old file as it was."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml", ".csv"):
        from qualcode.files import atomic_path

        if suffix == ".csv":
            from qualcode.codebook.csvfile import write_csv as writer
        else:
            from qualcode.codebook.yamlfile import write_yaml as writer
        with atomic_path(path) as temporary:
            writer(codebook, temporary)
    elif suffix == ".qdc":  # write_qdc writes atomically itself
        from qualcode.refi.codebook import write_qdc

        write_qdc(codebook, path)
    else:
        raise InputError(
            f"cannot write a codebook as {suffix!r}; use one of {', '.join(WRITABLE)}", str(path)
        )
