from django import template

from cases.selectors import dashboard
from portal.roles import is_center_member

register = template.Library()


@register.simple_tag(takes_context=True)
def case_dashboard(context):
    """The staff dashboard's figures for the admin index (empty for anyone else)."""
    user = context["request"].user
    if not is_center_member(user):
        return None
    return dashboard(user)
