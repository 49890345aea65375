"""What happens after a signature: /Info edits, --strict, certification levels; and --json."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from compiler.cli.sign import sign
from compiler.cli.verify import verify
from tests.fixtures.signing.pki import Pki, make_pki
from tests.signing.helpers import nss_db, pdfsig, pyhanko_statuses, run


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def signed(pki: Pki, unsigned_policy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("signed") / "signed.pdf"
    assert run(sign, unsigned_policy, "--p12", pki.signer_p12, "-o", out).exit_code == 0
    return out


class _KeepMetadata(IncrementalPdfFileWriter):
    def _update_meta(self) -> None:
        """Leave /Info and XMP alone: only the field is added."""


def _retitle(src: Path, dest: Path) -> None:
    """An incremental update that changes only the title in /Info, as an editor would."""
    writer = IncrementalPdfFileWriter(io.BytesIO(src.read_bytes()))
    info = writer.trailer["/Info"]
    info[generic.NameObject("/Title")] = generic.TextStringObject("Some other policy")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    dest.write_bytes(out.getvalue())


def test_info_change_after_signing_fails_and_is_named(pki: Pki, signed: Path,
                                                      tmp_path: Path) -> None:
    retitled = tmp_path / "retitled.pdf"
    _retitle(signed, retitled)
    result = run(verify, retitled, "--trust", pki.ca_pem)
    assert result.exit_code == 1, result.output
    assert "validation data only" not in result.output and "(allowed)" not in result.output
    assert "modified after signing: " in result.output
    assert "document information (/Info) changed: /Producer, /Title" in result.output


def test_strict_fails_on_a_change_default_verify_allows(pki: Pki, signed: Path,
                                                        tmp_path: Path) -> None:
    """An empty signature field added later is form filling (allowed), not under --strict."""
    writer = _KeepMetadata(io.BytesIO(signed.read_bytes()))
    fields.append_signature_field(writer, fields.SigFieldSpec("Later", on_page=0,
                                                              box=(10, 10, 100, 40)))
    out = io.BytesIO()
    writer.write(out)
    later = tmp_path / "later.pdf"
    later.write_bytes(out.getvalue())
    result = run(verify, later, "--trust", pki.ca_pem)
    assert result.exit_code == 0, result.output
    assert "later: " in result.output and "signature field added or changed" in result.output
    result = run(verify, later, "--trust", pki.ca_pem, "--strict")
    assert result.exit_code == 1
    assert "changed after the last signature (--strict): " in result.output
    assert "signature field added or changed" in result.output


def test_certify_no_changes_then_a_second_signature_breaks_it(
        pki: Pki, unsigned_policy: Path, tmp_path: Path) -> None:
    certified = tmp_path / "certified.pdf"
    result = run(sign, unsigned_policy, "--p12", pki.signer_p12, "-o", certified, "--certify",
                 "no-changes")
    assert result.exit_code == 0, result.output
    assert "certified: no-changes" in result.output
    result = run(verify, certified, "--trust", pki.ca_pem)
    assert result.exit_code == 0, result.output
    assert "Signature1 (certification): OK (trusted)" in result.output
    assert "certifies:    no-changes: permits no changes at all" in result.output
    [status] = pyhanko_statuses(certified, pki.ca_pem)
    assert status.docmdp_ok and status.bottom_line

    result = run(sign, certified, "--p12", pki.signer_p12, "-o", tmp_path / "both.pdf")
    assert result.exit_code == 1  # policyc will not break a certification itself
    assert "cannot sign: " in result.output and "Traceback" not in result.output

    retitled = tmp_path / "retitled.pdf"  # another tool will
    _retitle(certified, retitled)
    # pyHanko's default policy lets /Info change ("LTA updates"); policyc does not.
    result = run(verify, retitled, "--trust", pki.ca_pem)
    assert result.exit_code == 1
    assert ("Signature1: changed beyond what its certification permits (no-changes: permits "
            "no changes at all): ") in result.output


def test_certify_form_fill_allows_a_second_signature(pki: Pki, unsigned_policy: Path,
                                                     tmp_path: Path) -> None:
    certified = tmp_path / "certified.pdf"
    assert run(sign, unsigned_policy, "--p12", pki.signer_p12, "-o", certified, "--certify",
               "form-fill").exit_code == 0
    result = run(sign, certified, "--p12", pki.signer_p12, "-o", tmp_path / "x.pdf", "--visible")
    assert result.exit_code == 1
    assert "the PDF is certified: a new visible signature counts as a change" in result.output
    both = tmp_path / "both.pdf"
    assert run(sign, certified, "--p12", pki.signer_p12, "-o", both).exit_code == 0
    first, second = pyhanko_statuses(both, pki.ca_pem)
    assert first.docmdp_ok and first.bottom_line and second.bottom_line
    result = run(verify, both, "--trust", pki.ca_pem)
    assert result.exit_code == 0, result.output
    result = run(sign, both, "--p12", pki.signer_p12, "-o", tmp_path / "x.pdf", "--certify",
                 "annotate")
    assert result.exit_code == 1
    assert "cannot certify: the PDF is already signed" in result.output


def test_json_report_for_audit_tools(pki: Pki, signed: Path) -> None:
    result = run(verify, signed, "--trust", pki.ca_pem, "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["result"] == "trusted" and report["exit_code"] == 0
    [entry] = report["files"]
    [sig] = entry["signatures"]
    assert sig["result"] == "trusted" and "Alice Signer" in sig["signer"]
    result = run(verify, signed, "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["result"] == "untrusted"


def test_configured_trust_list(pki: Pki, signed: Path) -> None:
    result = run(verify, signed, env={"POLICYC_TRUST": str(pki.ca_pem)})
    assert result.exit_code == 0, result.output


def test_pdfsig_agrees(pki: Pki, signed: Path, tmp_path: Path) -> None:
    text = pdfsig(signed, nss_db(tmp_path, pki.ca_pem))
    assert "Signature Validation: Signature is Valid." in text, text
    assert "Certificate Validation: Certificate is Trusted." in text, text
    (tmp_path / "rogue").mkdir()
    rogue = make_pki(tmp_path / "rogue")  # same names, another key: trusted by nobody
    text = pdfsig(signed, nss_db(tmp_path / "rogue", rogue.ca_pem))
    assert "Certificate is Trusted" not in text, text
