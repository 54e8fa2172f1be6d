"""What a PDF's embedded signatures prove, checked against the center's trust anchors only: the
public verification page and the tests read signatures through this module, apart from the code
that signs."""

import datetime
import logging
from dataclasses import dataclass
from io import BytesIO

logger = logging.getLogger(__name__)


def signature_report(pdf, *, trust_roots=()):
    """Validate the embedded signatures of `pdf` (bytes). Returns a list of dicts with
    intact / valid / trusted / signer / coverage for each signature (used by tests and the
    verification page)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(BytesIO(pdf), strict=False)
    context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False) if trust_roots else None
    results = []
    for embedded in reader.embedded_signatures:
        status = validate_pdf_signature(embedded, signer_validation_context=context)
        results.append(
            {
                "field": embedded.field_name,
                "intact": status.intact,
                "valid": status.valid,
                "trusted": status.trusted,
                "signer": status.signing_cert.subject.human_friendly,
                "coverage": status.coverage.name,
                "subfilter": str(embedded.sig_object.get("/SubFilter")),
            }
        )
    return results


def center_trust_roots():
    """The root certificate(s) of the center's configured chain (SIGNING_CERT_PATH), as asn1crypto
    certificates: the only anchors a signature is checked against. Empty when no certificate is
    configured or it cannot be read. An expired signing certificate still names its roots, so
    documents signed while it was valid can still be checked."""
    from pathlib import Path

    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from django.conf import settings

    from documents.certificates import _decrypt_pkcs12

    configured = settings.SIGNING_CERT_PATH
    if not configured or not Path(configured).is_file():
        return []
    path = Path(configured)
    try:
        stat = path.stat()
        _key, certificate, chain = _decrypt_pkcs12(
            str(path), stat.st_mtime_ns, stat.st_size, (settings.SIGNING_CERT_PASSWORD or "").encode()
        )
    except (OSError, ValueError, TypeError):
        return []
    chain = list(chain or ())
    roots = [c for c in chain if c.subject == c.issuer]
    if not roots and chain:
        roots = [chain[-1]]
    if not roots and certificate is not None and certificate.subject == certificate.issuer:
        roots = [certificate]
    der = serialization.Encoding.DER
    return [asn1_x509.Certificate.load(c.public_bytes(der)) for c in roots]


@dataclass(frozen=True)
class SignatureCheck:
    """What a reader of an uploaded PDF may learn about its embedded signature.

    `state` is one of: "unsigned" (no signature), "unreadable" (not a PDF, or the signature cannot
    be parsed), "modified" (the signed bytes were changed, or content was added after signing),
    "valid" (the signed bytes are intact and nothing but validation data was added after them).
    """

    state: str
    signer: str = ""
    signer_organisation: str = ""
    signed_at: datetime.datetime | None = None
    time_from_timestamp: bool = False
    certificate_valid_then: bool | None = None
    chains_to_center: bool = False

    @property
    def valid(self):
        return self.state == "valid"

    @property
    def by_center(self):
        """Intact, by a certificate valid at the signing time that chains to the center's root."""
        return self.valid and self.chains_to_center and bool(self.certificate_valid_then)


# Changes after signing that leave the signed content as it was: long-term validation data and
# document timestamps (PAdES B-LT / B-LTA).
_HARMLESS_LEVELS = ("NONE", "LTA_UPDATES")


def check_signature(pdf, *, trust_roots):
    """Validate the first signature of `pdf` (bytes) against `trust_roots` only (no fetching from
    the network). Never raises on bad input: a file that cannot be read is "unreadable"."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = [s for s in reader.embedded_signatures if s.sig_object.get("/Type") != "/DocTimeStamp"]
    except Exception:  # any malformed upload is "unreadable", never an error page
        logger.info("verification: an upload could not be read as a PDF", exc_info=True)
        return SignatureCheck(state="unreadable")
    if not signatures:
        return SignatureCheck(state="unsigned")
    embedded = signatures[0]
    try:
        claimed = embedded.self_reported_timestamp
        now = datetime.datetime.now(datetime.UTC)
        moment = claimed if claimed is not None and claimed <= now else now
        context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False, moment=moment)
        status = validate_pdf_signature(embedded, signer_validation_context=context, ts_validation_context=context)
    except Exception:  # a signature pyHanko cannot parse is "unreadable"
        logger.info("verification: an embedded signature could not be validated", exc_info=True)
        return SignatureCheck(state="unreadable")

    signed_at, from_timestamp = claimed, False
    stamp = status.timestamp_validity
    if stamp is not None and stamp.intact and stamp.valid:
        signed_at, from_timestamp = stamp.timestamp, True
    certificate = status.signing_cert
    valid_then = None
    if signed_at is not None:
        valid_then = certificate.not_valid_before <= signed_at <= certificate.not_valid_after
    level = status.modification_level.name if status.modification_level is not None else "OTHER"
    untouched = status.coverage.name == "ENTIRE_FILE" or (
        status.coverage.name == "ENTIRE_REVISION" and level in _HARMLESS_LEVELS
    )
    if embedded.signed_revision == embedded.reader.xrefs.total_revisions - 1:
        # Bytes after the signed range that form no new revision (pyHanko tolerates them) are
        # still a change to the file as it was signed.
        byte_range = embedded.sig_object["/ByteRange"]
        start, length = int(byte_range[2]), int(byte_range[3])
        untouched = untouched and not pdf[start + length :].strip()
    state = "valid" if status.intact and status.valid and untouched else "modified"
    subject = certificate.subject.native
    return SignatureCheck(
        state=state,
        signer=subject.get("common_name") or certificate.subject.human_friendly,
        signer_organisation=subject.get("organization_name") or "",
        signed_at=signed_at,
        time_from_timestamp=from_timestamp,
        certificate_valid_then=valid_then,
        chains_to_center=bool(trust_roots) and status.trusted,
    )
