"""PAdES signatures with pyHanko, using the center's PKCS#12 certificate."""

from io import BytesIO

from django.utils.translation import gettext as _

from documents.certificates import load_signing_material
from documents.formatting import name_with_post

SIGNATURE_FIELD = "CenterSignature"


def sign_pdf(pdf, *, signer_name, signer_title, location=""):
    """Return `pdf` (bytes) with a PAdES baseline signature of the center's certificate.

    Raises documents.certificates.SigningUnavailable when the certificate is missing,
    unreadable or expired, before anything is written.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    material = load_signing_material()
    signer = _signer(material)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=name_with_post(signer_name, signer_title),
        reason=_("签发"),
        location=location or None,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    output = BytesIO()
    signers.sign_pdf(writer, metadata, signer=signer, output=output)
    return output.getvalue()


def _signer(material):
    """A pyHanko signer built from the already decrypted key and certificates."""
    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    key = keys.PrivateKeyInfo.load(
        material.key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    certificate = asn1_x509.Certificate.load(material.certificate.public_bytes(der))
    chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in material.chain]
    return signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([certificate, *chain]),
    )


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
