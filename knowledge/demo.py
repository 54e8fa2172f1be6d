"""Demo data of the knowledge platform: what the center publishes, and what waits for its review.

Laws and policies of nine countries and regions with their versions (knowledge/data/laws.json),
a country guide for each, official fees, typical cases (knowledge/data/typical_cases.json),
warnings, the directory of service institutions with the 17 institutions of the Xuchang notice of
2022 exactly as its appendix lists them (knowledge/data/xuchang_institutions_2022.csv), a few
overseas institutions paired "1+1" with domestic ones (marked as demo), training sessions, a salon
and a trade fair. Some items are credited to the co-building agencies; the demo agency user has one
submission waiting for review and one returned.

The laws name real laws: titles, issuing bodies and dates are as published, and a date we were not
sure of is left empty. Typical cases, warnings and the overseas institutions are invented and
anonymised (某公司), as demo content must be. Official fees are examples to check against the
office's current schedule.

Runs after portal.demo (agencies and users). Idempotent: every row is found by its natural key
(a law by country and Chinese title, a case or warning by title, an institution by name, an event
by title) and created only when missing; the search index is rebuilt at the end."""

import csv
import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone

from applications.demo import _pdf
from knowledge import search
from knowledge.models import (
    CountryGuide,
    Event,
    EventMaterial,
    Law,
    OfficialFee,
    Registration,
    ServiceInstitution,
    TypicalCase,
    Warning,
)
from portal.models import PartnerAgency, User

DATA = Path(__file__).resolve().parent / "data"
XUCHANG_CSV = DATA / "xuchang_institutions_2022.csv"
XUCHANG_LIST = "第一批海外维权协助机构名单"
XUCHANG_SOURCE = (
    "许昌市市场监督管理局 许昌市商务局《关于加强企业海外知识产权维权援助机制建设的意见》（许市监〔2022〕44号）附件"
)

PUBLISHED = Law.Status.PUBLISHED


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _at(day, hour=9, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def load_json(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def xuchang_rows():
    """The 17 rows of the appendix as published: 序号, 机构名称, 机构性质, 负责人, 地址."""
    with XUCHANG_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def region_of(address):
    """许昌市 or 禹州市 (a county-level city under Xuchang), read from the published address."""
    return "禹州市" if "禹州" in address else "许昌市"


class _Context:
    def __init__(self):
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.staff = User.objects.filter(email="staff@demo.cn").first()
        self.agency_user = User.objects.filter(email="agency@demo.cn").first()
        self.agencies = {agency.code: agency for agency in PartnerAgency.objects.all()}
        # The agency users of the demo, so that what their agency sent is credited to a person.
        self.senders = {}
        for user in User.objects.filter(agency__isnull=False).select_related("agency"):
            self.senders.setdefault(user.agency.code, user)

    def published(self, order, agency_code=None):
        """The review fields of a published item; `order` spreads the publication dates."""
        published_at = self.now - datetime.timedelta(days=3 * order + 1, hours=order % 7)
        fields = {"status": PUBLISHED, "published_at": published_at, "reviewed_by": self.staff}
        agency = self.agencies.get(agency_code) if agency_code else None
        if agency is not None:
            fields.update(
                agency=agency,
                submitted_by=self.senders.get(agency_code),
                submitted_at=published_at - datetime.timedelta(days=2),
            )
        return fields


# --- Laws, guides and fees ---------------------------------------------------------------------


def seed_laws(ctx):
    laws = {}
    for order, row in enumerate(load_json("laws.json")):
        defaults = {
            "ip_type": row["ip_type"],
            "doc_type": row["doc_type"],
            "title_original": row["title_original"],
            "issuing_body": row["issuing_body"],
            "promulgated_on": _date(row.get("promulgated_on")),
            "effective_on": _date(row.get("effective_on")),
            "legal_status": row.get("legal_status", Law.LegalStatus.IN_FORCE),
            "summary": row["summary"],
            "source_url": row["source_url"],
            "supersedes": laws.get(row.get("supersedes")),
            **ctx.published(order % 40, row.get("agency")),
        }
        law, _created = Law.objects.get_or_create(country=row["country"], title_zh=row["title_zh"], defaults=defaults)
        laws[row["key"]] = law
    return laws


GUIDES = {
    "US": (
        "美国是我国企业遭遇知识产权纠纷最多的市场。专利纠纷集中在机电、通信、光伏、医疗器械等领域，"
        "常见形式有联邦地区法院诉讼、美国国际贸易委员会 337 调查和跨境电商平台投诉；商标采用使用原则，注册前须证明使用或声明使用意图。",
        "联邦地区法院诉讼（可判损害赔偿和禁令）；337 调查（排除令，由海关执行）；专利审判与上诉委员会的双方复审（IPR）挑战专利有效性；"
        "商标审判与上诉委员会的异议和撤销程序；电商平台的知识产权投诉和《数字千年版权法》通知—删除程序。",
        "收到 337 立案通知或法院传票后立即求助，答辩期一般只有 20 至 30 日；出口前做专利自由实施分析；"
        "跨境电商商品标题不要使用他人商标。官方费用栏列出的金额为示例，请以美国专利商标局现行收费表为准。",
        "https://www.uspto.gov/",
    ),
    "DE": (
        "德国是欧洲专利诉讼最集中的国家，慕尼黑、杜塞尔多夫、曼海姆的法院审理快，专利权人胜诉后原则上可获得禁令；"
        "侵权与无效分别审理。德国也是我国企业参展最多的国家，展会上的临时禁令和海关扣押较为常见。",
        "地方法院专利侵权诉讼；向联邦专利法院提起专利无效诉讼；向德国专利商标局请求注销实用新型；"
        "展会前向法院提交保护函（Schutzschrift）；收到警告函后谈判停止侵害声明的范围。",
        "参展前检索竞争对手的德国专利、实用新型和欧洲专利；展台配备可立即联系律师的人员；"
        "广告用语须有证据支持。官方费用为示例，请以德国专利商标局现行收费表为准。",
        "https://www.dpma.de/",
    ),
    "FR": (
        "法国以侵权扣押（saisie-contrefaçon）闻名：权利人经法院批准，可由执达员到展会或经营场所现场取证。"
        "巴黎司法法院对专利案件有专属管辖，法国国家工业产权局（INPI）受理专利异议和商标无效、撤销的行政程序。",
        "巴黎司法法院诉讼；INPI 专利异议（授权公告后 9 个月内）和商标无效、撤销程序；欧盟海关扣押；统一专利法院（法国为参加国）。",
        "在法国参展随身携带设计来源和授权文件；被侵权扣押后记录执行过程，核实对方是否在法定期限内起诉。",
        "https://www.inpi.fr/",
    ),
    "GB": (
        "英国脱欧后，欧盟商标和外观设计不再覆盖英国，须单独在英国知识产权局申请。英国法院可确定标准必要专利的全球许可条件；"
        "知识产权企业法院（IPEC）程序简化、费用可控，适合中小企业。",
        "高等法院专利法院和知识产权企业法院诉讼；英国知识产权局商标异议（公告后 2 个月，可延至 3 个月）和无效程序；英国海关扣押。",
        "进入英国市场前单独注册商标；标准必要专利许可谈判中保留善意谈判的记录。官方费用为示例，请以英国知识产权局现行收费表为准。",
        "https://www.gov.uk/government/organisations/intellectual-property-office",
    ),
    "JP": (
        "日本专利侵权诉讼一审由东京、大阪地方法院专属管辖，赔偿额总体不高但判决可预期；"
        "未注册外观设计的产品形态在首次销售后 3 年内受《不正当竞争防止法》保护。",
        "地方法院和知识产权高等法院诉讼；特许厅无效审判、商标异议（公报发行后 2 个月内）；海关停止进口申请和认定程序。",
        "对标日本畅销产品开发时保留独立设计记录；以“不正当目的”条款应对商标抢注。官方费用为示例，请以日本特许厅现行收费表为准。",
        "https://www.jpo.go.jp/",
    ),
    "KR": (
        "韩国对商业秘密和技术人员流动引发的纠纷执法严格，刑事程序常与民事程序并行；故意侵害专利权可判处惩罚性赔偿。",
        "专利法院和地方法院诉讼；专利审判院无效审判和权利范围确认审判；商标异议（公告后 2 个月内）。",
        "招聘韩国同行技术人员前做背景审查并签署承诺；以第 34 条第 1 款第 13 项应对恶意抢注。",
        "https://www.kipo.go.kr/",
    ),
    "IN": (
        "印度对药品专利审查严格（第 3 条（d）项），授权前和授权后均可提出异议；商标采用在先使用优先的原则。"
        "2024 年修正的《专利规则》缩短了请求审查的期限，并放宽了实施声明和外国申请信息的提交要求。",
        "专利局授权前异议、授权后异议；高等法院（德里、孟买等设有知识产权庭）诉讼；商标公告后 4 个月内异议。",
        "保留在印度在先使用商标的证据；医药申请从一开始准备疗效提高的数据。官方费用为示例，请以印度专利局现行收费表为准。",
        "https://ipindia.gov.in/",
    ),
    "BR": (
        "巴西是我国企业商标被抢注较多的市场之一，经销商抢注尤为常见。专利审查周期较长，"
        "联邦最高法院 2021 年的判决取消了授权后至少 10 年的保底保护期。",
        "巴西国家工业产权局（INPI）商标异议（公告后 60 日内）和行政无效（注册后 180 日内）；州法院侵权诉讼；海关扣押。",
        "进入巴西前先注册商标；与经销商的合同中写明商标归属；在巴西善意使用满 6 个月的在先使用人可主张优先注册。",
        "https://www.gov.br/inpi/",
    ),
    "EU": (
        "欧盟商标和欧盟外观设计一次申请覆盖全部成员国；统一专利法院自 2023 年 6 月 1 日起运行，一次诉讼可在全部参加国取得禁令；"
        "欧盟海关依（EU）608/2013 号条例对涉嫌侵权货物中止放行，过境货物也可能被扣留。",
        "欧盟知识产权局商标异议（公告后 3 个月内）、撤销和无效；统一专利法院诉讼；成员国海关程序（收到通知后 10 个工作日内反对）。",
        "监控竞争对手的单一效力专利；贴牌生产取得完整授权链条并随货备查。官方费用为示例，请以欧盟知识产权局现行收费表为准。",
        "https://www.euipo.europa.eu/",
    ),
}


def seed_guides():
    for country, (overview, enforcement, tips, url) in GUIDES.items():
        CountryGuide.objects.get_or_create(
            country=country,
            defaults={"overview": overview, "enforcement": enforcement, "tips": tips, "source_url": url},
        )


# (country, IP type, item, amount, currency, as of, source). Examples from the offices' schedules on
# the date given; the country guides say to check the office's current schedule before relying on them.
FEES = [
    (
        "US",
        "patent",
        "发明专利申请基本申请费（大实体，示例）",
        "350",
        "USD",
        "2025-01-19",
        "https://www.uspto.gov/learning-and-resources/fees-and-payment/uspto-fee-schedule",
    ),
    (
        "US",
        "patent",
        "发明专利检索费（大实体，示例）",
        "770",
        "USD",
        "2025-01-19",
        "https://www.uspto.gov/learning-and-resources/fees-and-payment/uspto-fee-schedule",
    ),
    (
        "US",
        "patent",
        "发明专利审查费（大实体，示例）",
        "880",
        "USD",
        "2025-01-19",
        "https://www.uspto.gov/learning-and-resources/fees-and-payment/uspto-fee-schedule",
    ),
    (
        "US",
        "trademark",
        "商标申请基本费（每类，示例）",
        "350",
        "USD",
        "2025-01-18",
        "https://www.uspto.gov/learning-and-resources/fees-and-payment/uspto-fee-schedule",
    ),
    (
        "DE",
        "patent",
        "专利申请费（电子申请，示例）",
        "40",
        "EUR",
        "2025-01-01",
        "https://www.dpma.de/service/gebuehren/",
    ),
    ("DE", "patent", "实质审查请求费（示例）", "350", "EUR", "2025-01-01", "https://www.dpma.de/service/gebuehren/"),
    (
        "DE",
        "trademark",
        "商标申请费（电子申请，三类以内，示例）",
        "290",
        "EUR",
        "2025-01-01",
        "https://www.dpma.de/service/gebuehren/",
    ),
    (
        "DE",
        "trademark",
        "商标申请每增加一类（示例）",
        "100",
        "EUR",
        "2025-01-01",
        "https://www.dpma.de/service/gebuehren/",
    ),
    ("JP", "patent", "专利申请费（示例）", "14000", "JPY", "2025-01-01", "https://www.jpo.go.jp/"),
    (
        "JP",
        "patent",
        "审查请求费基本部分（另按每项权利要求加收 1,400 日元，示例）",
        "138000",
        "JPY",
        "2025-01-01",
        "https://www.jpo.go.jp/",
    ),
    (
        "JP",
        "trademark",
        "商标申请费基本部分（另按每类加收 8,600 日元，示例）",
        "3400",
        "JPY",
        "2025-01-01",
        "https://www.jpo.go.jp/",
    ),
    (
        "GB",
        "trademark",
        "商标在线申请（一类，示例）",
        "170",
        "GBP",
        "2025-01-01",
        "https://www.gov.uk/government/organisations/intellectual-property-office",
    ),
    (
        "GB",
        "trademark",
        "商标申请每增加一类（示例）",
        "50",
        "GBP",
        "2025-01-01",
        "https://www.gov.uk/government/organisations/intellectual-property-office",
    ),
    (
        "IN",
        "patent",
        "专利申请费（电子申请，自然人或初创企业，示例）",
        "1600",
        "INR",
        "2024-03-15",
        "https://ipindia.gov.in/",
    ),
    (
        "IN",
        "patent",
        "专利申请费（电子申请，其他申请人，示例）",
        "8000",
        "INR",
        "2024-03-15",
        "https://ipindia.gov.in/",
    ),
    (
        "IN",
        "trademark",
        "商标申请费（电子申请，个人、初创或小企业，每类，示例）",
        "4500",
        "INR",
        "2024-03-15",
        "https://ipindia.gov.in/",
    ),
    (
        "IN",
        "trademark",
        "商标申请费（电子申请，其他申请人，每类，示例）",
        "9000",
        "INR",
        "2024-03-15",
        "https://ipindia.gov.in/",
    ),
    ("EU", "trademark", "欧盟商标电子申请（一类，示例）", "850", "EUR", "2025-01-01", "https://www.euipo.europa.eu/"),
    ("EU", "trademark", "欧盟商标第二类（示例）", "50", "EUR", "2025-01-01", "https://www.euipo.europa.eu/"),
    ("EU", "trademark", "欧盟商标第三类起每类（示例）", "150", "EUR", "2025-01-01", "https://www.euipo.europa.eu/"),
]


def seed_fees():
    for country, ip_type, item, amount, currency, as_of, url in FEES:
        OfficialFee.objects.get_or_create(
            country=country,
            ip_type=ip_type,
            item=item,
            defaults={
                "amount": Decimal(amount),
                "currency": currency,
                "as_of": _date(as_of),
                "source_url": url,
            },
        )


# --- Typical cases ------------------------------------------------------------------------------


def seed_cases(ctx):
    for order, row in enumerate(load_json("typical_cases.json")):
        fields = {key: row[key] for key in ("ip_type", "country", "industry", "forum", "year")}
        fields.update({key: row[key] for key in ("facts", "response", "outcome", "lessons")})
        TypicalCase.objects.get_or_create(
            title=row["title"], defaults={**fields, **ctx.published(order, row["agency"])}
        )


# --- Warnings -----------------------------------------------------------------------------------


def _warnings(ctx, laws):
    today = ctx.today
    days = datetime.timedelta
    squatting_note = "（演示数据：商标和申请号为虚构。）"
    return [
        {
            "title": "巴西：“晋韵坊 JINYUNFANG”商标被抢注预警",
            "kind": Warning.Kind.SQUATTING,
            "risk_level": Warning.Risk.HIGH,
            "country": "BR",
            "industry": "other",
            "ip_type": "trademark",
            "issued_on": today - days(5),
            "mark": "晋韵坊 JINYUNFANG",
            "filing_number": "932145678",
            "filing_date": today - days(50),
            "opposition_deadline": today + days(25),
            "body": "监测发现，一家巴西贸易公司在第 30 类（醋、调味品）申请注册与我省某醋业企业商标相同的中文及拼音商标。"
            "该申请已在巴西工业产权公报公告，异议期为公告后 60 日。相关企业请尽快联系中心，准备在巴西的销售和宣传证据，"
            "委托当地代理人提出异议。" + squatting_note,
            "agency": "sxipa",
        },
        {
            "title": "美国：“太行锻 TAIHANG FORGE”商标被抢注预警",
            "kind": Warning.Kind.SQUATTING,
            "risk_level": Warning.Risk.HIGH,
            "country": "US",
            "industry": "mechanical",
            "ip_type": "trademark",
            "issued_on": today - days(3),
            "mark": "太行锻 TAIHANG FORGE",
            "filing_number": "99123456",
            "filing_date": today - days(120),
            "opposition_deadline": today + days(18),
            "body": "一家美国经销商以意图使用为基础，在第 7 类（锻压机械、机床零部件）申请注册与我省某锻造企业出口产品商标相同的商标，"
            "已在美国专利商标局官方公报公告。异议须在公告后 30 日内提出，可申请延期。" + squatting_note,
            "agency": "sxcommerce",
        },
        {
            "title": "印度：“汾河源 FENHEYUAN”商标被抢注预警",
            "kind": Warning.Kind.SQUATTING,
            "risk_level": Warning.Risk.MEDIUM,
            "country": "IN",
            "industry": "other",
            "ip_type": "trademark",
            "issued_on": today - days(12),
            "mark": "汾河源 FENHEYUAN",
            "filing_number": "6123456",
            "filing_date": today - days(200),
            "opposition_deadline": today + days(70),
            "body": "该商标已在印度商标公报公告，指定商品为第 29、30 类食品。印度商标异议期为公告后 4 个月，不可延长；"
            "印度采用在先使用优先原则，在印度有销售记录的企业可据此异议。" + squatting_note,
        },
        {
            "title": "韩国：“晋匠 JINJIANG CRAFT”商标被抢注预警",
            "kind": Warning.Kind.SQUATTING,
            "risk_level": Warning.Risk.MEDIUM,
            "country": "KR",
            "industry": "other",
            "ip_type": "trademark",
            "issued_on": today - days(8),
            "mark": "晋匠 JINJIANG CRAFT",
            "filing_number": "40-2026-0123456",
            "filing_date": today - days(150),
            "opposition_deadline": today + days(40),
            "body": "一家韩国贸易公司在第 21 类（陶瓷日用品）申请注册与我省某陶瓷企业出口商标相同的商标，已公告。"
            "韩国商标异议期为公告后 2 个月。" + squatting_note,
        },
        {
            "title": "欧盟：“黄河光能 HUANGHE SOLAR”商标被抢注预警",
            "kind": Warning.Kind.SQUATTING,
            "risk_level": Warning.Risk.HIGH,
            "country": "EU",
            "industry": "optoelectronics",
            "ip_type": "trademark",
            "issued_on": today - days(2),
            "mark": "黄河光能 HUANGHE SOLAR",
            "filing_number": "019123456",
            "filing_date": today - days(60),
            "opposition_deadline": today + days(55),
            "body": "一家欧洲安装商在第 9 类（光伏组件、逆变器）申请欧盟商标，与我省某光伏企业的出口商标相同，已在欧盟商标公报公告，"
            "异议期为公告后 3 个月。" + squatting_note,
            "agency": "sxipa",
        },
        {
            "title": "德国专利法修订：禁令须符合比例原则，无效程序加快",
            "kind": Warning.Kind.LEGAL_CHANGE,
            "risk_level": Warning.Risk.MEDIUM,
            "country": "DE",
            "industry": "",
            "ip_type": "patent",
            "issued_on": today - days(30),
            "law": laws.get("de-patg-2021"),
            "body": "《德国专利法》经《第二部专利法简化和现代化法》修订后，禁令请求可因比例原则被排除，联邦专利法院在无效诉讼中应尽早发出初步意见。"
            "被诉企业可据此评估禁令风险，但比例性抗辩的门槛很高，不能替代及早的无效和规避设计。",
            "agency": "sxipa",
        },
        {
            "title": "印度专利规则修正：请求审查期限缩短为 31 个月",
            "kind": Warning.Kind.LEGAL_CHANGE,
            "risk_level": Warning.Risk.HIGH,
            "country": "IN",
            "industry": "",
            "ip_type": "patent",
            "issued_on": today - days(45),
            "law": laws.get("in-patents-rules-2024"),
            "body": "《2024年专利（修正）规则》将请求实质审查的期限由自优先权日起 48 个月缩短为 31 个月，逾期申请视为撤回。"
            "在印度有未决申请的企业请核对期限。实施声明改为每三个财年提交一次。",
        },
        {
            "title": "欧盟工艺品和工业产品地理标志保护开始受理申请",
            "kind": Warning.Kind.LEGAL_CHANGE,
            "risk_level": Warning.Risk.LOW,
            "country": "EU",
            "industry": "other",
            "ip_type": "gi",
            "issued_on": today - days(20),
            "law": laws.get("eu-craft-gi-2023-2411"),
            "body": "（EU）2023/2411 号条例自 2025 年 12 月 1 日起适用，陶瓷、玻璃、刀具、纺织品等工艺品和工业产品可在欧盟申请地理标志保护。"
            "我省具有地域特色的工艺品行业协会可评估在欧盟申请保护的可行性。",
        },
        {
            "title": "数控机床及功能部件出口美国、德国的专利风险报告",
            "kind": Warning.Kind.INDUSTRY,
            "risk_level": Warning.Risk.HIGH,
            "country": "US",
            "industry": "mechanical",
            "ip_type": "patent",
            "issued_on": today - days(15),
            "body": "近三年涉及我国数控机床、数控机床主轴和刀库的海外专利纠纷明显增加，美国以 337 调查和联邦地区法院诉讼为主，"
            "德国以展会临时禁令和地方法院诉讼为主。报告梳理了主要权利人的专利布局，建议出口企业开展专利自由实施分析、"
            "在主要市场布局外围专利，并在参展前提交保护函。",
            "agency": "sxcommerce",
        },
        {
            "title": "光伏组件及逆变器 337 调查风险提示",
            "kind": Warning.Kind.INDUSTRY,
            "risk_level": Warning.Risk.MEDIUM,
            "country": "US",
            "industry": "optoelectronics",
            "ip_type": "patent",
            "issued_on": today - days(25),
            "body": "光伏组件、接线盒和逆变器领域的 337 调查常以普遍排除令为目标，缺席的被申请人产品将被排除出美国市场。"
            "建议企业收到立案通知后立即求助，行业内可联合应诉分摊费用。",
            "agency": "sxcommerce",
        },
        {
            "title": "巴西市场商标抢注风险提示",
            "kind": Warning.Kind.COUNTRY,
            "risk_level": Warning.Risk.HIGH,
            "country": "BR",
            "industry": "",
            "ip_type": "trademark",
            "issued_on": today - days(40),
            "body": "巴西是我国企业商标被经销商抢注较多的市场。巴西商标异议期为公告后 60 日，行政无效须在注册后 180 日内提出。"
            "建议进入巴西前先注册商标，并在经销合同中约定商标归属。",
        },
        {
            "title": "美国跨境电商“Schedule A”批量诉讼风险提示",
            "kind": Warning.Kind.COUNTRY,
            "risk_level": Warning.Risk.MEDIUM,
            "country": "US",
            "industry": "",
            "ip_type": "trademark",
            "issued_on": today - days(10),
            "body": "权利人在美国联邦法院对大量网店提起批量诉讼，取得临时限制令后由平台冻结店铺资金。商品标题和关键词使用他人商标、"
            "图片未经授权是主要诱因。收到通知后应在期限内应诉，缺席判决可能导致冻结资金被划走。",
            "agency": "sxcommerce",
        },
    ]


def seed_warnings(ctx, laws):
    for order, row in enumerate(_warnings(ctx, laws)):
        agency = row.pop("agency", None)
        title = row.pop("title")
        Warning.objects.get_or_create(title=title, defaults={**row, **ctx.published(order, agency)})


# --- Service institutions -----------------------------------------------------------------------

# Overseas institutions paired "1+1" with a domestic one of the Xuchang list (by 序号): invented.
OVERSEAS = [
    (
        "（演示）美国加州某知识产权律师事务所",
        "US",
        "美国加利福尼亚州",
        "337 调查应诉，美国专利和商标诉讼，专利审判与上诉委员会程序，跨境电商平台纠纷",
        ["US"],
        "英语、中文",
        1,
    ),
    (
        "（演示）德国杜塞尔多夫某专利律师事务所",
        "DE",
        "德国北莱茵-威斯特法伦州",
        "德国和统一专利法院专利诉讼，展会临时禁令应对，保护函，实用新型注销",
        ["DE", "EU", "FR"],
        "德语、英语、中文",
        3,
    ),
    (
        "（演示）巴西圣保罗某商标代理机构",
        "BR",
        "巴西圣保罗州",
        "巴西商标申请、异议和行政无效，经销商抢注应对，海关备案",
        ["BR"],
        "葡萄牙语、英语",
        5,
    ),
]


def seed_institutions(ctx):
    by_serial = {}
    for order, row in enumerate(xuchang_rows()):
        institution, _created = ServiceInstitution.objects.get_or_create(
            name=row["机构名称"],
            defaults={
                "serial": int(row["序号"]),
                "nature": row["机构性质"],
                "head": row["负责人"],
                "address": row["地址"],
                "scope": ServiceInstitution.Scope.DOMESTIC,
                "region": region_of(row["地址"]),
                "country": "",
                "listed_in": XUCHANG_LIST,
                **ctx.published(order),
            },
        )
        by_serial[int(row["序号"])] = institution
    for order, (name, country, region, services, covered, languages, pair) in enumerate(OVERSEAS):
        domestic = by_serial[pair]
        overseas, created = ServiceInstitution.objects.get_or_create(
            name=name,
            defaults={
                "scope": ServiceInstitution.Scope.OVERSEAS,
                "country": country,
                "region": region,
                "services": services,
                "countries_covered": covered,
                "languages": languages,
                "nature": "律师事务所" if "律师" in name else "商标代理机构",
                "partner": domestic,
                **ctx.published(order, "ccpitsx"),
            },
        )
        if created and domestic.partner_id is None:
            domestic.partner = overseas
            domestic.save(update_fields=["partner", "updated_at"])


# --- Training, salons and the trade fair --------------------------------------------------------


def seed_events(ctx):
    today = ctx.today
    days = datetime.timedelta
    past, created = Event.objects.get_or_create(
        title="企业海外知识产权纠纷应对专题培训（第一期）",
        defaults={
            "kind": Event.Kind.TRAINING,
            "description": "面向外贸企业知识产权负责人：海外纠纷的常见类型、收到律师函和起诉书后的第一步、如何向中心申请指导、"
            "337 调查和欧洲展会纠纷的应对要点。",
            "starts_at": _at(today - days(30), 9),
            "ends_at": _at(today - days(30), 16, 30),
            "place": "太原市小店区 山西省知识产权保护中心 三楼报告厅",
            "capacity": 80,
            "trainer": "中心维权援助部、专家库专家",
            **ctx.published(12, "sxipa"),
        },
    )
    if created:
        material = EventMaterial(event=past, title="培训讲义：海外知识产权纠纷应对要点")
        material.file.save("haiwai-jiufen-yingdui-jiangyi.pdf", ContentFile(_pdf("Training handout")), save=True)
        for organisation, contact, email in [
            ("太原某精密机械有限公司", "张伟", "zhangwei@jm-demo.example.cn"),
            ("晋中某新材料有限公司", "李娜", "lina@xcl-demo.example.cn"),
        ]:
            Registration.objects.create(
                event=past,
                organisation=organisation,
                contact_name=contact,
                email=email,
                phone="13900000001",
                attendees=2,
                status=Registration.Status.ATTENDED,
            )

    upcoming, created = Event.objects.get_or_create(
        title="美国 337 调查应诉实务培训",
        defaults={
            "kind": Event.Kind.TRAINING,
            "description": "337 调查的程序和时限、答辩和证据开示的准备、双方复审与规避设计、和解谈判，以及排除令发布后如何通过海关裁定恢复出口。"
            "适合向美国出口机电、光伏、通信产品的企业。",
            "starts_at": _at(today + days(14), 9),
            "ends_at": _at(today + days(14), 17),
            "place": "太原市 山西省商务厅 培训中心二楼",
            "online_link": "https://meeting.example.cn/337-training",
            "capacity": 60,
            "registration_closes_at": _at(today + days(12), 17),
            "trainer": "专家库 337 应诉律师",
            "country": "US",
            "industry": "mechanical",
            **ctx.published(1, "sxcommerce"),
        },
    )
    if created:
        for organisation, contact, email, attendees in [
            ("太原某数控设备有限公司", "王强", "wangqiang@sk-demo.example.cn", 2),
            ("长治某光伏科技有限公司", "赵敏", "zhaomin@gf-demo.example.cn", 1),
            ("大同某机电有限公司", "刘洋", "liuyang@jd-demo.example.cn", 3),
        ]:
            Registration.objects.create(
                event=upcoming,
                organisation=organisation,
                contact_name=contact,
                email=email,
                phone="13900000002",
                attendees=attendees,
            )

    Event.objects.get_or_create(
        title="海外商标抢注防范与应对沙龙",
        defaults={
            "kind": Event.Kind.SALON,
            "description": "小范围交流：企业分享在巴西、印度、东南亚遭遇商标抢注的经历，代理人讲解异议、无效和谈判回购的选择，"
            "以及如何建立重点企业商标监测清单。",
            "starts_at": _at(today + days(28), 14),
            "ends_at": _at(today + days(28), 17),
            "place": "太原市 中国国际贸易促进委员会山西省委员会 会议室",
            "capacity": 30,
            "registration_closes_at": _at(today + days(26), 17),
            "trainer": "商标代理人、企业知识产权负责人",
            **ctx.published(2, "ccpitsx"),
        },
    )

    Event.objects.get_or_create(
        title="（演示）2026 山西国际装备制造博览会 知识产权服务",
        defaults={
            "kind": Event.Kind.TRADE_FAIR,
            "description": "中心会同省贸促会在博览会设立知识产权服务站，为参展企业提供展前培训和风险排查、展中驻会服务和维权指导、"
            "展后案件跟踪和总结反馈的全链条服务。",
            "starts_at": _at(today + days(10), 9),
            "ends_at": _at(today + days(13), 17),
            "place": "太原 潇河国际会展中心（演示）",
            "industry": "mechanical",
            "pre_fair_briefing": "展前一周举办参展企业知识产权培训：展品和宣传资料的专利、商标自查，境外参展商的权利主张方式，"
            "被投诉时的应对流程。需要的企业可提交展品清单，中心组织专家做重点展品的专利风险排查。",
            "desk_location": "1 号馆南入口 知识产权服务站（展位 A1-018）",
            "desk_hours": "展期每日 9:00—17:00；紧急情况可拨打服务热线",
            "post_fair_follow_up": "展会结束后 30 日内，中心回访被投诉或提出求助的企业，跟踪投诉处理结果，对需要继续维权的转为指导申请，"
            "并汇总本届展会的纠纷情况向共建单位通报。",
            **ctx.published(0, "ccpitsx"),
        },
    )


# --- Submissions waiting for review -------------------------------------------------------------


def seed_review_queue(ctx):
    """One submission of the demo agency user waiting for review and one returned to it."""
    user = ctx.agency_user
    if user is None or user.agency is None:
        return
    Law.objects.get_or_create(
        country="TR",
        title_zh="《土耳其工业产权法》",
        defaults={
            "ip_type": "general",
            "doc_type": Law.DocType.LAW,
            "title_original": "Sınai Mülkiyet Kanunu (Kanun No. 6769)",
            "issuing_body": "土耳其大国民议会 Türkiye Büyük Millet Meclisi",
            "promulgated_on": datetime.date(2016, 12, 22),
            "effective_on": datetime.date(2017, 1, 10),
            "summary": "将商标、专利、实用新型、外观设计和地理标志统一规定在一部法律中，并规定商标注册满 5 年未使用可被撤销。",
            "source_url": "https://www.turkpatent.gov.tr/",
            "status": Law.Status.SUBMITTED,
            "agency": user.agency,
            "submitted_by": user,
            "submitted_at": ctx.now - datetime.timedelta(days=1),
        },
    )
    TypicalCase.objects.get_or_create(
        title="某农机企业在土耳其展会被投诉侵犯外观设计",
        defaults={
            "ip_type": "patent",
            "country": "TR",
            "industry": "mechanical",
            "forum": TypicalCase.Forum.TRADE_FAIR,
            "year": 2025,
            "facts": "某农机企业在土耳其一农业机械展参展，当地企业向展会主办方投诉其展出的播种机外观侵犯其外观设计。",
            "response": "企业向展会主办方提交了说明。",
            "outcome": "处理中。",
            "lessons": "待补充。",
            "status": TypicalCase.Status.RETURNED,
            "agency": user.agency,
            "submitted_by": user,
            "submitted_at": ctx.now - datetime.timedelta(days=6),
            "reviewed_by": ctx.staff,
            "review_reason": "“应对措施”“处理结果”和“启示”过于简略：请补充展会主办方的处理决定、企业提交的不侵权证据和后续措施，"
            "案情结束后再报送。",
        },
    )


def seed(out):
    ctx = _Context()
    laws = seed_laws(ctx)
    seed_guides()
    seed_fees()
    seed_cases(ctx)
    seed_warnings(ctx, laws)
    seed_institutions(ctx)
    seed_events(ctx)
    seed_review_queue(ctx)
    entries = search.reindex_all()
    published = PUBLISHED
    out.write(
        f"Knowledge platform: {Law.objects.filter(status=published).count()} laws, "
        f"{TypicalCase.objects.filter(status=published).count()} typical cases, "
        f"{Warning.objects.filter(status=published).count()} warnings, "
        f"{ServiceInstitution.objects.filter(status=published).count()} institutions, "
        f"{Event.objects.filter(status=published).count()} events published; {entries} search entries."
    )
