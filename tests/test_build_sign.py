"""build --sign: every PDF signed in its language, the manifest signed, incomplete locales refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from tests.fixtures.signing.pki import PASSPHRASE, SIGNER, Pki, make_pki
from tests.helpers import ROOT, pdftotext, set_translation
from tests.signing.helpers import pyhanko_statuses


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def _run(project: Path, *args: str, env: dict[str, str | None] | None = None) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, [str(a) for a in args],
                                    env={"POLICYC_P12_PASSPHRASE": PASSPHRASE, **(env or {})})
    finally:
        os.chdir(old)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _build(project: Path, pki: Pki, *args: str) -> tuple[int, str]:
    return _run(project, "-q", "build", "--format", "pdf", "--sign", "--p12",
                str(pki.signer_p12), *args)


def test_build_sign_signs_every_pdf_and_the_manifest(project: Path, pki: Pki) -> None:
    code, out = _build(project, pki, "--visible")
    assert code == 0, out
    for locale in ("en", "de"):  # pyHanko's own validator, trusting the test CA
        [status] = pyhanko_statuses(project / "dist" / locale / "retention-schedule.pdf",
                                    pki.ca_pem)
        assert status.bottom_line, status.pretty_print_details()
        assert SIGNER in status.signing_cert.subject.human_friendly
    stamp = " ".join(pdftotext(project / "dist" / "de" / "retention-schedule.pdf").split())
    assert f"Digital signiert von {SIGNER} am " in stamp  # the build's own catalog and date
    assert (project / "dist" / "manifest.json.p7s").is_file()
    code, out = _run(project, "verify", "--manifest", "dist/manifest.json", "--trust",
                     str(pki.ca_pem))
    assert code == 0, out
    assert "dist/manifest.json: signature OK (trusted)" in out
    assert "de/retention-schedule.pdf: 1 signature" in out

    # The manifest changed after signing: its signature fails, and says why.
    manifest = project / "dist" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"de"', '"fr"', 1))
    code, out = _run(project, "verify", "--manifest", "dist/manifest.json", "--trust",
                     str(pki.ca_pem))
    assert code == 1
    assert "the manifest was changed after it was signed" in out

    # A build without --sign rewrites the manifest and removes the stale signature.
    code, out = _run(project, "-q", "build", "--format", "html")
    assert code == 0, out
    assert not (project / "dist" / "manifest.json.p7s").exists()
    code, out = _run(project, "verify", "--manifest", "dist/manifest.json", "--trust",
                     str(pki.ca_pem))
    assert code == 1 and "manifest not signed" in out


@pytest.mark.parametrize("msgstr", ["", "   "])
def test_build_sign_refuses_only_the_incomplete_locale(project: Path, pki: Pki,
                                                       msgstr: str) -> None:
    """An empty or a blank (only spaces) translation is untranslated: no signature."""
    code, out = _build(project, pki)  # a first, complete, signed build
    assert code == 0, out
    po = project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"
    line = set_translation(po, "scope", "Scope", msgstr)
    code, out = _build(project, pki, "--force")
    assert code == 1
    state = "untranslated" if not msgstr else "blank"
    assert "refusing to sign retention-schedule in 'de'" in out
    assert f'"Scope" {state} at locales/de/LC_MESSAGES/retention-schedule.po:{line}' in out
    assert "its PDF is not published" in out
    dist = project / "dist"
    assert not (dist / "de" / "retention-schedule.pdf").exists()  # the old signed one withdrawn
    [status] = pyhanko_statuses(dist / "en" / "retention-schedule.pdf", pki.ca_pem)
    assert status.bottom_line, status.pretty_print_details()
    listed = [o["path"] for o in json.loads((dist / "manifest.json").read_text())["outputs"]]
    assert listed == ["en/retention-schedule.pdf"]
    code, out = _run(project, "verify", "--manifest", "dist/manifest.json", "--trust",
                     str(pki.ca_pem))
    assert code == 0, out

    code, out = _build(project, pki, "--allow-incomplete")
    assert code == 0, out
    assert (dist / "de" / "retention-schedule.pdf").exists()
    # signed under --allow-incomplete, then a build that refuses it: not up to date (review6 F4)
    code, out = _build(project, pki)
    assert code == 1 and "its PDF is not published" in out
    assert not (dist / "de" / "retention-schedule.pdf").exists()
    listed = [o["path"] for o in json.loads((dist / "manifest.json").read_text())["outputs"]]
    assert listed == ["en/retention-schedule.pdf"]


def test_no_terminal_and_no_passphrase_names_the_variables(project: Path, pki: Pki) -> None:
    """A real process without a controlling terminal, as in CI."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"POLICYC_P12_PASSPHRASE", "POLICYC_PKCS11_PIN"}}
    for args, variable in (
            (["--p12", str(pki.signer_p12)], "POLICYC_P12_PASSPHRASE"),
            (["--pkcs11-module", "/usr/lib/softhsm/libsofthsm2.so", "--pkcs11-token", "t",
              "--pkcs11-key", "k"], "POLICYC_PKCS11_PIN")):
        result = subprocess.run(
            [sys.executable, "-m", "compiler", "build", "--format", "pdf", "--sign", *args],
            cwd=project, env={**env, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, start_new_session=True, check=False)
        assert result.returncode == 1, result.stderr
        assert "no terminal to ask for the" in result.stderr
        assert f"set {variable}" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and "Aborted" not in result.stderr
        assert not (project / "dist").exists()


def test_build_failing_midway_leaves_no_signed_manifest(project: Path, pki: Pki,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _build(project, pki)
    assert code == 0, out
    assert (project / "dist" / "manifest.json.p7s").is_file()
    from compiler.errors import CompilerError, Loc
    from compiler.signing import batch

    real = batch.sign_localized

    def fail_for_german(data: bytes, ldoc: object, signer: object, target: Path) -> bytes:
        if "/de/" in target.as_posix():
            raise CompilerError.at(Loc.file(target), "token removed")
        return real(data, ldoc, signer, target)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "sign_localized", fail_for_german)
    code, out = _build(project, pki, "--force", "--jobs", "1")
    assert code == 1 and "token removed" in out
    assert not (project / "dist" / "manifest.json.p7s").exists()
    code, out = _run(project, "verify", "--manifest", "dist/manifest.json", "--trust",
                     str(pki.ca_pem))
    assert code == 1 and "manifest not signed" in out


def _downloads(page: Path) -> list[str]:
    from lxml import html

    return html.fromstring(page.read_bytes()).xpath("//p[@class='downloads']/a/@href")


def test_pages_link_only_the_files_published(project: Path, pki: Pki) -> None:
    """The download buttons follow what dist/ holds after the build: no PDF that --sign
    refused; a --format html build keeps the PDF and DOCX an earlier build published."""
    dist = project / "dist"
    de, en = dist / "de" / "retention-schedule.html", dist / "en" / "retention-schedule.html"
    both = ["retention-schedule.pdf", "retention-schedule.docx"]
    sign = ("build", "--sign", "--p12", str(pki.signer_p12))
    code, out = _run(project, "-q", "build")
    assert code == 0, out
    assert _downloads(de) == both
    po = project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"
    set_translation(po, "scope", "Scope", "")
    code, out = _run(project, "-q", *sign)
    assert code == 1 and "refusing to sign retention-schedule in 'de'" in out
    assert not (dist / "de" / "retention-schedule.pdf").exists()
    assert _downloads(de) == ["retention-schedule.docx"]  # no link to a missing PDF
    assert _downloads(en) == both
    code, out = _run(project, "-q", *sign)  # the same again: still refused, still no link
    assert code == 1 and _downloads(de) == ["retention-schedule.docx"]
    set_translation(po, "scope", "Scope", "Geltungsbereich")  # translated: signed, linked
    code, out = _run(project, "-q", *sign)
    assert code == 0, out
    assert (dist / "de" / "retention-schedule.pdf").exists() and _downloads(de) == both
    # a web-only build keeps the buttons of the files there, and drops one removed by hand
    code, out = _run(project, "-q", "build", "--locale", "de", "--format", "html", "--force")
    assert code == 0, out
    assert _downloads(de) == both
    (dist / "de" / "retention-schedule.pdf").unlink()
    code, out = _run(project, "build", "--locale", "de", "--format", "html")
    assert code == 0 and "1 built" in out, out
    assert _downloads(de) == ["retention-schedule.docx"]
    code, out = _run(project, "build", "--locale", "de", "--format", "html")
    assert code == 0 and "0 built" in out, out  # and a second one has nothing to do


def _pdf_links(page: Path) -> list[str]:
    from lxml import html

    return [a for a in html.parse(str(page)).xpath("//a/@href") if a.endswith(".pdf")]


def test_refused_pdf_of_a_partial_build_warns_of_its_page(project: Path, pki: Pki) -> None:
    """`build --sign --format pdf` withdraws an incomplete locale's PDF while the page an
    earlier build made still links it: it says so, and the next page build drops the link
    (review6 F3)."""
    code, out = _run(project, "-q", "build", "--format", "html,pdf")
    assert code == 0, out
    page = project / "dist" / "de" / "retention-schedule.html"
    assert _pdf_links(page) == ["retention-schedule.pdf"]
    set_translation(project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po",
                    "scope", "Scope", "")
    code, out = _build(project, pki)
    assert code == 1 and "its PDF is not published" in out
    assert "dist/de/retention-schedule.html still links its withdrawn PDF" in out
    assert not (project / "dist" / "de" / "retention-schedule.pdf").exists()
    code, out = _run(project, "build", "--format", "html", "--locale", "de")
    assert code == 0, out
    assert _pdf_links(page) == []
    assert _pdf_links(project / "dist" / "en" / "retention-schedule.html")


def test_a_shard_with_the_page_of_a_refused_pdf_does_not_link_it(project: Path,
                                                                 pki: Pki) -> None:
    """--shard puts a locale's page and its PDF in different slices: the page's slice
    does not link the PDF the other slice refuses (review6 F3)."""
    set_translation(project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po",
                    "scope", "Scope", "")
    page = project / "dist" / "de" / "retention-schedule.html"
    codes = []
    for n in (1, 2, 3, 4):
        code, out = _run(project, "-q", "build", "--format", "html,pdf", "--sign", "--p12",
                         str(pki.signer_p12), "--shard", f"{n}/4")
        assert code in (0, 1), out
        codes.append(code)
        if page.exists():
            assert _pdf_links(page) == [], out
    assert page.exists() and codes.count(1) == 1
    assert not (project / "dist" / "de" / "retention-schedule.pdf").exists()
