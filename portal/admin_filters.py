"""Admin change lists that answer junk in their query string with the admin's own notice, never a 500.

The admin turns a filter value it cannot use into "IncorrectLookupParameters": the list is shown
again unfiltered with the notice that the filter was not understood (``?e=1``). Two kinds of input
escape that today and reach the database or Python's date arithmetic instead:

- a project filter (``SimpleListFilter``) whose value goes straight into a query, e.g.
  ``?handler=abc`` or ``?agency=99999999999999999999``. ``ValidatedListFilter`` accepts only the
  values the filter itself offers in the sidebar;
- the date hierarchy with an absurd year (``?submitted_at__year=99999999999999999999``), which
  Django reads with ``int()`` and hands to ``datetime()``: ``DateHierarchyGuardMixin`` refuses it.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList

from portal.fields import ChoiceListField


class ValidatedListFilter(admin.SimpleListFilter):
    """A list filter that takes only one of its own choices (``lookups()``) as its value."""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        value = self.value()
        if value is not None and value not in {str(choice) for choice, _label in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.parameter_name}={value[:40]!r} is not one of the filter's choices")


class ChoiceListFilter(ValidatedListFilter):
    """Filter on one tick of a multiple-choice answer (a ChoiceListField, stored as "|a|b|"):
    `field_name` names the field, `options` the ticks offered (or override `lookups`)."""

    field_name = ""
    options = ()

    def lookups(self, request, model_admin):
        return self.options

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.field_name}__contains": ChoiceListField.contains(self.value())})
        return queryset


class _GuardedChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as exc:  # a date hierarchy year, month or day too large for a date
            raise IncorrectLookupParameters(exc) from exc


class DateHierarchyGuardMixin:
    """For a ModelAdmin with ``date_hierarchy``: an impossible year, month or day is an incorrect lookup."""

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if changelist is ChangeList:
            return _GuardedChangeList
        return type(f"Guarded{changelist.__name__}", (_GuardedChangeList, changelist), {})
