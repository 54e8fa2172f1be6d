"""Invitations to follow an applicant online: the center or a workstation registered the applicant (from a
consultation, a paper form or an e-mail) and e-mails a person a link that creates their account for it.

The link carries a random token; only its SHA-256 is stored, so the table alone opens nothing. A link works
once and expires after INVITATION_DAYS days; staff can send a new one (a new token) at any time.
"""

import datetime
import hashlib
import secrets

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Applicant, ApplicantAccount, Application, Invitation
from applications.permissions import can_send_invitation
from applications.selectors import applicant_of
from portal.access import require
from portal.audit import log_action
from portal.models import User
from portal.notifications import send_email
from portal.roles import Role
from portal.transitions import TransitionNotAllowed

INVITATION_DAYS = 14


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str) -> str:
    return reverse("applications:invitation_accept", args=[token])


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token opens (expired or used ones included), or None."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("applicant", "application", "accepted_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_state(invitation: Invitation, now=None) -> str:
    """ "open", "accepted" or "expired"."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


def invitation_send(
    *,
    applicant: Applicant,
    email: str,
    full_name: str,
    by: User,
    phone: str = "",
    application: Application | None = None,
) -> Invitation:
    """E-mail `full_name` a link to take the applicant's affairs online. Earlier open invitations to the
    same address for the same applicant stop working: only the newest link opens."""
    require(can_send_invitation(by, applicant), _("您无权为该申请人发送在线办理邀请。"))
    email = User.objects.normalize_email((email or "").strip())
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.select_for_update().filter(
            applicant=applicant, email__iexact=email, accepted_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        invitation = Invitation.objects.create(
            applicant=applicant,
            application=application,
            email=email,
            full_name=(full_name or "").strip(),
            phone=(phone or "").strip(),
            token_hash=token_hash(token),
            sent_by=by,
            expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
        )
        what = (
            _("申请 %(number)s") % {"number": application.number or _("（草稿）")}
            if application is not None
            else _("您单位的申请")
        )
        send_email(
            [email],
            subject=_("邀请您在线办理海外知识产权纠纷应对指导申请"),
            body=_(
                "%(name)s，您好：\n"
                "指导中心已为 %(applicant)s 登记了%(what)s。请点击下面的链接设置密码，即可在线查看进度、补充材料、"
                "与中心留言。链接 %(days)s 天内有效，只能使用一次；如已过期，请联系中心重新发送。"
            )
            % {"name": invitation.full_name, "applicant": applicant.name, "what": what, "days": INVITATION_DAYS},
            link=invitation_link(token),
        )
        log_action(
            invitation,
            "applications.invitation.sent",
            by=by,
            scope=application or applicant,
            data={"email": email, "applicant": applicant.pk, "application": getattr(application, "pk", None)},
        )
    return invitation


def invitation_resend(*, invitation: Invitation, by: User) -> Invitation:
    """Send a new link (a new token) to the same person; the old link stops working."""
    if invitation.accepted_at is not None:
        raise TransitionNotAllowed(_("该邀请已被接受，无需重新发送。"), code="accepted")
    return invitation_send(
        applicant=invitation.applicant,
        email=invitation.email,
        full_name=invitation.full_name,
        phone=invitation.phone,
        application=invitation.application,
        by=by,
    )


def _check_open(invitation):
    state = invitation_state(invitation)
    if state == "accepted":
        raise TransitionNotAllowed(_("该邀请链接已使用过。请直接登录。"), code="accepted")
    if state == "expired":
        raise TransitionNotAllowed(_("该邀请链接已过期，请联系指导中心重新发送。"), code="expired")


def invitation_accept(
    *,
    invitation: Invitation,
    password: str | None = None,
    full_name: str = "",
    phone: str = "",
    user: User | None = None,
) -> User:
    """Accept an invitation, once.

    Without `user`: create an active applicant account for the invited address with `password`, linked
    to the applicant. With `user` (the address's own account, logged in): link that account, which must
    not act for another organisation yet. Returns the user."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("applicant").get(pk=invitation.pk)
        _check_open(invitation)
        applicant = invitation.applicant
        group = Group.objects.get_or_create(name=Role.APPLICANT)[0]
        if user is None:
            user = _new_or_unconfirmed_account(invitation, password=password, full_name=full_name, phone=phone)
        else:
            user = User.objects.select_for_update().get(pk=user.pk)
            if user.email.lower() != invitation.email.lower():
                raise TransitionNotAllowed(_("该邀请发给了另一个邮箱，请用受邀邮箱的账号登录。"), code="other_address")
            own = applicant_of(user)
            if own is not None and own.pk != applicant.pk:
                raise TransitionNotAllowed(
                    _("您的账号已属于另一家单位，一个账号只能代表一家单位。请联系指导中心。"), code="other"
                )
            changed = []
            if phone and not user.phone:
                user.phone = phone.strip()
                changed.append("phone")
            if changed:
                user.save(update_fields=changed)
        if applicant_of(user) is None:
            ApplicantAccount.objects.create(user=user, applicant=applicant)
            User.applicant_account.related.delete_cached_value(user)
        user.groups.add(group)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        log_action(
            invitation,
            "applications.invitation.accepted",
            by=user,
            scope=invitation.application or applicant,
            data={"user": user.pk},
        )
    return user


def unconfirmed_account(email):
    """An account of the address that was registered but never confirmed nor used: the invitation, which
    reached the address, confirms it."""
    return User.objects.filter(email__iexact=email, is_active=False, last_login__isnull=True).first()


def _new_or_unconfirmed_account(invitation, *, password, full_name, phone):
    known = User.objects.select_for_update().filter(email__iexact=invitation.email).first()
    if known is not None and (known.is_active or known.last_login is not None):
        raise TransitionNotAllowed(_("该邮箱已有账号，请先登录该账号再打开邀请链接。"), code="known_address")
    if known is not None and applicant_of(known) not in (None, invitation.applicant):
        raise TransitionNotAllowed(
            _("该邮箱的账号已属于另一家单位，一个账号只能代表一家单位。请联系指导中心。"), code="other"
        )
    candidate = known or User(email=invitation.email)
    candidate.full_name = (full_name or invitation.full_name).strip()
    candidate.phone = (phone or invitation.phone).strip()
    validate_password(password, candidate)
    if known is None:
        return User.objects.create_user(
            email=candidate.email,
            password=password,
            full_name=candidate.full_name,
            phone=candidate.phone,
            is_active=True,
        )
    known.set_password(password)
    known.is_active = True
    known.save(update_fields=["password", "is_active", "full_name", "phone"])
    return known


def invitation_landing(invitation: Invitation) -> str:
    """Where the person lands once in: the application (its form while a draft), or their list."""
    application = invitation.application
    if application is None:
        return reverse("applications:mine")
    if application.status == Application.Status.DRAFT:
        return reverse("applications:edit", args=[application.pk])
    return reverse("applications:detail", args=[application.pk])
