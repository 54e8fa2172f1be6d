"""Import and export of the pool: a preview with row errors, nothing saved before confirmation."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from experts.models import Expert, ExpertNomination
from experts.resources import ExpertResource
from portal.audit import entries_for
from tests.experts.factories import ConflictPartyFactory, ExpertFactory, make_case

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "工作单位", "熟悉的国家/地区", "擅长权利类别", "技术领域", "工作语言", "利益冲突单位"]


def dataset(*rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def test_a_clean_file_imports_codes_and_labels_and_conflicts():
    data = dataset(
        ("林静", "上海某某律师事务所", "美国、DE；日本", "发明专利,商标", "通信", "英语、zh", "Acme Inc.；晋成机械"),
    )
    result = ExpertResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    expert = Expert.objects.get(name="林静")
    assert expert.countries == ["US", "DE", "JP"]
    assert expert.right_types == ["invention", "trademark"]
    assert expert.technical_fields == ["communications"]
    assert expert.languages == ["en", "zh"]
    assert sorted(c.name for c in expert.conflicts.all()) == ["Acme Inc.", "晋成机械"]


def test_bad_rows_say_why_and_nothing_is_saved():
    ExpertFactory(name="王已在", organisation="北京某律师事务所")
    data = dataset(
        ("", "某大学", "美国", "", "", "", ""),  # missing name
        ("赵未知", "某大学", "美国、火星", "", "", "", ""),  # unknown country
        ("王已在", "北京某律师事务所", "美国", "", "", "", ""),  # already in the pool
        ("孙重复", "某研究院", "德国", "", "", "", ""),
        ("孙重复", "某研究院", "德国", "", "", "", ""),  # twice in the file
        ("周正常", "某研究院", "德国", "", "", "", ""),
    )
    before = Expert.objects.count()
    result = ExpertResource().import_data(data, dry_run=True, raise_errors=False)
    assert result.has_validation_errors()
    errors = {row.number: " ".join(str(m) for ms in row.error_dict.values() for m in ms) for row in result.invalid_rows}
    assert "缺少姓名" in errors[1]
    assert "火星" in errors[2] and "未知的国家/地区" in errors[2]
    assert "专家库中已有该专家" in errors[3]
    assert "与文件第 4 行重复" in errors[5]
    assert 6 not in errors
    assert Expert.objects.count() == before


@pytest.mark.parametrize(
    ("language", "words"), [("zh-hans", ("导入", "导出", "增加 专家")), ("en", ("Import", "Export", "Add"))]
)
def test_the_pool_list_offers_its_tools_import_export_of_what_it_shows_and_add(client, staff, language, words):
    client.force_login(staff)
    ExpertFactory(active=True)
    response = client.get(
        reverse("admin:experts_expert_changelist") + "?active__exact=1", HTTP_ACCEPT_LANGUAGE=language
    )
    html = response.content.decode()
    tools = html.split('<ul class="object-tools">')[1].split("</ul>")[0]
    for url in (reverse("experts:center_index"), reverse("experts:health"), reverse("admin:experts_expert_add")):
        assert f'href="{url}' in tools
    assert f"href='{reverse('admin:experts_expert_import')}' class=\"import_link\">{words[0]}<" in tools
    assert f'href="{reverse("admin:experts_expert_export")}?active__exact=1" class="export_link">{words[1]}<' in tools
    assert words[2] in tools


def test_admin_import_shows_a_preview_with_row_errors_before_saving(client, staff):
    client.force_login(staff)
    csv = "姓名,工作单位,熟悉的国家/地区\n,某大学,美国\n赵未知,某大学,火星\n".encode()
    response = client.post(
        reverse("admin:experts_expert_import"),
        {
            "resource": 0,
            "format": 0,
            "import_file": SimpleUploadedFile("experts.csv", csv, content_type="text/csv"),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "缺少姓名" in html and "火星" in html
    assert response.context.get("confirm_form") is None  # no way to save a file with bad rows
    assert not Expert.objects.exists()


def test_admin_import_of_a_good_file_needs_confirmation(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    csv = "姓名,工作单位,熟悉的国家/地区\n林静,上海某律师事务所,美国\n".encode()
    response = client.post(
        reverse("admin:experts_expert_import"),
        {"resource": 0, "format": 0, "import_file": SimpleUploadedFile("e.csv", csv, content_type="text/csv")},
    )
    assert "林静" in response.content.decode()
    assert not Expert.objects.exists()  # only a preview so far
    form = response.context["confirm_form"]
    with django_capture_on_commit_callbacks(execute=True):  # the confirmed import runs as a job
        response = client.post(reverse("admin:experts_expert_process_import"), form.initial)
    assert response.status_code == 302 and response.url.startswith("/jobs/")
    assert Expert.objects.filter(name="林静", countries__contains="|US|").exists()


def test_export_writes_labels_and_conflicts():
    expert = ExpertFactory(name="导出", countries=["US", "JP"], right_types=["trademark"])
    ConflictPartyFactory(expert=expert, name="某客户")
    data = ExpertResource().export()
    row = dict(zip(data.headers, data[0], strict=True))
    assert row["熟悉的国家/地区"] == "美国、日本"
    assert row["擅长权利类别"] == "商标"
    assert row["利益冲突单位"] == "某客户"


def test_staff_approve_a_nomination_into_the_pool(client, staff, agency, agency_user):
    nomination = ExpertNomination.objects.create(
        case=make_case(), agency=agency, nominated_by=agency_user, name="郑推荐", organisation="商务厅智库"
    )
    client.force_login(staff)
    response = client.post(
        reverse("admin:experts_expertnomination_changelist"),
        {"action": "approve", "_selected_action": [nomination.pk]},
    )
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == ExpertNomination.Status.APPROVED
    assert nomination.expert.name == "郑推荐"
    entry = entries_for(nomination).get(action_type="experts.nomination.approved")
    assert entry.status_change == "待审核 → 已入库" and entry.data["expert"] == nomination.expert_id
    # A second approval is refused, not duplicated.
    client.post(
        reverse("admin:experts_expertnomination_changelist"),
        {"action": "approve", "_selected_action": [nomination.pk]},
    )
    assert Expert.objects.filter(name="郑推荐").count() == 1


def test_staff_open_a_login_for_pool_experts(client, staff, django_capture_on_commit_callbacks):
    from django.core import mail

    from portal.roles import Role, has_role

    expert = ExpertFactory(name="开号", email="kaihao@example.cn")
    no_mail = ExpertFactory(name="无邮箱", email="")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:experts_expert_changelist"),
            {"action": "open_accounts", "_selected_action": [expert.pk, no_mail.pk]},
            follow=True,
        )
    html = response.content.decode()
    assert "无邮箱没有电子邮箱" in html
    expert.refresh_from_db()
    assert expert.user.email == "kaihao@example.cn" and has_role(expert.user, Role.EXPERT)
    message = next(m for m in mail.outbox if m.to == ["kaihao@example.cn"])
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    path = link[link.index("/accounts/reset/") :].strip()
    assert client.get(path, follow=True).status_code == 200


def test_qualifications_admissions_and_dispute_experience_import_in_staff_words_and_drive_matching():
    from experts.selectors import rank_experts
    from tests.experts.pool import make_337_case

    data = tablib.Dataset(
        ("陈美华", "北京某律师事务所", "律师、境外律师", "美国", "337 调查；侵权", "机械", "美国", "中文、英语"),
        headers=["姓名", "工作单位", "资质", "执业法域", "擅长纠纷类型", "技术领域", "熟悉的国家/地区", "工作语言"],
    )
    result = ExpertResource().import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    expert = Expert.objects.get(name="陈美华")
    assert expert.qualifications == ["lawyer", "foreign_lawyer"]
    assert expert.jurisdictions == ["US"]
    assert expert.dispute_types == ["trade_investigation", "infringement"]
    exported = ExpertResource().export().dict[0]
    assert exported["资质"] == "执业律师、境外执业律师" and exported["执业法域"] == "美国"
    ranking, _excluded = rank_experts(make_337_case())
    assert ranking[0]["name"] == "陈美华"
    assert {"美国执业 +5", "337 调查经验 +6", "境外执业律师 +2"} <= set(ranking[0]["reasons"])
