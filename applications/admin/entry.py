"""Entering an application received on paper or by e-mail, and a workstation's first check: the forms
and the reading of a service's refusal back onto them."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.choices import Channel, EvidenceCategory
from applications.forms import FORM_FIELDS
from applications.models import (
    Applicant,
)
from applications.permissions import (
    FIRST_CHECK_CHANNELS,
    visible_applicants,
)
from portal.forms import MultipleFileField
from portal.validators import normalise_credit_code, normalise_id_number


class FirstCheckForm(forms.Form):
    """A workstation's first check (初审) of an application it entered."""

    complete = forms.BooleanField(
        label=gettext_lazy("材料齐全（申请书各项已填写，签字盖章的申请书已扫描上传）"), required=False
    )
    standing_verified = forms.BooleanField(
        label=gettext_lazy("主体资格已核实（营业执照、身份证等与申请人一致）"), required=False
    )
    note = forms.CharField(
        label=gettext_lazy("初审意见"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=gettext_lazy("初审未通过时必填：写明缺少的材料或需要核实的问题。"),
    )
    more_files = MultipleFileField(label=gettext_lazy("补充材料（可选）"), required=False)
    more_category = forms.ChoiceField(
        label=gettext_lazy("补充材料类别"), choices=EvidenceCategory.choices, initial=EvidenceCategory.STANDING
    )


class EntryForm(forms.Form):
    """What an entry adds to the form's answers: how it came, the scanned form and evidence, an invitation."""

    channel = forms.ChoiceField(
        label=gettext_lazy("收到方式"),
        choices=[(value, label) for value, label in Channel.choices if value in FIRST_CHECK_CHANNELS],
        widget=forms.RadioSelect,
        initial=Channel.PAPER,
    )
    paper_form = forms.FileField(
        label=gettext_lazy("签字（盖章）的申请书扫描件"),
        help_text=gettext_lazy("PDF 或图片；电子邮件收到的，上传邮件附带的申请书。"),
    )
    standing_files = MultipleFileField(label=gettext_lazy("主体资格证明（营业执照、身份证等）"), required=False)
    other_files = MultipleFileField(label=gettext_lazy("其他证明材料"), required=False)
    other_category = forms.ChoiceField(
        label=gettext_lazy("其他证明材料的类别"),
        choices=[(v, label) for v, label in EvidenceCategory.choices if v not in {"standing", "paper_form"}],
        initial=EvidenceCategory.IP_RIGHTS,
    )
    note = forms.CharField(
        label=gettext_lazy("录入说明（内部）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text=gettext_lazy("例如：2026 年 12 月 1 日窗口收到纸质申请书一份。"),
    )
    invite = forms.BooleanField(label=gettext_lazy("邀请申请人在线跟进（发送开通账号的邮件）"), required=False)
    invite_name = forms.CharField(label=gettext_lazy("受邀人姓名"), max_length=100, required=False)
    invite_email = forms.EmailField(label=gettext_lazy("受邀邮箱"), required=False)
    invite_phone = forms.CharField(label=gettext_lazy("受邀人电话"), max_length=40, required=False)

    def clean(self):
        data = super().clean()
        if data.get("invite") and not data.get("invite_email") and "invite_email" not in self.errors:
            self.add_error("invite_email", _("勾选了邀请在线跟进，请填写受邀邮箱。"))
        return data


def search_applicants(user, q):
    """Applicants the user may see whose name contains `q`, or whose credit code or ID number is `q`."""
    q = (q or "").strip()
    if not q:
        return Applicant.objects.none()
    condition = Q(name__icontains=q) | Q(credit_code=normalise_credit_code(q)) | Q(id_number=normalise_id_number(q))
    return visible_applicants(user).filter(condition).select_related("service_point").order_by("name")[:30]


# The answers in the paper form's sections (the other countries next to the countries).
ANSWER_SECTIONS = [
    (gettext_lazy("一、申请人信息"), "applicant_category", "contact_address"),
    (gettext_lazy("二、纠纷基本情况"), "dispute_types", "technical_field_other"),
    (gettext_lazy("境外期限"), "foreign_deadline", "urgent"),
    (gettext_lazy("三、申请事项"), "request", "other_requests"),
]


def answer_sections(form):
    names = []
    for name in FORM_FIELDS:
        if name == "country_other":
            names += ["country_is_other", "other_country_codes"]
        names.append(name)
    sections = []
    for title, first, last in ANSWER_SECTIONS:
        chosen = names[names.index(first) : names.index(last) + 1]
        sections.append((title, [form[name] for name in chosen if name in form.fields]))
    return sections


ENTRY_RECEIPT_FIELDS = ["channel", "paper_form", "standing_files", "other_files", "other_category", "note"]
ENTRY_INVITE_FIELDS = ["invite", "invite_name", "invite_email", "invite_phone"]

# Where an error of the entry service is shown: the answers' fields on the answers form, the rest here.
ENTRY_ERROR_FIELDS = {
    "attachments": "standing_files",
    f"evidence_{EvidenceCategory.STANDING}": "standing_files",
    "paper_form": "paper_form",
    "channel": "channel",
    "invite_email": "invite_email",
}


def spread_errors(exc, forms_, *, fallback, mapping):
    """Show a service's ValidationError at the fields it names (first form that has the field), the rest on
    `fallback` as a general error."""
    if not hasattr(exc, "error_dict"):
        fallback.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        name = mapping.get(key, key)
        target = next((form for form in forms_ if name in form.fields), None)
        if target is None:
            fallback.add_error(None, errors)
        else:
            target.add_error(name, errors)
