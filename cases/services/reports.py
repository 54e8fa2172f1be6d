"""Upward reports (报告) of major or difficult cases to the higher authority.

A report is an upward document (上行文): staff draft it in the center's voice from the case
record and submit it; the director or a deputy director signs it (签发) — with a fresh second
factor in the admin, as for letters — which gives it its number and issues the PDF under the
signer's name (签发人) and the center's digital signature. Staff record the answer."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import ApplicantCategory, OpponentType
from cases.models import Case, UpwardReport
from cases.permissions import can_handle_case, can_handle_report, can_sign_report
from cases.services._common import CENTER_ONLY, L, R, S, lock_case
from cases.services.case import case_summary
from documents.formatting import chinese_date, person_name
from documents.models import Document
from documents.services import allocate_number, check_can_issue_signed, document_request, signer_title_for
from portal.access import require
from portal.audit import log_action
from portal.models import SiteConfiguration, User
from portal.notifications import notify, notify_signers
from portal.transitions import TransitionNotAllowed, check_fresh, check_transition, transition

SIGNERS_ONLY = _("只有中心主任或副主任可以签发或退回情况报告。")

# How an applicant speaks of itself (我司、本公司…) and of the center (贵中心…). The report is the
# center's text: the applicant is "该企业" (or "该单位"), the center "我中心". Longest first.
_APPLICANT_SELF = re.compile(
    "我们公司|我们单位|我公司|本公司|我集团|本集团|我企业|本企业|我单位|本单位|我司|我方|我厂|本厂|我们|我"
    "(?=[的在与和及对向于被将已曾于，、。；：）]|$)"
)
_APPLICANT_TO_CENTER = re.compile("贵中心|你中心|贵单位|贵方")
# A space the data has between a Chinese character and a digit ("美国 337 调查"): not in a document.
_SPACE_BY_DIGIT = re.compile(r"(?<=[\u3400-\u9fff（）]) +(?=\d)|(?<=\d) +(?=[\u3400-\u9fff（）])")
# A level-1 heading of the report body on a line of its own: 一、基本情况.
LEVEL1_HEADING = re.compile(r"^[一二三四五六七八九十]+、[^。；，]{1,20}$")
# Words by which the applicant speaks of itself; the report refuses them (the center's voice).
FIRST_PERSON_OF_APPLICANT = ("我司", "我公司", "本公司", "我们公司", "我集团", "本集团", "我厂", "本厂")


def applicant_noun(case: Case) -> str:
    """How the report refers back to the applicant: 该企业 for an enterprise, else 该单位."""
    category = case.application.applicant_category
    return _("该企业") if category in ("", ApplicantCategory.ENTERPRISE) else _("该单位")


def third_person(text: str, noun: str) -> str:
    """The applicant's own words rewritten about the applicant, in the center's voice:
    我司/本公司/我们… become `noun` (该企业), 贵中心 becomes 我中心."""
    text = _APPLICANT_SELF.sub(noun, text or "")
    return _APPLICANT_TO_CENTER.sub(_("我中心"), text)


def _tidy(text: str) -> str:
    return _SPACE_BY_DIGIT.sub("", " ".join((text or "").split()))


def _sentence(text: str) -> str:
    text = _tidy(text).rstrip("。；;，,.")
    return f"{text}。" if text else ""


def _level1(number: str, title: str) -> str:
    return f"{number}、{title}"


def _measures(case: Case, noun: str) -> list[str]:
    """What the center has done on the case: letters, seminars, the guidance opinion."""
    lines = []
    if case.handler_id:
        lines.append(_("我中心受理后即指定专人承办，与%(noun)s保持联系，了解纠纷进展和应对需求。") % {"noun": noun})
    letters = case.letters.filter(status__in=[L.SIGNED, L.SETTLED]).order_by("signed_at", "pk")
    for letter in letters.prefetch_related("recipients__agency"):
        recipients = list(letter.recipients.all())
        answered = [r.agency.short_name for r in recipients if r.answered_at]
        waiting = [r.agency.short_name for r in recipients if not r.answered_at]
        text = _("%(date)s，我中心向%(agencies)s发出协助办理函（%(number)s），事由为“%(subject)s”") % {
            "date": chinese_date(timezone.localdate(letter.signed_at)),
            "agencies": "、".join(r.agency.short_name for r in recipients),
            "number": letter.number,
            "subject": _tidy(letter.subject).rstrip("。"),
        }
        if answered:
            text += _("，%(agencies)s已回函") % {"agencies": "、".join(answered)}
        if waiting:
            text += _("，%(agencies)s尚未回函") % {"agencies": "、".join(waiting)}
        lines.append(text + "。")
    issued = Document.objects.filter(case=case, status=Document.Status.READY, superseded_by__isnull=True)
    issued = issued.filter(revoked_at__isnull=True).order_by("issued_on", "pk")
    for document in issued.filter(kind=Document.Kind.SEMINAR_MINUTES):
        lines.append(
            _("%(date)s，我中心组织专家研讨会进行研讨合议，形成合议意见和专家研讨会纪要（%(number)s）。")
            % {"date": chinese_date(document.issued_on), "number": document.number}
        )
    for document in issued.filter(kind=Document.Kind.GUIDANCE_OPINION):
        lines.append(
            _("%(date)s，我中心向%(noun)s出具海外知识产权纠纷应对行政指导意见书（%(number)s）。")
            % {"date": chinese_date(document.issued_on), "noun": noun, "number": document.number}
        )
    return lines


def _next_steps(case: Case, noun: str) -> str:
    steps = []
    if case.letters.filter(status=L.SIGNED).exists():
        steps.append(_("督促协助单位尽快反馈核查和协助情况"))
    opinion_out = Document.objects.filter(
        case=case, kind=Document.Kind.GUIDANCE_OPINION, superseded_by__isnull=True, revoked_at__isnull=True
    ).exists()
    if not opinion_out:
        if not Document.objects.filter(case=case, kind=Document.Kind.SEMINAR_MINUTES).exists():
            steps.append(_("组织专家研讨合议，研判纠纷走向"))
        steps.append(_("尽快形成并出具应对行政指导意见"))
    else:
        steps.append(_("跟踪%(noun)s落实指导意见的情况") % {"noun": noun})
    steps.append(_("持续跟踪纠纷进展，重大情况及时报告"))
    ordinals = [_("一是"), _("二是"), _("三是"), _("四是"), _("五是")]
    return "；".join(f"{ordinals[i]}{step}" for i, step in enumerate(steps)) + "。"


def report_summary(case: Case) -> str:
    """The body of the report, written in the center's voice from the case record, one paragraph
    a line, level-1 headings on lines of their own; staff edit it before it goes for signature.
    The applicant's own words are reported in the third person (该企业), never as they wrote them."""
    application = case.application
    summary = case_summary(case)
    noun = applicant_noun(case)
    opened = chinese_date(timezone.localdate(case.opened_at))
    submitted = timezone.localdate(application.submitted_at) if application.submitted_at else None
    lines = [
        _(
            "%(applicant)s于%(submitted)s向我中心申请海外知识产权纠纷应对指导，我中心于%(opened)s受理"
            "（案件编号%(number)s）。经研判，该纠纷属%(level)s。现将有关情况报告如下。"
        )
        % {
            "applicant": case.applicant_name,
            "submitted": chinese_date(submitted) if submitted else opened,
            "opened": opened,
            "number": case.number,
            "level": summary["level"],
        },
        _level1(_("一"), _("基本情况")),
    ]
    category = (
        str(ApplicantCategory(application.applicant_category).label)
        if application.applicant_category in ApplicantCategory.values
        else ""
    )
    basic = _("%(applicant)s（统一社会信用代码%(code)s）") % {
        "applicant": case.applicant_name,
        "code": case.credit_code,
    }
    if category and application.applicant_category != ApplicantCategory.OTHER:
        basic += _("为%(category)s") % {"category": category}
    if application.contact_address:
        basic += _("，地址为%(address)s") % {"address": _tidy(application.contact_address)}
    lines.append(basic + "。")
    if case.regrade_reason:
        lines.append(
            _("我中心将该纠纷列为%(level)s，理由是：%(reason)s")
            % {"level": summary["level"], "reason": _sentence(case.regrade_reason)}
        )

    lines.append(_level1(_("二"), _("纠纷情况")))
    dispute = _("该纠纷涉及%(types)s，权利类别为%(rights)s，发生在%(countries)s") % {
        "types": "、".join(summary["dispute_types"]) or _("知识产权纠纷"),
        "rights": "、".join(summary["right_types"]) or "—",
        "countries": "、".join(summary["countries"]) or "—",
    }
    if summary["technical_field"]:
        dispute += _("，属%(field)s领域") % {"field": summary["technical_field"]}
    if application.opponent_name:
        opponent_type = "、".join(
            str(OpponentType(kind).label) for kind in application.opponent_types if kind in OpponentType.values
        )
        dispute += _("。纠纷对方为%(name)s") % {"name": _tidy(application.opponent_name)}
        if opponent_type:
            dispute += f"（{opponent_type}）"
    lines.append(_tidy(dispute) + "。")
    if application.request.strip():
        lines.append(
            _("据%(noun)s反映，%(request)s")
            % {"noun": noun, "request": _sentence(third_person(application.request, noun))}
        )
    if application.impact.strip():
        lines.append(
            _("%(noun)s预估纠纷影响：%(impact)s")
            % {"noun": noun, "impact": _sentence(third_person(application.impact, noun))}
        )

    lines.append(_level1(_("三"), _("已采取的措施")))
    measures = _measures(case, noun)
    lines.extend(measures or [_("我中心已受理该案，正在研究应对方案。")])
    if case.status not in (S.CLOSED, S.TERMINATED):
        lines.append(_("目前，该案处于“%(status)s”阶段。") % {"status": case.get_status_display()})

    lines.append(_level1(_("四"), _("下一步工作")))
    lines.append(_next_steps(case, noun))
    return "\n".join(lines)


def report_paragraphs(summary: str) -> list[dict]:
    """The report body as the PDF lays it out: one entry a paragraph, level-1 headings marked."""
    paragraphs = []
    for line in summary.splitlines():
        text = line.strip()
        if text:
            paragraphs.append({"text": text, "heading": bool(LEVEL1_HEADING.match(text))})
    return paragraphs


def report_title(case: Case) -> str:
    return _("关于%(applicant)s海外知识产权纠纷有关情况的报告") % {"applicant": case.applicant_name}


def report_addressee(report: UpwardReport) -> str:
    """主送: the higher authority by its name."""
    config = SiteConfiguration.get()
    names = {
        UpwardReport.Recipient.PROVINCIAL: _("%(region)s知识产权局") % {"region": config.region},
        UpwardReport.Recipient.NATIONAL: _("国家海外知识产权纠纷应对指导中心"),
        UpwardReport.Recipient.MUNICIPAL: _("市知识产权主管部门"),
    }
    return str(names.get(report.recipient) or report.get_recipient_display())


def _check_wording(report: UpwardReport):
    """A report goes up as 关于…的报告, in the center's voice."""
    errors = {}
    title = report.title.strip()
    if not (title.startswith("关于") and title.endswith("报告")):
        errors["title"] = _("报告标题应为“关于……情况的报告”。")
    found = [word for word in FIRST_PERSON_OF_APPLICANT if word in f"{title}\n{report.summary}"]
    if found:
        errors["summary"] = _(
            "报告以我中心的口吻撰写，不能照抄申请人的自称（%(words)s）；请改为第三人称，如“该企业”。"
        ) % {"words": "、".join(found)}
    if not report.summary.strip():
        errors["summary"] = _("请填写报告正文。")
    if errors:
        raise ValidationError(errors)


def report_draft(*, case: Case, recipient: str, by: User) -> UpwardReport:
    """Draft an upward report (报告) on a major or difficult case, from the case record."""
    require(can_handle_case(by, case), CENTER_ONLY)
    if recipient not in UpwardReport.Recipient.values:
        raise ValidationError({"recipient": _("请选择报送对象。")})
    with transaction.atomic():
        case = lock_case(case)
        if not case.is_major:
            raise TransitionNotAllowed(_("只有重大/疑难纠纷需要报告。请先调整纠纷级别。"), code="not_major")
        report = UpwardReport.objects.create(
            case=case,
            recipient=recipient,
            title=report_title(case),
            summary=report_summary(case),
            created_by=by,
        )
        log_action(report, "cases.report.drafted", by=by, scope=case, to_status=R.DRAFT, note=_("起草重大纠纷情况报告"))
    return report


def _lock_report(report):
    return UpwardReport.objects.select_for_update(of=("self",)).select_related("case__application").get(pk=report.pk)


def report_update(
    *, report: UpwardReport, recipient: str, title: str, summary: str, by: User, seen_revision=None
) -> UpwardReport:
    """Edit a report still in draft: its addressee, title and body."""
    require(can_handle_report(by, report), CENTER_ONLY)
    if recipient not in UpwardReport.Recipient.values:
        raise ValidationError({"recipient": _("请选择报送对象。")})
    with transaction.atomic():
        report = _lock_report(report)
        check_fresh(report, seen_revision)
        if report.status != R.DRAFT:
            raise TransitionNotAllowed(
                _("情况报告当前状态为“%(status)s”，只有草稿可以修改。") % {"status": report.get_status_display()},
                code="frozen",
            )
        report.recipient = recipient
        report.title = (title or "").strip()
        report.summary = (summary or "").strip()
        report.revision += 1
        report.save(update_fields=["recipient", "title", "summary", "revision"])
        log_action(report, "cases.report.edited", by=by, scope=report.case, note=report.title)
    return report


def _report_link(report):
    return f"/admin/cases/upwardreport/{report.pk}/change/"


def report_submit(*, report: UpwardReport, by: User, seen_revision=None) -> UpwardReport:
    """Staff send the drafted report to the director and deputies for signature (提交签发)."""
    require(can_handle_report(by, report), CENTER_ONLY)
    with transaction.atomic():
        report = _lock_report(report)
        check_fresh(report, seen_revision)
        _check_wording(report)
        report = transition(
            report,
            R.AWAITING_SIGNATURE,
            by=by,
            action="cases.report.submitted",
            permission=can_handle_report,
            denied_message=CENTER_ONLY,
            note=_("情况报告“%(title)s”提交签发") % {"title": report.title},
            scope=report.case,
        )
        notify_signers(
            subject=_("待签发：%(title)s") % {"title": report.title},
            body=_("案件 %(number)s 的情况报告等待您签发。") % {"number": report.case.number},
            link=_report_link(report),
        )
    return report


def report_return(*, report: UpwardReport, by: User, reason: str = "", seen_revision=None) -> UpwardReport:
    """The signer sends the report back to draft for changes."""
    require(can_sign_report(by, report), SIGNERS_ONLY)
    with transaction.atomic():
        report = transition(
            _lock_report(report),
            R.DRAFT,
            by=by,
            action="cases.report.returned",
            permission=can_sign_report,
            denied_message=SIGNERS_ONLY,
            note=_("情况报告退回修改：%(reason)s") % {"reason": reason},
            scope=report.case,
            seen_revision=seen_revision,
        )
        notify([report.created_by], subject=_("情况报告被退回修改"), body=reason, link=_report_link(report))
    return report


def report_context(report: UpwardReport, *, number: str, signer: User) -> dict:
    """What the report's PDF prints, frozen at signature."""
    case = report.case
    config = SiteConfiguration.get()
    return {
        "title": report.title,
        "number": number,
        "addressee": report_addressee(report),
        "paragraphs": report_paragraphs(report.summary),
        "center_name": config.center_name,
        "case_number": case.number,
        "signer": person_name(signer),
        "signer_title": str(signer_title_for(signer)),
        "handler": person_name(case.handler) if case.handler_id else "",
        "handler_phone": (case.handler.phone if case.handler_id else "") or config.hotline,
    }


def report_sign(*, report: UpwardReport, by: User, seen_revision=None) -> UpwardReport:
    """签发 and send: only the director or a deputy director. Freezes the text, gives the number
    (晋知指报〔2026〕3号) and issues the PDF under the signer's name and the center's signature."""
    require(can_sign_report(by, report), SIGNERS_ONLY)
    check_can_issue_signed(by)
    with transaction.atomic():
        report = _lock_report(report)
        check_fresh(report, seen_revision)
        # Refuse before a number is taken.
        check_transition(UpwardReport.TRANSITIONS, report.status, R.SENT, labels=dict(R.choices))
        _check_wording(report)
        now = timezone.now()
        report.number = allocate_number(Document.Kind.UPWARD_REPORT)
        report.signed_by = report.sent_by = by
        report.signed_at = report.sent_at = now
        report = transition(
            report,
            R.SENT,
            by=by,
            action="cases.report.sent",
            permission=can_sign_report,
            denied_message=SIGNERS_ONLY,
            note=_("签发并向%(to)s报送情况报告 %(number)s")
            % {"to": report.get_recipient_display(), "number": report.number},
            scope=report.case,
            data={"number": report.number},
            update_fields=("number", "signed_by", "signed_at", "sent_at", "sent_by"),
        )
        document_request(
            kind=Document.Kind.UPWARD_REPORT,
            subject=report,
            template="pdf/upward_report.html",
            context=report_context(report, number=report.number, signer=by),
            title=report.title,
            number=report.number,
            case=report.case,
            signed_by=by,
            signer_title=str(signer_title_for(by)),
            by=by,
        )
        notify(
            [report.created_by],
            subject=_("情况报告已签发：%(number)s") % {"number": report.number},
            body=report.title,
            link=_report_link(report),
        )
    return report


def report_record_answer(*, report: UpwardReport, answer: str, by: User) -> UpwardReport:
    """Record the higher authority's answer to a sent report."""
    require(can_handle_report(by, report), CENTER_ONLY)
    if not (answer or "").strip():
        raise ValidationError({"answer": _("请填写上级回复内容。")})
    with transaction.atomic():
        report = _lock_report(report)
        report.answer = answer.strip()
        report.answered_at = timezone.now()
        return transition(
            report,
            R.ANSWERED,
            by=by,
            action="cases.report.answered",
            permission=can_handle_report,
            denied_message=CENTER_ONLY,
            note=_("收到情况报告 %(number)s 的上级回复") % {"number": report.number},
            scope=report.case,
            update_fields=("answer", "answered_at"),
        )
