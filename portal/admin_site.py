"""The portal's admin site: Django's own, with each person's navigation kept for a minute, each
page kept until what it shows changes, and every list's row checkboxes and fields to edit in place
written directly.

Every admin page lists, in its navigation sidebar, every model the person may see: a permission
check and two URL reversals per model, some eighty of them, on every page. The list changes only
when a person's permissions do, so it is kept a minute per person and language (through
portal.cache: without the cache it is built afresh). A permission taken away may still show its
link for that minute; the page behind it checks the permission itself.

Every admin view's GET page is kept for the person who asked for it until a table it was made
from is written to (portal.page_cache): the staff go back to the same lists and cases all day.
"""

import copy
from functools import partial
from types import MethodType

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import FieldDoesNotExist
from django.forms import BaseFormSet, BaseModelFormSet, HiddenInput, ModelChoiceField
from django.forms.models import BaseModelForm, modelform_factory, modelformset_factory
from django.utils.functional import cached_property
from django.utils.translation import get_language

from portal.admin_filters import FastActionCheckboxMixin
from portal.cache import remembered
from portal.form_renderer import direct_widget_renderer
from portal.page_cache import viewer_page

APP_LIST_SECONDS = 60


def _plain(app_list):
    """The app list with its lazy names turned into text, so that it can be stored."""
    return [
        {**app, "name": str(app["name"]), "models": [{**model, "name": str(model["name"])} for model in app["models"]]}
        for app in app_list
    ]


class PortalAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        # The staff check of Django's admin_view runs first, on every request; the view's own
        # permission checks run inside the kept view, so their tables are the page's.
        return super().admin_view(viewer_page(view), cacheable)

    def register(self, model_or_iterable, admin_class=None, **options):
        super().register(model_or_iterable, admin_class, **options)
        for model_admin in self._registry.values():
            if type(model_admin).action_checkbox is admin.ModelAdmin.action_checkbox:
                # Django renders each row's checkbox through the form widget templates, a quarter of
                # a list page: the same markup written directly, on every list.
                model_admin.action_checkbox = MethodType(FastActionCheckboxMixin.action_checkbox, model_admin)
            if model_admin.action_form is helpers.ActionForm:
                model_admin.action_form = DirectActionForm
            if "get_actions" not in vars(model_admin):
                model_admin.get_actions = MethodType(_actions_once_per_request, model_admin)
            if "get_changelist_formset" not in vars(model_admin):
                # A list with fields to edit in place renders a form per row through the widget
                # templates: the same widgets written directly (portal.form_renderer).
                model_admin.get_changelist_formset = MethodType(_changelist_formset, model_admin)

    def get_app_list(self, request, app_label=None):
        if app_label is not None or not request.user.is_authenticated:
            return super().get_app_list(request, app_label)
        key = f"admin-app-list:{request.user.pk}:{get_language()}"
        return remembered(key, lambda: _plain(super(PortalAdminSite, self).get_app_list(request)), APP_LIST_SECONDS)


class DirectActionForm(helpers.ActionForm):
    """The list's actions (a select and a hidden field), written directly like the rows' fields."""

    default_renderer = direct_widget_renderer


class ChangeListFormSet(BaseModelFormSet):
    """Django's formset of a list's rows, whose hidden key fields are copies of one and whose
    rows share one copy of the form's fields (PageOfRowsFields).

    Django gives each row's form a hidden field naming the row (a ModelChoiceField of the model's
    rows) and makes it a queryset of its own: a new field, a new queryset, then two copies of it,
    some 30 µs a row, a third of what making a row's form costs. The rows' key fields are alike but
    for the key they show, so here each is a shallow copy of one. Where the key is a field of the
    form, a relation or given a widget of its own, Django's way is taken unchanged."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # self.form is the form class modelformset_factory made for this formset alone. A form of
        # the admin's own that sets its fields up in __init__ (per row, maybe) keeps a copy each.
        if not isinstance(self.form.base_fields, PageOfRowsFields) and self.form.__init__ is BaseModelForm.__init__:
            self.form.base_fields = PageOfRowsFields(self.form.base_fields)
        if isinstance(self.form.base_fields, PageOfRowsFields):
            self.form.base_fields.new_page()

    @cached_property
    def plain_rows(self):
        """Whether the list can be shown without making its rows' forms (portal_admin_list): an
        unbound formset, a form that sets none of its fields up per row (no __init__ of its own),
        each row's key the hidden field given here (add_fields). Each row's fields to edit in place
        then differ only by the row's value, name and id, and its key field only by its key."""
        key = self.model._meta.pk
        form = self.form
        return (
            not self.is_bound
            and form.__init__ is BaseModelForm.__init__
            and key.name not in form.base_fields
            and not key.remote_field
            and not form._meta.widgets
            and isinstance(self.auto_id, str)
            and "%s" in self.auto_id
        )

    def form_showing(self, index, name, value):
        """A form whose field `name` shows `value`, for a list of plain_rows: one form made for the
        page (as row `index`'s), given each value to show in turn. An unbound form's field renders
        the form's initial value, and that is all that differs between the rows of plain_rows but
        their names and ids, which the caller gives each row."""
        form = vars(self).get("_showing_form")
        if form is None:
            form = self._showing_form = self._construct_form(index, **self.get_form_kwargs(index))
        form.initial[name] = value
        form._bound_fields_cache.pop(name, None)  # a bound field keeps the value it first read
        return form

    def __getitem__(self, index):
        # The page's template asks for `cl.formset.errors`, which Django's template language first
        # tries as formset["errors"]: a formset's item, that is its forms[…], all made to find none.
        if not isinstance(index, int | slice):
            raise TypeError(f"formset indices are numbers, not {type(index).__name__}")
        return super().__getitem__(index)

    # Every row's form is of one class: the page's media and its form's encoding are those of one
    # form of it, asked without making the hundred rows' forms.

    @property
    def media(self):
        return self._a_form.media if self.plain_rows and "forms" not in vars(self) else super().media

    def is_multipart(self):
        return self._a_form.is_multipart() if self.plain_rows and "forms" not in vars(self) else super().is_multipart()

    @cached_property
    def _a_form(self):
        return self.empty_form

    def initial_form_count(self):
        # Asked three times for every row's form (300 times on a page of 100 rows): an unbound
        # formset's rows are the page's, counted once.
        if self.is_bound:
            return super().initial_form_count()
        if "_initial_count" not in vars(self):
            self._initial_count = super().initial_form_count()
        return self._initial_count

    def add_fields(self, form, index):
        key = self.model._meta.pk
        if key.name in form.fields or key.remote_field or form._meta.widgets:
            return super().add_fields(form, index)
        self._pk_field = key
        field = copy.copy(self._key_field(form.instance._state.db))
        field.initial = self._row_key(form, index)
        form.fields[key.name] = field
        return BaseFormSet.add_fields(self, form, index)

    def _key_field(self, db):
        """The rows' key field, made once: each row's is a shallow copy of it (its widget, its
        queryset and its messages shared: none of them changes per row), given the row's key."""
        kept = vars(self).setdefault("_key_fields", {})
        if db not in kept:
            field = ModelChoiceField(None, required=False, widget=HiddenInput)
            field._queryset = self.model._default_manager.get_queryset().using(db)  # not copied (see above)
            field.is_row_key = True  # written directly (portal.templatetags.portal_admin_list.hidden_keys)
            kept[db] = field
        return kept[db]

    def _row_key(self, form, index):
        # As BaseModelFormSet.add_fields: a row being added has no key yet.
        if form.is_bound:
            return None if form.instance._state.adding else form.instance.pk
        rows = self.get_queryset()
        return rows[index].pk if index is not None and index < len(rows) else None


class PageOfRowsFields(dict):
    """The fields of a list's row forms, one copy for all the rows of a page.

    A form deep-copies its class's fields when it is made, so that changing one form's fields
    leaves the others alone: a hundred copies of the same fields, a tenth of a 100-row list with
    fields to edit in place. The rows' forms change none of their fields but in one case: a
    ModelForm narrows a field's queryset to the relation's limit_choices_to, in place. So the
    fields are deep-copied once per page, as Django does for each form, and every row shares that
    copy, each in a dict of its own (the formset adds each row's key field to it); a field with a
    queryset is still copied for each row, from the page's copy."""

    page_copy = None

    def __deepcopy__(self, memo):
        page_copy = self.page_copy  # read once: another page's formset may start meanwhile (new_page)
        if page_copy is None:
            page_copy = self.page_copy = copy.deepcopy(dict(self), memo)
        return {
            name: copy.deepcopy(field, memo) if hasattr(field, "queryset") else field
            for name, field in page_copy.items()
        }

    def new_page(self):
        """A new page's rows get a new copy (the form class may serve many pages: _changelist_formset)."""
        self.page_copy = None


def _actions_once_per_request(model_admin, request):
    """The admin's get_actions, once per request: a list's page asks three times (its checkbox
    column, its action bar, the bar's choices), and each time Django collects every action and
    checks the person's permission for each. The actions follow from the request alone."""
    kept = request.__dict__.setdefault("_portal_actions", {})
    if model_admin not in kept:
        kept[model_admin] = type(model_admin).get_actions(model_admin, request)
    return kept[model_admin]


def _changelist_formset(model_admin, request, **kwargs):
    kwargs.setdefault("renderer", direct_widget_renderer)
    kwargs.setdefault("formset", ChangeListFormSet)
    if set(kwargs) != {"renderer", "formset"} or not _formset_follows_from_the_admin(model_admin):
        return type(model_admin).get_changelist_formset(model_admin, request, **kwargs)
    # Django makes the formset's classes afresh on every visit of the list (two form classes, the
    # first of every field of the model: 1.2 ms of a workstations' page); here once per process.
    kept = vars(model_admin).setdefault("_changelist_formsets", {})
    language = get_language()
    if language not in kept:
        # Django's formfield_for_dbfield reads no request for a field of the model's own value.
        callback = partial(model_admin.formfield_for_dbfield, request=None)
        fields = model_admin.list_editable
        form = modelform_factory(model_admin.model, fields=fields, formfield_callback=callback)
        kept[language] = modelformset_factory(
            model_admin.model, form, extra=0, fields=fields, formfield_callback=callback, **kwargs
        )
    return kept[language]


def _formset_follows_from_the_admin(model_admin):
    """Whether a list's formset classes are the same on every visit: made by Django's own methods,
    for fields to edit in place that are the model's own values (a relation's choices may follow
    from the person asking: Django passes the request to the methods that make its field)."""
    admin_class = type(model_admin)
    if any(
        getattr(admin_class, name) is not getattr(admin.ModelAdmin, name)
        for name in (
            "get_changelist_formset",
            "get_changelist_form",
            "formfield_for_dbfield",
            "formfield_for_choice_field",
        )
    ):
        return False
    try:
        fields = [model_admin.model._meta.get_field(name) for name in model_admin.list_editable]
    except FieldDoesNotExist:
        return False
    return all(field.concrete and not field.is_relation for field in fields)


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"
