"""The project's cache folder is decided in one place (project/layout.cache_dir) and refused
there when a cloned or unpacked project brought one that is not ours."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from compiler.project import layout
from tests.helpers import FIXTURES, run_cli


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture project, its caches where a user's build puts them."""
    monkeypatch.delenv("POLICYC_CACHE_DIR", raising=False)  # the rule without the tests' override
    monkeypatch.setattr(layout, "_REFUSED", set())
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    return root


@pytest.mark.parametrize("planted", ["symlink", "another user", "file"])
def test_a_cache_folder_not_ours_is_refused_and_the_build_runs_without(
        planted: str, project: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A .policyc-cache linked elsewhere (~/.ssh, say): nothing is created or read there
    (sources.json, hyphenation patterns, the warm worker's folder); the build succeeds."""
    outside = tmp_path / "outside"
    outside.mkdir()
    cache = project / ".policyc-cache"
    if planted == "symlink":
        cache.symlink_to(outside, target_is_directory=True)
    elif planted == "another user":
        if not hasattr(os, "getuid") or os.getuid() != 0:
            pytest.skip("giving a folder to another user needs root")
        cache.mkdir()
        os.chown(cache, 4242, 4242)
    else:
        cache.write_text("not a folder")
    source = project / "source" / "retention-schedule.yaml"
    assert layout.cache_dir(source) is None
    with caplog.at_level(logging.WARNING):
        code, output = run_cli(project, "build", "--format", "pdf", "--format", "html",
                               "--locale", "de", "--keep-warm")
        assert code == 0, output
        assert run_cli(project, "warm", "status") == (0, "no warm worker running\n")
    assert (project / "dist" / "de" / "retention-schedule.pdf").stat().st_size > 0
    problem = {"symlink": "is a symlink", "another user": "belongs to another user",
               "file": "is not a folder"}[planted]
    warned = [r.getMessage() for r in caplog.records if "cache folder" in r.getMessage()]
    assert warned == [f"{cache}: the cache folder {problem}; building without caches "
                      "(remove it to have them again)"]  # once, however often asked
    assert "no usable cache folder for the warm worker" in output
    assert list(outside.iterdir()) == []
    if planted == "another user":
        assert list(cache.iterdir()) == []


def test_the_projects_own_cache_folder_is_used(project: Path) -> None:
    source = project / "source" / "retention-schedule.yaml"
    assert layout.cache_dir(source) == project / ".policyc-cache"  # not there yet: made later
    assert run_cli(project, "build", "--format", "html", "--locale", "en")[0] == 0
    assert (project / ".policyc-cache" / "sources.json").is_file()
    assert layout.cache_dir(source) == project / ".policyc-cache"
