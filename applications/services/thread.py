"""The thread between the applicant and the center, and the applicant's feedback at the end."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application, Feedback, Message, MessageAttachment
from applications.permissions import can_give_feedback, can_post_message
from applications.services._common import (
    S,
    admin_link,
    audit_scope,
    case_ended,
    case_of,
    detail_link,
    lock,
    tell_applicant,
)
from applications.signals import applicant_answered
from portal.access import require
from portal.audit import log_action
from portal.models import User
from portal.notifications import notify, notify_staff
from portal.roles import is_center_member
from portal.transitions import TransitionNotAllowed
from portal.uploads import check_upload

FEEDBACK_FROM_APPLICANT = gettext_lazy("只有本单位的申请人账号可以评价。")


def message_post(*, application: Application, by: User, body: str, files=()) -> Message:
    """Add a message (with attachments) to the thread between the applicant and the center."""
    require(can_post_message(by, application), _("只有本单位的申请人账号和指导中心可以在此留言。"))
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("请填写留言内容。"), code="empty")
    checked = []
    used = 0
    for upload in files:
        item = check_upload(upload, already_used=used)
        used += item.size
        checked.append((upload, item))
    with transaction.atomic():
        application = lock(application)
        if application.status == S.DRAFT:
            raise TransitionNotAllowed(_("申请提交后才能留言。"), code="draft")
        if application.status == S.WITHDRAWN:
            raise TransitionNotAllowed(_("申请已撤回，不能再留言。"), code="withdrawn")
        from_center = is_center_member(by)
        message = Message.objects.create(application=application, author=by, from_center=from_center, body=body)
        for upload, item in checked:
            attachment = MessageAttachment(
                message=message,
                original_name=item.name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
            )
            attachment.file.save(item.name, upload, save=False)
            attachment.save()
        log_action(
            message,
            "applications.message.posted",
            by=by,
            scope=audit_scope(application),
            data={"from_center": from_center, "files": [item.name for _upload, item in checked]},
        )
        if not from_center:
            applicant_answered.send(sender=Application, application=application, by=by, message=message)
        subject = _("关于申请 %(number)s 的新留言") % {"number": application.number}
        if from_center:
            tell_applicant(application, subject=subject, body=body, link=detail_link(application))
        else:
            handler = getattr(case_of(application), "handler", None)
            if handler is not None:
                notify([handler], subject=subject, body=body, link=detail_link(application))
            else:
                notify_staff(subject=subject, body=body, link=detail_link(application))
    return message


def message_file_downloaded(*, item: MessageAttachment, by: User) -> None:
    """Record that someone opened a file sent on the thread."""
    application = item.message.application
    log_action(
        item,
        "applications.message_attachment.downloaded",
        by=by,
        scope=audit_scope(application),
        data={"file": item.original_name},
    )


def feedback_submit(*, application: Application, by: User, data: dict) -> Feedback:
    """Record the applicant's satisfaction and comments once the case is closed (once only)."""
    require(can_give_feedback(by, application), FEEDBACK_FROM_APPLICANT)
    with transaction.atomic():
        application = lock(application)
        if not case_ended(application):
            raise TransitionNotAllowed(_("案件办结后才能评价。"), code="not_closed")
        if Feedback.objects.filter(application=application).exists():
            raise TransitionNotAllowed(_("本案已评价过，感谢您的反馈。"), code="duplicate")
        feedback = Feedback.objects.create(application=application, submitted_by=by, **data)
        log_action(
            feedback,
            "applications.feedback.submitted",
            by=by,
            scope=audit_scope(application),
            data={"satisfaction": feedback.satisfaction},
        )
        notify_staff(
            subject=_("申请人评价：%(number)s") % {"number": application.number},
            body=_("总体满意度：%(s)s。%(comment)s")
            % {"s": feedback.get_satisfaction_display(), "comment": feedback.comment},
            link=admin_link(application),
        )
    return feedback
