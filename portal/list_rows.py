"""The rows of an admin list made as model instances at a fraction of Django's cost.

A list of 100 rows joining three related rows each (an action item's meeting, agency and person)
made 400 instances through `Model.from_db`: for each, a list of every field of the model checked
against the columns read (`f.attname in field_names`, a list), then `__init__` setting each value
through `setattr`, with its two signals sent. On the action items' list that was a fifth of the
page. `ListRowsIterable` makes the same instances:

- each by filling its `__dict__` with the columns read, as `__init__` leaves it for a row read from
  the database (a deferred column is one left out of it, as Django's `get_deferred_fields` reads);
- each related row once per page: the 100 items of three meetings share the three meetings, as
  they would after `prefetch_related`; a related row read apart (columns of the row's own query,
  portal.expressions.RelatedColumn) is made the same way and cached on the row as a joined one is.

It does so only for a model that `__init__` and `from_db` would make the same way: no `__init__`
or `from_db` of its own, no `pre_init` or `post_init` receiver, and no field whose attribute does
more when set than Django's own kinds do (a key's, a file's) or a status's (portal.transitions).
For any other model, Django makes the instance. Only a list's page of rows is made this way
(portal.admin_lists.LeanChangeList.get_results): a related row shared by its rows is only read by
the list's columns, while an action or an export, which may change or keep many rows, gets
Django's instances.
"""

import functools
import inspect

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# Attribute kinds whose setting a fresh instance's __dict__ stands for: a key's clears a cached
# related row the new instance has not got; a file's wraps the name when it is read, not set.
_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor)


def _made_as_django_would(model):
    return _built_as_django_builds(model) and not (pre_init.has_listeners(model) or post_init.has_listeners(model))


@functools.cache
def _built_as_django_builds(model):
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:
        return False
    # Model.__init__ ends in super().__init__(): a mixin's own __init__ after Model would run there.
    after_model = model.__mro__[model.__mro__.index(Model) + 1 :]
    if any("__init__" in vars(base) for base in after_model if base is not object):
        return False
    for field in model._meta.concrete_fields:
        attribute = inspect.getattr_static(model, field.attname, None)
        plain = isinstance(attribute, _PLAIN_ATTRIBUTES) or getattr(attribute, "first_set_is_plain", False)
        if hasattr(type(attribute), "__set__") and not plain:
            return False
    return True


def _maker(model, attnames, db):
    """A function making the model's instance from the values of attnames, as from_db does."""
    if not _made_as_django_would(model):
        return lambda values: model.from_db(db, attnames, values)
    new_instance = model.__new__

    def make(values):
        instance = new_instance(model)
        state = ModelState()
        state.adding = False
        state.db = db
        instance._state = state
        instance.__dict__.update(zip(attnames, values, strict=True))
        return instance

    return make


class _Related:
    """What RelatedPopulator does for one joined row, each related row made once."""

    def __init__(self, populator, db):
        self.populator = populator
        self.make = _maker(populator.model_cls, populator.init_list, db)
        self.further = [_Related(each, db) for each in populator.related_populators]
        self.made = {}

    def populate(self, row, from_obj):
        populator = self.populator
        values = (
            populator.reorder_for_init(row)
            if populator.reorder_for_init
            else row[populator.cols_start : populator.cols_end]
        )
        key = values[populator.pk_idx]
        if key is None:
            populator.local_setter(from_obj, None)
            return
        obj = self.made.get(key)
        if obj is None:
            obj = self.made[key] = self.make(values)
            for further in self.further:
                further.populate(row, obj)
        populator.local_setter(from_obj, obj)
        populator.remote_setter(obj, from_obj)


class _ReadApart:
    """A related row whose columns the row's own query read (a subquery each, not a join)."""

    def __init__(self, model, key, columns, annotation_col_map, db):
        field = model._meta.get_field(key)
        self.set_cached = field.set_cached_value
        self.key = field.attname
        related = field.related_model
        self.make = _maker(related, [related._meta.pk.attname, *(attname for _, attname in columns)], db)
        self.positions = [annotation_col_map[name] for name, _ in columns]
        self.made = {}

    def populate(self, row, obj):
        key = obj.__dict__[self.key]
        if key is None:
            self.set_cached(obj, None)
            return
        made = self.made.get(key)
        if made is None:
            made = self.made[key] = self.make((key, *(row[position] for position in self.positions)))
        self.set_cached(obj, made)


class ListRowsIterable(ModelIterable):
    """ModelIterable, with the instances made as described above. A queryset that knows related
    rows already (a related manager's) is left to Django."""

    # (key, ((annotation, attname), ...)) of each related row read apart (see with_rows_read_apart).
    apart = ()

    def __iter__(self):
        queryset = self.queryset
        if queryset._known_related_objects:
            yield from super().__iter__()
            return
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
        select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        make = _maker(klass_info["model"], [column[0].target.attname for column in select[start:end]], db)
        related = [_Related(populator, db) for populator in get_related_populators(klass_info, select, db)]
        apart = [_ReadApart(self.queryset.model, key, columns, annotation_col_map, db) for key, columns in self.apart]
        taken = {name for _, columns in self.apart for name, _ in columns}
        annotations = [(name, position) for name, position in annotation_col_map.items() if name not in taken]
        for row in compiler.results_iter(results):
            obj = make(row[start:end])
            for each in related:
                each.populate(row, obj)
            for each in apart:
                each.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            yield obj


@functools.cache
def with_rows_read_apart(apart):
    """ListRowsIterable making the related rows `apart` names from their columns read apart (one
    class per list's related rows: Django makes the iterable from a class)."""
    return type("ListRowsIterable", (ListRowsIterable,), {"apart": apart})
