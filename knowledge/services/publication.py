"""The review of what agencies send (信息交流机制): submit, publish, return, decline, withdraw; and
laws in versions.

Every step is one function, keyword-only with `by=user`, moving the item along
`Publication.TRANSITIONS` through `portal.transitions.transition`, which locks the row and writes
the step's one audit entry. Publishing and withdrawing keep the search index and the public pages'
cache in step; the submitting agency hears of every decision, the center's staff of every
submission.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledge import caching, search, signals
from knowledge.models import Law, Publication, TypicalCase
from knowledge.permissions import (
    KIND_OF_MODEL,
    can_edit_submission,
    can_manage_law_versions,
    can_review,
    can_submit,
)
from knowledge.redaction import leaks_in
from knowledge.services import subscriptions
from portal.access import require
from portal.audit import log_action
from portal.models import User
from portal.notifications import notify, notify_staff
from portal.roles import Role
from portal.transitions import transition

S = Publication.Status
REVIEWERS_ONLY = _("只有指导中心工作人员可以审核发布。")
AGENCY_ONLY = _("只有报送单位可以修改或提交该信息。")
REASON_REQUIRED = _("请填写理由，报送单位将看到这段说明。")
MAX_REASON = 2000


def kind_label(item):
    return str(type(item)._meta.verbose_name)


def admin_url(item):
    meta = type(item)._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[item.pk])


def agency_users(agency):
    if agency is None:
        return User.objects.none()
    return User.objects.filter(agency=agency, groups__name=Role.AGENCY, is_active=True).distinct()


def _public_changed(item):
    """The search index now, the public pages' cache once the change is committed."""
    if item.status == S.PUBLISHED:
        search.index_item(item)
    else:
        search.remove_item(item)
    transaction.on_commit(caching.content_changed)


def reference_changed():
    """A country guide or an official fee changed: the public pages showing it are out of date."""
    transaction.on_commit(caching.content_changed)


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED}, code="reason_required")
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("理由不能超过 %(n)d 字。") % {"n": MAX_REASON}},
            code="reason_too_long",
        )
    return reason


def _tell_agency(item, *, subject, body):
    notify(agency_users(item.agency), subject=subject, body=body, link=reverse("knowledge:agency_submissions"))


def _tell_staff(item):
    notify_staff(
        subject=_("新的报送待审核：%(kind)s《%(title)s》") % {"kind": kind_label(item), "title": item},
        body=_("%(agency)s 报送了%(kind)s《%(title)s》，请审核后发布、退回修改或不予采用。")
        % {"agency": item.agency, "kind": kind_label(item), "title": item},
        link=admin_url(item),
    )


# --- The agency's side -------------------------------------------------------------------------


def submission_save(*, model, by, values, item=None, submit=True):
    """An agency user's new item (`item` None) or correction of its own draft or returned item.

    `values` are the cleaned fields of the form. The item belongs to the user's agency; with
    `submit` it goes to the center for review in the same step (one audit entry), otherwise it
    stays a draft the agency may finish later."""
    require(can_submit(by), AGENCY_ONLY)
    with transaction.atomic():
        if item is None:
            item = model(agency=by.agency, submitted_by=by, **values)
            item.save()
            changed = sorted(values)
            created = True
        else:
            item = type(item)._default_manager.select_for_update().get(pk=item.pk)
            require(can_edit_submission(by, item), AGENCY_ONLY)
            changed = sorted(name for name, value in values.items() if getattr(item, name) != value)
            for name, value in values.items():
                setattr(item, name, value)
            created = False
        if not submit:
            if not created:
                item.save(update_fields=[*changed, "updated_at"])
            log_action(
                item,
                "knowledge.item.drafted" if created else "knowledge.item.edited",
                by=by,
                data={"fields": changed},
            )
            return item
        item.submitted_by = by
        item.submitted_at = timezone.now()
        item.review_reason = ""
        transition(
            item,
            S.SUBMITTED,
            by=by,
            action="knowledge.item.submitted",
            permission=can_edit_submission,
            denied_message=AGENCY_ONLY,
            data={"fields": changed, "kind": KIND_OF_MODEL.get(type(item), "")},
            update_fields=[*changed, "submitted_by", "submitted_at", "review_reason"],
        )
        _tell_staff(item)
    return item


def item_submit(*, item, by):
    """Send a draft or a corrected item to the center as it stands."""
    with transaction.atomic():
        item.submitted_by = by
        item.submitted_at = timezone.now()
        item.review_reason = ""
        transition(
            item,
            S.SUBMITTED,
            by=by,
            action="knowledge.item.submitted",
            permission=can_edit_submission,
            denied_message=AGENCY_ONLY,
            update_fields=["submitted_by", "submitted_at", "review_reason"],
        )
        _tell_staff(item)
    return item


# --- The center's side -------------------------------------------------------------------------


def publish_problems(item):
    """Why `item` may not be published now (empty when it may): a missing required field, a
    typical case whose applicant refused (or has not yet answered) the request for consent, or one
    drafted from a case whose text still names the applicant."""
    problems = []
    try:
        item.full_clean(validate_unique=False)
    except ValidationError as exc:
        fields = type(item)._meta
        for name, messages in exc.message_dict.items():
            label = fields.get_field(name).verbose_name if name != "__all__" else ""
            problems.append(f"{label}：{'；'.join(messages)}" if label else "；".join(messages))
    if isinstance(item, TypicalCase):
        if item.consent == TypicalCase.Consent.REFUSED:
            problems.append(_("申请人不同意公开该案例，不能发布。"))
        elif item.consent == TypicalCase.Consent.REQUESTED:
            problems.append(_("已向申请人征求是否同意公开，尚未答复；收到同意后才能发布。"))
        if item.source_case_id:
            found = leaks_in(item, item.source_case)
            if found:
                problems.append(_("正文仍含应隐去的信息：%(items)s。请修改后再发布。") % {"items": "、".join(found)})
    return problems


def item_publish(*, item, by):
    """Publish an item (as sent, or after staff edited it in the admin). It then appears on the
    public pages crediting the submitting agency; a new version of a law marks the one it replaces
    as amended and its country's subscribers are told."""
    require(can_review(by, item), REVIEWERS_ONLY)
    with transaction.atomic():
        item = type(item)._default_manager.select_for_update().get(pk=item.pk)
        problems = publish_problems(item) if item.status in (S.DRAFT, S.SUBMITTED, S.WITHDRAWN) else []
        if problems:
            raise ValidationError(problems, code="not_publishable")
        fields = ["reviewed_by", "review_reason"]
        item.reviewed_by = by
        item.review_reason = ""
        if item.published_at is None:
            item.published_at = timezone.now()
            fields.append("published_at")
        from_status = item.status
        transition(
            item,
            S.PUBLISHED,
            by=by,
            action="knowledge.item.published",
            permission=can_review,
            denied_message=REVIEWERS_ONLY,
            update_fields=fields,
        )
        # Apps above the platform (key enterprises' warnings) hear of it once the publication is committed.
        transaction.on_commit(lambda: signals.item_published.send(sender=type(item), item=item, by=by))
        new_law_version = isinstance(item, Law) and item.supersedes_id is not None and from_status != S.WITHDRAWN
        if new_law_version:
            _mark_replaced(item, by=by)
        _public_changed(item)
        if item.agency_id and from_status == S.SUBMITTED:
            _tell_agency(
                item,
                subject=_("报送的信息已发布：《%(title)s》") % {"title": item},
                body=_("您单位报送的%(kind)s《%(title)s》已由指导中心审核发布，公开页面注明报送单位。")
                % {"kind": kind_label(item), "title": item},
            )
        if new_law_version:
            # Recorded in this transaction, sent once it commits: a rolled-back publication tells no one.
            subscriptions.law_version_published(item, by=by)
    return item


def item_return(*, item, by, reason):
    """Send a submitted item back to its agency for correction, saying why."""
    return _refuse(
        item,
        by=by,
        reason=reason,
        to_status=S.RETURNED,
        action="knowledge.item.returned",
        subject=_("报送的信息被退回修改：《%(title)s》"),
        body=_("指导中心将您单位报送的%(kind)s《%(title)s》退回修改，理由：%(reason)s\n请修改后重新提交。"),
    )


def item_decline(*, item, by, reason):
    """Decline a submitted item for good, saying why."""
    return _refuse(
        item,
        by=by,
        reason=reason,
        to_status=S.DECLINED,
        action="knowledge.item.declined",
        subject=_("报送的信息不予采用：《%(title)s》"),
        body=_("指导中心决定不予采用您单位报送的%(kind)s《%(title)s》，理由：%(reason)s"),
    )


def _refuse(item, *, by, reason, to_status, action, subject, body):
    """Return or decline: the reason is kept on the item and in the audit log, and the agency is told."""
    reason = _reason(reason)
    require(can_review(by, item), REVIEWERS_ONLY)
    with transaction.atomic():
        item.review_reason = reason
        item.reviewed_by = by
        transition(
            item,
            to_status,
            by=by,
            action=action,
            permission=can_review,
            denied_message=REVIEWERS_ONLY,
            note=reason,
            update_fields=["review_reason", "reviewed_by"],
        )
        _tell_agency(
            item,
            subject=subject % {"title": item},
            body=body % {"kind": kind_label(item), "title": item, "reason": reason},
        )
    return item


def item_withdraw(*, item, by, reason=""):
    """Take a published item off the public pages (it may be published again later)."""
    require(can_review(by, item), REVIEWERS_ONLY)
    reason = (reason or "").strip()[:MAX_REASON]
    with transaction.atomic():
        transition(
            item,
            S.WITHDRAWN,
            by=by,
            action="knowledge.item.withdrawn",
            permission=can_review,
            denied_message=REVIEWERS_ONLY,
            note=reason,
        )
        _public_changed(item)
        if item.agency_id:
            _tell_agency(
                item,
                subject=_("已发布的信息被撤回：《%(title)s》") % {"title": item},
                body=_("指导中心已将您单位报送的%(kind)s《%(title)s》撤回发布。%(reason)s")
                % {"kind": kind_label(item), "title": item, "reason": reason},
            )
    return item


def item_staff_save(*, item, by, changed, created=False):
    """Staff create or edit an item in the admin (including "edit, then publish" a submission):
    saved, recorded, and, when it is public, re-indexed at once."""
    require(can_review(by, item), REVIEWERS_ONLY)
    with transaction.atomic():
        item.save()
        log_action(
            item,
            "knowledge.item.drafted" if created else "knowledge.item.edited",
            by=by,
            data={"fields": sorted(changed)},
        )
        if item.status == S.PUBLISHED:
            _public_changed(item)
    return item


def item_imported(*, item, by, created, publish=False, file_name="", row_number=None):
    """One row of an import was saved (called by knowledge.resources): recorded; a new row is
    published at once when staff chose so; an updated public item is re-indexed."""
    require(by is None or can_review(by, item), REVIEWERS_ONLY)
    log_action(
        item,
        "knowledge.item.imported",
        by=by,
        data={"file": file_name, "row": row_number, "created": created},
    )
    if created and publish:
        require(by is not None, REVIEWERS_ONLY)
        return item_publish(item=item, by=by)
    if item.status == S.PUBLISHED:
        _public_changed(item)
    return item


# --- Laws in versions ---------------------------------------------------------------------------

# What a new version copies from the one it replaces, unless changed.
LAW_VERSION_FIELDS = [
    "country",
    "ip_type",
    "doc_type",
    "title_zh",
    "title_original",
    "issuing_body",
    "promulgated_on",
    "effective_on",
    "summary",
    "full_text",
    "source_url",
]


def law_new_version(*, law, by, **changes):
    """Record an amendment: a new draft version of `law` that replaces it (`supersedes`), with the
    given field changes. When staff publish it, the old version is marked amended and the
    country's subscribers are told."""
    require(can_manage_law_versions(by, law), REVIEWERS_ONLY)
    unknown = set(changes) - {*LAW_VERSION_FIELDS, "attachment"}
    if unknown:
        raise ValueError(f"law_new_version does not change {sorted(unknown)}")
    with transaction.atomic():
        old = Law.objects.select_for_update().get(pk=law.pk)
        if Law.objects.filter(supersedes=old).exists():
            raise ValidationError(_("该版本已有新版本，请在最新版本上修订。"), code="has_new_version")
        if old.legal_status == Law.LegalStatus.REPEALED:
            raise ValidationError(_("该法律法规已废止，不能再修订。"), code="repealed")
        values = {name: getattr(old, name) for name in LAW_VERSION_FIELDS}
        values.update(changes)
        new = Law(**values, supersedes=old, legal_status=Law.LegalStatus.IN_FORCE)
        if "attachment" not in changes and old.attachment:
            new.attachment = old.attachment.name
        new.save()
        log_action(new, "knowledge.law.new_version", by=by, data={"supersedes": old.pk, "fields": sorted(changes)})
    return new


def _mark_replaced(new, *, by):
    old = Law.objects.select_for_update().get(pk=new.supersedes_id)
    if old.legal_status != Law.LegalStatus.IN_FORCE:
        return
    old.legal_status = Law.LegalStatus.AMENDED
    old.save(update_fields=["legal_status", "updated_at"])
    log_action(
        old,
        "knowledge.law.amended",
        by=by,
        note=_("被新版本《%(title)s》取代") % {"title": new},
        data={"superseded_by": new.pk},
    )
    _public_changed(old)


def law_repeal(*, law, by, note=""):
    """Mark a law repealed (its text stays readable, marked 已废止); the country's subscribers are told."""
    require(can_manage_law_versions(by, law), REVIEWERS_ONLY)
    with transaction.atomic():
        law = Law.objects.select_for_update().get(pk=law.pk)
        if law.legal_status == Law.LegalStatus.REPEALED:
            raise ValidationError(_("该法律法规已标记为废止。"), code="already_repealed")
        law.legal_status = Law.LegalStatus.REPEALED
        law.save(update_fields=["legal_status", "updated_at"])
        log_action(law, "knowledge.law.repealed", by=by, note=(note or "").strip()[:MAX_REASON])
        if law.status == S.PUBLISHED:
            _public_changed(law)
            subscriptions.law_version_published(law, by=by)
    return law
