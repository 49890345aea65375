"""`policyc verify`: signatures of PDFs and of the manifest, and the outputs the manifest lists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from compiler.cli.report import Report, reported
from compiler.errors import Category, CompilerError, Diagnostic, Loc, display_path
from compiler.signing.config import TRUST_ENV

if TYPE_CHECKING:
    from compiler.signing.verify import SignatureCheck

# verify's exit codes: what an audit script branches on (compiler.cli.report picks them).
EXIT_TRUSTED, EXIT_FAILED, EXIT_UNPROVEN = 0, 1, 3


@click.command()
@click.argument("pdfs", nargs=-1, metavar="[PDF]...", type=click.Path(path_type=Path))
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(path_type=Path),
              help=f"Trust anchor certificate (PEM/DER), repeatable; with none, ${TRUST_ENV} "
                   "(files joined by ':') is the trust list. Add the timestamp authority's root "
                   "for timestamped signatures.")
@click.option("--allow-untrusted", is_flag=True,
              help=f"Exit 0 for intact signatures that chain to no anchor (default: exit "
                   f"{EXIT_UNPROVEN}).")
@click.option("--strict", is_flag=True,
              help="Fail on any change after the last signature other than validation data "
                   "(DSS) and document timestamps.")
@click.option("--manifest", type=click.Path(path_type=Path),
              help="Check the manifest's own signature (manifest.json.p7s), that every "
                   "output it lists is there with its size and sha256, and every listed "
                   "PDF's signatures.")
@click.option("--require-signature/--allow-unsigned", default=True, show_default=True,
              help="Whether an unsigned PDF or manifest is a failure. With --allow-unsigned "
                   "it is only reported as 'not signed'.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@reported
def verify(report: Report, *, pdfs: tuple[Path, ...], trust_paths: tuple[Path, ...], allow_untrusted: bool,
           strict: bool, manifest: Path | None, require_signature: bool,
           as_json: bool) -> None:
    """Check the signatures of each PDF, and a manifest with everything it lists.

    \b
    Exit codes:
      0  every signature is intact and chains to a trust anchor (--trust or POLICYC_TRUST)
      1  a failure: a broken signature, a change after signing (beyond what is allowed,
         or any but validation data with --strict), an unsigned PDF or manifest, a
         manifest mismatch
      3  intact, but not shown to come from a trusted signer (no anchor given, or it
         does not chain to one); --allow-untrusted turns this into 0
    """
    from compiler.signing.trust import configured_trust, load_trust
    from compiler.signing.verify import verify_pdf

    if not pdfs and manifest is None:
        raise click.UsageError("nothing to verify: name PDF files or --manifest")
    anchors = load_trust(trust_paths or configured_trust())
    found = _Findings(as_json=as_json, require_signature=require_signature)
    for path in pdfs:
        try:
            checks = verify_pdf(path, anchors, strict)
        except CompilerError as err:
            found.failures.extend(err.diagnostics)
            continue
        found.pdf(path, display_path(path), checks, Loc.file(path))
    if manifest is not None:
        found.manifest(manifest, anchors, strict)
    found.finish(report, allow_untrusted)


class _Findings:
    """Collects every result and prints it (or JSON at the end); the Report decides the exit."""

    def __init__(self, *, as_json: bool, require_signature: bool) -> None:
        self.as_json = as_json
        self.require_signature = require_signature
        self.failures: list[Diagnostic] = []
        self.untrusted: list[str] = []
        self.document: dict[str, Any] = {"files": [], "manifest": None}

    def echo(self, text: str) -> None:
        if not self.as_json:
            click.echo(text)

    def pdf(self, path: Path, shown: str, checks: list[SignatureCheck], loc: Loc) -> None:
        from compiler.signing.verify import Result

        self.document["files"].append({"path": shown, "signed": bool(checks),
                                       "signatures": [c.as_json() for c in checks]})
        if not checks:
            self.echo(f"{shown}: not signed")
            if self.require_signature:
                self.failures.append(_failure(loc, "not signed (use --allow-unsigned to accept)"))
            return
        self.echo(f"{shown}: {len(checks)} signature{'s' if len(checks) != 1 else ''}")
        for check in checks:
            shown_result = {Result.TRUSTED: "OK (trusted)",
                            Result.UNTRUSTED: "INTACT, SIGNER NOT TRUSTED",
                            Result.FAILED: "FAILED"}[check.result]
            self.echo(f"  {check.field} ({check.kind}): {shown_result}")
            self.echo(f"    signer:       {check.subject}")
            if check.signing_time:
                self.echo(f"    signed at:    {check.signing_time:%Y-%m-%d %H:%M:%S %Z} "
                          "(signer's clock)")
            if check.timestamp:
                self.echo(f"    timestamp:    {check.timestamp:%Y-%m-%d %H:%M:%S %Z} "
                          "(timestamp authority)")
            if check.certification:
                self.echo(f"    certifies:    {check.certification}")
            self.echo(f"    modification: {check.integrity}")
            self.echo(f"    trust:        {check.trust}")
            if check.ltv:
                self.echo(f"    validation:   {check.ltv}")
            self.failures.extend(_failure(loc, f"{check.field}: {p}") for p in check.problems)
            if check.result is Result.UNTRUSTED:
                self.untrusted.append(f"{shown} {check.field}")

    def manifest(self, path: Path, anchors: Any, strict: bool) -> None:
        from compiler.build.manifest import read_manifest
        from compiler.signing.manifest import check_manifest, check_signature, signature_path

        shown = display_path(path)
        try:
            signature = check_signature(path, anchors)
            result = check_manifest(path, read_manifest(path), anchors, strict)
        except CompilerError as err:  # unreadable: reported with the PDFs' failures
            self.failures.extend(err.diagnostics)
            return
        loc = Loc(shown)
        entry: dict[str, Any] = {"path": shown, "signed": signature.signed,
                                 "outputs": result.count,
                                 "mismatches": [str(d) for d in result.mismatches]}
        if not signature.signed:
            self.echo(f"{shown}: not signed (no {signature_path(path).name})")
            if self.require_signature:
                self.failures.append(_failure(loc, "manifest not signed (use --allow-unsigned "
                                                   "to accept)"))
        else:
            state = "FAILED" if signature.problems else \
                "OK (trusted)" if signature.trusted else "INTACT, SIGNER NOT TRUSTED"
            self.echo(f"{shown}: signature {state}")
            self.echo(f"    signer:       {signature.signer}")
            self.echo(f"    trust:        {signature.trust}")
            entry.update(signer=signature.signer, trusted=signature.trusted,
                         problems=list(signature.problems))
            self.failures.extend(_failure(loc, p) for p in signature.problems)
            if not signature.problems and not signature.trusted:
                self.untrusted.append(shown)
        mismatches = len(result.mismatches)
        self.echo(f"{shown}: {result.count} outputs, {mismatches or 'no'} "
                  f"mismatch{'es' if mismatches != 1 else ''}")
        self.failures.extend(result.mismatches)
        self.document["manifest"] = entry
        for rel, checks, entry_loc in result.pdfs:
            self.pdf(path.parent / rel, rel, checks, entry_loc)

    def finish(self, report: Report, allow_untrusted: bool) -> None:
        code = EXIT_FAILED if self.failures else \
            EXIT_UNPROVEN if self.untrusted and not allow_untrusted else EXIT_TRUSTED
        if self.as_json:
            self.document.update(
                exit_code=code,
                result={EXIT_TRUSTED: "trusted" if not self.untrusted else "untrusted-allowed",
                        EXIT_FAILED: "failed", EXIT_UNPROVEN: "untrusted"}[code],
                failures=[str(d) for d in self.failures])
            click.echo(json.dumps(self.document, indent=2, ensure_ascii=False))
        report.add(self.failures)
        if code == EXIT_UNPROVEN:
            report.unproven(f"intact but NOT verified as coming from a trusted signer "
                            f"({len(self.untrusted)}): give the signer's root with --trust (or "
                            f"{TRUST_ENV}); --allow-untrusted accepts this")
        elif code == EXIT_TRUSTED:
            click.echo("policyc: verified" + (" (untrusted signers allowed)" if self.untrusted
                                              else ", every signer trusted"), err=True)


def _failure(loc: Loc, message: str) -> Diagnostic:
    return Diagnostic(loc, message, category=Category.SIGNING)
