from django import template

from applications.choices import DisputeType, RightType, TechnicalField
from applications.countries import country_name
from experts.models import Language, Qualification

register = template.Library()

_CHOICES = {
    "right": dict(RightType.choices),
    "dispute": dict(DisputeType.choices),
    "field": dict(TechnicalField.choices),
    "language": dict(Language.choices),
    "qualification": dict(Qualification.choices),
}


@register.filter
def labels(values, kind):
    """Readable labels of a multi-choice list: {{ expert.right_types|labels:"right" }}."""
    if kind == "country":
        return "、".join(str(country_name(v)) for v in values or [])
    mapping = _CHOICES.get(kind, {})
    return "、".join(str(mapping.get(v, v)) for v in values or [])
