"""What the public verification page says about a PDF: its embedded signature, checked against
the center's own root certificate only, next to the record of the issued document."""

import logging

from django.core.cache import cache

from documents.signature_check import center_trust_roots, check_signature

# The stored file of an issued document never changes: its check is kept for an hour, so that
# looking up a code does not validate the same signature again and again.
ISSUED_CHECK_SECONDS = 3600

logger = logging.getLogger(__name__)


def check_upload(data):
    """The signature check of an uploaded file (bytes, already within the upload size limit)."""
    return check_signature(data, trust_roots=center_trust_roots())


def check_issued(document):
    """The signature check of the issued file of `document`, or None when it has no file."""
    if not document.file:
        return None
    key = f"documents:verify:signature:{document.sha256}"
    result = cache.get(key)
    if result is None:
        try:
            with document.file.open("rb") as handle:
                data = handle.read()
        except OSError:
            logger.warning("verification: the issued file of document %s cannot be read", document.pk)
            return None
        result = check_upload(data)
        cache.set(key, result, ISSUED_CHECK_SECONDS)
    return result
