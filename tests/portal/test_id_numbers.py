"""ID documents of natural persons: the resident ID by GB 11643-1999 (birth date, ISO 7064 MOD 11-2
check character) and the passport number (Latin letters and digits only), and how lists mask them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from portal.validators import (
    mask_id_number,
    normalise_id_number,
    resident_id_check_character,
    validate_passport_number,
    validate_resident_id,
)

# The national standard's own example, and numbers made with its check character.
GOOD_RESIDENT_IDS = [
    "11010519491231002X",  # GB 11643-1999, appendix: check character X
    "140105198503120026",
    "440301199912311238",
    "14010220000229001X",  # 29 February of a leap year
]
TODAY = datetime.date(2026, 12, 1)


def code_of(value, **kwargs):
    with pytest.raises(ValidationError) as caught:
        validate_resident_id(value, **kwargs)
    return caught.value.code


@pytest.mark.parametrize("number", GOOD_RESIDENT_IDS)
def test_good_resident_ids_pass(number):
    validate_resident_id(number, today=TODAY)


def test_a_lower_case_x_and_spaces_are_read_as_the_number():
    validate_resident_id(" 110105 19491231 002x ", today=TODAY)
    assert normalise_id_number(" 110105 19491231 002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "check_character"),  # X expected, 1 given
        ("140105198503120027", "check_character"),  # one digit off
        ("140105199902300015", "birth_date"),  # 30 February 1999 does not exist
        ("140102199902290018", "birth_date"),  # 1999 is no leap year
        ("140105203001010012", "birth_date"),  # born in 2030: in the future
        ("140105180001010012", "birth_date"),  # before 1900
        ("14010519850312002", "length"),  # 17 digits
        ("1401051985031200266", "length"),  # 19 digits
        ("1401051985031200X6", "charset"),  # X only as the last character
        ("14010519850312002Y", "charset"),
        ("01010519850312002X", "region"),
    ],
)
def test_bad_resident_ids_are_refused_with_a_reason(number, code):
    assert code_of(number, today=TODAY) == code


def test_the_messages_name_what_is_wrong():
    with pytest.raises(ValidationError) as caught:
        validate_resident_id("140105199902300015", today=TODAY)
    assert "19990230" in caught.value.messages[0] and "不存在" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        validate_resident_id("14010519850312002", today=TODAY)
    assert caught.value.messages == ["居民身份证号码应为 18 位，当前为 17 位。"]
    with pytest.raises(ValidationError) as caught:
        validate_resident_id("140105198503120027", today=TODAY)
    assert caught.value.messages == ["居民身份证号码校验位不正确，请核对证件上的号码。"]


def test_a_birth_date_of_today_passes_and_tomorrow_does_not():
    born_today = "14010520261201001"
    validate_resident_id(born_today + resident_id_check_character(born_today), today=TODAY)
    born_tomorrow = "14010520261202001"
    assert code_of(born_tomorrow + resident_id_check_character(born_tomorrow), today=TODAY) == "birth_date"


@pytest.mark.parametrize("number", ["E12345678", "EA1234567", "G12345678", "k1234567", "P 1234 567", "123456789012"])
def test_good_passport_numbers_pass(number):
    validate_passport_number(number)


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("E1234567#", "#"),
        ("E1234-567", "-"),
        ("护照E1234567", "护 照"),
        ("Е1234567", "Е"),  # a Cyrillic Е that looks Latin
        ("E1234567。", "。"),
    ],
)
def test_passport_numbers_with_forbidden_characters_name_them(number, shown):
    with pytest.raises(ValidationError) as caught:
        validate_passport_number(number)
    assert caught.value.code == "charset"
    assert shown in caught.value.messages[0]


@pytest.mark.parametrize("number", ["E123", "E" + "1" * 20, ""])
def test_passport_numbers_of_a_wrong_length_are_refused(number):
    with pytest.raises(ValidationError) as caught:
        validate_passport_number(number)
    assert caught.value.code == "length"


def test_lists_show_only_the_first_three_and_last_four_characters():
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_id_number("E12345678") == "E12**5678"
    assert mask_id_number("E1234") == "*****"
    assert mask_id_number("") == ""
