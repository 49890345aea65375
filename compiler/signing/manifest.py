"""The manifest's signature: a detached CMS signature (manifest.json.p7s) beside dist/manifest.json.

The manifest lists every output with its SHA-256, so one signature over it vouches for the
whole set of files; each PDF also carries its own. verify checks both.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler.errors import Category, CompilerError, Diagnostic, Loc, display_path
from compiler.signing.credentials import Credentials, error

if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509

    from compiler.signing.verify import SignatureCheck

SUFFIX = ".p7s"


def signature_path(manifest: Path) -> Path:
    return manifest.with_name(manifest.name + SUFFIX)


def sign_manifest(data: bytes, creds: Credentials) -> bytes:
    """DER CMS SignedData over data, detached (the JSON stays readable as it is)."""
    signer = creds.pyhanko_signer()
    info = asyncio.run(signer.async_sign_general_data(data, "sha256", detached=True))
    return bytes(info.dump())


@dataclass(frozen=True)
class ManifestSignature:
    """None of signer/problems when the manifest is unsigned."""

    signed: bool
    signer: str | None = None
    signing_time: datetime | None = None
    trusted: bool = False
    trust: str = ""
    problems: tuple[str, ...] = ()


def check_signature(manifest: Path, trust: Sequence[asn1_x509.Certificate]) -> ManifestSignature:
    from asn1crypto import cms
    from cryptography import x509
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    from pyhanko_certvalidator import ValidationContext

    from compiler.signing.verify import KEY_USAGE

    sig_path = signature_path(manifest)
    if not sig_path.is_file():
        return ManifestSignature(signed=False)
    try:
        info = cms.ContentInfo.load(sig_path.read_bytes())
        signed_data = info["content"]
        _ = signed_data["signer_infos"][0]
    except (ValueError, TypeError, KeyError, IndexError) as err:
        raise error(sig_path, "not a CMS signature (expected DER SignedData)") from err
    context = ValidationContext(trust_roots=list(trust), allow_fetching=False)
    status = asyncio.run(async_validate_detached_cms(
        manifest.read_bytes(), signed_data, signer_validation_context=context,
        key_usage_settings=KEY_USAGE))
    problems = []
    if not status.intact:
        problems.append("the manifest was changed after it was signed (digest mismatch)")
    elif not status.valid:
        problems.append("the signature value does not match the signer's certificate")
    subject = x509.load_der_x509_certificate(status.signing_cert.dump()).subject
    trusted = bool(trust) and status.intact and status.valid and status.trusted
    trust_text = ("chains to a trust anchor" if trusted else
                  "no trust anchor given" if not trust else "does not chain to any trust anchor given")
    return ManifestSignature(True, subject.rfc4514_string(), status.signer_reported_dt,
                             trusted, trust_text, tuple(problems))


@dataclass(frozen=True)
class ManifestCheck:
    count: int
    mismatches: list[Diagnostic]
    pdfs: list[tuple[str, list[SignatureCheck], Loc]]  # each listed PDF's signatures


def check_manifest(path: Path, manifest: dict[str, Any],
                   trust: Sequence[asn1_x509.Certificate] = (),
                   strict: bool = False) -> ManifestCheck:
    """Compare each listed output with the file beside it, and check each PDF's signatures.

    `manifest` is the file's content as compiler.build.manifest.read_manifest returns it (the
    caller reads it: the build imports signing, so signing does not import the build).
    Paths are relative to the manifest's folder; each mismatch points at its entry's line.
    """
    from compiler.signing.verify import verify_bytes

    root = path.resolve().parent
    text = path.read_text(encoding="utf-8")
    problems = []
    pdfs: list[tuple[str, list[SignatureCheck], Loc]] = []
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
            continue
        if not target.is_file():
            problems.append(_diagnostic(loc, f"{rel}: missing"))
            continue
        data = target.read_bytes()
        if len(data) != entry["size"]:
            problems.append(_diagnostic(
                loc, f"{rel}: size {len(data)} bytes, manifest says {entry['size']}"))
        digest = hashlib.sha256(data).hexdigest()
        if digest != entry["sha256"]:
            problems.append(_diagnostic(
                loc, f"{rel}: sha256 {digest}, manifest says {entry['sha256']}"))
        if rel.endswith(".pdf"):
            try:
                pdfs.append((rel, verify_bytes(data, target, trust, strict), loc))
            except CompilerError as err:
                problems.extend(_diagnostic(loc, f"{rel}: {d.message}") for d in err.diagnostics)
    return ManifestCheck(len(outputs), problems, pdfs)


def _line_of(text: str, rel: object) -> int:
    """Manifests are written one key a line, so an entry's "path" line locates it."""
    if not isinstance(rel, str):
        return 0
    needle = f'"path": {json.dumps(rel, ensure_ascii=False)}'
    return next((n for n, line in enumerate(text.splitlines(), 1) if needle in line), 0)


def _diagnostic(loc: Loc, message: str) -> Diagnostic:
    return Diagnostic(loc, message, category=Category.SIGNING)


