"""An up-to-date build answered from its memo (compiler/uptodate): it says what the build
said, and any change to what the build reads sends the next one through the build."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import compiler
from compiler import fs
from compiler.build import plan
from compiler.cli import quick
from compiler.uptodate import memo
from tests.helpers import ROOT, set_translation

POLICYC = Path(sys.executable).parent / "policyc"
CATALOG = Path("locales/de/LC_MESSAGES/retention-schedule.po")


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYC_")}
    return {**env, "POLICYC_CACHE_DIR": str(cache), **extra}


def _build(project: Path, cache: Path, *args: str, **extra: str) -> tuple[bool, list[str]]:
    """(whether the build itself ran, what it printed but the import times)."""
    if "build" not in args:
        args = (*args, "build")
    done = subprocess.run([str(POLICYC), *args], cwd=project, capture_output=True,
                          text=True, env=_env(cache, PYTHONPROFILEIMPORTTIME="1", **extra),
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    imported = [line for line in lines if line.startswith("import time:")]
    return (any("compiler.build.pipeline" in line for line in imported),
            [line for line in lines if not line.startswith("import time:")])


def _settle() -> None:
    """Let files just written age past the memo's margin: a build leaves no memo of inputs
    changed within 50 ms of its start (their stamps could come again), as when a test writes
    them and builds at once; a person saving and building does not."""
    time.sleep(0.1)


def _said(lines: list[str]) -> list[str]:
    """The lines but the build's time ("..., 0.1s")."""
    return [line.rsplit(", ", 1)[0] if line.endswith("s") and ", " in line else line
            for line in lines]


@pytest.fixture
def built(project: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A built project: its build has left the memo of what the next one would say."""
    cache = tmp_path / "cache"
    _settle()
    ran, said = _build(project, cache)
    assert ran and "6 built" in said[-1]
    assert list((cache / "uptodate").glob("*.json"))
    return project, cache


def test_the_build_after_a_build_is_answered_from_its_memo(built: tuple[Path, Path]) -> None:
    project, cache = built
    ran, said = _build(project, cache)
    assert not ran, "answered from the memo, without importing the build"
    ran_again, full = _build(project, cache, PYTHONNOUSERSITE="1")  # another environment:
    assert ran_again  # the build itself
    assert _said(said) == _said(full) == ["policyc: 6 outputs, 0 built, 6 up to date, "
                                          "0 warnings"]
    assert _build(project, cache, "-q") == (False, [])  # -q: nothing to say
    assert not _build(project, cache, PYTHONNOUSERSITE="1")[0]  # its own memo now


def test_warnings_are_said_again_as_an_up_to_date_build_says_them(project: Path,
                                                                 tmp_path: Path) -> None:
    """The memo a building build leaves says what an up-to-date build says: the reading's
    and planning's warnings and each locale's recorded ones, not the renderer's."""
    cache = tmp_path / "cache"
    po = project / CATALOG
    po.write_text(po.read_text().replace('msgstr "Aufbewahrung"', 'msgstr ""', 1)
                  .replace('msgid "Aufbewahrung', '#, fuzzy\nmsgid "Aufbewahrung', 1))
    (project / "templates" / "css").mkdir(parents=True)
    (project / "templates" / "css" / "print.css").write_text("h1 { colour: navy; }\n")
    _settle()
    assert _build(project, cache)[0]
    ran, said = _build(project, cache)
    assert not ran
    ran, full = _build(project, cache, PYTHONNOUSERSITE="1")
    assert ran
    assert len(said) > 1, "a warning at least"
    assert any("print.css" in line for line in said), said
    assert _said(said) == _said(full)
    ran, quiet = _build(project, cache, "-q")
    assert not ran and quiet == full[:-1]  # -q: the warnings alone, as the build says them


def _edit_catalog(project: Path) -> None:
    po = project / CATALOG  # one letter for another: the same size
    po.write_text(po.read_text().replace("Aufbewahrungsplan", "Aufbewahrungsplän", 1))


def _planted_lock(project: Path) -> None:
    (project / "dist" / fs.LOCK_NAME).write_text("4242")


def _same_size_output(project: Path) -> None:
    """An output replaced by other bytes of its size, its mtime put back."""
    pdf = project / "dist" / "de" / "retention-schedule.pdf"
    info = pdf.stat()
    data = bytearray(pdf.read_bytes())
    data[-10] ^= 1
    pdf.write_bytes(bytes(data))
    os.utime(pdf, ns=(info.st_atime_ns, info.st_mtime_ns))


CHANGES: dict[str, Callable[[Path], object]] = {
    "catalog edited, same size": _edit_catalog,
    "source edited": lambda p: (p / "source/retention-schedule.yaml").write_text(
        (p / "source/retention-schedule.yaml").read_text() + "# reviewed\n"),
    "catalog added": lambda p: (p / "locales/de/LC_MESSAGES/other.po").write_text(""),
    "project config made": lambda p: (p / "policyc.toml").write_text("[build]\nout = 'dist'\n"),
    "print.css made": lambda p: (p / "templates/css").mkdir(parents=True) or (
        p / "templates/css/print.css").write_text("h1 { color: navy; }\n"),
    "brand made": lambda p: (p / "_brand.yml").write_text("color:\n  primary: '#123456'\n"),
    "output deleted": lambda p: (p / "dist/de/retention-schedule.docx").unlink(),
    "output replaced, same size and mtime": _same_size_output,
    "file left in the output folder": lambda p: (p / "dist/.manifest.json.tmp1").write_text("{"),
    "a build's lock file": _planted_lock,
    "a pyproject.toml above the project": lambda p: (p.parent / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_sends_the_next_build_through_the_build(change: str,
                                                         built: tuple[Path, Path]) -> None:
    project, cache = built
    CHANGES[change](project)
    ran, _ = _build(project, cache)
    assert ran


def test_a_catalog_edit_is_built_then_answered(built: tuple[Path, Path]) -> None:
    """The second and third edit: each is built, then the next build answered."""
    project, cache = built
    for word in ("Aufbewahrungsplän", "Aufbewahrungsplanung"):
        set_translation(project / CATALOG, "document", "Data Retention Schedule", word)
        _settle()
        ran, said = _build(project, cache)
        assert ran and "3 built" in said[-1]
        ran, said = _build(project, cache)
        assert not ran and "0 built" in said[-1]
        html = (project / "dist/de/retention-schedule.html").read_text()
        assert word in html


def _memo(cache: Path) -> tuple[Path, dict[str, Any]]:
    (memo_file,) = (cache / "uptodate").glob("*.json")
    return memo_file, json.loads(memo_file.read_text())


def test_outputs_written_just_before_the_memo_are_read_again(built: tuple[Path, Path]) -> None:
    """Their stamps could come again with other bytes (timestamps tick every few ms): the
    memo holds their digests, the next build compares them, and once the clock is past them
    the memo is written again without them. (Which files are that recent depends on the
    machine's speed: the test names index.html in the memo itself.)"""
    import hashlib

    project, cache = built
    memo_file, data = _memo(cache)
    index = project / "dist" / "index.html"
    memo_file.write_text(json.dumps({**data, "racy": {str(index): "0" * 64}}))
    assert _build(project, cache)[0]  # other bytes than recorded: the build itself
    memo_file, data = _memo(cache)
    digest = hashlib.sha256(index.read_bytes()).hexdigest()
    memo_file.write_text(json.dumps({**data, "racy": {str(index): digest}}))
    assert not _build(project, cache)[0]  # the same bytes: answered
    assert not _memo(cache)[1]["racy"]  # and the clock past them: written again without


def test_an_input_changed_while_the_build_ran_leaves_no_memo(built: tuple[Path, Path]) -> None:
    """The build may have read it before it changed (review8 R8-2)."""
    project, cache = built
    po = project / CATALOG
    future = time.time_ns() + 10**10  # after the build started, as long as the test runs
    os.utime(po, ns=(future, future))
    assert _build(project, cache)[0]
    assert _build(project, cache)[0]  # no memo answered: the build again


def test_another_command_line_is_another_memo(built: tuple[Path, Path]) -> None:
    project, cache = built
    assert _build(project, cache, "build", "--out", "dist")[0]


def test_a_damaged_or_foreign_memo_is_no_memo(built: tuple[Path, Path]) -> None:
    project, cache = built
    memo_file, data = _memo(cache)
    for damaged in (b"{", b"[]", json.dumps({**data, "stamps": []}).encode(),
                    json.dumps({**data, "said": {"warnings": [1]}}).encode(),
                    json.dumps({**data, "v": 0}).encode(), b"\0" * 100):
        memo_file.write_bytes(damaged)
        ran, said = _build(project, cache)
        assert ran and "0 built" in said[-1]
        memo_file.write_text(json.dumps(data))
    link = cache / "elsewhere.json"
    memo_file.rename(link)
    memo_file.symlink_to(link)  # a link is not ours to follow
    assert _build(project, cache)[0]


@pytest.mark.parametrize("args", [
    ["build"], ["-q", "build"], ["build", "source/x.yaml", "--out", "d"], ["build", "--out=d"],
    ["--quiet", "-q", "build", "a.yaml", "b.yaml"], ["build", "--out", "d", "--out", "e"],
    ["build", "--keep-warm"], ["build", "--no-keep-warm"], ["build", "--out"],
    ["build", "--out", "-q"], ["build", "--force"], ["build", "-"], ["check"], [],
    ["build", "--keep-warm-minutes", "3"], ["build", ""]])
def test_the_memo_takes_the_quick_paths_command_lines_without_warm_options(
        args: list[str]) -> None:
    cmd = memo.command(list(args))
    line = quick.parse(list(args))
    if cmd is not None:
        assert line is not None
        assert (line.quiet, tuple(line.sources), line.out) == cmd
    warm = any("warm" in a for a in args)
    assert (cmd is None) == (line is None or warm)


def test_the_names_it_shares_with_the_build_agree() -> None:
    from compiler.cli import report
    from compiler.uptodate import replay

    assert memo.LOCK_NAME == fs.LOCK_NAME
    assert replay.PIPE_CLOSED == report.PIPE_CLOSED


def test_the_memo_stamps_the_code_the_interpreter_and_the_fonts(
        built: tuple[Path, Path]) -> None:
    project, cache = built
    _, data = _memo(cache)
    stamped = {path for path, _ in data["stamps"]}
    package = Path(plan.__file__).parent.parent
    code = {str(p) for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    assert code and code <= {str(Path(s).resolve()) for s in stamped} | stamped
    assert any(Path(p).parent == Path(sys.executable).parent for p in stamped)  # python
    assert {str(f) for f in plan.font_files()} <= stamped
    assert str(project / CATALOG) in stamped


TRACER = '''
import os, sys
log = os.open(sys.argv.pop(1), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

def note(path):
    if isinstance(path, int) or path is None:
        return
    try:
        name = os.path.abspath(os.fsdecode(path))
    except TypeError:
        return
    os.write(log, (name + "\\n").encode("utf-8", "surrogateescape"))

def hook(event, args):
    if event == "open" or event in ("os.listdir", "os.scandir"):
        note(args[0] if args and args[0] is not None else ".")

sys.addaudithook(hook)
for name in ("stat", "lstat", "access", "readlink"):
    def traced(path, *args, _real=getattr(os, name), **kwargs):
        note(path)
        return _real(path, *args, **kwargs)
    setattr(os, name, traced)
sys.argv[0] = "policyc"
from compiler.__main__ import run
run()
'''


def test_every_file_an_up_to_date_build_reads_is_in_its_memo(project: Path,
                                                             tmp_path: Path) -> None:
    """The memo covers what the build reads: every path an up-to-date build opens, lists or
    stats (through Python's audit events and os.stat/lstat/access/readlink) is stamped, is
    a name in a listed folder, or is Python's and its libraries' own (stamped by their
    folders and the interpreter), a cache of policyc's (made from what is stamped), or the
    system's (/proc, /sys, /dev, the time zone)."""
    cache = tmp_path / "cache"
    # a project using the inputs that lie outside source/, locales/ and templates/
    (project / "assets").mkdir()
    (project / "assets" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
    shutil.copy(ROOT / "templates" / "docx" / "reference.docx", project / "assets" / "ref.docx")
    (project / "_brand.yml").write_text("logo: assets/logo.svg\ncolor:\n  primary: '#123456'\n")
    source = project / "source" / "retention-schedule.yaml"
    source.write_text(source.read_text().replace("\nlocales:", "\nreference_docx: "
                                                 "../assets/ref.docx\nlocales:", 1))
    (project / "templates" / "css").mkdir(parents=True)
    (project / "templates" / "css" / "print.css").write_text("h1 { color: navy; }\n")
    _build(project, cache)
    for memo_file in (cache / "uptodate").glob("*.json"):
        memo_file.unlink()  # the up-to-date build runs, and makes it again
    log = tmp_path / "read.log"
    tracer = tmp_path / "tracer" / "tracer.py"  # its folder (sys.path[0]) stays as it is
    tracer.parent.mkdir()
    tracer.write_text(TRACER)
    _settle()
    done = subprocess.run([sys.executable, str(tracer), str(log), "build"], cwd=project,
                          capture_output=True, text=True, env=_env(cache), check=False)
    assert done.returncode == 0, done.stderr
    _, data = _memo(cache)
    stamped = {path for path, _ in data["stamps"]}
    listed = {folder for folder, _ in data["folders"]}
    libraries = {os.path.realpath(p) for p in (*sys.path, sys.prefix, sys.base_prefix) if p}
    ancestors = {str(parent) for path in (*stamped, *listed) for parent in Path(path).parents}
    uncovered = set()
    for name in set(log.read_text("utf-8", "surrogateescape").splitlines()):
        real = os.path.realpath(name)
        if (name in stamped or name in listed or real in stamped or real in listed
                or name in ancestors  # folders on the way, resolving a path
                or _absent_from_a_listed_folder(name, listed)
                or any(real == lib or real.startswith(lib + os.sep) for lib in libraries)
                or name.startswith(("/proc/", "/sys/", "/dev/"))
                or name in ("/etc/localtime", str(project / "dist" / fs.LOCK_NAME))
                or name == str(cache) or name.startswith(str(cache) + os.sep)):
            continue
        uncovered.add(name)
    assert not uncovered, sorted(uncovered)


def _absent_from_a_listed_folder(name: str, listed: set[str]) -> bool:
    """Not there, and the nearest folder above it that is there has its names listed: what
    would make it appear changes that listing."""
    path = Path(name)
    if path.is_dir():
        return False
    while not os.path.lexists(path):
        path = path.parent
    return path != Path(name) and str(path) in listed


def test_a_project_configs_build_settings_are_answered_too(project: Path,
                                                           tmp_path: Path) -> None:
    """`policyc init` writes [build] formats: the build goes through click, and its memo
    answers the next one; an edit of the config is the build's again."""
    cache = tmp_path / "cache"
    config = project / "policyc.toml"
    config.write_text('[build]\nout = "public"\nformats = ["html", "pdf"]\n')
    _settle()
    ran, said = _build(project, cache)
    assert ran and "4 built" in said[-1]
    ran, answered = _build(project, cache)
    assert not ran and "4 outputs, 0 built" in answered[-1]
    config.write_text('[build]\nout = "public"\nformats = ["html", "pdf", "docx"]\n')
    ran, said = _build(project, cache)
    assert ran and "6 outputs" in said[-1]
    assert (project / "public" / "de" / "retention-schedule.docx").is_file()


def test_catalogs_outside_the_project_leave_no_memo(project: Path, tmp_path: Path) -> None:
    """Catalogs a variable puts elsewhere are not among the folders a memo stamps."""
    cache = tmp_path / "cache"
    elsewhere = tmp_path / "catalogs"
    shutil.copytree(project / "locales", elsewhere)
    for _ in range(2):
        assert _build(project, cache, POLICYC_LOCALES_DIR=str(elsewhere))[0]
    assert not list((cache / "uptodate").glob("*.json"))


def test_a_caller_in_the_same_process_leaves_no_memo_for_its_own_command_line(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """policyc's command line run by a program whose own argv reads `build`: the memo is
    made only for the command line click parsed."""
    from tests.helpers import run_cli

    monkeypatch.setenv("POLICYC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "argv", ["tool", "build"])
    code, _ = run_cli(project, "build", "--format", "html")
    assert code == 0
    assert not list((tmp_path / "cache" / "uptodate").glob("*.json"))
    _settle()  # (an in-process build leaves a memo only of files older than the process)
    monkeypatch.setattr(compiler, "STARTED_NS", time.time_ns())
    code, _ = run_cli(project, "build")
    assert code == 0
    assert list((tmp_path / "cache" / "uptodate").glob("*.json"))


def _linked_logo(project: Path) -> None:
    (project / "brand").mkdir()
    (project / "brand" / "red.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
    (project / "brand" / "logo.svg").symlink_to("red.svg")
    (project / "_brand.yml").write_text("logo: brand/logo.svg\n")


def _linked_source(project: Path) -> None:
    source = project / "source" / "retention-schedule.yaml"
    shared = project.parent / "shared" / "source"
    shared.mkdir(parents=True)
    source.rename(shared / source.name)
    source.symlink_to(shared / source.name)
    shutil.copytree(project / "locales", project.parent / "shared" / "locales")


def _linked_cache(project: Path) -> None:
    """A cloned project's .policyc-cache that is a link: refused, with a warning logged by
    every build."""
    (project.parent / "elsewhere").mkdir()
    (project / ".policyc-cache").symlink_to(project.parent / "elsewhere")


@pytest.mark.parametrize("setup", [_linked_logo, _linked_source, _linked_cache])
def test_what_a_memo_cannot_stamp_as_the_build_reads_it_leaves_none(
        setup: Callable[[Path], None], project: Path, tmp_path: Path) -> None:
    """A logo or a source through a link (retargeting it would go unseen), a warning logged
    (the answer would not say it): review8 R8-3, R8-6, R8-4."""
    setup(project)
    xdg = tmp_path / "xdg"  # the memo's folder without POLICYC_CACHE_DIR (the project's cache)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYC_")}
    for _ in range(2):
        done = subprocess.run([str(POLICYC), "build"], cwd=project, capture_output=True,
                              text=True, env={**env, "XDG_CACHE_HOME": str(xdg)}, check=False)
        assert done.returncode == 0, done.stderr
    assert not list((xdg / "policyc" / "uptodate").glob("*.json"))


def test_signing_secrets_never_reach_a_memo(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    secrets = {"POLICYC_P12_PASSPHRASE": "hunter2-secret", "POLICYC_PKCS11_PIN": "4242",
               "POLICYC_TSA_URL": "https://user:s3cret@tsa.example/"}
    _settle()
    _build(project, cache, "-q", **secrets)
    ran, _ = _build(project, cache, **secrets)
    assert not ran
    text = "".join(p.read_text() for p in (cache / "uptodate").glob("*.json"))
    assert text and not any(value in text for value in secrets.values())


def test_the_secret_words_are_the_warm_workers() -> None:
    from compiler.build.warm import folder

    assert memo.SECRET_WORDS == folder._SECRET_WORDS


def test_an_editors_files_beside_a_source_or_catalog_keep_the_answer(
        built: tuple[Path, Path]) -> None:
    """vim rewrites its swap file every few seconds while the file is open; no build reads
    it in source/ or locales/ (review8 R8-9). In templates/ every file is a template."""
    project, cache = built
    swap = project / "source" / ".retention-schedule.yaml.swp"
    swap.write_bytes(b"b0VIM 9.0")
    _settle()
    assert _build(project, cache)[0]  # a new name in source/: the build, which records
    swap.write_bytes(b"b0VIM 9.0 and more")
    assert not _build(project, cache)[0]
    (project / "templates").mkdir()
    (project / "templates" / "notes.txt~").write_text("x")
    _settle()
    assert _build(project, cache)[0]
    (project / "templates" / "notes.txt~").write_text("xy")
    assert _build(project, cache)[0]
