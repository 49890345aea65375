"""The facts cache: unchanged, valid sources are not parsed again; anything else is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.errors import CompilerError
from compiler.project.sources import read_document, read_facts
from compiler.readers import read_bytes
from compiler.readers import yaml as loader
from tests.helpers import FIXTURES


@pytest.fixture
def source(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "project", tmp_path / "p")
    return tmp_path / "p" / "source" / "retention-schedule.yaml"


def test_valid_unchanged_source_is_not_parsed_again(source: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    facts, doc = read_facts(source)
    assert doc is not None and facts.id == "retention-schedule"
    assert facts.locales == ("en", "de")

    def boom(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(loader, "load_bytes", boom)
    again, doc2 = read_facts(source)
    assert doc2 is None and again == facts


def test_edited_or_invalid_source_is_validated(source: Path) -> None:
    read_facts(source)
    source.write_text(source.read_text().replace("title: Scope", "titel: Scope"))
    with pytest.raises(CompilerError, match="unknown key 'titel'"):
        read_facts(source)
    with pytest.raises(CompilerError, match="unknown key 'titel'"):
        read_facts(source)  # errors are never cached


def _plant(cache: Path, source: Path, entry: dict[str, object], mode: int = 0o644) -> None:
    """What an attacker with write access to a shared folder could leave there."""
    import hashlib
    import json

    from compiler.project.sources import code_digest

    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    cache.mkdir(parents=True, exist_ok=True)
    from compiler.errors import display_path

    entries = {f"{key}:{digest}": {"path": display_path(source), "digest": digest,
                                   "id": "../../../escaped", "version": "1.0.0",
                                   "source_locale": "en", "locales": ["en"], "page_size": "A4",
                                   "base_url": None, "reference_docx": None, "warnings": [],
                                   **entry}
               for key in (str(source), str(source.resolve()), display_path(source))}
    (cache / "sources.json").write_text(json.dumps({"code": code_digest(), "entries": entries}))
    (cache / "sources.json").chmod(mode)


def test_planted_cache_beside_a_stray_source_is_never_read(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A source outside a project: its cache is the user's, not <source>/../../.policyc-cache."""
    from compiler.build import BuildOptions, build
    from compiler.project.layout import cache_dir

    monkeypatch.delenv("POLICYC_CACHE_DIR", raising=False)  # the rule without the tests' override
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "usercache"))
    shared = tmp_path / "shared"
    stray = shared / "drafts" / "policy.yaml"
    stray.parent.mkdir(parents=True)
    stray.write_text((FIXTURES / "invalid" / "unknown-key.yaml").read_text())
    _plant(shared / ".policyc-cache", stray, {})
    assert cache_dir(stray) == tmp_path / "usercache" / "policyc"
    with pytest.raises(CompilerError, match="unknown key"):
        read_facts(stray)
    with pytest.raises(CompilerError, match="unknown key"):
        build([stray], BuildOptions(out=tmp_path / "out", formats=("html",)))
    assert not (tmp_path / "escaped.html").exists() and not list(tmp_path.rglob("escaped*"))


@pytest.mark.parametrize("entry", [{"id": "../../../escaped"}, {"locales": ["../../x"]},
                                   {"base_url": "javascript:alert(1)"},
                                   {"reference_docx": "/etc/passwd"}, {"path": "other.yaml"}])
def test_planted_entry_in_a_project_cache_is_validated(source: Path, entry: dict[str, object],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Even in the project's own cache, an entry is used only if the reader would agree."""
    from compiler.project.layout import cache_dir

    _plant(cache_dir(source), source, entry)
    facts, doc = read_facts(source)
    assert doc is not None  # validated again, not taken from the cache
    assert facts.id == "retention-schedule" and facts.locales == ("en", "de")


def test_cache_writable_by_others_is_ignored(source: Path) -> None:
    from compiler.project.layout import cache_dir

    facts, _ = read_facts(source)
    same = {"id": facts.id, "locales": list(facts.locales), "version": facts.version}
    _plant(cache_dir(source), source, same, mode=0o644)
    assert read_facts(source)[1] is None  # a sound entry of ours is used
    _plant(cache_dir(source), source, same, mode=0o666)
    assert read_facts(source)[1] is not None


def test_the_cache_stays_out_of_the_sources_folder(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """With POLICYC_CACHE_DIR (as the tests set it) nothing is written beside the sources."""
    from compiler.project.layout import CACHE_DIR

    monkeypatch.setenv("POLICYC_CACHE_DIR", str(tmp_path / "cache"))
    fixture = FIXTURES / "project"
    read_facts(fixture / "source" / "retention-schedule.yaml")
    assert (tmp_path / "cache" / "sources.json").is_file()
    assert not (fixture / CACHE_DIR).exists()


def test_a_missing_reference_docx_is_found_with_the_cache_warm_or_cold(source: Path) -> None:
    """The reader only sees bytes; the project checks the file the source names, on every
    read: a cached source whose reference document was deleted since fails too, at the
    name's place in the source."""
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("\nsections:", "\nreference_docx: corporate.docx\nsections:", 1),
                      encoding="utf-8")
    line = source.read_text(encoding="utf-8").splitlines().index(
        "reference_docx: corporate.docx") + 1
    reference = source.parent / "corporate.docx"
    shutil.copy(FIXTURES.parent.parent / "templates" / "docx" / "reference.docx", reference)
    facts, doc = read_facts(source)
    assert doc is not None and facts.reference_docx == "corporate.docx"
    assert read_facts(source)[1] is None  # cached
    reference.unlink()
    for _ in range(2):  # cached facts, then the same again
        with pytest.raises(CompilerError) as info:
            read_facts(source)
        assert [str(d) for d in info.value.diagnostics] == [
            f"{source}:{line}:17: error: reference_docx: file 'corporate.docx' not found "
            "(expected a .docx path relative to this source file)"]
    with pytest.raises(CompilerError, match=f":{line}:17: error: reference_docx: file"):
        read_document(source)
    assert read_bytes(source.read_bytes(), source).meta.reference_docx == "corporate.docx"


def test_cache_reached_through_a_link_is_ignored(source: Path, tmp_path: Path) -> None:
    """sources.json is read as the other cache files are (fs.read_cache_json): a link to a
    sound cache elsewhere is not followed (it used to be, through stat)."""
    from compiler.project.layout import cache_dir

    read_facts(source)
    cache = cache_dir(source)
    assert cache is not None
    elsewhere = tmp_path / "elsewhere.json"
    (cache / "sources.json").rename(elsewhere)
    (cache / "sources.json").symlink_to(elsewhere)
    assert read_facts(source)[1] is not None  # validated again, not taken from the link


def test_code_digest_comes_from_the_cache_while_the_code_files_are_untouched(
        source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The facts cache keeps the code's digest with its stamp (every file's path, size,
    times and inode): a process finding the files so reads none of them (#18). An edit, or
    a touch, makes it read and hash them again; a touch keeps the cached facts and records
    the new stamp."""
    import hashlib
    import os

    from compiler import __version__
    from compiler.project import sources

    code = tmp_path / "code"
    (code / "sub").mkdir(parents=True)
    (code / "a.py").write_text("A = 1\n")
    (code / "sub" / "b.py").write_text("B = 2\n")
    (code / "notes.txt").write_text("not code")
    monkeypatch.setattr(sources, "_CODE_ROOT", str(code))
    hashed: list[str] = []
    real_hash = sources._hash_code

    def counted() -> str:
        hashed.append("code")
        return real_hash()

    monkeypatch.setattr(sources, "_hash_code", counted)

    def new_process() -> None:
        sources.code_stamp.cache_clear()
        monkeypatch.setattr(sources, "_KNOWN_CODE", {})
        hashed.clear()

    def expected() -> str:
        h = hashlib.sha256(__version__.encode())
        for rel in ("a.py", "sub/b.py"):
            h.update(rel.encode() + b"\0" + (code / rel).read_bytes())
        return h.hexdigest()

    new_process()
    facts, doc = read_facts(source)
    assert doc is not None and hashed == ["code"] and sources.code_digest() == expected()
    new_process()
    assert read_facts(source) == (facts, None) and hashed == []  # digest from the cache
    assert sources.code_digest() == expected() and hashed == []

    os.utime(code / "a.py", ns=(1, 1))  # touched: hashed again, same code, facts kept
    new_process()
    assert read_facts(source) == (facts, None) and hashed == ["code"]
    new_process()
    assert read_facts(source) == (facts, None) and hashed == []  # new stamp recorded

    (code / "sub" / "b.py").write_text("B = 3\n")  # edited: new digest, facts validated again
    new_process()
    again, doc = read_facts(source)
    assert doc is not None and again == facts and hashed == ["code"]
    assert sources.code_digest() == expected()
    before = sources.code_stamp()
    sources.code_stamp.cache_clear()
    (code / "c.py").write_text("")  # a new module changes the stamp too
    assert sources.code_stamp() != before
