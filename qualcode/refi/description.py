"""A qualcode code in one REFI-QDA ``Description``: the definition, then headed sections.

REFI-QDA gives a code one ``Description``. The rest of a qualcode code (criteria, examples,
matching words, label) goes into it as headed sections below the definition, readable in
NVivo or ATLAS.ti and parsed back exactly (:mod:`qualcode.refi.codebook` shows the layout).
A foreign description that does not consist of such sections is read as the definition whole.
"""

from __future__ import annotations

import re

from qualcode.codebook.model import Code

# (field, heading written, other headings accepted when reading)
_SECTIONS = (
    ("inclusion", "Inclusie", ("inclusion", "include", "inclusiecriteria")),
    ("exclusion", "Exclusie", ("exclusion", "exclude", "exclusiecriteria")),
    ("examples", "Voorbeelden", ("examples",)),
    ("keywords", "Trefwoorden", ("keywords",)),
    ("lemmas", "Lemma's", ("lemma’s", "lemmas")),
    ("label", "Label", ()),
    ("formerly", "Eerdere namen", ("formerly", "former names")),
    ("merges", "Samengevoegd uit", ("merges", "merged from")),
)
_DEFINITION = "Definitie"  # only written when the definition itself looks like headed sections
_HEADINGS = {alias.lower(): field for field, heading, aliases in _SECTIONS for alias in (heading, *aliases)}
_HEADINGS.update({"definitie": "definition", "definition": "definition"})
_HEADING_LINE = re.compile(
    r"^(" + "|".join(re.escape(h) for h in sorted(_HEADINGS, key=len, reverse=True)) + r")\s*:\s*(.*)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[-*•]\s+(.*)$")
_INDENT = "  "  # continuation lines of a multi-line item
# Lists of words are written "a, b" when no item has a comma; criteria and examples are bullets.
_COMMA_LISTS = ("keywords", "lemmas", "formerly", "merges")
_QUOTES = (('"', '"'), ("“", "”"), ("„", "”"), ("„", "“"))


# --- the description: definition plus headed sections ---------------------------------------


def format_description(code: Code) -> str:
    """The code's REFI ``Description``: its definition, then a section per filled field."""
    lines: list[str] = []
    for field, heading, _ in _SECTIONS:
        value = getattr(code, field)
        if not value:
            continue
        if field == "label":
            lines.extend(_item(f"{heading}: ", value))
        elif field in _COMMA_LISTS and all(_inline_safe(v) for v in value):
            lines.append(f"{heading}: {', '.join(value)}")
        else:
            lines.append(f"{heading}:")
            for item in value:
                lines.extend(_item("- ", f'"{item}"' if field == "examples" else item))
    definition = code.description.strip()
    text = "\n".join(
        ([definition, ""] if definition and lines else [definition] if definition else []) + lines
    )
    if definition and _filled(parse_description(text)) != _filled(_fields(code, definition)):
        # The definition itself reads as headed sections: give it a heading of its own.
        text = "\n".join(_item(f"{_DEFINITION}: ", definition) + lines)
    return text


def _fields(code: Code, definition: str) -> dict:
    """What :func:`parse_description` should give back for ``code``."""
    fields = {field: getattr(code, field) for field, _, _ in _SECTIONS}
    return {"description": definition, **fields}


def _filled(fields: dict) -> dict:
    return {k: v for k, v in fields.items() if v or k == "description"}


def _inline_safe(item: str) -> bool:
    return bool(item) and item == item.strip() and "," not in item and "\n" not in item


def _item(prefix: str, text: str) -> list[str]:
    first, *rest = text.split("\n")
    return [prefix + first] + [_INDENT + line for line in rest]


def parse_description(text: str | None) -> dict:
    """Split a ``Description`` into ``description`` and the fields of its headed sections.

    The sections start at a heading line at the top or after a blank line, and run to the end;
    when no such tail consists only of headings, bullets and indented continuation lines, the
    whole text is the definition (so a foreign description is never cut up by accident).
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    for start, line in enumerate(lines):
        if (start == 0 or not lines[start - 1].strip()) and _HEADING_LINE.match(line):
            fields = _parse_sections(lines[start:])
            if fields is not None:
                parts = ("\n".join(lines[:start]).strip(), fields.pop("definition", ""))
                fields["description"] = "\n\n".join(p for p in parts if p)
                return fields
    return {"description": text.strip()}


def _parse_sections(lines: list[str]) -> dict | None:
    """The fields in ``lines`` (which start with a heading), or None if a line does not fit."""
    fields: dict = {}
    field = None
    items: list[str] | None = None  # the list being filled; its last entry may be continued
    for line in lines:
        heading = _HEADING_LINE.match(line)
        bullet = _BULLET.match(line.lstrip())
        if line.startswith(_INDENT) and items:
            items[-1] += "\n" + line[len(_INDENT) :]
        elif not line.strip():
            continue
        elif heading:
            field, value = _HEADINGS[heading.group(1).lower()], heading.group(2)
            items = fields.setdefault(field, [])
            if field in _COMMA_LISTS:
                items.extend(v.strip() for v in value.split(",") if v.strip())
            elif value.strip():
                items.append(value)
        elif bullet and field is not None and field not in ("label", "definition"):
            items = fields[field]
            items.append(bullet.group(1))
        else:
            return None
    out: dict = {}
    for field, values in fields.items():
        values = [v.strip() for v in values if v.strip()]
        if field in ("label", "definition"):
            out[field] = "\n".join(values) or None
        elif field == "examples":
            out["examples"] = [_unquote(v) for v in values]
        else:
            out[field] = values
    return out if any(out.values()) else None


def _unquote(text: str) -> str:
    for left, right in _QUOTES:
        if len(text) >= 2 and text.startswith(left) and text.endswith(right):
            return text[len(left) : -len(right)]
    return text
