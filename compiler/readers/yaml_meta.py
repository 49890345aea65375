"""The YAML reader's document-level lists: variables (typed values) and the version
history (changes)."""

from __future__ import annotations

import datetime as dt
import re

from yaml.nodes import MappingNode, Node, ScalarNode

from compiler.model import (
    CHANGES_CONTEXT,
    KEYWORD_CONTEXT,
    KEYWORD_SEPARATORS,
    Change,
    Duration,
    Rich,
    Variable,
    VarKind,
)
from compiler.readers import schema
from compiler.readers.yaml_nodes import _FLOAT, _INT, _kind, _NodeReader


class _MetaReader(_NodeReader):
    def keywords(self, node: Node | None) -> tuple[Rich, ...]:
        """The metadata keywords, each its own message (as translators expect one keyword
        per entry); metadata joins them with commas, so a keyword holds none."""
        out: list[Rich] = []
        for i, knode in enumerate(self.sequence(node, "keywords", "keywords")):
            keyword = self.rich(knode, f"keywords[{i}]", KEYWORD_CONTEXT)
            if keyword is None:
                continue
            if any(sep in keyword.source for sep in KEYWORD_SEPARATORS):
                self.error(knode, f"keywords[{i}]", f"'{keyword.source}' holds a comma or "
                           "semicolon (expected one keyword per item: metadata joins them "
                           "with commas)")
                continue
            out.append(keyword)
        return tuple(out)

    def changes(self, node: Node | None, updated: dt.date | None) -> tuple[Change, ...]:
        """The version history: each entry complete, versions unique, none after 'updated'."""
        out: list[Change] = []
        first: dict[str, int] = {}
        for i, cnode in enumerate(self.sequence(node, "changes", "version entries")):
            where = f"changes[{i}]"
            f = self.mapping(cnode, where, schema.CHANGE)
            if f is None:
                continue
            version = self.scalar(f.get("version"), f"{where}.version", "a version")
            if version is not None and not version.strip():
                self.error(f["version"], f"{where}.version", "empty version (expected e.g. "
                           "1.2.0 or 2024-02-01)")
                version = None
            date = self.date(f.get("date"), f"{where}.date")
            comment = self.comment(f, where) or (
                f"Version history: what changed in version {version}." if version else "")
            summary = self.rich(f.get("summary"), f"{where}.summary", CHANGES_CONTEXT, comment)
            material = (self.boolean(f.get("material"), f"{where}.material")
                        if "material" in f else None)
            if version is not None:
                if version in first:
                    self.error(f["version"], f"{where}.version", f"duplicate version "
                               f"'{version}' (first listed at line {first[version]})")
                first.setdefault(version, self.loc(f["version"]).line)
            if date is not None and updated is not None and date > updated:
                self.error(f["date"], f"{where}.date", f"date {date.isoformat()} is after the "
                           f"document's 'updated' ({updated.isoformat()}); the history lists "
                           "published versions")
            if version is None or date is None or summary is None or (
                    "material" in f and material is None):
                continue
            out.append(Change(version, date, summary, material, self.loc(cnode)))
        return tuple(out)

    def variables(self, node: Node | None) -> tuple[Variable, ...]:
        if node is None:
            return ()
        if not isinstance(node, MappingNode):
            self.error(node, "variables", f"expected a mapping of name: value, found {_kind(node)}")
            return ()
        out: list[Variable] = []
        seen: set[str] = set()
        for knode, vnode in node.value:
            name = str(knode.value)
            where = f"variables.{name}"
            if name in seen:
                self.error(knode, "variables", f"duplicate variable '{name}'")
                continue
            seen.add(name)
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                self.error(knode, "variables", f"invalid variable name '{name}' (expected "
                           "letters, digits and underscores)")
                continue
            var = self.variable(name, vnode, where)
            if var:
                out.append(var)
        return tuple(out)

    def variable(self, name: str, node: Node, where: str) -> Variable | None:
        loc = self.loc(node)
        if isinstance(node, ScalarNode):
            if node.tag in (_INT, _FLOAT):
                return Variable(name, VarKind.NUMBER, _number(node.value), loc)
            value = self.scalar(node, where)
            return Variable(name, VarKind.TEXT, value, loc) if value is not None else None
        kinds = schema.VARIABLE_KINDS
        keys = (*tuple(schema.Key(k, {}, f"a {k} value") for k in kinds), schema.COMMENT)
        f = self.mapping(node, where, keys)
        if f is None:
            return None
        given = [k for k in kinds if k in f]
        if len(given) != 1:
            self.error(node, where, f"expected exactly one type key (one of: {', '.join(kinds)})")
            return None
        kind = VarKind(given[0])
        vnode = f[given[0]]
        comment = self.comment(f, where)
        raw = self.scalar(vnode, f"{where}.{kind.value}")
        if raw is None:
            return None
        typed = self.typed_value(kind, raw, vnode, where)
        if typed is None:
            return None
        return Variable(name, kind, typed, loc, comment)

    def typed_value(self, kind: VarKind, raw: str, node: Node,
                    where: str) -> str | int | float | dt.date | Duration | None:
        """The value of a typed variable, or None after reporting why it is invalid."""
        problem = ""
        if kind is VarKind.EMAIL and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", raw):
            problem = f"invalid e-mail address '{raw}'"
        elif kind is VarKind.URL and not re.fullmatch(r"https?://[^\s]+", raw):
            problem = f"invalid URL '{raw}' (expected https://...)"
        elif kind is VarKind.PHONE and not re.fullmatch(r"\+?[0-9 ()./-]{5,}", raw):
            problem = f"invalid phone number '{raw}'"
        elif kind is VarKind.DATE:
            return self.date(node, f"{where}.date")
        elif kind is VarKind.DURATION:
            m = re.fullmatch(schema.DURATION_PATTERN, raw)
            if m:
                return Duration(int(m.group(1)), m.group(2))
            problem = (f"invalid duration '{raw}' (expected e.g. '90 days'; units: "
                       f"{', '.join(schema.DURATION_UNITS)})")
        elif kind is VarKind.NUMBER:
            try:
                return _number(raw)
            except ValueError:
                problem = f"invalid number '{raw}'"
        if problem:
            self.error(node, where, problem)
            return None
        return raw


def _number(value: str) -> int | float:
    f = float(value)
    return int(f) if f.is_integer() and "." not in value else f
