"""What a PDF's embedded signatures prove, checked against the center's trust anchors only: the
public verification page and the tests read signatures through this module, apart from the code
that signs.

A signature is checked as a stranger would check it, offline (nothing is fetched from the
network): the signed bytes, the signer's certificate chain up to the configured trust anchors,
the signing time from the RFC 3161 timestamp inside the signature (else the signer's own claim),
the certificate's revocation status at that time from the revocation data the document carries
(PAdES B-LT: the CRLs and OCSP responses in its Document Security Store, or inside the signature),
and the document timestamp that protects all of it (PAdES B-LTA).
"""

import datetime
import functools
import logging
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings

from documents.signing import outside_event_loop

logger = logging.getLogger(__name__)

# Changes after signing that leave the signed content as it was: long-term validation data and
# document timestamps (PAdES B-LT / B-LTA).
_HARMLESS_LEVELS = ("NONE", "LTA_UPDATES")

# How far into a file its %PDF- header may stand (readers accept some bytes before it).
_HEADER_WINDOW = 1024


def signature_report(pdf, *, trust_roots=()):
    """Validate the embedded signatures of `pdf` (bytes). Returns a list of dicts with
    intact / valid / trusted / signer / coverage for each signature (used by tests)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(BytesIO(pdf), strict=False)
    context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False) if trust_roots else None
    results = []
    for embedded in reader.embedded_signatures:
        if embedded.sig_object.get("/Type") == "/DocTimeStamp":
            continue
        status = outside_event_loop(validate_pdf_signature, embedded, signer_validation_context=context)
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


# --- Trust anchors ---------------------------------------------------------------------------


def center_trust_roots():
    """The certificates a signature on the center's documents must chain to, as asn1crypto
    certificates: the PEM file SIGNING_TRUST_ROOTS_PATH (the root of the center's CA, and of its
    time-stamping authority if another one); without it, the development CA certificate that
    make_dev_certificate writes next to the PKCS#12 (center.ca.pem); without that, the root of
    the chain the signing certificate is configured with. Empty when none can be read."""
    configured = getattr(settings, "SIGNING_TRUST_ROOTS_PATH", "")
    if configured:
        return _pem_file_certificates(configured)
    if settings.SIGNING_CERT_PATH:
        beside = Path(settings.SIGNING_CERT_PATH).with_suffix(".ca.pem")
        if beside.is_file():
            return _pem_file_certificates(str(beside))
    return _roots_of_signing_chain()


def timestamp_trust_roots():
    """The anchors for timestamps: the center's, and the time-stamping authority's own roots
    (TSA_TRUST_ROOTS_PATH) when it does not chain to the center's root."""
    roots = center_trust_roots()
    configured = getattr(settings, "TSA_TRUST_ROOTS_PATH", "")
    if configured:
        roots = [*roots, *_pem_file_certificates(configured)]
    return roots


def _pem_file_certificates(path):
    try:
        stat = Path(path).stat()
    except OSError:
        logger.warning("verification: the trust roots file %s cannot be read", path)
        return []
    return list(_read_pem_certificates(path, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=4)
def _read_pem_certificates(path, mtime_ns, size):
    """Every certificate in a PEM (or single DER) file, read once per file version."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    try:
        data = Path(path).read_bytes()
        if pem.detect(data):
            return tuple(asn1_x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, multiple=True))
        return (asn1_x509.Certificate.load(data),)
    except (OSError, ValueError):
        logger.warning("verification: the trust roots file %s holds no readable certificate", path)
        return ()


def _roots_of_signing_chain():
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    from documents.certificates import SigningUnavailable, load_signing_material

    try:
        material = load_signing_material()
    except SigningUnavailable:
        logger.warning("verification: no trust roots (SIGNING_TRUST_ROOTS_PATH unset, signing certificate unusable)")
        return []
    chain = list(material.chain)
    roots = [c for c in chain if c.subject == c.issuer] or chain[-1:]
    der = serialization.Encoding.DER
    return [asn1_x509.Certificate.load(c.public_bytes(der)) for c in roots]


# --- The check ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """What a reader of a PDF may learn about its embedded signature.

    `state`: "not_pdf" (not a PDF at all), "unreadable" (a damaged or incomplete PDF, or a
    signature that cannot be parsed), "unsigned", "modified" (the signed bytes were changed, or
    content was added after signing), "valid" (the signed bytes are intact and nothing but
    validation data and timestamps was added after them).

    `time_source`: "timestamp" (an RFC 3161 timestamp by a trusted authority), "untrusted_timestamp"
    (a timestamp whose authority does not chain to the trust anchors), "claimed" (only the time the
    signer's computer wrote), "none".

    `revocation`: "good" (the revocation data in the document shows the certificate was not
    revoked at the signing time), "revoked" (it was; `revoked_at`), "unknown" (the document
    carries revocation data that does not establish the status), "none" (no revocation data:
    documents signed before it was embedded).

    `archive_timestamp`: the latest document timestamp after the signature (PAdES B-LTA):
    "valid", "untrusted", "invalid" or "none".
    """

    state: str
    signer: str = ""
    signer_organisation: str = ""
    signed_at: datetime.datetime | None = None
    time_source: str = "none"
    timestamp_authority: str = ""
    certificate_valid_then: bool | None = None
    chains_to_center: bool = False
    revocation: str = "none"
    revoked_at: datetime.datetime | None = None
    archive_timestamp: str = "none"
    archive_timestamp_at: datetime.datetime | None = None

    @property
    def valid(self):
        return self.state == "valid"

    @property
    def time_from_timestamp(self):
        return self.time_source == "timestamp"

    @property
    def by_center(self):
        """Intact, by a certificate that chains to the center's root, was within its validity
        period at the signing time and was not revoked then (as far as the document shows)."""
        return (
            self.valid
            and self.chains_to_center
            and bool(self.certificate_valid_then)
            and self.revocation not in ("revoked", "unknown")
        )


def _looks_like_pdf(data):
    return b"%PDF-" in data[:_HEADER_WINDOW]


def check_signature(pdf, *, trust_roots, timestamp_roots=None):
    """Validate the first signature of `pdf` (bytes) against `trust_roots` only (timestamps
    against `timestamp_roots`, by default the same), with nothing fetched from the network.
    Never raises on bad input."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not _looks_like_pdf(pdf):
        return SignatureCheck(state="not_pdf")
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded_all = list(reader.embedded_signatures)
        signatures = [s for s in embedded_all if s.sig_object.get("/Type") != "/DocTimeStamp"]
    except Exception:  # any malformed upload is "unreadable", never an error page
        logger.info("verification: an upload could not be read as a PDF", exc_info=True)
        return SignatureCheck(state="unreadable")
    if not signatures:
        return SignatureCheck(state="unsigned")
    embedded = signatures[0]
    try:
        stamp_roots = list(trust_roots if timestamp_roots is None else timestamp_roots)
        return _check(pdf, reader, embedded, embedded_all, list(trust_roots), stamp_roots)
    except Exception:  # a signature pyHanko cannot parse is "unreadable"
        logger.info("verification: an embedded signature could not be validated", exc_info=True)
        return SignatureCheck(state="unreadable")


def _revocation_data(reader, embedded):
    """(certificates, CRLs, OCSP responses) the document carries: its Document Security Store
    and the revocation data archived inside the signature (adbe-revocationInfoArchival)."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.sign.general import find_unique_cms_attribute
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    certs, crls, ocsps = [], [], []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # NoDSSFoundError, or a DSS that cannot be read: none to use
        dss = None
    if dss is not None:
        certs.extend(dss.load_certs())
        crls.extend(asn1_crl.CertificateList.load(r.get_object().read_data(DecodePurpose.CRL)) for r in dss.crls)
        ocsps.extend(
            asn1_ocsp.OCSPResponse.load(r.get_object().read_data(DecodePurpose.OCSP_RESPONSE)) for r in dss.ocsps
        )
    try:
        archived = find_unique_cms_attribute(embedded.signer_info["signed_attrs"], "adobe_revocation_info_archival")
    except Exception:  # absent (or more than one: not trusted either)
        archived = None
    if archived is not None:
        crls.extend(archived["crl"] or [])
        ocsps.extend(archived["ocsp"] or [])
    return certs, crls, ocsps


def _check(pdf, reader, embedded, embedded_all, trust_roots, stamp_roots):
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    certs, crls, ocsps = _revocation_data(reader, embedded)
    now = datetime.datetime.now(datetime.UTC)

    def context(roots=trust_roots, **kwargs):
        return ValidationContext(
            trust_roots=roots, other_certs=certs, crls=crls, ocsps=ocsps, allow_fetching=False, **kwargs
        )

    def stamp_context():
        return context(roots=stamp_roots)

    claimed = embedded.self_reported_timestamp
    moment = claimed if claimed is not None and claimed <= now else now
    # Integrity, the changes after signing, the timestamp, and the chain at the claimed time.
    status = outside_event_loop(
        validate_pdf_signature,
        embedded,
        signer_validation_context=context(moment=moment),
        ts_validation_context=stamp_context(),
    )

    signed_at, time_source, authority = claimed, ("claimed" if claimed else "none"), ""
    stamp = status.timestamp_validity
    if stamp is not None and stamp.intact and stamp.valid:
        signed_at = stamp.timestamp
        time_source = "timestamp" if stamp.trusted else "untrusted_timestamp"
        authority = _common_name(stamp.signing_cert)

    certificate = status.signing_cert
    valid_then = None
    if signed_at is not None:
        valid_then = certificate.not_valid_before <= signed_at <= certificate.not_valid_after

    revocation, revoked_at = "none", None
    if (crls or ocsps) and signed_at is not None and trust_roots:
        # The certificate's status at the signing time, from the document's own revocation data
        # (a CRL published after the signature still speaks for that time: retroactive).
        at_signing = outside_event_loop(
            validate_pdf_signature,
            embedded,
            signer_validation_context=context(
                moment=min(signed_at, now), revocation_mode="require", retroactive_revinfo=True
            ),
            ts_validation_context=stamp_context(),
            skip_diff=True,
        )
        if at_signing.revoked:
            revocation, revoked_at = "revoked", at_signing.revocation_details.revocation_date
        elif at_signing.trusted:
            revocation = "good"
        else:
            revocation = "unknown"

    level = status.modification_level.name if status.modification_level is not None else "OTHER"
    untouched = status.coverage.name == "ENTIRE_FILE" or (
        status.coverage.name == "ENTIRE_REVISION" and level in _HARMLESS_LEVELS
    )
    untouched = untouched and _nothing_appended(pdf, embedded_all)
    state = "valid" if status.intact and status.valid and untouched else "modified"

    archive, archive_at = _archive_timestamp(embedded, embedded_all, stamp_context)
    subject = certificate.subject.native
    return SignatureCheck(
        state=state,
        signer=subject.get("common_name") or certificate.subject.human_friendly,
        signer_organisation=subject.get("organization_name") or "",
        signed_at=signed_at,
        time_source=time_source,
        timestamp_authority=authority,
        certificate_valid_then=valid_then,
        chains_to_center=bool(trust_roots) and status.trusted,
        revocation=revocation,
        revoked_at=revoked_at,
        archive_timestamp=archive,
        archive_timestamp_at=archive_at,
    )


def _common_name(certificate):
    subject = certificate.subject.native
    return subject.get("common_name") or certificate.subject.human_friendly


def _nothing_appended(pdf, embedded_all):
    """Bytes after the last signed range that form no new revision (pyHanko tolerates them) are
    still a change to the file as it was signed; so are bytes after the final %%EOF."""
    last = max(embedded_all, key=lambda s: s.signed_revision)
    if last.signed_revision == last.reader.xrefs.total_revisions - 1:
        byte_range = last.sig_object["/ByteRange"]
        start, length = int(byte_range[2]), int(byte_range[3])
        return not pdf[start + length :].strip()
    return pdf.rstrip().endswith(b"%%EOF")


def _archive_timestamp(embedded, embedded_all, context):
    """The latest document timestamp added after the signature (PAdES B-LTA): ("valid" |
    "untrusted" | "invalid" | "none", its time)."""
    from pyhanko.sign.validation import validate_pdf_timestamp

    stamps = [
        s
        for s in embedded_all
        if s.sig_object.get("/Type") == "/DocTimeStamp" and s.signed_revision > embedded.signed_revision
    ]
    if not stamps:
        return "none", None
    latest = max(stamps, key=lambda s: s.signed_revision)
    try:
        status = outside_event_loop(validate_pdf_timestamp, latest, validation_context=context())
    except Exception:
        logger.info("verification: a document timestamp could not be validated", exc_info=True)
        return "invalid", None
    level = status.modification_level.name if status.modification_level is not None else "OTHER"
    covers = status.coverage.name == "ENTIRE_FILE" or (
        status.coverage.name == "ENTIRE_REVISION" and level in _HARMLESS_LEVELS
    )
    if not (status.intact and status.valid and covers):
        return "invalid", None
    return ("valid" if status.trusted else "untrusted"), status.timestamp
