from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.models import ActionItem, Invitation, JointMeeting
from portal.models import DeputyDirector, PartnerAgency, User
from portal.roles import CENTER_ROLES


class _CrispyForm(forms.Form):
    submit_label = _("提交")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class ProposeItemForm(_CrispyForm):
    submit_label = _("提交议题")
    title = forms.CharField(label=_("议题"), max_length=200)
    description = forms.CharField(
        label=_("说明"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
        help_text=_("需要会议研究的问题、背景和建议。"),
    )


class InvitationAnswerForm(_CrispyForm):
    submit_label = _("提交答复")
    answer = forms.ChoiceField(
        label=_("是否参会"),
        choices=[(Invitation.Answer.ACCEPTED, _("参加")), (Invitation.Answer.DECLINED, _("不参加"))],
        widget=forms.RadioSelect,
    )
    representative_name = forms.CharField(label=_("参会代表"), max_length=100, required=False)
    representative_title = forms.CharField(label=_("代表职务"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, agency=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not agency:
            del self.fields["representative_name"]
            del self.fields["representative_title"]

    def clean(self):
        data = super().clean()
        if (
            "representative_name" in self.fields
            and data.get("answer") == Invitation.Answer.ACCEPTED
            and not (data.get("representative_name") or "").strip()
        ):
            self.add_error("representative_name", _("请填写本单位的参会代表。"))
        return data


class ActionItemUpdateForm(_CrispyForm):
    submit_label = _("保存办理情况")
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[(ActionItem.Status.OPEN, _("办理中")), (ActionItem.Status.DONE, _("已完成"))],
    )
    note = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, can_cancel=False, **kwargs):
        super().__init__(*args, **kwargs)
        if can_cancel:
            self.fields["status"].choices = [*self.fields["status"].choices, (ActionItem.Status.CANCELLED, _("撤销"))]


# --- Admin forms (the director and staff) ----------------------------------------------

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ConveneForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME_WIDGET, required=False)
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    online_link = forms.URLField(label=_("线上会议链接"), required=False, assume_scheme="https")
    proposal_deadline = forms.DateTimeField(
        label=_("议题征集截止时间"),
        widget=DATETIME_WIDGET,
        required=False,
        help_text=_("留空则为会前两天。"),
    )
    absent = forms.ModelMultipleChoiceField(
        label=_("本次缺席的副主任"),
        queryset=DeputyDirector.objects.select_related("user"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("轮到的副主任缺席时由下一位主持，缺席者保留轮次。"),
    )
    chair = forms.ModelChoiceField(
        label=_("主任指定主持人（不按轮值）"),
        queryset=DeputyDirector.objects.select_related("user"),
        required=False,
    )
    chair_reason = forms.CharField(label=_("指定理由"), max_length=300, required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not (data.get("location") or "").strip() and not data.get("online_link"):
            self.add_error("location", _("请填写会议地点或线上会议链接。"))
        if data.get("chair") and not (data.get("chair_reason") or "").strip():
            self.add_error("chair_reason", _("主任指定主持人须写明理由。"))
        return data


class AdHocMeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=200, required=False)
    reason = forms.CharField(label=_("召开事由"), widget=forms.Textarea(attrs={"rows": 3}))


class ActionItemCreateForm(forms.Form):
    agenda_item = forms.ModelChoiceField(label=_("议题"), queryset=None)
    title = forms.CharField(label=_("任务"), max_length=300)
    assignee_agency = forms.ModelChoiceField(
        label=_("责任单位"), queryset=PartnerAgency.objects.filter(active=True), required=False
    )
    assignee_user = forms.ModelChoiceField(
        label=_("责任人"),
        queryset=User.objects.filter(groups__name__in=list(CENTER_ROLES), is_active=True).distinct(),
        required=False,
    )
    due_date = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.filter(status="accepted")

    def clean(self):
        data = super().clean()
        if bool(data.get("assignee_agency")) == bool(data.get("assignee_user")):
            self.add_error("assignee_agency", _("请指定一个责任单位或一名责任人（二者选一）。"))
        return data


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=_("更正理由"), max_length=300)


class MeetingAdminForm(forms.ModelForm):
    class Meta:
        model = JointMeeting
        fields = ["title", "reason", "period_start", "period_end"]
