"""The subscription form: an address (for a visitor) and the countries, industries and IP types."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.countries import ALL_COUNTRY_CHOICES
from knowledge.models import Industry, IPType


class ChoicesForm(forms.Form):
    countries = forms.MultipleChoiceField(
        label=_("国家/地区"),
        choices=ALL_COUNTRY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示全部国家/地区。"),
    )
    industries = forms.MultipleChoiceField(
        label=_("行业"),
        choices=Industry.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示全部行业。法律法规不分行业，所选国家/地区的法律法规都会推送。"),
    )
    ip_types = forms.MultipleChoiceField(
        label=_("知识产权类型"),
        choices=IPType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示全部类型；“综合”类信息总会推送。"),
    )

    def choices(self):
        return {name: self.cleaned_data.get(name) or [] for name in ("countries", "industries", "ip_types")}


class SubscribeForm(ChoicesForm):
    """A visitor gives an address; a logged-in user's account address is used (no field)."""

    email = forms.EmailField(
        label=_("电子邮箱"),
        max_length=254,
        help_text=_("我们会向该邮箱发送一封确认邮件，确认后才开始推送。"),
        error_messages={"required": _("请填写电子邮箱。"), "invalid": _("请填写有效的电子邮箱地址。")},
    )

    field_order = ["email", "countries", "industries", "ip_types"]

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        if account is not None:
            del self.fields["email"]
