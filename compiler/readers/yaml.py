"""The YAML reader: bytes -> Document, every node keeping its location; errors collected, raised once."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import importlib.util
import re
from functools import cache
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from compiler import chars, legal, links
from compiler.chars import invalid_char, invalid_message
from compiler.errors import Category, CompilerError, Diagnostics, Loc
from compiler.fs import relative_inside
from compiler.inline import parse_inline, placeholders, refs
from compiler.limits import (
    MAX_BLOCKS,
    MAX_EXPANDED_CHARS,
    MAX_LIST_DEPTH,
    MAX_SECTION_DEPTH,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
)
from compiler.model import (
    CHANGES_CONTEXT,
    HISTORY_ID,
    Address,
    Block,
    CallToAction,
    Change,
    Contact,
    ContactEntry,
    Definition,
    Definitions,
    Document,
    Duration,
    ItemList,
    ListItem,
    ListStyle,
    Meta,
    Note,
    NoteKind,
    Paragraph,
    Rich,
    Section,
    Table,
    Variable,
    VarKind,
)
from compiler.readers import schema

# libyaml's composer when present (several times faster); both keep node marks, build no objects.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_NODES = MAX_YAML_NODES  # bound on alias expansion ("billion laughs")
_LINK_KINDS = (VarKind.EMAIL, VarKind.URL, VarKind.PHONE)  # shown as links wherever used
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


def read(data: bytes, shown: str, shared: tuple[Variable, ...] = ()) -> Document:
    """The reader's entry point (see compiler.readers.READERS); shared are the project's
    variables ([variables] in policyc.toml), which the source's own override by name."""
    return load_bytes(data, shown, shared)


def shared_variables(node: MappingNode, shown: str) -> tuple[Variable, ...]:
    """Variables from another file (the project config), checked as a source's are; node's
    marks carry that file's lines."""
    loader = _Loader(shown, "")
    variables = loader.variables(node)
    loader.diag.raise_if_errors()
    return variables


def load_bytes(data: bytes, shown: str, shared: tuple[Variable, ...] = ()) -> Document:
    """Validate a source's bytes; shown is the path diagnostics name."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise CompilerError.at(
            Loc(shown, line, column),
            f"file is not valid UTF-8 (byte 0x{data[err.start]:02x}); save it as UTF-8",
            Category.SYNTAX,
        ) from err
    return load_text(text, shown, digest=hashlib.sha256(data).hexdigest(), shared=shared)


def load_text(text: str, path: str, digest: str = "",
              shared: tuple[Variable, ...] = ()) -> Document:
    text = text.removeprefix("\ufeff")
    try:
        _bound_depth(text, path)
        root = yaml.compose(text, Loader=_SAFE_LOADER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        loc = Loc(path, mark.line + 1, mark.column + 1) if mark else Loc(path)
        problem = err.problem or err.context or "invalid YAML"
        raise CompilerError.at(loc, f"YAML syntax error: {problem}", Category.SYNTAX) from err
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        column = err.position - (text.rfind("\n", 0, err.position) + 1) + 1
        what = (f"character U+{err.character:04X}" if isinstance(err.character, int)
                else "character")
        raise CompilerError.at(Loc(path, line, column), f"{what} is not allowed in a source "
                               f"(a control or non-character code point); remove it",
                               Category.SYNTAX) from err
    except yaml.YAMLError as err:
        raise CompilerError.at(Loc(path), f"YAML error: {err}", Category.SYNTAX) from err
    if root is None:
        raise CompilerError.at(
            Loc(path, 1, 1),
            "empty document (expected a mapping with keys: "
            + ", ".join(k.name for k in schema.DOCUMENT if k.required) + ")",
        )
    _bound_size(root, path)
    return _Loader(path, digest, text, shared).document(root)


def _bound_depth(text: str, path: str) -> None:
    """Refuse deeply nested YAML before composing it: libyaml's composer recurses in C, and
    a few thousand nested '[' would crash the process instead of raising."""
    depth = 0
    for event in yaml.parse(text, Loader=_SAFE_LOADER):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                mark = event.start_mark
                where = Loc(path, mark.line + 1, mark.column + 1) if mark else Loc(path)
                raise CompilerError.at(where,
                                       f"YAML nested more than {MAX_YAML_DEPTH} levels deep",
                                       Category.SYNTAX)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _bound_size(root: Node, path: str) -> None:
    """Aliases share nodes: bound what the document expands to (nodes and characters of
    text), not only what its file holds -- a 1 MB string referenced 1,000 times is 1 GB."""
    count, chars, stack = 0, 0, [root]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise CompilerError.at(
                _loc(path, root),
                f"document expands to more than {MAX_NODES} YAML nodes (recursive or "
                "exponential aliases?); write the content out instead",
                Category.SYNTAX,
            )
        if isinstance(node, ScalarNode):
            chars += len(node.value)
            if chars > MAX_EXPANDED_CHARS:
                raise CompilerError.at(
                    _loc(path, node), f"document expands to more than {MAX_EXPANDED_CHARS} "
                    "characters of text (aliases repeating long text?); write it out instead",
                    Category.SYNTAX)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for k, v in node.value:
                stack.extend((k, v))


def _loc(path: str, node: Node) -> Loc:
    return Loc(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return {_INT: "a number", _FLOAT: "a number", "tag:yaml.org,2002:bool": "a boolean",
            "tag:yaml.org,2002:null": "nothing (null)"}.get(node.tag, f"'{node.value}'")


class _Loader:
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

    # --- the document -------------------------------------------------------------

    def document(self, root: Node) -> Document:
        f = self.mapping(root, "", schema.DOCUMENT)
        if f is None:
            raise CompilerError(self.diag.items)
        doc_id = self.pattern(f.get("id"), "id", schema.ID_PATTERN, "document id",
                              "lowercase words joined by '-', e.g. privacy-policy")
        title = self.rich(f.get("title"), "title", "document")
        version = self.pattern(f.get("version"), "version", schema.VERSION_PATTERN, "version",
                               "a semantic version such as 1.2.0")
        updated = self.date(f.get("updated"), "updated")
        effective = self.date(f.get("effective"), "effective")
        source_locale = self.locale(f.get("source_locale"), "source_locale")
        locales = tuple(
            loc for i, n in enumerate(self.sequence(f.get("locales"), "locales", "locales"))
            if (loc := self.locale(n, f"locales[{i}]"))
        )
        if source_locale and locales and source_locale not in locales:
            self.error(f["locales"], "locales", f"source_locale '{source_locale}' must be listed")
        organization = self.scalar(f.get("organization"), "organization")
        description = self.rich(f.get("description"), "description", "document")
        keywords = tuple(
            k for i, n in enumerate(self.sequence(f.get("keywords"), "keywords", "keywords"))
            if (k := self.scalar(n, f"keywords[{i}]"))
        )
        page_size = self.scalar(f.get("page_size"), "page_size") or "A4"
        if page_size not in ("A4", "Letter"):
            self.error(f["page_size"], "page_size", f"unknown page size '{page_size}' "
                       "(expected A4 or Letter)")
        base_url = self.scalar(f.get("base_url"), "base_url")
        if base_url is not None and (why := links.canonical_problem(base_url)) is not None:
            self.error(f["base_url"], "base_url", f"'{base_url}' is not allowed: {why}",
                       Category.REFERENCE)
        reference_docx = self.scalar(f.get("reference_docx"), "reference_docx")
        if reference_docx is not None and not relative_inside(reference_docx):
            self.error(f["reference_docx"], "reference_docx", f"'{reference_docx}' lies outside "
                       "the project folder (expected a .docx path relative to this source "
                       "file, inside the project)", Category.REFERENCE)
        # A source read from elsewhere than a file (a git revision) has no folder to look in.
        elif reference_docx is not None and Path(self.path).is_file() and not (
                Path(self.path).parent / reference_docx).is_file():
            self.error(f["reference_docx"], "reference_docx", f"file '{reference_docx}' not "
                       "found (expected a .docx path relative to this source file)",
                       Category.REFERENCE)
        changes = self.changes(f.get("changes"), updated)
        variables = self.variables(f.get("variables"))
        own = {v.name for v in variables}
        variables = (*(v for v in self.shared if v.name not in own), *variables)
        numbering = self.scalar(f.get("numbering"), "numbering") or "none"
        if numbering not in legal.NUMBERING_SCHEMES:
            self.error(f["numbering"], "numbering", f"unknown numbering '{numbering}' "
                       f"(expected one of: {', '.join(legal.NUMBERING_SCHEMES)})")
        preamble = self.block_seq(f.get("blocks"), "blocks", "preamble")
        sections = self.sections(f.get("sections"), "sections", (), 1)
        if "sections" in f and not sections and not self.diag.errors:
            self.error(f["sections"], "sections", "a document needs at least one section")
        if numbering == "decimal":
            sections = legal.number_sections(sections, self.unnumbered)
        self.check_references(variables, history=bool(changes))
        self.diag.raise_if_errors()
        assert doc_id and title and version and updated and effective and source_locale
        assert organization is not None
        meta = Meta(doc_id, title, version, updated, effective, source_locale, locales,
                    organization, description, keywords, page_size, base_url, reference_docx,
                    changes, numbering)
        return Document(meta, variables, sections, self.path, self.digest, preamble,
                        tuple(self.diag.warnings))

    def block_seq(self, node: Node | None, where: str, context: str,
                  numbered: int = 0) -> tuple[Block, ...]:
        """A list of blocks; numbered counts the numbered lists around them."""
        return tuple(
            b for i, bnode in enumerate(self.sequence(node, where, "blocks"))
            if (b := self.block(bnode, f"{where}[{i}]", context, numbered))
        )

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
        value = self.pattern(node, where, schema.LOCALE_PATTERN, "locale",
                             "a code such as en, de, pt_BR")
        if value and node is not None and not _cldr_has(value):
            self.error(node, where, f"unknown locale '{value}' (not in CLDR)")
            return None
        return value

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

    # --- sections and blocks ----------------------------------------------------------

    def sections(self, node: Node | None, where: str, parents: tuple[str, ...],
                 level: int) -> tuple[Section, ...]:
        out: list[Section] = []
        nodes = self.sequence(node, where, "sections")
        if nodes and level > MAX_SECTION_DEPTH:
            self.error(nodes[0], where, f"sections nested more than {MAX_SECTION_DEPTH} levels "
                       "deep (the limit; see README, Security model)")
            return ()
        for i, snode in enumerate(nodes):
            s = self.section(snode, f"{where}[{i}]", parents, level)
            if s:
                out.append(s)
        return tuple(out)

    def section(self, node: Node, where: str, parents: tuple[str, ...],
                level: int) -> Section | None:
        self.count_block(node)
        f = self.mapping(node, where, schema.SECTION)
        if f is None:
            return None
        sid = self.pattern(f.get("id"), f"{where}.id", schema.ID_PATTERN, "section id",
                           "lowercase words joined by '-', e.g. data-retention")
        if sid and "id" in f:
            if sid == HISTORY_ID:
                self.error(f["id"], f"{where}.id", f"section id '{sid}' is reserved for the "
                           "generated version history (see 'changes')")
            elif sid in self.section_ids:
                self.error(f["id"], f"{where}.id", f"duplicate section id '{sid}' (first used at "
                           f"line {self.section_ids[sid].line}); ids must be unique")
            else:
                self.section_ids[sid] = self.loc(f["id"])
        path = (*parents, sid or "?")
        context = "/".join(path)
        comment = self.comment(f, where)
        title = self.rich(f.get("title"), f"{where}.title", context, comment)
        if "numbered" in f and self.boolean(f["numbered"], f"{where}.numbered") is False and sid:
            self.unnumbered.add(sid)
        blocks = self.block_seq(f.get("blocks"), f"{where}.blocks", context)
        subs = self.sections(f.get("sections"), f"{where}.sections", path, level + 1)
        if not blocks and not subs and "blocks" not in f and "sections" not in f:
            self.error(node, where, "a section needs 'blocks' or 'sections'")
        if sid is None or title is None:
            return None
        return Section(sid, title, level, blocks, subs, self.loc(node))

    def count_block(self, node: Node, count: int = 1) -> None:
        """Sections, blocks, list items, table cells and contact entries count towards
        MAX_BLOCKS (reported once, where the limit is crossed)."""
        before = self.blocks
        self.blocks += count
        if before <= MAX_BLOCKS < self.blocks:
            self.diag.error(self.loc(node), f"more than {MAX_BLOCKS} blocks (sections, "
                            "paragraphs, list items, table cells...) in one document (the "
                            "limit; see README, Security model); split it into several "
                            "documents")

    def block(self, node: Node, where: str, context: str, numbered: int = 0) -> Block | None:
        loc = self.loc(node)
        self.count_block(node)
        if isinstance(node, ScalarNode):
            text = self.rich(node, where, context)
            return Paragraph(text, loc) if text else None
        kinds = list(schema.BLOCK_KINDS)
        if not isinstance(node, MappingNode):
            self.error(node, where, f"expected a block (a string, or a mapping led by one of: "
                       f"{', '.join(kinds)}), found {_kind(node)}")
            return None
        present = list(dict.fromkeys(str(k.value) for k, _ in node.value if str(k.value) in kinds))
        if len(present) != 1:
            found = ", ".join(str(k.value) for k, _ in node.value)
            hint = ""
            if not present:
                keys = [str(k.value) for k, _ in node.value]
                close = [m for k in keys for m in difflib.get_close_matches(k, kinds, n=1)]
                hint = f"; did you mean '{close[0]}'?" if close else ""
                if any(" " in k.strip() for k in keys):
                    hint += (" (if this is text containing ': ', put the whole text in quotes: "
                             "YAML read it as a key)")
            self.error(node, where, f"a block needs exactly one of: {', '.join(kinds)} "
                       f"(found: {found or 'nothing'}){hint}")
            return None
        kind = present[0]
        block_keys = (schema.Key(kind, {}, "", True), *schema.BLOCK_EXTRA.get(kind, ()),
                      schema.COMMENT)
        f = self.mapping(node, where, block_keys)
        if f is None:
            return None
        comment = self.comment(f, where)
        body = f[kind]
        match kind:
            case "paragraph":
                text = self.rich(body, f"{where}.paragraph", context, comment)
                return Paragraph(text, loc) if text else None
            case "bullets" | "numbered":
                return self.item_list(body, f"{where}.{kind}", context, kind == "numbered",
                                      comment, numbered=numbered, options=f)
            case "note":
                kind_value = self.scalar(f.get("kind"), f"{where}.kind") or "info"
                try:
                    note_kind = NoteKind(kind_value)
                except ValueError:
                    self.error(f["kind"], f"{where}.kind", f"unknown note kind '{kind_value}' "
                               f"(expected one of: {', '.join(k.value for k in NoteKind)})")
                    return None
                text = self.rich(body, f"{where}.note", context, comment)
                return Note(note_kind, text, loc) if text else None
            case "contact":
                return self.contact(body, f"{where}.contact", context, comment)
            case "cta":
                return self.cta(body, f"{where}.cta", context, comment)
            case "table":
                return self.table(body, f"{where}.table", context, comment)
            case "definitions":
                return self.definitions(body, f"{where}.definitions", context, comment)
            case "address" | "lines":
                return self.address(body, f"{where}.{kind}", context, comment)
        raise AssertionError(kind)

    def list_options(self, f: dict[str, Node], where: str, ordered: bool, numbered: int
                     ) -> tuple[ListStyle | None, int, str | None]:
        """style, start and separator of a list (the block's keys beside the items)."""
        style = legal.default_style(numbered + 1) if ordered else None
        if "style" in f:
            value = self.scalar(f["style"], f"{where}.style") or ""
            try:
                style = ListStyle(value)
            except ValueError:
                self.error(f["style"], f"{where}.style", f"unknown list style '{value}' "
                           f"(expected one of: {', '.join(schema.LIST_STYLES)})")
        start = 1
        if "start" in f:
            value = self.scalar(f["start"], f"{where}.start", "a number") or ""
            if re.fullmatch(r"\d{1,6}", value):
                start = int(value)
            else:
                self.error(f["start"], f"{where}.start", f"invalid start '{value}' (expected "
                           "a whole number such as 1 or 4)")
        separator = self.scalar(f["separator"], f"{where}.separator") if "separator" in f \
            else None
        if "separator" in f and isinstance(f["separator"], ScalarNode) and \
                f["separator"].tag == "tag:yaml.org,2002:null":
            separator = ""
        return style, start, separator

    def definitions(self, node: Node, where: str, context: str,
                    comment: str) -> Definitions | None:
        items: list[Definition] = []
        for i, dnode in enumerate(self.sequence(node, where, "definitions")):
            dw = f"{where}[{i}]"
            f = self.mapping(dnode, dw, schema.DEFINITION)
            if f is None:
                continue
            c = self.comment(f, dw) or comment
            term = self.rich(f.get("term"), f"{dw}.term", context, c or "A defined term.")
            text = self.rich(f.get("text"), f"{dw}.text", context, c)
            if term and text:
                items.append(Definition(term, text, self.loc(dnode)))
        return Definitions(tuple(items), self.loc(node)) if items else None

    def address(self, node: Node, where: str, context: str, comment: str) -> Address | None:
        """A list of lines, or one '|' block scalar whose lines are the lines."""
        lines: list[Rich] = []
        if isinstance(node, ScalarNode) and node.tag == _STR:
            first = node.start_mark.line + (1 if node.style in ("|", ">") else 0)
            for k, line in enumerate(str(node.value).splitlines()):
                if not line.strip():
                    continue
                inlines, errors = parse_inline(line.strip())
                loc = Loc(self.path, first + k + 1, 1)
                for err in errors:
                    self.diag.error(loc, f"{where}: {err.message}", Category.SYNTAX)
                rich = Rich(line.strip(), inlines, loc, context, comment)
                self.rich_nodes.append(rich)
                lines.append(rich)
        else:
            lines = [r for i, n in enumerate(self.sequence(node, where, "lines"))
                     if (r := self.rich(n, f"{where}[{i}]", context, comment))]
        if not lines:
            self.error(node, where, "an address needs at least one line")
            return None
        return Address(tuple(lines), self.loc(node))

    def item_list(self, node: Node, where: str, context: str, ordered: bool,
                  comment: str, depth: int = 1, numbered: int = 0,
                  options: dict[str, Node] | None = None) -> ItemList | None:
        """Items of a list; depth is its nesting as a list, numbered the number of numbered
        lists around it (which picks the default style: 1. then (a) then (i))."""
        style, start, separator = self.list_options(options or {}, where, ordered, numbered)
        inner = numbered + 1 if ordered else numbered
        items: list[ListItem] = []
        if depth > MAX_LIST_DEPTH:
            self.error(node, where, f"list items nested more than {MAX_LIST_DEPTH} levels deep "
                       "(the limit; see README, Security model)")
            return None
        nodes = self.sequence(node, where, "list items")
        if isinstance(node, SequenceNode) and not nodes:
            self.error(node, where, "a list needs at least one item")
        for i, inode in enumerate(nodes):
            iw = f"{where}[{i}]"
            self.count_block(inode)
            if isinstance(inode, ScalarNode):
                text = self.rich(inode, iw, context, comment)
                if text:
                    items.append(ListItem(None, text, None, self.loc(inode)))
                continue
            f = self.mapping(inode, iw, schema.ITEM)
            if f is None:
                continue
            c = self.comment(f, iw) or comment
            term = self.rich(f.get("term"), f"{iw}.term", context, c)
            text = self.rich(f.get("text"), f"{iw}.text", context, c)
            if "text" in f and "blocks" in f:
                self.error(f["blocks"], iw, "a list item has either 'text' or 'blocks', not "
                           "both (make the text the first block)")
            blocks = self.block_seq(f.get("blocks"), f"{iw}.blocks", context, inner)
            sub = (self.item_list(f["items"], f"{iw}.items", context, ordered, c, depth + 1,
                                  inner)
                   if "items" in f else None)
            if term is None and text is None and sub is None and not blocks:
                self.error(inode, iw, "a list item needs 'text', 'term', 'blocks' or 'items'")
                continue
            items.append(ListItem(term, text, sub, self.loc(inode), blocks))
        if not items:
            return None
        return ItemList(ordered, tuple(items), self.loc(node), style, start, separator)

    def contact(self, node: Node, where: str, context: str, comment: str) -> Contact | None:
        entries: list[ContactEntry] = []
        for i, enode in enumerate(self.sequence(node, where, "label/value entries")):
            ew = f"{where}[{i}]"
            self.count_block(enode)
            f = self.mapping(enode, ew, schema.CONTACT_ENTRY)
            if f is None:
                continue
            c = self.comment(f, ew) or comment
            label = self.rich(f.get("label"), f"{ew}.label", context, c)
            value = self.rich(f.get("value"), f"{ew}.value", context, c)
            if label and value:
                entries.append(ContactEntry(label, value, self.loc(enode)))
        return Contact(tuple(entries), self.loc(node)) if entries else None

    def cta(self, node: Node, where: str, context: str, comment: str) -> CallToAction | None:
        f = self.mapping(node, where, schema.CTA)
        if f is None:
            return None
        title = self.rich(f.get("title"), f"{where}.title", context, comment)
        text = self.rich(f.get("text"), f"{where}.text", context, comment)
        action = self.rich(f.get("action"), f"{where}.action", context, comment)
        href = self.scalar(f.get("href"), f"{where}.href")
        if href is not None:
            self.hrefs.append((href, self.loc(f["href"])))
            why = links.template_problem(href)
            if why is not None:
                self.error(f["href"], f"{where}.href", f"link target '{href}' is not allowed: "
                           f"{why}")
        if not (title and text and action and href):
            return None
        return CallToAction(title, text, action, href, self.loc(node))

    def table(self, node: Node, where: str, context: str, comment: str) -> Table | None:
        f = self.mapping(node, where, schema.TABLE)
        if f is None:
            return None
        caption = self.rich(f.get("caption"), f"{where}.caption", context, comment)
        header = tuple(
            c for i, n in enumerate(self.sequence(f.get("header"), f"{where}.header", "cells"))
            if (c := self.rich(n, f"{where}.header[{i}]", context, comment))
        )
        widths = self.widths(f.get("widths"), f"{where}.widths", len(header))
        rows: list[tuple[Rich, ...]] = []
        for r, rnode in enumerate(self.sequence(f.get("rows"), f"{where}.rows", "rows")):
            self.count_block(rnode, len(rnode.value) if isinstance(rnode, SequenceNode) else 1)
            cells = tuple(
                c for i, n in enumerate(self.sequence(rnode, f"{where}.rows[{r}]", "cells"))
                if (c := self.rich(n, f"{where}.rows[{r}][{i}]", context, comment))
            )
            if header and len(cells) != len(header):
                self.error(rnode, f"{where}.rows[{r}]", f"row has {len(cells)} cells, "
                           f"expected {len(header)} (as many as the header)")
            rows.append(cells)
        if not header:
            return None
        return Table(caption, header, tuple(rows), self.loc(node), widths)

    def widths(self, node: Node | None, where: str, columns: int) -> tuple[float, ...]:
        out: list[float] = []
        for i, wnode in enumerate(self.sequence(node, where, "numbers")):
            value = self.scalar(wnode, f"{where}[{i}]", "a number") or ""
            try:
                width = float(value)
            except ValueError:
                width = -1.0
            if not 0 < width < float("inf"):
                self.error(wnode, f"{where}[{i}]", f"invalid width '{value}' (expected a "
                           "positive number: widths are relative, e.g. [1, 3, 2])")
                return ()
            out.append(width)
        if node is not None and out and columns and len(out) != columns:
            self.error(node, where, f"{len(out)} widths for {columns} columns (expected one "
                       "per header cell)")
            return ()
        return tuple(out)

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


@cache
def _cldr_dir() -> Path | None:
    """Babel's CLDR data folder, found without importing Babel (policyc check stays quick)."""
    spec = importlib.util.find_spec("babel")
    locations = spec.submodule_search_locations if spec else None
    return Path(next(iter(locations))) / "locale-data" if locations else None


def _cldr_has(locale: str) -> bool:
    folder = _cldr_dir()
    if folder is None or not folder.is_dir():
        from babel import localedata

        return bool(localedata.exists(locale))
    return (folder / f"{locale}.dat").is_file()


def _number(value: str) -> int | float:
    f = float(value)
    return int(f) if f.is_integer() and "." not in value else f
