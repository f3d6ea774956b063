"""Pseudonymising interviews: find personal data (names, places, organisations, contact
details, identifiers, dates), review it in a plan, and write a pseudonymised copy of a
project whose codings still cover the same words, with the key kept apart, encrypted.

- :mod:`.detect`: findings from the participants file, deduce, spaCy entities, qualcode's own
  patterns (:mod:`.patterns`, :mod:`.context`) and a word list;
- :mod:`.plan`: the plan CSV (write, read with per-line errors; keep, change, not personal);
- :mod:`.pseudonyms`: role-based or name-like pseudonyms, consistent, with possessives;
- :mod:`.replace` and :mod:`.tables`: the replacement, the offset map and the copy's rules;
- :mod:`.key`: the encrypted key file and reversal; :mod:`.apply`: the whole step.
"""

from qualcode.privacy.detect import DETECTORS, TYPES, Finding, WordListEntry, read_word_list
from qualcode.privacy.plan import Plan, PlanEntry, make_plan, read_plan, write_plan

__all__ = [
    "DETECTORS", "TYPES", "Finding", "Plan", "PlanEntry", "WordListEntry", "make_plan",
    "read_plan", "read_word_list", "write_plan",
]  # fmt: skip
