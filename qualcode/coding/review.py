"""Reviewing suggestions and coding by hand: every decision is one append-only row.

Accept, reject, edit (another code or new boundaries), add, remove and undo are each written
at once, in their own transaction, with the coder and the time; what is coded now is derived
from that log (the ``current_codings`` view), so quitting or a crash loses nothing and a
machine step can never overwrite a person's decision. Each coder's codings are their own.
"""

from __future__ import annotations

import contextlib
import difflib
import json
from dataclasses import dataclass

from qualcode.errors import ConflictError, InputError
from qualcode.store import codes as code_store
from qualcode.store import codings as coding_store
from qualcode.store import decisions as decision_store
from qualcode.store import segments as segment_store
from qualcode.store import sources as source_store
from qualcode.store import suggestions as suggestion_store

ORDERS = ("score", "source", "active")


@dataclass(frozen=True)
class Pending:
    """A suggestion waiting for this coder's decision, with what a reviewer needs to judge it."""

    id: int
    source: str
    start: int
    end: int
    segment_id: int | None
    code: str
    score: float
    rationale: str
    text: str
    speaker: str | None
    role: str | None
    withdrawn: bool = False  # taken out of the queue by retraining (see ``new_score``)
    new_score: float | None = None


def _matching(rows, code: str | None, source: str | None) -> list:
    """The rows of one code and/or source (None: any), as the review's filters mean them."""
    return [
        r for r in rows if (code is None or r["code"] == code) and (source is None or r["source"] == source)
    ]


def _pending_items(conn, rows, withdrawn: bool = False) -> list[Pending]:
    """Review items for store rows, each with its text: every source's text read once and
    sliced here (a per-row substring in SQL walks the whole text again for every row)."""
    texts: dict[int, str] = {}
    items = []
    for row in rows:
        if row["source_id"] not in texts:
            texts[row["source_id"]] = source_store.source_text(conn, row["source_id"])
        items.append(
            Pending(
                row["id"], row["source"], row["start"], row["end"], row["segment_id"], row["code"],
                row["score"], row["rationale"], texts[row["source_id"]][row["start"] : row["end"]],
                row["speaker"], row["role"], withdrawn, row["new_score"] if withdrawn else None,
            )
        )  # fmt: skip
    return items


def _known_or_close(name: str, known, what: str, hint: str) -> None:
    """Nothing when ``name`` is known; else an error naming the closest known names."""
    if name in known:
        return
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    also = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else f" ({hint})"
    raise InputError(f"no {what} named {name!r} in the project{also}")


class Reviewer:
    """One coder's decisions on one project (``Project.reviewer(coder)``)."""

    def __init__(self, db, coder: str):
        if not coder or not coder.strip():
            raise InputError("a coder name is needed for every decision (--coder NAME)")
        if coder.strip().lower() == "machine":
            raise InputError("'machine' is the name of the suggestions as a coder; choose a person's name")
        if coder.strip().lower() == "agreed":
            raise InputError(
                "'agreed' is the name of the resolved codings (see resolve); choose a person's name"
            )
        self._db = db
        self.coder = coder.strip()

    # -- what to review ---------------------------------------------------------------------

    def pending(
        self, code: str | None = None, source: str | None = None, order: str = "score"
    ) -> list[Pending]:
        """This coder's queue: the suggestions of the latest run made for them (or for
        everyone) that they have not decided on. Unknown code or source names are errors."""
        if order not in ORDERS:
            raise InputError(f"unknown order {order!r}; choose one of {', '.join(ORDERS)}")
        self._check_filter(code, source)
        conn = self._db.connection
        rows = _pending_items(
            conn, _matching(suggestion_store.pending_suggestions(conn, self.coder), code, source)
        )
        if order == "source":
            return sorted(rows, key=lambda p: (p.source, p.start, -p.score))
        rows.sort(key=lambda p: -p.score)
        if order == "active":
            from qualcode.suggest.active import least_certain_first

            rows = least_certain_first(self._db, self.coder, rows)
        return rows

    def withdrawn(self, code: str | None = None, source: str | None = None) -> list[Pending]:
        """Suggestions that were in this coder's queue until retraining scored them below the
        threshold (``new_score``); still decidable, and counted in the progress."""
        self._check_filter(code, source)
        conn = self._db.connection
        rows = _matching(suggestion_store.withdrawn_suggestions(conn, self.coder), code, source)
        return _pending_items(conn, rows, withdrawn=True)

    def counts(self, code: str | None = None, source: str | None = None) -> dict[str, int]:
        """How far this coder is, over every run: decided, pending and withdrawn suggestions
        (of one code and/or source)."""
        self._check_filter(code, source)
        conn = self._db.connection
        return {
            "decided": len(_matching(suggestion_store.decided_suggestions(conn, self.coder), code, source)),
            "pending": len(_matching(suggestion_store.pending_suggestions(conn, self.coder), code, source)),
            "withdrawn": len(
                _matching(suggestion_store.withdrawn_suggestions(conn, self.coder), code, source)
            ),
        }

    def progress(self, code: str | None = None, source: str | None = None) -> tuple[int, int]:
        """(decided, decided + pending + withdrawn) for this coder: one figure that survives
        retraining and new sessions."""
        counts = self.counts(code, source)
        return counts["decided"], sum(counts.values())

    def _check_filter(self, code: str | None, source: str | None) -> None:
        conn = self._db.connection
        if code is not None:
            _known_or_close(code, code_store.code_ids(conn), "code", "qualcode codebook show lists them")
        if source is not None:
            _known_or_close(source, source_store.source_lengths(conn), "source", "qualcode status lists them")

    def context(self, item: Pending) -> dict:
        """The text around a suggestion and the code's definition, for a reviewer's screen."""
        conn = self._db.connection
        before, after = segment_store.neighbours(conn, item.segment_id) if item.segment_id else ("", "")
        code = code_store.code_definition(conn, item.code)
        details = json.loads(code["details"]) if code else {}
        return {
            "before": before,
            "after": after,
            "definition": code["description"] if code else "",
            "kind": code["kind"] if code else "",
            "inclusion": details.get("inclusion", []),
            "exclusion": details.get("exclusion", []),
        }

    def candidates(self, item: Pending) -> list[Pending]:
        """The next-best codes the same run ranked on the suggestion's segment, best first,
        that this coder has not decided on: what to offer when the shown code is wrong."""
        conn = self._db.connection
        return _pending_items(conn, suggestion_store.other_candidates(conn, item.id, self.coder))

    # -- decisions ----------------------------------------------------------------------------

    def accept(self, suggestion_id: int, note: str = "") -> int:
        """Make the suggestion this coder's coding. Returns the decision's id."""
        with self._deciding() as conn:
            found = self._undecided(conn, suggestion_id)
            coding = coding_store.insert_coding(
                conn, found["source_id"], found["start"], found["end"], found["code_id"], self.coder,
                "suggestion", suggestion_id,
            )  # fmt: skip
            return decision_store.insert_decision(
                conn, self.coder, "accept", suggestion_id, coding, note=note
            )

    def instead(self, suggestion_id: int, candidate_id: int, note: str = "") -> int:
        """Accept a ranked candidate and reject the suggestion it replaces, in one step (undo
        takes back the rejection first, then the acceptance). Returns the rejection's id."""
        with self._deciding() as conn:
            found = self._undecided(conn, candidate_id)
            self._undecided(conn, suggestion_id)
            coding = coding_store.insert_coding(
                conn, found["source_id"], found["start"], found["end"], found["code_id"], self.coder,
                "suggestion", candidate_id,
            )  # fmt: skip
            decision_store.insert_decision(conn, self.coder, "accept", candidate_id, coding, note=note)
            return decision_store.insert_decision(conn, self.coder, "reject", suggestion_id, note=note)

    def reject(self, suggestion_id: int, note: str = "") -> int:
        """Turn the suggestion down; it becomes a negative example for learning."""
        with self._deciding() as conn:
            self._undecided(conn, suggestion_id)
            return decision_store.insert_decision(conn, self.coder, "reject", suggestion_id, note=note)

    def edit(
        self,
        suggestion_id: int | None = None,
        coding_id: int | None = None,
        code: str | None = None,
        start: int | None = None,
        end: int | None = None,
        note: str = "",
    ) -> int:
        """Accept a suggestion with another code or other boundaries, or change one of this
        coder's codings; the edited original stays in the log."""
        if (suggestion_id is None) == (coding_id is None):
            raise InputError("edit needs either a suggestion or a coding")
        with self._deciding() as conn:
            if suggestion_id is not None:
                original = self._undecided(conn, suggestion_id)
            else:
                original = self._own_coding(conn, coding_id)
            code_id = self._code_id(conn, code) if code else original["code_id"]
            start = original["start"] if start is None else start
            end = original["end"] if end is None else end
            self._check_span(conn, original["source_id"], start, end)
            # A coding marked as counter-evidence stays marked when it is edited.
            counter = bool(original["counter"]) if coding_id is not None else False
            new = coding_store.insert_coding(
                conn, original["source_id"], start, end, code_id, self.coder, "edit", suggestion_id, counter
            )
            return decision_store.insert_decision(
                conn, self.coder, "edit", suggestion_id, new, replaces=coding_id, note=note
            )

    def add(self, source: str, start: int, end: int, code: str, note: str = "", counter: bool = False) -> int:
        """Code a span by hand; ``counter`` marks it as evidence against the code (the
        mechanism did not work, or worked otherwise, here). Returns the new coding's id."""
        with self._deciding() as conn:
            source_id = source_store.source_id(conn, source)
            if source_id is None:
                raise InputError(f"no source named {source!r} in the project")
            self._check_span(conn, source_id, start, end)
            coding = coding_store.insert_coding(
                conn, source_id, start, end, self._code_id(conn, code), self.coder, "manual", None, counter
            )
            decision_store.insert_decision(conn, self.coder, "add", coding_id=coding, note=note)
            return coding

    def remove(self, coding_id: int, note: str = "") -> int:
        """Withdraw one of this coder's codings (it stays in the log; undo brings it back)."""
        with self._deciding() as conn:
            self._own_coding(conn, coding_id)
            return decision_store.insert_decision(conn, self.coder, "remove", coding_id=coding_id, note=note)

    def undo(self) -> dict | None:
        """Undo this coder's latest standing decision; returns it (None when there is none)."""
        with self._deciding() as conn:
            last = decision_store.last_standing_decision(conn, self.coder)
            if last is None:
                return None
            decision_store.insert_decision(conn, self.coder, "undo", undoes=last["id"])
            return dict(last)

    def accept_above(self, min_score: float, code: str | None = None) -> int:
        """Accept every pending suggestion scoring at least ``min_score`` (of one code, or all),
        in one transaction. Returns how many."""
        chosen = [p for p in self.pending(code=code) if p.score >= min_score]
        with self._deciding():
            for item in chosen:
                self.accept(item.id, note=f"batch: score >= {min_score}")
        return len(chosen)

    def resolve(self, source: str, first: str, second: str, start: int, end: int, choice: str) -> dict:
        """As the project's owner, agree on a piece where two coders differ: ``choice`` a, b,
        both or neither, into codings of the coder ``agreed`` (:mod:`qualcode.coding.resolve`;
        both coders' own codings stay as they are)."""
        from qualcode.coding.resolve import resolve

        return resolve(self._db, self.coder, source, first, second, start, end, choice)

    @contextlib.contextmanager
    def _deciding(self):
        """One decision's transaction; afterwards the write-ahead log is copied into the
        project file, so a copy of the file alone holds every decision made so far."""
        with self._db.transaction() as conn:
            yield conn
        if not self._db.connection.in_transaction:
            self._db.checkpoint()

    # -- checks -------------------------------------------------------------------------------

    def _undecided(self, conn, suggestion_id: int):
        found = suggestion_store.suggestion(conn, suggestion_id)
        if found is None:
            raise InputError(f"no suggestion {suggestion_id} in the project")
        earlier = decision_store.standing_decision(conn, suggestion_id, self.coder)
        if earlier is not None:
            raise ConflictError(
                f"{self.coder} already decided on suggestion {suggestion_id} ({earlier['action']}); undo that first"
            )
        return found

    def _own_coding(self, conn, coding_id: int):
        found = coding_store.coding(conn, coding_id)
        if found is None or not found["current"]:
            raise InputError(f"no current coding {coding_id} in the project")
        if found["coder"] != self.coder:
            raise ConflictError(
                f"coding {coding_id} is {found['coder']}'s; each coder's codings are their own (code it yourself instead)"
            )
        return found

    def _code_id(self, conn, name: str) -> int:
        ids = code_store.code_ids(conn)
        if name not in ids:
            raise InputError(f"no code named {name!r} in the codebook (qualcode codebook show lists them)")
        return ids[name]

    def _check_span(self, conn, source_id: int, start: int, end: int) -> None:
        length = source_store.source_length(conn, source_id)
        if not 0 <= start < end <= length:
            raise InputError(f"span {start}-{end} does not fit the source ({length} characters)")
