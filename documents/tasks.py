from botocore.exceptions import BotoCoreError
from celery import shared_task
from django.db import InterfaceError, OperationalError

from documents import services
from documents.pdf import release_memory

# How long a case file waits for the documents it lists to be rendered: 20 tries, 15 s apart.
WAIT_FOR_SOURCES_TRIES = 20
WAIT_FOR_SOURCES_SECONDS = 15

# Failures that pass: the file system or a connection (PostgreSQL restarted or failed over, a
# connection cut). The render is retried with backoff instead of leaving the document failed,
# or pending with nobody looking at it when even recording the failure was impossible.
# A bucket that cannot be reached (botocore's errors are not OSErrors) is as passing as a database restart.
TRANSIENT_ERRORS = (OSError, ConnectionError, OperationalError, InterfaceError, BotoCoreError)


@shared_task(
    bind=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
)
def render_document(self, document_id):
    """Render a document's PDF. Idempotent: see documents.services.document_render.
    A case file first waits (a while, not for ever) for the documents it lists; run in
    process (no worker), the documents issued before it have already been rendered."""
    wait = not self.request.is_eager and self.request.retries < WAIT_FOR_SOURCES_TRIES
    try:
        services.document_render(document_id=document_id, wait_for_sources=wait)
    except services.SourcesNotReady as exc:
        raise self.retry(exc=exc, countdown=WAIT_FOR_SOURCES_SECONDS, max_retries=WAIT_FOR_SOURCES_TRIES) from exc
    except TRANSIENT_ERRORS:
        raise  # transient: retried with backoff
    except Exception:
        # Not transient (bad template data, missing font): the row records the failure
        # and staff retry from the admin once the cause is fixed.
        return "failed"
    finally:
        release_memory()
    return "ready"


@shared_task
def requeue_stuck_documents():
    """Periodic (celery beat): queue again the renders left pending past DOCUMENT_STUCK_MINUTES
    (a killed worker, a broker down when they were queued). Safe to run twice: the render is
    idempotent and a requeue is recorded, so the next run waits the full limit again."""
    requeued, failed = services.document_requeue_stuck()
    return {"requeued": requeued, "failed": failed}
