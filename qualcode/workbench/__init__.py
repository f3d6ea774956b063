"""What the coding workbench reads, for a reader rather than a script: a transcript with its
codings and suggestions, the code tree with counts, search hits in context, two coders side
by side. One module per view; writes go through the facade's usual calls (the reviewer,
memos, codebook versions), so the workbench keeps no logic of its own."""

from __future__ import annotations


class Workbench:
    """The workbench's reads over one open project (``Project.workbench()``)."""

    def __init__(self, db):
        self._db = db

    def sources(self) -> list[dict]:
        """Every transcript with its number of turns, speakers and characters."""
        from qualcode.store.overview import source_overview

        return [dict(r) for r in source_overview(self._db.connection)]

    def document(self, source: str, coder: str | None) -> dict:
        """A transcript as turns with every coding and ``coder``'s pending suggestions."""
        from qualcode.workbench.document import document

        return document(self._db, source, coder)

    def code_tree(self) -> list[dict]:
        """The codebook as a tree with counts of codings, sources and cases per code."""
        from qualcode.workbench.codetree import code_tree

        return code_tree(self._db)

    def edit_codebook(self, change: dict) -> dict:
        """Create, rename, move, merge, retire or recolour a code: a new codebook version."""
        from qualcode.workbench.codetree import edit_codebook

        return edit_codebook(self._db, change)

    def search(self, query: str, lemmas: bool = False, limit: int = 200) -> list[dict]:
        """Segments whose text (or lemmas) contain ``query``, with the hit in context."""
        from qualcode.workbench.search import search

        return search(self._db, query, lemmas, limit)

    def passages(self, code: str, filters: dict | None = None) -> list[dict]:
        """Every passage coded with ``code``, with speaker, role and case attributes."""
        from qualcode.workbench.search import passages

        return passages(self._db, code, filters or {})

    def comparison(self, source: str, first: str, second: str) -> dict:
        """Two coders' codings of one transcript, disagreements marked, agreement per code."""
        from qualcode.workbench.compare import comparison

        return comparison(self._db, source, first, second)

    def resolution(self, source: str, first: str, second: str, code: str | None = None) -> dict:
        """Where two coders differ in a transcript, to resolve into agreed codings (owners)."""
        from qualcode.workbench.resolve import resolution

        return resolution(self._db, source, first, second, code)

    def changes(self, since: dict | None = None) -> dict:
        """The marker of the latest changes, blind mode, and who changed something since ``since``."""
        from qualcode.workbench.live import changes

        return changes(self._db, since)
