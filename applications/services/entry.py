"""Applications that reach the center on paper or by e-mail, entered by center or workstation staff, and the
workstation's first check (初审) before it forwards one to the center.

Entered by center staff, an application is submitted at once and then runs like an online one (number,
version, receipt, review deadline: applications.services.submission). Entered by a workstation, it stays a
draft with the workstation until its first check finds it complete and the applicant's standing verified;
the check then submits it to the center.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import CATEGORIES_WITH_CREDIT_CODE, ApplicantCategory, Channel, EvidenceCategory
from applications.models import Applicant, Application
from applications.permissions import (
    FIRST_CHECK_CHANNELS,
    can_enter_application,
    can_first_check,
    can_see_applicant,
    is_service_point_user,
)
from applications.services._common import S, admin_link, lock
from applications.services.drafting import start_draft, store_attachment
from applications.services.invitations import invitation_send
from applications.services.submission import application_submit, submission_problems
from portal.access import require
from portal.audit import log_action
from portal.models import User
from portal.notifications import notify
from portal.uploads import UploadRefused

# The applicant's identity on the form, from which a new applicant is registered.
IDENTITY_FIELDS = [
    "applicant_category",
    "applicant_category_other",
    "applicant_name",
    "credit_code",
    "id_type",
    "id_number",
]


def duplicate_applicant_errors(answers: dict, user: User | None = None) -> dict:
    """{field: message} when the credit code or the ID document on the form already belongs to a registered
    applicant. The message names it when `user` may see it (so that staff pick it instead); a workstation is
    not told the name of an applicant outside its scope, only to ask the center."""
    errors = {}
    category = answers.get("applicant_category")
    code = answers.get("credit_code") or ""
    id_number = answers.get("id_number") or ""
    found = []
    if code and category != ApplicantCategory.INDIVIDUAL:
        found.append(("credit_code", Applicant.objects.filter(credit_code=code).first(), _("该统一社会信用代码")))
    if id_number and category == ApplicantCategory.INDIVIDUAL:
        existing = Applicant.objects.filter(id_type=answers.get("id_type") or "", id_number=id_number).first()
        found.append(("id_number", existing, _("该证件号码")))
    for field, existing, what in found:
        if existing is None:
            continue
        if user is None or can_see_applicant(user, existing):
            errors[field] = _(
                "%(what)s已登记为申请人“%(name)s”（编号 %(pk)s）。请返回上一步搜索并选择该申请人，不要重复登记。"
            ) % {"what": what, "name": existing.name, "pk": existing.pk}
        else:
            errors[field] = _("%(what)s已登记为其他工作站或指导中心服务的申请人，请联系指导中心办理。") % {"what": what}
    return errors


def _register_applicant(answers, *, by, service_point):
    errors = duplicate_applicant_errors(answers, by)
    if errors:
        raise ValidationError(errors, code="duplicate")
    category = answers.get("applicant_category") or ""
    if not category:
        raise ValidationError({"applicant_category": _("请选择申请人类别。")}, code="required")
    if not (answers.get("applicant_name") or "").strip():
        raise ValidationError({"applicant_name": _("请填写申请人名称或姓名。")}, code="required")
    person = category == ApplicantCategory.INDIVIDUAL
    if person and not answers.get("id_number"):
        raise ValidationError({"id_number": _("个人申请请填写证件号码。")}, code="required")
    if category in CATEGORIES_WITH_CREDIT_CODE and not answers.get("credit_code"):
        raise ValidationError({"credit_code": _("请填写 18 位统一社会信用代码。")}, code="required")
    applicant = Applicant.objects.create(
        category=category,
        category_other=answers.get("applicant_category_other") or "",
        name=answers["applicant_name"].strip(),
        credit_code=None if person else (answers.get("credit_code") or None),
        id_type=(answers.get("id_type") or "") if person else "",
        id_number=(answers.get("id_number") or "") if person else "",
        address=answers.get("contact_address") or "",
        service_point=service_point,
    )
    log_action(
        applicant, "applications.applicant.entered", by=by, data={"service_point": getattr(service_point, "pk", None)}
    )
    return applicant


def _store(application, key, *, category, upload, by):
    """Keep one file; a refused file is an error of its field (`key`), naming the file."""
    try:
        store_attachment(application, category=category, upload=upload, by=by)
    except UploadRefused as exc:
        name = getattr(upload, "name", "")
        raise ValidationError({key: [f"{name}：{message}" for message in exc.messages]}, code="upload") from exc


def application_enter(
    *,
    by: User,
    answers: dict,
    paper_form,
    applicant: Applicant | None = None,
    channel: str = Channel.PAPER,
    evidence=(),
    invite_email: str = "",
    invite_name: str = "",
    invite_phone: str = "",
    note: str = "",
) -> Application:
    """File an application received on paper or by e-mail for `applicant` (or, with None, for a new applicant
    registered from the form's answers), with the scanned signed form and other evidence
    (`evidence`: (category, upload) pairs; a refused file is an error keyed "paper_form" or
    "evidence_<category>").

    Center staff: submitted at once. Workstation staff: a draft of the workstation awaiting its first check.
    With `invite_email`, the applicant's contact is invited to follow it online. Errors about the answers
    come as a ValidationError keyed by the form's fields, and nothing is stored."""
    require(can_enter_application(by, applicant), _("只有指导中心或负责该申请人的服务工作站可以代为录入申请。"))
    if channel not in FIRST_CHECK_CHANNELS:
        raise ValidationError({"channel": _("请选择收到申请的方式：纸质申请书或电子邮件。")}, code="channel")
    if paper_form is None:
        raise ValidationError({"paper_form": _("请上传签字（盖章）的申请书扫描件。")}, code="paper_form")
    workstation = is_service_point_user(by)
    with transaction.atomic():
        if applicant is None:
            service_point = by.service_point if workstation else None
            applicant = _register_applicant(answers, by=by, service_point=service_point)
        else:
            applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
            service_point = by.service_point if workstation else applicant.service_point
            if workstation and applicant.service_point_id is None:
                # The workstation that takes its paper form helps the applicant from now on.
                applicant.service_point = by.service_point
                applicant.save(update_fields=["service_point"])
        known = {
            "applicant_category": applicant.category,
            "applicant_category_other": applicant.category_other,
            "applicant_name": applicant.name,
            "credit_code": applicant.credit_code or "",
            "id_type": applicant.id_type,
            "id_number": applicant.id_number,
        }
        application = start_draft(
            applicant,
            by=by,
            answers={**answers, **known},
            channel=channel,
            service_point=service_point,
            note=note,
            action="applications.application.entered",
        )
        application = lock(application)
        _store(application, "paper_form", category=EvidenceCategory.PAPER_FORM, upload=paper_form, by=by)
        for category, upload in evidence:
            _store(application, f"evidence_{category}", category=category, upload=upload, by=by)
        if not workstation:
            problems = submission_problems(application)
            if problems:
                raise ValidationError(problems, code="incomplete")
            application = application_submit(application=application, by=by)
        if invite_email:
            invitation_send(
                applicant=applicant,
                email=invite_email,
                full_name=invite_name or application.contact_name,
                phone=invite_phone,
                application=application,
                by=by,
            )
    return application


def application_first_check(
    *, application: Application, by: User, complete: bool, standing_verified: bool, note: str = ""
) -> Application:
    """The workstation's first check of an application it entered: complete and standing verified → it is
    submitted to the center; otherwise the note is kept and it stays with the workstation."""
    require(can_first_check(by, application), _("只有受理该申请的服务工作站可以初审。"))
    note = (note or "").strip()
    passed = bool(complete and standing_verified)
    if not passed and not note:
        raise ValidationError({"note": _("初审未通过时，请写明缺少的材料或需要核实的问题。")}, code="note")
    with transaction.atomic():
        application = lock(application)
        if application.status != S.DRAFT:
            raise ValidationError(_("该申请已转报指导中心，不能再次初审。"), code="forwarded")
        application.first_checked_by = by
        application.first_checked_at = timezone.now()
        application.first_check_note = note
        application.save(update_fields=["first_checked_by", "first_checked_at", "first_check_note", "updated_at"])
        if not passed:
            missing = [
                label for ok, label in ((complete, _("材料不齐全")), (standing_verified, _("主体资格未核实"))) if not ok
            ]
            log_action(
                application,
                "applications.application.first_check_failed",
                by=by,
                note=note,
                data={"complete": bool(complete), "standing_verified": bool(standing_verified), "missing": missing},
            )
            return application
        problems = submission_problems(application)
        if problems:
            raise ValidationError(problems, code="incomplete")
        log_action(
            application,
            "applications.application.forwarded",
            by=by,
            note=note,
            data={"service_point": application.service_point_id},
        )
        application = application_submit(application=application, by=by)
        if application.entered_by_id and application.entered_by_id != by.pk:
            notify(
                [application.entered_by],
                subject=_("申请已转报指导中心：%(number)s") % {"number": application.number},
                body=_("%(name)s 初审通过了您录入的申请，已转报指导中心。") % {"name": by.full_name},
                link=admin_link(application),
            )
    return application
