"""Account services: registration and activation of applicant users."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from applications.models import Applicant
from portal.notifications import send_email
from portal.roles import Role


def _activation_link(user):
    return reverse(
        "portal:activate",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def _registration_for_a_known_address(user, *, password):
    """Someone registered with an address that already has an account. Nothing is created and
    the page they see is the same as for a new address; the owner of the address is told by
    e-mail instead (or, if they never confirmed their account, gets a fresh confirmation link)."""
    make_password(password)  # the same work as a real registration, so timing tells nothing
    if not user.is_active and user.last_login is None:
        subject = _("请确认您的邮箱以启用账号")
        body = _(
            "%(name)s，您好：\n有人（也许是您）再次用本邮箱在本平台注册。您的账号尚未启用，"
            "请点击下面的链接确认邮箱并启用账号；原来的密码不变。如果不是您本人操作，请忽略本邮件。"
        ) % {"name": user.full_name or user.email}
        link = _activation_link(user)
    else:
        subject = _("有人尝试用您的邮箱注册账号")
        body = _(
            "%(name)s，您好：\n有人刚刚尝试用本邮箱在本平台注册新账号。本邮箱已有账号，因此没有创建新账号。\n"
            "如果是您本人，请直接登录；忘记了密码，可以打开下面的链接重设密码。\n"
            "如果不是您本人，请忽略本邮件，您的账号不受影响。"
        ) % {"name": user.full_name or user.email}
        link = reverse("password_reset")
    address = user.email
    send_email([address], subject=subject, body=body, link=link)


def applicant_register(*, full_name, email, phone, password, organisation_name, credit_code, category):
    """Create an inactive applicant user and e-mail the activation link.

    A new organisation is created with the user as its first member. When the organisation
    is already registered, the user is created without one and asks to join it; an existing
    member or the center approves the request before the user sees any of its applications.

    When the address already has an account, nothing is created and None is returned: the
    caller answers exactly as for a new address, so that registration never reveals which
    addresses are registered, and the owner of the address is told by e-mail.
    """
    from portal.models import User

    address = User.objects.normalize_email(email)
    with transaction.atomic():
        known = User.objects.filter(email__iexact=address).first()
        if known is not None:
            _registration_for_a_known_address(known, password=password)
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
        )
    except IntegrityError:
        # A second registration of the same address at the same moment: answered like any other.
        with transaction.atomic():
            known = User.objects.filter(email__iexact=address).first()
            if known is None:
                raise
            _registration_for_a_known_address(known, password=password)
        return None


def _register_new(*, full_name, email, phone, password, organisation_name, credit_code, category):
    from applications.services import membership_request
    from portal.models import User

    with transaction.atomic():
        existing = Applicant.objects.filter(credit_code=credit_code).first()
        applicant = existing or Applicant.objects.create(
            name=organisation_name, credit_code=credit_code, category=category
        )
        user = User.objects.create_user(
            email=email,
            password=password,
            full_name=full_name,
            phone=phone,
            applicant=None if existing else applicant,
            is_active=False,
        )
        user.groups.add(Group.objects.get_or_create(name=Role.APPLICANT)[0])
        if existing:
            membership_request(user=user, applicant=existing, by=user, note=_("注册账号时申请加入本单位。"))
        link = _activation_link(user)
        send_email(
            [user.email],
            subject=_("请确认您的邮箱以启用账号"),
            body=_("%(name)s，您好：\n请点击下面的链接确认邮箱并启用您在本平台的账号。") % {"name": full_name},
            link=link,
        )
    return user


def user_activate(*, user, token):
    """Activate a user from the e-mailed link. Returns False when the link is not valid."""
    if not default_token_generator.check_token(user, token):
        return False
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return True
