"""The lock-out page says how long the lock lasts, as configured (AXES_COOLOFF_MINUTES)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def lockout_minutes():
    """AXES_COOLOFF_TIME is kept in hours; the page speaks in whole minutes."""
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
