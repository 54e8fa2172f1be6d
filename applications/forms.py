"""The forms of the applicant's pages: registration, the application itself, evidence, messages, feedback."""

from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applications.choices import FORM_COUNTRIES, ApplicantCategory, EvidenceCategory, IdType
from applications.countries import FORM_COUNTRY_CHOICES, OTHER_COUNTRY_CHOICES
from applications.models import LONG_TEXT_LIMIT, Applicant, Application, Feedback
from portal.forms import MultipleFileField
from portal.validators import (
    normalise_credit_code,
    normalise_id_number,
    validate_credit_code,
    validate_passport_number,
    validate_phone,
    validate_resident_id,
)

# The form's fields, in the order of the paper form (附件1). Others read these names.
FORM_FIELDS = [
    "applicant_category",
    "applicant_category_other",
    "applicant_name",
    "credit_code",
    "id_type",
    "id_number",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_address",
    "dispute_types",
    "dispute_type_other",
    "right_types",
    "right_type_other",
    "countries",
    "country_other",
    "opponent_types",
    "opponent_type_other",
    "opponent_name",
    "technical_fields",
    "technical_field_other",
    "request",
    "impact",
    "level",
    "other_requests",
    "foreign_deadline",
    "foreign_deadline_what",
    "foreign_deadline_where",
    "urgent",
]

# credit_code, or id_type and id_number for a natural person, are required by category (clean()).
REQUIRED_TO_SUBMIT = [
    "applicant_category",
    "applicant_name",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_address",
    "dispute_types",
    "right_types",
    "opponent_types",
    "technical_fields",
    "request",
    "impact",
    "level",
]

# "其他" ticked or chosen → its own text box must be filled.
OTHER_TEXT = [
    ("applicant_category", "applicant_category_other"),
    ("dispute_types", "dispute_type_other"),
    ("right_types", "right_type_other"),
    ("opponent_types", "opponent_type_other"),
    ("technical_fields", "technical_field_other"),
]

HELP = {
    "applicant_category": _("按营业执照或登记证书选择；以个人名义申请的选“个人”。"),
    "applicant_name": _("与营业执照或登记证书上的名称一致。"),
    "credit_code": _("18 位，见营业执照右上角，例如 91350100M000100Y43。须与本单位账号登记的代码一致；个人申请不填。"),
    "id_type": _("以个人名义申请时填写：居民身份证或护照。"),
    "id_number": _("居民身份证 18 位（最后一位可能是 X）；护照号码为英文字母和数字。"),
    "contact_name": _("负责与中心沟通本次纠纷的人员，通常是知识产权或法务负责人。"),
    "contact_email": _("受理、补正等通知会发到这个邮箱。"),
    "contact_phone": _("11 位手机号码，或带区号的固定电话，如 0351-1234567转801。"),
    "contact_address": _("可接收纸质文书的详细地址，写到门牌号。"),
    "dispute_types": _("可多选。例如收到美国国际贸易委员会（ITC）的 337 调查通知，选“相关贸易调查纠纷”。"),
    "right_types": _("可多选。纠纷中被主张或需要维护的权利类型。"),
    "countries": _("可多选。纠纷发生或可能发生的国家/地区；表中没有的，勾选“其他”后在下方选择或填写。"),
    "opponent_types": _("可多选。NPE 指本身不实施专利、主要靠诉讼或许可获利的实体。"),
    "opponent_name": _("对方的中英文名称（如知道），便于安排无利益冲突的专家。"),
    "technical_fields": _("可多选。涉案产品或技术所属领域。"),
    "foreign_deadline": _("境外最近一个必须完成的期限，如答辩、异议、应诉截止日；中心按此安排办理先后。"),
    "foreign_deadline_what": _("该期限要完成的事项。"),
    "foreign_deadline_where": _("期限所在的机构或法院。"),
    "urgent": _("期限紧迫或损失正在扩大时勾选，中心会优先处理。"),
    "applicant_category_other": _("选“其他”时必填，如“事业单位”“民办非企业单位”。"),
    "dispute_type_other": _("选“其他”时必填，简要写明纠纷性质，如“商标被抢注”“域名纠纷”。"),
    "right_type_other": _("选“其他”时必填，如“植物新品种”“商业秘密（技术信息）”。"),
    "country_other": _("列表中没有的国家/地区，或需要说明的具体法域，如“美国得克萨斯州”。"),
    "opponent_type_other": _("选“其他”时必填，如“行业协会”“电商平台”。"),
    "technical_field_other": _("选“其他”时必填；也可补充具体产品或技术，如“数控机床主轴”。"),
    "request": _(
        "请说明纠纷的来龙去脉（何时、何地、对方做了什么、你方收到了什么文书、截止期限）以及希望中心在哪些方面给予指导。"
        "内容较多时可作为附件上传。"
    ),
    "impact": _("预计对出口、销售、市场份额造成的影响，涉及的金额，以及对行业或其他企业的影响。"),
    "level": _(
        "重大/疑难纠纷：对某一产业有较大影响、当事方复杂、涉案金额巨大或影响范围广的纠纷。"
        "其余选“普通纠纷”。不确定时选“普通纠纷”，中心审查时会重新评估。"
    ),
    "other_requests": _("如需保密、希望约谈时间、需要英文材料等，可在此说明。"),
}


def check_identity(form, data, *, organisation=None, required=True, category_field="applicant_category"):
    """How the applicant is identified follows its category: a credit code for an organisation or a
    sole trader, a resident ID (GB 11643) or passport for a natural person. Errors go next to the field."""
    category = data.get(category_field)
    id_type, id_number = data.get("id_type"), normalise_id_number(data.get("id_number"))
    if "id_number" in data:
        data["id_number"] = id_number
    if category == ApplicantCategory.INDIVIDUAL:
        if data.get("credit_code") and "credit_code" not in form.errors:
            form.add_error("credit_code", _("以个人名义申请时不填统一社会信用代码，请填写证件类型和号码。"))
        if required and not id_type and "id_type" not in form.errors:
            form.add_error("id_type", _("个人申请请选择证件类型。"))
        if required and not id_number and "id_number" not in form.errors:
            form.add_error("id_number", _("个人申请请填写证件号码。"))
        if id_number and "id_number" not in form.errors:
            try:
                validate_id_document(id_type, id_number)
            except ValidationError as error:
                form.add_error("id_number", error)
        if (
            organisation is not None
            and organisation.id_number
            and id_number
            and id_number != organisation.id_number
            and "id_number" not in form.errors
        ):
            form.add_error("id_number", _("须与账号登记的证件号码一致。如登记有误，请联系中心更正。"))
    elif category:
        if required and not data.get("credit_code") and "credit_code" not in form.errors:
            form.add_error("credit_code", _("请填写 18 位统一社会信用代码。"))
        if "id_number" in data:
            data["id_type"], data["id_number"] = "", ""


def validate_id_document(id_type, id_number):
    if id_type == IdType.RESIDENT_ID:
        validate_resident_id(id_number)
    elif id_type == IdType.PASSPORT:
        validate_passport_number(id_number)
    else:
        raise ValidationError(_("请先选择证件类型。"), code="no_type")


class ApplicationForm(forms.ModelForm):
    """The application form. With `complete=False` (saving a draft) nothing is required, but
    what is typed must still be well-formed; with `complete=True` (review and submit) every
    required answer must be there and every "其他" needs its text."""

    country_is_other = forms.BooleanField(label=_("其他国家/地区"), required=False)
    other_country_codes = forms.MultipleChoiceField(
        label=_("选择其他国家/地区"),
        choices=OTHER_COUNTRY_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("按住 Ctrl（Mac 为 ⌘）可多选。列表中没有的，请填写在下一栏。"),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Application
        fields = FORM_FIELDS
        widgets = {
            "applicant_category": forms.RadioSelect,
            "level": forms.RadioSelect,
            "foreign_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "request": forms.Textarea(attrs={"rows": 10}),
            "impact": forms.Textarea(attrs={"rows": 6}),
            "other_requests": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"country_other": _("其他国家/地区（列表中没有时填写）")}

    def __init__(self, *args, complete=False, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.complete = complete
        self.organisation = organisation
        for name, text in HELP.items():
            self.fields[name].help_text = text
        for name in ("applicant_category", "level"):
            field = self.fields[name]
            field.choices = [choice for choice in field.choices if choice[0] != ""]
        self.fields["countries"].choices = FORM_COUNTRY_CHOICES
        self.fields["countries"].label = _("纠纷国家/地区")
        self.fields["contact_phone"].validators.append(validate_phone)
        self.fields["credit_code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"
        self.fields["contact_phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        for name in ("request", "impact", "other_requests"):
            self.fields[name].widget.attrs["maxlength"] = LONG_TEXT_LIMIT
        for name, field in self.fields.items():
            field.required = complete and name in REQUIRED_TO_SUBMIT
        for choice_field, text_field in OTHER_TEXT:
            self.fields[text_field].widget.attrs["data-other-of"] = choice_field
        self.fields["country_other"].widget.attrs["data-other-of"] = "country_is_other"
        self.fields["other_country_codes"].widget.attrs["data-other-of"] = "country_is_other"
        identity = self._lock_identity(organisation)
        if self.instance.pk and not self.is_bound:
            others = [code for code in self.instance.countries if code not in FORM_COUNTRIES]
            self.initial["countries"] = [code for code in self.instance.countries if code in FORM_COUNTRIES]
            self.initial["other_country_codes"] = others
            self.initial["country_is_other"] = bool(others or self.instance.country_other)
            self.initial["revision"] = self.instance.revision
        # Not needed for a draft, but marked (by CSS) so the applicant sees what submission will ask for.
        marked = "needed-to-submit"

        needed = {*REQUIRED_TO_SUBMIT, "countries", *identity}

        def f(name, kind=Field):
            return kind(name, wrapper_class=marked) if name in needed else kind(name)

        identity_rows = []
        if "credit_code" in self.fields:
            identity_rows.append(f("credit_code"))
        if "id_number" in self.fields:
            identity_rows.append(
                Div(
                    Div(f("id_type"), css_class="col-md-4"),
                    Div(f("id_number"), css_class="col-md-8"),
                    css_class="row",
                )
            )

        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "revision",
            Fieldset(
                _("一、申请人信息"),
                f("applicant_category", InlineRadios),
                "applicant_category_other",
                f("applicant_name"),
                *identity_rows,
                Div(
                    Div(f("contact_name"), css_class="col-md-4"),
                    Div(f("contact_email"), css_class="col-md-4"),
                    Div(f("contact_phone"), css_class="col-md-4"),
                    css_class="row",
                ),
                f("contact_address"),
                css_id="section-applicant",
            ),
            Fieldset(
                _("二、纠纷基本情况"),
                f("dispute_types", InlineCheckboxes),
                "dispute_type_other",
                f("right_types", InlineCheckboxes),
                "right_type_other",
                f("countries", InlineCheckboxes),
                "country_is_other",
                Div("other_country_codes", "country_other", css_class="ms-4"),
                f("opponent_types", InlineCheckboxes),
                "opponent_type_other",
                "opponent_name",
                f("technical_fields", InlineCheckboxes),
                "technical_field_other",
                css_id="section-dispute",
            ),
            Fieldset(
                _("境外期限"),
                Div(
                    Div("foreign_deadline", css_class="col-md-3"),
                    Div("foreign_deadline_what", css_class="col-md-5"),
                    Div("foreign_deadline_where", css_class="col-md-4"),
                    css_class="row",
                ),
                "urgent",
                css_id="section-deadline",
            ),
            Fieldset(
                _("三、申请事项"),
                f("request"),
                f("impact"),
                f("level", InlineRadios),
                "other_requests",
                css_id="section-request",
            ),
        )

    def _lock_identity(self, organisation):
        """The applicant's identity follows its account: a natural person applies as 个人 with the ID
        document it registered, an organisation or sole trader with its credit code. The locked fields
        are disabled, so their value is always the account's, whatever is posted. Returns the names of
        the identity fields submission needs (marked on the form)."""
        if organisation is None:
            return []
        category = self.fields["applicant_category"]
        if organisation.is_person:
            category.choices = [c for c in category.choices if c[0] == ApplicantCategory.INDIVIDUAL]
            self.initial["applicant_category"] = ApplicantCategory.INDIVIDUAL
            category.disabled = True
            category.help_text = _("本账号以个人名义登记，申请人类别为“个人”。")
            del self.fields["credit_code"]
            for name in ("id_type", "id_number"):
                if getattr(organisation, name):
                    self.initial[name] = getattr(organisation, name)
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _(
                        "与注册账号时登记的证件一致，不能修改。如登记有误，请联系中心更正。"
                    )
            self.fields["applicant_name"].help_text = _("本人姓名，与证件上的姓名一致。")
            return ["id_type", "id_number"]
        category.choices = [c for c in category.choices if c[0] != ApplicantCategory.INDIVIDUAL]
        category.help_text = _("按营业执照或登记证书选择。以个人名义申请须另用身份证件注册个人账号。")
        del self.fields["id_type"]
        del self.fields["id_number"]
        if organisation.credit_code:
            self.initial["credit_code"] = organisation.credit_code
            self.fields["credit_code"].disabled = True
            self.fields["credit_code"].help_text = _(
                "与本单位账号登记的代码一致，不能修改。如登记有误，请联系中心更正。"
            )
        return ["credit_code"]

    def clean_credit_code(self):
        code = normalise_credit_code(self.cleaned_data.get("credit_code"))
        if not code:
            return code
        validate_credit_code(code)
        if self.organisation is not None and self.organisation.credit_code and code != self.organisation.credit_code:
            raise ValidationError(
                _("须与本单位账号登记的统一社会信用代码一致（%(code)s）。如登记有误，请联系中心更正。"),
                params={"code": self.organisation.credit_code},
                code="organisation",
            )
        return code

    def clean(self):
        data = super().clean()
        if "countries" in data and "other_country_codes" in data:
            data["countries"] = list(data["countries"]) + [
                code for code in data["other_country_codes"] if code not in data["countries"]
            ]
        if not data.get("country_is_other") and "other_country_codes" in data:
            # Unticking "其他" clears what was chosen under it.
            data["countries"] = [code for code in data.get("countries", []) if code in FORM_COUNTRIES]
            data["country_other"] = ""
        check_identity(self, data, organisation=self.organisation, required=self.complete)
        if self.complete:
            self._check_complete(data)
        return data

    def _check_complete(self, data):
        for choice_field, text_field in OTHER_TEXT:
            value = data.get(choice_field)
            ticked = "other" in value if isinstance(value, list) else value == "other"
            if ticked and not (data.get(text_field) or "").strip() and text_field not in self.errors:
                self.add_error(text_field, _("选择了“其他”，请在这里说明。"))
        if "countries" in data and not data.get("countries") and not data.get("country_other"):
            self.add_error("countries", _("请至少选择一个纠纷国家/地区。"))
        if (
            data.get("country_is_other")
            and not data.get("other_country_codes")
            and not (data.get("country_other") or "").strip()
            and "country_other" not in self.errors
        ):
            self.add_error("country_other", _("勾选了“其他国家/地区”，请选择或填写具体国家/地区。"))

    def draft_data(self):
        """The fields that passed validation, to be kept even when others did not."""
        data = {name: self.cleaned_data[name] for name in FORM_FIELDS if name in self.cleaned_data}
        if self.errors.get("other_country_codes") or self.errors.get("countries"):
            data.pop("countries", None)
        return data


class EvidenceForm(forms.Form):
    category = forms.ChoiceField(label=_("材料类别"), choices=EvidenceCategory.choices)
    files = MultipleFileField(label=_("选择文件（可多选）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _(
            "接受 PDF、JPG、PNG、Word（DOC/DOCX）、Excel（XLS/XLSX）；单个文件不超过 %(file)s MB，"
            "每份申请的材料合计不超过 %(total)s MB。不接受压缩包。"
        ) % {"file": settings.EVIDENCE_MAX_FILE_MB, "total": settings.EVIDENCE_MAX_TOTAL_MB}


class MessageForm(forms.Form):
    body = forms.CharField(label=_("留言内容"), max_length=LONG_TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("附件（可选，可多选）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _("接受 PDF、JPG、PNG、Word、Excel；单个文件不超过 %(file)s MB。") % {
            "file": settings.EVIDENCE_MAX_FILE_MB
        }


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["satisfaction", "timeliness", "usefulness", "outcome", "comment"]
        widgets = {
            "satisfaction": forms.RadioSelect,
            "timeliness": forms.RadioSelect,
            "usefulness": forms.RadioSelect,
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "comment": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "outcome": _("例如：已和解、对方撤诉、337 调查终裁结果、仍在进行中等。"),
            "comment": _("对中心服务的意见和建议，我们会认真改进。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("satisfaction", "timeliness", "usefulness"):
            self.fields[name].choices = [choice for choice in self.fields[name].choices if choice[0] != ""]


class DecisionForm(forms.Form):
    """Staff's reason for returning or declining an application, or a note on accepting it."""

    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 6, "cols": 80}), max_length=5000)


class JoinRequestForm(forms.Form):
    credit_code = forms.CharField(label=_("单位的统一社会信用代码"), max_length=18, validators=[validate_credit_code])
    note = forms.CharField(
        label=_("说明"),
        max_length=300,
        required=False,
        help_text=_("例如您的部门和职务，便于单位同事确认。"),
    )

    def clean_credit_code(self):
        return normalise_credit_code(self.cleaned_data["credit_code"])


class RegistrationForm(UserCreationForm):
    """Self-registration of an applicant user together with its applicant: an organisation or sole
    trader by its name and credit code, a natural person (个人) by its ID document, the person's own
    name being the applicant's name. The category comes first; a small script shows only the fields
    of the chosen category, but what is valid is decided here (the page works without the script)."""

    category = forms.ChoiceField(
        label=_("申请人类别"),
        choices=ApplicantCategory.choices,
        widget=forms.RadioSelect,
        help_text=_("以个人名义申请的选“个人”，用身份证件注册，不需要统一社会信用代码。"),
    )
    organisation_name = forms.CharField(
        label=_("单位名称"),
        max_length=200,
        required=False,
        help_text=_("与营业执照或登记证书上的名称一致（个体工商户填执照上的名称）。个人不填。"),
    )
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("18 位，见营业执照；用于识别你的单位。个人不填。"),
        validators=[validate_credit_code],
    )
    id_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=[("", _("请选择")), *IdType.choices],
        required=False,
        help_text=_("个人填写。"),
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=30,
        required=False,
        help_text=_("居民身份证 18 位（最后一位可能是 X）；护照号码为英文字母和数字。"),
    )

    class Meta:
        model = get_user_model()
        fields = ("full_name", "email", "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.fields["phone"].validators.append(validate_phone)
        self.fields["email"].widget.attrs.pop("autofocus", None)  # the category comes first
        self.fields["full_name"].help_text = _("以个人名义注册的，填写证件上的姓名，它也是申请人的名称。")
        self.fields["credit_code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        person = ApplicantCategory.INDIVIDUAL
        self.helper.layout = Layout(
            InlineRadios("category"),
            Div(
                "organisation_name",
                "credit_code",
                css_id="identity-organisation",
                data_category_of="category",
                data_category_hide=person,
            ),
            Div(
                Div("id_type", css_class="col-md-4"),
                Div("id_number", css_class="col-md-8"),
                css_class="row",
                css_id="identity-person",
                data_category_of="category",
                data_category_show=person,
            ),
            "full_name",
            "email",
            "phone",
            "password1",
            "password2",
        )

    def _get_validation_exclusions(self):
        # An address that already has an account is not refused here: the form would tell
        # anyone which addresses are registered. The service answers the same either way and
        # e-mails the owner of the address.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("email")
        return exclusions

    def clean_credit_code(self):
        # An organisation already registered is not refused: the new user asks to join it,
        # and an existing member (or the center) approves before they see anything.
        return normalise_credit_code(self.cleaned_data["credit_code"])

    def clean(self):
        data = super().clean()
        category = data.get("category")
        if category == ApplicantCategory.INDIVIDUAL:
            # The organisation's fields are hidden for a person: what was left in them is not used.
            self._errors.pop("credit_code", None)
            self._errors.pop("organisation_name", None)
            data["credit_code"] = ""
            data["organisation_name"] = data.get("full_name", "")
        elif category and not data.get("organisation_name") and "organisation_name" not in self.errors:
            self.add_error("organisation_name", _("请填写单位名称。"))
        # A person already registered with the same document is not refused either: like an
        # organisation, the new user asks to join (see existing_applicant).
        check_identity(self, data, category_field="category")
        return data

    def existing_applicant(self):
        data = self.cleaned_data
        if data["category"] == ApplicantCategory.INDIVIDUAL:
            return Applicant.objects.filter(id_type=data["id_type"], id_number=data["id_number"]).first()
        return Applicant.objects.filter(credit_code=data["credit_code"]).first()
