"""Forms of training sessions, salons and trade fairs: registration, the fair desk's help form,
and the staff's forms (material upload, answer, escalation)."""

import html

import nh3
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from knowledge.models import FairHelpRequest, Registration
from portal.uploads import check_upload

MAX_ATTENDEES = 50

phone_validator = RegexValidator(
    r"^[0-9+()\-\s]{5,40}$", _("请填写有效的电话号码（数字，可含 +、-、括号和空格）。"), code="phone"
)


def plain(text):
    """Submitted text without any HTML markup (tags dropped by nh3, script and style with their
    content); entities are turned back into characters, as pages escape the text when they show it
    and e-mails are plain text."""
    return html.unescape(nh3.clean(text or "", tags=set())).strip()


class _PlainTextForm(forms.Form):
    submit_label = _("提交")

    def __init__(self, *args, action="", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.add_input(Submit("submit", self.submit_label))

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str) and name != "email":
                cleaned = plain(value)
                if value.strip() and not cleaned:
                    self.add_error(name, _("请填写文字内容。"))
                data[name] = cleaned
        return data


class RegistrationForm(_PlainTextForm):
    submit_label = _("提交报名")
    organisation = forms.CharField(label=Registration._meta.get_field("organisation").verbose_name, max_length=200)
    contact_name = forms.CharField(label=Registration._meta.get_field("contact_name").verbose_name, max_length=50)
    email = forms.EmailField(
        label=Registration._meta.get_field("email").verbose_name,
        help_text=_("报名确认、取消链接和日历文件将发送到此邮箱。"),
    )
    phone = forms.CharField(
        label=Registration._meta.get_field("phone").verbose_name, max_length=40, validators=[phone_validator]
    )
    attendees = forms.IntegerField(
        label=Registration._meta.get_field("attendees").verbose_name,
        min_value=1,
        max_value=MAX_ATTENDEES,
        initial=1,
        error_messages={
            "min_value": _("参加人数至少为 1 人。"),
            "max_value": _("每次报名最多 %(limit_value)s 人。"),
        },
    )


class FairHelpForm(_PlainTextForm):
    submit_label = _("提交求助")
    organisation = forms.CharField(label=FairHelpRequest._meta.get_field("organisation").verbose_name, max_length=200)
    contact_name = forms.CharField(label=FairHelpRequest._meta.get_field("contact_name").verbose_name, max_length=50)
    phone = forms.CharField(
        label=FairHelpRequest._meta.get_field("phone").verbose_name,
        max_length=40,
        validators=[phone_validator],
        help_text=_("工作人员将通过此电话与您联系，请保持畅通。"),
    )
    email = forms.EmailField(
        label=FairHelpRequest._meta.get_field("email").verbose_name,
        required=False,
        help_text=_("选填：用于接收书面答复。"),
    )
    booth = forms.CharField(label=FairHelpRequest._meta.get_field("booth").verbose_name, max_length=40, required=False)
    question = forms.CharField(
        label=FairHelpRequest._meta.get_field("question").verbose_name,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("如：收到侵权投诉或警告函、展品被要求撤展、发现他人仿冒本企业产品。"),
    )
    urgent = forms.BooleanField(label=FairHelpRequest._meta.get_field("urgent").verbose_name, required=False)


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("资料名称"), max_length=200)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、Word、Excel 或图片。"))

    def clean_title(self):
        title = plain(self.cleaned_data["title"])
        if not title:
            raise ValidationError(_("请填写资料名称。"))
        return title

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


class HelpAnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def clean_answer(self):
        answer = plain(self.cleaned_data["answer"])
        if not answer:
            raise ValidationError(_("请填写答复内容。"))
        return answer


class HelpEscalateForm(forms.Form):
    note = forms.CharField(
        label=_("说明（仅工作人员可见）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_note(self):
        return plain(self.cleaned_data["note"])
