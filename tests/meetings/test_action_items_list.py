"""The action items' admin list reads each item's meeting, agency, person and minutes' status by a
subquery of one column each (portal.expressions.RelatedColumn) instead of joining four tables, and
shows staff exactly what the joins showed: the same cells, an empty one where an item has no
person or no agency, the "minutes not approved" note where its minutes are a draft."""

import datetime
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import ActionItem, Minutes
from portal import admin_lists

pytestmark = pytest.mark.django_db

LIST = "admin:meetings_actionitem_changelist"


@pytest.fixture
def items(issued, agency_user, staff):
    """The approved minutes' item for an agency (and no person), one for a person (and no agency),
    and one on the meeting's draft minutes."""
    ActionItem.objects.create(
        meeting=issued.meeting,
        minutes=issued.minutes,
        agenda_item=issued.agenda_item,
        title="提交海关备案数据",
        assignee_user=agency_user,
        due_date=issued.due_date + datetime.timedelta(days=5),
        created_by=staff,
    )
    draft = Minutes.objects.create(meeting=issued.meeting, version=2, created_by=staff, status=Minutes.Status.DRAFT)
    ActionItem.objects.create(
        meeting=issued.meeting,
        minutes=draft,
        agenda_item=issued.agenda_item,
        title="纪要待批的事项",
        assignee_agency=issued.assignee_agency,
        due_date=issued.due_date + datetime.timedelta(days=9),
        created_by=staff,
    )
    return ActionItem.objects.order_by("due_date", "pk")


def _rows_and_query(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse(LIST)).content.decode()
    rows_query = [sql for query in queries if '"meetings_actionitem"."title"' in (sql := query["sql"])]
    assert len(rows_query) == 1
    return re.search(r"<tbody>.*</tbody>", page, re.S).group(0), rows_query[0]


def test_the_list_shows_what_the_joins_showed_without_joining(client, staff, items, monkeypatch):
    client.force_login(staff)
    rows, rows_query = _rows_and_query(client)
    assert "JOIN" not in rows_query
    assert 'apart."title"' in rows_query and 'apart."full_name"' in rows_query

    monkeypatch.setattr(admin_lists, "READ_APART_FROM", 99)
    joined_rows, joined_query = _rows_and_query(client)
    assert '"meetings_jointmeeting"."title"' in joined_query and "JOIN" in joined_query
    assert rows == joined_rows

    first = items.first()
    for shown in (first.meeting.title, first.assignee_agency.name, "陈静", "纪要待批的事项", "纪要未批准"):
        assert shown in rows
    assert rows.count("纪要未批准") == 1


def test_an_action_or_an_export_reads_the_items_with_their_related_rows_joined(staff, items):
    """Only the page's rows are read column by column: what an action is given makes the related
    rows as Django does."""
    request = RequestFactory().get(reverse(LIST))
    request.user = staff
    changelist = admin.site._registry[ActionItem].get_changelist_instance(request)
    assert "_apart_meeting_title" in changelist.result_list.query.annotations
    again = changelist.get_queryset(request)
    assert set(again.query.select_related) == {"meeting", "assignee_agency", "assignee_user"}
    assert not any(name.startswith("_apart_") for name in again.query.annotations)
    with CaptureQueriesContext(connection) as queries:
        names = [(item.meeting.title, item.assignee_user and item.assignee_user.full_name) for item in again]
    assert len(queries) == 1 and len(names) == 3
