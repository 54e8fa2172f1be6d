"""A realistic expert pool and a US Section 337 case on machinery, where the right order is known.

The case: a Shanxi machine-tool maker is named in a US ITC Section 337 investigation brought by a
German machinery group (complainant Kraftwerk Maschinenbau GmbH), over an invention patent; the
dispute countries are the US (the forum) and Germany (the complainant's home, where a parallel
suit may follow). What a seasoned staff member looks for, in that order: 337 experience, admission
to practise in the US, machinery, then the German side, the patent qualification and languages.

`EXPECTED_TOP` is the order such a staff member would give the best eight; each of them differs
from the next in one thing a reader can name (see the comment beside each row). Experts who must
not be ranked at all are listed in `EXPECTED_EXCLUDED` with the word their reason must contain.
"""

import datetime

from django.utils import timezone

from applications.choices import DisputeLevel, DisputeType, RightType, TechnicalField
from experts.models import Availability, ConflictParty, Expert, Unavailability
from tests.experts.factories import make_case

INV, UM, DES, TM, GI, CR = "invention", "utility_model", "design", "trademark", "gi", "copyright"
TI, INF, VAL, LIC, OWN, EXH, TS = (
    "trade_investigation",
    "infringement",
    "validity",
    "licensing",
    "ownership",
    "exhibition",
    "trade_secret",
)
MECH, ELEC, COMM, CHEM, OPTO, BIO = (
    "mechanical",
    "electrical",
    "communications",
    "chemistry",
    "optoelectronics",
    "biomedicine",
)
LAWYER, PA, TMA, FOREIGN, PROF, ENG, TRADE = (
    "lawyer",
    "patent_attorney",
    "trademark_attorney",
    "foreign_lawyer",
    "professor",
    "engineer",
    "trade_expert",
)

OPPONENT = "Kraftwerk Maschinenbau GmbH"


def _e(name, org, *, q=(), jur=(), rights=(), disputes=(), fields=(), countries=(), langs=("zh",), **extra):
    return {
        "name": name,
        "organisation": org,
        "qualifications": list(q),
        "jurisdictions": list(jur),
        "right_types": list(rights),
        "dispute_types": list(disputes),
        "technical_fields": list(fields),
        "countries": list(countries),
        "languages": list(langs),
        **extra,
    }


POOL = [
    # -- the best eight, best first ---------------------------------------------------------------
    # US-admitted (New York bar) and a Chinese lawyer, 337 investigations on machinery.
    _e(
        "陈美华",
        "北京金诚同达律师事务所",
        q=[LAWYER, FOREIGN],
        jur=["US"],
        rights=[INV, UM],
        disputes=[TI, INF],
        fields=[MECH],
        countries=["US"],
        langs=["zh", "en"],
    ),
    # Chinese lawyer and patent attorney with 337 experience on machinery, not admitted in the US.
    _e(
        "周建华",
        "上海段和段律师事务所",
        q=[LAWYER, PA],
        rights=[INV],
        disputes=[TI, INF],
        fields=[MECH],
        countries=["US"],
        langs=["zh", "en"],
    ),
    # The same profile with one open case: ranks just below.
    _e(
        "钱忙碌",
        "北京大成律师事务所",
        q=[LAWYER, PA],
        rights=[INV],
        disputes=[TI, INF],
        fields=[MECH],
        countries=["US"],
        langs=["zh", "en"],
        max_concurrent_cases=4,
        open_cases=1,
    ),
    # A trade-remedy specialist with 337 experience in machinery and chemicals; not a lawyer.
    _e(
        "程刚",
        "中国机电产品进出口商会",
        q=[TRADE],
        rights=[INV],
        disputes=[TI],
        fields=[MECH, CHEM],
        countries=["US", "IN"],
        langs=["zh", "en"],
    ),
    # US patent litigator with 337 experience, but in electronics.
    _e(
        "Sarah Mitchell",
        "Mitchell IP LLP",
        q=[FOREIGN],
        jur=["US"],
        rights=[INV, TM],
        disputes=[TI, INF, LIC],
        fields=[ELEC, COMM],
        countries=["US", "CA"],
        langs=["en"],
    ),
    # German patent attorney, machinery, admitted in Germany: no US practice, no 337 experience.
    _e(
        "Klaus Becker",
        "Becker & Partner Patentanwälte",
        q=[PA],
        jur=["DE"],
        rights=[INV, UM],
        disputes=[INF, VAL],
        fields=[MECH],
        countries=["DE", "EU"],
        langs=["de", "en"],
    ),
    # Chinese lawyer with 337 experience in electronics.
    _e(
        "郭磊",
        "中伦律师事务所",
        q=[LAWYER],
        rights=[INV, GI],
        disputes=[TI, INF],
        fields=[ELEC, COMM],
        countries=["US", "EU"],
        langs=["zh", "en"],
    ),
    # Like 郭磊, but short of time at present.
    _e(
        "周佳怡",
        "上海市锦天城律师事务所",
        q=[LAWYER],
        rights=[INV, TM, CR],
        disputes=[TI, INF],
        fields=[ELEC],
        countries=["US"],
        langs=["zh", "en"],
        availability=Availability.LIMITED,
    ),
    # -- the rest of the ranking (order among them not asserted) ---------------------------------
    # Chinese patent attorney, machinery infringement in Germany, no 337: below the 337 lawyers in
    # electronics, since a trade investigation is not an infringement suit.
    _e(
        "王机械",
        "北京三友知识产权代理有限公司",
        q=[PA],
        rights=[INV, UM],
        disputes=[INF, VAL],
        fields=[MECH],
        countries=["DE"],
        langs=["zh", "en"],
    ),
    _e(
        "Hans Müller",
        "Müller Rechtsanwälte",
        q=[FOREIGN],
        jur=["DE"],
        rights=[TM],
        disputes=[INF, EXH],
        countries=["DE", "AT"],
        langs=["de", "en"],
    ),
    _e(
        "李建国",
        "山西省科技情报研究所",
        q=[ENG],
        rights=[INV, UM],
        disputes=[VAL],
        fields=[MECH, CHEM],
        countries=["US", "DE", "JP"],
        langs=["zh", "en"],
    ),
    _e(
        "孙立新",
        "中国贸促会专利商标事务所",
        q=[LAWYER, TMA],
        rights=[TM, DES],
        disputes=[EXH, INF],
        countries=["DE", "FR"],
        langs=["zh", "en", "de"],
    ),
    _e(
        "刘慧敏",
        "中国政法大学知识产权研究中心",
        q=[PROF],
        rights=[INV, TM, CR],
        disputes=[INF, LIC, OWN],
        countries=["US", "DE", "FR", "GB"],
        langs=["zh", "en", "fr"],
        availability=Availability.LIMITED,
    ),
    _e(
        "陈思远",
        "上海汇智知识产权代理有限公司",
        q=[PA],
        rights=[INV, UM, DES],
        disputes=[VAL, INF],
        fields=[MECH, OPTO],
        countries=["JP", "KR"],
        langs=["zh", "ja"],
    ),
    _e(
        "赵敏",
        "北京集佳知识产权代理有限公司",
        q=[PA],
        rights=[INV],
        disputes=[VAL, INF],
        fields=[COMM, ELEC],
        countries=["US", "JP", "KR"],
        langs=["zh", "en", "ko"],
    ),
    _e(
        "石磊",
        "中国光学学会",
        q=[ENG],
        rights=[INV, UM],
        disputes=[VAL, INF],
        fields=[OPTO],
        countries=["JP", "KR", "DE"],
        langs=["zh", "ja", "en"],
    ),
    _e(
        "邓凯",
        "深圳市知识产权研究会",
        q=[TRADE],
        rights=[INV, DES],
        disputes=[EXH, INF],
        fields=[ELEC, OPTO],
        countries=["DE", "US", "AE"],
        langs=["zh", "en"],
    ),
    _e(
        "彭程",
        "某通信企业知识产权部",
        q=[PA],
        rights=[INV],
        disputes=[LIC, VAL],
        fields=[COMM, ELEC],
        countries=["US", "EU", "IN"],
        langs=["zh", "en"],
    ),
    _e(
        "范伟",
        "医药生物知识产权联盟",
        q=[PA, ENG],
        rights=[INV],
        disputes=[VAL, INF, LIC],
        fields=[BIO, CHEM],
        countries=["US", "EU", "IN"],
        langs=["zh", "en"],
    ),
    _e(
        "张宏伟",
        "广东华商律师事务所",
        q=[LAWYER],
        rights=[TM, GI],
        disputes=[INF, EXH, OWN],
        countries=["US", "DE", "FR", "TR", "BR"],
        langs=["zh", "en", "pt"],
    ),
    _e(
        "叶青",
        "浙江大学光华法学院",
        q=[PROF],
        rights=[CR],
        disputes=[LIC, TS],
        fields=[ELEC, OPTO],
        countries=["US", "KR"],
        langs=["zh", "en", "ko"],
    ),
    # The conflict registered with the complainant ended last year: ranked again.
    _e(
        "吕往昔",
        "北京路盛律师事务所",
        q=[LAWYER],
        rights=[INV],
        disputes=[INF],
        fields=[MECH],
        countries=["US"],
        langs=["zh", "en"],
        conflicts=[("KRAFTWERK MASCHINENBAU", -365)],
    ),
    # Away only after the case's deadline: ranked.
    _e(
        "何后来",
        "天津三元律师事务所",
        q=[LAWYER],
        rights=[INV],
        disputes=[INF],
        fields=[MECH],
        countries=["DE"],
        langs=["zh", "de"],
        away=(60, 90),
    ),
    # -- left out ----------------------------------------------------------------------------------
    # Would rank first, but acted for the complainant.
    _e(
        "赵冲突",
        "北京某涉外律师事务所",
        q=[LAWYER, FOREIGN],
        jur=["US"],
        rights=[INV],
        disputes=[TI, INF],
        fields=[MECH],
        countries=["US", "DE"],
        langs=["zh", "en", "de"],
        conflicts=[("Kraftwerk Maschinenbau AG", None)],
    ),
    # Would rank near the top, but is in trial abroad during the case's deadline window.
    _e(
        "孙出差",
        "上海汉盛律师事务所",
        q=[LAWYER, PA],
        rights=[INV],
        disputes=[TI],
        fields=[MECH],
        countries=["US"],
        langs=["zh", "en"],
        away=(10, 20),
    ),
    _e(
        "魏国强",
        "原山西省知识产权局",
        q=["other"],
        rights=[INV],
        disputes=[VAL],
        fields=[MECH],
        countries=["DE", "US"],
        active=False,
    ),
    _e(
        "吴暂停",
        "北京万慧达律师事务所",
        q=[LAWYER],
        rights=[INV],
        disputes=[TI],
        fields=[MECH],
        countries=["US"],
        availability=Availability.UNAVAILABLE,
    ),
    _e(
        "周满额",
        "北京德恒律师事务所",
        q=[LAWYER],
        rights=[INV],
        disputes=[TI],
        fields=[MECH],
        countries=["US"],
        max_concurrent_cases=1,
        open_cases=1,
    ),
    _e(
        "胡静",
        "北京某商标律师事务所",
        q=[LAWYER, TMA],
        rights=[TM, GI],
        disputes=[OWN],
        countries=["RU", "TR", "SA"],
        langs=["zh", "ar"],
    ),
    _e("许晴", "中国知识产权研究会", q=[PROF], rights=[GI], disputes=[OWN], countries=["FR", "IT"], langs=["zh", "fr"]),
    # Speaks English and is a lawyer, but nothing about this case: not ranked.
    _e("苏婉", "长江商学院", q=[LAWYER], rights=[CR], disputes=[LIC], countries=["GB", "AU"], langs=["zh", "en"]),
]

EXPECTED_TOP = [
    "陈美华",
    "周建华",
    "钱忙碌",
    "程刚",
    "Sarah Mitchell",
    "Klaus Becker",
    "郭磊",
    "周佳怡",
]

EXPECTED_EXCLUDED = {
    "赵冲突": "利益冲突",
    "孙出差": "不可承接",
    "魏国强": "已退出专家库",
    "吴暂停": "暂不可承接",
    "周满额": "1/1",
    "胡静": "均不匹配",
    "许晴": "均不匹配",
    "苏婉": "均不匹配",
}


def make_337_case():
    """The case: a US 337 investigation on machinery, dispute countries US and Germany."""
    case = make_case(
        countries=["US", "DE"],
        dispute_types=[DisputeType.TRADE_INVESTIGATION],
        right_types=[RightType.INVENTION],
        technical_fields=[TechnicalField.MECHANICAL],
        opponent_name=OPPONENT,
        level=DisputeLevel.MAJOR,
        request="美国国际贸易委员会对我司出口的数控机床发起 337 调查，申请人为德国机械集团，请求应对指导。",
    )
    case.due_date = timezone.localdate() + datetime.timedelta(days=40)
    case.save(update_fields=["due_date"])
    return case


def build_pool(*, staff):
    """Create the pool; returns {name: Expert}. Open cases are invitations on other cases."""
    from experts import services

    today = timezone.localdate()
    experts = {}
    for row in POOL:
        row = dict(row)
        conflicts = row.pop("conflicts", ())
        away = row.pop("away", None)
        open_cases = row.pop("open_cases", 0)
        expert = Expert.objects.create(email=f"pool{len(experts)}@example.cn", **row)
        for party, until_days in conflicts:
            until = today + datetime.timedelta(days=until_days) if until_days is not None else None
            ConflictParty.objects.create(expert=expert, name=party, until=until)
        if away:
            Unavailability.objects.create(
                expert=expert,
                starts_on=today + datetime.timedelta(days=away[0]),
                ends_on=today + datetime.timedelta(days=away[1]),
                reason="境外开庭",
            )
        for _ in range(open_cases):
            services.expert_invite(
                case=make_case(), expert=expert, by=staff, deadline=timezone.now() + datetime.timedelta(days=3)
            )
        experts[expert.name] = expert
    return experts
