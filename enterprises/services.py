"""Keeping the register of key export enterprises, and sending them the warnings that concern them.

Every change is one function, keyword-only with `by=user`, checked against enterprises.permissions,
run in one transaction on a locked row and recorded with one audit entry. The admin calls these.

A warning reaches the liaison officers once it is published: knowledge.signals.item_published starts
the task enterprises.tasks.deliver_warning, which calls `warning_deliver`. Each officer gets each
warning once (a WarningDelivery row, unique per warning and officer), however often the warning is
published again, saved again or the task retried.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.countries import country_name
from applications.models import Applicant
from enterprises.matching import warning_concerns
from enterprises.models import KeyEnterprise, LiaisonOfficer, WarningDelivery
from enterprises.permissions import can_manage_enterprises
from knowledge.models import Publication, Warning
from portal.access import require
from portal.audit import log_action
from portal.notifications import queue_email
from portal.validators import normalise_credit_code

CENTER_ONLY = gettext_lazy("只有指导中心工作人员可以维护重点出口企业名录。")
OFFICER_FIELDS = ("name", "title", "phone", "email", "active", "appointed_on")
SUMMARY_LENGTH = 200


def duplicate_of(credit_code, *, exclude_pk=None):
    """The registered enterprise that already has this credit code, or None."""
    found = KeyEnterprise.objects.filter(credit_code=normalise_credit_code(credit_code))
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.first()


def duplicate_message(enterprise):
    return _("该统一社会信用代码已登记为重点出口企业“%(name)s”，请直接修改该企业的信息。") % {"name": enterprise.name}


def _check_not_duplicate(enterprise):
    other = duplicate_of(enterprise.credit_code, exclude_pk=enterprise.pk)
    if other is not None:
        raise ValidationError({"credit_code": duplicate_message(other)}, code="duplicate")


def applicant_with_code(credit_code, *, enterprise_pk=None):
    """The platform's applicant with this credit code, unless another enterprise is linked to it."""
    if not credit_code:
        return None
    applicant = Applicant.objects.filter(credit_code=credit_code).select_related("key_enterprise").first()
    if applicant is None:
        return None
    linked = getattr(applicant, "key_enterprise", None)
    if linked is not None and linked.pk != enterprise_pk:
        return None
    return applicant


def _save(enterprise, **kwargs):
    try:
        with transaction.atomic():
            enterprise.save(**kwargs)
    except IntegrityError:
        # Registered by someone else a moment ago.
        other = duplicate_of(enterprise.credit_code, exclude_pk=enterprise.pk)
        if other is None:
            raise
        raise ValidationError({"credit_code": duplicate_message(other)}, code="duplicate") from None


def key_enterprise_register(*, enterprise, by):
    """Enter an enterprise (an unsaved KeyEnterprise with the values typed) in the register; it is
    linked to the platform's applicant with the same credit code when there is one. A credit code
    already registered is refused at that field (ValidationError), nothing saved."""
    require(can_manage_enterprises(by), CENTER_ONLY)
    enterprise.credit_code = normalise_credit_code(enterprise.credit_code)
    enterprise.created_by = by
    with transaction.atomic():
        _check_not_duplicate(enterprise)
        if enterprise.applicant_id is None:
            enterprise.applicant = applicant_with_code(enterprise.credit_code)
        enterprise.full_clean(validate_unique=False)
        _save(enterprise)
        log_action(
            enterprise,
            "enterprises.enterprise.registered",
            by=by,
            data={"credit_code": enterprise.credit_code, "applicant": enterprise.applicant_id},
        )
    return enterprise


def key_enterprise_update(*, enterprise, by, changed):
    """Save staff's changes to a registered enterprise (`enterprise` carries the new values,
    `changed` names the fields). A new credit code is checked like a new registration and links
    the applicant with that code; the link to an applicant is kept otherwise."""
    require(can_manage_enterprises(by, enterprise), CENTER_ONLY)
    changed = sorted(set(changed))
    enterprise.credit_code = normalise_credit_code(enterprise.credit_code)
    with transaction.atomic():
        current = KeyEnterprise.objects.select_for_update().get(pk=enterprise.pk)
        _check_not_duplicate(enterprise)
        if current.credit_code != enterprise.credit_code and "applicant" not in changed:
            enterprise.applicant = applicant_with_code(enterprise.credit_code, enterprise_pk=enterprise.pk)
            changed = sorted({*changed, "applicant"})
        elif enterprise.applicant_id is None:
            applicant = applicant_with_code(enterprise.credit_code, enterprise_pk=enterprise.pk)
            if applicant is not None:
                enterprise.applicant = applicant
                changed = sorted({*changed, "applicant"})
        enterprise.full_clean(validate_unique=False)
        _save(enterprise)
        log_action(enterprise, "enterprises.enterprise.changed", by=by, data={"fields": changed})
    return enterprise


# --- Liaison officers ----------------------------------------------------------------------------


def liaison_officer_add(*, enterprise, by, name, email, title="", phone="", appointed_on=None, active=True):
    """Appoint (record) an IP liaison officer of a registered enterprise."""
    require(can_manage_enterprises(by, enterprise), CENTER_ONLY)
    with transaction.atomic():
        enterprise = KeyEnterprise.objects.select_for_update().get(pk=enterprise.pk)
        officer = LiaisonOfficer(
            enterprise=enterprise,
            name=name,
            email=email,
            title=title,
            phone=phone,
            appointed_on=appointed_on,
            active=active,
        )
        officer.full_clean()
        officer.save()
        log_action(officer, "enterprises.officer.appointed", by=by, scope=enterprise, data={"email": email})
    return officer


def liaison_officer_change(*, officer, by, **changes):
    """Change an officer's details; unticking "在任" is their retirement (recorded as such)."""
    require(can_manage_enterprises(by, officer.enterprise), CENTER_ONLY)
    unknown = set(changes) - set(OFFICER_FIELDS)
    if unknown:
        raise ValueError(f"liaison_officer_change does not change {sorted(unknown)}")
    with transaction.atomic():
        locked = LiaisonOfficer.objects.select_for_update().select_related("enterprise").get(pk=officer.pk)
        fields = sorted(name for name, value in changes.items() if getattr(locked, name) != value)
        if not fields:
            return locked
        retiring = "active" in fields and not changes["active"]
        for name in fields:
            setattr(locked, name, changes[name])
        locked.full_clean()
        locked.save(update_fields=fields)
        log_action(
            locked,
            "enterprises.officer.retired" if retiring else "enterprises.officer.changed",
            by=by,
            scope=locked.enterprise,
            data={"fields": fields},
        )
    for name in fields:
        setattr(officer, name, changes[name])
    return locked


def liaison_officer_retire(*, officer, by):
    """The officer no longer holds the post: kept with the warnings sent to them, sent nothing new."""
    return liaison_officer_change(officer=officer, by=by, active=False)


# --- Warnings to liaison officers ----------------------------------------------------------------


def warning_summary(warning, length=SUMMARY_LENGTH):
    text = " ".join(strip_tags(warning.body).split())
    return Truncator(text).chars(length)


def warning_link(warning):
    return f"{settings.SITE_URL}{warning.get_absolute_url()}"


def _warning_email(warning, officer, reason):
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【预警信息】%(title)s（风险等级：%(risk)s）") % {
            "title": warning.title,
            "risk": warning.get_risk_level_display(),
        }
        text = render_to_string(
            "enterprises/email/warning.txt",
            {
                "warning": warning,
                "officer": officer,
                "enterprise": officer.enterprise,
                "reason": reason,
                "country": country_name(warning.country),
                "summary": warning_summary(warning),
                "link": warning_link(warning),
            },
        )
    return subject, text


def active_enterprises_with_officers():
    return KeyEnterprise.objects.filter(active=True).prefetch_related(
        Prefetch("liaison_officers", queryset=LiaisonOfficer.objects.filter(active=True), to_attr="serving_officers")
    )


def warning_deliver(*, warning_id, by=None):
    """Send a published warning to the active liaison officers of the active enterprises it concerns
    (enterprises.matching), each officer once. Returns how many officers were sent it now (0 when
    all had it already, or when the warning is not published)."""
    warning = Warning.objects.filter(pk=warning_id, status=Publication.Status.PUBLISHED).first()
    if warning is None:
        return 0
    sent = 0
    for enterprise in active_enterprises_with_officers():
        reason = warning_concerns(enterprise, warning)
        if not reason or not enterprise.serving_officers:
            continue
        with transaction.atomic():
            told = []
            for officer in enterprise.serving_officers:
                _delivery, created = WarningDelivery.objects.get_or_create(
                    warning=warning, officer=officer, defaults={"reason": reason[:200]}
                )
                if not created:
                    continue
                subject, text = _warning_email(warning, officer, reason)
                queue_email([officer.email], subject=subject, text=text)
                told.append(officer)
            if told:
                log_action(
                    enterprise,
                    "enterprises.warning.sent",
                    by=by,
                    scope=warning,
                    note=reason,
                    data={"warning": warning.pk, "officers": [officer.pk for officer in told]},
                )
                sent += len(told)
    return sent
