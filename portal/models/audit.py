"""One audit log for every app: who did what to which object, when, from where, and why.

Modelled on pretix's LogEntry: a generic relation to the object, an action type, the actor, the
time, the client address and structured data. A second generic relation, the *scope*, names the
case (or other parent) an entry belongs to, so one query gives a case's whole history (its letters,
documents, opinion and seminars included). Rows are append-only; see portal.audit for writing and
reading them.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.history import status_label


def _all_labels():
    """Every app's `audit_labels.LABELS`, found once: labels live with the app that writes them."""
    global _LABELS
    if _LABELS is None:
        labels = {}
        for app in apps.get_app_configs():
            try:
                module = import_module(f"{app.name}.audit_labels")
            except ModuleNotFoundError:
                continue
            labels.update(module.LABELS)
        _LABELS = labels
    return _LABELS


_LABELS = None


def action_label(action_type):
    """What people read for an action type; an unregistered one shows its code."""
    return str(_all_labels().get(action_type, action_type))


def _status_field_name(model):
    """The field whose values an entry's from/to status hold: `status`, or the one a model names
    in AUDIT_STATUS_FIELD (e.g. a seminar invitee's response)."""
    return getattr(model, "AUDIT_STATUS_FIELD", "status")


def _has_status(model):
    return model is not None and any(field.name == _status_field_name(model) for field in model._meta.concrete_fields)


class AppendOnly(Exception):
    """Raised when code tries to change or delete a recorded audit entry."""


class LogEntryQuerySet(models.QuerySet):
    def public(self):
        """Entries with a note for the applicant: the only ones an applicant reads."""
        return self.exclude(public_note="")

    def about(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)

    def in_scope(self, obj):
        """Entries about `obj` and about everything recorded as belonging to it."""
        content_type = ContentType.objects.get_for_model(obj)
        return self.filter(
            models.Q(content_type=content_type, object_id=obj.pk)
            | models.Q(scope_content_type=content_type, scope_object_id=obj.pk)
        )

    def update(self, **kwargs):
        raise AppendOnly("audit entries cannot be changed")

    def delete(self):
        raise AppendOnly("audit entries are removed only by the retention task")

    def _prune(self):
        """Delete for the retention task only (portal.audit.prune_audit_log)."""
        return super().delete()


class LogEntry(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    content_object = GenericForeignKey("content_type", "object_id")

    scope_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_object_id = models.PositiveBigIntegerField(_("所属对象编号"), null=True, blank=True)
    scope = GenericForeignKey("scope_content_type", "scope_object_id")

    action_type = models.CharField(_("操作类型"), max_length=80, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    created = models.DateTimeField(_("时间"), default=timezone.now)
    client_address = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)
    from_status = models.CharField(_("原状态"), max_length=30, blank=True)
    to_status = models.CharField(_("新状态"), max_length=30, blank=True)
    note = models.TextField(_("内部说明"), blank=True)
    public_note = models.TextField(_("对申请人的说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = LogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["created", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_object"),
            models.Index(fields=["scope_content_type", "scope_object_id"], name="audit_scope"),
            # The admin's log filtered by one kind of action (who accepted what), in time order: read
            # from the index, where the time index alone walks the whole log for a rare action.
            models.Index(fields=["action_type", "created", "id"], name="audit_action_time"),
            # The log in time order with the key that breaks ties (the admin's list, newest first).
            models.Index(fields=["created", "id"], name="audit_created_id"),
        ]

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M} {self.action_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries are removed only by the retention task")

    @property
    def action_label(self):
        return action_label(self.action_type)

    @property
    def status_change(self):
        """草稿 → 已提交, with the labels of the object's own status field."""
        model = self.content_type.model_class()
        choices = model._meta.get_field(_status_field_name(model)).flatchoices if _has_status(model) else ()
        before = status_label(self.from_status, choices)
        after = status_label(self.to_status, choices)
        if before and after and before != after:
            return _("%(before)s → %(after)s") % {"before": before, "after": after}
        return after or before
