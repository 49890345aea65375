"""`policyc sign` and `policyc verify`: PAdES signatures on built PDFs, and checks of outputs."""


from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from compiler.errors import Category, CompilerError, Diagnostic, Loc, display_path

F = TypeVar("F", bound=Callable[..., Any])

PASSPHRASE_ENV = "POLICYC_P12_PASSPHRASE"
TSA_ENV = "POLICYC_TSA_URL"


def _reports_errors(func: F) -> F:
    """compiler.cli imports this module to register the commands: fetch its decorator late."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from compiler.cli import reports_errors

        return reports_errors(func)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def passphrase(p12: Path) -> str:
    """From the environment (CI) or typed unseen; never an argument, so never in shell history.

    Public so that `build --sign` asks the same way.
    """
    if PASSPHRASE_ENV in os.environ:
        return os.environ[PASSPHRASE_ENV]
    return str(click.prompt(f"Passphrase for {p12}", hide_input=True, default="",
                            show_default=False, err=True))


@click.command()
@click.argument("input_pdf", metavar="IN.pdf", type=click.Path(path_type=Path))
@click.option("--p12", type=click.Path(path_type=Path), required=True,
              help=f"PKCS#12 (.p12/.pfx) with the signing key and certificate. Passphrase: "
                   f"${PASSPHRASE_ENV}, else asked for.")
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Signed PDF to write (its folder must exist; may be IN.pdf itself).")
@click.option("--reason", help="Why the document is signed, e.g. 'Approved'.")
@click.option("--location", help="Where it is signed.")
@click.option("--contact-info", help="How to reach the signer.")
@click.option("--visible", is_flag=True,
              help="Stamp 'Digitally signed by ...' at the bottom of the last page.")
@click.option("--label", default=None,
              help="Stamp text; {signer} and {date} are filled in. "
                   "Default: 'Digitally signed by {signer} on {date}'.")
@click.option("--timestamp-url", envvar=TSA_ENV, show_envvar=True,
              help="RFC 3161 timestamp server: PAdES B-T instead of B-B.")
@_reports_errors
def sign(*, input_pdf: Path, p12: Path, output: Path, reason: str | None, location: str | None,
         contact_info: str | None, visible: bool, label: str | None,
         timestamp_url: str | None) -> None:
    """Sign IN.pdf into --output: PAdES, an incremental update covering the whole file.

    Earlier signatures stay valid and PDF/A conformance is kept. Nothing is written
    unless signing succeeds.
    """
    from compiler.build import write_atomic
    from compiler.signing import LABEL, SignerConfig, load_credentials, require_pdf, sign_pdf

    if not output.parent.is_dir():
        raise CompilerError.at(Loc.file(output), f"output folder '{display_path(output.parent)}' "
                               "does not exist", Category.IO)
    try:
        data = input_pdf.read_bytes()
    except OSError as err:
        raise CompilerError.at(Loc.file(input_pdf), f"cannot read: {err.strerror}",
                               Category.IO) from err
    require_pdf(data, input_pdf)
    credentials = load_credentials(p12, passphrase(p12))
    config = SignerConfig(credentials, reason=reason, location=location,
                          contact_info=contact_info, visible=visible, label=label or LABEL,
                          timestamp_url=timestamp_url or None)
    signed = sign_pdf(data, config, source=input_pdf)
    write_atomic(output, signed)
    level = "B-T" if config.timestamp_url else "B-B"
    click.echo(f"policyc: signed {display_path(output)} as {credentials.signer_name} "
               f"(PAdES {level})", err=True)


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
@_reports_errors
def verify(*, pdfs: tuple[Path, ...], trust_paths: tuple[Path, ...], manifest: Path | None,
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
