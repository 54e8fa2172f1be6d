"""Applicant accounts: registering a user with its organisation, asking to join an organisation
that is already registered, and deciding such requests."""

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.choices import ApplicantCategory
from applications.models import Applicant, ApplicantAccount, MembershipRequest
from applications.permissions import can_decide_membership, can_join
from applications.selectors import applicant_of, members_of
from portal.access import require
from portal.audit import log_action
from portal.models import User
from portal.notifications import notify, notify_staff, send_email
from portal.roles import Role
from portal.services import activation_link, registration_for_a_known_address
from portal.transitions import TransitionNotAllowed, transition


def membership_request(*, user: User, applicant: Applicant, by: User, note: str = "") -> MembershipRequest:
    """A user asks to act for an organisation; its members and staff are told."""
    own = applicant_of(user)
    if own is not None and own.pk == applicant.pk:
        raise TransitionNotAllowed(_("您已经是该单位的成员。"), code="member")
    if own is not None:
        raise TransitionNotAllowed(_("您的账号已属于另一家单位，一个账号只能代表一家单位。"), code="other")
    require(by == user and can_join(user, applicant), _("只能以本人名义申请加入单位。"))
    with transaction.atomic():
        request, created = MembershipRequest.objects.get_or_create(
            applicant=applicant, user=user, status=MembershipRequest.Status.PENDING, defaults={"note": note}
        )
        if created:
            log_action(request, "applications.membership_request.created", by=by, to_status=request.status)
            if applicant.is_person:
                text = _(
                    "%(name)s（%(email)s）注册时填写了与您相同的证件号码，申请以您的名义使用平台。请在“我的申请”页面审核。"
                )
            else:
                text = _("%(name)s（%(email)s）申请以本单位名义使用平台。请在“我的申请”页面审核。")
            body = text % {"name": user.full_name, "email": user.email}
            notify(
                members_of(applicant),
                subject=_("有人申请以您的名义使用平台") if applicant.is_person else _("有同事申请加入本单位账号"),
                body=body,
                link=reverse("applications:mine"),
            )
            notify_staff(subject=_("加入单位申请：%(org)s") % {"org": applicant.name}, body=body)
    return request


def _link(user, applicant):
    ApplicantAccount.objects.create(user=user, applicant=applicant)
    User.applicant_account.related.delete_cached_value(user)


def membership_decide(*, request: MembershipRequest, by: User, approve: bool) -> MembershipRequest:
    """An existing member or staff approves or rejects a join request."""
    S = MembershipRequest.Status
    with transaction.atomic():
        request = MembershipRequest.objects.select_for_update().get(pk=request.pk)
        user = User.objects.select_for_update().get(pk=request.user_id)
        own = applicant_of(user)
        if approve and own is not None and own.pk != request.applicant_id:
            raise TransitionNotAllowed(_("该用户已属于另一家单位。"), code="other")
        request.decided_by = by
        request.decided_at = timezone.now()
        transition(
            request,
            S.APPROVED if approve else S.REJECTED,
            by=by,
            action=f"applications.membership_request.{'approved' if approve else 'rejected'}",
            permission=can_decide_membership,
            denied_message=_("您无权审核该申请。"),
            update_fields=("decided_by", "decided_at"),
        )
        if approve:
            if own is None:
                _link(user, request.applicant)
            user.groups.add(Group.objects.get_or_create(name=Role.APPLICANT)[0])
            subject = _("您已加入 %(org)s") % {"org": request.applicant.name}
        else:
            subject = _("您加入 %(org)s 的申请未获同意") % {"org": request.applicant.name}
        notify([user], subject=subject, body=subject, link=reverse("applications:mine"))
    return request


def applicant_register(
    *,
    full_name: str,
    email: str,
    phone: str,
    password: str,
    organisation_name: str,
    credit_code: str,
    category: str,
    id_type: str = "",
    id_number: str = "",
) -> User | None:
    """Create an inactive applicant user and e-mail the activation link.

    A new organisation is created with the user as its first member. When the organisation
    is already registered, the user is created without one and asks to join it; an existing
    member or the center approves the request before the user sees any of its applications.
    A natural person (个人) is the applicant itself: identified by its ID document instead of a
    credit code, named by the user's own name, and a second registration with the same document
    asks to join in the same way.

    When the address already has an account, nothing is created and None is returned: the
    caller answers exactly as for a new address, so that registration never reveals which
    addresses are registered, and the owner of the address is told by e-mail.
    """
    address = User.objects.normalize_email(email)
    with transaction.atomic():
        known = User.objects.filter(email__iexact=address).first()
        if known is not None:
            registration_for_a_known_address(known, password=password)
            return None
    try:
        return _register_new(
            full_name=full_name,
            email=address,
            phone=phone,
            password=password,
            organisation_name=organisation_name,
            credit_code=credit_code,
            category=category,
            id_type=id_type,
            id_number=id_number,
        )
    except IntegrityError:
        # A second registration of the same address at the same moment: answered like any other.
        with transaction.atomic():
            known = User.objects.filter(email__iexact=address).first()
            if known is None:
                raise
            registration_for_a_known_address(known, password=password)
        return None


def _register_new(*, full_name, email, phone, password, organisation_name, credit_code, category, id_type, id_number):
    person = category == ApplicantCategory.INDIVIDUAL
    if person:
        identity = {"name": full_name, "credit_code": None, "id_type": id_type, "id_number": id_number}
        known = {"id_type": id_type, "id_number": id_number}
    else:
        identity = {"name": organisation_name, "credit_code": credit_code}
        known = {"credit_code": credit_code}
    with transaction.atomic():
        existing = Applicant.objects.filter(**known).first()
        user = User.objects.create_user(
            email=email, password=password, full_name=full_name, phone=phone, is_active=False
        )
        user.groups.add(Group.objects.get_or_create(name=Role.APPLICANT)[0])
        if existing:
            note = _("注册账号时填写了相同的证件号码。") if person else _("注册账号时申请加入本单位。")
            membership_request(user=user, applicant=existing, by=user, note=note)
        else:
            applicant = Applicant.objects.create(category=category, **identity)
            _link(user, applicant)
            log_action(applicant, "applications.applicant.registered", by=user, data={"user": user.pk})
        send_email(
            [user.email],
            subject=_("请确认您的邮箱以启用账号"),
            body=_("%(name)s，您好：\n请点击下面的链接确认邮箱并启用您在本平台的账号。") % {"name": full_name},
            link=activation_link(user),
        )
    return user
