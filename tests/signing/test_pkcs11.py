"""Hardware keys through PKCS#11, tested with SoftHSM2: the key never leaves the token."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from compiler.cli.sign import sign
from compiler.cli.verify import verify
from tests.fixtures.signing.pki import SIGNER, Pki, make_pki
from tests.signing.helpers import pyhanko_statuses, run

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
PIN, TOKEN = "246810", "policyc-test"


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Pki, dict[str, str]]]:
    """A SoftHSM token holding the signer's key (label 'signer', with its certificate) and
    the same key again without one (label 'bare', for --cert)."""
    assert MODULE.is_file() and shutil.which("softhsm2-util"), "softhsm2 is a test dependency"
    folder = tmp_path_factory.mktemp("softhsm")
    pki = make_pki(folder)
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    env = {"SOFTHSM2_CONF": str(conf)}
    key_pem = folder / "key.pem"
    key_pem.write_bytes(pki.signer_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    util = ["softhsm2-util"]
    subprocess.run([*util, "--init-token", "--free", "--label", TOKEN, "--pin", PIN,
                    "--so-pin", "13579111"], env={**os.environ, **env}, check=True,
                   capture_output=True)
    for label, ident in (("signer", "01"), ("bare", "02")):
        subprocess.run([*util, "--import", str(key_pem), "--token", TOKEN, "--label", label,
                        "--id", ident, "--pin", PIN], env={**os.environ, **env}, check=True,
                       capture_output=True)
    _store_certificate(pki, env)
    yield pki, env


def _store_certificate(pki: Pki, env: dict[str, str]) -> None:
    """The certificate beside the key, as a card issuer delivers it (python-pkcs11)."""
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = env["SOFTHSM2_CONF"]
    try:
        import pkcs11
        from pkcs11 import Attribute, CertificateType, ObjectClass

        lib = pkcs11.lib(str(MODULE))
        with lib.get_token(token_label=TOKEN).open(user_pin=PIN, rw=True) as session:
            cert = pki.signer_cert
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True, Attribute.LABEL: "signer", Attribute.ID: b"\x01",
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER)})
    finally:
        if old is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = old


def _sign(env: dict[str, str | None], source: Path, out: Path,
          *extra: object) -> tuple[int, str]:
    result = run(sign, source, "--pkcs11-module", MODULE, "--pkcs11-token", TOKEN, "-o", out,
                 *extra, env=env)
    return result.exit_code, result.output


def test_sign_with_a_token_key_and_its_certificate(
        token: tuple[Pki, dict[str, str]], unsigned_policy: Path, tmp_path: Path) -> None:
    pki, env = token
    out = tmp_path / "signed.pdf"
    code, output = _sign({**env, "POLICYC_PKCS11_PIN": PIN}, unsigned_policy, out,
                         "--pkcs11-key", "signer", "--visible")
    assert code == 0, output
    [status] = pyhanko_statuses(out, pki.ca_pem)
    assert status.bottom_line, status.pretty_print_details()
    assert status.signing_cert.subject.native["common_name"] == SIGNER
    verified = run(verify, out, "--trust", pki.ca_pem)
    assert verified.exit_code == 0, verified.output


def test_certificate_from_a_file(token: tuple[Pki, dict[str, str]], unsigned_policy: Path,
                                 tmp_path: Path) -> None:
    pki, env = token
    cert = tmp_path / "signer.pem"
    cert.write_bytes(pki.signer_cert.public_bytes(serialization.Encoding.PEM))
    out = tmp_path / "signed.pdf"
    code, output = _sign({**env, "POLICYC_PKCS11_PIN": PIN}, unsigned_policy, out,
                         "--pkcs11-key", "bare", "--cert", cert)
    assert code == 0, output
    [status] = pyhanko_statuses(out, pki.ca_pem)
    assert status.bottom_line


@pytest.mark.parametrize(("pin", "key", "expected"), [
    ("000000", "signer", "pkcs11:token=policyc-test: error: wrong PIN"),
    (PIN, "missing", "no certificate labelled 'missing' on the token"),
])
def test_token_mistakes_are_located_errors(token: tuple[Pki, dict[str, str]], pin: str,
                                           key: str, expected: str, unsigned_policy: Path,
                                           tmp_path: Path) -> None:
    _, env = token
    out = tmp_path / "signed.pdf"
    code, output = _sign({**env, "POLICYC_PKCS11_PIN": pin}, unsigned_policy, out,
                         "--pkcs11-key", key)
    assert code == 1 and expected in output, output
    assert "Traceback" not in output and not out.exists()


def test_pin_is_prompted_unseen(token: tuple[Pki, dict[str, str]], unsigned_policy: Path,
                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("compiler.signing.credentials.has_terminal", lambda: True)
    _, env = token
    out = tmp_path / "signed.pdf"
    result = run(sign, unsigned_policy, "--pkcs11-module", MODULE, "--pkcs11-token", TOKEN,
                 "--pkcs11-key", "signer", "-o", out, env={**env, "POLICYC_PKCS11_PIN": None},
                 stdin=PIN + "\n")
    assert result.exit_code == 0, result.output
    assert f"PIN of token '{TOKEN}'" in result.output and PIN not in result.output


def test_build_signs_with_the_token(token: tuple[Pki, dict[str, str]], tmp_path: Path) -> None:
    from compiler.cli.app import main
    from compiler.signing.trust import load_trust
    from compiler.signing.verify import Result, verify_pdf
    from tests.helpers import FIXTURES

    pki, env = token
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", project)
    old = Path.cwd()
    os.chdir(project)
    try:
        result = run(main, "-q", "build", "--format", "pdf", "--locale", "en", "--sign",
                     "--pkcs11-module", MODULE, "--pkcs11-token", TOKEN, "--pkcs11-key",
                     "signer", env={**env, "POLICYC_PKCS11_PIN": PIN})
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    [check] = verify_pdf(project / "dist" / "en" / "retention-schedule.pdf",
                         load_trust([pki.ca_pem]))
    assert check.result is Result.TRUSTED
    assert (project / "dist" / "manifest.json.p7s").is_file()
