"""Findings as a report: one self-contained HTML file (inline CSS, plots as inline PNG), or
the same content as Markdown with the plots as PNG files beside it.

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
from pathlib import Path

from qualcode.export.findings import Findings, collect
from qualcode.export.tables import framework_rows, tables
from qualcode.files import write_bytes_atomically, write_text_atomically

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.9em}
th,td{border:1px solid #ccc;padding:0.25em 0.5em;vertical-align:top;text-align:left}
th{background:#f0f0f0} .note{color:#555;font-style:italic} .unreviewed{color:#a33}
img{max-width:100%} h2{border-bottom:2px solid #ddd;padding-bottom:0.2em}
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

        n = len(result.counts)
        fig, ax = plt.subplots(figsize=(max(4, 0.5 * n + 2), max(3.5, 0.5 * n + 1.5)))
        # The diagonal (a code with itself) would outshine every pair: left out, in grey.
        pairs = np.ma.masked_array(result.jaccard.values, mask=np.eye(n, dtype=bool))
        top = float(pairs.max()) if pairs.count() and pairs.max() > 0 else 1.0
        colours = plt.get_cmap("Blues").copy()
        colours.set_bad("#eeeeee")
        image = ax.imshow(pairs, cmap=colours, vmin=0, vmax=top)
        ax.set_xticks(range(n), labels=list(result.counts.columns), rotation=60, ha="right")
        ax.set_yticks(range(n), labels=list(result.counts.index))
        for i in range(n):
            for j in range(n):
                if i != j:
                    ax.text(j, i, int(result.counts.values[i, j]), ha="center", va="center", fontsize=7)
        fig.colorbar(image, ax=ax, label="Jaccard")
        ax.set_title(f"Co-occurrence per {scope}, pairs only (numbers: units)")
        out["cooccurrence"] = _png(fig, plt)
    if f.topics:
        fig, ax = plt.subplots(figsize=(8, max(2.5, 0.35 * len(f.topics) + 1)))
        labels = [f"{t['topic']}: {t['label']}"[:50] for t in f.topics]
        ax.barh(labels[::-1], [t["size"] for t in f.topics][::-1])
        ax.set_xlabel("segments")
        ax.set_title("Topics (latest topic run)")
        out["topics"] = _png(fig, plt)
    return out


def _png(fig, plt) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


# -- sections (shared by HTML and Markdown) ------------------------------------------------------


def _sections(f: Findings) -> list[tuple[str, str | None, list[tuple] | None, str | None]]:
    """(title, note, table rows or None, plot name or None), in report order."""
    rows = tables(f)
    out = [("About", None, rows["about"], None)]
    freq = f.frequencies
    out.append(
        (
            "Code frequencies by participant group",
            None,
            [("code", *freq.columns), *((c, *map(int, freq.loc[c])) for c in freq.index)],
            "frequencies",
        )
    )
    for t in f.evidence:
        note = (
            f"{t.kind}: {t.definition} — {t.segments} segments, {t.interviews} interviews, "
            f"{t.codings} codings ({t.unreviewed} not reviewed); cases per group: {t.groups() or 'none'}; "
            f"provenance: {'; '.join(f'{k}: {n}' for k, n in t.provenance.items())}; "
            f"rejected suggestions (the machine was wrong, not evidence): {t.rejected_suggestions}."
        )
        quotes = [("", "source", "speaker", "role", "start", "end", "text", "provenance")]
        quotes += [
            ("quote", q.source, q.speaker or "", q.role or "", q.start, q.end, q.text,
             q.provenance if q.reviewed else f"{q.provenance} [NOT REVIEWED]")
            for q in t.quotes
        ]  # fmt: skip
        quotes += [
            (f"counter-evidence ({c.kind})", c.source, "", "", c.start, c.end, c.text, c.detail)
            for c in t.counter_evidence
        ]
        out.append((f"Evidence: {t.code}", note, quotes, None))
    co = f.cooccurrence.get("segment") or f.cooccurrence.get("turn")
    pairs = (
        [("code", "code", "units", "jaccard"), *((a, b, n, f"{j:.3f}") for a, b, n, j in co.pairs())]
        if co
        else None
    )
    out.append(
        ("Co-occurrence", f"Per {co.scope}, {co.units} units." if co else "No units.", pairs, "cooccurrence")
    )
    out.append(
        (
            "Framework matrix",
            "Codings per case and code, with up to two quotes.",
            framework_rows(f.framework),
            None,
        )
    )
    out.append(
        (
            "CMO configurations",
            f"Context, mechanism and outcome codes in one {f.cmo.scope}.",
            rows["cmo"],
            None,
        )
    )
    if f.topics:
        out.append(
            (
                "Topics",
                None,
                [("topic", "label", "size", "words"), *(tuple(t.values()) for t in f.topics)],
                "topics",
            )
        )
    if "agreement" in rows:
        out.append(("Agreement", None, rows["agreement"], None))
    else:
        out.append(("Agreement", "Agreement needs codings by two or more human coders.", None, None))
    return out


# -- HTML -----------------------------------------------------------------------------------------


def export_html(db, path, include: str = "reviewed") -> Path:
    """One self-contained HTML file: no external references."""
    f = collect(db, include)
    images = plots(f)
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl"><head><meta charset="utf-8"><title>qualcode findings</title>',
        f"<style>{_CSS}</style></head><body>",
        "<h1>Findings</h1>",
        f'<p class="note">{e(f.about[0][1])}</p>',
    ]
    for title, note, rows, plot in _sections(f):
        parts.append(f"<h2>{e(title)}</h2>")
        if note:
            parts.append(f'<p class="note">{e(note)}</p>')
        if plot in images:
            data = base64.b64encode(images[plot]).decode("ascii")
            parts.append(f'<img alt="{e(title)}" src="data:image/png;base64,{data}">')
        if rows:
            parts.append(_html_table(rows))
    parts.append("</body></html>\n")
    return write_text_atomically(path, "\n".join(parts))


def _html_table(rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in rows[0])
    body = []
    for row in rows[1:]:
        cells = []
        for value in row:
            text = html.escape(str(value)).replace("\n", "<br>")
            marked = "NOT REVIEWED" in text or "not reviewed" in text
            cells.append(f'<td class="unreviewed">{text}</td>' if marked else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


# -- Markdown -------------------------------------------------------------------------------------


def export_markdown(db, path, include: str = "reviewed", plots_beside: bool = True) -> Path:
    """The report as Markdown; plots as ``<stem>-<plot>.png`` beside it (or left out with a note)."""
    path = Path(path)
    f = collect(db, include)
    images = plots(f) if plots_beside else {}
    lines = ["# Findings", "", f"_{_md(f.about[0][1])}_", ""]
    for title, note, rows, plot in _sections(f):
        lines += [f"## {_md(title)}", ""]
        if note:
            lines += [_md(note), ""]
        if plot and plot in images:
            name = f"{path.stem}-{plot}.png"
            write_bytes_atomically(path.parent / name, images[plot])
            lines += [f"![{_md(title)}]({name})", ""]
        elif plot and not plots_beside:
            lines += ["_(plot left out)_", ""]
        if rows:
            lines += [_md_row(rows[0]), "|" + "---|" * len(rows[0]), *(_md_row(r) for r in rows[1:]), ""]
    return write_text_atomically(path, "\n".join(lines))


def _md(text) -> str:
    """Text for one line of Markdown: HTML escaped (``<``, ``>``, ``&`` as entities, so no tag
    from the project is live in a viewer), on one line, with table pipes escaped."""
    return html.escape(str(text), quote=False).replace("\n", " ").replace("|", "\\|")


def _md_row(row) -> str:
    return "| " + " | ".join(_md(v) for v in row) + " |"
