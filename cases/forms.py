"""Forms of the case workplace (admin) and of the agency workspace. Thin: they parse
input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.choices import DisputeLevel
from cases.models import AssistanceLetter, UpwardReport
from cases.services import check_answer_files
from portal.forms import MultipleFileField
from portal.models import PartnerAgency, User
from portal.roles import CENTER_ROLES


class LetterForm(forms.Form):
    agencies = forms.ModelMultipleChoiceField(
        label=_("主送协助单位"),
        queryset=PartnerAgency.objects.filter(active=True).order_by("display_order", "pk"),
        widget=forms.CheckboxSelectMultiple,
    )
    subject = forms.CharField(label=_("事由"), max_length=200)
    help_kinds = forms.MultipleChoiceField(
        label=_("请求协助事项"), choices=AssistanceLetter.Help.choices, widget=forms.CheckboxSelectMultiple
    )
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 10}), max_length=10000)
    due_date = forms.DateField(
        label=_("请于此日前回复"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空时按系统设置的协助单位回函时限（工作日）自签发之日起计算。"),
    )
    share_contact = forms.BooleanField(
        label=_("向协助单位提供申请人联系方式"),
        required=False,
        help_text=_("不勾选时，协助单位看不到申请人的联系人和联系方式。"),
    )


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("终止理由（内部）"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    public_note = forms.CharField(
        label=_("告知申请人的终止理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        help_text=_("写入终止办理通知书；留空时使用内部理由。"),
    )


class RegradeForm(forms.Form):
    level = forms.ChoiceField(label=_("纠纷级别"), choices=DisputeLevel.choices)
    reason = forms.CharField(label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def handler_choices():
    return User.objects.filter(groups__name__in=list(CENTER_ROLES), is_active=True).distinct().order_by("full_name")


class AssignForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("承办人"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handler_choices()


class ReportForm(forms.Form):
    recipient = forms.ChoiceField(label=_("报送对象"), choices=UpwardReport.Recipient.choices)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("回函内容"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000)
    information_found = forms.CharField(
        label=_("查询到的信息"), widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=10000
    )
    files = MultipleFileField(
        label=_("附件"),
        required=False,
        help_text=_("可选多个文件（PDF、JPG、PNG、Word、Excel），每个不超过 20 MB，最多 10 个。不接受压缩包。"),
    )

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        check_answer_files(files)  # by content, so that errors show next to the field
        return files


class NominationForm(forms.Form):
    name = forms.CharField(label=_("专家姓名"), max_length=50, required=False)
    organisation = forms.CharField(label=_("工作单位"), max_length=200, required=False)
    title = forms.CharField(label=_("职称/职务"), max_length=100, required=False)
    expertise = forms.CharField(label=_("专业领域与经验"), max_length=1000, required=False)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)

    def clean(self):
        data = super().clean()
        if any(data.get(f) for f in ("organisation", "title", "expertise", "email", "phone")) and not data.get("name"):
            self.add_error("name", _("请填写专家姓名。"))
        if data.get("name") and not data.get("organisation"):
            self.add_error("organisation", _("请填写工作单位。"))
        return data


# absolute_max: a forged TOTAL_FORMS never makes the page build more than ten forms.
NominationFormSet = forms.formset_factory(NominationForm, extra=2, max_num=10, absolute_max=10, validate_max=True)


class ExtensionForm(forms.Form):
    requested_until = forms.DateField(label=_("申请延期至"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
