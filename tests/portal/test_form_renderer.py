"""The direct widget renderer writes, widget by widget, the very HTML Django's templates make."""

import pytest
from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal.form_renderer import INPUT_TEMPLATES, DirectWidgetRenderer

templates = DjangoTemplates()
direct = DirectWidgetRenderer()

INPUTS = [
    forms.TextInput(),
    forms.TextInput(attrs={"class": "vTextField", "maxlength": 20, "placeholder": '"引号" & <尖括号>'}),
    forms.NumberInput(attrs={"min": 0, "step": "any"}),
    admin_widgets.AdminIntegerFieldWidget(),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.CheckboxInput(),
    forms.DateInput(),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.ColorInput(),
    forms.FileInput(),
]
VALUES = [None, "", 0, 7, "北京 <b>&", mark_safe("<b>已安全</b>"), True, False]
SELECTS = [
    forms.Select(choices=[("", "---------"), ("a", "甲"), ("b", _("已撤销")), ("c", 'x"<y>')]),
    forms.Select(choices=[("亚洲", [("cn", "中国"), ("jp", "日本")]), ("us", "美国")]),
    forms.SelectMultiple(choices=[("a", "甲"), ("b", "乙")]),
    forms.NullBooleanSelect(),
    forms.Select(choices=[(1, 1), (2, 2)]),  # number labels: left to the template (localised)
]


def _no_template(self, template_name, context, request=None):
    raise AssertionError(f"rendered through {template_name}")


@pytest.mark.parametrize("widget", INPUTS, ids=lambda widget: type(widget).__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_an_input_is_written_as_djangos_template_renders_it(widget, value, monkeypatch):
    attrs = {"id": "id_form-0-name", "required": True, "disabled": False, "aria-describedby": "help"}
    assert widget.template_name in INPUT_TEMPLATES
    with monkeypatch.context() as patched:
        patched.setattr(DjangoTemplates, "render", _no_template)  # written directly, not through a template
        ours = widget.render("form-0-name", value, attrs, renderer=direct)
    assert ours == widget.render("form-0-name", value, attrs, renderer=templates)


@pytest.mark.parametrize("widget", SELECTS, ids=lambda widget: type(widget).__name__)
@pytest.mark.parametrize("value", [None, "", "a", "cn", True, 2])
def test_a_select_is_written_as_djangos_template_renders_it(widget, value):
    attrs = {"id": "id_form-0-kind", "required": True}
    ours = widget.render("form-0-kind", value, attrs, renderer=direct)
    assert ours == widget.render("form-0-kind", value, attrs, renderer=templates)
    assert "<select" in ours


def test_a_multiple_select_with_several_chosen_is_djangos():
    widget = SELECTS[2]
    ours = widget.render("kinds", ["a", "b"], {"id": "id_kinds"}, renderer=direct)
    assert ours == widget.render("kinds", ["a", "b"], {"id": "id_kinds"}, renderer=templates)
    assert ours.count(" selected") == 2


class _Form(forms.Form):
    name = forms.CharField(max_length=5)
    kind = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")])
    when = forms.DateField(widget=admin_widgets.AdminDateWidget)


@pytest.mark.parametrize("data", [None, {"name": "太长的一个名字", "kind": "z", "when": "x"}])
def test_a_whole_field_with_or_without_errors_is_djangos(data):
    ours, theirs = _Form(data, renderer=direct), _Form(data, renderer=templates)
    for name in ("name", "kind", "when"):
        assert str(ours[name].errors) + str(ours[name]) == str(theirs[name].errors) + str(theirs[name])
    if data:
        assert 'class="errorlist"' in str(ours["name"].errors)  # a list with errors goes to the template


def test_a_template_it_does_not_know_goes_to_djangos_renderer():
    widget = forms.RadioSelect(choices=[("a", "甲"), ("b", "乙")])
    assert widget.render("kind", "a", {"id": "id_kind"}, renderer=direct) == widget.render(
        "kind", "a", {"id": "id_kind"}, renderer=templates
    )
