"""PO files as gettext reads and writes them: decoding by the header's charset, located
errors (as msgfmt gives), files that are not catalogs, and gettext's own layout."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from compiler.errors import CompilerError
from compiler.i18n import catalogs, pofile
from compiler.i18n.catalogs import read_po
from compiler.limits import MAX_CATALOG_BYTES
from tests.helpers import FIXTURES, ROOT

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset={charset}\\n"\n'
          '"Language: de\\n"\n\n')


def parse_error(data: bytes) -> str:
    with pytest.raises(CompilerError) as info:
        pofile.parse(data, "x.po")
    return str(info.value)


def test_latin1_catalog_is_decoded_as_its_header_says() -> None:
    data = (HEADER.format(charset="ISO-8859-1") + 'msgid "Scope"\nmsgstr "Geltungsbereich für"\n'
            ).encode("latin-1")
    po = pofile.parse(data, "x.po")
    assert po.messages[0].msgstr == "Geltungsbereich für"


def test_utf8_bytes_under_a_latin1_header_are_an_error_not_mojibake() -> None:
    data = (HEADER.format(charset="ISO-8859-1") + 'msgid "Scope"\nmsgstr "Geltungsbereich für"\n'
            ).encode("utf-8")
    assert parse_error(data) == ("x.po:7: error: the header says charset=ISO-8859-1, but the "
                                 "text is UTF-8 (it would read as mojibake); say charset=UTF-8 "
                                 "in the Content-Type header")


def test_unknown_charset_is_a_located_error() -> None:
    data = (HEADER.format(charset="KLINGON-8") + 'msgid "a"\nmsgstr "b"\n').encode()
    assert parse_error(data) == ("x.po:3: error: unknown charset 'KLINGON-8' in the "
                                 "Content-Type header (expected UTF-8)")


def test_bytes_not_in_the_declared_charset() -> None:
    data = (HEADER.format(charset="UTF-8") + 'msgid "a"\nmsgstr "').encode() + b'\xff"\n'
    assert parse_error(data).startswith("x.po:7: error: text is not valid UTF-8")


def test_duplicate_msgid_is_an_error_at_the_second_definition() -> None:
    data = (HEADER.format(charset="UTF-8") + 'msgctxt "s"\nmsgid "a"\nmsgstr "b"\n\n'
            'msgctxt "s"\nmsgid "a"\nmsgstr "c"\n').encode()
    assert parse_error(data) == ("x.po:11: error: PO syntax error: duplicate message definition "
                                 "(first defined at line 7; msgfmt rejects such a file)")
    path = Path("/tmp") / f"dup-{os.getpid()}.po"
    path.write_bytes(data)
    try:
        msgfmt = subprocess.run(["msgfmt", "-o", "/dev/null", str(path)], capture_output=True,
                                text=True, check=False)
    finally:
        path.unlink()
    assert msgfmt.returncode != 0 and ":11: duplicate message definition" in msgfmt.stderr


def test_same_msgid_in_two_contexts_is_fine() -> None:
    data = (HEADER.format(charset="UTF-8") + 'msgctxt "s"\nmsgid "a"\nmsgstr "b"\n\n'
            'msgctxt "t"\nmsgid "a"\nmsgstr "c"\n').encode()
    assert len(pofile.parse(data, "x.po").messages) == 2


def test_syntax_error_names_line_and_quotes_nothing() -> None:
    with pytest.raises(CompilerError) as info:
        read_po(FIXTURES / "po" / "broken-syntax.po")
    assert str(info.value) == ("tests/fixtures/po/broken-syntax.po:11: error: PO syntax error: "
                               "expected a string in double quotes")


@pytest.mark.parametrize("text", [
    'msgid "a"\nmsgid "b"\nmsgstr ""\n',
    'msgstr "b"\n',
    'msgid "a"\nmsgstr "b" x\n',
    'msgid "a\\q"\nmsgstr ""\n',
    'msgid "a"\nmsgstr[0] "b"\n',
    'msgid "a"\n',
    '"stray"\n',
])
def test_malformed_entries_are_located_errors(text: str) -> None:
    message = parse_error((HEADER.format(charset="UTF-8") + text).encode())
    assert message.startswith("x.po:") and ": error: PO syntax error: " in message


def test_symlink_out_of_the_project_is_refused_and_never_printed(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "locales" / "de" / "LC_MESSAGES").mkdir(parents=True)
    link = project / "locales" / "de" / "LC_MESSAGES" / "x.po"
    link.symlink_to("/proc/self/environ")
    os.environ["POLICYC_TEST_SECRET"] = "s3cr3t-token"
    try:
        with pytest.raises(CompilerError) as info:
            read_po(link, project)
        assert "s3cr3t" not in str(info.value)
        assert "outside the project folder" in str(info.value)
        # even without a project root: a /proc file is no regular file; nothing quoted
        with pytest.raises(CompilerError) as info:
            read_po(link)
        assert "s3cr3t" not in str(info.value) and "not a regular file" in str(info.value)
    finally:
        del os.environ["POLICYC_TEST_SECRET"]


def test_fifo_and_oversized_catalogs_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.po"
    os.mkfifo(fifo)
    with pytest.raises(CompilerError, match="not a regular file"):
        read_po(fifo, tmp_path)
    big = tmp_path / "big.po"
    with big.open("wb") as fh:
        fh.truncate(MAX_CATALOG_BYTES + 1)
    with pytest.raises(CompilerError, match="larger than 8 MiB"):
        read_po(big, tmp_path)


def test_a_non_po_file_is_an_error_without_its_content(tmp_path: Path) -> None:
    secret = tmp_path / "x.po"
    secret.write_text("GITHUB_TOKEN=ghp_abcdef\nAWS_SECRET=xyz\n")
    with pytest.raises(CompilerError) as info:
        read_po(secret, tmp_path)
    assert "ghp_" not in str(info.value) and "AWS" not in str(info.value)
    assert str(info.value).endswith("x.po:1: error: PO syntax error: expected a keyword "
                                    "(msgctxt, msgid, msgid_plural, msgstr) followed by a quoted "
                                    "string, or a comment")


def test_writer_is_gettext_layout_for_every_shipped_catalog() -> None:
    for path in sorted((ROOT / "locales").rglob("*.po*")):
        data = path.read_bytes()
        assert pofile.write(pofile.parse(data, str(path))) == data, path
        same = subprocess.run(["msgcat", "--no-wrap", str(path)], capture_output=True,
                              check=True).stdout
        assert same == data, path


def test_reader_reads_gettext_wrapped_output_back() -> None:
    path = ROOT / "locales" / "ja" / "LC_MESSAGES" / "privacy-policy.po"
    wrapped = subprocess.run(["msgcat", "-w", "40", str(path)], capture_output=True,
                             check=True).stdout
    assert pofile.write(pofile.parse(wrapped, "w.po")) == path.read_bytes()


def test_previous_msgid_and_obsolete_entries_round_trip() -> None:
    text = (HEADER.format(charset="UTF-8")
            + '#, fuzzy, python-brace-format\n#| msgctxt "old"\n#| msgid ""\n'
              '#| "first line\\n"\n#| "second"\nmsgctxt "s"\nmsgid "new {x}"\nmsgstr "neu {x}"\n\n'
              '# kept note\n#, fuzzy\n#~| msgid "older"\n#~ msgctxt "s"\n#~ msgid "gone"\n'
              '#~ msgstr "weg"\n')
    po = pofile.parse(text.encode(), "x.po")
    m = po.messages[0]
    assert (m.previous_context, m.previous_msgid, m.flags) == (
        "old", "first line\nsecond", ["fuzzy", "python-brace-format"])
    gone = po.obsolete[0]
    assert (gone.msgid, gone.msgstr, gone.previous_msgid, gone.translator_comments) == (
        "gone", "weg", "older", ["kept note"])
    assert pofile.write(po).decode() == text


PLURALS_BAD = [
    "nplurals=2; plural=(n != 1;",  # the unclosed parenthesis of qa6 D3
    "nplurals=2; plural=n = 1;",
    "nplurals=2; plural=n>1 ? 2 : 0;",  # a value >= nplurals
    "nplurals=2; plural=n/0;",
    "nplurals=x; plural=0;",
    "nplurals=0; plural=0;",
    "nplurals=2; plural=(n != 1) ? 1 :;",
    "nplurals=2; plural=__import__('os') and 1;",
]
PLURALS_GOOD = [
    "nplurals=2; plural=(n != 1);",
    "nplurals=1; plural=0;",
    "nplurals=2; plural=(n != 1)",  # no final ';': msgfmt accepts it
    "nplurals=3; plural=n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 || n%100>=20) ? 1 : 2;",
    "nplurals=2; plural=!(n == 1);",
]


def _plural_po(value: str) -> bytes:
    return (HEADER.format(charset="UTF-8").replace(
        '"Language: de\\n"\n', f'"Language: de\\n"\n"Plural-Forms: {value}\\n"\n')
        + 'msgid "a"\nmsgstr "b"\n').encode()


def _msgfmt_accepts(data: bytes, tmp_path: Path) -> bool:
    path = tmp_path / "plural.po"
    path.write_bytes(data)
    return subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)],
                          capture_output=True, check=False).returncode == 0


@pytest.mark.parametrize("value", PLURALS_BAD)
def test_a_bad_plural_forms_header_is_an_error_at_its_line(value: str, tmp_path: Path) -> None:
    data = _plural_po(value)
    assert not _msgfmt_accepts(data, tmp_path)  # the independent verdict
    message = parse_error(data)
    assert message.startswith("x.po:5: error: bad Plural-Forms header: "), message
    assert "expected" in message


@pytest.mark.parametrize("value", [*PLURALS_GOOD, *catalogs.PLURAL_FORMS.values()])
def test_plural_forms_msgfmt_accepts_are_accepted(value: str, tmp_path: Path) -> None:
    data = _plural_po(value)
    assert _msgfmt_accepts(data, tmp_path)
    assert pofile.parse(data, "x.po").field("Plural-Forms") == value
