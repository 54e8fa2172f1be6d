"""Files in an S3-compatible bucket (S3_BUCKET) work as on local disk: uploads and issued
documents are written to the bucket and read back only through the access-checked views; a
redirect to a short-lived signed URL replaces the stream when PRIVATE_FILE_DELIVERY=redirect; the
orphan sweep and the import jobs list, read and remove keys in the bucket.

Run against the S3-compatible server the test command starts (moto in server mode,
TEST_S3_ENDPOINT_URL); each test gets a bucket of its own. Moto checks neither the signature nor
the expiry of a signed URL (it refuses only an unsigned request for a private object): the
signature is therefore verified here as S3 itself would (AWS Signature Version 4, query string),
and the expiry is read from the signed parameters."""

import datetime
import hashlib
import hmac
import io
import os
import subprocess
import sys
import time
import uuid
from urllib.parse import parse_qsl, quote, urlsplit

import boto3
import pytest
import urllib3
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from applications import services as application_services
from applications.models import Attachment
from cases.opinions.services import opinion_review, opinion_sign, opinion_submit
from documents.models import Document
from documents.verification import check_issued
from experts.models import Expert
from portal import jobs, jobs_imports
from portal.celery import app as celery_app
from portal.files import orphan_files_remove, swept_folders
from portal.models import Job
from portal.storage import stored_files
from tests.applications.factories import PDF_BYTES, AttachmentFactory, complete_draft, upload
from tests.conftest import needs_service
from tests.documents.factories import make_case, make_opinion

pytestmark = pytest.mark.django_db

ACCESS_KEY, SECRET_KEY, REGION = "portal-test", "portal-test-secret", "us-east-1"
EVIDENCE = b"%PDF-1.4\n% evidence kept in the bucket " + uuid.uuid4().hex.encode() + b"\n" + PDF_BYTES


def _get(url):
    """A plain GET, as a browser following the redirect makes it (no AWS credentials)."""
    return urllib3.request("GET", url, timeout=10, retries=False, redirect=False)


def _endpoint():
    endpoint = os.environ.get("TEST_S3_ENDPOINT_URL", "")
    available = False
    if endpoint:
        try:
            available = _get(endpoint).status == 200
        except urllib3.exceptions.HTTPError:
            available = False
    needs_service(available, f"The S3-compatible server (TEST_S3_ENDPOINT_URL={endpoint!r})")
    return endpoint


class Bucket:
    def __init__(self, client, name, endpoint):
        self.client, self.name, self.endpoint = client, name, endpoint

    def keys(self, prefix=""):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def read(self, key):
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def put(self, key, data=b"x"):
        self.client.put_object(Bucket=self.name, Key=key, Body=data)


@pytest.fixture
def bucket(settings, tmp_path):
    """A fresh private bucket, and the default storage switched to it (as S3_BUCKET does)."""
    endpoint = _endpoint()
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    name = f"portal-test-{uuid.uuid4().hex[:16]}"
    client.create_bucket(Bucket=name)
    # Setting STORAGES resets Django's storage handler and the lazy default storage that every
    # FileField holds (django.test.signals.storages_changed): the fields write to the bucket.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": endpoint,
                "region_name": REGION,
                "access_key": ACCESS_KEY,
                "secret_key": SECRET_KEY,
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
                "addressing_style": "path",
                "signature_version": "s3v4",
            },
        },
    }
    settings.S3_SIGNED_URL_SECONDS = 60
    settings.PRIVATE_FILE_DELIVERY = "stream"
    settings.MEDIA_ROOT = tmp_path / "media-unused"
    yield Bucket(client, name, endpoint)
    for key in Bucket(client, name, endpoint).keys(""):
        client.delete_object(Bucket=name, Key=key)
    client.delete_bucket(Bucket=name)


def _body(response):
    return b"".join(response.streaming_content)


def _nothing_on_disk(settings):
    media = settings.MEDIA_ROOT
    return not media.exists() or not any(path.is_file() for path in media.rglob("*"))


def test_evidence_uploaded_by_the_applicant_is_kept_in_the_bucket_and_staff_download_it(
    client, settings, bucket, applicant, staff
):
    draft = complete_draft(applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("applications:evidence", args=[draft.pk]),
        {"category": "legal_papers", "files": [upload("律师函.pdf", EVIDENCE)]},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(original_name="律师函.pdf")
    assert attachment.file.name in bucket.keys("evidence/")
    assert bucket.read(attachment.file.name) == EVIDENCE
    assert _nothing_on_disk(settings)

    application_services.application_submit(application=draft, by=applicant)
    client.force_login(staff)
    response = client.get(reverse("applications:attachment_download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(EVIDENCE))
    assert response["Content-Disposition"] == content_disposition_header(True, "律师函.pdf")
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "private, no-store"
    assert _body(response) == EVIDENCE


def test_a_file_missing_from_the_bucket_is_a_404_not_an_error(client, bucket, applicant):
    draft = complete_draft(applicant)
    attachment = draft.attachments.get()
    bucket.client.delete_object(Bucket=bucket.name, Key=attachment.file.name)
    client.force_login(applicant)
    assert client.get(reverse("applications:attachment_download", args=[draft.pk, attachment.pk])).status_code == 404


@pytest.fixture
def signed(bucket, applicant_org, staff, director, django_capture_on_commit_callbacks):
    """A guidance opinion rendered and signed (the render task runs in-process here, as the worker
    would run it): its PDF is written to the bucket."""
    case = make_case(applicant_org=applicant_org, by=staff)
    opinion = make_opinion(case, staff)
    opinion_submit(opinion=opinion, by=staff)
    opinion_review(opinion=opinion, by=staff, approve=True)
    with django_capture_on_commit_callbacks(execute=True):
        opinion_sign(opinion=opinion, by=director)
    opinion.refresh_from_db()
    document = opinion.document
    assert document.status == Document.Status.READY, document.last_error
    return document


def test_a_signed_document_lands_in_the_bucket_and_only_its_reader_downloads_it(
    client, settings, bucket, signed, applicant, other_applicant
):
    assert signed.file.name.startswith("documents/") and signed.file.name in bucket.keys("documents/")
    stored = bucket.read(signed.file.name)
    assert stored.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() == signed.sha256
    assert _nothing_on_disk(settings)
    # The public verification page checks the signature of the issued file read from the bucket.
    assert check_issued(signed).state == "valid"

    url = reverse("documents:download", args=[signed.pk])
    client.force_login(applicant)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert _body(response) == stored

    client.force_login(other_applicant)
    assert client.get(url).status_code == 404


def _signing_key(secret, day, region, service):
    key = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _sigv4_query_signature(url, secret):
    """The signature S3 expects for a presigned GET `url` (AWS Signature Version 4 in the query
    string, unsigned payload), computed from the URL and the secret alone."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    query = sorted((k, v) for k, v in params if k != "X-Amz-Signature")
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in query)
    canonical = "\n".join(
        [
            "GET",
            quote(parts.path, safe="/-_.~%"),
            canonical_query,
            f"host:{parts.netloc}",
            "",
            "host",
            "UNSIGNED-PAYLOAD",
        ]
    )
    given = dict(params)
    _access, day, region, service, _end = given["X-Amz-Credential"].split("/")
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            given["X-Amz-Date"],
            f"{day}/{region}/{service}/aws4_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    return hmac.new(_signing_key(secret, day, region, service), to_sign.encode(), hashlib.sha256).hexdigest()


def test_in_redirect_mode_the_view_answers_with_a_signed_url_valid_for_a_minute(
    client, settings, bucket, signed, applicant, other_applicant
):
    settings.PRIVATE_FILE_DELIVERY = "redirect"
    url = reverse("documents:download", args=[signed.pk])
    client.force_login(other_applicant)
    assert client.get(url).status_code == 404  # the access check comes first: no URL for outsiders

    client.force_login(applicant)
    before = timezone.now().replace(microsecond=0)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store" and response["Referrer-Policy"] == "no-referrer"
    location = response["Location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}" == bucket.endpoint
    assert parts.path == f"/{bucket.name}/{quote(signed.file.name)}"
    params = dict(parse_qsl(parts.query))
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert params["X-Amz-Credential"].startswith(f"{ACCESS_KEY}/") and params["X-Amz-SignedHeaders"] == "host"
    assert params["X-Amz-Expires"] == "60"
    signed_at = datetime.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    assert before <= signed_at <= timezone.now()  # valid from now for 60 s, no longer
    assert params["response-content-type"] == "application/pdf"
    disposition = params["response-content-disposition"]
    assert disposition.startswith("attachment; filename")
    # The signature is the one S3 computes with the portal's secret; any change to the URL breaks it.
    assert params["X-Amz-Signature"] == _sigv4_query_signature(location, SECRET_KEY)
    tampered = location.replace("X-Amz-Expires=60", "X-Amz-Expires=86400")
    assert _sigv4_query_signature(tampered, SECRET_KEY) != params["X-Amz-Signature"]

    # The browser follows the signed URL to the bucket and gets the file, named and typed.
    answer = _get(location)
    assert answer.status == 200
    assert answer.data == bucket.read(signed.file.name)
    assert answer.headers["Content-Disposition"] == disposition
    assert answer.headers["Content-Type"] == "application/pdf"

    # The bare address of the object, without a signature, is refused: the bucket is private.
    assert _get(f"{parts.scheme}://{parts.netloc}{parts.path}").status == 403


def test_redirect_mode_on_local_disk_still_streams(client, settings, applicant):
    settings.PRIVATE_FILE_DELIVERY = "redirect"
    draft = complete_draft(applicant)
    attachment = draft.attachments.get()
    client.force_login(applicant)
    response = client.get(reverse("applications:attachment_download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 200 and _body(response) == attachment.file.read()


def test_the_orphan_sweep_removes_old_unreferenced_keys_and_keeps_referenced_ones(bucket, caplog):
    assert any(label.startswith(f"s3://{bucket.name}") for label in swept_folders())
    kept = AttachmentFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = AttachmentFactory()  # written to the bucket, then its row rolled back
        raise RuntimeError("the request failed after the file was written")
    assert {kept.file.name, lost.file.name} <= bucket.keys("evidence/")
    bucket.put("documents/2026/guidance_opinion-7-v1.pdf")  # a render whose row never committed
    bucket.put("exports/report.pdf")  # no model writes there

    assert orphan_files_remove() == []  # all of them are fresh: their transactions may still commit

    later = timezone.now() + datetime.timedelta(hours=2)
    removed = orphan_files_remove(now=later)
    assert sorted(removed) == sorted([lost.file.name, "documents/2026/guidance_opinion-7-v1.pdf"])
    keys = bucket.keys()
    assert kept.file.name in keys and "exports/report.pdf" in keys
    assert lost.file.name not in keys and "documents/2026/guidance_opinion-7-v1.pdf" not in keys
    assert f"Removed orphan file {lost.file.name}" in caplog.text
    assert orphan_files_remove(now=later) == []


def test_stored_files_lists_a_bucket_folder_with_dates_and_sizes(bucket):
    bucket.put("evidence/1/a.pdf", b"12345")
    bucket.put("evidence/2/deep/b.pdf", b"1")
    bucket.put("evidence-other/c.pdf")
    found = {stored.name: stored for stored in stored_files(default_storage, "evidence")}
    assert set(found) == {"evidence/1/a.pdf", "evidence/2/deep/b.pdf"}
    assert found["evidence/1/a.pdf"].size == 5
    assert abs(found["evidence/1/a.pdf"].modified - timezone.now()) < datetime.timedelta(minutes=5)


EXPERTS_CSV = "姓名,工作单位,熟悉的国家/地区\n林静,上海某律师事务所,美国\n高远,北京某研究院,德国、日本\n"


def test_an_import_job_reads_its_upload_from_the_bucket(
    client, settings, bucket, staff, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    response = client.post(
        reverse("admin:experts_expert_import"),
        {"resource": 0, "format": 0, "import_file": SimpleUploadedFile("experts.csv", EXPERTS_CSV.encode())},
    )
    assert response.status_code == 200
    form = response.context["confirm_form"]
    key = f"{jobs_imports.UPLOAD_FOLDER}/{form.initial['import_file_name']}"
    assert bucket.keys(jobs_imports.UPLOAD_FOLDER) == {key}
    assert bucket.read(key) == EXPERTS_CSV.encode()
    assert _nothing_on_disk(settings)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:experts_expert_process_import"), form.initial)
    job = Job.objects.get()
    assert job.status == Job.Status.SUCCEEDED, job.last_error
    assert set(Expert.objects.values_list("name", flat=True)) == {"林静", "高远"}
    assert bucket.keys(jobs_imports.UPLOAD_FOLDER) == set()  # read from the bucket, then removed


def test_previews_never_confirmed_are_swept_from_the_bucket_after_a_day(client, bucket, staff):
    client.force_login(staff)
    client.post(
        reverse("admin:experts_expert_import"),
        {"resource": 0, "format": 0, "import_file": SimpleUploadedFile("experts.csv", EXPERTS_CSV.encode())},
    )
    (unconfirmed,) = bucket.keys(jobs_imports.UPLOAD_FOLDER)
    kept = f"{jobs_imports.UPLOAD_FOLDER}/kept"
    bucket.put(kept)
    jobs.start(
        kind=jobs_imports.KIND,
        label="导入专家",
        params={"model": "experts.expert", "resource": 0, "format": 0, "file": "kept", "file_name": "x.csv"},
        by=staff,
    )
    assert jobs_imports.unconfirmed_uploads_remove() == 0  # not a day old yet
    assert jobs_imports.unconfirmed_uploads_remove(now=timezone.now() + datetime.timedelta(days=2)) == 1
    assert bucket.keys(jobs_imports.UPLOAD_FOLDER) == {kept}
    assert unconfirmed != kept


def test_media_to_storage_copies_the_disk_files_into_the_bucket_once_and_never_overwrites(settings, bucket):
    media = settings.MEDIA_ROOT
    (media / "evidence" / "7").mkdir(parents=True)
    (media / "evidence" / "7" / "营业执照.pdf").write_bytes(EVIDENCE)
    (media / "documents" / "2026").mkdir(parents=True)
    (media / "documents" / "2026" / "receipt-1-v1.pdf").write_bytes(PDF_BYTES)
    out = io.StringIO()
    call_command("media_to_storage", stdout=out)
    assert "2 copied, 0 already there, 0 conflicting" in out.getvalue()
    assert bucket.read("evidence/7/营业执照.pdf") == EVIDENCE
    assert bucket.read("documents/2026/receipt-1-v1.pdf") == PDF_BYTES

    out = io.StringIO()
    call_command("media_to_storage", "--verify", stdout=out)  # run again: nothing to do
    assert "0 copied, 2 already there, 0 conflicting" in out.getvalue()

    bucket.put("documents/2026/receipt-2-v1.pdf", b"what the bucket already holds")
    (media / "documents" / "2026" / "receipt-2-v1.pdf").write_bytes(b"something else")
    with pytest.raises(CommandError, match="1 file"):
        call_command("media_to_storage", stdout=io.StringIO())
    assert bucket.read("documents/2026/receipt-2-v1.pdf") == b"what the bucket already holds"
    assert (media / "evidence" / "7" / "营业执照.pdf").exists()  # the disk copy stays


def test_media_to_storage_refuses_to_copy_a_folder_onto_itself(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(CommandError, match="S3_BUCKET"):
        call_command("media_to_storage", stdout=io.StringIO())


@pytest.fixture
def bucket_worker(settings, bucket):
    """A real Celery worker in its own process, configured for the bucket by the S3_* variables
    alone, as a worker on another machine would be."""
    needs_service(os.environ.get("REDIS_URL") and connection.vendor == "postgresql", "Redis and PostgreSQL")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # must stay empty: the worker writes to the bucket
        "S3_BUCKET": bucket.name,
        "S3_ENDPOINT_URL": bucket.endpoint,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "SIGNING_CERT_PATH": str(settings.SIGNING_CERT_PATH),
        "SIGNING_CERT_PASSWORD": settings.SIGNING_CERT_PASSWORD,
    }
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", "documents,default", "-P", "solo"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"]
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)
    celery_app.conf.task_always_eager = False
    yield process
    celery_app.conf.task_always_eager = True
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_document_the_worker_writes_to_the_bucket_is_downloaded_through_the_web(
    client, settings, bucket, bucket_worker, applicant
):
    application = complete_draft(applicant)
    application_services.application_submit(application=application, by=applicant)  # the receipt, to Redis
    deadline = time.monotonic() + 120
    receipt = None
    while time.monotonic() < deadline:
        receipt = Document.objects.filter(kind=Document.Kind.RECEIPT, subject_id=application.pk).first()
        if receipt and receipt.status != Document.Status.PENDING:
            break
        assert bucket_worker.poll() is None, "the worker exited"
        time.sleep(0.3)
    assert receipt is not None and receipt.status == Document.Status.READY, receipt and receipt.last_error
    assert receipt.file.name in bucket.keys("documents/")
    assert _nothing_on_disk(settings)
    client.force_login(applicant)
    response = client.get(reverse("documents:download", args=[receipt.pk]))
    assert response.status_code == 200
    body = _body(response)
    assert body.startswith(b"%PDF") and hashlib.sha256(body).hexdigest() == receipt.sha256
