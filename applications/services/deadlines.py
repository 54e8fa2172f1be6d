"""Deadlines of applications in working days: the state shown to staff and the daily reminders,
and the alerts when the applicant's own deadline abroad comes close."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.selectors import FOREIGN_DEADLINE_ALERT_WORKING_DAYS
from applications.services._common import (
    REMIND_WORKING_DAYS_BEFORE,
    S,
    admin_link,
    detail_link,
    lock,
    tell_applicant,
)
from documents.formatting import chinese_date
from portal.audit import log_action
from portal.models import CalendarDay
from portal.notifications import notify, notify_staff, users_with_role
from portal.roles import Role
from portal.workdays import add_working_days, is_working_day, working_days_between


def review_deadline_state(application, today=None, soon=None):
    """The state of the deadline running on the application: "overdue", "soon" (within the
    reminder window) or "". Under review, the review deadline; returned, the correction
    deadline. `soon` (the last day of the reminder window) saves a calendar query per row."""
    today = today or timezone.localdate()
    if application.status == S.SUBMITTED:
        due = application.review_due
    elif application.status == S.RETURNED:
        due = application.correction_due
    else:
        return ""
    if due is None:
        return ""
    if due < today:
        return "overdue"
    if due <= (soon or add_working_days(today, REMIND_WORKING_DAYS_BEFORE)):
        return "soon"
    return ""


def _remember(application, field, today, action):
    setattr(application, field, today)
    application.save(update_fields=[field])
    log_action(application, action, data={"on": today})


def application_deadlines_remind(*, today=None) -> dict:
    """Daily reminders (celery beat), each safe to run twice a day:

    - staff hear about applications whose review (受理审查) is due within two working days or
      overdue, once a day each;
    - the applicant hears (inbox and e-mail) once, two working days before the correction
      deadline of a returned application;
    - once a correction deadline has passed, staff are asked, once, to confirm closing the
      application (the admin action "逾期未补正，确认关闭").
    """
    today = today or timezone.localdate()
    soon = add_working_days(today, REMIND_WORKING_DAYS_BEFORE)
    sent = {"review": 0, "correction": 0, "lapsed": 0}
    changelist = reverse("admin:applications_application_changelist")

    for pk in (
        Application.objects.filter(status=S.SUBMITTED, review_due__lte=soon)
        .exclude(last_reminded_on=today)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            application = lock(Application(pk=pk))
            if application.status != S.SUBMITTED or application.last_reminded_on == today:
                continue
            overdue_by = working_days_between(application.review_due, today)
            if overdue_by > 0:
                subject = _("申请 %(number)s 受理审查已逾期 %(days)s 个工作日") % {
                    "number": application.number,
                    "days": overdue_by,
                }
            else:
                subject = _("申请 %(number)s 受理审查将于 %(due)s 到期") % {
                    "number": application.number,
                    "due": chinese_date(application.review_due),
                }
            notify_staff(
                subject=subject,
                body=_("%(name)s 于 %(submitted)s 提交的申请尚未作出受理决定。")
                % {
                    "name": application.applicant_name,
                    "submitted": chinese_date(timezone.localdate(application.submitted_at)),
                },
                link=admin_link(application),
            )
            _remember(application, "last_reminded_on", today, "applications.application.review_reminded")
            sent["review"] += 1

    for pk in Application.objects.filter(
        status=S.RETURNED, correction_due__gte=today, correction_due__lte=soon, correction_reminded_on=None
    ).values_list("pk", flat=True):
        with transaction.atomic():
            application = lock(Application(pk=pk))
            if application.status != S.RETURNED or application.correction_reminded_on is not None:
                continue
            due = chinese_date(application.correction_due)
            tell_applicant(
                application,
                subject=_("请于 %(due)s 前补正申请 %(number)s") % {"due": due, "number": application.number},
                body=_(
                    "您的申请 %(number)s 的补正期限为 %(due)s。请在此前修改并重新提交；"
                    "逾期未补正的，申请将不予受理。需要补正的内容：\n%(reason)s"
                )
                % {"number": application.number, "due": due, "reason": application.decision_reason},
                link=detail_link(application),
            )
            _remember(application, "correction_reminded_on", today, "applications.application.correction_reminded")
            sent["correction"] += 1

    for pk in Application.objects.filter(
        status=S.RETURNED, correction_due__lt=today, lapse_reported_on=None
    ).values_list("pk", flat=True):
        with transaction.atomic():
            application = lock(Application(pk=pk))
            if application.status != S.RETURNED or application.lapse_reported_on is not None:
                continue
            notify_staff(
                subject=_("申请 %(number)s 逾期未补正，请确认关闭") % {"number": application.number},
                body=_(
                    "补正期限 %(due)s 已过，申请人仍未重新提交。请在申请列表中筛选“逾期未补正”，"
                    "确认后使用“逾期未补正，确认关闭”操作，系统将发出不予受理通知书。"
                )
                % {"due": chinese_date(application.correction_due)},
                link=f"{changelist}?deadline=lapsed",
            )
            _remember(application, "lapse_reported_on", today, "applications.application.lapse_reported")
            sent["lapsed"] += 1
    return sent


# --- The applicant's deadline abroad ------------------------------------------------------------

# Within this many working days of the deadline abroad the alert is repeated once more ("final").
FOREIGN_DEADLINE_FINAL_WORKING_DAYS = 3


def foreign_deadline_bounds(today):
    """The first dates outside each window of applications.selectors.foreign_deadline_state, so that
    lists and filters compare dates instead of counting working days row by row: a deadline `due` is
    within N working days of `today` exactly when today <= due < add_working_days(today, N + 1).
    One calendar query for the three windows."""
    steps = {
        "final": FOREIGN_DEADLINE_FINAL_WORKING_DAYS + 1,
        "alert": FOREIGN_DEADLINE_ALERT_WORKING_DAYS + 1,
        "soon": 2 * FOREIGN_DEADLINE_ALERT_WORKING_DAYS + 1,
    }
    longest = max(steps.values())
    # As in portal.workdays.add_working_days: a window no run of holidays can outlast.
    exceptions = dict(
        CalendarDay.objects.filter(
            date__gte=today, date__lte=today + datetime.timedelta(days=longest * 3 + 31)
        ).values_list("date", "is_working_day")
    )
    reached = {}
    day, counted = today, 0
    while counted < longest:
        day += datetime.timedelta(days=1)
        if is_working_day(day, exceptions):
            counted += 1
            reached[counted] = day
    return {"today": today, **{name: reached[count] for name, count in steps.items()}}


def foreign_deadline_level(due, bounds):
    """foreign_deadline_state's level ("passed", "alert", "soon", "later"; None without a deadline),
    read from precomputed bounds without a query."""
    if due is None:
        return None
    if due < bounds["today"]:
        return "passed"
    if due < bounds["alert"]:
        return "alert"
    if due < bounds["soon"]:
        return "soon"
    return "later"


def _alert_stage(due, day):
    """Which alert the deadline abroad calls for on `day`: "passed", "final" (3 working days or
    fewer left), "alert" (10 or fewer), or "" (none yet)."""
    if due < day:
        return "passed"
    left = working_days_between(day, due)
    if left <= FOREIGN_DEADLINE_FINAL_WORKING_DAYS:
        return "final"
    if left <= FOREIGN_DEADLINE_ALERT_WORKING_DAYS:
        return "alert"
    return ""


def foreign_deadline_alert_due(application, today) -> str:
    """The stage to alert about today, or "" when nobody needs to hear about it again.

    The rule: a deadline abroad goes through three stages, each alerted once: it comes within 10
    working days ("alert"), within 3 working days ("final"), and it passes ("passed"). The day of the
    last alert is kept in foreign_deadline_alerted_on; the stage that day is worked out again from
    the deadline, so that one date field records which alerts were sent, a moved deadline starts
    over, and a second run on the same day sends nothing (never more than one alert a day)."""
    due = application.foreign_deadline
    if due is None:
        return ""
    stage = _alert_stage(due, today)
    last = application.foreign_deadline_alerted_on
    if not stage or last == today:
        return ""
    if last is not None and last < today and _alert_stage(due, last) == stage:
        return ""
    return stage


def _foreign_deadline_candidates(today):
    """Applications the center is working on (under review, returned for correction, or accepted
    with a case not yet ended) whose deadline abroad is within the alert window or passed."""
    limit = add_working_days(today, FOREIGN_DEADLINE_ALERT_WORKING_DAYS + 1)
    working_on = Q(status__in=[S.SUBMITTED, S.RETURNED]) | Q(status=S.ACCEPTED, case__closed_at__isnull=True)
    return (
        Application.objects.filter(working_on, foreign_deadline__lt=limit)
        .exclude(foreign_deadline_alerted_on=today)
        .values_list("pk", flat=True)
    )


def _foreign_deadline_recipients(application):
    """The case's handler once there is one with a handler; the center's staff before (or while no
    one is assigned); the director always."""
    case = getattr(application, "case", None) if application.status == S.ACCEPTED else None
    handler = getattr(case, "handler", None)
    handlers = [handler] if handler is not None and handler.is_active else list(users_with_role(Role.STAFF))
    return [*handlers, *users_with_role(Role.DIRECTOR)], case


def _foreign_deadline_message(application, stage, today):
    due = application.foreign_deadline
    what = application.foreign_deadline_what or _("境外期限")
    where = application.foreign_deadline_where
    words = {"number": application.number, "what": what, "due": chinese_date(due)}
    if stage == "passed":
        subject = _("申请 %(number)s 的%(what)s已于 %(due)s 届满") % words
    else:
        words["days"] = working_days_between(today, due)
        subject = _("申请 %(number)s 的%(what)s将于 %(due)s 到期（还剩 %(days)s 个工作日）") % words
    lines = [
        _("申请人：%(name)s") % {"name": application.applicant_name},
        _("到期事项：%(what)s") % {"what": what},
        _("期限：%(due)s") % {"due": chinese_date(due)},
    ]
    if where:
        lines.append(_("受理机构或地点：%(where)s") % {"where": where})
    if application.urgent:
        lines.append(_("申请人已标注为紧急。"))
    lines.append(
        _("该期限已过，请与申请人核实应对情况。")
        if stage == "passed"
        else _("请优先办理，必要时与申请人联系，确保在境外期限前提供指导。")
    )
    return subject, "\n".join(lines)


def application_foreign_deadlines_alert(*, today=None) -> dict:
    """Daily (celery beat): alert about deadlines abroad that come close, by notification and
    e-mail, at most once per application a day, once per stage (foreign_deadline_alert_due).
    Idempotent: a retry or a second run the same day finds foreign_deadline_alerted_on = today."""
    today = today or timezone.localdate()
    sent = {"alert": 0, "final": 0, "passed": 0}
    for pk in list(_foreign_deadline_candidates(today)):
        with transaction.atomic():
            application = lock(Application(pk=pk))
            stage = foreign_deadline_alert_due(application, today)
            if not stage:
                continue
            recipients, case = _foreign_deadline_recipients(application)
            subject, body = _foreign_deadline_message(application, stage, today)
            link = reverse("admin:cases_case_change", args=[case.pk]) if case is not None else admin_link(application)
            notify(recipients, subject=subject, body=body, link=link)
            application.foreign_deadline_alerted_on = today
            application.save(update_fields=["foreign_deadline_alerted_on"])
            log_action(
                application,
                "applications.application.foreign_deadline_alerted",
                data={"on": today, "stage": stage, "due": application.foreign_deadline},
            )
            sent[stage] += 1
    return sent
