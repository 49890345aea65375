"""Shared builds: each is made once per test worker and read by independent tools."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from compiler.build import BuildOptions, build
from tests.helpers import FIXTURES, POLICY, ROOT


def pytest_configure(config: pytest.Config) -> None:
    """Caches go to a temporary folder, never into tests/fixtures or the repository.

    Hypothesis would write .hypothesis/ into the working directory (the repository root, see
    _project_root): its example database is off (tests are derandomized or bounded, and a
    replayed failure belongs in an @example), and its other files (the Unicode tables it
    caches) go to the temporary folder too.
    """
    import atexit
    import shutil
    import tempfile

    from hypothesis import settings
    from hypothesis.configuration import set_hypothesis_home_dir

    folder = tempfile.mkdtemp(prefix="policyc-cache-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["POLICYC_CACHE_DIR"] = folder
    set_hypothesis_home_dir(Path(folder) / "hypothesis")
    settings.register_profile("policyc", database=None)
    settings.load_profile("policyc")


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


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the fixture project (source, catalogs, config) to edit freely."""
    dest = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", dest)
    return dest
