import pytest
from django.core.exceptions import ValidationError

from portal.validators import validate_credit_code, validate_phone
from tests.factories import make_credit_code


def test_the_credit_code_from_the_standard_is_valid():
    validate_credit_code("91350100M000100Y43")


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y44", "校验位"),
        ("91350100M000100Y4", "18 位"),
        ("91350100M000100I43", "不允许的字符"),
    ],
)
def test_bad_credit_codes_are_refused_with_the_reason(code, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert fragment in str(exc.value)


def test_generated_credit_codes_pass_the_check():
    for n in range(0, 5000, 37):
        validate_credit_code(make_credit_code(n))


@pytest.mark.parametrize(
    "phone",
    ["13912345678", "+86 139 1234 5678", "0351-1234567", "010-12345678-123", "(0351)7654321", "0351-7654321 转 801"],
)
def test_mobile_and_landline_numbers_are_accepted(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["1391234567a", "12345", "abc-defg", "0351"])
def test_malformed_phone_numbers_are_refused(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)
