"""Import and export of the expert pool (CSV / XLSX) with django-import-export.

Staff upload a file in the admin; every row is checked and shown in a preview, with the
reason beside each bad row (missing name, unknown country, duplicate expert); nothing is
saved until staff confirm a file without errors.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export import fields, resources, widgets

from applications.choices import DisputeType, RightType, TechnicalField
from applications.countries import COUNTRY_NAMES
from experts.conflicts import normalise_name
from experts.models import Availability, ConflictParty, Expert, Language, Qualification

_SPLIT = re.compile(r"[,，;；、|/\n]+")


class ChoiceListWidget(widgets.Widget):
    """Cells like "美国、DE；日本" ⇄ ["US", "DE", "JP"]. Codes or labels are accepted;
    an unknown item is a row error naming it."""

    def __init__(self, choices, what, aliases=None, **kwargs):
        super().__init__(**kwargs)
        self.by_code = {str(code).upper(): code for code, _label in choices}
        self.by_label = {**(aliases or {}), **{str(label): code for code, label in choices}}
        self.labels = {code: str(label) for code, label in choices}
        self.what = what

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return []
        items = [item.strip() for item in _SPLIT.split(str(value)) if item.strip()]
        result, unknown = [], []
        for item in items:
            code = self.by_code.get(item.upper()) or self.by_label.get(item)
            if code is None:
                unknown.append(item)
            elif code not in result:
                result.append(code)
        if unknown:
            raise ValueError(_("未知的%(what)s：%(items)s") % {"what": self.what, "items": "、".join(unknown)})
        return result

    def render(self, value, obj=None, **kwargs):
        return "、".join(self.labels.get(code, code) for code in value or [])


class LabelChoiceWidget(widgets.Widget):
    def __init__(self, choices, what, default, **kwargs):
        super().__init__(**kwargs)
        self.inner = ChoiceListWidget(choices, what)
        self.default = default

    def clean(self, value, row=None, **kwargs):
        codes = self.inner.clean(value)
        if len(codes) > 1:
            raise ValueError(_("%(what)s只能填写一项") % {"what": self.inner.what})
        return codes[0] if codes else self.default

    def render(self, value, obj=None, **kwargs):
        return self.inner.labels.get(value, value or "")


class BooleanCNWidget(widgets.BooleanWidget):
    TRUE_VALUES = [*widgets.BooleanWidget.TRUE_VALUES, "是", "在库", "y", "yes"]
    FALSE_VALUES = [*widgets.BooleanWidget.FALSE_VALUES, "否", "退出", "n", "no"]

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


COUNTRY_CHOICES = list(COUNTRY_NAMES.items())

# The words staff lists use for qualifications besides the portal's own labels.
QUALIFICATION_ALIASES = {
    "律师": Qualification.LAWYER,
    "专利代理人": Qualification.PATENT_ATTORNEY,
    "商标代理师": Qualification.TRADEMARK_ATTORNEY,
    "境外律师": Qualification.FOREIGN_LAWYER,
    "外国律师": Qualification.FOREIGN_LAWYER,
    "教授": Qualification.PROFESSOR,
    "研究员": Qualification.PROFESSOR,
    "工程师": Qualification.ENGINEER,
}
DISPUTE_ALIASES = {
    "贸易调查": DisputeType.TRADE_INVESTIGATION,
    "337 调查": DisputeType.TRADE_INVESTIGATION,
    "337调查": DisputeType.TRADE_INVESTIGATION,
    "侵权": DisputeType.INFRINGEMENT,
    "无效": DisputeType.VALIDITY,
    "权属": DisputeType.OWNERSHIP,
    "许可": DisputeType.LICENSING,
    "展会": DisputeType.EXHIBITION,
    "商业秘密": DisputeType.TRADE_SECRET,
}


class ExpertResource(resources.ModelResource):
    id = fields.Field(attribute="id", column_name="编号", widget=widgets.IntegerWidget())
    name = fields.Field(attribute="name", column_name="姓名")
    name_en = fields.Field(attribute="name_en", column_name="英文姓名")
    organisation = fields.Field(attribute="organisation", column_name="工作单位")
    title = fields.Field(attribute="title", column_name="职称/职务")
    email = fields.Field(attribute="email", column_name="电子邮箱")
    phone = fields.Field(attribute="phone", column_name="联系电话")
    qualifications = fields.Field(
        attribute="qualifications",
        column_name="资质",
        widget=ChoiceListWidget(Qualification.choices, _lazy("资质"), aliases=QUALIFICATION_ALIASES),
    )
    # Where the expert is admitted to practise (a foreign bar, a patent office): the column
    # matching weighs most among the countries.
    jurisdictions = fields.Field(
        attribute="jurisdictions", column_name="执业法域", widget=ChoiceListWidget(COUNTRY_CHOICES, _lazy("国家/地区"))
    )
    right_types = fields.Field(
        attribute="right_types",
        column_name="擅长权利类别",
        widget=ChoiceListWidget(RightType.choices, _lazy("权利类别")),
    )
    dispute_types = fields.Field(
        attribute="dispute_types",
        column_name="擅长纠纷类型",
        widget=ChoiceListWidget(DisputeType.choices, _lazy("纠纷类型"), aliases=DISPUTE_ALIASES),
    )
    technical_fields = fields.Field(
        attribute="technical_fields",
        column_name="技术领域",
        widget=ChoiceListWidget(TechnicalField.choices, _lazy("技术领域")),
    )
    countries = fields.Field(
        attribute="countries",
        column_name="熟悉的国家/地区",
        widget=ChoiceListWidget(COUNTRY_CHOICES, _lazy("国家/地区")),
    )
    languages = fields.Field(
        attribute="languages", column_name="工作语言", widget=ChoiceListWidget(Language.choices, _lazy("工作语言"))
    )
    bio = fields.Field(attribute="bio", column_name="个人简介")
    availability = fields.Field(
        attribute="availability",
        column_name="可承接状态",
        widget=LabelChoiceWidget(Availability.choices, _lazy("可承接状态"), Availability.AVAILABLE),
    )
    max_concurrent_cases = fields.Field(
        attribute="max_concurrent_cases", column_name="同时承办案件上限", widget=widgets.IntegerWidget()
    )
    active = fields.Field(attribute="active", column_name="在库", widget=BooleanCNWidget())
    conflicts = fields.Field(column_name="利益冲突单位", attribute=None)

    class Meta:
        model = Expert
        import_id_fields = ("id",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        fields = (
            "id",
            "name",
            "name_en",
            "organisation",
            "title",
            "email",
            "phone",
            "qualifications",
            "jurisdictions",
            "right_types",
            "dispute_types",
            "technical_fields",
            "countries",
            "languages",
            "bio",
            "availability",
            "max_concurrent_cases",
            "active",
            "conflicts",
        )

    def get_queryset(self):
        return Expert.objects.prefetch_related("conflicts")

    def dehydrate_conflicts(self, expert):
        return "；".join(c.name for c in expert.conflicts.all())

    def before_import(self, dataset, **kwargs):
        self._seen = {}
        if dataset.headers and "编号" not in dataset.headers:
            # A file of new experts may leave out the id column altogether.
            dataset.append_col([None] * len(dataset), header="编号")
        super().before_import(dataset, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if "name" not in errors and not (instance.name or "").strip():
            errors["name"] = [ValidationError(_("缺少姓名"), code="required")]
        if "organisation" not in errors and not (instance.organisation or "").strip():
            errors["organisation"] = [ValidationError(_("缺少工作单位"), code="required")]
        if not errors:
            key = (instance.name.strip(), normalise_name(instance.organisation))
            row_number = kwargs.get("row_number")
            if key in self._seen:
                errors["name"] = [
                    ValidationError(_("与文件第 %(n)s 行重复（同名同单位）") % {"n": self._seen[key]}, code="duplicate")
                ]
            else:
                self._seen[key] = row_number
                existing = [
                    e
                    for e in Expert.objects.filter(name=instance.name.strip()).exclude(pk=instance.pk)
                    if normalise_name(e.organisation) == key[1]
                ]
                if existing:
                    errors["name"] = [
                        ValidationError(
                            _("专家库中已有该专家（编号 %(id)s）；如需更新请在“编号”列填写该编号")
                            % {"id": existing[0].pk},
                            code="duplicate",
                        )
                    ]
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        value = row.get("利益冲突单位")
        if value is None:
            return
        names = [n.strip() for n in _SPLIT.split(str(value)) if n.strip()]
        existing = {c.name for c in instance.conflicts.all()}
        ConflictParty.objects.bulk_create(
            [ConflictParty(expert=instance, name=name) for name in names if name not in existing]
        )
