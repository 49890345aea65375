"""`policyc sign`: a PAdES signature on a built PDF; the key and signature options `build --sign` shares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from compiler.cli.report import Report, reported
from compiler.errors import Category, CompilerError, Loc, display_path
from compiler.signing.config import (
    CERTIFY_LEVELS,
    PASSPHRASE_ENV,
    PIN_ENV,
    TSA_ENV,
)

if TYPE_CHECKING:
    from compiler.signing.options import SignerOptions

F = TypeVar("F", bound=Callable[..., Any])


def prompt(text: str) -> str:
    """Typed unseen on the terminal: never an argument, so never in shell history."""
    return str(click.prompt(text, hide_input=True, default="", show_default=False, err=True))


def signing_options(func: F) -> F:
    """The key and signature options of `sign` and `build --sign`."""
    options = [
        click.option("--p12", type=click.Path(path_type=Path),
                     help=f"PKCS#12 (.p12/.pfx) with the signing key and certificate. "
                          f"Passphrase: ${PASSPHRASE_ENV}, else asked for on the terminal."),
        click.option("--pkcs11-module", type=click.Path(path_type=Path),
                     help="PKCS#11 library of a token or HSM (instead of --p12). "
                          f"PIN: ${PIN_ENV}, else asked for on the terminal."),
        click.option("--pkcs11-token", help="Label of the token holding the key."),
        click.option("--pkcs11-key", help="Label of the private key (and of its certificate, "
                                          "unless --cert is given)."),
        click.option("--cert", "cert_path", type=click.Path(path_type=Path),
                     help="With --pkcs11-module: the signer's certificate (PEM/DER) when the "
                          "token does not hold it."),
        click.option("--reason", help="Why the document is signed, e.g. 'Approved'."),
        click.option("--location", help="Where it is signed."),
        click.option("--contact-info", help="How to reach the signer."),
        click.option("--visible", is_flag=True,
                     help="A stamp at the bottom of the last page, in the document's language."),
        click.option("--label", default=None,
                     help="Stamp text instead of the translated one; {signer} and {date} are "
                          "filled in."),
        click.option("--logo", type=click.Path(path_type=Path, exists=True, dir_okay=False),
                     help="With --visible: an image (PNG/JPEG) in the stamp."),
        click.option("--timestamp-url", envvar=TSA_ENV, show_envvar=True,
                     help="RFC 3161 timestamp server: PAdES B-T instead of B-B."),
        click.option("--ltv", is_flag=True,
                     help="Long-term validation: embed OCSP/CRL answers and add a document "
                          "timestamp (PAdES B-LTA). Needs --timestamp-url."),
        click.option("--certify", type=click.Choice(list(CERTIFY_LEVELS)),
                     help="Make this (first) signature a certification: which later changes "
                          "keep it valid."),
        click.option("--ltv-trust", "ltv_trust", multiple=True,
                     type=click.Path(path_type=Path),
                     help="With --ltv: root certificate to build the chain whose revocation "
                          "data is embedded, when the key's chain lacks it. Repeatable."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def signer_options(params: dict[str, Any], locale: str | None = None) -> SignerOptions:
    """Open the key (asking for the passphrase or PIN) and gather how to sign."""
    from compiler.signing.credentials import open_p12, open_pkcs11
    from compiler.signing.options import SignerOptions

    p12, module = params["p12"], params["pkcs11_module"]
    if (p12 is None) == (module is None):
        raise click.UsageError("name the key: --p12 FILE, or --pkcs11-module LIB with "
                               "--pkcs11-token and --pkcs11-key")
    if params["ltv"] and not params["timestamp_url"]:
        raise click.BadParameter(f"--ltv needs --timestamp-url (or ${TSA_ENV}): PAdES B-LT/"
                                 "B-LTA build on a timestamped signature", param_hint="--ltv")
    if params["logo"] and not params["visible"]:
        raise click.BadParameter("--logo needs --visible", param_hint="--logo")
    if module is not None:
        if not params["pkcs11_token"] or not params["pkcs11_key"]:
            raise click.BadParameter("--pkcs11-module needs --pkcs11-token and --pkcs11-key",
                                     param_hint="--pkcs11-module")
        credentials: Any = open_pkcs11(module, params["pkcs11_token"], params["pkcs11_key"],
                                       params["cert_path"], prompt)
    else:
        credentials = open_p12(p12, prompt)
    return SignerOptions(
        credentials, reason=params["reason"], location=params["location"],
        contact_info=params["contact_info"], visible=params["visible"], label=params["label"],
        locale=locale, logo=params["logo"], timestamp_url=params["timestamp_url"] or None,
        ltv=params["ltv"], certify=params["certify"], trust=tuple(params["ltv_trust"]))


SIGNING_PARAMS = ("p12", "pkcs11_module", "pkcs11_token", "pkcs11_key", "cert_path", "reason",
                  "location", "contact_info", "visible", "label", "logo", "timestamp_url",
                  "ltv", "certify", "ltv_trust")


@click.command()
@click.argument("input_pdf", metavar="IN.pdf", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="Signed PDF to write (its folder must exist; may be IN.pdf itself).")
@click.option("--locale", default=None,
              help="Language of the stamp's label and date (default: the PDF's /Lang).")
@click.option("--locales-dir", type=click.Path(path_type=Path),
              help="Catalogs for the stamp label when the PDF has none attached (default: the "
                   "project's locales/).")
@signing_options
@reported
def sign(report: Report, *, input_pdf: Path, output: Path, locale: str | None,
         locales_dir: Path | None,
         **params: Any) -> None:
    """Sign IN.pdf into --output: PAdES, an incremental update covering the whole file.

    Earlier signatures stay valid and PDF/A conformance is kept. Nothing is written
    unless signing succeeds.
    """
    from datetime import UTC, datetime

    from compiler.fs import write_atomic
    from compiler.project.layout import find_layout
    from compiler.signing.credentials import signer_name
    from compiler.signing.pades import (
        Stamp,
        catalog_label,
        pdf_language,
        require_pdf,
        sign_pdf,
        stamp_text,
    )

    if not output.parent.is_dir():
        raise CompilerError.at(Loc.file(output), f"output folder '{display_path(output.parent)}' "
                               "does not exist", Category.IO)
    try:
        data = input_pdf.read_bytes()
    except OSError as err:
        raise CompilerError.at(Loc.file(input_pdf), f"cannot read: {err.strerror}",
                               Category.IO) from err
    require_pdf(data, input_pdf)
    options = signer_options(params, locale)
    stamp_locale = locale or pdf_language(data) or "en"
    template, origin = (params["label"], "--label") if params["label"] else \
        catalog_label(data, stamp_locale, locales_dir or find_layout().locales)
    now = datetime.now(UTC)
    name = signer_name(options.credentials)
    stamp = Stamp(stamp_text(template, name, now, stamp_locale), stamp_locale)
    try:
        signed = sign_pdf(data, options, source=input_pdf, stamp=stamp, now=now)
    finally:
        options.credentials.close()
    write_atomic(output, signed)
    certified = f", certified: {options.certify}" if options.certify else ""
    click.echo(f"policyc: signed {display_path(output)} as {name} (PAdES {options.level}"
               f"{certified})", err=True)
    if options.visible:
        click.echo(f"policyc: stamp in '{stamp_locale}', label from {origin}", err=True)
