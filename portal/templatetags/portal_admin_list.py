"""The admin's list of results, made once per page where Django makes it once per cell.

Django's `items_for_result` works out, for every cell of every row, what kind of column it is
(`lookup_field`: a model field, a ModelAdmin method, a model attribute), and for every row reverses
the change page's URL and re-parses the kept filters into it (`add_preserved_filters`, a URL
resolve each). On a list of fifty rows and eight columns that was a third of the page. Here both
are worked out once per page: each column's kind, and the change URL with the filters in it, in
which only the row's key differs. The commonest columns (a text, a label, a yes/no, a number or a date
field, an admin method giving text) get a function of their own that makes their cells; dates are shown through a
`DateDisplay` made once per page (portal.date_display); the rest is made by Django's own functions
(`display_for_field`, `display_for_value`). The HTML is Django's: `{% result_list %}` in
Django's change list template is replaced by `{% portal_result_list %}`, which renders Django's
template but for its loops over the rows and the hidden key fields, given as one piece of HTML each
(`admin/portal_change_list_results.html`). A list with fields to edit in place (a formset) is
made the same way, each field written by its form (whose widgets portal.form_renderer writes
directly); once the formset has been posted back with errors, it takes Django's own path.

The header row is written in the same pass. The filter panel is kept too (`{% portal_list_filters %}`):
its HTML follows from the page's parameters, the language and each filter's choices, so it is kept
under those. So are the action bar, the search bar and the add button (`_KeptNode`), in the process.
"""

import datetime
from urllib.parse import quote as url_quote
from uuid import UUID

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _boolean_icon,
    _coerce_field_name,
    admin_actions,
    admin_list_filter,
    result_headers,
    result_hidden_fields,
    results,
    search_form,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
    quote,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.forms.models import BaseModelForm
from django.template import Library, TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.autoreload import file_changed
from django.utils.functional import Promise
from django.utils.hashable import make_hashable
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, gettext

from portal.cache import kept
from portal.choices import labels_of
from portal.date_display import DateDisplay
from portal.form_renderer import escaped

register = Library()

# Stands for a row's key in the change URL made once per page; replaced by each row's own.
_KEY = "0portal0key0"


class _Column:
    """What `lookup_field` finds out about one column, the same for every row."""

    def __init__(self, cl, index, name, link, dates):
        self.name = name
        self.dates = dates
        field_class = f"field-{_coerce_field_name(name, index)}"
        # The cell's class attribute, written once: Django's row_classes, with "nowrap" for dates.
        self.class_attr = f' class="{field_class}"'
        self.nowrap_class_attr = f' class="{field_class} nowrap"'
        # link: None, or "th" for the first column of links, "td" for a further one (items_for_result).
        self.is_link = link is not None
        self.link_tag = link
        # Written by the row's form (list_editable), as Django does for a column the form has.
        self.editable = (
            cl.formset is not None and name in cl.formset.form.base_fields and name != cl.model._meta.pk.name
        )
        self.field = None
        self.admin_callable = None
        # A field with choices shows its label (display_for_field): the labels, translated once
        # per language (portal.choices) instead of once per cell. None for a field of lists (a
        # ChoiceListField).
        self.labels = None
        # A date, time or date-time field: shown through the page's DateDisplay.
        self.is_date_field = False
        self.is_text_field = False
        try:
            self.field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            if callable(name):
                self.admin_callable = name
            elif hasattr(cl.model_admin, name) and name != "__str__":
                self.admin_callable = getattr(cl.model_admin, name)
        else:
            choices = getattr(self.field, "flatchoices", None)
            if choices and not isinstance(self.field.get_default(), list):
                self.labels = labels_of(self.field)
            self.is_date_field = not choices and isinstance(self.field, models.DateField | models.TimeField)
            # A text field shows its text (display_for_field's str() of a text that is not empty).
            self.is_text_field = (
                not choices
                and isinstance(self.field, models.CharField | models.TextField)
                and not isinstance(self.field, models.URLField)
            )
        # What Django reads off the admin's method at every cell (@admin.display's boolean and
        # empty_value), read once.
        self.boolean = getattr(self.admin_callable, "boolean", False)
        self.has_empty_value_display = hasattr(self.admin_callable, "empty_value_display")
        self.empty_value_display = getattr(self.admin_callable, "empty_value_display", None)
        self.made = {}
        self.texts = {}
        self.fields_made = {}
        self.fast = None if self.is_link or self.editable else self._fast_cell(cl.model_admin)
        # The cell of a field to edit in place on a row whose form is not made (a _PlainRow).
        self.plain_field_cell = self._plain_field_cell() if self.editable and not self.is_link else None

    def _fast_cell(self, model_admin):
        """For the commonest columns, a function that makes the cell of a row as _cells would,
        with what _cells decides at each cell decided here once: a text, a label, a yes/no, a whole
        number or a date field, a method of the admin giving text. It answers None for a value it does not
        handle (then _cells makes the cell). None for any other column."""
        field, name = self.field, self.name
        empty = model_admin.get_empty_value_display()
        if field is not None:
            if field.auto_created:
                return None
            nowrap = isinstance(field, models.DateField | models.TimeField | models.ForeignKey)
            opening = f"<td{self.nowrap_class_attr if nowrap else self.class_attr}>"
            if isinstance(field.remote_field, models.ManyToOneRel):
                return self._related_cell(field, opening, empty) if isinstance(field, models.ForeignKey) else None
            if self.labels is not None:
                labels = self.labels
                return lambda result: (
                    f"{opening}{escaped(labels.get(_blank_as_empty(getattr(result, name)), empty))}</td>"
                )
            if isinstance(field, models.BooleanField):
                return self._boolean_cell(opening)
            if self.is_date_field:
                dates = self.dates

                def date_cell(result):
                    value = getattr(result, name)
                    return f"{opening}{escaped(empty if value is None or value == '' else dates(value))}</td>"

                return date_cell
            if self.is_text_field:

                def text_cell(result):
                    value = getattr(result, name)
                    if value is None:
                        return f"{opening}{escaped(empty)}</td>"
                    if type(value) is str:
                        return f"{opening}{escaped(value if value.strip() else empty)}</td>"
                    return None

                return text_cell
            if isinstance(field, models.IntegerField):
                return self._number_cell(field, opening, empty)
            return None
        if self.admin_callable is None or self.boolean:
            return None
        method = self.admin_callable
        if hasattr(method, "per_page"):  # what is the same on every row, worked out once (admin_cells)
            method = method.per_page(model_admin)
        if self.has_empty_value_display:
            empty = self.empty_value_display
        opening = ' class="action-checkbox"' if name == "action_checkbox" else self.class_attr
        opening = f"<td{opening}>"
        text_of = self.text_of

        def method_cell(result):
            try:
                value = method(result)
            except ObjectDoesNotExist:
                return None
            if isinstance(value, Promise):
                value = text_of(value)
            if isinstance(value, str):
                return f"{opening}{escaped(value if value.strip() else empty)}</td>"
            return None

        return method_cell

    def linked_cell(self, pk_attname, change_url):
        """For a column of links to the change page showing a text or a date field (a name, a
        number, a day): a function making the row's cell as _cells would, None for a value it does
        not handle (an empty one, a key other than a number or a UUID). The URL is escaped once:
        the key stand-in, a number and a UUID (hex digits and hyphens) escape to themselves, and
        quote() and reverse() leave the last two as they are."""
        if self.is_text_field:
            class_attr = self.class_attr

            def shown(value):
                return value if type(value) is str and value.strip() else None

        elif self.is_date_field:
            class_attr, dates = self.nowrap_class_attr, self.dates

            def shown(value):
                return None if value is None or value == "" else dates(value)

        else:
            return None
        name = self.name
        before, _key, after = escaped(change_url).partition(_KEY)
        opening = f'<{self.link_tag}{class_attr}><a href="{before}'
        closing = f"</a></{self.link_tag}>"

        def linked(result):
            key = getattr(result, pk_attname)
            if type(key) is not int and type(key) is not UUID:
                return None
            text = shown(getattr(result, name))
            return None if text is None else f'{opening}{key}{after}">{escaped(text)}{closing}'

        return linked

    def _boolean_cell(self, opening):
        """The cell of a yes/no field: Django's icon (display_for_field), one cell per value made
        once per page. None for a value other than True, False or None (then _cells makes it)."""
        name = self.name
        cells = {value: f"{opening}{boolean_icon(value)}</td>" for value in (True, False, None)}

        def boolean_cell(result):
            value = getattr(result, name)
            return cells[value] if value is None or type(value) is bool else None

        return boolean_cell

    def _number_cell(self, field, opening, empty):
        """The cell of a whole-number field (a count, a year): Django's number_format of it
        (display_for_field), one cell per value made once per page. None for a value other than a
        number (an empty one: then _cells makes it)."""
        name, made = self.name, {}

        def number_cell(result):
            value = getattr(result, name)
            if type(value) is not int:
                return None
            try:
                return made[value]
            except KeyError:
                cell = made[value] = f"{opening}{escaped(display_for_field(value, field, empty))}</td>"
                return cell

        return number_cell

    def _related_cell(self, field, opening, empty):
        """The cell of a key to a related row: the row's name (its str), as _cells shows it, made
        once per related row the page names."""
        name, attname, made = self.name, field.attname, {}

        def related_cell(result):
            key = getattr(result, attname)
            if key is None:
                return f"{opening}{escaped(empty)}</td>"
            try:
                return made[key]
            except KeyError:
                try:
                    related = getattr(result, name)
                except ObjectDoesNotExist:  # a row that is gone: _cells shows it as Django does
                    return None
                cell = made[key] = f"{opening}{escaped(str(related))}</td>"
                return cell

        return related_cell

    def text_of(self, lazy):
        """str(lazy), translated once per page for each lazy text the column shows (a method's
        "现行" on every row): each translation goes through the active language's thread-local
        lookups. A lazy text is known by what its pickling names: its function and arguments."""
        try:
            _unpickle, (function, args, kwargs, *_classes) = lazy.__reduce__()
            key = (function, args, tuple(kwargs.items()))
            return self.texts[key]
        except KeyError:
            text = self.texts[key] = str(lazy)
            return text
        except (TypeError, ValueError):  # not Django's lazy proxy, or arguments that cannot be a key
            return str(lazy)

    def shown(self, value, make, *args):
        """make(value, *args), made once per page for each value that repeats in the column (a
        yes/no icon, a date, a year, a field of lists): Django makes it again for every cell."""
        try:
            key = (type(value), make_hashable(value))  # 1 and True: one key of a dict, not one alt text
            return self.made[key]
        except KeyError:
            found = self.made[key] = make(value, *args)
            return found
        except TypeError:  # a value that cannot be a key
            return make(value, *args)

    def form_field(self, row):
        """The row's field to edit in place as `str(form[name])` renders it (with its errors when
        the form is bound); row: the row's form, or a _PlainRow. An unbound form's field differs
        from row to row only by its value and by the form's prefix in its name and id: rendered
        once per value that repeats in the column (a select of ten options, a checkbox) and given
        each row's name and id. A select was two fifths of the numbering rules' page. A form of the
        admin's own that sets its fields up in __init__ (which may differ by row) renders each
        row's field itself."""
        if isinstance(row, _PlainRow):
            return self._plain_field(row)
        form = row
        if (
            form.is_bound
            or type(form).__init__ is not BaseModelForm.__init__
            or not form.auto_id
            or "%s" not in str(form.auto_id)
        ):
            field = form[self.name]
            errors = str(field.errors) if form.is_bound else ""
            return mark_safe(errors + str(field))  # noqa: S308 - the form's own widgets
        html_name = form.add_prefix(self.name)
        return self._rendered(form.initial.get(self.name), html_name, form.auto_id % html_name, lambda: form)

    def _plain_field_cell(self):
        """For a field of the model's own to edit in place (not a key to another row): its cell on a
        _PlainRow, as _cells writes it, the cell's opening and the formset's prefix worked out once."""
        field = self.field
        if field is None or not field.concrete or field.is_relation:
            return None
        nowrap = isinstance(field, models.DateField | models.TimeField)
        opening = f"<td{self.nowrap_class_attr if nowrap else self.class_attr}>"
        plain_field = self._plain_field

        def plain_field_cell(row):
            return f"{opening}{plain_field(row)}</td>"

        return plain_field_cell

    def _plain_field(self, row):
        """The field on a _PlainRow: named and valued as the row's form would have it."""
        formset, name = row.formset, self.name
        html_name = f"{formset.prefix}-{row.index}-{name}"  # formset.add_prefix(index), then the field's
        value = self.field.value_from_object(row.instance)  # the form's initial value (model_to_dict)
        return self._rendered(
            value, html_name, formset.auto_id % html_name, lambda: formset.form_showing(row.index, name, value)
        )

    def _rendered(self, value, html_name, auto_id, form_of):
        """The field showing value, named html_name with the id auto_id: rendered by the form
        form_of() gives the first time the value is seen, then that HTML renamed."""
        try:
            key = (type(value), make_hashable(value))
            made_name, made_id, html = self.fields_made[key]
        except (KeyError, TypeError) as missing:  # TypeError: a value that cannot be a key
            form = form_of()
            made_name = form.add_prefix(self.name)
            made_id = form.auto_id % made_name
            html = str(form[self.name])
            if isinstance(missing, KeyError):
                self.fields_made[key] = (made_name, made_id, html)
        if made_name != html_name:
            # The name and id as the attributes hold them (the id also begins an aria-describedby's).
            html = html.replace(f'"{made_name}"', f'"{html_name}"').replace(f'"{made_id}', f'"{auto_id}')
        return SafeString(html)  # the form's own widgets

    def lookup(self, result, model_admin):
        """(field, attr, value), as lookup_field(name, result, model_admin) would give them."""
        if self.field is not None:
            return self.field, None, getattr(result, self.name)
        if self.admin_callable is not None:
            return None, self.admin_callable, self.admin_callable(result)
        return lookup_field(self.name, result, model_admin)


class _PlainRow:
    """A row of a list whose rows' forms are not made (ChangeListFormSet.plain_rows): its fields to
    edit in place are written from its values (_Column.form_field)."""

    __slots__ = ("formset", "index", "instance")

    def __init__(self, formset, index, instance):
        self.formset, self.index, self.instance = formset, index, instance


_BOOLEAN_ICONS = {}


def boolean_icon(value):
    """Django's yes/no/unknown icon (_boolean_icon), made once per process: each asks the static
    files' storage for its URL (40 µs), the same until the static settings change."""
    key = (type(value), value)  # 1 and True: one key of a dict, not one alt text
    try:
        return _BOOLEAN_ICONS[key]
    except KeyError:
        icon = _BOOLEAN_ICONS[key] = _boolean_icon(value)
        return icon


@receiver(setting_changed)
def _forget_what_follows_from_settings(setting, **kwargs):
    if setting in ("STATIC_URL", "STORAGES"):
        _BOOLEAN_ICONS.clear()
    if setting in ("TEMPLATES", "INSTALLED_APPS"):
        _OWN_TEMPLATES.clear()


def _blank_as_empty(value):
    """A text of spaces shows as an empty one (items_for_result)."""
    return "" if isinstance(value, str) and not value.strip() else value


def _columns(cl):
    if cl.list_display_links is None:
        linked = set()
    elif not cl.list_display_links:
        linked = {0}
    else:
        linked = {index for index, name in enumerate(cl.list_display) if name in cl.list_display_links}
    dates = DateDisplay()
    first_link = min(linked, default=None)
    return [
        _Column(cl, index, name, None if index not in linked else "th" if index == first_link else "td", dates)
        for index, name in enumerate(cl.list_display)
    ]


def _change_url(cl):
    """The change page's URL with the list's filters kept in it, the row's key left as _KEY; None
    when the model has no change page."""
    try:
        url = reverse(
            f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
            args=(_KEY,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return None
    return add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)


def _cells(cl, result, columns, change_url, empty, form=None):
    """The row's cells, as Django's items_for_result makes them; empty: the admin's empty value;
    form: the row's, when the list has fields to edit in place."""
    model_admin = cl.model_admin
    pk_attname = cl.lookup_opts.pk.attname
    for column in columns:
        if column.fast is not None:
            cell = column.fast(result)
            if cell is not None:
                yield cell
                continue
        elif column.plain_field_cell is not None and type(form) is _PlainRow:
            yield column.plain_field_cell(form)
            continue
        empty_value_display = empty
        row_class = column.class_attr
        try:
            f, attr, value = column.lookup(result, model_admin)
        except ObjectDoesNotExist:
            result_repr = empty_value_display
        else:
            if attr is column.admin_callable:
                boolean = column.boolean
                if column.has_empty_value_display:
                    empty_value_display = column.empty_value_display
            else:  # a model's attribute or property, which lookup_field found for this row
                empty_value_display = getattr(attr, "empty_value_display", empty_value_display)
                boolean = getattr(attr, "boolean", False)
                if isinstance(attr, property) and hasattr(attr, "fget"):
                    boolean = getattr(attr.fget, "boolean", False)
            if isinstance(value, Promise):
                # A translatable label: translated once here, not once per comparison below.
                value = column.text_of(value)
            value = _blank_as_empty(value)
            if f is None or f.auto_created:
                if column.name == "action_checkbox":
                    row_class = ' class="action-checkbox"'
                if boolean:
                    result_repr = column.shown(value, boolean_icon)
                elif isinstance(value, str) and value:
                    result_repr = value  # what display_for_value gives a text that is not empty
                elif isinstance(value, datetime.date | datetime.time):
                    result_repr = column.dates(value)  # what display_for_value gives a date
                else:
                    result_repr = display_for_value(value, empty_value_display)
                if isinstance(value, (datetime.date, datetime.time)):
                    row_class = column.nowrap_class_attr
            else:
                if isinstance(f.remote_field, models.ManyToOneRel):
                    field_value = getattr(result, f.name)
                    result_repr = empty_value_display if field_value is None else field_value
                elif column.labels is not None:
                    result_repr = column.labels.get(value, empty_value_display)
                elif column.is_date_field:  # what display_for_field gives a date or an empty one
                    result_repr = empty_value_display if value is None or value == "" else column.dates(value)
                elif column.is_text_field and type(value) is str and value:
                    result_repr = value
                else:
                    result_repr = column.shown(value, display_for_field, f, empty_value_display, column.is_link)
                if isinstance(f, (models.DateField, models.TimeField, models.ForeignKey)):
                    row_class = column.nowrap_class_attr
        if column.is_link:
            table_tag = column.link_tag
            if change_url is None:
                link_or_text = result_repr
            else:
                key = getattr(result, cl.pk_attname)
                # What reverse() would make of the key (percent-encoding what a URL path cannot hold).
                key = str(key) if type(key) is int else url_quote(str(quote(key)), safe="!$&'()*+,;=/~:@")
                url = change_url.replace(_KEY, key, 1)
                popup = ""
                if cl.is_popup:
                    opener = result.serializable_value(str(cl.to_field) if cl.to_field else pk_attname)
                    popup = f' data-popup-opener="{escaped(opener)}"'
                # format_html('<a href="{}"{}>{}</a>', …) without its machinery, each value escaped.
                link_or_text = SafeString(f'<a href="{escaped(url)}"{popup}>{escaped(result_repr)}</a>')
            yield f"<{table_tag}{row_class}>{escaped(link_or_text)}</{table_tag}>"
        else:
            if form is not None and column.editable:
                result_repr = column.form_field(form)
            # format_html("<td{}>{}</td>", …) without its machinery: the class is ours, the value escaped.
            yield f"<td{row_class}>{escaped(result_repr)}</td>"


def rows(cl):
    """Each row as one piece of HTML (the template loops once per row instead of once per cell).
    Each cell's value is escaped where it is written (_cells); the pieces are SafeString(...)
    rather than mark_safe(...), which checks its argument for lazy text, hundreds of times a page."""
    columns = _columns(cl)
    change_url = _change_url(cl)
    empty = cl.model_admin.get_empty_value_display()
    for column in columns:
        if column.is_link and change_url is not None and not cl.is_popup:
            column.fast = column.linked_cell(cl.pk_attname, change_url)
    if cl.formset:
        if _plain_rows(cl, columns):
            row_forms = (_PlainRow(cl.formset, index, result) for index, result in enumerate(cl.result_list))
        else:
            row_forms = cl.formset.forms
        return [
            ResultList(form, [SafeString("".join(_cells(cl, result, columns, change_url, empty, form)))])
            for result, form in zip(cl.result_list, row_forms, strict=False)
        ]
    # A ResultList as Django's results() gives, not a plain list: the template asks each row for its
    # form, which on a list fails three lookups (key, attribute, index), each an exception.
    return [
        ResultList(None, [SafeString("".join(_cells(cl, result, columns, change_url, empty)))])
        for result in cl.result_list
    ]


def _plain_rows(cl, columns):
    """Whether the rows' fields to edit in place are written without making the rows' forms: the
    formset allows it, and each such field is one of the model's own (its value read off the row)."""
    return getattr(cl.formset, "plain_rows", False) and all(
        column.field is not None and column.field.concrete and not column.field.many_to_many
        for column in columns
        if column.editable
    )


def _made_here(cl):
    """Whether rows() makes this list's rows: not a formset posted back (its errors, a row of
    errors above a row, are Django's to show), nor one whose key is a field to edit (Django adds a
    cell for it)."""
    if not cl.formset or getattr(cl.formset, "plain_rows", False):  # its key field is a hidden input
        return True
    pk_name = cl.model._meta.pk.name
    return not cl.formset.is_bound and all(form[pk_name].is_hidden for form in cl.formset.forms[:1])


def hidden_keys(cl):
    """The hidden key fields of an unbound formset's rows, as result_hidden_fields renders them,
    written directly where the key field is the one portal.admin_site.ChangeListFormSet gives each
    row (a hidden input of the row's key): a hundred rows were a hundred widgets rendered."""
    formset = cl.formset
    pk_name = cl.model._meta.pk.name
    if getattr(formset, "plain_rows", False):
        keys = ((formset.add_prefix(index), result.pk) for index, result in enumerate(cl.result_list))
        return _key_inputs(((f"{prefix}-{pk_name}", key) for prefix, key in keys), formset.auto_id)
    named_keys = []
    for form in formset.forms:
        field = form.fields[pk_name]
        if not getattr(field, "is_row_key", False) or field.initial is None or not isinstance(form.auto_id, str):
            return mark_safe("".join(str(hidden) for hidden in result_hidden_fields(cl)))  # noqa: S308 - Django's own
        named_keys.append((form.add_prefix(pk_name), field.initial))
    return _key_inputs(named_keys, formset.auto_id)


def _key_inputs(named_keys, auto_id):
    """A hidden input of each (name, key), as the row's HiddenInput renders it."""
    return mark_safe(  # noqa: S308 - each value escaped
        "".join(
            f'<input type="hidden" name="{escaped(name)}" value="{escaped(key)}" id="{escaped(auto_id % name)}">'
            for name, key in named_keys
        )
    )


def _rows_html(results_made):
    """The rows as Django's template loop writes them, for a formset that has no errors to show."""
    return mark_safe("".join(f"\n\n<tr>{row[0]}</tr>\n" for row in results_made))  # noqa: S308 - escaped in _cells


def _headers_html(headers, num_sorted_fields):
    """The header row's cells as the template's loop over result_headers writes them: eight headers
    with their sort links were a thirtieth of a list's page through the template."""
    remove_title, toggle_title = gettext("Remove from sorting"), gettext("Toggle sorting")
    cells = []
    for header in headers:
        sortable = header.get("sortable")
        sort_options = ""
        if sortable and header["sort_priority"] > 0:
            priority = header["sort_priority"]
            priority_span = ""
            if num_sorted_fields > 1:
                title = gettext("Sorting priority: %(priority_number)s") % {"priority_number": priority}
                priority_span = f'<span class="sortpriority" title="{title}">{priority}</span>'
            direction = "ascending" if header["ascending"] else "descending"
            sort_options = (
                '\n       <div class="sortoptions">\n'
                f'         <a class="sortremove" href="{escaped(header["url_remove"])}" title="{remove_title}"></a>\n'
                f"         {priority_span}\n"
                f'         <a href="{escaped(header["url_toggle"])}" class="toggle {direction}" title="{toggle_title}">'
                "</a>\n       </div>\n   "
            )
        text = _capitalised(header["text"])
        label = f'<a href="{escaped(header["url_primary"])}">{text}</a>' if sortable else f"<span>{text}</span>"
        cells.append(
            f'\n<th scope="col"{escaped(header["class_attrib"])}>\n   {sort_options}\n'
            f'   <div class="text">{label}</div>\n   <div class="clear"></div>\n</th>'
        )
    return SafeString("".join(cells))  # each value escaped, as the template's autoescaping does


def _capitalised(text):
    """`{{ text|capfirst }}`: the first letter capitalised, escaped unless the text is safe."""
    text = str(text)  # a lazy text's str keeps a safe text safe, as the filter's stringfilter does
    capitalised = text and text[0].upper() + text[1:]
    return capitalised if isinstance(text, SafeData) else escaped(capitalised)


def portal_result_list(cl):
    """The context of Django's result_list, with the rows made as above. Where they are made here,
    the rows and the hidden key fields are also given as one piece of HTML each, in the markup of
    Django's template loops (admin/portal_change_list_results.html)."""
    headers = list(result_headers(cl))
    made_here = _made_here(cl)
    results_made = rows(cl) if made_here else list(results(cl))
    context = {
        "cl": cl,
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": results_made,
    }
    if not made_here:
        return {**context, "result_hidden_fields": list(result_hidden_fields(cl))}
    hidden_html = hidden_keys(cl) if cl.formset else ""
    return {
        **context,
        "result_hidden_fields": bool(hidden_html),
        "hidden_html": hidden_html,
        "headers_html": _headers_html(headers, context["num_sorted_fields"]) if results_made else "",
        "rows_html": _rows_html(results_made),
    }


@register.tag(name="portal_result_list")
def portal_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=portal_result_list, template_name="portal_change_list_results.html", takes_context=False
    )


# --- Pieces kept in the process: the action bar, the search bar, the object tools --------------------
# Their HTML made in this process, by what each shows; all dropped once there are too many.
_KEPT_PIECES = {}
KEPT_PIECES = 1000


class _KeptNode(InclusionAdminNode):
    """One of Django's admin inclusion tags, its HTML kept in the process under everything its
    template shows (key_of(context, cl); None: rendered each time), as a piece of every list page that
    is the same on every visit: the actions' select and counter, the search bar, the add button.
    A list whose app or model has its own template of the piece is rendered by Django every time.
    on_kept(context) does what rendering the tag does to the page's context, for a kept piece."""

    def __init__(self, parser, token, *, func, template_name, key_of, takes_context=True, on_kept=None):
        super().__init__(parser, token, func=func, template_name=template_name, takes_context=takes_context)
        self.key_of, self.on_kept = key_of, on_kept

    def render(self, context):
        cl = context.get("cl")
        opts = getattr(cl, "opts", None)
        key = None if opts is None or _own_template(opts, self.template_name) else self.key_of(context, cl)
        if key is None:
            return super().render(context)
        key = (self.template_name, get_language(), opts.label, key)
        html = _KEPT_PIECES.get(key)
        if html is None:
            html = super().render(context)
            if len(_KEPT_PIECES) >= KEPT_PIECES:
                _KEPT_PIECES.clear()  # one step, safe under threads: the pieces are made again as asked
            _KEPT_PIECES[key] = html
        elif self.on_kept is not None:
            self.on_kept(context)
        return html


def _action_bar_key(context, cl):
    """What Django's admin/actions.html shows: the actions offered (which follow the person's
    permissions), the counts, the words, which bar of the page it is."""
    action_form = context.get("action_form")
    if action_form is None or action_form.is_bound:
        return None
    fields = tuple(
        (name, type(field).__name__, str(field.label), field.initial) for name, field in action_form.fields.items()
    )
    choices = tuple((value, str(label)) for value, label in action_form.fields["action"].choices)
    return (
        type(action_form).__qualname__,
        fields,
        choices,
        context.get("action_index", -1) + 1,
        bool(context.get("actions_selection_counter")),
        str(context.get("selection_note", "")),
        str(context.get("selection_note_all", "")),
        str(context.get("module_name", "")),
        cl.result_count,
        len(cl.result_list),
    )


def _search_bar_key(context, cl):
    """What admin/search_form.html shows: the search, its help, the counts, the page's parameters
    (kept as hidden inputs)."""
    return (
        bool(cl.search_fields),
        cl.query,
        str(cl.search_help_text or ""),
        cl.result_count,
        cl.full_result_count,
        cl.show_full_result_count,
        getattr(cl, "approximate_count", False),
        cl.has_active_filters,
        cl.is_popup,
        cl.add_facets,
        tuple(cl.params.items()),
    )


def _object_tools_key(context, cl):
    """What admin/change_list_object_tools.html shows: the add button, with the list's filters kept
    in its link, on this admin site."""
    request = context.get("request")
    return (
        bool(context.get("has_add_permission")),
        context.get("is_popup"),
        context.get("to_field"),
        context.get("preserved_filters"),
        getattr(request, "current_app", None),
    )


_OWN_TEMPLATES = {}


def _own_template(opts, name):
    """Whether the app or the model has its own template of a piece (InclusionAdminNode looks for
    them first). Looked up once per process, as Django's cached template loader keeps what it found
    and what it did not, until the templates change (_forget_what_follows_from_settings)."""
    key = (opts.app_label, opts.model_name, name)
    try:
        return _OWN_TEMPLATES[key]
    except KeyError:
        paths = (f"admin/{opts.app_label}/{opts.model_name}/{name}", f"admin/{opts.app_label}/{name}")
        found = _OWN_TEMPLATES[key] = any(_template_exists(path) for path in paths)
        return found


@receiver(file_changed)
def _forget_own_templates(sender, file_path, **kwargs):
    # The development server's reloader: a changed template resets Django's loaders too.
    _OWN_TEMPLATES.clear()


def _template_exists(name):
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


@register.tag(name="portal_admin_actions")
def portal_admin_actions_tag(parser, token):
    return _KeptNode(
        parser, token, func=admin_actions, template_name="actions.html", key_of=_action_bar_key, on_kept=admin_actions
    )


@register.tag(name="portal_search_form")
def portal_search_form_tag(parser, token):
    return _KeptNode(
        parser, token, func=search_form, template_name="search_form.html", key_of=_search_bar_key, takes_context=False
    )


@register.tag(name="portal_change_list_object_tools")
def portal_change_list_object_tools_tag(parser, token):
    return _KeptNode(
        parser,
        token,
        func=lambda context: context,
        template_name="change_list_object_tools.html",
        key_of=_object_tools_key,
    )


# --- The filter panel -----------------------------------------------------------------------------
# A panel is kept under everything it shows (_filters_parts), so it is never out of date: a new
# choice, another language, another page make another key. The time only lets a panel nobody asks
# for leave the cache. At a minute, each panel of a list was made again every minute.
FILTERS_SECONDS = 15 * 60


def _text(choice):
    """A filter's choice as text: a (value, label) pair (labels translated), or a bare value
    (AllValuesFieldListFilter)."""
    if isinstance(choice, list | tuple):
        return tuple(_text(part) for part in choice)
    return str(choice)


def _filters_parts(cl):
    """What the panel's HTML follows from: the language, the list, the page's parameters (which
    choice is selected, what each link keeps) and every filter's choices (the handlers, the agencies,
    the dates of a date filter, which change without the page's parameters changing). Choices read
    from the cache come with a digest of them (portal.admin_lists.Choices), which stands for them."""
    choices = [
        (
            type(spec).__qualname__,
            str(spec.title),
            getattr(spec, "choices_digest", None) or [_text(choice) for choice in getattr(spec, "lookup_choices", ())],
            [(str(title), sorted(params.items())) for title, params in getattr(spec, "links", ())],
        )
        for spec in cl.filter_specs
    ]
    page = (cl.opts.label, sorted(cl.params.items()), cl.is_popup, cl.to_field)
    return ("admin-filters", get_language(), page, choices)


@register.simple_tag
def portal_list_filters(cl):
    """Every filter of the panel as Django's `{% admin_list_filter %}` renders it, kept under what it
    follows from (_filters_parts); made each time when it shows counts (facets)."""

    def make():
        return "".join(admin_list_filter(cl, spec) for spec in cl.filter_specs)

    html = make() if cl.add_facets else kept(_filters_parts(cl), make, FILTERS_SECONDS)
    return mark_safe(html)  # noqa: S308 - Django's own filter templates, rendered above
