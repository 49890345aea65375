"""The YAML reader: bytes -> Document, every node keeping its location; errors collected, raised once."""

from __future__ import annotations

import hashlib

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from compiler import legal, links
from compiler.errors import Category, CompilerError, Loc
from compiler.fs import relative_inside
from compiler.limits import (
    MAX_EXPANDED_CHARS,
    MAX_SECTION_DEPTH,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
)
from compiler.model import (
    HISTORY_ID,
    Document,
    Meta,
    Section,
    Variable,
)
from compiler.readers import schema
from compiler.readers.text import utf8
from compiler.readers.yaml_blocks import _BlockReader
from compiler.readers.yaml_nodes import _loc

# libyaml's composer when present (several times faster); both keep node marks, build no objects.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_NODES = MAX_YAML_NODES  # bound on alias expansion ("billion laughs")


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


def _open_quote(text: str, err: yaml.MarkedYAMLError) -> tuple[int, int, str] | None:
    """Line, column and quote of a quoted value that ran on to the YAML error (qa6 N7:
    `title: "Privacy Policy` whose quote a later line's quote closes, the error then there):
    the value the scanner read last before the error, quoted and over several lines and
    ending on the error's line, or a quoted value never closed. A valid value over several
    lines followed by other keys is none (review7 F13); the scan is the parser's own, linear."""
    mark = err.problem_mark
    if err.context == "while scanning a quoted scalar" and err.context_mark is not None:
        start = err.context_mark
        return start.line + 1, start.column + 1, text[start.index:start.index + 1] or '"'
    if mark is None:
        return None
    last = None
    try:
        for token in yaml.scan(text, Loader=_SAFE_LOADER):
            if (token.start_mark.line, token.start_mark.column) >= (mark.line, mark.column):
                break
            last = token
    except yaml.YAMLError:
        pass
    if (isinstance(last, yaml.ScalarToken) and last.style in ('"', "'")
            and last.start_mark.line < last.end_mark.line == mark.line):
        return last.start_mark.line + 1, last.start_mark.column + 1, last.style
    return None


def load_bytes(data: bytes, shown: str, shared: tuple[Variable, ...] = ()) -> Document:
    """Validate a source's bytes; shown is the path diagnostics name."""
    text = utf8(data, shown, "save it as UTF-8")
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
        opened = _open_quote(text, err)
        if opened is not None:  # qa6 N7: the error is where the quoted value ran on to
            problem += (f" (the quote {opened[2]} opened at line {opened[0]}, column {opened[1]} "
                        "is not closed on its line: the value runs on to here)")
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



class _Loader(_BlockReader):
    """The whole document: meta, sections (the blocks, variables, history and node checks
    are in the base classes, one module each)."""

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
        keywords = self.keywords(f.get("keywords"))
        names = tuple(name for i, n in enumerate(self.sequence(f.get("names"), "names", "names"))
                      if (name := self.scalar(n, f"names[{i}]", "a name")))
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
        # Whether the file is there is the project's question (project/sources.py): a
        # reader sees bytes, not the folder they came from.
        reference_at = self.loc(f["reference_docx"]) if reference_docx is not None else None
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
                    changes, numbering, reference_at, names, self.loc(f["id"]),
                    self.loc(f["source_locale"]))
        return Document(meta, variables, sections, self.path, self.digest, preamble,
                        tuple(self.diag.warnings))

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
