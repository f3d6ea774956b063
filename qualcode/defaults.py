"""Defaults shared by the library, the CLI and the study file, written once."""

from __future__ import annotations

SUGGESTER = "ensemble"
# None: shown from the threshold the suggester chose from the coder's decisions (where it
# learns; 0.3 where it does not). A number fixes it.
MIN_SCORE: float | None = None
UNIT = "sentence"
UNITS = ("sentence", "paragraph", "turn", "window")
WINDOW = 3
LANGUAGE = "nl"
# Suggesters that learn from decisions, so a review session retrains them as it goes.
LEARNING_SUGGESTERS = ("ensemble", "supervised")
REVIEW_BATCH = 10

# The coder name of agreed codings: an owner's resolution of two coders' differences
# (qualcode/coding/resolve.py). Findings over "all coders" leave them out (they would count
# the same passages a third time); ``--coder agreed`` shows them.
AGREED_CODER = "agreed"
