"""Account services of the base layer: activation links and activation of users.

Registration of an applicant user together with its organisation belongs to applications
(applications.services.applicant_register); it uses the helpers here for the e-mails."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.notifications import send_email


def activation_link(user):
    return reverse(
        "portal:activate",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


def registration_for_a_known_address(user, *, password):
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
        link = activation_link(user)
    else:
        subject = _("有人尝试用您的邮箱注册账号")
        body = _(
            "%(name)s，您好：\n有人刚刚尝试用本邮箱在本平台注册新账号。本邮箱已有账号，因此没有创建新账号。\n"
            "如果是您本人，请直接登录；忘记了密码，可以打开下面的链接重设密码。\n"
            "如果不是您本人，请忽略本邮件，您的账号不受影响。"
        ) % {"name": user.full_name or user.email}
        link = reverse("password_reset")
    send_email([user.email], subject=subject, body=body, link=link)


def user_activate(*, user, token):
    """Activate a user from the e-mailed link. Returns False when the link is not valid."""
    if not default_token_generator.check_token(user, token):
        return False
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return True
