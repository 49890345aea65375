"""`policyc verify`: the signatures of PDFs, and the outputs a build manifest lists."""

from __future__ import annotations

from pathlib import Path

import click

from compiler.cli.report import Report, reported
from compiler.errors import Category, CompilerError, Diagnostic, Loc, display_path


@click.command()
@click.argument("pdfs", nargs=-1, metavar="[PDF]...", type=click.Path(path_type=Path))
@click.option("--trust", "trust_paths", multiple=True, type=click.Path(path_type=Path),
              help="Trust anchor certificate (PEM/DER), repeatable; add the timestamp "
                   "authority's root for B-T signatures. Without --trust, signatures are "
                   "checked for integrity only and trust is reported as not checked.")
@click.option("--manifest", type=click.Path(path_type=Path),
              help="Also check that every output listed in this manifest exists with its "
                   "recorded size and sha256 (paths relative to the manifest's folder).")
@click.option("--require-signature/--allow-unsigned", default=True, show_default=True,
              help="Whether an unsigned PDF is a failure. With --allow-unsigned it is only "
                   "reported as 'not signed'.")
@reported
def verify(report: Report, *, pdfs: tuple[Path, ...], trust_paths: tuple[Path, ...], manifest: Path | None,
           require_signature: bool) -> None:
    """Check the signatures of each PDF, and the outputs listed in a manifest.

    For each signature: the signer's certificate subject, the signing time, whether the
    file was changed after signing, and (with --trust) whether the certificate chains to
    an anchor. Exits 1 on any failure: a broken or untrusted signature, a modification
    after signing, an unsigned PDF (unless --allow-unsigned), or a manifest mismatch.
    """
    from compiler.signing import check_manifest, load_trust, verify_pdf

    if not pdfs and manifest is None:
        raise click.UsageError("nothing to verify: name PDF files or --manifest")
    failures: list[Diagnostic] = []
    trust = load_trust(trust_paths) if trust_paths else None
    for path in pdfs:
        shown = display_path(path)
        try:
            checks = verify_pdf(path, trust)
        except CompilerError as err:
            failures.extend(err.diagnostics)
            continue
        if not checks:
            click.echo(f"{shown}: not signed")
            if require_signature:
                failures.append(_failure(path, "not signed (use --allow-unsigned to accept)"))
            continue
        click.echo(f"{shown}: {len(checks)} signature{'s' if len(checks) != 1 else ''}")
        for check in checks:
            click.echo(f"  {check.field}: {'OK' if check.ok else 'FAILED'}")
            click.echo(f"    signer:       {check.subject}")
            when = f"{check.signing_time:%Y-%m-%d %H:%M:%S %Z}" if check.signing_time else "?"
            click.echo(f"    signed at:    {when} (signer's clock)")
            if check.timestamp:
                click.echo(f"    timestamp:    {check.timestamp:%Y-%m-%d %H:%M:%S %Z} "
                           "(timestamp authority)")
            click.echo(f"    modification: {check.integrity}")
            click.echo(f"    trust:        {check.trust}")
            failures.extend(_failure(path, f"{check.field}: {p}") for p in check.problems)
    if manifest is not None:
        try:
            count, mismatches = check_manifest(manifest)
        except CompilerError as err:  # unreadable: reported with the PDFs' failures
            count, mismatches = 0, err.diagnostics
        else:
            click.echo(f"{display_path(manifest)}: {count} outputs, {len(mismatches) or 'no'} "
                       f"mismatch{'es' if len(mismatches) != 1 else ''}")
        failures.extend(mismatches)
    if failures:
        raise CompilerError(failures)
    checked = [f"{len(pdfs)} PDF{'s' if len(pdfs) != 1 else ''}"] if pdfs else []
    if manifest is not None:
        checked.append("the manifest")
    click.echo(f"policyc: verified {' and '.join(checked)}", err=True)


def _failure(path: Path, message: str) -> Diagnostic:
    return Diagnostic(Loc.file(path), message, category=Category.SIGNING)
