"""How to sign: the names the command line and the signer share (environment variables,
certify levels, the label); SignerOptions (options.py) on first use. Imports nothing heavy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compiler.signing.options import SignerOptions  # noqa: F401 (re-export, see __getattr__)

PASSPHRASE_ENV = "POLICYC_P12_PASSPHRASE"
PIN_ENV = "POLICYC_PKCS11_PIN"
TSA_ENV = "POLICYC_TSA_URL"
TRUST_ENV = "POLICYC_TRUST"  # the configured trust list: certificate files, os.pathsep-separated
LABEL = "Digitally signed by {signer} on {date}"

# --certify level -> what later changes a certification (DocMDP) still permits.
CERTIFY_LEVELS = {
    "no-changes": "no changes at all",
    "form-fill": "form filling and further signatures",
    "annotate": "form filling, further signatures and annotations (comments)",
}


def __getattr__(name: str) -> Any:
    """SignerOptions (signing/options.py), imported when first asked for: the command line
    reads the names above to define its options on every build, which signs rarely."""
    if name == "SignerOptions":
        from compiler.signing.options import SignerOptions

        return SignerOptions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
