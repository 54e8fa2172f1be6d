"""Daily reminders of due and overdue cases and late agency answers."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    OPEN_STATUSES,
    AssistanceLetter,
    Case,
    LetterRecipient,
)
from cases.selectors import overdue_letter_answers
from portal.models import SiteConfiguration, User
from portal.notifications import notify, users_with_role
from portal.roles import Role
from portal.workdays import add_working_days, working_days_between

L = AssistanceLetter.Status


def deadlines_remind(*, today: datetime.date | None = None) -> dict[str, int]:
    """Daily reminders: each handler hears about its cases overdue or due within two working
    days; the director about cases overdue by more than the configured working days; the
    handler about agencies late with their answers. Safe to run twice a day: a case or
    recipient reminded today is skipped."""
    today = today or timezone.localdate()
    config = SiteConfiguration.get()
    soon = add_working_days(today, 2)
    sent = {"handler": 0, "director": 0, "agency": 0}
    cases = (
        Case.objects.filter(status__in=OPEN_STATUSES, due_date__lte=soon)
        .exclude(last_reminded_on=today)
        .select_related("handler")
    )
    directors = list(users_with_role(Role.DIRECTOR))
    for case in cases:
        with transaction.atomic():
            case = Case.objects.select_for_update(of=("self",)).select_related("handler").get(pk=case.pk)
            if case.last_reminded_on == today or case.due_date is None:
                continue
            overdue_by = working_days_between(case.due_date, today)
            link = f"/admin/cases/case/{case.pk}/change/"
            if overdue_by > 0:
                subject = _("案件 %(number)s 已逾期 %(days)s 个工作日") % {"number": case.number, "days": overdue_by}
            else:
                subject = _("案件 %(number)s 将于 %(due)s 到期") % {"number": case.number, "due": case.due_date}
            recipients = [case.handler] if case.handler else list(users_with_role(Role.STAFF))
            notify(recipients, subject=subject, body=case.applicant_name, link=link)
            sent["handler"] += 1
            if overdue_by > config.escalate_overdue_days:
                notify(
                    [d for d in directors if d not in recipients],
                    subject=subject,
                    body=_("承办人：%(name)s") % {"name": case.handler.full_name if case.handler else _("未指定")},
                    link=link,
                )
                sent["director"] += 1
            Case.objects.filter(pk=case.pk).update(last_reminded_on=today)
    late = overdue_letter_answers(today).exclude(last_reminded_on=today)
    for recipient in late:
        with transaction.atomic():
            updated = (
                LetterRecipient.objects.filter(pk=recipient.pk)
                .exclude(last_reminded_on=today)
                .update(last_reminded_on=today)
            )
            if not updated:
                continue
            case = recipient.letter.case
            subject = _("%(agency)s 逾期未回复协助办理函 %(number)s") % {
                "agency": recipient.agency.short_name,
                "number": recipient.letter.number,
            }
            notify(
                [case.handler] if case.handler else list(users_with_role(Role.STAFF)),
                subject=subject,
                body=case.number,
                link=f"/admin/cases/case/{case.pk}/change/",
            )
            agency_users = User.objects.filter(agency_id=recipient.agency_id, groups__name=Role.AGENCY, is_active=True)
            notify(
                agency_users,
                subject=_("请尽快回复协助办理函 %(number)s") % {"number": recipient.letter.number},
                body=recipient.letter.subject,
                link=f"/cases/agency/letters/{recipient.letter_id}/",
            )
            sent["agency"] += 1
    return sent
