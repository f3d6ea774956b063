"""Retraining during a review: one coder's suggester, kept in memory between batches.

The first retrain fits the whole suggester as ``qualcode suggest`` does; after that only the
learned (supervised) part is refitted on the coder's decisions, and the corpus is rescored
with the keyword and similarity evidence the suggester computed once (it does not depend on
decisions). The new run replaces the coder's queue only: other coders keep theirs.
"""

from __future__ import annotations

from qualcode.coding.blind import refuse_when_blind
from qualcode.errors import ConflictError
from qualcode.store import runs as run_store
from qualcode.store import suggestions as suggestion_store
from qualcode.suggest import corpus, make_suggester
from qualcode.suggest.runner import (
    Steps,
    SuggestReport,
    labels,
    made_with,
    prepare,
    score_and_store,
    with_language,
)

LEARN_FROM = ("coder", "all")


class CoderModel:
    """``coder``'s suggester: learns from that coder's decisions (``learn_from="coder"``,
    the default, so coders stay independent) or from everyone's (``"all"``)."""

    def __init__(self, db, coder: str, learn_from: str = "coder"):
        if learn_from not in LEARN_FROM:
            raise ConflictError(f"unknown --learn-from {learn_from!r}; choose coder or all")
        if learn_from == "all":
            refuse_when_blind(db, "learning from every coder's decisions")
        self.db, self.coder, self.learn_from = db, coder, learn_from
        self.model_ = None

    def _settings(self) -> dict:
        """The settings of the run this coder reviews now (theirs, or the shared one)."""
        run_id = suggestion_store.queue_run_id(self.db.connection, self.coder)
        if run_id is None:
            raise ConflictError("no suggestions to retrain yet; run: qualcode suggest")
        return run_store.run_config(self.db.connection, run_id)

    def retrain(self, progress=None) -> SuggestReport:
        """Learn from the decisions so far and store a new run for this coder (``progress``
        as for :func:`qualcode.suggest.runner.run_suggestions`, while scoring). In a project
        fitted on a sample, decisions on segments outside it fit the suggester anew."""
        learner = None if self.learn_from == "all" else self.coder
        if self.model_ is not None:
            known = labels(self.db.connection, self.unit_, learner)
            if not self._fitted_on(known):
                self.model_ = None
        if self.model_ is None:
            settings = self._settings()
            self.unit_, self.codes_, segments, known = prepare(
                self.db, settings["unit"], learner, sample=True
            )
            self.fitted_ids_ = {s.id for s in segments}
            options = made_with(settings["suggester"], settings["options"])
            options = with_language(self.db.connection, settings["suggester"], options)
            self.model_ = make_suggester(settings["suggester"], **options).fit(self.codes_, segments, known)
            del segments
            self.config_ = {
                "suggester": settings["suggester"], "options": self.model_.config(),
                "min_score": settings["min_score"], "coder": self.coder, "unit": self.unit_,
                "learn_from": self.learn_from,
            }  # fmt: skip
        else:
            self.model_.refit(self.codes_, known.sampled(corpus.FIT_LABELLED))
        return score_and_store(
            self.db, self.model_, self.config_, known, Steps.of_unit(self.db, self.unit_, progress)
        )

    def _fitted_on(self, learn) -> bool:
        """Whether every coded or rejected segment to learn from is in the corpus the
        suggester was fitted on (of the segments coded with no code, a sample is enough)."""
        informative = [s for s, codes in learn.coded.items() if codes] + list(learn.rejected)
        return all(s in self.fitted_ids_ for s in informative)
