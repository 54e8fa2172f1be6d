from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.cache import cache_delete, cache_get, cache_set

SITE_CONFIGURATION_CACHE_KEY = "portal:site-configuration"

SEAL_MAX_BYTES = 512 * 1024


def validate_seal(upload):
    """The seal image printed on documents: an SVG (no scripts, no outside references) or a PNG with
    transparency, at most 512 KB, checked by its content and not by its name."""
    if upload.size > SEAL_MAX_BYTES:
        raise ValidationError(_("印章图像不能超过512KB。"))
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        import io

        from PIL import Image

        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except Exception as exc:
            raise ValidationError(_("印章图像无法读取。")) from exc
        transparent = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        if not transparent:
            raise ValidationError(_("PNG印章图像须有透明背景。"))
        if min(image.size) < 300:
            raise ValidationError(_("印章图像至少须为300×300像素。"))
        return
    import xml.etree.ElementTree as ET

    head = data[:2048].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        raise ValidationError(_("SVG印章图像不能含有DTD或实体声明。"))
    try:
        root = ET.fromstring(data)  # noqa: S314 - DTDs and entities are refused above
    except ET.ParseError as exc:
        raise ValidationError(_("印章图像须为SVG或PNG文件。")) from exc
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        raise ValidationError(_("印章图像须为SVG或PNG文件。"))
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in ("script", "foreignobject", "image", "use") or any(
            name.lower().startswith("on") for name in element.attrib
        ):
            raise ValidationError(_("SVG印章图像不能含有脚本、外部图像或引用。"))


class SiteConfiguration(models.Model):
    """The center's own settings, edited by staff in the admin. There is one row."""

    center_name = models.CharField(_("中心名称"), max_length=100, default="山西省涉外知识产权指导中心")
    center_name_en = models.CharField(
        _("中心英文名称"), max_length=200, default="Shanxi Overseas Intellectual Property Guidance Center"
    )
    issuing_body = models.CharField(
        _("发文机关"),
        max_length=100,
        default="山西省涉外知识产权指导中心",
        help_text=_("印在公文版头的发文机关名称。"),
    )
    region = models.CharField(_("所在地区"), max_length=50, default="山西省")
    address = models.CharField(_("地址"), max_length=200, default="山西省太原市小店区长治路 229 号")
    postcode = models.CharField(_("邮政编码"), max_length=10, blank=True, default="030006")
    hotline = models.CharField(_("服务热线"), max_length=40, default="0351-12330")
    email = models.EmailField(_("电子邮箱"), default="guide@ipguide.example.cn")
    office_hours = models.CharField(_("办公时间"), max_length=100, default="工作日 9:00–12:00，14:00–17:30")
    doc_number_prefix = models.CharField(
        _("发文字号机关代字"),
        max_length=20,
        default="晋知指",
        validators=[RegexValidator(r"^\S+$", _("机关代字不能包含空格。"))],
        help_text=_("例如“晋知指”，生成“晋知指〔2026〕12号”。"),
    )
    application_number_prefix = models.CharField(
        _("申请编号前缀"), max_length=10, default="SQ", help_text=_("申请编号形如 SQ-2026-000123。")
    )
    first_contact_days = models.PositiveSmallIntegerField(_("首次联系申请人时限（工作日）"), default=3)
    acceptance_days = models.PositiveSmallIntegerField(_("受理审查时限（工作日）"), default=5)
    agency_answer_days = models.PositiveSmallIntegerField(_("协助单位回函时限（工作日）"), default=10)
    opinion_days = models.PositiveSmallIntegerField(_("出具指导意见时限（工作日）"), default=20)
    correction_days = models.PositiveSmallIntegerField(_("补正材料时限（工作日）"), default=10)
    escalate_overdue_days = models.PositiveSmallIntegerField(_("逾期多少个工作日提醒主任"), default=5)
    seal = models.FileField(
        _("印章图像"),
        upload_to="seal/",
        blank=True,
        validators=[FileExtensionValidator(["svg", "png"]), validate_seal],
        help_text=_("加盖在公文署名和成文日期上的印章：SVG或透明背景的PNG，不超过512KB。"),
    )

    class Meta:
        verbose_name = _("中心配置")
        verbose_name_plural = _("中心配置")

    def __str__(self):
        return self.center_name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
        cache_delete(SITE_CONFIGURATION_CACHE_KEY)

    @classmethod
    def get(cls):
        """The single configuration row, created with defaults on first use. Read through the
        cache; when the cache is down it is read from the database (portal.cache)."""
        config = cache_get(SITE_CONFIGURATION_CACHE_KEY)
        if config is None:
            config, _created = cls.objects.get_or_create(pk=1)
            cache_set(SITE_CONFIGURATION_CACHE_KEY, config, 300)
        return config


class PartnerAgency(models.Model):
    """A co-building or assisting agency (共建单位 / 协助单位) that receives assistance letters."""

    class Kind(models.TextChoices):
        IP_OFFICE = "ip_office", _("知识产权局")
        COPYRIGHT = "copyright", _("版权局")
        COMMERCE = "commerce", _("商务部门")
        FOREIGN_AFFAIRS = "foreign_affairs", _("外事部门")
        CCPIT = "ccpit", _("贸促会")
        CUSTOMS = "customs", _("海关")
        OTHER = "other", _("其他")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    contact_person = models.CharField(_("联络人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    services = models.TextField(_("可提供的协助"), blank=True)
    active = models.BooleanField(_("在用"), default=True)
    display_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("协助单位")
        verbose_name_plural = _("协助单位")
        ordering = ["display_order", "name"]

    # What __str__ reads: all that a list of other rows needs of this one (portal.admin_lists).
    name_fields = ("name",)

    def __str__(self):
        return self.name
