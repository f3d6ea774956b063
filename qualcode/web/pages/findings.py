"""The findings: evidence tables, CMO configurations, co-occurrence and the framework matrix,
from the facade's analyses (reviewed codings only unless ``?unreviewed=1``, like the CLI's
--include-unreviewed), every quote linked to its place in the transcript; and the exports
(``POST /api/export``, answered with the file). Blind mode shows the library's refusal."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from starlette.routing import Route

from qualcode.analysis.mechanisms import NO_CASE
from qualcode.errors import QualcodeError
from qualcode.web import project_of
from qualcode.web.api import body_of
from qualcode.web.i18n import add
from qualcode.web.render import page

EXPORTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "qdpx": "application/zip",
}

add(
    nl={
        "find_title": "Bevindingen", "find_unreviewed": "ook niet-beoordeelde suggesties meetellen",
        "find_apply": "Toon", "find_export": "Exporteer", "find_evidence": "Bewijstabellen",
        "find_cmo": "CMO-configuraties", "find_cooccurrence": "Samen voorkomen van codes",
        "find_framework": "Raamwerkmatrix", "find_none": "nog niets om te tonen",
        "find_numbers": "{segments} segmenten, {interviews} interviews, {codings} coderingen",
        "find_unreviewed_n": "waarvan {n} niet beoordeeld", "find_groups": "Casussen per groep",
        "find_quotes": "Citaten", "find_counter": "Tegenbewijs", "find_provenance": "Herkomst",
        "find_not_reviewed": "niet beoordeeld", "find_context": "Context", "find_mechanism": "Mechanisme",
        "find_outcome": "Uitkomst", "find_units": "Eenheden", "find_cases": "Casussen", "find_support": "Steun",
        "find_case": "Casus", "find_scope": "per {scope}, {units} eenheden",
    },
    en={
        "find_title": "Findings", "find_unreviewed": "also count unreviewed suggestions",
        "find_apply": "Show", "find_export": "Export", "find_evidence": "Evidence tables",
        "find_cmo": "CMO configurations", "find_cooccurrence": "Code co-occurrence",
        "find_framework": "Framework matrix", "find_none": "nothing to show yet",
        "find_numbers": "{segments} segments, {interviews} interviews, {codings} codings",
        "find_unreviewed_n": "of which {n} unreviewed", "find_groups": "Cases per group",
        "find_quotes": "Quotes", "find_counter": "Counter-evidence", "find_provenance": "Provenance",
        "find_not_reviewed": "not reviewed", "find_context": "Context", "find_mechanism": "Mechanism",
        "find_outcome": "Outcome", "find_units": "Units", "find_cases": "Cases", "find_support": "Support",
        "find_case": "Case", "find_scope": "per {scope}, {units} units",
    },
)  # fmt: skip


def matrix_of(result) -> dict:
    """A co-occurrence result as plain rows of counts (code, [count per code])."""
    codes = [str(c) for c in result.counts.index]
    rows = [(a, [int(result.counts.loc[a, b]) for b in codes]) for a in codes]
    return {
        "codes": codes,
        "rows": rows,
        "scope": result.scope,
        "units": result.units,
        "included": result.included,
    }


def framework_of(result) -> dict:
    """The framework matrix as rows: a case, its role and attributes, and per code the count
    and the short quotes (the cell links to the passages of the code in that case)."""
    codes = [str(c) for c in result.counts.columns]
    columns = [str(c) for c in result.cases.columns]
    rows = []
    for case in result.counts.index:
        info = [str(result.cases.loc[case, c]) if case in result.cases.index else "" for c in columns]
        cells = [
            {
                "code": code,
                "count": int(result.counts.loc[case, code]),
                "quotes": str(result.quotes.loc[case, code]),
            }
            for code in codes
        ]
        rows.append({"case": str(case), "linked": case != NO_CASE, "info": info, "cells": cells})
    return {"codes": codes, "columns": columns, "rows": rows, "included": result.included}


def sections(project, include: str) -> dict:
    """Each analysis, or the library's error for it (blind mode: one refusal for all)."""
    out, errors = {}, {}
    calls = {
        "evidence": lambda: project.evidence_tables(include=include),
        "cmo": lambda: project.cmo_configurations(include=include),
        "cooccurrence": lambda: matrix_of(project.cooccurrence(include=include)),
        "framework": lambda: framework_of(project.framework_matrix(include=include)),
    }
    for name, call in calls.items():
        try:
            out[name] = call()
        except QualcodeError as error:
            errors[name] = str(error)
            if project.blind()["blind"]:
                return {"refused": str(error), "errors": {}, "found": {}}
    return {"refused": None, "errors": errors, "found": out}


def findings_page(request):
    unreviewed = request.query_params.get("unreviewed") == "1"
    with project_of(request, read_only=True) as project:
        found = sections(project, "all" if unreviewed else "reviewed")
        status = 409 if found["refused"] else 200
        return page(request, "findings.html", project, status_code=status, unreviewed=unreviewed,
                    exports=list(EXPORTS), **found)  # fmt: skip


def download_name(project_path: Path, fmt: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", project_path.stem).strip("_") or "project"
    return f"{stem}-findings.{fmt}"


async def export(request):
    """Write the export to a temporary file through the facade and answer the file."""
    from starlette.responses import JSONResponse, Response

    try:
        data = await body_of(request)
        fmt = str(data.get("format", ""))
        if fmt not in EXPORTS:
            raise QualcodeError(f"choose an export format: {', '.join(EXPORTS)}")
        include = "all" if data.get("unreviewed") is True else "reviewed"
        with tempfile.TemporaryDirectory(prefix="qualcode-export-") as folder, project_of(request) as project:
            name = download_name(project.path, fmt)
            written = Path(project.export(fmt, Path(folder) / name, include=include))
            content = written.read_bytes()
    except QualcodeError as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    return Response(
        content, media_type=EXPORTS[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


ROUTES = [Route("/findings", findings_page), Route("/api/export", export, methods=["POST"])]
