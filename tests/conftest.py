"""Shared builds: each is made once per test worker and read by independent tools."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.build import BuildOptions, build
from tests.helpers import FIXTURES, POLICY, ROOT


@pytest.fixture(autouse=True, scope="session")
def _project_root() -> None:
    """Paths in diagnostics are relative to the project root, as users run policyc there."""
    os.chdir(ROOT)


@pytest.fixture(scope="session")
def en_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("en")
    build([POLICY], BuildOptions(out=out, locales=("en",)))
    return out


@pytest.fixture(scope="session")
def table_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("table")
    build([FIXTURES / "project" / "source" / "retention-schedule.yaml"],
          BuildOptions(out=out, locales=("en",)))
    return out
