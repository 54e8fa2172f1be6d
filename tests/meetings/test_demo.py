"""The demo data: two past quarters held with minutes and action items, the current one planned."""

import io

import pytest
from django.utils import timezone

from meetings import demo
from meetings.models import ActionItem, JointMeeting, Minutes, quarter_of


@pytest.mark.django_db
def test_the_demo_seeds_two_held_quarters_and_plans_the_current_one_and_runs_twice():
    from portal import demo as portal_demo

    out = io.StringIO()
    portal_demo.seed(out)
    demo.seed(out)
    demo.seed(out)
    today = timezone.localdate()
    regular = JointMeeting.objects.filter(kind="regular")
    assert regular.filter(status="closed").count() == 2
    planned = regular.get(status="planned")
    assert (planned.year, planned.quarter) == (today.year, quarter_of(today))
    assert Minutes.objects.filter(status="approved").count() == 2
    assert ActionItem.objects.count() == 4
    assert ActionItem.objects.filter(status="done").count() == 1
    chairs = {m.chair_id for m in regular.filter(status="closed")}
    assert len(chairs) == 2  # the two deputies took their turns
