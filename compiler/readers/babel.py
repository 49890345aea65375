"""Babel's extractor interface (entry points in pyproject.toml): `pybabel extract` on policy
sources and on the template words, giving the messages `policyc extract` writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from compiler.errors import display_path
from compiler.i18n.extract import document_messages, ui_messages
from compiler.readers.yaml import load_text


def babel_extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                  options: dict[str, Any]) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """`pybabel extract` support for policy sources: yields pgettext-style (context, msgid)."""
    name = getattr(fileobj, "name", "<source>")
    text = fileobj.read().decode("utf-8")
    doc = load_text(text, display_path(name))
    for m in document_messages(doc):
        yield m.line, "pgettext", (m.context, m.msgid), list(m.comments)


def babel_extract_ui(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                     options: dict[str, Any]) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """`pybabel extract` support for the template words declared in compiler/i18n/ui.py."""
    for m in ui_messages():
        yield m.line, "pgettext", (m.context, m.msgid), list(m.comments)
