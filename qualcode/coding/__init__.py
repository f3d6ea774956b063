"""Coding: the review of suggestions (one session for every screen), codings files, memos."""
