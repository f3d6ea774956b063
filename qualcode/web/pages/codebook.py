"""The codebook panel: the code tree with counts and definitions, and its edits (create,
rename, move, merge, retire, recolour), each a new codebook version through the library
(``Workbench.edit_codebook``); the tree is rendered once, filtered and folded in the page."""

from __future__ import annotations

from starlette.routing import Route

from qualcode.codebook.model import KINDS
from qualcode.web import project_of
from qualcode.web.api import posted
from qualcode.web.i18n import add
from qualcode.web.render import page

add(
    nl={
        "cb_title": "Codeboek", "cb_filter": "Filter codes", "cb_codings": "coderingen", "cb_sources": "transcripten",
        "cb_cases": "casussen", "cb_empty": "Nog geen codeboek: laad er een met qualcode codebook load, of maak hieronder een code.",
        "cb_fold_all": "Alles inklappen", "cb_unfold_all": "Alles uitklappen", "cb_selected": "Gekozen code",
        "cb_none": "Kies een code in de boom.", "cb_description": "Definitie", "cb_inclusion": "Wel",
        "cb_exclusion": "Niet", "cb_examples": "Voorbeelden", "cb_keywords": "Trefwoorden", "cb_lemmas": "Lemma's",
        "cb_merges": "Samengevoegd", "cb_kind": "Soort", "cb_colour": "Kleur", "cb_change": "Wijzigen",
        "cb_action": "Wat", "cb_create": "nieuwe code", "cb_rename": "hernoemen", "cb_move": "verplaatsen",
        "cb_merge": "samenvoegen met", "cb_retire": "intrekken", "cb_recolour": "kleur", "cb_name": "Naam",
        "cb_parent": "Onder", "cb_top": "(bovenaan)", "cb_into": "In code", "cb_no_colour": "geen kleur",
        "cb_apply": "Toepassen", "cb_blind_counts": "blind: aantallen verborgen", "cb_shown": "{n} codes getoond",
    },
    en={
        "cb_title": "Codebook", "cb_filter": "Filter codes", "cb_codings": "codings", "cb_sources": "transcripts",
        "cb_cases": "cases", "cb_empty": "No codebook yet: load one with qualcode codebook load, or create a code below.",
        "cb_fold_all": "Fold all", "cb_unfold_all": "Unfold all", "cb_selected": "Selected code",
        "cb_none": "Choose a code in the tree.", "cb_description": "Definition", "cb_inclusion": "Include",
        "cb_exclusion": "Exclude", "cb_examples": "Examples", "cb_keywords": "Keywords", "cb_lemmas": "Lemmas",
        "cb_merges": "Merged in", "cb_kind": "Kind", "cb_colour": "Colour", "cb_change": "Change",
        "cb_action": "What", "cb_create": "new code", "cb_rename": "rename", "cb_move": "move",
        "cb_merge": "merge into", "cb_retire": "retire", "cb_recolour": "colour", "cb_name": "Name",
        "cb_parent": "Under", "cb_top": "(top)", "cb_into": "Into code", "cb_no_colour": "no colour",
        "cb_apply": "Apply", "cb_blind_counts": "blind: counts hidden", "cb_shown": "{n} codes shown",
    },
)  # fmt: skip


def flat(tree: list[dict]) -> list[dict]:
    """The tree's codes depth first (for the lists of parents and merge targets)."""
    return [n for node in tree for n in (node, *flat(node["children"]))]


def codebook(request):
    with project_of(request, read_only=True) as project:
        tree = project.workbench().code_tree()
        return page(
            request, "codebook.html", project, tree=tree, names=[n["name"] for n in flat(tree)], kinds=KINDS
        )


async def edit(request):
    def call(change):
        with project_of(request) as project:
            return project.workbench().edit_codebook(change)

    return await posted(request, call)


ROUTES = [Route("/codebook", codebook), Route("/api/codebook/edit", edit, methods=["POST"])]
