"""policyc sign / verify: signatures checked by pyHanko's own validator, qpdf and pypdf."""

from __future__ import annotations

import hashlib
import io
import json
import re
import socket
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import pypdf
import pytest
from click.testing import CliRunner, Result
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from compiler.cli.sign import sign
from compiler.cli.verify import verify
from compiler.signing.config import SignerOptions
from compiler.signing.credentials import load_p12
from compiler.signing.pades import Stamp, sign_pdf
from tests.fixtures.signing.pki import PASSPHRASE, SIGNER, Pki, make_pki, timestamp_server
from tests.helpers import pdftotext

ENV = {"POLICYC_P12_PASSPHRASE": PASSPHRASE, "POLICYC_TSA_URL": None}


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def unsigned(unsigned_policy: Path) -> Path:
    return unsigned_policy


def squash_lines(text: str) -> str:
    """A stamp wraps where its box ends: compare its words, not its line breaks."""
    return " ".join(text.split())


def run(command: click.Command, *args: object, env: dict[str, str | None] | None = None,
        stdin: str | None = None) -> Result:
    result = CliRunner().invoke(command, [str(a) for a in args], env=ENV if env is None else env,
                                input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="session")
def signed(pki: Pki, unsigned: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("signed") / "policy.pdf"
    result = run(sign, unsigned, "--p12", pki.signer_p12, "--output", out, "--visible",
                 "--reason", "Approved", "--location", "Berlin")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def twice_signed(pki: Pki, signed: Path) -> Path:
    out = signed.with_name("twice.pdf")
    result = run(sign, signed, "--p12", pki.signer_p12, "--output", out, "--visible")
    assert result.exit_code == 0, result.output
    return out


def pyhanko_statuses(path: Path, pki: Pki) -> list[PdfSignatureStatus]:
    """pyHanko's own validator, trusting the test CA: independent of `policyc verify`."""
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    return [validate_pdf_signature(sig, ValidationContext(
                trust_roots=[load_cert_from_pemder(str(pki.ca_pem))], allow_fetching=False))
            for sig in reader.embedded_signatures]


def test_signature_validates_with_pyhanko(pki: Pki, signed: Path, unsigned: Path) -> None:
    [status] = pyhanko_statuses(signed, pki)
    assert status.bottom_line, status.pretty_print_details()
    assert status.intact and status.valid and status.trusted
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == SIGNER
    sig = PdfFileReader(io.BytesIO(signed.read_bytes())).embedded_signatures[0]
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES, not adbe.pkcs7
    assert sig.sig_object["/Reason"] == "Approved"
    attrs = {a["type"].native for a in sig.signer_info["signed_attrs"]}
    assert "signing_certificate_v2" in attrs  # PAdES B-B binds the signer's certificate
    assert "signing_time" not in attrs and "/M" in sig.sig_object  # PAdES: the time goes in /M
    assert signed.read_bytes().startswith(unsigned.read_bytes())  # an incremental update


def test_sign_pdf_api_with_a_localized_label(pki: Pki, unsigned: Path, tmp_path: Path) -> None:
    """What `build --sign` calls: bytes in, bytes out, the stamp text from parameters."""
    config = SignerOptions(load_p12(pki.signer_p12, PASSPHRASE), visible=True)
    out = tmp_path / "de.pdf"
    today = f"{datetime.now(UTC):%d.%m.%Y}"
    stamp = Stamp(f"Digital signiert von {SIGNER} am {today} (100 %)", "de")
    out.write_bytes(sign_pdf(unsigned.read_bytes(), config, source=unsigned, stamp=stamp))
    [status] = pyhanko_statuses(out, pki)
    assert status.bottom_line
    assert f"Digital signiert von {SIGNER} am {today} (100 %)" in squash_lines(pdftotext(out))


def test_invisible_signature_is_printable_and_empty(pki: Pki, unsigned: Path,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "invisible.pdf"
    out.write_bytes(sign_pdf(unsigned.read_bytes(),
                             SignerOptions(load_p12(pki.signer_p12, PASSPHRASE))))
    [status] = pyhanko_statuses(out, pki)
    assert status.bottom_line
    annots: Any = pypdf.PdfReader(out).pages[0]["/Annots"]
    [widget] = [a.get_object() for a in annots]
    assert [float(v) for v in widget["/Rect"]] == [0, 0, 0, 0]
    assert widget["/F"] & 4  # PDF/A forbids hidden annotations, even empty ones


def test_verify_trusting_the_ca(pki: Pki, signed: Path) -> None:
    result = run(verify, signed, "--trust", pki.ca_pem)
    assert result.exit_code == 0, result.output
    assert f"CN={SIGNER}" in result.output
    assert "covers the whole file" in result.output
    assert "chains to CN=policyc Test CA" in result.output


def test_verify_without_trust_is_not_ok(signed: Path) -> None:
    """Intact but unproven: its own exit code, never "OK"; --allow-untrusted accepts it."""
    result = run(verify, signed)
    assert result.exit_code == 3, result.output
    assert "INTACT, SIGNER NOT TRUSTED" in result.output and "OK" not in result.output
    assert "no trust anchor given" in result.output
    assert "Traceback" not in result.output
    result = run(verify, signed, "--allow-untrusted")
    assert result.exit_code == 0, result.output
    assert "untrusted signers allowed" in result.output


def test_untrusted_anchor_fails(pki: Pki, signed: Path, tmp_path: Path) -> None:
    other = make_pki(tmp_path)  # a second, unrelated CA
    result = run(verify, signed, "--trust", other.ca_pem)
    assert result.exit_code == 3
    assert "does not chain to any trust anchor given" in result.output


def test_flipped_byte_fails_both_validators(pki: Pki, signed: Path, tmp_path: Path) -> None:
    data = bytearray(signed.read_bytes())
    byte_range = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", data)
    assert byte_range
    start, length = (int(n) for n in byte_range.groups())
    offset = 10  # in the binary comment under %PDF-: still a well-formed file
    assert start <= offset < start + length
    data[offset] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(data)
    [status] = pyhanko_statuses(tampered, pki)
    assert not status.intact and not status.bottom_line
    result = run(verify, tampered, "--trust", pki.ca_pem)
    assert result.exit_code == 1
    assert "Signature1: the signed bytes were changed" in result.output


def test_second_signature_keeps_the_first_valid(pki: Pki, signed: Path,
                                                twice_signed: Path) -> None:
    first, second = pyhanko_statuses(twice_signed, pki)
    assert first.bottom_line and second.bottom_line
    assert first.coverage is SignatureCoverageLevel.ENTIRE_REVISION
    assert first.modification_level is ModificationLevel.FORM_FILLING
    assert second.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert twice_signed.read_bytes().startswith(signed.read_bytes())
    result = run(verify, twice_signed, "--trust", pki.ca_pem)
    assert result.exit_code == 0, result.output
    assert "Signature1 (signature): OK (trusted)" in result.output
    assert "Signature2 (signature): OK (trusted)" in result.output


@pytest.mark.parametrize("name", ["policy.pdf", "twice.pdf"])
def test_qpdf_check_passes(name: str, signed: Path, twice_signed: Path) -> None:
    result = subprocess.run(["qpdf", "--check", str(signed.with_name(name))],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pdfa_metadata_and_stamp(unsigned: Path, twice_signed: Path) -> None:
    """PDF/A: Info and XMP stay as WeasyPrint made them; the stamp prints and embeds its font."""
    before, after = pypdf.PdfReader(unsigned), pypdf.PdfReader(twice_signed)
    assert after.metadata == before.metadata
    xmp = after.xmp_metadata.stream.get_data() if after.xmp_metadata else b""
    assert before.xmp_metadata and xmp == before.xmp_metadata.stream.get_data()
    assert b'pdfaid:part="3"' in xmp
    annots: Any = after.pages[-1]["/Annots"]
    widgets = [a.get_object() for a in annots]
    assert [w["/T"] for w in widgets] == ["Signature1", "Signature2"]
    for widget in widgets:
        assert widget["/F"] & 4  # print flag, required by PDF/A
        assert list(widget["/AP"]) == ["/N"]
        fonts = widget["/AP"]["/N"]["/Resources"]["/Font"]
        for font in fonts.values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"]
    boxes = [tuple(w["/Rect"]) for w in widgets]
    assert len(set(boxes)) == 2  # the second stamp does not cover the first
    assert f"Digitally signed by {SIGNER} on" in squash_lines(pdftotext(twice_signed))


def test_timestamp_makes_pades_b_t(pki: Pki, unsigned: Path, tmp_path: Path) -> None:
    out = tmp_path / "stamped.pdf"
    with timestamp_server(pki) as url:
        result = run(sign, unsigned, "--p12", pki.signer_p12, "-o", out,
                     env={**ENV, "POLICYC_TSA_URL": url})
    assert result.exit_code == 0, result.output
    assert "PAdES B-T" in result.output
    [status] = pyhanko_statuses(out, pki)
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    result = run(verify, out, "--trust", pki.ca_pem)
    assert result.exit_code == 0, result.output
    assert "(timestamp authority)" in result.output


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


BAD_INPUTS = {
    "wrong passphrase": ("signer_p12", None, {"POLICYC_P12_PASSPHRASE": "wrong"},
                         "signer.p12: error: wrong passphrase"),
    "expired": ("expired_p12", None, {}, "expired.p12: error: certificate 'CN=Alice Signer,"
                "O=policyc tests' expired on"),
    "not yet valid": ("future_p12", None, {}, "future.p12: error: certificate "
                      "'CN=Alice Signer,O=policyc tests' is not valid yet"),
    "no private key": ("cert_only_p12", None, {}, "cert-only.p12: error: the PKCS#12 holds "
                       "no private key"),
    "p12 is not a p12": ("ca_pem", None, {}, "ca.pem: error: not a PKCS#12 file"),
    "not a PDF": ("signer_p12", "input", {}, "notes.txt: error: not a PDF file"),
    "missing output folder": ("signer_p12", "folder", {}, "error: output folder"),
    "unreachable timestamp server": ("signer_p12", None, {"POLICYC_TSA_URL": "tsa"},
                                     "error: timestamp server http://127.0.0.1:"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_writes_nothing(case: str, pki: Pki, unsigned: Path, tmp_path: Path) -> None:
    p12_attr, broken, env, expected = BAD_INPUTS[case]
    source, out = unsigned, tmp_path / "out.pdf"
    out.write_bytes(b"previous build")
    if broken == "input":
        source = tmp_path / "notes.txt"
        source.write_text("not a pdf\n")
    elif broken == "folder":
        out = tmp_path / "missing" / "out.pdf"
    if env.get("POLICYC_TSA_URL") == "tsa":
        env = {"POLICYC_TSA_URL": f"http://127.0.0.1:{_closed_port()}/"}
    result = run(sign, source, "--p12", getattr(pki, p12_attr), "-o", out, env={**ENV, **env})
    assert result.exit_code == 1
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
    assert (tmp_path / "out.pdf").read_bytes() == b"previous build"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        {"out.pdf", *(["notes.txt"] if broken == "input" else [])})


def test_passphrase_is_prompted_unseen(pki: Pki, unsigned: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("compiler.signing.credentials.has_terminal", lambda: True)
    out = tmp_path / "out.pdf"
    env = {**ENV, "POLICYC_P12_PASSPHRASE": None}
    result = run(sign, unsigned, "--p12", pki.signer_p12, "-o", out, env=env, stdin=PASSPHRASE)
    assert result.exit_code == 0, result.output
    assert "passphrase for" in result.output.lower() and PASSPHRASE not in result.output
    assert out.exists()


def test_unsigned_pdf_fails_unless_allowed(unsigned: Path) -> None:
    result = run(verify, unsigned)
    assert result.exit_code == 1
    assert "not signed" in result.output
    assert run(verify, unsigned, "--allow-unsigned").exit_code == 0


def test_verify_manifest_detects_changes(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    files = {"en/a.html": b"<p>a</p>", "en/b.txt": b"b is text", "en/c.docx": b"c"}
    for rel, data in files.items():
        (tmp_path / rel).write_bytes(data)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"outputs": [
        {"path": rel, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        for rel, data in files.items()]}, indent=2))
    result = run(verify, "--manifest", manifest, "--allow-unsigned")
    assert result.exit_code == 0, result.output
    assert "3 outputs, no mismatches" in result.output
    assert "manifest.json: not signed (no manifest.json.p7s)" in result.output

    (tmp_path / "en/a.html").write_bytes(b"<p>A</p>")  # same size, other bytes
    (tmp_path / "en/b.txt").write_bytes(b"b is longer text")
    (tmp_path / "en/c.docx").unlink()
    result = run(verify, "--manifest", manifest, "--allow-unsigned")
    assert result.exit_code == 1
    assert re.search(r"manifest.json:4: error: en/a.html: sha256 \w+, manifest says", result.output)
    assert "en/b.txt: size 16 bytes, manifest says 9" in result.output
    assert "en/c.docx: missing" in result.output
    assert "policyc: 4 errors" in result.output  # b.txt differs in size and sha256
