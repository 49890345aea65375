"""Fixtures shared by the localization tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import FIXTURES


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the fixture project (source, catalogs, config) to edit freely."""
    dest = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", dest)
    return dest
