"""What the audit log's action types of the key enterprises' register read as."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "enterprises.enterprise.registered": _("登记重点出口企业"),
    "enterprises.enterprise.changed": _("修改重点出口企业信息"),
    "enterprises.officer.appointed": _("登记知识产权联络员"),
    "enterprises.officer.changed": _("修改知识产权联络员信息"),
    "enterprises.officer.retired": _("知识产权联络员离任"),
    "enterprises.warning.sent": _("向联络员推送预警信息"),
}
