"""Read-side queries of the case workplace: badges, the dashboard, the one list of overdue
cases, and the letter history an agency may read."""

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from applications.services.deadlines import foreign_deadline_bounds
from cases.models import OPEN_STATUSES, AssistanceLetter, Case, ExtensionRequest, GuidanceOpinion, LetterRecipient
from portal.audit import LogEntry
from portal.cache import cache_get, cache_set
from portal.page_cache import depends_on
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


# What a staff list or the dashboard may show a minute late (read from the cache, else computed).
LIST_CACHE_SECONDS = 60


def list_windows(today=None):
    """The deadline windows the staff lists compare dates with, for `today`: the due-soon limit
    ("soon") and the windows of the deadline abroad ("foreign", foreign_deadline_bounds). Both
    come from the working-day calendar, read at most once a minute instead of on every page."""
    today = today or timezone.localdate()
    key = f"cases:list-windows:{today.isoformat()}"
    windows = cache_get(key)
    if windows is None:
        windows = {"soon": due_soon_limit(today), "foreign": foreign_deadline_bounds(today)}
        cache_set(key, windows, LIST_CACHE_SECONDS)
    return windows


# Stages in which the guidance opinion is still to come.
OPINION_PENDING = (
    Case.Status.ACCEPTED,
    Case.Status.IN_PROGRESS,
    Case.Status.AWAITING_INPUT,
    Case.Status.OPINION_DRAFTED,
)


def late_opinion(today):
    """The one test of a late guidance opinion, as a filter on cases: the opinion still to come
    (waiting for an agency or an expert included: its deadline runs on), not paused while the
    applicant is asked for input (`opinion_due` moves on when the answer comes), and its deadline
    passed before `today`. The joint meeting's agenda, the case list's filter and the statistics
    all count with it."""
    return Q(status__in=OPINION_PENDING, input_requested_at__isnull=True, opinion_due__lt=today)


def overdue_cases(today=None, *, opinion_only=False):
    """The one answer to "which cases are overdue": open cases whose deadline passed before
    `today` (default: today). The deadlines are the ones the services keep on the case, so a
    pause for the applicant's input (no deadline while it waits, the opinion deadline moved on
    by the days it waited) and the working-day calendar count the same everywhere.

    By default the deadline of the stage the case is in (first contact, then the opinion): the
    staff dashboard and the list filter. With `opinion_only`, the cases whose guidance opinion
    is late (the opinion still to come, not waiting for the applicant, `opinion_due` passed):
    the joint meeting's agenda. Ordered by the deadline, oldest first."""
    today = today or timezone.localdate()
    cases = Case.objects.select_related("application", "handler")
    if opinion_only:
        return cases.filter(late_opinion(today)).order_by("opinion_due", "opened_at")
    return cases.filter(status__in=OPEN_STATUSES, due_date__lt=today).order_by("due_date", "opened_at")


def letters_awaiting_answers():
    return AssistanceLetter.objects.filter(status=AssistanceLetter.Status.SIGNED).filter(
        Exists(LetterRecipient.objects.filter(letter=OuterRef("pk"), answered_at__isnull=True))
    )


def dashboard(user, today=None):
    """Counts and short lists for the staff dashboard on the admin index.

    The user's own cases are read live (a short list and a count on the handler's index); what every
    staff member sees alike (overdue cases, letters and opinions to sign, new applications, letters
    awaiting answers) is computed once for everyone (shared_dashboard) instead of in ten queries on
    every visit of the index, and again after any audited change or a minute at the latest."""
    today = today or timezone.localdate()
    mine = Case.objects.filter(handler=user, status__in=OPEN_STATUSES)
    return {
        "my_cases": list(mine.only("pk", "number", "applicant_name", "due_date").order_by("due_date", "pk")[:8]),
        "my_cases_count": mine.count(),
        **shared_dashboard(today),
        "today": today,
    }


# Moved by every audited change (cases.receivers): a letter sent for signing, an application
# submitted, a case closed show on the dashboard at once; otherwise it is kept LIST_CACHE_SECONDS.
DASHBOARD_VERSION_KEY = "cases:dashboard:version"


def dashboard_changed():
    cache_set(DASHBOARD_VERSION_KEY, uuid.uuid4().hex, None)


def shared_dashboard(today):
    key = f"cases:dashboard:{today.isoformat()}:{cache_get(DASHBOARD_VERSION_KEY, '')}"
    # A kept dashboard page (portal.page_cache) follows what these figures are made from, cached or not.
    depends_on(LogEntry, AssistanceLetter, LetterRecipient, GuidanceOpinion, Application, Case)
    shared = cache_get(key)
    if shared is not None:
        return shared
    awaiting_signature = AssistanceLetter.objects.filter(status=AssistanceLetter.Status.AWAITING_SIGNATURE)
    opinions_awaiting = GuidanceOpinion.objects.filter(status=GuidanceOpinion.Status.APPROVED)
    new_applications = Application.objects.filter(status=Application.Status.SUBMITTED)
    overdue = overdue_cases(today)
    letters = letters_awaiting_answers()
    shared = {
        "overdue": list(overdue[:8]),
        "overdue_count": overdue.count(),
        "awaiting_signature": list(awaiting_signature.select_related("case").order_by("created_at")[:8]),
        "awaiting_signature_count": awaiting_signature.count(),
        "opinions_awaiting_signature": list(opinions_awaiting.select_related("case").order_by("reviewed_at", "pk")[:8]),
        "opinions_awaiting_signature_count": opinions_awaiting.count(),
        "new_applications": list(new_applications.order_by("submitted_at")[:8]),
        "new_applications_count": new_applications.count(),
        "letters_awaiting": list(letters.select_related("case").order_by("due_date")[:8]),
        "letters_awaiting_count": letters.count(),
        "soon": list_windows(today)["soon"],
    }
    cache_set(key, shared, LIST_CACHE_SECONDS)
    return shared


# What an addressed agency reads of a letter's history: the letter's signing and settling,
# and its own acknowledgement, answer and extension requests (never another agency's, never
# the drafting and signing rounds inside the center).
AGENCY_LETTER_ACTIONS = ("cases.letter.signed", "cases.letter.settled")


def agency_letter_history(recipient):
    """The audit entries of `recipient`'s letter that its agency may read, oldest first, as
    dicts: at, label, status, note, actor (named for the signer and the agency's own people)."""
    types = ContentType.objects.get_for_models(AssistanceLetter, LetterRecipient, ExtensionRequest)
    entries = LogEntry.objects.filter(
        Q(
            content_type=types[AssistanceLetter],
            object_id=recipient.letter_id,
            action_type__in=AGENCY_LETTER_ACTIONS,
        )
        | Q(content_type=types[LetterRecipient], object_id=recipient.pk)
        | Q(content_type=types[ExtensionRequest], object_id__in=recipient.extensions.values("pk"))
    ).select_related("actor", "content_type")
    history = []
    for entry in entries:
        own = entry.actor is not None and entry.actor.agency_id == recipient.agency_id
        named = own or entry.action_type == "cases.letter.signed"
        history.append(
            {
                "at": entry.created,
                "label": entry.action_label,
                "status": entry.status_change,
                "note": entry.note if entry.content_type_id != types[AssistanceLetter].pk or named else "",
                "actor": entry.actor.full_name if named and entry.actor else "",
            }
        )
    return history


def overdue_letter_answers(today=None):
    """Addressed agencies whose answer to a signed letter is past its due date: the one list the
    daily reminders and the joint meeting's agenda both read."""
    today = today or timezone.localdate()
    return (
        LetterRecipient.objects.filter(
            letter__status=AssistanceLetter.Status.SIGNED, answered_at__isnull=True, due_date__lt=today
        )
        .select_related("letter", "letter__case", "letter__case__handler", "agency")
        .order_by("due_date", "pk")
    )
