"""Drafting an application: start it, save the form's answers, add and remove evidence."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.choices import Channel, EvidenceCategory
from applications.forms import FORM_FIELDS
from applications.models import Applicant, Application, Attachment
from applications.permissions import can_create_application, can_edit, can_start_application_for
from applications.services._common import EDITABLE, S, audit_scope, lock
from portal.access import require
from portal.audit import log_action
from portal.models import ServicePoint, User
from portal.transitions import TransitionNotAllowed, check_fresh
from portal.uploads import check_upload

NOT_YOURS = gettext_lazy("只有本单位的申请人账号可以修改这份申请。")


def require_editable(application):
    if application.status not in EDITABLE:
        raise TransitionNotAllowed(
            _("申请当前状态为“%(status)s”，不能再修改。") % {"status": application.get_status_display()},
            code="not_editable",
        )


def application_create(*, applicant: Applicant, by: User) -> Application:
    """Start a draft for the organisation, filled in from what the portal already knows."""
    require(can_create_application(by, applicant), _("只能为本单位填写申请。"))
    with transaction.atomic():
        application = _new_draft(applicant, requester=by)
        log_action(application, "applications.application.created", by=by, to_status=S.DRAFT)
    return application


def application_start_for(
    *,
    applicant: Applicant,
    by: User,
    answers: dict,
    requester: User | None = None,
    note: str = "",
    data: dict | None = None,
    channel: str = Channel.ONLINE,
    service_point: ServicePoint | None = None,
) -> Application:
    """Start a draft for an applicant on its behalf, as the center or a workstation does when a request
    reaches it another way (a fair's service desk, a consultation, a paper form): filled in like the
    applicant's own draft plus what is already known (`answers`).

    With a `requester` (a user who acts for the applicant) the draft is the requester's and its contact
    is the requester; without one the draft is `by`'s and the contact comes from `answers`. The
    workstation defaults to the applicant's; `entered_by` names `by` whenever `by` is not the requester.
    The audit log names `by`."""
    if service_point is None:
        service_point = applicant.service_point
    require(
        can_start_application_for(by, applicant=applicant, service_point=service_point),
        _("只有指导中心或负责该申请人的服务工作站可以代为发起申请。"),
    )
    with transaction.atomic():
        application = start_draft(
            applicant,
            by=by,
            answers=answers,
            requester=requester,
            channel=channel,
            service_point=service_point,
            note=note,
            data=data,
        )
    return application


def start_draft(
    applicant,
    *,
    by,
    answers,
    requester=None,
    channel=Channel.ONLINE,
    service_point=None,
    note="",
    data=None,
    action="applications.application.created",
):
    """The draft of application_start_for, for services that have checked the right to start it
    (applications.services.entry records it as entered, under its own action)."""
    application = _new_draft(
        applicant,
        requester=requester,
        created_by=requester or by,
        channel=channel,
        service_point=service_point,
        entered_by=by if requester is None or by.pk != requester.pk else None,
        **answers,
    )
    log_action(
        application,
        action,
        by=by,
        to_status=S.DRAFT,
        note=note,
        data={"channel": channel, "service_point": getattr(service_point, "pk", None), **(data or {})},
    )
    return application


def _new_draft(applicant, *, requester, created_by=None, **answers):
    """A draft with the applicant's known answers and the requester (if any) as its contact."""
    known = {
        "applicant_category": applicant.category,
        "applicant_category_other": applicant.category_other,
        "applicant_name": applicant.name,
        "credit_code": applicant.credit_code or "",
        "id_type": applicant.id_type,
        "id_number": applicant.id_number,
        "contact_address": applicant.address,
    }
    if requester is not None:
        known |= {
            "contact_name": requester.full_name,
            "contact_email": requester.email,
            "contact_phone": requester.phone,
        }
    return Application.objects.create(applicant=applicant, created_by=created_by or requester, **(known | answers))


def application_save_draft(
    *, application: Application, data: dict, by: User, seen_revision: int | str | None = None
) -> Application:
    """Store the form's answers on a draft (or on an application returned for correction).

    `data` holds only the answers that passed validation; the others stay on the user's
    screen. A save from an out-of-date page is refused rather than overwriting newer text.
    """
    require(can_edit(by, application), NOT_YOURS)
    with transaction.atomic():
        application = lock(application)
        require_editable(application)
        check_fresh(application, seen_revision)
        changed = [name for name in FORM_FIELDS if name in data and getattr(application, name) != data[name]]
        for name in changed:
            setattr(application, name, data[name])
        application.revision += 1
        application.save(update_fields=[*changed, "revision", "updated_at"])
        if changed:
            log_action(application, "applications.application.saved", by=by, data={"fields": changed})
    return application


def attachment_add(*, application: Application, category: str, upload, by: User) -> Attachment:
    """Check one uploaded file by content and size, and keep it with the application."""
    require(can_edit(by, application), NOT_YOURS)
    if category not in EvidenceCategory.values:
        raise ValidationError(_("请选择材料类别。"), code="category")
    with transaction.atomic():
        application = lock(application)
        require_editable(application)
        return store_attachment(application, category=category, upload=upload, by=by)


def store_attachment(application, *, category, upload, by):
    """Keep one checked file with a locked application (the callers check the right to add it)."""
    used = sum(application.attachments.values_list("size", flat=True))
    checked = check_upload(upload, already_used=used)
    attachment = Attachment(
        application=application,
        category=category,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    log_action(
        attachment,
        "applications.attachment.added",
        by=by,
        scope=application,
        data={"file": attachment.original_name, "category": category, "sha256": attachment.sha256},
    )
    return attachment


def attachment_remove(*, attachment: Attachment, by: User) -> None:
    """Remove a file uploaded since the last submission; filed evidence is kept as filed."""
    require(can_edit(by, attachment.application), NOT_YOURS)
    with transaction.atomic():
        application = lock(attachment.application)
        require_editable(application)
        attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if attachment.submitted_in is not None:
            raise TransitionNotAllowed(
                _("该材料已随申请提交，不能删除；如需更正，请上传新的材料并在留言中说明。"), code="filed"
            )
        log_action(
            attachment,
            "applications.attachment.removed",
            by=by,
            scope=application,
            data={"file": attachment.original_name, "category": attachment.category, "sha256": attachment.sha256},
        )
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


def attachment_downloaded(*, attachment: Attachment, by: User) -> None:
    """Record that someone opened a piece of evidence (confidential: who saw it is kept)."""
    log_action(
        attachment,
        "applications.attachment.downloaded",
        by=by,
        scope=audit_scope(attachment.application),
        data={"file": attachment.original_name},
    )
