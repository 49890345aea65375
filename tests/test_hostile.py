"""The hostile-input corpus: every case is refused with its located error, never a crash.

tests/fixtures/hostile/ holds one small file per attack (first line: the expected
diagnostic); the generated cases (too large to commit) are built here. Each must raise
CompilerError, the class of user mistakes: nothing reaches the internal-error guard.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from compiler.errors import CompilerError
from compiler.project.sources import check_sources
from tests.helpers import FIXTURES

SOURCES = sorted((FIXTURES / "hostile").glob("*.yaml")) + sorted((FIXTURES / "invalid").glob("*.yaml"))


def _expect(path: Path) -> tuple[str, str, str]:
    first = path.read_bytes().splitlines()[0].decode("utf-8")
    m = re.fullmatch(r"# expect: (\d+):(\d+): (.+)", first)
    assert m, f"{path} must start with '# expect: LINE:COL: message'"
    return m.group(1), m.group(2), m.group(3)


@pytest.mark.parametrize("path", SOURCES, ids=[f"{p.parent.name}/{p.stem}" for p in SOURCES])
def test_hostile_source_is_a_located_error(path: Path) -> None:
    line, col, message = _expect(path)
    started = time.perf_counter()
    with pytest.raises(CompilerError) as info:
        check_sources([path])
    assert time.perf_counter() - started < 5
    rendered = [str(d) for d in info.value.diagnostics]
    wanted = f"{path.relative_to(Path.cwd())}:{line}:{col}: error: "
    assert any(r.startswith(wanted) and message in r for r in rendered), rendered
    assert not any("\x1b" in r or "\n" in r for r in rendered)


HEAD = """id: big
title: Big
version: 1.0.0
updated: 2025-01-01
effective: 2025-01-01
source_locale: en
locales: [en]
organization: Org
"""


def _check(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "big.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    started = time.perf_counter()
    with pytest.raises(CompilerError) as info:
        check_sources([path])
    assert time.perf_counter() - started < 10
    return [str(d) for d in info.value.diagnostics]


def test_oversized_source_is_refused_before_parsing(tmp_path: Path) -> None:
    from compiler.limits import MAX_SOURCE_BYTES

    found = _check(tmp_path, HEAD + "# " + "x" * MAX_SOURCE_BYTES + "\n")
    assert found == [f"{tmp_path / 'big.yaml'}: error: source is larger than 2 MiB (the limit "
                     "for a source; see README, Security model)"]


def test_too_many_blocks_is_one_located_error(tmp_path: Path) -> None:
    from compiler.limits import MAX_BLOCKS

    bullets = "".join(f"          - item {i}\n" for i in range(MAX_BLOCKS + 10))
    found = _check(tmp_path, HEAD + "sections:\n  - id: a\n    title: A\n    blocks:\n"
                   "      - bullets:\n" + bullets)
    assert len(found) == 1 and f"more than {MAX_BLOCKS} blocks (sections" in found[0]
    assert f"big.yaml:{12 + MAX_BLOCKS}:13: error:" in found[0]  # the section and list count


def test_megabyte_word_checks_quickly(tmp_path: Path) -> None:
    word = "a" * 1_000_000
    text = HEAD + f"sections:\n  - id: a\n    title: A\n    blocks:\n      - {word}x@y\n"
    path = tmp_path / "word.yaml"
    path.write_text(text)
    started = time.perf_counter()
    assert check_sources([path]) == 1
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "proc-environ", "folder"])
def test_source_that_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    import os

    path = tmp_path / "s.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":  # a folder named like a source, found by discovery
        path.mkdir()
        path = tmp_path
    else:
        path.symlink_to("/dev/zero" if kind == "dev-zero" else "/proc/self/environ")
    started = time.perf_counter()
    with pytest.raises(CompilerError) as info:
        check_sources([path])
    assert time.perf_counter() - started < 5
    message = str(info.value)
    assert "source is not a regular file" in message
    assert "PATH=" not in message and "HOME=" not in message


def test_diagnostics_escape_terminal_sequences() -> None:
    from compiler.errors import Diagnostic, Loc

    d = Diagnostic(Loc("s\x1b[2J.yaml", 1, 2), "unknown key 'a\x1b[31m\nforged: error: x\u202e'")
    assert str(d) == ("s\\x1b[2J.yaml:1:2: error: unknown key "
                      "'a\\x1b[31m\\nforged: error: x\\u202e'")


CATALOGS = sorted((FIXTURES / "hostile" / "catalogs").glob("*.po"))


@pytest.mark.parametrize("po", CATALOGS, ids=[p.stem for p in CATALOGS])
def test_hostile_catalog_is_a_located_error(tmp_path: Path, po: Path) -> None:
    """A vendor's catalog: the build refuses it at its PO line, and writes nothing of it."""
    import shutil

    from compiler.build import BuildOptions, build

    project = tmp_path / "p"
    shutil.copytree(FIXTURES / "project", project)
    target = project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"
    shutil.copy(po, target)
    m = re.fullmatch(r"# expect: (\d+): (.+)", po.read_text(encoding="utf-8").splitlines()[0])
    assert m, f"{po} must start with '# expect: LINE: message'"
    with pytest.raises(CompilerError) as info:
        build([project / "source" / "retention-schedule.yaml"],
              BuildOptions(out=project / "dist", locales=("de",), formats=("html",)))
    rendered = [str(d) for d in info.value.diagnostics]
    assert any(r.startswith(f"{target}:{m.group(1)}: error: ") and m.group(2) in r
               for r in rendered), rendered
    assert not any("\x1b" in r or "\n" in r for r in rendered)
    assert not (project / "dist" / "de").exists()


def test_stamp_label_is_never_formatted() -> None:
    """Only the literal {signer} and {date} are substituted in a (translated) stamp label."""
    import datetime as dt

    from compiler.signing.pades import stamp_text

    when = dt.datetime(2025, 1, 31, tzinfo=dt.UTC)
    text = stamp_text("{signer.__class__.__mro__} {signer:>30000000} 100% {signer} {date}",
                      "A", when, "en")
    assert text == "{signer.__class__.__mro__} {signer:>30000000} 100% A January 31, 2025"


def test_corpus_through_the_command_line_never_reaches_the_guard() -> None:
    """The whole corpus in one `policyc check`: located errors and exit 1, never exit 70."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    proc = subprocess.run([sys.executable, "-m", "compiler", "check", *map(str, SOURCES)],
                          cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 1
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert "\x1b" not in proc.stderr
    for path in SOURCES:
        line, col, _ = _expect(path)
        assert f"{path.relative_to(ROOT)}:{line}:{col}: error: " in proc.stderr, path


@pytest.mark.parametrize("shape", ["sections", "table-cells"])
def test_too_many_sections_or_cells_is_one_located_error(tmp_path: Path, shape: str) -> None:
    from compiler.limits import MAX_BLOCKS

    if shape == "sections":
        body = "sections:\n" + "".join(f"  - {{id: s{i}, title: S, blocks: []}}\n"
                                       for i in range(MAX_BLOCKS + 5))
    else:
        row = "[" + ", ".join(["c"] * 100) + "]"
        body = ("sections:\n  - id: a\n    title: A\n    blocks:\n      - table:\n"
                f"          header: {row}\n          rows:\n"
                + "".join(f"            - {row}\n" for _ in range(MAX_BLOCKS // 100 + 1)))
    found = _check(tmp_path, HEAD + body)
    assert [f for f in found if f"more than {MAX_BLOCKS} blocks" in f] == found[:1]


def test_aliases_repeating_long_text_are_refused_before_parsing(tmp_path: Path) -> None:
    body = ("x: &long \"" + "word " * 200_000 + "\"\nsections:\n  - id: a\n    title: A\n"
            "    blocks:\n" + "".join("      - *long\n" for _ in range(1000)))
    found = _check(tmp_path, HEAD + body)
    assert len(found) == 1 and "document expands to more than" in found[0]
    assert "characters of text" in found[0]


def test_huge_translation_used_many_times_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A vendor's huge msgstr for a sentence the source repeats 50 times (the limit is
    lowered here so the test stays quick; the rule is the same)."""
    from compiler.errors import Loc
    from compiler.i18n import localize as module
    from compiler.i18n.catalogs import Entry, Translations
    from compiler.readers.yaml import load_text

    monkeypatch.setattr(module, "MAX_EXPANDED_CHARS", 100_000)
    doc = load_text(HEAD.replace("locales: [en]", "locales: [en, de]") + "sections:\n"
                    "  - id: a\n    title: A\n    blocks:\n"
                    + "      - Same sentence.\n" * 50, "s.yaml")
    huge = "Satz " * 8_000  # 40,000 characters: the third use crosses 100,000
    catalog = Translations("de.po", "de", {("a", "Same sentence."): Entry(huge, False,
                                                                          Loc("de.po", 7))})
    _, diag = module.localize(doc, "de", catalog)
    errors = [str(d) for d in diag.errors]
    assert len(errors) == 1 and errors[0].startswith("de.po:7: error: translations make the "
                                                     "document longer than 100000 characters")


def test_huge_source_in_git_history_is_refused_unread(tmp_path: Path) -> None:
    """`policyc diff git:REV:PATH`: git is asked for the blob's size before reading it."""
    import subprocess

    from compiler.limits import MAX_SOURCE_BYTES
    from compiler.redline.revisions import read_revision

    (tmp_path / "source").mkdir()
    big = tmp_path / "source" / "big.yaml"
    big.write_text(HEAD + "# " + "x" * MAX_SOURCE_BYTES + "\n")
    git = ["git", "-C", str(tmp_path), "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "big"], check=True)
    with pytest.raises(CompilerError, match=r"git:HEAD:source/big\.yaml: error: source is "
                       r"larger than 2 MiB"):
        read_revision("git:HEAD:source/big.yaml", cwd=tmp_path)
