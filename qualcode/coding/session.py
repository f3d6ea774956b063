"""One coder's pass through the pending suggestions: the review loop every screen shares.

The terminal screen (``qualcode review``), the notebook panel and, later, the web workbench
only show :attr:`ReviewSession.current` and turn key presses or clicks into the methods
below; what is shown next, what undo brings back and when the suggester is retrained is
decided here, once. Every decision goes straight to a :class:`~qualcode.coding.review.Reviewer`,
so it is stored at once and a session can be dropped at any moment.
"""

from __future__ import annotations

import unicodedata

from qualcode import defaults
from qualcode.errors import InputError

_INNER = "-'’"  # joins two letters into one word ("zelf-standig", "cliënt's")


def _in_word(text: str, i: int) -> bool:
    """Whether ``text[i]`` belongs to a word: a letter or digit, or a joiner between two."""
    if not 0 <= i < len(text):
        return False
    if text[i].isalnum():
        return True
    return text[i] in _INNER and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``start`` moved left to the beginning of its word, ``end`` right to the end of its word.

    Whitespace at either edge of the span is left out first (when a word remains). A span
    that does not fit ``text`` (``0 <= start < end <= len(text)``) comes back unchanged, for
    the caller's check to report; the result never reaches past the text's bounds.
    """
    if not 0 <= start < end <= len(text):
        return start, end
    left, right = start, end
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    if left < right:
        start, end = left, right
    while start > 0 and _in_word(text, start) and _in_word(text, start - 1):
        start -= 1
    while end < len(text) and _in_word(text, end - 1) and _in_word(text, end):
        end += 1
    return start, end


def _folded(name: str) -> str:
    """Lower case without accents, for matching a typed part of a name ("clien" ~ "Cliënt")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def match_codes(names, part: str) -> list[str]:
    """The names that contain ``part``, ignoring case and accents, in their given order; a
    name equal to ``part`` (so ignoring) alone when there is one. Nothing for a blank part."""
    wanted = _folded(part.strip())
    if not wanted:
        return []
    found = [name for name in names if wanted in _folded(name)]
    exact = [name for name in found if _folded(name) == wanted]
    return exact if len(exact) == 1 else found


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
    with a line to show before a retrain starts; ``progress``, if given, with ``(done, total,
    stage)`` as retraining and reloading the queue start and ``(2, 2, "done")`` after.

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
        progress=None,
    ):
        self.project = project
        self.reviewer = project.reviewer(coder)
        self.code, self.source, self.order = code, source, order
        self.retrain_every = retrain_every
        self.learn_from, self.show_withdrawn, self.notify = learn_from, withdrawn, notify
        self.on_progress = progress
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

    def question(self, item=None) -> str:
        """The interviewer's question a suggestion's segment answers: the interviewer turn
        directly before the segment's turn ("" when there is none, or no segment)."""
        item = self._item(item)
        return self.project.segment_question(item.segment_id) if item.segment_id else ""

    def candidates(self, item=None) -> list:
        """The other codes ranked on the current suggestion's segment, best first."""
        return self.reviewer.candidates(self._item(item))

    def code_names(self, part: str) -> list[str]:
        """The codebook's codes whose name contains ``part`` (see :func:`match_codes`)."""
        return match_codes([code.name for code in self.project.codebook().codes], part)

    def snapped(self, start: int, end: int, item=None) -> tuple[int, int, str]:
        """New boundaries for a suggestion snapped to word edges, and the text they hold.

        A boundary equal to the suggestion's own is kept as it is; a span that does not fit
        the source comes back unchanged with no text (:meth:`edit` then says what is wrong).
        """
        item = self._item(item)
        text = self.project.source_text(item.source)
        new_start, new_end = snap_to_words(text, start, end)
        new_start = item.start if start == item.start else new_start
        new_end = item.end if end == item.end else new_end
        fits = 0 <= new_start < new_end <= len(text)
        return new_start, new_end, text[new_start:new_end] if fits else ""

    def memo(self, text: str, item=None) -> int:
        """A memo by this coder on a suggestion's segment (on its source when it has none);
        returns the memo's id. The suggestion stays current."""
        item = self._item(item)
        if item.segment_id is not None:
            return self.project.add_memo("segment", item.segment_id, self.coder, text)
        return self.project.add_memo("source", item.source, self.coder, text)

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

    def choose(self, candidate, note: str = ""):
        """Code the segment with one of :meth:`candidates` instead of the current suggestion
        (which is rejected); returns what retraining did (see :meth:`accept`)."""
        item = self._item()
        self.reviewer.instead(item.id, candidate.id, note=note)
        self._queue = [q for q in self._queue if q.id != candidate.id]
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
        self._stage(0, f"learning from {self._since_training} decisions")
        if self._model is None:
            self._model = self.project.coder_model(self.coder, self.learn_from)
        report = self._model.retrain()
        self._since_training = 0
        self._stage(1, "reloading the queue")
        self.reload()  # the coder's new run is their queue now; what it dropped is withdrawn
        self._stage(2, "done")
        return report

    def _stage(self, done: int, stage: str) -> None:
        if self.on_progress:
            self.on_progress(done, 2, stage)
