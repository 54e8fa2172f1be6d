"""The register as a spreadsheet (CSV / XLSX) with django-import-export, as the expert pool and the
knowledge platform import theirs: staff upload the list the city's commerce bureau keeps, every row
is checked and shown in a preview with the reason beside each bad row (a wrong credit code, an
unknown market or industry, a bad e-mail address), and nothing is saved until they confirm a file
without errors.

A row is found by its credit code: a new code registers the enterprise, a known one updates it. The
liaison officer's columns add that officer when the address is not yet on record. Every row is saved
through enterprises.services, so it is checked and recorded like an entry made in the form."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export import fields, resources, widgets

from applications.countries import COUNTRY_NAMES
from enterprises import services
from enterprises.models import KeyEnterprise, LiaisonOfficer
from experts.resources import BooleanCNWidget, ChoiceListWidget
from knowledge.models import Industry
from portal.models import ServicePoint
from portal.validators import normalise_credit_code

OFFICER_COLUMNS = {"name": "联络员姓名", "title": "联络员职务", "phone": "联络员电话", "email": "联络员邮箱"}
EDITABLE = [
    "name",
    "industries",
    "products",
    "markets",
    "brands_abroad",
    "patents_abroad",
    "annual_exports",
    "service_point",
    "listed_on",
    "active",
]


class _Officer(fields.Field):
    """A column of the enterprise's (first serving) liaison officer: exported, read on import by the resource."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        return None


class KeyEnterpriseResource(resources.ModelResource):
    credit_code = fields.Field(attribute="credit_code", column_name="统一社会信用代码")
    name = fields.Field(attribute="name", column_name="企业名称")
    industries = fields.Field(
        attribute="industries", column_name="所属行业", widget=ChoiceListWidget(Industry.choices, _lazy("行业"))
    )
    products = fields.Field(attribute="products", column_name="主要出口产品")
    markets = fields.Field(
        attribute="markets",
        column_name="主要出口市场",
        widget=ChoiceListWidget(list(COUNTRY_NAMES.items()), _lazy("国家/地区")),
    )
    brands_abroad = fields.Field(attribute="brands_abroad", column_name="境外品牌和商标")
    patents_abroad = fields.Field(attribute="patents_abroad", column_name="境外专利布局")
    annual_exports = fields.Field(attribute="annual_exports", column_name="年出口额")
    service_point = fields.Field(
        attribute="service_point", column_name="服务工作站", widget=widgets.ForeignKeyWidget(ServicePoint, "name")
    )
    listed_on = fields.Field(attribute="listed_on", column_name="列入名录日期", widget=widgets.DateWidget())
    active = fields.Field(attribute="active", column_name="在册", widget=BooleanCNWidget())
    officer_name = _Officer(column_name=OFFICER_COLUMNS["name"])
    officer_title = _Officer(column_name=OFFICER_COLUMNS["title"])
    officer_phone = _Officer(column_name=OFFICER_COLUMNS["phone"])
    officer_email = _Officer(column_name=OFFICER_COLUMNS["email"])

    class Meta:
        model = KeyEnterprise
        import_id_fields = ["credit_code"]
        fields = [
            "credit_code",
            "name",
            "industries",
            "products",
            "markets",
            "brands_abroad",
            "patents_abroad",
            "annual_exports",
            "service_point",
            "listed_on",
            "active",
            "officer_name",
            "officer_title",
            "officer_phone",
            "officer_email",
        ]
        clean_model_instances = True
        skip_unchanged = False

    # --- Export ------------------------------------------------------------------------------------

    def _first_officer(self, obj):
        return obj.liaison_officers.filter(active=True).order_by("pk").first()

    def _officer_value(self, obj, name):
        officer = self._first_officer(obj)
        return getattr(officer, name, "") if officer else ""

    def dehydrate_officer_name(self, obj):
        return self._officer_value(obj, "name")

    def dehydrate_officer_title(self, obj):
        return self._officer_value(obj, "title")

    def dehydrate_officer_phone(self, obj):
        return self._officer_value(obj, "phone")

    def dehydrate_officer_email(self, obj):
        return self._officer_value(obj, "email")

    # --- Import ------------------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self._seen = {}
        if dataset.headers and "统一社会信用代码" in dataset.headers:
            column = dataset.headers.index("统一社会信用代码")
            for index, row in enumerate(dataset):
                cells = list(row)
                cells[column] = normalise_credit_code(str(cells[column] or ""))
                dataset[index] = tuple(cells)
        super().before_import(dataset, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if instance._state.adding:
            instance.created_by = kwargs.get("user")
        code = instance.credit_code
        if code in self._seen:
            errors["credit_code"] = [
                ValidationError(_("与文件第 %(n)s 行的统一社会信用代码重复") % {"n": self._seen[code]})
            ]
        else:
            self._seen[code] = kwargs.get("row_number")
        email = (row.get(OFFICER_COLUMNS["email"]) or "").strip()
        officer_name = (row.get(OFFICER_COLUMNS["name"]) or "").strip()
        if email or officer_name:
            try:
                validate_email(email)
            except ValidationError:
                errors["officer_email"] = [ValidationError(_("请填写联络员的有效电子邮箱。"))]
            if not officer_name:
                errors["officer_name"] = [ValidationError(_("填写联络员邮箱时请同时填写姓名。"))]
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if self._is_dry_run(kwargs) and not self._is_using_transactions(kwargs):
            return
        by = kwargs.get("user")
        if is_create:
            services.key_enterprise_register(enterprise=instance, by=by)
        else:
            current = KeyEnterprise.objects.get(pk=instance.pk)
            changed = [name for name in EDITABLE if getattr(current, name) != getattr(instance, name)]
            services.key_enterprise_update(enterprise=instance, by=by, changed=changed)
        email = (row.get(OFFICER_COLUMNS["email"]) or "").strip()
        if email and not LiaisonOfficer.objects.filter(enterprise=instance, email__iexact=email).exists():
            services.liaison_officer_add(
                enterprise=instance,
                by=by,
                name=(row.get(OFFICER_COLUMNS["name"]) or "").strip(),
                title=(row.get(OFFICER_COLUMNS["title"]) or "").strip(),
                phone=str(row.get(OFFICER_COLUMNS["phone"]) or "").strip(),
                email=email,
            )
