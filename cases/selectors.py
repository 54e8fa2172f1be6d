"""Read-side queries of the case workplace: badges and the dashboard."""

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from cases.models import OPEN_STATUSES, AssistanceLetter, Case, LetterRecipient
from documents.models import GuidanceOpinion
from portal.workdays import add_working_days

DUE_SOON_WORKING_DAYS = 2


def deadline_state(due_date, today, soon):
    """'overdue', 'soon' or '' for a deadline, given today and the due-soon limit."""
    if due_date is None:
        return ""
    if due_date < today:
        return "overdue"
    if due_date <= soon:
        return "soon"
    return ""


DEADLINE_LABELS = {"overdue": _("已逾期"), "soon": _("即将到期")}


def due_soon_limit(today=None):
    today = today or timezone.localdate()
    return add_working_days(today, DUE_SOON_WORKING_DAYS)


def overdue_cases(today=None):
    today = today or timezone.localdate()
    return Case.objects.filter(status__in=OPEN_STATUSES, due_date__lt=today)


def letters_awaiting_answers():
    return AssistanceLetter.objects.filter(status=AssistanceLetter.Status.SIGNED).filter(
        Exists(LetterRecipient.objects.filter(letter=OuterRef("pk"), answered_at__isnull=True))
    )


def dashboard(user, today=None):
    """Counts and short lists for the staff dashboard on the admin index."""
    today = today or timezone.localdate()
    mine = Case.objects.filter(handler=user, status__in=OPEN_STATUSES)
    awaiting_signature = AssistanceLetter.objects.filter(status=AssistanceLetter.Status.AWAITING_SIGNATURE)
    opinions_awaiting = GuidanceOpinion.objects.filter(status=GuidanceOpinion.Status.APPROVED)
    new_applications = Application.objects.filter(status=Application.Status.SUBMITTED)
    overdue = overdue_cases(today)
    letters = letters_awaiting_answers()
    return {
        "my_cases": list(mine.order_by("due_date")[:8]),
        "my_cases_count": mine.count(),
        "overdue": list(overdue.select_related("handler").order_by("due_date")[:8]),
        "overdue_count": overdue.count(),
        "awaiting_signature": list(awaiting_signature.select_related("case").order_by("created_at")[:8]),
        "awaiting_signature_count": awaiting_signature.count(),
        "opinions_awaiting_signature": list(opinions_awaiting.select_related("case").order_by("reviewed_at", "pk")[:8]),
        "opinions_awaiting_signature_count": opinions_awaiting.count(),
        "new_applications": list(new_applications.order_by("submitted_at")[:8]),
        "new_applications_count": new_applications.count(),
        "letters_awaiting": list(letters.select_related("case").order_by("due_date")[:8]),
        "letters_awaiting_count": letters.count(),
        "today": today,
        "soon": due_soon_limit(today),
    }
