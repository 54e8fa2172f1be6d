"""A model field for the form's multi-tick questions (dispute types, right types, countries).

Stored as "|a|b|c|" in a plain text column, so that one tick is found with
`field__contains="|a|"` on SQLite and PostgreSQL alike, and read back as a list.
"""

from django import forms
from django.core import exceptions
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChoiceListField(models.CharField):
    description = _("多选项")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple):
            return list(value)
        return [part for part in value.split("|") if part]

    def get_prep_value(self, value):
        if isinstance(value, str):
            # A lookup value such as "|US|" is passed through untouched.
            return value
        if not value:
            return ""
        return "|" + "|".join(value) + "|"

    def validate(self, value, model_instance):
        if not self.editable:
            return
        if self.choices:
            allowed = {str(choice) for choice, _label in self.flatchoices}
            for item in value:
                if item not in allowed:
                    raise exceptions.ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                    )
        if not self.blank and not value:
            raise exceptions.ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": self.verbose_name,
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        return forms.TypedMultipleChoiceField(
            **{k: v for k, v in defaults.items() if k not in {"form_class", "choices_form_class", "coerce"}}
        )

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    @staticmethod
    def contains(value):
        """The lookup value that finds rows whose list holds `value`."""
        return f"|{value}|"
