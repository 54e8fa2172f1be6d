"""ISO 3166-1 alpha-2 codes with Chinese names, so that '其他' can be any country."""

import functools

from django.utils.translation import gettext_lazy as _

from applications.choices import FORM_COUNTRIES

COUNTRY_NAMES = {
    "US": _("美国"),
    "DE": _("德国"),
    "FR": _("法国"),
    "GB": _("英国"),
    "JP": _("日本"),
    "KR": _("韩国"),
    "IN": _("印度"),
    "BR": _("巴西"),
    "RU": _("俄罗斯"),
    "TR": _("土耳其"),
    "AU": _("澳大利亚"),
    "CA": _("加拿大"),
    "MX": _("墨西哥"),
    "IT": _("意大利"),
    "ES": _("西班牙"),
    "NL": _("荷兰"),
    "BE": _("比利时"),
    "CH": _("瑞士"),
    "SE": _("瑞典"),
    "PL": _("波兰"),
    "AT": _("奥地利"),
    "DK": _("丹麦"),
    "FI": _("芬兰"),
    "NO": _("挪威"),
    "IE": _("爱尔兰"),
    "PT": _("葡萄牙"),
    "CZ": _("捷克"),
    "HU": _("匈牙利"),
    "GR": _("希腊"),
    "RO": _("罗马尼亚"),
    "UA": _("乌克兰"),
    "IL": _("以色列"),
    "SA": _("沙特阿拉伯"),
    "AE": _("阿联酋"),
    "EG": _("埃及"),
    "ZA": _("南非"),
    "NG": _("尼日利亚"),
    "KE": _("肯尼亚"),
    "SG": _("新加坡"),
    "MY": _("马来西亚"),
    "TH": _("泰国"),
    "VN": _("越南"),
    "ID": _("印度尼西亚"),
    "PH": _("菲律宾"),
    "PK": _("巴基斯坦"),
    "BD": _("孟加拉国"),
    "KZ": _("哈萨克斯坦"),
    "UZ": _("乌兹别克斯坦"),
    "NZ": _("新西兰"),
    "AR": _("阿根廷"),
    "CL": _("智利"),
    "CO": _("哥伦比亚"),
    "PE": _("秘鲁"),
    "HK": _("中国香港"),
    "MO": _("中国澳门"),
    "TW": _("中国台湾"),
    "EU": _("欧盟（欧洲知识产权局/统一专利法院）"),
}

OTHER_COUNTRY_CHOICES = sorted(
    ((code, name) for code, name in COUNTRY_NAMES.items() if code not in FORM_COUNTRIES), key=lambda c: c[0]
)
FORM_COUNTRY_CHOICES = [(code, COUNTRY_NAMES[code]) for code in FORM_COUNTRIES]
ALL_COUNTRY_CHOICES = FORM_COUNTRY_CHOICES + OTHER_COUNTRY_CHOICES


def country_name(code):
    return COUNTRY_NAMES.get(code, code)


def country_namer():
    """country_name as text, each country's name translated once: for a page of many rows naming
    the same countries (a list's column, portal.admin_cells.per_page)."""
    return functools.cache(lambda code: str(country_name(code)))
