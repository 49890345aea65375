"""Property tests over the readers of untrusted text: whatever the input, the loader, the
inline parser and the PO reader either succeed or raise a located CompilerError -- never
another exception, never a hang (each example has a deadline, the test a bounded count)."""

from __future__ import annotations

import contextlib
import datetime as dt

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.errors import CompilerError
from compiler.i18n.catalogs import parse_translations
from compiler.inline import parse_inline
from compiler.readers.yaml import load_text

BOUNDED = settings(max_examples=150, deadline=dt.timedelta(seconds=2),
                   suppress_health_check=[HealthCheck.too_slow])
# Characters that matter to the grammars, plus the hostile ones (controls, bidi, U+FFFE).
TRICKY = st.sampled_from([*"*[](){}\\_@:./#-\n\t ", "**", "](", "http://", "https://",
                         "mailto:", "javascript:", "\x00", "\x1b", "\x0c", "\u202e", "\ufffe",
                         "\ud7ff", "é", "ع", "語", "{name}", "\\{"])
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=8)), max_size=60).map("".join)


@BOUNDED
@given(TEXT)
def test_inline_parser_never_crashes(text: str) -> None:
    nodes, errors = parse_inline(text)
    assert isinstance(nodes, tuple)
    assert all(0 <= e.offset <= len(text) for e in errors)
    assert len(errors) <= 21


VALID = {
    "id": "p", "title": "Policy", "version": "1.0.0", "updated": "2025-01-01",
    "effective": "2025-01-01", "source_locale": "en", "locales": ["en"], "organization": "O",
    "variables": {"mail": {"email": "a@b.example"}, "site": "https://x.example/"},
    "sections": [{"id": "a", "title": "A", "blocks": ["Text with {mail}.",
                                                       {"bullets": ["one", {"term": "t",
                                                                            "text": "x"}]}]}],
}
SCALARS = st.one_of(TEXT, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
        ["id", "title", "text", "blocks", "sections", "bullets", "items", "term", "cta", "href",
         "table", "rows", "header", "note", "kind", "email", "url", "x"]), inner, max_size=4)),
    max_leaves=20)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A valid document with one value replaced by anything, dumped as YAML; or raw text."""
    if draw(st.booleans()):
        return draw(TEXT)
    doc = yaml.safe_load(yaml.safe_dump(VALID))
    path = draw(st.sampled_from([("title",), ("variables", "site"), ("sections",),
                                 ("sections", 0, "blocks"), ("sections", 0, "title"),
                                 ("locales",), ("variables", "mail"), ("base_url",)]))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = draw(VALUES)
    return yaml.safe_dump(doc, allow_unicode=draw(st.booleans()))


@BOUNDED
@given(documents())
def test_loader_never_crashes(text: str) -> None:
    try:
        load_text(text, "s.yaml")
    except CompilerError as err:
        assert err.diagnostics and all(d.loc.path == "s.yaml" for d in err.diagnostics)


HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Language: de\\n"\n\n')
PO_LINES = st.one_of(
    st.builds(lambda c, i, s: f'msgctxt "{c}"\nmsgid "{i}"\nmsgstr "{s}"\n',
              TEXT, TEXT, TEXT),
    st.sampled_from(['#, fuzzy\n', '#| msgid "old"\n', 'msgid "a"\nmsgstr[0] "b"\n', '"\n',
                     'msgid_plural "x"\n', '#~ msgid "gone"\n', 'msgstr "\\x"\n', '\n']),
    TEXT)


@BOUNDED
@given(st.lists(PO_LINES, max_size=12).map("".join), st.booleans())
def test_po_reader_never_crashes(body: str, header: bool) -> None:
    data = ((HEADER if header else "") + body).encode("utf-8", "surrogatepass")
    try:
        parse_translations(data, "de.po", "de")
    except CompilerError as err:
        assert err.diagnostics and all(d.loc.path == "de.po" for d in err.diagnostics)


@BOUNDED
@given(st.binary(max_size=300))
def test_po_reader_never_crashes_on_bytes(data: bytes) -> None:
    with contextlib.suppress(CompilerError):
        parse_translations(data, "de.po", "de")


def test_hypothesis_writes_nothing_into_the_repository() -> None:
    """tests/conftest.py keeps Hypothesis's files out of the repository (the tests run there):
    no example database, and its storage (Unicode tables, ...) under a temporary folder."""
    from hypothesis.configuration import storage_directory

    from tests.helpers import ROOT

    assert settings.default.database is None
    home = storage_directory(intent_to_write=False).home_directory.resolve()
    assert not home.is_relative_to(ROOT), home
    had = (ROOT / ".hypothesis").exists()

    @settings(max_examples=5)
    @given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1))  # reads Unicode tables
    def prop(text: str) -> None:
        assert text

    prop()
    assert (ROOT / ".hypothesis").exists() == had
