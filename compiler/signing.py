"""PAdES signatures on built PDFs (PKCS#12 key, pyHanko) and their verification, with manifests."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from compiler.errors import Category, CompilerError, Diagnostic, Loc, display_path
from compiler.manifest import read_manifest

FONT = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
LABEL = "Digitally signed by {signer} on {date}"
DATE_FORMAT = "%Y-%m-%d %H:%M %Z"
# Most signing certificates carry one of the two; pyHanko alone would demand non_repudiation.
KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"},
                                match_all_key_usages=False)


def _error(path: str | Path, message: str) -> CompilerError:
    return CompilerError.at(Loc.file(path), message, Category.SIGNING)


def _subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


# --- credentials ---------------------------------------------------------------------

# The key types pyHanko can sign with; a PKCS#12 can also hold others (DH, ML-DSA...).
SigningKey = (rsa.RSAPrivateKey | dsa.DSAPrivateKey | ec.EllipticCurvePrivateKey
              | ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey)


@dataclass(frozen=True)
class Credentials:
    """A PKCS#12's key and certificates, loaded and checked once so a build fails up front."""

    path: Path
    key: SigningKey = field(repr=False)
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def signer_name(self) -> str:
        """The common name people know the signer by; the whole subject when there is none."""
        names = self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else _subject(self.cert)


def load_credentials(path: Path, passphrase: str | None,
                     now: datetime | None = None) -> Credentials:
    """Open a PKCS#12; every way it can be unusable is a CompilerError naming the file."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise _error(path, f"cannot read PKCS#12: {err.strerror}") from err
    secret = passphrase.encode() if passphrase else None
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, secret)
    except (ValueError, UnsupportedAlgorithm) as err:
        raise _error(path, "wrong passphrase for this PKCS#12" if _is_pkcs12(data)
                     else "not a PKCS#12 file (expected a .p12/.pfx archive)") from err
    if key is None:
        raise _error(path, "the PKCS#12 holds no private key (expected a key and its certificate)")
    if not isinstance(key, SigningKey):
        raise _error(path, f"unsupported key type {type(key).__name__} "
                     "(expected RSA, DSA, EC, Ed25519 or Ed448)")
    if cert is None:
        raise _error(path, "the PKCS#12 holds no certificate for its private key")
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise _error(path, f"the private key does not match the certificate '{_subject(cert)}'")
    creds = Credentials(path, key, cert, tuple(chain))
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
        raise _error(creds.path, f"certificate '{_subject(creds.cert)}' is not valid yet "
                     f"(valid from {start:%Y-%m-%d %H:%M} UTC)")
    if now > end:
        raise _error(creds.path, f"certificate '{_subject(creds.cert)}' expired on "
                     f"{end:%Y-%m-%d %H:%M} UTC")


# --- signing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignerConfig:
    """How to sign; label and date_format are parameters so a build can localize the stamp."""

    credentials: Credentials
    reason: str | None = None
    location: str | None = None
    contact_info: str | None = None
    visible: bool = False
    label: str = LABEL  # {signer} and {date} are filled in
    date_format: str = DATE_FORMAT  # strftime of the signing time, in UTC
    timestamp_url: str | None = None  # an RFC 3161 server: PAdES B-T instead of B-B
    font: Path = FONT


def require_pdf(data: bytes, source: str | Path) -> None:
    """Readers accept the header anywhere in the first KB (ISO 32000-1, annex H)."""
    if b"%PDF-" not in data[:1024]:
        raise _error(source, "not a PDF file (no %PDF- header)")


class _MetadataKeepingWriter(IncrementalPdfFileWriter):
    """Leaves /Info and XMP as WeasyPrint wrote them.

    pyHanko appends itself to /Info's Producer but writes a different Producer to the XMP
    packet, and PDF/A requires both to agree; a signature changes no content, so the
    metadata stays untouched (the override its maintainer suggests, pyHanko issue #223).
    """

    def _update_meta(self) -> None:
        return None


@dataclass(frozen=True)
class _InMemoryFont(GlyphAccumulatorFactory):
    """pyHanko's factory leaves the font file open (a ResourceWarning per stamp): read it whole."""

    def create_font_engine(self, writer: BasePdfFileWriter,
                           obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(_font_bytes(self.font_file)),
                                font_size=self.font_size, obj_stream=obj_stream)


def _font_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise _error(path, f"cannot read the stamp font: {err.strerror} "
                     "(install fonts-noto-core)") from err


def sign_pdf(data: bytes, config: SignerConfig, *, source: str | Path = "<input>",
             now: datetime | None = None) -> bytes:
    """Return data plus one incremental update holding a PAdES signature over the whole file.

    Earlier revisions are kept byte for byte, so earlier signatures stay valid and PDF/A
    conformance is kept; the visible stamp embeds its font. source names the input in errors.
    """
    check_validity(config.credentials, now)
    require_pdf(data, source)
    try:
        writer = _MetadataKeepingWriter(io.BytesIO(data))
        if writer.prev.encrypted:
            raise _error(source, "encrypted PDFs cannot be signed (decrypt it first)")
        taken = [name for name, _, _ in fields.enumerate_sig_fields(writer)]
        name = next(f"Signature{i}" for i in range(1, len(taken) + 2)
                    if f"Signature{i}" not in taken)
        spec = fields.SigFieldSpec(sig_field_name=name)
        style = None
        if config.visible:
            spec = fields.SigFieldSpec(sig_field_name=name, on_page=-1,
                                       box=_stamp_box(writer, len(taken)))
            style = _stamp_style(config)
        meta = signers.PdfSignatureMetadata(
            field_name=name, reason=config.reason, location=config.location,
            contact_info=config.contact_info, subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256")
        timestamper = HTTPTimeStamper(config.timestamp_url) if config.timestamp_url else None
        pdf_signer = signers.PdfSigner(meta, _pyhanko_signer(config.credentials),
                                       timestamper=timestamper, stamp_style=style,
                                       new_field_spec=spec)
        out = io.BytesIO()
        pdf_signer.sign_pdf(writer, output=out,
                            appearance_text_params={"signer": config.credentials.signer_name})
    except PdfError as err:
        raise _error(source, f"cannot read the PDF: {err}") from err
    except SigningError as err:
        raise _error(source, f"cannot sign: {err}") from err
    except (TimeoutError, TimestampRequestError, aiohttp.ClientError) as err:
        reason = err.__cause__ or err  # pyHanko wraps the connection error in a generic one
        raise _error(source, f"timestamp server {config.timestamp_url} failed: "
                     f"{str(reason) or type(reason).__name__}") from err
    return out.getvalue()


def _pyhanko_signer(creds: Credentials) -> signers.SimpleSigner:
    registry = SimpleCertificateStore()
    registry.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in creds.chain])
    return signers.SimpleSigner(
        signing_cert=translate_pyca_cryptography_cert_to_asn1(creds.cert),
        signing_key=translate_pyca_cryptography_key_to_asn1(creds.key),
        cert_registry=registry)


def stamp_text(label: str) -> str:
    """The label as pyHanko's stamp template. The label may come from a translator: it never
    reaches str.format; only the literal {signer} and {date} are substituted and every other
    character is escaped for pyHanko's '%' interpolation."""
    return "%(signer)s".join(part.replace("%", "%%").replace("{date}", "%(ts)s")
                             for part in label.split("{signer}"))


def _stamp_style(config: SignerConfig) -> TextStampStyle:
    """pyHanko fills %(signer)s and %(ts)s (the signing time itself) into the stamp text."""
    text = stamp_text(config.label)
    font = _InMemoryFont(str(config.font), font_size=9)
    return TextStampStyle(stamp_text=text, timestamp_format=config.date_format,
                          text_box_style=TextBoxStyle(font=font), background=None,
                          border_width=1)


STAMP_WIDTH, STAMP_HEIGHT, STAMP_MARGIN = 200, 28, 57  # points; 20 mm: print.css side margin


def _stamp_box(writer: IncrementalPdfFileWriter, slot: int) -> tuple[int, int, int, int]:
    """Bottom margin of the last page, beside the centred page number: right, then left, upwards.

    Each further signature takes the next slot so stamps never cover one another.
    """
    page_ref, _ = writer.find_page_for_modification(-1)
    node = page_ref.get_object()
    while "/MediaBox" not in node and "/Parent" in node:  # MediaBox is inheritable
        node = node["/Parent"].get_object()
    x0, y0, x1, _ = (float(v) for v in node.get("/MediaBox", [0, 0, 595, 842]))
    width = min(STAMP_WIDTH, int((x1 - x0) / 2 - STAMP_MARGIN))
    left = int(x1) - STAMP_MARGIN - width if slot % 2 == 0 else int(x0) + STAMP_MARGIN
    bottom = int(y0) + 22 + (slot // 2) * (STAMP_HEIGHT + 6)
    return (left, bottom, left + width, bottom + STAMP_HEIGHT)


# --- verification ----------------------------------------------------------------------


def load_trust(paths: Sequence[Path]) -> list[asn1_x509.Certificate]:
    """PEM (one or many) or DER certificates that a signature must chain to."""
    anchors: list[asn1_x509.Certificate] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as err:
            raise _error(path, f"cannot read trust anchor: {err.strerror}") from err
        try:
            certs = (x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data
                     else [x509.load_der_x509_certificate(data)])
        except ValueError as err:
            raise _error(path, "not a certificate (expected PEM or DER)") from err
        anchors.extend(translate_pyca_cryptography_cert_to_asn1(c) for c in certs)
    return anchors


@dataclass(frozen=True)
class SignatureCheck:
    """What a reader of one signature needs: who, when, untouched since, trusted; and why not."""

    field: str
    subject: str
    signing_time: datetime | None  # the signer's own clock
    timestamp: datetime | None  # an RFC 3161 timestamp authority's clock
    integrity: str
    trust: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_pdf(path: Path, trust: Sequence[asn1_x509.Certificate] | None) -> list[SignatureCheck]:
    """Check every signature of path; trust None means no anchors were given (trust unchecked)."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CompilerError.at(Loc.file(path), f"cannot read: {err.strerror}", Category.IO) from err
    require_pdf(data, path)
    try:
        reader = PdfFileReader(io.BytesIO(data))
        embedded = list(reader.embedded_regular_signatures)
    except PdfError as err:
        raise _error(path, f"cannot read the PDF: {err}") from err
    checks = []
    for sig in embedded:
        # allow_fetching=False: no network; revocation data is not available offline.
        context = ValidationContext(trust_roots=list(trust or ()), allow_fetching=False)
        try:
            with _pyhanko_quiet():
                status = validate_pdf_signature(sig, context, key_usage_settings=KEY_USAGE)
        except (SignatureValidationError, PdfError, ValueError) as err:
            checks.append(SignatureCheck(sig.field_name, "?", None, None, "unreadable",
                                         "not checked", (f"cannot be validated: {err}",)))
            continue
        checks.append(_summarize(sig.field_name, status, trusted_wanted=trust is not None))
    return checks


# What pyHanko's diff analysis found in the revisions added after a signature.
LATER_UPDATES = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "validation data only (allowed)",
    ModificationLevel.FORM_FILLING: "further signatures or form filling only (allowed)",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other changes to the content",
}


@contextmanager
def _pyhanko_quiet() -> Iterator[None]:
    """pyHanko logs a traceback for every path it cannot build to an anchor; the report says
    so in one line already. Shown again with `policyc -v`."""
    noisy = logging.getLogger("pyhanko")
    previous = noisy.level
    if not logging.getLogger().isEnabledFor(logging.INFO):
        noisy.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        noisy.setLevel(previous)


def _name(cert: asn1_x509.Certificate) -> str:
    return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()


def _summarize(name: str, status: PdfSignatureStatus, trusted_wanted: bool) -> SignatureCheck:
    problems = []
    if not status.intact:
        problems.append("the signed bytes were changed (digest mismatch)")
    elif not status.valid:
        problems.append("the signature value does not match the signer's certificate")
    coverage = status.coverage
    level = status.modification_level
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        integrity = "intact, covers the whole file"
    elif coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        what = LATER_UPDATES[level] if level else "not analysed"
        integrity = f"intact up to its revision; later updates: {what}"
        if not status.docmdp_ok:
            problems.append(f"modified after signing ({what})")
    else:
        integrity = "does not cover its revision"
        problems.append("the signature covers only part of its revision")
    if not status.intact:
        integrity = "modified after signing"
    ts = status.timestamp_validity
    if ts is not None and not (ts.intact and ts.valid):
        problems.append("the timestamp token is invalid")
    if not trusted_wanted:
        trust = "not checked (no --trust given)"
    elif not (status.intact and status.valid):
        trust = "not checked (the signature itself is broken)"
    elif status.trusted:
        anchor = status.validation_path[0] if status.validation_path else None
        trust = f"chains to {_name(anchor) if anchor else 'a --trust anchor'}"
        if ts is not None and not ts.trusted:
            trust += "; its timestamp authority does not"
            problems.append("the timestamp authority does not chain to any --trust anchor")
    else:
        trust = "does not chain to any --trust anchor"
        if status.trust_problem_indic is not None:
            trust += f" ({str(status.trust_problem_indic.standard_name).lower()})"
        problems.append(trust)
    return SignatureCheck(
        field=name, subject=_name(status.signing_cert),
        signing_time=status.signer_reported_dt, timestamp=ts.timestamp if ts else None,
        integrity=integrity, trust=trust, problems=tuple(problems))


def check_manifest(path: Path) -> tuple[int, list[Diagnostic]]:
    """Compare each output listed in a manifest with the file beside it: (count, mismatches).

    Paths are relative to the manifest's folder; each mismatch points at its entry's line.
    """
    manifest = read_manifest(path)
    root = path.resolve().parent
    text = path.read_text(encoding="utf-8")
    problems = []
    outputs = manifest["outputs"]
    for entry in outputs:
        rel = entry.get("path") if isinstance(entry, dict) else None
        loc = Loc(display_path(path), _line_of(text, rel))
        if not isinstance(rel, str) or not isinstance(entry.get("sha256"), str) \
                or not isinstance(entry.get("size"), int):
            problems.append(_diagnostic(loc, "output entry needs 'path', 'size' and 'sha256'"))
            continue
        target = (root / rel).resolve()
        if not target.is_relative_to(root):
            problems.append(_diagnostic(loc, f"{rel}: outside the manifest's folder"))
        elif not target.is_file():
            problems.append(_diagnostic(loc, f"{rel}: missing"))
        else:
            data = target.read_bytes()
            if len(data) != entry["size"]:
                problems.append(_diagnostic(
                    loc, f"{rel}: size {len(data)} bytes, manifest says {entry['size']}"))
            digest = hashlib.sha256(data).hexdigest()
            if digest != entry["sha256"]:
                problems.append(_diagnostic(
                    loc, f"{rel}: sha256 {digest}, manifest says {entry['sha256']}"))
    return len(outputs), problems


def _line_of(text: str, rel: object) -> int:
    """Manifests are written one key a line, so an entry's "path" line locates it."""
    if not isinstance(rel, str):
        return 0
    needle = f'"path": {json.dumps(rel, ensure_ascii=False)}'
    return next((n for n, line in enumerate(text.splitlines(), 1) if needle in line), 0)


def _diagnostic(loc: Loc, message: str) -> Diagnostic:
    return Diagnostic(loc, message, category=Category.SIGNING)
