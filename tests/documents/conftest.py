"""A development signing certificate for the documents tests, made once per session."""

import datetime

import pytest

from documents.certificates import make_development_pkcs12

CERT_PASSWORD = "test-cert-pass"


@pytest.fixture(scope="session")
def certificate_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("certs")


@pytest.fixture(scope="session")
def dev_certificate(certificate_dir):
    """(path, CA certificate) of a valid development PKCS#12."""
    blob, ca_cert = make_development_pkcs12(CERT_PASSWORD)
    path = certificate_dir / "center.p12"
    path.write_bytes(blob)
    return path, ca_cert


@pytest.fixture(scope="session")
def expired_certificate(certificate_dir):
    now = datetime.datetime.now(datetime.UTC)
    blob, _ca = make_development_pkcs12(
        CERT_PASSWORD, not_before=now - datetime.timedelta(days=400), not_after=now - datetime.timedelta(days=1)
    )
    path = certificate_dir / "expired.p12"
    path.write_bytes(blob)
    return path


@pytest.fixture(autouse=True)
def signing_certificate(settings, dev_certificate):
    settings.SIGNING_CERT_PATH = str(dev_certificate[0])
    settings.SIGNING_CERT_PASSWORD = CERT_PASSWORD
    return dev_certificate
