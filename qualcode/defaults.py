"""Defaults shared by the library, the CLI and the study file, written once."""

from __future__ import annotations

SUGGESTER = "ensemble"
MIN_SCORE = 0.3
UNIT = "sentence"
UNITS = ("sentence", "paragraph", "turn", "window")
WINDOW = 3
LANGUAGE = "nl"
# Suggesters that learn from decisions, so a review session retrains them as it goes.
LEARNING_SUGGESTERS = ("ensemble", "supervised")
REVIEW_BATCH = 10
