"""The written-down query set of the knowledge platform's search, over a small fixed corpus.

Each query lists every item of the corpus it must find (`expected`); `measure()` searches each one
and gives recall (the share of expected items found) and precision (the share of found items that
were expected). tests/knowledge/test_search.py requires recall 100 % on every query; precision is
printed by `python -m pytest tests/knowledge/test_search.py -k recall -s` for the record.
"""

import datetime

from knowledge.models import IPType, Law, ServiceInstitution, TypicalCase, Warning
from knowledge.search import index_item, search

# key -> (factory name, fields)
CORPUS = {
    "law_de_machine": (
        "law",
        {
            "title_zh": "数控机床主轴出口管制条例",
            "title_original": "Verordnung über Werkzeugmaschinenspindeln",
            "country": "DE",
            "ip_type": IPType.PATENT,
            "doc_type": Law.DocType.REGULATION,
            "promulgated_on": datetime.date(2022, 3, 1),
            "summary": "规定数控机床主轴等关键部件的出口许可。",
            "full_text": "第一条 为规范数控机床主轴出口，制定本条例。",
        },
    ),
    "law_us_patent": (
        "law",
        {
            "title_zh": "美国专利法",
            "title_original": "Patent Act (35 U.S.C.)",
            "country": "US",
            "ip_type": IPType.PATENT,
            "doc_type": Law.DocType.LAW,
            "promulgated_on": datetime.date(2011, 9, 16),
            "summary": "美国发明专利、外观设计专利的授权、侵权与救济。Leahy-Smith America Invents Act 修订。",
            "full_text": "Whoever invents or discovers any new and useful process, machine, manufacture.",
        },
    ),
    "law_us_tariff": (
        "law",
        {
            "title_zh": "美国1930年关税法第337节",
            "title_original": "Tariff Act of 1930, Section 337",
            "country": "US",
            "ip_type": IPType.GENERAL,
            "doc_type": Law.DocType.LAW,
            "promulgated_on": datetime.date(1930, 6, 17),
            "summary": "美国国际贸易委员会（ITC）据此对进口产品侵犯知识产权的行为开展337调查，可发布排除令。",
        },
    ),
    "law_jp_trademark": (
        "law",
        {
            "title_zh": "日本商标法",
            "title_original": "商標法",
            "country": "JP",
            "ip_type": IPType.TRADEMARK,
            "doc_type": Law.DocType.LAW,
            "promulgated_on": datetime.date(1959, 4, 13),
            "summary": "商标注册、异议、无效与侵权救济。",
        },
    ),
    "law_br_trademark": (
        "law",
        {
            "title_zh": "巴西工业产权法",
            "title_original": "Lei da Propriedade Industrial",
            "country": "BR",
            "ip_type": IPType.TRADEMARK,
            "doc_type": Law.DocType.LAW,
            "promulgated_on": datetime.date(1996, 5, 14),
            "summary": "巴西专利、商标和地理标志保护的基本法律，商标异议期为公告后60天。",
        },
    ),
    "case_itc": (
        "case",
        {
            "title": "某电气企业应诉美国337调查获终裁不侵权",
            "country": "US",
            "ip_type": IPType.PATENT,
            "forum": TypicalCase.Forum.ITC_337,
            "industry": "electrical",
            "year": 2023,
            "facts": "美国竞争对手以专利侵权为由向ITC申请337调查，请求对企业的断路器发布普遍排除令。",
            "response": "企业在中心指导下聘请美国律师，提出不侵权和专利无效抗辩。",
            "outcome": "ITC终裁认定不侵权，产品继续对美出口。",
            "lessons": "收到337调查立案通知后应在规定期限内应诉，缺席将导致排除令。",
        },
    ),
    "case_de_fair": (
        "case",
        {
            "title": "汉诺威展会数控机床外观专利临时禁令案",
            "country": "DE",
            "ip_type": IPType.PATENT,
            "forum": TypicalCase.Forum.TRADE_FAIR,
            "industry": "mechanical",
            "year": 2024,
            "facts": "参展企业的数控机床在德国汉诺威工业博览会上被指侵犯外观设计，法院发出临时禁令。",
            "response": "中心协调当地律师提交保护函，并核查展品设计的在先证据。",
            "outcome": "双方和解，企业调整展品外观。",
            "lessons": "赴德参展前应进行知识产权风险排查，必要时提前提交保护函（Schutzschrift）。",
        },
    ),
    "case_trademark_customs": (
        "case",
        {
            "title": "瓷器商标在海关被扣押后成功放行",
            "country": "FR",
            "ip_type": IPType.TRADEMARK,
            "forum": TypicalCase.Forum.CUSTOMS,
            "year": 2022,
            "facts": "法国海关以涉嫌侵犯商标权为由扣押一批钧瓷。",
            "response": "企业提交商标注册证和授权链条，证明产品来源合法。",
            "outcome": "海关放行货物。",
            "lessons": "出口前在目的国注册商标，并保存完整的授权文件。",
        },
    ),
    "warning_br_squatting": (
        "warning",
        {
            "title": "“钧瓷”相关商标在巴西被抢注",
            "kind": Warning.Kind.SQUATTING,
            "risk_level": Warning.Risk.HIGH,
            "country": "BR",
            "ip_type": IPType.TRADEMARK,
            "issued_on": datetime.date(2026, 10, 8),
            "mark": "JUNCI 钧瓷",
            "filing_number": "BR928374651",
            "body": "巴西国家工业产权局公告一件与禹州钧瓷近似的商标申请，请相关企业在异议期内提出异议。",
        },
    ),
    "warning_us_industry": (
        "warning",
        {
            "title": "美国电气设备行业专利诉讼风险报告",
            "kind": Warning.Kind.INDUSTRY,
            "risk_level": Warning.Risk.MEDIUM,
            "country": "US",
            "ip_type": IPType.PATENT,
            "issued_on": datetime.date(2025, 11, 20),
            "body": "2025年美国针对电气设备的专利诉讼和337调查数量上升，非专利实施主体（NPE）活跃。",
        },
    ),
    "warning_eu_change": (
        "warning",
        {
            "title": "欧盟外观设计法改革生效",
            "kind": Warning.Kind.LEGAL_CHANGE,
            "risk_level": Warning.Risk.LOW,
            "country": "EU",
            "ip_type": IPType.PATENT,
            "issued_on": datetime.date(2025, 5, 1),
            "body": "欧盟外观设计条例修订，注册外观设计改称欧盟外观设计，费用结构调整。",
        },
    ),
    "inst_xuchang_law": (
        "institution",
        {
            "name": "河南许都律师事务所",
            "nature": "律师事务所",
            "head": "王建国",
            "address": "许昌市魏都区文峰路88号",
            "region": "许昌市",
            "services": "海外知识产权纠纷应对、337调查应诉协调、商标异议。",
            "countries_covered": ["US", "DE"],
            "languages": "中文、英文",
        },
    ),
    "inst_us_partner": (
        "institution",
        {
            "name": "Miller & Zhang LLP",
            "nature": "美国律师事务所",
            "scope": ServiceInstitution.Scope.OVERSEAS,
            "country": "US",
            "region": "美国加州",
            "services": "ITC Section 337 investigations, patent litigation, trademark opposition.",
            "countries_covered": ["US"],
            "languages": "English, 中文",
        },
    ),
}

# (query, keys it must find)
QUERIES = [
    ("数控机床", {"law_de_machine", "case_de_fair"}),
    ("数控机床主轴", {"law_de_machine"}),
    ("337", {"law_us_tariff", "case_itc", "warning_us_industry", "inst_xuchang_law", "inst_us_partner"}),
    ("337调查", {"law_us_tariff", "case_itc", "warning_us_industry", "inst_xuchang_law"}),
    ("德国", {"law_de_machine", "case_de_fair", "inst_xuchang_law"}),
    ("巴西", {"law_br_trademark", "warning_br_squatting"}),
    ("Germany", {"law_de_machine", "case_de_fair", "inst_xuchang_law"}),
    (
        "商标",
        {"law_jp_trademark", "law_br_trademark", "case_trademark_customs", "warning_br_squatting", "inst_xuchang_law"},
    ),
    ("抢注", {"warning_br_squatting"}),
    ("钧瓷", {"case_trademark_customs", "warning_br_squatting"}),
    ("JUNCI", {"warning_br_squatting"}),
    ("BR928374651", {"warning_br_squatting"}),
    ("patent", {"law_us_patent", "inst_us_partner"}),
    ("Patent Act", {"law_us_patent"}),
    ("Tariff Act", {"law_us_tariff"}),
    ("ITC", {"law_us_tariff", "case_itc", "inst_us_partner"}),
    ("排除令", {"law_us_tariff", "case_itc"}),
    ("保护函", {"case_de_fair"}),
    ("汉诺威", {"case_de_fair"}),
    ("外观设计", {"law_us_patent", "case_de_fair", "warning_eu_change"}),
    ("欧盟", {"warning_eu_change"}),
    ("许昌 律师事务所", {"inst_xuchang_law"}),
    ("律师事务所", {"inst_xuchang_law", "inst_us_partner"}),
    ("NPE", {"warning_us_industry"}),
    ("不侵权", {"case_itc"}),
    ("异议", {"law_jp_trademark", "law_br_trademark", "warning_br_squatting", "inst_xuchang_law"}),
    ("断路器", {"case_itc"}),
    ("海关 扣押", {"case_trademark_customs"}),
    ("Schutzschrift", {"case_de_fair"}),
    ("ｐａｔｅｎｔ ａｃｔ", {"law_us_patent"}),  # full-width letters, as a Chinese input method types them
]


def build_corpus():
    """Create and index the corpus; returns {key: (section, id)}."""
    from tests.knowledge.conftest import InstitutionFactory, LawFactory, TypicalCaseFactory, WarningFactory

    factories = {
        "law": LawFactory,
        "case": TypicalCaseFactory,
        "warning": WarningFactory,
        "institution": InstitutionFactory,
    }
    defaults = {
        "law": {"summary": "", "full_text": "", "issuing_body": ""},
        "institution": {"nature": "", "head": "", "address": "", "region": "", "services": "", "languages": ""},
    }
    keys = {}
    for key, (kind, fields) in CORPUS.items():
        obj = factories[kind](**{**defaults.get(kind, {}), **fields})
        entry = index_item(obj)
        keys[key] = (entry.section, obj.pk)
    return keys


def measure(keys):
    """[(query, expected, found, recall, precision)] for every query of the set."""
    by_ref = {ref: key for key, ref in keys.items()}
    rows = []
    for query, expected in QUERIES:
        result = search(query, page_size=100)
        found = {by_ref[(hit.section, hit.object_id)] for hit in result.hits}
        recall = len(found & expected) / len(expected)
        precision = len(found & expected) / len(found) if found else 1.0
        rows.append((query, expected, found, recall, precision))
    return rows
