"""The applicant's province, read from the administrative-division code inside its identifier
(GB/T 2260): characters 3–8 of a unified social credit code are the registering authority's
division code (GB 32100), so characters 3–4 give its province; characters 1–2 of a resident
identity card number give the holder's province of registration."""

from django.utils.translation import gettext_lazy as _

# The 34 provincial-level divisions, by their two-digit code.
PROVINCES = {
    "11": _("北京市"),
    "12": _("天津市"),
    "13": _("河北省"),
    "14": _("山西省"),
    "15": _("内蒙古自治区"),
    "21": _("辽宁省"),
    "22": _("吉林省"),
    "23": _("黑龙江省"),
    "31": _("上海市"),
    "32": _("江苏省"),
    "33": _("浙江省"),
    "34": _("安徽省"),
    "35": _("福建省"),
    "36": _("江西省"),
    "37": _("山东省"),
    "41": _("河南省"),
    "42": _("湖北省"),
    "43": _("湖南省"),
    "44": _("广东省"),
    "45": _("广西壮族自治区"),
    "46": _("海南省"),
    "50": _("重庆市"),
    "51": _("四川省"),
    "52": _("贵州省"),
    "53": _("云南省"),
    "54": _("西藏自治区"),
    "61": _("陕西省"),
    "62": _("甘肃省"),
    "63": _("青海省"),
    "64": _("宁夏回族自治区"),
    "65": _("新疆维吾尔自治区"),
    "71": _("台湾省"),
    "81": _("香港特别行政区"),
    "82": _("澳门特别行政区"),
}

# The key of an identifier whose code names no province (a national authority's "10", a
# passport, nothing entered).
UNKNOWN = "unknown"
UNKNOWN_LABEL = _("无法识别")


def province_label(key):
    return PROVINCES.get(key, UNKNOWN_LABEL)
