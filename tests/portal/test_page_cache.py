"""Signed-in pages kept until a table they were made from is written to (portal.page_cache).

Each test looks at what the next visitor is shown: the change made by someone else (through a
service, a queryset's update, a revoked access) must be on the very next page, and a page that
nothing changed is served without being made again."""

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from applications.models import ApplicantAccount, Message
from applications.services.thread import message_post
from portal import page_cache
from portal.models import ServicePoint
from portal.roles import Role
from tests.cases.factories import in_progress_case, signed_letter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _render_refused(*args, **kwargs):
    raise AssertionError("made again instead of served as kept")


@pytest.fixture
def case_page(client, staff, applicant, applicant_org):
    case = in_progress_case(staff, applicant=applicant_org, created_by=applicant)
    message_post(application=case.application, by=applicant, body="第一条留言")
    client.force_login(applicant)
    url = reverse("applications:detail", args=[case.application.pk])
    assert "第一条留言" in client.get(url).content.decode()
    return case, url


def test_a_kept_page_costs_the_session_and_the_person_only(client, case_page, django_assert_num_queries, monkeypatch):
    _case, url = case_page
    first = client.get(url).content
    monkeypatch.setattr("applications.views.render", _render_refused)
    with django_assert_num_queries(2):  # the session and the user, read before any view
        again = client.get(url)
    assert again.status_code == 200
    assert _without_tokens(again.content) == _without_tokens(first)  # each request has its own masked token


def _without_tokens(content):
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def test_a_message_posted_by_the_center_is_on_the_next_page(client, case_page, staff):
    case, url = case_page
    message_post(application=case.application, by=staff, body="中心的答复")
    assert "中心的答复" in client.get(url).content.decode()


def test_a_change_made_without_signals_is_on_the_next_page(client, case_page):
    """A queryset's update sends no signal: the write itself moves the table's version."""
    _case, url = case_page
    Message.objects.filter(body="第一条留言").update(body="改过的留言")
    page = client.get(url).content.decode()
    assert "改过的留言" in page and "第一条留言" not in page


def test_a_write_to_a_table_the_page_does_not_read_keeps_it(client, case_page, monkeypatch):
    """Another visitor's new session is a write the case page does not depend on."""
    from django.contrib.sessions.backends.db import SessionStore

    _case, url = case_page
    client.get(url)
    SessionStore().create()
    monkeypatch.setattr("applications.views.render", _render_refused)
    assert "第一条留言" in client.get(url).content.decode()


def test_a_revoked_access_is_not_served_the_kept_page(client, case_page, applicant):
    _case, url = case_page
    ApplicantAccount.objects.filter(user=applicant).delete()
    assert client.get(url).status_code == 404


def test_a_changed_role_is_not_served_the_kept_page(client, case_page, applicant):
    _case, url = case_page
    applicant.groups.clear()
    assert client.get(url).status_code in (403, 404)


def test_two_people_never_share_a_kept_page(client, case_page, applicant_org):
    _case, url = case_page
    colleague = UserFactory(full_name="周小川", applicant=applicant_org, roles=[Role.APPLICANT])
    other = Client()
    other.force_login(colleague)
    assert "周小川" in other.get(url).content.decode()
    assert "周小川" not in client.get(url).content.decode()


def test_each_session_posts_with_its_own_csrf_token(case_page, applicant):
    """The kept page's message form carries the token of whoever it is sent to."""
    case, url = case_page
    second = Client(enforce_csrf_checks=True)
    second.force_login(applicant)
    page = second.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = second.post(
        reverse("applications:message_create", args=[case.application.pk]),
        {"body": "从第二个浏览器留言", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert "从第二个浏览器留言" in second.get(url).content.decode()


def test_a_page_carrying_a_message_is_shown_once(client, case_page):
    case, url = case_page
    client.get(url)  # kept
    response = client.post(reverse("applications:message_create", args=[case.application.pk]), {"body": "再问一句"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "留言已发送。" in page and "再问一句" in page
    assert "留言已发送。" not in client.get(url).content.decode()


def test_without_the_cache_the_page_is_made_each_time(client, case_page, monkeypatch):
    _case, url = case_page

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(page_cache.cache, "get_many", unreachable)
    monkeypatch.setattr(page_cache.cache, "set_many", unreachable)
    page = client.get(url)
    assert page.status_code == 200 and "第一条留言" in page.content.decode()


def test_a_page_made_while_a_write_committed_is_not_kept(client, case_page, monkeypatch):
    from applications import views

    case, url = case_page
    client.get(url)  # kept
    message_post(application=case.application, by=case.application.created_by, body="第二条留言")
    made = views._detail_context

    def with_a_write_meanwhile(request, application):
        context = made(request, application)
        page_cache.bump_tables({"portal_servicepoint"})  # another process commits a write
        return context

    monkeypatch.setattr(views, "_detail_context", with_a_write_meanwhile)
    assert "第二条留言" in client.get(url).content.decode()
    monkeypatch.setattr(views, "_detail_context", made)
    monkeypatch.setattr("applications.views.render", _render_refused)
    with pytest.raises(AssertionError, match="made again"):
        client.get(url)


def test_the_agency_workspace_shows_a_letter_signed_after_it_was_kept(client, staff, director, agency, agency_user):
    client.force_login(agency_user)
    url = reverse("cases:agency_inbox")
    signed_letter(in_progress_case(staff), staff, director, [agency], subject="第一封函")
    assert "第一封函" in client.get(url).content.decode()
    signed_letter(in_progress_case(staff), staff, director, [agency], subject="第二封函")
    assert "第二封函" in client.get(url).content.decode()


# --- The writes every page follows -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('INSERT INTO "applications_message" ("body") VALUES (%s)', ("applications_message",)),
        ('UPDATE "cases_case" SET "status" = %s', ("cases_case",)),
        ('DELETE FROM "knowledge_law" WHERE "id" IN (%s)', ("knowledge_law",)),
        ('TRUNCATE "a_one", "b_two" RESTART IDENTITY CASCADE;', ("a_one", "b_two")),
        ("TRUNCATE TABLE plain_name", ("plain_name",)),
        ('SELECT "id" FROM "cases_case" FOR UPDATE', ()),
    ],
)
def test_written_tables_are_read_from_the_statement(sql, tables):
    assert page_cache._written_tables(sql) == tables


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_does_not_stop_the_next_commit_moving_versions(monkeypatch):
    moved = []
    monkeypatch.setattr(page_cache, "bump_tables", lambda tables: moved.append(set(tables)))
    with pytest.raises(RuntimeError), transaction.atomic():
        ServicePoint.objects.create(name="回滚的工作站", level=ServicePoint.Level.DISTRICT, region="太原市")
        raise RuntimeError
    moved.clear()
    with transaction.atomic():
        ServicePoint.objects.create(name="提交的工作站", level=ServicePoint.Level.DISTRICT, region="太原市")
        assert moved == [{"portal_servicepoint"}]  # at once, for this transaction's own reads
    assert moved == [{"portal_servicepoint"}, {"portal_servicepoint"}]  # and after the commit, for everyone
    assert connection.in_atomic_block is False


def test_the_staff_case_list_is_kept_until_a_case_changes(client, staff, django_assert_num_queries, monkeypatch):
    first = in_progress_case(staff)
    client.force_login(staff)
    url = reverse("admin:cases_case_changelist")
    assert first.number in client.get(url).content.decode()  # (a first page starts the tables' versions)
    assert first.number in client.get(url).content.decode()  # made and kept
    monkeypatch.setattr("django.contrib.admin.options.TemplateResponse", _render_refused)
    with django_assert_num_queries(3):  # the session, the user and their authenticator
        assert first.number in client.get(url).content.decode()
    monkeypatch.undo()
    second = in_progress_case(staff)
    page = client.get(url).content.decode()
    assert first.number in page and second.number in page


def test_an_update_of_no_row_moves_no_version(monkeypatch, applicant):
    """Marking notifications read when none are unread changes nothing: no page is made old."""
    from portal.models import Notification

    moved = []
    monkeypatch.setattr(page_cache, "bump_tables", lambda tables: moved.append(set(tables)))
    Notification.objects.filter(recipient=applicant, read_at__isnull=True).update(read_at="2026-12-01T08:00:00Z")
    assert moved == []
    Notification.objects.create(recipient=applicant, subject="案件有新进展", body="…")
    assert {"portal_notification"} in moved


def test_a_write_elsewhere_while_the_page_is_made_does_not_stop_it_being_kept(client, case_page, monkeypatch):
    """Once the process knows a view's tables, only a write to one of them spoils the page being made."""
    from applications import views

    _case, url = case_page
    client.get(url)  # kept
    page_cache.bump_tables({"applications_message"})  # the kept page is old now
    made = views._detail_context

    def with_a_write_elsewhere(request, application):
        context = made(request, application)
        _another_visitors_session()
        return context

    monkeypatch.setattr(views, "_detail_context", with_a_write_elsewhere)
    client.get(url)  # made again, while another visitor's session was written
    monkeypatch.setattr(views, "_detail_context", made)
    monkeypatch.setattr("applications.views.render", _render_refused)
    assert "第一条留言" in client.get(url).content.decode()


def _another_visitors_session():
    """Sessions extended: a write to a table the case page does not read (and no read of it)."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE django_session SET expire_date = expire_date")


def test_a_value_kept_until_written_is_made_again_after_a_write_only():
    made = []

    def count_points():
        made.append(1)
        return ServicePoint.objects.count()

    def read():
        return page_cache.kept_until_written(("points",), count_points, [ServicePoint], 60)

    first = read()
    assert read() == first and len(made) == 1
    ServicePoint.objects.create(name="新设工作站", level=ServicePoint.Level.DISTRICT, region="太原市")
    assert read() == first + 1 and len(made) == 2


@pytest.mark.django_db(transaction=True)
def test_a_value_made_before_a_write_commits_is_not_served_after_the_commit():
    def read(value):
        return page_cache.kept_until_written(("points-committed",), lambda: value, [ServicePoint], 60)

    with transaction.atomic():
        ServicePoint.objects.create(name="新设工作站", level=ServicePoint.Level.DISTRICT, region="太原市")
        # Made before the commit, as another connection reading then would: the old state.
        assert read("before the commit") == "before the commit"
    assert read("after the commit") == "after the commit"
