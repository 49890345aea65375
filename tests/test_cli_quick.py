"""`policyc [-q] build [SOURCE...] [--out DIR]` before click loads (compiler/cli/quick.py):
the pipeline gets the very options click's path gives it, and anything else goes to click."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.build import BuildResult, pipeline
from compiler.cli import main, quick
from compiler.cli.settings import _project
from tests.helpers import ROOT

POLICY = "source/privacy-policy.yaml"


def _options(monkeypatch: pytest.MonkeyPatch, run: Any) -> list[tuple[list[Path], Any]]:
    seen: list[tuple[list[Path], Any]] = []

    def recorded(sources: list[Path], options: Any, progress: Any = None,
                 done: Any = None) -> BuildResult:
        seen.append((list(sources), options))
        return BuildResult()

    monkeypatch.setattr(pipeline, "build", recorded)
    run()
    return seen


@pytest.mark.parametrize("args", [
    ["-q", "build", POLICY, "--out", "elsewhere"],
    ["build", POLICY, "source/terms-of-service.yaml", "--out=x/y"],
    ["--quiet", "build"],
    ["build", "--out", "dist", POLICY],
    ["-q", "build", POLICY, "--keep-warm"],
    ["build", "--keep-warm-minutes=10", POLICY, "--out", "w"],
    ["build", "--keep-warm", "--keep-warm-minutes", "0.5"],
    ["build", "--keep-warm-minutes", "0"],
    ["build", "--no-keep-warm"],
    ["build", "--keep-warm", "--no-keep-warm"],
    ["build", "--no-keep-warm", "--keep-warm"],
    ["build", "--no-keep-warm", "--keep-warm-minutes", "5"],
])
@pytest.mark.parametrize("config", [None, '[build]\nout = "public"\n'])
@pytest.mark.parametrize("terminal", [False, True])
def test_the_pipeline_gets_what_click_gives_it(args: list[str], config: str | None,
                                               terminal: bool, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               terminal_stream: Any) -> None:
    if terminal:  # stderr a terminal outside CI: the warm worker's default (warm/later.py)
        monkeypatch.delenv("CI", raising=False)
        monkeypatch.setattr(sys, "stderr", terminal_stream)
    if config is not None:  # a project of its own, its config naming the output folder
        (tmp_path / "source").mkdir()
        (tmp_path / "source" / "privacy-policy.yaml").write_bytes((ROOT / POLICY).read_bytes())
        (tmp_path / "policyc.toml").write_text(config, encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        _project.cache_clear()
    try:
        fast = _options(monkeypatch, lambda: quick.build(list(args)))
        slow = _options(monkeypatch, lambda: main(list(args), standalone_mode=False))
    finally:
        _project.cache_clear()
    assert len(fast) == len(slow) == 1
    assert fast == slow
    said = any("keep-warm" in a for a in args)
    assert fast[0][1].warm_later == (terminal and not said)
    if config is not None and "--out" not in " ".join(args):
        assert fast[0][1].out.name == "public"


@pytest.fixture
def terminal_stream() -> Iterator[Any]:
    """A text stream on a pseudo-terminal, whose other end a thread reads (a full terminal
    would block its writer)."""
    import os
    import threading

    main_end, other_end = os.openpty()

    def drain() -> None:
        with contextlib.suppress(OSError):
            while os.read(main_end, 4096):
                pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    stream = os.fdopen(other_end, "w")
    yield stream
    stream.close()  # the reader then meets EIO
    reader.join(5)
    os.close(main_end)


@pytest.mark.parametrize("args", [
    ["build", POLICY, "--format", "pdf"], ["-v", "build"], ["build", "-q"], ["build", "--force"],
    ["check"], ["build", "--out"], ["build", "--", POLICY], ["build", "--out=", POLICY],
    ["build", "--keep-warm-minutes", "-1"], ["build", "--keep-warm-minutes=2000"],
    ["build", "--keep-warm-minutes=soon"], ["build", "--out", "a", "--out", "b"],
    ["build", "--keep-warm=5"],
])
def test_other_command_lines_go_to_click(args: list[str]) -> None:
    assert quick.parse(args) is None


def test_the_environment_and_a_config_setting_options_go_to_click(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYC_FORMATS", "pdf")
    assert quick.parse(["build"]) is None
    monkeypatch.delenv("POLICYC_FORMATS")
    assert quick.parse(["-q", "build", POLICY]) == (True, [POLICY], None, 0.0, False)
    (tmp_path / "policyc.toml").write_text('[build]\nformats = ["html"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _project.cache_clear()
    try:
        assert quick.build(["build"]) is False
    finally:
        _project.cache_clear()


def test_an_unchanged_build_does_not_import_click(project: Path) -> None:
    source = "source/retention-schedule.yaml"
    first = subprocess.run([sys.executable, "-m", "compiler", "-q", "build", source],
                           cwd=project, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert (project / "dist" / "de" / "retention-schedule.pdf").is_file()
    # another environment than the first build's: its memo does not answer (compiler/uptodate)
    again = subprocess.run([sys.executable, "-X", "importtime", "-m", "compiler", "-q", "build",
                            source], cwd=project, capture_output=True, text=True, check=False,
                           env={**os.environ, "PYTHONNOUSERSITE": "1"})
    assert again.returncode == 0, again.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in again.stderr.splitlines()}
    assert "compiler.build.pipeline" in imported and "click" not in imported
    said = subprocess.run([sys.executable, "-m", "compiler", "build", source], cwd=project,
                          capture_output=True, text=True, check=False)
    assert said.returncode == 0 and "0 built" in said.stderr, said.stderr


def test_the_variables_it_steps_aside_for_are_those_the_build_command_reads() -> None:
    from compiler.cli.app import main as group

    command = group.get_command(None, "build")  # type: ignore[arg-type]
    assert command is not None
    read: set[str] = set()
    for param in command.params:
        envvar = param.envvar
        read.update([envvar] if isinstance(envvar, str) else envvar or ())
    assert read == quick.READ_BY_BUILD
