"""Named users for every role, so that each permission test reads like a sentence."""

import datetime
import os

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from portal.cache import clear_cache
from portal.roles import Role
from portal.startup import freeze_startup_objects
from tests.factories import ApplicantFactory, PartnerAgencyFactory, UserFactory

SIGNING_CERT_PASSWORD = "test-cert-pass"


def pytest_collection_finish(session):
    """As a started web process does (portal.startup): what collecting loaded (Django, the apps, the
    libraries, every test module) stays out of the garbage collector's full walks from here on. Without
    it, the tests that build many objects pay for walking all of that again and again: the demo data's
    round trip through the audit-log migrations took 145 s without it and 131 s with it, run one after
    the other."""
    freeze_startup_objects()


@pytest.fixture(scope="session")
def certificate_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("certs")


@pytest.fixture(scope="session")
def dev_certificate(certificate_dir):
    """(path, CA certificate) of a development PKCS#12, valid from well before the dates
    that some deadline tests travel back to until ten years ahead. Laid out as
    `manage.py make_dev_certificate` lays it out: the CA's certificate and its key beside it, so
    that the portal publishes the CA's revocation list named in the certificate."""
    from cryptography.hazmat.primitives import serialization
    from django.conf import settings
    from django.urls import reverse

    from documents.certificates import (
        development_ca_key_path,
        make_development_ca,
        make_development_pkcs12,
        write_development_ca_key,
    )

    not_before = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    not_after = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3650)
    ca = make_development_ca(not_before=not_before, not_after=not_after + datetime.timedelta(days=365))
    blob, ca_cert = make_development_pkcs12(
        SIGNING_CERT_PASSWORD,
        not_before=not_before,
        not_after=not_after,
        ca=ca,
        crl_url=settings.SITE_URL + reverse("pki-crl"),
        ca_issuers_url=settings.SITE_URL + reverse("pki-ca-certificate"),
    )
    path = certificate_dir / "center.p12"
    path.write_bytes(blob)
    path.with_suffix(".ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    write_development_ca_key(ca[0], development_ca_key_path(path), SIGNING_CERT_PASSWORD)
    return path, ca_cert


def signing_settings(dev_certificate):
    """The settings that name the center's certificate (`dev_certificate`) and its password."""
    return {"SIGNING_CERT_PATH": str(dev_certificate[0]), "SIGNING_CERT_PASSWORD": SIGNING_CERT_PASSWORD}


@pytest.fixture(autouse=True)
def signing_certificate(settings, dev_certificate):
    """Documents are issued under the center's signature: every test has a certificate."""
    for name, value in signing_settings(dev_certificate).items():
        setattr(settings, name, value)
    return dev_certificate


@pytest.fixture(scope="session")
def demo_seal_uri():
    """The demonstration seal (demo/seal.py) as the data URI documents embed: the SVG drawing
    rasterised as a configured SVG seal is."""
    from demo.seal import demo_seal_svg
    from documents.pdf import seal_png_uri

    return seal_png_uri(demo_seal_svg("山西省涉外知识产权指导中心").encode(), True)


def seal_documents(patch, demo_seal_uri):
    """Documents rendered under `patch` (a pytest MonkeyPatch) carry the center's configured seal,
    or else the demonstration seal."""
    from documents import pdf

    configured = pdf.seal_data_uri
    patch.setattr(pdf, "seal_data_uri", lambda config: configured(config) or demo_seal_uri)


@pytest.fixture(autouse=True)
def _documents_carry_the_demo_seal(monkeypatch, demo_seal_uri):
    """Every document rendered in a test carries a seal, as every issued document does. A test that
    wants no seal patches documents.pdf.seal_data_uri to return ""."""
    seal_documents(monkeypatch, demo_seal_uri)


@pytest.fixture(autouse=True)
def _isolated_cache_and_media(settings, tmp_path):
    clear_cache()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    clear_cache()


@pytest.fixture
def made_each_time(settings):
    """What making each page costs: a page once made is kept for its visitor until something on it
    changes (portal.page_cache, tests/portal/test_page_cache.py). Query-count tests pin the making."""
    settings.PAGE_CACHE = False


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the portal's language: a request in English activates English for the
    rest of its thread (the locale middleware never switches back), which would leak into the next
    test's messages."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _second_factor_with_force_login(monkeypatch):
    """`client.force_login(user)` of a user who must use a second factor also verifies the session
    with the user's authenticator (created if missing), just now, as the login's code step would.
    `force_login(user, second_factor=False)` leaves the session unverified."""
    from django.test import Client

    from tests.twofactor import verify_client_session

    original = Client.force_login

    def force_login(self, user, backend=None, *, second_factor=True):
        original(self, user, backend)
        if second_factor:
            verify_client_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def applicant_org(db):
    return ApplicantFactory(name="山西晋成精密机械有限公司", name_en="Shanxi Jincheng Precision Machinery Co., Ltd.")


@pytest.fixture
def applicant(applicant_org):
    return UserFactory(full_name="王丽", applicant=applicant_org, roles=[Role.APPLICANT])


@pytest.fixture
def other_applicant(db):
    return UserFactory(full_name="钱多", applicant=ApplicantFactory(name="大同另一家公司"), roles=[Role.APPLICANT])


@pytest.fixture
def staff(center_permissions):
    return UserFactory(full_name="李明", is_staff=True, roles=[Role.STAFF])


@pytest.fixture
def director(center_permissions):
    return UserFactory(full_name="赵建国", is_staff=True, roles=[Role.DIRECTOR, Role.STAFF])


@pytest.fixture
def deputy(center_permissions):
    return UserFactory(full_name="孙红", is_staff=True, roles=[Role.DEPUTY, Role.STAFF])


@pytest.fixture
def agency(db):
    return PartnerAgencyFactory(code="commerce", name="山西省商务厅", short_name="省商务厅")


@pytest.fixture
def other_agency(db):
    return PartnerAgencyFactory(code="customs", name="中华人民共和国太原海关", short_name="太原海关")


@pytest.fixture
def agency_user(agency):
    return UserFactory(full_name="陈静", agency=agency, roles=[Role.AGENCY])


@pytest.fixture
def other_agency_user(other_agency):
    return UserFactory(full_name="刘洋", agency=other_agency, roles=[Role.AGENCY])


@pytest.fixture
def expert_user(db):
    return UserFactory(full_name="吴志远", roles=[Role.EXPERT])


@pytest.fixture
def center_permissions(db):
    """Give the center's groups their admin permissions, as seed_demo does."""
    from portal.groups import ensure_groups, grant_center_permissions

    ensure_groups()
    grant_center_permissions()


def needs_service(available, what):
    """Skip a test whose service is missing in a developer's quick run; in the README's test
    command (REQUIRE_SERVICES=1) a missing service is a failure, never a silent skip."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(f"{what} is required by the test command but not available")
    pytest.skip(f"{what} not available in this quick run")


@pytest.fixture
def postgres_only(db):
    from django.db import connection

    needs_service(connection.vendor == "postgresql", "PostgreSQL")
