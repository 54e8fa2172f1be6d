"""A real Celery worker, in its own process, against the real Redis: the receipt PDF lands."""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from applications.selectors import applicant_of
from applications.services import application_submit
from documents.models import Document
from portal.celery import app as celery_app
from tests.conftest import needs_service
from tests.factories import ApplicationFactory, AttachmentFactory
from tests.portal.test_pdf_pipeline import pdf_text

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(settings):
    needs_service(os.environ.get("REDIS_URL") and connection.vendor == "postgresql", "Redis and PostgreSQL")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        # Every document is signed: the worker signs with the tests' certificate (TSA_URL and its
        # roots come from the test command's environment).
        "SIGNING_CERT_PATH": str(settings.SIGNING_CERT_PATH),
        "SIGNING_CERT_PASSWORD": settings.SIGNING_CERT_PASSWORD,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            "documents,default",
            "-P",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    celery_app.conf.task_always_eager = False
    yield process
    celery_app.conf.task_always_eager = True
    process.terminate()
    process.wait(timeout=20)


def test_the_worker_renders_the_receipt(worker, applicant):
    application = ApplicationFactory(applicant=applicant_of(applicant), created_by=applicant)
    AttachmentFactory(application=application)
    application_submit(application=application, by=applicant)  # enqueues on commit, to Redis

    deadline = time.monotonic() + 90
    receipt = None
    while time.monotonic() < deadline:
        receipt = Document.objects.filter(kind=Document.Kind.RECEIPT, subject_id=application.pk).first()
        if receipt and receipt.status != Document.Status.PENDING:
            break
        assert worker.poll() is None, "the worker exited"
        time.sleep(0.3)
    assert receipt is not None
    assert receipt.status == Document.Status.READY, receipt.last_error
    assert "山西省涉外知识产权指导中心" in pdf_text(receipt)
