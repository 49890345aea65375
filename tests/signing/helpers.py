"""What the signing tests share: running a command, and the independent validators."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import click
from click.testing import CliRunner, Result
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from tests.fixtures.signing.pki import PASSPHRASE

ENV: dict[str, str | None] = {"POLICYC_P12_PASSPHRASE": PASSPHRASE, "POLICYC_TSA_URL": None,
                              "POLICYC_TRUST": None}


def run(command: click.Command, *args: object, env: dict[str, str | None] | None = None,
        stdin: str | None = None) -> Result:
    result = CliRunner().invoke(command, [str(a) for a in args], env={**ENV, **(env or {})},
                                input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def pyhanko_statuses(path: Path, ca_pem: Path) -> list[PdfSignatureStatus]:
    """pyHanko's own validator, trusting the test CA: independent of `policyc verify`."""
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    return [validate_pdf_signature(sig, ValidationContext(
                trust_roots=[load_cert_from_pemder(str(ca_pem))], allow_fetching=False))
            for sig in reader.embedded_regular_signatures]


def nss_db(folder: Path, ca_pem: Path) -> Path:
    """An NSS database trusting the test CA, for poppler's pdfsig."""
    db = folder / "nss"
    if not db.exists():
        db.mkdir()
        subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True,
                       capture_output=True)
        subprocess.run(["certutil", "-A", "-d", f"sql:{db}", "-n", "policyc test CA", "-t",
                        "CT,C,C", "-i", str(ca_pem)], check=True, capture_output=True)
    return db


def pdfsig(path: Path, db: Path | None = None) -> str:
    """poppler's pdfsig: its own CMS check (NSS), independent of pyHanko."""
    assert shutil.which("pdfsig"), "poppler-utils (pdfsig) is a test dependency"
    args = ["pdfsig", *(["-nssdir", f"sql:{db}"] if db else []), str(path)]
    return subprocess.run(args, capture_output=True, text=True, check=False).stdout
