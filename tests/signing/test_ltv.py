"""--ltv: OCSP and CRL answers embedded (DSS) and a document timestamp (PAdES B-LTA), against a
local timestamp authority and OCSP/CRL responder (no network)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore

from compiler.cli.sign import sign
from compiler.cli.verify import verify
from tests.fixtures.signing.pki import Pki, make_pki
from tests.fixtures.signing.pki import local_services as services
from tests.signing.helpers import nss_db, pdfsig, run


@pytest.fixture(scope="module")
def ltv(tmp_path_factory: pytest.TempPathFactory, unsigned_policy: Path) -> Iterator[
        tuple[Pki, Path, str]]:
    with services() as (url, answers):
        pki = make_pki(tmp_path_factory.mktemp("ltv-pki"), services=url)
        answers.pki = pki
        out = tmp_path_factory.mktemp("ltv") / "signed.pdf"
        result = run(sign, unsigned_policy, "--p12", pki.signer_p12, "-o", out, "--ltv",
                     "--timestamp-url", f"{url}tsa", "--visible")
        assert result.exit_code == 0, result.output
        assert "PAdES B-LTA" in result.output
        yield pki, out, url


def test_pades_lta_validates_offline_with_pyhanko(ltv: tuple[Pki, Path, str]) -> None:
    pki, out, _ = ltv
    reader = PdfFileReader(io.BytesIO(out.read_bytes()))
    dss = reader.root["/DSS"]
    assert len(dss["/OCSPs"]) >= 1 and len(dss["/Certs"]) >= 2
    [sig] = reader.embedded_regular_signatures
    # Offline and hard-fail: only the revocation data inside the file can vouch for the
    # signer's and the timestamp authority's certificates.
    context = DocumentSecurityStore.read_dss(reader).as_validation_context({
        "trust_roots": [load_cert_from_pemder(str(pki.ca_pem))], "allow_fetching": False,
        "revocation_mode": "hard-fail"})
    status = validate_pdf_signature(sig, context)
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    kinds = [s.sig_object.get("/Type") for s in reader.embedded_signatures]
    assert kinds == ["/Sig", "/DocTimeStamp"]


def test_verify_reports_lta_and_strict_accepts_it(ltv: tuple[Pki, Path, str]) -> None:
    pki, out, _ = ltv
    result = run(verify, out, "--trust", pki.ca_pem, "--strict")
    assert result.exit_code == 0, result.output
    assert "Signature1 (signature): OK (trusted)" in result.output
    assert "(document timestamp): OK (trusted)" in result.output
    assert "validation:   embedded (DSS:" in result.output
    assert "later: validation data added (DSS); document timestamp added" in result.output


def test_pdfsig_accepts_the_lta_signature(ltv: tuple[Pki, Path, str], tmp_path: Path) -> None:
    pki, out, _ = ltv
    text = pdfsig(out, nss_db(tmp_path, pki.ca_pem))
    first, timestamp = text.split("Signature #2:")
    assert "Signature Validation: Signature is Valid." in first, text
    assert "Certificate Validation: Certificate is Trusted." in first, text
    # poppler 22 lists the document timestamp (ETSI.RFC3161) but cannot check it:
    # pyHanko does above.
    assert "Signer Certificate Common Name: policyc Test TSA" in timestamp, text
    assert "Total document signed" in timestamp, text


def test_ltv_needs_a_timestamp_url(ltv: tuple[Pki, Path, str], unsigned_policy: Path,
                                   tmp_path: Path) -> None:
    pki, _, _ = ltv
    result = run(sign, unsigned_policy, "--p12", pki.signer_p12, "-o", tmp_path / "x.pdf",
                 "--ltv")
    assert result.exit_code == 2
    assert "--ltv needs --timestamp-url" in result.output


def test_revoked_signer_is_a_failure_not_untrusted(tmp_path: Path,
                                                  unsigned_policy: Path) -> None:
    """A certificate revoked before signing, its OCSP answer embedded: exit 1, says why."""
    import urllib.request

    from asn1crypto import ocsp as asn1_ocsp
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    with services() as (url, answers):
        pki = make_pki(tmp_path, services=url)
        answers.pki = pki
        answers.revoked = {pki.signer_cert.serial_number}
        out = tmp_path / "signed.pdf"
        result = run(sign, unsigned_policy, "--p12", pki.signer_p12, "-o", out)
        assert result.exit_code == 0, result.output
        request = ocsp.OCSPRequestBuilder().add_certificate(
            pki.signer_cert, pki.ca_cert, hashes.SHA256()).build()
        with urllib.request.urlopen(urllib.request.Request(  # the local server
                f"{url}ocsp", data=request.public_bytes(serialization.Encoding.DER),
                headers={"Content-Type": "application/ocsp-request"})) as answer:
            response = asn1_ocsp.OCSPResponse.load(answer.read())
    stream = io.BytesIO(out.read_bytes())
    DocumentSecurityStore.add_dss(stream, None, ocsps=[response], validation_context=None)
    out.write_bytes(stream.getvalue())
    result = run(verify, out, "--trust", pki.ca_pem)
    assert result.exit_code == 1, result.output
    assert "the signer's certificate was revoked" in result.output
