"""The command line: start-up stays light, committed catalogs stay current, every error path exits right."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import POLICY, ROOT

HEAVY = ("weasyprint", "docx", "pyhanko", "jinja2")


@pytest.mark.parametrize("args", [["--help"], ["check"], ["locale", "status"]])
def test_startup_imports_no_renderer(args: list[str]) -> None:
    code = ("import sys, runpy; sys.argv = ['policyc', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('compiler.cli', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(' '.join(sorted(m for m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    loaded = set(out.split())
    assert not [m for m in HEAVY if m in loaded]


def test_committed_template_and_catalogs_are_current(tmp_path: Path) -> None:
    """extract -> update on the shipped policy changes no committed byte."""
    project = tmp_path / "p"
    (project / "source").mkdir(parents=True)
    shutil.copy(ROOT / "source" / "privacy-policy.yaml", project / "source")
    shutil.copytree(ROOT / "locales", project / "locales")
    subprocess.run([sys.executable, "-m", "compiler.cli", "locale", "update"], cwd=project,
                   check=True, capture_output=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    for po in sorted((ROOT / "locales").rglob("*.po*")):
        rel = po.relative_to(ROOT / "locales")
        assert (project / "locales" / rel).read_bytes() == po.read_bytes(), rel


def test_canonical_link_with_base_url(tmp_path: Path) -> None:
    import lxml.html

    from compiler.build import BuildOptions, build

    build([ROOT / "source" / "privacy-policy.yaml"],
          BuildOptions(out=tmp_path, formats=("html",), locales=("de",),
                       base_url="https://example.com/legal"))
    page = lxml.html.fromstring((tmp_path / "de" / "privacy-policy.html").read_bytes())
    assert page.xpath("//link[@rel='canonical']/@href") == [
        "https://example.com/legal/de/privacy-policy.html"]


def test_check_fast_path_reports_errors_and_skips_click(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "fixtures" / "invalid" / "unknown-key.yaml"
    proc = subprocess.run([sys.executable, "-m", "compiler", "check", str(bad)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert "unknown-key.yaml:16:13: error: sections[0].blocks[0].bullets[0]: unknown key" \
        in proc.stderr
    code = ("import atexit, sys, runpy; sys.argv = ['policyc', 'check']\n"
            "atexit.register(lambda: print('click' in sys.modules, 'yaml' in sys.modules, "
            "'compiler.model' in sys.modules))\n"  # run before the console script's exit
            "runpy.run_module('compiler', run_name='__main__')\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.split()
    # second run: validated before, nothing parsed, not even the model loaded (issue #18)
    assert out == ["False", "False", "False"]


def test_noop_build_loads_no_model_and_no_renderer(tmp_path: Path) -> None:
    """Nothing to rebuild: the plan comes from cached facts and content hashes (#18); only
    the build command is imported (not the other commands), nor Babel (its version is read
    from its file), nor the PO reader (catalogs are hashed, not parsed: compiler.i18n.paths
    names them), nor what a no-op needs none of: difflib (click's suggestions, which `-q`
    made it import), tomllib (the checkout's pyproject.toml names policyc but holds no
    [tool.policyc]), concurrent.futures (no pool), compiler.links (no URL to check),
    logging (nothing is logged: compiler/logs.py), the dataclasses of RenderOptions and
    SignerOptions (nothing is rendered or signed). No module of policyc is read to hash
    the code (its digest is cached with the files' stamp); start-up's objects are frozen out
    of the collector's passes (it is off until the command starts, then on again)."""
    args = ["-q", "build", "source/privacy-policy.yaml", "--format", "html", "--locale", "de",
            "--out", str(tmp_path / "out")]
    code = ("import atexit, gc, sys, runpy; sys.argv = ['policyc', *sys.argv[1:]]\n"
            "from compiler.project import sources\n"
            "read, digest = [], sources._hash_code\n"
            "sources._hash_code = lambda: read.append('code-read-and-hashed') or digest()\n"
            "atexit.register(lambda: print(' '.join(m for m in ('compiler.model', *HEAVY) "
            "if m in sys.modules), *read, 'not-frozen' * (gc.get_freeze_count() == 0), "
            "'gc-off' * (not gc.isenabled())))\n"
            "runpy.run_module('compiler', run_name='__main__')\n")  # atexit: before its exit
    others = ("babel", "tempfile", "compiler.cli.diff", "compiler.cli.serve",
              "compiler.cli.verify", "compiler.cli.importing", "compiler.cli.locale",
              "compiler.i18n.catalogs", "compiler.i18n.pofile", "difflib", "tomllib",
              "concurrent.futures", "compiler.links", "logging", "compiler.renderers.options",
              "compiler.signing.options")
    code = code.replace("HEAVY", repr(HEAVY + others))
    subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, check=True,
                   capture_output=True)
    state = tmp_path / "out" / ".policyc-state.json"
    before = state.stat()
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    assert out.split() == []
    after = state.stat()  # nothing changed: the state is not written again
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_commands_load_on_demand_and_help_lists_them_all() -> None:
    """The group imports a command's module when it is asked for; --help, a typo's
    suggestion and completion still see every command."""
    from click.testing import CliRunner

    from compiler.cli.app import COMMANDS, main

    runner = CliRunner()
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0
    assert all(f"  {name} " in listed.output for name in COMMANDS)
    typo = runner.invoke(main, ["buil"])
    assert typo.exit_code == 2
    assert "No such command 'buil'. Did you mean 'build'?" in typo.output
    code = ("import sys\nfrom compiler.cli.app import main\n"
            "try:\n    main(['build', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(' '.join(m for m in sys.modules if m.startswith('compiler.cli.')))")
    modules = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.splitlines()[-1].split()
    assert "compiler.cli.build" in modules
    assert not {"compiler.cli.diff", "compiler.cli.serve", "compiler.cli.importing"} & set(modules)


@pytest.mark.parametrize(("args", "message"), [
    (["-x", "build"], "Error: No such option '-x'.\n"),
    (["-qx", "build"], "Error: No such option '-x'.\n"),
    (["build", "-Z"], "Error: No such option '-Z'.\n"),
    (["locale", "status", "-z"], "Error: No such option '-z'.\n"),
    (["--qiuet", "build"], "Error: No such option '--qiuet'. Did you mean '--quiet'?\n"),
    (["build", "--forc"], "Error: No such option '--forc'. (Did you mean one of: '--force', "
                          "'--format'?)\n"),
])
def test_unknown_options_are_reported_as_click_reports_them(args: list[str],
                                                            message: str) -> None:
    """cli/app.py's parser skips click's "did you mean" only where click drops it (a short
    option such as -q is first tried as a long one): every message stays click's."""
    from click.testing import CliRunner

    from compiler.cli.app import main

    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.output.endswith(message)


def test_short_options_parse_as_before() -> None:
    """-q, -v, -h and -j N, alone or combined, before and after the command."""
    from click.testing import CliRunner

    from compiler.cli.app import main

    runner = CliRunner()
    assert runner.invoke(main, ["-q", "-v", "build", "-h"]).exit_code == 0
    assert runner.invoke(main, ["-qv", "locale", "status", "-q", "-h"]).exit_code == 0
    help_text = runner.invoke(main, ["build", "-qh"])
    assert help_text.exit_code == 0 and "--keep-warm" in help_text.output
    bad = runner.invoke(main, ["build", "-j0"])
    assert bad.exit_code == 2 and "-j" in bad.output and "0" in bad.output


def _cli(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    """Run policyc in-process; (exit code, stdout and stderr). A traceback is always a bug."""
    import os

    from click.testing import CliRunner

    from compiler.cli import main

    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def _manifest(path: Path, sha: str = "0" * 64) -> Path:
    path.write_text('{"policyc": "0", "outputs": [{"path": "en/a.html", "format": "html", '
                    f'"locale": "en", "document": "a", "version": "1", "size": 1, '
                    f'"sha256": "{sha}"}}]}}\n', encoding="utf-8")
    return path


def test_manifest_merge_error_paths(tmp_path: Path) -> None:
    good = _manifest(tmp_path / "a.json")
    other = _manifest(tmp_path / "b.json", "1" * 64)
    broken = tmp_path / "broken.json"
    broken.write_text('{"outputs": [\n  1,\n', encoding="utf-8")
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"files": []}', encoding="utf-8")
    out = tmp_path / "merged.json"
    for inputs, expected in (
            ([tmp_path / "missing.json"], "missing.json: error: cannot read manifest: No such file"),
            ([broken], "broken.json:3:1: error: invalid JSON: Expecting value"),
            ([foreign], "foreign.json: error: not a policyc manifest (no 'outputs')"),
            ([good, other], "b.json: error: en/a.html: sha256 differs from another shard's")):
        code, text = _cli("manifest", "merge", *map(str, inputs), "-o", str(out))
        assert code == 1, text
        assert expected in text and text.endswith("policyc: 1 error\n"), text
        assert not out.exists()
    code, text = _cli("manifest", "merge", str(good))
    assert code == 2 and "Missing option '--output'" in text
    code, text = _cli("manifest", "merge", "-o", str(out))
    assert code == 2 and "Missing argument 'MANIFESTS...'" in text
    code, text = _cli("manifest", "merge", str(good), str(good), "-o", str(out))
    assert code == 0, text
    assert [o["sha256"] for o in json.loads(out.read_text())["outputs"]] == ["0" * 64]


def test_manifest_merge_takes_the_output_folders_lock(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A build holding dist/'s lock: merge -o dist/manifest.json waits for it as a second
    build does, and gives up with the build's error (review6, fixA: it wrote unlocked)."""
    from compiler import fs

    good = _manifest(tmp_path / "a.json")
    dist = tmp_path / "dist"
    out = dist / "manifest.json"
    monkeypatch.setattr(fs, "LOCK_WAIT", 0.5)
    with fs.folder_lock(dist):
        code, text = _cli("manifest", "merge", str(good), "-o", str(out))
        assert code == 1, text
        assert f"dist: error: another policyc build (pid {os.getpid()}) is writing this " \
            "output folder; try again when it is done" in text, text
        assert sorted(p.name for p in dist.iterdir()) == [".policyc.lock"]  # nothing written
    code, text = _cli("manifest", "merge", str(good), "-o", str(out))
    assert code == 0, text
    assert [p.name for p in dist.iterdir()] == ["manifest.json"]  # the lock file removed


def test_schema_out_error_paths(tmp_path: Path) -> None:
    code, printed = _cli("schema")
    assert code == 0
    target = tmp_path / "policy.schema.json"
    assert _cli("schema", "--out", str(target)) == (0, "")
    assert target.read_text(encoding="utf-8") == printed
    code, text = _cli("schema", "--out", str(tmp_path / "no" / "such" / "x.json"))
    assert code == 1 and "x.json: error: folder" in text and "does not exist" in text, text
    code, text = _cli("schema", "--out", str(tmp_path))  # a folder, not a file
    assert code == 1 and f"{tmp_path.name}: error: cannot write" in text, text


@pytest.mark.parametrize("value", ["0/2", "3/2", "x", "1/0", "1/2/3", "-1/2"])
def test_build_rejects_a_bad_shard(value: str, tmp_path: Path) -> None:
    code, text = _cli("build", "--out", str(tmp_path), "--shard", value, str(POLICY))
    assert code == 2 and f"Invalid value for --shard: expected K/N with 1 <= K <= N, got {value!r}" \
        in text, text
    assert not list(tmp_path.iterdir())


def test_build_rejects_a_bad_pdf_variant_and_format(tmp_path: Path) -> None:
    code, text = _cli("build", "--out", str(tmp_path), "--pdf-variant", "pdf/x-1", str(POLICY))
    assert code == 2 and "Invalid value for --pdf-variant: unknown PDF variant 'pdf/x-1' " \
        "(expected one of: pdf/a-1a" in text, text
    for command in (["build", "--out", str(tmp_path), str(POLICY)], ["serve", str(POLICY)],
                    ["diff", str(POLICY), str(POLICY)]):
        code, text = _cli(*command, "--format", "html,rtf")
        assert code == 2, (command, text)
        assert "Invalid value for --format: unknown format 'rtf' (expected: html, pdf, docx)" \
            in text, (command, text)
    assert not list(tmp_path.iterdir())


def test_check_and_locale_error_paths(tmp_path: Path) -> None:
    code, text = _cli("check", str(tmp_path / "gone.yaml"))
    assert code == 1 and "gone.yaml: error: cannot read source" in text, text
    code, text = _cli("locale", "init", "xx_NOPE", str(POLICY), "--locales-dir", str(tmp_path))
    assert code == 2 and "unknown locale 'xx_NOPE'" in text, text
    code, text = _cli("locale", "status", str(POLICY), "--min-complete", "101")
    assert code == 2 and "101" in text, text
    code, text = _cli("locale", "status", str(POLICY), "--locales-dir", str(tmp_path),
                      "--min-complete", "50")
    assert code == 1 and "policyc: below --min-complete: privacy-policy/de: no catalog" in text
    assert not list(tmp_path.iterdir())


_CONSOLE = ("import atexit, runpy, sys; sys.argv = ['policyc', *sys.argv[1:]]\n"
            "atexit.register(lambda: print('exit handlers ran'))\n"
            "class Teardown:\n"
            "    def __del__(self):\n"
            "        print('interpreter torn down')\n"
            "kept = Teardown()\n"  # freed only when the interpreter tears __main__ down
            "runpy.run_module('compiler', run_name='__main__')\n")


@pytest.mark.parametrize("source, code", [("privacy-policy.yaml", 0), ("missing.yaml", 1)])
def test_the_console_script_ends_without_teardown(tmp_path: Path, source: str,
                                                  code: int) -> None:
    """The console script ends with its exit code after the exit handlers, without the
    interpreter's teardown (0.2-0.4 s after PDFs laid out in the process: issue #18)."""
    args = ["-q", "build", f"source/{source}", "--format", "html", "--locale", "en", "--out",
            str(tmp_path / "out")]
    proc = subprocess.run([sys.executable, "-c", _CONSOLE, *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == code, proc.stderr
    assert proc.stdout.split("\n") == ["exit handlers ran", ""]
    assert (tmp_path / "out" / "en" / "privacy-policy.html").exists() is (code == 0)
    # a command's own exit code too (click's usage error: 2), and the same teardown-free end
    usage = subprocess.run([sys.executable, "-c", _CONSOLE, "buidl"], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    assert usage.returncode == 2 and "Did you mean 'build'?" in usage.stderr
    assert usage.stdout == "exit handlers ran\n"


@pytest.mark.parametrize("args", [["locale", "status"], ["schema"]])
def test_a_reader_that_leaves_early_is_no_internal_error(args: list[str]) -> None:
    """`policyc locale status | head -1`: the reader closes the pipe; policyc ends as cat
    does (141, 128 + SIGPIPE), with no internal error and no traceback."""
    with subprocess.Popen([sys.executable, "-m", "compiler", *args], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # gone before policyc writes
        err = proc.stderr.read().decode()
        proc.wait(timeout=60)
    assert proc.returncode == 141
    assert err == ""


def test_started_with_stdout_closed_a_command_still_succeeds() -> None:
    """`policyc check >&-` (a launcher that closes stdout): Python has no sys.stdout."""
    proc = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "compiler",
                           "check"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "sources OK" in proc.stderr


@pytest.mark.parametrize("args", [["schema"], ["locale", "status"]])
def test_a_full_disk_under_stdout_is_no_internal_error(args: list[str]) -> None:
    """`policyc schema > /dev/full`: one line naming the cause, exit 74 (EX_IOERR), whether
    the write fails during the command (schema: more than a buffer) or at its end."""
    with Path("/dev/full").open("w") as full:
        proc = subprocess.run([sys.executable, "-m", "compiler", *args], cwd=ROOT,
                              stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert proc.returncode == 74
    assert proc.stderr.splitlines()[-1] == \
        "policyc: error: cannot write the output: No space left on device"
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
