"""PAdES signatures on built PDFs, their verification, and the signed manifest.

config (imports nothing heavy: the build and the CLI hold SignerOptions without loading
pyHanko), credentials (PKCS#12, PKCS#11, passphrase and PIN sources), stamp (the visible,
localized, tagged stamp), pades (signing), verify (checks and what changed after signing),
manifest (the detached CMS signature of dist/manifest.json).
"""
