"""Trust anchors: the certificates a signature must chain to (--trust, POLICYC_TRUST)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.signing.config import TRUST_ENV
from compiler.signing.credentials import error

if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509


def load_trust(paths: Sequence[Path]) -> list[asn1_x509.Certificate]:
    """PEM (one or many) or DER certificates that a signature must chain to."""
    from cryptography import x509
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1

    anchors: list[asn1_x509.Certificate] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise error(path, f"cannot read trust anchor: {err.strerror}") from err
        try:
            certs = (x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data
                     else [x509.load_der_x509_certificate(data)])
        except ValueError as err:
            raise error(path, "not a certificate (expected PEM or DER)") from err
        anchors.extend(translate_pyca_cryptography_cert_to_asn1(c) for c in certs)
    return anchors


def configured_trust() -> tuple[Path, ...]:
    """The trust list an organization configures once: POLICYC_TRUST, files joined by ':'."""
    return tuple(Path(p) for p in os.environ.get(TRUST_ENV, "").split(os.pathsep) if p)
