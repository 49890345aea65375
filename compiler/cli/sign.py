"""`policyc sign`: a PAdES signature on a built PDF; the passphrase prompt `build --sign` shares."""

from __future__ import annotations

import os
from pathlib import Path

import click

from compiler.cli.report import Report, reported
from compiler.errors import Category, CompilerError, Loc, display_path

PASSPHRASE_ENV = "POLICYC_P12_PASSPHRASE"
TSA_ENV = "POLICYC_TSA_URL"


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
@reported
def sign(report: Report, *, input_pdf: Path, p12: Path, output: Path, reason: str | None,
         location: str | None, contact_info: str | None, visible: bool, label: str | None,
         timestamp_url: str | None) -> None:
    """Sign IN.pdf into --output: PAdES, an incremental update covering the whole file.

    Earlier signatures stay valid and PDF/A conformance is kept. Nothing is written
    unless signing succeeds.
    """
    from compiler.fs import write_atomic
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
