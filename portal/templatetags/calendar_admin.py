"""The admin overview's warning when the working-day calendar of this or next year is missing."""

from django import template
from django.urls import reverse

from portal.roles import is_center_member
from portal.workdays import missing_calendar_years

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_warning(context):
    """{"years": [...], "url": ...} when staff should act, else None."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_center_member(user):
        return None
    years = missing_calendar_years()
    if not years:
        return None
    return {"years": years, "url": reverse("admin:portal_calendarday_changelist")}
