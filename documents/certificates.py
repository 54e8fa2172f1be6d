"""The center's signing certificate: a development CA and certificate for demo and tests,
and the checks run before anything is signed."""

import datetime
import functools
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


class SigningUnavailable(ValidationError):
    """The center's certificate cannot be used: nothing may be signed or issued."""


def _name(common_name, organisation):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_development_pkcs12(
    password,
    *,
    organisation="Shanxi Overseas IP Guidance Center (DEVELOPMENT)",
    not_before=None,
    not_after=None,
    key_size=2048,
):
    """A development CA and a document-signing certificate issued by it, as PKCS#12 bytes
    (key, certificate and the CA certificate). Returns (pkcs12_bytes, ca_certificate)."""
    now = datetime.datetime.now(datetime.UTC)
    not_before = not_before or now - datetime.timedelta(days=1)
    not_after = not_after or now + datetime.timedelta(days=3 * 365)

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    ca_name = _name("Development Root CA (not for production)", organisation)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(min(not_before, now - datetime.timedelta(days=1)))
        .not_valid_after(max(not_after, now) + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Document Signing (DEVELOPMENT)", organisation))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    blob = pkcs12.serialize_key_and_certificates(
        b"document-signing",
        key,
        cert,
        [ca_cert],
        serialization.BestAvailableEncryption(password.encode()),
    )
    return blob, ca_cert


@dataclass(frozen=True)
class SigningMaterial:
    path: Path
    password: bytes
    key: object
    certificate: x509.Certificate
    chain: tuple


def load_signing_material():
    """Load and check the center's PKCS#12 file. Raises SigningUnavailable with a message
    for staff when it is not configured, unreadable, not yet valid or expired."""
    configured = settings.SIGNING_CERT_PATH
    if not configured:
        raise SigningUnavailable(
            _("未配置中心签名证书（SIGNING_CERT_PATH），不能签发文书。请联系系统管理员配置证书后再签发。"),
            code="no_certificate",
        )
    path = Path(configured)
    if not path.is_file():
        raise SigningUnavailable(
            _("找不到中心签名证书文件，不能签发文书。请联系系统管理员。"),
            code="certificate_missing",
        )
    password = (settings.SIGNING_CERT_PASSWORD or "").encode()
    try:
        stat = path.stat()
        key, certificate, chain = _decrypt_pkcs12(str(path), stat.st_mtime_ns, stat.st_size, password)
    except (ValueError, TypeError) as exc:
        raise SigningUnavailable(
            _("中心签名证书无法读取（文件损坏或密码错误），不能签发文书。请联系系统管理员。"),
            code="certificate_unreadable",
        ) from exc
    if key is None or certificate is None:
        raise SigningUnavailable(
            _("中心签名证书文件中没有私钥或证书，不能签发文书。请联系系统管理员。"),
            code="certificate_incomplete",
        )
    now = timezone.now()
    if certificate.not_valid_after_utc <= now:
        raise SigningUnavailable(
            _("中心签名证书已于 %(date)s 过期，不能签发文书。请联系系统管理员更换证书。")
            % {"date": timezone.localtime(certificate.not_valid_after_utc).strftime("%Y-%m-%d")},
            code="certificate_expired",
        )
    if certificate.not_valid_before_utc > now:
        raise SigningUnavailable(
            _("中心签名证书尚未生效（生效日期 %(date)s），不能签发文书。")
            % {"date": timezone.localtime(certificate.not_valid_before_utc).strftime("%Y-%m-%d")},
            code="certificate_not_yet_valid",
        )
    return SigningMaterial(path=path, password=password, key=key, certificate=certificate, chain=tuple(chain or ()))


@functools.lru_cache(maxsize=4)
def _decrypt_pkcs12(path, mtime_ns, size, password):
    """Decrypting a PKCS#12 file is slow on purpose (key derivation): do it once per file
    version and password in each process. A replaced file has a new mtime and is read again."""
    return pkcs12.load_key_and_certificates(Path(path).read_bytes(), password or None)
