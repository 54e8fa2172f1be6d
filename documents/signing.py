"""PAdES signatures with pyHanko: the center's key from a PKCS#12 file or a PKCS#11 token (or the
signer's own key on that token, where the center issues personal certificates), an RFC 3161
timestamp from the configured time-stamping authority, and the validation data (certificates, CRL)
embedded so that a stranger can still verify the document years later (PAdES B-LT, then B-LTA with a
document timestamp)."""

import asyncio
import concurrent.futures
import functools
import hashlib
import http.client
import logging
import os
import re
import threading
import time
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from documents.certificates import SigningUnavailable, current_crl, load_signer_material, load_signing_material
from documents.formatting import name_with_post

SIGNATURE_FIELD = "CenterSignature"
TIMESTAMP_FIELD = "DocumentTimestamp"

# A validation context holds the moment it was made ("now" for the certificates and the CRL): a
# process reuses one for this long, then makes a new one.
VALIDATION_CONTEXT_SECONDS = 600

logger = logging.getLogger(__name__)


class _LocalValidationDataOnly(logging.Filter):
    """pyHanko warns at every signature that it embeds validation data without fetching any: here
    that is the intent (the CRL and certificates are local), not a problem to log each time."""

    def filter(self, record):
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_LocalValidationDataOnly())


def outside_event_loop(function, *args, **kwargs):
    """Call `function`, in a helper thread when this thread's asyncio loop is running: pyHanko's
    synchronous API (signing, validation) starts an event loop of its own, which Python refuses
    inside a running one (an asynchronous caller, a browser driver in the same thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(function, *args, **kwargs).result()


def sign_pdf(pdf, **options):
    """`_sign_pdf` (below), where pyHanko can run it (`outside_event_loop`)."""
    return outside_event_loop(_sign_pdf, pdf, **options)


def _sign_pdf(pdf, *, signer_name, signer_title="", location="", seal_box=None, signer_key=None):
    """Return `pdf` (bytes) signed with the center's key (PAdES), or with `signer_key`, the
    (key label, certificate label) of the signer's own key and certificate on the center's
    PKCS#11 token where the center issues personal certificates: a signature timestamp from the
    time-stamping authority (TSA_URL), the certificates and the CRL needed to validate it, then a
    document timestamp over all of it. With `seal_box` (page_index, x0, y0, x1, y1 in PDF points,
    origin bottom-left), the signature field is visible there, over the printed seal, with a
    transparent appearance that leaves the seal as printed.

    Raises documents.certificates.SigningUnavailable, before anything is written, when the key or
    certificate cannot be used, the timestamp or the revocation data cannot be had, or no TSA is
    configured where one is required.
    """
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.timestamps import TimestampRequestError

    material = load_signer_material(*signer_key) if signer_key else load_signing_material()
    timestamper = _timestamper()
    signer = _signer(material)
    context = _validation_context(material)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=name_with_post(signer_name, signer_title),
        reason=_("签发"),
        location=location or None,
        embed_validation_info=True,
        use_pades_lta=timestamper is not None,
        timestamp_field_name=TIMESTAMP_FIELD if timestamper is not None else None,
        validation_context=context,
    )
    field_spec = None
    if seal_box is not None:
        box = tuple(round(float(v), 2) for v in (seal_box.x0, seal_box.y0, seal_box.x1, seal_box.y1))
        field_spec = fields.SigFieldSpec(SIGNATURE_FIELD, on_page=int(seal_box.page_index), box=box)
    pdf_signer = signers.PdfSigner(
        metadata,
        signer,
        timestamper=timestamper,
        stamp_style=_seal_appearance() if field_spec is not None else None,
        new_field_spec=field_spec,
    )
    reservation = (material.certificate, settings.TSA_URL if timestamper is not None else "")
    try:
        signed = _sign_with_reservation(pdf_signer, pdf, _reserved_sizes.get(reservation))
    except TimestampRequestError as exc:
        logger.warning("The time-stamping authority at %s did not answer: %s", settings.TSA_URL, exc)
        raise SigningUnavailable(
            _("时间戳服务（%(url)s）暂时无法使用，文书未签发。请稍后重新生成，或联系系统管理员。")
            % {"url": settings.TSA_URL},
            code="timestamp_unavailable",
        ) from exc
    except SigningError as exc:
        # pyHanko could not validate the certificate chain it must embed: a certificate revoked or
        # outside its validity, or revocation data it could not find (no current CRL).
        logger.warning("Validation data for the signature could not be collected: %s", exc)
        _validation_context.cache_clear()
        raise SigningUnavailable(
            _("无法取得签名证书的验证信息（证书链或吊销列表），文书未签发。请联系系统管理员。"),
            code="validation_data_unavailable",
        ) from exc
    except Exception:
        if material.token is not None:
            # A UKey pulled out or an HSM session lost: open a fresh session next time.
            from documents.certificates import forget_token_sessions

            forget_token_sessions()
        raise
    _reserved_sizes[reservation] = _room_for(signed, len(pdf))
    return signed


# Room left in the PDF for the signature (hex digits), per certificate and TSA, from the last one
# made: without it pyHanko makes a trial signature each time to measure (about 25 ms).
_reserved_sizes = {}
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _sign_with_reservation(pdf_signer, pdf, reserved):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.general import SigningError

    output = BytesIO()
    try:
        pdf_signer.sign_pdf(
            IncrementalPdfFileWriter(BytesIO(pdf), strict=False), output=output, bytes_reserved=reserved
        )
    except SigningError as exc:
        if reserved is None or "larger than expected" not in str(exc):
            raise
        output = BytesIO()  # a longer chain or timestamp than last time: measure again
        pdf_signer.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf), strict=False), output=output)
    return output.getvalue()


def _room_for(signed, unsigned_length):
    """The room to reserve next time: the hex digits this signature used, plus a quarter."""
    match = _BYTE_RANGE.search(signed, unsigned_length)
    if match is None:
        return None
    start, end = int(match[2]), int(match[3])  # the "<" and one past the ">" of /Contents
    used = len(signed[start + 1 : end - 1].rstrip(b"0"))
    used += used % 2
    return (used + used // 4 + 1024) // 2 * 2  # pyHanko wants whole bytes: an even count of hex digits


def timestamps_required():
    """Whether documents may only be issued with a timestamp: always with DEBUG off, unless
    SIGNING_ALLOW_NO_TIMESTAMP is set."""
    return not settings.SIGNING_ALLOW_NO_TIMESTAMP


def _timestamper():
    url = settings.TSA_URL
    if not url:
        if timestamps_required():
            raise SigningUnavailable(
                _("未配置时间戳服务（TSA_URL），不能签发文书：没有可信时间戳，签名时间只是签名人自己的声明。"),
                code="no_timestamp_authority",
            )
        return None
    return _timestamper_for(url, settings.TSA_TIMEOUT_SECONDS)


@functools.lru_cache(maxsize=4)
def _timestamper_for(url, timeout):
    # One per process and address: it keeps its connection open between documents, and pyHanko
    # keeps on it the sample answer it uses to size the signature.
    return keep_alive_timestamper_class()(url, timeout=timeout)


@functools.cache
def keep_alive_timestamper_class():
    """KeepAliveTimeStamper, defined on first use: pyHanko's timestamp package imports an HTTP
    library that web processes, which never sign, need not load."""
    from pyhanko.sign.timestamps import TimeStamper

    class KeepAliveTimeStamper(TimeStamper):
        """An RFC 3161 client over HTTP(S) that keeps its connection to the TSA open from one request to
        the next (a signature with a document timestamp asks twice; a worker signs document after
        document). pyHanko's own HTTP clients open a new connection for every request."""

        def __init__(self, url, *, timeout=10):
            super().__init__()
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"TSA_URL must be an http(s) address, got {url!r}")
            self.url = url
            self._https = parts.scheme == "https"
            self._host = parts.hostname
            self._port = parts.port
            self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            self._timeout = timeout
            self._connection = None
            self._pid = None
            self._lock = threading.Lock()

        async def async_request_tsa_response(self, req):
            # Signing runs synchronously in a worker; the request blocks as the signature would anyway.
            return self.request_tsa_response(req)

        def request_tsa_response(self, req):
            from asn1crypto import tsp
            from pyhanko.sign.timestamps import TimestampRequestError

            body = req.dump()
            headers = {"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"}
            with self._lock:
                for attempt in (1, 2):
                    connection = self._open()
                    try:
                        connection.request("POST", self._path, body, headers)
                        response = connection.getresponse()
                        data = response.read()
                    except (OSError, http.client.HTTPException) as exc:
                        self._close()
                        if attempt == 2:  # the first failure may be a kept connection the server closed
                            raise TimestampRequestError(f"No answer from the time-stamping authority: {exc}") from exc
                        continue
                    if response.will_close:
                        self._close()
                    if response.status != 200 or response.getheader("Content-Type") != "application/timestamp-reply":
                        raise TimestampRequestError(
                            f"The time-stamping authority answered {response.status} "
                            f"({response.getheader('Content-Type')})"
                        )
                    return tsp.TimeStampResp.load(data)
            raise AssertionError("unreachable")

        def _open(self):
            if self._connection is not None and self._pid == os.getpid():
                return self._connection
            self._connection = None  # a connection inherited from the parent of a forked worker is not ours
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._connection = kind(self._host, self._port, timeout=self._timeout)
            self._pid = os.getpid()
            return self._connection

        def _close(self):
            if self._connection is not None:
                self._connection.close()
            self._connection = None

    return KeepAliveTimeStamper


@functools.cache
def _seal_appearance():
    """The signature field's appearance over the seal: an empty drawing (no text, no border, no
    background, no font), so the printed seal shows exactly as it is; a PDF reader still knows the
    field there and opens the signature panel when it is clicked."""
    from dataclasses import dataclass

    from pyhanko.stamp import BaseStamp, BaseStampStyle

    class ClearStamp(BaseStamp):
        def _render_inner_content(self):
            return []

    @dataclass(frozen=True)
    class ClearStampStyle(BaseStampStyle):
        def create_stamp(self, writer, box, text_params):
            return ClearStamp(writer, self, box)

    return ClearStampStyle(border_width=0, background=None)


def _signer(material):
    """A pyHanko signer for the key: in a PKCS#11 token, or already decrypted from the PKCS#12."""
    if material.token is not None:
        return _token_signer(material.token.session, material.token.key_label, material.certificate, material.chain)
    return _simple_signer(material.key, material.certificate, material.chain)


@functools.lru_cache(maxsize=4)
def _simple_signer(key, certificate, chain):
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    private = keys.PrivateKeyInfo.load(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    signing_cert, others = _asn1(certificate), [_asn1(c) for c in chain]
    return loaded_key_signer_class()(
        key,
        signing_cert=signing_cert,
        signing_key=private,
        cert_registry=SimpleCertificateStore.from_certs([signing_cert, *others]),
    )


@functools.cache
def loaded_key_signer_class():
    """pyHanko's SimpleSigner parses its private key again for every signature (about 50 ms for an
    RSA key, checks included; twice per document with the size estimate): this one signs RSA
    PKCS#1 v1.5 with the key object loaded once per process."""
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class LoadedKeySigner(SimpleSigner):
        def __init__(self, loaded_key, **kwargs):
            super().__init__(**kwargs)
            self._loaded_key = loaded_key

        def sign_raw(self, data, digest_algorithm):
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if mechanism.signature_algo == "rsassa_pkcs1v15" and isinstance(self._loaded_key, RSAPrivateKey):
                return self._loaded_key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            return super().sign_raw(data, digest_algorithm)

    return LoadedKeySigner


# One per key on the token (the center's, and the director's and deputies' own).
@functools.lru_cache(maxsize=16)
def _token_signer(session, key_label, certificate, chain):
    from pyhanko.sign.pkcs11 import PKCS11Signer

    return PKCS11Signer(
        session, key_label=key_label, signing_cert=_asn1(certificate), ca_chain=[_asn1(c) for c in chain]
    )


def _asn1(certificate):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _validation_context(material):
    """What pyHanko validates the signer's (and the TSA's) certificates with before embedding them
    and their revocation data: the center's root (and the TSA's, when configured apart), the chain,
    and the CA's current CRL, all local; nothing is fetched unless SIGNING_REVOCATION_FETCH is on.
    Reused within a process for VALIDATION_CONTEXT_SECONDS (it remembers validated paths)."""
    crl = current_crl()
    roots = tuple(c for c in material.chain if c.subject == c.issuer) or material.chain[-1:]
    tsa_roots = _tsa_trust_roots(settings.TSA_TRUST_ROOTS_PATH)
    crl_digest = hashlib.sha256(crl).hexdigest() if crl else ""
    period = int(time.time() // VALIDATION_CONTEXT_SECONDS)
    return _context_for(roots + tsa_roots, material.chain, crl, crl_digest, settings.SIGNING_REVOCATION_FETCH, period)


@functools.lru_cache(maxsize=2)
def _context_for(roots, chain, crl, crl_digest, fetch, period):
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=[_asn1(c) for c in roots],
        other_certs=[_asn1(c) for c in chain],
        crls=[crl] if crl else [],
        allow_fetching=fetch,
        # A certificate that names a CRL must have a current one; without one, nothing is signed.
        revocation_mode="hard-fail",
    )


_validation_context.cache_clear = _context_for.cache_clear


@functools.lru_cache(maxsize=4)
def _tsa_trust_roots(path):
    if not path:
        return ()
    from cryptography import x509

    return tuple(x509.load_pem_x509_certificates(Path(path).read_bytes()))
