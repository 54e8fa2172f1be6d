"""The invitation link: the invited person sets a password (or, when the address already has an
account, logs in and confirms) and lands on the applicant's application. Thin: the services decide."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from applications.services.invitations import (
    invitation_accept as accept,
)
from applications.services.invitations import (
    invitation_for_token,
    invitation_landing,
    invitation_state,
    unconfirmed_account,
)
from portal.models import User
from portal.transitions import TransitionNotAllowed
from portal.validators import validate_phone

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class InvitationAcceptForm(SetPasswordMixin, forms.Form):
    """Confirm name and phone, and choose a password."""

    full_name = forms.CharField(label=gettext_lazy("姓名"), max_length=100)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=40, validators=[validate_phone])
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=gettext_lazy("设置密码"), label2=gettext_lazy("再次输入密码")
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["password1"].help_text = _("至少 10 位，不能全是数字，不能与姓名或邮箱过于相似。")

    def clean(self):
        data = super().clean()
        self.validate_passwords()
        user = User(email=self.invitation.email, full_name=data.get("full_name", ""), phone=data.get("phone", ""))
        self.validate_password_for_user(user)
        return data


def _invalid(request, reason, status):
    return render(request, "applications/invitation_invalid.html", {"reason": reason}, status=status)


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = invitation_for_token(token)
    if invitation is None:
        return _invalid(request, "unknown", 404)
    state = invitation_state(invitation)
    if state != "open":
        return _invalid(request, state, 410)
    known = User.objects.filter(email__iexact=invitation.email).first()
    if known is not None and unconfirmed_account(invitation.email) is not None:
        known = None  # registered but never confirmed: the invitation confirms it, with a new password
    user = request.user
    if known is not None:
        if not user.is_authenticated:
            login_url = f"{reverse('login')}?{urlencode({'next': request.path})}"
            return render(
                request, "applications/invitation_login.html", {"invitation": invitation, "login_url": login_url}
            )
        if user.pk != known.pk:
            return _invalid(request, "other_account", 403)
        if request.method == "POST":
            try:
                accept(invitation=invitation, user=user)
            except TransitionNotAllowed as exc:
                return render(
                    request,
                    "applications/invitation_link.html",
                    {"invitation": invitation, "error": "；".join(exc.messages)},
                    status=409,
                )
            messages.success(request, _("您的账号已关联到 %(org)s。") % {"org": invitation.applicant.name})
            return redirect(invitation_landing(invitation))
        return render(request, "applications/invitation_link.html", {"invitation": invitation})
    if user.is_authenticated:
        return _invalid(request, "logged_in_elsewhere", 403)
    form = InvitationAcceptForm(
        request.POST or None,
        invitation=invitation,
        initial={"full_name": invitation.full_name, "phone": invitation.phone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            new_user = accept(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
            )
        except TransitionNotAllowed as exc:
            # Used or expired between the page and the click, or the address got an account meanwhile.
            return render(
                request, "applications/invitation_invalid.html", {"message": "；".join(exc.messages)}, status=409
            )
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            login(request, new_user, backend=MODEL_BACKEND)
            messages.success(request, _("账号已开通，欢迎使用。"))
            return redirect(invitation_landing(invitation))
    return render(request, "applications/invitation_accept.html", {"invitation": invitation, "form": form})
