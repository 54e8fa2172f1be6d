"""The transactional outbox: work that follows a state change is saved with the change, handed to
Celery after commit, and relayed later when the broker could not take it. Nothing is sent for a
change that rolled back, and nothing is lost for one that committed while the broker was down."""

import datetime
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from documents import services
from documents.models import Document
from documents.tasks import render_document
from portal import outbox
from portal.models import OutboxMessage
from portal.tasks import relay_outbox

pytestmark = pytest.mark.django_db(transaction=True)

LATER = datetime.timedelta(minutes=1)


def _request_document(staff):
    with transaction.atomic():
        return services.document_request(
            kind=Document.Kind.GUIDANCE_OPINION,
            subject=staff,
            template="pdf/guidance_opinion.html",
            context={"title": "海外知识产权纠纷应对行政指导意见书", "addressee": "山西晋成精密机械有限公司"},
            title="海外知识产权纠纷应对行政指导意见书",
            by=staff,
            number="晋知指意〔2026〕9号",
        )


def test_work_is_handed_to_celery_once_the_change_commits():
    with mock.patch.object(render_document, "apply_async") as send:
        with transaction.atomic():
            message = outbox.enqueue("documents.tasks.render_document", 41)
            send.assert_not_called()  # not before commit: the rows may not exist yet
        send.assert_called_once_with(args=[41])
    message.refresh_from_db()
    assert message.relayed_at is not None and message.attempts == 1 and message.last_error == ""
    with mock.patch.object(render_document, "apply_async") as send:
        assert outbox.relay_pending(now=timezone.now() + LATER) == (0, 0)  # nothing twice
    send.assert_not_called()


def test_a_change_that_rolls_back_sends_nothing():
    with mock.patch.object(render_document, "apply_async") as send:
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue(render_document, 41)
            raise RuntimeError("the change fails")
        assert outbox.relay_pending(now=timezone.now() + LATER) == (0, 0)
    send.assert_not_called()
    assert not OutboxMessage.objects.exists()


def test_a_broker_that_is_down_at_commit_delays_the_work_and_loses_none(staff, caplog):
    with mock.patch.object(render_document, "apply_async", side_effect=BrokerUnavailable("Connection refused")):
        document = _request_document(staff)  # the change is saved: no exception
        message = OutboxMessage.objects.get()
        assert message.task == "documents.tasks.render_document" and message.args == [document.pk]
        assert message.relayed_at is None and "Connection refused" in message.last_error
        assert "waits in the outbox" in caplog.text
        # The broker is still down at the next relay: the message stays, with its attempts counted.
        assert outbox.relay_pending(now=timezone.now() + LATER) == (0, 1)
    message.refresh_from_db()
    assert message.relayed_at is None and message.attempts == 2

    # The broker is back: the relay hands the render over (in-process here) and the document is done.
    OutboxMessage.objects.update(created_at=message.created_at - LATER)
    assert relay_outbox.apply().result == {"relayed": 1, "waiting": 0}
    document.refresh_from_db()
    assert document.status == Document.Status.READY, document.last_error
    assert document.file and document.attempts == 1
    message.refresh_from_db()
    assert message.relayed_at is not None and message.last_error == ""


def test_the_relay_leaves_fresh_messages_to_the_hand_over_and_stops_at_a_refusing_broker():
    with mock.patch.object(render_document, "apply_async", side_effect=BrokerUnavailable("refused")) as send:
        for pk in (1, 2, 3):
            outbox.enqueue(render_document, pk)
        assert send.call_count == 3
        assert outbox.relay_pending() == (0, 3)  # just written: the relay waits RELAY_AFTER
        assert send.call_count == 3
        assert outbox.relay_pending(now=timezone.now() + LATER) == (0, 3)
        assert send.call_count == 4  # one try, then it waits for the next run
    with mock.patch.object(render_document, "apply_async") as send:
        assert outbox.relay_pending(now=timezone.now() + LATER) == (3, 0)
    assert [call.kwargs["args"] for call in send.call_args_list] == [[1], [2], [3]]  # in order


def test_relayed_messages_are_kept_a_while_then_removed():
    with mock.patch.object(render_document, "apply_async"):
        outbox.enqueue(render_document, 5)
    assert outbox.relay_pending(now=timezone.now() + outbox.KEEP_RELAYED - LATER) == (0, 0)
    assert OutboxMessage.objects.count() == 1
    assert outbox.relay_pending(now=timezone.now() + outbox.KEEP_RELAYED + LATER) == (0, 0)
    assert not OutboxMessage.objects.exists()


def test_a_wrong_task_name_or_argument_fails_in_the_callers_transaction():
    with pytest.raises(outbox.UnknownTask):
        outbox.enqueue("documents.tasks.no_such_task", 1)
    with pytest.raises(TypeError):
        outbox.enqueue(render_document, object())
    assert not OutboxMessage.objects.exists()


def test_a_message_whose_task_is_gone_does_not_block_the_others(caplog):
    with mock.patch.object(render_document, "apply_async", side_effect=BrokerUnavailable("refused")):
        outbox.enqueue(render_document, 1)
    OutboxMessage.objects.create(task="documents.tasks.renamed_since", args=[2])
    OutboxMessage.objects.filter(task="documents.tasks.renamed_since").update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with mock.patch.object(render_document, "apply_async") as send:
        assert outbox.relay_pending(now=timezone.now() + LATER) == (1, 1)
    send.assert_called_once_with(args=[1])
    gone = OutboxMessage.objects.get(task="documents.tasks.renamed_since")
    assert gone.relayed_at is None and "UnknownTask" in gone.last_error
    assert "names no task" in caplog.text


def test_a_failing_hand_over_never_raises_after_commit(caplog):
    failing = mock.patch.object(render_document, "apply_async", side_effect=RuntimeError("unexpected"))
    with failing, transaction.atomic():
        outbox.enqueue(render_document, 3)
    assert "hand-over failed" in caplog.text
    assert OutboxMessage.objects.get().relayed_at is None
