"""Removing what identifies the applicant from a text drafted from its case (脱敏).

A typical case is drafted from a closed case; before anyone reads it outside the center, the text
loses: the applicant's name in every form people write it (the full name, without 有限公司 or
股份有限公司, without the region in front, the bare trade name 字号, the English name), its unified
social credit code, ID numbers, phone numbers, e-mail addresses, the names of its contact people
and users, its address, the numbers of the application, the case and the documents issued on it,
patent and trademark numbers, and the other party's name. Each is replaced by a neutral label
(某公司, [电话已隐去] …), and every replacement is listed so that staff can check it before
publishing. `leaks` answers, for a text staff have since edited, whether any of the identifying
items is back (publishing refuses then).

Known values (from the case) are replaced first, longest first, then patterns catch what the case
does not name (another phone number, a code typed in the facts).
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from applications.choices import ApplicantCategory
from applications.selectors import members_of
from documents.selectors import documents_of_case

# Kinds of replaced text, with the label that replaces them.
APPLICANT = "applicant"
CREDIT_CODE = "credit_code"
ID_NUMBER = "id_number"
PHONE = "phone"
EMAIL = "email"
PERSON = "person"
ADDRESS = "address"
FILE_NUMBER = "file_number"
PATENT = "patent"
TRADEMARK = "trademark"
OPPONENT = "opponent"
NUMBER = "number"

LABELS = {
    APPLICANT: "某公司",
    CREDIT_CODE: "[统一社会信用代码已隐去]",
    ID_NUMBER: "[身份证号已隐去]",
    PHONE: "[电话已隐去]",
    EMAIL: "[邮箱已隐去]",
    PERSON: "某某",
    ADDRESS: "[地址已隐去]",
    FILE_NUMBER: "[编号已隐去]",
    PATENT: "[专利号已隐去]",
    TRADEMARK: "[商标号已隐去]",
    OPPONENT: "对方当事人",
    NUMBER: "[编号已隐去]",
}
KIND_NAMES = {
    APPLICANT: _("申请人名称"),
    CREDIT_CODE: _("统一社会信用代码"),
    ID_NUMBER: _("身份证号"),
    PHONE: _("电话号码"),
    EMAIL: _("电子邮箱"),
    PERSON: _("联系人姓名"),
    ADDRESS: _("地址"),
    FILE_NUMBER: _("申请、案件或文书编号"),
    PATENT: _("专利号"),
    TRADEMARK: _("商标号"),
    OPPONENT: _("对方名称"),
    NUMBER: _("其他编号"),
}
# What must never reach a published text: publishing refuses while any of these is found.
LEAK_KINDS = (APPLICANT, CREDIT_CODE, ID_NUMBER, PHONE, EMAIL, PERSON, FILE_NUMBER)

# --- Short forms of an organisation's name -------------------------------------------------------

ORG_SUFFIXES = sorted(
    [
        "集团股份有限公司",
        "股份有限公司",
        "有限责任公司",
        "集团有限公司",
        "有限公司",
        "总公司",
        "分公司",
        "集团",
        "公司",
        "研究院",
        "研究所",
        "协会",
        "商会",
        "厂",
    ],
    key=len,
    reverse=True,
)
PROVINCES = [
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "中国",
]
_PROVINCE_ALTERNATIVES = "|".join(sorted(PROVINCES, key=len, reverse=True))
_REGION_PREFIX = re.compile(
    rf"^(?:(?:{_PROVINCE_ALTERNATIVES})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?"
    r"|[\u4e00-\u9fff]{2,3}?[市县区州盟])"
)
# Words of the line of business that follow the trade name (字号) in a Chinese company name.
INDUSTRY_WORDS = sorted(
    [
        "精密机械",
        "机械",
        "机床",
        "装备",
        "设备",
        "制造",
        "科技",
        "技术",
        "信息技术",
        "电子",
        "电器",
        "电气",
        "通信",
        "光电",
        "化工",
        "化学",
        "新材料",
        "材料",
        "生物",
        "医药",
        "制药",
        "贸易",
        "国际贸易",
        "进出口",
        "实业",
        "发展",
        "智能",
        "能源",
        "汽车",
        "食品",
        "酿造",
        "纺织",
        "服饰",
        "钢铁",
        "铸造",
        "矿业",
        "软件",
        "网络",
        "工业",
        "控股",
        "数控",
        "重工",
        "机电",
        "五金",
        "建材",
        "农业",
        "科贸",
        "商贸",
        "工贸",
        "物流",
        "环保",
        "新能源",
        "光伏",
        "陶瓷",
        "家具",
        "服装",
        "包装",
        "塑料",
        "橡胶",
        "器械",
        "仪器",
        "仪表",
        "电池",
        "半导体",
        "照明",
        "家电",
        "酒业",
        "醋业",
    ],
    key=len,
    reverse=True,
)
_LATIN_SUFFIX = re.compile(
    r"[\s,]*(?:co\.?,?\s*ltd\.?|company\s+limited|corporation|corp\.?|incorporated|inc\.?|l\.?l\.?c\.?|"
    r"limited|ltd\.?|gmbh|s\.?a\.?|ag|plc|group)\.?\s*$",
    re.IGNORECASE,
)
_PINYIN_PROVINCES = re.compile(
    r"^(?:shanxi|shaanxi|henan|hebei|beijing|shanghai|tianjin|chongqing|jiangsu|zhejiang|guangdong|shandong|"
    r"hubei|hunan|anhui|fujian|jiangxi|sichuan|yunnan|guizhou|liaoning|jilin|heilongjiang|gansu|qinghai|"
    r"hainan|guangxi|ningxia|xinjiang|xizang|tibet|inner mongolia|taiyuan|datong|china)\s+",
    re.IGNORECASE,
)


def _is_cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _strip_suffix(name):
    for suffix in ORG_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _strip_region(name, regions=()):
    """`name` without the regions in front: a province or a place named with 省/市/县/区, or one of
    `regions` (places from the organisation's address, often written without 市: 太原重型机械)."""
    previous = None
    while previous != name:
        previous = name
        match = _REGION_PREFIX.match(name)
        if match and len(name) - match.end() >= 2:
            name = name[match.end() :]
            continue
        for region in regions:
            if name.startswith(region) and len(name) - len(region) >= 2:
                name = name[len(region) :]
                break
    return name


_ADDRESS_PLACE = re.compile(r"([\u4e00-\u9fff]{2,4}?)(?:省|自治区|市|县|区|镇)")


def address_regions(address):
    """The place names of an address, without 省/市/县/区 (山西省太原市小店区 → 山西, 太原, 小店)."""
    return sorted(set(_ADDRESS_PLACE.findall(address or "")), key=len, reverse=True)


def _strip_industry(core):
    changed = True
    while changed:
        changed = False
        for word in INDUSTRY_WORDS:
            if core.endswith(word) and len(core) - len(word) >= 2:
                core = core[: -len(word)]
                changed = True
                break
    return core


# Words that stand before the line of business without naming anyone (重型机械, 国际贸易): never
# taken for a trade name on their own.
GENERIC_CJK = {
    "重型", "新型", "国际", "现代", "东方", "中华", "华夏", "高新", "新兴", "联合", "通用", "精密",
    "先进", "智能", "创新", "未来", "环球", "世纪", "金属", "工程", "特种", "综合", "中外", "合资",
}  # fmt: skip

# Words of a Latin company name that say what it does, not who it is.
LATIN_GENERIC = {
    "heavy", "industry", "industries", "industrial", "machinery", "machine", "precision", "electronic",
    "electronics", "electric", "electrical", "technology", "technologies", "tech", "chemical", "chemicals",
    "trading", "international", "group", "global", "new", "material", "materials", "bio", "biotech",
    "medical", "pharmaceutical", "pharma", "equipment", "manufacturing", "import", "export", "science",
    "smart", "intelligent", "energy", "auto", "automotive", "food", "foods", "textile", "steel", "mining",
    "software", "network", "holding", "holdings", "development", "communication", "communications",
    "optical", "optoelectronic", "vinegar", "brewing", "the", "and", "of", "china", "chinese",
}  # fmt: skip


def name_forms(name, regions=()):
    """The ways people write an organisation's name: the full name, without its legal form, without
    the region in front (`regions`: places of its address), the bare trade name; for a Latin name,
    without Co., Ltd. and the region, and its first word when that is a name, not a trade."""
    name = re.sub(r"\s+", " ", (name or "").strip())
    if not name:
        return set()
    forms = {name}
    if _is_cjk(name):
        # Brackets of a branch or a country: 某某（中国）有限公司.
        plain = re.sub(r"[（(][^）)]{1,10}[）)]", "", name)
        forms.add(plain)
        base = _strip_suffix(plain)
        forms.add(base)
        without_region = _strip_region(plain, regions)
        forms.add(without_region)
        core = _strip_region(base, regions)
        forms.add(core)
        trade_name = _strip_industry(core)
        forms.add(trade_name)
        plain_forms = {form for form in forms if len(form) >= 2}
        bare_words = set(PROVINCES) | set(INDUSTRY_WORDS) | set(ORG_SUFFIXES) | set(regions) | GENERIC_CJK
        return {form for form in plain_forms if form not in bare_words and not form.startswith("某")}
    base = _LATIN_SUFFIX.sub("", name).strip(" ,.")
    forms.add(base)
    core = _PINYIN_PROVINCES.sub("", base).strip()
    words = core.split(" ") if core else []
    if any(word.lower() not in LATIN_GENERIC for word in words):
        forms.add(core)
    if words and len(words[0]) >= 5 and words[0].lower() not in LATIN_GENERIC:
        forms.add(words[0])
    return {form for form in forms if len(form) >= 4}


# --- Patterns -----------------------------------------------------------------------------------

CREDIT_CODE_CHARS = "0-9A-HJ-NPQRTUWXY"
PATTERNS = [
    (EMAIL, re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")),
    (
        ID_NUMBER,
        re.compile(
            r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
            r"(?![0-9A-Za-z])"
        ),
    ),
    (
        CREDIT_CODE,
        re.compile(rf"(?<![0-9A-Za-z])[{CREDIT_CODE_CHARS}]{{2}}\d{{6}}[{CREDIT_CODE_CHARS}]{{10}}(?![0-9A-Za-z])"),
    ),
    # Case, application and document numbers of the portal (AJ-2026-000001, SQ-2026-000012, 〔2026〕12号).
    (FILE_NUMBER, re.compile(r"(?<![A-Za-z])[A-Z]{2,4}-(?:T-)?\d{4}-\d{4,6}(?!\d)|(?<![A-Za-z])[A-Z]{2,4}-T-\d{6}")),
    (FILE_NUMBER, re.compile(r"[\u4e00-\u9fff]{0,8}[〔\[［][12]\d{3}[〕\]］]\s*第?\s*\d{1,6}\s*号")),
    (
        PATENT,
        re.compile(
            r"ZL\s?\d{8,12}\.?[\dX]"
            r"|(?<![A-Za-z])(?:CN|US|EP|JP|KR|WO|DE|GB|FR)\s?\d{2,4}[/,]?\d{3}[,]?\d{3,6}(?:\s?[A-Z]\d?)?(?![0-9A-Za-z])"
            r"|(?<!\d)(?:19|20)\d{2}[1-3]\d{7}\.[\dX](?![0-9A-Za-z])",
            re.IGNORECASE,
        ),
    ),
    (
        TRADEMARK,
        re.compile(
            r"(?<=商标)(?:注册号|申请号)?[:：\s]*第?\s*\d{5,10}\s*号?"
            r"|(?:注册号|商标号)[:：\s]*\d{5,10}"
            r"|第\s*\d{6,10}\s*号"
            r"|(?<=Reg\. No\. )\d{5,10}|(?<=Serial No\. )\d{5,10}",
            re.IGNORECASE,
        ),
    ),
    (
        PHONE,
        re.compile(
            r"(?<![0-9A-Za-z])(?:\+?86[\s\-]?)?1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}(?!\d)"
            r"|(?<![0-9A-Za-z])(?:\(0\d{2,3}\)|0\d{2,3}[\s\-]?)\d{7,8}(?:-\d{1,5})?(?!\d)"
            r"|(?<![0-9A-Za-z])\+\d{1,3}[\s\-]?\(?\d{1,4}\)?[\s\-]?\d{3,4}[\s\-]?\d{3,4}(?!\d)"
        ),
    ),
]
# A contact person's name after the word that introduces it: 联系人：张三, 法定代表人王某某.
PERSON_AFTER_TITLE = re.compile(
    r"(?<=联系人)[:：\s]*(?!某)[\u4e00-\u9fff]{2,4}(?=[，,。；;、\s（(]|$|电话|手机|邮箱)"
    r"|(?<=法定代表人)[:：\s]*(?!某)[\u4e00-\u9fff]{2,3}(?=[，,。；;、\s（(]|$)"
    r"|(?<=负责人)[:：\s]*(?!某)[\u4e00-\u9fff]{2,3}(?=[，,。；;、\s（(]|$)"
)
# Any run of nine or more digits still standing (a number the patterns above did not name).
LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{9,}(?![0-9A-Za-z])")


@dataclass
class Replacement:
    kind: str
    original: str
    label: str
    count: int = 0

    @property
    def kind_name(self):
        return str(KIND_NAMES.get(self.kind, self.kind))

    def as_dict(self):
        return {"kind": self.kind, "original": self.original, "label": self.label, "count": self.count}


@dataclass
class Redactor:
    """Redacts texts for one case; `replacements` lists everything replaced so far, in order."""

    terms: list = field(default_factory=list)  # [(kind, text)], replaced literally
    replacements: list = field(default_factory=list)
    applicant_label: str = LABELS[APPLICANT]

    def __post_init__(self):
        self._index = {}
        unique = {}
        for kind, text in self.terms:
            text = (text or "").strip()
            if len(text) >= 2 and text not in unique:
                unique[text] = kind
        # Longest first, so that the full name goes before its shorter forms.
        self._terms = sorted(unique.items(), key=lambda item: -len(item[0]))

    @classmethod
    def for_case(cls, case):
        """A redactor knowing everything that names the applicant of `case` (a cases.Case)."""
        from_case = _case_terms(case)
        return cls(terms=from_case["terms"], applicant_label=from_case["applicant_label"])

    def _label(self, kind):
        return self.applicant_label if kind == APPLICANT else LABELS[kind]

    def _record(self, kind, original):
        key = (kind, original)
        replacement = self._index.get(key)
        if replacement is None:
            replacement = Replacement(kind=kind, original=original, label=self._label(kind))
            self._index[key] = replacement
            self.replacements.append(replacement)
        replacement.count += 1
        return replacement.label

    def _sub(self, pattern, kind, text):
        return pattern.sub(
            lambda match: self._record(kind, match.group(0).strip()) if match.group(0).strip() else "", text
        )

    def redact(self, text):
        """`text` with every identifying item replaced by its label."""
        if not text:
            return text or ""
        text = self._sub(PATTERNS[0][1], EMAIL, text)
        for term, kind in self._terms:
            if _is_cjk(term):
                pattern = re.compile(re.escape(term))
            else:
                pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", re.IGNORECASE)
            text = self._sub(pattern, kind, text)
        for kind, pattern in PATTERNS[1:]:
            text = self._sub(pattern, kind, text)
        text = self._sub(PERSON_AFTER_TITLE, PERSON, text)
        text = self._sub(LONG_NUMBER, NUMBER, text)
        # The trade name alone was replaced in "晋成公司": no "某公司公司".
        label = re.escape(self.applicant_label)
        return re.sub(rf"({label})(?:{'|'.join(ORG_SUFFIXES)})", r"\1", text)

    def leaks(self, text):
        """The kinds of identifying items (their names) still present in `text`."""
        probe = Redactor(terms=[(kind, term) for term, kind in self._terms], applicant_label=self.applicant_label)
        probe.redact(text)
        kinds = []
        for replacement in probe.replacements:
            if replacement.kind in LEAK_KINDS and replacement.kind_name not in kinds:
                kinds.append(replacement.kind_name)
        return kinds


def _case_terms(case):
    application = case.application
    applicant = application.applicant
    terms = []
    regions = address_regions(f"{application.contact_address} {applicant.address}")
    for name in {application.applicant_name, case.applicant_name, applicant.name, applicant.name_en}:
        terms += [(APPLICANT, form) for form in name_forms(name, regions)]
    terms += [(CREDIT_CODE, code) for code in {application.credit_code, case.credit_code, applicant.credit_code}]
    terms += [(EMAIL, application.contact_email), (PHONE, application.contact_phone)]
    terms += [(ADDRESS, application.contact_address), (ADDRESS, applicant.address)]
    people = {application.contact_name, application.created_by.full_name}
    people |= {user.full_name for user in members_of(applicant)}
    terms += [(PERSON, name) for name in people if name]
    numbers = {application.number, case.number}
    numbers |= set(case.letters.exclude(number="").values_list("number", flat=True))
    numbers |= set(documents_of_case(case).exclude(number="").values_list("number", flat=True))
    terms += [(FILE_NUMBER, number) for number in numbers if number]
    if application.opponent_name:
        terms += [(OPPONENT, form) for form in name_forms(application.opponent_name)]
    category = application.applicant_category or applicant.category
    label = LABELS[APPLICANT] if category in ("", ApplicantCategory.ENTERPRISE) else "某单位"
    return {"terms": terms, "applicant_label": label}


def leaks_in(typical_case, case):
    """What still identifies the applicant of `case` in the public text of `typical_case`."""
    text = "\n".join(
        [
            typical_case.title,
            typical_case.facts,
            typical_case.response,
            typical_case.outcome,
            typical_case.lessons,
        ]
    )
    return Redactor.for_case(case).leaks(text)
