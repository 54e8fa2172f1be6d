"""Bulk imports of the admin (django-import-export) as jobs with row progress.

The library's admin import has two steps: the upload is checked row by row in a preview (a dry
run, nothing saved) and, when no row has an error, staff confirm. The preview stays in the
request: it is what tells staff which rows to fix, and the pool, the register and the library
import files of hundreds of rows, which a dry run checks in seconds. The confirmed import, which
saves every row and writes its history, runs as a job (portal.jobs): the confirmation leads to
the job's page, whose bar counts the rows; the page then shows how many rows were new, updated
or unchanged, and, when the data changed between the preview and the import so that rows are now
refused, lists them with their numbers (nothing is saved then: an import saves all of its rows
or none) and the import can be run again.

The previewed file is kept in the default storage (the library's MediaStorage: the media folder,
or the bucket that all machines share) rather than the web server's temporary folder, so that the
worker, on another machine or container, reads it; it is removed with its job, or a day after a
preview that was never confirmed.
"""

import datetime
import json
import logging
import types

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage, storages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.signals import post_import
from import_export.tmp_storages import MediaStorage

from portal import jobs
from portal.storage import stored_files

logger = logging.getLogger(__name__)

KIND = "portal.admin_import"
UPLOAD_FOLDER = "django-import-export"
# A previewed file never confirmed is removed after this long.
UNCONFIRMED_UPLOAD_AGE = datetime.timedelta(days=1)


class JobImportMixin:
    """Put before the library's ImportMixin (ImportExportMixin, ImportExportModelAdmin): the
    confirmed import becomes a job and the confirmation leads to its page."""

    tmp_storage_class = MediaStorage

    def process_import(self, request, **kwargs):
        if request.method != "POST":
            return super().process_import(request, **kwargs)
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return super().process_import(request, **kwargs)
        extra = self.get_import_data_kwargs(request=request, form=confirm_form, **kwargs)
        extra.pop("request", None)
        try:
            json.dumps(extra)
        except TypeError:
            logger.error("Import options of %s cannot be kept for a job: %r", self.opts.label, extra)
            raise
        file_name = confirm_form.cleaned_data.get("original_file_name") or ""
        job = jobs.start(
            kind=KIND,
            label=_("导入%(what)s：%(file)s") % {"what": self.opts.verbose_name_plural, "file": file_name},
            params={
                "model": self.opts.label_lower,
                "resource": self.get_resource_index(confirm_form),
                "format": int(confirm_form.cleaned_data["format"]),
                "file": confirm_form.cleaned_data["import_file_name"],
                "file_name": file_name,
                "options": extra,
            },
            by=request.user,
        )
        return redirect("jobs:detail", pk=job.pk)


def _storage_for(model_admin, params):
    input_format = model_admin.get_import_formats()[params["format"]](encoding=model_admin.from_encoding)
    encoding = None if input_format.is_binary() else model_admin.from_encoding
    storage = MediaStorage(name=params["file"], encoding=encoding, read_mode=input_format.get_read_mode())
    return input_format, storage


def _row_errors(resource, result):
    """[{"row": n, "messages": [...]}] for the refused rows, naming each field by its column."""
    columns = {name: field.column_name for name, field in resource.fields.items()}
    errors = [{"row": None, "messages": [str(error.error)]} for error in result.base_errors]
    for number, row_errors in result.row_errors():
        errors.append({"row": number, "messages": [str(error.error) for error in row_errors]})
    for invalid in result.invalid_rows:
        messages = [
            f"{columns.get(field, field)}：{message}"
            for field, field_messages in invalid.field_specific_errors.items()
            for message in field_messages
        ]
        messages += [str(message) for message in invalid.non_field_specific_errors]
        errors.append({"row": invalid.number, "messages": messages})
    errors.sort(key=lambda item: item["row"] or 0)
    return errors[:500]


def run_admin_import(job, progress):
    params = job.params
    model = apps.get_model(params["model"])
    model_admin = admin.site._registry[model]
    input_format, storage = _storage_for(model_admin, params)
    try:
        data = storage.read()
    except FileNotFoundError as exc:
        raise jobs.JobFailed(_("上传的文件已不存在（已过保留期限），请重新导入。")) from exc
    progress(0, None, _("正在读取文件"))
    dataset = input_format.create_dataset(data)
    total = len(dataset)
    resource = model_admin.resource_classes[params.get("resource", 0)]()

    counted = {"rows": 0}
    import_row = resource.import_row

    def import_row_counted(row, instance_loader, **kwargs):
        outcome = import_row(row, instance_loader, **kwargs)
        counted["rows"] += 1
        progress(
            counted["rows"], total, _("已处理 %(done)d / %(total)d 行") % {"done": counted["rows"], "total": total}
        )
        return outcome

    resource.import_row = import_row_counted
    progress(0, total, _("正在导入"))
    result = resource.import_data(
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        file_name=params.get("file_name", ""),
        user=job.created_by,
        retain_instance_in_row_result=True,
        **params.get("options", {}),
    )
    list_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    totals = {key: result.totals.get(key, 0) for key in ("new", "update", "skip", "delete", "error", "invalid")}
    totals["error"] += totals.pop("invalid")
    summary = {"totals": totals, "list_url": list_url}
    if result.has_errors() or result.has_validation_errors():
        summary["errors"] = _row_errors(resource, result)
        raise jobs.JobFailed(
            _("导入未完成：%(n)d 行有错误，未保存任何一行。请按下列行号修改文件后重新导入。")
            % {"n": len(summary["errors"])},
            data=summary,
        )
    model_admin.generate_log_entries(result, types.SimpleNamespace(user=job.created_by))
    post_import.send(sender=None, model=model)
    try:
        storage.remove()
    except OSError:
        logger.warning("Import %s: the uploaded file could not be removed", job.pk, exc_info=True)
    return jobs.JobResult(
        url=list_url,
        message=_("导入完成：新增 %(new)d，更新 %(update)d，未变更 %(skip)d。") % totals,
        data=summary,
    )


def _upload_storage():
    """The storage the library's MediaStorage keeps previewed files in: its own "import_export"
    storage when one is configured, else the default one (local disk or the bucket)."""
    return storages["import_export"] if "import_export" in storages.backends else default_storage


def _remove_upload(job):
    name = job.params.get("file")
    if name:
        _upload_storage().delete(f"{UPLOAD_FOLDER}/{name}")


def unconfirmed_uploads_remove(*, now=None):
    """Delete previewed files older than UNCONFIRMED_UPLOAD_AGE that no job will read. Returns
    how many were removed."""
    now = now or timezone.now()
    storage = _upload_storage()
    kept = {name for name in jobs.Job.objects.filter(kind=KIND).values_list("params__file", flat=True) if name}
    cutoff = now - UNCONFIRMED_UPLOAD_AGE
    removed = 0
    for stored in stored_files(storage, UPLOAD_FOLDER):
        file = stored.name[len(UPLOAD_FOLDER) + 1 :]
        if "/" in file or file in kept or stored.modified >= cutoff:
            continue
        try:
            storage.delete(stored.name)
        except FileNotFoundError:
            continue
        removed += 1
    return removed


jobs.register(KIND, run_admin_import)
jobs.register_cleanup(KIND, _remove_upload)
jobs.register_sweeper(unconfirmed_uploads_remove)
