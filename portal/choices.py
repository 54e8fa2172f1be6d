"""A field's label for a value, as `get_<field>_display()` gives it, for the labels shown on every
row of a list (a document's kind in its name, a status).

Django's `get_<field>_display()` makes the field's whole list of choices hashable at each call,
and hashing a translatable label translates it: on a list of a hundred documents, whose name
starts with their kind (twenty kinds), that was a third of the page. Here each field's labels are
translated once per language and kept.
"""

import functools

from django.utils.encoding import force_str
from django.utils.translation import get_language


@functools.cache
def _labels(field, language):
    """value → label in the language active when first asked; a field's choices are fixed with its
    class, and a catalogue with the process."""
    return {value: str(label) for value, label in field.flatchoices}


def labels_of(field):
    """The field's choices as value → label, translated into the active language."""
    return _labels(field, get_language())


def choice_label(instance, field_name):
    """What instance.get_<field_name>_display() gives: the value's label, or the value itself."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    try:
        label = labels_of(field).get(value)
    except TypeError:  # a value that cannot be a key (a list): Django's own way
        return getattr(instance, f"get_{field_name}_display")()
    return force_str(value, strings_only=True) if label is None else label
