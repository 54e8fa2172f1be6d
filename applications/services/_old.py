"""State changes of an application: create, save draft, evidence, submit, accept, return for
correction, decline; messages, feedback, and joining an applicant organisation.

Each function runs in one transaction, locks the row it changes, checks the transition map
where the status moves, saves with update_fields and records an event row.
"""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import DisputeType, EvidenceCategory
from applications.forms import FORM_FIELDS, OTHER_TEXT, REQUIRED_TO_SUBMIT
from applications.models import (
    Application,
    ApplicationEvent,
    ApplicationVersion,
    Attachment,
    Feedback,
    MembershipRequest,
    Message,
    MessageAttachment,
)
from documents.formatting import chinese_date
from documents.models import Document
from documents.services import allocate_number, document_request
from portal.models import SiteConfiguration
from portal.notifications import notify, notify_staff, send_email
from portal.roles import Role, has_role, is_center_member
from portal.sequences import next_value
from portal.transitions import TransitionNotAllowed, check_fresh, check_transition
from portal.uploads import check_upload
from portal.workdays import add_working_days, working_days_between

S = Application.Status

# The one map of allowed application transitions.
APPLICATION_TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.ACCEPTED, S.RETURNED, S.DECLINED},
    S.RETURNED: {S.SUBMITTED, S.WITHDRAWN, S.DECLINED},
    S.ACCEPTED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}

EDITABLE = {S.DRAFT, S.RETURNED}

# Reminders go out this many working days before a deadline.
REMIND_WORKING_DAYS_BEFORE = 2

# Upper layers register here what an applicant's answer on the thread means to them (a case
# waiting for the applicant resumes its deadline). Each is called as hook(application=, by=)
# inside message_post's transaction; they are registered in the upper app's ready().
applicant_answer_hooks = []


def _change_status(application, target, *, by, note="", extra_fields=()):
    check_transition(APPLICATION_TRANSITIONS, application.status, target, labels=dict(S.choices))
    previous = application.status
    application.status = target
    application.revision += 1
    application.save(update_fields=["status", "revision", "updated_at", *extra_fields])
    ApplicationEvent.objects.create(
        application=application, actor=by, from_status=previous, to_status=target, note=note
    )


def _lock(application):
    return Application.objects.select_for_update().get(pk=application.pk)


def _require_editable(application):
    if application.status not in EDITABLE:
        raise TransitionNotAllowed(
            _("申请当前状态为“%(status)s”，不能再修改。") % {"status": application.get_status_display()},
            code="not_editable",
        )


def applicant_users(application):
    """The organisation's active applicant users: they all hear about their applications."""
    return [
        user
        for user in application.applicant.members.filter(is_active=True).prefetch_related("groups")
        if has_role(user, Role.APPLICANT)
    ]


def tell_applicant(application, *, subject, body, link="", extra=()):
    """Notify the organisation's users (inbox and e-mail), and e-mail the contact person named
    on the form too when that address belongs to none of them."""
    users = [*applicant_users(application), *extra]
    notify(users, subject=subject, body=body, link=link)
    contact = (application.contact_email or "").strip().lower()
    if contact and contact not in {(user.email or "").lower() for user in users}:
        send_email([contact], subject=subject, body=body, link=link)


def detail_link(application):
    return reverse("applications:detail", args=[application.pk])


def admin_link(application):
    return reverse("admin:applications_application_change", args=[application.pk])


def application_number(year, value):
    prefix = SiteConfiguration.get().application_number_prefix
    return f"{prefix}-{year}-{value:06d}"


# --- drafting ---------------------------------------------------------------------------


def application_create(*, applicant, by):
    """Start a draft for the organisation, filled in from what the portal already knows."""
    with transaction.atomic():
        application = Application.objects.create(
            applicant=applicant,
            created_by=by,
            applicant_category=applicant.category,
            applicant_category_other=applicant.category_other,
            applicant_name=applicant.name,
            credit_code=applicant.credit_code,
            contact_name=by.full_name,
            contact_email=by.email,
            contact_phone=by.phone,
            contact_address=applicant.address,
        )
        ApplicationEvent.objects.create(application=application, actor=by, to_status=S.DRAFT)
    return application


def application_save_draft(*, application, data, by, seen_revision=None):
    """Store the form's answers on a draft (or on an application returned for correction).

    `data` holds only the answers that passed validation; the others stay on the user's
    screen. A save from an out-of-date page is refused rather than overwriting newer text.
    """
    with transaction.atomic():
        application = _lock(application)
        _require_editable(application)
        check_fresh(application, seen_revision)
        changed = [name for name in FORM_FIELDS if name in data and getattr(application, name) != data[name]]
        for name in changed:
            setattr(application, name, data[name])
        application.revision += 1
        application.save(update_fields=[*changed, "revision", "updated_at"])
    return application


def attachment_add(*, application, category, upload, by):
    """Check one uploaded file by content and size, and keep it with the application."""
    if category not in EvidenceCategory.values:
        raise ValidationError(_("请选择材料类别。"), code="category")
    with transaction.atomic():
        application = _lock(application)
        _require_editable(application)
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
    return attachment


def attachment_remove(*, attachment, by):
    """Remove a file uploaded since the last submission; filed evidence is kept as filed."""
    with transaction.atomic():
        application = _lock(attachment.application)
        _require_editable(application)
        attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if attachment.submitted_in is not None:
            raise TransitionNotAllowed(
                _("该材料已随申请提交，不能删除；如需更正，请上传新的材料并在留言中说明。"), code="filed"
            )
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


# --- submission -------------------------------------------------------------------------


def submission_problems(application):
    """Why the application cannot be submitted yet, as {field: message}; empty when it can."""
    problems = {}
    for name in REQUIRED_TO_SUBMIT:
        if not getattr(application, name):
            problems[name] = _("“%(label)s”为必填项。") % {"label": Application._meta.get_field(name).verbose_name}
    for choice_field, text_field in OTHER_TEXT:
        value = getattr(application, choice_field)
        ticked = "other" in value if isinstance(value, list) else value == "other"
        if ticked and not getattr(application, text_field).strip():
            problems[text_field] = _("选择了“其他”，请说明：%(label)s。") % {
                "label": Application._meta.get_field(text_field).verbose_name
            }
    if not application.countries and not application.country_other.strip():
        problems["countries"] = _("请至少选择一个纠纷国家/地区。")
    if not application.attachments.filter(category=EvidenceCategory.STANDING).exists():
        problems["attachments"] = _("请至少上传一份申请人主体资格证明（如营业执照）。")
    if application.applicant.credit_code != application.credit_code:
        problems["credit_code"] = _("统一社会信用代码须与本单位账号登记的代码一致。")
    return problems


def snapshot(application):
    data = {name: application._meta.get_field(name).value_from_object(application) for name in FORM_FIELDS}
    files = [
        {"id": a.pk, "category": a.category, "name": a.original_name, "size": a.size, "sha256": a.sha256}
        for a in application.attachments.all()
    ]
    return data, files


def receipt_context(application):
    return {
        "number": application.number,
        "title": _("海外知识产权纠纷应对指导申请材料接收回执"),
        "addressee": application.applicant_name,
        "applicant_name": application.applicant_name,
        "credit_code": application.credit_code,
        "contact_name": application.contact_name,
        "submitted_on": chinese_date(timezone.localdate(application.submitted_at)),
        "dispute_types": [str(DisputeType(value).label) for value in application.dispute_types],
        "countries": application.country_names,
        "attachment_count": application.attachments.count(),
    }


def application_submit(*, application, by, seen_revision=None):
    """Submit a draft (or a corrected application). Gives the number on first submission,
    freezes a version, queues the receipt PDF and tells the applicant and staff.

    A second click finds the application already submitted and is refused by the
    transition map, so one application gets one number.
    """
    with transaction.atomic():
        application = _lock(application)
        check_transition(APPLICATION_TRANSITIONS, application.status, S.SUBMITTED, labels=dict(S.choices))
        check_fresh(application, seen_revision)
        problems = submission_problems(application)
        if problems:
            raise ValidationError(list(problems.values()), code="incomplete")
        first_submission = application.number is None
        now = timezone.now()
        fields = ["submitted_at"]
        if first_submission:
            year = timezone.localdate(now).year
            application.number = application_number(year, next_value("application", year))
            fields.append("number")
        application.submitted_at = now
        application.review_due = add_working_days(timezone.localdate(now), SiteConfiguration.get().acceptance_days)
        application.correction_due = None
        application.last_reminded_on = None
        application.correction_reminded_on = None
        application.lapse_reported_on = None
        fields += ["review_due", "correction_due", "last_reminded_on", "correction_reminded_on", "lapse_reported_on"]
        version_number = application.versions.count() + 1
        _change_status(
            application,
            S.SUBMITTED,
            by=by,
            note="" if first_submission else _("补正后重新提交（第 %(n)s 版）") % {"n": version_number},
            extra_fields=fields,
        )
        data, files = snapshot(application)
        ApplicationVersion.objects.create(
            application=application, number=version_number, data=data, attachments=files, submitted_by=by
        )
        application.attachments.filter(submitted_in__isnull=True).update(submitted_in=version_number)
        document_request(
            kind=Document.Kind.RECEIPT,
            subject=application,
            template="pdf/receipt.html",
            context=receipt_context(application),
            title=_("申请材料接收回执")
            if first_submission
            else _("补正申请材料接收回执（第 %(n)s 版）") % {"n": version_number},
            number=application.number,
            applicant=application.applicant,
            released=True,
            by=by,
        )
        tell_applicant(
            application,
            extra=[by],
            subject=_("您的申请已提交：%(number)s") % {"number": application.number},
            body=_(
                "我们已收到您的海外知识产权纠纷应对指导申请，编号 %(number)s。"
                "工作人员将在 %(days)s 个工作日内与您联系。"
            )
            % {"number": application.number, "days": SiteConfiguration.get().first_contact_days},
            link=detail_link(application),
        )
        notify_staff(
            subject=(
                _("新的纠纷应对指导申请：%(number)s") if first_submission else _("申请已补正并重新提交：%(number)s")
            )
            % {"number": application.number},
            body=_("%(name)s 提交了申请 %(number)s，请及时审查。")
            % {"name": application.applicant_name, "number": application.number},
            link=admin_link(application),
        )
    return application


def application_withdraw(*, application, by, reason=""):
    """The applicant withdraws a draft or an application returned for correction."""
    with transaction.atomic():
        application = _lock(application)
        _change_status(application, S.WITHDRAWN, by=by, note=(reason or "").strip())
        if application.number:
            notify_staff(
                subject=_("申请人撤回了申请：%(number)s") % {"number": application.number},
                body=_("%(name)s 撤回了申请 %(number)s。%(reason)s")
                % {"name": application.applicant_name, "number": application.number, "reason": reason},
                link=admin_link(application),
            )
    return application


# --- staff decisions ----------------------------------------------------------------------


def _notice_context(application, *, title, **extra):
    today = timezone.localdate()
    return {
        "title": title,
        "addressee": application.applicant_name,
        "application_number": application.number,
        "applicant_name": application.applicant_name,
        "submitted_on": chinese_date(timezone.localdate(application.submitted_at)),
        "issued_on": chinese_date(today),
        **extra,
    }


def _issue_notice(application, *, kind, template, title, by, **extra):
    number = allocate_number(kind)
    context = _notice_context(application, title=title, **extra)
    context["number"] = number
    return document_request(
        kind=kind,
        subject=application,
        template=template,
        context=context,
        title=title,
        number=number,
        applicant=application.applicant,
        released=True,
        by=by,
    )


def application_accept(*, application, by, note=""):
    """Accept the application: open its case and send the acceptance notice."""
    from cases.services import case_open

    with transaction.atomic():
        application = _lock(application)
        check_transition(APPLICATION_TRANSITIONS, application.status, S.ACCEPTED, labels=dict(S.choices))
        application.decided_at = timezone.now()
        application.decision_reason = ""
        _change_status(application, S.ACCEPTED, by=by, note=note, extra_fields=["decided_at", "decision_reason"])
        case = case_open(application=application, by=by)
        config = SiteConfiguration.get()
        _issue_notice(
            application,
            kind=Document.Kind.ACCEPTANCE_NOTICE,
            template="pdf/acceptance_notice.html",
            title=_("海外知识产权纠纷应对指导申请受理通知书"),
            by=by,
            case_number=case.number,
            note=note,
            opinion_days=config.opinion_days,
            hotline=config.hotline,
        )
        tell_applicant(
            application,
            subject=_("您的申请已受理：%(number)s") % {"number": application.number},
            body=_("您的申请 %(number)s 已受理，案件编号 %(case)s。受理通知书可在申请详情页下载。")
            % {"number": application.number, "case": case.number},
            link=detail_link(application),
        )
    return application


def application_return(*, application, by, reason):
    """Return the application for correction (补正) with the reason; the applicant edits and resubmits."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写需要补正的内容。"), code="reason")
    with transaction.atomic():
        application = _lock(application)
        check_transition(APPLICATION_TRANSITIONS, application.status, S.RETURNED, labels=dict(S.choices))
        config = SiteConfiguration.get()
        application.decided_at = timezone.now()
        application.decision_reason = reason
        due = add_working_days(timezone.localdate(application.decided_at), config.correction_days)
        application.correction_due = due
        application.correction_reminded_on = None
        application.lapse_reported_on = None
        _change_status(
            application,
            S.RETURNED,
            by=by,
            note=reason,
            extra_fields=[
                "decided_at",
                "decision_reason",
                "correction_due",
                "correction_reminded_on",
                "lapse_reported_on",
            ],
        )
        _issue_notice(
            application,
            kind=Document.Kind.CORRECTION_NOTICE,
            template="pdf/correction_notice.html",
            title=_("海外知识产权纠纷应对指导申请补正通知书"),
            by=by,
            reason=reason,
            due_on=chinese_date(due),
            correction_days=config.correction_days,
            hotline=config.hotline,
        )
        tell_applicant(
            application,
            subject=_("您的申请需要补正：%(number)s") % {"number": application.number},
            body=_(
                "您的申请 %(number)s 需要补正，请于 %(due)s 前修改后重新提交；逾期未补正的，申请将不予受理。"
                "需要补正的内容：\n%(reason)s"
            )
            % {"number": application.number, "due": chinese_date(due), "reason": reason},
            link=detail_link(application),
        )
    return application


def application_decline(*, application, by, reason):
    """Decline the application (不予受理) with the reason, sent to the applicant."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写不予受理的理由。"), code="reason")
    with transaction.atomic():
        application = _lock(application)
        if application.status == S.RETURNED:
            # A returned application is closed only once its correction deadline has passed
            # (application_close_lapsed); until then the applicant may still correct it.
            raise TransitionNotAllowed(
                _("申请正在补正期内，不能不予受理；补正期限届满仍未补正的，可确认逾期关闭。"), code="correcting"
            )
        _decline(application, by=by, reason=reason)
    return application


def _decline(application, *, by, reason):
    check_transition(APPLICATION_TRANSITIONS, application.status, S.DECLINED, labels=dict(S.choices))
    application.decided_at = timezone.now()
    application.decision_reason = reason
    _change_status(application, S.DECLINED, by=by, note=reason, extra_fields=["decided_at", "decision_reason"])
    config = SiteConfiguration.get()
    _issue_notice(
        application,
        kind=Document.Kind.DECLINE_NOTICE,
        template="pdf/decline_notice.html",
        title=_("海外知识产权纠纷应对指导申请不予受理通知书"),
        by=by,
        reason=reason,
        hotline=config.hotline,
    )
    tell_applicant(
        application,
        subject=_("您的申请不予受理：%(number)s") % {"number": application.number},
        body=_("很遗憾，您的申请 %(number)s 不予受理。理由：\n%(reason)s\n如有疑问，请拨打服务热线 %(hotline)s。")
        % {"number": application.number, "reason": reason, "hotline": config.hotline},
        link=detail_link(application),
    )


def lapse_reason(application):
    return _("逾期未补正：申请人未在补正期限（%(due)s）前补正材料并重新提交，视为放弃本次申请。") % {
        "due": chinese_date(application.correction_due)
    }


def application_close_lapsed(*, application, by, today=None):
    """Staff confirm that a returned application whose correction deadline has passed is closed:
    it is declined with the reason "逾期未补正" and the decline notice goes to the applicant."""
    if not is_center_member(by):
        raise TransitionNotAllowed(_("只有指导中心工作人员可以关闭申请。"), code="forbidden")
    today = today or timezone.localdate()
    with transaction.atomic():
        application = _lock(application)
        if application.status != S.RETURNED:
            raise TransitionNotAllowed(
                _("只有退回补正的申请可以因逾期未补正而关闭；该申请当前状态为“%(status)s”。")
                % {"status": application.get_status_display()},
                code="not_returned",
            )
        if application.correction_due is None or application.correction_due >= today:
            raise TransitionNotAllowed(
                _("补正期限（%(due)s）尚未届满，不能关闭。")
                % {"due": chinese_date(application.correction_due) if application.correction_due else "—"},
                code="not_lapsed",
            )
        _decline(application, by=by, reason=lapse_reason(application))
    return application


# --- messages and feedback ------------------------------------------------------------------


def message_post(*, application, by, body, files=()):
    """Add a message (with attachments) to the thread between the applicant and the center."""
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
        application = _lock(application)
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
        if not from_center:
            for hook in applicant_answer_hooks:
                hook(application=application, by=by)
        subject = _("关于申请 %(number)s 的新留言") % {"number": application.number}
        if from_center:
            tell_applicant(application, subject=subject, body=body, link=detail_link(application))
        else:
            handler = getattr(getattr(application, "case", None), "handler", None)
            if handler is not None:
                notify([handler], subject=subject, body=body, link=detail_link(application))
            else:
                notify_staff(subject=subject, body=body, link=detail_link(application))
    return message


def feedback_submit(*, application, by, data):
    """Record the applicant's satisfaction and comments once the case is closed (once only)."""
    from cases.models import Case

    with transaction.atomic():
        application = _lock(application)
        case = getattr(application, "case", None)
        if case is None or case.status not in {Case.Status.CLOSED, Case.Status.TERMINATED}:
            raise TransitionNotAllowed(_("案件办结后才能评价。"), code="not_closed")
        if Feedback.objects.filter(application=application).exists():
            raise TransitionNotAllowed(_("本案已评价过，感谢您的反馈。"), code="duplicate")
        feedback = Feedback.objects.create(application=application, submitted_by=by, **data)
        notify_staff(
            subject=_("申请人评价：%(number)s") % {"number": application.number},
            body=_("总体满意度：%(s)s。%(comment)s")
            % {"s": feedback.get_satisfaction_display(), "comment": feedback.comment},
            link=admin_link(application),
        )
    return feedback


# --- organisation accounts -----------------------------------------------------------------


def membership_request(*, user, applicant, by, note=""):
    """A user asks to act for an organisation; its members and staff are told."""
    with transaction.atomic():
        if user.applicant_id == applicant.pk:
            raise TransitionNotAllowed(_("您已经是该单位的成员。"), code="member")
        if user.applicant_id is not None:
            raise TransitionNotAllowed(_("您的账号已属于另一家单位，一个账号只能代表一家单位。"), code="other")
        request, created = MembershipRequest.objects.get_or_create(
            applicant=applicant, user=user, status=MembershipRequest.Status.PENDING, defaults={"note": note}
        )
        if created:
            members = [u for u in applicant.members.filter(is_active=True) if has_role(u, Role.APPLICANT)]
            body = _("%(name)s（%(email)s）申请以本单位名义使用平台。请在“我的申请”页面审核。") % {
                "name": user.full_name,
                "email": user.email,
            }
            notify(members, subject=_("有同事申请加入本单位账号"), body=body, link=reverse("applications:mine"))
            notify_staff(subject=_("加入单位申请：%(org)s") % {"org": applicant.name}, body=body)
    return request


def _may_decide_membership(by, request):
    return is_center_member(by) or (has_role(by, Role.APPLICANT) and by.applicant_id == request.applicant_id)


def membership_decide(*, request, by, approve):
    """An existing member or staff approves or rejects a join request."""
    with transaction.atomic():
        request = MembershipRequest.objects.select_for_update().get(pk=request.pk)
        if not _may_decide_membership(by, request):
            raise TransitionNotAllowed(_("您无权审核该申请。"), code="forbidden")
        if request.status != MembershipRequest.Status.PENDING:
            raise TransitionNotAllowed(_("该申请已审核。"), code="decided")
        user = type(request.user).objects.select_for_update().get(pk=request.user_id)
        request.status = MembershipRequest.Status.APPROVED if approve else MembershipRequest.Status.REJECTED
        request.decided_by = by
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        if approve:
            if user.applicant_id not in (None, request.applicant_id):
                raise TransitionNotAllowed(_("该用户已属于另一家单位。"), code="other")
            user.applicant = request.applicant
            user.save(update_fields=["applicant"])
            user.groups.add(Group.objects.get_or_create(name=Role.APPLICANT)[0])
            subject = _("您已加入 %(org)s") % {"org": request.applicant.name}
        else:
            subject = _("您加入 %(org)s 的申请未获同意") % {"org": request.applicant.name}
        notify([user], subject=subject, body=subject, link=reverse("applications:mine"))
    return request


# --- deadlines ------------------------------------------------------------------------------


def review_deadline_state(application, today=None, soon=None):
    """The state of the deadline running on the application: "overdue", "soon" (within the
    reminder window) or "". Under review, the review deadline; returned, the correction
    deadline. `soon` (the last day of the reminder window) saves a calendar query per row."""
    today = today or timezone.localdate()
    if application.status == S.SUBMITTED:
        due = application.review_due
    elif application.status == S.RETURNED:
        due = application.correction_due
    else:
        return ""
    if due is None:
        return ""
    if due < today:
        return "overdue"
    if due <= (soon or add_working_days(today, REMIND_WORKING_DAYS_BEFORE)):
        return "soon"
    return ""


def application_deadlines_remind(*, today=None):
    """Daily reminders (celery beat), each safe to run twice a day:

    - staff hear about applications whose review (受理审查) is due within two working days or
      overdue, once a day each;
    - the applicant hears (inbox and e-mail) once, two working days before the correction
      deadline of a returned application;
    - once a correction deadline has passed, staff are asked, once, to confirm closing the
      application (the admin action "逾期未补正，确认关闭").
    """
    today = today or timezone.localdate()
    soon = add_working_days(today, REMIND_WORKING_DAYS_BEFORE)
    sent = {"review": 0, "correction": 0, "lapsed": 0}
    changelist = reverse("admin:applications_application_changelist")

    for pk in (
        Application.objects.filter(status=S.SUBMITTED, review_due__lte=soon)
        .exclude(last_reminded_on=today)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            application = _lock(Application(pk=pk))
            if application.status != S.SUBMITTED or application.last_reminded_on == today:
                continue
            overdue_by = working_days_between(application.review_due, today)
            if overdue_by > 0:
                subject = _("申请 %(number)s 受理审查已逾期 %(days)s 个工作日") % {
                    "number": application.number,
                    "days": overdue_by,
                }
            else:
                subject = _("申请 %(number)s 受理审查将于 %(due)s 到期") % {
                    "number": application.number,
                    "due": chinese_date(application.review_due),
                }
            notify_staff(
                subject=subject,
                body=_("%(name)s 于 %(submitted)s 提交的申请尚未作出受理决定。")
                % {
                    "name": application.applicant_name,
                    "submitted": chinese_date(timezone.localdate(application.submitted_at)),
                },
                link=admin_link(application),
            )
            application.last_reminded_on = today
            application.save(update_fields=["last_reminded_on"])
            sent["review"] += 1

    for pk in Application.objects.filter(
        status=S.RETURNED, correction_due__gte=today, correction_due__lte=soon, correction_reminded_on=None
    ).values_list("pk", flat=True):
        with transaction.atomic():
            application = _lock(Application(pk=pk))
            if application.status != S.RETURNED or application.correction_reminded_on is not None:
                continue
            due = chinese_date(application.correction_due)
            tell_applicant(
                application,
                subject=_("请于 %(due)s 前补正申请 %(number)s") % {"due": due, "number": application.number},
                body=_(
                    "您的申请 %(number)s 的补正期限为 %(due)s。请在此前修改并重新提交；"
                    "逾期未补正的，申请将不予受理。需要补正的内容：\n%(reason)s"
                )
                % {"number": application.number, "due": due, "reason": application.decision_reason},
                link=detail_link(application),
            )
            application.correction_reminded_on = today
            application.save(update_fields=["correction_reminded_on"])
            sent["correction"] += 1

    for pk in Application.objects.filter(
        status=S.RETURNED, correction_due__lt=today, lapse_reported_on=None
    ).values_list("pk", flat=True):
        with transaction.atomic():
            application = _lock(Application(pk=pk))
            if application.status != S.RETURNED or application.lapse_reported_on is not None:
                continue
            notify_staff(
                subject=_("申请 %(number)s 逾期未补正，请确认关闭") % {"number": application.number},
                body=_(
                    "补正期限 %(due)s 已过，申请人仍未重新提交。请在申请列表中筛选“逾期未补正”，"
                    "确认后使用“逾期未补正，确认关闭”操作，系统将发出不予受理通知书。"
                )
                % {"due": chinese_date(application.correction_due)},
                link=f"{changelist}?deadline=lapsed",
            )
            application.lapse_reported_on = today
            application.save(update_fields=["lapse_reported_on"])
            sent["lapsed"] += 1
    return sent
