"""Findings as a report: one self-contained HTML file (inline CSS, plots as inline PNG), or
the same content as Markdown with the plots as PNG files beside it.

The report opens with a summary a reader takes in at a glance (what counted; how many
interviews, cases, coders and codings; the best supported mechanisms and bottlenecks; the
counter-evidence; agreement), then a section per mechanism and bottleneck and one per table.
It is short by default: a few quotes per code (:data:`QUOTES`), the most frequent pairs and
configurations; the full lists are in the workbook. Each quote links to the turn it was said
in, in an appendix at the end. Memos have a section; unreviewed suggestions only one of
their own, clearly marked, and only when asked for (``include="all"``).

Plots: codings per code and participant group, the co-occurrence heat map (segments, or
turns without segments), and the topic overview when the project has a topic run. They are
drawn with matplotlib's Agg backend, without metadata, so the same project draws the same
bytes.

Text from the project is escaped in both: ``<``, ``>`` and ``&`` become entities, so a code,
quote or name holding HTML shows as text and never runs in a browser or Markdown viewer.
Every file is written beside its target and moved into place when complete.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.export.findings import UNREVIEWED, Context, Findings, collect, context, summary
from qualcode.export.tables import tables, top_rows
from qualcode.files import write_bytes_atomically, write_text_atomically

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.9em}
th,td{border:1px solid #ccc;padding:0.25em 0.5em;vertical-align:top;text-align:left}
th{background:#f0f0f0} .note{color:#555;font-style:italic} img{max-width:100%}
h2{border-bottom:2px solid #ddd;padding-bottom:0.2em} td a{color:inherit}
section.unreviewed{border:3px solid #a33;background:#fff6f6;padding:0 1em;margin:1em 0}
section.unreviewed h2,section.unreviewed .note{color:#a33}
blockquote{border-left:4px solid #ccc;margin:0.5em 0 1.5em;padding:0.25em 1em;color:#333}
mark{background:#fff2a8}
"""


# -- plots -------------------------------------------------------------------------------------


def plots(f: Findings) -> dict[str, bytes]:
    """Name -> PNG bytes: frequencies, cooccurrence and (with a topic run) topics. Labels are
    drawn as plain text: a ``$`` in a code name is not read as mathtext (which can fail)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "qualcode"
    with matplotlib.rc_context({"text.parse_math": False}):
        return _plots(f)


def _plots(f: Findings) -> dict[str, bytes]:
    import matplotlib.pyplot as plt

    out = {}
    freq = f.frequencies
    if len(freq):
        fig, ax = plt.subplots(figsize=(8, max(3, 0.35 * len(freq) + 1)))
        freq.iloc[::-1].plot.barh(ax=ax, width=0.8)
        ax.set_xlabel("codings")
        ax.set_ylabel("")
        ax.set_title("Codings per code and participant group")
        out["frequencies"] = _png(fig, plt)
    scope = "segment" if "segment" in f.cooccurrence else "turn"
    result = f.cooccurrence.get(scope)
    if result is not None and len(result.counts):
        import numpy as np

        # Short by default: the codes of the most frequent pairs (the full matrix is in the
        # workbook), so the map stays readable with a codebook of sixty codes.
        codes = codes_of_top_pairs(result.counts, HEAT_MAP_CODES)
        counts, jaccard = result.counts.loc[codes, codes], result.jaccard.loc[codes, codes]
        n = len(codes)
        fig, ax = plt.subplots(figsize=(max(4, 0.5 * n + 2), max(3.5, 0.5 * n + 1.5)))
        # The diagonal (a code with itself) would outshine every pair: left out, in grey.
        pairs = np.ma.masked_array(jaccard.values, mask=np.eye(n, dtype=bool))
        top = float(pairs.max()) if pairs.count() and pairs.max() > 0 else 1.0
        colours = plt.get_cmap("Blues").with_extremes(bad="#eeeeee")
        image = ax.imshow(pairs, cmap=colours, vmin=0, vmax=top)
        ax.set_xticks(range(n), labels=codes, rotation=60, ha="right")
        ax.set_yticks(range(n), labels=codes)
        for i in range(n):
            for j in range(n):
                if i != j:
                    ax.text(j, i, int(counts.values[i, j]), ha="center", va="center", fontsize=7)
        fig.colorbar(image, ax=ax, label="Jaccard")
        shown = "" if n == len(result.counts) else f", the {n} codes of the most frequent pairs"
        ax.set_title(f"Co-occurrence per {scope}, pairs only{shown} (numbers: units)")
        out["cooccurrence"] = _png(fig, plt)
    if f.topics:
        fig, ax = plt.subplots(figsize=(8, max(2.5, 0.35 * len(f.topics) + 1)))
        labels = [f"{t['topic']}: {t['label']}"[:50] for t in f.topics]
        ax.barh(labels[::-1], [t["size"] for t in f.topics][::-1])
        ax.set_xlabel("segments")
        ax.set_title("Topics (latest topic run)")
        out["topics"] = _png(fig, plt)
    return out


HEAT_MAP_CODES = 16  # codes at most in the report's co-occurrence map


def codes_of_top_pairs(counts, limit: int) -> list[str]:
    """The codes of the most frequent pairs (ties by codebook order), at most ``limit``, in
    codebook order; all codes when there are no more than ``limit``."""
    names = list(counts.index)
    if len(names) <= limit:
        return names
    pairs = sorted(
        ((-int(counts.values[i, j]), i, j) for i in range(len(names)) for j in range(i + 1, len(names))),
    )
    chosen: set[int] = set()
    for units, i, j in pairs:
        if units == 0:
            break
        if len(chosen | {i, j}) <= limit:
            chosen |= {i, j}
    return [names[i] for i in sorted(chosen)] or names[:limit]


def _png(fig, plt) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


# -- sections (shared by HTML and Markdown) ------------------------------------------------------

QUOTES, COUNTER, PAIRS, CONFIGURATIONS, DISAGREEMENTS = 3, 5, 15, 10, 20  # rows shown (short by default)


@dataclass(frozen=True)
class Link:
    """A table cell that links to the context of a quote, further down the report."""

    text: str
    anchor: str


@dataclass
class Section:
    title: str
    notes: list[str] = field(default_factory=list)
    bullets: list[tuple[str, object]] = field(default_factory=list)
    tables: list[tuple[str | None, list[tuple]]] = field(default_factory=list)  # (caption, rows)
    plot: str | None = None
    level: int = 2
    anchor: str | None = None
    marked: Context | None = None  # a quote in its turn (the appendix)
    unreviewed: bool = False  # machine output nobody has reviewed: shown as such


def _sections(f: Findings) -> list[Section]:
    """The report in order: the summary, the evidence, the other tables, memos, unreviewed
    suggestions (only when asked for), the quotes in context, and what counted."""
    rows = tables(f)
    anchors: dict[tuple[str, int, int], str] = {}  # span -> its anchor in the appendix

    def link(text: str, source: str, start: int, end: int) -> Link:
        return Link(text, anchors.setdefault((source, start, end), f"q{len(anchors) + 1}"))

    out = [_summary(f), *(_evidence(t, link) for t in f.evidence), *_tables(f, rows)]
    if f.disagreements is not None:
        shown = rows["disagreements"][: DISAGREEMENTS + 1]
        note = (
            f"{len(f.disagreements)} times one coder gave a segment a code that another coder of the same "
            f"source did not; the first {len(shown) - 1} here, all in the workbook."
        )
        out.append(Section("Disagreements", [note], tables=[(None, shown)]))
    memos = [(None, rows["memos"])] if f.memos else []
    out.append(Section("Memos", [] if f.memos else ["No memos."], tables=memos))
    if f.include == "all":
        out.append(_unreviewed(f))
    if f.topics:
        words = [("topic", "label", "size", "words"), *(tuple(t.values()) for t in f.topics)]
        out.append(Section("Topics", tables=[(None, words)], plot="topics"))
    if anchors:
        out.append(Section("Quotes in context", [CONTEXT_NOTE]))
        for (source, start, end), anchor in anchors.items():
            c = context(f, source, start, end)
            where = f"{source}, {c.speaker or 'no speaker'}, characters {start}-{end}"
            out.append(Section(f"Context {anchor}", [where], level=3, anchor=anchor, marked=c))
    out.append(Section("About", tables=[(None, rows["about"])]))
    return out


CONTEXT_NOTE = (
    "Each quote above links here, to the turn it was said in. To read it in the whole transcript, open "
    "the project in the workbench (qualcode open PROJECT) and go to the source at the characters given."
)


def _summary(f: Findings) -> Section:
    lines = [(label, value) for label, value in summary(f) if label != "what counts"]
    note = (
        f"A short report: up to {QUOTES} quotes per code and the most frequent pairs and configurations. "
        "The full lists (every coding with its quote, speaker, case and coder) are in the workbook: "
        "qualcode export --format xlsx."
    )
    best = [(f"Best supported {kind}s", top_rows(f, kind)) for kind in ("mechanism", "bottleneck")]
    return Section("Summary", [note], bullets=lines, tables=best)


def _evidence(t, link) -> Section:
    """A mechanism or bottleneck: its figures, quotes and (the first) counter-evidence, each
    text linked to its context."""
    rows = [("", "source", "speaker", "role", "case", "start", "end", "text (links to its context)", "why")]
    for q in t.quotes:
        text = link(q.text, q.source, q.start, q.end)
        rows.append(("quote", q.source, q.speaker or "", q.role or "", q.case or "", q.start, q.end, text,
                     q.provenance))  # fmt: skip
    for c in t.counter_evidence[:COUNTER]:
        text = link(c.text, c.source, c.start, c.end)
        rows.append((f"counter-evidence ({c.kind})", c.source, "", "", "", c.start, c.end, text, c.detail))
    more = len(t.counter_evidence) - COUNTER
    note = (
        f"{t.kind}: {t.definition} — supported by {t.segments} segments, {t.interviews} interviews, "
        f"{t.cases} cases ({t.groups() or 'none'}), {t.codings} codings; {len(t.counter_evidence)} "
        f"counter-evidence; provenance: {'; '.join(f'{k}: {n}' for k, n in t.provenance.items())}; "
        f"rejected suggestions (the machine was wrong, not evidence): {t.rejected_suggestions}."
    )
    if more > 0:
        note += f" {more} more counter-evidence in the workbook (sheet Evidence quotes)."
    return Section(f"Evidence: {t.code}", [note], tables=[(None, rows)])


def _tables(f: Findings, rows: dict) -> list[Section]:
    """Frequencies, co-occurrence, the framework matrix, CMO configurations and agreement."""
    freq = f.frequencies
    counts = [("code", *freq.columns), *((c, *map(int, freq.loc[c])) for c in freq.index)]
    out = [Section("Code frequencies by participant group", tables=[(None, counts)], plot="frequencies")]
    co = f.cooccurrence.get("segment") or f.cooccurrence.get("turn")
    pairs = sorted(co.pairs(), key=lambda p: (-p[2], -p[3], p[0], p[1])) if co else []
    note = "No units."
    if co:
        note = (
            f"Pairs of two codes in the same {co.scope} ({co.units} units); a code with itself is left out. "
            f"The {min(PAIRS, len(pairs))} most frequent of {len(pairs)} pairs; all in the workbook."
        )
    shown = [("code", "code", "units", "jaccard"), *((a, b, n, f"{j:.3f}") for a, b, n, j in pairs[:PAIRS])]
    out.append(Section("Co-occurrence", [note], tables=[(None, shown)] if pairs else [], plot="cooccurrence"))
    fm = f.framework
    matrix = [("case", "role", *fm.counts.columns)]
    for case in fm.counts.index:
        role = fm.cases.loc[case, "role"] if case in fm.cases.index else ""
        matrix.append((case, role, *map(int, fm.counts.loc[case])))
    note = "Codings per case and code; the quotes per cell are in the workbook."
    out.append(Section("Framework matrix", [note], tables=[(None, matrix)]))
    note = (
        f"Context, mechanism and outcome codes in one {f.cmo.scope}: the "
        f"{min(CONFIGURATIONS, len(f.cmo))} best supported of {len(f.cmo)}; all in the workbook."
    )
    out.append(Section("CMO configurations", [note], tables=[(None, rows["cmo"][: CONFIGURATIONS + 1])]))
    if "agreement" in rows:
        coded = [r for r in rows["agreement"] if r[0] in ("scope", "coded segments")]
        note = "Over the segments any coder coded; the figures over all segments are in the workbook."
        out.append(Section("Agreement", [f.headline or "", note], tables=[(None, coded)]))
    else:
        out.append(Section("Agreement", ["Agreement needs codings by two or more human coders."]))
    return out


def _unreviewed(f: Findings) -> Section:
    """The unreviewed suggestions, apart: how many per code, and a few of each."""
    per_code: dict[str, list] = {}
    for o in f.suggestions:
        per_code.setdefault(o.code, []).append(o)
    counts = [("code", "suggestions"), *((c, len(found)) for c, found in per_code.items())]
    examples = [("code", "source", "start", "end", "text", "provenance")]
    for found in per_code.values():
        examples += [(o.code, o.source, o.start, o.end, o.text, o.provenance) for o in found[:QUOTES]]
    note = (
        f"NOT REVIEWED: {len(f.suggestions)} suggestions of the machine that nobody has decided on. They "
        "are not findings and count in no table above. A few per code here; all in the workbook."
    )
    shown = [(None, counts), ("Examples", examples)] if f.suggestions else []
    return Section(UNREVIEWED, [note], tables=shown, unreviewed=True)


# -- HTML -----------------------------------------------------------------------------------------


def export_html(
    db, path, include: str = "reviewed", coder: str | None = None, consensus: bool = False
) -> Path:
    """One self-contained HTML file: no external references."""
    f = collect(db, include, coder, consensus, quotes=QUOTES)
    images = plots(f)
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8"><title>qualcode findings</title>',
        f"<style>{_CSS}</style></head><body>",
        "<h1>Findings</h1>",
        f'<p class="note">{e(f.about[0][1])}</p>',
    ]
    for s in _sections(f):
        anchor = f' id="{s.anchor}"' if s.anchor else ""
        parts.append(
            ('<section class="unreviewed">' if s.unreviewed else "")
            + f"<h{s.level}{anchor}>{e(s.title)}</h{s.level}>"
        )
        parts += [f'<p class="note">{_html_text(n)}</p>' for n in s.notes if n]
        if s.bullets:
            parts.append(
                "<ul>"
                + "".join(f"<li>{e(k)}: <strong>{e(str(v))}</strong></li>" for k, v in s.bullets)
                + "</ul>"
            )
        if s.plot in images:
            data = base64.b64encode(images[s.plot]).decode("ascii")
            parts.append(f'<img alt="{e(s.title)}" src="data:image/png;base64,{data}">')
        for caption, rows in s.tables:
            parts += [f"<p><strong>{e(caption)}</strong></p>"] if caption else []
            parts.append(_html_table(rows) if len(rows) > 1 else '<p class="note">None.</p>')
        if s.marked:
            before, quote, after = (_html_text(t) for t in (s.marked.before, s.marked.quote, s.marked.after))
            parts.append(f"<blockquote>{before}<mark>{quote}</mark>{after}</blockquote>")
        parts += ["</section>"] if s.unreviewed else []
    parts.append("</body></html>\n")
    return write_text_atomically(path, "\n".join(parts))


def _html_text(text) -> str:
    return html.escape(str(text)).replace("\n", "<br>")


def _html_table(rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in rows[0])
    body = []
    for row in rows[1:]:
        cells = (
            f'<a href="#{v.anchor}">{_html_text(v.text)}</a>' if isinstance(v, Link) else _html_text(v)
            for v in row
        )
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


# -- Markdown -------------------------------------------------------------------------------------


def export_markdown(
    db, path, include: str = "reviewed", plots_beside: bool = True, coder: str | None = None,
    consensus: bool = False,
) -> Path:  # fmt: skip
    """The report as Markdown; plots as ``<stem>-<plot>.png`` beside it (or left out with a note).
    A quote links to its context by the heading's anchor (``#context-q1``)."""
    path = Path(path)
    f = collect(db, include, coder, consensus, quotes=QUOTES)
    images = plots(f) if plots_beside else {}
    lines = ["# Findings", "", f"_{_md(f.about[0][1])}_", ""]
    for s in _sections(f):
        lines += [f"{'#' * s.level} {_md(s.title)}", ""]
        notes = [f"**{_md(n)}**" if s.unreviewed else _md(n) for n in s.notes if n]
        lines += [*notes, ""] if notes else []
        lines += [*(f"- {_md(k)}: **{_md(v)}**" for k, v in s.bullets), ""] if s.bullets else []
        if s.plot and s.plot in images:
            name = f"{path.stem}-{s.plot}.png"
            write_bytes_atomically(path.parent / name, images[s.plot])
            lines += [f"![{_md(s.title)}]({name})", ""]
        elif s.plot and not plots_beside:
            lines += ["_(plot left out)_", ""]
        for caption, rows in s.tables:
            lines += [f"**{_md(caption)}**", ""] if caption else []
            table = [_md_row(rows[0]), "|" + "---|" * len(rows[0]), *(_md_row(r) for r in rows[1:])]
            lines += [*table, ""] if len(rows) > 1 else ["_None._", ""]
        if s.marked:
            lines += [f"> {_md(s.marked.before)}**{_md(s.marked.quote)}**{_md(s.marked.after)}", ""]
    return write_text_atomically(path, "\n".join(lines))


def _md(text) -> str:
    """Text for one line of Markdown: HTML escaped (``<``, ``>``, ``&`` as entities, so no tag
    from the project is live in a viewer), on one line, with table pipes and the brackets of
    a link escaped (so no link from the project is live either)."""
    text = html.escape(str(text), quote=False).replace("\n", " ").replace("|", "\\|")
    return text.replace("[", "\\[").replace("]", "\\]")


def _md_row(row) -> str:
    cells = (f"[{_md(v.text)}](#context-{v.anchor})" if isinstance(v, Link) else _md(v) for v in row)
    return "| " + " | ".join(cells) + " |"
