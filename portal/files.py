"""Files in the media folders that no row references any more.

A file is written before the transaction that records it commits: when that transaction rolls
back (a render interrupted by a database restart, an upload whose request failed) or the worker
is killed between writing and committing, the file stays on disk (or in the bucket) with no row pointing at it. A
render retried after such a failure writes under a new name, so nothing ever overwrites or reuses
the old file. `orphan_files_remove` (a periodic task) deletes such files once they are old enough
that no transaction can still be about to record them.

Which folders are swept is read from the models: every FileField of every installed model names
the top-level folder it writes into (documents/, evidence/, …); files elsewhere in the storage
(MEDIA_ROOT on disk, or the bucket) are never touched. On disk the folders are walked; in a bucket
they are listed, a thousand keys with their dates per request.
"""

import datetime
import logging
import os
from pathlib import Path

from django.apps import apps
from django.db import models
from django.utils import timezone

from portal.storage import is_bucket, stored_files

logger = logging.getLogger(__name__)

# Files younger than this are left alone: their transaction may not have committed yet (a render
# or an upload takes seconds; task time limits are minutes).
ORPHAN_MIN_AGE = datetime.timedelta(hours=1)


class _AnyInstance:
    """A stand-in model instance for upload_to functions: every attribute is itself, printed as 0,
    so that `f"evidence/{instance.application_id}/…"` names the folder without a real row."""

    def __getattr__(self, name):
        return self

    def __str__(self):
        return "0"

    def __format__(self, spec):
        return "0"


def file_fields():
    """Every concrete FileField (ImageField included) of the installed models, as (model, field)."""
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field


def _top_folder(name):
    parts = Path(name).parts
    return parts[0] if len(parts) > 1 else None


def _folder_of(field):
    """The top-level folder a FileField writes into, or None if it cannot be told."""
    try:
        if callable(field.upload_to):
            name = field.upload_to(_AnyInstance(), "probe")
        else:
            name = os.path.join(timezone.now().strftime(str(field.upload_to)), "probe")
    except Exception:  # an upload_to that needs a real row: fall back below
        return None
    return _top_folder(name)


def _storage_label(storage):
    """A readable name of where a storage keeps its files (a folder, or a bucket and prefix)."""
    if is_bucket(storage):
        return f"s3://{storage.bucket_name}/{storage.location}".rstrip("/")
    return str(getattr(storage, "location", type(storage).__name__))


def _swept():
    """{label: (storage, {top-level folder, …})} for the storages of the FileFields."""
    swept = {}
    for model, field in file_fields():
        storage = field.storage
        found = {_folder_of(field)}
        if None in found:  # learn the folder from the rows instead
            names = model._base_manager.exclude(**{field.attname: ""}).values_list(field.attname, flat=True)[:100]
            found = {_top_folder(name) for name in names}
        _storage, folders = swept.setdefault(_storage_label(storage), (storage, set()))
        folders.update(folder for folder in found if folder)
    return swept


def swept_folders():
    """{where: {top-level folder, …}}: the folders swept in each storage the FileFields use
    (local disk or a bucket: a file written to either before a rolled-back commit stays)."""
    return {label: folders for label, (_storage, folders) in _swept().items()}


def referenced_names():
    """The names (relative to their storage) of every file a row references."""
    names = set()
    for model, field in file_fields():
        rows = model._base_manager.exclude(**{field.attname: ""}).exclude(**{f"{field.attname}__isnull": True})
        names.update(rows.values_list(field.attname, flat=True).iterator(chunk_size=2000))
    return names


def _candidates(storage, folders, cutoff):
    """Files under the swept folders last written before `cutoff`, as StoredFile."""
    for folder in sorted(folders):
        for stored in stored_files(storage, folder):
            if stored.modified < cutoff:
                yield stored


def orphan_files_remove(*, older_than=ORPHAN_MIN_AGE, now=None):
    """Delete the files under the swept media folders (on disk or in the bucket) that no row
    references and that were last written longer than `older_than` ago. Each removal is logged.
    Returns the removed names."""
    cutoff = (now or timezone.now()) - older_than
    removed = []
    for storage, folders in _swept().values():
        # Listed before the references are read: a file recorded meanwhile is then referenced.
        candidates = list(_candidates(storage, folders, cutoff))
        if not candidates:
            continue
        referenced = referenced_names()
        for stored in candidates:
            if stored.name in referenced:
                continue
            try:
                storage.delete(stored.name)
            except FileNotFoundError:
                continue
            logger.warning("Removed orphan file %s (%d bytes): no row references it", stored.name, stored.size)
            removed.append(stored.name)
    if removed:
        logger.warning("Orphan file sweep removed %d file(s)", len(removed))
    return removed
