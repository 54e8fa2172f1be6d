"""Demo data of guidance opinions: a signed guidance opinion on a case waiting for its
opinion (when the signing certificate is configured), an approved one awaiting signature,
a draft, and a case file."""

from django.core.exceptions import ValidationError

from cases.models import Case
from cases.opinions.models import GuidanceOpinion
from cases.opinions.services import (
    case_file_export,
    opinion_create,
    opinion_review,
    opinion_sign,
    opinion_submit,
)
from documents.certificates import load_signing_material
from portal.models import User

OPINION = {
    "dispute_summary": (
        "申请人向美国出口数控机床。2026 年 9 月，美国竞争对手 Acme Robotics Inc. 向申请人发出律师函，"
        "指控其产品侵犯美国发明专利 US 10,000,001 B2，要求停止销售并支付许可费。"
    ),
    "analysis": (
        "美国 · 发明专利：经初步比对，涉案专利独立权利要求 1 中“双驱动同步补偿”技术特征未见于申请人产品，"
        "申请人产品存在不落入保护范围的抗辩空间。\n"
        "涉案专利申请日前已有公开的日本专利文献，可作为无效（IPR）证据进一步检索。"
    ),
    "responses": ["negotiation", "invalidation", "defence"],
    "responses_detail": (
        "一是在律师函答复期限内，委托美国专利律师出具不侵权意见书并书面答复；\n"
        "二是同步开展现有技术检索，评估向美国专利商标局专利审判和上诉委员会提起多方复审（IPR）的可行性；\n"
        "三是如对方提起诉讼或 337 调查，积极应诉，必要时在保留抗辩权利的前提下协商许可。"
    ),
    "risks": "如对方向美国国际贸易委员会申请 337 调查，可能面临普遍排除令，影响全部同类产品出口。",
    "next_steps": "请于收到本意见书后 10 个工作日内将应对方案反馈我中心；我中心将跟踪纠纷进展。",
    "referenced_laws": "美国专利法第 271 条（侵权行为）\n美国专利法第 311 条至第 319 条（多方复审）\n美国 1930 年关税法第 337 条",
    "service_providers": "山西省知识产权保护中心\n中国国际贸易促进委员会山西省委员会（商事调解）",
    "copy_to": "山西省知识产权局，山西省商务厅",
}


def _take_to_approval(case, staff, reviewer):
    opinion = opinion_create(case=case, by=staff, **OPINION)
    opinion_submit(opinion=opinion, by=staff)
    return opinion_review(opinion=opinion, by=case.handler or reviewer, approve=True, note="同意，请签发。")


def seed(out):
    if GuidanceOpinion.objects.exists():
        out.write("Opinions demo: already present.")
        return
    staff = User.objects.filter(email="staff@demo.cn").first()
    deputy = User.objects.filter(email="deputy@demo.cn").first()
    director = User.objects.filter(email="director@demo.cn").first()
    if not (staff and deputy and director):
        out.write("Opinions demo: the foundation's demo users are missing; nothing added.")
        return
    waiting = list(Case.objects.filter(status=Case.Status.OPINION_DRAFTED).select_related("handler").order_by("pk"))
    in_progress = Case.objects.filter(status=Case.Status.IN_PROGRESS).order_by("pk").first()
    if not waiting and not in_progress:
        out.write("Opinions demo: no case waiting for an opinion; nothing added.")
        return

    signed = None
    if waiting:
        opinion = _take_to_approval(waiting[0], staff, director)
        try:
            load_signing_material()
        except ValidationError as exc:
            out.write(
                f"Opinions demo: opinion left awaiting signature, not signed: {'；'.join(exc.messages)} "
                "(set SIGNING_CERT_PATH and SIGNING_CERT_PASSWORD, e.g. with manage.py make_dev_certificate)."
            )
        else:
            signed = opinion_sign(opinion=opinion, by=deputy)
    if len(waiting) > 1:
        _take_to_approval(waiting[1], staff, director)  # for the director to sign in the demo
    if in_progress is not None:
        opinion_create(case=in_progress, by=staff, **{**OPINION, "analysis": "（起草中）"})
    if signed is not None:
        case_file_export(case=signed.case, by=staff)
    out.write(
        f"Opinions demo: {GuidanceOpinion.objects.count()} guidance opinions"
        + (f", one signed ({signed.document.number}) with its case file." if signed else ".")
    )
