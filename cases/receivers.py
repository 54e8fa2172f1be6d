"""What cases does when an application below it announces a change (see applications.signals).

Connected in CasesConfig.ready(); each receiver runs inside the sender's transaction."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from applications.signals import applicant_answered, application_accepted
from cases.selectors import dashboard_changed
from cases.services import case_open, case_resume_on_answer
from portal.models import LogEntry


@receiver(application_accepted, dispatch_uid="cases.open_case_on_acceptance")
def open_case(sender, *, application, by, **kwargs):
    """Staff accepted the application: its case opens (numbered, deadlines set)."""
    application.case = case_open(application=application, by=by)


@receiver(applicant_answered, dispatch_uid="cases.resume_case_on_answer")
def resume_case(sender, *, application, by, **kwargs):
    """The applicant's answer on the thread ends a pause of the case's opinion deadline."""
    case_resume_on_answer(application=application, by=by)


@receiver(post_save, sender=LogEntry, dispatch_uid="cases.dashboard_on_audited_change")
def refresh_dashboard(sender, *, created, **kwargs):
    """Every change of state writes one audit entry: the staff dashboard is computed afresh once the
    change commits (before, a visit could keep the old figures under the new version)."""
    if created:
        transaction.on_commit(dashboard_changed)
