"""A review panel for Jupyter: the terminal review screen (``qualcode review``) as ipywidgets.

The panel is a view over :class:`qualcode.coding.session.ReviewSession`, the same review loop
the terminal screen uses, so each click is stored at once as one decision in the project file::

    from review_panel import review_panel

    panel = review_panel(project, "anna")
    panel  # shows the first suggestion; click Accept, Reject, Skip, Edit or Undo
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from qualcode import QualcodeError
from qualcode.coding.session import ReviewSession


class ReviewPanel(widgets.VBox):
    """One coder's review of the latest suggestions, one suggestion at a time."""

    def __init__(self, project, coder: str, order: str = "score", withdrawn: bool = False):
        # No retraining (retrain_every=None), as the panel always did: a click answers at once.
        # To learn from the decisions, call project.suggest_again() and open a new panel.
        self.session = ReviewSession(project, coder, order=order, withdrawn=withdrawn)
        self.reviewer = self.session.reviewer
        self.order = order

        self.segment = widgets.HTML()
        self.context = widgets.HTML()
        self.code = widgets.HTML()
        self.definition = widgets.HTML()
        self.score = widgets.HTML()
        self.rationale = widgets.HTML()
        self.accept_button = widgets.Button(description="Accept", button_style="success", icon="check")
        self.reject_button = widgets.Button(description="Reject", button_style="danger", icon="times")
        self.skip_button = widgets.Button(description="Skip", icon="forward")
        self.code_names = [c.name for c in project.codebook().codes]
        self.candidates: list = []  # the other codes ranked on the current segment
        self.edit_code = widgets.Dropdown(
            options=self.code_names,
            description="Other code:",
            layout=widgets.Layout(width="420px"),
        )
        self.edit_button = widgets.Button(description="Edit", button_style="warning", icon="pencil")
        self.undo_button = widgets.Button(description="Undo", icon="undo")
        self.progress = widgets.Label()
        self.message = widgets.HTML()

        self.accept_button.on_click(self._on_accept)
        self.reject_button.on_click(self._on_reject)
        self.skip_button.on_click(self._on_skip)
        self.edit_button.on_click(self._on_edit)
        self.undo_button.on_click(self._on_undo)

        buttons = widgets.HBox([self.accept_button, self.reject_button, self.skip_button, self.undo_button])
        edit_row = widgets.HBox([self.edit_code, self.edit_button])
        super().__init__(
            [
                self.progress,
                self.segment,
                self.context,
                self.code,
                self.definition,
                self.score,
                self.rationale,
                buttons,
                edit_row,
                self.message,
            ]
        )
        self._render()

    @property
    def current(self):
        """The suggestion on screen (a qualcode.coding.review.Pending), None when all are done."""
        return self.session.current

    # -- what is on screen -------------------------------------------------------------------

    def _render(self) -> None:
        done, total = self.session.progress()
        self.progress.value = f"{self.session.coder}: {done} of {total} suggestions decided"
        item = self.current
        enabled = item is not None
        for button in (self.accept_button, self.reject_button, self.skip_button, self.edit_button):
            button.disabled = not enabled
        if item is None:
            self.segment.value = "<b>Nothing left to review.</b>"
            for field in (self.context, self.code, self.definition, self.score, self.rationale):
                field.value = ""
            return
        context = self.session.context(item)
        who = f"{item.speaker} ({item.role})" if item.role else (item.speaker or "?")
        self.segment.value = (
            f"<div style='font-size:1.1em'>“{escape(item.text)}”</div>"
            f"<small>{escape(item.source)} {item.start}-{item.end}, {escape(who)}</small>"
        )
        self.context.value = (
            f"<small style='color:#666'>before: {escape(context['before'])}<br>"
            f"after: {escape(context['after'])}</small>"
        )
        self.code.value = (
            f"<b>Suggested code:</b> {escape(item.code)} <small>({escape(context['kind'])})</small>"
        )
        self.definition.value = f"<b>Definition:</b> {escape(context['definition'])}"
        self.score.value = f"<b>Score:</b> {item.score:.2f}"
        self.rationale.value = f"<b>Why:</b> {escape(item.rationale)}"
        # The next-best ranked codes come first in the list, with their scores.
        self.candidates = self.session.candidates(item)
        ranked = [(f"{c.code} ({c.score:.2f})", c.code) for c in self.candidates]
        taken = {c.code for c in self.candidates}
        self.edit_code.options = ranked + [(name, name) for name in self.code_names if name not in taken]
        self.edit_code.value = self.candidates[0].code if self.candidates else item.code

    def _say(self, text: str) -> None:
        self.message.value = f"<small>{escape(text)}</small>"

    # -- decisions: each is one ReviewSession call, stored at once ------------------------------

    def _decide(self, action: str, call) -> None:
        item = self.current
        if item is None:
            return
        try:
            call()
        except QualcodeError as error:
            self._say(f"not stored: {error}")
            return
        self._say(f"{action}: {item.code} on “{item.text[:60]}”")
        self._render()

    def _on_accept(self, _button=None) -> None:
        self._decide("accepted", self.session.accept)

    def _on_reject(self, _button=None) -> None:
        self._decide("rejected", self.session.reject)

    def _on_edit(self, _button=None) -> None:
        code = self.edit_code.value
        candidate = next((c for c in self.candidates if c.code == code), None)
        if candidate is not None:  # a ranked candidate: its own suggestion is accepted
            self._decide(f"coded as {code} instead", lambda: self.session.choose(candidate))
        else:
            self._decide(f"coded as {code} instead", lambda: self.session.edit(code=code))

    def _on_skip(self, _button=None) -> None:
        """Leave the suggestion pending and go on (it comes back in the next session)."""
        if self.current is not None:
            self._say(f"skipped: {self.current.code} (it stays pending)")
        self.session.skip()
        self._render()

    def _on_undo(self, _button=None) -> None:
        """Undo this coder's latest decision; a suggestion decided here is shown again."""
        undone = self.session.undo()
        if undone is None:
            self._say("nothing to undo")
            return
        self._say(f"undone: {undone['action']}")
        self._render()


def review_panel(project, coder: str, order: str = "score", withdrawn: bool = False) -> ReviewPanel:
    """A panel (an ipywidgets VBox) to review the latest suggestions as ``coder``.

    ``order`` is ``score`` (highest first), ``source`` (in reading order) or ``active`` (the
    suggestions the models are least sure about first). ``withdrawn=True`` shows the
    suggestions retraining took out of the coder's queue instead.
    """
    return ReviewPanel(project, coder, order, withdrawn)
