"""Environment faults and concurrent builds: clear located errors, never a traceback, and a
manifest that always matches the files beside it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from compiler.build import BuildOptions, build
from compiler.errors import CompilerError
from tests.helpers import FIXTURES, ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "p"
    shutil.copytree(FIXTURES / "project", dest)
    return dest


def policyc(args: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "compiler", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]


def _manifest_matches_files(out: Path, empty_ok: bool = False) -> None:
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["outputs"] or empty_ok
    for entry in manifest["outputs"]:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]


@pytest.mark.parametrize("error, shown", [
    ("RuntimeError('simulated bug')", "RuntimeError: simulated bug"),
    # stdout still read: another pipe broke, a bug as any other (not the quiet 141 of a
    # reader that left: test_cli)
    ("BrokenPipeError(32, 'Broken pipe')", "BrokenPipeError: [Errno 32] Broken pipe")])
def test_unexpected_exception_is_an_internal_error_with_saved_traceback(
        tmp_path: Path, error: str, shown: str) -> None:
    code = ("import sys, compiler.project.sources as s\n"
            f"def boom(*a, **k): raise {error}\n"
            "s.check_sources = boom\n"
            "sys.argv = ['policyc', 'check']\n"
            "from compiler.__main__ import run\nrun()\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=False, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert proc.returncode == 70
    assert "Traceback" not in proc.stderr
    assert f"policyc: internal error: {shown} (a bug in policyc" in proc.stderr
    saved = list(tmp_path.glob("policyc-internal-error-*.txt"))
    assert len(saved) == 1 and "Traceback" in saved[0].read_text()


def test_out_naming_a_file(project: Path) -> None:
    (project / "dist").write_text("not a folder")
    proc = policyc(["build", "--out", "dist", "--format", "html", "--locale", "en"], project)
    assert proc.returncode == 1
    assert proc.stderr.startswith("dist: error: the output folder is a file")


@pytest.mark.parametrize("state", ['[]', '{"policyc": "VERSION", "outputs": [1], "locales": {}}',
                                   '{"policyc": "VERSION", "outputs": {"en/x.html": {"key": 1}},'
                                   ' "locales": {}}', '{"policyc": "VERSION", "outputs": {}, '
                                   '"locales": {"a/b": {"warnings": [[1]]}}}', "{trunc"])
def test_state_file_of_the_wrong_shape_is_ignored(project: Path, state: str) -> None:
    from compiler import __version__

    out = project / "dist"
    out.mkdir()
    (out / ".policyc-state.json").write_text(state.replace("VERSION", __version__))
    result = build([project / "source" / "retention-schedule.yaml"],
                   BuildOptions(out=out, locales=("en",), formats=("html",)))
    assert result.built == 1
    _manifest_matches_files(out)


@pytest.mark.parametrize(("content", "message"), [
    ("[1]", "not a policyc manifest (no 'outputs')"),
    ('{"outputs": "x"}', "not a policyc manifest (no 'outputs')"),
    ('{"outputs": [{"x": 1}]}', "an output entry needs 'path'"),
    ('{"outputs": [7]}', "an output entry must be an object"),
    ('{"outputs": [], "inputs": [1]}', "'inputs' must map names to objects"),
    ('{"outputs": [{"path": "../../etc/passwd", "size": 1, "sha256": "x"}]}',
     "must be relative to the manifest's folder"),
    ('{"outputs": [', "invalid JSON"),
])
def test_malformed_manifests_are_located_errors(tmp_path: Path, content: str,
                                                message: str) -> None:
    (tmp_path / "m.json").write_text(content)
    merge = policyc(["manifest", "merge", "m.json", "-o", "merged.json"], tmp_path)
    assert merge.returncode == 1 and "internal error" not in merge.stderr
    assert merge.stderr.startswith("m.json") and message in merge.stderr
    verify = policyc(["verify", "--manifest", "m.json", "--allow-unsigned"], tmp_path)
    assert verify.returncode == 1 and "internal error" not in verify.stderr
    assert verify.stderr.startswith("m.json")


def test_locale_init_refuses_a_path(project: Path) -> None:
    before = sorted(project.parent.rglob("*.po*"))
    proc = policyc(["locale", "init", "../../../de"], project)
    assert proc.returncode == 2 and "unknown locale '../../../de'" in proc.stderr
    assert sorted(project.parent.rglob("*.po*")) == before


def test_write_refused_by_the_system_is_a_located_error(project: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    real = os.open

    def refuse(path: str, *args: object, **kwargs: object) -> int:
        if ".retention-schedule.html." in str(path) and str(path).endswith(".tmp"):  # the
            # page's temporary (write_atomic); index.html is written: the build goes on
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(CompilerError) as err:
        build([project / "source" / "retention-schedule.yaml"],
              BuildOptions(out=project / "dist", locales=("en",), formats=("html",)))
    assert str(err.value).endswith("retention-schedule.html: error: cannot write: Permission "
                                   "denied (no permission to write there)")


def test_disk_full_mid_build_keeps_the_manifest_true(project: Path) -> None:
    """The file size limit (RLIMIT_FSIZE) makes writes fail as a full disk does."""
    resource = pytest.importorskip("resource")
    import signal

    out = project / "dist"
    first = policyc(["build", "--out", str(out), "--locale", "en", "--format", "html",
                     "--format", "docx"], project)
    assert first.returncode == 0, first.stderr
    source = project / "source" / "retention-schedule.yaml"
    source.write_text(source.read_text().replace("Data Retention Schedule", "Retention Rules"))

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (12_500, 12_500))  # the 13 kB DOCX fails

    # --jobs 1: the DOCX is written first (longest first, in this process); with two workers
    # the HTML (13.3 kB now, also over the limit) often finished first, failing the message
    proc = policyc(["build", "--out", str(out), "--locale", "en", "--format", "html",
                    "--format", "docx", "--jobs", "1"], project, preexec_fn=limit)
    assert proc.returncode == 1, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert "retention-schedule.docx: error: cannot write: File too large" in proc.stderr
    _manifest_matches_files(out, empty_ok=True)
    assert not list(out.rglob("*.tmp"))


def test_failure_after_some_outputs_keeps_the_manifest_true(project: Path) -> None:
    """The DOCX is replaced, then the HTML cannot be: the manifest lists the new DOCX."""
    out = project / "dist"
    options = BuildOptions(out=out, locales=("en",), formats=("html", "docx"))
    source = project / "source" / "retention-schedule.yaml"
    build([source], options)
    source.write_text(source.read_text().replace("Data Retention Schedule", "Retention Rules"))
    html = out / "en" / "retention-schedule.html"
    html.unlink()
    html.mkdir()  # a folder where the file should go: the rename fails
    with pytest.raises(CompilerError, match=r"retention-schedule\.html: error: cannot write"):
        build([source], options)
    _manifest_matches_files(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [e["path"] for e in manifest["outputs"]] == ["en/retention-schedule.docx"]


def test_an_output_folder_it_cannot_write_fails_only_its_outputs(project: Path) -> None:
    """A file where dist/de should be: each German output is an error naming its path and
    what stands in the way, the English ones are built and listed (manifest, lxml index),
    nothing half-written, exit 1; with the folder usable, the next build makes the rest.
    Then an edit with the German page unwritable: the other three are new."""
    import lxml.html

    out = project / "dist"
    out.mkdir()
    (out / "de").write_text("")
    args = ["build", "--format", "html,docx", "--jobs", "1"]

    def listed() -> set[str]:
        _manifest_matches_files(out)
        paths = {e["path"] for e in json.loads((out / "manifest.json").read_text())["outputs"]}
        assert set(lxml.html.parse(str(out / "index.html")).xpath("//a/@href")) == paths
        assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
        return paths

    proc = policyc(args, project)
    assert proc.returncode == 1, proc.stderr
    for fmt in ("html", "docx"):
        assert (f"dist/de/retention-schedule.{fmt}: error: cannot write: File exists (a file "
                "stands where a folder is needed)") in proc.stderr
    assert "policyc: 2 errors" in proc.stderr and "Traceback" not in proc.stderr
    # the English page's language switcher links the German page it could not write: not
    # listed either (review7 F14/F15: merge's rule)
    assert listed() == {"en/retention-schedule.docx"}
    (out / "de").unlink()
    assert policyc(args, project).returncode == 0
    assert len(listed()) == 4

    source = project / "source" / "retention-schedule.yaml"
    source.write_text(source.read_text().replace("Data Retention Schedule", "Retention Rules"))
    page = out / "de" / "retention-schedule.html"
    page.unlink()
    page.mkdir()  # a folder where the page goes
    proc = policyc(args, project)
    assert proc.returncode == 1 and "retention-schedule.html: error: cannot write" in proc.stderr
    assert listed() == {"en/retention-schedule.docx", "de/retention-schedule.docx"}
    assert set(_titles(out).values()) == {"Retention Rules"}


def test_read_only_output_folder(project: Path, tmp_path: Path) -> None:
    """A real read-only file system (a tmpfs mounted ro), when the tests run as root."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a read-only tmpfs needs root")
    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(ro)],
                      check=False, capture_output=True).returncode != 0:
        pytest.skip("mount refused (no CAP_SYS_ADMIN in this container)")
    try:
        proc = policyc(["build", "--out", str(ro / "dist"), "--locale", "en", "--format",
                        "html"], project)
    finally:
        subprocess.run(["umount", str(ro)], check=False)
    assert proc.returncode == 1 and "internal error" not in proc.stderr
    assert "cannot use the output folder: Read-only file system" in proc.stderr


def test_second_build_into_the_same_folder_waits(project: Path) -> None:
    from compiler.fs import folder_lock

    out = project / "dist"
    with folder_lock(out):
        proc = subprocess.Popen(
            [sys.executable, "-m", "compiler", "build", "--out", str(out), "--locale", "en",
             "--format", "html"], cwd=project, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert proc.poll() is None  # still waiting for the lock
        assert not (out / "en").exists()
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "waiting for another policyc build (pid " in stderr
    _manifest_matches_files(out)
    assert not (out / ".policyc.lock").exists()  # removed as released (qa6 N8)


def test_the_lock_names_its_holder_over_a_longer_pid_left_behind(tmp_path: Path) -> None:
    """The lock file is never truncated (on ext4 closing a truncated file flushed it: ~4 ms
    of every build): the holder's pid is written padded over what a killed build left."""
    from compiler.fs import folder_lock

    out = tmp_path / "dist"
    out.mkdir()
    (out / ".policyc.lock").write_text("123456789012345678\n")  # a killed build's, longer
    with folder_lock(out):
        assert (out / ".policyc.lock").read_text().strip() == str(os.getpid())
    assert not (out / ".policyc.lock").exists()


def test_lock_file_is_removed_and_still_excludes(project: Path) -> None:
    """qa6 N8: dist/.policyc.lock is removed when the build ends (the CI workflow uploads
    dist/), and two holders never overlap: a waiter that opened the file before its holder
    removed it takes the lock of the new file."""
    import threading

    from compiler.fs import _same_file, folder_lock

    out = project / "dist"
    assert policyc(["build", "--locale", "en", "--format", "html"], project).returncode == 0
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        ".policyc-state.json"]
    lock = out / ".policyc.lock"
    entered, done = threading.Event(), threading.Event()

    def second() -> None:
        with folder_lock(out):
            entered.set()
            done.wait(30)

    with folder_lock(out):
        early = os.open(lock, os.O_RDWR)  # a waiter's, opened before the holder removes it
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)
        assert not entered.is_set()
    try:
        assert entered.wait(30)  # the waiter holds the lock now, of a new file
        assert not _same_file(early, lock)  # the early waiter would open the path again
        with pytest.raises(CompilerError, match="another policyc build"), \
                folder_lock(out, wait=0.3):
            pass
    finally:
        os.close(early)
        done.set()
        thread.join(30)
    assert not lock.exists()


def test_two_concurrent_builds_leave_one_consistent_output(project: Path) -> None:
    out = project / "dist"
    other = project / "source2"
    shutil.copytree(project / "source", other)
    src = other / "retention-schedule.yaml"
    src.write_text(src.read_text().replace("Data Retention Schedule", "Other Schedule"))
    args = ["build", "--out", str(out), "--locale", "en", "--format", "html", "--format", "pdf"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "compiler", *args, str(s)], cwd=project,
                              env=env, stderr=subprocess.PIPE, text=True)
             for s in (project / "source" / "retention-schedule.yaml", src)]
    for p in procs:
        _, stderr = p.communicate(timeout=300)
        assert p.returncode == 0, stderr
    _manifest_matches_files(out)
    manifest = json.loads((out / "manifest.json").read_text())
    html = (out / "en" / "retention-schedule.html").read_text()
    winner = "Other Schedule" if "Other Schedule" in html else "Data Retention Schedule"
    pdf = subprocess.run(["pdftotext", str(out / "en" / "retention-schedule.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert winner in pdf  # PDF and HTML from the same (last) build
    assert len(manifest["outputs"]) == 2


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_catalog_that_is_not_a_regular_file_does_not_hang_the_plan(project: Path,
                                                                   kind: str) -> None:
    po = project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"
    po.unlink()
    if kind == "fifo":
        os.mkfifo(po)
    else:
        po.symlink_to("/dev/zero")
    started = time.monotonic()
    with pytest.raises(CompilerError, match="catalog is not a regular file"):
        build([project / "source" / "retention-schedule.yaml"],
              BuildOptions(out=project / "dist", formats=("html",)))
    assert time.monotonic() - started < 30


def _titles(out: Path) -> dict[str, str]:
    """Each listed output's title as an independent reader finds it (lxml, python-docx)."""
    import docx
    import lxml.html

    found = {}
    for entry in json.loads((out / "manifest.json").read_text())["outputs"]:
        path = out / entry["path"]
        if path.suffix == ".html":
            found[entry["path"]] = lxml.html.parse(str(path)).findtext(".//h1").strip()
        else:
            found[entry["path"]] = docx.Document(str(path)).paragraphs[0].text.strip()
    return found


def test_failed_build_never_lists_an_output_beside_inputs_it_was_not_built_from(
        project: Path) -> None:
    """qa6 D2: a build that fails part-way (an unwritable file, a broken catalog) lists in
    manifest.json and index.html only the outputs made from the inputs it names; the outputs
    it left as an earlier build made them are not attested, and return with the next build."""
    import lxml.html

    out = project / "dist"
    source = project / "source" / "retention-schedule.yaml"
    args = ["build", "--format", "html,docx", "--jobs", "1"]
    assert policyc(args, project).returncode == 0
    assert set(_titles(out).values()) == {"Data Retention Schedule",
                                            "Aufbewahrungsplan für Daten"}

    def attested(title: str) -> set[str]:
        manifest = json.loads((out / "manifest.json").read_text())
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        assert manifest["inputs"]["sources"] == {"source/retention-schedule.yaml": digest}
        _manifest_matches_files(out)
        titles = _titles(out)
        assert set(titles.values()) == {title}  # German falls back to the new English title
        index = lxml.html.parse(str(out / "index.html"))
        assert set(index.xpath("//a/@href")) == set(titles)
        return set(titles)

    # the German HTML cannot be written: the English outputs and the German DOCX are new,
    # the German HTML is the old one and is not listed
    source.write_text(source.read_text().replace("Data Retention Schedule", "Retention Rules"))
    html = out / "de" / "retention-schedule.html"
    html.unlink()
    html.mkdir()
    proc = policyc(args, project)
    assert proc.returncode == 1 and "retention-schedule.html: error: cannot write" in proc.stderr
    assert "de/retention-schedule.html" not in attested("Retention Rules")
    assert policyc([*args, "--locale", "en"], project).returncode == 0
    assert "de/retention-schedule.html" not in attested("Retention Rules")
    html.rmdir()
    assert policyc(args, project).returncode == 0
    assert len(attested("Retention Rules")) == 4

    # edited again with a broken German catalog: German fails alone and is not listed
    po = project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"
    good = po.read_bytes()
    source.write_text(source.read_text().replace("Retention Rules", "Record Keeping"))
    po.write_bytes(good + b'\nmsgid "unterminated\n')
    proc = policyc(args, project)
    assert proc.returncode == 1 and "failed locales" in proc.stderr, proc.stderr
    # nor the English page, whose language switcher links the stale German one (review7 F15)
    assert attested("Record Keeping") == {"en/retention-schedule.docx"}
    assert (out / "de" / "retention-schedule.docx").is_file()  # left, unlisted
    # and not listed again by a later build that does not make it (review6 F10)
    for partial in (["--locale", "en"], ["--locale", "en", "source/retention-schedule.yaml"]):
        assert policyc([*args, *partial], project).returncode == 0
        assert "de/retention-schedule.html" not in attested("Record Keeping")
    po.write_bytes(good)
    assert policyc(args, project).returncode == 0
    assert len(attested("Record Keeping")) == 4


def test_output_a_failed_build_left_stays_unlisted_until_a_build_makes_it(project: Path) -> None:
    """review6 F10: the stale German page a failed locale left is not listed again by a later
    partial build that does not plan it (--locale en), beside the edited source's digest; the
    build that makes it again lists it, with the new text."""
    import lxml.html

    out = project / "dist"
    source = project / "source" / "retention-schedule.yaml"
    page = out / "de" / "retention-schedule.html"
    po = project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"
    good = po.read_bytes()
    args = ["build", "--format", "html", "--jobs", "1"]
    assert policyc(args, project).returncode == 0

    def listed() -> set[str]:
        manifest = json.loads((out / "manifest.json").read_text())
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        assert manifest["inputs"]["sources"] == {"source/retention-schedule.yaml": digest}
        _manifest_matches_files(out, empty_ok=True)
        paths = {entry["path"] for entry in manifest["outputs"]}
        index = lxml.html.parse(str(out / "index.html"))
        assert set(index.xpath("//a/@href")) == paths
        return paths

    def text(path: Path) -> str:
        return " ".join(lxml.html.parse(str(path)).getroot().text_content().split())

    assert listed() == {"en/retention-schedule.html", "de/retention-schedule.html"}
    source.write_text(source.read_text().replace("Data Retention Schedule", "Record Keeping"))
    po.write_bytes(good + b'\nmsgid "unterminated\n')
    proc = policyc(args, project)
    assert proc.returncode == 1 and "failed locales" in proc.stderr, proc.stderr
    # the English page links the stale German one: neither is listed (review7 F15)
    assert listed() == set()
    assert "Record Keeping" not in text(page)  # the old page, left on disk
    for partial in (["--locale", "en"], ["--locale", "en"], [str(source)]):
        proc = policyc([*args, *partial], project)
        if partial == [str(source)]:  # names the source: plans German again, which still fails
            assert proc.returncode == 1, proc.stderr
        else:
            assert proc.returncode == 0, proc.stderr
        assert listed() == set(), partial
        assert page.is_file() and "Record Keeping" not in text(page)
    po.write_bytes(good)
    assert policyc([*args, "--locale", "en"], project).returncode == 0
    assert listed() == set()  # the German page not made again yet
    assert policyc(args, project).returncode == 0
    assert listed() == {"en/retention-schedule.html", "de/retention-schedule.html"}
    assert "Record Keeping" in text(page)


def test_interrupt_as_the_temporary_file_is_created_leaves_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """qa6 D6: a Ctrl-C the instant the temporary file exists (before tempfile.mkstemp had
    returned its name) left a 0-byte file; write_atomic names it first, so it is removed."""
    from compiler.fs import write_atomic

    real_open = os.open

    def interrupted(path: str, flags: int, mode: int = 0o777, **kwargs: object) -> int:
        fd = real_open(path, flags, mode, **kwargs)  # type: ignore[arg-type]
        if str(path).endswith(".tmp"):
            os.close(fd)
            raise KeyboardInterrupt
        return fd

    target = tmp_path / "en" / "privacy-policy.pdf"
    target.parent.mkdir()
    target.write_bytes(b"previous")
    monkeypatch.setattr(os, "open", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new")
    monkeypatch.undo()
    assert sorted(p.name for p in target.parent.iterdir()) == ["privacy-policy.pdf"]
    assert target.read_bytes() == b"previous"


def test_build_removes_temporary_files_a_killed_build_left(project: Path) -> None:
    """What a SIGKILL (or an old policyc's interrupted write) left in the output folder is
    removed by the next build, a no-op one too, under the folder's lock; files of the same
    suffix that are not write_atomic's are the user's and stay."""
    out = project / "dist"
    options = BuildOptions(out=out, formats=("html",), locales=("en",))
    source = project / "source" / "retention-schedule.yaml"
    build([source], options)
    manifest = (out / "manifest.json").read_bytes()
    left = [out / "en" / ".retention-schedule.html.se_qw1y8.tmp",
            out / "..policyc-state.json.0a1b2c3d.tmp", out / ".index.html.k2j3h4g5.tmp"]
    for path in left:
        path.write_bytes(b"")
        path.chmod(0o600)
    kept = [out / "en" / "notes.tmp", out / "en" / ".keep", out / ".draft.tmp"]
    for path in kept:
        path.write_bytes(b"mine")
    result = build([source], options)
    assert result.built == 0
    assert not [p for p in left if p.exists()]
    assert all(p.read_bytes() == b"mine" for p in kept)
    assert (out / "manifest.json").read_bytes() == manifest


def test_ctrl_c_during_a_build_exits_130_and_leaves_whole_files(project: Path) -> None:
    """SIGINT to the build's process group, as a terminal's Ctrl-C: exit 130 (128 + SIGINT,
    not click's "Aborted!" with 1), no traceback, no temporary file, and the next build
    finishes the job."""
    import signal

    out = project / "dist"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "compiler", "build", "--jobs", "2"],
                            cwd=project, env=env, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while not (out / "en").exists() and proc.poll() is None:  # rendering has begun
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    if proc.returncode != 0:  # not finished before the signal came
        assert proc.returncode == 130, stderr
        assert "policyc: interrupted" in stderr
    assert "Traceback" not in stderr and "Aborted" not in stderr
    assert not list(out.rglob("*.tmp"))
    again = policyc(["build", "--jobs", "1"], project)
    assert again.returncode == 0, again.stderr
    _manifest_matches_files(out)


def _long_source(project: Path, sections: int = 60) -> Path:
    """A source whose PDF takes a few seconds to lay out: a build is surely mid-render
    when the short outputs beside it are written."""
    text = "Records are kept as long as the law requires and no longer than needed. " * 10
    body = "".join(f"  - id: part-{i}\n    title: Part {i}\n    blocks:\n"
                   f"      - paragraph: {text}\n      - paragraph: {text}\n"
                   for i in range(sections))
    path = project / "source" / "long-notice.yaml"
    path.write_text("id: long-notice\ntitle: Long Notice\nversion: 1.0.0\nupdated: 2025-03-01\n"
                    "effective: 2025-04-01\nsource_locale: en\nlocales: [en]\norganization: Example GmbH\n"
                    f"sections:\n{body}", encoding="utf-8")
    return path


def _group_alive(group: int) -> list[str]:
    """The processes still in a process group (pgrep), as `pid command` lines."""
    found = subprocess.run(["pgrep", "-a", "-g", str(group)], capture_output=True, text=True,
                           check=False)
    return found.stdout.splitlines()


def _ended_by_sigterm(returncode: int, stderr: str, out: Path) -> None:
    """exit 143 (128 + SIGTERM) with "policyc: terminated", no traceback, no temporary file
    and no lock file left in the output folder."""
    assert returncode == 143, stderr
    assert stderr.rstrip().endswith("policyc: terminated"), stderr
    assert "Traceback" not in stderr
    assert not list(out.rglob("*.tmp"))
    assert not (out / ".policyc.lock").exists()


def _sigterm_once(proc: subprocess.Popen[str], ready: Callable[[], bool], within: float, *,
                  group: bool = True, check: Callable[[], bool] = lambda: True,
                  settle: float = 0.0) -> str:
    """Send SIGTERM to proc (its process group, or proc alone) once ready() holds and check()
    does; its stderr. Killed with its group if still running at the end."""
    import signal

    try:
        deadline = time.monotonic() + within
        while not ready() and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert check()
        time.sleep(settle)
        (os.killpg if group else os.kill)(proc.pid, signal.SIGTERM)
        return proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.parametrize("to_group", [False, True], ids=["kill", "process-group"])
def test_sigterm_during_a_build_is_unwound_as_ctrl_c(project: Path, to_group: bool) -> None:
    """SIGTERM mid-render, to the build alone (`kill`, systemd) or to its whole process group
    (`timeout`, a CI runner's cancellation): exit 143 (128 + SIGTERM) with "policyc:
    terminated", no traceback, no temporary file and no lock file left in the output
    folder, no render worker left running; the next build finishes the job and every PDF
    reads back whole (pypdf)."""

    from pypdf import PdfReader

    _long_source(project)
    out = project / "dist"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "compiler", "build", "--jobs", "2"],
                            cwd=project, env=env, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    # the short outputs are written while the long PDF (sent out first) is laid out, by the
    # build's render workers
    stderr = _sigterm_once(proc, (out / "en").exists, 60, group=to_group,
                           check=lambda: len(_group_alive(proc.pid)) >= 2)
    _ended_by_sigterm(proc.returncode, stderr, out)
    assert not (out / "en" / "long-notice.pdf").exists()  # it was stopped mid-render
    deadline = time.monotonic() + 5
    while (left := _group_alive(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left
    again = policyc(["build", "--jobs", "2"], project)
    assert again.returncode == 0, again.stderr
    _manifest_matches_files(out)
    pdfs = sorted(out.rglob("*.pdf"))
    assert [p.relative_to(out).as_posix() for p in pdfs] == [
        "de/retention-schedule.pdf", "en/long-notice.pdf", "en/retention-schedule.pdf"]
    for pdf in pdfs:
        reader = PdfReader(pdf, strict=True)
        assert len(reader.pages) >= 1
        assert reader.pages[-1].extract_text().strip()
    assert "Part 59" in "".join(p.extract_text() for p in PdfReader(pdfs[1]).pages)


_LAST_PATH = b"0.003922 0.007843 0.011765 rg"  # the fill of the logo's last path (#010203)


def _heavy_logo(project: Path, paths: int = 15_000) -> None:
    """A brand logo whose drawing takes seconds (WeasyPrint draws each small path in
    Python), its last path in a colour of its own."""
    import random

    rng = random.Random(8)
    shapes = "".join(f'<path d="M{rng.uniform(0, 200):.1f} {rng.uniform(0, 60):.1f}l2 0l0 2z" '
                     f'fill="#{rng.randrange(0x100000, 0xffffff):06x}"/>' for _ in range(paths))
    (project / "brand").mkdir()
    (project / "brand" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" viewBox="0 0 200 60">'
        f'{shapes}<path d="M190 50l8 0l0 8z" fill="#010203"/></svg>', encoding="utf-8")
    (project / "policyc.toml").write_text('[theme]\nlogo = "brand/logo.svg"\n', encoding="utf-8")


@pytest.mark.parametrize("forked", [False, True], ids=["in-process", "forked"])
def test_sigterm_while_an_svg_logo_is_drawn_is_not_swallowed(project: Path, forked: bool) -> None:
    """review8 R8-8: WeasyPrint's SVG drawing catches even a BaseException (logs "Failed to
    render SVG image" and goes on), so the Terminated a SIGTERM raised there was swallowed:
    the build ended 0 with a PDF missing part of its logo, recorded as up to date, and was
    immune to further SIGTERMs. Now: exit 143, the PDF not replaced (the previous one, made
    before the logo was set, left as it was), the next build renders it with the whole
    logo (pypdf: the logo's last path is drawn). In-process: --jobs 1; forked: the PDF in
    a render worker, the HTML beside it in the build's own process."""

    from pypdf import PdfReader

    out = project / "dist"
    before = policyc(["build", "--jobs", "1", "--format", "pdf", "--locale", "en"], project)
    assert before.returncode == 0, before.stderr
    pdf = out / "en" / "retention-schedule.pdf"
    previous = pdf.read_bytes()  # without a logo
    _heavy_logo(project)
    marker = project.parent / "drawing"
    args = ["--jobs", "2", "--format", "html"] if forked else ["--jobs", "1"]
    code = ("import os, sys, weasyprint.images as images\n"  # says when the drawing has begun
            "draw = images.SVGImage.draw\n"
            "def drawing(*args, **kwargs):\n"
            f"    open({str(marker)!r}, 'a').write(str(os.getpid()))\n"
            "    return draw(*args, **kwargs)\n"
            "images.SVGImage.draw = drawing\n"
            f"sys.argv = ['policyc', 'build', *{args!r}, '--format', 'pdf', '--locale', 'en', "
            "'--no-keep-warm']\n"
            "from compiler.__main__ import run\nrun()\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=project, env=env,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    stderr = _sigterm_once(  # to the group, as `timeout` does: the workers ignore it
        proc, lambda: marker.exists() and bool(marker.read_text()), 120,
        check=lambda: (int(marker.read_text()) != proc.pid) is forked,  # where the PDF is
        settle=0.2)  # laid out; then well inside the drawing (~2 s)
    _ended_by_sigterm(proc.returncode, stderr, out)
    assert pdf.read_bytes() == previous  # not replaced by one with a cut logo
    again = policyc(["build", "--jobs", "1", "--format", "pdf", "--locale", "en"], project)
    assert again.returncode == 0, again.stderr
    assert "1 built" in again.stderr, again.stderr  # not taken as up to date
    assert "Failed to render SVG" not in again.stderr
    first = PdfReader(pdf, strict=True).pages[0]
    assert _LAST_PATH in first.get_contents().get_data()  # the logo drawn to its end
    _manifest_matches_files(out)
