"""Codebooks in YAML: a nested ``codes`` list (``children``) or a flat one (``parent``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from qualcode.codebook.model import Code, Codebook
from qualcode.errors import InputError

_LIST_FIELDS = ("inclusion", "exclusion", "examples", "keywords", "lemmas", "formerly", "merges")
_TEXT_FIELDS = ("name", "description", "parent", "kind", "label", "colour")
_ALIASES = {"definition": "description", "color": "colour", "include": "inclusion", "exclude": "exclusion"}
_KNOWN = set(_LIST_FIELDS) | set(_TEXT_FIELDS) | set(_ALIASES) | {"children"}


class LineLoader(yaml.SafeLoader):
    """Remembers the line each mapping starts on, so errors can point at it."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def read_yaml(path: str | Path) -> Codebook:
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LineLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            f"not valid YAML: {exc.problem}", str(path), mark.line + 1 if mark else None
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the codebook: {exc}", str(path)) from exc
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
            raise InputError(f"each code must be a mapping with at least 'name', not {item!r}", path)
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
