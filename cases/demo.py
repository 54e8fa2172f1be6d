"""Demo data of case handling: cases in every state with handlers, letters signed and
unsigned, agency answers, a major case with an upward report and an overdue case.

Everything goes through the services. Runs after applications.demo: it uses the accepted
demo applications' cases and, where there are too few, files and accepts more applications
itself. Idempotent: a second run finds its marker letter and leaves the data alone."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services as intake
from applications.demo import _pdf
from applications.models import Applicant, Application
from applications.selectors import applicant_of
from cases import services
from cases.models import AssistanceLetter, Case
from portal.models import PartnerAgency, User
from portal.workdays import add_working_days

MARKER_SUBJECT = "商请推荐 337 调查应诉专家并核查海关备案"

# Extra applications filed when the intake demo left too few accepted ones:
# (request, countries, dispute types, right types, field, level, opponent)
EXTRA = [
    (
        "美国 ITC 对我司出口的数控激光切割机发起 337 调查，指控侵犯其两项发明专利，请求应诉策略与律师选择指导。",
        ["US"],
        ["trade_investigation", "infringement"],
        ["invention"],
        "mechanical",
        "major",
        "LaserTech Industries Inc.",
    ),
    (
        "德国杜塞尔多夫展会期间收到临时禁令，对方称我司展出的液压泵外观侵犯其外观设计，请求展会纠纷应对指导。",
        ["DE"],
        ["exhibition", "infringement"],
        ["design"],
        "mechanical",
        "ordinary",
        "Hydraulik Werke GmbH",
    ),
    (
        "日本客户指称我司出口的光伏逆变器侵犯其实用新型专利，要求停止销售并赔偿，请求侵权比对与应对建议。",
        ["JP"],
        ["infringement"],
        ["utility_model"],
        "optoelectronics",
        "ordinary",
        "株式会社サンパワー",
    ),
    (
        "我司商标在巴西被抢注，当地经销商以此要求独家代理，请求商标异议与无效程序指导。",
        ["BR"],
        ["ownership", "validity"],
        ["trademark"],
        "other",
        "ordinary",
        "Distribuidora Sol Ltda.",
    ),
    (
        "韩国企业起诉我司前员工带走技术资料并在我司使用，涉及商业秘密纠纷，请求应对指导。",
        ["KR"],
        ["trade_secret"],
        ["other"],
        "chemistry",
        "major",
        "Hanil Chemical Co., Ltd.",
    ),
    (
        "英国专利许可方要求提高许可费并威胁终止许可合同，请求许可纠纷谈判指导。",
        ["GB"],
        ["licensing"],
        ["invention"],
        "communications",
        "ordinary",
        "Albion Telecom Ltd.",
    ),
    (
        "澳大利亚电商平台下架我司产品，投诉方称侵犯其版权图片，请求平台申诉指导。",
        ["AU"],
        ["infringement"],
        ["copyright"],
        "other",
        "ordinary",
        "Koala Images Pty Ltd",
    ),
    (
        "印度竞争对手请求宣告我司印度专利无效，请求无效答辩指导。",
        ["IN"],
        ["validity"],
        ["invention"],
        "biomedicine",
        "ordinary",
        "Bharat Pharma Ltd.",
    ),
]

WANTED = 10


def _user(email):
    return User.objects.filter(email=email).first()


def _file_application(spec, applicant_user, staff):
    """File and accept one application through the intake services; returns its case."""
    request, countries, dispute_types, right_types, field, level, opponent = spec
    application = intake.application_create(applicant=applicant_of(applicant_user), by=applicant_user)
    intake.application_save_draft(
        application=application,
        data={
            "contact_name": applicant_user.full_name or "王丽",
            "contact_email": applicant_user.email,
            "contact_phone": applicant_user.phone or "13912345678",
            "contact_address": applicant_of(applicant_user).address or "山西省太原市小店区学府街 1 号",
            "dispute_types": dispute_types,
            "right_types": right_types,
            "countries": countries,
            "opponent_types": ["competitor"],
            "opponent_name": opponent,
            "technical_fields": [field],
            "technical_field_other": "综合" if field == "other" else "",
            "right_type_other": "商业秘密（技术信息）" if "other" in right_types else "",
            "request": request,
            "impact": "预计影响年出口额 1000 万元以上，涉及海外订单和渠道稳定。",
            "level": level,
        },
        by=applicant_user,
    )
    if _pdf is not None:
        upload = SimpleUploadedFile("营业执照（副本）.pdf", _pdf("Business licence"), content_type="application/pdf")
        intake.attachment_add(application=application, category="standing", upload=upload, by=applicant_user)
    intake.application_submit(application=application, by=applicant_user)
    intake.application_accept(application=application, by=staff, note="材料齐全，予以受理。")
    return Case.objects.get(application=application)


def _cases(out, staff):
    cases = list(Case.objects.filter(status=Case.Status.ACCEPTED).select_related("application").order_by("pk"))
    applicant_user = _user("applicant@demo.cn")
    if applicant_user is None or applicant_of(applicant_user) is None:
        applicant_user = User.objects.filter(applicant_account__isnull=False).first()
    for spec in EXTRA:
        if len(cases) >= WANTED or applicant_user is None:
            break
        try:
            cases.append(_file_application(spec, applicant_user, staff))
        except (ValidationError, ImportError, AttributeError) as exc:
            out.write(f"Cases demo: could not file an extra application ({exc}); continuing with {len(cases)}.")
            break
    return cases


def _try(out, what, call):
    try:
        return call()
    except ValidationError as exc:
        out.write(f"Cases demo: {what} skipped: {'；'.join(exc.messages)}")
        return None


def seed(out):
    if AssistanceLetter.objects.filter(subject=MARKER_SUBJECT).exists():
        out.write("Cases demo: already present.")
        return
    staff = _user("staff@demo.cn")
    director = _user("director@demo.cn")
    deputy = _user("deputy@demo.cn") or director
    agency_user = _user("agency@demo.cn")
    customs_user = _user("customs@demo.cn")
    if not (staff and director):
        out.write("Cases demo: the foundation's demo users are missing; nothing added.")
        return
    commerce = PartnerAgency.objects.filter(code="sxcommerce").first() or PartnerAgency.objects.first()
    customs = PartnerAgency.objects.filter(code="tycustoms").first() or PartnerAgency.objects.last()
    ipa = PartnerAgency.objects.filter(code="sxipa").first() or commerce
    cases = _cases(out, staff)
    if len(cases) < 2:
        out.write("Cases demo: no accepted applications to work on; nothing added.")
        return
    # Prefer a case the applicant filed as major for the routed, reported case.
    cases.sort(key=lambda c: 0 if c.is_major else 1)
    pool = iter(cases)

    # 1. The routed case: major, in progress, a letter to two agencies signed by a deputy,
    #    customs has answered, commerce has not; an upward report sent to the national center.
    routed = next(pool)
    services.case_assign(case=routed, handler=staff, by=director)
    services.case_record_contact(case=routed, by=staff, note="电话联系申请人法务部，确认应诉时间表。")
    if not routed.is_major:
        services.case_regrade(case=routed, level="major", reason="涉及 337 调查，可能影响全省同类产品出口。", by=staff)
    letter = services.letter_draft(
        case=routed,
        subject=MARKER_SUBJECT,
        body=(
            "我中心受理的该案涉及美国 337 调查，应诉期限紧迫。\n"
            "请省商务厅协助提供 337 调查应诉经验及熟悉美国 ITC 程序的专家；"
            "请太原海关协助核查申请人相关商标、专利的海关备案情况。"
        ),
        agencies=[commerce, customs],
        help_kinds=["experts", "customs", "trade_remedy"],
        by=staff,
    )
    services.letter_submit(letter=letter, by=staff)
    signed = _try(
        out, "signing the demo letter (no signing certificate?)", lambda: services.letter_sign(letter=letter, by=deputy)
    )
    if signed and customs_user:
        recipient = signed.recipients.get(agency=customs)
        services.recipient_acknowledge(recipient=recipient, by=customs_user)
        services.recipient_answer(
            recipient=recipient,
            by=customs_user,
            answer="经核查，申请人“晋成”商标已在海关总署办理知识产权海关备案（备案有效期至 2029 年）。"
            "相关发明专利尚未备案，建议尽快办理。",
            information_found="海关备案号：T2026-12345。",
        )
    if signed and agency_user:
        services.recipient_acknowledge(recipient=signed.recipients.get(agency=commerce), by=agency_user)
    routed = Case.objects.get(pk=routed.pk)
    report = services.report_draft(case=routed, recipient="national", by=staff)
    services.report_submit(report=report, by=staff)
    _try(out, "signing the upward report", lambda: services.report_sign(report=report, by=director))
    services.case_add_note(case=routed, text="申请人已委托美国律所，需协调专家在两周内出具初步意见。", by=staff)

    # 2. A letter awaiting signature and a draft, on a case in progress.
    waiting = next(pool, None)
    if waiting:
        services.case_assign(case=waiting, handler=staff, by=staff)
        pending = services.letter_draft(
            case=waiting,
            subject="商请查询德国展会临时禁令相关信息",
            body="请协助查询杜塞尔多夫地方法院就展会临时禁令的程序和应对期限。",
            agencies=[ipa, commerce],
            help_kinds=["overseas_info"],
            by=staff,
        )
        services.letter_submit(letter=pending, by=staff)
        services.letter_draft(
            case=waiting,
            subject="商请推荐德国外观设计专家（草稿）",
            body="请推荐熟悉欧盟外观设计的专家。",
            agencies=[ipa],
            help_kinds=["experts"],
            by=staff,
        )

    # 3. Cases further along: opinion drafted, issued, follow-up, closed, terminated.
    for target_path in (
        ["opinion_drafted"],
        ["opinion_drafted", "opinion_issued"],
        ["opinion_drafted", "opinion_issued", "follow_up"],
        ["opinion_drafted", "opinion_issued", "closed"],
    ):
        case = next(pool, None)
        if case is None:
            break
        services.case_assign(case=case, handler=director if len(target_path) % 2 else staff, by=director)
        services.case_record_contact(case=case, by=staff)
        for status in target_path:
            services.case_transition(case=case, to_status=status, by=staff, note="演示：按流程推进。")
    terminated = next(pool, None)
    if terminated:
        services.case_terminate(case=terminated, reason="申请人已与对方达成和解，申请终止办理。", by=staff)

    # 4. An overdue case: accepted twelve working days ago and never contacted.
    overdue = next(pool, None)
    if overdue:
        opened = timezone.now() - datetime.timedelta(days=18)
        Case.objects.filter(pk=overdue.pk).update(
            opened_at=opened,
            first_contact_due=add_working_days(timezone.localdate(opened), 3),
            due_date=add_working_days(timezone.localdate(opened), 3),
        )
    # The rest stay accepted, waiting for a handler.
    out.write(
        f"Cases demo: {Case.objects.count()} cases, {AssistanceLetter.objects.count()} letters, "
        f"{Applicant.objects.count()} applicants, {Application.objects.count()} applications."
    )
