"""Read-side queries of applications: whose organisation a user acts for, the applicant's status
timeline, the documents issued, and the differences between submitted versions."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.choices import EvidenceCategory
from applications.countries import country_name
from applications.forms import FORM_FIELDS
from applications.models import ApplicantAccount, Application
from documents.models import Document
from documents.selectors import case_documents, documents_of_application, scoped_documents
from portal.audit import entries_for
from portal.roles import Role, has_role
from portal.workdays import working_days_between

S = Application.Status

# How each step reads to the applicant. Internal steps of the center's work are shown as
# "in progress"; internal notes (CaseEvent.note) are never shown, only public notes.
APPLICATION_STEP_WORDS = {
    S.DRAFT: _("开始填写申请书"),
    S.SUBMITTED: _("申请已提交，等待中心审查"),
    S.RETURNED: _("申请需要补正"),
    S.ACCEPTED: _("申请已受理"),
    S.DECLINED: _("申请不予受理"),
    S.WITHDRAWN: _("申请已撤回"),
}

CASE_STEP_WORDS = {
    "accepted": _("案件已立案"),
    "in_progress": _("案件办理中"),
    "awaiting_input": _("案件办理中（正在征求协助单位或专家意见）"),
    "opinion_drafted": _("案件办理中（正在形成指导意见）"),
    "opinion_issued": _("指导意见已出具"),
    "follow_up": _("跟踪反馈中"),
    "closed": _("案件已办结"),
    "terminated": _("案件已终止"),
}

# Where the applicant is now, in one phrase.
CASE_STATUS_WORDS = {
    "accepted": _("已受理"),
    "in_progress": _("办理中"),
    "awaiting_input": _("办理中"),
    "opinion_drafted": _("办理中"),
    "opinion_issued": _("指导意见已出具"),
    "follow_up": _("跟踪反馈"),
    "closed": _("已办结"),
    "terminated": _("已终止"),
}


def applicant_of(user):
    """The applicant organisation `user` acts for, or None: the one way to ask.

    One query per user object (the link is cached on it), none for an anonymous user."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    cache = get_user_model().applicant_account.related
    if not cache.is_cached(user):
        account = ApplicantAccount.objects.select_related("applicant").filter(user_id=user.pk).first()
        cache.set_cached_value(user, account)
    account = cache.get_cached_value(user)
    return account.applicant if account is not None else None


def members_of(applicant):
    """The organisation's active users who act for it as applicants (they hear about its applications)."""
    users = get_user_model().objects.filter(applicant_account__applicant=applicant, is_active=True)
    return [user for user in users.prefetch_related("groups") if has_role(user, Role.APPLICANT)]


@dataclass
class Step:
    at: datetime
    title: str
    note: str
    kind: str  # "application" or "case"


def status_words(application):
    case = getattr(application, "case", None) if application.status == S.ACCEPTED else None
    if case is not None:
        return CASE_STATUS_WORDS.get(case.status, case.get_status_display())
    return application.get_status_display()


def timeline(application):
    """The application's status steps and its case's, oldest first, in applicant words.

    Read from the audit log: only what the applicant may read (status steps and public notes),
    never a note meant for staff."""
    labels = dict(S.choices)
    steps = [
        Step(
            entry.created,
            APPLICATION_STEP_WORDS.get(entry.to_status, labels.get(entry.to_status, entry.to_status)),
            entry.public_note,
            "application",
        )
        for entry in entries_for(application).exclude(to_status="")
    ]
    case = _case_of(application)
    if case is not None:
        previous = None
        for entry in entries_for(case):
            if not entry.to_status and not entry.public_note:
                continue
            title = CASE_STEP_WORDS.get(entry.to_status, "") if entry.to_status else _("办理情况说明")
            if entry.to_status == "accepted" and not entry.public_note:
                continue  # the application's own "accepted" step says this already
            if title == previous and not entry.public_note:
                continue  # internal steps that read the same are shown once
            previous = title
            steps.append(Step(entry.created, title, entry.public_note, "case"))
    steps.sort(key=lambda step: step.at)
    return steps


def _case_of(application):
    return getattr(application, "case", None) if application.status == S.ACCEPTED else None


def application_documents(application, user, *, include_unready=False):
    """The documents of this application and its case that the user may download, current
    versions only: the receipt, the notices, the signed guidance opinion… Once there is a case,
    exactly `documents.selectors.case_documents`, the one answer every page gives."""
    case = _case_of(application)
    if case is not None:
        return case_documents(user, case, include_unready=include_unready)
    return scoped_documents(user, documents_of_application(application), include_unready=include_unready)


def pending_documents(application, user):
    """Documents for the user still being generated (shown as 'being prepared')."""
    return application_documents(application, user, include_unready=True).filter(status=Document.Status.PENDING)


def display_value(name, value):
    """A stored answer as the applicant wrote it (labels, not codes)."""
    field = Application._meta.get_field(name)
    if name == "countries":
        return "、".join(str(country_name(code)) for code in value)
    if isinstance(value, list):
        labels = dict(field.choices)
        return "、".join(str(labels.get(item, item)) for item in value)
    if field.choices:
        return str(dict(field.choices).get(value, value or ""))
    return value or ""


def version_diff(older, newer):
    """What changed between two submitted versions: [(label, old, new)], plus files added and removed."""
    changes = []
    for name in FORM_FIELDS:
        old, new = older.data.get(name), newer.data.get(name)
        if old != new:
            label = Application._meta.get_field(name).verbose_name
            changes.append((label, display_value(name, old), display_value(name, new)))
    old_files = {item["sha256"]: item for item in older.attachments}
    new_files = {item["sha256"]: item for item in newer.attachments}
    categories = dict(EvidenceCategory.choices)
    added = [
        f"{categories.get(item['category'], '')}：{item['name']}"
        for key, item in new_files.items()
        if key not in old_files
    ]
    removed = [
        f"{categories.get(item['category'], '')}：{item['name']}"
        for key, item in old_files.items()
        if key not in new_files
    ]
    return {"changes": changes, "added": added, "removed": removed}


def versions_with_diffs(application):
    versions = list(application.versions.select_related("submitted_by"))
    result = []
    for index, version in enumerate(versions):
        diff = version_diff(versions[index - 1], version) if index else None
        result.append((version, diff))
    return result


def application_rows(application):
    """The answers of the form, in order, as (label, text) for the review and detail pages."""
    rows = []
    for name in FORM_FIELDS:
        value = getattr(application, name)
        rows.append((name, Application._meta.get_field(name).verbose_name, display_value(name, value)))
    return rows


# A foreign deadline this many working days away or fewer alerts the handler and the director.
FOREIGN_DEADLINE_ALERT_WORKING_DAYS = 10


def foreign_deadline_state(application, today=None):
    """How close the applicant's own deadline abroad is: None when there is none, else a dict with the
    working days left (negative once passed) and a level: "passed", "alert" (within the alert window),
    "soon" (within twice that) or "later". Lists, badges and the alert task all read it from here."""
    if application.foreign_deadline is None:
        return None
    today = today or timezone.localdate()
    due = application.foreign_deadline
    if due < today:
        days = working_days_between(today, due)
        level = "passed"
    else:
        days = working_days_between(today, due)
        if days <= FOREIGN_DEADLINE_ALERT_WORKING_DAYS:
            level = "alert"
        elif days <= 2 * FOREIGN_DEADLINE_ALERT_WORKING_DAYS:
            level = "soon"
        else:
            level = "later"
    return {"due": due, "working_days_left": days, "level": level, "urgent": application.urgent}
