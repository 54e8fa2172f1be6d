"""The public verification page validates the embedded signature against the center's root
certificate only, and says in plain words what a stranger may rely on."""

from io import BytesIO

import pytest
from django.urls import reverse

from cases.models import GuidanceOpinion
from cases.opinions.services import opinion_reopen, opinion_review, opinion_sign, opinion_submit
from documents.certificates import make_development_pkcs12
from documents.services import document_revoke
from documents.signing import sign_pdf
from tests.documents.conftest import CERT_PASSWORD
from tests.documents.factories import make_case, make_opinion
from tests.documents.helpers import by_testid, upload_for_verification

pytestmark = pytest.mark.django_db


def _sign_opinion(opinion, staff, director, capture):
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)
    with capture(execute=True):
        opinion_sign(opinion=opinion, by=director)
    opinion.refresh_from_db()
    return opinion.document


@pytest.fixture
def signed(applicant_org, staff, director, django_capture_on_commit_callbacks):
    case = make_case(applicant_org=applicant_org, by=staff)
    document = _sign_opinion(make_opinion(case, staff), staff, director, django_capture_on_commit_callbacks)
    assert document.digitally_signed
    return document


def test_the_genuine_issued_pdf_shows_a_valid_signature_by_the_center_and_current(client, signed, settings):
    page = upload_for_verification(client, signed.file.read())
    assert "核验通过" in by_testid(page, "verify-result")
    assert "签名有效，文件在签名后未被改动。" in by_testid(page, "signature-state")
    signer = by_testid(page, "signature-signer")
    assert "Document Signing (DEVELOPMENT)" in signer and "Shanxi Overseas IP Guidance Center" in signer
    time = by_testid(page, "signature-time")
    if settings.TSA_URL:  # the test command runs a time-stamping authority: every signature is timestamped
        assert "可信时间戳" in time and "签名人自己声明" not in time
    else:
        assert "签名人自己声明的时间" in time
    assert str(signed.issued_on.year) in time
    certificate = by_testid(page, "signature-certificate")
    assert "签名时证书在有效期内" in certificate and "证书由本中心的根证书签发" in certificate
    assert "现行有效" in by_testid(page, "validity")


def test_the_code_page_checks_the_signature_of_the_issued_file(client, signed):
    page = client.get(reverse("documents:verify_code", args=[signed.verification_code])).content.decode()
    assert "本中心存档文件的数字签名" in page
    assert "签名有效，文件在签名后未被改动。" in by_testid(page, "signature-state")
    assert "证书由本中心的根证书签发" in by_testid(page, "signature-certificate")


def test_an_incremental_update_after_signing_is_reported_as_modified(client, signed):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed.file.read()), strict=False)
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    output = BytesIO()
    writer.write(output)
    page = upload_for_verification(client, output.getvalue())
    assert "核验未通过" in by_testid(page, "verify-result")
    assert "该文件在签名后被改动过" in by_testid(page, "signature-verdict")
    assert "文件在签名后被改动过" in by_testid(page, "signature-state")
    assert "核验通过" not in page


def test_bytes_appended_after_signing_are_reported_as_modified(client, signed):
    page = upload_for_verification(client, signed.file.read() + b"\n% appended later\n")
    assert "核验未通过" in by_testid(page, "verify-result")
    assert "已被改动" in by_testid(page, "signature-state")


def test_an_altered_byte_inside_the_signed_range_is_reported_as_modified(client, signed):
    data = bytearray(signed.file.read())
    data[len(data) // 3] ^= 0x01
    page = upload_for_verification(client, bytes(data))
    assert "核验未通过" in by_testid(page, "verify-result")
    assert "该文件在签名后被改动过" in by_testid(page, "signature-verdict")


def test_an_unsigned_pdf_says_unsigned(client):
    from weasyprint import HTML

    page = upload_for_verification(client, HTML(string="<p>一份没有签名的文件</p>").write_pdf())
    assert "核验未通过" in by_testid(page, "verify-result")
    assert "该文件没有数字签名" in by_testid(page, "signature-state")


def test_a_damaged_pdf_is_explained(client):
    page = upload_for_verification(client, b"%PDF-1.7 x")
    assert "核验未通过" in by_testid(page, "verify-result")
    assert "PDF 文件已损坏或不完整" in by_testid(page, "signature-state")


def test_random_bytes_are_not_a_pdf(client):
    import os

    page = upload_for_verification(client, os.urandom(4096))
    assert "核验未通过" in by_testid(page, "verify-result")
    assert "该文件不是 PDF 文件" in by_testid(page, "signature-state")
    assert "该文件不是 PDF 文件" in by_testid(page, "signature-verdict")


def test_a_truncated_signed_pdf_is_explained(client, signed):
    data = signed.file.read()
    page = upload_for_verification(client, data[: len(data) * 2 // 3])
    assert "核验未通过" in by_testid(page, "verify-result")
    assert "PDF 文件已损坏或不完整" in by_testid(page, "signature-state")
    assert "核验通过" not in page


def test_a_revoked_document_says_so_next_to_its_valid_signature(client, signed, director):
    document_revoke(document=signed, by=director, reason="误发")
    page = upload_for_verification(client, signed.file.read())
    assert "签名有效" in by_testid(page, "signature-state")
    assert "已撤销" in by_testid(page, "validity")
    page = client.get(reverse("documents:verify_code", args=[signed.verification_code])).content.decode()
    assert "已撤销" in by_testid(page, "validity")


def test_a_superseded_document_says_so_next_to_its_valid_signature(
    client, signed, staff, director, django_capture_on_commit_callbacks
):
    opinion = GuidanceOpinion.objects.get(document=signed)
    opinion_reopen(opinion=opinion, by=director, reason="更正")
    successor = _sign_opinion(opinion, staff, director, django_capture_on_commit_callbacks)
    page = upload_for_verification(client, signed.file.read())
    assert "签名有效" in by_testid(page, "signature-state")
    validity = by_testid(page, "validity")
    assert "已被取代" in validity and successor.number in validity


def test_a_pdf_signed_by_another_certificate_is_not_the_centers(client, settings, tmp_path, signing_certificate):
    from weasyprint import HTML

    blob, _ca = make_development_pkcs12(CERT_PASSWORD, organisation="Someone Else Ltd")
    other = tmp_path / "other.p12"
    other.write_bytes(blob)
    settings.SIGNING_CERT_PATH = str(other)
    forged = sign_pdf(HTML(string="<p>看似正式的文书</p>").write_pdf(), signer_name="张三", signer_title="主任")
    settings.SIGNING_CERT_PATH = str(signing_certificate[0])

    page = upload_for_verification(client, forged)
    assert "核验未通过" in by_testid(page, "verify-result")
    assert "签名人不是本中心" in by_testid(page, "signature-verdict")
    assert "Someone Else Ltd" in by_testid(page, "signature-signer")
    assert "证书不能链接到本中心的根证书" in by_testid(page, "signature-certificate")


def test_a_pdf_signed_with_the_centers_certificate_but_never_issued_is_not_shown_as_issued(client):
    from weasyprint import HTML

    unissued = sign_pdf(HTML(string="<p>未出具的文件</p>").write_pdf(), signer_name="赵建国", signer_title="主任")
    page = upload_for_verification(client, unissued)
    assert "核验未通过" in by_testid(page, "verify-result")
    verdict = by_testid(page, "signature-verdict")
    assert "Document Signing (DEVELOPMENT)" in verdict and "不在本中心出具的文书之中" in verdict
    assert "核验通过" not in page
    assert 'data-testid="validity"' not in page


def test_the_page_offers_the_root_the_signature_chains_to(client, signed, signing_certificate):
    """The fingerprint a reader compares before trusting the downloaded root is the development
    CA's that signed the issued document."""
    from cryptography.hazmat.primitives import hashes

    _path, ca_cert = signing_certificate
    expected = " ".join(f"{b:02X}" for b in ca_cert.fingerprint(hashes.SHA256()))
    page = upload_for_verification(client, signed.file.read())
    assert f'data-testid="ca-fingerprint">{expected}<' in page
    assert f'href="{reverse("pki-ca-certificate")}"' in page
