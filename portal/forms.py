from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.template.loader import render_to_string

from portal.notifications import queue_email


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
