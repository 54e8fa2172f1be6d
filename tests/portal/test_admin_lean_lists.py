"""A change list reads only what it shows (portal.admin_lists.LeanChangeList): of its own rows, all
but the long texts no column is named after; of the related rows it joins for their names
(list_select_related), the columns the names are made of. The notifications' list reads each
message's subject but not its body, and each recipient's name and e-mail, not the password hash."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.admin_lists import _joined_paths
from portal.models import Notification, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _page_and_rows_query(client, table, related="JOIN"):
    """The list page's HTML and the SQL of its rows' query (the one reading the table with its
    related rows: joined, or apart by subqueries); the table is named as the list is (app_model)."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse(f"admin:{table}_changelist")).content.decode()
    rows = [query["sql"] for query in queries if f'FROM "{table}"' in query["sql"] and related in query["sql"]]
    assert len(rows) == 1
    return page, rows[0]


def test_the_list_reads_the_subjects_and_of_each_recipient_only_what_shows_their_name(client, staff):
    for index in range(3):
        recipient = UserFactory(full_name=f"收件人{index}")
        Notification.objects.create(recipient=recipient, subject=f"通知 {index}")
    client.force_login(staff)
    page, rows = _page_and_rows_query(client, "portal_notification")
    assert '"portal_user"."full_name"' in rows and '"portal_user"."email"' in rows
    assert '"portal_user"."password"' not in rows and '"portal_user"."date_joined"' not in rows
    assert '"portal_notification"."subject"' in rows and '"portal_notification"."body"' not in rows
    for index in range(3):
        assert f"收件人{index}" in page


def test_the_joined_rows_include_those_on_the_way():
    from api.models import ApiCall

    joined = ApiCall.objects.select_related("client", "token", "token__client").query.select_related
    assert dict(_joined_paths(ApiCall, joined)) == {
        "client": ApiCall._meta.get_field("client").related_model,
        "token": ApiCall._meta.get_field("token").related_model,
        "token__client": ApiCall._meta.get_field("client").related_model,
    }
    assert _joined_paths(User, True) == [] and _joined_paths(User, False) == []


def test_rows_the_admin_joins_itself_are_read_lean_too(client, director):
    """The work reports' admin joins the meeting, authors and signers in its get_queryset, where
    Django then leaves list_select_related aside: their names are read (apart, three related rows:
    portal.admin_lists.READ_APART_FROM), not their password hashes, and the report's own long texts
    are left unread."""
    from reporting.models import WorkReport
    from reporting.services import work_report_draft

    work_report_draft(kind=WorkReport.Kind.QUARTERLY, year=2026, quarter=1, by=director)
    client.force_login(director)
    page, rows = _page_and_rows_query(client, "reporting_workreport", related=" apart ")
    assert 'apart."full_name"' in rows and '"password"' not in rows
    assert '"reporting_workreport"."overview"' not in rows
    assert director.full_name in page


def test_a_named_row_the_list_joins_through_keeps_its_key(client, staff, monkeypatch):
    """The API calls' list joins each call's token and the token's client: were tokens to say
    which fields their names need, the token's key to its client would still be read."""
    from api.models import ApiToken

    monkeypatch.setattr(ApiToken, "name_fields", ("prefix",), raising=False)
    client.force_login(staff)
    assert client.get(reverse("admin:api_apicall_changelist")).status_code == 200


def test_a_column_read_apart_from_the_same_table_reads_the_row_the_key_points_to():
    """The subquery names its table apart: a key to a row of the list's own table (a user's to a
    user) is compared with the outer row's key, not with the subquery's own rows."""
    from portal.expressions import RelatedColumn

    first, second = UserFactory(email="first@example.cn"), UserFactory(email="second@example.cn")
    emails = User.objects.filter(pk__in=[first.pk, second.pk]).annotate(
        own_email=RelatedColumn("id", User._meta.get_field("email"))
    )
    assert {user.email: user.own_email for user in emails} == {
        "first@example.cn": "first@example.cn",
        "second@example.cn": "second@example.cn",
    }
