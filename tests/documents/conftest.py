"""Certificates for the documents tests beyond the valid one every test gets (tests/conftest.py), and
applications submitted as an applicant types them."""

import datetime

import pytest

from applications import services as application_services
from documents.certificates import make_development_pkcs12
from tests.applications.factories import complete_draft
from tests.conftest import SIGNING_CERT_PASSWORD as CERT_PASSWORD
from tests.documents.case_documents import TIGHT_APPLICATION

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


@pytest.fixture
def submitted(applicant, django_capture_on_commit_callbacks):
    """Submit a new application, written as an applicant types it, through the service (with its
    receipt rendered); call it once per application."""

    def submit():
        with django_capture_on_commit_callbacks(execute=True):
            return application_services.application_submit(
                application=complete_draft(applicant, **TIGHT_APPLICATION), by=applicant
            )

    return submit
