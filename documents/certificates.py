"""The center's signing certificate: a development CA and certificate for demo and tests,
and the checks run before anything is signed."""

import contextlib
import datetime
import functools
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
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


DEVELOPMENT_ORGANISATION = "Shanxi Overseas IP Guidance Center (DEVELOPMENT)"


def _name(common_name, organisation):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_development_ca(*, organisation=DEVELOPMENT_ORGANISATION, not_before=None, not_after=None, key_size=2048):
    """A development root CA: (private key, certificate). Never for production."""
    now = datetime.datetime.now(datetime.UTC)
    not_before = not_before or now - datetime.timedelta(days=1)
    not_after = not_after or now + datetime.timedelta(days=4 * 365)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    ca_name = _name("Development Root CA (not for production)", organisation)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(digital_signature=True, key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return ca_key, ca_cert


def _key_usage(*, digital_signature=False, content_commitment=False, key_cert_sign=False, crl_sign=False):
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def issue_development_certificate(
    ca,
    *,
    common_name="Document Signing (DEVELOPMENT)",
    organisation=DEVELOPMENT_ORGANISATION,
    not_before=None,
    not_after=None,
    key_size=2048,
    crl_url=None,
    ca_issuers_url=None,
    purpose="document",
):
    """A certificate issued by the development CA `ca` (key, certificate): (private key,
    certificate). `purpose` is "document" (PAdES signatures) or "timestamp" (a time-stamping
    authority, RFC 3161). With `crl_url` the certificate names where its CA publishes the
    revocation list (CRL Distribution Point); with `ca_issuers_url`, where its CA certificate
    can be downloaded (Authority Information Access)."""
    ca_key, ca_cert = ca
    now = datetime.datetime.now(datetime.UTC)
    not_before = not_before or now - datetime.timedelta(days=1)
    not_after = not_after or now + datetime.timedelta(days=3 * 365)
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    if purpose == "timestamp":
        usage = _key_usage(digital_signature=True, content_commitment=True)
        extended = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING])
    else:
        usage = _key_usage(digital_signature=True, content_commitment=True)
        extended = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION])
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(extended, critical=purpose == "timestamp")
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if crl_url:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None, reasons=None, crl_issuer=None
        )
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    if ca_issuers_url:
        access = x509.AccessDescription(
            x509.oid.AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(ca_issuers_url)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def make_development_pkcs12(
    password,
    *,
    organisation=DEVELOPMENT_ORGANISATION,
    not_before=None,
    not_after=None,
    key_size=2048,
    ca=None,
    crl_url=None,
    ca_issuers_url=None,
    common_name="Document Signing (DEVELOPMENT)",
):
    """A document-signing certificate issued by a development CA, as PKCS#12 bytes (key,
    certificate and the CA certificate). Returns (pkcs12_bytes, ca_certificate). The CA is
    `ca` (key, certificate) or a new one; `crl_url` and `ca_issuers_url` as for
    issue_development_certificate (make_dev_certificate points them at the portal's /pki/)."""
    now = datetime.datetime.now(datetime.UTC)
    not_before = not_before or now - datetime.timedelta(days=1)
    not_after = not_after or now + datetime.timedelta(days=3 * 365)
    if ca is None:
        ca = make_development_ca(
            organisation=organisation,
            not_before=min(not_before, now - datetime.timedelta(days=1)),
            not_after=max(not_after, now) + datetime.timedelta(days=365),
            key_size=key_size,
        )
    key, cert = issue_development_certificate(
        ca,
        common_name=common_name,
        organisation=organisation,
        not_before=not_before,
        not_after=not_after,
        key_size=key_size,
        crl_url=crl_url,
        ca_issuers_url=ca_issuers_url,
    )
    blob = pkcs12.serialize_key_and_certificates(
        b"document-signing",
        key,
        cert,
        [ca[1]],
        serialization.BestAvailableEncryption(password.encode()),
    )
    return blob, ca[1]


def development_ca_key_path(pkcs12_path):
    """Where make_dev_certificate keeps the development CA's private key: next to the PKCS#12
    (center.p12 -> center.ca-key.pem), encrypted with the same password."""
    path = Path(pkcs12_path)
    return path.with_name(path.stem + ".ca-key.pem")


def write_development_ca_key(ca_key, path, password):
    path = Path(path)
    path.write_bytes(
        ca_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode()),
        )
    )
    path.chmod(0o600)


@dataclass(frozen=True)
class SigningMaterial:
    """The center's signing certificate and its chain (cryptography objects), with either the
    decrypted private key (`key`, from a PKCS#12 file) or the open PKCS#11 session holding it
    (`token`, a UKey or HSM: the key never leaves the device)."""

    path: Path | None
    password: bytes
    key: object
    certificate: x509.Certificate
    chain: tuple
    token: object = None


@dataclass(frozen=True)
class TokenKey:
    session: object
    key_label: str


def load_signing_material():
    """Load and check the center's signing key and certificate: from a PKCS#11 token when
    SIGNING_PKCS11_MODULE is set, else from the PKCS#12 file SIGNING_CERT_PATH. Raises
    SigningUnavailable with a message for staff when it is not configured, unreadable, not
    yet valid or expired."""
    if settings.SIGNING_PKCS11_MODULE:
        material = _load_token_material()
        _check_validity(material.certificate)
        return material
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
    _check_validity(certificate)
    return SigningMaterial(path=path, password=password, key=key, certificate=certificate, chain=tuple(chain or ()))


def _check_validity(certificate, *, personal=False):
    """Refuse a certificate outside its validity: the center's, or (`personal`) a signer's own."""
    now = timezone.now()
    if certificate.not_valid_after_utc <= now:
        date = timezone.localtime(certificate.not_valid_after_utc).strftime("%Y-%m-%d")
        if personal:
            raise SigningUnavailable(
                _(
                    "签发人的个人签名证书（%(subject)s）已于 %(date)s 过期，不能签发文书。"
                    "请联系系统管理员更换该证书，或在后台停用它以改用中心证书。"
                )
                % {"subject": certificate_common_name(certificate), "date": date},
                code="certificate_expired",
            )
        raise SigningUnavailable(
            _("中心签名证书已于 %(date)s 过期，不能签发文书。请联系系统管理员更换证书。") % {"date": date},
            code="certificate_expired",
        )
    if certificate.not_valid_before_utc > now:
        date = timezone.localtime(certificate.not_valid_before_utc).strftime("%Y-%m-%d")
        if personal:
            raise SigningUnavailable(
                _("签发人的个人签名证书（%(subject)s）尚未生效（生效日期 %(date)s），不能签发文书。")
                % {"subject": certificate_common_name(certificate), "date": date},
                code="certificate_not_yet_valid",
            )
        raise SigningUnavailable(
            _("中心签名证书尚未生效（生效日期 %(date)s），不能签发文书。") % {"date": date},
            code="certificate_not_yet_valid",
        )


def certificate_common_name(certificate):
    """The subject's common name (the signer's name in a personal certificate), or the whole subject."""
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else certificate.subject.rfc4514_string()


@functools.lru_cache(maxsize=4)
def _decrypt_pkcs12(path, mtime_ns, size, password):
    """Decrypting a PKCS#12 file is slow on purpose (key derivation): do it once per file
    version and password in each process. A replaced file has a new mtime and is read again."""
    return pkcs12.load_key_and_certificates(Path(path).read_bytes(), password or None)


# --- PKCS#11 tokens (UKey, HSM) ------------------------------------------------------------


def _load_token_material(key_label=None, cert_label=None):
    """The key `key_label` and certificate `cert_label` on the configured token (by default the
    center's, SIGNING_PKCS11_KEY_LABEL / SIGNING_PKCS11_CERT_LABEL), with the CA certificates on
    the token as the chain."""
    module = settings.SIGNING_PKCS11_MODULE
    if key_label is None:
        key_label = settings.SIGNING_PKCS11_KEY_LABEL
        cert_label = settings.SIGNING_PKCS11_CERT_LABEL
    cert_label = cert_label or key_label
    try:
        session, certificate, chain = _open_token(
            module, settings.SIGNING_PKCS11_TOKEN_LABEL, settings.SIGNING_PKCS11_PIN, cert_label
        )
    except LabelNotOnToken as exc:  # the session is fine: only this label is missing
        raise SigningUnavailable(
            _("签名密钥设备（PKCS#11 令牌“%(token)s”）中没有标签为“%(label)s”的证书，不能签发文书。请联系系统管理员。")
            % {"token": settings.SIGNING_PKCS11_TOKEN_LABEL, "label": cert_label},
            code="certificate_not_on_token",
        ) from exc
    except Exception as exc:  # the library, the token, the PIN or the certificate: all mean "cannot sign"
        forget_token_sessions()
        raise SigningUnavailable(
            _("无法使用签名密钥设备（PKCS#11 令牌“%(token)s”）：%(error)s。不能签发文书，请联系系统管理员。")
            % {"token": settings.SIGNING_PKCS11_TOKEN_LABEL, "error": type(exc).__name__},
            code="token_unavailable",
        ) from exc
    return SigningMaterial(
        path=None, password=b"", key=None, certificate=certificate, chain=chain, token=TokenKey(session, key_label)
    )


class LabelNotOnToken(LookupError):
    """No object with the label asked for on the token."""


# One logged-in session per token and process (module, token label, PIN), and the certificates
# read from it per certificate label.
_token_sessions = {}
_token_certificates = {}
_token_lock = threading.Lock()


def _open_token(module, token_label, pin, cert_label):
    """Open a logged-in session on the token once per process (logging in to a UKey is slow and
    some count failed attempts; a token allows one login per application, whichever keys it
    holds) and read the certificate labelled `cert_label` and the CA certificates stored on it
    (the chain) once per label: (session, certificate, chain)."""
    with _token_lock:
        token = (module, token_label, pin)
        if token not in _token_sessions:
            _token_sessions[token] = _login(module, token_label, pin)
        session = _token_sessions[token]
        key = (*token, cert_label)
        if key not in _token_certificates:
            _token_certificates[key] = _read_token_certificates(session, cert_label)
        return (session, *_token_certificates[key])


def _login(module, token_label, pin):
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    criteria = TokenCriteria(label=token_label or None)
    return open_pkcs11_session(module, token_criteria=criteria, user_pin=pin or None)


def _read_token_certificates(session, cert_label):
    """The certificate labelled `cert_label` and the CA certificates on the token: (certificate,
    chain). Other signers' certificates kept on the same token are not part of anyone's chain."""
    import pkcs11

    certificate, chain = None, []
    for item in session.get_objects({pkcs11.Attribute.CLASS: pkcs11.ObjectClass.CERTIFICATE}):
        loaded = x509.load_der_x509_certificate(bytes(item[pkcs11.Attribute.VALUE]))
        if item[pkcs11.Attribute.LABEL] == cert_label:
            certificate = loaded
        elif _is_ca(loaded):
            chain.append(loaded)
    if certificate is None:
        raise LabelNotOnToken(f"no certificate labelled {cert_label!r} on the token")
    return certificate, tuple(chain)


def _is_ca(certificate):
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return certificate.subject == certificate.issuer


def forget_token_sessions():
    """Close the cached token sessions (a removed UKey, a re-initialised token): the next
    signature opens a new one."""
    with _token_lock:
        _token_certificates.clear()
        while _token_sessions:
            _key, session = _token_sessions.popitem()
            with contextlib.suppress(Exception):  # already gone with its token
                session.close()


# --- Personal certificates (the director's and deputies' own, on the center's token) ----------


def load_signer_material(key_label, cert_label=""):
    """A signer's own key and certificate on the center's PKCS#11 token (SIGNING_PKCS11_MODULE,
    the same token, session and PIN as the center's key), checked for validity now. Raises
    SigningUnavailable otherwise."""
    if not settings.SIGNING_PKCS11_MODULE:
        raise SigningUnavailable(
            _(
                "签发人配置了个人签名证书，但未配置保存个人密钥的签名密钥设备（SIGNING_PKCS11_MODULE），"
                "不能签发文书。请联系系统管理员。"
            ),
            code="no_token",
        )
    material = _load_token_material(key_label, cert_label or key_label)
    _check_validity(material.certificate, personal=True)
    return material


def check_signer_certificate(key_label, cert_label=""):
    """Everything a signer's own certificate needs before anything is issued with it: the key
    and the certificate on the token, the certificate valid now, issued for that key, and
    chaining to the center's CA. Returns the SigningMaterial; raises SigningUnavailable (its
    code says which: no_token, token_unavailable, certificate_not_on_token, key_not_on_token,
    certificate_expired, certificate_not_yet_valid, key_mismatch, certificate_untrusted)."""
    material = load_signer_material(key_label, cert_label)
    private_key = _private_key_on_token(material.token.session, key_label)
    if private_key is None:
        raise SigningUnavailable(
            _("签名密钥设备（PKCS#11 令牌“%(token)s”）中没有标签为“%(label)s”的私钥。")
            % {"token": settings.SIGNING_PKCS11_TOKEN_LABEL, "label": key_label},
            code="key_not_on_token",
        )
    if not _key_matches(private_key, material.certificate):
        raise SigningUnavailable(
            _("证书“%(subject)s”不是为私钥“%(label)s”签发的（公钥不一致）。")
            % {"subject": certificate_common_name(material.certificate), "label": key_label},
            code="key_mismatch",
        )
    if not chains_to(material.certificate, material.chain, center_trust_anchors()):
        raise SigningUnavailable(
            _("证书“%(subject)s”不是由中心的证书颁发机构签发的（无法验证到中心的根证书）。")
            % {"subject": certificate_common_name(material.certificate)},
            code="certificate_untrusted",
        )
    return material


def _private_key_on_token(session, key_label):
    import pkcs11

    with _token_lock:
        found = list(
            session.get_objects(
                {pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY, pkcs11.Attribute.LABEL: key_label}
            )
        )
    return found[0] if len(found) == 1 else None


def _key_matches(private_key, certificate):
    """Whether the token's private key belongs to the certificate's public key (RSA: the same
    modulus). A token that does not show the modulus is taken at its word; the signature would
    then fail validation before anything is issued."""
    import pkcs11
    from cryptography.hazmat.primitives.asymmetric import rsa as rsa_keys

    public = certificate.public_key()
    if not isinstance(public, rsa_keys.RSAPublicKey):
        return True
    try:
        modulus = int.from_bytes(bytes(private_key[pkcs11.Attribute.MODULUS]), "big")
    except Exception:  # an attribute the token keeps to itself
        return True
    return modulus == public.public_numbers().n


def center_trust_anchors():
    """The center's root certificate(s) (cryptography certificates), as the verification page
    trusts them (documents.signature_check.center_trust_roots)."""
    from documents.signature_check import center_trust_roots

    return [x509.load_der_x509_certificate(root.dump()) for root in center_trust_roots()]


def chains_to(certificate, intermediates, roots, *, depth=5):
    """Whether `certificate` is signed by one of `roots`, directly or through `intermediates`
    (signatures checked, each issuer a CA valid now)."""
    now = timezone.now()
    anchors = {root.public_bytes(serialization.Encoding.DER) for root in roots}
    candidates = [*roots, *intermediates]
    current = certificate
    for _step in range(depth):
        if current.public_bytes(serialization.Encoding.DER) in anchors:
            return True
        for issuer in candidates:
            if issuer.subject != current.issuer or not _is_ca(issuer):
                continue
            if not issuer.not_valid_before_utc <= now < issuer.not_valid_after_utc:
                continue
            try:
                current.verify_directly_issued_by(issuer)
            except (ValueError, TypeError, InvalidSignature):
                continue
            current = issuer
            break
        else:
            return False
    return current.public_bytes(serialization.Encoding.DER) in anchors


# --- The center's CA certificate and revocation list ------------------------------------------


def center_ca_certificate():
    """The root of the center's signing chain (cryptography certificate) or None: what the portal
    publishes at /pki/ca.crt for readers to add to their PDF reader's trusted certificates."""
    try:
        material = load_signing_material()
    except SigningUnavailable:
        return None
    chain = list(material.chain)
    roots = [c for c in chain if c.subject == c.issuer]
    return roots[0] if roots else (chain[-1] if chain else None)


def development_ca_key():
    """The development CA's private key, when this set-up keeps one (make_dev_certificate writes
    it next to the PKCS#12; SIGNING_DEV_CA_KEY_PATH names another place), else None. Production
    has no such key: its CA is the certification authority that issued the center's certificate."""
    configured = settings.SIGNING_DEV_CA_KEY_PATH
    if configured:
        path = Path(configured)
    elif settings.SIGNING_CERT_PATH:
        path = development_ca_key_path(settings.SIGNING_CERT_PATH)
    else:
        return None
    if not path.is_file():
        return None
    stat = path.stat()
    return _load_ca_key(str(path), stat.st_mtime_ns, (settings.SIGNING_CERT_PASSWORD or "").encode()), path


@functools.lru_cache(maxsize=4)
def _load_ca_key(path, mtime_ns, password):
    return serialization.load_pem_private_key(Path(path).read_bytes(), password or None)


def revoked_list_path(ca_key_path):
    """Serial numbers revoked by the development CA, one "serial-hex ISO-time" a line."""
    return Path(ca_key_path).with_name(Path(ca_key_path).name.replace(".ca-key.pem", "") + ".revoked")


def revoke_development_certificate(certificate, *, when=None):
    """Put `certificate` (issued by the development CA) on its revocation list: the next CRL
    the portal publishes names it as revoked."""
    found = development_ca_key()
    if found is None:
        raise SigningUnavailable(_("没有开发用根证书的私钥，无法吊销证书。"), code="no_ca_key")
    when = when or datetime.datetime.now(datetime.UTC)
    with revoked_list_path(found[1]).open("a") as listing:
        listing.write(f"{certificate.serial_number:x} {when.isoformat()}\n")
    _development_crl.cache_clear()


# A CRL stays valid this long; the portal issues a new one well before (see current_crl).
CRL_VALIDITY = datetime.timedelta(days=7)
CRL_RENEW_BEFORE = datetime.timedelta(days=6)


def current_crl():
    """The current CRL (DER bytes) of the center's CA, or None when the portal has none: issued
    here, signed with the development CA's key, in a development set-up; read from
    SIGNING_CRL_PATH (kept current by the operator from the real CA) in production. Cached per
    process and issued again when a certificate is revoked or a day has passed."""
    found = development_ca_key()
    if found is not None:
        key, key_path = found
        certificate = center_ca_certificate()
        if certificate is None:
            return None
        revoked = revoked_list_path(key_path)
        revoked_mtime = revoked.stat().st_mtime_ns if revoked.is_file() else 0
        crl, issued_at = _development_crl(str(key_path), revoked_mtime, certificate, key)
        if datetime.datetime.now(datetime.UTC) - issued_at < CRL_VALIDITY - CRL_RENEW_BEFORE:
            return crl
        _development_crl.cache_clear()
        return _development_crl(str(key_path), revoked_mtime, certificate, key)[0]
    configured = settings.SIGNING_CRL_PATH
    if configured and Path(configured).is_file():
        data = Path(configured).read_bytes()
        if data.lstrip().startswith(b"-----BEGIN"):
            data = x509.load_pem_x509_crl(data).public_bytes(serialization.Encoding.DER)
        return data
    return None


@functools.lru_cache(maxsize=4)
def _development_crl(key_path, revoked_mtime, ca_certificate, ca_key):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_certificate.subject)
        .last_update(now - datetime.timedelta(minutes=5))
        .next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(now.timestamp() * 1000)), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    revoked = revoked_list_path(key_path)
    if revoked.is_file():
        for line in revoked.read_text().splitlines():
            if not line.strip():
                continue
            serial, at = line.split()
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(int(serial, 16))
                .revocation_date(datetime.datetime.fromisoformat(at))
                .build()
            )
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER), now
