"""SignerOptions: who signs and how, as a build or `policyc sign` holds it (no heavy imports).

Apart from config.py's names, which the command line reads on every build: this dataclass
costs a build that does not sign ~1.5 ms (issue #18); config.SignerOptions hands it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compiler.signing.credentials import Credentials


@dataclass(frozen=True)
class SignerOptions:
    """Who signs and how: `BuildOptions.signer`, and what `policyc sign` passes to pades.

    label None means the label of the document's language (the build's catalog, or for
    `policyc sign` the catalog attached to the PDF or the project's); locale None means the
    PDF's /Lang.
    """

    credentials: Credentials
    reason: str | None = None
    location: str | None = None
    contact_info: str | None = None
    visible: bool = False
    label: str | None = None  # {signer} and {date} are filled in
    locale: str | None = None
    logo: Path | None = None  # PNG/JPEG drawn at the stamp's left
    timestamp_url: str | None = None  # RFC 3161 server: PAdES B-T
    ltv: bool = False  # embed OCSP/CRL (B-LT) and add a document timestamp (B-LTA)
    certify: str | None = None  # a CERTIFY_LEVELS key: the first signature certifies
    trust: tuple[Path, ...] = ()  # roots for building the chain whose revocation data --ltv embeds

    @property
    def level(self) -> str:
        """The PAdES baseline level the signature reaches."""
        if self.ltv:
            return "B-LTA"
        return "B-T" if self.timestamp_url else "B-B"

    def cache_key(self) -> str:
        """Signed bytes differ each time (signing time): a build's job key records who and how."""
        from cryptography.hazmat.primitives.hashes import SHA256

        fingerprint = self.credentials.cert.fingerprint(SHA256()).hex()
        return repr((fingerprint, self.reason, self.location,
                     self.contact_info, self.visible, self.label, self.locale,
                     str(self.logo) if self.logo else None, self.timestamp_url, self.ltv,
                     self.certify))
