"""Validators for Chinese identifiers used across the portal."""

import re

from django.core.exceptions import ValidationError
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
