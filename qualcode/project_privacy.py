"""The privacy half of the :class:`~qualcode.project.Project` facade: pseudonymising a
project (a plan to review, then a pseudonymised copy and its encrypted key), as one-line
delegations to :mod:`qualcode.privacy` (a mixin, so that each facade module stays short)."""

from __future__ import annotations

from pathlib import Path


class PrivacyFacade:
    """Pseudonymisation of a project; mixed into :class:`~qualcode.project.Project`."""

    _db: object  # the project's Database, set by Project

    def pseudonymisation_plan(self, detectors=None, word_list=None, style: str = "role", nlp=None):
        """Find the personal data in the interviews (participants file, deduce, spaCy entities,
        qualcode's patterns, a ``word_list`` file) and propose pseudonyms (``style`` role or
        names): a :class:`~qualcode.privacy.plan.Plan` to write, review and apply."""
        from qualcode.privacy.apply import plan_project
        from qualcode.privacy.detect import DEFAULT_DETECTORS

        return plan_project(self._db, detectors or DEFAULT_DETECTORS, word_list, style, nlp)

    def pseudonymise(self, plan, target: str | Path, key: str | Path, passphrase: str):
        """Write a pseudonymised copy of the project at ``target`` by ``plan`` (a Plan or a plan
        CSV), every coding, suggestion and quote remapped; the key (what each pseudonym stands
        for) encrypted with ``passphrase`` at ``key``. The project itself is not changed."""
        from qualcode.privacy.apply import pseudonymise_project
        from qualcode.privacy.plan import read_plan

        plan = read_plan(plan) if isinstance(plan, str | Path) else plan
        return pseudonymise_project(self._db, plan, target, key, passphrase)

    def export_pseudonymised(
        self, plan, fmt: str, path: str | Path, include: str = "reviewed", coder=None, consensus: bool = False
    ):
        """Write findings (as :meth:`export`) of the project pseudonymised by ``plan`` (a Plan
        or a plan CSV), for a quick share: the project is not changed and no copy is kept."""
        from qualcode.privacy.apply import export_pseudonymised
        from qualcode.privacy.plan import read_plan

        plan = read_plan(plan) if isinstance(plan, str | Path) else plan
        return export_pseudonymised(self._db, plan, fmt, path, include, coder, consensus)

    def reverse_pseudonyms(self, text: str, key: str | Path, passphrase: str):
        """A quote of this pseudonymised copy in its original words (with ``key``, the copy's
        own key, and its passphrase); and notes where a pseudonym stood for several texts."""
        from qualcode.privacy.apply import reverse_text

        return reverse_text(text, key, passphrase, self._db)

    def privacy_inputs(self):
        """What detection reads: the source texts (name → text) and the participants
        (:class:`~qualcode.privacy.people.Person`, with their names, roles and cases)."""
        from qualcode.privacy.apply import project_people, project_texts

        texts = project_texts(self._db)
        return texts, project_people(self._db, texts)

    def pseudonymised(self) -> dict | None:
        """For a pseudonymised copy: its key id and what was replaced; None for an original."""
        from qualcode.privacy.apply import mark_of

        return mark_of(self._db)
