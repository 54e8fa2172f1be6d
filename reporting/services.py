"""The quarterly and annual work reports (季度/年度工作报告) of the center.

Staff start a report for a period; its figures are computed by the statistics engine
(`reporting.selectors.figures`) in a long job and kept as a snapshot; staff write the commentary
(工作概述, 主要成效, 存在问题, 下一步工作) and submit it; the director reviews it and signs it (签发)
— with a fresh second factor in the admin — which gives it its number (a 报告: 晋知指报〔2026〕4号)
and issues the PDF in the center's layout, or returns it to draft. The regular joint meeting that
reviews the period is linked to the report, and the meeting's agencies may download the signed PDF."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.formatting import chinese_date, person_name
from documents.models import Document
from documents.services import allocate_number, check_can_issue_signed, document_request, signer_title_for
from meetings.models import JointMeeting
from portal.access import require
from portal.audit import log_action
from portal.models import PartnerAgency, SiteConfiguration, User
from portal.notifications import notify
from portal.roles import Role
from portal.transitions import TransitionNotAllowed, check_fresh, check_transition, transition
from reporting import selectors
from reporting.models import QUARTER_NAMES, WorkReport
from reporting.periods import Period
from reporting.report_permissions import can_edit_work_report, can_sign_work_report

S = WorkReport.Status
CENTER_ONLY = _("只有指导中心工作人员可以起草和修改工作报告。")
DIRECTOR_ONLY = _("只有中心主任可以签发或退回工作报告。")
COMMENTARY = ("overview", "achievements", "problems", "next_steps")


def compute_figures(period: Period, *, today: datetime.date | None = None) -> dict:
    """The period's figures, from the one statistics engine (JSON-ready)."""
    return selectors.figures(period, today=today)


# --- Period, title, meeting ---------------------------------------------------------------------


def report_period(kind: str, year: int, quarter: int | None) -> Period:
    if kind == WorkReport.Kind.ANNUAL:
        return Period.year(year)
    return Period.quarter(year, quarter)


def report_title(kind: str, year: int, quarter: int | None) -> str:
    """山西省涉外知识产权指导中心2026年第三季度工作报告 / …2026年度工作报告."""
    center = SiteConfiguration.get().center_name
    if kind == WorkReport.Kind.ANNUAL:
        return _("%(center)s%(year)s年度工作报告") % {"center": center, "year": year}
    return _("%(center)s%(year)s年第%(q)s季度工作报告") % {"center": center, "year": year, "q": QUARTER_NAMES[quarter]}


def matching_meeting(report: WorkReport) -> JointMeeting | None:
    """The regular joint meeting that reviews the report's period: for a quarter, the meeting whose
    review period is that quarter; for a year, the meeting that reviews the year's last quarter."""
    meetings = JointMeeting.objects.filter(kind=JointMeeting.Kind.REGULAR).exclude(status=JointMeeting.Status.CANCELLED)
    if report.kind == WorkReport.Kind.QUARTERLY:
        meetings = meetings.filter(period_start=report.period_first, period_end=report.period_last)
    else:
        meetings = meetings.filter(period_end=report.period_last)
    return meetings.order_by("pk").first()


def meeting_agencies(report: WorkReport):
    """The agencies that may read the signed report: those invited to its meeting, or, while the
    meeting is not yet convened (nobody invited), every active partner agency, each of which a
    regular meeting invites."""
    if report.meeting_id:
        invited = PartnerAgency.objects.filter(meeting_invitations__meeting_id=report.meeting_id).distinct()
        if invited.exists():
            return list(invited)
    return list(PartnerAgency.objects.filter(active=True))


def _link_meeting(report: WorkReport) -> list[str]:
    """Link the report to its meeting when none is linked; return the fields changed."""
    if report.meeting_id:
        return []
    meeting = matching_meeting(report)
    if meeting is None:
        return []
    report.meeting = meeting
    return ["meeting"]


def _report_link(report: WorkReport) -> str:
    return reverse("admin:reporting_workreport_change", args=[report.pk])


def _lock(report: WorkReport) -> WorkReport:
    return WorkReport.objects.select_for_update(of=("self",)).get(pk=report.pk)


def _require_draft(report: WorkReport):
    if report.status != S.DRAFT:
        raise TransitionNotAllowed(
            _("工作报告当前状态为“%(status)s”，只有草稿可以修改。") % {"status": report.get_status_display()},
            code="frozen",
        )


# --- Draft, figures, commentary ------------------------------------------------------------------


def work_report_draft(*, kind: str, year: int, quarter: int | None = None, by: User) -> WorkReport:
    """Start the report of a quarter or a year (its figures are computed next, by the draft job:
    `work_report_refresh_figures`). One report per period."""
    require(can_edit_work_report(by), CENTER_ONLY)
    errors = {}
    if kind not in WorkReport.Kind.values:
        errors["kind"] = _("请选择报告类型。")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("请填写 2000 到 2100 之间的年份。")
    if kind == WorkReport.Kind.QUARTERLY and quarter not in (1, 2, 3, 4):
        errors["quarter"] = _("季度工作报告须选择季度。")
    if errors:
        raise ValidationError(errors)
    if kind == WorkReport.Kind.ANNUAL:
        quarter = None
    period = report_period(kind, year, quarter)
    if period.first > timezone.localdate():
        raise ValidationError({"year": _("该期间尚未开始，不能起草工作报告。")})
    with transaction.atomic():
        existing = WorkReport.objects.select_for_update().filter(kind=kind, year=year, quarter=quarter).first()
        if existing is not None:
            raise ValidationError(
                _("%(period)s的%(kind)s已经存在（%(status)s），请在原报告上继续。")
                % {
                    "period": existing.period_name,
                    "kind": existing.get_kind_display(),
                    "status": existing.get_status_display(),
                },
                code="duplicate",
            )
        report = WorkReport(
            kind=kind,
            year=year,
            quarter=quarter,
            period_first=period.first,
            period_last=period.last,
            title=report_title(kind, year, quarter),
            created_by=by,
        )
        _link_meeting(report)
        report.save()
        log_action(report, "reporting.work_report.drafted", by=by, to_status=S.DRAFT, note=report.title)
    return report


def work_report_refresh_figures(
    *, report: WorkReport, by: User, seen_revision=None, today: datetime.date | None = None
) -> WorkReport:
    """Compute the period's figures again and keep them as the report's snapshot (a draft only).
    The figures are read before the row is locked: the statistics take a while, the lock does not."""
    require(can_edit_work_report(by, report), CENTER_ONLY)
    _require_draft(report)
    figures = compute_figures(report.period, today=today)
    with transaction.atomic():
        report = _lock(report)
        check_fresh(report, seen_revision)
        _require_draft(report)
        report.figures = figures
        report.figures_at = timezone.now()
        report.revision += 1
        fields = ["figures", "figures_at", "revision", *_link_meeting(report)]
        report.save(update_fields=fields)
        log_action(report, "reporting.work_report.figures", by=by, note=report.period.label)
    return report


def work_report_update(
    *,
    report: WorkReport,
    by: User,
    overview: str,
    achievements: str,
    problems: str,
    next_steps: str,
    seen_revision=None,
) -> WorkReport:
    """Write the staff's commentary of a draft."""
    require(can_edit_work_report(by, report), CENTER_ONLY)
    with transaction.atomic():
        report = _lock(report)
        check_fresh(report, seen_revision)
        _require_draft(report)
        report.overview = (overview or "").strip()
        report.achievements = (achievements or "").strip()
        report.problems = (problems or "").strip()
        report.next_steps = (next_steps or "").strip()
        for name in COMMENTARY:
            report._meta.get_field(name).clean(getattr(report, name), report)
        report.revision += 1
        report.save(update_fields=[*COMMENTARY, "revision"])
        log_action(report, "reporting.work_report.edited", by=by, note=report.title)
    return report


def _check_complete(report: WorkReport):
    errors = {}
    if not report.figures:
        errors["figures"] = _("尚未统计本期数据，请先更新统计数据。")
    for name in COMMENTARY:
        if not getattr(report, name).strip():
            errors[name] = _("请填写“%(part)s”。") % {"part": report._meta.get_field(name).verbose_name}
    if errors:
        raise ValidationError(errors)


def work_report_submit(*, report: WorkReport, by: User, seen_revision=None) -> WorkReport:
    """Staff send the report to the director for review and signature."""
    require(can_edit_work_report(by, report), CENTER_ONLY)
    with transaction.atomic():
        report = _lock(report)
        check_fresh(report, seen_revision)
        check_transition(WorkReport.TRANSITIONS, report.status, S.AWAITING_SIGNATURE, labels=dict(S.choices))
        _check_complete(report)
        report = transition(
            report,
            S.AWAITING_SIGNATURE,
            by=by,
            action="reporting.work_report.submitted",
            permission=can_edit_work_report,
            denied_message=CENTER_ONLY,
            note=_("“%(title)s”提交主任审签") % {"title": report.title},
        )
        directors = User.objects.filter(groups__name=Role.DIRECTOR, is_active=True).distinct()
        notify(
            directors,
            subject=_("待签发：%(title)s") % {"title": report.title},
            body=_("%(title)s已提交，请审阅签发。") % {"title": report.title},
            link=_report_link(report),
        )
    return report


def work_report_return(*, report: WorkReport, by: User, reason: str = "", seen_revision=None) -> WorkReport:
    """The director sends the report back to draft, with what to change."""
    require(can_sign_work_report(by, report), DIRECTOR_ONLY)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明退回理由。")})
    with transaction.atomic():
        report = transition(
            _lock(report),
            S.DRAFT,
            by=by,
            action="reporting.work_report.returned",
            permission=can_sign_work_report,
            denied_message=DIRECTOR_ONLY,
            note=_("退回修改：%(reason)s") % {"reason": reason},
            seen_revision=seen_revision,
        )
        notify([report.created_by], subject=_("工作报告被退回修改"), body=reason, link=_report_link(report))
    return report


def work_report_sign(*, report: WorkReport, by: User, seen_revision=None) -> WorkReport:
    """签发: the director only. Freezes the text, gives the number and issues the PDF under the
    director's name and the center's signature; the meeting's agencies may download it."""
    require(can_sign_work_report(by, report), DIRECTOR_ONLY)
    check_can_issue_signed(by)
    with transaction.atomic():
        report = _lock(report)
        check_fresh(report, seen_revision)
        # Refuse before a number is taken.
        check_transition(WorkReport.TRANSITIONS, report.status, S.SIGNED, labels=dict(S.choices))
        _check_complete(report)
        linked = _link_meeting(report)
        report.number = allocate_number(Document.Kind.WORK_REPORT)
        report.signed_by = by
        report.signed_at = timezone.now()
        document = document_request(
            kind=Document.Kind.WORK_REPORT,
            subject=report,
            template="pdf/work_report.html",
            context=report_context(report, number=report.number, signer=by),
            title=report.title,
            number=report.number,
            agencies=meeting_agencies(report),
            signed_by=by,
            signer_title=str(signer_title_for(by)),
            by=by,
        )
        report.document = document
        report = transition(
            report,
            S.SIGNED,
            by=by,
            action="reporting.work_report.signed",
            permission=can_sign_work_report,
            denied_message=DIRECTOR_ONLY,
            note=_("签发%(title)s %(number)s") % {"title": report.title, "number": report.number},
            data={"number": report.number, "document": document.pk},
            update_fields=("number", "signed_by", "signed_at", "document", *linked),
        )
        notify(
            [report.created_by],
            subject=_("工作报告已签发：%(number)s") % {"number": report.number},
            body=report.title,
            link=_report_link(report),
        )
    return report


def work_report_link_meeting(*, report: WorkReport, by: User) -> WorkReport:
    """Link a report to the meeting that reviews its period when that meeting was planned after the
    report was drafted or signed, and share a signed report with the meeting's invited agencies."""
    require(can_edit_work_report(by, report), CENTER_ONLY)
    with transaction.atomic():
        report = _lock(report)
        linked = _link_meeting(report)
        if not report.meeting_id:
            raise ValidationError(_("尚无审议该期间工作的季度例会。"), code="no_meeting")
        if linked:
            report.save(update_fields=linked)
        shared = []
        if report.document_id:
            agencies = meeting_agencies(report)
            known = set(report.document.agencies.values_list("pk", flat=True))
            shared = [agency for agency in agencies if agency.pk not in known]
            report.document.agencies.add(*shared)
        log_action(
            report,
            "reporting.work_report.meeting_linked",
            by=by,
            note=str(report.meeting),
            data={"meeting": report.meeting_id, "shared_with": [agency.pk for agency in shared]},
        )
    return report


# --- What the PDF prints --------------------------------------------------------------------------

ORDINALS = "一二三四五六七八九十"
# Characters of the 2号 (22 pt) title on one line of the 156 mm text block.
TITLE_LINE_CHARS = 19


def _n(value) -> str:
    """A working-day figure: 3 or 3.5, '—' when there is none."""
    if value is None:
        return "—"
    value = round(float(value), 1)
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _share(value) -> str:
    """A share (0..1) as a percentage: 92.3%."""
    if value is None:
        return "—"
    return f"{round(float(value) * 100, 1):g}%"


def _top(rows, count=3, unit=None) -> str:
    unit = unit or _("件")
    return "、".join(f"{row.get('label') or row.get('key')}（{row.get('count', 0)}{unit}）" for row in rows[:count])


def _paragraphs(text: str) -> list[dict]:
    """Commentary lines as paragraphs; a line like （一）… is a level-2 heading."""
    blocks = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        heading = line.startswith("（") and "）" in line[:5] and len(line) <= 30 and not line.endswith("。")
        blocks.append({"type": "h2" if heading else "p", "text": line})
    return blocks


DIMENSION_LABELS = {
    "country": _("国家/地区"),
    "right_type": _("权利类别"),
    "dispute_type": _("纠纷类型"),
    "technical_field": _("技术领域"),
    "opponent_type": _("对方类型"),
    "level": _("纠纷级别"),
    "applicant_category": _("申请人类别"),
    "region": _("申请人所在地区"),
}


def figure_blocks(figures: dict, *, period_word: str, as_of: str) -> list[dict]:
    """The figures as the report writes them: prose with tables, level-2 headings （一）…."""
    blocks = []
    tables = 0

    def heading(text):
        blocks.append({"type": "h2", "text": f"（{ORDINALS[sum(b['type'] == 'h2' for b in blocks)]}）{text}"})

    def table(caption, columns, rows, widths, text_columns=1):
        nonlocal tables
        tables += 1
        blocks.append(
            {
                "type": "table",
                "caption": _("表%(n)s %(caption)s") % {"n": tables, "caption": caption},
                "columns": [str(column) for column in columns],
                "rows": rows,
                "widths": widths,
                "text_columns": text_columns,
            }
        )

    apps = figures.get("applications", {})
    consult = figures.get("consultations", {})
    heading(_("申请受理情况"))
    text = _(
        "%(period)s共收到海外知识产权纠纷应对指导申请%(received)s件，受理%(accepted)s件，退回补正%(returned)s件，"
        "不予受理%(declined)s件，申请人撤回%(withdrawn)s件。"
    ) % {
        "period": period_word,
        **{k: apps.get(k, 0) for k in ("received", "accepted", "returned", "declined", "withdrawn")},
    }
    if consult.get("total"):
        text += _("接待咨询%(total)s次") % {"total": consult["total"]}
        channels = _top(consult.get("by_channel", []), 4, _("次"))
        text += (_("，其中%(channels)s") % {"channels": channels} if channels else "") + "。"
    blocks.append({"type": "p", "text": text})

    cases = figures.get("cases", {})
    heading(_("案件办理情况"))
    blocks.append(
        {
            "type": "p",
            "text": _(
                "%(period)s新立案件%(opened)s件，结案%(closed)s件，终止办理%(terminated)s件。截至%(as_of)s，"
                "在办案件%(open_now)s件，其中超过办理期限%(overdue_now)s件。"
            )
            % {
                "period": period_word,
                "as_of": as_of,
                **{k: cases.get(k, 0) for k in ("opened", "closed", "terminated", "open_now", "overdue_now")},
            },
        }
    )
    dimensions = figures.get("dimensions", {})
    rows = [
        [str(label), _top(dimensions.get(key, []), 3)] for key, label in DIMENSION_LABELS.items() if dimensions.get(key)
    ]
    if rows:
        main = [
            _("%(dimension)s以%(top)s为主") % {"dimension": label, "top": _top(dimensions[key], 2)}
            for key, label in list(DIMENSION_LABELS.items())[:3]
            if dimensions.get(key)
        ]
        if main:
            blocks.append({"type": "p", "text": _("从新立案件看，") + "；".join(main) + "。"})
        table(_("新立案件分类情况（前三位）"), [_("分类"), _("主要分布")], rows, [24, 76], text_columns=2)

    handling = figures.get("handling", {})
    stages = [
        ("acceptance", _("受理审查")),
        ("first_contact", _("首次联系申请人")),
        ("opinion", _("出具指导意见")),
    ]
    timed = [(key, label, handling.get(key) or {}) for key, label in stages]
    if any(t.get("count") for _k, _l, t in timed):
        heading(_("办理时效"))
        parts = [
            _("%(stage)s用时中位数%(median)s个工作日，按期率%(share)s")
            % {"stage": label, "median": _n(t.get("median")), "share": _share(t.get("on_time_share"))}
            for _key, label, t in timed
            if t.get("count")
        ]
        overdue = handling.get("overdue_now", {})
        text = _("%(period)s") % {"period": period_word} + "；".join(parts) + "。"
        text += _("截至%(as_of)s，受理审查逾期%(a)s件，首次联系逾期%(f)s件，指导意见逾期%(o)s件。") % {
            "as_of": as_of,
            "a": overdue.get("acceptance", 0),
            "f": overdue.get("first_contact", 0),
            "o": overdue.get("opinion", 0),
        }
        blocks.append({"type": "p", "text": text})
        table(
            _("办理时效（工作日）"),
            [_("环节"), _("件数"), _("中位数"), _("90%分位"), _("按期"), _("按期率")],
            [
                [
                    str(label),
                    t.get("count", 0),
                    _n(t.get("median")),
                    _n(t.get("p90")),
                    t.get("on_time", 0),
                    _share(t.get("on_time_share")),
                ]
                for _key, label, t in timed
            ],
            [28, 12, 15, 15, 12, 18],
        )

    letters = figures.get("letters", [])
    heading(_("协助单位办理情况"))
    sent = sum(row.get("sent", 0) for row in letters)
    if sent or any(row.get("overdue") for row in letters):
        blocks.append(
            {
                "type": "p",
                "text": _(
                    "%(period)s向协助单位发出协助办理函%(sent)s件次，已签收%(ack)s件次，已回复%(answered)s件次；"
                    "截至%(as_of)s，逾期未回复%(overdue)s件次。"
                )
                % {
                    "period": period_word,
                    "sent": sent,
                    "ack": sum(row.get("acknowledged", 0) for row in letters),
                    "answered": sum(row.get("answered", 0) for row in letters),
                    "overdue": sum(row.get("overdue", 0) for row in letters),
                    "as_of": as_of,
                },
            }
        )
        table(
            _("协助办理函办理情况"),
            [_("协助单位"), _("发函"), _("签收"), _("回复"), _("回复用时中位数"), _("逾期")],
            [
                [
                    row.get("agency", ""),
                    row.get("sent", 0),
                    row.get("acknowledged", 0),
                    row.get("answered", 0),
                    _n(row.get("median_response_days")),
                    row.get("overdue", 0),
                ]
                for row in letters
                if row.get("sent") or row.get("overdue")
            ],
            [34, 11, 11, 11, 22, 11],
        )
    else:
        blocks.append({"type": "p", "text": _("%(period)s未向协助单位发出协助办理函。") % {"period": period_word}})

    experts = figures.get("experts", {})
    heading(_("专家参与情况"))
    blocks.append(
        {
            "type": "p",
            "text": _(
                "%(period)s邀请指导专家%(invited)s人次，专家接受%(accepted)s人次、谢绝%(declined)s人次，接受率%(rate)s；"
                "专家出具意见%(opinions)s份。"
            )
            % {
                "period": period_word,
                "invited": experts.get("invited", 0),
                "accepted": experts.get("accepted", 0),
                "declined": experts.get("declined", 0),
                "rate": _share(experts.get("acceptance_rate")),
                "opinions": experts.get("opinions", 0),
            },
        }
    )

    satisfaction = figures.get("satisfaction", {})
    heading(_("服务满意度"))
    if satisfaction.get("count"):
        averages = satisfaction.get("averages", {})
        blocks.append(
            {
                "type": "p",
                "text": _(
                    "%(period)s收到申请人满意度评价%(count)s份（满分5分），总体满意度平均%(s)s分，"
                    "办理及时性平均%(t)s分，指导意见实用性平均%(u)s分。"
                )
                % {
                    "period": period_word,
                    "count": satisfaction["count"],
                    "s": _n(averages.get("satisfaction")),
                    "t": _n(averages.get("timeliness")),
                    "u": _n(averages.get("usefulness")),
                },
            }
        )
    else:
        blocks.append({"type": "p", "text": _("%(period)s未收到申请人满意度评价。") % {"period": period_word}})

    trends = figures.get("trends", [])
    if trends:
        heading(_("近八个季度趋势"))
        table(
            _("近八个季度主要数据"),
            [_("季度"), _("收到申请"), _("新立案件"), _("结案"), _("咨询")],
            [
                [
                    row.get("label", ""),
                    row.get("received", 0),
                    row.get("opened", 0),
                    row.get("closed", 0),
                    row.get("consultations", 0),
                ]
                for row in trends
            ],
            [32, 17, 17, 17, 17],
        )
    return blocks


def report_addressee() -> str:
    """主送: the provincial IP office, the center's higher authority."""
    return _("%(region)s知识产权局") % {"region": SiteConfiguration.get().region}


def report_blocks(report: WorkReport, *, as_of: datetime.date | None = None) -> list[dict]:
    """The whole body: the opening, 一、工作概述, 二、主要工作数据 (figures), 三、主要成效,
    四、存在问题, 五、下一步工作."""
    period_word = _("本年度") if report.kind == WorkReport.Kind.ANNUAL else _("本季度")
    as_of = as_of or (timezone.localdate(report.figures_at) if report.figures_at else timezone.localdate())
    blocks = [
        {
            "type": "p",
            "text": _("现将我中心%(period)s（%(first)s至%(last)s）工作情况报告如下。")
            % {
                "period": report.period_name,
                "first": chinese_date(report.period_first),
                "last": chinese_date(report.period_last),
            },
        }
    ]
    sections = [
        (_("工作概述"), _paragraphs(report.overview)),
        (_("主要工作数据"), figure_blocks(report.figures or {}, period_word=period_word, as_of=chinese_date(as_of))),
        (_("主要成效"), _paragraphs(report.achievements)),
        (_("存在问题"), _paragraphs(report.problems)),
        (_("下一步工作"), _paragraphs(report.next_steps)),
    ]
    for index, (title, content) in enumerate(sections):
        blocks.append({"type": "h1", "text": f"{ORDINALS[index]}、{title}"})
        blocks.extend(content)
    return blocks


def report_context(report: WorkReport, *, number: str, signer: User) -> dict:
    """What the report's PDF prints, frozen at signature."""
    center = SiteConfiguration.get().center_name
    rest = report.title[len(center) :] if report.title.startswith(center) else ""
    return {
        "title": report.title,
        # The issuing body on the first line, the period and the kind on the second (a name is
        # never broken across lines), when each fits on a line of the 2号 title.
        "title_lines": [center, rest]
        if rest and len(center) <= TITLE_LINE_CHARS and len(rest) <= TITLE_LINE_CHARS
        else [],
        "number": number,
        "addressee": report_addressee(),
        "blocks": report_blocks(report),
        "signer": person_name(signer),
        "period_label": report.period_name,
    }
