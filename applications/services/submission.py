"""Submitting an application (first time or after correction) and withdrawing it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import DisputeType, EvidenceCategory
from applications.forms import FORM_FIELDS, OTHER_TEXT, REQUIRED_TO_SUBMIT
from applications.models import Application, ApplicationVersion
from applications.permissions import can_submit, can_withdraw
from applications.services._common import S, admin_link, application_number, detail_link, lock, tell_applicant
from applications.services.drafting import NOT_YOURS
from documents.formatting import chinese_date
from documents.models import Document
from documents.services import document_request
from portal.access import require
from portal.models import SiteConfiguration, User
from portal.notifications import notify_staff
from portal.sequences import next_value
from portal.transitions import check_fresh, check_transition, transition
from portal.workdays import add_working_days


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


def application_submit(*, application: Application, by: User, seen_revision: int | str | None = None) -> Application:
    """Submit a draft (or a corrected application). Gives the number on first submission,
    freezes a version, queues the receipt PDF and tells the applicant and staff.

    A second click finds the application already submitted and is refused by the
    transition map, so one application gets one number.
    """
    require(can_submit(by, application), NOT_YOURS)
    with transaction.atomic():
        application = lock(application)
        check_transition(Application.TRANSITIONS, application.status, S.SUBMITTED, labels=dict(S.choices))
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
        note = "" if first_submission else _("补正后重新提交（第 %(n)s 版）") % {"n": version_number}
        transition(
            application,
            S.SUBMITTED,
            by=by,
            action="applications.application.submitted",
            public_note=note,
            update_fields=fields,
            data={"version": version_number},
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
            else _("补正申请材料接收回执（第%(n)s版）") % {"n": version_number},
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


def application_withdraw(*, application: Application, by: User, reason: str = "") -> Application:
    """The applicant withdraws a draft or an application returned for correction."""
    require(can_withdraw(by, application), NOT_YOURS)
    reason = (reason or "").strip()
    with transaction.atomic():
        application = lock(application)
        transition(
            application,
            S.WITHDRAWN,
            by=by,
            action="applications.application.withdrawn",
            public_note=reason,
        )
        if application.number:
            notify_staff(
                subject=_("申请人撤回了申请：%(number)s") % {"number": application.number},
                body=_("%(name)s 撤回了申请 %(number)s。%(reason)s")
                % {"name": application.applicant_name, "number": application.number, "reason": reason},
                link=admin_link(application),
            )
    return application
