"""State changes of consultations: log, edit, follow up, close, reopen, turn into an application.

Every service checks who acts first (consultations.permissions; a refusal is portal.access.Forbidden),
runs in one transaction, locks the row it changes, moves the status only through
portal.transitions.transition (the map is Consultation.TRANSITIONS) and writes one audit entry.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import permissions as application_permissions
from applications import services as application_services
from applications.choices import CATEGORIES_WITH_CREDIT_CODE, ApplicantCategory, Channel, IdType
from applications.models import Applicant, Application
from applications.selectors import members_of
from consultations.models import Consultation
from consultations.permissions import can_change, can_convert, can_log, is_workstation_user, visible_applicants
from consultations.selectors import follow_ups_due
from portal.access import require
from portal.audit import log_action
from portal.models import User
from portal.notifications import notify
from portal.sequences import next_value
from portal.transitions import TransitionNotAllowed, transition
from portal.validators import (
    normalise_credit_code,
    normalise_id_number,
    validate_credit_code,
    validate_passport_number,
    validate_resident_id,
)

S = Consultation.Status

NOT_YOURS = gettext_lazy("只有指导中心或接待该咨询的服务工作站可以办理。")
NUMBER_PREFIX = "ZX"

# What staff enter and change on a consultation (the rest is kept by the services).
FIELDS = [
    "channel",
    "received_at",
    "person_name",
    "person_title",
    "phone",
    "email",
    "wechat",
    "applicant",
    "organisation_name",
    "credit_code",
    "fair_name",
    "countries",
    "right_types",
    "dispute_types",
    "question",
    "answer",
    "minutes_spent",
    "follow_up_on",
]


def consultation_number(year: int, value: int) -> str:
    return f"{NUMBER_PREFIX}-{year}-{value:06d}"


def _lock(consultation):
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


def _apply(consultation, data):
    """Copy the known fields of `data` onto the consultation; returns the names that changed."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValueError(f"not a consultation field: {sorted(unknown)}")
    changed = []
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "credit_code":
            value = normalise_credit_code(value)
        if getattr(consultation, name) != value:
            setattr(consultation, name, value)
            changed.append(name)
    # A registered applicant names the organisation: keep its name and code on the row for the search.
    if "applicant" in changed and consultation.applicant_id:
        for name, value in (
            ("organisation_name", consultation.applicant.name),
            ("credit_code", consultation.applicant.credit_code or ""),
        ):
            if getattr(consultation, name) != value:
                setattr(consultation, name, value)
                if name not in changed:
                    changed.append(name)
    return changed


def _check(consultation, by):
    """The model's own rules (required fields, lengths, choices), each at its field, and an applicant
    the user may see."""
    errors = {}
    if consultation.applicant_id and not visible_applicants(by).filter(pk=consultation.applicant_id).exists():
        errors["applicant"] = [_("请选择本工作站可以查看的已登记单位，或填写单位名称。")]
    if consultation.credit_code:
        try:
            validate_credit_code(consultation.credit_code)
        except ValidationError as exc:
            errors["credit_code"] = exc.messages
    try:
        consultation.full_clean(exclude=["number", "handled_by", "service_point", "application", "status"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def consultation_log(*, data: dict, by: User, application: Application | None = None) -> Consultation:
    """Record a consultation received by `by` (its workstation when `by` is a workstation's staff).

    `data` holds the fields of FIELDS. `application`: one already started another way (a fair desk's
    request turned into an application): the consultation is recorded as turned into it."""
    require(can_log(by), _("只有指导中心或服务工作站的工作人员可以登记咨询。"))
    consultation = Consultation(
        handled_by=by,
        service_point=by.service_point if is_workstation_user(by) else None,
        status=S.CONVERTED if application is not None else S.OPEN,
        application=application,
    )
    _apply(consultation, {"received_at": timezone.now(), **data})
    _check(consultation, by)
    with transaction.atomic():
        year = timezone.localtime(consultation.received_at).year
        consultation.number = consultation_number(year, next_value("consultation", year))
        consultation.save(force_insert=True)
        log_action(
            consultation,
            "consultations.consultation.logged",
            by=by,
            to_status=consultation.status,
            data={"channel": consultation.channel, "application": application.pk if application else None},
        )
    return consultation


def consultation_update(*, consultation: Consultation, data: dict, by: User) -> Consultation:
    """Correct or complete what was recorded."""
    require(can_change(by, consultation), NOT_YOURS)
    with transaction.atomic():
        locked = _lock(consultation)
        changed = _apply(locked, data)
        if not changed:
            return locked
        _check(locked, by)
        if "follow_up_on" in changed:
            locked.follow_up_reminded_on = None
            changed.append("follow_up_reminded_on")
        locked.save(update_fields=[*changed, "updated_at"])
        log_action(locked, "consultations.consultation.updated", by=by, data={"fields": changed})
    return locked


def consultation_follow_up(
    *, consultation: Consultation, note: str, by: User, next_on: datetime.date | None = None
) -> Consultation:
    """Record what was done (a call back, an e-mail sent) and set the next follow-up date, or none."""
    require(can_change(by, consultation), NOT_YOURS)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写本次跟进的情况。")})
    today = timezone.localdate()
    if next_on is not None and next_on < today:
        raise ValidationError({"next_on": _("下次跟进日期不能早于今天。")})
    with transaction.atomic():
        locked = _lock(consultation)
        if locked.status != S.OPEN:
            raise TransitionNotAllowed(
                _("咨询当前状态为“%(status)s”，请先重新打开再记录跟进。") % {"status": locked.get_status_display()},
                code="not_open",
            )
        line = f"{today:%Y-%m-%d} {by.full_name}：{note}"
        locked.follow_up_note = "\n".join(part for part in (locked.follow_up_note, line) if part)
        locked.follow_up_on = next_on
        locked.follow_up_reminded_on = None
        locked.save(update_fields=["follow_up_note", "follow_up_on", "follow_up_reminded_on", "updated_at"])
        log_action(
            locked,
            "consultations.consultation.followed_up",
            by=by,
            note=note,
            data={"next_on": next_on.isoformat() if next_on else None},
        )
    return locked


def consultation_close(*, consultation: Consultation, by: User, note: str = "") -> Consultation:
    """The question is answered and nothing more is to be done: no more reminders."""
    require(can_change(by, consultation), NOT_YOURS)
    with transaction.atomic():
        locked = _lock(consultation)
        return transition(
            locked,
            S.CLOSED,
            by=by,
            permission=can_change,
            denied_message=NOT_YOURS,
            action="consultations.consultation.closed",
            note=(note or "").strip(),
        )


def consultation_reopen(
    *, consultation: Consultation, by: User, note: str = "", follow_up_on: datetime.date | None = None
) -> Consultation:
    """The enterprise came back on a closed consultation; optionally with the next follow-up date."""
    require(can_change(by, consultation), NOT_YOURS)
    with transaction.atomic():
        locked = _lock(consultation)
        locked.follow_up_on = follow_up_on
        locked.follow_up_reminded_on = None
        return transition(
            locked,
            S.OPEN,
            by=by,
            permission=can_change,
            denied_message=NOT_YOURS,
            action="consultations.consultation.reopened",
            note=(note or "").strip(),
            update_fields=("follow_up_on", "follow_up_reminded_on"),
        )


# --- Turning a consultation into an application -----------------------------------------------


def _find_or_create_applicant(
    consultation, *, name, category, credit_code, id_type, id_number, address
) -> tuple[Applicant, bool]:
    """The applicant the consultation is about: a registered one found by its credit code (an
    organisation) or its ID document (a natural person), else a new one. Never a second applicant
    for a code or a document already registered. Returns (applicant, created)."""
    category = category or (ApplicantCategory.INDIVIDUAL if id_number else ApplicantCategory.ENTERPRISE)
    name = (name or "").strip()
    if category == ApplicantCategory.INDIVIDUAL:
        id_type = id_type or IdType.RESIDENT_ID
        id_number = normalise_id_number(id_number)
        if not id_number:
            raise ValidationError({"id_number": _("个人申请人请填写证件号码。")})
        validator = validate_resident_id if id_type == IdType.RESIDENT_ID else validate_passport_number
        try:
            validator(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
        lookup = {"id_type": id_type, "id_number": id_number}
        values = {"credit_code": None}
    else:
        credit_code = normalise_credit_code(credit_code)
        if category in CATEGORIES_WITH_CREDIT_CODE or credit_code:
            if not credit_code:
                raise ValidationError({"credit_code": _("请填写统一社会信用代码。")})
            try:
                validate_credit_code(credit_code)
            except ValidationError as exc:
                raise ValidationError({"credit_code": exc.messages}) from exc
            lookup = {"credit_code": credit_code}
        else:
            lookup = None  # 其他 without a code: always a new applicant
        values = {}
    if lookup is not None:
        found = Applicant.objects.filter(**lookup).first()
        if found is not None:
            return found, False
    if not name:
        raise ValidationError({"organisation_name": _("请填写申请人名称。")})
    fields = {
        "category": category,
        "name": name,
        "address": (address or "").strip(),
        "service_point": consultation.service_point,
        **(lookup or {}),
        **values,
    }
    try:
        with transaction.atomic():
            return Applicant.objects.create(**fields), True
    except IntegrityError:
        # Registered a moment ago by someone else (the same code or document): take that one.
        if lookup is None:
            raise
        return Applicant.objects.get(**lookup), False


def _request_text(consultation):
    parts = [
        _("本申请由咨询 %(number)s（%(channel)s，%(when)s）转来，请补充完善后提交。")
        % {
            "number": consultation.number,
            "channel": consultation.get_channel_display(),
            "when": timezone.localtime(consultation.received_at).strftime("%Y-%m-%d"),
        },
        _("咨询问题：\n%(question)s") % {"question": consultation.question},
    ]
    if consultation.fair_name:
        parts.insert(1, _("展会：%(fair)s") % {"fair": consultation.fair_name})
    return "\n".join(parts)


def consultation_convert(
    *,
    consultation: Consultation,
    by: User,
    full_name: str,
    email: str,
    phone: str = "",
    organisation_name: str = "",
    category: str = "",
    credit_code: str = "",
    id_type: str = "",
    id_number: str = "",
    address: str = "",
) -> Application:
    """Turn the consultation into a draft application pre-filled with what it knows, and invite the
    person (`full_name`, `email`) to complete it online.

    The applicant is the consultation's registered one, or is found by the credit code (an
    organisation) or ID document (a natural person) given here or on the consultation, or is
    registered now. Converting twice gives the one application (the row is locked; a consultation
    already turned into an application returns it)."""
    require(can_convert(by, consultation), NOT_YOURS)
    full_name = (full_name or "").strip()
    email = User.objects.normalize_email((email or "").strip())
    if not full_name:
        raise ValidationError({"full_name": _("请填写受邀人姓名。")})
    if not email:
        raise ValidationError({"email": _("请填写受邀人的电子邮箱，邀请链接将发送到该邮箱。")})
    with transaction.atomic():
        locked = _lock(consultation)
        if locked.application_id is not None:
            return locked.application
        if locked.status not in (S.OPEN, S.CLOSED):
            raise TransitionNotAllowed(_("该咨询不能转为申请。"), code="status")
        created = False
        applicant = locked.applicant
        if applicant is None:
            applicant, created = _find_or_create_applicant(
                locked,
                name=organisation_name or locked.organisation_name,
                category=category,
                credit_code=credit_code or locked.credit_code,
                id_type=id_type,
                id_number=id_number,
                address=address,
            )
        if not application_permissions.can_send_invitation(by, applicant):
            # A workstation found an applicant registered by the center or another workstation.
            field = "id_number" if applicant.is_person else "credit_code"
            raise ValidationError({field: _("该申请人已由指导中心或其他工作站登记，请联系指导中心转为申请。")})
        answers = {
            "contact_name": full_name,
            "contact_email": email,
            "contact_phone": (phone or locked.phone or "").strip(),
            "countries": list(locked.countries),
            "right_types": list(locked.right_types),
            "dispute_types": list(locked.dispute_types),
            "request": _request_text(locked),
        }
        application = application_services.application_start_for(
            applicant=applicant,
            by=by,
            requester=None,
            answers=answers,
            channel=Channel.CONSULTATION,
            service_point=locked.service_point or applicant.service_point,
            note=_("由咨询 %(number)s 转来") % {"number": locked.number},
            data={"consultation": locked.pk},
        )
        member = next((user for user in members_of(applicant) if user.email.lower() == email.lower()), None)
        if member is not None:
            # The person already acts for the applicant online: tell them, no invitation needed.
            notify(
                [member],
                subject=_("中心已为您生成纠纷应对指导申请草稿"),
                body=_("您咨询的问题（%(number)s）已由中心转为申请草稿，请补充纠纷情况和证明材料后提交。")
                % {"number": locked.number},
                link=reverse("applications:edit", args=[application.pk]),
            )
        else:
            application_services.invitation_send(
                applicant=applicant,
                email=email,
                full_name=full_name,
                phone=(phone or locked.phone or "").strip(),
                application=application,
                by=by,
            )
        locked.application = application
        locked.applicant = applicant
        if not locked.organisation_name:
            locked.organisation_name = applicant.name
        transition(
            locked,
            S.CONVERTED,
            by=by,
            permission=can_convert,
            denied_message=NOT_YOURS,
            action="consultations.consultation.converted",
            data={
                "application": application.pk,
                "applicant": applicant.pk,
                "applicant_created": created,
                "invited": email if member is None else None,
            },
            update_fields=("application", "applicant", "organisation_name"),
        )
    return application


# --- Periodic work ----------------------------------------------------------------------------


def consultation_follow_ups_remind(*, today: datetime.date | None = None) -> int:
    """Daily: tell each receiving staff member of their open consultations whose follow-up date has
    come (today or overdue), in one message. Each consultation records the day it was reminded, so a
    second run on the same day sends nothing. Returns the number of consultations reminded."""
    today = today or timezone.localdate()
    by_handler: dict[int, list[int]] = {}
    for pk, handler_id in (
        follow_ups_due(today=today)
        .exclude(follow_up_reminded_on=today)
        .values_list("pk", "handled_by_id")
        .order_by("follow_up_on", "pk")
    ):
        by_handler.setdefault(handler_id, []).append(pk)
    reminded = 0
    for handler_id, ids in by_handler.items():
        with transaction.atomic():
            rows = list(
                Consultation.objects.select_for_update()
                .filter(pk__in=ids, status=S.OPEN, follow_up_on__lte=today)
                .exclude(follow_up_reminded_on=today)
                .order_by("follow_up_on", "pk")
            )
            if not rows:
                continue
            handler = User.objects.get(pk=handler_id)
            lines = []
            for row in rows:
                late = _("已逾期") if row.follow_up_on < today else _("今日")
                lines.append(
                    f"{row.number} {row.person_name} {row.organisation or ''} · {row.follow_up_on:%Y-%m-%d}（{late}）"
                )
                row.follow_up_reminded_on = today
                row.save(update_fields=["follow_up_reminded_on"])
                log_action(row, "consultations.consultation.follow_up_reminded", by=None, data={"to": handler_id})
            notify(
                [handler],
                subject=_("有 %(n)s 条咨询待跟进") % {"n": len(rows)},
                body=_("以下咨询的跟进日期已到：\n%(lines)s") % {"lines": "\n".join(lines)},
                link=reverse("admin:consultations_consultation_changelist") + "?follow_up=due",
            )
            reminded += len(rows)
    return reminded
