"""Codebooks in YAML: a nested ``codes`` list (``children``) or a flat one (``parent``)."""

from __future__ import annotations

import reprlib
from pathlib import Path

import yaml

from qualcode.codebook.model import Code, Codebook
from qualcode.errors import InputError

_LIST_FIELDS = ("inclusion", "exclusion", "examples", "keywords", "lemmas", "formerly", "merges")
_TEXT_FIELDS = ("name", "description", "parent", "kind", "label", "colour")
_ALIASES = {"definition": "description", "color": "colour", "include": "inclusion", "exclude": "exclusion"}
_KNOWN = set(_LIST_FIELDS) | set(_TEXT_FIELDS) | set(_ALIASES) | {"children"}


# Limits on what a YAML file may make us build. Anchors (&a) and aliases (*a) repeat a value
# without writing it out again, so 300 bytes of nested aliases ("billion laughs") stand for
# billions of values that every reader walking the data would expand. Codebooks and study
# files hardly use aliases at all and have a few thousand values, so the limits are generous.
MAX_ALIASES = 100
MAX_NODES = 1_000_000  # values (scalars, lists, mappings), each alias counted as all it stands for
MAX_DEPTH = 100  # lists and mappings inside each other (a code nested 40 deep is 80)
_ADVICE = "write the values out instead of repeating them with anchors (&) and aliases (*)"


class YAMLLimitError(yaml.MarkedYAMLError):
    """A YAML file past one of the limits above; ``problem`` says which, ``problem_mark`` where."""


class LineLoader(yaml.SafeLoader):
    """A SafeLoader (no ``!!python/object``) that remembers the line each mapping starts on,
    so errors can point at it, and refuses files past the limits above (alias bombs)."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._nodes = 0  # values composed so far, aliases counted as what they stand for
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id of an anchored node -> the values it stands for

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise self._too_many_aliases(event)
            node = super().compose_node(parent, index)  # refuses an undefined alias
            size = self._sizes.get(id(node))
            if size is None:
                raise YAMLLimitError(
                    problem=f"alias *{event.anchor} is used inside the value it names; {_ADVICE}",
                    problem_mark=event.start_mark,
                )
            self._count(
                size, event, f"the aliases (*name) in this file stand for more than {MAX_NODES:,} values"
            )
            return node
        before = self._nodes
        self._count(1, event, f"the file has more than {MAX_NODES:,} values")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YAMLLimitError(
                problem=f"values are nested more than {MAX_DEPTH} levels deep; qualcode reads at most {MAX_DEPTH}",
                problem_mark=event.start_mark,
            )
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if event.anchor is not None:
            self._sizes[id(node)] = self._nodes - before
        return node

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping

    def _count(self, values: int, event, problem: str) -> None:
        self._nodes += values
        if self._nodes > MAX_NODES:
            raise YAMLLimitError(
                problem=f"{problem}; qualcode reads at most {MAX_NODES:,}: {_ADVICE}",
                problem_mark=event.start_mark,
            )

    def _too_many_aliases(self, event) -> YAMLLimitError:
        """The error for one alias too many, counting the aliases in the rest of the file."""
        total, complete = self._aliases, True
        try:
            self.get_event()  # the alias just counted
            while not self.check_event(yaml.StreamEndEvent):
                total += isinstance(self.get_event(), yaml.AliasEvent)
        except yaml.YAMLError:
            complete = False  # the rest is not valid YAML: count what came before
        return YAMLLimitError(
            problem=f"uses {'' if complete else 'at least '}{total} aliases (*name); "
            f"qualcode reads at most {MAX_ALIASES}: {_ADVICE}",
            problem_mark=event.start_mark,
        )


def load_yaml(path: str | Path, what: str):
    """The data in a YAML file, read with :class:`LineLoader` (mappings get a ``__line__``).

    Every problem is an :class:`InputError` naming the file and, where known, the line;
    ``what`` names the file's role ("the codebook") in the message.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", str(path)) from exc
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise InputError(
            f"cannot read {what}: it is not UTF-8 text; save it as UTF-8", str(path), line
        ) from exc
    try:
        return yaml.load(text, Loader=LineLoader)  # a SafeLoader subclass
    except YAMLLimitError as exc:
        raise InputError(exc.problem, str(path), exc.problem_mark.line + 1) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            f"not valid YAML: {exc.problem}", str(path), mark.line + 1 if mark else None
        ) from exc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as a control character
        raise InputError(
            f"not valid YAML: {exc.reason} (character #x{exc.character:04x}); remove it",
            str(path),
            text[: exc.position].count("\n") + 1,
        ) from exc


def read_yaml(path: str | Path) -> Codebook:
    path = Path(path)
    data = load_yaml(path, "the codebook")
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise InputError("a YAML codebook needs a top-level 'codes:' list", str(path), 1)
    codes: list[Code] = []
    _read_codes(data["codes"], None, codes, str(path))
    if not codes:
        raise InputError("the codebook has no codes", str(path))
    return Codebook(codes, name=str(data.get("name") or path.stem), path=str(path)).validate()


def _read_codes(items: list, parent: str | None, out: list[Code], path: str) -> None:
    for item in items:
        if not isinstance(item, dict):
            raise InputError(
                f"each code must be a mapping with at least 'name', not {reprlib.repr(item)}", path
            )
        line = item.get("__line__")
        fields = {_ALIASES.get(k, k): v for k, v in item.items() if k != "__line__"}
        unknown = sorted(k for k in item if k not in _KNOWN and k != "__line__")
        if unknown:
            raise InputError(
                f"field '{unknown[0]}': unknown field; a code has {', '.join(sorted(_KNOWN - set(_ALIASES)))}",
                path,
                line,
            )
        if "name" not in fields or fields["name"] in (None, ""):
            raise InputError("field 'name': a code needs a name", path, line)
        code = Code(name=str(fields["name"]).strip(), line=line)
        for name in _TEXT_FIELDS[1:]:
            value = fields.get(name)
            if isinstance(value, (list, dict)):
                raise InputError(f"field '{name}': expected text, got a {type(value).__name__}", path, line)
            if value is not None:
                setattr(code, name, str(value).strip())
        if code.parent is None:
            code.parent = parent
        elif parent is not None and code.parent != parent:
            raise InputError(
                f"field 'parent': code {code.name!r} is nested under {parent!r} but names parent {code.parent!r}",
                path,
                line,
            )
        for name in _LIST_FIELDS:
            setattr(code, name, _text_list(fields.get(name), name, path, line))
        out.append(code)
        children = fields.get("children") or []
        if not isinstance(children, list):
            raise InputError("field 'children': expected a list of codes", path, line)
        _read_codes(children, code.name, out, path)


def _text_list(value, field: str, path: str, line: int | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int, float)):
        value = [value]
    if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
        raise InputError(f"field '{field}': expected a list of texts", path, line)
    return [str(v).strip() for v in value if str(v).strip()]


def write_yaml(codebook: Codebook, path: str | Path) -> None:
    """Nested YAML in the layout of codebooks/netwerkondersteuning.yaml."""

    def entry(code: Code) -> dict:
        out = {"name": code.name}
        for name in ("label", "kind", "colour", "description"):
            value = getattr(code, name)
            if value and not (name == "kind" and value == "other"):
                out[name] = value
        for name in _LIST_FIELDS:
            if getattr(code, name):
                out[name] = list(getattr(code, name))
        children = [entry(c) for c in codebook.children(code.name)]
        if children:
            out["children"] = children
        return out

    document = {"name": codebook.name, "codes": [entry(c) for c in codebook.children(None)]}
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    Path(path).write_text(text, encoding="utf-8")
