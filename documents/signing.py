"""PAdES signatures with pyHanko, using the center's PKCS#12 certificate."""

import logging
from io import BytesIO

from django.utils.translation import gettext as _

from documents.certificates import load_signing_material
from documents.formatting import name_with_post

SIGNATURE_FIELD = "CenterSignature"

logger = logging.getLogger(__name__)


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
