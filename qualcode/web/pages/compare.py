"""Comparing two coders on one transcript: their codings side by side, the pieces where they
differ marked, and agreement per code on the transcript's segments. Refused in blind mode."""

from __future__ import annotations

from starlette.routing import Route

from qualcode.errors import ConflictError, QualcodeError
from qualcode.web import project_of
from qualcode.web.i18n import add
from qualcode.web.render import page

add(
    nl={
        "cmp_title": "Codeurs vergelijken", "cmp_source": "Transcript", "cmp_a": "Codeur A", "cmp_b": "Codeur B",
        "cmp_show": "Vergelijk", "cmp_agreement": "Overeenstemming per code", "cmp_code": "code",
        "cmp_units": "segmenten", "cmp_percent": "% overeenstemming", "cmp_kappa": "Cohens κ",
        "cmp_both": "beide", "cmp_all": "(alle codes)", "cmp_disagreements": "Verschillen per segment",
        "cmp_differing": "{n} stukken tekst verschillen", "cmp_only": "alleen {coder}", "cmp_none": "geen verschillen",
        "cmp_refused": "Vergelijken kan niet", "cmp_no_unit": "nog geen segmenten: maak ze met qualcode segment",
        "cmp_codings": "coderingen", "cmp_unit": "eenheid",
    },
    en={
        "cmp_title": "Compare coders", "cmp_source": "Transcript", "cmp_a": "Coder A", "cmp_b": "Coder B",
        "cmp_show": "Compare", "cmp_agreement": "Agreement per code", "cmp_code": "code",
        "cmp_units": "segments", "cmp_percent": "% agreement", "cmp_kappa": "Cohen's κ",
        "cmp_both": "both", "cmp_all": "(all codes)", "cmp_disagreements": "Differences per segment",
        "cmp_differing": "{n} pieces of text differ", "cmp_only": "only {coder}", "cmp_none": "no differences",
        "cmp_refused": "Cannot compare", "cmp_no_unit": "no segments yet: make them with qualcode segment",
        "cmp_codings": "codings", "cmp_unit": "unit",
    },
)  # fmt: skip


def compare_page(request):
    query = request.query_params
    source, first, second = query.get("source", ""), query.get("a", ""), query.get("b", "")
    with project_of(request, read_only=True) as project:
        choices = {"sources": [s["name"] for s in project.workbench().sources()], "source": source, "a": first,
                   "b": second, "coders": sorted(project.status()["codings_per_coder"])}  # fmt: skip
        if project.blind()["blind"] or (source and first and second):
            try:
                found = project.workbench().comparison(source, first, second)
            except ConflictError as error:
                return page(request, "compare.html", project, 403, error=str(error), cmp=None, **choices)
            except QualcodeError as error:
                status = 400 if source in choices["sources"] else 404
                return page(request, "compare.html", project, status, error=str(error), cmp=None, **choices)
            return page(request, "compare.html", project, error=None, cmp=found, **choices)
        return page(request, "compare.html", project, error=None, cmp=None, **choices)


ROUTES = [Route("/compare", compare_page)]
