"""The period's case information for the national platform (信息报送), anonymised.

One row per case handled in the period: opened on or before its last day and not ended (closed or
terminated) before its first. Each row has the fields of FIELDS (documented once, used by the
XLSX and JSON writers, the documentation sheet and the API). Nothing personal leaves: no applicant
name, credit code, ID number, contact or free text (the applicant's request, the feedback's
outcome). Instead an opaque, stable pseudonym (an HMAC of the credit code or ID with
REPORTING_PSEUDONYM_KEY) lets the national platform count repeat applicants without knowing them.

Rows are read with one query per chunk (`values()` + `iterator(chunk_size=…)`), no query per case.

| key | label | description |
|---|---|---|
| case_number | 案件编号 | The center's case number |
| applicant_pseudonym | 申请人匿名标识 | HMAC-SHA256 of the credit code or ID (16 hex); stable per applicant |
| applicant_category | 申请人类别 | enterprise, sole_trader, individual, association, research, other |
| applicant_region | 申请人所在省份 | GB/T 2260 province code, from the credit code or resident ID; `unknown` if none |
| applicant_region_name | 申请人所在省份名称 | The province's name |
| countries | 纠纷国家/地区 | ISO 3166-1 alpha-2 codes, separated by "|" |
| right_types | 涉及权利类别 | Right type codes, separated by "|" |
| dispute_types | 涉及纠纷类型 | Dispute type codes, separated by "|" |
| technical_field | 纠纷领域 | Technical field code |
| opponent_types | 纠纷对象类型 | Opponent type codes, separated by "|" |
| level | 纠纷级别 | ordinary or major |
| channel | 申请渠道 | How the application reached the center |
| service_point | 服务工作站 | The workstation that received it; empty for the center itself |
| submitted_on | 提交日期 | First submission of the application |
| accepted_on | 受理日期 | The case was opened |
| first_contact_on | 首次联系日期 | First contact with the applicant |
| opinion_issued_on | 指导意见出具日期 | The guidance opinion was signed |
| closed_on | 结案日期 | Closed or terminated |
| status | 办理状态 | The case's status code at export time |
| status_label | 办理状态名称 | The status in words |
"""

import hashlib
import hmac
from collections.abc import Iterator

from django.conf import settings
from django.db.models import CharField, ExpressionWrapper, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.choices import ApplicantCategory, Channel, DisputeLevel, IdType
from cases.models import Case
from cases.opinions.models import GuidanceOpinion
from knowledge.selectors import published_cases
from portal.models import ServicePoint
from reporting import regions
from reporting.periods import Period

CHUNK_SIZE = 2000

# (key, label, description): the one documentation of the exported columns.
FIELDS = [
    ("case_number", _("案件编号"), _("指导中心的案件编号。")),
    (
        "applicant_pseudonym",
        _("申请人匿名标识"),
        _("申请人统一社会信用代码或证件号码的 HMAC-SHA256 摘要（16 位十六进制）；同一申请人始终相同，无法还原。"),
    ),
    (
        "applicant_category",
        _("申请人类别"),
        _(
            "enterprise 企业、sole_trader 个体工商户、individual 个人、"
            "association 社会团体、research 科研院所、other 其他。"
        ),
    ),
    (
        "applicant_region",
        _("申请人所在省份代码"),
        _(
            "GB/T 2260 省级行政区划代码前两位：取自统一社会信用代码第 3–4 位或居民身份证号第 1–2 位；"
            "无法判断时为 unknown。"
        ),
    ),
    ("applicant_region_name", _("申请人所在省份"), _("省级行政区名称。")),
    ("countries", _("纠纷国家/地区"), _("ISO 3166-1 二位字母代码，多个以“|”分隔。")),
    ("right_types", _("涉及权利类别"), _("权利类别代码，多个以“|”分隔。")),
    ("dispute_types", _("涉及纠纷类型"), _("纠纷类型代码，多个以“|”分隔。")),
    ("technical_field", _("纠纷领域"), _("技术领域代码。")),
    ("opponent_types", _("纠纷对象类型"), _("纠纷对象类型代码，多个以“|”分隔。")),
    ("level", _("纠纷级别"), _("ordinary 一般、major 重大。")),
    ("channel", _("申请渠道"), _("申请到达中心的渠道代码。")),
    ("service_point", _("服务工作站"), _("接收申请的服务工作站名称；中心直接受理的为空。")),
    ("submitted_on", _("提交日期"), _("申请首次提交日期（YYYY-MM-DD）。")),
    ("accepted_on", _("受理日期"), _("受理立案日期。")),
    ("first_contact_on", _("首次联系日期"), _("首次联系申请人的日期。")),
    ("opinion_issued_on", _("指导意见出具日期"), _("指导意见签发日期。")),
    ("closed_on", _("结案日期"), _("结案或终止日期。")),
    ("status", _("办理状态代码"), _("导出时案件的状态代码。")),
    ("status_label", _("办理状态"), _("导出时案件的状态名称。")),
]
FIELD_KEYS = [key for key, _label, _description in FIELDS]

TYPICAL_CASE_FIELDS = [
    ("id", _("编号"), _("知识库中的典型案例编号。")),
    ("title", _("标题"), _("案例标题。")),
    ("country", _("国家/地区"), _("ISO 3166-1 二位字母代码。")),
    ("ip_type", _("知识产权类型"), _("知识产权类型代码。")),
    ("industry", _("行业"), _("行业代码。")),
    ("forum", _("程序"), _("程序代码。")),
    ("year", _("年份"), _("案件年份。")),
    ("published_on", _("发布日期"), _("在知识库发布的日期。")),
    ("url", _("链接"), _("知识库中的公开页面。")),
]


def province_code(*, credit_code: str, id_type: str, id_number: str) -> str:
    """The two-digit province code (reporting.regions, GB/T 2260) of an applicant's identifier:
    characters 3–4 of a credit code, 1–2 of a resident ID; regions.UNKNOWN when none."""
    code = ""
    if credit_code and len(credit_code) >= 4:
        code = credit_code[2:4]
    elif id_type == IdType.RESIDENT_ID and id_number:
        code = id_number[:2]
    return code if code in regions.PROVINCES else regions.UNKNOWN


def province_name(code: str) -> str:
    return str(regions.province_label(code))


def pseudonym_key() -> bytes:
    configured = getattr(settings, "REPORTING_PSEUDONYM_KEY", "")
    if configured:
        return configured.encode()
    # Derived from SECRET_KEY when none is configured: stable as long as the secret key is.
    return hashlib.sha256(b"reporting.pseudonym:" + settings.SECRET_KEY.encode()).digest()


def pseudonym(identifier: str, key: bytes | None = None) -> str:
    if not identifier:
        return ""
    return hmac.new(key or pseudonym_key(), identifier.upper().encode(), hashlib.sha256).hexdigest()[:16]


def handled_in(period: Period, *, service_point_ids=None):
    """The cases handled in the period (opened by its end, not ended before its start)."""
    start, end = period.bounds()
    cases = Case.objects.filter(opened_at__lt=end).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
    if service_point_ids is not None:
        cases = cases.filter(application__service_point_id__in=list(service_point_ids))
    return cases


def _raw(column):
    """A multiple-choice column as its stored text ("|US|DE|"), split by _codes without the
    field's per-value conversion."""
    return ExpressionWrapper(F(column), output_field=CharField())


_VALUES = {
    "_number": F("number"),
    "_credit_code": F("application__credit_code"),
    "_id_type": F("application__id_type"),
    "_id_number": F("application__id_number"),
    "_applicant_id": F("application__applicant_id"),
    "_applicant_category": F("application__applicant_category"),
    "_countries": _raw("countries"),
    "_right_types": _raw("right_types"),
    "_dispute_types": _raw("dispute_types"),
    "_technical_field": F("technical_field"),
    "_opponent_types": _raw("application__opponent_types"),
    "_level": F("level"),
    "_channel": F("application__channel"),
    "_service_point_id": F("application__service_point_id"),
    # Timestamps become the local day in the database (TruncDate in the portal's time zone).
    "_submitted_at": "application__submitted_at",
    "_opened_at": "opened_at",
    "_first_contacted_at": "first_contacted_at",
    "_closed_at": "closed_at",
    "_status": F("status"),
}


def record_values(cases):
    """`cases` as dicts of the raw columns a record is made of (one query, joined)."""
    opinion = (
        GuidanceOpinion.objects.filter(case=OuterRef("pk"), status=GuidanceOpinion.Status.SIGNED)
        .order_by()
        .values("case")
        .annotate(first=Min("signed_at"))
        .values("first")
    )
    tz = timezone.get_current_timezone()
    columns = {
        alias: TruncDate(source, tzinfo=tz) if isinstance(source, str) else source for alias, source in _VALUES.items()
    }
    return cases.values(**columns, _opinion_signed_at=TruncDate(Subquery(opinion[:1]), tzinfo=tz))


class RecordMaker:
    """Turns raw value dicts into records; holds what it looks up once (workstation names, labels)."""

    def __init__(self):
        self.key = pseudonym_key()
        self.points = dict(ServicePoint.objects.values_list("pk", "name"))
        self.status_labels = {value: str(label) for value, label in Case.Status.choices}
        self.provinces: dict[str, str] = {}
        self.pseudonyms: dict[str, str] = {}

    def pseudonym(self, identifier):
        value = self.pseudonyms.get(identifier)
        if value is None:
            value = self.pseudonyms[identifier] = pseudonym(identifier, self.key)
        return value

    def __call__(self, row: dict) -> dict:
        credit, id_type, id_number = row["_credit_code"] or "", row["_id_type"] or "", row["_id_number"] or ""
        identifier = credit or (f"{id_type}:{id_number}" if id_number else f"applicant:{row['_applicant_id']}")
        province = province_code(credit_code=credit, id_type=id_type, id_number=id_number)
        if province not in self.provinces:
            self.provinces[province] = province_name(province)
        return {
            "case_number": row["_number"],
            "applicant_pseudonym": self.pseudonym(identifier),
            "applicant_category": row["_applicant_category"] or "",
            "applicant_region": province,
            "applicant_region_name": self.provinces[province],
            "countries": _codes(row["_countries"]),
            "right_types": _codes(row["_right_types"]),
            "dispute_types": _codes(row["_dispute_types"]),
            "technical_field": row["_technical_field"] or "",
            "opponent_types": _codes(row["_opponent_types"]),
            "level": row["_level"] or "",
            "channel": row["_channel"] or "",
            "service_point": self.points.get(row["_service_point_id"], ""),
            "submitted_on": _day(row["_submitted_at"]),
            "accepted_on": _day(row["_opened_at"]),
            "first_contact_on": _day(row["_first_contacted_at"]),
            "opinion_issued_on": _day(row["_opinion_signed_at"]),
            "closed_on": _day(row["_closed_at"]),
            "status": row["_status"],
            "status_label": self.status_labels.get(row["_status"], row["_status"]),
        }


def _codes(value: str) -> list[str]:
    """ "|US|DE|" → ["US", "DE"]."""
    value = value.strip("|") if value else ""
    return value.split("|") if value else []


def _day(value):
    return None if value is None else value.isoformat()


def case_records(period: Period, *, service_point_ids=None, progress=None) -> Iterator[dict]:
    """The period's case records, by case number. `progress(done)` is called every chunk."""
    make = RecordMaker()
    rows = record_values(handled_in(period, service_point_ids=service_point_ids).order_by("opened_at", "pk"))
    for done, row in enumerate(rows.iterator(chunk_size=CHUNK_SIZE), start=1):
        if progress is not None and done % CHUNK_SIZE == 0:
            progress(done)
        yield make(row)


def typical_cases(period: Period) -> list[dict]:
    """The typical cases published in the period (knowledge), for the national platform."""
    start, end = period.bounds()
    rows = []
    for case in published_cases().filter(published_at__gte=start, published_at__lt=end).order_by("published_at", "pk"):
        rows.append(
            {
                "id": case.pk,
                "title": case.title,
                "country": case.country,
                "ip_type": case.ip_type,
                "industry": case.industry,
                "forum": case.forum,
                "year": case.year,
                "published_on": timezone.localtime(case.published_at).date().isoformat(),
                "url": settings.SITE_URL.rstrip("/") + case.get_absolute_url(),
            }
        )
    return rows


LABELS = {
    "applicant_category": dict(ApplicantCategory.choices),
    "channel": dict(Channel.choices),
    "level": dict(DisputeLevel.choices),
}
