"""Signatures a stranger can verify, for years: every issued document is signed (PAdES), with an RFC
3161 timestamp obtained over HTTP from a time-stamping authority, the certificates and CRL embedded
(B-LT) and a document timestamp (B-LTA); checked here with pyHanko against the development CA's
certificate file alone, nothing fetched. Also: the CRL the portal publishes, a revoked certificate,
a key in a PKCS#11 token (SoftHSM2)."""

import asyncio
import os
import re
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings as django_settings
from django.core.management import call_command
from django.urls import reverse

from cases.opinions.services import opinion_review, opinion_sign, opinion_submit
from documents.certificates import (
    SigningUnavailable,
    development_ca_key_path,
    forget_token_sessions,
    make_development_pkcs12,
    revoke_development_certificate,
)
from documents.models import Document
from documents.services import document_request
from documents.signing import SIGNATURE_FIELD, TIMESTAMP_FIELD, outside_event_loop, sign_pdf
from tests.conftest import needs_service
from tests.documents.factories import make_case, make_opinion

pytestmark = pytest.mark.django_db

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


class Pki:
    def __init__(self, pkcs12_path, password, tsa_url):
        self.pkcs12 = Path(pkcs12_path)
        self.password = password
        self.tsa_url = tsa_url
        self.ca_file = self.pkcs12.with_suffix(".ca.pem")

    def ca_key(self):
        data = development_ca_key_path(self.pkcs12).read_bytes()
        return serialization.load_pem_private_key(data, self.password.encode())

    def ca_certificate(self):
        return x509.load_pem_x509_certificate(self.ca_file.read_bytes())


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """The development CA and TSA of the test command (TEST_PKI_PKCS12, TSA_URL), or, in a quick run
    without them, a CA made here and the same TSA module started on a free port."""
    if os.environ.get("TEST_PKI_PKCS12") and os.environ.get("TSA_URL"):
        yield Pki(os.environ["TEST_PKI_PKCS12"], os.environ["TEST_PKI_PASSWORD"], os.environ["TSA_URL"])
        return
    directory = tmp_path_factory.mktemp("pki")
    path, password = directory / "signing.p12", "ltv-test-pass"
    call_command(
        "make_dev_certificate", "--output", str(path), "--password", password, "--site-url", "http://testserver"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "documents.dev_tsa", "--pkcs12", str(path), "--password", password, "--port", "0"],
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = process.stdout.readline()
        match = re.search(r"TSA ready on (http://\S+)", ready)
        assert match, f"the TSA did not start: {ready!r}"
        yield Pki(path, password, match[1])
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def center(settings, pki):
    """The center signs with the development CA's certificate and the TSA over HTTP."""
    settings.SIGNING_CERT_PATH = str(pki.pkcs12)
    settings.SIGNING_CERT_PASSWORD = pki.password
    settings.SIGNING_DEV_CA_KEY_PATH = ""
    settings.TSA_URL = pki.tsa_url
    settings.TSA_TRUST_ROOTS_PATH = ""
    return pki


def _ca_from_file(pki):
    """What a stranger has: the CA certificate file, downloaded once."""
    _type, _headers, der = pem.unarmor(pki.ca_file.read_bytes())
    return asn1_x509.Certificate.load(der)


def _validate_as_a_stranger(data, pki):
    """Validate the document's signature and document timestamp with the CA file as the only trust
    anchor and the validation data embedded in the PDF (DSS), fetching nothing."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    reader = PdfFileReader(BytesIO(data))
    signatures = reader.embedded_signatures
    dss = DocumentSecurityStore.read_dss(reader)
    context = dss.as_validation_context(
        {"trust_roots": [_ca_from_file(pki)], "allow_fetching": False, "revocation_mode": "hard-fail"}
    )
    status = outside_event_loop(
        validate_pdf_signature, signatures[0], signer_validation_context=context, ts_validation_context=context
    )
    stamps = [outside_event_loop(validate_pdf_timestamp, s, validation_context=context) for s in signatures[1:]]
    return reader, signatures, dss, status, stamps


def _pades_lta(signature, pki):
    """ETSI EN 319 102-1 long-term validation (pyHanko's AdES module), local data only."""
    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy
    from pyhanko_certvalidator.registry import SimpleTrustManager

    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=[_ca_from_file(pki)]),
                revinfo_policy=CertRevTrustPolicy(RevocationCheckingPolicy.from_legacy("require")),
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    return outside_event_loop(asyncio.run, ades_lta_validation(signature, spec))


def _issue_opinion(staff, director, applicant_org, capture):
    case = make_case(applicant_org=applicant_org, by=staff)
    opinion = make_opinion(case, staff)
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)
    with capture(execute=True):
        opinion_sign(opinion=opinion, by=director)
    opinion.refresh_from_db()
    return opinion.document


def test_a_signed_opinion_validates_with_only_the_ca_file_timestamp_and_revocation_data_included(
    center, staff, director, applicant_org, django_capture_on_commit_callbacks
):
    document = _issue_opinion(staff, director, applicant_org, django_capture_on_commit_callbacks)
    assert document.status == Document.Status.READY and document.digitally_signed
    data = document.file.read()
    _reader, signatures, dss, status, stamps = _validate_as_a_stranger(data, center)

    assert [s.field_name for s in signatures] == [SIGNATURE_FIELD, TIMESTAMP_FIELD]
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "Document Signing (DEVELOPMENT)"
    assert str(signatures[0].sig_object["/Name"]) == "赵建国（主任）"
    # Only validation data and the document timestamp follow the signature (B-LT, B-LTA).
    assert status.coverage.name == "ENTIRE_REVISION" and status.modification_level.name == "LTA_UPDATES"

    # The signing time comes from the TSA's timestamp, validated against the same CA file.
    timestamp = status.timestamp_validity
    assert timestamp is not None and timestamp.intact and timestamp.valid and timestamp.trusted
    assert abs((timestamp.timestamp - document.rendered_at).total_seconds()) < 60
    assert "Time-Stamping Authority" in timestamp.signing_cert.subject.native["common_name"]

    # The CA's CRL is embedded (DSS), signed by the CA and naming the signer's certificate as not revoked.
    assert len(dss.crls) == 1
    crl = x509.load_der_x509_crl(dss.crls[0].get_object().data)
    ca = center.ca_certificate()
    assert crl.issuer == ca.subject and crl.is_signature_valid(ca.public_key())
    assert crl.get_revoked_certificate_by_serial_number(status.signing_cert.serial_number) is None
    assert {c.subject.native["common_name"] for c in dss.load_certs()} >= {
        "Document Signing (DEVELOPMENT)",
        "Development Root CA (not for production)",
    }

    # The document timestamp (B-LTA) is intact and trusted, after the signature's timestamp.
    [document_stamp] = stamps
    assert document_stamp.intact and document_stamp.valid and document_stamp.trusted
    assert document_stamp.timestamp >= timestamp.timestamp

    # And ETSI long-term validation, with revocation data required, passes on the embedded data alone.
    result = _pades_lta(signatures[0], center)
    assert result.ades_subindic.name == "OK", result
    assert result.oldest_evidence_record_timestamp == document_stamp.timestamp


def test_a_notice_without_a_personal_signer_is_signed_in_the_issuing_body_s_name(
    center, staff, applicant_org, django_capture_on_commit_callbacks
):
    from portal.models import SiteConfiguration

    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(
            kind=Document.Kind.ACCEPTANCE_NOTICE,
            subject=applicant_org,
            template="pdf/guidance_opinion.html",
            context={"title": "受理通知书", "addressee": applicant_org.name, "sections": []},
            title="受理通知书",
            by=staff,
            number="晋知指发〔2026〕3号",
        )
    document.refresh_from_db()
    assert document.status == Document.Status.READY and document.digitally_signed
    _reader, signatures, _dss, status, stamps = _validate_as_a_stranger(document.file.read(), center)
    assert status.trusted and status.timestamp_validity.trusted and stamps[0].trusted
    assert str(signatures[0].sig_object["/Name"]) == SiteConfiguration.get().issuing_body


def test_the_signature_field_lies_over_the_seal_and_draws_nothing_over_it(center):
    from weasyprint import HTML

    from documents.pdf import SealBox

    pdf = HTML(string="<p>测试文书</p>").write_pdf()
    signed = sign_pdf(pdf, signer_name="中心", seal_box=SealBox(0, 380.0, 90.0, 500.5, 210.5))
    reader, signatures, _dss, status, _stamps = _validate_as_a_stranger(signed, center)
    assert status.trusted
    field = signatures[0].sig_field
    assert [float(v) for v in field["/Rect"]] == [380.0, 90.0, 500.5, 210.5]
    assert field["/P"] == reader.root["/Pages"]["/Kids"][0]
    appearance = field["/AP"]["/N"]
    assert appearance.data.split() == [b"q", b"Q"]  # no text, border or background
    assert not appearance.get("/Resources")  # and no font


def test_the_portal_publishes_the_ca_certificate_and_its_crl_named_in_the_certificates(center, client):
    certificate, chain = pkcs12.load_key_and_certificates(center.pkcs12.read_bytes(), center.password.encode())[1:]
    points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value == "http://testserver" + reverse("pki-crl")
    access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    assert access[0].access_location.value == "http://testserver" + reverse("pki-ca-certificate")

    response = client.get(reverse("pki-ca-certificate"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(response.content) == chain[0]

    response = client.get(reverse("pki-crl"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(response.content)
    assert crl.is_signature_valid(chain[0].public_key())
    assert crl.next_update_utc > crl.last_update_utc


def test_a_revoked_certificate_is_listed_in_the_crl_refused_for_signing_and_shown_revoked(
    center, settings, tmp_path, client
):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext
    from weasyprint import HTML

    # A second certificate of the same CA (a former signer's), in a PKCS#12 of its own (with the CA's
    # password, which also opens the CA key kept beside the CA's own PKCS#12).
    ca = (center.ca_key(), center.ca_certificate())
    blob, _ca = make_development_pkcs12(
        center.password,
        ca=ca,
        crl_url="http://testserver" + reverse("pki-crl"),
        common_name="Former Signer (DEVELOPMENT)",
    )
    path = tmp_path / "former.p12"
    path.write_bytes(blob)
    former = pkcs12.load_key_and_certificates(blob, center.password.encode())[1]
    settings.SIGNING_CERT_PATH = str(path)
    settings.SIGNING_DEV_CA_KEY_PATH = str(development_ca_key_path(center.pkcs12))
    pdf = HTML(string="<p>撤销前签发的文书</p>").write_pdf()
    signed_before = sign_pdf(pdf, signer_name="中心")

    revoke_development_certificate(former)

    crl = x509.load_der_x509_crl(client.get(reverse("pki-crl")).content)
    assert crl.get_revoked_certificate_by_serial_number(former.serial_number) is not None
    with pytest.raises(SigningUnavailable, match="验证信息"):
        sign_pdf(pdf, signer_name="中心")

    # A reader holding the current CRL sees the earlier signature's certificate as revoked.
    embedded = PdfFileReader(BytesIO(signed_before)).embedded_signatures[0]
    context = ValidationContext(
        trust_roots=[_ca_from_file(center)], crls=[crl.public_bytes(serialization.Encoding.DER)], allow_fetching=False
    )
    status = outside_event_loop(validate_pdf_signature, embedded, signer_validation_context=context)
    assert status.intact and status.valid and not status.trusted
    assert status.revocation_details is not None and status.revocation_details.revocation_date is not None


@pytest.fixture
def softhsm(tmp_path, monkeypatch):
    needs_service(Path(SOFTHSM_MODULE).exists() and shutil.which("softhsm2-util"), "SoftHSM2 (Debian package softhsm2)")
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    yield tmp_path
    forget_token_sessions()


def test_a_document_signed_through_a_pkcs11_token_validates(center, settings, softhsm):
    import pkcs11
    from pkcs11.util.x509 import decode_x509_certificate
    from weasyprint import HTML

    key, certificate, chain = pkcs12.load_key_and_certificates(center.pkcs12.read_bytes(), center.password.encode())
    util = ["softhsm2-util", "--pin", "5678"]
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "center-token", "--so-pin", "1234", "--pin", "5678"],
        check=True,
        capture_output=True,
    )
    key_file = softhsm / "key.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    subprocess.run(
        [*util, "--import", str(key_file), "--token", "center-token", "--label", "center-signing", "--id", "01"],
        check=True,
        capture_output=True,
    )
    key_file.unlink()
    token = pkcs11.lib(SOFTHSM_MODULE).get_token(token_label="center-token")
    with token.open(rw=True, user_pin="5678") as session:
        for label, item, ident in (("center-signing", certificate, b"\x01"), ("center-ca", chain[0], b"\x02")):
            attributes = decode_x509_certificate(item.public_bytes(serialization.Encoding.DER))
            attributes.update({pkcs11.Attribute.TOKEN: True, pkcs11.Attribute.LABEL: label, pkcs11.Attribute.ID: ident})
            session.create_object(attributes)

    # The key is in the token only: no PKCS#12 configured.
    settings.SIGNING_CERT_PATH = ""
    settings.SIGNING_DEV_CA_KEY_PATH = str(development_ca_key_path(center.pkcs12))
    settings.SIGNING_PKCS11_MODULE = SOFTHSM_MODULE
    settings.SIGNING_PKCS11_TOKEN_LABEL = "center-token"
    settings.SIGNING_PKCS11_PIN = "5678"
    settings.SIGNING_PKCS11_KEY_LABEL = "center-signing"

    signed = sign_pdf(HTML(string="<p>令牌签名的文书</p>").write_pdf(), signer_name="中心")
    _reader, _signatures, dss, status, stamps = _validate_as_a_stranger(signed, center)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.serial_number == certificate.serial_number
    assert status.timestamp_validity.trusted and stamps[0].trusted and len(dss.crls) == 1

    settings.SIGNING_PKCS11_PIN = "0000"  # a wrong PIN: nothing is signed
    forget_token_sessions()
    with pytest.raises(SigningUnavailable, match="PKCS#11"):
        sign_pdf(HTML(string="<p>x</p>").write_pdf(), signer_name="中心")


def test_without_a_tsa_production_refuses_and_development_signs_without_timestamp(center, settings):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from weasyprint import HTML

    pdf = HTML(string="<p>无时间戳</p>").write_pdf()
    settings.TSA_URL = ""
    settings.SIGNING_ALLOW_NO_TIMESTAMP = False
    with pytest.raises(SigningUnavailable, match="TSA_URL"):
        sign_pdf(pdf, signer_name="中心")

    settings.SIGNING_ALLOW_NO_TIMESTAMP = True
    signed = sign_pdf(pdf, signer_name="中心")
    [signature] = PdfFileReader(BytesIO(signed)).embedded_signatures  # no document timestamp either
    assert signature.self_reported_timestamp is not None
    _reader, _signatures, dss, status, _stamps = _validate_as_a_stranger(signed, center)
    assert status.timestamp_validity is None  # the time is only the signer's claim
    assert status.trusted and len(dss.crls) == 1  # validation data still embedded


def test_an_unreachable_tsa_issues_nothing(center, settings):
    import socket

    from weasyprint import HTML

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.TSA_URL = f"http://127.0.0.1:{port}/"
    with pytest.raises(SigningUnavailable, match="时间戳服务"):
        sign_pdf(HTML(string="<p>x</p>").write_pdf(), signer_name="中心")
