"""The admin overview's notice of e-mail that could not be delivered, for staff to look at."""

from django import template
from django.urls import reverse

from portal.models import EmailDelivery
from portal.roles import is_center_member

register = template.Library()


@register.simple_tag(takes_context=True)
def failed_emails(context):
    """{"count": n, "url": ...} when e-mails failed for good, else None."""
    request = context.get("request")
    if request is None or not is_center_member(request.user):
        return None
    count = EmailDelivery.objects.filter(status=EmailDelivery.Status.FAILED).count()
    if not count:
        return None
    return {"count": count, "url": reverse("admin:portal_emaildelivery_changelist") + "?status=failed"}
