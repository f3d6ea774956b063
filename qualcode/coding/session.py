"""One coder's pass through the pending suggestions: the review loop every screen shares.

The terminal screen (``qualcode review``), the notebook panel and, later, the web workbench
only show :attr:`ReviewSession.current` and turn key presses or clicks into the methods
below; what is shown next, what undo brings back and when the suggester is retrained is
decided here, once. Every decision goes straight to a :class:`~qualcode.coding.review.Reviewer`,
so it is stored at once and a session can be dropped at any moment.
"""

from __future__ import annotations

from qualcode import defaults
from qualcode.errors import InputError


class ReviewSession:
    """Review the latest suggestions as ``coder``, one at a time.

    ``code`` and ``source`` narrow the queue, ``order`` sorts it (``score``, ``source`` or
    ``active``; see :meth:`Reviewer.pending <qualcode.coding.review.Reviewer.pending>`).
    With ``retrain_every=N`` the coder's suggester is retrained after every N decisions, when
    it learns from decisions (``defaults.LEARNING_SUGGESTERS``): only its learned part is
    refitted, on this coder's decisions (``learn_from="coder"``; ``"all"`` for everyone's), and
    the queue is reloaded from the new run; suggestions it no longer makes are kept as
    withdrawn (see ``Reviewer.withdrawn``). ``None`` never retrains. ``withdrawn=True``
    reviews the withdrawn suggestions instead of the queue. ``notify``, if given, is called
    with a line to show before a retrain starts.

    The session never prints: decisions return what retraining did (or None), :meth:`undo`
    returns the undone decision, and :attr:`current` is None when nothing is left.
    """

    def __init__(
        self,
        project,
        coder: str,
        code: str | None = None,
        source: str | None = None,
        order: str = "score",
        retrain_every: int | None = None,
        learn_from: str = "coder",
        withdrawn: bool = False,
        notify=None,
    ):
        self.project = project
        self.reviewer = project.reviewer(coder)
        self.code, self.source, self.order = code, source, order
        self.retrain_every = retrain_every
        self.learn_from, self.show_withdrawn, self.notify = learn_from, withdrawn, notify
        self._model = None  # the coder's suggester, fitted at the first retrain and kept
        self._queue: list = []  # pending suggestions still to show; the current one first
        self._history: list = []  # suggestions decided in this session, latest last (for undo)
        self._since_training = 0
        self.reload()
        # Asked once, as the terminal loop always did: only a suggester that learns from
        # decisions gets better by being run again, the others would give the same suggestions.
        self.learning = retrain_every is not None and project.last_suggester() in defaults.LEARNING_SUGGESTERS

    @property
    def coder(self) -> str:
        return self.reviewer.coder

    @property
    def current(self):
        """The suggestion to decide on now (a ``Pending``), or None when the queue is done."""
        return self._queue[0] if self._queue else None

    @property
    def queue(self) -> tuple:
        """The suggestions still to show in this session, the current one first."""
        return tuple(self._queue)

    def reload(self) -> None:
        """Read this coder's pending (or withdrawn) suggestions from the project again."""
        if self.show_withdrawn:
            self._queue = self.reviewer.withdrawn(self.code, self.source)
        else:
            self._queue = self.reviewer.pending(self.code, self.source, self.order)

    def progress(self) -> tuple[int, int]:
        """(decided, decided + pending + withdrawn) for this coder and the session's filter."""
        return self.reviewer.progress(self.code, self.source)

    def counts(self) -> dict[str, int]:
        """Decided, pending and withdrawn suggestions for this coder and the session's filter."""
        return self.reviewer.counts(self.code, self.source)

    def context(self, item=None) -> dict:
        """The text around a suggestion (the current one by default) and its code's definition."""
        return self.reviewer.context(self._item(item))

    # -- moving on without a decision ---------------------------------------------------------

    def skip(self) -> None:
        """Go on to the next suggestion; the skipped one stays pending for a later session."""
        if self._queue:
            self._queue.pop(0)

    def undo(self) -> dict | None:
        """Undo this coder's latest decision; returns it, or None when there is nothing to undo.

        When the undone decision was on a suggestion decided in this session, that suggestion
        becomes the current one again, so the coder can decide anew. (A decision from an
        earlier session is undone too, but its suggestion joins the queue only on reload.)
        """
        undone = self.reviewer.undo()
        if undone is not None and self._history and undone.get("suggestion_id") == self._history[-1].id:
            self._queue.insert(0, self._history.pop())
        return undone

    # -- decisions on the current suggestion: each one Reviewer call, stored at once ------------

    def accept(self, note: str = ""):
        """Accept the current suggestion as this coder's coding; returns what retraining did."""
        item = self._item()
        self.reviewer.accept(item.id, note=note)
        return self._decided(item)

    def reject(self, note: str = ""):
        """Reject the current suggestion; returns what retraining did (see :meth:`accept`)."""
        item = self._item()
        self.reviewer.reject(item.id, note=note)
        return self._decided(item)

    def edit(self, code: str | None = None, start: int | None = None, end: int | None = None, note: str = ""):
        """Accept the current suggestion with another code and/or boundaries.

        A wrong code or span raises (a ``QualcodeError``) before anything changes, so the
        suggestion stays current. Returns what retraining did (see :meth:`accept`).
        """
        item = self._item()
        self.reviewer.edit(suggestion_id=item.id, code=code, start=start, end=end, note=note)
        return self._decided(item)

    # -- inside -------------------------------------------------------------------------------

    def _item(self, item=None):
        item = self.current if item is None else item
        if item is None:
            raise InputError("nothing left to review in this session")
        return item

    def _decided(self, item):
        """Book-keeping after a stored decision: the next suggestion, and maybe retraining.

        Returns the suggest run's report (``suggestions``, ``codes_learned``) when the
        suggester was trained again, else None.
        """
        self._queue.pop(0)  # decisions are always on the current suggestion, the queue's first
        self._history.append(item)
        self._since_training += 1
        # Retrain only when there is something left to review with the better suggestions.
        if not (self.learning and self._since_training >= self.retrain_every and self._queue):
            return None
        if self.notify:
            self.notify(f"retraining on {self._since_training} decisions…")
        if self._model is None:
            self._model = self.project.coder_model(self.coder, self.learn_from)
        report = self._model.retrain()
        self._since_training = 0
        self.reload()  # the coder's new run is their queue now; what it dropped is withdrawn
        return report
