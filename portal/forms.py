from django import forms
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from applications.choices import ApplicantCategory
from applications.models import Applicant
from portal.models import User
from portal.notifications import queue_email
from portal.validators import normalise_credit_code, validate_credit_code, validate_phone


class RegistrationForm(UserCreationForm):
    """Self-registration of an applicant user together with their organisation."""

    organisation_name = forms.CharField(label=_("单位名称"), max_length=200)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        help_text=_("18 位，见营业执照；用于识别你的单位。"),
        validators=[validate_credit_code],
    )
    category = forms.ChoiceField(label=_("申请人类别"), choices=ApplicantCategory.choices)

    class Meta:
        model = User
        fields = ("full_name", "email", "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["phone"].validators.append(validate_phone)

    def _get_validation_exclusions(self):
        # An address that already has an account is not refused here: the form would tell
        # anyone which addresses are registered. The service answers the same either way and
        # e-mails the owner of the address.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("email")
        return exclusions

    def clean_credit_code(self):
        # An organisation already registered is not refused: the new user asks to join it,
        # and an existing member (or the center) approves before they see anything.
        return normalise_credit_code(self.cleaned_data["credit_code"])

    def existing_applicant(self):
        return Applicant.objects.filter(credit_code=self.cleaned_data["credit_code"]).first()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes several files at once; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, with the e-mail sent like every other one: recorded and sent by a
    task after the request, so that a mail server that is down never answers the user with an error."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        queue_email([to_email], subject=subject, text=render_to_string(email_template_name, context))
