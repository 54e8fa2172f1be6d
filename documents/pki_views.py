"""The center's CA certificate and current revocation list, at the addresses the development CA names
in the certificates it issues (CRL Distribution Point, Authority Information Access): anyone
validating a document can fetch them, and a reader adds the CA certificate to its PDF reader."""

from django.http import Http404, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from documents.certificates import center_ca_certificate, current_crl


@require_safe
def ca_certificate(request):
    """The root certificate of the center's signing chain, DER (application/pkix-cert, RFC 2585)."""
    from cryptography.hazmat.primitives import serialization

    certificate = center_ca_certificate()
    if certificate is None:
        raise Http404
    response = HttpResponse(certificate.public_bytes(serialization.Encoding.DER), content_type="application/pkix-cert")
    response["Content-Disposition"] = 'attachment; filename="center-ca.crt"'
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def crl(request):
    """The CA's current certificate revocation list, DER (application/pkix-crl, RFC 2585)."""
    data = current_crl()
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type="application/pkix-crl")
    response["Content-Disposition"] = 'attachment; filename="center-ca.crl"'
    response["Cache-Control"] = "public, max-age=3600"  # a revocation shows within the hour
    return response


# Included by portal/urls.py under /pki/; the names are global (no namespace).
urlpatterns = [
    path("ca.crt", ca_certificate, name="pki-ca-certificate"),
    path("ca.crl", crl, name="pki-crl"),
]
