"""State changes of a case. Every function here runs in a transaction, locks the row,
checks the transition map, saves with update_fields and writes a CaseEvent."""

from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseEvent
from portal.sequences import next_value
from portal.transitions import check_fresh, check_transition

# The one map of allowed case transitions.
CASE_TRANSITIONS = {
    Case.Status.ACCEPTED: {Case.Status.IN_PROGRESS, Case.Status.TERMINATED},
    Case.Status.IN_PROGRESS: {Case.Status.AWAITING_INPUT, Case.Status.OPINION_DRAFTED, Case.Status.TERMINATED},
    Case.Status.AWAITING_INPUT: {Case.Status.IN_PROGRESS, Case.Status.OPINION_DRAFTED, Case.Status.TERMINATED},
    Case.Status.OPINION_DRAFTED: {Case.Status.IN_PROGRESS, Case.Status.OPINION_ISSUED, Case.Status.TERMINATED},
    Case.Status.OPINION_ISSUED: {Case.Status.FOLLOW_UP, Case.Status.CLOSED, Case.Status.TERMINATED},
    Case.Status.FOLLOW_UP: {Case.Status.CLOSED, Case.Status.TERMINATED},
    Case.Status.CLOSED: set(),
    Case.Status.TERMINATED: set(),
}


def case_open(*, application, by):
    """Open the case for an application that staff have just accepted.

    Called from applications.services.application_accept inside its transaction.
    """
    with transaction.atomic():
        return _create_case(application=application, by=by)


def _create_case(*, application, by):
    now = timezone.now()
    year = timezone.localdate(now).year
    sequence = next_value("case", year)
    case = Case.objects.create(
        application=application,
        number=f"AJ-{year}-{sequence:06d}",
        level=application.level or Case.level.field.default,
        opened_at=now,
    )
    CaseEvent.objects.create(case=case, actor=by, to_status=Case.Status.ACCEPTED, public_note="")
    return case


def case_transition(*, case, to_status, by, note="", public_note="", seen_revision=None):
    """Move a case to `to_status` if the transition map allows it.

    `seen_revision` is the revision of the page the user acted from; a change made from an
    out-of-date page is refused (StaleObject) rather than silently overwriting another
    user's change.
    """
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        check_fresh(case, seen_revision)
        check_transition(CASE_TRANSITIONS, case.status, to_status, labels=dict(Case.Status.choices))
        previous = case.status
        case.status = to_status
        case.revision += 1
        fields = ["status", "revision"]
        if to_status in {Case.Status.CLOSED, Case.Status.TERMINATED}:
            case.closed_at = timezone.now()
            fields.append("closed_at")
        case.save(update_fields=fields)
        CaseEvent.objects.create(
            case=case, actor=by, from_status=previous, to_status=to_status, note=note, public_note=public_note
        )
    return case
