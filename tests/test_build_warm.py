"""The warm render worker (`policyc build --keep-warm`, compiler/build/warm/): reused between
builds, the same bytes as a cold build, templates re-read, replaced when stale, refused in an
unsafe folder, never failing or hanging a build, and gone after stop or its idle timeout."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compiler.build import BuildOptions, BuildResult, build
from compiler.build.warm import DEFAULT_MINUTES, client, talk
from compiler.build.warm import folder as wf
from compiler.errors import CompilerError
from tests.helpers import FIXTURES, run_cli

pytestmark = pytest.mark.skipif(not wf.supported(), reason="the warm worker needs Linux")

MINUTES = 0.5  # idle timeout of the workers these tests start (each is stopped anyway)
GONE = 2**22 + 1  # over Linux's largest pid: no such process


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from warm_project(tmp_path, monkeypatch)


def warm_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the fixture project (en, de) with a cache folder of its own; its worker is
    stopped afterwards, and none may be left."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    cache = tmp_path / "cache"
    monkeypatch.setenv("POLICYC_CACHE_DIR", str(cache))
    yield root
    found = client.status(cache)
    client.stop(cache)
    if found is not None:
        assert not _alive(found["pid"]), "a warm worker was left running"


def _source(root: Path) -> Path:
    return root / "source" / "retention-schedule.yaml"


def _cache() -> Path:
    return Path(os.environ["POLICYC_CACHE_DIR"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is gone too


def _build(root: Path, out: str, **options: object) -> dict[str, str]:
    """sha256 of every output of one build into root/out."""
    target = root / out
    result = build([_source(root)], BuildOptions(out=target, jobs=2, **options))  # type: ignore[arg-type]
    assert not [w for w in result.warnings if "--keep-warm" in str(w)], result.warnings
    return {o.path.relative_to(target).as_posix(): hashlib.sha256(o.path.read_bytes()).hexdigest()
            for o in result.outputs}


def _cold(root: Path, out: str, formats: tuple[str, ...] = (),
          locales: tuple[str, ...] = (), keep_warm: float = 0) -> dict[str, str]:
    """sha256 of every output of `policyc build --force` in a fresh process: the yardstick (a
    build in this test process forks its pool from whatever earlier tests left behind: in a
    full run one such DOCX differed from a fresh process's); keep_warm for a warm build so."""
    import subprocess
    import sys

    args = [sys.executable, "-m", "compiler", "-q", "build", "--out", out, "--force",
            "--jobs", "2", *(f"--format={f}" for f in formats),
            *(f"--locale={c}" for c in locales), f"--keep-warm-minutes={keep_warm}"]
    subprocess.run(args, cwd=root, check=True, capture_output=True)
    return {p.relative_to(root / out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((root / out).glob("*/*"))
            if p.is_file() and (not locales or p.parent.name in locales)}


def _pid() -> int:
    found = client.status(_cache())
    assert found is not None, "no warm worker is running"
    return int(found["pid"])


def test_warm_builds_reuse_the_worker_and_give_the_cold_bytes(project: Path) -> None:
    cold = _cold(project, "cold")
    assert len(cold) == 6  # en, de x html, pdf, docx
    assert _cold(project, "warm", keep_warm=MINUTES) == cold
    first = client.status(_cache())
    assert first is not None and first["renders"] >= 1
    assert _cold(project, "warm", keep_warm=MINUTES) == cold
    assert _cold(project, "warm", keep_warm=MINUTES, locales=("de",)) == {
        k: v for k, v in cold.items() if k.startswith("de/")}
    third = client.status(_cache())
    assert third is not None and third["pid"] == first["pid"]  # the same process, three builds
    assert third["renders"] >= first["renders"] + 2  # ... rendering the PDFs of each


def test_an_edited_template_is_read_again(project: Path) -> None:
    css = project / "templates" / "css" / "print.css"
    css.parent.mkdir(parents=True)
    css.write_text((FIXTURES.parent.parent / "templates" / "css" / "print.css")
                   .read_text(encoding="utf-8"), encoding="utf-8")
    before = _cold(project, "warm", formats=("pdf",), keep_warm=MINUTES)  # finds templates/
    pid = _pid()
    with css.open("a", encoding="utf-8") as fh:
        fh.write("\nh1 { color: #0a7d33; }\n")
    after = _cold(project, "warm", formats=("pdf",), keep_warm=MINUTES)
    assert _pid() == pid  # the same worker ...
    assert after != before  # ... rendered the new style
    assert _cold(project, "cold", formats=("pdf",)) == after


def test_the_workers_css_warnings_come_back_with_its_pdf(project: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """qa6 D11: what WeasyPrint finds in the project's print.css is located and counted by
    the build, also when the warm worker laid the PDF out (its reply carries them)."""
    from compiler.renderers.templates import Templates

    monkeypatch.chdir(project)  # paths in messages
    css = project / "templates" / "css" / "print.css"
    css.parent.mkdir(parents=True)
    css.write_text("h1 { colr: red }\n", encoding="utf-8")
    for _ in range(2):  # the worker started, then the same worker again
        result = build([_source(project)], BuildOptions(out=project / "warm", jobs=2,
                       formats=("pdf",), force=True, keep_warm=MINUTES,
                       templates=Templates.for_project(css.parent.parent)))
        assert [str(w) for w in result.warnings if "print.css" in str(w)] == [
            "templates/css/print.css:1:6: warning: ignored `colr: red`: unknown property "
            "(WeasyPrint)"]
    found = client.status(_cache())
    assert found is not None and found["renders"] >= 1


def test_a_worker_of_another_version_is_stopped_and_replaced(project: Path) -> None:
    """An old worker (here: one answering with another identity) is told to stop; the build
    starts a worker of its own version and renders through it."""
    fd = wf.open_folder(_cache())
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(wf.socket_path(fd))
    listener.listen(4)
    told: list[str] = []

    def old_worker() -> None:
        while True:
            conn, _ = listener.accept()
            with conn:
                header, _ = wf.receive(conn)
                told.append(header["op"])
                wf.send(conn, {"ok": True, "identity": "policyc 0.0.1", "pid": GONE,
                               "renders": 0})
                if header["op"] == "stop":  # as the real one: no socket file left
                    listener.close()
                    os.unlink(wf.SOCKET, dir_fd=fd)
                    return

    thread = threading.Thread(target=old_worker, daemon=True)
    thread.start()
    try:
        cold = _cold(project, "cold", formats=("pdf",), locales=("de",))
        assert _build(project, "warm", keep_warm=MINUTES, formats=("pdf",),
                      locales=("de",)) == cold
        thread.join(timeout=10)
        assert told == ["status", "stop"]
        assert _pid() != os.getpid()
        assert client.status(_cache())["renders"] == 1  # type: ignore[index]
    finally:
        os.close(fd)


@pytest.mark.parametrize("unsafe", ["symlink", "open to others"])
def test_an_unsafe_worker_folder_is_refused_with_a_warning(project: Path, tmp_path: Path,
                                                           unsafe: str) -> None:
    folder = _cache() / wf.FOLDER
    folder.parent.mkdir(parents=True)
    if unsafe == "symlink":  # a cloned project can carry one, pointing anywhere
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir(mode=0o700)
        folder.symlink_to(elsewhere)
    else:
        folder.mkdir()
        folder.chmod(0o755)
    out = project / "dist"
    result = build([_source(project)], BuildOptions(out=out, keep_warm=MINUTES, locales=("de",)))
    warnings = [str(w) for w in result.warnings if "--keep-warm" in str(w)]
    expected = "is a symbolic link" if unsafe == "symlink" else "is open to other users"
    assert len(warnings) == 1 and expected in warnings[0] and "without a warm worker" in \
        warnings[0], warnings
    assert result.built == 3
    assert client.status(_cache()) is None
    if unsafe == "symlink":
        assert list((tmp_path / "elsewhere").iterdir()) == []  # nothing made through the link


def test_the_identity_is_the_same_whichever_name_started_the_interpreter() -> None:
    """A venv's python and python3 (the console script's shebang) are one interpreter: a
    worker started by one is current for the other."""
    import subprocess
    import sys

    names = [n for n in ("python", "python3") if (Path(sys.executable).parent / n).exists()]
    found = {subprocess.run([str(Path(sys.executable).parent / n), "-c",
                             "from compiler.build.warm.folder import identity; print(identity())"],
                            check=True, capture_output=True, text=True).stdout for n in names}
    assert found == {wf.identity() + "\n"}


def test_a_folder_of_another_user_is_refused() -> None:
    """The check itself (changing a folder's owner needs root): another user's folder, even
    closed to others, is not used."""
    info = os.stat_result((0o040700, 0, 0, 2, os.getuid() + 1, 0, 4096, 0, 0, 0))
    assert "belongs to user id" in (wf._problem(info) or "")
    mine = os.stat_result((0o040700, 0, 0, 2, os.getuid(), 0, 4096, 0, 0, 0))
    assert wf._problem(mine) is None


def test_a_killed_worker_is_replaced_and_a_stopped_one_bypassed(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = _cold(project, "cold", formats=("pdf",), locales=("de",))
    assert _build(project, "warm", keep_warm=MINUTES, formats=("pdf",), locales=("de",),
                  force=True) == cold
    killed = _pid()
    os.kill(killed, signal.SIGKILL)  # its socket file stays behind
    assert _build(project, "warm", keep_warm=MINUTES, formats=("pdf",), locales=("de",),
                  force=True) == cold
    hung = _pid()
    assert hung != killed
    os.kill(hung, signal.SIGSTOP)  # accepts connections (the kernel does), answers nothing
    monkeypatch.setattr(talk, "CONNECT_WAIT", 2.0)
    try:
        started = time.monotonic()
        assert _build(project, "warm", keep_warm=MINUTES, formats=("pdf",), locales=("de",),
                      force=True) == cold
        assert time.monotonic() - started < talk.CONNECT_WAIT + 30
        assert not _alive(hung)  # killed: it would have cost every build the wait
        found = client.status(_cache())
        assert found is not None and found["pid"] != hung and found["renders"] == 1  # its own
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(hung, signal.SIGKILL)
            os.kill(hung, signal.SIGCONT)


def test_render_failure_in_the_worker_falls_back(project: Path, monkeypatch: pytest.MonkeyPatch
                                                 ) -> None:
    """A request the worker cannot take (here: a payload over the message bound the worker
    applies) is rendered by an ordinary worker: same bytes, the build succeeds."""
    cold = _cold(project, "cold", formats=("pdf",), locales=("de",))
    monkeypatch.setattr(wf, "dumps", lambda value: b"not a pickle")
    assert _build(project, "warm", keep_warm=MINUTES, formats=("pdf",), locales=("de",),
                  force=True) == cold
    assert client.status(_cache())["renders"] == 0  # type: ignore[index]


def test_a_long_document_gets_a_fresh_process(project: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    """A long layout after other renders peaks higher: long documents (here every document
    counts as long) go to a fresh process, with the same bytes; the worker stays as it was."""
    cold = _cold(project, "cold", formats=("pdf",), locales=("de",))
    monkeypatch.setattr(client, "LONG_UNITS", 1)
    assert _build(project, "warm", keep_warm=MINUTES, formats=("pdf",), locales=("de",),
                  force=True) == cold
    assert client.status(_cache())["renders"] == 0  # type: ignore[index]


def test_the_worker_leaves_after_its_idle_time_and_on_stop(project: Path) -> None:
    _build(project, "warm", keep_warm=0.02, formats=("pdf",), locales=("de",))  # 1.2 s
    pid = _pid()
    deadline = time.monotonic() + 20
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
    assert not (_cache() / wf.FOLDER / wf.SOCKET).exists()
    _build(project, "warm", keep_warm=MINUTES, formats=("pdf",), locales=("de",), force=True)
    pid = _pid()
    assert client.stop(_cache()) == (pid, True)
    assert not _alive(pid)
    assert client.status(_cache()) is None


def test_the_worker_recycles_itself_above_its_memory_bound(project: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setenv("POLICYC_WARM_MAX_MB", "1")  # every render is over it
    _build(project, "warm", keep_warm=MINUTES, formats=("pdf",), locales=("de",))
    found = client.status(_cache())
    assert found is None  # it exited after replying; the next build starts a fresh one


def test_cli_keep_warm_from_the_environment_and_the_option_then_status_and_stop(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "policyc.toml").write_text('[build]\nformats = ["pdf"]\nlocales = ["de"]\n',
                                          encoding="utf-8")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("POLICYC_KEEP_WARM", "1")
    code, output = run_cli(project, "-q", "build")
    assert code == 0, output
    code, output = run_cli(project, "warm", "status")
    assert code == 0 and output.startswith("warm worker ") and "current" in output, output
    assert "exits after 1 idle minutes" in output
    pid = int(output.split()[2].rstrip(":"))
    code, output = run_cli(project, "-q", "build", "--keep-warm-minutes", "0.5", "--force")
    assert code == 0, output
    code, output = run_cli(project, "warm", "status")
    assert output.startswith(f"warm worker {pid}: 2 renders"), output  # the same one
    assert f"(2 localized by it, for {project.resolve()})" in output  # head starts (recipe.py)
    assert "exits after 0.5 idle minutes" in output  # the latest build's timeout
    code, output = run_cli(project, "warm", "stop")
    assert (code, output.strip()) == (0, f"stopped warm worker {pid}")
    assert not _alive(pid)
    assert run_cli(project, "warm", "status") == (0, "no warm worker running\n")


def test_a_project_config_cannot_turn_the_worker_on_nor_the_environment_in_ci(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A downloaded project's policyc.toml may not start a process that outlives the build
    (i18-review R2): keep-warm there is an error naming what to use. In CI (CI set) only the
    command line turns the worker on, POLICYC_KEEP_WARM alone does not."""
    config = project / "policyc.toml"
    config.write_text('[build]\nkeep-warm = 30\nformats = ["html"]\n', encoding="utf-8")
    code, output = run_cli(project, "-q", "build")
    assert code != 0
    assert "policyc.toml:2: error: build.keep-warm: not read from the project's config" in \
        output and "--keep-warm" in output and "POLICYC_KEEP_WARM" in output, output
    assert client.status(_cache()) is None
    config.write_text('[build]\nformats = ["pdf"]\nlocales = ["de"]\n', encoding="utf-8")
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("POLICYC_KEEP_WARM", "1")
    code, output = run_cli(project, "-q", "build")
    assert code == 0, output
    assert client.status(_cache()) is None
    code, output = run_cli(project, "-q", "build", "--keep-warm-minutes", "0.5", "--force")
    assert code == 0, output
    assert client.status(_cache()) is not None


def _global(module: str, name: str) -> bytes:
    """Pickle's STACK_GLOBAL of module.name (protocol 4: the name may be dotted)."""
    m, n = module.encode(), name.encode()
    return b"\x8c" + bytes([len(m)]) + m + b"\x8c" + bytes([len(n)]) + n + b"\x93"


def test_a_request_cannot_build_a_function_or_reach_other_classes(tmp_path: Path) -> None:
    """The review's payload (i18-review D2): dotted names walk from an allowed module to
    FunctionType and CodeType, and the pickle then builds and calls a function. Refused, and
    nothing runs; so are other dotted, private and unlisted names."""
    import pickle

    marker = tmp_path / "PWNED"
    code = compile(f"open({str(marker)!r}, 'w').close()", "x", "eval")
    fields = (code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount,
              code.co_nlocals, code.co_stacksize, code.co_flags, code.co_code, code.co_consts,
              code.co_names, code.co_varnames, code.co_filename, code.co_name,
              code.co_qualname, code.co_firstlineno, code.co_linetable,
              code.co_exceptiontable, code.co_freevars, code.co_cellvars)
    payload = (b"\x80\x04" + _global("compiler.model", "Document.__init__.__class__")
               + _global("compiler.model", "Document.__init__.__code__.__class__")
               + pickle.dumps(fields, protocol=3)[2:-1] + b"R}\x86R)R.")
    with pytest.raises(pickle.UnpicklingError, match="not allowed in a render request"):
        wf.loads(payload)
    assert not marker.exists()
    for module, name in [("compiler.model", "enum.bltns.type"),
                         ("compiler.errors", "re.functools.partial"),
                         ("compiler.model", "Document.__class__"),
                         ("compiler.model", "_Private"), ("copyreg", "_reconstructor"),
                         ("builtins", "object"), ("builtins", "eval"), ("os", "system"),
                         ("compiler.model", "Path"), ("compiler.model", "enum")]:
        with pytest.raises(pickle.UnpicklingError, match="not allowed"):
            wf.loads(b"\x80\x04" + _global(module, name) + b")R.")


def test_the_request_classes_are_those_of_the_request_types_and_a_real_request_loads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """REQUEST_CLASSES is exactly what the annotations of LocalizedDocument, Recipe and
    RenderOptions reach (so a new model class cannot be forgotten), and the shipped
    policy's de PDF request, as the build submits it, loads equal to what was sent; so does
    its head start (a recipe)."""
    import dataclasses
    import sys
    import typing
    from concurrent.futures import Future

    import compiler.model
    from compiler.build import pipeline
    from compiler.build.warm.recipe import Recipe
    from compiler.renderers import RenderOptions

    found: set[tuple[str, str]] = set()

    def visit(hint: object) -> None:
        if typing.get_origin(hint) is not None:
            if typing.get_origin(hint) is not typing.Literal:
                for arg in typing.get_args(hint):
                    visit(arg)
            return
        if not isinstance(hint, type) or hint.__module__ == "builtins":
            return
        name = "PosixPath" if hint is Path else hint.__qualname__
        if (hint.__module__, name) in found:
            return
        found.add((hint.__module__, name))
        if dataclasses.is_dataclass(hint):
            scope = {**vars(compiler.model), **vars(sys.modules[hint.__module__])}
            hints = typing.get_type_hints(hint, scope)
            for field in dataclasses.fields(hint):
                visit(hints[field.name])

    visit(compiler.model.LocalizedDocument)
    visit(Recipe)
    visit(RenderOptions)
    assert found == wf.REQUEST_CLASSES
    assert not [n for _, n in wf.REQUEST_CLASSES if "." in n or n.startswith("_")]

    sent: list[tuple[object, ...]] = []

    class Capture(client.WarmExecutor):
        def __init__(self) -> None:
            pass

        def submit(self, fn: object, *args: object) -> Future[bytes]:
            sent.append(args)
            future: Future[bytes] = Future()
            future.set_result(b"")
            return future

        def head_start(self, *args: object) -> Future[bytes]:
            sent.append(args)
            future: Future[bytes] = Future()
            future.set_exception(client.NoHeadStart("captured"))
            return future

        def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
            pass

    monkeypatch.setenv("POLICYC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(pipeline, "start_pool", lambda *args: (Capture(), 1))
    root = FIXTURES.parent.parent
    build([root / "source" / "privacy-policy.yaml"],
          BuildOptions(out=tmp_path / "out", formats=("pdf",), locales=("de",), jobs=2,
                       keep_warm=MINUTES))
    assert [type(s[1]).__name__ for s in sent] == ["Recipe", "LocalizedDocument"]
    for request in sent:
        assert request[0] == "pdf"
        assert wf.loads(wf.dumps(request)) == request


def _build_within(project: Path, seconds: float) -> BuildResult:
    """A --keep-warm build of the de PDF, which must end within `seconds` (a thread, so a
    build that hangs fails the test instead of hanging it)."""
    done: list[BuildResult] = []
    thread = threading.Thread(daemon=True, target=lambda: done.append(build(
        [_source(project)], BuildOptions(out=project / "dist", keep_warm=MINUTES,
                                         formats=("pdf",), locales=("de",)))))
    thread.start()
    thread.join(timeout=seconds)
    assert done, f"the build did not end within {seconds} s"
    return done[0]


@pytest.mark.parametrize("name", [wf.LOG, wf.SPAWN_LOCK])
@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_a_fifo_or_link_in_the_worker_folder_neither_hangs_nor_is_followed(
        project: Path, tmp_path: Path, name: str, kind: str) -> None:
    """A project's archive can carry .policyc-cache/warm/ with a FIFO as worker.log (an open
    for writing would wait for a reader: the build hung for good, i18-review D1) or a link
    to a file of the user's. The build goes on without the worker, with a warning."""
    folder = _cache() / wf.FOLDER
    folder.mkdir(parents=True, mode=0o700)
    target = tmp_path / "precious"
    target.write_text("keep\n", encoding="utf-8")
    if kind == "fifo":
        os.mkfifo(folder / name, 0o600)
    else:
        (folder / name).symlink_to(target)
    result = _build_within(project, 60)
    warnings = [str(w) for w in result.warnings if "--keep-warm" in str(w)]
    assert len(warnings) == 1 and name in warnings[0] and "without a warm worker" in \
        warnings[0], warnings
    assert result.built == 1
    assert client.status(_cache()) is None
    assert target.read_text(encoding="utf-8") == "keep\n"


@pytest.mark.parametrize("kind", ["fifo", "symlink", "folder"])
def test_the_folder_files_are_opened_without_blocking_or_following(tmp_path: Path,
                                                                  kind: str) -> None:
    """What the build meets when such a file appears after its check (open_file)."""
    folder = tmp_path / "warm"
    folder.mkdir(mode=0o700)
    if kind == "fifo":
        os.mkfifo(folder / wf.LOG, 0o600)
    elif kind == "symlink":
        (folder / wf.LOG).symlink_to(tmp_path / "elsewhere")
    else:
        (folder / wf.LOG).mkdir()
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with pytest.raises(wf.Refused, match=wf.LOG):
            wf.open_file(fd, wf.LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        with pytest.raises(wf.Refused, match=wf.LOG):
            wf.check_files(fd)
        (folder / wf.SPAWN_LOCK).write_text("", encoding="utf-8")
        opened = wf.open_file(fd, wf.SPAWN_LOCK, os.O_RDWR | os.O_CREAT)
        assert os.get_blocking(opened)
        os.close(opened)
    finally:
        os.close(fd)
    assert not (tmp_path / "elsewhere").exists()


def test_the_worker_keeps_no_secret_of_the_build_that_started_it(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker outlives its build: it starts with an allowlisted environment, without the
    signing passphrase and PIN or anything named like a secret (i18-review R5)."""
    secrets = {"POLICYC_P12_PASSPHRASE": "hunter2-secret", "POLICYC_PKCS11_PIN": "1234",
               "GITHUB_TOKEN": "ghp_x", "AWS_SECRET_ACCESS_KEY": "aws-x",
               "POLICYC_TSA_URL": "https://user:pw@tsa.example", "MY_PASSWORD": "pw",
               "UNRELATED": "x"}
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    _build(project, "warm", keep_warm=MINUTES, formats=("pdf",), locales=("de",))
    environ = dict(entry.split("=", 1) for entry in Path(f"/proc/{_pid()}/environ")
                   .read_bytes().decode().split("\0") if entry)
    assert not set(secrets) & set(environ), environ
    assert environ["PATH"] == os.environ["PATH"]
    assert environ["POLICYC_CACHE_DIR"] == os.environ["POLICYC_CACHE_DIR"]


def test_the_environment_a_render_reads_is_part_of_the_identity(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Fontconfig's and fontTools' variables change a render's bytes: a build with other
    values does not use a worker started with these (it replaces it)."""
    before = wf.identity()
    monkeypatch.setenv("POLICYC_P12_PASSPHRASE", "changes nothing a render reads")
    assert wf.identity() == before
    monkeypatch.setenv("FONTCONFIG_FILE", "/elsewhere/fonts.conf")
    assert wf.identity() != before
    monkeypatch.delenv("FONTCONFIG_FILE")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert wf.identity() != before


def test_warm_status_and_stop_name_a_worker_that_does_not_answer_and_stop_kills_it(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stopped (or stuck) worker is not 'no warm worker running' (i18-review R6)."""
    _build(project, "warm", keep_warm=MINUTES, formats=("pdf",), locales=("de",))
    pid = _pid()
    os.kill(pid, signal.SIGSTOP)
    monkeypatch.setattr(talk, "CONNECT_WAIT", 1.0)
    try:
        code, output = run_cli(project, "warm", "status")
        assert (code, output) == (0, f"warm worker {pid} does not answer (stopped or stuck); "
                                     "the next build that uses one replaces it, `policyc "
                                     "warm stop` kills it\n")
        code, output = run_cli(project, "warm", "stop")
        assert (code, output) == (0, f"killed warm worker {pid}: it did not answer\n")
        assert not _alive(pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
            os.kill(pid, signal.SIGCONT)


def test_a_busy_worker_answers_status_and_costs_a_build_one_wait(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the worker serves another build's render (here: a hello whose render request
    has not come yet), it still answers a status at once (so no answer means stuck), and a
    build waits for it once, not once per PDF (i18-review N4)."""
    _build(project, "warm", keep_warm=MINUTES, formats=("pdf",), locales=("de",))
    pid = _pid()
    fd = wf.open_folder(_cache())
    other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        other.connect(wf.socket_path(fd))
        wf.send(other, {"op": "hello", "identity": wf.identity(), "minutes": MINUTES})
        other.settimeout(10)
        wf.receive(other)  # the worker is now this connection's until its request comes
        started = time.monotonic()
        assert _pid() == pid
        assert time.monotonic() - started < 2
        tries: list[object] = []
        render = client.WarmExecutor._render

        def counted(self: client.WarmExecutor, args: tuple[object, ...]) -> bytes:
            tries.append(args)
            return render(self, args)

        monkeypatch.setattr(client.WarmExecutor, "_render", counted)
        monkeypatch.setattr(talk, "CONNECT_WAIT", 1.0)
        result = build([_source(project)], BuildOptions(out=project / "dist", jobs=1,
                                                        keep_warm=MINUTES, force=True,
                                                        formats=("pdf",)))
        assert result.built == 2 and len(tries) == 1  # en waited, de went straight on
    finally:
        other.close()
        os.close(fd)


def test_a_held_spawn_lock_costs_a_bounded_wait(project: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A build stopped while it starts a worker holds the spawn lock: the others wait for it
    a bounded time, then build without the worker (i18-review N6)."""
    import fcntl

    fd = wf.open_folder(_cache())
    lock = os.open(wf.SPAWN_LOCK, os.O_RDWR | os.O_CREAT, 0o600, dir_fd=fd)
    fcntl.flock(lock, fcntl.LOCK_EX)
    monkeypatch.setattr(client, "LOCK_WAIT", 1.0)
    try:
        assert _build_within(project, 60).built == 1
        assert client.status(_cache()) is None
    finally:
        os.close(lock)
        os.close(fd)


def test_keep_warm_is_a_plain_flag_that_leaves_the_sources_alone(project: Path) -> None:
    """`build --keep-warm SOURCE` builds SOURCE with the default idle minutes (the flag used
    to take an optional value and read the path as minutes, i18-review N1);
    --keep-warm-minutes gives others."""
    code, output = run_cli(project, "-q", "build", "--keep-warm",
                           "source/retention-schedule.yaml", "--format", "pdf", "--locale", "de")
    assert code == 0, output
    assert (project / "dist" / "de" / "retention-schedule.pdf").stat().st_size > 0
    code, output = run_cli(project, "warm", "status")
    assert f"exits after {DEFAULT_MINUTES:g} idle minutes" in output, output
    code, output = run_cli(project, "-q", "build", "--keep-warm-minutes", "0.5",
                           "source/retention-schedule.yaml", "--format", "pdf", "--locale", "de",
                           "--force")
    assert code == 0, output
    code, output = run_cli(project, "warm", "status")
    assert "exits after 0.5 idle minutes" in output, output
    code, output = run_cli(project, "build", "--help")
    assert "--keep-warm " in output and "--keep-warm-minutes MINUTES" in output


def test_a_relative_cache_folder_gets_a_worker_too(project: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """POLICYC_CACHE_DIR=cache, relative to the build's folder: the worker, started in /,
    is given the folder itself (it used to fail to start, build after build, unsaid)."""
    monkeypatch.chdir(_cache().parent)
    monkeypatch.setenv("POLICYC_CACHE_DIR", _cache().name)
    build([_source(project)], BuildOptions(out=project / "warm", keep_warm=MINUTES,
                                           formats=("pdf",), locales=("de",)))
    found = client.status(_cache())
    assert found is not None, "no warm worker started"
    assert found["renders"] == found["recipes"] == 1  # its head start, primed from the cache


def test_a_head_start_does_not_wait_for_a_worker_being_started(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build waits for its head start's request to go only when it goes at once: not
    while the worker is being started (held here until the head start has returned; it
    used to wait out client.SEND_WAIT, here made long). The recipe then still goes."""
    from compiler.build import pipeline
    from compiler.build.warm import start

    monkeypatch.setattr(client, "SEND_WAIT", 30.0)
    released, spawned = threading.Event(), threading.Event()
    spawn = start.spawn

    def held(*args: Any) -> None:
        released.wait(10)
        spawned.set()
        spawn(*args)

    head_start = pipeline.head_start
    early: list[bool] = []

    def timed(*args: Any) -> Any:
        head = head_start(*args)
        early.append(not spawned.is_set())
        released.set()
        return head

    monkeypatch.setattr(start, "spawn", held)
    monkeypatch.setattr(pipeline, "head_start", timed)
    build([_source(project)], BuildOptions(out=project / "warm", keep_warm=MINUTES,
                                           formats=("pdf",), locales=("de",)))
    assert early == [True]
    found = client.status(_cache())
    assert found is not None and found["recipes"] == 1


def test_a_warm_render_past_the_time_limit_fails_its_output_and_stops_the_worker(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker renders in a thread, which no signal can stop: past the render time
    limit the build kills it (the next build starts a fresh one) and fails that output with
    the located error, not rendering it again in an ordinary worker."""
    from tests.test_faults import _long_source

    source = _long_source(project, 120)  # ~3 s of layout, short enough for the worker
    tries: list[object] = []
    killed: list[int] = []
    render, kill = client.WarmExecutor._render, client.kill

    def counted(self: client.WarmExecutor, args: tuple[object, ...]) -> bytes:
        tries.append(args)
        return render(self, args)

    def recorded(pid: int) -> None:
        killed.append(pid)
        kill(pid)

    monkeypatch.setattr(client.WarmExecutor, "_render", counted)
    monkeypatch.setattr(client, "kill", recorded)
    out = project / "dist"
    with pytest.raises(CompilerError) as err:
        build([source], BuildOptions(out=out, jobs=1, keep_warm=MINUTES, formats=("pdf",),
                                     render_time_limit=1))
    (diagnostic,) = err.value.diagnostics
    assert diagnostic.message.startswith(
        "rendering long-notice en pdf took longer than 1 s and was stopped")
    assert len(tries) == 1 and len(killed) == 1
    deadline = time.monotonic() + 10  # SIGKILL sent: gone once the kernel has ended it
    while _alive(killed[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(killed[0])
    assert not (out / "en" / "long-notice.pdf").exists()
    assert not list(out.rglob("*.tmp"))
