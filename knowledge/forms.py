"""Forms of the information exchange: what an agency submits, the staff's reasons, the import options.

Text arrives cleaned: a one-line field keeps plain text only (any markup is removed with nh3), and a
long text that holds HTML keeps only the few structural tags the public pages show (the same
cleaner as knowledge.templatetags.knowledge_text); plain text is kept as typed. An attachment is
checked by its content like evidence (portal.uploads.check_upload).
"""

import html
import re

import nh3
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm, ImportForm

from applications.countries import ALL_COUNTRY_CHOICES
from cases.models import Case
from knowledge.models import Event, Law, ServiceInstitution, TypicalCase, Warning
from knowledge.templatetags.knowledge_text import clean_html
from portal.uploads import check_upload

MAX_LONG_TEXT = 50000
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
MAX_ATTACHMENT_MB = 20


def plain_text(value):
    """A one-line value with any markup removed (the text between tags is kept)."""
    if not value:
        return value
    return html.unescape(nh3.clean(value, tags=set(), clean_content_tags={"script", "style"})).strip()


def sanitise(value):
    """A long text: HTML cleaned down to the allowed tags; plain text as typed."""
    if not value:
        return value
    if _TAG.search(value):
        return clean_html(value)
    return value


class CleanTextMixin:
    """Cleans every text field of a model form on the way in."""

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if not isinstance(value, str):
                continue
            field = self._meta.model._meta.get_field(name) if name in self._model_field_names() else None
            if isinstance(field, models.TextField):
                data[name] = sanitise(value)
            elif isinstance(field, models.URLField | models.EmailField):
                continue
            else:
                data[name] = plain_text(value)
        return data

    def _model_field_names(self):
        return {f.name for f in self._meta.model._meta.get_fields()}


DATE = {"type": "date"}


def datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _formfield(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


class SubmissionForm(CleanTextMixin, forms.ModelForm):
    """The base of every kind's form: long texts have a limit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            model_field = self._meta.model._meta.get_field(name)
            if (
                isinstance(model_field, models.TextField)
                and isinstance(field, forms.CharField)
                and not field.max_length
            ):
                field.max_length = MAX_LONG_TEXT
                field.validators.append(MaxLengthValidator(MAX_LONG_TEXT))
                field.widget.attrs.setdefault("maxlength", MAX_LONG_TEXT)

    def values(self):
        """The cleaned values to store (for the service)."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}


class LawForm(SubmissionForm):
    class Meta:
        model = Law
        formfield_callback = _formfield
        fields = [
            "country",
            "ip_type",
            "doc_type",
            "title_zh",
            "title_original",
            "issuing_body",
            "promulgated_on",
            "effective_on",
            "summary",
            "full_text",
            "attachment",
            "source_url",
        ]
        widgets = {
            "promulgated_on": forms.DateInput(attrs=DATE),
            "effective_on": forms.DateInput(attrs=DATE),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "full_text": forms.Textarea(attrs={"rows": 12}),
            "attachment": forms.FileInput(),
        }
        help_texts = {
            "attachment": _("PDF、Word 等，单个文件不超过 %(n)d MB；按文件内容检查类型。") % {"n": MAX_ATTACHMENT_MB},
            "full_text": _("可直接粘贴正文；如有附件可只填摘要。"),
        }

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload or not hasattr(upload, "content_type"):
            return upload  # unchanged (a correction keeps the file already sent)
        checked = check_upload(
            upload,
            max_file=MAX_ATTACHMENT_MB * 1024 * 1024,
            max_total=MAX_ATTACHMENT_MB * 1024 * 1024,
        )
        upload.name = checked.name
        return upload

    def clean(self):
        data = super().clean()
        promulgated, effective = data.get("promulgated_on"), data.get("effective_on")
        if promulgated and effective and effective < promulgated:
            self.add_error("effective_on", _("施行日期不能早于发布日期。"))
        if not (data.get("summary") or data.get("full_text") or data.get("attachment") or data.get("source_url")):
            self.add_error("summary", _("请至少填写摘要、全文、附件或来源链接之一。"))
        return data


class TypicalCaseForm(SubmissionForm):
    class Meta:
        model = TypicalCase
        formfield_callback = _formfield
        fields = ["title", "ip_type", "country", "industry", "forum", "year", "facts", "response", "outcome", "lessons"]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in ("facts", "response", "outcome", "lessons")}
        help_texts = {"facts": _("请隐去企业名称、统一社会信用代码、联系人和联系方式等可识别信息。")}

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and not 1980 <= year <= 2100:
            raise ValidationError(_("请填写四位年份。"))
        return year


class WarningForm(SubmissionForm):
    class Meta:
        model = Warning
        formfield_callback = _formfield
        fields = [
            "kind",
            "risk_level",
            "title",
            "country",
            "industry",
            "ip_type",
            "issued_on",
            "body",
            "mark",
            "filing_number",
            "filing_date",
            "opposition_deadline",
        ]
        widgets = {
            "issued_on": forms.DateInput(attrs=DATE),
            "filing_date": forms.DateInput(attrs=DATE),
            "opposition_deadline": forms.DateInput(attrs=DATE),
            "body": forms.Textarea(attrs={"rows": 8}),
        }

    def clean(self):
        data = super().clean()
        if data.get("kind") == Warning.Kind.SQUATTING and not data.get("mark"):
            self.add_error("mark", _("商标抢注预警请填写被抢注的商标。"))
        return data


class InstitutionForm(SubmissionForm):
    countries_covered = forms.MultipleChoiceField(
        label=_("服务国家/地区"), choices=ALL_COUNTRY_CHOICES, required=False, widget=forms.SelectMultiple
    )

    class Meta:
        model = ServiceInstitution
        formfield_callback = _formfield
        fields = [
            "name",
            "nature",
            "head",
            "address",
            "scope",
            "region",
            "country",
            "services",
            "countries_covered",
            "languages",
            "phone",
            "email",
            "website",
            "listed_in",
        ]
        widgets = {"services": forms.Textarea(attrs={"rows": 4})}

    def clean(self):
        data = super().clean()
        if data.get("scope") == ServiceInstitution.Scope.OVERSEAS and not data.get("country"):
            self.add_error("country", _("境外机构请填写所在国家/地区。"))
        return data


class TrainingForm(SubmissionForm):
    class Meta:
        model = Event
        formfield_callback = _formfield
        fields = [
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "capacity",
            "registration_closes_at",
            "trainer",
            "country",
            "industry",
        ]
        widgets = {
            "starts_at": datetime_widget(),
            "ends_at": datetime_widget(),
            "registration_closes_at": datetime_widget(),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("结束时间应晚于开始时间。"))
        closes = data.get("registration_closes_at")
        if closes and starts and closes > starts:
            self.add_error("registration_closes_at", _("报名截止时间不能晚于开始时间。"))
        return data


FORMS = {
    "law": LawForm,
    "case": TypicalCaseForm,
    "warning": WarningForm,
    "institution": InstitutionForm,
    "training": TrainingForm,
}
KIND_TITLES = {
    "law": _("报送法律法规"),
    "case": _("报送典型案例"),
    "warning": _("报送预警信息"),
    "institution": _("推荐服务机构"),
    "training": _("报送培训计划"),
}


# --- Staff ----------------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 70}),
        max_length=2000,
        help_text=_("报送单位将在“我的报送”中看到这段说明。"),
    )

    def clean_reason(self):
        return plain_text(self.cleaned_data["reason"])


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回说明（可不填）"), required=False, max_length=2000)


class CaseChoiceForm(forms.Form):
    case = forms.ModelChoiceField(
        label=_("已结案案件"),
        queryset=Case.objects.none(),
        help_text=_("只列出已结案、尚未整理为典型案例的案件。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = (
            Case.objects.filter(status=Case.Status.CLOSED)
            .exclude(typical_cases__status__in=["draft", "submitted", "returned", "published", "withdrawn"])
            .order_by("-closed_at")
        )
        self.fields["case"].label_from_instance = lambda case: (
            f"{case.number} · {case.applicant_name} · {case.closed_at:%Y-%m-%d}" if case.closed_at else case.number
        )


class LawVersionForm(forms.Form):
    title_zh = forms.CharField(label=_("新版本中文名称"), max_length=300)
    promulgated_on = forms.DateField(label=_("修订发布日期"), widget=forms.DateInput(attrs=DATE))
    effective_on = forms.DateField(label=_("修订施行日期"), required=False, widget=forms.DateInput(attrs=DATE))
    summary = forms.CharField(label=_("修订要点"), widget=forms.Textarea(attrs={"rows": 4, "cols": 70}))

    def clean(self):
        data = super().clean()
        for name in ("title_zh",):
            if data.get(name):
                data[name] = plain_text(data[name])
        if data.get("summary"):
            data["summary"] = sanitise(data["summary"])
        return data


class LawRepealForm(forms.Form):
    note = forms.CharField(
        label=_("废止依据或说明"), widget=forms.Textarea(attrs={"rows": 3, "cols": 70}), max_length=2000
    )


PUBLISH_CHOICES = [("draft", _("草稿（逐条审核后发布）")), ("published", _("直接发布"))]


class PublicationImportForm(ImportForm):
    """The library's import form, plus what imported rows become."""

    publish = forms.ChoiceField(
        label=_("导入后的状态"),
        choices=PUBLISH_CHOICES,
        initial="draft",
        help_text=_("新增的行按此状态保存；按“编号”更新已有条目时不改变其状态。"),
    )


class PublicationConfirmImportForm(ConfirmImportForm):
    publish = forms.ChoiceField(choices=PUBLISH_CHOICES, widget=forms.HiddenInput())
