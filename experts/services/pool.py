"""The pool itself: portal accounts for experts, and the periods in which an expert takes no cases."""

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from experts.models import Expert, Unavailability
from experts.permissions import can_manage_unavailability, can_open_account
from experts.services.common import log
from portal.access import require
from portal.models import User
from portal.notifications import notify
from portal.roles import Role

UNAVAILABILITY_MAX_DAYS = 366


def expert_account_open(*, expert: Expert, by: User) -> User:
    """Give a pool expert a portal login (the 'expert' role) and e-mail a link to set a password.
    An existing user with the same e-mail address is linked instead of duplicated."""
    require(can_open_account(by, expert), _("只有中心工作人员可以为专家开通账号。"))
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        if expert.user_id:
            raise ValidationError(_("%(name)s已有登录账号。") % {"name": expert.name}, code="exists")
        email = (expert.email or "").strip().lower()
        if not email:
            raise ValidationError(_("%(name)s没有电子邮箱，无法开通账号。") % {"name": expert.name}, code="email")
        user = User.objects.filter(email__iexact=email).first()
        if user is not None and Expert.objects.filter(user=user).exists():
            raise ValidationError(_("邮箱 %(email)s 已关联其他专家。") % {"email": email}, code="taken")
        if user is None:
            user = User.objects.create_user(email=email, password=None, full_name=expert.name)
        user.groups.add(Group.objects.get_or_create(name=Role.EXPERT)[0])
        expert.user = user
        expert.save(update_fields=["user"])
        log(expert, "experts.expert.account_opened", by=by, expert=expert, note=email)
        link = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        notify(
            [user],
            subject=_("指导专家账号已开通"),
            body=_("您已被纳入专家库，可登录门户答复邀请、提交专家意见。请通过以下链接设置密码（登录名为本邮箱）。"),
            link=link,
        )
    return user


def unavailability_record(*, expert: Expert, by: User, starts_on, ends_on, reason: str = "") -> Unavailability:
    """Record a period in which the expert takes no cases; matching leaves them out while it
    overlaps a case's deadline window. The expert records their own, staff anybody's."""
    require(can_manage_unavailability(by, expert), _("只能登记本人的不可承接期间。"))
    errors = {}
    if ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    elif ends_on < timezone.localdate():
        errors["ends_on"] = _("结束日期已过，无需登记。")
    elif (ends_on - starts_on).days >= UNAVAILABILITY_MAX_DAYS:
        errors["ends_on"] = _("一次登记不超过一年；长期不能承接请联系工作人员调整可承接状态。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        period = Unavailability.objects.create(
            expert=expert, starts_on=starts_on, ends_on=ends_on, reason=(reason or "").strip()
        )
        log(expert, "experts.expert.unavailability_recorded", by=by, expert=expert, note=str(period))
    return period


def unavailability_delete(*, period: Unavailability, by: User) -> None:
    require(can_manage_unavailability(by, period.expert), _("只能删除本人的不可承接期间。"))
    with transaction.atomic():
        Unavailability.objects.filter(pk=period.pk).delete()
        log(period.expert, "experts.expert.unavailability_deleted", by=by, expert=period.expert, note=str(period))
