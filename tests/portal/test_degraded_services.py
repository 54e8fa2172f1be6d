"""Redis down: the broker and the cache are optimisations of a saved change, never conditions
for it. A submission is saved and answered normally, its receipt follows once the sweeper
requeues it; the site reads its settings from the database; the public verification page
still answers. The broker's visibility timeout follows the task time limit."""

import datetime
import json
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache.backends.base import BaseCache
from django.test import override_settings
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerUnavailable

from applications.models import Application
from documents.models import Document
from documents.services import document_requeue_stuck
from documents.tasks import render_document
from portal.models import SiteConfiguration
from portal.tasks_util import enqueue
from tests.applications.factories import submit_on_the_review_page


class DeadCache(BaseCache):
    """A cache server that has gone away: every command fails to connect."""

    def __init__(self, location, params):
        super().__init__(params)

    def _refuse(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis:6379. Connection refused.")

    get = set = add = incr = delete = get_many = set_many = delete_many = has_key = touch = _refuse

    def clear(self):
        pass


DEAD_CACHE = {"default": {"BACKEND": "tests.portal.test_degraded_services.DeadCache"}}


@pytest.mark.django_db
def test_a_broker_that_is_down_after_commit_is_logged_and_the_sweeper_renders_the_receipt(
    client, applicant, django_capture_on_commit_callbacks, caplog
):
    with mock.patch.object(render_document, "apply_async", side_effect=BrokerUnavailable("Connection refused")):
        response, application = submit_on_the_review_page(client, applicant, django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response.url == reverse("applications:detail", args=[application.pk])
    assert application.status == Application.Status.SUBMITTED and application.number
    assert "Broker unavailable" in caplog.text
    assert Document.objects.filter(status=Document.Status.PENDING).exists()
    # The applicant's page shows the submission as it is (the receipt follows).
    assert client.get(response.url).status_code == 200

    # The broker is back; once the documents count as stuck the sweeper queues them again.
    with django_capture_on_commit_callbacks(execute=True):
        requeued, failed = document_requeue_stuck(older_than=datetime.timedelta(0))
    assert requeued >= 1 and failed == 0
    assert not Document.objects.exclude(status=Document.Status.READY).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("error", [BrokerUnavailable("refused"), ConnectionResetError("reset"), OSError("no route")])
def test_enqueue_never_raises_after_commit(error, caplog):
    from django.db import transaction

    task = mock.Mock(name="task", **{"apply_async.side_effect": error})
    task.name = "documents.tasks.render_document"
    with transaction.atomic():
        enqueue(task, 7)
    task.apply_async.assert_called_once_with(args=(7,), kwargs={})
    assert "documents.tasks.render_document(7,) not queued" in caplog.text


@pytest.mark.django_db
def test_the_site_reads_its_settings_from_the_database_when_the_cache_is_down(client, caplog):
    SiteConfiguration.objects.update_or_create(pk=1, defaults={"hotline": "0351-99999"})
    with override_settings(CACHES=DEAD_CACHE):
        assert SiteConfiguration.get().hotline == "0351-99999"
        response = client.get(reverse("portal:home"))
        config = SiteConfiguration.get()
        config.hotline = "0351-88888"
        config.save()  # the change is saved even though the cache cannot be cleared
    assert response.status_code == 200
    assert "0351-99999" in response.content.decode()
    assert SiteConfiguration.objects.get(pk=1).hotline == "0351-88888"
    assert "Cache unavailable" in caplog.text


@pytest.mark.django_db
def test_an_application_is_submitted_normally_when_the_cache_is_down(
    client, applicant, django_capture_on_commit_callbacks
):
    with override_settings(CACHES=DEAD_CACHE):
        response, application = submit_on_the_review_page(client, applicant, django_capture_on_commit_callbacks)
        detail = client.get(response.url)
    assert response.status_code == 302 and application.status == Application.Status.SUBMITTED
    assert detail.status_code == 200 and application.number in detail.content.decode()
    assert Document.objects.filter(status=Document.Status.READY).exists()  # the receipt was rendered


@pytest.mark.django_db
def test_the_verification_page_answers_when_the_rate_limit_cannot_count(client, caplog):
    with override_settings(CACHES=DEAD_CACHE):
        response = client.get(reverse("documents:verify_code", args=["23456789AB"]))
    assert response.status_code == 404  # an unknown code, answered as such: not a 429, not a 500
    assert "Rate limit verify not counted" in caplog.text


def _production_setting(expression, **env):
    """A value of portal.settings as a production process computes it from its environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_TASK_TIME_LIMIT"}}
    result = subprocess.run(
        [sys.executable, "-c", f"import json, portal.settings as s; print(json.dumps({expression}))"],
        cwd=settings.BASE_DIR,
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_broker_visibility_timeout_follows_the_task_time_limit():
    """A killed worker's task comes back after the visibility timeout: a minute after the longest
    a task may run, not Redis's default hour."""
    assert _production_setting("s.CELERY_BROKER_TRANSPORT_OPTIONS") == {
        "visibility_timeout": 360,
        "unacked_mutex_expire": 60,
    }
    options = _production_setting("s.CELERY_BROKER_TRANSPORT_OPTIONS", CELERY_TASK_TIME_LIMIT="900")
    assert options["visibility_timeout"] == 960


def test_a_dead_redis_cache_fails_fast():
    options = _production_setting('s.CACHES["default"]["OPTIONS"]', REDIS_URL="redis://cache.internal:6379/0")
    assert options["socket_connect_timeout"] <= 1 and options["socket_timeout"] <= 1
