"""The YAML reader's node checks: a mapping's keys, scalars, dates, rich text, locales and
the cross references checked once the whole document is read (the base of
readers/yaml_meta.py, readers/yaml_blocks.py and readers/yaml.py's _Loader)."""

from __future__ import annotations

import datetime as dt
import difflib
import re

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from compiler import chars, links
from compiler.chars import invalid_char, invalid_message
from compiler.errors import Category, Diagnostics, Loc
from compiler.inline import parse_inline, placeholders, refs
from compiler.model import (
    HISTORY_ID,
    Rich,
    Variable,
    VarKind,
)
from compiler.readers import schema
from compiler.readers.cldr import did_you_mean, known_locale

_LINK_KINDS = (VarKind.EMAIL, VarKind.URL, VarKind.PHONE)  # shown as links wherever used
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


def _loc(path: str, node: Node) -> Loc:
    return Loc(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return {_INT: "a number", _FLOAT: "a number", "tag:yaml.org,2002:bool": "a boolean",
            "tag:yaml.org,2002:null": "nothing (null)"}.get(node.tag, f"'{node.value}'")


class _NodeReader:
    def __init__(self, path: str, digest: str, text: str = "",
                 shared: tuple[Variable, ...] = ()) -> None:
        self.path = path
        self.digest = digest
        self.shared = shared
        self.lines = text.splitlines()
        self.unnumbered: set[str] = set()
        self.nodes: dict[int, Node] = {}  # id(Rich) -> its YAML node, for exact columns
        self.diag = Diagnostics()
        self.rich_nodes: list[Rich] = []
        self.hrefs: list[tuple[str, Loc]] = []
        self.section_ids: dict[str, Loc] = {}
        self.blocks = 0

    # --- generic helpers ----------------------------------------------------------

    def loc(self, node: Node) -> Loc:
        return _loc(self.path, node)

    def error(self, node: Node, where: str, message: str,
              category: Category = Category.SCHEMA) -> None:
        prefix = f"{where}: " if where else ""
        self.diag.error(self.loc(node), prefix + message, category)

    def mapping(self, node: Node, where: str, keys: tuple[schema.Key, ...],
                extra_ok: tuple[str, ...] = ()) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.error(node, where, f"expected a mapping with keys "
                       f"{', '.join(k.name for k in keys)}, found {_kind(node)}")
            return None
        allowed = [k.name for k in keys] + list(extra_ok)
        out: dict[str, Node] = {}
        first: dict[str, Node] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, ScalarNode):
                self.error(knode, where, "keys must be plain words")
                continue
            key = knode.value
            bad = invalid_char(key)
            if bad is not None:
                self.diag.error(self._offset_loc(knode, bad[0]),
                                f"{where or 'key'}: {invalid_message(bad[1])}", Category.SYNTAX)
                continue
            if key in first:
                self.error(knode, where, f"duplicate key '{key}' (first at line "
                           f"{first[key].start_mark.line + 1}); YAML would silently keep only "
                           "the last one")
                continue
            first[key] = knode
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                did = f"; did you mean '{hint[0]}'?" if hint else ""
                if " " in key.strip():
                    did += (" (if this is text containing ': ', put the whole text in "
                            "quotes: YAML read it as a key)")
                self.error(knode, where, f"unknown key '{key}' (expected one of: "
                           f"{', '.join(allowed)}){did}")
                continue
            out[key] = vnode
        for k in keys:
            if k.required and k.name not in out:
                self.error(node, where, f"missing required key '{k.name}' ({k.doc})")
        return out

    def scalar(self, node: Node | None, where: str, what: str = "text") -> str | None:
        if node is None:
            return None
        if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.error(node, where, f"expected {what}, found {_kind(node)}")
            return None
        value = str(node.value)
        bad = invalid_char(value)
        if bad is not None:
            self.diag.error(self._offset_loc(node, bad[0]), f"{where}: {invalid_message(bad[1])}",
                            Category.SYNTAX)
            return chars.INVALID.sub("", value)
        return value

    def sequence(self, node: Node | None, where: str, what: str) -> list[Node]:
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self.error(node, where, f"expected a list of {what}, found {_kind(node)}")
            return []
        return list(node.value)

    def pattern(self, node: Node | None, where: str, regex: str, what: str,
                expected: str) -> str | None:
        value = self.scalar(node, where, f"a {what}")
        if value is None or node is None:
            return None
        if not re.fullmatch(regex, value):
            self.error(node, where, f"invalid {what} '{value}' (expected {expected})")
            return None
        return value

    def date(self, node: Node | None, where: str) -> dt.date | None:
        value = self.scalar(node, where, "a date (YYYY-MM-DD)")
        if value is None or node is None:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            self.error(node, where, f"invalid date '{value}' (expected an ISO date YYYY-MM-DD "
                       "that exists in the calendar)")
            return None

    def rich(self, node: Node | None, where: str, context: str, comment: str = "") -> Rich | None:
        value = self.scalar(node, where, "text")
        if value is None or node is None:
            return None
        inlines, errors = parse_inline(value)
        for err in errors:
            self.diag.error(self._offset_loc(node, err.offset), f"{where}: {err.message}",
                            Category.SYNTAX)
        rich = Rich(value, inlines, self.loc(node), context, comment)
        self.rich_nodes.append(rich)
        self.nodes[id(rich)] = node
        self._dropped_comment(node, where)
        return rich

    def _dropped_comment(self, node: Node, where: str) -> None:
        """A plain text followed by ' # ...' on its line: YAML took the rest as a comment."""
        if not isinstance(node, ScalarNode) or node.style:  # quoted or block: nothing cut
            return
        end = node.end_mark
        if end.line >= len(self.lines):
            return
        rest = self.lines[end.line][end.column:]
        if re.match(r"\s+#", rest):
            self.diag.warning(
                Loc(self.path, end.line + 1, end.column + 1 + rest.index("#")),
                f"{where}: the text ends before ' #', and YAML drops the rest of the line as "
                "a comment; put the whole text in quotes if '#...' belongs to it",
                Category.SYNTAX)

    def _offset_loc(self, node: Node, offset: int) -> Loc:
        """Exact column for one-line scalars; the scalar's start otherwise."""
        start, end = node.start_mark, node.end_mark
        if isinstance(node, ScalarNode) and start.line == end.line:
            quote = 1 if node.style in ("'", '"') else 0
            return Loc(self.path, start.line + 1, start.column + 1 + quote + offset)
        return self.loc(node)

    def comment(self, fields: dict[str, Node], where: str) -> str:
        return self.scalar(fields.get("comment"), where) or ""

    def boolean(self, node: Node | None, where: str) -> bool | None:
        value = self.scalar(node, where, "yes or no")
        if value is None or node is None:
            return None
        word = value.lower()
        if word in ("yes", "true", "on"):
            return True
        if word in ("no", "false", "off"):
            return False
        self.error(node, where, f"expected yes or no, found '{value}'")
        return None

    def locale(self, node: Node | None, where: str) -> str | None:
        value = self.scalar(node, where, "a locale")
        if value is None or node is None:
            return None
        if not re.fullmatch(schema.LOCALE_PATTERN, value):
            self.error(node, where, f"invalid locale '{value}' (expected a code such as en, "
                       f"de, pt_BR{did_you_mean(value)})")
            return None
        if not known_locale(value):
            self.error(node, where, f"unknown locale '{value}' (not in CLDR"
                       f"{did_you_mean(value)})")
            return None
        return value

    # --- cross references ------------------------------------------------------------

    def check_references(self, variables: tuple[Variable, ...], history: bool = False) -> None:
        names = [v.name for v in variables]
        for rich in self.rich_nodes:
            inlines = rich.inlines
            for name in placeholders(inlines):
                if name not in names:
                    self._unknown_placeholder(rich.loc, name, names)
        for href, loc in self.hrefs:
            for name in re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", href):
                if name not in names:
                    self._unknown_placeholder(loc, name, names)
        for rich in self.rich_nodes:
            for target in refs(rich.inlines):
                if target not in self.section_ids:
                    hint = difflib.get_close_matches(target, list(self.section_ids), n=1)
                    did = f"; did you mean '{{ref:{hint[0]}}}'?" if hint else ""
                    node = self.nodes.get(id(rich))
                    offset = rich.source.find("{ref:" + target)
                    where = (self._offset_loc(node, offset) if node is not None and offset >= 0
                             else rich.loc)
                    self.diag.error(where, f"cross-reference '{{ref:{target}}}' names no "
                                    f"section id{did}", Category.REFERENCE)
            for target in _anchor_targets(rich):
                if target not in self.section_ids and not (history and target == HISTORY_ID):
                    self.diag.error(rich.loc, f"link to '#{target}' names no section id",
                                    Category.REFERENCE)
        # Targets filled in from variables, judged now so that `check` catches them too;
        # localization judges every final target again (translations included).
        by_name = {v.name: v for v in variables}
        filled = [(h, loc) for h, loc in self.hrefs if links.has_placeholders(h)]
        filled += [(h, r.loc) for r in self.rich_nodes for h in _link_targets(r)
                   if links.has_placeholders(h)]
        filled += [("{" + name + "}", r.loc) for r in self.rich_nodes
                   for name in placeholders(r.inlines)
                   if name in by_name and by_name[name].kind in _LINK_KINDS]
        for href, loc in filled:
            if all(n in by_name for n in links.PLACEHOLDER.findall(href)):
                _, refused = links.judge(href, by_name)
                if refused is not None:
                    self.diag.error(loc, refused, Category.REFERENCE)

    def _unknown_placeholder(self, loc: Loc, name: str, names: list[str]) -> None:
        hint = difflib.get_close_matches(name, names, n=1)
        did = (f"; did you mean '{{{hint[0]}}}'?" if hint else
               f"; write '\\{{{name}}}' for literal braces")
        self.diag.error(loc, f"placeholder '{{{name}}}' names no variable (defined: "
                        f"{', '.join(names) or 'none'}){did}", Category.REFERENCE)


def _link_targets(rich: Rich) -> list[str]:
    from compiler.model import Emphasis, Link, Strong

    out: list[str] = []
    stack = list(rich.inlines)
    while stack:
        n = stack.pop()
        if isinstance(n, Link):
            out.append(n.href)
            stack.extend(n.children)
        elif isinstance(n, Strong | Emphasis):
            stack.extend(n.children)
    return out


def _anchor_targets(rich: Rich) -> list[str]:
    return [href[1:] for href in _link_targets(rich) if href.startswith("#")]

