"""Validators for Chinese identifiers used across the portal."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this set; the last is a check character.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31 for i = 1..17


def credit_code_check_character(first17):
    total = sum(CREDIT_CODE_CHARSET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def normalise_credit_code(value):
    return (value or "").strip().upper().replace(" ", "")


def validate_credit_code(value):
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，当前为 %(n)d 位。"), code="length", params={"n": len(code)}
        )
    bad = sorted({ch for ch in code if ch not in CREDIT_CODE_CHARSET})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V）。"),
            code="charset",
            params={"chars": " ".join(bad)},
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对营业执照上的代码。"), code="check_character")


MOBILE_RE = re.compile(r"^(?:\+?86[- ]?)?1[3-9]\d{9}$")
# Landline with area code: 010-12345678, 0351-1234567, (0351)1234567, optional extension.
LANDLINE_RE = re.compile(
    r"^(?:\+?86[- ]?)?(?:\(0\d{2,3}\)|0\d{2,3})[- ]?\d{7,8}(?:\s*[- ]?\s*(?:转|ext\.?|x)?\s*\d{1,6})?$", re.I
)


def validate_phone(value):
    phone = (value or "").strip()
    if re.search(r"[A-Za-z]", phone.replace("ext", "").replace("x", "")):
        raise ValidationError(_("电话号码不能包含字母。"), code="letters")
    compact = phone.replace(" ", "") if MOBILE_RE.match(phone.replace(" ", "")) else phone
    if not (MOBILE_RE.match(compact.replace("-", "")) or LANDLINE_RE.match(phone)):
        raise ValidationError(
            _("请填写 11 位手机号码，或带区号的固定电话（如 0351-1234567，可加分机号）。"), code="format"
        )


# GB 11643-1999: 17 digits (6 of region, 8 of birth date, 3 of sequence) and a check character
# computed with ISO 7064 MOD 11-2.
RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
RESIDENT_ID_CHECK = "10X98765432"
RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")


def normalise_id_number(value):
    return re.sub(r"\s+", "", value or "").upper()


def resident_id_check_character(first17):
    return RESIDENT_ID_CHECK[sum(int(d) * w for d, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True)) % 11]


def validate_resident_id(value, *, today=None):
    """A resident ID number (居民身份证号码) as GB 11643 defines it: 18 characters, a real birth date
    not in the future, and the right check character."""
    number = normalise_id_number(value)
    if len(number) != 18:
        raise ValidationError(
            _("居民身份证号码应为 18 位，当前为 %(n)d 位。"), code="length", params={"n": len(number)}
        )
    if not RESIDENT_ID_RE.match(number):
        raise ValidationError(_("居民身份证号码前 17 位应为数字，最后一位为数字或 X。"), code="charset")
    if number[0] == "0":
        raise ValidationError(_("居民身份证号码的前 6 位应为行政区划代码，不能以 0 开头。"), code="region")
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    today = today or timezone.localdate()
    if born is None or born.year < 1900 or born > today:
        raise ValidationError(
            _("居民身份证号码第 7 至 14 位的出生日期 %(date)s 不存在，请核对。"),
            code="birth_date",
            params={"date": number[6:14]},
        )
    if number[17] != resident_id_check_character(number[:17]):
        raise ValidationError(_("居民身份证号码校验位不正确，请核对证件上的号码。"), code="check_character")


PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,20}$")


def validate_passport_number(value):
    """A passport number: 5 to 20 Latin letters and digits (ICAO 9303 allows no other characters)."""
    number = normalise_id_number(value)
    if not PASSPORT_RE.match(number):
        bad = sorted({ch for ch in number if not ch.isascii() or not ch.isalnum()})
        if bad:
            raise ValidationError(
                _("护照号码只能包含英文字母和数字，不能包含：%(chars)s"),
                code="charset",
                params={"chars": " ".join(bad)},
            )
        raise ValidationError(
            _("护照号码应为 5 至 20 位英文字母和数字，当前为 %(n)d 位。"), code="length", params={"n": len(number)}
        )


def mask_id_number(value):
    """An ID number as lists show it: the first 3 and last 4 characters, the rest hidden."""
    number = value or ""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
