"""Certificates for the documents tests beyond the valid one every test gets (tests/conftest.py)."""

import datetime

import pytest

from documents.certificates import make_development_pkcs12
from tests.conftest import SIGNING_CERT_PASSWORD as CERT_PASSWORD

__all__ = ["CERT_PASSWORD"]


@pytest.fixture(scope="session")
def expired_certificate(certificate_dir):
    now = datetime.datetime.now(datetime.UTC)
    blob, _ca = make_development_pkcs12(
        CERT_PASSWORD, not_before=now - datetime.timedelta(days=400), not_after=now - datetime.timedelta(days=1)
    )
    path = certificate_dir / "expired.p12"
    path.write_bytes(blob)
    return path
