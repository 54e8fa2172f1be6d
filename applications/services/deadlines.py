"""Deadlines of applications in working days: the state shown to staff and the daily reminders."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
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
from portal.notifications import notify_staff
from portal.workdays import add_working_days, working_days_between


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
