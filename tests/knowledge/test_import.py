"""Importing laws, typical cases and institutions from CSV and XLSX: a preview with a reason for each
bad row, nothing saved before confirmation, new rows as drafts or published as staff choose."""

import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from knowledge.models import Law, Publication, SearchEntry, ServiceInstitution, TypicalCase
from knowledge.resources import LawResource, ServiceInstitutionResource, TypicalCaseResource
from portal.audit import entries_for
from tests.knowledge.conftest import LawFactory

pytestmark = pytest.mark.django_db
S = Publication.Status

LAW_HEADERS = ["国家/地区", "知识产权类型", "文件类型", "中文名称", "原文名称", "发布日期", "施行日期", "摘要"]


def laws(*rows):
    return tablib.Dataset(*rows, headers=LAW_HEADERS)


def test_good_law_rows_import_as_drafts_with_labels_or_codes(staff):
    data = laws(
        ("德国", "专利", "法律", "德国专利法", "Patentgesetz", "1980-12-16", "1981-01-01", "德国专利的基本法律"),
        (
            "JP",
            "trademark",
            "regulation",
            "日本商标法实施条例",
            "",
            "2023/6/14",
            "2024年4月1日",
            "<p>摘要<script>x</script></p>",
        ),
    )
    result = LawResource().import_data(data, dry_run=False, user=staff)
    assert not result.has_errors() and not result.has_validation_errors()
    german = Law.objects.get(title_zh="德国专利法")
    assert (german.country, german.ip_type, german.doc_type, german.status) == ("DE", "patent", "law", S.DRAFT)
    japanese = Law.objects.get(country="JP")
    assert japanese.promulgated_on.isoformat() == "2023-06-14" and japanese.effective_on.isoformat() == "2024-04-01"
    assert "script" not in japanese.summary and "<p>摘要" in japanese.summary
    entry = entries_for(german).get(action_type="knowledge.item.imported")
    assert entry.actor == staff and entry.data["created"] is True
    assert not SearchEntry.objects.exists()  # drafts are not public


def test_bad_rows_say_why_and_nothing_is_saved(staff):
    LawFactory(country="US", title_zh="美国专利法", promulgated_on="1952-07-19")
    data = laws(
        ("美国", "专利", "法律", "", "", "", "", ""),  # no title
        ("火星", "专利", "法律", "火星专利法", "", "", "", ""),  # unknown country
        ("美国", "专利", "法律", "美国专利法", "", "1952-07-19", "", ""),  # already in the library
        ("德国", "专利", "法律", "德国外观设计法", "", "2004-03-12", "2004-03-01", ""),  # effective before promulgated
        ("法国", "专利", "法律", "法国知识产权法典", "", "三月", "", ""),  # no date
        ("英国", "商标", "法律", "英国商标法", "", "1994-07-21", "", ""),
        ("英国", "商标", "法律", "英国商标法", "", "1994-07-21", "", ""),  # twice in the file
        ("韩国", "专利", "诗歌", "韩国专利法", "", "", "", ""),  # unknown document type
    )
    before = Law.objects.count()
    result = LawResource().import_data(data, dry_run=True, raise_errors=False, user=staff)
    assert result.has_validation_errors()
    errors = {row.number: " ".join(str(m) for ms in row.error_dict.values() for m in ms) for row in result.invalid_rows}
    assert "缺少中文名称" in errors[1]
    assert "火星" in errors[2] and "未知的国家/地区" in errors[2]
    assert "库中已有该条目" in errors[3]
    assert "施行日期早于发布日期" in errors[4]
    assert "日期格式不正确" in errors[5]
    assert 6 not in errors
    assert "与文件第 6 行重复" in errors[7]
    assert "诗歌" in errors[8]
    assert Law.objects.count() == before


def test_rows_imported_as_published_go_public(staff):
    data = tablib.Dataset(
        (
            "美国",
            "专利",
            "法院诉讼",
            "2024",
            "某公司被诉侵权。",
            "委托律师应诉。",
            "和解。",
            "尽早检索。",
            "美国专利侵权诉讼案例",
        ),
        headers=["国家/地区", "知识产权类型", "程序", "年份", "基本案情", "应对措施", "处理结果", "启示", "标题"],
    )
    result = TypicalCaseResource().import_data(data, dry_run=False, user=staff, publish=True)
    assert not result.has_errors() and not result.has_validation_errors()
    item = TypicalCase.objects.get()
    assert item.status == S.PUBLISHED and item.published_at is not None and item.reviewed_by == staff
    assert SearchEntry.objects.filter(section="case", object_id=item.pk).exists()
    assert [e.action_type for e in entries_for(item)] == ["knowledge.item.imported", "knowledge.item.published"]


def test_a_row_that_may_not_be_published_is_a_row_error_when_publishing(staff):
    data = tablib.Dataset(
        ("美国", "专利", "某公司被诉侵权。", "", "和解。", "尽早检索。", "缺应对措施的案例"),
        headers=["国家/地区", "知识产权类型", "基本案情", "应对措施", "处理结果", "启示", "标题"],
    )
    result = TypicalCaseResource().import_data(data, dry_run=True, raise_errors=False, user=staff, publish=True)
    assert result.has_validation_errors()
    assert "缺少应对措施" in " ".join(str(m) for ms in result.invalid_rows[0].error_dict.values() for m in ms)


def test_the_xuchang_list_imports_as_published_institutions(staff):
    data = tablib.Dataset(
        (1, "许昌宗诚知识产权代理有限公司", "普通合伙", "高丽勤", "许昌市东城区魏文路莲城大厦2006室"),
        (2, "许昌豫创知识产权代理事务所（特殊普通合伙）", "普通合伙", "徐志红", "许昌市东城区前进路"),
        headers=["序号", "机构名称", "机构性质", "负责人", "地址"],
    )
    result = ServiceInstitutionResource().import_data(data, dry_run=False, user=staff, publish=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert list(ServiceInstitution.objects.order_by("serial").values_list("serial", "status")) == [
        (1, S.PUBLISHED),
        (2, S.PUBLISHED),
    ]


def test_an_existing_id_updates_and_keeps_the_state(staff):
    law = LawFactory(title_zh="旧名称", country="US")
    data = tablib.Dataset((law.pk, "美国", "专利", "法律", "新名称"), headers=["编号", *LAW_HEADERS[:4]])
    result = LawResource().import_data(data, dry_run=False, user=staff, publish=False)
    assert not result.has_validation_errors()
    law.refresh_from_db()
    assert law.title_zh == "新名称" and law.status == S.PUBLISHED
    unknown = tablib.Dataset((999999, "美国", "专利", "法律", "无此条"), headers=["编号", *LAW_HEADERS[:4]])
    result = LawResource().import_data(unknown, dry_run=True, raise_errors=False, user=staff)
    assert "编号 999999 不存在" in " ".join(str(m) for ms in result.invalid_rows[0].error_dict.values() for m in ms)


def xlsx(headers, *rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _format_index(client, url, name):
    form = client.get(url).context["form"]
    return next(value for value, label in form.fields["format"].choices if str(label).lower() == name)


def test_admin_xlsx_import_previews_then_publishes_as_chosen(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    url = reverse("admin:knowledge_law_import")
    content = xlsx(
        LAW_HEADERS, ("德国", "专利", "法律", "德国专利法", "Patentgesetz", "1980-12-16", "1981-01-01", "摘要")
    )
    response = client.post(
        url,
        {
            "format": _format_index(client, url, "xlsx"),
            "publish": "published",
            "import_file": SimpleUploadedFile("laws.xlsx", content),
        },
    )
    assert response.status_code == 200
    assert "德国专利法" in response.content.decode()
    assert not Law.objects.exists()  # a preview only
    form = response.context["confirm_form"]
    assert form.initial["publish"] == "published"
    with django_capture_on_commit_callbacks(execute=True):  # the confirmed import runs as a job
        response = client.post(reverse("admin:knowledge_law_process_import"), form.initial)
    assert response.status_code == 302 and response.url.startswith("/jobs/")
    law = Law.objects.get()
    assert law.status == S.PUBLISHED and law.country == "DE"


def test_admin_csv_import_with_bad_rows_cannot_be_confirmed(client, staff):
    client.force_login(staff)
    url = reverse("admin:knowledge_typicalcase_import")
    csv = "标题,国家/地区,知识产权类型\n,美国,专利\n火星案例,火星,专利\n".encode()
    response = client.post(
        url,
        {
            "format": _format_index(client, url, "csv"),
            "publish": "draft",
            "import_file": SimpleUploadedFile("cases.csv", csv, content_type="text/csv"),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "缺少标题" in html and "火星" in html
    assert response.context.get("confirm_form") is None
    assert not TypicalCase.objects.exists()


def test_export_writes_labels_the_state_and_the_agency(client, staff, agency):
    LawFactory(title_zh="导出的法律", country="DE", agency=agency)
    data = LawResource().export()
    row = dict(zip(data.headers, data[0], strict=True))
    assert row["中文名称"] == "导出的法律" and row["国家/地区"] == "德国" and row["知识产权类型"] == "专利"
    assert row["状态"] == "已发布" and row["报送单位"] == agency.name
    client.force_login(staff)
    response = client.get(reverse("admin:knowledge_law_export"))
    assert response.status_code == 200


def test_the_export_reads_whole_rows_in_one_query(rf, staff, agency, django_assert_num_queries):
    """The list leaves the laws' texts unread; the export, made through the list, writes them."""
    from django.contrib import admin

    for index in range(3):
        LawFactory(title_zh=f"导出的法律{index}", agency=agency, full_text=f"全文{index}")
    request = rf.get(reverse("admin:knowledge_law_export"))
    request.user = staff
    laws = admin.site._registry[Law].get_export_queryset(request)
    with django_assert_num_queries(1):
        assert sorted(law.full_text for law in laws) == ["全文0", "全文1", "全文2"]


@pytest.mark.parametrize("who", ["agency_user", "applicant"])
def test_import_is_for_the_center(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("admin:knowledge_law_import"))
    assert response.status_code in (302, 403, 404)
    assert not Law.objects.exists()
