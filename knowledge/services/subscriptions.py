"""Subscriptions to new warnings and laws: double opt-in, the weekly digest, word of a changed law.

A visitor gives an address and chooses countries, industries and IP types (an empty choice means
all of them); nothing is sent to the address until its owner follows the confirmation link mailed
to it. A logged-in user subscribes the account's own address, which the account's activation has
already confirmed. Every e-mail carries the link of the subscription's own page (its token), where
the subscriber changes the choices or unsubscribes.

The weekly digest (`digest_send`, Monday morning by celery beat) gathers for each active
subscription the warnings and laws published since the last digest it received (or in the past
seven days) that match its choices, and sends one message; a second run in the same week sends
nothing. When a law is amended or repealed, the review calls `law_version_published` and the
subscribers of that country hear of it at once.

Matching: a country choice matches the item's country; an IP type choice matches the item's IP
type, and an item of the general type (综合) matches every IP type; an industry choice matches a
warning of that industry, and a warning that names no industry, and every law (laws have no
industry), so that a subscriber who chose an industry still hears of the law of its countries.
"""

import datetime
import functools
import hashlib
import logging

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.countries import ALL_COUNTRY_CHOICES, country_name
from knowledge.models import Industry, IPType, Law, Publication, Subscription, Warning
from knowledge.selectors import published
from portal import outbox
from portal.access import require
from portal.audit import LogEntry, log_action
from portal.models import SiteConfiguration, User
from portal.notifications import queue_email
from portal.roles import is_center_member

logger = logging.getLogger(__name__)

# A new subscriber's first digest covers this much of the past.
DIGEST_FIRST_WINDOW = datetime.timedelta(days=7)
# Subscriptions per run of the digest task (a run takes about 10 ms per digest).
DIGEST_BATCH = 500
# Confirmation e-mails to one address: at most this many in this many seconds, whoever asks, so
# that the form cannot be used to flood someone's inbox from many network addresses.
CONFIRMATION_LIMIT = 3
CONFIRMATION_WINDOW = 24 * 3600

COUNTRY_CODES = frozenset(code for code, _name in ALL_COUNTRY_CHOICES)
RISK_ORDER = {Warning.Risk.HIGH: 0, Warning.Risk.MEDIUM: 1, Warning.Risk.LOW: 2}


def normalise_email(address: str) -> str:
    return BaseUserManager.normalize_email((address or "").strip()).lower()


def _clean_choices(values, allowed):
    """Known codes only, each once, in a stable order."""
    allowed = set(allowed)
    return sorted({value for value in values or () if value in allowed})


def _choices(countries, industries, ip_types):
    return {
        "countries": _clean_choices(countries, COUNTRY_CODES),
        "industries": _clean_choices(industries, Industry.values),
        "ip_types": _clean_choices(ip_types, IPType.values),
    }


def _absolute(path):
    return f"{settings.SITE_URL}{path}"


def manage_url(subscription):
    return _absolute(reverse("knowledge:subscription", args=[subscription.token]))


def unsubscribe_url(subscription):
    return _absolute(reverse("knowledge:unsubscribe", args=[subscription.token]))


def confirm_url(subscription):
    return _absolute(reverse("knowledge:subscription_confirm", args=[subscription.token]))


def _render(template, context):
    """An e-mail's text in the portal's language (e-mails leave the request: no visitor's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, {"center": SiteConfiguration.get(), **context})


def _subject(text):
    return " ".join(str(text).split())


def _may_mail(address):
    """Count one confirmation e-mail to `address`; False once its quota for the day is used up.
    The count lives in the cache (shared by every process in production); a cache that cannot be
    reached lets the message through, as the portal's rate limit does."""
    key = "knowledge:subscription-confirm:" + hashlib.sha256(address.encode()).hexdigest()
    try:
        cache.add(key, 0, timeout=CONFIRMATION_WINDOW)
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=CONFIRMATION_WINDOW)
        count = 1
    except Exception:  # the cache server or its connection failed: fail open
        logger.warning("Confirmation e-mails to one address not counted: cache unavailable", exc_info=True)
        return True
    return count <= CONFIRMATION_LIMIT


COVERED_KINDS = ("countries", "industries", "ip_types")


@functools.cache
def _choice_texts(kind, language):
    """code → label of one kind of choice, translated once per language: the subscriptions' list
    shows all three kinds in every row."""
    choices = {"countries": ALL_COUNTRY_CHOICES, "industries": Industry.choices, "ip_types": IPType.choices}[kind]
    return {code: str(label) for code, label in choices}


def covered(subscription, kind):
    """What a subscription covers of one kind (COVERED_KINDS), as people read it: a country not
    in the list shows as its code; everything when it names none."""
    texts = _choice_texts(kind, translation.get_language())
    codes = getattr(subscription, kind)
    if kind == "countries":
        shown = (texts.get(code, code) for code in codes)
    else:
        shown = (texts[code] for code in codes if code in texts)
    return "、".join(shown) or _("全部")


def choice_labels(subscription):
    """What a subscription covers, as people read it (for pages and e-mails)."""
    return {kind: covered(subscription, kind) for kind in COVERED_KINDS}


def _mail_confirmation(subscription):
    if not _may_mail(subscription.email):
        logger.info("Confirmation e-mail to subscription %s not sent: quota for the address used up", subscription.pk)
        return False
    text = _render(
        "knowledge/email/digest_confirm.txt",
        {
            "subscription": subscription,
            "labels": choice_labels(subscription),
            "confirm_url": confirm_url(subscription),
        },
    )
    queue_email([subscription.email], subject=_subject(_("请确认订阅涉外知识产权资讯")), text=text)
    return True


def _mail_manage_link(subscription):
    """Someone asked to subscribe an address that is already subscribed: its owner gets the link of
    the subscription's page, where the choices are changed (a stranger cannot change them)."""
    if not _may_mail(subscription.email):
        return False
    text = _render(
        "knowledge/email/digest_already_subscribed.txt",
        {"subscription": subscription, "labels": choice_labels(subscription), "manage_url": manage_url(subscription)},
    )
    queue_email([subscription.email], subject=_subject(_("您已订阅涉外知识产权资讯")), text=text)
    return True


def _lock_or_create(address, choices):
    """The subscription of `address`, locked, or a new one (not yet confirmed) created for it.
    Two first requests for one address at once: the second finds the first's row."""
    subscription = Subscription.objects.select_for_update().filter(email__iexact=address).first()
    if subscription is not None:
        return subscription, False
    try:
        with transaction.atomic():
            return Subscription.objects.create(email=address, **choices), True
    except IntegrityError:
        return Subscription.objects.select_for_update().get(email__iexact=address), False


def subscription_request(
    *,
    email: str = "",
    countries=(),
    industries=(),
    ip_types=(),
    by=None,
) -> Subscription:
    """Subscribe an address to countries, industries and IP types.

    A logged-in user (`by`) subscribes the account's own address, confirmed at once: the account's
    activation confirmed it. Anyone else's address is confirmed through the link e-mailed to it,
    and nothing else is sent before that. Asking again for the same address:
    - not yet confirmed (or unsubscribed): the new choices replace the old ones and the
      confirmation link is e-mailed again (unsubscribed: the address must be confirmed anew);
    - confirmed: nothing changes; the owner is e-mailed the link of the subscription's page, where
      the choices are changed. A stranger who knows an address can neither change its choices nor
      learn that it is subscribed: the answer page is the same in every case.
    Returns the subscription (for the caller's own account only may it be shown)."""
    choices = _choices(countries, industries, ip_types)
    account = by if by is not None and getattr(by, "is_authenticated", False) and by.email else None
    address = normalise_email(account.email if account is not None else email)
    require(bool(address), _("请填写电子邮箱。"))
    now = timezone.now()
    with transaction.atomic():
        subscription, created = _lock_or_create(address, choices)
        if account is not None:
            for field, value in choices.items():
                setattr(subscription, field, value)
            subscription.user = account
            if subscription.confirmed_at is None or subscription.unsubscribed_at is not None:
                subscription.confirmed_at = now
            subscription.unsubscribed_at = None
            subscription.save()
            log_action(subscription, "knowledge.subscription.subscribed", by=account, data=choices)
            return subscription
        if not created and subscription.active:
            log_action(subscription, "knowledge.subscription.asked_again", by=by)
            _mail_manage_link(subscription)
            return subscription
        for field, value in choices.items():
            setattr(subscription, field, value)
        subscription.confirmed_at = None
        subscription.unsubscribed_at = None
        subscription.save()
        log_action(subscription, "knowledge.subscription.requested", by=by, data=choices)
        _mail_confirmation(subscription)
    return subscription


def subscription_by_token(token: str) -> Subscription | None:
    if not token or len(token) > 64:
        return None
    return Subscription.objects.filter(token=token).first()


def subscription_confirm(*, subscription: Subscription, by=None) -> Subscription:
    """The owner of the address followed the confirmation link: the subscription starts. Confirming
    again does nothing; an unsubscribed subscription is not revived by an old confirmation link."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.confirmed_at is None and subscription.unsubscribed_at is None:
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["confirmed_at"])
            log_action(subscription, "knowledge.subscription.confirmed", by=by)
    return subscription


def subscription_update(
    *, subscription: Subscription, countries=(), industries=(), ip_types=(), by=None
) -> Subscription:
    """Change the choices from the subscription's page (the link proves the address). A subscriber
    who had unsubscribed and saves choices again is subscribed again; an address never confirmed
    is confirmed by it, since the page's link came in the e-mail sent to it."""
    choices = _choices(countries, industries, ip_types)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        fields = list(choices)
        for field, value in choices.items():
            setattr(subscription, field, value)
        if subscription.unsubscribed_at is not None:
            subscription.unsubscribed_at = None
            fields.append("unsubscribed_at")
        if subscription.confirmed_at is None:
            subscription.confirmed_at = timezone.now()
            fields.append("confirmed_at")
        subscription.save(update_fields=fields)
        log_action(subscription, "knowledge.subscription.updated", by=by, data=choices)
    return subscription


def subscription_unsubscribe(*, subscription: Subscription, by=None) -> Subscription:
    """Stop every e-mail to the subscription (a second time does nothing)."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.unsubscribed_at is None:
            subscription.unsubscribed_at = timezone.now()
            subscription.save(update_fields=["unsubscribed_at"])
            log_action(subscription, "knowledge.subscription.unsubscribed", by=by)
    return subscription


def subscriptions_unsubscribe(*, subscriptions, by) -> int:
    """Staff unsubscribe addresses (the admin action, e.g. on a subscriber's request by telephone)."""
    require(is_center_member(by), _("只有中心工作人员可以办理退订。"))
    count = 0
    for subscription in subscriptions.filter(unsubscribed_at__isnull=True):
        subscription_unsubscribe(subscription=subscription, by=by)
        count += 1
    return count


# --- Matching ---------------------------------------------------------------------------------


def _matches(subscription, *, country, ip_type, industry=None):
    """Whether an item of `country`, `ip_type` and `industry` (None: the item has no industry
    dimension, as a law) is of interest to the subscription. Empty choices mean all."""
    if subscription.countries and country not in subscription.countries:
        return False
    if subscription.ip_types and ip_type != IPType.GENERAL and ip_type not in subscription.ip_types:
        return False
    # An item without an industry (a law, a general warning) concerns every industry.
    return not (subscription.industries and industry and industry not in subscription.industries)


def _active_subscriptions():
    return Subscription.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


def _published(model, since, until):
    return published(model).filter(published_at__gte=since, published_at__lt=until).order_by("published_at", "pk")


def _law_line(law):
    return {
        "title": law.title_zh,
        "title_original": law.title_original,
        "country": country_name(law.country),
        "ip_type": law.get_ip_type_display(),
        "doc_type": law.get_doc_type_display(),
        "legal_status": law.get_legal_status_display(),
        "new_version": law.supersedes_id is not None,
        "url": _absolute(law.get_absolute_url()),
    }


def _warning_line(warning):
    return {
        "title": warning.title,
        "country": country_name(warning.country),
        "kind": warning.get_kind_display(),
        "risk_level": warning.get_risk_level_display(),
        "risk": warning.risk_level,
        "issued_on": warning.issued_on,
        "opposition_deadline": warning.opposition_deadline,
        "url": _absolute(warning.get_absolute_url()),
    }


# --- The weekly digest ------------------------------------------------------------------------


def week_start(now):
    """Midnight of the Monday of `now`'s week, in the portal's time zone."""
    local = timezone.localtime(now)
    monday = local.date() - datetime.timedelta(days=local.weekday())
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min), timezone.get_current_timezone())


def digest_send(*, now=None) -> int:
    """Send the weekly digest to every active subscription that has something new; returns how
    many digests were sent (all batches in turn; the task sends one batch per run, see
    digest_send_batch).

    Idempotent: a subscription sent its digest this week (Monday 00:00 in the portal's time zone
    onwards) is skipped, so a second run, a retry or a second delivery of the task sends nothing.
    Each subscription is locked while its digest is recorded, so two runs at once send it once."""
    now = now or timezone.now()
    sent, after = 0, 0
    while after is not None:
        batch_sent, after = digest_send_batch(now=now, after_pk=after)
        sent += batch_sent
    return sent


def digest_send_batch(*, now, after_pk=0, limit=None) -> tuple[int, int | None]:
    """The digests of up to `limit` subscriptions after `after_pk`, in id order. Returns how many
    were sent and the id to continue after, or None when no subscription is left: a run that ten
    thousand subscribers would make longer than a task may take is cut into tasks of one batch."""
    limit = limit or DIGEST_BATCH
    this_week = week_start(now)
    due = list(
        _active_subscriptions()
        .filter(pk__gt=after_pk)
        .exclude(last_sent_at__gte=this_week)
        .order_by("pk")
        .values_list("pk", "last_sent_at")[:limit]
    )
    if not due:
        return 0, None
    following = due[-1][0] if len(due) == limit else None
    earliest = min((sent_at or now - DIGEST_FIRST_WINDOW) for _pk, sent_at in due)
    warnings = list(_published(Warning, earliest, now))
    laws = list(_published(Law, earliest, now))
    if not warnings and not laws:
        return 0, following
    sent = 0
    for pk, _sent_at in due:
        if _digest_send_one(pk, warnings=warnings, laws=laws, now=now, this_week=this_week):
            sent += 1
    return sent, following


def _digest_send_one(pk, *, warnings, laws, now, this_week):
    with transaction.atomic():
        subscription = _active_subscriptions().select_for_update().filter(pk=pk).first()
        if subscription is None or (subscription.last_sent_at and subscription.last_sent_at >= this_week):
            return False
        since = subscription.last_sent_at or now - DIGEST_FIRST_WINDOW
        own_warnings = [
            w
            for w in warnings
            if w.published_at >= since
            and _matches(subscription, country=w.country, ip_type=w.ip_type, industry=w.industry or None)
        ]
        own_laws = [
            law
            for law in laws
            if law.published_at >= since and _matches(subscription, country=law.country, ip_type=law.ip_type)
        ]
        if not own_warnings and not own_laws:
            return False
        # The highest risk first, then the newest.
        own_warnings.sort(key=lambda w: (RISK_ORDER.get(w.risk_level, len(RISK_ORDER)), -w.published_at.timestamp()))
        own_laws.sort(key=lambda law: -law.published_at.timestamp())
        text = _render(
            "knowledge/email/digest.txt",
            {
                "subscription": subscription,
                "labels": choice_labels(subscription),
                "since": timezone.localtime(since),
                "until": timezone.localtime(now),
                "warnings": [_warning_line(w) for w in own_warnings],
                "laws": [_law_line(law) for law in own_laws],
                "manage_url": manage_url(subscription),
                "unsubscribe_url": unsubscribe_url(subscription),
            },
        )
        subject = _("涉外知识产权资讯周报：%(warnings)d 条预警，%(laws)d 部法律法规") % {
            "warnings": len(own_warnings),
            "laws": len(own_laws),
        }
        queue_email([subscription.email], subject=_subject(subject), text=text)
        subscription.last_sent_at = now
        subscription.save(update_fields=["last_sent_at"])
        log_action(
            subscription,
            "knowledge.subscription.digest_sent",
            data={"warnings": [w.pk for w in own_warnings], "laws": [law.pk for law in own_laws]},
        )
        return True


# --- A law amended or repealed ----------------------------------------------------------------


LAW_TOLD = "knowledge.law.subscribers_told"


def law_version_published(law: Law, *, by=None) -> bool:
    """A new version of a law, or its repeal, has been published: its country's subscribers (and
    those of its IP type, where they chose types) are to be told at once. Returns whether they
    will be (not for a law that is not published).

    Called by the review in the transaction that publishes the version. The telling is recorded in
    that transaction (the outbox) and runs as a task once it commits: a rolled-back publication
    tells no one, and publishing does not wait for a message to each of thousands of subscribers."""
    law = Law.objects.get(pk=law.pk)
    if law.status != Publication.Status.PUBLISHED:
        return False
    event = "repealed" if law.legal_status == Law.LegalStatus.REPEALED else "new_version"
    outbox.enqueue("knowledge.tasks.tell_law_subscribers", law.pk, event, by.pk if by is not None else None)
    return True


def law_subscribers_tell(*, law_id: int, event: str, by_id: int | None = None) -> int:
    """E-mail the active subscriptions that match the law's country and IP type about its new
    version or repeal; returns how many were told. Idempotent: the law's row is locked and the
    audit entry written with the messages records that this event was told, so a second delivery
    of the task tells no one again."""
    with transaction.atomic():
        law = Law.objects.select_for_update().filter(pk=law_id).first()
        if law is None or law.status != Publication.Status.PUBLISHED:
            return 0
        told = LogEntry.objects.about(law).filter(action_type=LAW_TOLD)
        if any(entry.data.get("event") == event for entry in told):
            return 0
        repealed = event == "repealed"
        # An amendment names the version it replaces; a repeal is about the law itself.
        previous = None if repealed else law.supersedes
        recipients = [
            subscription
            for subscription in _active_subscriptions().order_by("pk")
            if _matches(subscription, country=law.country, ip_type=law.ip_type)
        ]
        if repealed:
            subject = _("法律废止提示：%(country)s《%(title)s》")
        else:
            subject = _("法律修订提示：%(country)s《%(title)s》")
        subject = _subject(subject % {"country": country_name(law.country), "title": law.title_zh})
        for subscription in recipients:
            text = _render(
                "knowledge/email/digest_law_change.txt",
                {
                    "law": _law_line(law),
                    "previous": _law_line(previous) if previous is not None else None,
                    "repealed": repealed,
                    "summary": law.summary,
                    "effective_on": law.effective_on,
                    "manage_url": manage_url(subscription),
                    "unsubscribe_url": unsubscribe_url(subscription),
                },
            )
            queue_email([subscription.email], subject=subject, text=text)
        by = User.objects.filter(pk=by_id).first() if by_id else None
        log_action(law, LAW_TOLD, by=by, data={"event": event, "subscriptions": len(recipients)})
    return len(recipients)
