"""Import and export of laws, typical cases and service institutions (CSV / XLSX), with
django-import-export as the expert pool uses it.

Columns carry the portal's Chinese labels; a choice cell takes the label or the code ("美国" or
"US", "专利" or "patent"). Staff upload a file in the admin and see every row in a preview, with
the reason beside each bad row (a missing title, an unknown country, a date that is no date, the
same item twice in the file or already in the library); nothing is saved until staff confirm a
file without errors. The import form asks what new rows become: drafts, reviewed and published
one by one, or published at once (each row then passes the same checks as a publication, and a
row that may not be published is a row error). A row with an existing 编号 updates that item and
keeps its state. Text with HTML is cleaned like a submission's. Every imported row is in the audit
log.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export import fields, resources, widgets

from applications.countries import COUNTRY_NAMES
from experts.resources import ChoiceListWidget, LabelChoiceWidget
from knowledge.forms import plain_text, sanitise
from knowledge.models import Industry, IPType, Law, ServiceInstitution, TypicalCase
from knowledge.services.publication import item_imported, publish_problems

COUNTRY_CHOICES = list(COUNTRY_NAMES.items())
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class ChineseDateWidget(widgets.Widget):
    """A date written 2024-01-31, 2024/1/31, 2024.1.31 or 2024年1月31日 (or an Excel date)."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = re.sub(r"\s+", "", str(value))
        for fmt in _DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_("日期格式不正确：%(value)s（请写作 2024-01-31）") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class YearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            year = int(float(str(value).strip().rstrip("年")))
        except ValueError:
            raise ValueError(_("年份不正确：%(value)s") % {"value": value}) from None
        if not 1980 <= year <= 2100:
            raise ValueError(_("年份不正确：%(value)s") % {"value": value})
        return year

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()

    def render(self, value, obj=None, **kwargs):
        return value or ""


def choice(attribute, column, choices, what, default=None):
    return fields.Field(attribute=attribute, column_name=column, widget=LabelChoiceWidget(choices, what, default))


def text(attribute, column):
    return fields.Field(attribute=attribute, column_name=column, widget=TextWidget())


class _ReadOnly(fields.Field):
    """An export-only column (the state, the agency): ignored on import."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        return None


class PublicationResource(resources.ModelResource):
    """What every import of published content shares: the id column, required cells, duplicate
    checks, cleaning, the choice of state, the audit entry."""

    id = fields.Field(attribute="id", column_name="编号", widget=widgets.IntegerWidget())
    state = _ReadOnly(column_name="状态", attribute="status")
    agency_name = _ReadOnly(column_name="报送单位", attribute="agency__name")

    # {attribute: message} for cells that must not be empty.
    required: dict = {}
    # Attributes that are long texts (HTML cleaned) rather than one-line values.
    long_texts: tuple = ()

    def before_import(self, dataset, **kwargs):
        self._seen = {}
        if dataset.headers and "编号" not in dataset.headers:
            # A file of new items may leave out the id column altogether.
            dataset.append_col([None] * len(dataset), header="编号")
        super().before_import(dataset, **kwargs)

    def dehydrate_state(self, obj):
        return obj.get_status_display()

    def dehydrate_agency_name(self, obj):
        return obj.agency.name if obj.agency_id else ""

    def duplicate_key(self, instance):
        raise NotImplementedError

    def existing_duplicate(self, instance):
        raise NotImplementedError

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if instance._state.adding and instance.pk:
            errors["id"] = [ValidationError(_("编号 %(id)s 不存在；新增条目请留空编号。") % {"id": instance.pk})]
        for name, message in self.required.items():
            if name not in errors and getattr(instance, name) in (None, ""):
                errors[name] = [ValidationError(message, code="required")]
        for name in self._text_attributes():
            value = getattr(instance, name)
            if isinstance(value, str) and value:
                setattr(instance, name, sanitise(value) if name in self.long_texts else plain_text(value))
        if not errors:
            key = self.duplicate_key(instance)
            row_number = kwargs.get("row_number")
            if key in self._seen:
                errors[next(iter(self.required))] = [
                    ValidationError(_("与文件第 %(n)s 行重复") % {"n": self._seen[key]}, code="duplicate")
                ]
            else:
                self._seen[key] = row_number
                existing = self.existing_duplicate(instance)
                if existing is not None:
                    errors[next(iter(self.required))] = [
                        ValidationError(
                            _("库中已有该条目（编号 %(id)s）；如需更新请在“编号”列填写该编号") % {"id": existing.pk},
                            code="duplicate",
                        )
                    ]
        if not errors and instance._state.adding and kwargs.get("publish"):
            problems = publish_problems(instance)
            if problems:
                errors["__all__"] = [ValidationError(_("不能直接发布：%(p)s") % {"p": "；".join(problems)})]
        if errors:
            raise ValidationError(errors)

    def _text_attributes(self):
        return [
            f.name
            for f in self._meta.model._meta.concrete_fields
            if f.get_internal_type() in ("CharField", "TextField") and f.name not in ("status", "consent_token")
        ]

    def save_instance(self, instance, is_create, row, **kwargs):
        self._created = is_create
        return super().save_instance(instance, is_create, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        item_imported(
            item=instance,
            by=kwargs.get("user"),
            created=getattr(self, "_created", False),
            publish=bool(kwargs.get("publish")),
            file_name=kwargs.get("file_name") or "",
            row_number=kwargs.get("row_number"),
        )


class LawResource(PublicationResource):
    country = choice("country", "国家/地区", COUNTRY_CHOICES, _lazy("国家/地区"))
    ip_type = choice("ip_type", "知识产权类型", IPType.choices, _lazy("知识产权类型"), IPType.GENERAL)
    doc_type = choice("doc_type", "文件类型", Law.DocType.choices, _lazy("文件类型"))
    title_zh = text("title_zh", "中文名称")
    title_original = text("title_original", "原文名称")
    issuing_body = text("issuing_body", "发布机关")
    promulgated_on = fields.Field(attribute="promulgated_on", column_name="发布日期", widget=ChineseDateWidget())
    effective_on = fields.Field(attribute="effective_on", column_name="施行日期", widget=ChineseDateWidget())
    legal_status = choice(
        "legal_status", "效力状态", Law.LegalStatus.choices, _lazy("效力状态"), Law.LegalStatus.IN_FORCE
    )
    summary = text("summary", "摘要")
    full_text = text("full_text", "全文")
    source_url = text("source_url", "来源链接")

    required = {
        "title_zh": _lazy("缺少中文名称"),
        "country": _lazy("缺少国家/地区"),
        "doc_type": _lazy("缺少文件类型"),
    }
    long_texts = ("summary", "full_text")

    class Meta:
        model = Law
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = True
        fields = (
            "id",
            "country",
            "ip_type",
            "doc_type",
            "title_zh",
            "title_original",
            "issuing_body",
            "promulgated_on",
            "effective_on",
            "legal_status",
            "summary",
            "full_text",
            "source_url",
            "state",
            "agency_name",
        )

    def get_queryset(self):
        return Law.objects.select_related("agency")

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.promulgated_on and instance.effective_on and instance.effective_on < instance.promulgated_on:
            raise ValidationError({"effective_on": [ValidationError(_("施行日期早于发布日期"))]})

    def duplicate_key(self, instance):
        return (instance.country, instance.title_zh.strip(), instance.promulgated_on)

    def existing_duplicate(self, instance):
        return (
            Law.objects.filter(
                country=instance.country, title_zh=instance.title_zh.strip(), promulgated_on=instance.promulgated_on
            )
            .exclude(pk=instance.pk)
            .first()
        )


class TypicalCaseResource(PublicationResource):
    title = text("title", "标题")
    ip_type = choice("ip_type", "知识产权类型", IPType.choices, _lazy("知识产权类型"))
    country = choice("country", "国家/地区", COUNTRY_CHOICES, _lazy("国家/地区"))
    industry = choice("industry", "行业", Industry.choices, _lazy("行业"), "")
    forum = choice("forum", "程序", TypicalCase.Forum.choices, _lazy("程序"), TypicalCase.Forum.OTHER)
    year = fields.Field(attribute="year", column_name="年份", widget=YearWidget())
    facts = text("facts", "基本案情")
    response = text("response", "应对措施")
    outcome = text("outcome", "处理结果")
    lessons = text("lessons", "启示")

    required = {
        "title": _lazy("缺少标题"),
        "ip_type": _lazy("缺少知识产权类型"),
        "country": _lazy("缺少国家/地区"),
        "facts": _lazy("缺少基本案情"),
        "response": _lazy("缺少应对措施"),
        "outcome": _lazy("缺少处理结果"),
        "lessons": _lazy("缺少启示"),
    }
    long_texts = ("facts", "response", "outcome", "lessons")

    class Meta:
        model = TypicalCase
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = True
        fields = (
            "id",
            "title",
            "ip_type",
            "country",
            "industry",
            "forum",
            "year",
            "facts",
            "response",
            "outcome",
            "lessons",
            "state",
            "agency_name",
        )

    def get_queryset(self):
        return TypicalCase.objects.select_related("agency")

    def duplicate_key(self, instance):
        return (instance.title.strip(),)

    def existing_duplicate(self, instance):
        return TypicalCase.objects.filter(title=instance.title.strip()).exclude(pk=instance.pk).first()


class ServiceInstitutionResource(PublicationResource):
    serial = fields.Field(attribute="serial", column_name="序号", widget=widgets.IntegerWidget())
    name = text("name", "机构名称")
    nature = text("nature", "机构性质")
    head = text("head", "负责人")
    address = text("address", "地址")
    scope = choice(
        "scope", "境内/境外", ServiceInstitution.Scope.choices, _lazy("境内/境外"), ServiceInstitution.Scope.DOMESTIC
    )
    region = text("region", "所在地区")
    country = choice("country", "所在国家/地区", COUNTRY_CHOICES, _lazy("国家/地区"), "")
    services = text("services", "服务内容")
    countries_covered = fields.Field(
        attribute="countries_covered",
        column_name="服务国家/地区",
        widget=ChoiceListWidget(COUNTRY_CHOICES, _lazy("国家/地区")),
    )
    languages = text("languages", "工作语言")
    phone = text("phone", "联系电话")
    email = text("email", "电子邮箱")
    website = text("website", "网站")
    listed_in = text("listed_in", "入选名单")

    required = {"name": _lazy("缺少机构名称")}
    long_texts = ("services",)

    class Meta:
        model = ServiceInstitution
        import_id_fields = ("id",)
        skip_unchanged = True
        report_skipped = True
        fields = (
            "id",
            "serial",
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
            "state",
            "agency_name",
        )

    def get_queryset(self):
        return ServiceInstitution.objects.select_related("agency")

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.scope == ServiceInstitution.Scope.OVERSEAS and not instance.country:
            raise ValidationError({"country": [ValidationError(_("境外机构请填写所在国家/地区"))]})

    def duplicate_key(self, instance):
        return (instance.name.strip(),)

    def existing_duplicate(self, instance):
        return ServiceInstitution.objects.filter(name=instance.name.strip()).exclude(pk=instance.pk).first()
