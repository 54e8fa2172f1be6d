"""The demo data seeded once for a whole test module, for the modules whose every test walks it (the
access walk, the URL fuzzing): seeding it takes some ten seconds, most of it rendering its documents.

The data is written in a transaction that is rolled back when the module's last test has run; each
test runs in a savepoint inside it (pytest-django's `db`), so what one test changes is gone for the
next, as if it had seeded its own copy. The documents' files are kept in a folder of the module's, which
a test using the data takes as its MEDIA_ROOT.
"""

import io

import pytest
from django.db import transaction
from django.test import override_settings

from portal.cache import clear_cache
from tests.conftest import seal_documents, signing_settings


@pytest.fixture(scope="module")
def demo_data_once(django_db_setup, django_db_blocker, dev_certificate, demo_seal_uri, tmp_path_factory):
    """The demo data, for the module; its media folder. As every test has them (tests/conftest.py):
    the center's certificate and the demonstration seal on the documents."""
    from demo.seed import seed_all

    media = tmp_path_factory.mktemp("demo-media")
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as patch,
        override_settings(MEDIA_ROOT=media, **signing_settings(dev_certificate)),
    ):
        seal_documents(patch, demo_seal_uri)
        clear_cache()
        with transaction.atomic():
            seed_all(io.StringIO())
            yield media
            transaction.set_rollback(True)


@pytest.fixture
def demo_data(demo_data_once, settings):
    """The module's demo data for one test, whose files are where the test looks for them."""
    settings.MEDIA_ROOT = demo_data_once
    return demo_data_once
