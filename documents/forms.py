from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents.models import VERIFICATION_ALPHABET


def too_large_message():
    return gettext("文件过大（超过 %(mb)d MB），不是本中心出具的文书。") % {"mb": settings.VERIFY_MAX_UPLOAD_MB}


def _upload_help():
    return gettext(
        "上传您收到的 PDF 文件（不超过 %(mb)d MB），核对它是否与本中心出具的文书完全一致，并核验其中的数字签名。"
    ) % {"mb": settings.VERIFY_MAX_UPLOAD_MB}


def normalise_code(value):
    return "".join(ch for ch in (value or "").upper() if not ch.isspace() and ch != "-")


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        required=False,
        max_length=20,
        help_text=_("文书末尾二维码旁印有的 10 位验证码。"),
    )
    file = forms.FileField(
        label=_("上传 PDF 文件"),
        required=False,
        help_text=lazy(_upload_help, str)(),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data.get("code"))
        if code and (len(code) != 10 or any(ch not in VERIFICATION_ALPHABET for ch in code)):
            raise forms.ValidationError(_("验证码应为 10 位字母和数字，请核对后重新输入。"))
        return code

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > settings.VERIFY_MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(too_large_message())
        return upload

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("code") and not data.get("file"):
            raise forms.ValidationError(_("请输入验证码，或上传要核验的 PDF 文件。"))
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
