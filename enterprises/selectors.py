"""What the register shows about a key enterprise: its consultations, applications, training and the
warnings sent to its liaison officers. Each takes the viewing user, so that a workstation's staff see
only what their own scope allows of another app's records."""

from django.db.models import Q

from applications.permissions import visible_applications
from consultations.permissions import visible_consultations
from enterprises.models import LiaisonOfficer, WarningDelivery
from knowledge.models import Registration

# Rows each table on the enterprise's page shows (the newest first).
PAGE_ROWS = 50


def _by_applicant_or_code(enterprise):
    """Records that name the enterprise: through its linked applicant, or by its credit code."""
    condition = Q(credit_code=enterprise.credit_code)
    if enterprise.applicant_id:
        condition |= Q(applicant_id=enterprise.applicant_id)
    return condition


def enterprise_consultations(enterprise, *, user):
    return (
        visible_consultations(user)
        .filter(_by_applicant_or_code(enterprise))
        .select_related("applicant", "service_point")
        .order_by("-received_at")
    )


def enterprise_applications(enterprise, *, user):
    return (
        visible_applications(user)
        .filter(_by_applicant_or_code(enterprise))
        .select_related("applicant")
        .order_by("-created_at")
    )


def enterprise_registrations(enterprise):
    """Its registrations for training sessions, salons and trade fairs, however it registered:
    under its name, by an account of its applicant, or by one of its liaison officers' addresses.
    A registration names its organisation in free text; the name must match exactly."""
    condition = Q(organisation=enterprise.name.strip())
    if enterprise.applicant_id:
        condition |= Q(user__applicant_account__applicant_id=enterprise.applicant_id)
    emails = LiaisonOfficer.objects.filter(enterprise=enterprise).values("email")
    condition |= Q(email__in=emails)
    return (
        Registration.objects.filter(condition)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("event")
        .order_by("-event__starts_at")
        .distinct()
    )


def enterprise_warnings_sent(enterprise):
    return (
        WarningDelivery.objects.filter(officer__enterprise=enterprise)
        .select_related("warning", "officer")
        .order_by("-sent_at")
    )


def enterprise_page(enterprise, *, user, rows=PAGE_ROWS):
    """The four tables of the enterprise's page, each cut to `rows` rows, with their full counts."""

    def cut(queryset):
        items = list(queryset[: rows + 1])
        return {"items": items[:rows], "more": len(items) > rows}

    return {
        "consultations": cut(enterprise_consultations(enterprise, user=user)),
        "applications": cut(enterprise_applications(enterprise, user=user)),
        "registrations": cut(enterprise_registrations(enterprise)),
        "warnings_sent": cut(enterprise_warnings_sent(enterprise)),
    }


def markets_in_use(queryset):
    """The market codes that occur in `queryset` (for the admin's filter)."""
    codes = set()
    for value in queryset.order_by().values_list("markets", flat=True).distinct():
        codes.update(value or [])
    return codes
