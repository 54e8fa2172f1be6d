"""Account services: registration and activation of applicant users."""

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from applications.models import Applicant
from portal.notifications import send_email
from portal.roles import Role


def applicant_register(*, full_name, email, phone, password, organisation_name, credit_code, category):
    """Create an inactive applicant user and e-mail the activation link.

    A new organisation is created with the user as its first member. When the organisation
    is already registered, the user is created without one and asks to join it; an existing
    member or the center approves the request before the user sees any of its applications.
    """
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
        link = reverse(
            "portal:activate",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        transaction.on_commit(
            lambda: send_email(
                [user.email],
                subject=_("请确认您的邮箱以启用账号"),
                body=_("%(name)s，您好：\n请点击下面的链接确认邮箱并启用您在本平台的账号。") % {"name": full_name},
                link=link,
            )
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
