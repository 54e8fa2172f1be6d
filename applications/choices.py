"""The options of the paper form (海外知识产权纠纷应对指导申请书, 附件1), in its order."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicantCategory(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    SOLE_TRADER = "sole_trader", _("个体工商户")
    INDIVIDUAL = "individual", _("个人")
    ASSOCIATION = "association", _("社会团体")
    RESEARCH = "research", _("科研院所")
    OTHER = "other", _("其他")


# Categories identified by a unified social credit code; a natural person is identified by an ID document.
CATEGORIES_WITH_CREDIT_CODE = {
    ApplicantCategory.ENTERPRISE,
    ApplicantCategory.SOLE_TRADER,
    ApplicantCategory.ASSOCIATION,
    ApplicantCategory.RESEARCH,
}


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")


class Channel(models.TextChoices):
    """How an application reached the center."""

    ONLINE = "online", _("网上申请")
    PAPER = "paper", _("纸质申请书")
    EMAIL = "email", _("电子邮件")
    SERVICE_POINT = "service_point", _("服务工作站代录")
    CONSULTATION = "consultation", _("咨询转申请")
    FAIR_DESK = "fair_desk", _("展会服务台")


class DisputeType(models.TextChoices):
    VALIDITY = "validity", _("权利有效性纠纷")
    OWNERSHIP = "ownership", _("权属纠纷")
    INFRINGEMENT = "infringement", _("侵权纠纷")
    TRADE_INVESTIGATION = "trade_investigation", _("相关贸易调查纠纷（如美国 337 调查）")
    LICENSING = "licensing", _("许可纠纷")
    EXHIBITION = "exhibition", _("展会知识产权纠纷")
    TRADE_SECRET = "trade_secret", _("商业秘密纠纷")
    OTHER = "other", _("其他")


class RightType(models.TextChoices):
    INVENTION = "invention", _("发明专利")
    UTILITY_MODEL = "utility_model", _("实用新型专利")
    DESIGN = "design", _("工业品外观设计")
    TRADEMARK = "trademark", _("商标")
    GEOGRAPHICAL_INDICATION = "gi", _("地理标志")
    IC_LAYOUT = "ic_layout", _("集成电路布图设计")
    COPYRIGHT = "copyright", _("版权")
    OTHER = "other", _("其他")


class OpponentType(models.TextChoices):
    COMPETITOR = "competitor", _("竞争对手")
    NPE = "npe", _("非专利实施实体（NPE）")
    UNIVERSITY = "university", _("高校或研究机构")
    INDIVIDUAL = "individual", _("个人")
    OTHER = "other", _("其他")


class TechnicalField(models.TextChoices):
    MECHANICAL = "mechanical", _("机械")
    ELECTRICAL = "electrical", _("电学")
    COMMUNICATIONS = "communications", _("通信")
    CHEMISTRY = "chemistry", _("化学")
    OPTOELECTRONICS = "optoelectronics", _("光电")
    BIOMEDICINE = "biomedicine", _("医药生物")
    OTHER = "other", _("其他")


class DisputeLevel(models.TextChoices):
    ORDINARY = "ordinary", _("普通纠纷")
    MAJOR = "major", _("重大/疑难纠纷")


class EvidenceCategory(models.TextChoices):
    STANDING = "standing", _("申请人主体资格证明（营业执照、身份证、个体工商户执照等）")
    IP_RIGHTS = "ip_rights", _("涉及的知识产权证明（专利文本、商标注册证、版权登记证书等）")
    LEGAL_PAPERS = "legal_papers", _("纠纷相关法律文书（律师函、起诉书、行政机关通知等）")
    PAPER_FORM = "paper_form", _("签字（盖章）的纸质申请书扫描件")
    OTHER = "other", _("其他材料")


# The eleven countries printed on the form, as ISO 3166-1 alpha-2 codes, in its order.
FORM_COUNTRIES = ["US", "DE", "FR", "GB", "JP", "KR", "IN", "BR", "RU", "TR", "AU"]
