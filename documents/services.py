"""Issuing documents. A service gathers the data and calls `document_request`; the render
runs later in a Celery task on the `documents` queue (`document_render`), which also applies
the center's PAdES signature to every document (documents.signing)."""

import base64
import datetime
import hashlib
import io
import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import audit_labels as actions
from documents import registry
from documents.certificates import check_signer_certificate, load_signing_material
from documents.formatting import chinese_date, name_with_post, person_name
from documents.models import Document, NumberingRule, SignerCertificate
from documents.pdf import render_document
from documents.permissions import can_correct, can_download, can_retry, can_revoke, can_supersede
from documents.signing import sign_pdf
from documents.verification import check_public_address, trust_statement
from portal import outbox
from portal.access import Forbidden, require
from portal.audit import entries_for, log_action
from portal.models import LogEntry, Sequence, SiteConfiguration, User
from portal.roles import Role, can_sign, has_role
from portal.sequences import next_value, official_number
from portal.transitions import TransitionNotAllowed, transition

logger = logging.getLogger(__name__)

# A render queued again this many times by the sweeper without ever finishing (a document that
# kills its worker every time) is marked failed, for staff to look at, instead of looping.
MAX_AUTOMATIC_REQUEUES = 5

# The audit entries that put a render in the queue; a document is stuck when the latest is too old.
QUEUED_ACTIONS = (actions.REQUESTED, actions.RETRIED)


def stuck_after():
    """How long a render may stay pending before it is taken to have lost its task (a killed
    worker, a broker that was down when it was queued): DOCUMENT_STUCK_MINUTES."""
    return datetime.timedelta(minutes=settings.DOCUMENT_STUCK_MINUTES)


# How each kind is numbered until the admin says otherwise (NumberingRule): the issuing body's
# code and the form, as real bodies number (晋知产发〔2023〕25号, 晋政办函〔2023〕61号): 发 for the
# center's ordinary 文件 (notices, receipt, opinion, case file), 函 for letters, 报 for the report
# to higher authorities; minutes 第N期. The data migration that creates the rules copies these.
DEFAULT_NUMBERING = {
    Document.Kind.RECEIPT: (NumberingRule.Style.NUMBER, "发"),
    Document.Kind.ACCEPTANCE_NOTICE: (NumberingRule.Style.NUMBER, "发"),
    Document.Kind.CORRECTION_NOTICE: (NumberingRule.Style.NUMBER, "发"),
    Document.Kind.DECLINE_NOTICE: (NumberingRule.Style.NUMBER, "发"),
    Document.Kind.TERMINATION_NOTICE: (NumberingRule.Style.NUMBER, "发"),
    Document.Kind.GUIDANCE_OPINION: (NumberingRule.Style.NUMBER, "发"),
    Document.Kind.CASE_FILE: (NumberingRule.Style.NUMBER, "发"),
    Document.Kind.ASSISTANCE_LETTER: (NumberingRule.Style.NUMBER, "函"),
    Document.Kind.UPWARD_REPORT: (NumberingRule.Style.NUMBER, "报"),
    Document.Kind.WORK_REPORT: (NumberingRule.Style.NUMBER, "报"),
    Document.Kind.MEETING_MINUTES: (NumberingRule.Style.ISSUE, ""),
    Document.Kind.SEMINAR_MINUTES: (NumberingRule.Style.ISSUE, ""),
}

_ISSUED_NUMBER = re.compile(r"〔(\d{4})〕([1-9]\d*)号$")
_ISSUED_ISSUE = re.compile(r"第([1-9]\d*)期$")


def numbering_for(kind):
    """(style, form code) for a kind: its NumberingRule, or the default when it has none."""
    rule = NumberingRule.objects.filter(kind=kind).first()
    if rule is not None:
        return rule.style, rule.form_code
    return DEFAULT_NUMBERING.get(kind, (NumberingRule.Style.NUMBER, "发"))


def _highest_issued_number(prefix, year):
    """The highest 序号 already issued as prefix〔year〕N号 (0 if none)."""
    numbers = Document.objects.filter(number__startswith=f"{prefix}〔{year}〕").values_list("number", flat=True)
    values = [int(match[2]) for match in map(_ISSUED_NUMBER.search, numbers) if match]
    return max(values, default=0)


def _highest_issued_issue(kind, year):
    """The highest 期 of a kind's minutes issued in a year (0 if none). Minutes numbered before
    they were numbered by 期 took a 文号 from a sequence of their own kind ("document:<kind>"):
    they count too, so that the year's count goes on instead of starting again at 第1期."""
    numbers = Document.objects.filter(kind=kind, issued_on__year=year).values_list("number", flat=True)
    values = [int(match[1]) for match in map(_ISSUED_ISSUE.search, numbers) if match]
    former = Sequence.objects.filter(key=f"document:{kind}", year=year).values_list("last_value", flat=True)
    return max([*values, *former], default=0)


def allocate_number(kind, *, on=None):
    """The next official number for a document kind, after its NumberingRule: 晋知指函〔2026〕12号
    (one gap-free sequence per prefix and year, shared by the kinds with the same form code) or,
    for minutes, 第3期 (one series per kind and year). Call inside the transaction that issues
    the document. A sequence used for the first time in a year starts after the highest number
    already issued under it, so a changed rule never repeats a number."""
    year = (on or timezone.localdate()).year
    style, form_code = numbering_for(kind)
    if style == NumberingRule.Style.ISSUE:
        key = f"document-issue:{kind}"
        value = next_value(key, year, start=lambda: _highest_issued_issue(kind, year))
        return f"第{value}期"
    prefix = SiteConfiguration.get().doc_number_prefix + form_code
    value = next_value(f"document:{prefix}", year, start=lambda: _highest_issued_number(prefix, year))
    return official_number(prefix, year, value)


def signer_title_for(user):
    """The title printed in the signature block: 主任, or the deputy's post (常务副主任…)."""
    if has_role(user, Role.DIRECTOR):
        return _("主任")
    post = getattr(user, "deputy_post", None) if has_role(user, Role.DEPUTY) else None
    if post is not None:
        return str(post.post_title)
    if has_role(user, Role.DEPUTY):
        return _("副主任")
    return user.title or ""


def check_can_issue_signed(signed_by):
    """Refuse before anything is numbered: the signer must hold a signing role and the
    center's certificate must be present and valid, and so must the signer's own certificate
    where one is configured (SigningUnavailable otherwise)."""
    if not can_sign(signed_by):
        raise Forbidden(_("只有中心主任或副主任可以签发文书。"))
    load_signing_material()
    personal = SignerCertificate.labels_for(signed_by)
    if personal is not None:
        check_signer_certificate(*personal)


def document_request(
    *,
    kind: str,
    subject: models.Model,
    template: str,
    context: dict,
    title: str,
    by: User | None,
    number: str = "",
    applicant: models.Model | None = None,
    released: bool = False,
    agencies: Iterable[models.Model] = (),
    recipients: Iterable[User] = (),
    case: models.Model | None = None,
    signed_by: User | None = None,
    signer_title: str = "",
    version: int = 1,
) -> Document:
    """Record a document to be rendered and queue its render after commit.

    `case` is the case the document is about (None for documents on an application that
    has no case yet); `applicant`/`released`, `agencies` and `recipients` (users) say who
    besides center staff may read it. `signed_by` (the director or a deputy) marks a
    document issued under signature; the render task then also applies the center's
    digital signature. The certificate is checked here, inside the caller's transaction,
    so a missing or expired certificate stops the whole issue (number included) rather
    than leaving a half-issued document.
    """
    # The QR code and the verification link are printed with SITE_URL: never an address a
    # stranger cannot reach (production requires https), before anything is numbered.
    check_public_address()
    if signed_by is not None:
        check_can_issue_signed(signed_by)
        signer_title = signer_title or signer_title_for(signed_by)
    document = Document.objects.create(
        kind=kind,
        title=title,
        number=number,
        version=version,
        template=template,
        context=context,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        case=case,
        applicant=applicant,
        released_to_applicant=released,
        signed_by=signed_by,
        signer_title=signer_title,
        issued_on=timezone.localdate() if number else None,
        site_url=settings.SITE_URL,
        created_by=by,
    )
    if agencies:
        document.agencies.set(agencies)
    if recipients:
        document.recipients.set(recipients)
    log_action(document, actions.REQUESTED, by=by, to_status=document.status, scope=case)
    _queue_render(document)
    return document


def _queue_render(document):
    """Queue the render in the caller's transaction (the outbox): it reaches Celery after commit,
    or by the periodic relay when the broker was down at the time."""
    outbox.enqueue("documents.tasks.render_document", document.pk)


def verification_url(document):
    """The address printed under the QR code: the portal's address when the document was
    issued, so that a re-render gives the same document."""
    return f"{document.site_url or settings.SITE_URL}{document.verify_path}"


def qr_data_uri(text):
    """A QR code for `text` as a PNG data URI, one pixel per module: the layout prints it 22 mm wide
    with crisp edges (image-rendering), so it scans as sharply as a vector drawing and costs
    WeasyPrint nothing to draw (an SVG of path segments took a tenth of a second per document)."""
    import qrcode  # imported lazily, like WeasyPrint: web processes that never render skip the cost

    image = qrcode.make(text, box_size=1, border=1)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _scope(document):
    """The case an audit entry about `document` belongs to, if the document is about one."""
    return document.case if document.case_id else None


class SourcesNotReady(Exception):
    """A document that lists other documents (the case file) was asked to render while some
    of them are still being rendered. The render task waits and tries again."""


def live_context(document):
    """What a document reads when it is rendered rather than when it is requested (e.g. the
    case file's catalogue lists the real state and SHA-256 of the documents it covers): the
    function its kind registered in documents.registry."""
    return registry.live_context(document)


def render_context(document):
    """The frozen data of the document plus what the layout adds: number, title, date,
    signer, verification code and QR code."""
    issued_on = document.issued_on or timezone.localdate(document.created_at)
    url = verification_url(document)
    return {
        **document.context,
        **live_context(document),
        "number": document.number,
        "title": document.context.get("title") or document.title,
        "document_kind": document.get_kind_display(),
        "issued_on_cn": chinese_date(issued_on),
        "verification_code": document.verification_code,
        "verification_url": url,
        "qr_code": qr_data_uri(url),
        "trust_statement": trust_statement(),
        "signed": document.signed_by_id is not None,
        "signer_name": person_name(document.signed_by) if document.signed_by_id else "",
        "signer_display": name_with_post(person_name(document.signed_by), document.signer_title)
        if document.signed_by_id
        else "",
        "signer_title": document.signer_title,
        "version": document.version,
    }


def produce_pdf(document):
    """Render and sign one document; return (pdf_bytes, page_count). Every document is signed
    with the center's key (PAdES, timestamped, with its validation data): in the name of the
    director or deputy who issued it (signed_by), otherwise in the issuing body's name; with the
    signer's own key and certificate instead where an active SignerCertificate names them. The
    signature field lies over the printed seal when the layout has one. Nothing is returned
    unsigned: SigningUnavailable fails the render, visibly, until staff re-run it."""
    rendered = render_document(document.template, render_context(document))
    issuing_body = SiteConfiguration.get().issuing_body
    if document.signed_by_id:
        signer_name, signer_title = person_name(document.signed_by), document.signer_title
    else:
        signer_name, signer_title = issuing_body, ""
    pdf = sign_pdf(
        rendered.pdf,
        signer_name=signer_name,
        signer_title=signer_title,
        location=issuing_body,
        seal_box=rendered.seal_box,
        signer_key=SignerCertificate.labels_for(document.signed_by) if document.signed_by_id else None,
    )
    return pdf, rendered.pages


def document_render(*, document_id: int, wait_for_sources: bool = False) -> Document:
    """Render one document. Safe to run twice: a document already rendered is left alone,
    and the row lock keeps two deliveries of the same task from rendering at once.
    A failure is recorded on the row (status and last error) and then re-raised.

    With `wait_for_sources`, a case file whose listed documents are still being rendered
    raises SourcesNotReady (nothing recorded) so that the task can try again shortly."""
    try:
        with transaction.atomic():
            document = Document.objects.select_for_update(of=("self",)).select_related("signed_by").get(pk=document_id)
            if document.status == Document.Status.READY:
                return document
            if wait_for_sources and registry.sources_pending(document, since=timezone.now() - stuck_after()):
                raise SourcesNotReady(document_id)
            pdf, pages = produce_pdf(document)
            name = f"{document.kind}-{document.pk}-v{document.version}.pdf"
            document.file.save(name, ContentFile(pdf), save=False)
            document.sha256 = hashlib.sha256(pdf).hexdigest()
            document.size = len(pdf)
            document.pages = pages
            document.last_error = ""
            document.attempts += 1
            document.rendered_at = timezone.now()
            document.digitally_signed = True  # produce_pdf returns signed files only
            return transition(
                document,
                Document.Status.READY,
                by=None,
                action=actions.SIGNED if document.signed_by_id else actions.RENDERED,
                note=f"SHA-256 {document.sha256}",
                scope=_scope(document),
                update_fields=(
                    "file",
                    "sha256",
                    "size",
                    "pages",
                    "last_error",
                    "attempts",
                    "rendered_at",
                    "digitally_signed",
                ),
            )
    except SourcesNotReady:
        raise
    except Exception as exc:  # any failure must be visible on the row, whatever its kind
        logger.exception("Rendering document %s failed", document_id)
        message = getattr(exc, "message", None) or str(exc)
        error = f"{type(exc).__name__}: {message}"[:2000]
        with transaction.atomic():
            document = Document.objects.select_for_update(of=("self",)).filter(pk=document_id).first()
            if document is not None and document.status != Document.Status.READY:
                document.last_error = error
                document.attempts += 1
                transition(
                    document,
                    Document.Status.FAILED,
                    by=None,
                    action=actions.FAILED,
                    note=error,
                    scope=_scope(document),
                    update_fields=("last_error", "attempts"),
                )
        raise


def _last_queued_at(document):
    if "last_queued" in vars(document):  # read with the row (with_last_queued)
        last = document.last_queued
    else:
        last = entries_for(document).filter(action_type__in=QUEUED_ACTIONS).aggregate(at=Max("created"))["at"]
    return max(last, document.created_at) if last else document.created_at


def with_last_queued(documents):
    """The documents, each with the time it was last queued read in the same query: a list that asks
    each pending row whether it is stuck (is_stuck) then makes no query per row."""
    return documents.annotate(last_queued=_last_queued_subquery())


def is_stuck(document, *, older_than=None):
    """Pending, and queued (requested or last retried) longer ago than the limit."""
    if document.status != Document.Status.PENDING:
        return False
    cutoff = timezone.now() - (older_than if older_than is not None else stuck_after())
    # created_at first: a fresh document needs no query.
    return document.created_at < cutoff and _last_queued_at(document) < cutoff


def _last_queued_subquery():
    """The time of a document's latest queueing entry in the audit log, for annotations."""
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Document),
        object_id=OuterRef("pk"),
        action_type__in=QUEUED_ACTIONS,
    )
    # MAX() over the document's entries, found by its key: "ORDER BY created DESC LIMIT 1" let
    # PostgreSQL walk the whole log backwards by time for a document that has no such entry
    # (100,000 entries, 50 ms a document).
    return Subquery(entries.order_by().values("object_id").annotate(at=Max("created")).values("at"))


def stuck_documents(*, older_than=None):
    """Documents pending longer than the limit since they were last queued."""
    cutoff = timezone.now() - (older_than if older_than is not None else stuck_after())
    return (
        Document.objects.filter(status=Document.Status.PENDING, created_at__lt=cutoff)
        .annotate(last_queued=_last_queued_subquery())
        .filter(Q(last_queued__isnull=True) | Q(last_queued__lt=cutoff))
        .order_by("created_at")
    )


def document_requeue_stuck(*, older_than=None, by=None):
    """Queue again the render of every document pending longer than `older_than` (by default
    DOCUMENT_STUCK_MINUTES) since it was last queued: its worker was killed, or the broker was
    down when it was queued. Run by a periodic task; safe to run twice and alongside the
    renders, since the render is idempotent and a document being rendered right now (its row
    locked) is skipped. Each requeue is recorded; after MAX_AUTOMATIC_REQUEUES without a
    result the document is marked failed for staff instead. Returns (requeued, failed)."""
    requeued = failed = 0
    for pk in list(stuck_documents(older_than=older_than).values_list("pk", flat=True)):
        with transaction.atomic():
            document = (
                Document.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Document.Status.PENDING)
                .first()
            )
            if document is None or not is_stuck(document, older_than=older_than):
                continue  # rendered meanwhile, being rendered now, or just retried by staff
            history = entries_for(document)
            last_failure = history.filter(action_type=actions.FAILED).aggregate(at=Max("created"))["at"]
            automatic = history.filter(action_type=actions.RETRIED, actor__isnull=True)
            if last_failure is not None:
                automatic = automatic.filter(created__gt=last_failure)
            if automatic.count() >= MAX_AUTOMATIC_REQUEUES:
                error = _("多次重新排队仍未生成，已停止自动重新生成，请查明原因后重新生成。")
                document.last_error = error
                transition(
                    document,
                    Document.Status.FAILED,
                    by=by,
                    action=actions.FAILED,
                    note=error,
                    scope=_scope(document),
                    update_fields=("last_error",),
                )
                logger.error("Document %s never finished rendering; marked failed", pk)
                failed += 1
                continue
            log_action(
                document,
                actions.RETRIED,
                by=by,
                from_status=document.status,
                to_status=document.status,
                note=_("排队超过 %(minutes)d 分钟仍未生成，自动重新排队。")
                % {"minutes": settings.DOCUMENT_STUCK_MINUTES},
                scope=_scope(document),
            )
            _queue_render(document)
            logger.warning("Document %s was stuck pending; its render is queued again", pk)
            requeued += 1
    return requeued, failed


def document_retry(*, document: Document, by: User) -> Document:
    """Queue a render again (staff action in the admin): any document that is not done, that
    is a failed one or one still pending past DOCUMENT_STUCK_MINUTES (its worker was killed,
    or the broker was down). A document already rendered, or one queued only a moment ago, is
    refused with a message. The retried render reuses the row, its number and its file name:
    a retry gives exactly one document."""
    message = _("只有中心工作人员可以重新生成文书。")
    require(can_retry(by, document), message)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status == Document.Status.READY:
            raise TransitionNotAllowed(_("该文书已生成，无需重新生成。"), code="ready")
        if document.status == Document.Status.PENDING and not is_stuck(document):
            raise TransitionNotAllowed(
                _("该文书正在排队生成；排队超过 %(minutes)d 分钟仍未生成时才可重新生成。")
                % {"minutes": settings.DOCUMENT_STUCK_MINUTES},
                code="queued",
            )
        document = transition(
            document,
            Document.Status.PENDING,
            by=by,
            permission=can_retry,
            denied_message=message,
            action=actions.RETRIED,
            scope=_scope(document),
        )
        _queue_render(document)
    return document


def document_supersede(*, old: Document, new: Document, by: User, reason: str = "") -> Document:
    """Mark `old` as replaced by `new` (a correction issued under a new number). Its render
    status stays as it is: the old file remains, for staff and the verification page."""
    message = _("只有中心工作人员可以以新版本取代文书。")
    require(can_supersede(by, old), message)
    with transaction.atomic():
        old = Document.objects.select_for_update().get(pk=old.pk)
        if old.superseded_by_id is not None:
            raise TransitionNotAllowed(_("该文书已被新版本取代。"))
        if old.pk == new.pk:
            raise TransitionNotAllowed(_("文书不能取代自身。"))
        old.superseded_by = new
        transition(
            old,
            old.status,
            by=by,
            permission=can_supersede,
            denied_message=message,
            action=actions.SUPERSEDED,
            note=_("由 %(number)s 取代。%(reason)s") % {"number": new.number or new.pk, "reason": reason},
            data={"superseded_by": new.pk},
            scope=_scope(old),
            update_fields=("superseded_by",),
        )
    return old


def document_correct(
    *, document: Document, by: User, context: dict | None = None, reason: str = "", signed_by: User | None = None
) -> Document:
    """Issue a corrected version of a numbered document: a new row with a new number (of
    the same type), version + 1, the same addressees; the old one is marked superseded
    and stays downloadable to staff. Nothing is overwritten. A signed document is corrected
    only by the director or a deputy."""
    require(can_correct(by, document), _("已签发的文书只能由主任或副主任更正。"))
    with transaction.atomic():
        old = Document.objects.select_for_update().get(pk=document.pk)
        if not old.is_current:
            raise TransitionNotAllowed(_("只能更正现行有效的文书。"))
        signer = signed_by or old.signed_by
        if signer is not None:
            check_can_issue_signed(signer)
        number = allocate_number(old.kind) if old.number else ""
        new = document_request(
            kind=old.kind,
            subject=old.subject,
            template=old.template,
            context={**old.context, **(context or {})},
            title=old.title,
            by=by,
            number=number,
            applicant=old.applicant,
            released=old.released_to_applicant,
            agencies=list(old.agencies.all()),
            recipients=list(old.recipients.all()),
            case=old.case,
            signed_by=signer,
            signer_title="" if signed_by else old.signer_title,
            version=old.version + 1,
        )
        document_supersede(old=old, new=new, by=by, reason=reason)
    return new


def document_revoke(*, document: Document, by: User, reason: str) -> Document:
    """Revoke an issued document (the director or a deputy): the verification page then says so."""
    message = _("只有主任或副主任可以撤销文书。")
    require(can_revoke(by, document), message)
    if not reason.strip():
        raise ValidationError(_("撤销文书必须说明原因。"), code="reason")
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.revoked_at is not None:
            raise TransitionNotAllowed(_("该文书已撤销。"))
        if document.status != Document.Status.READY:
            raise TransitionNotAllowed(
                _("只有已生成的文书可以撤销；该文书当前状态为“%(status)s”。")
                % {"status": document.get_status_display()}
            )
        document.revoked_at = timezone.now()
        document.revocation_reason = reason.strip()[:300]
        transition(
            document,
            Document.Status.READY,
            by=by,
            permission=can_revoke,
            denied_message=message,
            action=actions.REVOKED,
            note=reason,
            scope=_scope(document),
            update_fields=("revoked_at", "revocation_reason"),
        )
    return document


def download_name(document: Document) -> str:
    return f"{document.get_kind_display()}-{document.number or document.pk}-v{document.version}.pdf"


def document_download(*, document: Document, by: User) -> Document:
    """Record that `by` downloads the file of `document` (who, when, from which address)."""
    require(can_download(by, document), _("您无权下载该文书。"))
    log_action(document, actions.DOWNLOADED, by=by, data={"file": download_name(document)}, scope=_scope(document))
    return document


def find_by_file(data):
    """The issued document whose exact bytes are `data`, or None."""
    digest = hashlib.sha256(data).hexdigest()
    return Document.objects.filter(sha256=digest, status=Document.Status.READY).first(), digest
