"""What each role sees: the calendar, a meeting's page, proposing an item, action items,
the .ics file, and the admin pages of the director and the chair."""

import datetime

from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import ActionItem, AgendaItem, JointMeeting
from portal.models import SiteConfiguration
from portal.roles import Role
from tests.factories import UserFactory
from tests.meetings.factories import DeputyDirectorFactory


def login(client, user):
    client.force_login(user)
    return client


def test_the_calendar_lists_meetings_and_seminars_for_the_center(client, convened, staff):
    from experts.models import Seminar
    from tests.meetings.factories import make_case

    case = make_case(opened_at=timezone.now())
    Seminar.objects.create(
        case=case, title="重大纠纷专家研讨会", starts_at=timezone.now() + datetime.timedelta(days=3), created_by=staff
    )
    response = login(client, staff).get(reverse("meetings:calendar"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and convened.title in html and "重大纠纷专家研讨会" in html
    assert reverse("meetings:ics", args=[convened.pk]) in html


def test_an_agency_sees_its_meetings_but_not_seminars(client, convened, agency_user, staff):
    from experts.models import Seminar
    from tests.meetings.factories import make_case

    Seminar.objects.create(
        case=make_case(opened_at=timezone.now()), title="保密研讨会", starts_at=timezone.now(), created_by=staff
    )
    html = login(client, agency_user).get(reverse("meetings:calendar")).content.decode()
    assert convened.title in html and "保密研讨会" not in html


def test_the_calendar_query_count_does_not_grow_with_meetings(
    client, director, deputy_post, staff, django_assert_max_num_queries
):
    for year in (2024, 2025):
        for quarter in (1, 2, 3, 4):
            meeting = services.meeting_plan_regular(year=year, quarter=quarter, by=director)[0]
            services.meeting_convene(
                meeting=meeting,
                by=director,
                location="会议室",
                starts_at=timezone.make_aware(datetime.datetime(year, 3 * quarter - 1, 10, 9)),
            )
    login(client, staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("meetings:calendar"))
    assert response.content.decode().count("联席工作例会") >= 8


def test_planned_meetings_and_strangers_get_404(client, director, applicant, expert_user, agency_user, convened):
    planned = services.meeting_create(kind=JointMeeting.Kind.AD_HOC, by=director, reason="紧急事项")
    login(client, agency_user)
    assert client.get(reverse("meetings:detail", args=[planned.pk])).status_code == 404
    assert client.get(reverse("meetings:ics", args=[planned.pk])).status_code == 404
    for user in (applicant, expert_user):
        client.logout()
        login(client, user)
        assert client.get(reverse("meetings:detail", args=[convened.pk])).status_code == 404
        assert client.get(reverse("meetings:propose_item", args=[convened.pk])).status_code == 404
        assert client.get(reverse("meetings:agency_actions")).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, convened):
    response = client.get(reverse("meetings:detail", args=[convened.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_ics_file_describes_the_meeting(client, convened, agency_user):
    response = login(client, agency_user).get(reverse("meetings:ics", args=[convened.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert f"UID:joint-meeting-{convened.pk}@" in body
    start = convened.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in body
    assert "LOCATION:指导中心第一会议室" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_an_agency_answers_the_invitation_on_the_meeting_page(client, convened, agency_user):
    login(client, agency_user)
    url = reverse("meetings:detail", args=[convened.pk])
    response = client.post(url, {"answer": "accepted", "representative_name": "", "note": "准时参加"})
    html = response.content.decode()
    assert response.status_code == 200 and "请填写本单位的参会代表" in html
    assert "准时参加" in html  # what was typed is kept
    response = client.post(url, {"answer": "accepted", "representative_name": "陈静", "representative_title": "处长"})
    assert response.status_code == 302
    assert convened.invitations.get(agency=agency_user.agency).representative_name == "陈静"


def test_an_agency_proposes_an_item_and_sees_only_its_own_proposals(client, convened, agency_user, other_agency_user):
    login(client, agency_user)
    url = reverse("meetings:propose_item", args=[convened.pk])
    assert "<h1" in client.get(url).content.decode()
    response = client.post(url, {"title": "", "description": "说明保留"})
    assert response.status_code == 200 and "说明保留" in response.content.decode()
    response = client.post(url, {"title": "请研究展会快速维权机制", "description": "广交会期间的纠纷较多。"})
    assert response.status_code == 302
    item = AgendaItem.objects.get(title="请研究展会快速维权机制")
    assert item.proposing_agency == agency_user.agency
    detail = client.get(reverse("meetings:detail", args=[convened.pk])).content.decode()
    assert "请研究展会快速维权机制" in detail and "本期工作情况" not in detail
    client.logout()
    other = login(client, other_agency_user).get(reverse("meetings:detail", args=[convened.pk])).content.decode()
    assert "请研究展会快速维权机制" not in other


def test_agency_action_items_page_and_update(client, issued, agency_user, django_assert_max_num_queries):
    login(client, agency_user)
    SiteConfiguration.get()  # the configuration row exists, as on any running portal
    with django_assert_max_num_queries(10):
        html = client.get(reverse("meetings:agency_actions")).content.decode()
    assert "梳理 337 调查应对指引" in html and "<h1" in html
    url = reverse("meetings:action_update", args=[issued.pk])
    response = client.post(url, {"status": "done", "note": "", "revision": issued.revision})
    assert response.status_code == 200
    response = client.post(url, {"status": "done", "note": "指引已印发各企业", "revision": issued.revision})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == ActionItem.Status.DONE


def test_another_agencys_action_item_is_a_404(client, issued, other_agency_user):
    login(client, other_agency_user)
    url = reverse("meetings:action_update", args=[issued.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "done", "note": "x", "revision": 0}).status_code == 404
    assert "梳理 337" not in client.get(reverse("meetings:agency_actions")).content.decode()


def test_the_minutes_pdf_link_reaches_the_agencies(client, issued, agency_user):
    html = login(client, agency_user).get(reverse("meetings:detail", args=[issued.meeting_id])).content.decode()
    assert "会议纪要" in html


# --- Admin pages ------------------------------------------------------------------------


def test_director_convenes_from_the_admin(client, director, deputy_post, soon):
    starts, year, quarter = soon
    meeting = services.meeting_plan_regular(year=year, quarter=quarter, by=director)[0]
    login(client, director)
    url = reverse("admin:meetings_jointmeeting_convene", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "<h1" in page and str(deputy_post.user) in page
    response = client.post(url, {"starts_at": "", "location": "", "revision": meeting.revision})
    assert response.status_code == 200 and "请填写会议地点或线上会议链接" in response.content.decode()
    local = timezone.localtime(starts)
    response = client.post(
        url, {"starts_at": local.strftime("%Y-%m-%dT%H:%M"), "location": "中心会议室", "revision": meeting.revision}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == JointMeeting.Status.CONVENED and meeting.chair == deputy_post


def test_admin_pages_render_for_the_chair_and_staff(client, issued, deputy, staff):
    meeting = issued.meeting
    for user in (deputy, staff):
        client.logout()
        login(client, user)
        for name in ("change", "minutes", "attendance"):
            response = client.get(reverse(f"admin:meetings_jointmeeting_{name}", args=[meeting.pk]))
            assert response.status_code == 200, name
        assert client.get(reverse("admin:meetings_jointmeeting_changelist")).status_code == 200


def test_the_chair_approves_the_agenda_in_the_admin(client, convened, deputy, staff):
    items = list(convened.agenda_items.all())
    login(client, staff)
    url = reverse("admin:meetings_jointmeeting_agenda", args=[convened.pk])
    data = {"action": "approve", "revision": convened.revision, **{f"include_{i.pk}": "1" for i in items}}
    response = client.post(url, data)
    assert response.status_code == 403 and "只有本次会议的主持人可以进行此操作。" in response.content.decode()
    convened.refresh_from_db()
    assert not convened.agenda_approved
    client.logout()
    login(client, deputy)
    response = client.post(url, data)
    assert response.status_code == 302
    convened.refresh_from_db()
    assert convened.agenda_approved


def test_a_deputy_who_is_not_chair_cannot_approve(client, convened, second_deputy):
    login(client, second_deputy.user)
    url = reverse("admin:meetings_jointmeeting_agenda", args=[convened.pk])
    response = client.post(url, {"action": "approve", "revision": convened.revision})
    assert response.status_code == 403 and "只有本次会议的主持人可以进行此操作。" in response.content.decode()
    convened.refresh_from_db()
    assert not convened.agenda_approved


def test_agency_users_cannot_reach_the_admin_pages(client, convened, agency_user):
    login(client, agency_user)
    response = client.get(reverse("admin:meetings_jointmeeting_agenda", args=[convened.pk]))
    assert response.status_code == 302  # the admin sends non-staff users to its login


def test_a_new_deputy_joins_the_invitations(director, soon, center_permissions):
    DeputyDirectorFactory(user=UserFactory(is_staff=True, roles=[Role.DEPUTY]), rotation_order=1)
    starts, year, quarter = soon
    meeting = services.meeting_plan_regular(year=year, quarter=quarter, by=director)[0]
    services.meeting_convene(meeting=meeting, by=director, starts_at=starts, online_link="https://meet.example.cn/1")
    assert meeting.invitations.filter(agency__isnull=True).count() == 2


def test_staff_cancel_an_action_item_and_the_agency_cannot_revive_it(client, issued, staff, agency_user):
    login(client, staff)
    assert client.get(reverse("admin:meetings_actionitem_changelist")).status_code == 200
    url = reverse("meetings:action_update", args=[issued.pk])
    response = client.post(url, {"status": "cancelled", "note": "已并入其他工作", "revision": issued.revision})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == ActionItem.Status.CANCELLED
    client.logout()
    login(client, agency_user)
    response = client.post(url, {"status": "open", "note": "我们还想做", "revision": issued.revision})
    assert response.status_code == 403 and "只有指导中心成员可以进行此操作。" in response.content.decode()
    issued.refresh_from_db()
    assert issued.status == ActionItem.Status.CANCELLED
