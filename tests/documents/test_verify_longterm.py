"""The verification page reads what a long-term signature carries, offline: the RFC 3161 timestamp
that fixes the signing time, the revocation data embedded in the document (PAdES B-LT) and the
document timestamp that protects both (PAdES B-LTA); and it tells readers which root to trust.

The signatures here come from a test certificate authority whose key the test holds (to issue a
time-stamping certificate and revocation lists), applied with pyHanko as the center's signing code
applies them, and then validated through the real page against that authority's root only."""

import datetime
import re
from io import BytesIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.urls import reverse

from tests.documents.helpers import by_testid, upload_for_verification

pytestmark = pytest.mark.django_db

NOW = datetime.datetime.now(datetime.UTC)


def _name(common_name):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Center"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(**flags):
    names = [
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    ]
    return x509.KeyUsage(**{name: flags.get(name, False) for name in names})


class _Authority:
    """A root CA with its key: issues the signer's and the TSA's certificates and CRLs."""

    def __init__(self, name="Test Root CA"):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name(name))
            .issuer_name(_name(name))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=30))
            .not_valid_after(NOW + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(digital_signature=True, key_cert_sign=True, crl_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )

    def issue(self, common_name, *, timestamping=False):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        extended = ExtendedKeyUsageOID.TIME_STAMPING if timestamping else ExtendedKeyUsageOID.EMAIL_PROTECTION
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=10))
            .not_valid_after(NOW + datetime.timedelta(days=1000))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(digital_signature=True, content_commitment=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([extended]), critical=timestamping)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return key, cert

    def crl(self, revoked=()):
        """A CRL (asn1crypto) listing `revoked`: (certificate, revocation time) pairs."""
        from asn1crypto import crl as asn1_crl

        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(NOW - datetime.timedelta(minutes=5))
            .next_update(NOW + datetime.timedelta(days=7))
            .add_extension(x509.CRLNumber(1), critical=False)
        )
        for certificate, when in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(certificate.serial_number).revocation_date(when).build()
            )
        der = builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
        return asn1_crl.CertificateList.load(der)

    def pem(self, tmp_path):
        path = tmp_path / "trust-roots.pem"
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path


def _asn1(certificate):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _asn1_key(key):
    from asn1crypto import keys

    return keys.PrivateKeyInfo.load(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


def _timestamper(ca, tsa):
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key, cert = tsa
    return DummyTimeStamper(
        tsa_cert=_asn1(cert),
        tsa_key=_asn1_key(key),
        certs_to_embed=SimpleCertificateStore.from_certs([_asn1(cert), _asn1(ca.cert)]),
    )


def _unsigned_pdf():
    from weasyprint import HTML

    return HTML(string="<p>山西省海外知识产权纠纷应对指导中心 文书</p>").write_pdf()


def _sign(ca, signer, *, tsa=None, crl=None, archive=False):
    """A PAdES signature by `signer` (key, certificate issued by `ca`): with an RFC 3161 timestamp
    when `tsa` is given (B-T), then the CA certificate and the CRL in the document's DSS (B-LT),
    then a document timestamp over all of it (B-LTA)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key, cert = signer
    simple = signers.SimpleSigner(
        signing_cert=_asn1(cert),
        signing_key=_asn1_key(key),
        cert_registry=SimpleCertificateStore.from_certs([_asn1(cert), _asn1(ca.cert)]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name="CenterSignature", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    output = BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(_unsigned_pdf())),
        metadata,
        signer=simple,
        timestamper=_timestamper(ca, tsa) if tsa else None,
        output=output,
    )
    if crl is not None:
        output.seek(0)
        DocumentSecurityStore.add_dss(output, sig_contents=None, certs=[_asn1(ca.cert)], crls=[crl])
    if archive:
        output.seek(0)
        stamped = BytesIO()
        PdfTimeStamper(_timestamper(ca, tsa)).timestamp_pdf(IncrementalPdfFileWriter(output), "sha256", output=stamped)
        output = stamped
    return output.getvalue()


@pytest.fixture
def pki(settings, tmp_path):
    ca = _Authority()
    settings.SIGNING_TRUST_ROOTS_PATH = str(ca.pem(tmp_path))
    return ca


def test_the_signing_time_comes_from_the_timestamp(client, pki):
    tsa = pki.issue("Test Time Stamping Authority", timestamping=True)
    page = upload_for_verification(client, _sign(pki, pki.issue("Center Signer"), tsa=tsa))
    assert "签名有效，文件在签名后未被改动。" in by_testid(page, "signature-state")
    time = by_testid(page, "signature-time")
    assert "来自时间戳服务机构“Test Time Stamping Authority”的可信时间戳" in time
    assert "签名人自己声明" not in time
    assert "证书由本中心的根证书签发" in by_testid(page, "signature-certificate")


def test_without_a_timestamp_the_time_is_only_the_signers_claim(client, pki):
    page = upload_for_verification(client, _sign(pki, pki.issue("Center Signer")))
    assert "签名人自己声明的时间" in by_testid(page, "signature-time")
    assert "文件中没有内嵌吊销信息" in by_testid(page, "signature-revocation")
    assert "文件没有文档时间戳" in by_testid(page, "signature-archive")


def test_a_timestamp_by_an_authority_outside_the_trust_roots_proves_no_time(client, pki):
    stranger = _Authority("Unknown Root")
    tsa = stranger.issue("Unknown TSA", timestamping=True)
    page = upload_for_verification(client, _sign_with_foreign_tsa(pki, stranger, tsa))
    time = by_testid(page, "signature-time")
    assert "不能证明签名时间" in time and "可信时间戳" not in time


def _sign_with_foreign_tsa(ca, tsa_ca, tsa):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key, cert = ca.issue("Center Signer")
    simple = signers.SimpleSigner(
        signing_cert=_asn1(cert),
        signing_key=_asn1_key(key),
        cert_registry=SimpleCertificateStore.from_certs([_asn1(cert), _asn1(ca.cert)]),
    )
    output = BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(BytesIO(_unsigned_pdf())),
        signers.PdfSignatureMetadata(field_name="S", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES),
        signer=simple,
        timestamper=_timestamper(tsa_ca, tsa),
        output=output,
    )
    return output.getvalue()


def test_embedded_revocation_data_shows_the_certificate_was_not_revoked_then(client, pki):
    tsa = pki.issue("Test Time Stamping Authority", timestamping=True)
    page = upload_for_verification(client, _sign(pki, pki.issue("Center Signer"), tsa=tsa, crl=pki.crl()))
    assert "签名有效，文件在签名后未被改动。" in by_testid(page, "signature-state")
    assert "签名时证书未被吊销" in by_testid(page, "signature-revocation")


def test_a_certificate_revoked_before_signing_invalidates_the_signature(client, pki):
    tsa = pki.issue("Test Time Stamping Authority", timestamping=True)
    signer = pki.issue("Center Signer")
    revoked = pki.crl([(signer[1], NOW - datetime.timedelta(days=1))])
    page = upload_for_verification(client, _sign(pki, signer, tsa=tsa, crl=revoked))
    revocation = by_testid(page, "signature-revocation")
    assert "已吊销" in revocation and "该签名无效" in revocation
    assert "核验未通过" in by_testid(page, "verify-result")
    assert "签名证书在签名时已被吊销" in by_testid(page, "signature-verdict")


def test_a_certificate_revoked_after_the_timestamped_signing_still_signed_validly(client, pki):
    tsa = pki.issue("Test Time Stamping Authority", timestamping=True)
    signer = pki.issue("Center Signer")
    later = pki.crl([(signer[1], NOW + datetime.timedelta(days=2))])
    page = upload_for_verification(client, _sign(pki, signer, tsa=tsa, crl=later))
    assert "签名时证书未被吊销" in by_testid(page, "signature-revocation")


def test_a_document_timestamp_protects_the_signature_for_the_long_term(client, pki):
    tsa = pki.issue("Test Time Stamping Authority", timestamping=True)
    page = upload_for_verification(client, _sign(pki, pki.issue("Center Signer"), tsa=tsa, crl=pki.crl(), archive=True))
    assert "签名有效，文件在签名后未被改动。" in by_testid(page, "signature-state")
    assert "签名时证书未被吊销" in by_testid(page, "signature-revocation")
    archive = by_testid(page, "signature-archive")
    assert "文档时间戳" in archive and "证书过期后仍可核验" in archive


def test_content_added_after_the_document_timestamp_is_a_modification(client, pki):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    tsa = pki.issue("Test Time Stamping Authority", timestamping=True)
    signed = _sign(pki, pki.issue("Center Signer"), tsa=tsa, crl=pki.crl(), archive=True)
    writer = IncrementalPdfFileWriter(BytesIO(signed), strict=False)
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    output = BytesIO()
    writer.write(output)
    page = upload_for_verification(client, output.getvalue())
    assert "已被改动" in by_testid(page, "signature-state")
    assert "核验通过" not in page


def test_the_centers_documents_do_not_chain_to_a_root_that_is_not_configured(client, pki, signed_plain):
    """SIGNING_TRUST_ROOTS_PATH is the only anchor: with another root there, the center's own
    development signature no longer counts as the center's."""
    page = upload_for_verification(client, signed_plain)
    assert "证书不能链接到本中心的根证书" in by_testid(page, "signature-certificate")


@pytest.fixture
def signed_plain():
    from documents.signing import sign_pdf

    return sign_pdf(_unsigned_pdf(), signer_name="赵建国", signer_title="主任")


def test_the_development_root_is_offered_for_download_with_reader_instructions(client, settings):
    settings.SIGNING_TRUST_LIST = ""
    page = client.get(reverse("documents:verify")).content.decode()
    assert f'href="{reverse("pki-ca-certificate")}"' in page
    assert 'data-testid="ca-download"' in page
    instructions = by_testid(page, "reader-instructions")
    assert "编辑 > 首选项 > 签名 > 身份与可信证书" in instructions
    assert "将此证书用作可信的根" in instructions
    assert "福昕" in instructions and "WPS" in instructions
    assert "开发用根证书" in by_testid(page, "trust-statement")
    assert re.search(r'data-testid="ca-fingerprint">([0-9A-F]{2} ){31}[0-9A-F]{2}<', page)


def test_the_page_works_without_a_certificate_download(client, settings, monkeypatch):
    from django.urls import NoReverseMatch

    def no_such_url(name, *args, **kwargs):
        raise NoReverseMatch(name)

    monkeypatch.setattr("documents.views.reverse", no_such_url)
    response = client.get(reverse("documents:verify"))
    assert response.status_code == 200
    assert "本平台暂未提供根证书下载" in response.content.decode()


def test_production_names_the_trust_list_instead_of_development_instructions(client, settings, signed_plain):
    settings.SIGNING_TRUST_LIST = "国家密码管理局认可的电子认证服务机构"
    for page in (
        client.get(reverse("documents:verify")).content.decode(),
        upload_for_verification(client, signed_plain),
    ):
        statement = by_testid(page, "trust-statement")
        assert "链接到“国家密码管理局认可的电子认证服务机构”中的根证书" in statement
        assert 'data-testid="reader-instructions"' not in page
        assert 'data-testid="ca-download"' not in page
