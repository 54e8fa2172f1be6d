"""The front-end pages under load: the number of queries each costs is pinned, and does not grow with
what the page lists. (Their speed under gunicorn is measured by tests/bench/bench_load.py; no test
here times anything.)

Counts are those of the test settings: sessions in the database (one query a signed-in page; with
Redis configured, production reads them from Redis instead) and the cache in the process's memory."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.services.thread import message_post
from experts import services as expert_services
from knowledge.caching import content_changed
from portal.models import Notification, SiteConfiguration
from tests.cases.factories import in_progress_case, signed_letter
from tests.experts.factories import expert_with_login, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _center_configured(db):
    # The configuration row is created by the first page ever shown; not what is counted here.
    SiteConfiguration.get()


def _count(django_assert_num_queries, client, url, expected):
    client.get(url)  # what a first visit fills in (content types, the unread count) is not counted
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200, url
    return response


# --- Signed in ------------------------------------------------------------------------------------
# session, user, roles, the organisation, the application, its feedback, two of the audit log (the
# application's steps and the case's), the documents (ready and pending at once), the messages and
# their files, the evidence (the unread count is cached).
APPLICANT_CASE_PAGE = 12


def test_applicant_case_page_costs_the_same_however_long_its_thread(
    client, staff, applicant, applicant_org, django_assert_num_queries, made_each_time
):
    case = in_progress_case(staff, applicant=applicant_org, created_by=applicant)
    url = reverse("applications:detail", args=[case.application.pk])
    client.force_login(applicant)
    message_post(application=case.application, by=applicant, body="第一条留言")
    page = _count(django_assert_num_queries, client, url, APPLICANT_CASE_PAGE)
    assert "第一条留言" in page.content.decode()
    for n in range(4):
        message_post(application=case.application, by=applicant, body=f"又一条留言{n}")
    page = _count(django_assert_num_queries, client, url, APPLICANT_CASE_PAGE)
    assert "又一条留言3" in page.content.decode()


# session, user, its authenticator (second factor), roles, the agency, the letters (the unread count is cached).
AGENCY_WORKSPACE = 6


def test_agency_workspace_costs_the_same_however_many_letters(
    client, staff, director, agency, agency_user, django_assert_num_queries, made_each_time
):
    case = in_progress_case(staff)
    signed_letter(case, staff, director, [agency], subject="商请核查海关备案")
    client.force_login(agency_user)
    url = reverse("cases:agency_inbox")
    assert "商请核查海关备案" in _count(django_assert_num_queries, client, url, AGENCY_WORKSPACE).content.decode()
    for n in range(2):
        signed_letter(in_progress_case(staff), staff, director, [agency], subject=f"又一封函{n}")
    assert "又一封函1" in _count(django_assert_num_queries, client, url, AGENCY_WORKSPACE).content.decode()


# session, user, roles, the expert, the invitations (pending and answered at once), the assignments,
# two kinds of seminar seats, the periods away (the unread count is cached).
EXPERT_WORKSPACE = 9


def test_expert_workspace_costs_the_same_however_many_invitations(
    client, staff, django_assert_num_queries, made_each_time
):
    expert = expert_with_login(name="吴志远", max_concurrent_cases=10)
    deadline = timezone.now() + timezone.timedelta(days=3)
    first = make_case()
    invitation = expert_services.expert_invite(case=first, expert=expert, by=staff, deadline=deadline)
    expert_services.invitation_accept(invitation=invitation, by=expert.user)
    expert_services.expert_invite(case=make_case(), expert=expert, by=staff, deadline=deadline)
    client.force_login(expert.user)
    url = reverse("experts:workspace")
    _count(django_assert_num_queries, client, url, EXPERT_WORKSPACE)
    for _ in range(3):
        expert_services.expert_invite(case=make_case(), expert=expert, by=staff, deadline=deadline)
    page = _count(django_assert_num_queries, client, url, EXPERT_WORKSPACE).content.decode()
    assert page.count("咨询邀请") >= 4


def test_the_unread_count_is_counted_once_a_minute_and_cleared_by_reading(client, applicant):
    client.force_login(applicant)
    Notification.objects.create(recipient=applicant, subject="案件有新进展", body="…")
    assert 'badge text-bg-warning">1<' in client.get(reverse("applications:mine")).content.decode()
    client.get(reverse("portal:notifications"))
    assert "text-bg-warning" not in client.get(reverse("applications:mine")).content.decode()


# --- Anonymous visitors ----------------------------------------------------------------------------
def test_home_page_is_served_from_the_cache_until_something_is_published(client, django_assert_num_queries):
    first = client.get(reverse("portal:home"))
    assert first.status_code == 200
    page = _count(django_assert_num_queries, client, reverse("portal:home"), 0)
    assert page.content.decode().count("<section") == first.content.decode().count("<section") > 0
    content_changed()  # a publish
    with django_assert_num_queries(4):  # the latest warnings, the next events, the counts, the agencies
        client.get(reverse("portal:home"))


def test_home_page_of_a_signed_in_user_is_never_shared(client, applicant):
    client.get(reverse("portal:home"))
    client.force_login(applicant)
    assert applicant.full_name in client.get(reverse("portal:home")).content.decode()


def test_verification_page_costs_no_query(client, django_assert_num_queries):
    page = _count(django_assert_num_queries, client, reverse("documents:verify"), 0)  # the configuration is cached
    assert 'name="code"' in page.content.decode()
    again = _count(django_assert_num_queries, client, reverse("documents:verify"), 0)
    assert 'name="code"' in again.content.decode()


def test_a_cached_page_carries_each_visitors_own_csrf_token(client):
    """The home page's language switch posts with a CSRF token: a page from the cache carries a token
    that the visitor it is sent to can post with."""
    import re

    from django.test import Client

    client.get(reverse("portal:home"))  # rendered for another visitor, and kept
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(reverse("portal:home")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = visitor.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_service_point_directory_reads_its_rows_once(client, django_assert_num_queries):
    from portal.models import ServicePoint

    ServicePoint.objects.create(name="魏都区工作站", level=ServicePoint.Level.DISTRICT, region="许昌市魏都区")
    url = reverse("knowledge:service_points")
    assert "魏都区工作站" in _count(django_assert_num_queries, client, url, 1).content.decode()
    assert "魏都区工作站" in _count(django_assert_num_queries, client, url, 1).content.decode()  # from the cache
    ServicePoint.objects.filter(name="魏都区工作站").update(hotline="0374-1234567")
    assert "0374-1234567" in _count(django_assert_num_queries, client, url, 1).content.decode()


def _render_refused(*args, **kwargs):
    raise AssertionError("rendered again instead of served from the cache")


def test_verification_page_is_rendered_once_for_anonymous_visitors(client, monkeypatch):
    from django.test import Client

    client.get(reverse("documents:verify"))
    monkeypatch.setattr("documents.views.render", _render_refused)
    visitor = Client()
    page = visitor.get(reverse("documents:verify"))
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    assert visitor.cookies["csrftoken"].value


def test_service_point_directory_is_rendered_once_per_version_of_its_rows(client, monkeypatch):
    from portal.models import ServicePoint

    ServicePoint.objects.create(name="魏都区工作站", level=ServicePoint.Level.DISTRICT, region="许昌市魏都区")
    url = reverse("knowledge:service_points")
    client.get(url)
    monkeypatch.setattr("knowledge.views.service_points.render", _render_refused)
    assert "魏都区工作站" in client.get(url).content.decode()
    ServicePoint.objects.filter(name="魏都区工作站").update(hotline="0374-1234567")
    with pytest.raises(AssertionError, match="rendered again"):
        client.get(url)
