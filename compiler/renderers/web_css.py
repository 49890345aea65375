"""A project's web.css read as a browser's CSS parser reads it: its syntax errors located in
the file.

Browsers skip what they cannot parse without a word: a declaration without its ':', a
string or url() left open, a stray ')' or '}', a block never closed (which swallows the
rest of the file). The HTML pages' sheet is parsed here with tinycss2 (CSS Syntax Level 3,
nested rules included; WeasyPrint's own parser, so no new dependency, and WeasyPrint itself
is not imported) and each such place becomes a warning at `templates/css/web.css:LINE:COL`.
Property names and values are a browser's to judge (they know more than any list here):
only what no browser can read is reported. The built-in web.css and the brand's generated
CSS give none: a test keeps it so.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from compiler.errors import Category, Diagnostic, Loc, Severity

# at-rules whose block holds rules (the others': declarations, or nested rules in them)
_RULE_LISTS = frozenset({"media", "supports", "container", "layer", "scope", "document",
                         "starting-style"})
_TOKENS = {"}": "a '}' that closes nothing", ")": "a ')' that closes nothing",
           "]": "a ']' that closes nothing", "bad-string": "a string left open at the end of "
           "its line", "bad-url": "a url( ... ) that cannot be read (a space, quote or "
           "parenthesis inside it: quote the URL)"}
_DECLARATION = ("expected 'property: value' (a declaration without its ':', or a nested "
                "rule without its { } block)")
_RULE = {"Stop token reached before {} block for a qualified rule.": "a selector without its "
         "{ } block", "EOF reached before {} block for a qualified rule.": "a selector without "
         "its { } block", "EOF reached before {} block for an at-rule.": "an at-rule without "
         "its ';' or { } block"}


def check(path: Path, text: str) -> tuple[Diagnostic, ...]:
    """The places of the stylesheet `text` (read from `path`) no browser can read."""
    import tinycss2

    from compiler.errors import display_path

    shown = display_path(path)
    found: list[Diagnostic] = []

    def say(node: Any, why: str) -> None:
        found.append(Diagnostic(Loc(shown, node.source_line, node.source_column),
                                f"CSS syntax error: {why}; browsers ignore it",
                                Severity.WARNING, Category.SYNTAX))

    def tokens(values: Iterable[Any]) -> None:
        for token in values:
            if token.type == "error":
                say(token, _TOKENS.get(token.kind, token.message))
            elif token.type in ("() block", "[] block", "{} block", "function"):
                tokens(token.arguments if token.type == "function" else token.content)

    def contents(nodes: Iterable[Any], raw: list[Any], declarations: bool) -> None:
        starts = _starts(raw)
        for node in nodes:
            if node.type == "error":  # at the end of what it skips: shown where that starts
                why = _DECLARATION if declarations and "{} block" in node.message else \
                    _RULE.get(node.message, node.message.rstrip("."))
                say(starts.get((node.source_line, node.source_column), node), why)
            elif node.type == "declaration":
                tokens(node.value)
            elif node.type in ("qualified-rule", "at-rule"):
                tokens(node.prelude)
                if node.content is None:
                    continue
                if node.type == "at-rule" and node.lower_at_keyword in _RULE_LISTS:
                    contents(tinycss2.parse_rule_list(node.content, skip_comments=True,
                                                      skip_whitespace=True), node.content, False)
                else:
                    contents(tinycss2.parse_blocks_contents(node.content, skip_comments=True,
                                                            skip_whitespace=True), node.content,
                             True)

    contents(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True),
             tinycss2.parse_component_value_list(text, skip_comments=True), False)
    open_block = unclosed(text)
    if open_block is not None:
        found.append(Diagnostic(Loc(shown, *open_block),
                                "this block is never closed: the rest of the file is read "
                                "inside it (add its '}')", Severity.WARNING, Category.SYNTAX))
    return tuple(sorted(set(found), key=lambda d: (d.loc, d.message)))


def _starts(raw: list[Any]) -> dict[tuple[int, int], Any]:
    """Where tinycss2 reports what it skipped (the ';' that ends it, or the last token
    before the end) -> the first token of what it skipped; what ends a part is a ';' or a
    { } block."""
    starts: dict[tuple[int, int], Any] = {}
    first = last = None
    for token in raw:
        last = token
        if token.type == "literal" and token.value == ";":
            starts[(token.source_line, token.source_column)] = first or token
            first = None
        elif token.type == "{} block":
            first = None
        elif first is None and token.type not in ("whitespace", "comment"):
            first = token
    if first is not None and last is not None:
        starts[(last.source_line, last.source_column)] = first
    return starts


def unclosed(text: str) -> tuple[int, int] | None:
    """Line and column of the outermost block still open at the end of `text`, if any.

    tinycss2 (CSS Syntax) closes open blocks at the end silently, as browsers do. A '}'
    added after the text stays a top-level token when nothing is open; otherwise a block
    swallows it.
    """
    import tinycss2

    nodes = [n for n in tinycss2.parse_component_value_list(text + "\n}", skip_comments=True)
             if n.type != "whitespace"]
    last = nodes[-1] if nodes else None
    if last is None or (last.type == "error" and last.kind == "}"):  # the stray '}'
        return None
    top = [n for n in tinycss2.parse_component_value_list(text, skip_comments=True)
           if n.type != "whitespace"]
    block = next((n for n in reversed(top) if n.type in ("() block", "[] block", "{} block",
                                                          "function")), None)
    return (block.source_line, block.source_column) if block is not None else None
