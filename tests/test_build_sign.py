"""build --sign: every PDF signed in the build, gated on complete translations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from compiler.cli import main
from compiler.signing import verify_pdf
from tests.fixtures.signing.pki import PASSPHRASE, SIGNER, make_pki
from tests.helpers import FIXTURES


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", dest)
    return dest


def _build(project: Path, *args: str) -> tuple[int, str]:
    import os

    (project / "pki").mkdir(exist_ok=True)
    pki = make_pki(project / "pki")
    old = Path.cwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, ["-q", "build", "--format", "pdf", "--sign", "--p12",
                                           str(pki.signer_p12), *args],
                                    env={"POLICYC_P12_PASSPHRASE": PASSPHRASE})
    finally:
        os.chdir(old)
    return result.exit_code, result.output


def test_build_sign_signs_every_pdf(project: Path) -> None:
    code, out = _build(project, "--visible")
    assert code == 0, out
    for locale in ("en", "de"):
        checks = verify_pdf(project / "dist" / locale / "retention-schedule.pdf", None)
        assert len(checks) == 1 and checks[0].ok, checks
        assert SIGNER in checks[0].subject


def test_build_sign_refuses_incomplete_translation(project: Path) -> None:
    po = project / "locales" / "de" / "LC_MESSAGES" / "retention-schedule.po"
    with po.open("rb") as fh:
        cat = read_po(fh)
    cat.get("Scope", "scope").string = ""  # type: ignore[union-attr]
    with po.open("wb") as fh:
        write_po(fh, cat)
    code, out = _build(project)
    assert code == 1
    assert "refusing to sign retention-schedule in 'de'" in out and '"Scope" untranslated' in out
    assert not (project / "dist" / "de" / "retention-schedule.pdf").exists()
    code, out = _build(project, "--allow-incomplete")
    assert code == 0, out
    assert (project / "dist" / "de" / "retention-schedule.pdf").exists()
