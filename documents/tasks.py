from celery import shared_task

from documents import services


@shared_task(
    bind=True,
    autoretry_for=(OSError, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def render_document(self, document_id):
    """Render a document's PDF. Idempotent: see documents.services.document_render."""
    try:
        services.document_render(document_id=document_id)
    except (OSError, ConnectionError):
        raise  # transient: retried with backoff
    except Exception:
        # Not transient (bad template data, missing font): the row records the failure
        # and staff retry from the admin once the cause is fixed.
        return "failed"
    return "ready"
