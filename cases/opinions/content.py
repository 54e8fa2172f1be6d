"""What a guidance opinion says: the data frozen into its document, and the expert opinions an
author may quote.

Expert and collegial opinions belong to the expert pool, a layer above the cases: the pool
registers its reader here (`register_expert_opinion_source`, from its AppConfig.ready), so that
the opinion and the case file list them without importing it."""

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import DisputeType, RightType
from cases.opinions.models import ResponseOption
from documents.formatting import chinese_date

# Callables `source(case) -> [row, ...]`; a row is a dict with kind ("expert" or "collegial"),
# author, submitted_at, analysis, recommendations, risks and references.
_expert_opinion_sources = []


def register_expert_opinion_source(source):
    """Add a reader of a case's expert and collegial opinions (idempotent)."""
    if source not in _expert_opinion_sources:
        _expert_opinion_sources.append(source)


def expert_opinions_for(case):
    """The expert and collegial opinions of a case, oldest first ([] without an expert pool)."""
    rows = [row for source in _expert_opinion_sources for row in source(case)]
    rows.sort(key=lambda row: (row.get("submitted_at") is not None, row.get("submitted_at") or 0))
    return rows


def paragraphs(text):
    """Split author text into paragraphs (one per non-empty line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def expert_label(row):
    return _("合议意见") if row.get("kind") == "collegial" else _("专家意见")


def quote_expert_opinions(rows):
    """Turn expert opinions into text the author can edit into the opinion."""
    lines = []
    for row in rows:
        when = row.get("submitted_at")
        when_text = chinese_date(timezone.localdate(when)) if when else ""
        lines.append(f"【{expert_label(row)}】{row.get('author', '')}{('，' + when_text) if when_text else ''}")
        for key, heading in (
            ("analysis", _("分析")),
            ("recommendations", _("建议")),
            ("risks", _("风险")),
            ("references", _("依据")),
        ):
            text = " ".join(paragraphs(row.get(key, "")))
            if text:
                lines.append(f"{heading}：{text}")
        lines.append("")
    return "\n".join(lines).strip()


def opinion_context(opinion, *, preview=False):
    """Everything the guidance-opinion template needs, frozen at signing."""
    case = opinion.case
    application = case.application
    sections = [
        {"heading": _("一、纠纷基本情况"), "paragraphs": paragraphs(opinion.dispute_summary)},
        {
            "heading": _("二、分析意见"),
            "paragraphs": [
                _("纠纷国家/地区：%(countries)s；涉及权利类别：%(rights)s；纠纷类型：%(types)s。")
                % {
                    "countries": "、".join(application.country_names) or "—",
                    "rights": "、".join(
                        str(RightType(v).label) for v in application.right_types if v in RightType.values
                    )
                    or "—",
                    "types": "、".join(
                        str(DisputeType(v).label) for v in application.dispute_types if v in DisputeType.values
                    )
                    or "—",
                },
                *paragraphs(opinion.analysis),
            ],
        },
    ]
    response_labels = [str(ResponseOption(v).label) for v in opinion.responses if v in ResponseOption.values]
    response_paragraphs = []
    if response_labels:
        response_paragraphs.append(_("建议采取的应对方式：%(list)s。") % {"list": "、".join(response_labels)})
    response_paragraphs += paragraphs(opinion.responses_detail)
    sections.append({"heading": _("三、应对建议"), "paragraphs": response_paragraphs})
    number = 4
    numerals = "一二三四五六七八九十"
    for heading, text, as_items in (
        (_("风险提示"), opinion.risks, False),
        (_("下一步工作"), opinion.next_steps, False),
        (_("专家意见摘要"), opinion.expert_opinions, False),
        (_("参考法律法规"), opinion.referenced_laws, True),
        (_("推荐服务机构"), opinion.service_providers, True),
    ):
        lines = paragraphs(text)
        if not lines:
            continue
        section = {"heading": f"{numerals[number - 1]}、{heading}", "paragraphs": [], "list_items": []}
        section["list_items" if as_items else "paragraphs"] = lines
        sections.append(section)
        number += 1
    return {
        "title": opinion.title,
        "addressee": opinion.addressee,
        "case_number": case.number,
        "application_number": application.number or "",
        "applicant_name": application.applicant_name,
        "submitted_on": chinese_date(timezone.localdate(application.submitted_at)) if application.submitted_at else "",
        "sections": sections,
        "copy_to": opinion.copy_to,
        "preview": preview,
    }
