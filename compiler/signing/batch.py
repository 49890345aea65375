"""What `build --sign` asks of signing: refuse incomplete translations, sign each PDF in its
language, sign the manifest."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.errors import Category, Diagnostic, Loc

if TYPE_CHECKING:
    from compiler.model import LocalizedDocument
    from compiler.signing.config import SignerOptions


def refuse_incomplete(localized: dict[tuple[str, str], LocalizedDocument],
                      wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Diagnostic]:
    """Legal never signs a half-translated policy by accident: (document, locale) -> reason."""
    refused = {}
    for pair in sorted(set(wanted)):
        ldoc = localized.get(pair)
        if ldoc is None:
            continue
        c = ldoc.completeness
        if c.fuzzy or c.untranslated:
            doc_id, locale = pair
            listed = "; ".join(c.missing[:10]) + ("; ..." if len(c.missing) > 10 else "")
            refused[pair] = Diagnostic(
                Loc(ldoc.document.path), f"refusing to sign {doc_id} in '{locale}': "
                f"{c.untranslated} untranslated and {c.fuzzy} fuzzy messages ({listed}); "
                "translate them or pass --allow-incomplete; its PDF is not published",
                category=Category.SIGNING)
    return refused


def sign_localized(data: bytes, ldoc: LocalizedDocument, signer: SignerOptions,
                   target: Path) -> bytes:
    """Sign a built PDF with the stamp in the document's language, label and date."""
    from compiler.signing.credentials import signer_name
    from compiler.signing.pades import Stamp, sign_pdf, stamp_text

    now = datetime.now(UTC)
    locale = signer.locale or ldoc.language.code
    template = signer.label or ldoc.labels.signed_by
    stamp = Stamp(stamp_text(template, signer_name(signer.credentials), now, locale), locale)
    return sign_pdf(data, signer, source=target, stamp=stamp, now=now)


def sign_manifest_file(manifest: Path, signer: SignerOptions, *, changed: bool) -> None:
    """Write manifest.json.p7s when the manifest changed or has no signature yet."""
    from compiler.fs import write_atomic
    from compiler.signing.manifest import sign_manifest, signature_path

    target = signature_path(manifest)
    if changed or not target.exists():
        write_atomic(target, sign_manifest(manifest.read_bytes(), signer.credentials))
