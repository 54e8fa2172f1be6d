"""Issuing documents. A service gathers the data and calls `document_request`; the render
runs later in a Celery task on the `documents` queue."""

import hashlib
import logging

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Document
from documents.pdf import render_pdf
from portal.models import SiteConfiguration
from portal.sequences import next_value, official_number
from portal.tasks_util import enqueue
from portal.transitions import TransitionNotAllowed

logger = logging.getLogger(__name__)


def allocate_number(kind, *, on=None):
    """The next official number for a document type (one gap-free sequence per type and
    year), e.g. 晋知指〔2026〕12号. Call inside the transaction that issues the document."""
    year = (on or timezone.localdate()).year
    prefix = SiteConfiguration.get().doc_number_prefix
    return official_number(prefix, year, next_value(f"document:{kind}", year))


def document_request(
    *,
    kind,
    subject,
    template,
    context,
    title,
    by,
    number="",
    applicant=None,
    released=False,
    agencies=(),
    signed_by=None,
    signer_title="",
):
    """Record a document to be rendered and queue its render after commit.

    `signed_by` (the director or a deputy) marks a document issued under signature; the
    render task then also applies the center's digital signature.
    """
    document = Document.objects.create(
        kind=kind,
        title=title,
        number=number,
        template=template,
        context=context,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        applicant=applicant,
        released_to_applicant=released,
        signed_by=signed_by,
        signer_title=signer_title,
        issued_on=timezone.localdate() if number else None,
        created_by=by,
    )
    if agencies:
        document.agencies.set(agencies)
    _queue_render(document)
    return document


def _queue_render(document):
    from documents.tasks import render_document

    enqueue(render_document, document.pk)


def document_render(*, document_id):
    """Render one document. Safe to run twice: a document already rendered is left alone,
    and the row lock keeps two deliveries of the same task from rendering at once.
    A failure is recorded on the row (status and last error) and then re-raised."""
    try:
        with transaction.atomic():
            document = Document.objects.select_for_update().get(pk=document_id)
            if document.status == Document.Status.READY:
                return document
            pdf, pages = render_pdf(document.template, document.context)
            name = f"{document.kind}-{document.pk}-v{document.version}.pdf"
            document.file.save(name, ContentFile(pdf), save=False)
            document.sha256 = hashlib.sha256(pdf).hexdigest()
            document.size = len(pdf)
            document.pages = pages
            document.status = Document.Status.READY
            document.last_error = ""
            document.attempts += 1
            document.rendered_at = timezone.now()
            document.save(
                update_fields=["file", "sha256", "size", "pages", "status", "last_error", "attempts", "rendered_at"]
            )
            return document
    except Exception as exc:  # any failure must be visible on the row, whatever its kind
        logger.exception("Rendering document %s failed", document_id)
        Document.objects.filter(pk=document_id).update(
            status=Document.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000], attempts=F("attempts") + 1
        )
        raise


def document_retry(*, document, by):
    """Queue a failed render again (staff action in the admin)."""
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status != Document.Status.FAILED:
            raise TransitionNotAllowed(_("只有生成失败的文书可以重新生成。"))
        document.status = Document.Status.PENDING
        document.save(update_fields=["status"])
        logger.info("Document %s queued again by %s", document.pk, by)
        _queue_render(document)
    return document
