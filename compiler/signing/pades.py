"""Sign a PDF: PAdES B-B to B-LTA, optionally certifying, with a localized, tagged stamp."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError

from compiler.errors import Category, CompilerError, Loc
from compiler.signing.config import LABEL, SignerOptions
from compiler.signing.credentials import check_validity, error, signer_name
from compiler.signing.stamp import RTL_LANGUAGES, StampStyle, tag_widget

log = logging.getLogger(__name__)

STAMP_WIDTH, STAMP_HEIGHT, STAMP_MARGIN = 200, 32, 57  # points; 20 mm: print.css side margin


def require_pdf(data: bytes, source: str | Path) -> None:
    """Readers accept the header anywhere in the first KB (ISO 32000-1, annex H)."""
    if b"%PDF-" not in data[:1024]:
        raise error(Path(source), "not a PDF file (no %PDF- header)")


class _MetadataKeepingWriter(IncrementalPdfFileWriter):
    """Leaves /Info and XMP as WeasyPrint wrote them.

    pyHanko appends itself to /Info's Producer but writes a different Producer to the XMP
    packet, and PDF/A requires both to agree; a signature changes no content, so the
    metadata stays untouched (the override its maintainer suggests, pyHanko issue #223).
    """

    def _update_meta(self) -> None:
        return None


def pdf_language(data: bytes) -> str | None:
    """The document's /Lang (catalog), as 'de' or 'pt_BR'; None when it has none."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        lang = PdfFileReader(io.BytesIO(data)).root.get("/Lang")
    except PdfError:
        return None
    return str(lang).replace("-", "_") if lang else None


def stamp_text(template: str, signer: str, when: datetime, locale: str) -> str:
    """The label with {signer} and {date} (a CLDR long date in the locale) filled in."""
    from compiler.i18n.formatting import long_date

    date = long_date(when.date(), locale)
    # The label may come from a translator: never str.format, only these two literal
    # placeholders, and a signer's name holding "{date}" stays as it is.
    return signer.join(part.replace("{date}", date) for part in template.split("{signer}"))


@dataclass(frozen=True)
class Stamp:
    text: str  # final text, placeholders filled
    locale: str


def sign_pdf(data: bytes, options: SignerOptions, *, source: str | Path = "<input>",
             stamp: Stamp | None = None, now: datetime | None = None) -> bytes:
    """Return data plus incremental updates: a PAdES signature over the whole file, then for
    --ltv the validation data (DSS) and a document timestamp.

    Earlier revisions are kept byte for byte, so earlier signatures stay valid and PDF/A
    conformance is kept; the visible stamp embeds its fonts and is tagged. stamp None means
    the English label.
    """
    creds = options.credentials
    check_validity(creds, now)
    require_pdf(data, source)
    when = now or datetime.now(UTC)
    if stamp is None:
        locale = options.locale or "en"
        stamp = Stamp(stamp_text(options.label or LABEL, signer_name(creds), when, locale),
                      locale)
    try:
        writer = _MetadataKeepingWriter(io.BytesIO(data))
        if writer.prev.encrypted:
            raise error(Path(source), "encrypted PDFs cannot be signed (decrypt it first)")
        taken = [name for name, _, _ in fields.enumerate_sig_fields(writer)]
        if options.certify and taken:
            raise error(Path(source), "cannot certify: the PDF is already signed (a "
                        "certification must be its first signature); sign without --certify")
        if options.visible and "/Perms" in writer.root and "/DocMDP" in writer.root["/Perms"]:
            raise error(Path(source), "the PDF is certified: a new visible signature counts "
                        "as a change its certification forbids (validators such as pyHanko "
                        "reject it); sign it without --visible")
        name = next(f"Signature{i}" for i in range(1, len(taken) + 2)
                    if f"Signature{i}" not in taken)
        style = None
        if options.visible:
            box = _stamp_box(writer, len(taken), rtl=language(stamp.locale) in RTL_LANGUAGES)
            fields.append_signature_field(writer, fields.SigFieldSpec(
                sig_field_name=name, on_page=-1, box=box))
            if not taken:
                # pyHanko's diff analysis counts a structure tree edit after a signature as
                # a change to the document: only a first stamp can join the tree.
                _tag(writer, name, stamp)
            style = StampStyle(text=stamp.text, locale=stamp.locale, logo=options.logo,
                               border_width=1)
        meta = _metadata(options, name)
        timestamper = HTTPTimeStamper(options.timestamp_url) if options.timestamp_url else None
        pdf_signer = signers.PdfSigner(
            meta, creds.pyhanko_signer(), timestamper=timestamper, stamp_style=style,
            new_field_spec=None if options.visible else fields.SigFieldSpec(sig_field_name=name))
        out = io.BytesIO()
        pdf_signer.sign_pdf(writer, output=out)
        if options.ltv:
            assert timestamper is not None
            return _archive(out.getvalue(), _ltv_context(options), timestamper)
    except PdfError as err:
        raise error(Path(source), f"cannot read the PDF: {err}") from err
    except (PathBuildingError, PathValidationError, ValidationError) as err:
        raise error(Path(source), f"cannot gather revocation data for --ltv: {err}") from err
    except SigningError as err:
        raise error(Path(source), f"cannot sign: {_cause(err)}") from err
    except (TimeoutError, TimestampRequestError, aiohttp.ClientError) as err:
        raise error(Path(source), f"timestamp server {options.timestamp_url} failed: "
                    f"{_cause(err)}") from err
    return out.getvalue()


def _cause(err: BaseException) -> str:
    reason = err.__cause__ or err  # pyHanko wraps connection errors in generic ones
    return str(reason) or type(reason).__name__


def _metadata(options: SignerOptions, name: str) -> signers.PdfSignatureMetadata:
    from pyhanko.sign.fields import MDPPerm

    extra: dict[str, Any] = {}
    if options.certify:
        extra["certify"] = True
        extra["docmdp_permissions"] = {"no-changes": MDPPerm.NO_CHANGES,
                                       "form-fill": MDPPerm.FILL_FORMS,
                                       "annotate": MDPPerm.ANNOTATE}[options.certify]
    if options.ltv and not options.timestamp_url:
        raise CompilerError.at(Loc("policyc"), "--ltv needs --timestamp-url (or "
                               "POLICYC_TSA_URL): PAdES B-LT/B-LTA build on a timestamped "
                               "signature", Category.SIGNING)
    return signers.PdfSignatureMetadata(
        field_name=name, reason=options.reason, location=options.location,
        contact_info=options.contact_info, subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256", **extra)


def _ltv_context(options: SignerOptions) -> ValidationContext:
    """Revocation data is fetched now (OCSP, CRL), from the URLs the certificates name."""
    from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1 as asn1

    from compiler.signing.trust import load_trust

    chain = [asn1(c) for c in options.credentials.chain]
    roots = [c for c in chain if c.self_signed] + load_trust(options.trust)
    return ValidationContext(trust_roots=roots, other_certs=chain, allow_fetching=True,
                             revocation_mode="hard-fail")


def _archive(data: bytes, context: ValidationContext, timestamper: HTTPTimeStamper) -> bytes:
    """B-T -> B-LTA: the revocation data of the signature's chain (and its timestamp's) in a
    DSS, then a document timestamp over it all.

    pyHanko's own --ltv path writes these revisions with a writer that also rewrites /Info
    and XMP (its Producer); that breaks PDF/A's agreement between the two and is itself a
    change after signing. Here both revisions keep the metadata as it is.
    """
    import asyncio

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper, TimestampDSSContentSettings
    from pyhanko.sign.validation.dss import DocumentSecurityStore, collect_validation_info

    reader = PdfFileReader(io.BytesIO(data))
    [sig] = reader.embedded_regular_signatures[-1:]
    paths = asyncio.run(collect_validation_info(sig, context))
    writer = _MetadataKeepingWriter(io.BytesIO(data))
    DocumentSecurityStore.supply_dss_in_writer(
        writer, sig.pkcs7_content.hex().encode("ascii"), validation_context=context, paths=paths)
    with_dss = io.BytesIO()
    writer.write(with_dss)
    stamped = io.BytesIO()
    PdfTimeStamper(timestamper).timestamp_pdf(
        _MetadataKeepingWriter(with_dss), "sha256", validation_context=context,
        output=stamped,
        dss_settings=TimestampDSSContentSettings(include_vri=False, update_before_ts=True))
    return stamped.getvalue()


def _tag(writer: IncrementalPdfFileWriter, name: str, stamp: Stamp) -> None:
    for field_name, _value, field_ref in fields.enumerate_sig_fields(writer):
        if field_name != name:
            continue
        page_ref, _ = writer.find_page_for_modification(-1)
        if not tag_widget(writer, field_ref, page_ref, alt=stamp.text,
                          lang=stamp.locale.replace("_", "-")):
            log.info("%s: no structure tree; the stamp is not tagged", name)


def _stamp_box(writer: IncrementalPdfFileWriter, slot: int,
               rtl: bool = False) -> tuple[int, int, int, int]:
    """Bottom margin of the last page, beside the centred page number, where reading ends:
    right, then left (left, then right in a right-to-left language), upwards.

    Each further signature takes the next slot so stamps never cover one another.
    """
    page_ref, _ = writer.find_page_for_modification(-1)
    node = page_ref.get_object()
    while "/MediaBox" not in node and "/Parent" in node:  # MediaBox is inheritable
        node = node["/Parent"].get_object()
    x0, y0, x1, _ = (float(v) for v in node.get("/MediaBox", [0, 0, 595, 842]))
    width = min(STAMP_WIDTH, int((x1 - x0) / 2 - STAMP_MARGIN))
    left = int(x1) - STAMP_MARGIN - width if (slot % 2 == 0) != rtl else int(x0) + STAMP_MARGIN
    bottom = int(y0) + 18 + (slot // 2) * (STAMP_HEIGHT + 6)
    return (left, bottom, left + width, bottom + STAMP_HEIGHT)




def catalog_label(data: bytes, locale: str, locales_dir: Path) -> tuple[str, str]:
    """The stamp label in locale, and where it came from.

    First the catalog attached to the PDF (the one it was built with), then the project's
    catalogs for that locale, then policyc's own; the English label when none translates it.
    """
    from compiler.i18n.catalogs import builtin_ui_catalog, catalog_folder, parse_translations
    from compiler.i18n.ui import UI_CONTEXT

    if language(locale) == "en":
        return LABEL, "English"
    candidates = [(f"the catalog attached to the PDF ({name})", blob)
                  for name, blob in _attachments(data) if name.endswith(".po")]
    folder = catalog_folder(locales_dir, locale)
    if folder.is_dir():
        candidates += [(str(po), po.read_bytes()) for po in sorted(folder.glob("*.po"))]
    shipped = builtin_ui_catalog(locale)
    if shipped is not None:
        candidates.append((f"policyc's built-in {shipped.name}", shipped.read_bytes()))
    for shown, blob in candidates:
        try:
            entry = parse_translations(blob, shown, locale).get(UI_CONTEXT, LABEL)
        except CompilerError:
            continue
        if entry and entry.msgstr and not entry.fuzzy \
                and sorted(_placeholders(entry.msgstr)) == ["date", "signer"]:
            return entry.msgstr, shown
    return LABEL, "English (no catalog for this locale translates it)"


def _placeholders(text: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+)\}", text)


def language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


def _attachments(data: bytes) -> list[tuple[str, bytes]]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        names = PdfFileReader(io.BytesIO(data)).root["/Names"]["/EmbeddedFiles"]["/Names"]
        return [(str(names[i]), names[i + 1]["/EF"]["/F"].data)
                for i in range(0, len(names) - 1, 2)]
    except (KeyError, TypeError, PdfError):
        return []
