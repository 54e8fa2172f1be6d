"""What the services of applications share: locking, links, telling the applicant and staff."""

from django.urls import reverse

from applications.models import Application
from applications.selectors import members_of
from portal.models import SiteConfiguration
from portal.notifications import notify, send_email

S = Application.Status

EDITABLE = {S.DRAFT, S.RETURNED}

# Reminders go out this many working days before a deadline.
REMIND_WORKING_DAYS_BEFORE = 2


def lock(application):
    """The application's row, locked until the end of the current transaction."""
    return Application.objects.select_for_update().get(pk=application.pk)


def applicant_users(application):
    """The organisation's active applicant users: they all hear about their applications."""
    return members_of(application.applicant)


def tell_applicant(application, *, subject, body, link="", extra=()):
    """Notify the organisation's users (inbox and e-mail), and e-mail the contact person named
    on the form too when that address belongs to none of them."""
    users = [*applicant_users(application), *extra]
    notify(users, subject=subject, body=body, link=link)
    contact = (application.contact_email or "").strip().lower()
    if contact and contact not in {(user.email or "").lower() for user in users}:
        send_email([contact], subject=subject, body=body, link=link)


def detail_link(application):
    return reverse("applications:detail", args=[application.pk])


def admin_link(application):
    return reverse("admin:applications_application_change", args=[application.pk])


def application_number(year, value):
    prefix = SiteConfiguration.get().application_number_prefix
    return f"{prefix}-{year}-{value:06d}"


def case_of(application):
    """The case opened for an accepted application (by the cases app), or None."""
    return getattr(application, "case", None) if application.status == S.ACCEPTED else None


def audit_scope(application):
    """Where entries about the application's files and thread belong: its case once there is
    one (so the case's timeline holds them), the application before."""
    return case_of(application) or application


def case_ended(application):
    """Whether the application's case has ended (closed or terminated): the case records the
    moment in `closed_at`, which only an ending sets."""
    case = case_of(application)
    return case is not None and getattr(case, "closed_at", None) is not None
