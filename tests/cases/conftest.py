"""Letters are issued under the center's signature: give the case tests a development certificate."""

import datetime

import pytest

from documents.certificates import make_development_pkcs12

CERT_PASSWORD = "cases-cert-pass"


@pytest.fixture(scope="session")
def case_signing_certificate(tmp_path_factory):
    # Valid from well before the dates some deadline tests travel back to.
    now = datetime.datetime.now(datetime.UTC)
    blob, _ca = make_development_pkcs12(
        CERT_PASSWORD,
        not_before=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        not_after=now + datetime.timedelta(days=3650),
    )
    path = tmp_path_factory.mktemp("case-certs") / "center.p12"
    path.write_bytes(blob)
    return path


@pytest.fixture(autouse=True)
def _signing_certificate(settings, case_signing_certificate):
    settings.SIGNING_CERT_PATH = str(case_signing_certificate)
    settings.SIGNING_CERT_PASSWORD = CERT_PASSWORD
