"""What the public verification page says about a PDF: its embedded signature, checked against
the center's trust anchors only, next to the record of the issued document; and what it tells
readers about the center's certificate (the trust list, or the development root to install)."""

import ipaddress
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from documents.signature_check import center_trust_roots, check_signature, timestamp_trust_roots
from portal.storage import stored_bytes

# The stored file of an issued document never changes: its check is kept for an hour, so that
# looking up a code does not validate the same signature again and again.
ISSUED_CHECK_SECONDS = 3600

# Hosts of a developer's own machine: the only ones documents may be issued under without https.
_DEVELOPMENT_HOSTS = {"localhost", "testserver"}

logger = logging.getLogger(__name__)


def max_upload_bytes():
    return settings.VERIFY_MAX_UPLOAD_MB * 1024 * 1024


def check_upload(data):
    """The signature check of an uploaded file (bytes, already within the upload size limit)."""
    return check_signature(data, trust_roots=center_trust_roots(), timestamp_roots=timestamp_trust_roots())


def check_issued(document):
    """The signature check of the issued file of `document`, or None when it has no file."""
    if not document.file:
        return None
    key = f"documents:verify:signature:v2:{document.sha256}"
    result = cache.get(key)
    if result is None:
        try:
            data = stored_bytes(document.file)  # on disk or in the bucket
        except OSError:
            logger.warning("verification: the issued file of document %s cannot be read", document.pk)
            return None
        result = check_upload(data)
        cache.set(key, result, ISSUED_CHECK_SECONDS)
    return result


def trust_statement():
    """One sentence for readers (the verification page, a document's verification note): which
    trust list the center's certificate chains to, or that it chains to a development root that a
    reader must add to the PDF reader by hand."""
    if settings.SIGNING_TRUST_LIST:
        return _("本中心的签名证书链接到“%(list)s”中的根证书，PDF 阅读器可据此直接核验签名。") % {
            "list": settings.SIGNING_TRUST_LIST
        }
    return _(
        "本中心目前使用的是开发用根证书，不在任何信任列表中："
        "请先从核验页面下载该根证书并添加到 PDF 阅读器的可信证书中，阅读器才会显示签名有效。"
    )


def public_address_problem(url=None):
    """Why documents may not be issued under the public address `url` (SITE_URL), or None.

    Their QR code and verification link lead there for as long as the document exists: an https
    address, or a developer's own machine (loopback, localhost, the test client). Production
    refuses to start without https (portal.settings); this check stops issuing too, wherever
    SITE_URL came from."""
    url = settings.SITE_URL if url is None else url
    parts = urlsplit(url or "")
    if parts.scheme == "https" and parts.hostname:
        return None
    host = parts.hostname or ""
    if parts.scheme == "http" and (host in _DEVELOPMENT_HOSTS or _is_loopback(host)):
        return None
    message = _(
        "平台公开地址（SITE_URL）“%(url)s”不是 https 地址，文书上的二维码和核验链接将指向它，"
        "不能签发文书。请联系系统管理员。"
    )
    return message % {"url": url}


def _is_loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_public_address():
    """Raise ValidationError (code "site_url_not_https") when documents may not be issued under
    the current SITE_URL; for the issuing service, before anything is numbered."""
    problem = public_address_problem()
    if problem:
        raise ValidationError(problem, code="site_url_not_https")
