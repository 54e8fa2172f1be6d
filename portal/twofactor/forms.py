from django import forms
from django.utils.translation import gettext_lazy as _

from portal.twofactor.core import check_code


def _code_field(help_text):
    return forms.CharField(
        label=_("验证码"),
        max_length=40,
        strip=True,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false", "autocapitalize": "off"}
        ),
    )


class CodeForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    code = _code_field(
        _("打开手机上的身份验证器应用，输入本账号当前显示的 6 位数字；手机不在身边时，可输入一个恢复码。")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.result = None

    def clean_code(self):
        result = check_code(self.user, self.cleaned_data["code"])
        if not result.ok:
            raise forms.ValidationError(result.error)
        self.result = result
        return self.cleaned_data["code"]


class EnrolForm(forms.Form):
    code = _code_field(_("扫描二维码（或手动输入密钥）后，输入应用里显示的 6 位数字。"))
