"""Counts for the statistics: consultations, applications and cases by channel, workstation and period;
an applicant's consultations."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.choices import Channel
from consultations import selectors
from portal.models import ServicePoint
from tests.factories import ApplicantFactory, ApplicationFactory, submitted

pytestmark = pytest.mark.django_db


def at(year, month, day=15):
    return timezone.make_aware(datetime.datetime(year, month, day, 10, 0))


def test_consultation_counts_by_channel_workstation_and_month(staff, park_user, other_point_user, park_point, log):
    log(staff, channel="hotline", received_at=at(2026, 1, 5))
    log(staff, channel="hotline", received_at=at(2026, 2, 5))
    log(park_user, channel="walk_in", received_at=at(2026, 2, 20))
    log(other_point_user, channel="wechat", received_at=at(2026, 5, 1))
    log(staff, channel="email", received_at=at(2025, 12, 31))  # the year before
    year = selectors.consultation_counts(year=2026)
    assert year["total"] == 4
    channels = {row.key: row.count for row in year["by_channel"]}
    assert channels["hotline"] == 2 and channels["walk_in"] == 1 and channels["wechat"] == 1 and channels["email"] == 0
    points = {row.key: row.count for row in year["by_service_point"]}
    assert points[""] == 2 and points[str(park_point.pk)] == 1
    months = {row.key: row.count for row in year["by_month"]}
    assert months["1"] == 1 and months["2"] == 2 and months["5"] == 1 and len(months) == 12
    q1 = selectors.consultation_counts(year=2026, quarter=1)
    assert q1["total"] == 3 and [row.key for row in q1["by_month"]] == ["1", "2", "3"]
    # A workstation's own cut: only its scope, no center row.
    scoped = selectors.consultation_counts(year=2026, scope=[park_point.pk])
    assert scoped["total"] == 1 and [row.key for row in scoped["by_service_point"]] == [str(park_point.pk)]


def test_a_consultation_counts_in_its_month_in_the_portals_time_zone(staff, log):
    """Late on the last day of March in Beijing is still March, though in UTC it is the afternoon;
    just after midnight on 1 April is April, though in UTC it is still 31 March."""
    local = timezone.get_current_timezone()
    log(staff, received_at=timezone.make_aware(datetime.datetime(2026, 3, 31, 23, 59), local))
    log(staff, received_at=timezone.make_aware(datetime.datetime(2026, 4, 1, 0, 1), local))
    log(staff, received_at=timezone.make_aware(datetime.datetime(2026, 12, 31, 23, 59), local))
    months = {row.key: row.count for row in selectors.consultation_counts(year=2026)["by_month"]}
    assert (months["3"], months["4"], months["12"], sum(months.values())) == (1, 1, 1, 3)
    quarter = {row.key: row.count for row in selectors.consultation_counts(year=2026, quarter=2)["by_month"]}
    assert quarter == {"4": 1, "5": 0, "6": 0}


def test_application_counts_by_channel_and_workstation(park_point):
    submitted(ApplicationFactory(channel=Channel.CONSULTATION, service_point=park_point), when=at(2026, 3, 1))
    submitted(ApplicationFactory(), when=at(2026, 3, 2))
    ApplicationFactory(channel=Channel.CONSULTATION)  # a draft: not received
    counts = selectors.application_counts(year=2026, quarter=1)
    assert counts["total"] == 2
    channels = {row.key: row.count for row in counts["by_channel"]}
    assert channels["consultation"] == 1 and channels["online"] == 1
    assert {row.key: row.count for row in counts["by_service_point"]}[str(park_point.pk)] == 1


def test_case_counts_by_the_workstation_the_application_came_through(staff, park_point):
    from cases.models import Case
    from tests.cases.factories import make_case

    through_park = make_case(staff, service_point=park_point)
    straight = make_case(staff)
    Case.objects.filter(pk__in=[through_park.pk, straight.pk]).update(opened_at=at(2026, 5, 1))
    counts = selectors.case_counts(year=2026, quarter=2)
    assert counts["total"] == 2
    by_point = {row.key: row.count for row in counts["by_service_point"]}
    assert by_point[str(park_point.pk)] == 1 and by_point[""] == 1
    assert selectors.case_counts(year=2026, quarter=2, scope=[park_point.pk])["total"] == 1


def test_an_applicants_consultations_by_link_or_by_credit_code(staff, log):
    organisation = ApplicantFactory()
    linked = log(staff, applicant=organisation)
    by_code = log(staff, organisation_name="未登记前的名称", credit_code=organisation.credit_code)
    log(staff, organisation_name="别家")
    assert list(selectors.consultations_of_applicant(organisation)) == [by_code, linked]


def test_the_statistics_page_for_the_center_and_for_a_workstation(client, staff, park_user, other_point_user, log):
    now = timezone.localtime()
    log(staff, person_name="中心")
    log(park_user, person_name="园区")
    log(other_point_user, person_name="长葛")
    url = reverse("admin:consultations_consultationstatistics_changelist")
    client.force_login(staff)
    page = client.get(url, {"year": now.year}).content.decode()
    assert (
        'data-testid="consultations-by-channel"' in page and "长葛市工作站" in page and "指导中心（直接受理）" in page
    )
    assert client.get(url, {"year": "abc", "quarter": "9"}).status_code == 200
    client.force_login(park_user)
    page = client.get(url, {"year": now.year}).content.decode()
    assert "许昌经开区园区工作站" in page and "长葛市工作站" not in page and "仅统计本工作站" in page


def test_the_statistics_are_kept_per_period_and_scope_until_a_counted_table_is_written_to(
    staff, park_user, park_point, log, django_assert_num_queries
):
    log(staff, received_at=at(2026, 2, 5))
    assert selectors.statistics(year=2026)["consultations"]["total"] == 1
    with django_assert_num_queries(0):  # kept
        assert selectors.statistics(year=2026)["consultations"]["total"] == 1
    log(park_user, received_at=at(2026, 2, 6))
    assert selectors.statistics(year=2026)["consultations"]["total"] == 2  # counted at once
    assert selectors.statistics(year=2026, scope=[park_point.pk])["consultations"]["total"] == 1  # another scope
    assert selectors.statistics(year=2026, quarter=2)["consultations"]["total"] == 0  # another period
    ServicePoint.objects.filter(pk=park_point.pk).update(name="许昌经开区工作站")
    points = selectors.statistics(year=2026)["consultations"]["by_service_point"]
    assert "许昌经开区工作站" in {row.label for row in points}


def test_without_a_shared_cache_the_statistics_are_kept_a_minute(staff, log, settings):
    from portal.cache import clear_cache

    settings.SHARED_CACHE = False  # another process's writes would go unseen
    log(staff, received_at=at(2026, 2, 5))
    assert selectors.statistics(year=2026)["consultations"]["total"] == 1
    log(staff, received_at=at(2026, 2, 6))
    assert selectors.statistics(year=2026)["consultations"]["total"] == 1  # kept
    clear_cache()  # as a minute later
    assert selectors.statistics(year=2026)["consultations"]["total"] == 2


def test_the_statistics_page_is_not_for_applicants(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("admin:consultations_consultationstatistics_changelist"))
    assert response.status_code in {302, 404}


def test_the_page_says_a_new_registration_counts_at_once_only_while_the_shared_cache_answers(
    client, staff, settings, monkeypatch, made_each_time
):
    """With the shared cache answering, a write shows at once; without one, or while it cannot
    answer (the figures are then kept a minute in each process), the page says "within a minute"."""
    from portal import page_cache

    url = reverse("admin:consultations_consultationstatistics_changelist")
    client.force_login(staff)
    settings.SHARED_CACHE = True
    client.get(url)  # the first visit starts the tables' versions
    assert "新登记的数据即时计入" in client.get(url).content.decode()
    monkeypatch.setattr(page_cache, "_get_many", lambda keys: None)  # the cache server does not answer
    assert "新登记的数据在一分钟内计入" in client.get(url).content.decode()
    monkeypatch.undo()
    settings.SHARED_CACHE = False
    assert "新登记的数据在一分钟内计入" in client.get(url).content.decode()
