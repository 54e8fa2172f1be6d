"""Training sessions and salons: places, registration, cancelling, the calendar file, materials
and attendance."""

import datetime

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from knowledge.models import Event, EventMaterial, Registration
from knowledge.services import events as services
from portal.access import Forbidden
from portal.audit import entries_for
from portal.models import EmailDelivery
from portal.notifications import email_relay_pending
from tests.concurrency import needs_row_locks, run_in_threads
from tests.knowledge.conftest import EventFactory

pytestmark = pytest.mark.django_db

R = Registration.Status
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def data(email="a@example.cn", attendees=1, organisation="许昌瑞贝卡发制品股份有限公司"):
    return {
        "organisation": organisation,
        "contact_name": "郑敏",
        "email": email,
        "phone": "0374-1234567",
        "attendees": attendees,
    }


def sent_to(address):
    return EmailDelivery.objects.filter(to=address)


# --- Places and registration ----------------------------------------------------------------


def test_the_last_place_is_taken_then_the_event_is_full_with_a_clear_message():
    event = EventFactory(capacity=3)
    services.registration_create(event=event, data=data("a@example.cn", attendees=2), by=None)
    services.registration_create(event=event, data=data("b@example.cn", attendees=1), by=None)
    assert services.places_taken(event) == 3
    assert services.places_left(event) == 0
    with pytest.raises(ValidationError) as refused:
        services.registration_create(event=event, data=data("c@example.cn"), by=None)
    assert "名额已满" in refused.value.messages[0]
    assert Registration.objects.filter(event=event).count() == 2


def test_the_lists_read_each_events_places_as_places_taken_counts_them():
    """The admin's list of events and the public calendar read the places in the list's own query:
    each event's registrations that still hold places, and 0 for an event without any."""
    booked, untouched = EventFactory(capacity=10), EventFactory(capacity=5)
    services.registration_create(event=booked, data=data("a@example.cn", attendees=2), by=None)
    withdrawn = services.registration_create(event=booked, data=data("b@example.cn", attendees=3), by=None)
    Registration.objects.filter(pk=withdrawn.pk).update(status=R.CANCELLED)

    listed = {event.pk: event.taken for event in Event.objects.annotate(taken=services.places_taken_column())}
    assert listed[booked.pk] == services.places_taken(booked) == 2
    assert listed[untouched.pk] == services.places_taken(untouched) == 0
    upcoming, _past = services.upcoming_and_past()
    assert {event.pk: (event.taken, event.left) for event in upcoming} == {booked.pk: (2, 8), untouched.pk: (0, 5)}


def test_more_attendees_than_places_left_is_refused_naming_what_is_left():
    event = EventFactory(capacity=3)
    services.registration_create(event=event, data=data("a@example.cn", attendees=2), by=None)
    with pytest.raises(ValidationError) as refused:
        services.registration_create(event=event, data=data("b@example.cn", attendees=2), by=None)
    assert refused.value.code == "full"
    assert "剩余名额为 1 个" in refused.value.messages[0]


def test_one_active_registration_per_email_and_event_whatever_the_case_of_the_address():
    event = EventFactory(capacity=10)
    services.registration_create(event=event, data=data("Zheng@Example.cn"), by=None)
    with pytest.raises(ValidationError) as refused:
        services.registration_create(event=event, data=data("zheng@example.cn "), by=None)
    assert refused.value.code == "duplicate"
    assert "已报名本次活动" in refused.value.messages[0]
    # Another event takes the same address.
    services.registration_create(event=EventFactory(), data=data("zheng@example.cn"), by=None)


def test_cancelling_frees_the_places_and_the_address_may_register_again():
    event = EventFactory(capacity=2)
    first = services.registration_create(event=event, data=data("a@example.cn", attendees=2), by=None)
    services.registration_cancel(registration=first, by=None)
    first.refresh_from_db()
    assert first.status == R.CANCELLED
    assert services.places_left(event) == 2
    again = services.registration_create(event=event, data=data("a@example.cn", attendees=1), by=None)
    assert again.status == R.REGISTERED
    assert entries_for(first).filter(action_type="knowledge.registration.cancelled").count() == 1


def test_registration_closes_at_its_deadline_and_when_the_event_has_started():
    closed = EventFactory(registration_closes_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(ValidationError, match="报名已于"):
        services.registration_create(event=closed, data=data(), by=None)
    started = EventFactory(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    with pytest.raises(ValidationError, match="已开始"):
        services.registration_create(event=started, data=data(), by=None)


def test_no_registration_for_an_unpublished_event_or_a_trade_fair():
    with pytest.raises(ValidationError):
        services.registration_create(event=EventFactory(status=Event.Status.DRAFT), data=data(), by=None)
    with pytest.raises(ValidationError):
        services.registration_create(event=EventFactory(kind=Event.Kind.TRADE_FAIR), data=data(), by=None)


def test_the_confirmation_email_carries_the_personal_link_and_the_calendar_link(applicant):
    event = EventFactory(title="欧盟商标实务培训")
    registration = services.registration_create(event=event, data=data("a@example.cn"), by=applicant)
    assert registration.user == applicant
    delivery = sent_to("a@example.cn").get()
    assert "欧盟商标实务培训" in delivery.subject
    assert reverse("knowledge:registration", args=[registration.token]) in delivery.body
    assert reverse("knowledge:registration_ics", args=[registration.token]) in delivery.body
    entry = entries_for(registration).get()
    assert entry.action_type == "knowledge.registration.created" and entry.actor == applicant
    email_relay_pending(now=timezone.now() + datetime.timedelta(hours=1))
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_two_registrations_for_the_last_place_at_once_one_wins(postgres_only):
    event = EventFactory(capacity=1)
    results = run_in_threads(
        [
            lambda: services.registration_create(event=event, data=data("a@example.cn"), by=None),
            lambda: services.registration_create(event=event, data=data("b@example.cn"), by=None),
        ]
    )
    won = [r for r in results if isinstance(r, Registration)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "名额已满" in lost[0].messages[0]
    assert Registration.objects.filter(event=event).count() == 1


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_the_same_address_registering_twice_at_once_is_one_registration(postgres_only):
    event = EventFactory(capacity=10)
    results = run_in_threads(
        [lambda: services.registration_create(event=event, data=data("a@example.cn"), by=None) for _ in range(2)]
    )
    assert sum(isinstance(r, Registration) for r in results) == 1, results
    assert [r.code for r in results if isinstance(r, ValidationError)] == ["duplicate"]


# --- Pages ----------------------------------------------------------------------------------


def test_the_list_shows_upcoming_sessions_with_places_left_and_past_ones_with_materials(client):
    upcoming = EventFactory(title="美国337调查应对培训", capacity=30)
    services.registration_create(event=upcoming, data=data(attendees=4), by=None)
    past = EventFactory(
        title="往期沙龙",
        kind=Event.Kind.SALON,
        starts_at=timezone.now() - datetime.timedelta(days=10),
        ends_at=timezone.now() - datetime.timedelta(days=10) + datetime.timedelta(hours=2),
    )
    EventMaterial.objects.create(event=past, title="沙龙讲义", file=SimpleUploadedFile("a.pdf", PDF))
    EventFactory(title="未发布的培训", status=Event.Status.DRAFT)
    page = client.get(reverse("knowledge:events")).content.decode()
    assert "美国337调查应对培训" in page
    assert "名额 30，剩余 <strong>26</strong>" in page
    assert "往期沙龙" in page and "沙龙讲义" in page
    assert "未发布的培训" not in page


def test_an_unpublished_event_is_404_with_its_calendar_file(client):
    draft = EventFactory(status=Event.Status.DRAFT)
    assert client.get(reverse("knowledge:event", args=[draft.pk])).status_code == 404
    assert client.get(reverse("knowledge:event_ics", args=[draft.pk])).status_code == 404


def test_registering_through_the_page_prefills_for_an_applicant_and_leads_to_the_personal_page(client, applicant):
    applicant.phone = "13800000000"
    applicant.save()
    event = EventFactory(capacity=5)
    client.force_login(applicant)
    page = client.get(reverse("knowledge:event", args=[event.pk])).content.decode()
    assert 'value="山西晋成精密机械有限公司"' in page
    assert f'value="{applicant.email}"' in page
    response = client.post(
        reverse("knowledge:event", args=[event.pk]),
        {**data(applicant.email), "organisation": "山西晋成精密机械有限公司"},
        follow=True,
    )
    registration = Registration.objects.get(event=event)
    assert response.redirect_chain[-1][0] == reverse("knowledge:registration", args=[registration.token])
    text = response.content.decode()
    assert "报名成功" in text and "已报名" in text


def test_a_full_event_keeps_what_was_typed_and_says_why(client):
    event = EventFactory(capacity=1)
    services.registration_create(event=event, data=data("a@example.cn"), by=None)
    response = client.post(reverse("knowledge:event", args=[event.pk]), data("b@example.cn", organisation="禹州钧瓷"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "名额已满" in text
    assert 'value="禹州钧瓷"' in text


def test_a_duplicate_email_shows_the_message_at_the_email_field(client):
    event = EventFactory(capacity=5)
    services.registration_create(event=event, data=data("a@example.cn"), by=None)
    response = client.post(reverse("knowledge:event", args=[event.pk]), data("a@example.cn"))
    assert response.status_code == 400
    assert response.context["form"].errors["email"][0].startswith("邮箱 a@example.cn 已报名")


def test_bad_input_is_shown_next_to_the_field_never_a_500(client):
    event = EventFactory()
    response = client.post(
        reverse("knowledge:event", args=[event.pk]),
        {**data(), "phone": "abc", "attendees": "0", "organisation": "<script>x</script>"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"phone", "attendees", "organisation"}


def test_html_in_the_organisation_is_dropped(client):
    event = EventFactory()
    client.post(reverse("knowledge:event", args=[event.pk]), {**data(), "organisation": "<b>许昌</b>A&B公司"})
    assert Registration.objects.get().organisation == "许昌A&B公司"


def test_the_registrant_cancels_through_the_personal_link(client):
    event = EventFactory(capacity=2)
    registration = services.registration_create(event=event, data=data(attendees=2), by=None)
    url = reverse("knowledge:registration", args=[registration.token])
    assert "取消报名" in client.get(url).content.decode()
    response = client.post(reverse("knowledge:registration_cancel", args=[registration.token]), follow=True)
    assert "报名已取消" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == R.CANCELLED
    assert services.places_left(event) == 2
    assert client.get(reverse("knowledge:registration_cancel", args=[registration.token])).status_code == 405
    assert client.get(reverse("knowledge:registration", args=["no-such-token"])).status_code == 404


def test_the_registration_form_is_throttled_without_losing_the_text(client, settings, monkeypatch):
    from knowledge.views import events as views

    monkeypatch.setattr(views, "FORM_RATE_LIMIT", 1)
    event = EventFactory(capacity=50)
    client.post(reverse("knowledge:event", args=[event.pk]), data("a@example.cn"))
    response = client.post(reverse("knowledge:event", args=[event.pk]), data("b@example.cn", organisation="长葛"))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode() and 'value="长葛"' in response.content.decode()
    assert Registration.objects.count() == 1


# --- The calendar file ----------------------------------------------------------------------


def _parse(content):
    calendar = icalendar.Calendar.from_ical(content)
    (vevent,) = calendar.walk("VEVENT")
    return calendar, vevent


def test_the_calendar_file_parses_back_with_the_right_times_in_the_portal_time_zone(client):
    starts = datetime.datetime(2027, 3, 15, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Beijing
    event = EventFactory(
        title="海外展会知识产权风险防范，第一期；许昌",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        place="许昌市东城区，会展中心",
        description="第一行\n第二行",
    )
    response = client.get(reverse("knowledge:event_ics", args=[event.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar, vevent = _parse(response.content)
    assert vevent.decoded("dtstart") == starts
    assert vevent.decoded("dtend") == starts + datetime.timedelta(hours=3)
    assert str(vevent.decoded("dtstart").tzinfo) == "Asia/Shanghai"
    assert vevent.decoded("dtstart").hour == 9
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Shanghai"
    assert str(vevent["summary"]) == "培训：海外展会知识产权风险防范，第一期；许昌"
    assert str(vevent["location"]) == "许昌市东城区，会展中心"
    assert "第一行\n第二行" in str(vevent["description"])
    # RFC 5545: no content line longer than 75 octets.
    assert max(len(line) for line in response.content.split(b"\r\n")) <= 75


def test_the_registrations_calendar_file_is_cancelled_once_the_registration_is(client):
    registration = services.registration_create(event=EventFactory(), data=data(), by=None)
    url = reverse("knowledge:registration_ics", args=[registration.token])
    _calendar, vevent = _parse(client.get(url).content)
    assert str(vevent["status"]) == "CONFIRMED"
    assert "许昌瑞贝卡发制品股份有限公司" in str(vevent["description"])
    services.registration_cancel(registration=registration, by=None)
    calendar, vevent = _parse(client.get(url).content)
    assert str(vevent["status"]) == "CANCELLED" and str(calendar["method"]) == "CANCEL"


# --- Materials ------------------------------------------------------------------------------


def test_materials_are_hidden_before_the_session_and_for_unpublished_events(client):
    upcoming = EventFactory()
    before = EventMaterial.objects.create(event=upcoming, title="讲义", file=SimpleUploadedFile("a.pdf", PDF))
    assert client.get(reverse("knowledge:material", args=[before.pk])).status_code == 404
    assert "讲义" not in client.get(reverse("knowledge:event", args=[upcoming.pk])).content.decode()

    withdrawn = EventFactory(
        status=Event.Status.WITHDRAWN,
        starts_at=timezone.now() - datetime.timedelta(days=2),
        ends_at=timezone.now() - datetime.timedelta(days=2) + datetime.timedelta(hours=2),
    )
    hidden = EventMaterial.objects.create(event=withdrawn, title="讲义", file=SimpleUploadedFile("b.pdf", PDF))
    assert client.get(reverse("knowledge:material", args=[hidden.pk])).status_code == 404

    Event.objects.filter(pk=upcoming.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(reverse("knowledge:material", args=[before.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "%E8%AE%B2%E4%B9%89.pdf" in response["Content-Disposition"]  # 讲义.pdf


def test_staff_upload_materials_checked_by_content(staff):
    event = EventFactory()
    material = services.material_add(event=event, title="课件", upload=SimpleUploadedFile("slides.pdf", PDF), by=staff)
    assert material.file.read() == PDF
    assert entries_for(material).get().action_type == "knowledge.material.added"
    with pytest.raises(ValidationError):
        services.material_add(
            event=event, title="脚本", upload=SimpleUploadedFile("x.pdf", b"#!/bin/sh\nrm -rf /\n"), by=staff
        )


def test_only_staff_upload_materials(applicant):
    with pytest.raises(Forbidden):
        services.material_add(event=EventFactory(), title="x", upload=SimpleUploadedFile("a.pdf", PDF), by=applicant)


# --- Attendance -----------------------------------------------------------------------------


def test_staff_record_attendance_after_the_start_with_an_audit_entry(staff):
    event = EventFactory(capacity=5)
    came = services.registration_create(event=event, data=data("a@example.cn"), by=None)
    with pytest.raises(ValidationError, match="尚未开始"):
        services.registration_attendance(registration=came, attended=True, by=staff)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=30))
    came.refresh_from_db()
    services.registration_attendance(registration=came, attended=True, by=staff)
    came.refresh_from_db()
    assert came.status == R.ATTENDED
    entry = entries_for(came).get(action_type="knowledge.registration.attended")
    assert entry.actor == staff and entry.from_status == R.REGISTERED and entry.to_status == R.ATTENDED
    # A correction is one more entry.
    services.registration_attendance(registration=came, attended=False, by=staff)
    came.refresh_from_db()
    assert came.status == R.ABSENT
    assert entries_for(came).filter(action_type="knowledge.registration.absent").count() == 1


def test_only_staff_record_attendance(applicant):
    event = EventFactory(starts_at=timezone.now() - datetime.timedelta(minutes=1))
    registration = Registration.objects.create(
        event=event, organisation="x", contact_name="y", email="a@example.cn", phone="1"
    )
    with pytest.raises(Forbidden):
        services.registration_attendance(registration=registration, attended=True, by=applicant)


def test_staff_see_the_list_record_attendance_and_export_it_in_the_admin(client, staff):
    event = EventFactory(capacity=5, title="商标海外布局沙龙")
    registration = services.registration_create(event=event, data=data("=cmd@example.cn"), by=None)
    services.registration_create(
        event=event, data=data("b@example.cn", attendees=2, organisation="=HYPERLINK()"), by=None
    )
    client.force_login(staff)
    change = client.get(reverse("admin:knowledge_event_change", args=[event.pk])).content.decode()
    assert "已报名</strong>：3 人" in change
    page = client.get(reverse("admin:knowledge_event_registrations", args=[event.pk])).content.decode()
    assert "=cmd@example.cn" in page and "活动开始后可登记出席情况" in page
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=10))
    response = client.post(
        reverse("admin:knowledge_event_registrations", args=[event.pk]),
        {f"attendance_{registration.pk}": "attended"},
        follow=True,
    )
    assert "出席情况已保存（1 条）" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == R.ATTENDED
    csv_text = client.get(reverse("admin:knowledge_event_registrations_csv", args=[event.pk])).content.decode("utf-8")
    assert csv_text.startswith("\ufeff序号,单位名称")
    assert "'=HYPERLINK()" in csv_text and "已参加" in csv_text


def test_the_admin_pages_are_not_for_applicants(client, applicant):
    event = EventFactory()
    client.force_login(applicant)
    response = client.get(reverse("admin:knowledge_event_registrations", args=[event.pk]))
    assert response.status_code in {302, 404}
    assert "已报名" not in response.content.decode()


def test_staff_publish_a_drafted_event_from_its_admin_page_and_the_public_then_sees_it(client, staff):
    event = EventFactory(status=Event.Status.DRAFT, published_at=None, title="欧洲展会知识产权沙龙")
    public = reverse("knowledge:event", args=[event.pk])
    assert client.get(public).status_code == 404
    client.force_login(staff)
    change = client.get(reverse("admin:knowledge_event_change", args=[event.pk])).content.decode()
    assert 'data-testid="review-panel"' in change and "报名名单与出席登记" in change
    client.post(reverse("admin:knowledge_event_review", args=[event.pk, "publish"]))
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    client.logout()
    assert "欧洲展会知识产权沙龙" in client.get(public).content.decode()


def test_the_list_takes_a_fixed_number_of_queries_however_many_events(client, django_assert_max_num_queries):
    for n in range(12):
        event = EventFactory(capacity=20)
        services.registration_create(event=event, data=data(f"{n}@example.cn"), by=None)
        old = EventFactory(
            starts_at=timezone.now() - datetime.timedelta(days=n + 2),
            ends_at=timezone.now() - datetime.timedelta(days=n + 2) + datetime.timedelta(hours=2),
        )
        EventMaterial.objects.create(event=old, title=f"讲义{n}", file=SimpleUploadedFile("a.pdf", PDF))
    client.get(reverse("knowledge:events"))  # the site configuration is read and cached once
    with django_assert_max_num_queries(4):
        response = client.get(reverse("knowledge:events"))
    assert response.content.decode().count("讲义") == 12


def test_the_personal_page_is_never_kept_in_a_shared_cache(client):
    registration = services.registration_create(event=EventFactory(), data=data(), by=None)
    response = client.get(reverse("knowledge:registration", args=[registration.token]))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
