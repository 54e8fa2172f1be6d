"""The one way a status changes, for every model of every app.

A model declares its map on its status field (`StatusField(transitions={from: {to, ...}})`).
After an object is loaded, `obj.status = x` raises `DirectStatusWrite`; services call
`transition(obj, to, by=..., action=...)`, which locks the row, checks the source state and the
actor's permission, saves and writes the audit entry. `python manage.py status_diagrams` prints
every map. A refused transition raises `TransitionNotAllowed` with a message fit to show.
"""

import contextlib
import contextvars

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from portal.access import Forbidden
from portal.audit import log_action
from portal.converters import parse_int


class TransitionNotAllowed(ValidationError):
    pass


class StaleObject(ValidationError):
    """Raised when a user acted on an out-of-date copy of an object."""


def check_transition(allowed, current, target, *, labels=None):
    if target not in allowed.get(current, set()):
        labels = labels or {}
        raise TransitionNotAllowed(
            _("当前状态为“%(current)s”，不能变更为“%(target)s”。")
            % {"current": labels.get(current, current), "target": labels.get(target, target)},
            code="transition",
        )


def check_fresh(obj, seen_version, *, field="revision"):
    """Refuse a change made from an out-of-date page (optimistic locking).

    `seen_version` comes from the page's form: a value that is not a number names no version the
    page could have shown, so it is refused the same way as an old one."""
    if seen_version is not None and parse_int(seen_version) != getattr(obj, field):
        raise StaleObject(
            _("该记录已被他人修改，您看到的是旧版本。请刷新页面查看最新内容后再操作；您填写的内容仍保留在表单中。"),
            code="stale",
        )


# --- Declared transitions ------------------------------------------------------------------


class DirectStatusWrite(AttributeError):
    """Raised when code assigns a status outside a declared transition."""


_in_transition = contextvars.ContextVar("status_transition", default=frozenset())


@contextlib.contextmanager
def _writable(obj):
    token = _in_transition.set(_in_transition.get() | {id(obj)})
    try:
        yield
    finally:
        _in_transition.reset(token)


class _ProtectedStatus:
    """The descriptor behind a StatusField: the first value (from the database or the constructor)
    is set freely; any later change must come through `transition`."""

    # Its first value may be put in the instance's __dict__ directly (portal.list_rows).
    first_set_is_plain = True

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner):
        if instance is None:
            return self
        return instance.__dict__[self.field.attname]

    def __set__(self, instance, value):
        name = self.field.attname
        if name in instance.__dict__ and instance.__dict__[name] != value and id(instance) not in _in_transition.get():
            raise DirectStatusWrite(
                f"{type(instance).__name__}.{name} changes only through portal.transitions.transition()"
            )
        instance.__dict__[name] = value


class StatusField(models.CharField):
    """A status whose changes are declared: `transitions` maps every status to the statuses it may
    become. For migrations it is a plain CharField (the map is behaviour, not schema)."""

    def __init__(self, *args, transitions=None, **kwargs):
        self.transitions = transitions or {}
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        setattr(cls, self.attname, _ProtectedStatus(self))

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class StatusModel(models.Model):
    """Base for models with a StatusField: reloading from the database may change the status."""

    class Meta:
        abstract = True

    def refresh_from_db(self, *args, **kwargs):
        with _writable(self):
            super().refresh_from_db(*args, **kwargs)


def status_field(model):
    for field in model._meta.concrete_fields:
        if isinstance(field, StatusField):
            return field
    raise ImproperlyConfigured(f"{model.__name__} has no StatusField")


def status_models():
    """Every installed model whose status changes through declared transitions."""
    return [model for model in apps.get_models() if any(isinstance(f, StatusField) for f in model._meta.fields)]


def allowed_targets(obj):
    """The statuses `obj` may move to from its current one."""
    field = status_field(type(obj))
    return set(field.transitions.get(getattr(obj, field.attname), ()))


def transition(
    obj,
    to_status,
    *,
    by,
    action,
    permission=None,
    denied_message=None,
    note="",
    public_note="",
    scope=None,
    data=None,
    seen_revision=None,
    update_fields=(),
):
    """Move `obj` to `to_status`: the one way a status changes.

    Inside one transaction it locks the row, checks the page was not stale (`seen_revision`),
    the source state against the declared map (the message names the state the object is in now,
    which is what a second, slower user needs to hear), and the actor's permission
    (`permission(by, obj)`; skipped only for the system, `by=None`). It then sets the status,
    saves it with `update_fields` (set those on `obj` before calling) and the revision if the
    model has one, and writes the audit entry."""
    model = type(obj)
    field = status_field(model)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        if seen_revision is not None:
            check_fresh(current, seen_revision)
        from_status = getattr(current, field.attname)
        check_transition(field.transitions, from_status, to_status, labels=dict(field.flatchoices))
        if by is not None and permission is not None and not permission(by, current):
            raise Forbidden(denied_message)
        fields = {field.attname, *update_fields}
        with _writable(obj):
            setattr(obj, field.attname, to_status)
        if hasattr(obj, "revision") and any(f.name == "revision" for f in model._meta.concrete_fields):
            obj.revision = current.revision + 1
            fields.add("revision")
        if any(f.name == "updated_at" and getattr(f, "auto_now", False) for f in model._meta.concrete_fields):
            fields.add("updated_at")
        obj.save(update_fields=sorted(fields))
        log_action(
            obj,
            action,
            by=by,
            scope=scope,
            from_status=from_status,
            to_status=to_status,
            note=note,
            public_note=public_note,
            data=data,
        )
    return obj
