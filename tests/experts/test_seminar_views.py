"""The seminar pages: staff convene, the expert confirms and records a view, staff record
attendance and the collegial opinion."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.choices import DisputeLevel
from experts.models import ExpertAssignment, Seminar, SeminarInvitee
from tests.experts.factories import ExpertFactory, expert_with_login, make_case

pytestmark = pytest.mark.django_db


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_seminar_pages_from_convening_to_the_collegial_opinion(client, staff, agency):
    case = make_case(level=DisputeLevel.MAJOR)
    expert = expert_with_login(name="甲专家")
    ExpertFactory(name="不相关")
    client.force_login(staff)
    url = reverse("experts:seminar_new", args=[case.pk])
    assert f"案件 {case.number} 专家研讨会" in client.get(url).content.decode()

    starts = timezone.now() + timezone.timedelta(days=1)
    response = client.post(url, {"title": "研讨会", "starts_at": local(starts), "experts": [expert.pk]})
    assert "请填写会议地点或线上会议链接" in response.content.decode()
    assert not Seminar.objects.exists()
    response = client.post(
        url,
        {
            "title": "研讨会",
            "starts_at": local(starts),
            "online_link": "https://meeting.example.cn/123",
            "experts": [expert.pk],
            "agencies": [agency.pk],
        },
    )
    seminar = Seminar.objects.get()
    assert response.url == reverse("experts:seminar_manage", args=[seminar.pk])

    seat = seminar.invitees.get(kind=SeminarInvitee.Kind.EXPERT)
    client.force_login(expert.user)
    seat_url = reverse("experts:seminar_seat", args=[seat.pk])
    # The expert works on the case from now on: the seminar opens after the declaration.
    assignment = ExpertAssignment.objects.get(case=case, expert=expert)
    assert "研讨会" in client.get(reverse("experts:workspace")).content.decode()
    assert client.get(seat_url).status_code == 404
    client.post(reverse("experts:assignment", args=[assignment.pk]), {"decision": "none"})
    client.post(seat_url, {"action": "confirm"})
    client.post(seat_url, {"action": "view", "view": "建议应诉"})
    seat.refresh_from_db()
    assert seat.response == SeminarInvitee.Response.CONFIRMED and seat.view == "建议应诉"
    other = expert_with_login(name="局外人")
    client.force_login(other.user)
    assert client.get(seat_url).status_code == 404

    client.force_login(staff)
    manage = reverse("experts:seminar_manage", args=[seminar.pk])
    agency_seat = seminar.invitees.get(kind=SeminarInvitee.Kind.AGENCY)
    client.post(manage, {"action": "confirm", "invitee": agency_seat.pk})  # answered by telephone
    agency_seat.refresh_from_db()
    assert agency_seat.response == SeminarInvitee.Response.CONFIRMED
    # Attendance is recorded on the seminar's day or later: the meeting has now taken place.
    Seminar.objects.filter(pk=seminar.pk).update(starts_at=timezone.now() - timezone.timedelta(hours=2))
    client.post(manage, {"action": "attendance", "present": [seat.pk]})
    seminar.refresh_from_db()
    assert seminar.status == Seminar.Status.HELD
    html = client.get(manage).content.decode()
    assert "甲专家的态度" in html
    response = client.post(
        manage,
        {
            "action": "conclude",
            "analysis": "分析",
            "recommendations": "应诉",
            "agreement": "一致同意应诉",
            f"position_{seat.pk}": "dissent",
            f"dissent_{seat.pk}": "",
        },
    )
    assert "保留不同意见，请记录其具体意见" in response.content.decode()
    response = client.post(
        manage,
        {
            "action": "conclude",
            "analysis": "分析",
            "recommendations": "应诉",
            "agreement": "一致同意应诉",
            f"position_{seat.pk}": "agree",
            f"dissent_{seat.pk}": "",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "合议意见已形成" in html and "一致同意应诉" in html
    seminar.refresh_from_db()
    assert seminar.status == Seminar.Status.CONCLUDED and seminar.minutes is not None
    panel = client.get(reverse("experts:case_panel", args=[case.pk])).content.decode()
    assert "合议意见" in panel and "一致同意应诉" in panel


def test_staff_add_an_expert_in_the_admin_with_form_options(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("admin:experts_expert_add"),
        {
            "name": "新专家",
            "organisation": "某律师事务所",
            "right_types": ["invention", "trademark"],
            "countries": ["US", "DE"],
            "technical_fields": ["chemistry"],
            "languages": ["en"],
            "availability": "available",
            "max_concurrent_cases": "2",
            "active": "on",
            "conflicts-TOTAL_FORMS": "1",
            "conflicts-INITIAL_FORMS": "0",
            "conflicts-0-name": "Acme Inc.",
            "conflicts-0-relation": "for",
            "unavailabilities-TOTAL_FORMS": "0",
            "unavailabilities-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    from experts.models import Expert

    expert = Expert.objects.get(name="新专家")
    assert expert.countries == ["US", "DE"] and expert.conflicts.get().name == "Acme Inc."


def test_expert_admin_list_queries_are_bounded(client, staff, django_assert_max_num_queries):
    for _ in range(25):
        ExpertFactory()
    client.force_login(staff)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("admin:experts_expert_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "专家库运行情况" in html
    assert reverse("admin:experts_expert_import") in html and reverse("admin:experts_expert_export") in html


def test_seminar_materials_go_to_invited_experts_only(client, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = make_case(level=DisputeLevel.MAJOR)
    invited = expert_with_login(name="受邀")
    outsider = expert_with_login(name="未受邀")
    client.force_login(staff)
    client.post(
        reverse("experts:seminar_new", args=[case.pk]),
        {
            "title": "研讨会",
            "starts_at": local(timezone.now() + timezone.timedelta(days=1)),
            "location": "会议室",
            "experts": [invited.pk],
            "materials": [SimpleUploadedFile("案情摘要.pdf", b"%PDF-1.4", content_type="application/pdf")],
        },
    )
    material = Seminar.objects.get().materials.get()
    url = reverse("experts:seminar_material", args=[material.pk])
    client.force_login(invited.user)
    assignment = ExpertAssignment.objects.get(case=case, expert=invited)
    assert client.get(url).status_code == 404  # not before the declaration of no conflict
    client.post(reverse("experts:assignment", args=[assignment.pk]), {"decision": "none"})
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    client.force_login(outsider.user)
    assert client.get(url).status_code == 404
