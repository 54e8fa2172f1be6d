"""Conflict-of-interest checks tolerant of the ways one organisation is written.

"山西晋成精密机械有限公司", "晋成精密机械", "Shanxi Jincheng Precision Machinery Co., Ltd." and
"JINCHENG PRECISION MACHINERY CO LTD" must all be recognised as the same party. Names are
normalised (full-width to half-width, case, punctuation and spaces removed, legal-form
suffixes such as 有限公司 / Co., Ltd. / Inc. / GmbH and leading region names stripped) and
then compared for equality or, for names long enough to be distinctive, containment.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

# Legal forms and generic words that do not distinguish one organisation from another,
# longest first so that 股份有限公司 is removed before 有限公司.
_CJK_SUFFIXES = sorted(
    [
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "股份公司",
        "集团公司",
        "分公司",
        "公司",
        "集团",
        "控股",
        "股份",
        "科技",
        "技术",
        "实业",
        "国际",
        "贸易",
        "事务所",
        "研究院",
        "研究所",
        "总部",
        "中国",
    ],
    key=len,
    reverse=True,
)
_LATIN_SUFFIXES = [
    "coltd",
    "ltd",
    "limited",
    "co",
    "company",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "llc",
    "llp",
    "lp",
    "plc",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "ab",
    "oy",
    "as",
    "kk",
    "pty",
    "pte",
    "group",
    "holdings",
    "holding",
    "technology",
    "technologies",
    "tech",
    "international",
    "intl",
    "china",
]
_CJK_REGIONS = sorted(
    [
        "中华人民共和国",
        "中国",
        "山西省",
        "山西",
        "太原市",
        "太原",
        "大同市",
        "大同",
        "北京市",
        "北京",
        "上海市",
        "上海",
        "天津市",
        "天津",
        "重庆市",
        "重庆",
        "广东省",
        "广东",
        "深圳市",
        "深圳",
        "广州市",
        "广州",
        "江苏省",
        "江苏",
        "浙江省",
        "浙江",
        "杭州市",
        "杭州",
        "山东省",
        "山东",
        "河北省",
        "河北",
        "河南省",
        "河南",
        "陕西省",
        "陕西",
        "四川省",
        "四川",
        "湖北省",
        "湖北",
        "福建省",
        "福建",
        "香港",
    ],
    key=len,
    reverse=True,
)
_LATIN_REGIONS = ["shanxi", "taiyuan", "datong", "beijing", "shanghai", "shenzhen", "guangzhou", "china", "the"]

_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]+")
_BRACKETED = re.compile(r"[(（][^)）]*[)）]")


def _is_cjk(text):
    return bool(_CJK.search(text))


def normalise_name(name):
    """The distinctive core of an organisation name, for comparison."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", name).lower().strip()
    text = _BRACKETED.sub(" ", text)  # (中国), (Shenzhen)…
    text = text.replace("&", " and ")
    if _is_cjk(text):
        core = "".join(_WORD.findall(text))
        changed = True
        while changed and core:
            changed = False
            for region in _CJK_REGIONS:
                if core.startswith(region) and len(core) - len(region) >= 2:
                    core = core[len(region) :]
                    changed = True
                    break
            for suffix in _CJK_SUFFIXES:
                if core.endswith(suffix) and len(core) - len(suffix) >= 2:
                    core = core[: -len(suffix)]
                    changed = True
                    break
        return core
    words = _WORD.findall(text.replace(".", "").replace(",", " "))
    # "co ltd", "co., ltd." and "coltd" all end up as separate or joined tokens.
    while words and (words[-1] in _LATIN_SUFFIXES or words[-1] in {"and"}):
        if len(words) == 1:
            break
        words.pop()
    while len(words) > 1 and words[0] in _LATIN_REGIONS:
        words.pop(0)
    return "".join(words)


def names_match(first, second):
    """True when two organisation names plausibly denote the same organisation."""
    a, b = normalise_name(first), normalise_name(second)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if re.search(r"\d", short):
        return False  # "某公司1" is not "某公司12"
    # A short name (简称) inside the full name counts when it is distinctive enough:
    # 3 Chinese characters or 5 Latin letters.
    minimum = 3 if _is_cjk(short) else 5
    return len(short) >= minimum and short in long


def normalise_code(code):
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", code or "").upper())


@dataclass(frozen=True)
class Conflict:
    party: str  # the case's party that matched
    listed: str  # what the expert's record says
    reason: str

    def __str__(self):
        return self.reason


def case_parties(case):
    """The parties of a case a conflict may concern: the applicant (names, credit code) and the opponent."""
    application = case.application
    applicant_names = [application.applicant_name]
    applicant = application.applicant
    if applicant is not None:
        applicant_names += [applicant.name, applicant.name_en]
    opponents = [part.strip() for part in re.split(r"[;；/\n]", application.opponent_name or "") if part.strip()]
    return {
        "applicant_names": [n for n in dict.fromkeys(applicant_names) if n],
        "credit_code": normalise_code(application.credit_code or (applicant.credit_code if applicant else "")),
        "opponent_names": opponents,
    }


def current_conflict_rows(rows, on=None):
    """The registered conflicts still in force on a day (today by default): a row whose end
    date (`until`) has passed no longer counts; a row without one counts for good."""
    on = on or timezone.localdate()
    return [row for row in rows if row.until is None or row.until >= on]


def find_conflicts(expert, parties, conflict_rows=None, *, on=None):
    """Every conflict between an expert and a case's parties (see `case_parties`), with reasons.
    Registered conflicts count only while in force (see `current_conflict_rows`)."""
    rows = list(expert.conflicts.all()) if conflict_rows is None else conflict_rows
    rows = current_conflict_rows(rows, on)
    found = []
    labelled = [(name, _("申请人")) for name in parties["applicant_names"]] + [
        (name, _("纠纷对方")) for name in parties["opponent_names"]
    ]
    for party_name, role in labelled:
        if names_match(expert.organisation, party_name):
            found.append(
                Conflict(
                    party_name,
                    expert.organisation,
                    _("专家所在单位“%(org)s”即本案%(role)s“%(party)s”")
                    % {"org": expert.organisation, "role": role, "party": party_name},
                )
            )
    for row in rows:
        if parties["credit_code"] and row.credit_code and normalise_code(row.credit_code) == parties["credit_code"]:
            found.append(
                Conflict(
                    parties["credit_code"],
                    row.name,
                    _("利益冲突登记“%(name)s”的统一社会信用代码与本案申请人相同") % {"name": row.name},
                )
            )
            continue
        for party_name, role in labelled:
            if names_match(row.name, party_name):
                found.append(
                    Conflict(
                        party_name,
                        row.name,
                        _("专家%(relation)s“%(name)s”，与本案%(role)s“%(party)s”为同一单位")
                        % {"relation": row.get_relation_display(), "name": row.name, "role": role, "party": party_name},
                    )
                )
                break
    return found


def conflicts_for_case(expert, case):
    return find_conflicts(expert, case_parties(case))
