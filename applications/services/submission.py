"""Submitting an application (first time or after correction) and withdrawing it."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import ApplicantCategory, Channel, EvidenceCategory, IdType
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
from portal.validators import mask_id_number
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
    problems.update(_identity_problems(application))
    categories = set(application.attachments.values_list("category", flat=True))
    if EvidenceCategory.STANDING not in categories:
        problems["attachments"] = standing_hint(application)
    elif application.channel in SIGNED_ON_PAPER and EvidenceCategory.PAPER_FORM not in categories:
        # Online, the applicant's own submission is its signature; a form that came on paper or by
        # e-mail is signed on paper, and its scan is the signed form.
        problems["attachments"] = _("请上传申请人签字（盖章）的纸质申请书扫描件。")
    return problems


# Applications that reached the center as a signed form (entered by staff or a workstation).
SIGNED_ON_PAPER = {Channel.PAPER, Channel.EMAIL}


def standing_hint(application):
    """What proves the applicant's standing (主体资格), by its category: a natural person's ID card or
    passport, a sole trader's or an organisation's business licence or registration certificate."""
    category = application.applicant_category or application.applicant.category
    if category == ApplicantCategory.INDIVIDUAL:
        return _("请上传申请人主体资格证明：本人居民身份证（正反面）或护照的扫描件。")
    if category == ApplicantCategory.SOLE_TRADER:
        return _("请上传申请人主体资格证明：个体工商户营业执照的扫描件。")
    return _("请上传申请人主体资格证明：营业执照或登记证书的扫描件。")


def _identity_problems(application):
    """The applicant is identified as its account registered it: a person by its ID document, an
    organisation or sole trader by its credit code."""
    applicant = application.applicant
    if applicant.is_person:
        if application.applicant_category and application.applicant_category != ApplicantCategory.INDIVIDUAL:
            return {"applicant_category": _("本账号以个人名义登记，申请人类别应为“个人”。")}
        if not application.id_type or not application.id_number:
            return {"id_number": _("个人申请须填写证件类型和证件号码。")}
        if (application.id_type, application.id_number) != (applicant.id_type, applicant.id_number):
            return {"id_number": _("证件须与账号登记的证件一致。")}
        return {}
    if application.applicant_category == ApplicantCategory.INDIVIDUAL:
        return {"applicant_category": _("本账号登记的是单位，申请人类别不能选“个人”。")}
    if (applicant.credit_code or "") != application.credit_code:
        return {"credit_code": _("统一社会信用代码须与本单位账号登记的代码一致。")}
    return {}


def snapshot(application):
    """The answers as filed, JSON-ready (a date as its ISO text), and the files' list."""
    data = {}
    for name in FORM_FIELDS:
        value = application._meta.get_field(name).value_from_object(application)
        data[name] = value.isoformat() if isinstance(value, datetime.date) else value
    files = [
        {"id": a.pk, "category": a.category, "name": a.original_name, "size": a.size, "sha256": a.sha256}
        for a in application.attachments.all()
    ]
    return data, files


def _choice_list(application, field, other_field):
    """A multiple-choice answer as the labels ticked, "其他" followed by its text."""
    labels = dict(Application._meta.get_field(field).choices)
    other = getattr(application, other_field).strip()
    return [
        f"{labels.get(value, value)}（{other}）" if value == "other" and other else str(labels.get(value, value))
        for value in getattr(application, field)
    ]


def receipt_context(application):
    """What the receipt prints. A natural person's ID number is masked (first 3 and last 4
    characters): the receipt is a file that gets printed, forwarded and attached elsewhere, and the
    applicant recognises its own number from those; the full number stays on the portal's pages."""
    countries = application.country_names
    if application.country_other.strip():
        countries = [*countries, application.country_other.strip()]
    return {
        "number": application.number,
        "title": _("海外知识产权纠纷应对指导申请材料接收回执"),
        "addressee": application.applicant_name,
        "applicant_name": application.applicant_name,
        "applicant_category": str(ApplicantCategory(application.applicant_category).label)
        if application.applicant_category in ApplicantCategory.values
        else "",
        "credit_code": application.credit_code,
        "id_type": str(IdType(application.id_type).label) if application.id_type in IdType.values else "",
        "id_number": mask_id_number(application.id_number),
        "contact_name": application.contact_name,
        "submitted_on": chinese_date(timezone.localdate(application.submitted_at)),
        "dispute_types": _choice_list(application, "dispute_types", "dispute_type_other"),
        "right_types": _choice_list(application, "right_types", "right_type_other"),
        "countries": countries,
        "opponent_types": _choice_list(application, "opponent_types", "opponent_type_other"),
        "technical_fields": _choice_list(application, "technical_fields", "technical_field_other"),
        "foreign_deadline": chinese_date(application.foreign_deadline) if application.foreign_deadline else "",
        "foreign_deadline_what": application.foreign_deadline_what,
        "foreign_deadline_where": application.foreign_deadline_where,
        "urgent": application.urgent,
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
