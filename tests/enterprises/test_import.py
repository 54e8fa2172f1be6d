"""The register from a spreadsheet: new codes register, known codes update, officers are added, bad
rows are answered row by row and nothing is saved from a file with errors."""

import pytest
import tablib
from django.urls import reverse

from enterprises.models import KeyEnterprise, LiaisonOfficer
from enterprises.resources import KeyEnterpriseResource
from portal.audit import LogEntry
from tests.factories import make_credit_code

pytestmark = pytest.mark.django_db

HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "所属行业",
    "主要出口产品",
    "主要出口市场",
    "境外品牌和商标",
    "列入名录日期",
    "在册",
    "联络员姓名",
    "联络员职务",
    "联络员电话",
    "联络员邮箱",
]


def sheet(*rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def row(
    code, name="许昌远驰制动系统有限公司", markets="美国、土耳其", industries="机械", email="sunhao@yuanchi.example.cn"
):
    officer = "孙浩" if email else ""
    return [code, name, industries, "制动器", markets, "YUANCHI", "2026-04-01", "是", officer, "助理", "0374-1", email]


def test_new_codes_register_known_codes_update_and_officers_are_added(staff, enterprise):
    code = make_credit_code(910001)
    data = sheet(
        row(code.lower()),
        row(enterprise.credit_code, name=enterprise.name, markets="US、NG、GB", industries="其他", email=""),
    )
    result = KeyEnterpriseResource().import_data(data, dry_run=False, user=staff)
    assert not result.has_errors(), [r.errors for r in result.rows]
    assert not result.has_validation_errors(), [r.error.message_dict for r in result.invalid_rows]
    new = KeyEnterprise.objects.get(credit_code=code)
    assert (new.markets, new.industries, new.created_by) == (["US", "TR"], ["mechanical"], staff)
    assert LiaisonOfficer.objects.get(enterprise=new).email == "sunhao@yuanchi.example.cn"
    enterprise.refresh_from_db()
    assert enterprise.markets == ["US", "NG", "GB"]
    assert LogEntry.objects.filter(action_type="enterprises.enterprise.registered", object_id=new.pk).exists()
    changed = LogEntry.objects.get(action_type="enterprises.enterprise.changed", object_id=enterprise.pk)
    assert "markets" in changed.data["fields"]


def test_bad_rows_are_named_and_nothing_is_saved(staff):
    good = make_credit_code(910002)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    data = sheet(
        row(good),
        row(wrong, name="校验位错误的企业"),
        row(make_credit_code(910003), markets="火星"),
        row(make_credit_code(910004), email="not-an-address"),
        row(good, name="同一文件重复"),
    )
    result = KeyEnterpriseResource().import_data(data, dry_run=True, user=staff)
    invalid = {r.number: r.error.message_dict for r in result.invalid_rows}
    assert "credit_code" in invalid[2]
    assert "未知的国家/地区：火星" in " ".join(str(m) for m in invalid[3].get("markets", []))
    assert "officer_email" in invalid[4]
    assert "credit_code" in invalid[5]
    assert not KeyEnterprise.objects.exists()


def test_the_import_page_is_for_the_center_only(client, staff, district_user):
    url = reverse("admin:enterprises_keyenterprise_import")
    client.force_login(staff)
    assert client.get(url).status_code == 200
    client.force_login(district_user)
    assert client.get(url).status_code == 403
