"""The shipped documents built once (HTML and DOCX, every locale) for the import tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.build import BuildOptions, build
from tests.helpers import ROOT

SOURCES = sorted((ROOT / "source").glob("*.yaml"))


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shipped")
    build(SOURCES, BuildOptions(out=out, formats=("html", "docx"), jobs=1))
    return out
