"""Read-side queries: the live figures an agenda is built from, and the calendar.

`period_statistics` is the one reader of a period's case figures. Overdue cases are not
computed here: the agenda takes `cases.selectors.overdue_cases`, the one answer."""

import datetime
from collections import Counter

from django.db.models import Q
from django.utils import timezone

from applications.choices import DisputeLevel, DisputeType, RightType
from applications.countries import country_name
from cases.models import Case
from meetings.models import ActionItem, JointMeeting
from meetings.permissions import visible_action_items, visible_meetings
from portal.roles import is_center_member

CASE_ENDED = {Case.Status.CLOSED, Case.Status.TERMINATED}


def _day_bounds(first, last):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def period_statistics(first, last):
    """New cases in [first, last] by country, right type and dispute type, and cases closed."""
    start, end = _day_bounds(first, last)
    new_cases = list(
        Case.objects.filter(opened_at__gte=start, opened_at__lt=end).values_list(
            "application__countries", "application__right_types", "application__dispute_types"
        )
    )
    by_country, by_right, by_dispute = Counter(), Counter(), Counter()
    for countries, rights, disputes in new_cases:
        # values_list bypasses from_db_value on joined fields on some backends: normalise.
        for bucket, value in ((by_country, countries), (by_right, rights), (by_dispute, disputes)):
            items = value if isinstance(value, list) else [p for p in (value or "").split("|") if p]
            bucket.update(items)
    closed = Case.objects.filter(status=Case.Status.CLOSED, closed_at__gte=start, closed_at__lt=end).count()
    rights = dict(RightType.choices)
    disputes = dict(DisputeType.choices)
    return {
        "period_start": first.isoformat(),
        "period_end": last.isoformat(),
        "new_cases": len(new_cases),
        "closed_cases": closed,
        "by_country": [[str(country_name(code)), n] for code, n in by_country.most_common()],
        "by_right_type": [[str(rights.get(code, code)), n] for code, n in by_right.most_common()],
        "by_dispute_type": [[str(disputes.get(code, code)), n] for code, n in by_dispute.most_common()],
    }


def open_major_cases():
    return (
        Case.objects.exclude(status__in=CASE_ENDED)
        .filter(level=DisputeLevel.MAJOR)
        .select_related("application")
        .order_by("opened_at")
    )


def open_action_items(*, before_meeting=None):
    items = ActionItem.objects.filter(status=ActionItem.Status.OPEN).select_related(
        "meeting", "assignee_agency", "assignee_user"
    )
    if before_meeting is not None:
        items = items.exclude(meeting=before_meeting)
    return items.order_by("due_date", "pk")


def calendar_meetings_for(user, queryset=None):
    """The meetings on the user's calendar. Center members also see the meetings still being
    planned (the next quarter's, with its chair by rotation, before a date is set); partner
    agencies see a meeting once it is convened."""
    meetings = visible_meetings(user).exclude(status=JointMeeting.Status.CANCELLED)
    planned = Q(status=JointMeeting.Status.PLANNED) if is_center_member(user) else Q(pk__in=[])
    return (
        meetings.filter(Q(starts_at__isnull=False) | planned)
        .select_related("chair__user")
        .order_by("-starts_at", "-year", "-quarter")
    )


def agency_action_items(user):
    """Action items assigned to the user's agency or to the user in person."""
    condition = Q(assignee_user=user)
    if user.agency_id:
        condition |= Q(assignee_agency_id=user.agency_id)
    return visible_action_items(user).filter(condition).select_related("meeting", "assignee_agency", "assignee_user")
