"""The center's certificate: made by the command, used for PAdES signatures, refused when
missing or expired, with nothing half-issued."""

import datetime

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import call_command

from cases.models import GuidanceOpinion
from cases.opinions.services import opinion_review, opinion_sign, opinion_submit
from documents.certificates import SigningUnavailable, load_signing_material, make_development_pkcs12
from documents.models import Document
from documents.signature_check import signature_report
from documents.signing import sign_pdf
from portal.models import Sequence
from tests.documents.factories import make_case, make_opinion

pytestmark = pytest.mark.django_db


def test_make_dev_certificate_writes_a_loadable_pkcs12_with_its_ca(tmp_path):
    target = tmp_path / "out" / "dev.p12"
    call_command("make_dev_certificate", "--output", str(target), "--password", "s3cret")
    key, certificate, chain = pkcs12.load_key_and_certificates(target.read_bytes(), b"s3cret")
    assert key is not None
    assert chain and chain[0].subject == certificate.issuer
    assert certificate.not_valid_after_utc > datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=365)
    assert target.with_suffix(".ca.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


def test_make_dev_certificate_leaves_an_existing_file_alone(tmp_path):
    target = tmp_path / "dev.p12"
    target.write_bytes(b"keep me")
    call_command("make_dev_certificate", "--output", str(target), "--password", "pw")
    assert target.read_bytes() == b"keep me"


def test_a_signed_pdf_validates_as_pades_and_is_trusted_with_the_development_ca(signing_certificate):
    from weasyprint import HTML

    _path, ca_cert = signing_certificate
    pdf = HTML(string="<p>测试文书</p>").write_pdf()
    signed = sign_pdf(pdf, signer_name="赵建国", signer_title="主任")
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    root = asn1_x509.Certificate.load(ca_cert.public_bytes(serialization.Encoding.DER))
    [report] = signature_report(signed, trust_roots=[root])
    assert report["intact"] and report["valid"] and report["trusted"]
    assert report["subfilter"] == "/ETSI.CAdES.detached"  # PAdES
    # The validation data (DSS) follows the signature in a revision of its own (PAdES B-LT).
    assert report["coverage"] == "ENTIRE_REVISION"


def test_signing_works_where_an_event_loop_is_already_running(signing_certificate):
    """pyHanko's synchronous API runs an event loop of its own; a caller whose thread already runs
    one (an asynchronous view, a browser driver in the test's thread) still gets a signed PDF."""
    import asyncio

    from weasyprint import HTML

    pdf = HTML(string="<p>测试文书</p>").write_pdf()

    async def sign_inside_a_running_loop():
        return sign_pdf(pdf, signer_name="赵建国", signer_title="主任")

    signed = asyncio.run(sign_inside_a_running_loop())
    [report] = signature_report(signed)
    assert report["intact"] and report["valid"]


def test_signing_is_refused_when_no_certificate_is_configured(settings):
    settings.SIGNING_CERT_PATH = ""
    with pytest.raises(SigningUnavailable, match="未配置中心签名证书"):
        load_signing_material()


def test_signing_is_refused_when_the_file_is_missing_or_the_password_wrong(settings, tmp_path, signing_certificate):
    settings.SIGNING_CERT_PATH = str(tmp_path / "nope.p12")
    with pytest.raises(SigningUnavailable, match="找不到"):
        load_signing_material()
    settings.SIGNING_CERT_PATH = str(signing_certificate[0])
    settings.SIGNING_CERT_PASSWORD = "wrong"
    with pytest.raises(SigningUnavailable, match="无法读取"):
        load_signing_material()


def test_an_expired_certificate_refuses_the_signature_and_nothing_is_half_issued(
    settings, expired_certificate, staff, director, applicant_org, django_capture_on_commit_callbacks
):
    case = make_case(applicant_org=applicant_org, by=staff)
    opinion = make_opinion(case, staff)
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)
    settings.SIGNING_CERT_PATH = str(expired_certificate)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(SigningUnavailable, match="过期"):
        opinion_sign(opinion=opinion, by=director)

    opinion.refresh_from_db()
    assert opinion.status == GuidanceOpinion.Status.APPROVED
    assert opinion.document_id is None
    assert not Document.objects.filter(kind=Document.Kind.GUIDANCE_OPINION).exists()
    assert not Sequence.objects.filter(key="document:guidance_opinion").exclude(last_value=0).exists()
    assert callbacks == []
    case.refresh_from_db()
    assert case.status == case.Status.OPINION_DRAFTED


def test_an_expired_certificate_found_at_render_time_leaves_a_visible_failure(
    settings, expired_certificate, staff, director, applicant_org, django_capture_on_commit_callbacks
):
    """If the certificate expires between signing and rendering, the document shows the
    failure and carries no file: it is not issued until staff retry with a valid certificate."""
    case = make_case(applicant_org=applicant_org, by=staff)
    opinion = make_opinion(case, staff)
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        opinion_sign(opinion=opinion, by=director)
    settings.SIGNING_CERT_PATH = str(expired_certificate)
    for callback in callbacks:
        callback()
    document = Document.objects.get(kind=Document.Kind.GUIDANCE_OPINION)
    assert document.status == Document.Status.FAILED
    assert "过期" in document.last_error
    assert not document.file


def test_a_certificate_not_yet_valid_is_refused(settings, tmp_path):
    now = datetime.datetime.now(datetime.UTC)
    blob, _ca = make_development_pkcs12(
        "pw", not_before=now + datetime.timedelta(days=2), not_after=now + datetime.timedelta(days=10)
    )
    path = tmp_path / "future.p12"
    path.write_bytes(blob)
    settings.SIGNING_CERT_PATH = str(path)
    settings.SIGNING_CERT_PASSWORD = "pw"
    with pytest.raises(SigningUnavailable, match="尚未生效"):
        load_signing_material()
