"""Forms of the consultation pages in the staff workplace."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect, FilteredSelectMultiple
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applications.choices import ApplicantCategory, IdType
from consultations.models import Consultation
from portal.validators import normalise_credit_code, validate_credit_code


class ApplicantAutocomplete(AutocompleteSelect):
    """Django's autocomplete (select2) on the registered applicants, answered by the consultation
    admin's own search: it looks in the applicants the user may see, by name or credit code."""

    def get_url(self):
        return reverse("admin:consultations_consultation_applicant_search")


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = [
            "channel",
            "received_at",
            "fair_name",
            "person_name",
            "person_title",
            "phone",
            "email",
            "wechat",
            "applicant",
            "organisation_name",
            "credit_code",
            "countries",
            "right_types",
            "dispute_types",
            "question",
            "answer",
            "minutes_spent",
            "follow_up_on",
        ]
        help_texts = {
            "applicant": _("输入单位名称或统一社会信用代码查找已登记的单位；未登记的单位请在下面两栏填写。"),
            "organisation_name": _("未登记单位的名称（选了已登记单位时不必填写）。"),
            "fair_name": _("展会服务台接待时填写。"),
            "follow_up_on": _("需要回访或补充答复时填写，到期当天提醒接待人。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        countries = self.fields["countries"]
        countries.widget = FilteredSelectMultiple(_("国家/地区"), is_stacked=False)
        countries.widget.choices = countries.choices
        self.fields["follow_up_on"].widget = AdminDateWidget()

    def clean_credit_code(self):
        code = normalise_credit_code(self.cleaned_data.get("credit_code"))
        if code:
            validate_credit_code(code)
        return code


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("跟进情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    next_on = forms.DateField(
        label=_("下次跟进日期"), required=False, widget=AdminDateWidget(), help_text=_("不再跟进请留空。")
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ConvertForm(forms.Form):
    """Whom to invite, and the applicant's data when the consultation names no registered one."""

    full_name = forms.CharField(label=_("受邀人姓名"), max_length=100)
    email = forms.EmailField(label=_("受邀人电子邮箱"), help_text=_("邀请邮件中的链接用于创建账号并在线补充申请。"))
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    category = forms.ChoiceField(label=_("申请人类别"), choices=ApplicantCategory.choices, required=False)
    organisation_name = forms.CharField(label=_("申请人名称"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=[("", "—"), *IdType.choices], required=False)
    id_number = forms.CharField(label=_("证件号码"), max_length=30, required=False, help_text=_("个人申请人填写。"))
    address = forms.CharField(label=_("详细联系地址"), max_length=300, required=False)

    APPLICANT_FIELDS = ["category", "organisation_name", "credit_code", "id_type", "id_number", "address"]

    def __init__(self, *args, linked=False, **kwargs):
        super().__init__(*args, **kwargs)
        if linked:
            for name in self.APPLICANT_FIELDS:
                del self.fields[name]
