"""A form renderer that writes the plainest widgets' HTML directly instead of through templates.

Django renders every widget through its templates: an `<input>` is three templates (the widget's,
input.html and attrs.html), a `<select>` one more per option, and even an empty error list one.
A change list with fields to edit in place (``list_editable``) renders a form per row, so on a list
of thirty rows that was a third of the page. This renderer writes the same markup, to the character,
for Django's own templates of text-like inputs, checkboxes, selects and empty error lists, and
hands every other template (the admin's date widgets, radio buttons, a template someone overrode)
to Django's renderer. The admin site gives it to the change lists' formsets
(portal.admin_site.PortalAdminSite); tests/portal/test_form_renderer.py compares it with Django's
renderer widget by widget, and the registry walk compares whole rows.
"""

from html import escape  # what django.utils.html.escape calls, without its lazy-text wrapper

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.safestring import SafeData

_WIDGETS = "django/forms/widgets/"
# Django's widget templates that are `{% include "django/forms/widgets/input.html" %}` and a line break.
INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)
SELECT_TEMPLATE = f"{_WIDGETS}select.html"
OPTION_TEMPLATE = f"{_WIDGETS}select_option.html"
ERRORS_TEMPLATE = "django/forms/errors/list/default.html"


class _Unwritten(Exception):
    """A value this module does not write as the template would: the template renders it."""


def escaped(value):
    """django.utils.html.conditional_escape's text, without its lazy-text wrapper (once per cell of
    a list, it was a tenth of the rows' time): what is safe as it is, the rest escaped."""
    if type(value) is str:  # the commonest: a plain text, never safe as it is
        return escape(value)
    if type(value) is int:  # a key, a number: its digits need no escaping
        return str(value)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def _formatted(value):
    """`{{ value|stringformat:'s' }}`: the value as text, escaped unless it is already safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else escape(text)


def _text(value):
    """`{{ value }}` for a text or a translatable text; anything else (a number, a date: the template
    would localise it) is left to the template."""
    if not isinstance(value, str | Promise):
        raise _Unwritten
    return escaped(value)


def _attrs(attrs):
    """attrs.html: each attribute but the False ones; a True one as a bare name."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    """input.html."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option):
    if option["template_name"] != OPTION_TEMPLATE:
        raise _Unwritten
    value, attrs, label = _formatted(option["value"]), _attrs(option["attrs"]), _text(option["label"])
    return f'\n  <option value="{value}"{attrs}>{label}</option>\n'


def _select(widget):
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        parts.extend(_option(option) for option in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _writer(template_name):
    if template_name in INPUT_TEMPLATES:
        return lambda context: _input(context["widget"])
    if template_name == SELECT_TEMPLATE:
        return lambda context: _select(context["widget"])
    if template_name == ERRORS_TEMPLATE:
        return lambda context: _empty_errors(context["errors"])
    return None


def _empty_errors(errors):
    if errors:
        raise _Unwritten
    return ""


class DirectWidgetRenderer(DjangoTemplates):
    """Django's template renderer, but for the templates above, whose HTML it writes directly."""

    def render(self, template_name, context, request=None):
        writer = _writer(template_name)
        if writer is not None:
            try:
                # As Django's renderer gives a template's output: without the line breaks around it.
                return writer(context)
            except _Unwritten:
                pass
        return super().render(template_name, context, request)


direct_widget_renderer = DirectWidgetRenderer()
