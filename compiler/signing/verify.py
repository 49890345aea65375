"""Check a signed PDF: intact, trusted, certified, long-term verifiable; and name what changed.

Each signature ends in one of three results, which `policyc verify` maps to exit codes:
TRUSTED (intact and chaining to a trust anchor), UNTRUSTED (intact, but no anchor given or
none it chains to) and FAILED (broken, or changed after signing beyond what is allowed).

Kept whole: what changed after a signature decides that signature's result, so the change
analysis and the check are one verdict, and together only a few lines over the limit.
"""

from __future__ import annotations

import enum
import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import (
    CatalogModificationRule,
    DSSCompareRule,
    FormUpdatingRule,
    GenericFieldModificationRule,
    ModificationLevel,
    ObjectStreamRule,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    XrefStreamRule,
)
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from compiler.errors import Category, CompilerError, Loc
from compiler.signing.config import CERTIFY_LEVELS
from compiler.signing.credentials import error
from compiler.signing.pades import require_pdf

# Most signing certificates carry one of the two; pyHanko alone would demand non_repudiation.
KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"},
                                match_all_key_usages=False)

# pyHanko's default policy without its DocInfoRule and MetadataUpdateRule: a new title in
# /Info or the XMP packet after signing changes what the document says it is, so it is a
# change to the document, not "validation data".
POLICY = StandardDiffPolicy(
    global_rules=[
        CatalogModificationRule(),
        XrefStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        ObjectStreamRule().as_qualified(ModificationLevel.LTA_UPDATES),
        DSSCompareRule().as_qualified(ModificationLevel.LTA_UPDATES),
    ],
    form_rule=FormUpdatingRule(field_rules=[
        SigFieldCreationRule(), SigFieldModificationRule(), GenericFieldModificationRule()]),
)


class Result(enum.Enum):
    TRUSTED = "trusted"
    UNTRUSTED = "untrusted"
    FAILED = "failed"


# --- what changed after a signature --------------------------------------------------------


@dataclass(frozen=True)
class Change:
    what: str
    allowed: bool  # validation data or a document timestamp: what --strict still accepts


def later_changes(reader: PdfFileReader, revision: int) -> list[Change]:
    """Describe every object the revisions after `revision` add or change, one line each."""
    changes: list[Change] = []
    for rev in range(revision + 1, reader.xrefs.total_revisions):
        old, new = reader.get_historical_resolver(rev - 1), reader.get_historical_resolver(rev)
        dss = _reachable(new, new.root.raw_get("/DSS")) if "/DSS" in new.root else set()
        info_ref = new.trailer_view.raw_get("/Info") if "/Info" in new.trailer_view else None
        pages = _page_numbers(new)
        for ref in sorted(new.explicit_refs_in_revision(), key=lambda r: r.idnum):
            try:
                before: Any = old(ref)
            except (PdfError, KeyError, IndexError):
                before = None
            after = new(ref)
            if before is not None and _same(before, after):
                continue
            changes.extend(_describe(ref, before, after, new, dss=dss, info_ref=info_ref,
                                     pages=pages))
    unique: dict[str, Change] = {}
    for change in changes:
        unique.setdefault(change.what, change)
    return list(unique.values())


def _describe(ref: generic.Reference, before: Any, after: Any, new: Any, *,
              dss: set[generic.Reference], info_ref: Any,
              pages: dict[generic.Reference, int]) -> list[Change]:
    if ref in dss:
        return [Change("validation data added (DSS)", True)]
    if isinstance(info_ref, generic.IndirectObject) and ref == info_ref.reference:
        keys = _changed_keys(before, after)
        return [Change(f"document information (/Info) changed: {', '.join(keys) or 'rewritten'}",
                       False)]
    if ref == new.root_ref:
        keys = [k for k in _changed_keys(before, after) if k not in {"/DSS", "/AcroForm"}]
        return [Change(f"document catalog changed: {', '.join(keys)}", False)] if keys else []
    if isinstance(after, generic.StreamObject):
        kind = after.get("/Type")
        if kind == "/Metadata":
            return [Change("XMP metadata changed", False)]
        if kind in {"/XRef", "/ObjStm"}:
            return []
        return [Change(f"content stream {ref.idnum} changed or added", False)]
    if not isinstance(after, generic.DictionaryObject):
        return [Change(f"object {ref.idnum} changed", False)]
    if after.get("/Type") == "/DocTimeStamp" or _is_timestamp_field(after):
        return [Change("document timestamp added", True)]
    if after.get("/FT") == "/Sig" or after.get("/Type") == "/Sig":
        return [Change("signature field added or changed", False)]
    if ref in pages:
        keys = _changed_keys(before, after)
        if keys == ["/Annots"] and _only_timestamp_widgets(before, after):
            return []
        return [Change(f"page {pages[ref]} changed: {', '.join(keys) or 'rewritten'}", False)]
    if after.get("/Type") == "/Annot" or "/Subtype" in after:
        return [Change(f"annotation {after.get('/Subtype', '')} added or changed".replace(
            "  ", " "), False)]
    if "/Fields" in after:  # the AcroForm: its new fields are described on their own
        return []
    return [Change(f"object {ref.idnum} changed", False)]


def _get(obj: Any, key: str) -> Any:
    """A dictionary entry, dereferenced (pyHanko's .get returns references as they are)."""
    return obj[key] if isinstance(obj, generic.DictionaryObject) and key in obj else None


def _is_timestamp_field(obj: generic.DictionaryObject) -> bool:
    value = _get(obj, "/V")
    return isinstance(value, generic.DictionaryObject) and _get(value, "/Type") == "/DocTimeStamp"


def _only_timestamp_widgets(before: Any, after: Any) -> bool:
    old = {a.reference for a in _raw_list(_get(before, "/Annots")) if hasattr(a, "reference")}
    added = [a for a in _raw_list(_get(after, "/Annots"))
             if hasattr(a, "reference") and a.reference not in old]
    return all(_is_timestamp_field(a.get_object()) for a in added)


def _raw_list(array: Any) -> list[Any]:
    if not isinstance(array, generic.ArrayObject):
        return []
    return [array.raw_get(i) for i in range(len(array))]


def _changed_keys(before: Any, after: Any) -> list[str]:
    if not isinstance(before, generic.DictionaryObject) \
            or not isinstance(after, generic.DictionaryObject):
        return []
    keys = set(before) | set(after)
    return sorted(str(k) for k in keys if not _same(before.raw_get(k) if k in before else None,
                                                    after.raw_get(k) if k in after else None))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, generic.StreamObject) and isinstance(b, generic.StreamObject):
        return bool(a.data == b.data) and dict(a) == dict(b)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _reachable(resolver: Any, start: Any) -> set[generic.Reference]:
    seen: set[generic.Reference] = set()
    stack = [start]
    while stack:
        obj = stack.pop()
        if isinstance(obj, generic.IndirectObject):
            if obj.reference in seen:
                continue
            seen.add(obj.reference)
            obj = obj.get_object()
        if isinstance(obj, generic.DictionaryObject):
            stack.extend(obj.raw_get(k) for k in obj)
        elif isinstance(obj, generic.ArrayObject):
            stack.extend(_raw_list(obj))
    return seen


def _page_numbers(resolver: Any) -> dict[generic.Reference, int]:
    numbers: dict[generic.Reference, int] = {}

    def walk(node_ref: Any) -> None:
        node = node_ref.get_object()
        if _get(node, "/Type") == "/Page":
            numbers[node_ref.reference] = len(numbers) + 1
            return
        for kid in _raw_list(_get(node, "/Kids")):
            walk(kid)

    walk(resolver.root.raw_get("/Pages"))
    return numbers


# --- checking signatures ------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """What a reader of one signature needs: who, when, untouched since, trusted; and why not."""

    field: str
    kind: str  # "signature", "certification" or "document timestamp"
    subject: str
    signing_time: datetime | None  # the signer's own clock
    timestamp: datetime | None  # an RFC 3161 timestamp authority's clock
    integrity: str
    trust: str
    certification: str | None = None  # what a certification permits after it
    ltv: str | None = None
    changes: tuple[str, ...] = ()  # named changes after this signature
    problems: tuple[str, ...] = ()
    trusted: bool = False

    @property
    def result(self) -> Result:
        if self.problems:
            return Result.FAILED
        return Result.TRUSTED if self.trusted else Result.UNTRUSTED

    def as_json(self) -> dict[str, Any]:
        return {"field": self.field, "kind": self.kind, "result": self.result.value,
                "signer": self.subject,
                "signing_time": self.signing_time.isoformat() if self.signing_time else None,
                "timestamp": self.timestamp.isoformat() if self.timestamp else None,
                "integrity": self.integrity, "trust": self.trust,
                "certification": self.certification, "ltv": self.ltv,
                "changes_after": list(self.changes), "problems": list(self.problems)}


def verify_pdf(path: Path, trust: Sequence[asn1_x509.Certificate],
               strict: bool = False) -> list[SignatureCheck]:
    """Check every signature and document timestamp of path against the trust anchors."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CompilerError.at(Loc.file(path), f"cannot read: {err.strerror}", Category.IO) from err
    return verify_bytes(data, path, trust, strict)


def verify_bytes(data: bytes, path: Path, trust: Sequence[asn1_x509.Certificate],
                 strict: bool = False) -> list[SignatureCheck]:
    require_pdf(data, path)
    try:
        reader = PdfFileReader(io.BytesIO(data))
        embedded = list(reader.embedded_signatures)
    except PdfError as err:
        raise error(path, f"cannot read the PDF: {err}") from err
    regular = [s for s in embedded if s.sig_object.get("/Type") != "/DocTimeStamp"]
    ltv = _dss_summary(reader)
    checks = []
    for sig in embedded:
        context = _context(reader, trust)
        is_timestamp = sig.sig_object.get("/Type") == "/DocTimeStamp"
        try:
            with _pyhanko_quiet():
                if is_timestamp:
                    status: Any = validate_pdf_timestamp(sig, context)
                else:
                    status = validate_pdf_signature(sig, context, diff_policy=POLICY,
                                                    key_usage_settings=KEY_USAGE)
        except (SignatureValidationError, PdfError, ValueError) as err:
            checks.append(SignatureCheck(sig.field_name, "signature", "?", None, None,
                                         "unreadable", "not checked",
                                         problems=(f"cannot be validated: {err}",)))
            continue
        last = bool(regular) and sig is regular[-1]
        changes = later_changes(reader, sig.signed_revision)
        checks.append(_summarize(sig, status, trust=bool(trust), changes=changes,
                                 strict=strict and last, is_timestamp=is_timestamp,
                                 ltv=ltv if not is_timestamp else None))
    return checks


def _context(reader: PdfFileReader, trust: Sequence[asn1_x509.Certificate]) -> ValidationContext:
    """No network: revocation data comes from the file's DSS (what --ltv embeds) or not at all."""
    settings: dict[str, Any] = {"trust_roots": list(trust), "allow_fetching": False}
    if "/DSS" in reader.root:
        from pyhanko.sign.validation.dss import DocumentSecurityStore

        return DocumentSecurityStore.read_dss(reader).as_validation_context(settings)
    return ValidationContext(**settings)


def _dss_summary(reader: PdfFileReader) -> str | None:
    if "/DSS" not in reader.root:
        return None
    dss = reader.root["/DSS"]
    counts = {key: len(dss[key]) if key in dss else 0 for key in ("/Certs", "/OCSPs", "/CRLs")}
    return (f"embedded (DSS: {counts['/Certs']} certificates, {counts['/OCSPs']} OCSP "
            f"responses, {counts['/CRLs']} CRLs)")


@contextmanager
def _pyhanko_quiet() -> Iterator[None]:
    """pyHanko logs a traceback for every path it cannot build to an anchor; the report says
    so in one line already. Shown again with `policyc -v`."""
    noisy = logging.getLogger("pyhanko")
    previous = noisy.level
    if not logging.getLogger().isEnabledFor(logging.INFO):
        noisy.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        noisy.setLevel(previous)


def _name(cert: asn1_x509.Certificate) -> str:
    return x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()


def _summarize(sig: Any, status: Any, *, trust: bool, changes: list[Change], strict: bool,
               is_timestamp: bool, ltv: str | None) -> SignatureCheck:
    problems = []
    if not status.intact:
        problems.append("the signed bytes were changed (digest mismatch)")
    elif not status.valid:
        problems.append("the signature value does not match the signer's certificate")
    named = tuple(c.what for c in changes)
    disallowed = [c.what for c in changes if not c.allowed]
    coverage = status.coverage
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        integrity = "intact, covers the whole file"
    elif coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        integrity = "intact up to its revision; later: " + ("; ".join(named) or "nothing")
    else:
        integrity = "does not cover its revision"
        problems.append("the signature covers only part of its revision")
    if not status.intact:
        integrity = "modified after signing"
    certification = None
    if not is_timestamp:
        level = status.modification_level
        docmdp = sig.docmdp_level if _certifies(sig) else None
        if docmdp is not None:
            certification = _certification(docmdp)
        if coverage == SignatureCoverageLevel.ENTIRE_REVISION and status.intact:
            shown = "; ".join(disallowed) or "changes pyHanko could not attribute"
            if not status.docmdp_ok and docmdp is not None:
                problems.append(f"changed beyond what its certification permits "
                                f"({certification}): {shown}")
            elif level is None or level > ModificationLevel.FORM_FILLING:
                problems.append(f"modified after signing: {shown}")
            elif strict and disallowed:
                problems.append(f"changed after the last signature (--strict): {shown}")
    indic = getattr(status, "trust_problem_indic", None)
    if status.intact and status.valid and indic is not None and "REVOKED" in indic.name:
        problems.append("the signer's certificate was revoked (revocation data in the file)")
    ts = status.timestamp_validity if not is_timestamp else None
    if ts is not None and not (ts.intact and ts.valid):
        problems.append("the timestamp token is invalid")
    trust_text, trusted = _trust(status, ts, anchors_given=trust)
    timestamp = status.timestamp if is_timestamp else (ts.timestamp if ts else None)
    return SignatureCheck(
        field=sig.field_name,
        kind="document timestamp" if is_timestamp else
        ("certification" if certification else "signature"),
        subject=_name(status.signing_cert),
        signing_time=None if is_timestamp else status.signer_reported_dt,
        timestamp=timestamp, integrity=integrity, trust=trust_text,
        certification=certification, ltv=ltv, changes=named, problems=tuple(problems),
        trusted=trusted)


def _trust(status: Any, ts: Any, *, anchors_given: bool) -> tuple[str, bool]:
    if not anchors_given:
        return "no trust anchor given (--trust or POLICYC_TRUST): who signed is unproven", False
    if not (status.intact and status.valid):
        return "not checked (the signature itself is broken)", False
    if status.trusted:
        anchor = status.validation_path[0] if status.validation_path else None
        text = f"chains to {_name(anchor) if anchor else 'a trust anchor'}"
        if ts is not None and not ts.trusted:
            return text + "; its timestamp authority does not", False
        return text, True
    text = "does not chain to any trust anchor given"
    indic = getattr(status, "trust_problem_indic", None)
    if indic is not None:
        text += f" ({str(indic.standard_name).lower()})"
    return text, False


def _certifies(sig: Any) -> bool:
    """A certification signature carries a DocMDP transform reference."""
    refs = sig.sig_object.get("/Reference", ())
    return any(ref.get("/TransformMethod") == "/DocMDP" for ref in refs)


def _certification(level: Any) -> str:
    from pyhanko.sign.fields import MDPPerm

    key = {MDPPerm.NO_CHANGES: "no-changes", MDPPerm.FILL_FORMS: "form-fill",
           MDPPerm.ANNOTATE: "annotate"}[level]
    return f"{key}: permits {CERTIFY_LEVELS[key]}"


