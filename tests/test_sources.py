"""The facts cache: unchanged, valid sources are not parsed again; anything else is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.errors import CompilerError
from compiler.project.sources import read_facts
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
