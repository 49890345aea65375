"""Signing keys: a PKCS#12 file or a PKCS#11 token (smart card, HSM), and where secrets come from.

Secrets never come from the command line (shell history, process lists): from an
environment variable, else a hidden prompt on the terminal; with neither, an error naming
the variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, pkcs12
from cryptography.x509.oid import NameOID

from compiler.errors import Category, CompilerError, Loc
from compiler.signing.config import PASSPHRASE_ENV, PIN_ENV

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

Prompt = Callable[[str], str]  # shows its argument, reads a line unseen


def error(where: str | Path, message: str) -> CompilerError:
    return CompilerError.at(Loc.file(where) if isinstance(where, Path) else Loc(where),
                            message, Category.SIGNING)


def subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


class Credentials(Protocol):
    """A signing key with its certificate, loaded and checked once so a build fails up front."""

    @property
    def where(self) -> str | Path: ...  # named in errors: the .p12 file or the token

    @property
    def cert(self) -> x509.Certificate: ...

    @property
    def chain(self) -> tuple[x509.Certificate, ...]: ...

    def pyhanko_signer(self) -> Signer: ...

    def close(self) -> None: ...  # log out of a token; nothing for a file


def signer_name(creds: Credentials) -> str:
    """The common name people know the signer by; the whole subject when there is none."""
    names = creds.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else subject(creds.cert)


def fingerprint(creds: Credentials) -> str:
    return creds.cert.fingerprint(SHA256()).hex()


# --- secrets -----------------------------------------------------------------------------


def has_terminal() -> bool:
    """getpass reads from /dev/tty; without one it would echo or read a closed stdin."""
    try:
        with Path("/dev/tty").open("rb"):
            return True
    except OSError:
        return False


def secret(env: str, what: str, prompt: Prompt | None, *, also: str = "") -> str:
    """The value of env if set; else asked unseen on the terminal; else an error naming env."""
    if env in os.environ:
        return os.environ[env]
    if prompt is None or not has_terminal():
        hint = f" ({also})" if also else ""
        raise error("policyc", f"no terminal to ask for the {what}: set {env}{hint}")
    return prompt(f"{what[0].upper()}{what[1:]}")


# --- PKCS#12 ------------------------------------------------------------------------------

# The key types pyHanko can sign with; a PKCS#12 can also hold others (DH, ML-DSA...).
SigningKey = (rsa.RSAPrivateKey | dsa.DSAPrivateKey | ec.EllipticCurvePrivateKey
              | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey)


@dataclass(frozen=True)
class P12Credentials:
    path: Path
    key: SigningKey = field(repr=False)
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def where(self) -> Path:
        return self.path

    def close(self) -> None:
        """Nothing to release: the key is in memory."""

    def pyhanko_signer(self) -> Signer:
        from pyhanko.keys.internal import (
            translate_pyca_cryptography_cert_to_asn1,
            translate_pyca_cryptography_key_to_asn1,
        )
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        registry = SimpleCertificateStore()
        registry.register_multiple([translate_pyca_cryptography_cert_to_asn1(c)
                                    for c in self.chain])
        return signers.SimpleSigner(
            signing_cert=translate_pyca_cryptography_cert_to_asn1(self.cert),
            signing_key=translate_pyca_cryptography_key_to_asn1(self.key),
            cert_registry=registry)


def open_p12(path: Path, prompt: Prompt | None, now: datetime | None = None) -> P12Credentials:
    """The passphrase from POLICYC_P12_PASSPHRASE or the prompt, then load_p12."""
    if not path.is_file():
        raise error(path, "cannot read PKCS#12: no such file")
    return load_p12(path, secret(PASSPHRASE_ENV, f"passphrase for {path}", prompt), now)


def load_p12(path: Path, passphrase: str | None, now: datetime | None = None) -> P12Credentials:
    """Open a PKCS#12; every way it can be unusable is a CompilerError naming the file."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise error(path, f"cannot read PKCS#12: {err.strerror}") from err
    secret_bytes = passphrase.encode() if passphrase else None
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, secret_bytes)
    except (ValueError, UnsupportedAlgorithm) as err:
        raise error(path, "wrong passphrase for this PKCS#12" if _is_pkcs12(data)
                    else "not a PKCS#12 file (expected a .p12/.pfx archive)") from err
    if key is None:
        raise error(path, "the PKCS#12 holds no private key (expected a key and its certificate)")
    if not isinstance(key, SigningKey):
        raise error(path, f"unsupported key type {type(key).__name__} "
                    "(expected RSA, DSA, EC, Ed25519 or Ed448)")
    if cert is None:
        raise error(path, "the PKCS#12 holds no certificate for its private key")
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise error(path, f"the private key does not match the certificate '{subject(cert)}'")
    creds = P12Credentials(path, key, cert, tuple(chain))
    check_validity(creds, now)
    return creds


def _is_pkcs12(data: bytes) -> bool:
    """Tell a wrong passphrase from a file that is no PKCS#12 at all: parse its outer layer."""
    try:
        asn1_pkcs12.Pfx.load(data, strict=True).native  # noqa: B018  (forces the parse)
    except (ValueError, TypeError):
        return False
    return True


def _public_der(key: Any) -> bytes:
    return bytes(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))


def check_validity(creds: Credentials, now: datetime | None = None) -> None:
    """A signature made outside the certificate's validity fails every validator: refuse it."""
    now = now or datetime.now(UTC)
    start, end = creds.cert.not_valid_before_utc, creds.cert.not_valid_after_utc
    if now < start:
        raise error(creds.where, f"certificate '{subject(creds.cert)}' is not valid yet "
                    f"(valid from {start:%Y-%m-%d %H:%M} UTC)")
    if now > end:
        raise error(creds.where, f"certificate '{subject(creds.cert)}' expired on "
                    f"{end:%Y-%m-%d %H:%M} UTC")


# --- PKCS#11 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pkcs11Credentials:
    """A key that never leaves its token: pyHanko asks the token to sign the digest."""

    module: Path
    token: str
    key_label: str
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    session: Any = field(repr=False, compare=False)
    signer: Any = field(repr=False, compare=False)

    @property
    def where(self) -> str:
        return f"pkcs11:token={self.token};object={self.key_label}"

    def pyhanko_signer(self) -> Signer:
        return self.signer  # type: ignore[no-any-return]

    def close(self) -> None:
        self.session.close()


def open_pkcs11(module: Path, token: str, key_label: str, cert_path: Path | None,
                prompt: Prompt | None, now: datetime | None = None) -> Pkcs11Credentials:
    """Log in to the token (PIN from POLICYC_PKCS11_PIN or the prompt) and find key and cert.

    The certificate comes from --cert, else from the token (an object with the key's label).
    """
    from pkcs11 import exceptions as p11
    from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session

    where = f"pkcs11:token={token}"
    if not module.is_file():
        raise error(module, "PKCS#11 module not found (e.g. /usr/lib/softhsm/libsofthsm2.so "
                    "or the vendor's library)")
    signing_cert = _load_cert(cert_path) if cert_path else None
    pin = secret(PIN_ENV, f"PIN of token '{token}'", prompt)
    try:
        session = open_pkcs11_session(str(module), token_criteria=TokenCriteria(label=token),
                                      user_pin=pin)
    except p11.PinIncorrect as err:
        raise error(where, "wrong PIN") from err
    except p11.PinLocked as err:
        raise error(where, "the PIN is locked (too many wrong tries)") from err
    except (p11.PKCS11Error, RuntimeError, OSError) as err:
        raise error(where, f"cannot open the token: {_p11_reason(err)}") from err
    try:
        signer = PKCS11Signer(session, key_label=key_label, cert_label=None if signing_cert
                              else key_label,
                              signing_cert=_asn1(signing_cert) if signing_cert else None)
        asn1_cert = signer.signing_cert
        chain = tuple(x509.load_der_x509_certificate(c.dump())
                      for c in signer.cert_registry if c != asn1_cert)
    except (p11.PKCS11Error, RuntimeError) as err:
        session.close()
        raise error(where, f"no certificate labelled '{key_label}' on the token (give --cert "
                    f"FILE): {_p11_reason(err)}") from err
    cert = x509.load_der_x509_certificate(asn1_cert.dump())
    creds = Pkcs11Credentials(module, token, key_label, cert, chain, session, signer)
    _check_key_present(creds)
    check_validity(creds, now)
    return creds


def _check_key_present(creds: Pkcs11Credentials) -> None:
    """pyHanko looks the key up only when signing: find it now, so a build fails up front."""
    from pkcs11 import Attribute, ObjectClass

    keys = list(creds.session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                           Attribute.LABEL: creds.key_label}))
    if not keys:
        creds.close()
        raise error(creds.where, f"no private key labelled '{creds.key_label}' on the token")


def _p11_reason(err: BaseException) -> str:
    return str(err) or type(err).__name__


def _load_cert(path: Path) -> x509.Certificate:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise error(path, f"cannot read certificate: {err.strerror}") from err
    try:
        return (x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data
                else x509.load_der_x509_certificate(data))
    except ValueError as err:
        raise error(path, "not a certificate (expected PEM or DER)") from err


def _asn1(cert: x509.Certificate) -> Any:
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1

    return translate_pyca_cryptography_cert_to_asn1(cert)
