"""Turning a closed case into a typical case (典型案例), and asking the applicant's consent.

Staff draft it in one step: the application gives the country, the right and dispute types, the
field and the facts; the guidance opinion and the close give the response, the outcome and the
lessons. The text is redacted (knowledge.redaction) and the replacements are recorded with the
drafting, so that staff can check them on the admin page before publishing it like any other item.
Staff may ask the applicant organisation whether it agrees; a refusal stops publication for good.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from applications.choices import DisputeType, OpponentType, RightType, TechnicalField
from applications.countries import country_name
from applications.models import Feedback
from applications.selectors import members_of
from cases.models import AssistanceLetter, Case
from cases.opinions.models import GuidanceOpinion, ResponseOption
from knowledge.models import IPType, Publication, TypicalCase, new_token
from knowledge.permissions import can_draft_typical_case
from knowledge.redaction import Redactor
from portal.access import require
from portal.audit import LogEntry, entries_for, log_action
from portal.notifications import notify, notify_staff

CENTER_ONLY = _("只有指导中心工作人员可以把案件整理为典型案例。")
DRAFTED = "knowledge.case.drafted_from_case"

RIGHT_TO_IP = {
    RightType.INVENTION: IPType.PATENT,
    RightType.UTILITY_MODEL: IPType.PATENT,
    RightType.DESIGN: IPType.PATENT,
    RightType.TRADEMARK: IPType.TRADEMARK,
    RightType.GEOGRAPHICAL_INDICATION: IPType.GI,
    RightType.COPYRIGHT: IPType.COPYRIGHT,
}
DISPUTE_TO_FORUM = [
    (DisputeType.TRADE_INVESTIGATION, TypicalCase.Forum.ITC_337),
    (DisputeType.EXHIBITION, TypicalCase.Forum.TRADE_FAIR),
    (DisputeType.VALIDITY, TypicalCase.Forum.OPPOSITION),
    (DisputeType.INFRINGEMENT, TypicalCase.Forum.COURT),
]


def _ip_type(case):
    if DisputeType.TRADE_SECRET in case.dispute_types:
        return IPType.TRADE_SECRET
    for right in case.right_types:
        if right in RIGHT_TO_IP:
            return RIGHT_TO_IP[right]
    return IPType.GENERAL


def _forum(case):
    for dispute, forum in DISPUTE_TO_FORUM:
        if dispute in case.dispute_types:
            if forum == TypicalCase.Forum.ITC_337 and "US" not in case.countries:
                continue
            return forum
    return TypicalCase.Forum.OTHER


def _labels(choices, values):
    labels = dict(choices)
    return "、".join(str(labels.get(value, value)) for value in values)


def _opinion(case):
    opinions = GuidanceOpinion.objects.filter(case=case).order_by("-signed_at", "-created_at")
    return opinions.filter(status=GuidanceOpinion.Status.SIGNED).first() or opinions.first()


def _closing_note(case):
    entry = (
        LogEntry.objects.about(case)
        .filter(action_type="cases.case.closed")
        .exclude(note="", public_note="")
        .order_by("-created")
        .first()
    )
    if entry is None:
        return ""
    return entry.note or entry.public_note


def _paragraphs(*parts):
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def draft_texts(case):
    """The unredacted fields of a typical case drafted from `case`."""
    application = case.application
    countries = "、".join(str(country_name(code)) for code in case.countries) or application.country_other
    ip_type = _ip_type(case)
    disputes = _labels(DisputeType.choices, case.dispute_types)
    rights = _labels(RightType.choices, case.right_types)
    first_dispute = _labels(DisputeType.choices, case.dispute_types[:1]).split("（")[0]
    first_right = _labels(RightType.choices, case.right_types[:1]) or IPType(ip_type).label
    title = _("%(country)s%(right)s%(dispute)s应对案例") % {
        "country": country_name(case.countries[0]) if case.countries else "",
        "right": first_right,
        "dispute": first_dispute or _("纠纷"),
    }
    field = _labels(TechnicalField.choices, application.technical_fields)
    facts = _paragraphs(
        _("申请人%(name)s（%(field)s领域）在%(countries)s遇到%(disputes)s，涉及%(rights)s；纠纷对象为%(opponent)s。")
        % {
            "name": application.applicant_name,
            "field": field or _("其他"),
            "countries": countries or _("境外"),
            "disputes": disputes or _("知识产权纠纷"),
            "rights": rights or _("知识产权"),
            "opponent": _labels(OpponentType.choices, application.opponent_types) or _("境外企业"),
        },
        application.request,
        application.impact,
    )
    opinion = _opinion(case)
    letters = (
        AssistanceLetter.objects.filter(
            case=case, status__in=[AssistanceLetter.Status.SIGNED, AssistanceLetter.Status.SETTLED]
        )
        .prefetch_related("agencies")
        .order_by("signed_at")
    )
    agencies = []
    for letter in letters:
        agencies += [agency.short_name for agency in letter.agencies.all() if agency.short_name not in agencies]
    response_parts = []
    if opinion is not None:
        recommended = _labels(ResponseOption.choices, opinion.responses)
        response_parts.append(
            _("指导中心出具行政指导意见，建议采取：%(responses)s。") % {"responses": recommended}
            if recommended
            else _("指导中心出具了行政指导意见。")
        )
        response_parts += [opinion.analysis, opinion.responses_detail]
    if agencies:
        response_parts.append(_("指导中心商请%(agencies)s协助办理。") % {"agencies": "、".join(agencies)})
    feedback = Feedback.objects.filter(application=application).first()
    closed = case.closed_at
    outcome = _paragraphs(
        feedback.outcome if feedback else "",
        _closing_note(case),
        _("案件于 %(year)s 年 %(month)s 月办结。") % {"year": closed.year, "month": closed.month} if closed else "",
    )
    lessons = _paragraphs(opinion.risks, opinion.next_steps) if opinion is not None else ""
    return {
        "title": title,
        "ip_type": ip_type,
        "country": case.countries[0] if case.countries else "",
        "industry": case.technical_field or "",
        "forum": _forum(case),
        "year": closed.year if closed else None,
        "facts": facts,
        "response": _paragraphs(*response_parts),
        "outcome": outcome,
        "lessons": lessons,
    }


TEXT_FIELDS = ("title", "facts", "response", "outcome", "lessons")


def typical_case_draft_from_case(*, case: Case, by) -> TypicalCase:
    """A draft typical case from a closed case, its text redacted; staff review it and publish."""
    require(can_draft_typical_case(by, case), CENTER_ONLY)
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("application__applicant").get(pk=case.pk)
        if case.status != Case.Status.CLOSED:
            raise ValidationError(_("只有已结案的案件可以整理为典型案例。"), code="not_closed")
        existing = TypicalCase.objects.filter(source_case=case).exclude(status=Publication.Status.DECLINED).first()
        if existing is not None:
            raise ValidationError(
                _("该案件已整理为典型案例《%(title)s》，请在该案例上修改。") % {"title": existing.title},
                code="exists",
            )
        values = draft_texts(case)
        redactor = Redactor.for_case(case)
        for name in TEXT_FIELDS:
            values[name] = redactor.redact(values[name])
        values["title"] = values["title"][:200]
        item = TypicalCase.objects.create(source_case=case, **values)
        log_action(
            item,
            DRAFTED,
            by=by,
            scope=case,
            note=_("由案件 %(number)s 生成典型案例草稿") % {"number": case.number},
            data={"case": case.pk, "replacements": [r.as_dict() for r in redactor.replacements]},
        )
    return item


def drafting_replacements(item):
    """What the redaction replaced when `item` was drafted from its case: [{kind, original, label, count}]."""
    entry = entries_for(item).filter(action_type=DRAFTED).order_by("-created").first()
    return entry.data.get("replacements", []) if entry is not None else []


def typical_case_request_consent(*, item: TypicalCase, by) -> TypicalCase:
    """E-mail the applicant organisation's users a link where they agree to publication or refuse it."""
    require(can_draft_typical_case(by), CENTER_ONLY)
    with transaction.atomic():
        item = (
            TypicalCase.objects.select_for_update(of=("self",))
            .select_related("source_case__application__applicant")
            .get(pk=item.pk)
        )
        if item.source_case is None:
            raise ValidationError(_("该案例不是由案件生成，没有可征求意见的申请人。"), code="no_case")
        if item.consent in (TypicalCase.Consent.GIVEN, TypicalCase.Consent.REFUSED):
            raise ValidationError(
                _("申请人已答复（%(answer)s），无需再次征求。") % {"answer": item.get_consent_display()},
                code="answered",
            )
        if item.status in (Publication.Status.PUBLISHED, Publication.Status.DECLINED):
            raise ValidationError(_("已发布或不予采用的案例不能再征求意见。"), code="state")
        recipients = members_of(item.source_case.application.applicant)
        if not recipients:
            raise ValidationError(_("申请人单位没有可接收通知的账号，无法征求意见。"), code="no_recipients")
        item.consent = TypicalCase.Consent.REQUESTED
        item.consent_token = item.consent_token or new_token()
        item.save(update_fields=["consent", "consent_token", "updated_at"])
        log_action(
            item,
            "knowledge.case.consent_requested",
            by=by,
            scope=item.source_case,
            data={"recipients": [user.pk for user in recipients]},
        )
        notify(
            recipients,
            subject=_("征求意见：贵单位的案件拟作为典型案例公开"),
            body=_(
                "指导中心拟将贵单位已办结的案件整理为典型案例，在知识平台公开，供其他企业借鉴。"
                "案例已隐去单位名称、统一社会信用代码、联系人、联系方式和各类编号。"
                "请打开下面的链接查看案例全文，并答复是否同意公开；未经同意，中心不会发布。"
            ),
            link=reverse("knowledge:consent", args=[item.consent_token]),
        )
    return item


def typical_case_by_consent_token(token):
    if not token or len(token) > 64:
        return None
    return TypicalCase.objects.filter(consent_token=token).exclude(consent=TypicalCase.Consent.NOT_NEEDED).first()


def typical_case_consent_answer(*, item: TypicalCase, agree: bool, by=None) -> TypicalCase:
    """The applicant's answer through the e-mailed link: agree (staff may publish) or refuse (never published)."""
    with transaction.atomic():
        item = TypicalCase.objects.select_for_update().get(pk=item.pk)
        if item.consent != TypicalCase.Consent.REQUESTED:
            raise ValidationError(
                _("已答复（%(answer)s），不能再次更改。如需更改请联系指导中心。")
                % {"answer": item.get_consent_display()},
                code="answered",
            )
        item.consent = TypicalCase.Consent.GIVEN if agree else TypicalCase.Consent.REFUSED
        item.save(update_fields=["consent", "updated_at"])
        log_action(
            item,
            "knowledge.case.consent_given" if agree else "knowledge.case.consent_refused",
            by=by,
            scope=item.source_case,
        )
        notify_staff(
            subject=_("申请人%(answer)s：典型案例《%(title)s》")
            % {"answer": _("同意公开") if agree else _("不同意公开"), "title": item.title},
            body=_("申请人已答复征求意见：%(answer)s。") % {"answer": item.get_consent_display()},
            link=reverse("admin:knowledge_typicalcase_change", args=[item.pk]),
        )
    return item
