from django import forms
from django.utils.translation import gettext_lazy as _

from cases.opinions.models import GuidanceOpinion
from cases.opinions.services import OPINION_SECTIONS, OPINION_TEXT_FIELDS


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("approve", _("同意，提交签发")), ("return", _("退回修改"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class GuidanceOpinionForm(forms.ModelForm):
    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = GuidanceOpinion
        fields = ["case", *OPINION_TEXT_FIELDS]
        widgets = {name: forms.Textarea(attrs={"rows": 6, "cols": 90}) for name in OPINION_SECTIONS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_revision"].initial = self.instance.revision
        if "addressee" in self.fields:
            self.fields["addressee"].required = False

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            seen = data.get("seen_revision")
            current = GuidanceOpinion.objects.filter(pk=self.instance.pk).values_list("revision", "status").first()
            if current and seen is not None and seen != current[0]:
                raise forms.ValidationError(
                    _("该意见书已被他人修改，您看到的是旧版本。请复制您的修改，刷新页面后再保存。")
                )
            if current and current[1] != GuidanceOpinion.Status.DRAFT:
                raise forms.ValidationError(_("只有起草中的指导意见书可以修改。"))
        return data
