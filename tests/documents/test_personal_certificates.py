"""The director's and deputies' own certificates, where the center issues personal ones: kept in the
center's PKCS#11 token (SoftHSM2 here) next to the center's key, named in the admin by label, and
used for the documents that signer issues; validated as a stranger would, with the CA file alone."""

import datetime
import os
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.urls import reverse

from cases.opinions.services import opinion_review, opinion_sign, opinion_submit
from documents.certificates import (
    development_ca_key_path,
    forget_token_sessions,
    issue_development_certificate,
    make_development_ca,
)
from documents.models import Document, SignerCertificate
from documents.services import document_request
from documents.signature_check import center_trust_roots, check_signature
from documents.signing import SIGNATURE_FIELD, TIMESTAMP_FIELD
from portal.models import Sequence
from tests.conftest import needs_service
from tests.documents import test_signatures_ltv as ltv
from tests.documents.factories import make_case, make_opinion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# The development CA and its TSA (a local one when the test command runs none), and the check a
# stranger makes with the CA file alone, as the long-term validation tests have them.
pki = ltv.pki
center = ltv.center
SOFTHSM_MODULE = ltv.SOFTHSM_MODULE
_validate_as_a_stranger = ltv._validate_as_a_stranger

TOKEN, PIN = "center-token", "5678"
CENTER_COMMON_NAME = "Document Signing (DEVELOPMENT)"


def _finalize_pkcs11():
    """Close the sessions and finalise the PKCS#11 library in this process, so that the next
    session reads the SoftHSM2 configuration (a new token directory) again."""
    import pkcs11

    forget_token_sessions()
    loaded = pkcs11._loaded.get(SOFTHSM_MODULE)
    if loaded is not None and loaded.initialized:
        loaded.finalize()


class Token:
    """A SoftHSM2 token laid out as the center's HSM: the center's key and certificate, the CA
    certificate, and personal keys and certificates issued by the same CA."""

    def __init__(self, directory, center_pki):
        self.directory = directory
        self.ca = (center_pki.ca_key(), center_pki.ca_certificate())
        self._next_id = 1
        self._certificates = []

    def add_key(self, key, label):
        ident = f"{self._next_id:02x}"
        self._next_id += 1
        key_file = self.directory / f"{label}.pem"
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        subprocess.run(
            [
                "softhsm2-util",
                "--pin",
                PIN,
                "--import",
                str(key_file),
                "--token",
                TOKEN,
                "--label",
                label,
                "--id",
                ident,
            ],
            check=True,
            capture_output=True,
        )
        key_file.unlink()
        return bytes.fromhex(ident)

    def add_personal(self, label, common_name, ca=None, **validity):
        """A key and certificate for one signer, issued by the center's CA (or `ca`)."""
        key, certificate = issue_development_certificate(
            ca or self.ca,
            common_name=common_name,
            crl_url="http://testserver" + reverse("pki-crl"),
            **validity,
        )
        self._certificates.append((label, certificate, self.add_key(key, label)))
        return certificate

    def store_certificates(self, extra=()):
        """Write the certificates once the keys are in (softhsm2-util runs in a process of its own)."""
        import pkcs11
        from pkcs11.util.x509 import decode_x509_certificate

        token = pkcs11.lib(SOFTHSM_MODULE).get_token(token_label=TOKEN)
        with token.open(rw=True, user_pin=PIN) as session:
            for label, certificate, ident in [*self._certificates, *extra]:
                attributes = decode_x509_certificate(certificate.public_bytes(serialization.Encoding.DER))
                attributes.update(
                    {pkcs11.Attribute.TOKEN: True, pkcs11.Attribute.LABEL: label, pkcs11.Attribute.ID: ident}
                )
                session.create_object(attributes)


@pytest.fixture
def token(center, settings, tmp_path, monkeypatch):
    """The center's key and the director's own key and certificate (and an expired one, and one of
    another CA) in one SoftHSM2 token; the portal configured to sign from it, PIN from the settings."""
    needs_service(
        os.path.exists(SOFTHSM_MODULE) and shutil.which("softhsm2-util"), "SoftHSM2 (Debian package softhsm2)"
    )
    _finalize_pkcs11()
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--so-pin", "1234", "--pin", PIN],
        check=True,
        capture_output=True,
    )
    hsm = Token(tmp_path, center)
    key, certificate, chain = pkcs12.load_key_and_certificates(center.pkcs12.read_bytes(), center.password.encode())
    center_id = hsm.add_key(key, "center-signing")
    now = datetime.datetime.now(datetime.UTC)
    hsm.director = hsm.add_personal("zhao-signing", "赵建国")
    hsm.expired = hsm.add_personal(
        "zhao-2024",
        "赵建国",
        not_before=now - datetime.timedelta(days=400),
        not_after=now - datetime.timedelta(days=1),
    )
    hsm.outsider = hsm.add_personal("outsider", "赵建国", ca=make_development_ca(organisation="Another CA"))
    hsm.store_certificates([("center-signing", certificate, center_id), ("center-ca", chain[0], b"\xca")])

    settings.SIGNING_CERT_PATH = ""  # the center's key, too, is in the token only
    settings.SIGNING_DEV_CA_KEY_PATH = str(development_ca_key_path(center.pkcs12))
    settings.SIGNING_PKCS11_MODULE = SOFTHSM_MODULE
    settings.SIGNING_PKCS11_TOKEN_LABEL = TOKEN
    settings.SIGNING_PKCS11_PIN = PIN
    settings.SIGNING_PKCS11_KEY_LABEL = "center-signing"
    settings.SIGNING_PKCS11_CERT_LABEL = ""
    yield hsm
    _finalize_pkcs11()  # the next test's token lives in another directory


def _issue_notice(signed_by, by, applicant_org, capture, number):
    with capture(execute=True):
        document = document_request(
            kind=Document.Kind.ACCEPTANCE_NOTICE,
            subject=applicant_org,
            template="pdf/guidance_opinion.html",
            context={"title": "受理通知书", "addressee": applicant_org.name, "sections": []},
            title="受理通知书",
            by=by,
            number=number,
            signed_by=signed_by,
        )
    document.refresh_from_db()
    return document


def test_a_document_the_director_signs_carries_the_director_s_own_certificate(
    token,
    center,
    director,
    staff,
    applicant_org,
    django_capture_on_commit_callbacks,
):
    SignerCertificate.objects.create(signer=director, key_label="zhao-signing")
    document = _issue_notice(director, staff, applicant_org, django_capture_on_commit_callbacks, "晋知指发〔2026〕7号")
    assert document.status == Document.Status.READY, document.last_error
    data = document.file.read()

    _reader, signatures, dss, status, stamps = _validate_as_a_stranger(data, center)
    assert [s.field_name for s in signatures] == [SIGNATURE_FIELD, TIMESTAMP_FIELD]
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "赵建国"
    assert status.signing_cert.serial_number == token.director.serial_number
    assert str(signatures[0].sig_object["/Name"]) == "赵建国（主任）"
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    [document_stamp] = stamps
    assert document_stamp.trusted and status.modification_level.name == "LTA_UPDATES"
    # The CA's CRL and the director's certificate are embedded for long-term validation; the
    # center's own certificate is not (it did not sign).
    embedded = {c.serial_number for c in dss.load_certs()}
    assert len(dss.crls) == 1 and token.director.serial_number in embedded
    center_serial = pkcs12.load_key_and_certificates(center.pkcs12.read_bytes(), center.password.encode())[1]
    assert center_serial.serial_number not in embedded

    # The portal's own verification page sees a signature by the center's CA.
    check = check_signature(data, trust_roots=center_trust_roots())
    assert check.by_center and check.signer == "赵建国" and check.time_from_timestamp


def test_a_deputy_without_an_active_personal_certificate_signs_with_the_center_s_key(
    token,
    center,
    deputy,
    staff,
    applicant_org,
    django_capture_on_commit_callbacks,
):
    # A personal certificate switched off counts as none.
    SignerCertificate.objects.create(signer=deputy, key_label="zhao-signing", active=False)
    document = _issue_notice(deputy, staff, applicant_org, django_capture_on_commit_callbacks, "晋知指发〔2026〕8号")
    assert document.status == Document.Status.READY, document.last_error
    _reader, signatures, _dss, status, stamps = _validate_as_a_stranger(document.file.read(), center)
    assert status.trusted and status.timestamp_validity.trusted and stamps[0].trusted
    assert status.signing_cert.subject.native["common_name"] == CENTER_COMMON_NAME
    assert str(signatures[0].sig_object["/Name"]) == "孙红（副主任）"


def test_an_expired_personal_certificate_refuses_issuing_before_a_number_is_given(
    token, director, staff, applicant_org, django_capture_on_commit_callbacks
):
    from documents.certificates import SigningUnavailable

    SignerCertificate.objects.create(signer=director, key_label="zhao-2024")  # saved before it expired
    case = make_case(applicant_org=applicant_org, by=staff)
    opinion = make_opinion(case, staff)
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(SigningUnavailable, match=r"个人签名证书（赵建国）已于 \S+ 过期") as refused,
    ):
        opinion_sign(opinion=opinion, by=director)
    assert refused.value.code == "certificate_expired"
    opinion.refresh_from_db()
    assert opinion.document_id is None and callbacks == []
    assert not Document.objects.filter(kind=Document.Kind.GUIDANCE_OPINION).exists()
    assert not Sequence.objects.filter(key__startswith="document").exclude(last_value=0).exists()

    # Switched off in the admin, the center's key signs again.
    SignerCertificate.objects.filter(signer=director).update(active=False)
    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(opinion=opinion, by=director)
    opinion.refresh_from_db()
    assert opinion.document.status == Document.Status.READY


def _post(client, **fields):
    data = {"key_label": "", "cert_label": "", "active": "on", **fields}
    return client.post(reverse("admin:documents_signercertificate_add"), data)


def test_the_admin_accepts_only_labels_in_the_token_for_a_valid_certificate_of_the_center_s_ca(
    token, client, director, staff
):
    client.force_login(director)
    response = _post(client, signer=director.pk, key_label="no-such-key")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "没有标签为“no-such-key”的证书" in errors["key_label"][0]
    assert "no-such-key" in response.content.decode()

    response = _post(client, signer=director.pk, key_label="zhao-signing", cert_label="nothing-here")
    assert "没有标签为“nothing-here”的证书" in response.context["adminform"].form.errors["cert_label"][0]

    response = _post(client, signer=director.pk, key_label="zhao-signing", cert_label="zhao-2024")
    assert "过期" in response.context["adminform"].form.errors["cert_label"][0]

    response = _post(client, signer=director.pk, key_label="zhao-signing", cert_label="center-signing")
    assert "公钥不一致" in response.context["adminform"].form.errors["cert_label"][0]

    response = _post(client, signer=director.pk, key_label="outsider")
    assert "不是由中心的证书颁发机构签发的" in response.context["adminform"].form.errors["key_label"][0]

    response = _post(client, signer=staff.pk, key_label="zhao-signing")  # staff do not sign
    assert "signer" in response.context["adminform"].form.errors
    assert not SignerCertificate.objects.exists()

    response = _post(client, signer=director.pk, key_label="zhao-signing")
    assert response.status_code == 302
    record = SignerCertificate.objects.get(signer=director)
    assert record.active and record.labels == ("zhao-signing", "zhao-signing")
    page = client.get(reverse("admin:documents_signercertificate_change", args=[record.pk])).content.decode()
    assert "赵建国，由" in page

    # Switching an unusable certificate off is always possible.
    record.cert_label = "zhao-2024"
    record.save()
    change = reverse("admin:documents_signercertificate_change", args=[record.pk])
    response = client.post(change, {"key_label": "zhao-signing", "cert_label": "zhao-2024"})
    assert response.status_code == 302
    assert not SignerCertificate.objects.get(pk=record.pk).active


def test_personal_certificates_are_kept_from_users_without_the_permission(client, db):
    from portal.roles import Role

    clerk = UserFactory(full_name="周丽", is_staff=True, roles=[Role.STAFF])  # no model permissions given
    client.force_login(clerk)
    assert client.get(reverse("admin:documents_signercertificate_changelist")).status_code == 403
    assert client.get(reverse("admin:documents_signercertificate_add")).status_code == 403


def test_the_center_s_groups_leave_personal_certificates_to_the_director_and_deputies(center_permissions):
    """seed_demo's grants: staff work on every other model of the documents app, but which key signs
    in a signer's name is not theirs to change."""
    from django.contrib.auth.models import Group

    from portal.roles import Role

    def codenames(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert "change_signercertificate" not in codenames(Role.STAFF)
    assert "change_document" in codenames(Role.STAFF)
    for role in (Role.DIRECTOR, Role.DEPUTY):
        assert {"add_signercertificate", "change_signercertificate"} <= codenames(role)
