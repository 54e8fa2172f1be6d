from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from experts.models import Expert, SeminarInvitee
from portal.forms import MultipleFileField
from portal.models import PartnerAgency, User
from portal.roles import Role


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("谢绝理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}), required=True
    )


class DeclarationForm(forms.Form):
    CHOICES = [
        ("none", _("本人与本案申请人及纠纷对方不存在利益冲突")),
        ("conflict", _("本人存在利益冲突，申请退出本案")),
    ]
    decision = forms.ChoiceField(label=_("利益冲突声明"), choices=CHOICES, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("利益冲突说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("声明存在利益冲突时必填。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "conflict" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("请说明利益冲突的情况。"))
        return data


class OpinionForm(forms.Form):
    analysis = forms.CharField(label=_("案情分析"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}))
    recommendations = forms.CharField(label=_("应对建议"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}))
    risks = forms.CharField(
        label=_("风险提示"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    references = forms.CharField(
        label=_("参考依据（法律法规、案例）"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(
        label=_("附件"), required=False, help_text=_("最多 5 个，每个不超过 20 MB（PDF、Word、Excel、图片）。")
    )


class InviteForm(forms.Form):
    experts = forms.TypedMultipleChoiceField(
        label=_("选定专家"), coerce=int, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    deadline = forms.DateTimeField(
        label=_("答复期限"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"),
    )
    message = forms.CharField(
        label=_("邀请说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args, ranking=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].choices = [(row["expert_id"], row["name"]) for row in ranking]
        if not self.is_bound:
            self.initial.setdefault(
                "deadline",
                timezone.localtime(timezone.now() + timezone.timedelta(days=3)).replace(second=0, microsecond=0),
            )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("答复期限必须晚于现在。"))
        return deadline


class SeminarForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label=_("结束时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    online_link = forms.URLField(label=_("线上会议链接"), required=False, assume_scheme="https")
    agenda = forms.CharField(
        label=_("议题与材料说明"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    experts = forms.ModelMultipleChoiceField(
        label=_("邀请专家"), queryset=Expert.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    agencies = forms.ModelMultipleChoiceField(
        label=_("邀请协助单位代表"),
        queryset=PartnerAgency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    staff_users = forms.ModelMultipleChoiceField(
        label=_("参会工作人员"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    materials = MultipleFileField(label=_("会议材料"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = Expert.objects.filter(active=True)
        self.fields["agencies"].queryset = PartnerAgency.objects.filter(active=True)
        self.fields["staff_users"].queryset = User.objects.filter(
            groups__name__in=[Role.STAFF, Role.DIRECTOR, Role.DEPUTY], is_active=True
        ).distinct()

    def clean(self):
        data = super().clean()
        if not data.get("location") and not data.get("online_link"):
            self.add_error("location", _("请填写会议地点或线上会议链接。"))
        if data.get("ends_at") and data.get("starts_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("结束时间应晚于开始时间。"))
        return data


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("出席人员"), coerce=int, widget=forms.CheckboxSelectMultiple, choices=[]
    )

    def __init__(self, *args, invitees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(i.pk, f"{i.display_name}（{i.get_kind_display()}）") for i in invitees]


class ViewForm(forms.Form):
    view = forms.CharField(label=_("我的观点"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class ConcludeForm(forms.Form):
    analysis = forms.CharField(label=_("合议分析"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5}))
    recommendations = forms.CharField(
        label=_("合议应对建议"), max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    risks = forms.CharField(
        label=_("风险提示"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    references = forms.CharField(
        label=_("参考依据"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    agreement = forms.CharField(label=_("一致意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, experts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.expert_rows = []
        for invitee in experts:
            position = f"position_{invitee.pk}"
            dissent = f"dissent_{invitee.pk}"
            self.fields[position] = forms.ChoiceField(
                label=_("%(name)s的态度") % {"name": invitee.display_name},
                choices=SeminarInvitee.Position.choices,
                initial=SeminarInvitee.Position.AGREE,
            )
            self.fields[dissent] = forms.CharField(
                label=_("%(name)s的不同意见") % {"name": invitee.display_name},
                required=False,
                max_length=3000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.expert_rows.append((invitee, position, dissent))

    def clean(self):
        data = super().clean()
        for invitee, position, dissent in self.expert_rows:
            if data.get(position) == SeminarInvitee.Position.DISSENT and not (data.get(dissent) or "").strip():
                self.add_error(dissent, _("%(name)s保留不同意见，请记录其具体意见。") % {"name": invitee.display_name})
        return data

    def positions(self):
        data = self.cleaned_data
        return {invitee.pk: (data[position], data.get(dissent, "")) for invitee, position, dissent in self.expert_rows}


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("评分"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)])


class UnavailabilityForm(forms.Form):
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(
        label=_("原因（可不填）"),
        required=False,
        max_length=200,
        help_text=_("如出差、开庭、休假。仅指导中心工作人员可见。"),
    )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return data
